"""The real main window, offscreen, driven as a user would drive it."""

from __future__ import annotations

import shutil

import pytest
from conftest import CORPUS, SEED
from PySide6.QtCore import QMimeData, QPoint, Qt, QUrl
from PySide6.QtGui import QDropEvent, QGuiApplication
from PySide6.QtWidgets import QApplication, QMessageBox

PDF4 = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
OUTLINE_PDF = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
ENCRYPTED = CORPUS / "pdf" / "libreoffice-writer-password.pdf"
BBC = CORPUS / "html" / "readability" / "bbc-1" / "source.html"


def close_error_dialogs():
    for w in QApplication.topLevelWidgets():
        if isinstance(w, QMessageBox) and w.isVisible():
            w.close()


def test_start_page_without_documents(window):
    assert window.stack.currentWidget() is window.start_page
    assert window.start_page.open_button.isVisible()
    assert window.start_page.url_edit.isVisible()
    assert window.start_page.empty.isVisible()
    names = {a.objectName() for a in window.actions()}
    assert {"action_open", "action_open_url", "action_find", "action_zoom_in"} <= names
    assert window.action("open").shortcut().toString() == "Ctrl+O"
    assert window.action("open_url").shortcut().toString() == "Ctrl+L"


def test_open_seed_article_shows_its_text_and_records_it(window, qtbot):
    tab = window.open_document(str(SEED))
    assert tab is not None
    assert window.stack.currentWidget() is window.tabs
    view = tab.view
    assert "surged to 79,770 in 2022" in view.toPlainText()
    # Each document opens in its own tab; opening a second adds a tab.
    window.open_document(str(PDF4))
    assert window.tabs.count() == 2
    # Opening the first again switches to it instead of duplicating it.
    window.open_document(str(SEED))
    assert window.tabs.count() == 2
    assert window.current_tab() is tab
    recent = window.library.recent()
    assert {r.source for r in recent} == {str(SEED.resolve()), str(PDF4.resolve())}


def test_recent_documents_listed_on_start_page_and_menu(window, qtbot):
    window.open_document(str(PDF4))
    window.tabs.close_current()
    assert window.stack.currentWidget() is window.start_page
    tree = window.start_page.recent
    assert tree.topLevelItemCount() == 1
    item = tree.topLevelItem(0)
    assert item.text(1) == "PDF"
    assert item.text(0)  # a title
    assert item.text(3) == "0"  # annotation count
    tree.itemActivated.emit(item, 0)
    assert window.tabs.count() == 1
    recent = window.window_actions.recent_menu
    recent.aboutToShow.emit()  # the menu fills as it opens
    assert [a.toolTip() for a in recent.actions()] == [str(PDF4.resolve())]


def test_select_and_copy_in_article_view(window, qtbot):
    tab = window.open_document(str(SEED))
    view = tab.view
    text = view.document_backend.text
    needle = "surged to 79,770 in 2022"
    start = text.index(needle)
    # Select with the mouse: press at the first character, drag to the last.
    from PySide6.QtGui import QTextCursor

    cur = QTextCursor(view.document())
    cur.setPosition(view.position_of(start))
    a = view.cursorRect(cur).center()
    cur.setPosition(view.position_of(start + len(needle)))
    b = view.cursorRect(cur).center()
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=a)
    qtbot.mouseMove(view.viewport(), b)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=b)
    assert view.selection_range() == (start, start + len(needle))
    assert view.selected_text() == needle
    QGuiApplication.clipboard().clear()
    window.action("copy").trigger()
    assert QGuiApplication.clipboard().text() == needle


def test_find_in_article(window, qtbot):
    tab = window.open_document(str(SEED))
    window.action("find").trigger()
    assert window.find.bar.isVisible()
    qtbot.keyClicks(window.find.bar.edit, "fentanyl")
    total = tab.view.document_backend.text.lower().count("fentanyl")
    assert total > 3
    assert window.find.bar.count.text() == f"1 of {total}"
    window.action("find_next").trigger()
    assert window.find.bar.count.text() == f"2 of {total}"
    window.action("find_previous").trigger()
    window.action("find_previous").trigger()
    assert window.find.bar.count.text() == f"{total} of {total}"
    window.find.bar.edit.setText("no such words anywhere")
    assert window.find.bar.count.text() == "No matches"


