"""Overlay helpers both document views share: annotation colours, outlines, the flash, and the
scroll bar with a tick at each annotation's place.

Nothing here knows what kind of document is shown; each view hands in its own geometry.
"""

from __future__ import annotations

import inspect
import weakref
from collections.abc import Callable, Iterable
from itertools import chain
from typing import Any

from PySide6.QtCore import QEasingCurve, QEvent, QObject, QRect, QRectF, Qt, QVariantAnimation
from PySide6.QtGui import QColor, QMouseEvent, QPainter, QPainterPath, QPixmap
from PySide6.QtWidgets import QAbstractSlider, QScrollBar, QStyle, QStyleOptionSlider, QWidget

from reader.model import DEFAULT_COLORS, AnchorState, Annotation

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
