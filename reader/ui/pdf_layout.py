"""Where the pages of a paged document lie in one continuous vertical scroll, at one zoom.

Pure arithmetic (no Qt): page sizes in points go in; content coordinates in logical pixels come
out. Content y runs from the top of the first page's margin; the view subtracts its scroll bar
values to get viewport coordinates. Kept apart from the widget so the geometry can be checked
without a window, and read without the input and painting code around it.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

POINTS_TO_PIXELS = 96.0 / 72.0  # zoom 1.0 = 100 % = 96 logical dpi
GAP = 12  # logical pixels between pages
MARGIN = 12  # around the pages
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
MIN_ZOOM, MAX_ZOOM = ZOOM_STEPS[0], ZOOM_STEPS[-1]
MAX_RENDER_PIXELS = 32_000_000  # beyond this a page is drawn upscaled rather than rendered

Size = tuple[float, float]  # (width, height) in points
Box = tuple[float, float, float, float]  # (x, y, width, height)


def clamp_zoom(value: float) -> float:
    return max(MIN_ZOOM, min(MAX_ZOOM, float(value)))


def zoom_step_in(zoom: float) -> float:
    """The next zoom step above `zoom` (the largest when there is none)."""
    bigger = [z for z in ZOOM_STEPS if z > zoom + 1e-6]
    return bigger[0] if bigger else MAX_ZOOM


def zoom_step_out(zoom: float) -> float:
    """The next zoom step below `zoom` (the smallest when there is none)."""
    smaller = [z for z in ZOOM_STEPS if z < zoom - 1e-6]
    return smaller[-1] if smaller else MIN_ZOOM


class PageLayout:
    """Pages stacked top to bottom, centred, with GAP between them and MARGIN around them."""

    def __init__(self, sizes: Sequence[Size], zoom: float = 1.0) -> None:
        self.sizes: list[Size] = list(sizes)
        self.zoom = zoom
        self.tops: list[float] = []  # content y of each page's top edge
        self.content_w = 0.0
        self.content_h = 0.0
        self.relayout()

    @property
    def count(self) -> int:
        return len(self.sizes)

    @property
    def ppx(self) -> float:
        """Logical pixels per point."""
        return self.zoom * POINTS_TO_PIXELS

    def set_sizes(self, sizes: Sequence[Size]) -> None:
        self.sizes = list(sizes)
        self.relayout()

    def set_zoom(self, zoom: float) -> None:
        self.zoom = zoom
        self.relayout()

    def relayout(self) -> None:
        ppx = self.ppx
        tops = []
        y = float(MARGIN)
        maxw = 0.0
        for w, h in self.sizes:
            tops.append(y)
            y += h * ppx + GAP
            maxw = max(maxw, w * ppx)
        self.tops = tops
        self.content_h = y - GAP + MARGIN if self.sizes else 0.0
        self.content_w = maxw + 2 * MARGIN

    def page_w(self, page: int) -> float:
        return self.sizes[page][0] * self.ppx

    def page_h(self, page: int) -> float:
        return self.sizes[page][1] * self.ppx

    def page_left(self, page: int, viewport_w: float) -> float:
        """Content x of the page's left edge (pages centred in the wider of view and content)."""
        width = max(float(viewport_w), self.content_w)
        return max(float(MARGIN), (width - self.page_w(page)) / 2)

    def page_box(self, page: int, viewport_w: float, scroll_x: float, scroll_y: float) -> Box:
        """The page's rectangle in viewport pixels."""
        x = self.page_left(page, viewport_w) - scroll_x
        y = self.tops[page] - scroll_y
        return x, y, self.page_w(page), self.page_h(page)

    def page_index_at(self, content_y: float) -> int:
        """The last page whose top is at or above `content_y` (0 above the first)."""
        return max(0, min(self.count - 1, bisect_right(self.tops, content_y) - 1))

    def point_at(
        self,
        vx: float,
        vy: float,
        viewport_w: float,
        scroll_x: float,
        scroll_y: float,
        *,
        nearest: bool = False,
    ) -> tuple[int, float, float]:
        """(page, x, y in points) under viewport point (vx, vy); page -1 when it falls in a gap
        or margin, unless `nearest`: then the page nearest to it vertically."""
        if not self.count:
            return -1, 0.0, 0.0
        cy = vy + scroll_y
        page = self.page_index_at(cy)
        if nearest and page + 1 < self.count:
            bottom = self.tops[page] + self.page_h(page)
            if cy > bottom and cy - bottom > self.tops[page + 1] - cy:
                page += 1
        bx, by, bw, bh = self.page_box(page, viewport_w, scroll_x, scroll_y)
        ppx = self.ppx
        x, y = (vx - bx) / ppx, (vy - by) / ppx
        # edges included, as QRectF.contains has it
        inside = bx <= vx <= bx + bw and by <= vy <= by + bh
        if not nearest and not inside:
            return -1, x, y
        return page, x, y

    def visible_pages(self, top: float, bottom: float) -> list[int]:
        """Pages that overlap content rows top..bottom, in order."""
        if not self.count:
            return []
        first = max(0, bisect_right(self.tops, top) - 1)
        pages = []
        for p in range(first, self.count):
            if self.tops[p] > bottom:
                break
            if self.tops[p] + self.page_h(p) >= top:
                pages.append(p)
        return pages

    def most_visible(self, top: float, bottom: float, default: int) -> int:
        """The page showing the most rows between top and bottom (`default` when none)."""
        best, best_h = default, -1.0
        for p in self.visible_pages(top, bottom):
            h = min(bottom, self.tops[p] + self.page_h(p)) - max(top, self.tops[p])
            if h > best_h + 0.5:
                best, best_h = p, h
        return best

    def scroll_for(self, page: int, y: float) -> float:
        """The scroll value that puts point `y` of `page` at the top of the view (the gap
        above the page shown too when y is its top)."""
        return self.tops[page] + max(0.0, float(y)) * self.ppx - (GAP if y <= 0 else GAP / 2)

    def place_at(self, scroll_y: float) -> tuple[int, float]:
        """(page, fraction of its height) at the top of the view, as `scroll_for` puts it."""
        top = scroll_y + GAP
        page = max(0, bisect_right(self.tops, top) - 1)
        height = self.sizes[page][1] or 1.0
        y = (top - self.tops[page]) / self.ppx
        return page, max(0.0, min(0.999, y / height))

    def fit_zoom(self, mode: str, page: int, viewport_w: float, viewport_h: float) -> float:
        """The zoom at which `page` fills the view's width ("width") or fits whole ("page")."""
        if not self.count:
            return 1.0
        w, h = self.sizes[page]
        avail_w = max(50, viewport_w - 2 * MARGIN)
        avail_h = max(50, viewport_h - 2 * GAP)
        z = avail_w / (w * POINTS_TO_PIXELS)
        if mode == "page":
            z = min(z, avail_h / (h * POINTS_TO_PIXELS))
        return z

    def device_scale(self, page: int, dpr: float) -> float:
        """Device pixels per point to render `page` at: the zoom on this screen, lowered for a
        page that would exceed MAX_RENDER_PIXELS (it is then drawn upscaled)."""
        scale = self.ppx * dpr
        w, h = self.sizes[page]
        pixels = w * h * scale * scale
        if pixels > MAX_RENDER_PIXELS:
            scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
        return round(scale, 4)
