"""Where a paged view is in its document: the zoom (or the fit it follows), the scroll position,
the current page, and the mapping between viewport pixels and points on a page.

The paged view's scroller and zoom in one sub-object (as qutebrowser's tabs have theirs): the
arithmetic is the pure PageLayout's; this drives the view's scroll bars with it and says, by
signals, when the page, the zoom or the status text changed. It holds the scroll bars and the
viewport, never the view itself (no reference cycle keeps a closed view alive).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, QPointF, QRectF, Signal
from PySide6.QtWidgets import QAbstractScrollArea

from reader.documents.base import Rect
from reader.model import ViewPlace
from reader.ui.pdf_layout import GAP, PageLayout, clamp_zoom

PagePoint = tuple[int, float, float]  # (page, x, y in points)


class PdfScroller(QObject):
    page_changed = Signal(int)
    zoom_changed = Signal(float)
    status_changed = Signal(str)
    relaid_out = Signal()

    def __init__(self, area: QAbstractScrollArea, layout: PageLayout) -> None:
        super().__init__(area)
        self._viewport = area.viewport()
        self._vbar = area.verticalScrollBar()
        self._hbar = area.horizontalScrollBar()
        self._layout = layout
        self.fit_mode: str | None = None  # "width" | "page" while the zoom follows the window
        self.current = 0
        # The scroll value the view itself went to (a page, a match, an annotation): while the
        # bar stays there, the current page is the one it went to, not the one most visible.
        self._pinned: int | None = None
        self._last_status = ""
        self._vbar.valueChanged.connect(self._on_scrolled)
        self._hbar.valueChanged.connect(self._on_scrolled)

    @property
    def zoom(self) -> float:
        return self._layout.zoom

    def status_text(self) -> str:
        count = self._layout.count
        if not count:
            return "No pages"
        return f"Page {self.current + 1} of {count} · {round(self.zoom * 100)}%"

    # -- zoom ----------------------------------------------------------------------------------

    def set_zoom(self, value: float, anchor: QPointF | None = None) -> None:
        """Zoom to `value`, keeping the point under `anchor` (default: the top centre) still."""
        self.fit_mode = None
        self._apply_zoom(value, anchor)

    def fit(self, mode: str) -> None:
        """Follow the window's width ("width") or show whole pages ("page")."""
        self.fit_mode = mode
        self._apply_zoom(self._fit_zoom(mode))

    def resized(self) -> None:
        if self.fit_mode is not None:
            self._apply_zoom(self._fit_zoom(self.fit_mode))
        self.update_scrollbars()
        if self._layout.count and self._pinned is None:
            self.set_current(self.page_most_visible())

    def _fit_zoom(self, mode: str) -> float:
        vp = self._viewport
        return self._layout.fit_zoom(mode, self.current, vp.width(), vp.height())

    def _apply_zoom(self, value: float, anchor: QPointF | None = None) -> None:
        value = clamp_zoom(value)
        if abs(value - self.zoom) < 1e-4:
            return
        pos = anchor if anchor is not None else QPointF(self._viewport.width() / 2, 0)
        keep = self.view_anchor(pos)
        self._layout.zoom = value
        self.relayout()
        if keep is not None:
            self.restore_anchor(keep, pos)
        self._viewport.update()
        self.zoom_changed.emit(self.zoom)
        self._emit_status()

    # -- the place in the document --------------------------------------------------------------

    def place(self) -> ViewPlace:
        """The zoom (or fit mode) and the page and fraction of it at the top of the view."""
        if not self._layout.count:
            return ViewPlace(self.zoom, self.fit_mode or "", 0.0)
        page, fraction = self._layout.place_at(self._vbar.value())
        return ViewPlace(self.zoom, self.fit_mode or "", page + fraction)

    def restore_place(self, place: ViewPlace) -> None:
        """Go back to a place from `place()`: the zoom (or fit mode), then the page."""
        if place.fit in ("width", "page"):
            self.fit(place.fit)
        else:
            self.set_zoom(place.zoom)
        count = self._layout.count
        if count:
            page = max(0, min(int(place.position), count - 1))
            fraction = place.position - int(place.position)
            self.go_to_page(page, fraction * self._layout.sizes[page][1])

    def go_to_page(self, page: int, y: float = 0.0) -> None:
        """Scroll so that point `y` of `page` (0-based) is at the top of the view."""
        if not self._layout.count:
            return
        page = max(0, min(int(page), self._layout.count - 1))
        self.pin(self._layout.scroll_for(page, y))
        self.set_current(page)
        self._viewport.update()

    def pin(self, target: float) -> None:
        """Scroll to `target` (clamped); the current page is the caller's to set."""
        value = max(self._vbar.minimum(), min(self._vbar.maximum(), round(target)))
        self._pinned = value
        self._vbar.setValue(value)

    def reveal(
        self, page: int, y0: float, y1: float, *, at: float, only_if_hidden: bool = False
    ) -> None:
        """Scroll so that rows y0..y1 of `page` (points) are centred at fraction `at` of the
        view's height (left alone when `only_if_hidden` and they are all in view)."""
        top = self._layout.tops[page]
        ppx = self._layout.ppx
        y0, y1 = top + y0 * ppx, top + y1 * ppx
        scroll, height = self._vbar.value(), self._viewport.height()
        if only_if_hidden and scroll <= y0 and y1 <= scroll + height:
            return
        self.pin((y0 + y1) / 2 - height * at)

    def show_box(self, page: int, x0: float, x1: float) -> None:
        """Scroll sideways, if the view is narrower than the page, so that content x0..x1
        of `page` (points) is in view."""
        hbar = self._hbar
        if hbar.maximum() <= 0:
            return
        left, ppx, vw = self.page_left(page), self._layout.ppx, self._viewport.width()
        x0, x1 = left + x0 * ppx, left + x1 * ppx
        if x0 < hbar.value() or x1 > hbar.value() + vw:
            hbar.setValue(max(0, min(hbar.maximum(), round(x0 - vw / 4))))

    def visible_pages(self) -> list[int]:
        top = self._vbar.value()
        return self._layout.visible_pages(top, top + self._viewport.height())

    def page_most_visible(self) -> int:
        top = self._vbar.value()
        return self._layout.most_visible(top, top + self._viewport.height(), self.current)

    def set_current(self, page: int) -> None:
        if page != self.current:
            self.current = page
            self.page_changed.emit(page)
        self._emit_status()

    def _emit_status(self) -> None:
        text = self.status_text()
        if text != self._last_status:
            self._last_status = text
            self.status_changed.emit(text)

    def _on_scrolled(self, _value: int = 0) -> None:
        if self._pinned is None or self._vbar.value() != self._pinned:
            self._pinned = None
            self.set_current(self.page_most_visible())
        self._viewport.update()

    # -- layout and the scroll bars --------------------------------------------------------------

    def relayout(self) -> None:
        self._layout.relayout()
        self.update_scrollbars()
        self.relaid_out.emit()

    def update_scrollbars(self) -> None:
        vw, vh = self._viewport.width(), self._viewport.height()
        vbar, hbar = self._vbar, self._hbar
        vbar.setRange(0, max(0, round(self._layout.content_h - vh)))
        vbar.setPageStep(max(1, vh - 2 * GAP))
        vbar.setSingleStep(40)
        hbar.setRange(0, max(0, round(self._layout.content_w - vw)))
        hbar.setPageStep(max(1, vw))
        hbar.setSingleStep(40)

    # -- viewport pixels and page points --------------------------------------------------------

    def page_left(self, page: int) -> float:
        return self._layout.page_left(page, self._viewport.width())

    def page_rect(self, page: int) -> QRectF:
        """The page's rectangle in viewport pixels."""
        return QRectF(*self._layout.page_box(page, *self._scroll()))

    def _scroll(self) -> tuple[int, int, int]:
        return self._viewport.width(), self._hbar.value(), self._vbar.value()

    def rect_to_view(self, rect: Rect, origin: QRectF) -> QRectF:
        """A rect in points of the page at `origin` (its viewport rect), in viewport pixels."""
        ppx = self._layout.ppx
        return QRectF(
            origin.x() + rect.x0 * ppx,
            origin.y() + rect.y0 * ppx,
            (rect.x1 - rect.x0) * ppx,
            (rect.y1 - rect.y0) * ppx,
        )

    def view_to_page(self, pos: QPointF, *, nearest: bool = False) -> PagePoint:
        """(page, x, y in points) under the viewport position; page -1 when in a gap."""
        return self._layout.point_at(pos.x(), pos.y(), *self._scroll(), nearest=nearest)

    def view_anchor(self, pos: QPointF) -> PagePoint | None:
        """The page point under `pos` (the nearest page's), to keep still across a relayout."""
        if not self._layout.count:
            return None
        return self.view_to_page(pos, nearest=True)

    def restore_anchor(self, anchor: PagePoint, pos: QPointF) -> None:
        """Scroll so that the page point `anchor` is under viewport position `pos` again."""
        page, x, y = anchor
        ppx = self._layout.ppx
        self.pin(self._layout.tops[page] + y * ppx - pos.y())
        self._hbar.setValue(round(self.page_left(page) + x * ppx - pos.x()))
