"""Reading scanned pages with Tesseract (through MuPDF), and the form the library keeps of it."""

from __future__ import annotations

import functools
from pathlib import Path

import pymupdf

from reader.documents.base import Char, DocumentError, Rect
from reader.documents.pdf.context import TEXT_FLAGS

# Scanned pages are read in every language whose Tesseract data is installed (English first;
# others: tesseract-ocr-LANG, see README), at most this many (each one more costs time), from
# a page image made at the resolution Tesseract reads best at.
_MAX_OCR_LANGUAGES = 3
OCR_DPI = 300
_NO_TESSERACT = (
    "Text cannot be read from scanned pages: Tesseract OCR is not installed "
    "(Debian: tesseract-ocr tesseract-ocr-eng)."
)


@functools.cache
def ocr_setup() -> tuple[str, str]:
    """Tesseract's data folder and the languages to read ("eng+deu"); DocumentError with one
    sentence when Tesseract or every language's data is missing."""
    try:
        tessdata = pymupdf.get_tessdata()
    except Exception:  # noqa: BLE001 - pymupdf raises RuntimeError when it finds none
        raise DocumentError(_NO_TESSERACT) from None
    folder = Path(tessdata) if tessdata else None
    found = sorted(p.stem for p in folder.glob("*.traineddata")) if folder else []
    languages = [lang for lang in found if lang != "osd"]
    if not languages:
        raise DocumentError(
            "Text cannot be read from scanned pages: Tesseract has no language data "
            f"in {tessdata or 'its folder'} (Debian: tesseract-ocr-eng)."
        )
    languages.sort(key=lambda lang: lang != "eng")  # English first, the rest by name
    return str(folder), "+".join(languages[:_MAX_OCR_LANGUAGES])


def read_page(pg: pymupdf.Page, tessdata: str, language: str) -> tuple[dict, pymupdf.Matrix]:
    """MuPDF's structured text of the page as Tesseract reads its image, and the page's
    rotation (call under the MuPDF lock). Raises whatever MuPDF raises for a page it cannot
    render."""
    textpage = pg.get_textpage_ocr(
        flags=TEXT_FLAGS,
        language=language,
        dpi=OCR_DPI,
        full=True,
        tessdata=tessdata,
    )
    return pg.get_text("rawdict", flags=TEXT_FLAGS, textpage=textpage), pg.rotation_matrix


def ocr_record(language: str, text: str, chars: list[Char]) -> dict:
    """What is kept of a page read by OCR: {"language", "text", "chars"}, `chars` being
    [[offset, x0, y0, x1, y1], ...]."""
    return {
        "language": language,
        "text": text,
        # A tenth of a point is finer than any highlight needs, and keeps the
        # stored boxes (JSON in the library) to ~25 bytes a character.
        "chars": [
            [c.offset, *(round(v, 1) for v in (r.x0, r.y0, r.x1, r.y1))]
            for c in chars
            for r in (c.rect,)
        ],
    }


def record_chars(record: dict) -> list[Char]:
    """The characters of an `ocr_record`, boxes and all."""
    return [Char(int(c[0]), Rect(c[1], c[2], c[3], c[4])) for c in record["chars"]]
