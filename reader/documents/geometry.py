"""Where a range of the normalized text lies on the pages: one rectangle per line."""

from __future__ import annotations

from reader.documents.base import PagedBackend
from reader.model import PageRect


def range_rects(doc: PagedBackend, start: int, end: int) -> tuple[int, tuple[PageRect, ...]]:
    """(first page, line rectangles) covering text[start:end] of a paged document.

    Characters are merged into one rectangle per line (consecutive characters whose boxes share
    most of their height), so a highlight is drawn as the reader sees lines, across lines and
    page breaks. Separators between lines and pages have no box and are skipped.
    """
    if end <= start or doc.page_count == 0:
        return -1, ()
    first = doc.page_at_offset(start)  # type: ignore[attr-defined]
    last = doc.page_at_offset(max(start, end - 1))  # type: ignore[attr-defined]
    rects: list[PageRect] = []
    for page in range(first, last + 1):
        base = doc.page_text_offset(page)
        lo, hi = start - base, end - base
        line: list[float] | None = None
        chars = doc.page_chars(page)
        # page_chars holds one entry per character of the page text, in order, so the range
        # is a slice (checked, in case a backend ever breaks that promise).
        a, b = max(lo, 0), min(hi, len(chars))
        if a < b and chars[a].offset == a and chars[b - 1].offset == b - 1:
            chars = chars[a:b]
        for ch in chars:
            if ch.offset < lo or ch.offset >= hi:
                continue
            r = ch.rect
            if r.x1 <= r.x0 or r.y1 <= r.y0:
                continue
            if line is not None and _same_line(line, r.y0, r.y1):
                line[0] = min(line[0], r.x0)
                line[1] = min(line[1], r.y0)
                line[2] = max(line[2], r.x1)
                line[3] = max(line[3], r.y1)
            else:
                if line is not None:
                    rects.append(_rounded(page, line))
                line = [r.x0, r.y0, r.x1, r.y1]
        if line is not None:
            rects.append(_rounded(page, line))
    return first, tuple(rects)


def _rounded(page: int, box: list[float]) -> PageRect:
    # A hundredth of a point is far below a pixel; rounding makes what is stored what is shown.
    return PageRect(page, *(round(v, 2) for v in box))


def _same_line(line: list[float], y0: float, y1: float) -> bool:
    overlap = min(line[3], y1) - max(line[1], y0)
    return overlap > 0.5 * min(line[3] - line[1], y1 - y0)
