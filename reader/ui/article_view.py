"""A reflowing reader view of an article's blocks (QTextBrowser, nothing loaded from anywhere).

The view builds its QTextDocument block by block and remembers where each block's text starts,
so a position on screen maps exactly to an offset in the document's normalized text.
"""

from __future__ import annotations

import bisect
import math
from collections.abc import Sequence
from typing import Any

from PySide6.QtCore import QElapsedTimer, QPoint, QPointF, QRectF, Qt, QUrl, Signal
from PySide6.QtGui import (
    QColor,
    QFontMetricsF,
    QGuiApplication,
    QKeySequence,
    QMouseEvent,
    QPainter,
    QPalette,
    QPen,
    QShortcut,
    QTextCharFormat,
    QTextCursor,
)
from PySide6.QtWidgets import QApplication, QTextBrowser, QTextEdit, QWidget

from reader import text_units
from reader.model import Annotation, Block, ViewPlace
from reader.ui.article_document import ArticleDocumentBuilder
from reader.ui.overlays import (
    MarkerScrollBar,
    OverlayFlash,
    annotation_colour,
    is_drawn,
    outline_path,
    overlay_fill,
)
from reader.ui.text_find import FindState
from reader.ui.view_api import SteppedFind

MEASURE_CHARS = 72  # a comfortable line length
EXTERNAL_SCHEMES = ("http", "https", "mailto")


