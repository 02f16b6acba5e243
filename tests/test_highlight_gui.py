"""Highlighting claims end to end on the real window: select, highlight, describe, restart."""

from __future__ import annotations

import sqlite3

import pytest
from conftest import CORPUS, SEED
from PySide6.QtCore import QSettings, Qt
from PySide6.QtGui import QTextCursor

from reader.library import Library
from reader.ui.main_window import MainWindow

PDF4 = CORPUS / "pdf" / "pdflatex-4-pages.pdf"


ALT = Qt.KeyboardModifier.AltModifier


def drag_select_article(qtbot, view, start: int, end: int) -> None:
    cur = QTextCursor(view.document())
    cur.setPosition(view.position_of(start))
    view.setTextCursor(cur)
    view.ensureCursorVisible()
    a = view.cursorRect(cur).center()
    cur.setPosition(view.position_of(end))
    b = view.cursorRect(cur).center()
    # Alt+drag: letter by letter, so exactly these offsets (a plain drag takes whole words).
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, ALT, a)
    qtbot.mouseMove(view.viewport(), b)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, ALT, b)


def char_point(view, offset: int, *, last: bool = False):
    """Viewport point at the middle of the character at a normalized-text offset."""
    doc = view.backend
    page = doc.page_at_offset(offset)
    local = offset - doc.page_text_offset(page)
    rect = next(c.rect for c in doc.page_chars(page) if c.offset == local)
    view.go_to_page(page, max(0.0, rect.y0 - 100))
    x = rect.x1 - 0.5 if last else rect.x0 + 0.5
    return view.map_from_page(page, x, (rect.y0 + rect.y1) / 2)


def drag_select_pdf(qtbot, view, start: int, end: int) -> None:
    a = char_point(view, start)
    # Alt+drag: letter by letter, so exactly these offsets (a plain drag takes whole words).
    qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, ALT, a)
    b = char_point(view, end - 1, last=True)
    # go_to_page may have scrolled: press again where the first character now is is not
    # possible mid-drag, so both points must be on screen at once (the tests pick such ranges).
    qtbot.mouseMove(view.viewport(), b)
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, ALT, b)


def restart(qtbot, library_path):
    library = Library(library_path)
    settings = QSettings(str(library_path.parent / "settings.ini"), QSettings.Format.IniFormat)
    win = MainWindow(library, settings=settings)
    qtbot.addWidget(win)
    win.resize(1100, 800)
    win.show()
    return win, library


def test_highlight_claim_in_seed_article_survives_restart(window, qtbot, library_path):
    tab = window.open_document(str(SEED))
    view = tab.view
    text = tab.opened.document.text
    needle = "surged to 79,770 in 2022"
    start = text.index(needle)
    drag_select_article(qtbot, view, start, start + len(needle))
    assert view.selected_text() == needle
    window.highlight_actions["claim"].trigger()
    assert len(tab.annotations) == 1
    (annotation,) = tab.annotations.values()
    assert annotation.anchor.quote == needle
    assert (annotation.anchor.start, annotation.anchor.end) == (start, start + len(needle))
    assert annotation.anchor.prefix == text[start - 32 : start]
    assert annotation.anchor.suffix == text[start + len(needle) : start + len(needle) + 32]
    # Committed at once: another connection sees it before anything else happens.
    raw = sqlite3.connect(library_path)
    assert raw.execute("SELECT quote FROM annotations").fetchall() == [(needle,)]
    raw.close()
    # Describe it in the editor: status and a note, saved as typed (debounced).
    editor = window.editor
    assert editor.annotation().id == annotation.id
    status_box = editor.status_combo
    with qtbot.waitSignal(editor.edited, timeout=3000):
        status_box.setCurrentIndex(status_box.findData("disputed"))
    with qtbot.waitSignal(editor.edited, timeout=3000):
        qtbot.keyClicks(editor.note_edit, "CDC data says 107,941 overdose deaths in 2022.")
    stored = window.library.annotation(annotation.id)
    assert str(stored.status) == "disputed"
    assert stored.note == "CDC data says 107,941 overdose deaths in 2022."
    window.close()
    window.library.close()

    again, library = restart(qtbot, library_path)
    try:
        tab2 = again.open_document(str(SEED))
        (reloaded,) = tab2.annotations.values()
        assert reloaded.id == annotation.id
        assert reloaded.anchor.quote == needle
        assert str(reloaded.anchor.state) == "exact"
        assert tab2.opened.document.text[reloaded.anchor.start : reloaded.anchor.end] == needle
        assert str(reloaded.status) == "disputed"
        assert "107,941" in reloaded.note
        assert again.sidebar.findChildren(object)  # sidebar is alive
        assert "1 exact" in again.anchor_summary.text()
    finally:
        again.close()
        library.close()


