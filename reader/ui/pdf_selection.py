"""The text selection of a paged document, and what lies under a point of a page (no Qt).

Positions are (page, index in that page's text), inclusive at both ends; the selection runs
from `anchor` to `focus` in either order. A gesture starts at an `origin` and grows by a unit:
"word" (a drag or double-click), "char" (Alt+drag) or "line" (triple-click); its ends never
rest on whitespace. The view turns mouse positions into points on a page and calls these; every
method that can change the selection says whether it did, so the view repaints only then.
"""

from __future__ import annotations

from bisect import bisect_right

from reader import text_units
from reader.documents.base import Char, Link, PagedBackend, Rect

Pos = tuple[int, int]  # (page, char index in that page's text)


def _empty(r: Rect) -> bool:
    return r.x1 <= r.x0 and r.y1 <= r.y0


class PdfTextSelection:
    def __init__(self, backend: PagedBackend) -> None:
        self._backend = backend
        self._count = int(backend.page_count)
        self.anchor: Pos | None = None
        self.focus: Pos | None = None
        self.origin: Pos | None = None  # where the gesture began
        self.unit = "word"

    # -- what is selected -------------------------------------------------------------------

    def span(self) -> tuple[Pos, Pos] | None:
        """(first, last) selected positions, in reading order; None when nothing is."""
        if self.anchor is None or self.focus is None:
            return None
        a, b = sorted((self.anchor, self.focus))
        return a, b

    def offsets(self) -> tuple[int, int] | None:
        """(start, end) of the selection in the document's normalized text."""
        rng = self.span()
        if rng is None:
            return None
        (p0, i0), (p1, i1) = rng
        backend = self._backend
        return backend.page_text_offset(p0) + i0, backend.page_text_offset(p1) + i1 + 1

    def page_parts(self) -> list[tuple[int, int, int]]:
        """(page, start, end) of the selection's part on each page it spans, empty ones too."""
        rng = self.span()
        if rng is None:
            return []
        (p0, i0), (p1, i1) = rng
        return [
            (p, i0 if p == p0 else 0, i1 + 1 if p == p1 else len(self._backend.page_text(p)))
            for p in range(p0, p1 + 1)
        ]

    def boxes_on_page(self, page: int) -> list[Rect]:
        """The boxes (points) of the selection's part on `page`, line by line."""
        rng = self.span()
        if rng is None or not rng[0][0] <= page <= rng[1][0]:
            return []
        (p0, i0), (p1, i1) = rng
        end = i1 + 1 if page == p1 else len(self._backend.page_text(page))
        return self._backend.range_rects(page, i0 if page == p0 else 0, end)

    def text(self) -> str:
        """The selected text, pages apart by a blank line."""
        return "\n\n".join(self._backend.page_text(p)[s:e] for p, s, e in self.page_parts())

    # -- changing it ------------------------------------------------------------------------

    def set(self, span: tuple[Pos, Pos]) -> bool:
        if (self.anchor, self.focus) == span:
            return False
        self.anchor, self.focus = span
        return True

    def clear(self) -> bool:
        if self.anchor is None and self.focus is None:
            return False
        self.anchor = self.focus = None
        return True

    def select_offsets(self, start: int, end: int, page_offsets: list[int]) -> bool:
        """Select text[start:end] of the normalized text (nothing when it is empty)."""
        if end <= start or not self._count:
            return self.clear()
        return self.set(
            (self._pos_of(start, page_offsets, True), self._pos_of(end - 1, page_offsets))
        )

    def select_all(self) -> bool:
        if not self._count:
            return False
        last = self._count - 1
        return self.set(((0, 0), (last, max(0, len(self._backend.page_text(last)) - 1))))

    def begin(self, hit: Pos | None, unit: str) -> bool:
        """A press at `hit` (None: off the text): a new gesture; nothing selected until it
        moves."""
        self.unit, self.origin, self.anchor = unit, hit, hit
        if self.focus is None:
            return False
        self.focus = None
        return True

    def grow_to(self, hit: Pos) -> bool:
        """The gesture reached `hit`: select from its origin to there, by its unit."""
        if self.origin is None:
            return False
        return self.set(self.span_between(self.origin, hit, self.unit))

    def select_unit_at(self, hit: Pos, unit: str) -> bool:
        """Double- or triple-click: the word or line at `hit`, and a drag from it grows by it."""
        self.origin, self.unit = hit, unit
        return self.set(self.span_between(hit, hit, unit))

    def extend_to(self, hit: Pos) -> bool | None:
        """Shift+click: grow the selection to the unit at `hit` (from the end it started at);
        None when there is no selection to grow."""
        rng = self.span()
        if rng is None:
            return None
        if self.origin is None or not (rng[0] <= self.origin <= rng[1]):
            self.origin = rng[0] if hit >= rng[0] else rng[1]
        return self.set(self.span_between(self.origin, hit, self.unit))

    def span_between(self, a: Pos, b: Pos, unit: str) -> tuple[Pos, Pos]:
        """The selection from the character at `a` to the one at `b` (either order), grown to
        whole words or lines and without whitespace at its ends (inclusive positions)."""
        (p0, i0), (p1, i1) = sorted((a, b))
        if unit == "char":
            return (p0, i0), (p1, i1)
        first, last = self._backend.page_text(p0), self._backend.page_text(p1)
        grow = text_units.line_at if unit == "line" else text_units.word_at
        start = grow(first, i0)[0]
        end = grow(last, i1)[1] - 1
        if p0 == p1:
            start, end_excl = text_units.trim(first, start, end + 1)
            return (p0, start), (p1, max(start, end_excl - 1))
        start = text_units.trim(first, start, len(first))[0]
        end = text_units.trim(last, 0, end + 1)[1] - 1
        return (p0, start), (p1, max(end, 0))

    def _pos_of(self, offset: int, page_offsets: list[int], start: bool = False) -> Pos:
        """(page, index) of a normalized-text offset; one in the space between two pages is
        the last character of the page before, or the first of the next for a `start`."""
        page = max(0, bisect_right(page_offsets, offset) - 1)
        index = offset - page_offsets[page]
        n = len(self._backend.page_text(page))
        if start and index >= n and page + 1 < self._count:
            return page + 1, 0
        return page, max(0, min(index, n - 1))

    # -- what is under a point of a page (points) ---------------------------------------------

    def has_text(self, page: int) -> bool:
        # a scanned page has no text layer (the PDF backend knows without reading the text)
        probe = getattr(self._backend, "has_text_layer", None)
        if probe is not None:
            return bool(probe(page))
        return bool(self._backend.page_text(page).strip())

    def link_at(self, page: int, x: float, y: float) -> Link | None:
        for link in self._backend.page_links(page):
            r = link.rect
            if r.x0 <= x <= r.x1 and r.y0 <= y <= r.y1:
                return link
        return None

    def char_at(self, page: int, x: float, y: float, *, exact: bool = False) -> int | None:
        """Index of the char of `page` at (x, y) points; the nearest one unless `exact`."""
        chars: list[Char] = self._backend.page_chars(page)
        best, best_key = None, None
        for ch in chars:
            r = ch.rect
            if _empty(r):
                continue
            if r.x0 <= x <= r.x1 and r.y0 <= y <= r.y1:
                return ch.offset
            if exact:
                continue
            dy = max(r.y0 - y, 0.0, y - r.y1)
            dx = max(r.x0 - x, 0.0, x - r.x1)
            key = (dy, dx)
            if best_key is None or key < best_key:
                best, best_key = ch.offset, key
        return best
