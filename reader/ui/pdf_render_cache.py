"""Rendered pages of the paged view: how a page becomes an image, the images kept, and how
an image lands on the screen (on the device pixel grid, in its frame).

The cache holds 32-bit images keyed by (page, device scale), least recently used first, within
a budget in bytes (`size_bytes` is what the view reports as `cache_bytes`). It never drops what
the view says it still wants (the visible pages and their neighbours at the current scale), so
a budget smaller than one screenful only means nothing else is kept.
"""

from __future__ import annotations

import inspect
import weakref
from collections import OrderedDict
from collections.abc import Callable
from math import ceil, floor

from PySide6.QtCore import QObject, QPointF, QRect, QRectF, Qt, QTimer
from PySide6.QtGui import QColor, QImage, QPainter, QPalette, QRegion
from PySide6.QtWidgets import QAbstractScrollArea

from reader.documents.base import TOO_COMPLEX, PagedBackend, PageTooComplex
from reader.ui.pdf_layout import PageLayout

Key = tuple[int, float]  # (page, device pixels per point)


class RenderCache:
    def __init__(self, limit_bytes: int) -> None:
        self.limit_bytes = limit_bytes
        self._images: OrderedDict[Key, QImage] = OrderedDict()
        self._bytes = 0

    @property
    def size_bytes(self) -> int:
        """Bytes of pixels held now (it may exceed the limit by what the view still wants)."""
        return self._bytes

    def __contains__(self, key: object) -> bool:
        return key in self._images

    def __len__(self) -> int:
        return len(self._images)

    def clear(self) -> None:
        self._images.clear()
        self._bytes = 0

    def get(self, page: int, scale: float) -> QImage | None:
        """The page's image at exactly this scale (then the most recently used), or None."""
        key = (page, scale)
        image = self._images.get(key)
        if image is not None:
            self._images.move_to_end(key)
        return image

    def best_of(self, page: int) -> QImage | None:
        """The page's image at the largest scale held (shown scaled while the right one is
        rendered), or None."""
        best: QImage | None = None
        best_scale = -1.0
        for (p, s), image in self._images.items():
            if p == page and s > best_scale:
                best, best_scale = image, s
        return best

    def put(self, page: int, scale: float, image: QImage, keep: Callable[[Key], bool]) -> None:
        """Hold `image`, then drop the least recently used images not `keep`-ed until the
        cache is within its budget."""
        key = (page, scale)
        old = self._images.pop(key, None)
        if old is not None:
            self._bytes -= old.sizeInBytes()
        self._images[key] = image
        self._bytes += image.sizeInBytes()
        for k in list(self._images):
            if self._bytes <= self.limit_bytes:
                break
            if keep(k):
                continue
            self._bytes -= self._images.pop(k).sizeInBytes()


