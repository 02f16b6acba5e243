"""A scanned PDF in the real window: OCR runs on the worker, then its words are found and
highlighted; a newer scan of it re-anchors the highlight once its pages are read."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from test_highlight_gui import drag_select_pdf
from test_ocr import ORIGINAL, scan_of

pytestmark = [
    pytest.mark.skipif(not ORIGINAL.exists(), reason=f"corpus PDF missing: {ORIGINAL}"),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed"),
]


def test_scanned_pdf_is_read_then_highlighted(window, qtbot, tmp_path, library_path):
    scanned = scan_of(ORIGINAL, tmp_path / "scanned.pdf")
    with qtbot.waitSignal(window.ocr_work.finished, timeout=300_000) as done:
        tab = window.open_document(str(scanned))
        assert window.ocr_work.indicator.isVisibleTo(window)  # progress and Cancel shown
    _tab, read, unreadable = done.args
    assert read == [0] and unreadable == []
    assert not window.ocr_work.indicator.isVisibleTo(window)
    assert window.ocr_work.badge.text() == "OCR text: page 1"
    doc = tab.opened.document
    text = doc.text
    word = "misfits"
    start = text.lower().index(word)
    view = tab.view
    qtbot.waitUntil(lambda: view.has_painted, timeout=5000)
    drag_select_pdf(qtbot, view, start, start + len(word))
    assert view.selection_range() == (start, start + len(word))
    window.highlight_actions["claim"].trigger()
    (annotation,) = tab.annotations.values()
    assert annotation.anchor.quote.lower() == word
    assert len(annotation.rects) == 1 and annotation.rects[0].page == 0
    # Find reaches the OCR words too.
    window.open_find()
    window.find_bar.edit.setText("round pegs")
    qtbot.waitUntil(lambda: window.find_bar.count.text() == "1 of 1", timeout=10000)
    # Kept with the version: the library has the page's OCR text.
    raw = sqlite3.connect(library_path)
    rows = raw.execute("SELECT page, language FROM ocr_pages").fetchall()
    raw.close()
    assert rows == [(0, "eng")]


def test_new_scan_reanchors_after_ocr(window, qtbot, tmp_path):
    path = tmp_path / "report.pdf"
    scan_of(ORIGINAL, path, dpi=150)
    quote = "They push the human race forward."
    opened = window.library.open(str(path))
    window.library.read_scanned_pages(opened)
    start = opened.document.text.index(quote)
    window.library.highlight(opened, start, start + len(quote))
    opened.document.close()
    scan_of(ORIGINAL, path, dpi=72)  # the file is replaced by a coarser scan: a new version
    with qtbot.waitSignal(window.ocr_work.finished, timeout=300_000):
        tab = window.open_document(str(path))
    (annotation,) = tab.annotations.values()
    assert str(annotation.anchor.state) in ("exact", "fuzzy")
    assert "1 orphan" not in window.anchor_summary.text()
