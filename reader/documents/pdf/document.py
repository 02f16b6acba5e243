"""`PdfDocument`: the PagedBackend over one MuPDF handle, its caches, and the parts it asks.

Each job lives in its own module of this package (opening, weighing, text, OCR, navigation,
rendering); this class holds what a document knows once read, and the MuPDF lock around it.
"""

from __future__ import annotations

import hashlib
from bisect import bisect_right
from pathlib import Path

import pymupdf

from reader.documents.base import TOO_COMPLEX, Char, Link, PageTooComplex, Rect
from reader.documents.pdf import ocr
from reader.documents.pdf.context import MUPDF_LOCK, TEXT_FLAGS, load_page, log
from reader.documents.pdf.metadata import read_metadata
from reader.documents.pdf.navigation import read_links, read_outline
from reader.documents.pdf.opening import check_file, count_pages, open_handle
from reader.documents.pdf.render import render_page
from reader.documents.pdf.text import (
    NO_RECT,
    PageTextLayer,
    line_rects,
    search_text,
    text_of,
)
from reader.documents.pdf.weighing import PageWeigher
from reader.model import DocumentKind, Metadata, OutlineItem

# The page size MuPDF falls back to for a page it cannot load (US Letter, in points).
_FALLBACK_SIZE = (612.0, 792.0)