class PageRenderer(QObject):
    """The render queue: what the view shows is rendered first, then the pages next to it, one
    page per event-loop turn, into the cache.

    `visible` gives the pages on screen now; the scale a page is rendered at comes from the
    layout and the screen's device pixel ratio.
    """

    def __init__(
        self,
        view: QAbstractScrollArea,
        backend: PagedBackend,
        layout: PageLayout,
        visible: Callable[[], list[int]],
        limit_bytes: int,
    ) -> None:
        super().__init__(view)
        # the viewport and a weak `visible`: no reference back to the view's Python object,
        # whose cycle would keep a closed view and its cache until the garbage collector runs
        self._viewport = view.viewport()
        self._visible_ref = weakref.WeakMethod(visible) if inspect.ismethod(visible) else None
        self._visible_fn = None if self._visible_ref is not None else visible
        self._backend = backend
        self._layout = layout
        self.cache = RenderCache(limit_bytes)
        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.timeout.connect(self._render_next)
        self.rendered = 0  # how many page renders were asked for (tests, bench)
        self.too_complex: set[int] = set()  # shown as a placeholder, not drawn

    def _visible(self) -> list[int]:
        visible = self._visible_ref() if self._visible_ref is not None else self._visible_fn
        return visible() if visible is not None else []

    def dpr(self) -> float:
        return self._viewport.devicePixelRatioF() or 1.0

    def scale(self, page: int) -> float:
        return self._layout.device_scale(page, self.dpr())

    def wanted(self) -> list[int]:
        """The visible pages, then the one after and the one before them."""
        visible = self._visible()
        if not visible:
            return []
        count = self._layout.count
        return visible + [p for p in (visible[-1] + 1, visible[0] - 1) if 0 <= p < count]

    def image(self, page: int) -> QImage | None:
        """The page's image at its current scale, if it is rendered."""
        return self.cache.get(page, self.scale(page))

    def render(self, page: int) -> None:
        """Render the page at its current scale into the cache, keeping what is wanted."""
        scale = self.scale(page)
        image, too_complex = render_page(
            self._backend, page, scale, self._layout.sizes[page], self._viewport.palette()
        )
        if too_complex:
            self.too_complex.add(page)
        self.rendered += 1
        image.setDevicePixelRatio(self.dpr())
        keep = set(self.wanted())
        self.cache.put(
            page, scale, image, lambda key: key[0] in keep and key[1] == self.scale(key[0])
        )

    def _render_next(self) -> None:
        visible = set(self._visible())
        todo = [p for p in self.wanted() if (p, self.scale(p)) not in self.cache]
        if not todo:
            return
        self.render(todo[0])
        if todo[0] in visible:
            self._viewport.update()
        if len(todo) > 1:
            # Visible pages next at once; neighbours after a pause, so the paint of what
            # was just rendered comes first.
            self.timer.start(0 if todo[1] in visible else 15)

    def plan(
        self, pages: list[tuple[int, QRectF]], background: QRegion
    ) -> tuple[list[tuple[int, QRectF, QImage | None, QPointF | None]], QRegion, bool, bool]:
        """What each visible (page, rect in the viewport) shows, for one paint: its image at
        the device scale, rendered here if it is missing (one per paint), else the largest
        other image of it, else nothing (white). Returns (page, rect, image, where to blit
        it or None to scale it) per page, the background left uncovered, whether a page was
        missing and whether one showed its own image."""
        dpr = self.dpr()
        missing = painted_real = rendered_inline = False
        plan = []
        for page, r in pages:
            image = self.image(page)
            if image is None and not rendered_inline:
                # One missing page per paint is rendered right here: a placeholder frame
                # first would only delay what the user waits for (the first page at start,
                # the next page while scrolling). Any others follow on the next turns, so
                # input is still handled between pages.
                rendered_inline = True
                self.render(page)
                image = self.image(page)
            if image is not None:
                painted_real = True
            else:
                missing = True
                image = self.cache.best_of(page)
            origin = None if image is None else blit_origin(r, image, dpr)
            if origin is not None:
                # The page, its frame and its overlays go where the image lands: at most
                # half a device pixel from `r`, so the overlays stay on the image's text.
                r = QRectF(origin, r.size())
                # The background under an opaque page image need not be filled first.
                x0, y0 = origin.x(), origin.y()
                x1, y1 = x0 + image.width() / dpr, y0 + image.height() / dpr
                inner = QRect(ceil(x0), ceil(y0), floor(x1) - ceil(x0), floor(y1) - ceil(y0))
                background -= QRegion(inner)
            plan.append((page, r, image, origin))
        return plan, background, missing, painted_real

    def painted(self, missing: bool) -> None:
        """After a paint: a missing visible page is rendered on the next turn (even if a
        slower timer for the neighbours is pending), else the neighbours a little later."""
        if missing:
            self.timer.start(0)
        elif not self.timer.isActive():
            self.timer.start(15)


