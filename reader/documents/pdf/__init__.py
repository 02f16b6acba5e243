"""Paged documents through PyMuPDF: PDF, and EPUB, XPS, FB2, MOBI and CBZ.

This package (with ``reader.exchange.pdf_export``) is the only code that imports pymupdf. Its
parts: `opening` (which format, hostile files, passwords), `weighing` (what a page would cost
to draw), `text` (a page's text layer and search), `ocr` (scanned pages), `navigation`
(outline and links), `render` (pixels), `metadata`, and `document` (`PdfDocument`, which holds
them together); `context` is MuPDF's lock and settings.

Coordinates: every rectangle and point this package hands out is in points, top-left origin, on
the page *as displayed* (after its /Rotate), the same space `page_size` and `render` use.

Normalized text rule (deterministic for the same bytes and the same PyMuPDF version):
  * a page's text layer is MuPDF's structured text with ligatures expanded, whitespace
    characters turned into spaces, no dehyphenation, in MuPDF's own block order (content-stream
    order, which keeps the columns of a multi-column page apart; sorting by position would
    interleave them);
  * every text line is stripped of leading and trailing whitespace and dropped if then empty;
  * the lines of a page are joined by "\\n" (also between blocks);
  * the pages are joined by "\\n\\n".
So `page_chars(p)[i]` is the box of `page_text(p)[i]`, the "\\n" separators get an empty box,
and `text[page_text_offset(p) + i] == page_text(p)[i]`.

MuPDF keeps one global context and is not thread-safe: every call into it holds the lock
`context.MUPDF_LOCK`, so a `PdfDocument` may be used from a render thread and the UI thread at
once (the calls are serialised; PyMuPDF holds the GIL while it renders anyway).
"""

from __future__ import annotations

from pathlib import Path

from reader.documents.base import TOO_COMPLEX, PageTooComplex
from reader.documents.pdf.document import PdfDocument
from reader.documents.pdf.metadata import pdf_fingerprint
from reader.documents.pdf.ocr import OCR_DPI, ocr_setup
from reader.documents.pdf.opening import sniff_kind
from reader.documents.pdf.weighing import (
    PAGE_CONTENT_BUDGET,
    PAGE_FORM_BUDGET,
    PAGE_PIXEL_BUDGET,
)

__all__ = [
    "OCR_DPI",
    "PAGE_CONTENT_BUDGET",
    "PAGE_FORM_BUDGET",
    "PAGE_PIXEL_BUDGET",
    "TOO_COMPLEX",
    "PageTooComplex",
    "PdfDocument",
    "ocr_setup",
    "open_paged",
    "pdf_fingerprint",
    "sniff_kind",
]


def open_paged(path: str | Path, password: str | None = None) -> PdfDocument:
    """Open a PDF (or EPUB, XPS, FB2, MOBI, CBZ); raise DocumentError with one sentence."""
    return PdfDocument(path, password)