class PdfDocument:
    """A PagedBackend over one MuPDF document handle."""

    def __init__(self, path: str | Path, password: str | None = None) -> None:
        p = Path(path)
        self.source = str(path)
        self._path = p
        kind, size = check_file(p)
        self.kind: DocumentKind = kind
        self._password = password
        self._sha256: str | None = None
        self._metadata: Metadata | None = None
        self._text: str | None = None
        self._offsets: list[int] = []
        self._layers: dict[int, PageTextLayer] = {}
        self._sizes: dict[int, tuple[float, float]] = {}
        self._links: dict[int, list[Link]] = {}
        self._outline: list[OutlineItem] | None = None
        self._has_text: dict[int, bool] = {}
        self._ocr: set[int] = set()  # pages whose text was read from their image
        self._closed = False
        self._doc = self._open_handle()
        self._weigher = PageWeigher(self._doc) if self._doc.is_pdf else None
        self._weights: dict[int, str] = {}
        self._page_count = count_pages(self._doc, p.name, size)

    # -- opening -------------------------------------------------------------------------

    def _open_handle(self) -> pymupdf.Document:
        return open_handle(self._path, self.kind, self._password)

    @property
    def password(self) -> str | None:
        """The password the document was opened with (to write an annotated copy of it)."""
        return self._password

    def clone(self) -> PdfDocument:
        """A second, independent handle on the same file (e.g. for a render thread)."""
        other = PdfDocument.__new__(PdfDocument)
        other.__dict__.update(
            {
                k: v
                for k, v in self.__dict__.items()
                if k not in ("_doc", "_layers", "_links", "_has_text")
            }
        )
        other._layers = {p: self._layers[p] for p in self._ocr if p in self._layers}
        other._links = {}
        other._has_text = {p: True for p in self._ocr}
        other._sizes = dict(self._sizes)
        other._offsets = list(self._offsets)
        other._doc = other._open_handle()
        other._weigher = PageWeigher(other._doc) if other._doc.is_pdf else None
        other._weights = self._weights  # verdicts depend on the bytes alone: shared
        return other

    # -- identity and metadata -------------------------------------------------------------

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            h = hashlib.sha256()
            with self._path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self._sha256 = h.hexdigest()
        return self._sha256

    @property
    def metadata(self) -> Metadata:
        if self._metadata is None:
            self._metadata = read_metadata(self._doc, self._path)
        return self._metadata

    @property
    def page_count(self) -> int:
        return self._page_count

    @property
    def is_pdf(self) -> bool:
        return self.kind is DocumentKind.PDF

    # -- geometry ----------------------------------------------------------------------------

    def _check(self, page: int) -> None:
        if self._closed:
            raise ValueError("document is closed")
        if not 0 <= page < self._page_count:
            raise IndexError(f"page {page} out of range 0..{self._page_count - 1}")

    def _load_page(self, page: int) -> pymupdf.Page | None:
        """The MuPDF page, or None if the file is too damaged to load it (call under the lock)."""
        return load_page(self._doc, page, self._path.name)

    def page_size(self, page: int) -> tuple[float, float]:
        """Width and height in points of the page as displayed (after its rotation)."""
        size = self._sizes.get(page)
        if size is None:
            self._check(page)
            with MUPDF_LOCK:
                pg = self._load_page(page)
                r = pg.rect if pg is not None else None
            size = (float(r.width), float(r.height)) if r is not None else _FALLBACK_SIZE
            self._sizes[page] = size
        return size

    def too_complex(self, page: int) -> str:
        """Why the page is over the budget MuPDF may spend on it ("" when it is not); such
        a page gives no text and is drawn as a placeholder. Deterministic for the bytes."""
        verdict = self._weights.get(page)
        if verdict is None:
            self._check(page)
            verdict = ""
            if self._weigher is not None:
                with MUPDF_LOCK:
                    verdict = self._weigher.over_budget(page)
            if verdict:
                log.info("page %d of %s is too complex: %s", page + 1, self._path.name, verdict)
            self._weights[page] = verdict
        return verdict

    def too_complex_pages(self) -> list[int]:
        """The pages left without text because they are over budget (weighed so far)."""
        return sorted(p for p, why in self._weights.items() if why)

    def page_rotation(self, page: int) -> int:
        self._check(page)
        with MUPDF_LOCK:
            pg = self._load_page(page)
            return int(pg.rotation) if pg is not None else 0

    # -- outline and links -------------------------------------------------------------------

    def outline(self) -> list[OutlineItem]:
        """The bookmarks in reading order (see `navigation.read_outline`)."""
        if self._outline is None:
            self._outline = read_outline(
                self._doc, self._page_count, self._path.name, self._sizes, lambda: self._closed
            )
        return list(self._outline)

    @property
    def outline_ready(self) -> bool:
        """Whether outline() answers at once (a long outline is read on a clone elsewhere)."""
        return self._outline is not None

    def adopt_outline(self, items: list[OutlineItem]) -> None:
        """Take the outline a clone read (on a worker thread)."""
        if self._outline is None:
            self._outline = list(items)

    def page_links(self, page: int) -> list[Link]:
        cached = self._links.get(page)
        if cached is not None:
            return list(cached)
        self._check(page)
        with MUPDF_LOCK:
            links = read_links(self._doc, page, self._page_count, self._path.name)
        self._links[page] = links
        return list(links)

    # -- text -----------------------------------------------------------------------------------

    def _layer(self, page: int, *, with_chars: bool) -> PageTextLayer:
        layer = self._layers.get(page)
        if layer is not None and (layer.chars is not None or not with_chars):
            return layer
        self._check(page)
        heavy = bool(self.too_complex(page))
        with MUPDF_LOCK:
            pg = self._load_page(page)
            rot = pg.rotation_matrix if pg is not None else pymupdf.Identity
            try:
                if pg is None or heavy:
                    data = {}
                elif with_chars:
                    data = pg.get_text("rawdict", flags=TEXT_FLAGS)
                else:
                    data = pg.get_text("dict", flags=TEXT_FLAGS)
            except Exception:  # noqa: BLE001 - a damaged content stream: a page without text
                log.info("text of page %d of %s unreadable", page, self._path.name)
                data = {}
        text, chars = text_of(data, rot, with_chars)
        if layer is not None and layer.text != text:
            # Never seen (both come from the same structured text); keep the text already
            # handed out as the coordinate system and give up on its boxes rather than lie.
            text = layer.text
            chars = [Char(i, NO_RECT) for i in range(len(text))]
        layer = PageTextLayer(text, chars if with_chars else None)
        self._layers[page] = layer
        return layer

    def page_text(self, page: int) -> str:
        return self._layer(page, with_chars=False).text

    def page_chars(self, page: int) -> list[Char]:
        """One Char per character of page_text(page), same order; separators have empty boxes."""
        chars = self._layer(page, with_chars=True).chars
        assert chars is not None
        return chars

    def has_text_layer(self, page: int) -> bool:
        known = self._has_text.get(page)
        if known is None:
            known = bool(self.page_text(page).strip())
            self._has_text[page] = known
        return known

    # -- OCR ------------------------------------------------------------------------------------

    @property
    def ocr_pages(self) -> list[int]:
        """Pages (0-based) whose text was read from their image by OCR."""
        return sorted(self._ocr)

    def pages_needing_ocr(self) -> list[int]:
        """Pages with no text layer but with an image on them: a scan or a photograph."""
        return [page for page in range(self._page_count) if self.page_needs_ocr(page)]

    def page_needs_ocr(self, page: int) -> bool:
        """A PDF page with no text layer and an image: what a scanner or a camera makes.
        (Comic books and e-books are not scans: their picture pages are left alone.)"""
        if not self.is_pdf or page in self._ocr or self.has_text_layer(page):
            return False
        if self.too_complex(page):
            return False  # rendering it for Tesseract is what the budget forbids
        with MUPDF_LOCK:
            pg = self._load_page(page)
            if pg is None:
                return False
            try:
                return bool(pg.get_images(full=False))
            except Exception:  # noqa: BLE001 - a damaged resource dictionary: no image
                return False

    def read_ocr(
        self, pages: list[int], progress=None, cancel=None
    ) -> tuple[dict[int, dict], list[int]] | None:
        """OCR of `pages`: ({page: {"language", "text", "chars"}}, pages that could not be
        read), or None once `cancel` is set. `chars` is [[offset, x0, y0, x1, y1], ...] for
        page_chars. Raises DocumentError when Tesseract or its language data is missing."""
        tessdata, language = ocr.ocr_setup()
        read: dict[int, dict] = {}
        failed: list[int] = []
        for i, page in enumerate(pages):
            if cancel is not None and cancel.is_set():
                return None
            self._check(page)
            with MUPDF_LOCK:
                pg = self._load_page(page)
                try:
                    if pg is None:
                        raise ValueError("page cannot be loaded")
                    data, rot = ocr.read_page(pg, tessdata, language)
                except Exception as err:  # noqa: BLE001 - a page MuPDF cannot render
                    log.info("OCR of page %d of %s failed: %s", page, self._path.name, err)
                    data, rot = None, None
            text, chars = text_of(data, rot, True) if data is not None else ("", [])
            if text.strip():
                read[page] = ocr.ocr_record(language, text, chars)
            else:
                failed.append(page)
            if progress is not None:
                progress(i + 1, len(pages))
        return read, failed

    def adopt_ocr(self, pages: dict[int, dict]) -> None:
        """Use OCR text (from read_ocr, here or on a clone, or kept in the library) for pages
        without a text layer. The document text is rebuilt on next use."""
        for page, got in pages.items():
            if not 0 <= page < self._page_count or self.has_text_layer(page):
                continue
            self._layers[page] = PageTextLayer(got["text"], ocr.record_chars(got))
            self._has_text[page] = True
            self._ocr.add(page)
        self._text = None
        self._offsets = []

    # -- the document's text ---------------------------------------------------------------------

    def _offsets_upto(self, page: int) -> list[int]:
        """Offsets of pages 0..page in the document text (computed as far as needed)."""
        offsets = self._offsets
        while len(offsets) <= page:
            prev = len(offsets) - 1
            offsets.append(0 if prev < 0 else offsets[prev] + len(self.page_text(prev)) + 2)
        return offsets

    @property
    def text(self) -> str:
        """The normalized text (computed on first use: page texts joined by a blank line)."""
        if self._text is None:
            self._offsets_upto(self._page_count - 1)
            self._text = "\n\n".join(self.page_text(p) for p in range(self._page_count))
        return self._text

    @property
    def text_ready(self) -> bool:
        return self._text is not None

    def read_page_texts(self, progress=None, cancel=None) -> list[str] | None:
        """Every page's text; meant for a clone() on a worker thread. The MuPDF lock is taken
        per page, so the UI thread's renders go in between."""
        total = self._page_count
        texts: list[str] = []
        for page in range(total):
            if cancel is not None and cancel.is_set():
                return None
            texts.append(self.page_text(page))
            if progress is not None:
                progress(page + 1, total)
        return texts

    def adopt_page_texts(self, texts: list[str]) -> None:
        if len(texts) != self._page_count:
            raise ValueError(f"{len(texts)} page texts for {self._page_count} pages")
        if self._text is not None:
            return
        # A handle cloned before OCR text was adopted read those pages as empty.
        texts = [self._layers[p].text if p in self._ocr else t for p, t in enumerate(texts)]
        for page, text in enumerate(texts):
            known = self._layers.get(page)
            if known is None:
                self._layers[page] = PageTextLayer(text, None)
            elif known.text != text:  # never seen: both come from the same file and code
                raise ValueError(f"page {page + 1} reads differently on the second handle")
        offsets, at = [], 0
        for text in texts:
            offsets.append(at)
            at += len(text) + 2
        self._offsets = offsets
        self._text = "\n\n".join(texts)

    def page_text_offset(self, page: int) -> int:
        self._check(page)
        return self._offsets_upto(page)[page]

    def page_at_offset(self, offset: int) -> int:
        """The page whose text (or the separator after it) contains `offset`."""
        offsets = self._offsets_upto(self._page_count - 1)
        return max(0, bisect_right(offsets, offset) - 1)

    # -- search ---------------------------------------------------------------------------------

    def search_text(self, page: int, needle: str) -> list[tuple[int, int]]:
        """(start, end) ranges in page_text(page) where `needle` occurs, ignoring case and
        treating any run of whitespace in the needle as one space or line break."""
        return search_text(self.page_text(page), needle)

    def range_rects(self, page: int, start: int, end: int) -> list[Rect]:
        """One rectangle per text line covered by page_text(page)[start:end]."""
        return line_rects(self.page_chars(page)[max(0, start) : max(0, end)])

    def search_page(self, page: int, needle: str) -> list[list[Rect]]:
        """Rectangles of each hit of `needle` on the page (one list per hit, one rect a line)."""
        return [self.range_rects(page, s, e) for s, e in self.search_text(page, needle)]

    # -- rendering ------------------------------------------------------------------------------

    def render(self, page: int, scale: float) -> tuple[int, int, int, memoryview]:
        """(width, height, stride, RGB888 samples) of the page at `scale` pixels per point;
        the samples are MuPDF's own memory, kept alive by the buffer (see `render_page`)."""
        self._check(page)
        why = self.too_complex(page)
        if why:
            raise PageTooComplex(f"{TOO_COMPLEX} ({why}).")
        with MUPDF_LOCK:
            pg = self._doc[page]
            try:
                return render_page(pg, scale)
            finally:
                del pg  # dropping a page calls into MuPDF: done while the lock is held

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with MUPDF_LOCK:
                self._doc.close()

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PdfDocument {self.kind.value} {self._path.name!r} pages={self._page_count}>"