class ArticleView(SteppedFind, QTextBrowser):
    status_changed = Signal(str)
    link_activated = Signal(str)
    message = Signal(str)
    selection_changed = Signal()
    annotation_clicked = Signal(str)

    def __init__(self, document, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        # annotations: (id, start, end, colour) in normalized-text offsets, in drawing order
        self._annotations: list[tuple[str, int, int, QColor]] = []
        self._annotation_index: dict[str, int] = {}
        self._ann_starts: list[int] = []  # sorted starts, for hit testing
        self._ann_by_start: list[int] = []  # indexes into _annotations, sorted by start
        self._max_ann_len = 0
        self._ann_selections: list[QTextEdit.ExtraSelection] = []
        self._find_selections: list[QTextEdit.ExtraSelection] = []
        self._selected_annotation: str | None = None
        self._press_annotation: str | None = None
        self._press_pos = QPoint()
        # Selecting: the offset the selection grows from, and by what ("word" for a drag,
        # "char" for Alt+drag, "sentence" after a triple-click); None when no button is down.
        self._origin: int | None = None
        self._unit = "word"
        self._selecting = False
        self._double_clicked = QElapsedTimer()
        self._double_click_pos = QPoint()
        self._pending_top: int | None = None  # a restored place, scrolled to once laid out
        self._flash = OverlayFlash(self.viewport(), self)
        self._marker_bar = MarkerScrollBar(self)
        self.setVerticalScrollBar(self._marker_bar)
        self._marker_bar.set_marker_source(self._marker_positions)
        self.document_backend = document
        self.blocks: list[Block] = list(document.blocks)
        self.setOpenLinks(False)
        self.setOpenExternalLinks(False)
        self.setReadOnly(True)
        self.setTextInteractionFlags(self.textInteractionFlags())
        self.setFrameShape(QTextBrowser.Shape.NoFrame)
        self.anchorClicked.connect(self._on_anchor)
        self._base_point_size = max(self.font().pointSizeF(), 10.0) + 2
        self._font_step = 0
        self._doc_starts: list[int] = []  # QTextDocument position where each block's text starts
        self._find = FindState()
        self._build()
        copy = QShortcut(QKeySequence(QKeySequence.StandardKey.Copy), self)
        copy.activated.connect(self.copy_selection)
        self.selectionChanged.connect(self._emit_status)
        self.selectionChanged.connect(self.selection_changed)

    # -- never load anything ----------------------------------------------------------------

    def loadResource(self, type_: int, name: QUrl):  # noqa: N802 - Qt override
        # Articles are shown without images, styles or anything else from disk or network.
        return None

    def setSource(self, name: QUrl, type_=None) -> None:  # noqa: N802 - Qt override
        return  # links never navigate inside the view

    def _on_anchor(self, url: QUrl) -> None:
        # Only reported, as the PDF view reports its links: the window decides what opens.
        if url.scheme().lower() in EXTERNAL_SCHEMES:
            self.link_activated.emit(url.toString())

    # -- building ------------------------------------------------------------------------------

    def _font_size(self) -> float:
        return self._base_point_size * (1.1**self._font_step)

    def _build(self) -> None:
        builder = ArticleDocumentBuilder(
            self.document_backend, self.blocks, self.font(), self._font_size(), self.palette()
        )
        doc, self._doc_starts = builder.build(self)
        self.setDocument(doc)
        self._apply_measure()
        doc.documentLayout().documentSizeChanged.connect(self._marker_bar.invalidate)
        self._find_selections = []  # their cursors were on the old document; find() redoes them
        if self._annotations:
            self._build_annotation_selections()
        self._marker_bar.invalidate()

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        self._apply_measure()
        if self._pending_top is not None:  # a restored place, until the view is shown
            self._scroll_to_offset(self._pending_top)

    def _apply_measure(self) -> None:
        # Centre a column of about MEASURE_CHARS characters by widening the root frame's
        # side margins, so the whole viewport keeps the page colour and the scroll bar stays
        # at the window's edge.
        doc = self.document()
        metrics = QFontMetricsF(doc.defaultFont())
        measure = metrics.averageCharWidth() * MEASURE_CHARS
        side = max(24.0, (self.viewport().width() - measure) / 2)
        root = doc.rootFrame()
        fmt = root.frameFormat()
        if abs(fmt.leftMargin() - side) > 1:
            fmt.setLeftMargin(side)
            fmt.setRightMargin(side)
            root.setFrameFormat(fmt)

    # -- text coordinates ------------------------------------------------------------------

    def offset_at(self, position: int) -> int:
        """Normalized-text offset of a QTextDocument position (clamped to the nearest block)."""
        if not self._doc_starts:
            return 0
        i = bisect.bisect_right(self._doc_starts, position) - 1
        if i < 0:
            return self.blocks[0].start
        block = self.blocks[i]
        return block.start + max(0, min(position - self._doc_starts[i], len(block.text)))

    def position_of(self, offset: int) -> int:
        """QTextDocument position of a normalized-text offset."""
        if not self.blocks:
            return 0
        starts = [b.start for b in self.blocks]
        i = max(0, bisect.bisect_right(starts, offset) - 1)
        block = self.blocks[i]
        return self._doc_starts[i] + max(0, min(offset - block.start, len(block.text)))

    def selection_range(self) -> tuple[int, int] | None:
        cursor = self.textCursor()
        if not cursor.hasSelection():
            return None
        start = self.offset_at(cursor.selectionStart())
        end = self.offset_at(cursor.selectionEnd())
        return (start, end) if end > start else None

    def has_selection(self) -> bool:
        return self.selection_range() is not None

    def text_ready(self) -> None:
        """An article's text is there from the start: nothing to do."""

    def selected_text(self) -> str:
        rng = self.selection_range()
        return self.document_backend.text[rng[0] : rng[1]] if rng else ""

    def select_range(self, start: int, end: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.position_of(start))
        cursor.setPosition(self.position_of(end), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)
        self.ensureCursorVisible()

    def copy_selection(self) -> bool:
        """Put the selected text on the clipboard; False when nothing is selected."""
        text = self.selected_text()
        if not text:
            return False
        QGuiApplication.clipboard().setText(text)
        return True

    def clear_selection(self) -> None:
        cursor = self.textCursor()
        if cursor.hasSelection():
            cursor.clearSelection()
            self.setTextCursor(cursor)

    # -- annotation overlays ---------------------------------------------------------------

    def set_annotations(self, annotations: Sequence[Annotation]) -> None:
        """Draw these annotations over their text ranges (all others removed); not orphans.

        A later one in the sequence is drawn over an earlier one and wins `annotation_at`.
        """
        n = len(self.document_backend.text)
        items = []
        for a in annotations:
            if not is_drawn(a):
                continue
            start = max(0, min(a.anchor.start, n))
            end = max(0, min(a.anchor.end, n))
            if end > start:
                items.append((a.id, start, end, annotation_colour(a)))
        self._annotations = items
        self._annotation_index = {item[0]: i for i, item in enumerate(items)}
        order = sorted(range(len(items)), key=lambda i: items[i][1])
        self._ann_by_start = order
        self._ann_starts = [items[i][1] for i in order]
        self._max_ann_len = max((end - start for _, start, end, _ in items), default=0)
        if self._flash.annotation_id not in self._annotation_index:
            self._flash.stop()
        self._build_annotation_selections()
        self._marker_bar.invalidate()

    def annotation_ids(self) -> list[str]:
        return [item[0] for item in self._annotations]

    def _build_annotation_selections(self) -> None:
        selections = []
        doc = self.document()
        for _id, start, end, colour in self._annotations:
            sel = QTextEdit.ExtraSelection()
            cur = QTextCursor(doc)
            cur.setPosition(self.position_of(start))
            cur.setPosition(self.position_of(end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cur
            fmt = QTextCharFormat()
            fmt.setBackground(overlay_fill(colour))
            sel.format = fmt
            selections.append(sel)
        self._ann_selections = selections
        self._apply_extra_selections()

    def _apply_extra_selections(self) -> None:
        # annotations first, find matches over them; the text selection is drawn over both
        self.setExtraSelections(self._ann_selections + self._find_selections)

    def annotation_range_rects(self, start: int, end: int) -> list[QRectF]:
        """One rectangle per line of text[start:end] (normalized offsets), viewport pixels."""
        doc = self.document()
        layout = doc.documentLayout()
        p0, p1 = self.position_of(start), self.position_of(end)
        if p1 <= p0:
            return []
        dx = -self.horizontalScrollBar().value()
        dy = -self.verticalScrollBar().value()
        out: list[QRectF] = []
        block = doc.findBlock(p0)
        while block.isValid() and block.position() < p1:
            text_layout = block.layout()
            base = block.position()
            origin = layout.blockBoundingRect(block).topLeft()
            for i in range(text_layout.lineCount()):
                line = text_layout.lineAt(i)
                ls = base + line.textStart()
                le = ls + line.textLength()
                s, e = max(p0, ls), min(p1, le)
                if e <= s:
                    continue
                x0 = line.cursorToX(s - base)[0]
                x1 = line.cursorToX(e - base)[0]
                if x1 < x0:  # right-to-left text
                    x0, x1 = x1, x0
                out.append(
                    QRectF(
                        origin.x() + x0 + dx,
                        origin.y() + line.y() + dy,
                        max(1.0, x1 - x0),
                        line.height(),
                    )
                )
            block = block.next()
        return out

    def annotation_view_rects(self, annotation_id: str) -> list[QRectF]:
        """Line rectangles of a drawn annotation in viewport pixels (tests, tools)."""
        i = self._annotation_index.get(annotation_id)
        if i is None:
            return []
        _id, start, end, _colour = self._annotations[i]
        return self.annotation_range_rects(start, end)

    def annotation_at(self, pos: QPoint | QPointF) -> str | None:
        """Id of the topmost annotation drawn at `pos` (viewport coordinates), or None."""
        if not self._annotations:
            return None
        point = QPointF(pos)
        doc_point = point + QPointF(
            self.horizontalScrollBar().value(), self.verticalScrollBar().value()
        )
        hit = self.document().documentLayout().hitTest(doc_point, Qt.HitTestAccuracy.FuzzyHit)
        if hit < 0:
            return None
        offset = self.offset_at(hit)
        # candidates: ranges that contain the offset (one either side for the caret's edge)
        hi = bisect.bisect_right(self._ann_starts, offset + 1)
        lo = bisect.bisect_left(self._ann_starts, offset - 1 - self._max_ann_len)
        candidates = [
            self._ann_by_start[k]
            for k in range(lo, hi)
            if self._annotations[self._ann_by_start[k]][2] >= offset - 1
        ]
        for i in sorted(candidates, reverse=True):
            ann_id, start, end, _colour = self._annotations[i]
            for r in self.annotation_range_rects(start, end):
                if r.adjusted(-1, -1, 1, 1).contains(point):
                    return ann_id
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

    def show_annotation(self, annotation_id: str) -> bool:
        """Scroll the annotation to the middle of the view and flash it."""
        i = self._annotation_index.get(annotation_id)
        if i is None:
            return False
        _id, start, end, _colour = self._annotations[i]
        rects = self.annotation_range_rects(start, end)
        if rects:
            top, bottom = rects[0].top(), rects[-1].bottom()
            if bottom - top > self.viewport().height():
                bottom = top + self.viewport().height() / 2
        else:
            cur = QTextCursor(self.document())
            cur.setPosition(self.position_of(start))
            r = self.cursorRect(cur)
            top, bottom = r.top(), r.bottom()
        bar = self.verticalScrollBar()
        target = bar.value() + round((top + bottom) / 2 - self.viewport().height() / 2)
        bar.setValue(max(bar.minimum(), min(bar.maximum(), target)))
        self._flash.start(annotation_id)
        self.viewport().update()
        return True

    def _marker_positions(self) -> list[tuple[float, QColor]]:
        if not self._annotations:
            return []
        doc = self.document()
        height = doc.size().height()
        if height <= 0:
            return []
        layout = doc.documentLayout()
        out = []
        for _id, start, _end, colour in self._annotations:
            pos = self.position_of(start)
            block = doc.findBlock(pos)
            y = layout.blockBoundingRect(block).top()
            line = block.layout().lineForTextPosition(pos - block.position())
            if line.isValid():
                y += line.y()
            out.append((y / height, colour))
        return out

    def paintEvent(self, event: Any) -> None:  # noqa: N802 - Qt override
        self._pending_top = None  # shown: the reader's own scrolling wins from now on
        super().paintEvent(event)
        selected = self._selected_annotation
        flash_id = self._flash.annotation_id
        if selected is None and flash_id is None:
            return
        painter = QPainter(self.viewport())
        if flash_id is not None and self._flash.level > 0:
            i = self._annotation_index.get(flash_id)
            if i is not None:
                glow = QColor(self._annotations[i][3])
                glow.setAlpha(round(140 * self._flash.level))
                for r in self.annotation_view_rects(flash_id):
                    painter.fillRect(r.adjusted(-2, -1, 2, 1), glow)
        i = self._annotation_index.get(selected) if selected is not None else None
        if i is not None:
            colour = QColor(self._annotations[i][3])
            dark = self.palette().color(QPalette.ColorRole.Base).lightness() < 128
            line_colour = colour.lighter(130) if dark else colour.darker(170)
            rects = self.annotation_view_rects(selected)
            painter.setPen(QPen(line_colour, 1))
            painter.setBrush(Qt.BrushStyle.NoBrush)
            painter.drawPath(outline_path(rects, 0.5))
            for r in rects:  # and underlined, as a selected link would be
                painter.fillRect(QRectF(r.left(), r.bottom() - 2, r.width(), 2), line_colour)
        painter.end()

    # -- mouse: a plain click on a highlight reports it; a drag still selects text ------------

    def _offset_under(self, pos: QPointF) -> int:
        return self.offset_at(self.cursorForPosition(pos.toPoint()).position())

    def _span_between(self, origin: int, at: int) -> tuple[int, int]:
        """From the unit at `origin` to the unit at `at` (offsets, either order)."""
        text = self.document_backend.text
        if self._unit == "char":
            return (min(origin, at), max(origin, at))
        if self._unit == "sentence":
            first, second = text_units.sentence_at(text, origin), text_units.sentence_at(text, at)
            return (min(first[0], second[0]), max(first[1], second[1]))
        return text_units.snap_to_words(text, origin, at)

    def _select_span(self, span: tuple[int, int], *, focus_first: bool = False) -> None:
        start, end = span
        cursor = QTextCursor(self.document())
        first, last = (end, start) if focus_first else (start, end)
        cursor.setPosition(self.position_of(first))
        cursor.setPosition(self.position_of(last), QTextCursor.MoveMode.KeepAnchor)
        self.setTextCursor(cursor)

    def mousePressEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() == Qt.MouseButton.LeftButton:
            self._press_pos = event.position().toPoint()
            on_link = bool(self.anchorAt(self._press_pos))  # a link inside a highlight wins
            self._press_annotation = None if on_link else self.annotation_at(event.position())
            at = self._offset_under(event.position())
            modifiers = event.modifiers()
            if self._is_triple_click(event):
                self._double_clicked.invalidate()
                self._origin, self._unit, self._selecting = at, "sentence", True
                self._select_span(self._span_between(at, at))
                event.accept()
                return
            current = self.selection_range()
            if modifiers & Qt.KeyboardModifier.ShiftModifier and current is not None:
                # Shift+click extends the selection to the word clicked.
                lo, hi = current
                if self._origin is None or not lo <= self._origin <= hi:
                    self._origin = lo if at >= lo else hi
                self._selecting = True
                self._press_annotation = None
                self._select_span(self._span_between(self._origin, at), focus_first=at < lo)
                event.accept()
                return
            self._unit = "char" if modifiers & Qt.KeyboardModifier.AltModifier else "word"
            self._origin, self._selecting = at, True
        super().mousePressEvent(event)

    def _is_triple_click(self, event: QMouseEvent) -> bool:
        """A press soon after a double-click, where it was."""
        return (
            self._double_clicked.isValid()
            and self._double_clicked.elapsed() < QApplication.doubleClickInterval()
            and (event.position().toPoint() - self._double_click_pos).manhattanLength()
            < QApplication.startDragDistance()
        )

    def mouseMoveEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if (
            self._selecting
            and self._origin is not None
            and event.buttons() & Qt.MouseButton.LeftButton
        ):
            moved = (event.position().toPoint() - self._press_pos).manhattanLength()
            if moved >= QApplication.startDragDistance() or self._unit == "sentence":
                at = self._offset_under(event.position())
                span = self._span_between(self._origin, at)
                self._select_span(span, focus_first=at < self._origin)
                self.ensureCursorVisible()  # dragging past the edge scrolls
            event.accept()
            return
        super().mouseMoveEvent(event)

    def mouseDoubleClickEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        if event.button() != Qt.MouseButton.LeftButton:
            super().mouseDoubleClickEvent(event)
            return
        at = self._offset_under(event.position())
        self._origin, self._unit, self._selecting = at, "word", True
        self._select_span(self._span_between(at, at))
        self._double_clicked.start()
        self._double_click_pos = event.position().toPoint()
        event.accept()

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:  # noqa: N802 - Qt override
        self._selecting = False
        super().mouseReleaseEvent(event)
        if event.button() != Qt.MouseButton.LeftButton:
            return
        event.accept()  # the press was ours (selection or click); nothing above wants it
        clicked, self._press_annotation = self._press_annotation, None
        if clicked is None:
            return
        moved = (event.position().toPoint() - self._press_pos).manhattanLength()
        if moved < QApplication.startDragDistance() and (
            self.annotation_at(event.position()) == clicked
        ):
            self.annotation_clicked.emit(clicked)

    # -- zoom (font size) -------------------------------------------------------------------

    @property
    def zoom(self) -> float:
        return 1.1**self._font_step

    def _rebuild_keep_place(self, top: int | None = None) -> None:
        if top is None:
            cursor = self.cursorForPosition(self.viewport().rect().topLeft())
            top = self.offset_at(cursor.position())
        needle = self._find.needle
        self._build()
        if needle:
            self.find(needle)
        self._scroll_to_offset(top)
        self._emit_status()

    def _scroll_to_offset(self, offset: int) -> None:
        cursor = QTextCursor(self.document())
        cursor.setPosition(self.position_of(offset))
        rect = self.cursorRect(cursor)
        self.verticalScrollBar().setValue(self.verticalScrollBar().value() + rect.top())

    def place(self) -> ViewPlace:
        """The text size and the normalized-text offset at the top of the view."""
        top = self.offset_at(self.cursorForPosition(self.viewport().rect().topLeft()).position())
        return ViewPlace(self.zoom, "", float(top))

    def restore_place(self, place: ViewPlace) -> None:
        """Text size and place from `place()`: kept until the view has its size (the text
        reflows with the width), then scrolled to."""
        step = round(math.log(max(place.zoom, 0.1)) / math.log(1.1))
        self._font_step = max(-6, min(12, step))
        self._pending_top = int(place.position)
        self._rebuild_keep_place(top=self._pending_top)

    def zoom_in(self) -> None:
        if self._font_step < 12:
            self._font_step += 1
            self._rebuild_keep_place()

    def zoom_out(self) -> None:
        if self._font_step > -6:
            self._font_step -= 1
            self._rebuild_keep_place()

    def zoom_reset(self) -> None:
        self._font_step = 0
        self._rebuild_keep_place()

    def _emit_status(self) -> None:
        self.status_changed.emit(f"Text size {round(self.zoom * 100)}%")

    # -- find ------------------------------------------------------------------------------

    def find(self, needle: str) -> int:  # type: ignore[override]
        """Highlight every match of `needle` and go to the first; return how many there are
        (the matching rule: reader.ui.text_find)."""
        count = self._find.find(self.document_backend.text, needle)
        self._paint_matches()
        return count

    def _show_current_match(self) -> None:
        self._paint_matches()

    def _repaint_matches(self) -> None:
        self._paint_matches()

    @property
    def match_count(self) -> int:
        return self._find.count

    @property
    def current_match(self) -> int:
        """1-based index of the current find match; 0 when there is none."""
        return self._find.current

    def _paint_matches(self) -> None:
        selections: list[QTextEdit.ExtraSelection] = []
        pal = self.palette()
        current = self._find.index
        for i, (start, end) in enumerate(self._find.spans):
            sel = QTextEdit.ExtraSelection()
            cur = QTextCursor(self.document())
            cur.setPosition(self.position_of(start))
            cur.setPosition(self.position_of(end), QTextCursor.MoveMode.KeepAnchor)
            sel.cursor = cur
            fmt = QTextCharFormat()
            if i == current:
                fmt.setBackground(pal.color(QPalette.ColorRole.Highlight))
                fmt.setForeground(pal.color(QPalette.ColorRole.HighlightedText))
            else:
                fmt.setBackground(_match_colour(pal))
            sel.format = fmt
            selections.append(sel)
        self._find_selections = selections
        self._apply_extra_selections()
        span = self._find.current_span
        if span is not None:
            start = span[0]
            cur = QTextCursor(self.document())
            cur.setPosition(self.position_of(start))
            self.setTextCursor(cur)
            self.ensureCursorVisible()


def _match_colour(pal: QPalette) -> QColor:
    dark = pal.color(QPalette.ColorRole.Base).lightness() < 128
    return QColor(120, 100, 0) if dark else QColor(255, 236, 140)
