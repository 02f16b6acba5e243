"""MuPDF's one global context, shared by every part of this package.

MuPDF is not thread-safe: every call into it holds `MUPDF_LOCK`, so a `PdfDocument` may be used
from a render thread and the UI thread at once (the calls are serialised; PyMuPDF holds the GIL
while it renders anyway).
"""

from __future__ import annotations

import logging
import threading

import pymupdf

MUPDF_LOCK = threading.RLock()

log = logging.getLogger(__name__)

# MuPDF prints repairs and syntax warnings to stderr; the CLI must stay clean. They remain
# readable through pymupdf.TOOLS.mupdf_warnings() for debugging.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

# Ligatures expanded, whitespace normalised to spaces, no images, no dehyphenation; clip to the
# media box so text outside the visible page does not become "text" nobody can see.
TEXT_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP


def load_page(doc: pymupdf.Document, page: int, name: str) -> pymupdf.Page | None:
    """The MuPDF page, or None if the file is too damaged to load it (call under the lock).

    A damaged page tree or page object makes that one page blank, not the whole document
    unreadable: the other pages still show and their text still anchors.
    """
    try:
        return doc[page]
    except Exception:  # noqa: BLE001 - MuPDF raises FzErrorFormat & co. for bad objects
        log.info("page %d of %s cannot be loaded", page, name)
        return None
