"""Continuous, lazily rendered view of a paged document (PDF, EPUB, XPS …): input and painting.

The view knows the document only through the PagedBackend protocol (reader.documents.base):
page sizes, text layer (page_text/page_chars), links, search and render(). Its other jobs are
parts of their own: page geometry and zoom arithmetic (pdf_layout), the rendered pages
(pdf_render_cache), find (pdf_find), the annotations over the pages (pdf_annotation_layer) and
the overlay helpers it shares with the article view (overlays).

Rendering happens on the UI thread, one page per event-loop turn, visible pages first and
their neighbours next. A worker thread would not help: PyMuPDF holds the GIL while it
rasterises (measured: a Python loop in another thread gets almost no time during
get_pixmap), so a render thread would stall the UI just the same, with shutdown and
thread-safety costs on top. One page per turn keeps input handling between pages.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QElapsedTimer, QEvent, QPoint, QPointF, QRectF, Qt, QTimer, Signal
from PySide6.QtGui import (
    QColor,
    QGuiApplication,
    QImage,
    QKeyEvent,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QRegion,
    QResizeEvent,
    QWheelEvent,
)
from PySide6.QtWidgets import QAbstractScrollArea, QApplication, QWidget

from reader.documents.base import Link, PagedBackend, Rect
from reader.model import Annotation, OutlineItem, ViewPlace
from reader.ui.overlays import MarkerScrollBar, OverlayFlash
from reader.ui.pdf_annotation_layer import PdfAnnotationLayer, to_view
from reader.ui.pdf_find import PdfFind
from reader.ui.pdf_layout import (
    POINTS_TO_PIXELS,
    PageLayout,
    zoom_step_in,
    zoom_step_out,
)
from reader.ui.pdf_render_cache import (
    PageRenderer,
    frame_colour,
    paint_frame,
    too_complex_image,
)
from reader.ui.pdf_scroller import PdfScroller
from reader.ui.pdf_selection import PdfTextSelection, Pos
from reader.ui.view_api import SteppedFind

__all__ = ["NO_TEXT_LAYER_MESSAGE", "POINTS_TO_PIXELS", "PdfView"]

NO_TEXT_LAYER_MESSAGE = "This page has no text layer, so its text cannot be selected."
EAGER_SIZES = 300  # documents up to this many pages get all page sizes before the first paint


class PdfView(SteppedFind, QAbstractScrollArea):
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
        first = backend.page_size(0) if self._count else (612.0, 792.0)
        self._layout = PageLayout([first] * self._count)
        self._sizes_exact = self._count <= 1
        if self._count <= EAGER_SIZES:
            self._load_sizes()

        self._renderer = PageRenderer(
            self, backend, self._layout, self.visible_pages, cache_limit_bytes
        )
        self._cache = self._renderer.cache  # the bench and tests look into these two
        self._render_timer = self._renderer.timer
        self._frame_colours: dict[tuple[int, int], QColor] = {}  # opaque, per background
        self.has_painted = False

        self._selection = PdfTextSelection(backend)
        self._pressing = False
        self._press_pos = QPoint()
        self._press_link: Link | None = None
        self._dragged = False
        self._word_click = False
        self._double_clicked = QElapsedTimer()
        self._double_click_pos = QPoint()

        self._find = PdfFind(backend)
        self._annotation_layer = PdfAnnotationLayer(backend)
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
        self._scroller = PdfScroller(self, self._layout)
        self._scroller.page_changed.connect(self.page_changed)
        self._scroller.zoom_changed.connect(self.zoom_changed)
        self._scroller.status_changed.connect(self.status_changed)
        self._scroller.relaid_out.connect(self._relaid_out)
        self._scroller.relayout()

    # -- public API ----------------------------------------------------------------------------

    @property
    def page_count(self) -> int:
        return self._count

    @property
    def current_page(self) -> int:
        return self._scroller.current

    @property
    def zoom(self) -> float:
        return self._layout.zoom

    @zoom.setter
    def zoom(self, value: float) -> None:
        self.set_zoom(value)

    @property
    def match_count(self) -> int:
        return self._find.count

    @property
    def current_match(self) -> int:
        """1-based index of the current find match; 0 when there is none."""
        return self._find.current

    @property
    def cache_bytes(self) -> int:
        """Bytes of rendered pages held (at most the cache limit, unless a screenful is more)."""
        return self._cache.size_bytes

    @property
    def cache_limit_bytes(self) -> int:
        return self._cache.limit_bytes

    def outline(self) -> list[OutlineItem]:
        return self.backend.outline()

    def status_text(self) -> str:
        return self._scroller.status_text()

    def set_zoom(self, value: float, anchor: QPointF | None = None) -> None:
        self._scroller.set_zoom(value, anchor)

    def place(self) -> ViewPlace:
        """Where the reader is: the zoom (or fit mode) and the page and fraction of it at the
        top of the view."""
        return self._scroller.place()

    def restore_place(self, place: ViewPlace) -> None:
        """Go back to a place from `place()`: the zoom (or fit mode), then the page."""
        self._scroller.restore_place(place)

    def zoom_in(self) -> None:
        self.set_zoom(zoom_step_in(self.zoom))

    def zoom_out(self) -> None:
        self.set_zoom(zoom_step_out(self.zoom))

    def zoom_reset(self) -> None:
        self.set_zoom(1.0)

    def fit_width(self) -> None:
        self._scroller.fit("width")

    def fit_page(self) -> None:
        self._scroller.fit("page")
        self.go_to_page(self.current_page)

    def go_to_page(self, page: int, y: float = 0.0) -> None:
        """Scroll so that point `y` of `page` (0-based) is at the top of the view."""
        self._scroller.go_to_page(page, y)

    def map_from_page(self, page: int, x: float, y: float) -> QPoint:
        """Viewport pixel position of point (x, y), in points, of `page` (for tests and tools)."""
        r = self._scroller.page_rect(page)
        ppx = self._layout.ppx
        return QPoint(round(r.x() + x * ppx), round(r.y() + y * ppx))

    def page_rect_in_view(self, page: int) -> QRectF:
        return self._scroller.page_rect(page)

    def visible_pages(self) -> list[int]:
        return self._scroller.visible_pages()

    # -- selection API -------------------------------------------------------------------------

    def text_ready(self) -> None:
        """The document's whole text was read (on a worker): the page offsets are known now."""
        self._annotation_layer.text_ready()

    def has_selection(self) -> bool:
        return self._selection.span() is not None

    def selection_range(self) -> tuple[int, int] | None:
        """(start, end) offsets of the selection in the document's normalized text."""
        return self._selection.offsets()

    def selection_pages(self) -> list[tuple[int, int, int]]:
        """The selection per page: (page, start, end) char ranges in each page's text."""
        return [part for part in self._selection.page_parts() if part[2] > part[1]]

    def selected_text(self) -> str:
        return self._selection.text()

    def copy_selection(self) -> bool:
        """Put the selected text on the clipboard; False when nothing is selected."""
        text = self.selected_text()
        if not text:
            return False
        QGuiApplication.clipboard().setText(text)
        return True

    def clear_selection(self) -> None:
        if self._selection.clear():
            self._selection_changed()

    def select_range(self, *args: int) -> None:
        """Select text[start:end] of the document's normalized text: `select_range(start, end)`,
        as every view has it. The older `select_range(page, start, end)` (page_text(page)
        [start:end]) still works; new code says `select_page_range` for that."""
        if len(args) == 3:
            self.select_page_range(*args)
            return
        start, end = args
        if self._selection.select_offsets(start, end, self._annotation_layer.page_offsets()):
            self._selection_changed()

    def select_page_range(self, page: int, start: int, end: int) -> None:
        """Select page_text(page)[start:end]."""
        if end <= start:
            self.clear_selection()
        elif self._selection.set(((page, start), (page, end - 1))):
            self._selection_changed()

    def _selection_changed(self) -> None:
        self.viewport().update()
        self.selection_changed.emit()

    # -- annotation overlays ---------------------------------------------------------------------

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Draw these annotations (all others are removed); orphans are not drawn; a later one
        is drawn over an earlier one (the rules: PdfAnnotationLayer.set_annotations)."""
        self._annotation_layer.set_annotations(annotations)
        flashing = self._flash.annotation_id
        if flashing is not None and flashing not in self._annotation_layer:
            self._flash.stop()
        self._marker_bar.invalidate()
        self.viewport().update()

    def annotation_ids(self) -> list[str]:
        """Ids of the annotations drawn (orphans and annotations with no place left out)."""
        return self._annotation_layer.ids()

    def annotation_at(self, pos: QPoint | QPointF) -> str | None:
        """Id of the topmost annotation drawn at `pos` (viewport coordinates), or None."""
        if not self._annotation_layer:
            return None
        page, x, y = self._scroller.view_to_page(QPointF(pos))
        if page < 0:
            return None
        # one pixel of slack, so the edge of a line still counts
        return self._annotation_layer.annotation_at(page, x, y, 1.0 / self._layout.ppx)

    @property
    def selected_annotation(self) -> str | None:
        return self._annotation_layer.selected

    def select_annotation(self, annotation_id: str | None) -> None:
        """Draw this annotation as the selected one (None: no selection); never scrolls."""
        if annotation_id != self._annotation_layer.selected:
            self._annotation_layer.selected = annotation_id
            self.viewport().update()

    @property
    def flashing_annotation(self) -> str | None:
        """Id of the annotation being flashed by show_annotation, None once the flash is over."""
        return self._flash.annotation_id

    def annotation_view_rects(self, annotation_id: str) -> list[tuple[int, QRectF]]:
        """(page, rect in viewport pixels) of each line of the annotation (tests, tools)."""
        out = []
        for mark in self._annotation_layer.marks_of(annotation_id):
            origin = self._scroller.page_rect(mark.page)
            out.extend((mark.page, to_view(r, origin, self._layout.ppx)) for r in mark.rects)
        return out

    def show_annotation(self, annotation_id: str) -> bool:
        """Scroll the annotation's first line group to the middle of the view and flash it."""
        mark = next(iter(self._annotation_layer.marks_of(annotation_id)), None)
        if mark is None:
            return False
        self._scroller.reveal(mark.page, mark.bbox.top(), mark.bbox.bottom(), at=0.5)
        self._scroller.show_box(mark.page, mark.bbox.left(), mark.bbox.right())
        self._scroller.set_current(mark.page)
        self._flash.start(annotation_id)
        self.viewport().update()
        return True

    def _marker_positions(self) -> list[tuple[float, QColor]]:
        layout = self._layout
        return self._annotation_layer.marker_positions(
            layout.tops, layout.sizes, layout.ppx, layout.content_h
        )

    # -- find ----------------------------------------------------------------------------------

    def find(self, needle: str) -> int:
        """Highlight every match of `needle`, go to the first on or after the current page;
        return how many there are (the matching rule: reader.ui.text_find)."""
        count = self._find.find(needle, self.current_page)
        if count:
            self._show_match()
        self.viewport().update()
        return count

    def _show_current_match(self) -> None:
        self._show_match()

    def _repaint_matches(self) -> None:
        self.viewport().update()

    def match_rects(self, index: int) -> list[tuple[int, list[Rect]]]:
        """(page, rects in points) of the 0-based match `index`."""
        return self._find.match_rects(index)

    def _show_match(self) -> None:
        index = self._find.index
        parts = [(p, rects) for p, rects in self._find.match_rects(index) if rects]
        if parts:
            page, rects = parts[0]
            y0, y1 = min(r.y0 for r in rects), max(r.y1 for r in rects)
        else:  # no boxes to show: the top of its page
            page, y0, y1 = self._find.first_page(index), 0.0, 0.0
        self._scroller.reveal(page, y0, y1, at=1 / 3, only_if_hidden=True)
        self._scroller.set_current(page)
        self.viewport().update()

    # -- geometry ------------------------------------------------------------------------------

    def _load_sizes(self) -> None:
        if self._sizes_exact:
            return
        self._layout.set_sizes([self.backend.page_size(p) for p in range(self._count)])
        self._sizes_exact = True

    def _load_sizes_later(self) -> None:
        if self._sizes_exact:
            return
        anchor = self._scroller.view_anchor(QPointF(0, 0))
        self._load_sizes()
        self._scroller.relayout()
        if anchor is not None:
            self._scroller.restore_anchor(anchor, QPointF(0, 0))
        self.viewport().update()

    def _relaid_out(self) -> None:
        if self._annotation_layer:
            self._marker_bar.invalidate()

    # -- rendering -----------------------------------------------------------------------------

    @property
    def rendered_pages(self) -> int:
        """How many page renders this view asked for (tests, bench)."""
        return self._renderer.rendered

    @property
    def too_complex_pages(self) -> set[int]:
        """Pages shown as a placeholder, too complex to draw."""
        return self._renderer.too_complex

    def _device_scale(self, page: int) -> float:
        return self._renderer.scale(page)

    def _pixmap(self, page: int, scale: float) -> QImage | None:
        return self._cache.get(page, scale)

    def _too_complex_image(self, page: int, scale: float) -> QImage:
        """The placeholder of a page over budget (tests)."""
        return too_complex_image(self._layout.sizes[page], scale, self.palette())

    # -- painting ------------------------------------------------------------------------------

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        painter = QPainter(self.viewport())
        pal = self.palette()
        pages = [(page, self._scroller.page_rect(page)) for page in self.visible_pages()]
        plan, background, missing, painted_real = self._renderer.plan(pages, QRegion(event.rect()))
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
        sel_colour = QColor(pal.color(QPalette.ColorRole.Highlight))
        sel_colour.setAlpha(100)
        for page, r, image, origin in plan:
            if image is None:
                painter.fillRect(r, QColor(Qt.GlobalColor.white))
            elif origin is not None:
                painter.drawImage(origin, image)
            else:
                painter.drawImage(r, image, QRectF(image.rect()))
            paint_frame(painter, r, frame)
            self._annotation_layer.paint(
                painter, page, r, self._layout.ppx, self.viewport().height(), self._flash
            )
            for current, rects in self._find.on_page(page):
                colour = QColor(255, 140, 0, 150) if current else QColor(255, 230, 0, 110)
                for rect in rects:
                    painter.fillRect(self._scroller.rect_to_view(rect, r), colour)
            for rect in self._selection.boxes_on_page(page):
                painter.fillRect(self._scroller.rect_to_view(rect, r), sel_colour)
        painter.end()
        self._renderer.painted(missing)
        if painted_real and not self.has_painted:
            self.has_painted = True
            self.first_page_painted.emit()
            if not self._sizes_exact:
                QTimer.singleShot(0, self._load_sizes_later)

    # -- hit testing ---------------------------------------------------------------------------

    def _link_at(self, pos: QPointF) -> Link | None:
        page, x, y = self._scroller.view_to_page(pos)
        return self._selection.link_at(page, x, y) if page >= 0 else None

    def _pos_at(self, pos: QPointF) -> Pos | None:
        page, x, y = self._scroller.view_to_page(pos, nearest=True)
        if page < 0 or not self._selection.has_text(page):
            return None
        idx = self._selection.char_at(page, x, y)
        return None if idx is None else (page, idx)

    # -- mouse and keys ------------------------------------------------------------------------

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
        self._word_click = False
        self._pressing = True
        selection = self._selection
        page, _x, _y = self._scroller.view_to_page(pos)
        if page >= 0 and not selection.has_text(page):
            selection.anchor = None
            if selection.focus is not None:
                self.clear_selection()
            if self._press_link is None:
                self.message.emit(NO_TEXT_LAYER_MESSAGE)
            return
        modifiers = event.modifiers()
        hit = self._pos_at(pos)
        if self._is_triple_click(event) and hit is not None:
            self._double_clicked.invalidate()
            if selection.select_unit_at(hit, "line"):
                self._selection_changed()
            self._word_click = True  # the release leaves it selected
            self._dragged = True
            event.accept()
            return
        if modifiers & Qt.KeyboardModifier.ShiftModifier and hit is not None:
            changed = selection.extend_to(hit)  # Shift+click extends it to the word clicked
            if changed is not None:
                if changed:
                    self._selection_changed()
                self._dragged = True
                self._press_annotation = self._press_link = None
                event.accept()
                return
        unit = "char" if modifiers & Qt.KeyboardModifier.AltModifier else "word"
        if selection.begin(hit, unit):
            self._selection_changed()
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
        if self._selection.origin is None:
            return
        self._autoscroll(pos)
        focus = self._pos_at(pos)
        if focus is not None and self._selection.grow_to(focus):
            self._selection_changed()
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
        page, x, y = self._scroller.view_to_page(pos)
        if page < 0:
            return
        selection = self._selection
        if not selection.has_text(page):
            self.message.emit(NO_TEXT_LAYER_MESSAGE)
            return
        idx = selection.char_at(page, x, y, exact=True)
        if idx is None:
            idx = selection.char_at(page, x, y)
        if idx is None:
            return
        # A drag that follows (the button still down) grows the selection word by word.
        if selection.select_unit_at((page, idx), "word"):
            self._selection_changed()
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
            page, x, y = self._scroller.view_to_page(pos)
            over_text = (
                page >= 0
                and self._selection.has_text(page)
                and self._selection.char_at(page, x, y, exact=True) is not None
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
                self.set_zoom(self.zoom * factor, event.position())
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
            if self._selection.select_all():
                self._selection_changed()
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
        self._scroller.resized()

    def scrollContentsBy(self, dx: int, dy: int) -> None:  # noqa: N802 - Qt override
        self.viewport().update()

    def sizeHint(self) -> Any:
        hint = super().sizeHint()
        if self._count:
            bar = self.verticalScrollBar().sizeHint().width()
            hint.setWidth(round(self._layout.content_w) + bar)
        return hint
