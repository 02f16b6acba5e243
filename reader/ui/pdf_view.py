"""Continuous, lazily rendered view of a paged document (PDF, EPUB, XPS …) with overlays.

The view knows the document only through the PagedBackend protocol (reader.documents.base):
page sizes, text layer (page_text/page_chars), links, search and render().

Rendering happens on the UI thread, one page per event-loop turn, visible pages first and
their neighbours next. A worker thread would not help: PyMuPDF holds the GIL while it
rasterises (measured: a Python loop in another thread gets almost no time during
get_pixmap), so a render thread would stall the UI just the same, with shutdown and
thread-safety costs on top. One page per turn keeps input handling between pages.
"""

from __future__ import annotations

import inspect
import re
import weakref
from bisect import bisect_right
from collections import OrderedDict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from itertools import chain
from math import ceil, floor
from typing import Any

from PySide6.QtCore import (
    QEasingCurve,
    QElapsedTimer,
    QEvent,
    QObject,
    QPoint,
    QPointF,
    QRect,
    QRectF,
    Qt,
    QTimer,
    QVariantAnimation,
    Signal,
)
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
    QRegion,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import (
    QAbstractScrollArea,
    QAbstractSlider,
    QApplication,
    QScrollBar,
    QStyle,
    QStyleOptionSlider,
    QWidget,
)

from reader import text_units
from reader.documents.base import TOO_COMPLEX, Char, Link, PagedBackend, PageTooComplex, Rect
from reader.documents.geometry import range_rects
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    OutlineItem,
    PageRect,
    ViewPlace,
)

NO_TEXT_LAYER_MESSAGE = "This page has no text layer, so its text cannot be selected."

POINTS_TO_PIXELS = 96.0 / 72.0  # zoom 1.0 = 100 % = 96 logical dpi
GAP = 12  # logical pixels between pages
MARGIN = 12  # around the pages
ZOOM_STEPS = (0.25, 0.33, 0.5, 0.67, 0.75, 0.8, 0.9, 1.0, 1.1, 1.25, 1.5, 1.75, 2.0, 2.5, 3.0, 4.0)
MIN_ZOOM, MAX_ZOOM = ZOOM_STEPS[0], ZOOM_STEPS[-1]
MAX_RENDER_PIXELS = 32_000_000  # beyond this a page is drawn upscaled rather than rendered
EAGER_SIZES = 300  # documents up to this many pages get all page sizes before the first paint
MARK_CACHE_PAGES = 64  # pages whose annotation geometry is kept (least recently painted dropped)


Pos = tuple[int, int]  # (page, char index in that page's text)


def _empty(r: Rect) -> bool:
    return r.x1 <= r.x0 and r.y1 <= r.y0


# -- overlay helpers shared by PdfView and ArticleView ---------------------------------------

OVERLAY_ALPHA = 105  # ~41 %: the colour is plain to see, the text under it stays readable
FLASH_MS = 600


def annotation_colour(annotation: Annotation) -> QColor:
    """The annotation's own colour (its kind's default when it has none), opaque."""
    colour = QColor(annotation.color) if annotation.color else QColor()
    if not colour.isValid():
        colour = QColor(DEFAULT_COLORS.get(annotation.kind, "#f5c542"))
    colour.setAlpha(255)
    return colour


def overlay_fill(colour: QColor, alpha: int = OVERLAY_ALPHA) -> QColor:
    fill = QColor(colour)
    fill.setAlpha(alpha)
    return fill


def outline_path(rects: Iterable[QRectF], grow: float = 1.0) -> QPainterPath:
    """One outline around the union of line rectangles (no seams between lines)."""
    path = QPainterPath()
    for r in rects:
        path.addRect(r.adjusted(-grow, -grow, grow, grow))
    return path.simplified()


def is_drawn(annotation: Annotation) -> bool:
    """Orphans have lost their place in the text: they are listed, never drawn."""
    return annotation.anchor.state != AnchorState.ORPHAN


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


def _frame(painter: QPainter, r: QRectF, colour: QColor) -> None:
    # Four one-pixel fills: a stroked drawRect round a whole page costs about a millisecond.
    painter.fillRect(QRectF(r.left() - 1, r.top() - 1, r.width() + 2, 1), colour)
    painter.fillRect(QRectF(r.left() - 1, r.bottom(), r.width() + 2, 1), colour)
    painter.fillRect(QRectF(r.left() - 1, r.top(), 1, r.height()), colour)
    painter.fillRect(QRectF(r.right(), r.top(), 1, r.height()), colour)


MarkerSource = Callable[[], Iterable[tuple[float, QColor]]]


def _no_marker_source() -> MarkerSource | None:
    return None