def test_find_in_pdf(window, qtbot):
    tab = window.open_document(str(PDF4))
    window.action("find").trigger()
    window.find.bar.edit.setText("the")
    assert window.find.bar.count.text().startswith("1 of ")
    total = int(window.find.bar.count.text().split(" of ")[1])
    assert total > 10
    window.action("find_next").trigger()
    assert window.find.bar.count.text() == f"2 of {total}"
    assert tab.view.match_count == total


def test_pdf_zoom_page_indicator_and_outline(window, qtbot):
    tab = window.open_document(str(OUTLINE_PDF))
    view = tab.view
    qtbot.waitUntil(lambda: "of 117" in window.status_label.text(), timeout=5000)
    assert window.window_actions.page_total.text().strip() == "of 117"
    before = view.zoom
    window.action("zoom_in").trigger()
    assert view.zoom > before
    window.action("zoom_reset").trigger()
    assert view.zoom == pytest.approx(1.0)
    window.window_actions.page_spin.setValue(40)
    qtbot.waitUntil(lambda: view.current_page == 39, timeout=5000)
    from reader.ui.outline_panel import OutlinePanel

    # The outline is read after the first page is painted, then offered as a dock tab.
    qtbot.waitUntil(lambda: isinstance(window.outline_dock.widget(), OutlinePanel), timeout=5000)
    assert not window.outline_dock.isHidden()
    panel = window.outline_dock.widget()
    assert not panel.is_empty()
    window.outline_dock.raise_()
    qtbot.waitUntil(window.outline_dock.isVisible, timeout=2000)


def test_encrypted_pdf_asks_for_password_and_says_when_wrong(window, passwords, qtbot):
    passwords.extend(["wrong", "openpassword"])
    tab = window.open_document(str(ENCRYPTED))
    assert tab is not None
    assert [wrong for _name, wrong in window.password_requests] == [False, True]
    assert tab.view.page_count == 1


def test_encrypted_pdf_cancel_closes_cleanly(window, passwords):
    tab = window.open_document(str(ENCRYPTED))
    assert tab is None
    assert len(window.password_requests) == 1
    assert window.tabs.count() == 0
    assert window.last_error == ""
    assert window.stack.currentWidget() is window.start_page


@pytest.mark.parametrize(
    "make, needle",
    [
        (lambda d: d / "missing.pdf", "does not exist"),
        (lambda d: CORPUS / "pdf" / "unreadablemetadata.pdf", "cannot be read"),
        (lambda d: _write(d / "noise.pdf", b"%PDF-1.4\n" + bytes(range(256)) * 40), ""),
        (lambda d: _write(d / "data.bin", bytes(range(256)) * 40), "not a document"),
    ],
    ids=["missing", "zero-page", "broken", "not-a-document"],
)
def test_bad_files_give_one_sentence_and_the_app_keeps_working(window, tmp_path, make, needle):
    path = make(tmp_path)
    assert window.open_document(str(path)) is None
    assert window.last_error and needle in window.last_error
    assert "\n" not in window.last_error and "Traceback" not in window.last_error
    close_error_dialogs()
    assert window.open_document(str(PDF4)) is not None


def _write(path, data):
    path.write_bytes(data)
    return path


def test_drop_files_opens_them(window, qtbot, tmp_path):
    copy = tmp_path / "dropped.pdf"
    shutil.copy(PDF4, copy)
    mime = QMimeData()
    mime.setUrls([QUrl.fromLocalFile(str(copy)), QUrl.fromLocalFile(str(SEED))])
    event = QDropEvent(
        QPoint(10, 10).toPointF(),
        Qt.DropAction.CopyAction,
        mime,
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.NoModifier,
    )
    window.dropEvent(event)
    assert window.tabs.count() == 2


def test_window_geometry_is_remembered(window, library, qtbot):
    from PySide6.QtCore import QSettings

    from reader.ui.main_window import MainWindow

    window.resize(720, 520)
    window.close()
    settings = QSettings(str(library.db_path.parent / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(library, settings=settings)
    qtbot.addWidget(again)
    assert (again.width(), again.height()) == (720, 520)
