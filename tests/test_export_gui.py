"""File ▸ Export… and File ▸ Import… in the real window, with the file choosers answered by
plain functions. The job runs on a worker thread; tests wait for `exchange_finished`."""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from conftest import SEED
from PySide6.QtCore import QSettings
from PySide6.QtWidgets import QPushButton

QUOTES = [
    "surged to 79,770 in 2022",
    "5 percent of the world's population",
    "the leading cause of death in the U.S. for people aged 18-45",
]
HEADER = "set,annotation_id,document_title,document_file,document_sha256,location,page,start"


def highlight(window, tab, quote, kind="claim"):
    text = tab.opened.document.text
    start = text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions[kind].trigger()
    return next(a for a in tab.annotations.values() if a.anchor.quote == quote)


def prepare(window, library):
    """Three claims; the first two in the current set "Fentanyl check"."""
    tab = window.open_document(str(SEED))
    chosen = library.create_set("Fentanyl check")
    window.sets.refresh()
    window.sets.set_current_set(chosen.id)
    made = [highlight(window, tab, q) for q in QUOTES[:2]]
    window.sets.set_current_set(None)
    made.append(highlight(window, tab, QUOTES[2]))
    return tab, made


def open_export_dialog(window, target: Path, format_key: str):
    window.choose_save_path = lambda title, start, name_filter: str(target)
    window.action("export").trigger()
    dialog = window.exchange.export_dialog
    assert dialog is not None and dialog.isVisible()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData(format_key))
    dialog.browse_button.click()
    assert dialog.path_edit.text() == str(target)
    return dialog


def run_export(window, qtbot, dialog):
    with qtbot.waitSignal(window.exchange_finished, timeout=20000) as blocker:
        dialog.export_button.click()
        # The worker is the library's only user until it ends: the window is locked meanwhile.
        assert window.is_busy()
        assert not window.highlight_actions["claim"].isEnabled()
        assert not window.action("open").isEnabled()
        assert not window.editor_dock.isEnabled()
        assert window.open_document(str(SEED)) is None
    assert not window.is_busy()
    assert window.action("open").isEnabled() and window.highlight_actions["claim"].isEnabled()
    return blocker.args


def test_export_a_set_to_csv(window, library, qtbot, tmp_path):
    prepare(window, library)
    window.sets.set_current_set(library.set_named("Fentanyl check").id)
    target = tmp_path / "out" / "fentanyl.csv"
    target.parent.mkdir()
    dialog = open_export_dialog(window, target, "csv")
    assert dialog.scope_set.isChecked()  # the current set is offered first
    assert dialog.scope_document.isEnabled()
    ok, message = run_export(window, qtbot, dialog)
    assert ok, message
    assert message == f"Exported 2 annotations to {target}."
    assert window.statusBar().currentMessage() == message
    data = target.read_bytes()
    assert not data.startswith(b"\xef\xbb\xbf")
    text = data.decode("utf-8")
    assert text.startswith(HEADER)
    assert QUOTES[0] in text and QUOTES[1] in text and QUOTES[2] not in text


def test_export_the_document_as_markdown_and_the_choice_is_remembered(
    window, library, qtbot, tmp_path
):
    prepare(window, library)
    target = tmp_path / "report.md"
    dialog = open_export_dialog(window, target, "md")
    dialog.scope_document.setChecked(True)
    ok, message = run_export(window, qtbot, dialog)
    assert ok, message
    assert "Exported 3 annotations" in message
    report = target.read_text(encoding="utf-8")
    assert all(q in report for q in QUOTES)

    window.action("export").trigger()
    again = window.exchange.export_dialog
    assert again.format_combo.currentData() == "md"
    assert again.scope_document.isChecked()
    assert Path(again.path_edit.text()).parent == tmp_path  # the last folder
    assert again.path_edit.text().endswith(".md")
    again.reject()


def test_export_for_excel_writes_a_bom(window, library, qtbot, tmp_path):
    prepare(window, library)
    target = tmp_path / "all.csv"
    dialog = open_export_dialog(window, target, "csv-excel")
    dialog.scope_all.setChecked(True)
    ok, message = run_export(window, qtbot, dialog)
    assert ok, message
    assert target.read_bytes().startswith(b"\xef\xbb\xbf")


def test_scopes_that_do_not_apply_are_disabled(window):
    window.action("export").trigger()
    dialog = window.exchange.export_dialog
    assert not dialog.scope_set.isEnabled()
    assert not dialog.scope_document.isEnabled()
    assert dialog.scope_all.isChecked()
    dialog.reject()