class MarkerScrollBar(QScrollBar):
    """A vertical scroll bar with a coloured tick at each annotation's place in the document.

    The owner gives a `source` returning (fraction of the document height, colour) pairs; the
    ticks are drawn once into a pixmap the size of the groove, rebuilt only after
    `invalidate()` or when the groove changes size, so scrolling paints one pixmap.

    When only the value changes (scrolling), only the strip from the slider's old place to
    its new one is repainted, not the whole bar: nothing else in a scroll bar depends on the
    value, and a full paint of a tall bar costs more than half a millisecond (the style's
    gradients are blended row by row, spread over Qt's thread pool). The whole bar is still
    repainted when the value reaches or leaves either end (a style may grey out the arrow
    there), while a mouse button is down on the bar (pressed page areas), and with styles
    whose scroll bars fade in and out.
    """

    TICK_HEIGHT = 3

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(Qt.Orientation.Vertical, parent)
        self.setObjectName("annotation_marker_bar")
        self._source: Callable[[], MarkerSource | None] = _no_marker_source
        self._pixmap: QPixmap | None = None
        self._pixmap_key: tuple[int, int, float] | None = None
        self._rows: dict[int, QColor] = {}
        self.rebuilds = 0  # how many times the tick pixmap was drawn (tests, bench)
        self._slider: QRect | None = None  # the slider's rect at the last value change
        self._last_value = self.value()
        self._mouse_down = False
        # More ticks from elsewhere (the candidate claims), drawn under the annotations'.
        self.extra_markers: list[Callable[[], Iterable[tuple[float, QColor]]]] = []

    def set_marker_source(self, source: MarkerSource) -> None:
        if inspect.ismethod(source):
            # Held weakly: the owner's bound method here makes a reference cycle (owner ->
            # bar -> method -> owner) that only Python's cyclic garbage collector breaks, so
            # a closed view and its page cache (up to 128 MB) would stay in memory until a
            # full collection happens to run, instead of going when the view is deleted.
            self._source = weakref.WeakMethod(source)
        else:
            self._source = lambda: source
        self.invalidate()

    def invalidate(self) -> None:
        self._pixmap = None
        self.update()

    def groove_rect(self) -> QRectF:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        rect = self.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, opt, QStyle.SubControl.SC_ScrollBarGroove, self
        )
        if not rect.isValid() or rect.height() <= 0:
            rect = self.rect()
        return QRectF(rect)

    def marker_rows(self) -> dict[int, QColor]:
        """Tick y (in this widget's pixels) → colour, as last painted."""
        self._ensure_pixmap()
        return dict(self._rows)

    def _ensure_pixmap(self) -> QPixmap | None:
        groove = self.groove_rect()
        dpr = self.devicePixelRatioF() or 1.0
        key = (round(groove.width()), round(groove.height()), dpr)
        if self._pixmap is not None and key == self._pixmap_key:
            return self._pixmap
        self._pixmap_key = key
        self._rows = {}
        w, h = key[0], key[1]
        source = self._source()
        if source is None or w <= 0 or h <= 0:
            self._pixmap = QPixmap()
            return self._pixmap
        rows: dict[int, QColor] = {}
        span = max(1, h - self.TICK_HEIGHT)
        for fraction, colour in chain(*(extra() for extra in self.extra_markers), source()):
            y = round(max(0.0, min(1.0, fraction)) * span)
            rows[y] = colour  # the later annotation wins a shared pixel row
        pm = QPixmap(max(1, round(w * dpr)), max(1, round(h * dpr)))
        pm.setDevicePixelRatio(dpr)
        pm.fill(Qt.GlobalColor.transparent)
        if rows:
            painter = QPainter(pm)
            inset = max(1.0, w * 0.15)
            for y, colour in rows.items():
                painter.fillRect(QRectF(inset, y, w - 2 * inset, self.TICK_HEIGHT), colour)
            painter.end()
        top = round(groove.top())
        self._rows = {top + y + self.TICK_HEIGHT // 2: c for y, c in rows.items()}
        self._pixmap = pm
        self.rebuilds += 1
        return pm

    def _slider_rect(self) -> QRect:
        opt = QStyleOptionSlider()
        self.initStyleOption(opt)
        return self.style().subControlRect(
            QStyle.ComplexControl.CC_ScrollBar, opt, QStyle.SubControl.SC_ScrollBarSlider, self
        )

    def sliderChange(self, change: QAbstractSlider.SliderChange) -> None:  # noqa: N802
        old_slider, old_value = self._slider, self._last_value
        self._slider, self._last_value = self._slider_rect(), self.value()
        lo, hi = self.minimum(), self.maximum()
        if (
            change == QAbstractSlider.SliderChange.SliderValueChange
            and old_slider is not None
            and lo < old_value < hi
            and lo < self._last_value < hi
            and not self._mouse_down
            and not self.style().styleHint(QStyle.StyleHint.SH_ScrollBar_Transient, None, self)
        ):
            # the strip across the bar, with a margin: a style may draw a little outside
            # the slider's rect (Fusion does)
            strip = old_slider.united(self._slider)
            self.update(QRect(0, strip.top() - 8, self.width(), strip.height() + 16))
            return
        super().sliderChange(change)  # the whole bar

    def resizeEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._slider = None  # the next value change repaints all
        super().resizeEvent(event)

    def changeEvent(self, event: QEvent) -> None:  # noqa: N802 - Qt override
        self._slider = None  # style, palette, enabled state …: the next one repaints all
        super().changeEvent(event)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._mouse_down = True
        super().mousePressEvent(event)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._mouse_down = event.buttons() != Qt.MouseButton.NoButton
        super().mouseReleaseEvent(event)
        if not self._mouse_down:
            self.update()  # whatever was drawn pressed is drawn released

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        super().paintEvent(event)
        if self._source() is None:
            return
        pm = self._ensure_pixmap()
        if pm is None or pm.isNull() or not self._rows:
            return
        painter = QPainter(self)
        painter.drawPixmap(self.groove_rect().topLeft(), pm)
        painter.end()


class OverlayFlash(QObject):
    """Fades one annotation's flash from full to nothing over FLASH_MS (no sleeps, no threads)."""

    def __init__(self, target: QWidget, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._target = target
        self.annotation_id: str | None = None
        self.level = 0.0
        self._anim = QVariantAnimation(self)
        self._anim.setStartValue(1.0)
        self._anim.setEndValue(0.0)
        self._anim.setDuration(FLASH_MS)
        self._anim.setEasingCurve(QEasingCurve.Type.InQuad)
        self._anim.valueChanged.connect(self._on_value)
        self._anim.finished.connect(self._on_finished)

    def start(self, annotation_id: str) -> None:
        self._anim.stop()
        self.annotation_id = annotation_id
        self.level = 1.0
        self._anim.start()
        self._target.update()

    def stop(self) -> None:
        self._anim.stop()
        self._on_finished()

    def _on_value(self, value: Any) -> None:
        self.level = float(value)
        self._target.update()

    def _on_finished(self) -> None:
        self.annotation_id = None
        self.level = 0.0
        self._target.update()


@dataclass(slots=True)
class _PageMark:
    """One annotation's part on one page: line rects and their bounding box, in points."""

    id: str
    page: int
    rects: list[QRectF]
    bbox: QRectF
    colour: QColor  # opaque
    fill: QColor  # translucent


class PdfView(QAbstractScrollArea):
    """All pages in one vertical scroll; selection, links, find and zoom."""

    link_activated = Signal(str)
    message = Signal(str)
    status_changed = Signal(str)
    first_page_painted = Signal()
    selection_changed = Signal()
    zoom_changed = Signal(float)
    page_changed = Signal(int)
    annotation_clicked = Signal(str)

    def __init__(
        self,
        backend: PagedBackend,
        parent: QWidget | None = None,
        *,
        cache_limit_bytes: int = 128 * 1024 * 1024,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("pdf_view")
        self.backend = backend
        self._count = int(backend.page_count)
        self._zoom = 1.0
        self._fit_mode: str | None = None  # "width" | "page" while the zoom follows the window
        first = backend.page_size(0) if self._count else (612.0, 792.0)
        self._sizes: list[tuple[float, float]] = [first] * self._count
        self._sizes_exact = self._count <= 1
        if self._count <= EAGER_SIZES:
            self._load_sizes()
        self._tops: list[float] = []
        self._content_w = 0.0
        self._content_h = 0.0

        self._cache: OrderedDict[tuple[int, float], QImage] = OrderedDict()
        self._cache_bytes = 0
        self.cache_limit_bytes = cache_limit_bytes
        self._frame_colours: dict[tuple[int, int], QColor] = {}  # opaque, per background
        self._render_timer = QTimer(self)
        self._render_timer.setSingleShot(True)
        self._render_timer.timeout.connect(self._render_next)
        self.has_painted = False
        self._first_pending = False
        self.rendered_pages = 0  # how many page renders this view asked for (tests, bench)
        self.too_complex_pages: set[int] = set()  # shown as a placeholder, not drawn

        self._current = 0
        self._pinned_scroll: int | None = None
        self._last_status = ""

        # selection: anchor and focus positions (inclusive char indices)
        self._sel_anchor: Pos | None = None
        self._sel_focus: Pos | None = None
        self._pressing = False
        self._press_pos = QPoint()
        self._press_link: Link | None = None
        self._dragged = False
        self._word_click = False
        # Where the selection began (the character under the press) and what it grows by:
        # "word" (a drag), "char" (Alt+drag), "line" (triple-click).
        self._origin: Pos | None = None
        self._unit = "word"
        self._double_clicked = QElapsedTimer()
        self._double_click_pos = QPoint()

        # find
        self._matches: list[list[tuple[int, int, int]]] = []  # per match: (page, start, end)
        self._match_index = -1
        self._matches_by_page: dict[int, list[tuple[int, int, int]]] = {}
        self._match_rects: dict[tuple[int, int], list[Rect]] = {}
        self._needle = ""

        # annotation highlights from outside: (page, rects, colour)
        self._highlights: dict[int, list[tuple[list[Rect], QColor]]] = {}

        # annotations: drawn per page in the order given (the last one is on top). Only ids are
        # bucketed per page up front; a page's geometry (_PageMark) is built when the page is
        # painted or hit-tested, and rects of annotations stored without any are computed from
        # the text layer then, once per annotation and page.
        self._annotations: dict[str, Annotation] = {}
        self._pages_of: dict[str, Sequence[int]] = {}  # pages each one is on, ascending
        self._ids_by_page: dict[int, list[str]] = {}
        self._page_marks: OrderedDict[int, list[_PageMark]] = OrderedDict()
        self._computed_rects: dict[str, tuple[tuple[int, int], dict[int, tuple[PageRect, ...]]]]
        self._computed_rects = {}
        self._colours: dict[tuple[str, str], tuple[QColor, QColor]] = {}
        self._text_offsets: list[int] | None = None
        self._selected_annotation: str | None = None
        self._press_annotation: str | None = None
        self._flash = OverlayFlash(self.viewport(), self)
        self._marker_bar = MarkerScrollBar(self)
        self.setVerticalScrollBar(self._marker_bar)
        self._marker_bar.set_marker_source(self._marker_positions)

        self.setFrameShape(QAbstractScrollArea.Shape.NoFrame)
        self.setFocusPolicy(Qt.FocusPolicy.StrongFocus)
        self.viewport().setMouseTracking(True)
        self.viewport().setAutoFillBackground(False)
        # paintEvent covers every pixel it is asked for (background, pages), so Qt need not
        # paint what lies under the viewport first (it would fill it all on every paint)
        self.viewport().setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, True)
        self.setAttribute(Qt.WidgetAttribute.WA_OpaquePaintEvent, False)
        self.verticalScrollBar().valueChanged.connect(self._on_scrolled)
        self.horizontalScrollBar().valueChanged.connect(self._on_scrolled)
        self._relayout()

    # -- public API ----------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return self._count

    @property
    def current_page(self) -> int:
        return self._current

    @property
    def zoom(self) -> float:
        return self._zoom

    @zoom.setter
    def zoom(self, value: float) -> None:
        self.set_zoom(value)

    @property
    def match_count(self) -> int:
        return len(self._matches)

    @property
    def current_match(self) -> int:
        """1-based index of the current find match; 0 when there is none."""
        return self._match_index + 1 if self._matches else 0

    @property
    def cache_bytes(self) -> int:
        return self._cache_bytes

    def outline(self) -> list[OutlineItem]:
        return self.backend.outline()

    def status_text(self) -> str:
        if not self._count:
            return "No pages"
        return f"Page {self._current + 1} of {self._count} · {round(self._zoom * 100)}%"

    def set_zoom(self, value: float, anchor: QPointF | None = None) -> None:
        self._fit_mode = None
        self._apply_zoom(value, anchor)

    def place(self) -> ViewPlace:
        """Where the reader is: the zoom (or fit mode) and the page and fraction of it at the
        top of the view."""
        if not self._count:
            return ViewPlace(self._zoom, self._fit_mode or "", 0.0)
        # The page whose top (less the gap above it, as go_to_page puts it) is at or above
        # the view's top edge.
        top = self.verticalScrollBar().value() + GAP
        page = max(0, bisect_right(self._tops, top) - 1)
        height = self._sizes[page][1] or 1.0
        y = (top - self._tops[page]) / self._ppx()
        fraction = max(0.0, min(0.999, y / height))
        return ViewPlace(self._zoom, self._fit_mode or "", page + fraction)

    def restore_place(self, place: ViewPlace) -> None:
        """Go back to a place from `place()`: the zoom (or fit mode), then the page."""
        if place.fit in ("width", "page"):
            self._fit_mode = place.fit
            self._apply_zoom(self._fit_zoom(place.fit))
        else:
            self.set_zoom(place.zoom)
        page = max(0, min(int(place.position), self._count - 1)) if self._count else 0
        if self._count:
            self.go_to_page(page, (place.position - int(place.position)) * self._sizes[page][1])

    def zoom_in(self) -> None:
        bigger = [z for z in ZOOM_STEPS if z > self._zoom + 1e-6]
        self.set_zoom(bigger[0] if bigger else MAX_ZOOM)

    def zoom_out(self) -> None:
        smaller = [z for z in ZOOM_STEPS if z < self._zoom - 1e-6]
        self.set_zoom(smaller[-1] if smaller else MIN_ZOOM)

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def fit_width(self) -> None:
        self._fit_mode = "width"
        self._apply_zoom(self._fit_zoom("width"))

    def fit_page(self) -> None:
        self._fit_mode = "page"
        self._apply_zoom(self._fit_zoom("page"))
        self.go_to_page(self._current)

    def go_to_page(self, page: int, y: float = 0.0) -> None:
        """Scroll so that point `y` of `page` (0-based) is at the top of the view."""
        if not self._count:
            return
        page = max(0, min(int(page), self._count - 1))
        ppx = self._ppx()
        target = self._tops[page] + max(0.0, float(y)) * ppx - (GAP if y <= 0 else GAP / 2)
        bar = self.verticalScrollBar()
        value = max(bar.minimum(), min(bar.maximum(), round(target)))
        self._pinned_scroll = value
        bar.setValue(value)
        self._set_current(page)
        self.viewport().update()

    def map_from_page(self, page: int, x: float, y: float) -> QPoint:
        """Viewport pixel position of point (x, y), in points, of `page` (for tests and tools)."""
        p = self._page_to_view(page, x, y)
        return QPoint(round(p.x()), round(p.y()))

    def page_rect_in_view(self, page: int) -> QRectF:
        return self._page_view_rect(page)

    def visible_pages(self) -> list[int]:
        if not self._count:
            return []
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        first = max(0, bisect_right(self._tops, top) - 1)
        pages = []
        for p in range(first, self._count):
            if self._tops[p] > bottom:
                break
            if self._tops[p] + self._page_h(p) >= top:
                pages.append(p)
        return pages

    # -- selection API -------------------------------------------------------------------------

    def text_ready(self) -> None:
        """The document's whole text was read (on a worker): the page offsets are known now."""
        self._text_offsets = None

    def has_selection(self) -> bool:
        return self._sel_range_pos() is not None

    def _sel_range_pos(self) -> tuple[Pos, Pos] | None:
        if self._sel_anchor is None or self._sel_focus is None:
            return None
        a, b = sorted((self._sel_anchor, self._sel_focus))
        return a, b

    def selection_range(self) -> tuple[int, int] | None:
        """(start, end) offsets of the selection in the document's normalized text."""
        rng = self._sel_range_pos()
        if rng is None:
            return None
        (p0, i0), (p1, i1) = rng
        start = self.backend.page_text_offset(p0) + i0
        end = self.backend.page_text_offset(p1) + i1 + 1
        return start, end

    def selection_pages(self) -> list[tuple[int, int, int]]:
        """The selection per page: (page, start, end) char ranges in each page's text."""
        rng = self._sel_range_pos()
        if rng is None:
            return []
        (p0, i0), (p1, i1) = rng
        out = []
        for p in range(p0, p1 + 1):
            n = len(self.backend.page_text(p))
            s = i0 if p == p0 else 0
            e = i1 + 1 if p == p1 else n
            if e > s:
                out.append((p, s, e))
        return out

    def selected_text(self) -> str:
        rng = self._sel_range_pos()
        if rng is None:
            return ""
        (p0, i0), (p1, i1) = rng
        parts = []
        for p in range(p0, p1 + 1):
            text = self.backend.page_text(p)
            s = i0 if p == p0 else 0
            e = i1 + 1 if p == p1 else len(text)
            parts.append(text[s:e])
        return "\n\n".join(parts)

    def copy_selection(self) -> bool:
        text = self.selected_text()
        if not text:
            return False
        QGuiApplication.clipboard().setText(text)
        return True

    def clear_selection(self) -> None:
        if self._sel_anchor is not None or self._sel_focus is not None:
            self._sel_anchor = self._sel_focus = None
            self.viewport().update()
            self.selection_changed.emit()

    def select_range(self, page: int, start: int, end: int) -> None:
        """Select page_text(page)[start:end] (used by tools and tests)."""
        if end <= start:
            self.clear_selection()
            return
        self._sel_anchor = (page, start)
        self._sel_focus = (page, end - 1)
        self.viewport().update()
        self.selection_changed.emit()

    def set_highlights(self, items: Sequence[tuple[int, Sequence[Rect], Any]]) -> None:
        """Annotation overlays: (page, rects in points, colour as QColor or '#rrggbb')."""
        self._highlights = {}
        for page, rects, colour in items:
            c = QColor(colour)
            if c.alpha() == 255:
                c.setAlpha(90)
            self._highlights.setdefault(int(page), []).append((list(rects), c))
        self.viewport().update()

    # -- annotation overlays ---------------------------------------------------------------------

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Draw these annotations (all others are removed); orphans are not drawn.

        Each one is drawn per line from its `rects`, in its colour, translucent; a later one in
        the sequence is drawn over an earlier one and wins `annotation_at`. An annotation
        stored without rects is drawn where its anchor's start/end lie in the text layer.

        Cheap even for thousands of annotations: they are only sorted into pages here; line
        geometry is built (and missing rects computed) when a page is painted or looked at.
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
        if self._flash.annotation_id is not None and self._flash.annotation_id not in drawn:
            self._flash.stop()
        self._marker_bar.invalidate()
        self.viewport().update()

    def annotation_ids(self) -> list[str]:
        """Ids of the annotations drawn (orphans and annotations with no place left out)."""
        return list(self._annotations)

    def annotation_at(self, pos: QPoint | QPointF) -> str | None:
        """Id of the topmost annotation drawn at `pos` (viewport coordinates), or None."""
        if not self._ids_by_page:
            return None
        page, x, y = self._view_to_page(QPointF(pos))
        if page < 0 or page not in self._ids_by_page:
            return None
        slack = 1.0 / self._ppx()  # one pixel, so the edge of a line still counts
        for mark in reversed(self._marks_for_page(page)):
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

    @property
    def selected_annotation(self) -> str | None:
        return self._selected_annotation

    def select_annotation(self, annotation_id: str | None) -> None:
        """Draw this annotation as the selected one (None: no selection); never scrolls."""
        if annotation_id != self._selected_annotation:
            self._selected_annotation = annotation_id
            self.viewport().update()

    @property
    def flashing_annotation(self) -> str | None:
        """Id of the annotation being flashed by show_annotation, None once the flash is over."""
        return self._flash.annotation_id

    def annotation_view_rects(self, annotation_id: str) -> list[tuple[int, QRectF]]:
        """(page, rect in viewport pixels) of each line of the annotation (tests, tools)."""
        out = []
        for mark in self._marks_of(annotation_id):
            origin = self._page_view_rect(mark.page)
            out.extend((mark.page, self._qrect_to_view(r, origin)) for r in mark.rects)
        return out

    def show_annotation(self, annotation_id: str) -> bool:
        """Scroll the annotation's first line group to the middle of the view and flash it."""
        mark = next(iter(self._marks_of(annotation_id)), None)
        if mark is None:
            return False
        page = mark.page
        ppx = self._ppx()
        y0 = self._tops[page] + mark.bbox.top() * ppx
        y1 = self._tops[page] + mark.bbox.bottom() * ppx
        bar = self.verticalScrollBar()
        vh = self.viewport().height()
        value = round((y0 + y1) / 2 - vh / 2)
        value = max(bar.minimum(), min(bar.maximum(), value))
        self._pinned_scroll = value
        bar.setValue(value)
        hbar = self.horizontalScrollBar()
        if hbar.maximum() > 0:
            x0 = self._page_left(page) + mark.bbox.left() * ppx
            x1 = self._page_left(page) + mark.bbox.right() * ppx
            vw = self.viewport().width()
            if x0 < hbar.value() or x1 > hbar.value() + vw:
                hbar.setValue(max(0, min(hbar.maximum(), round(x0 - vw / 4))))
        self._set_current(page)
        self._flash.start(annotation_id)
        self.viewport().update()
        return True

    # annotation geometry, built lazily

    def _annotation_pages(self, a: Annotation) -> Sequence[int]:
        """Pages the annotation is drawn on (ascending), without building any geometry."""
        count = self._count
        rects = a.rects
        if rects:
            page = rects[0].page
            if len(rects) == 1 or all(pr.page == page for pr in rects):  # the common case
                ok = 0 <= page < count and any(pr.x1 > pr.x0 and pr.y1 > pr.y0 for pr in rects)
                return (page,) if ok else ()
            return sorted(
                {
                    pr.page
                    for pr in rects
                    if 0 <= pr.page < count and pr.x1 > pr.x0 and pr.y1 > pr.y0
                }
            )
        start, end = a.anchor.start, a.anchor.end
        if end <= start or not count:
            return ()
        offsets = self._page_offsets()
        first = max(0, bisect_right(offsets, start) - 1)
        last = max(first, min(count - 1, bisect_right(offsets, end - 1) - 1))
        return (first,) if first == last else range(first, last + 1)

    def _page_offsets(self) -> list[int]:
        """Offset of each page's text in the document's normalized text (asked once)."""
        if self._text_offsets is None:
            self._text_offsets = [self.backend.page_text_offset(p) for p in range(self._count)]
        return self._text_offsets

    def _rects_on_page(self, a: Annotation, page: int) -> Iterable[PageRect]:
        """The annotation's line rects on this page: stored ones, else computed (and kept)."""
        if a.rects:
            return (pr for pr in a.rects if pr.page == page and pr.x1 > pr.x0 and pr.y1 > pr.y0)
        key = (a.anchor.start, a.anchor.end)
        entry = self._computed_rects.get(a.id)
        if entry is None or entry[0] != key:
            entry = self._computed_rects[a.id] = (key, {})
        rects = entry[1].get(page)
        if rects is None:
            # only this page's part of the range, so a long annotation costs one page at a time
            offsets = self._page_offsets()
            lo = max(key[0], offsets[page])
            hi = key[1]
            if page + 1 < self._count:
                hi = min(hi, offsets[page + 1])
            found = range_rects(self.backend, lo, hi)[1] if hi > lo else ()
            rects = entry[1][page] = tuple(pr for pr in found if pr.page == page)
        return rects

    def _annotation_colours(self, a: Annotation) -> tuple[QColor, QColor]:
        key = (a.color, str(a.kind))
        colours = self._colours.get(key)
        if colours is None:
            colour = annotation_colour(a)
            colours = self._colours[key] = (colour, overlay_fill(colour))
        return colours

    def _mark(self, a: Annotation, page: int) -> _PageMark | None:
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
        return _PageMark(a.id, page, rects, bbox, colour, fill)

    def _marks_for_page(self, page: int) -> list[_PageMark]:
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

    def _marks_of(self, annotation_id: str) -> Iterable[_PageMark]:
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

    def _marker_positions(self) -> list[tuple[float, QColor]]:
        """One tick per annotation and page, from stored rects or the anchor's text position."""
        total = self._content_h
        if total <= 0 or not self._annotations:
            return []
        ppx = self._ppx()
        tops, sizes, count = self._tops, self._sizes, self._count
        colours = self._annotation_colours
        out = []
        for a in self._annotations.values():
            colour = colours(a)[0]
            rects = a.rects
            if rects:
                pages = self._pages_of[a.id]
                if len(pages) == 1:
                    page = pages[0]
                    y = min(pr.y0 for pr in rects if pr.x1 > pr.x0 and pr.y1 > pr.y0)
                    out.append(((tops[page] + y * ppx) / total, colour))
                    continue
                first: dict[int, float] = {}
                for pr in rects:
                    if 0 <= pr.page < count and pr.x1 > pr.x0 and pr.y1 > pr.y0:
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
                offsets = self._page_offsets()
                base = offsets[page]
                if page + 1 < count:
                    length = offsets[page + 1] - base
                else:
                    length = len(self.backend.page_text(page)) + 2
                y = sizes[page][1] * min(1.0, max(0, start - base) / max(1, length))
            out.append(((tops[page] + y * ppx) / total, colour))
        out.sort(key=lambda item: item[0])
        return out

    def _qrect_to_view(self, rect: QRectF, origin: QRectF) -> QRectF:
        ppx = self._ppx()
        return QRectF(
            origin.x() + rect.x() * ppx,
            origin.y() + rect.y() * ppx,
            rect.width() * ppx,
            rect.height() * ppx,
        )

    def _paint_annotations(self, painter: QPainter, page: int, origin: QRectF) -> None:
        if page not in self._ids_by_page:
            return
        marks = self._marks_for_page(page)
        if not marks:
            return
        ppx = self._ppx()
        # the part of the page inside the viewport, in points: marks outside it are skipped
        vis_top = -origin.y() / ppx
        vis_bottom = (self.viewport().height() - origin.y()) / ppx
        selected = self._selected_annotation
        flash_id = self._flash.annotation_id
        special: list[_PageMark] = []
        marker_x = origin.x() + 3
        painter.setPen(Qt.PenStyle.NoPen)
        for mark in marks:
            box = mark.bbox
            if box.bottom() < vis_top or box.top() > vis_bottom:
                continue
            for r in mark.rects:
                painter.fillRect(self._qrect_to_view(r, origin), mark.fill)
            # a small marker in the page's left margin beside the line group
            painter.fillRect(
                QRectF(marker_x, origin.y() + box.top() * ppx, 3, max(2.0, box.height() * ppx)),
                mark.colour,
            )
            if mark.id == selected or mark.id == flash_id:
                special.append(mark)
        for mark in special:
            rects = [self._qrect_to_view(r, origin) for r in mark.rects]
            if mark.id == flash_id and self._flash.level > 0:
                glow = QColor(mark.colour)
                glow.setAlpha(round(150 * self._flash.level))
                for r in rects:
                    painter.fillRect(r.adjusted(-2, -2, 2, 2), glow)
            if mark.id == selected:
                painter.setBrush(Qt.BrushStyle.NoBrush)
                painter.setPen(QPen(mark.colour.darker(170), 2))
                painter.drawPath(outline_path(rects))
                painter.setPen(Qt.PenStyle.NoPen)

    # -- find ----------------------------------------------------------------------------------

    def find(self, needle: str) -> int:
        """Highlight every match of `needle`, go to the first; return how many there are.

        Case is ignored and any run of whitespace in `needle` matches any run of spaces or
        line breaks. The search runs over the document's normalized text (computed once),
        so a match's boxes are only looked up for pages that get painted.
        """
        self._matches = []
        self._matches_by_page = {}
        self._match_rects = {}
        self._match_index = -1
        self._needle = needle
        words = needle.split()
        if words and self._count:
            pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
            text = self.backend.text
            offsets = [self.backend.page_text_offset(p) for p in range(self._count)]
            for m in pattern.finditer(text):
                start, end = m.start(), m.end()
                segments = []
                page = max(0, bisect_right(offsets, start) - 1)
                while page < self._count and offsets[page] < end:
                    n = len(self.backend.page_text(page))
                    s0 = max(start - offsets[page], 0)
                    e0 = min(end - offsets[page], n)
                    if e0 > s0:
                        segments.append((page, s0, e0))
                    page += 1
                if segments:
                    self._matches.append(segments)
        for i, segments in enumerate(self._matches):
            for page, s0, e0 in segments:
                self._matches_by_page.setdefault(page, []).append((i, s0, e0))
        if self._matches:
            # the first match at or after the current page, as readers do
            self._match_index = next(
                (i for i, segs in enumerate(self._matches) if segs[0][0] >= self._current), 0
            )
            self._show_match()
        self.viewport().update()
        return len(self._matches)

    def find_next(self) -> int:
        """Go to the next match (wrapping); return its 1-based index, 0 when there is none."""
        if not self._matches:
            return 0
        self._match_index = (self._match_index + 1) % len(self._matches)
        self._show_match()
        return self._match_index + 1

    def find_previous(self) -> int:
        """Go to the previous match (wrapping); return its 1-based index, 0 when none."""
        if not self._matches:
            return 0
        self._match_index = (self._match_index - 1) % len(self._matches)
        self._show_match()
        return self._match_index + 1

    def clear_find(self) -> None:
        self._matches = []
        self._matches_by_page = {}
        self._match_rects = {}
        self._match_index = -1
        self._needle = ""
        self.viewport().update()

    def match_rects(self, index: int) -> list[tuple[int, list[Rect]]]:
        """(page, rects in points) of the 0-based match `index`."""
        out = []
        for page, s0, e0 in self._matches[index]:
            key = (index, page)
            rects = self._match_rects.get(key)
            if rects is None:
                rects = self._line_rects(page, s0, e0)
                self._match_rects[key] = rects
            out.append((page, rects))
        return out

    def _show_match(self) -> None:
        parts = [(p, rects) for p, rects in self.match_rects(self._match_index) if rects]
        page = self._matches[self._match_index][0][0]
        ppx = self._ppx()
        if parts:
            page = parts[0][0]
            y0 = min(r.y0 for r in parts[0][1]) * ppx + self._tops[page]
            y1 = max(r.y1 for r in parts[0][1]) * ppx + self._tops[page]
        else:
            y0 = y1 = self._tops[page]
        bar = self.verticalScrollBar()
        top, h = bar.value(), self.viewport().height()
        if y0 < top or y1 > top + h:
            value = round((y0 + y1) / 2 - h / 3)
            value = max(bar.minimum(), min(bar.maximum(), value))
            self._pinned_scroll = value
            bar.setValue(value)
        self._set_current(page)
        self.viewport().update()

    # -- geometry ------------------------------------------------------------------------------

    def _ppx(self) -> float:
        """Logical pixels per point."""
        return self._zoom * POINTS_TO_PIXELS

    def _page_w(self, page: int) -> float:
        return self._sizes[page][0] * self._ppx()

    def _page_h(self, page: int) -> float:
        return self._sizes[page][1] * self._ppx()

    def _load_sizes(self) -> None:
        if self._sizes_exact:
            return
        self._sizes = [self.backend.page_size(p) for p in range(self._count)]
        self._sizes_exact = True

    def _load_sizes_later(self) -> None:
        if self._sizes_exact:
            return
        anchor = self._view_anchor(QPointF(0, 0))
        self._load_sizes()
        self._relayout()
        if anchor is not None:
            self._restore_anchor(anchor, QPointF(0, 0))
        self.viewport().update()

    def _relayout(self) -> None:
        ppx = self._ppx()
        tops = []
        y = float(MARGIN)
        maxw = 0.0
        for w, h in self._sizes:
            tops.append(y)
            y += h * ppx + GAP
            maxw = max(maxw, w * ppx)
        self._tops = tops
        self._content_h = y - GAP + MARGIN if self._sizes else 0.0
        self._content_w = maxw + 2 * MARGIN
        self._update_scrollbars()
        if self._annotations:
            self._marker_bar.invalidate()

    def _update_scrollbars(self) -> None:
        vw, vh = self.viewport().width(), self.viewport().height()
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        vbar.setRange(0, max(0, round(self._content_h - vh)))
        vbar.setPageStep(max(1, vh - 2 * GAP))
        vbar.setSingleStep(40)
        hbar.setRange(0, max(0, round(self._content_w - vw)))
        hbar.setPageStep(max(1, vw))
        hbar.setSingleStep(40)

    def _page_left(self, page: int) -> float:
        """Content x of the page's left edge (pages centred)."""
        width = max(float(self.viewport().width()), self._content_w)
        return max(float(MARGIN), (width - self._page_w(page)) / 2)

    def _page_view_rect(self, page: int) -> QRectF:
        x = self._page_left(page) - self.horizontalScrollBar().value()
        y = self._tops[page] - self.verticalScrollBar().value()
        return QRectF(x, y, self._page_w(page), self._page_h(page))

    def _page_to_view(self, page: int, x: float, y: float) -> QPointF:
        r = self._page_view_rect(page)
        ppx = self._ppx()
        return QPointF(r.x() + x * ppx, r.y() + y * ppx)

    def _rect_to_view(self, page: int, rect: Rect, origin: QRectF) -> QRectF:
        ppx = self._ppx()
        return QRectF(
            origin.x() + rect.x0 * ppx,
            origin.y() + rect.y0 * ppx,
            (rect.x1 - rect.x0) * ppx,
            (rect.y1 - rect.y0) * ppx,
        )

    def _view_to_page(self, pos: QPointF, *, nearest: bool = False) -> tuple[int, float, float]:
        """(page, x, y in points) under the viewport position; page -1 when in a gap."""
        if not self._count:
            return -1, 0.0, 0.0
        cy = pos.y() + self.verticalScrollBar().value()
        page = max(0, min(self._count - 1, bisect_right(self._tops, cy) - 1))
        if nearest and page + 1 < self._count:
            bottom = self._tops[page] + self._page_h(page)
            if cy > bottom and cy - bottom > self._tops[page + 1] - cy:
                page += 1
        r = self._page_view_rect(page)
        ppx = self._ppx()
        x, y = (pos.x() - r.x()) / ppx, (pos.y() - r.y()) / ppx
        if not nearest and not r.contains(pos):
            return -1, x, y
        return page, x, y

    def _view_anchor(self, pos: QPointF) -> tuple[int, float, float] | None:
        if not self._count:
            return None
        page, x, y = self._view_to_page(pos, nearest=True)
        return page, x, y

    def _restore_anchor(self, anchor: tuple[int, float, float], pos: QPointF) -> None:
        page, x, y = anchor
        ppx = self._ppx()
        cy = self._tops[page] + y * ppx
        cx = self._page_left(page) + x * ppx
        vbar, hbar = self.verticalScrollBar(), self.horizontalScrollBar()
        value = round(cy - pos.y())
        self._pinned_scroll = max(vbar.minimum(), min(vbar.maximum(), value))
        vbar.setValue(self._pinned_scroll)
        hbar.setValue(round(cx - pos.x()))

    # -- zoom ----------------------------------------------------------------------------------

    def _fit_zoom(self, mode: str) -> float:
        if not self._count:
            return 1.0
        w, h = self._sizes[self._current]
        avail_w = max(50, self.viewport().width() - 2 * MARGIN)
        avail_h = max(50, self.viewport().height() - 2 * GAP)
        z = avail_w / (w * POINTS_TO_PIXELS)
        if mode == "page":
            z = min(z, avail_h / (h * POINTS_TO_PIXELS))
        return z

    def _apply_zoom(self, value: float, anchor: QPointF | None = None) -> None:
        value = max(MIN_ZOOM, min(MAX_ZOOM, float(value)))
        if abs(value - self._zoom) < 1e-4:
            return
        pos = anchor if anchor is not None else QPointF(self.viewport().width() / 2, 0)
        keep = self._view_anchor(pos)
        self._zoom = value
        self._relayout()
        if keep is not None:
            self._restore_anchor(keep, pos)
        self.viewport().update()
        self.zoom_changed.emit(self._zoom)
        self._emit_status()

    # -- scrolling and current page ------------------------------------------------------------

    def _on_scrolled(self, _value: int = 0) -> None:
        if self._pinned_scroll is None or self.verticalScrollBar().value() != self._pinned_scroll:
            self._pinned_scroll = None
            self._set_current(self._page_most_visible())
        self.viewport().update()

    def _page_most_visible(self) -> int:
        top = self.verticalScrollBar().value()
        bottom = top + self.viewport().height()
        best, best_h = self._current, -1.0
        for p in self.visible_pages():
            h = min(bottom, self._tops[p] + self._page_h(p)) - max(top, self._tops[p])
            if h > best_h + 0.5:
                best, best_h = p, h
        return best

    def _set_current(self, page: int) -> None:
        if page != self._current:
            self._current = page
            self.page_changed.emit(page)
        self._emit_status()

    def _emit_status(self) -> None:
        text = self.status_text()
        if text != self._last_status:
            self._last_status = text
            self.status_changed.emit(text)

    # -- rendering -----------------------------------------------------------------------------

    def _device_scale(self, page: int) -> float:
        dpr = self.viewport().devicePixelRatioF() or 1.0
        scale = self._ppx() * dpr
        w, h = self._sizes[page]
        pixels = w * h * scale * scale
        if pixels > MAX_RENDER_PIXELS:
            scale *= (MAX_RENDER_PIXELS / pixels) ** 0.5
        return round(scale, 4)

    def _wanted_pages(self) -> list[int]:
        visible = self.visible_pages()
        if not visible:
            return []
        extra = [p for p in (visible[-1] + 1, visible[0] - 1) if 0 <= p < self._count]
        return visible + extra

    def _pixmap(self, page: int, scale: float) -> QImage | None:
        key = (page, scale)
        image = self._cache.get(key)
        if image is not None:
            self._cache.move_to_end(key)
        return image

    def _fallback_pixmap(self, page: int) -> QImage | None:
        best: QImage | None = None
        best_scale = -1.0
        for (p, s), image in self._cache.items():
            if p == page and s > best_scale:
                best, best_scale = image, s
        return best

    def _render_next(self) -> None:
        visible = set(self.visible_pages())
        todo = [p for p in self._wanted_pages() if (p, self._device_scale(p)) not in self._cache]
        if not todo:
            return
        page = todo[0]
        self._render(page, self._device_scale(page))
        if page in visible:
            self.viewport().update()
        if len(todo) > 1:
            # Visible pages next at once; neighbours after a pause, so the paint of what
            # was just rendered comes first.
            self._render_timer.start(0 if todo[1] in visible else 15)

    def _render(self, page: int, scale: float) -> None:
        """Render the page into the cache as a 32-bit QImage (Format_RGB32).

        RGB32 is what the raster backing store holds, so painting the page is a plain copy
        of the visible rows (see _blit_origin); the backend's RGB888 is converted once,
        here. (Painting RGB888 directly was measured: Qt then converts on every paint, on
        its thread pool, which costs about this one conversion for a page painted once,
        more on a busy machine, and again on every later paint; and it has no fast path to
        scale RGB888.) QImage or QPixmap makes no difference on the raster paint engine; a
        QImage is converted in one call.
        """
        try:
            w, h, stride, data = self.backend.render(page, scale)
        except PageTooComplex:
            self.too_complex_pages.add(page)
            image = self._too_complex_image(page, scale)
        except Exception:  # noqa: BLE001 - a page MuPDF cannot draw stays a blank page
            image = QImage(1, 1, QImage.Format.Format_RGB32)
            image.fill(Qt.GlobalColor.white)
        else:
            # One pass from MuPDF's RGB888 samples (no copy made) into a 32-bit image that
            # owns its pixels; the samples are released at once.
            image = QImage(data, w, h, stride, QImage.Format.Format_RGB888).convertToFormat(
                QImage.Format.Format_RGB32
            )
            del data
        self.rendered_pages += 1
        dpr = self.viewport().devicePixelRatioF() or 1.0
        image.setDevicePixelRatio(dpr)
        key = (page, scale)
        old = self._cache.pop(key, None)
        if old is not None:
            self._cache_bytes -= old.sizeInBytes()
        self._cache[key] = image
        self._cache_bytes += image.sizeInBytes()
        self._evict()

    def _too_complex_image(self, page: int, scale: float) -> QImage:
        """The placeholder of a page over budget: its size, grey, and the one sentence."""
        pw, ph = self._sizes[page]  # points; `scale` is device pixels per point
        w, h = max(1, int(pw * scale)), max(1, int(ph * scale))
        image = QImage(w, h, QImage.Format.Format_RGB32)
        image.fill(self.palette().color(QPalette.ColorRole.Midlight))
        painter = QPainter(image)
        font = painter.font()
        font.setPixelSize(max(8, int(12 * scale)))
        painter.setFont(font)
        painter.setPen(self.palette().color(QPalette.ColorRole.Text))
        painter.drawText(
            QRect(0, 0, w, h),
            int(Qt.AlignmentFlag.AlignCenter | Qt.TextFlag.TextWordWrap),
            f"{TOO_COMPLEX}.",
        )
        painter.end()
        return image

    def _evict(self) -> None:
        keep = set(self._wanted_pages())
        for key in list(self._cache):
            if self._cache_bytes <= self.cache_limit_bytes:
                break
            if key[0] in keep and key[1] == self._device_scale(key[0]):
                continue
            image = self._cache.pop(key)
            self._cache_bytes -= image.sizeInBytes()

    # -- painting ------------------------------------------------------------------------------

    def _blit_origin(self, r: QRectF, image: QImage, dpr: float) -> QPointF | None:
        """Where to draw `image` one image pixel to one device pixel over the page rect `r`
        (its top-left rounded to the device pixel grid), or None when the image is not the
        page's size on the device (a fallback at another zoom, a capped or a blank page):
        then it is drawn scaled into `r`. A page rendered at the device scale is at most a
        pixel bigger than `r` (MuPDF rounds the page's bounds outward), so it covers `r`."""
        if (
            abs(image.width() - r.width() * dpr) > 1.0
            or abs(image.height() - r.height() * dpr) > 1.0
        ):
            return None
        return QPointF(round(r.x() * dpr) / dpr, round(r.y() * dpr) / dpr)

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self.viewport())
        pal = self.palette()
        dpr = self.viewport().devicePixelRatioF() or 1.0
        missing = False
        painted_real = False
        rendered_inline = False
        # What each visible page shows: its image at the device scale, rendered here if it is
        # missing (one per paint), else the nearest other zoom's image, else white.
        plan: list[tuple[int, QRectF, QImage | None, QPointF | None]] = []
        background = QRegion(event.rect())
        for page in self.visible_pages():
            r = self._page_view_rect(page)
            image = self._pixmap(page, self._device_scale(page))
            if image is None and not rendered_inline:
                # One missing page per paint is rendered right here: a placeholder frame
                # first would only delay what the user waits for (the first page at start,
                # the next page while scrolling). Any others follow on the next turns, so
                # input is still handled between pages.
                rendered_inline = True
                self._render(page, self._device_scale(page))
                image = self._pixmap(page, self._device_scale(page))
            if image is not None:
                painted_real = True
            else:
                missing = True
                image = self._fallback_pixmap(page)
            origin = None if image is None else self._blit_origin(r, image, dpr)
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
        mid = pal.color(QPalette.ColorRole.Mid)
        window = pal.color(QPalette.ColorRole.Window)
        for rect in background:
            if mid.alpha() < 255:
                # the viewport paints opaquely (WA_OpaquePaintEvent): nothing is under it
                painter.fillRect(rect, window)
            painter.fillRect(rect, mid)
        key = (mid.rgba(), window.rgba())
        frame = self._frame_colours.get(key)
        if frame is None:
            frame = self._frame_colours[key] = frame_colour(mid, window)
        sel = self._sel_range_pos()
        sel_colour = QColor(pal.color(QPalette.ColorRole.Highlight))
        sel_colour.setAlpha(100)
        for page, r, image, origin in plan:
            if image is None:
                painter.fillRect(r, QColor(Qt.GlobalColor.white))
            elif origin is not None:
                painter.drawImage(origin, image)
            else:
                painter.drawImage(r, image, QRectF(image.rect()))
            _frame(painter, r, frame)
            for rects, colour in self._highlights.get(page, ()):
                for rect in rects:
                    painter.fillRect(self._rect_to_view(page, rect, r), colour)
            self._paint_annotations(painter, page, r)
            for index, s0, e0 in self._matches_by_page.get(page, ()):
                current = index == self._match_index
                colour = QColor(255, 140, 0, 150) if current else QColor(255, 230, 0, 110)
                key = (index, page)
                rects = self._match_rects.get(key)
                if rects is None:
                    rects = self._match_rects[key] = self._line_rects(page, s0, e0)
                for rect in rects:
                    painter.fillRect(self._rect_to_view(page, rect, r), colour)
            if sel is not None and sel[0][0] <= page <= sel[1][0]:
                (p0, i0), (p1, i1) = sel
                start = i0 if page == p0 else 0
                end = i1 + 1 if page == p1 else len(self.backend.page_text(page))
                for rect in self._line_rects(page, start, end):
                    painter.fillRect(self._rect_to_view(page, rect, r), sel_colour)
        painter.end()
        if missing:
            # A visible page is missing: render it on the next turn, even if a slower timer
            # for the neighbours is pending.
            self._render_timer.start(0)
        elif not self._render_timer.isActive():
            self._render_timer.start(15)  # neighbours, if any are missing
        if painted_real and not self.has_painted:
            self.has_painted = True
            self.first_page_painted.emit()
            if not self._sizes_exact:
                QTimer.singleShot(0, self._load_sizes_later)

    def _line_rects(self, page: int, start: int, end: int) -> list[Rect]:
        return self.backend.range_rects(page, start, end)

    # -- hit testing ---------------------------------------------------------------------------

    def _has_text(self, page: int) -> bool:
        probe = getattr(self.backend, "has_text_layer", None)
        if probe is not None:
            return bool(probe(page))
        return bool(self.backend.page_text(page).strip())

    def _link_at(self, pos: QPointF) -> Link | None:
        page, x, y = self._view_to_page(pos)
        if page < 0:
            return None
        for link in self.backend.page_links(page):
            r = link.rect
            if r.x0 <= x <= r.x1 and r.y0 <= y <= r.y1:
                return link
        return None

    def _char_at(self, page: int, x: float, y: float, *, exact: bool = False) -> int | None:
        """Index of the char of `page` at (x, y) points; the nearest one unless `exact`."""
        chars: list[Char] = self.backend.page_chars(page)
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

    def _pos_at(self, pos: QPointF) -> Pos | None:
        page, x, y = self._view_to_page(pos, nearest=True)
        if page < 0 or not self._has_text(page):
            return None
        idx = self._char_at(page, x, y)
        return None if idx is None else (page, idx)

    # -- mouse and keys ------------------------------------------------------------------------

    def _span_between(self, a: Pos, b: Pos, unit: str) -> tuple[Pos, Pos]:
        """The selection from the character at `a` to the one at `b` (either order), grown to
        whole words or lines and without whitespace at its ends (inclusive positions)."""
        (p0, i0), (p1, i1) = sorted((a, b))
        if unit == "char":
            return (p0, i0), (p1, i1)
        first, last = self.backend.page_text(p0), self.backend.page_text(p1)
        grow = text_units.line_at if unit == "line" else text_units.word_at
        start = grow(first, i0)[0]
        end = grow(last, i1)[1] - 1
        if p0 == p1:
            start, end_excl = text_units.trim(first, start, end + 1)
            return (p0, start), (p1, max(start, end_excl - 1))
        start = text_units.trim(first, start, len(first))[0]
        end = text_units.trim(last, 0, end + 1)[1] - 1
        return (p0, start), (p1, max(end, 0))

    def _select_span(self, span: tuple[Pos, Pos]) -> None:
        if (self._sel_anchor, self._sel_focus) != span:
            self._sel_anchor, self._sel_focus = span
            self.viewport().update()
            self.selection_changed.emit()

    def _is_triple_click(self, event: QMouseEvent) -> bool:
        return (
            self._double_clicked.isValid()
            and self._double_clicked.elapsed() < QApplication.doubleClickInterval()
            and (event.position().toPoint() - self._double_click_pos).manhattanLength()
            < QApplication.startDragDistance()
        )

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            super().mousePressEvent(event)
            return
        self.setFocus(Qt.FocusReason.MouseFocusReason)
        pos = event.position()
        self._press_pos = event.position().toPoint()
        self._dragged = False
        self._press_link = self._link_at(pos)
        self._press_annotation = self.annotation_at(pos)
        if self._word_click:
            self._word_click = False
        self._pressing = True
        page, _x, _y = self._view_to_page(pos)
        if page >= 0 and not self._has_text(page):
            self._sel_anchor = None
            if self._sel_focus is not None:
                self.clear_selection()
            if self._press_link is None:
                self.message.emit(NO_TEXT_LAYER_MESSAGE)
            return
        modifiers = event.modifiers()
        hit = self._pos_at(pos)
        if self._is_triple_click(event) and hit is not None:
            self._double_clicked.invalidate()
            self._origin, self._unit = hit, "line"
            self._select_span(self._span_between(hit, hit, "line"))
            self._word_click = True  # the release leaves it selected
            self._dragged = True
            event.accept()
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier and hit is not None:
            rng = self._sel_range_pos()
            if rng is not None:  # Shift+click extends the selection to the word clicked
                if self._origin is None or not (rng[0] <= self._origin <= rng[1]):
                    self._origin = rng[0] if hit >= rng[0] else rng[1]
                self._select_span(self._span_between(self._origin, hit, self._unit))
                self._dragged = True
                self._press_annotation = self._press_link = None
                event.accept()
                return
        self._unit = "char" if modifiers & Qt.KeyboardModifier.AltModifier else "word"
        self._origin = hit
        self._sel_anchor = hit
        if self._sel_focus is not None:
            self._sel_focus = None
            self.viewport().update()
            self.selection_changed.emit()
        event.accept()

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        pos = event.position()
        if not self._pressing:
            self._update_cursor(pos)
            return
        if not self._dragged:
            moved = (event.position().toPoint() - self._press_pos).manhattanLength()
            if moved < QApplication.startDragDistance():
                return
            self._dragged = True
        if self._origin is None:
            return
        self._autoscroll(pos)
        focus = self._pos_at(pos)
        if focus is not None:
            self._select_span(self._span_between(self._origin, focus, self._unit))
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseReleaseEvent(event)
            return
        was_pressing = self._pressing
        self._pressing = False
        if not was_pressing:
            return
        if self._word_click:
            self._word_click = False
            return
        if not self._dragged and self._press_link is not None:
            link = self._press_link
            self._press_link = None
            self._press_annotation = None
            if link.uri:
                self.link_activated.emit(link.uri)
            elif link.page >= 0:
                self.go_to_page(link.page, link.y)
            return
        self._press_link = None
        clicked, self._press_annotation = self._press_annotation, None
        if (
            clicked is not None
            and not self._dragged
            and self.annotation_at(event.position()) == clicked
        ):
            self.annotation_clicked.emit(clicked)
        event.accept()

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        pos = event.position()
        page, x, y = self._view_to_page(pos)
        if page < 0:
            return
        if not self._has_text(page):
            self.message.emit(NO_TEXT_LAYER_MESSAGE)
            return
        idx = self._char_at(page, x, y, exact=True)
        if idx is None:
            idx = self._char_at(page, x, y)
        if idx is None:
            return
        # A drag that follows (the button still down) grows the selection word by word.
        self._origin, self._unit = (page, idx), "word"
        self._select_span(self._span_between((page, idx), (page, idx), "word"))
        self._double_clicked.start()
        self._double_click_pos = event.position().toPoint()
        self._word_click = True
        self._pressing = True
        self._dragged = True
        event.accept()

    def _update_cursor(self, pos: QPointF) -> None:
        if self._link_at(pos) is not None:
            shape = Qt.CursorShape.PointingHandCursor
        else:
            page, x, y = self._view_to_page(pos)
            over_text = (
                page >= 0
                and self._has_text(page)
                and self._char_at(page, x, y, exact=True) is not None
            )
            shape = Qt.CursorShape.IBeamCursor if over_text else Qt.CursorShape.ArrowCursor
        if self.viewport().cursor().shape() != shape:
            self.viewport().setCursor(shape)

    def _autoscroll(self, pos: QPointF) -> None:
        bar = self.verticalScrollBar()
        if pos.y() < 0:
            bar.setValue(bar.value() + round(pos.y()))
        elif pos.y() > self.viewport().height():
            bar.setValue(bar.value() + round(pos.y() - self.viewport().height()))

    def wheelEvent(self, event: QWheelEvent) -> None:  # noqa: N802 - Qt override
        if event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            steps = event.angleDelta().y() / 120.0
            if steps:
                factor = 1.15**steps
                self.set_zoom(self._zoom * factor, event.position())
            event.accept()
            return
        super().wheelEvent(event)

    def event(self, event: QEvent) -> bool:
        # Take Ctrl+C before a window-wide shortcut does, as QLineEdit does, when there is
        # something selected here.
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.matches(QKeySequence.StandardKey.Copy) and self.has_selection():
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        if event.matches(QKeySequence.StandardKey.Copy):
            self.copy_selection()
            event.accept()
            return
        if event.matches(QKeySequence.StandardKey.SelectAll):
            if self._count and self.backend.page_text(self._count - 1) is not None:
                last = self._count - 1
                self._sel_anchor = (0, 0)
                self._sel_focus = (last, max(0, len(self.backend.page_text(last)) - 1))
                self.viewport().update()
                self.selection_changed.emit()
            event.accept()
            return
        key = event.key()
        bar = self.verticalScrollBar()
        if key == Qt.Key.Key_Home and not event.modifiers():
            self.go_to_page(0)
        elif key == Qt.Key.Key_End and not event.modifiers():
            bar.setValue(bar.maximum())
        elif key == Qt.Key.Key_Escape:
            self.clear_selection()
        elif key == Qt.Key.Key_Space:
            step = bar.pageStep()
            shift = event.modifiers() & Qt.KeyboardModifier.ShiftModifier
            bar.setValue(bar.value() - step if shift else bar.value() + step)
        else:
            super().keyPressEvent(event)
            return
        event.accept()

    def resizeEvent(self, event: QResizeEvent) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        if self._fit_mode is not None:
            self._apply_zoom(self._fit_zoom(self._fit_mode))
        self._update_scrollbars()
        if self._count and self._pinned_scroll is None:
            self._set_current(self._page_most_visible())

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()

    def sizeHint(self) -> Any:
        hint = super().sizeHint()
        if self._count:
            hint.setWidth(round(self._content_w) + self.verticalScrollBar().sizeHint().width())
        return hint