def _two_line_range(doc):
    """A range on page 1 of the PDF that starts on one line and ends on the next."""
    text = doc.page_text(0)
    base = doc.page_text_offset(0)
    nl = text.index("\n", 200)
    return base + nl - 12, base + nl + 13


def _page_break_range(doc):
    """A range from the end of page 1 into the start of page 2."""
    end1 = doc.page_text_offset(0) + len(doc.page_text(0))
    start2 = doc.page_text_offset(1)
    return end1 - 10, start2 + 10


@pytest.mark.parametrize("which", ["two lines", "page break"])
def test_highlight_in_pdf_across_lines_and_pages(window, qtbot, library_path, which):
    tab = window.open_document(str(PDF4))
    view = tab.view
    doc = tab.opened.document
    qtbot.waitUntil(lambda: view.has_painted, timeout=5000)
    start, end = _two_line_range(doc) if which == "two lines" else _page_break_range(doc)
    if which == "two lines":
        drag_select_pdf(qtbot, view, start, end)
    else:
        # Both ends of a page-break selection are not on screen at 100 %; zoom out first.
        view.set_zoom(0.33)
        drag_select_pdf(qtbot, view, start, end)
    assert view.selection_range() == (start, end)
    window.highlight_actions["evidence"].trigger()
    (annotation,) = tab.annotations.values()
    assert annotation.anchor.quote == doc.text[start:end]
    pages = {r.page for r in annotation.rects}
    lines = len(annotation.rects)
    assert lines >= 2
    if which == "page break":
        assert pages == {0, 1}
    assert annotation.page == 0
    window.close()
    window.library.close()
    again, library = restart(qtbot, library_path)
    try:
        tab2 = again.open_document(str(PDF4))
        (reloaded,) = tab2.annotations.values()
        assert (reloaded.anchor.start, reloaded.anchor.end) == (start, end)
        assert reloaded.rects == annotation.rects
        assert str(reloaded.kind) == "evidence"
    finally:
        again.close()
        library.close()


def test_undo_redo_create_edit_delete_follow_the_database(window, qtbot):
    tab = window.open_document(str(SEED))
    view = tab.view
    text = tab.opened.document.text
    start = text.index("5 percent of the world's population")
    view.select_range(start, start + len("5 percent of the world's population"))
    window.highlight_actions["claim"].trigger()
    (annotation,) = tab.annotations.values()
    lib = window.library
    window.annotations.edit(annotation.id, {"note": "check UNODC"})
    assert lib.annotation(annotation.id).note == "check UNODC"
    window.action("undo").trigger()  # undo the edit
    assert lib.annotation(annotation.id).note == ""
    window.action("undo").trigger()  # undo the highlight
    assert lib.annotation(annotation.id) is None
    assert tab.annotations == {}
    window.action("redo").trigger()
    assert lib.annotation(annotation.id) is not None
    window.action("redo").trigger()
    assert lib.annotation(annotation.id).note == "check UNODC"
    window.annotations.select(annotation.id)
    window.action("delete_annotation").trigger()
    assert lib.annotation(annotation.id) is None
    assert window.sidebar.selected_ids() == []
    window.action("undo").trigger()
    restored = lib.annotation(annotation.id)
    assert restored is not None and restored.note == "check UNODC"
    assert annotation.id in tab.annotations


def test_changed_document_reanchors_and_keeps_orphans(window, qtbot, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text(
        "Title line\n\nThe death toll surged to 79,770 in 2022, the CDC said.\n\n"
        "A second claim: 80 percent of the world's opioids.\n"
    )
    tab = window.open_document(str(path))
    text = tab.opened.document.text
    for quote in ("surged to 79,770 in 2022", "80 percent of the world's opioids"):
        s = text.index(quote)
        tab.view.select_range(s, s + len(quote))
        window.highlight_actions["claim"].trigger()
    window.tabs.close_current()
    # The page is edited: a paragraph added before, the second claim removed.
    path.write_text(
        "Title line\n\nA new first paragraph.\n\n"
        "The death toll surged to 79,770 in 2022, the CDC said.\n\nThe rest was cut.\n"
    )
    tab = window.open_document(str(path))
    states = sorted((str(a.anchor.state), a.anchor.quote) for a in tab.annotations.values())
    assert states == [
        ("exact", "surged to 79,770 in 2022"),
        ("orphan", "80 percent of the world's opioids"),
    ]
    moved = next(a for a in tab.annotations.values() if str(a.anchor.state) == "exact")
    assert tab.opened.document.text[moved.anchor.start : moved.anchor.end] == moved.anchor.quote
    assert "1 exact · 0 fuzzy · 1 orphan" == window.anchor_summary.text()
