"""Find over the pages of a paged document (no Qt).

The matching is the one rule every view shares (reader.ui.text_find), run over the document's
normalized text; each match is then split into its part on each page. A match's boxes are only
looked up (and kept) for pages that get painted or scrolled to, so a find in a long document
costs one pass over its text, not a text-layer lookup per page.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterator

from reader.documents.base import PagedBackend, Rect
from reader.ui.text_find import FindState

Segment = tuple[int, int, int]  # (page, start, end) in that page's text


class PdfFind:
    def __init__(self, backend: PagedBackend) -> None:
        self._backend = backend
        self._state = FindState()
        self._segments: list[list[Segment]] = []  # per match, its part on each page
        self._by_page: dict[int, list[Segment]] = {}  # page → (match index, start, end)
        self._rects: dict[tuple[int, int], list[Rect]] = {}  # (match index, page) → boxes

    @property
    def count(self) -> int:
        return self._state.count

    @property
    def current(self) -> int:
        """1-based number of the current match; 0 when there is none."""
        return self._state.current

    @property
    def index(self) -> int:
        """0-based index of the current match; -1 when there is none."""
        return self._state.index

    def find(self, needle: str, current_page: int) -> int:
        """Find `needle`; the current match is the first on or after `current_page`, as readers
        do. Returns how many matches there are."""
        self.clear()
        backend = self._backend
        count = int(backend.page_count)
        if not count:
            return 0
        self._state.find(backend.text, needle)
        offsets = [backend.page_text_offset(p) for p in range(count)]
        kept = []
        for start, end in self._state.spans:
            segments = []
            page = max(0, bisect_right(offsets, start) - 1)
            while page < count and offsets[page] < end:
                n = len(backend.page_text(page))
                s0 = max(start - offsets[page], 0)
                e0 = min(end - offsets[page], n)
                if e0 > s0:
                    segments.append((page, s0, e0))
                page += 1
            if segments:  # a match only in the space between pages has nothing to show
                kept.append((start, end))
                self._segments.append(segments)
        self._state.spans = kept
        for i, segments in enumerate(self._segments):
            for page, s0, e0 in segments:
                self._by_page.setdefault(page, []).append((i, s0, e0))
        self._state.index = (
            next((i for i, segs in enumerate(self._segments) if segs[0][0] >= current_page), 0)
            if self._segments
            else -1
        )
        return self.count

    def clear(self) -> None:
        self._state.clear()
        self._segments = []
        self._by_page = {}
        self._rects = {}

    def step(self, delta: int) -> int:
        """Go to the next (+1) or previous (-1) match, wrapping; its 1-based number, or 0."""
        return self._state.step(delta)

    def first_page(self, index: int) -> int:
        return self._segments[index][0][0]

    def match_rects(self, index: int) -> list[tuple[int, list[Rect]]]:
        """(page, boxes in points) of each part of the 0-based match `index`."""
        return [(page, self._boxes(index, page, s0, e0)) for page, s0, e0 in self._segments[index]]

    def on_page(self, page: int) -> Iterator[tuple[bool, list[Rect]]]:
        """(whether it is the current match, boxes in points) of each match part on `page`."""
        current = self._state.index
        for index, s0, e0 in self._by_page.get(page, ()):
            yield index == current, self._boxes(index, page, s0, e0)

    def _boxes(self, index: int, page: int, start: int, end: int) -> list[Rect]:
        key = (index, page)
        rects = self._rects.get(key)
        if rects is None:
            rects = self._rects[key] = self._backend.range_rects(page, start, end)
        return rects
