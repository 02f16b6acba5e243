"""Scanned pages read by OCR (Tesseract through PyMuPDF): text, boxes, kept per version.

The scanned PDF is made from a corpus PDF that has a text layer: each page is rendered to an
image and a new PDF of those images is written, so the original's text layer is the truth.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pymupdf
import pytest
from scoring import score

from reader.documents import open_document
from reader.library import Library

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
ORIGINAL = CORPUS / "pdf" / "crazyones-pdfa.pdf"
ROOT = Path(__file__).resolve().parents[1]

pytestmark = [
    pytest.mark.skipif(not ORIGINAL.exists(), reason=f"corpus PDF missing: {ORIGINAL}"),
    pytest.mark.skipif(shutil.which("tesseract") is None, reason="tesseract-ocr not installed"),
]


def scan_of(original: Path, out: Path, dpi: int = 150) -> Path:
    """An image-only copy of `original`: every page rendered and written back as a picture."""
    with pymupdf.open(original) as src, pymupdf.open() as scan:
        for page in src:
            image = page.get_pixmap(dpi=dpi)
            new = scan.new_page(width=page.rect.width, height=page.rect.height)
            new.insert_image(new.rect, pixmap=image)
        scan.save(out)
    return out


@pytest.fixture(scope="module")
def scanned(tmp_path_factory) -> Path:
    return scan_of(ORIGINAL, tmp_path_factory.mktemp("scan") / "scanned.pdf")


@pytest.fixture(scope="module")
def truth() -> str:
    with pymupdf.open(ORIGINAL) as doc:
        return "\n".join(page.get_text() for page in doc)


def test_scan_has_no_text_until_read(scanned: Path, truth: str) -> None:
    doc = open_document(scanned)
    assert doc.text.strip() == ""
    assert doc.pages_needing_ocr() == list(range(doc.page_count))
    read, unreadable = doc.read_ocr(doc.pages_needing_ocr())
    assert unreadable == []
    doc.adopt_ocr(read)
    assert doc.ocr_pages == list(range(doc.page_count))
    result = score(doc.text, truth)
    assert result.f1 >= 0.9, result
    # The words have boxes on the page: one rectangle per line of a found phrase.
    hits = doc.search_page(0, "the crazy ones")
    assert hits and all(r.x1 > r.x0 and r.y1 > r.y0 for r in hits[0])


def test_ocr_is_kept_with_the_version(scanned: Path, tmp_path: Path) -> None:
    library = Library(tmp_path / "library.sqlite")
    try:
        opened = library.open(str(scanned))
        doc = opened.document
        read, _ = doc.read_ocr(doc.pages_needing_ocr())
        library.keep_ocr(doc, read)
        first_text = doc.text
        assert first_text.strip()
        again = library.open(str(scanned)).document
        # Reopened: the kept text is used, nothing is left to OCR.
        assert again.pages_needing_ocr() == []
        assert again.ocr_pages == doc.ocr_pages
        assert again.text == first_text
    finally:
        library.close()


def test_extract_prints_ocr_text(scanned: Path, truth: str) -> None:
    out = subprocess.run(
        [sys.executable, "-m", "reader", "extract", str(scanned)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
    )
    assert out.returncode == 0, out.stderr
    assert out.stderr == ""
    assert score(out.stdout, truth).f1 >= 0.9


def test_unreadable_scan_keeps_the_page(tmp_path: Path) -> None:
    """A page whose picture holds no text: OCR says it found none, the page still renders."""
    blank = tmp_path / "noise.pdf"
    with pymupdf.open() as pdf:
        page = pdf.new_page(width=300, height=300)
        pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 60, 60), False)
        pix.clear_with(200)
        page.insert_image(page.rect, pixmap=pix)
        pdf.save(blank)
    doc = open_document(blank)
    read, unreadable = doc.read_ocr(doc.pages_needing_ocr())
    assert read == {} and unreadable == [0]
    width, height, _stride, samples = doc.render(0, 1.0)
    assert (width, height) == (300, 300) and len(samples) > 0


def test_reanchoring_tolerates_ocr_noise(tmp_path: Path) -> None:
    """A highlight made on one scan is found again on a worse scan of the same page."""
    from rapidfuzz import fuzz

    path = tmp_path / "report.pdf"
    scan_of(ORIGINAL, path, dpi=150)
    quote = "They push the human race forward."
    library = Library(tmp_path / "library.sqlite")
    try:
        opened = library.open(str(path))
        library.read_scanned_pages(opened)
        start = opened.document.text.index(quote)
        library.highlight(opened, start, start + len(quote))
        opened.document.close()
        scan_of(ORIGINAL, path, dpi=72)  # a new version: a coarser scan, noisier OCR
        again = library.open(str(path))
        library.read_scanned_pages(again)
        new_text = again.document.text
        assert new_text != opened.document.text
        (annotation,) = library.annotations(again)
        assert str(annotation.anchor.state) in ("exact", "fuzzy")
        found = new_text[annotation.anchor.start : annotation.anchor.end]
        assert fuzz.ratio(found, quote) >= 80, found
    finally:
        library.close()


def test_ocr_highlight_exports_marked_and_onto_the_page(scanned: Path, tmp_path: Path) -> None:
    import csv
    import io

    work = tmp_path / "scan.pdf"
    shutil.copy(scanned, work)
    library = Library(tmp_path / "library.sqlite")
    try:
        opened = library.open(str(work))
        library.read_scanned_pages(opened)
        quote = "The round pegs in the square holes."
        start = opened.document.text.index(quote)
        library.highlight(opened, start, start + len(quote))
        out = io.StringIO()
        library.export(out, "csv")
        (row,) = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert row["location"] == "p. 1 (OCR)" and row["quote"] == quote
        md = io.StringIO()
        library.export(md, "md")
        assert "p. 1 (OCR)" in md.getvalue()
        written, _skipped = library.export_pdf(opened, tmp_path / "marked.pdf")
        assert written == 1
        with pymupdf.open(tmp_path / "marked.pdf") as marked:
            page = marked[0]
            rects = [annot.rect for annot in page.annots()]
            words = page.get_textpage_ocr(language="eng", dpi=150, full=True)
            under = page.get_textbox(rects[0], textpage=words)
        assert len(rects) == 1
        assert "square" in under
    finally:
        library.close()


def test_extract_without_language_data_says_so(scanned: Path, tmp_path: Path) -> None:
    empty = tmp_path / "tessdata"
    empty.mkdir()
    out = subprocess.run(
        [sys.executable, "-m", "reader", "extract", str(scanned)],
        capture_output=True,
        text=True,
        cwd=ROOT,
        timeout=300,
        env={**os.environ, "TESSDATA_PREFIX": str(empty)},
    )
    assert out.returncode == 1
    assert out.stdout == ""
    assert out.stderr == (
        "error: Text cannot be read from scanned pages: Tesseract has no language data in "
        f"{empty} (Debian: tesseract-ocr-eng).\n"
    )
