"""The annotations drawn over a paged document: which boxes belong to which annotation on which
page, which one is under a point, which one is selected, and where each one's tick goes on the
scroll bar. Geometry is in points on a page; the view turns it into pixels and paints it.

Cheap even for thousands of annotations: `set_annotations` only sorts ids into pages. A page's
geometry (its `PageMark`s) is built when the page is painted or hit-tested, and the boxes of an
annotation stored without any are computed from the text layer then, once per annotation and
page; the geometry of the MARK_CACHE_PAGES pages least recently asked for is dropped.
"""

from __future__ import annotations

from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Sequence
from dataclasses import dataclass

from PySide6.QtCore import QRectF, Qt
from PySide6.QtGui import QColor, QPainter, QPen

from reader.documents.base import PagedBackend
from reader.documents.geometry import range_rects
from reader.model import Annotation, PageRect
from reader.ui.overlays import (
    OverlayFlash,
    annotation_colour,
    is_drawn,
    outline_path,
    overlay_fill,
)

MARK_CACHE_PAGES = 64  # pages whose annotation geometry is kept (least recently painted dropped)


@dataclass(slots=True)
class PageMark:
    """One annotation's part on one page: line rects and their bounding box, in points."""

    id: str
    page: int
    rects: list[QRectF]
    bbox: QRectF
    colour: QColor  # opaque
    fill: QColor  # translucent


def to_view(rect: QRectF, origin: QRectF, ppx: float) -> QRectF:
    return QRectF(
        origin.x() + rect.x() * ppx,
        origin.y() + rect.y() * ppx,
        rect.width() * ppx,
        rect.height() * ppx,
    )


def _has_area(pr: PageRect) -> bool:
    return pr.x1 > pr.x0 and pr.y1 > pr.y0


