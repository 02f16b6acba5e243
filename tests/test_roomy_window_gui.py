"""A roomy window that remembers: PDFs at fit-width, zoom and scroll kept per document (in the
library), narrow side panels that F9 / Shift+F9 hide, tabs that elide with a list, a session
that comes back with its current tab and set, and a keyboard that reaches everything."""

from __future__ import annotations

from conftest import CORPUS, SEED
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QApplication

from reader.library import Library
from reader.ui.main_window import MainWindow

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
CTRL = Qt.KeyboardModifier.ControlModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier


def make_window(qtbot, library_path, size=(1280, 800)):
    library = Library(library_path)
    settings = QSettings(str(library_path.parent / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.resize(*size)
    win.show()
    qtbot.waitExposed(win)
    win.activateWindow()  # window shortcuts (F9, Ctrl+Tab …) go to the active window
    qtbot.waitUntil(lambda: QApplication.activeWindow() is win)
    return win, library


def quit_window(win, library) -> None:
    win.close()
    library.close()


def other_documents(tmp_path, n: int) -> list[str]:
    paths = []
    for i in range(n):
        path = tmp_path / f"A rather long document title number {i} of the session.txt"
        path.write_text(f"Document {i}.\n\nIt says {i * 7} things.\n", encoding="utf-8")
        paths.append(str(path))
    return paths


def test_default_window_leaves_the_document_most_of_the_width(qtbot, library_path):
    win, library = make_window(qtbot, library_path)
    tab = win.open_document(str(PDF))
    qtbot.waitUntil(lambda: tab.view.has_painted, timeout=10000)
    assert tab.view.width() >= 0.55 * win.width()
    # Fit-width by default: the whole page width is in view, not cut off at the right.
    page = tab.view.page_rect_in_view(0)
    assert page.left() >= 0 and page.right() <= tab.view.viewport().width()
    assert page.width() >= 0.8 * tab.view.viewport().width()
    quit_window(win, library)


def test_f9_and_shift_f9_hide_and_bring_back_the_side_panels(qtbot, library_path):
    win, library = make_window(qtbot, library_path)
    tab = win.open_document(str(SEED))
    assert win.annotations_dock.isVisible() and win.editor_dock.isVisible()
    before = tab.view.width()
    qtbot.keyClick(tab.view, Qt.Key.Key_F9)
    assert not win.annotations_dock.isVisible()
    qtbot.keyClick(tab.view, Qt.Key.Key_F9, SHIFT)
    assert not win.editor_dock.isVisible()
    qtbot.waitUntil(lambda: tab.view.width() > before + 300)
    qtbot.keyClick(tab.view, Qt.Key.Key_F9)
    qtbot.keyClick(tab.view, Qt.Key.Key_F9, SHIFT)
    assert win.annotations_dock.isVisible() and win.editor_dock.isVisible()
    quit_window(win, library)


def test_zoom_and_scroll_are_remembered_per_document(qtbot, library_path):
    win, library = make_window(qtbot, library_path)
    tab = win.open_document(str(PDF))
    view = tab.view
    qtbot.waitUntil(lambda: view.has_painted, timeout=10000)
    qtbot.keyClick(view, Qt.Key.Key_Minus, CTRL)
    zoom = view.zoom
    view.go_to_page(2, 200.0)
    place = view.place()
    assert int(place.position) == 2
    qtbot.keyClick(view, Qt.Key.Key_W, CTRL)  # close the tab
    assert win.current_tab() is None
    stored = library.view_place(tab.opened.record.id)
    assert stored is not None and abs(stored.zoom - zoom) < 1e-6 and stored.fit == ""
    again = win.open_document(str(PDF))
    qtbot.waitUntil(lambda: again.view.has_painted, timeout=10000)
    assert abs(again.view.zoom - zoom) < 1e-6
    assert again.view.current_page == 2
    assert abs(again.view.place().position - place.position) < 0.05
    quit_window(win, library)


def test_tabs_elide_and_list_every_document(qtbot, library_path, tmp_path):
    win, library = make_window(qtbot, library_path, size=(1000, 700))
    for path in other_documents(tmp_path, 5):
        win.open_document(path)
    assert win.tabs.count() == 5
    bar = win.tabs.tabBar()
    assert bar.elideMode() == Qt.TextElideMode.ElideRight
    assert win.tabs.list_button.isVisible()
    win.tabs.list_button.list_menu.aboutToShow.emit()
    entries = win.tabs.list_button.list_menu.actions()
    assert [a.text() for a in entries] == [win.tabs.tabText(i) for i in range(5)]
    assert entries[4].isChecked()
    entries[1].trigger()
    assert win.tabs.currentIndex() == 1
    quit_window(win, library)


def test_the_editor_scrolls_as_one_and_reflows_when_narrow(qtbot, library_path):
    win, library = make_window(qtbot, library_path)
    tab = win.open_document(str(SEED))
    start = tab.opened.document.text.index("fentanyl")
    tab.view.select_range(start, start + len("fentanyl"))
    win.highlight_actions["claim"].trigger()
    win.resizeDocks([win.editor_dock], [220], Qt.Orientation.Horizontal)  # default: 290
    editor = win.editor
    qtbot.waitUntil(lambda: editor.width() <= 240)
    viewport = editor.form_scroll.viewport()
    # Nothing is cut off at the right: the fields and the Sources box fit the panel's width.
    assert editor.form.width() <= viewport.width()
    sources = editor.sources_group
    assert sources.mapTo(editor.form, sources.rect().topRight()).x() <= viewport.width()
    # The Sources box comes right after the note, before the claimant (the order of work).
    assert sources.y() < editor.claimant_edit.y()
    # A short window: the panel scrolls as one (fields, Sources, the rest), nothing squashed.
    win.resize(1280, 480)
    bar = editor.form_scroll.verticalScrollBar()
    qtbot.waitUntil(lambda: bar.maximum() > 0)
    editor.form_scroll.ensureWidgetVisible(editor.delete_button)
    assert bar.value() > 0
    button = editor.delete_button
    top_left = button.mapTo(viewport, button.rect().topLeft())
    assert 0 <= top_left.y() and top_left.y() + button.height() <= viewport.height()
    quit_window(win, library)


def test_the_session_comes_back_with_its_current_tab_places_and_set(qtbot, library_path, tmp_path):
    win, library = make_window(qtbot, library_path)
    pdf = win.open_document(str(PDF))
    qtbot.waitUntil(lambda: pdf.view.has_painted, timeout=10000)
    pdf.view.go_to_page(1, 300.0)
    left_at = pdf.view.place()
    win.open_document(str(SEED))
    win.tabs.setCurrentWidget(pdf)
    created = library.create_set("Fentanyl check")
    win.sets.refresh()
    win.sets.set_current_set(created.id)
    assert win.sets.label.isVisible()
    assert "Fentanyl check" in win.sets.label.text()
    quit_window(win, library)

    win, library = make_window(qtbot, library_path)
    assert win.current_tab() is None  # the tabs come after the first paint
    assert win.restore_session() == 2
    sources = [t.opened.record.source for t in win.open_tabs()]
    assert [s.split("/")[-1] for s in sources] == [PDF.name, SEED.name]
    assert win.current_tab().opened.record.source.endswith(PDF.name)
    qtbot.waitUntil(lambda: win.current_tab().view.has_painted, timeout=10000)
    assert win.current_tab().view.current_page == 1
    assert abs(win.current_tab().view.place().position - left_at.position) < 0.05
    # The set new highlights go into is in sight, not silently remembered.
    assert win.sets.label.isVisible()
    assert win.sets.label.text() == "New highlights go into “Fentanyl check”"
    quit_window(win, library)


def test_keyboard_switches_tabs_focuses_the_status_and_escape_returns(
    qtbot, library_path, tmp_path
):
    win, library = make_window(qtbot, library_path)
    for path in other_documents(tmp_path, 3):
        win.open_document(path)
    assert win.tabs.currentIndex() == 2
    qtbot.keyClick(win.current_view(), Qt.Key.Key_Tab, CTRL)
    assert win.tabs.currentIndex() == 0
    qtbot.keyClick(win.current_view(), Qt.Key.Key_Backtab, CTRL | SHIFT)
    assert win.tabs.currentIndex() == 2
    qtbot.keyClick(win.current_view(), Qt.Key.Key_PageUp, CTRL)
    assert win.tabs.currentIndex() == 1
    qtbot.keyClick(win.current_view(), Qt.Key.Key_PageDown, CTRL)
    assert win.tabs.currentIndex() == 2
    view = win.current_view()
    text = win.current_tab().opened.document.text
    start = text.index("things")
    view.select_range(start, start + len("things"))
    qtbot.keyClick(view, Qt.Key.Key_1)
    qtbot.keyClick(view, Qt.Key.Key_F2)
    assert QApplication.focusWidget() is win.editor.status_combo
    # Tab walks the editor in the order of work: status, note, then the Sources paste box.
    qtbot.keyClick(win.editor.status_combo, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is win.editor.note_edit
    qtbot.keyClick(win.editor.note_edit, Qt.Key.Key_Tab)
    assert QApplication.focusWidget() is win.editor.citations.input
    qtbot.keyClick(win.editor.citations.input, Qt.Key.Key_Escape)
    assert QApplication.focusWidget() is view
    quit_window(win, library)


def test_help_lists_every_action_with_its_keys(qtbot, library_path):
    win, library = make_window(qtbot, library_path)
    win.menuBar().actions()  # the Help menu holds the list
    help_menu = next(a.menu() for a in win.menuBar().actions() if a.text() == "&Help")
    assert win.action("shortcuts") in help_menu.actions()
    win.action("shortcuts").trigger()
    rows = win.shortcuts_dialog.rows()
    listed = {(action, keys) for _menu, action, keys in rows}
    assert ("Undo", "Ctrl+Z") in listed
    assert ("Next Document", "Ctrl+Tab, Ctrl+PgDown") in listed
    assert ("Hide or Show Left Panels", "F9") in listed
    assert ("Highlight as Claim", "1, Ctrl+H") in listed
    with_keys = {
        a.text().replace("&", "").rstrip("…")
        for a in win.actions()
        if a.objectName().startswith("action_") and a.shortcuts()
    }
    assert with_keys <= {action for action, _keys in listed}
    menus = {menu for menu, _a, _k in rows}
    assert {"File", "Edit", "Annotations", "View", "Help"} <= menus
    assert "Annotations ▸ Adjust Highlight" in menus
    quit_window(win, library)


def test_ctrl_g_goes_to_page_and_is_no_longer_ambiguous(qtbot, library_path):
    win, library = make_window(qtbot, library_path)
    tab = win.open_document(str(PDF))
    qtbot.waitUntil(lambda: tab.view.has_painted, timeout=10000)
    owners = [a for a in win.actions() if "Ctrl+G" in [k.toString() for k in a.shortcuts()]]
    assert owners == [win.action("go_to_page")]
    qtbot.keyClick(tab.view, Qt.Key.Key_G, CTRL)
    assert QApplication.focusWidget() is win.window_actions.page_spin
    quit_window(win, library)