def render_page(
    backend: PagedBackend,
    page: int,
    scale: float,
    size: tuple[float, float],
    palette: QPalette,
) -> tuple[QImage, bool]:
    """(the page as a 32-bit QImage (Format_RGB32), whether it was over the backend's budget).

    RGB32 is what the raster backing store holds, so painting the page is a plain copy of the
    visible rows (see PdfView._blit_origin); the backend's RGB888 is converted once, here.
    (Painting RGB888 directly was measured: Qt then converts on every paint, on its thread
    pool, which costs about this one conversion for a page painted once, more on a busy
    machine, and again on every later paint; and it has no fast path to scale RGB888.) QImage
    or QPixmap makes no difference on the raster paint engine; a QImage is converted in one call.
    """
    try:
        w, h, stride, data = backend.render(page, scale)
    except PageTooComplex:
        return too_complex_image(size, scale, palette), True
    except Exception:  # noqa: BLE001 - a page MuPDF cannot draw stays a blank page
        image = QImage(1, 1, QImage.Format.Format_RGB32)
        image.fill(Qt.GlobalColor.white)
        return image, False
    # One pass from MuPDF's RGB888 samples (no copy made) into a 32-bit image that owns its
    # pixels; the samples are released at once.
    image = QImage(data, w, h, stride, QImage.Format.Format_RGB888).convertToFormat(
        QImage.Format.Format_RGB32
    )
    del data
    return image, False


def too_complex_image(size: tuple[float, float], scale: float, palette: QPalette) -> QImage:
    """The placeholder of a page over budget: its size, grey, and the one sentence."""
    pw, ph = size  # points; `scale` is device pixels per point
    w, h = max(1, int(pw * scale)), max(1, int(ph * scale))
    image = QImage(w, h, QImage.Format.Format_RGB32)
    image.fill(palette.color(QPalette.ColorRole.Midlight))
    painter = QPainter(image)
    font = painter.font()
    font.setPixelSize(max(8, int(12 * scale)))
    painter.setFont(font)
    painter.setPen(palette.color(QPalette.ColorRole.Text))
    painter.drawText(
        QRect(0, 0, w, h),
        int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
        f"{TOO_COMPLEX}.",
    )
    painter.end()
    return image


# -- the page on screen ------------------------------------------------------------------------


def blit_origin(r: QRectF, image: QImage, dpr: float) -> QPointF | None:
    """Where to draw `image` one image pixel to one device pixel over the page rect `r`
    (its top-left rounded to the device pixel grid), or None when the image is not the
    page's size on the device (a fallback at another zoom, a capped or a blank page):
    then it is drawn scaled into `r`. A page rendered at the device scale is at most a
    pixel bigger than `r` (MuPDF rounds the page's bounds outward), so it covers `r`."""
    if abs(image.width() - r.width() * dpr) > 1.0 or abs(image.height() - r.height() * dpr) > 1.0:
        return None
    return QPointF(round(r.x() * dpr) / dpr, round(r.y() * dpr) / dpr)


_FRAME = QColor(0, 0, 0, 60)


def frame_colour(background: QColor, under: QColor | None = None) -> QColor:
    """The opaque colour Qt's raster engine makes of _FRAME blended over `background`
    (itself blended over the opaque `under` if it is translucent).

    A page's frame lies in the gap round the page, on the view's background, so painting it
    in this colour gives the pixels the translucent _FRAME would. It is much cheaper: Qt
    blends a translucent fill row by row, and spreads a one-pixel column as tall as the view
    over its thread pool (~0.1 ms and a dozen thread switches per line, measured), where an
    opaque one is a plain fill."""
    image = QImage(1, 1, QImage.Format.Format_RGB32)
    image.fill(under if under is not None else Qt.GlobalColor.black)
    painter = QPainter(image)
    painter.fillRect(QRect(0, 0, 1, 1), background)
    painter.fillRect(QRect(0, 0, 1, 1), _FRAME)
    painter.end()
    return image.pixelColor(0, 0)


def paint_frame(painter: QPainter, r: QRectF, colour: QColor) -> None:
    # Four one-pixel fills: a stroked drawRect round a whole page costs about a millisecond.
    painter.fillRect(QRectF(r.left() - 1, r.top() - 1, r.width() + 2, 1), colour)
    painter.fillRect(QRectF(r.left() - 1, r.bottom(), r.width() + 2, 1), colour)
    painter.fillRect(QRectF(r.left() - 1, r.top(), 1, r.height()), colour)
    painter.fillRect(QRectF(r.right(), r.top(), 1, r.height()), colour)