class PdfAnnotationLayer:
    def __init__(self, backend: PagedBackend) -> None:
        self._backend = backend
        self._count = int(backend.page_count)
        self._annotations: dict[str, Annotation] = {}  # in drawing order: the last is on top
        self._pages_of: dict[str, Sequence[int]] = {}  # pages each one is on, ascending
        self._ids_by_page: dict[int, list[str]] = {}
        self._page_marks: OrderedDict[int, list[PageMark]] = OrderedDict()
        # id → ((start, end) the boxes were computed for, page → boxes)
        self._computed_rects: dict[str, tuple[tuple[int, int], dict[int, tuple[PageRect, ...]]]]
        self._computed_rects = {}
        self._colours: dict[tuple[str, str], tuple[QColor, QColor]] = {}
        self._text_offsets: list[int] | None = None
        self.selected: str | None = None

    def text_ready(self) -> None:
        """The document's whole text was read: the page offsets are asked again."""
        self._text_offsets = None

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Draw these (all others removed); orphans and annotations with no place are left out.

        A later one in the sequence is drawn over an earlier one and wins `annotation_at`; an
        annotation stored without rects is drawn where its anchor's start/end lie in the text.
        """
        drawn: dict[str, Annotation] = {}
        for a in annotations:
            if is_drawn(a):
                drawn.pop(a.id, None)  # a repeated id: the later one counts, in its place
                drawn[a.id] = a
        by_page: dict[int, list[str]] = {}
        pages_of: dict[str, Sequence[int]] = {}
        for a in list(drawn.values()):
            pages = self._annotation_pages(a)
            if not pages:
                del drawn[a.id]
                continue
            pages_of[a.id] = pages
            for page in pages:
                bucket = by_page.get(page)
                if bucket is None:
                    by_page[page] = [a.id]
                else:
                    bucket.append(a.id)
        self._annotations = drawn
        self._pages_of = pages_of
        self._ids_by_page = by_page
        self._page_marks.clear()

    def ids(self) -> list[str]:
        return list(self._annotations)

    def __contains__(self, annotation_id: object) -> bool:
        return annotation_id in self._annotations

    def __bool__(self) -> bool:
        return bool(self._annotations)

    def annotation_at(self, page: int, x: float, y: float, slack: float) -> str | None:
        """Id of the topmost annotation at point (x, y) of `page`, within `slack` points."""
        if page not in self._ids_by_page:
            return None
        for mark in reversed(self.marks_for_page(page)):
            box = mark.bbox
            if not (
                box.left() - slack <= x <= box.right() + slack
                and box.top() - slack <= y <= box.bottom() + slack
            ):
                continue
            for r in mark.rects:
                if (
                    r.left() - slack <= x <= r.right() + slack
                    and r.top() - slack <= y <= r.bottom() + slack
                ):
                    return mark.id
        return None

    def marks_for_page(self, page: int) -> list[PageMark]:
        """Geometry of the page's annotations in drawing order (built once, then cached)."""
        marks = self._page_marks.get(page)
        if marks is not None:
            self._page_marks.move_to_end(page)
            return marks
        marks = []
        for annotation_id in self._ids_by_page.get(page, ()):
            mark = self._mark(self._annotations[annotation_id], page)
            if mark is not None:
                marks.append(mark)
        self._page_marks[page] = marks
        while len(self._page_marks) > MARK_CACHE_PAGES:
            self._page_marks.popitem(last=False)
        return marks

    def marks_of(self, annotation_id: str) -> Iterator[PageMark]:
        """The annotation's marks page by page (built on demand, first page first)."""
        a = self._annotations.get(annotation_id)
        if a is None:
            return
        for page in self._pages_of[annotation_id]:
            cached = self._page_marks.get(page)
            if cached is not None:
                mark = next((m for m in cached if m.id == annotation_id), None)
            else:
                mark = self._mark(a, page)
            if mark is not None:
                yield mark

    def cached_pages(self) -> set[int]:
        """Pages whose geometry is built now (tests)."""
        return set(self._page_marks)

    def marker_positions(
        self, tops: Sequence[float], sizes: Sequence[tuple[float, float]], ppx: float, total: float
    ) -> list[tuple[float, QColor]]:
        """One scroll-bar tick per annotation and page: (fraction of `total`, colour), from
        stored rects or, for one stored without, from where its start lies in the text."""
        if total <= 0 or not self._annotations:
            return []
        count = self._count
        out = []
        for a in self._annotations.values():
            colour = self._annotation_colours(a)[0]
            rects = a.rects
            if rects:
                pages = self._pages_of[a.id]
                if len(pages) == 1:
                    page = pages[0]
                    y = min(pr.y0 for pr in rects if _has_area(pr))
                    out.append(((tops[page] + y * ppx) / total, colour))
                    continue
                first: dict[int, float] = {}
                for pr in rects:
                    if 0 <= pr.page < count and _has_area(pr):
                        first[pr.page] = min(pr.y0, first.get(pr.page, pr.y0))
                out.extend(((tops[pg] + y * ppx) / total, colour) for pg, y in first.items())
                continue
            page = self._pages_of[a.id][0]
            start = a.anchor.start
            entry = self._computed_rects.get(a.id)
            known = entry[1].get(page) if entry and entry[0] == (start, a.anchor.end) else None
            if known:
                y = min(pr.y0 for pr in known)
            else:
                # not drawn yet: estimate from where the start lies in the page's text
                offsets = self.page_offsets()
                base = offsets[page]
                if page + 1 < count:
                    length = offsets[page + 1] - base
                else:
                    length = len(self._backend.page_text(page)) + 2
                y = sizes[page][1] * min(1.0, max(0, start - base) / max(1, length))
            out.append(((tops[page] + y * ppx) / total, colour))
        out.sort(key=lambda item: item[0])
        return out

    def paint(
        self,
        painter: QPainter,
        page: int,
        origin: QRectF,
        ppx: float,
        viewport_h: float,
        flash: OverlayFlash,
    ) -> None:
        """Paint the page's annotations over its image at `origin` (its rect in the viewport):
        each line translucent with a marker in the margin, the flashing one glowing and the
        selected one outlined. Marks outside the viewport are skipped."""
        if page not in self._ids_by_page:
            return
        marks = self.marks_for_page(page)
        if not marks:
            return
        # the part of the page inside the viewport, in points: marks outside it are skipped
        vis_top = -origin.y() / ppx
        vis_bottom = (viewport_h - origin.y()) / ppx
        selected = self.selected
        flash_id = flash.annotation_id
        special: list[PageMark] = []
        marker_x = origin.x() + 3
        painter.setPen(Qt.PenStyle.NoPen)
        for mark in marks:
            box = mark.bbox
            if box.bottom() < vis_top or box.top() > vis_bottom:
                continue
            for r in mark.rects:
                painter.fillRect(to_view(r, origin, ppx), mark.fill)
            # a small marker in the page's left margin beside the line group
            painter.fillRect(
                QRectF(marker_x, origin.y() + box.top() * ppx, 3, max(2.0, box.height() * ppx)),
                mark.colour,
            )
            if mark.id == selected or mark.id == flash_id:
                special.append(mark)
        for mark in special:
            rects = [to_view(r, origin, ppx) for r in mark.rects]
            if mark.id == flash_id and flash.level > 0:
                glow = QColor(mark.colour)
                glow.setAlpha(round(150 * flash.level))
                for r in rects:
                    painter.fillRect(r.adjusted(-2, -2, 2, 2), glow)
            if mark.id == selected:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(mark.colour.darker(170), 2))
                painter.drawPath(outline_path(rects))
                painter.setPen(Qt.PenStyle.NoPen)

    # -- geometry, built lazily -----------------------------------------------------------------

    def _annotation_pages(self, a: Annotation) -> Sequence[int]:
        """Pages the annotation is drawn on (ascending), without building any geometry."""
        count = self._count
        rects = a.rects
        if rects:
            page = rects[0].page
            if len(rects) == 1 or all(pr.page == page for pr in rects):  # the common case
                ok = 0 <= page < count and any(_has_area(pr) for pr in rects)
                return (page,) if ok else ()
            return sorted({pr.page for pr in rects if 0 <= pr.page < count and _has_area(pr)})
        start, end = a.anchor.start, a.anchor.end
        if end <= start or not count:
            return ()
        offsets = self.page_offsets()
        first = max(0, bisect_right(offsets, start) - 1)
        last = max(first, min(count - 1, bisect_right(offsets, end - 1) - 1))
        return (first,) if first == last else range(first, last + 1)

    def page_offsets(self) -> list[int]:
        """Offset of each page's text in the document's normalized text (asked once)."""
        if self._text_offsets is None:
            self._text_offsets = [self._backend.page_text_offset(p) for p in range(self._count)]
        return self._text_offsets

    def _rects_on_page(self, a: Annotation, page: int) -> Iterable[PageRect]:
        """The annotation's line rects on this page: stored ones, else computed (and kept)."""
        if a.rects:
            return (pr for pr in a.rects if pr.page == page and _has_area(pr))
        key = (a.anchor.start, a.anchor.end)
        entry = self._computed_rects.get(a.id)
        if entry is None or entry[0] != key:
            entry = self._computed_rects[a.id] = (key, {})
        rects = entry[1].get(page)
        if rects is None:
            # only this page's part of the range, so a long annotation costs one page at a time
            offsets = self.page_offsets()
            lo = max(key[0], offsets[page])
            hi = key[1]
            if page + 1 < self._count:
                hi = min(hi, offsets[page + 1])
            found = range_rects(self._backend, lo, hi)[1] if hi > lo else ()
            rects = entry[1][page] = tuple(pr for pr in found if pr.page == page)
        return rects

    def _annotation_colours(self, a: Annotation) -> tuple[QColor, QColor]:
        key = (a.color, str(a.kind))
        colours = self._colours.get(key)
        if colours is None:
            colour = annotation_colour(a)
            colours = self._colours[key] = (colour, overlay_fill(colour))
        return colours

    def _mark(self, a: Annotation, page: int) -> PageMark | None:
        rects = [
            QRectF(pr.x0, pr.y0, pr.x1 - pr.x0, pr.y1 - pr.y0)
            for pr in self._rects_on_page(a, page)
        ]
        if not rects:
            return None
        bbox = QRectF(rects[0])
        for r in rects[1:]:
            bbox = bbox.united(r)
        colour, fill = self._annotation_colours(a)
        return PageMark(a.id, page, rects, bbox, colour, fill)
