"""A scanned PDF in the real window: OCR runs on the worker, then its words are found and
highlighted; a newer scan of it re-anchors the highlight once its pages are read."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from PySide6.QtCore import Qt
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
    window.find.open()
    window.find.bar.edit.setText("round pegs")
    qtbot.waitUntil(lambda: window.find.bar.count.text() == "1 of 1", timeout=10000)
    # Kept with the version: the library has the page's OCR text.
    raw = sqlite3.connect(library_path)
    rows = raw.execute("SELECT page, language FROM ocr_pages").fetchall()
    raw.close()
    assert [page for page, _ in rows] == [0]
    assert rows[0][1].split("+")[0] == "eng"  # English first, then any other installed


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


def test_big_document_with_a_scanned_page(window, qtbot, tmp_path):
    """Over the size read on the spot, the scanned pages are found on the worker."""
    import pymupdf

    from reader.ui.document_work import BIG_PAGES

    path = tmp_path / "big.pdf"
    with pymupdf.open(ORIGINAL) as src, pymupdf.open() as pdf:
        image = src[0].get_pixmap(dpi=150)
        first = pdf.new_page(width=src[0].rect.width, height=src[0].rect.height)
        first.insert_image(first.rect, pixmap=image)
        for n in range(1, BIG_PAGES + 10):
            page = pdf.new_page()
            page.insert_text((72, 72), f"Page {n + 1} of the appendix has a text layer.")
        pdf.save(path)
    with qtbot.waitSignal(window.ocr_work.finished, timeout=300_000) as done:
        tab = window.open_document(str(path))
        assert window.ocr_work.indicator.isVisibleTo(window)
    _tab, read, unreadable = done.args
    assert read == [0] and unreadable == []
    doc = tab.opened.document
    assert "round pegs" in doc.page_text(0)
    assert doc.page_text(5).startswith("Page 6 of the appendix")
    assert window.ocr_work.badge.text() == "OCR text: page 1"


def test_page_ocr_cannot_read_is_said_and_shown(window, qtbot, tmp_path):
    import pymupdf

    path = tmp_path / "photo.pdf"
    with pymupdf.open() as pdf:
        page = pdf.new_page(width=300, height=300)
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 60), False)
        pix.clear_with(200)
        page.insert_image(page.rect, pixmap=pix)
        pdf.save(path)
    with qtbot.waitSignal(window.ocr_work.finished, timeout=300_000) as done:
        tab = window.open_document(str(path))
    _tab, read, unreadable = done.args
    assert read == [] and unreadable == [0]
    assert window.statusBar().currentMessage() == (
        "Page 1 of photo could not be read by OCR; it is shown as an image only."
    )
    qtbot.waitUntil(lambda: tab.view.has_painted, timeout=5000)
    assert not window.ocr_work.badge.isVisibleTo(window)


def test_cancel_stops_ocr_and_keeps_nothing(window, qtbot, tmp_path, library_path):
    import pymupdf

    path = tmp_path / "three.pdf"
    with pymupdf.open(ORIGINAL) as src, pymupdf.open() as pdf:
        image = src[0].get_pixmap(dpi=150)
        for _ in range(3):
            page = pdf.new_page(width=src[0].rect.width, height=src[0].rect.height)
            page.insert_image(page.rect, pixmap=image)
        pdf.save(path)
    finished: list = []
    window.ocr_work.finished.connect(lambda *args: finished.append(args))
    tab = window.open_document(str(path))
    indicator = window.ocr_work.indicator
    assert indicator.isVisibleTo(window)
    qtbot.mouseClick(indicator.cancel_button, Qt.MouseButton.LeftButton)
    # The page being read is finished, then the worker stops.
    qtbot.waitUntil(lambda: not window.ocr_work.running(tab), timeout=300_000)
    assert not indicator.isVisibleTo(window)
    assert finished == []
    assert tab.opened.document.ocr_pages == []
    raw = sqlite3.connect(library_path)
    assert raw.execute("SELECT count(*) FROM ocr_pages").fetchone() == (0,)
    raw.close()