def test_cancel_leaves_no_file(window, library, qtbot, tmp_path, monkeypatch):
    prepare(window, library)
    target = tmp_path / "cancelled.csv"
    real_export = library.export
    gate = threading.Event()

    def held_export(*args, **kwargs):
        gate.wait(10)  # until the test has pressed Cancel
        return real_export(*args, **kwargs)

    monkeypatch.setattr(library, "export", held_export)
    dialog = open_export_dialog(window, target, "csv")
    dialog.scope_all.setChecked(True)
    with qtbot.waitSignal(window.exchange_finished, timeout=20000) as blocker:
        dialog.export_button.click()
        progress = window.exchange.progress
        cancel = next(b for b in progress.findChildren(QPushButton) if b.text() == "Cancel")
        cancel.click()
        gate.set()
    assert blocker.args == [False, "Export cancelled."]
    assert not target.exists()
    assert list(tmp_path.iterdir()) == [tmp_path / "data"]  # no partial file either
    assert window.statusBar().currentMessage() == "Export cancelled."
    assert window.last_error == ""  # a cancel is no error
    assert window.action("open").isEnabled()


@pytest.fixture
def fresh(qtbot, tmp_path):
    """A second window on an empty library (another computer)."""
    from reader.library import Library
    from reader.ui.main_window import MainWindow

    library = Library(tmp_path / "fresh" / "library.sqlite")
    settings = QSettings(str(tmp_path / "fresh" / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.resize(1000, 700)
    win.show()
    qtbot.waitExposed(win)
    yield win
    win.close()
    library.close()


def export_csv(window, library, qtbot, tmp_path) -> Path:
    prepare(window, library)
    target = tmp_path / "exported.csv"
    dialog = open_export_dialog(window, target, "csv")
    dialog.scope_all.setChecked(True)
    ok, message = run_export(window, qtbot, dialog)
    assert ok, message
    return target


def test_import_into_a_fresh_library_shows_the_annotations(window, library, qtbot, tmp_path, fresh):
    exported = export_csv(window, library, qtbot, tmp_path)
    tab = fresh.open_document(str(SEED))
    assert fresh.sidebar.counts() == (0, 0)
    fresh.choose_open_path = lambda title, start, name_filter: str(exported)
    with qtbot.waitSignal(fresh.exchange_finished, timeout=20000) as blocker:
        fresh.action("import").trigger()
        assert fresh.is_busy()
    ok, message = blocker.args
    assert ok, message
    assert message == "Imported exported.csv: added 3, updated 0, unchanged 0."
    assert fresh.exchange.last_summary == message
    # The open tab was reloaded: the sidebar, the view and the anchor summary show them.
    assert fresh.sidebar.counts() == (3, 3)
    assert {a.anchor.quote for a in tab.annotations.values()} == set(QUOTES)
    assert fresh.anchor_summary.text().startswith("3 exact")
    # The set came along.
    imported = fresh.library.set_named("Fentanyl check")
    assert imported is not None and imported.count == 2
    assert "Fentanyl check" in [fresh.sets.combo.itemText(i) for i in range(5)]

    # Importing it again changes nothing.
    with qtbot.waitSignal(fresh.exchange_finished, timeout=20000) as blocker:
        fresh.action("import").trigger()
    assert blocker.args[1].endswith("added 0, updated 0, unchanged 3.")


def test_a_malformed_csv_is_refused_with_its_line_and_imports_nothing(
    window, library, qtbot, tmp_path, fresh
):
    exported = export_csv(window, library, qtbot, tmp_path)
    lines = exported.read_bytes().decode("utf-8").split("\r\n")
    broken = lines[2].split(",")
    start_column = HEADER.split(",").index("start")
    broken[start_column] = "not-a-number"
    lines[2] = ",".join(broken)
    bad = tmp_path / "broken.csv"
    bad.write_bytes("\r\n".join(lines).encode("utf-8"))
    fresh.choose_open_path = lambda title, start, name_filter: str(bad)
    with qtbot.waitSignal(fresh.exchange_finished, timeout=20000) as blocker:
        fresh.action("import").trigger()
    ok, message = blocker.args
    assert not ok
    assert "line" in message
    assert fresh.last_error == message
    assert fresh.library.all_annotations() == []
    assert fresh.action("import").isEnabled()
