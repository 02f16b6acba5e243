"""What every document backend offers, and the one error type users see."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Protocol, runtime_checkable

from reader.model import Block, DocumentKind, Metadata, OutlineItem


class DocumentError(Exception):
    """A problem the user caused or can fix; `str(err)` is one sentence fit for a dialog."""


class Cancelled(DocumentError):
    """The user stopped the job (a download, an export, an import): nothing to show as a
    failure, and no fallback to try in its place."""


TOO_COMPLEX = "This page is too complex to draw"


class PageTooComplex(DocumentError):
    """A page over the budget a backend may spend on it: shown as a placeholder with
    TOO_COMPLEX, and without text; the other pages stay usable."""


class PasswordRequired(DocumentError):
    """The document is encrypted; open it again with a password."""

    def __init__(self, message: str, *, wrong_password: bool = False) -> None:
        super().__init__(message)
        self.wrong_password = wrong_password


@runtime_checkable
class DocumentBackend(Protocol):
    kind: DocumentKind
    sha256: str
    metadata: Metadata
    source: str  # path or URL it was opened from

    @property
    def text(self) -> str:
        """The normalized text: the coordinate system every anchor refers to."""
        ...

    @property
    def page_count(self) -> int:
        """0 for unpaged documents (articles)."""
        ...


@dataclass(frozen=True)
class Rect:
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Char:
    """One character of a page's text layer: its offset in the page text and its box."""

    offset: int  # in the page's text, which starts at page_offsets[page] of the document text
    rect: Rect


@dataclass(frozen=True)
class Link:
    rect: Rect
    page: int = -1  # internal target page (0-based), -1 if external
    y: float = 0.0
    uri: str = ""


class ArticleBackend(DocumentBackend, Protocol):
    blocks: list[Block]


class PagedBackend(DocumentBackend, Protocol):
    """PDF and the other formats MuPDF reads. Page numbers are 0-based; units are points."""

    def page_size(self, page: int) -> tuple[float, float]: ...
    def outline(self) -> list[OutlineItem]: ...
    def page_text_offset(self, page: int) -> int: ...
    def page_text(self, page: int) -> str: ...
    def page_chars(self, page: int) -> list[Char]: ...
    def page_links(self, page: int) -> list[Link]: ...
    def search_page(self, page: int, needle: str) -> list[list[Rect]]: ...
    def range_rects(self, page: int, start: int, end: int) -> list[Rect]:
        """One rectangle per text line covered by page_text(page)[start:end]."""
        ...

    def render(self, page: int, scale: float) -> tuple[int, int, int, bytes | memoryview]:
        """(width, height, stride, RGB888 samples) of the page at `scale` pixels per point.

        The samples are any bytes-like buffer (the PDF backend lends its renderer's own
        memory, valid for as long as the buffer is referenced, to spare a copy)."""
        ...

    def close(self) -> None: ...

    @property
    def text_ready(self) -> bool:
        """Whether `text` is built (for a big document it takes seconds: a worker builds it
        with read_page_texts on a clone() and hands it over with adopt_page_texts)."""
        ...

    def clone(self) -> PagedBackend:
        """A second, independent handle on the same file, for a worker thread."""
        ...

    def read_page_texts(self, progress=None, cancel=None) -> list[str] | None:
        """Every page's text; `progress(done, total)` after each page; None once `cancel`
        (a threading.Event) is set."""
        ...

    def adopt_page_texts(self, texts: list[str]) -> None:
        """Take the page texts read on a clone, so `text` is ready without reading again."""
        ...
