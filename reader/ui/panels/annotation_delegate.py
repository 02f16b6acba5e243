"""How the Annotations dock draws one annotation: two lines (the quote; then status, kind,
anchor state, citations, the numbers check and location), with the status pills' colours."""

from __future__ import annotations

from collections.abc import Mapping

from PySide6.QtCore import QModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
)
from PySide6.QtWidgets import QApplication, QStyle, QStyledItemDelegate, QStyleOptionViewItem

from reader.model import AnchorState, Annotation, AnnotationKind, ClaimStatus
from reader.ui.annotation_model import (
    AnnotationRole,
    CitationsRole,
    Counts,
    annotation_color,
    citation_text,
    excerpt,
    location_text,
)
from reader.ui.number_badges import badge

# Each pair has a contrast ratio of at least 4.5:1 (WCAG AA for small text); the status word is
# always written in the pill, so colour is never the only signal.
STATUS_COLORS: dict[ClaimStatus, tuple[str, str]] = {
    ClaimStatus.UNVERIFIED: ("#5f6670", "#ffffff"),  # grey
    ClaimStatus.SUPPORTED: ("#1b7a3d", "#ffffff"),  # green
    ClaimStatus.DISPUTED: ("#c2410c", "#ffffff"),  # orange
    ClaimStatus.MISLEADING: ("#f2b01e", "#1f1600"),  # amber, dark text
    ClaimStatus.REFUTED: ("#b3261e", "#ffffff"),  # red
    ClaimStatus.UNVERIFIABLE: ("#7b3fb8", "#ffffff"),  # purple
}


class AnnotationDelegate(QStyledItemDelegate):
    """Two lines per annotation: colour bar and quote; then badges and location."""

    PAD = 6
    BAR = 4
    GAP = 4
    # Annotation id → its numbers check ("agree", "differ: 79,770 vs 81,806", "none").
    number_checks: Mapping[str, str] = {}

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        small = QFont(option.font)
        size = option.font.pointSizeF()
        if size > 0:
            small.setPointSizeF(max(6.0, size * 0.85))
        else:
            small.setPixelSize(max(8, round(option.font.pixelSize() * 0.85)))
        return option.font, small

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # type: ignore[override]
        font, small = self._fonts(option)
        height = (
            self.PAD
            + QFontMetrics(font).height()
            + self.GAP
            + QFontMetrics(small).height()
            + 2
            + self.PAD
        )
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        a: Annotation | None = index.data(AnnotationRole)
        if a is None:
            super().paint(painter, option, index)
            return
        counts: Counts = index.data(CitationsRole) or (0, 0, 0)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Normal
            if opt.state & QStyle.StateFlag.State_Enabled
            else QPalette.ColorGroup.Disabled
        )
        if group == QPalette.ColorGroup.Normal and not opt.state & QStyle.StateFlag.State_Active:
            group = QPalette.ColorGroup.Inactive
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = opt.palette.color(group, role)
        dim = QColor(text_color)
        dim.setAlphaF(0.72)
        orphan = a.anchor.state is AnchorState.ORPHAN

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = opt.rect
        color = annotation_color(a)
        bar = QRect(rect.left() + 2, rect.top() + 3, self.BAR, rect.height() - 6)
        if orphan:
            painter.fillRect(bar, QBrush(color, Qt.BrushStyle.Dense4Pattern))
            painter.setPen(QPen(color, 1))
            painter.drawRect(bar.adjusted(0, 0, -1, -1))
        else:
            painter.fillRect(bar, color)

        font, small = self._fonts(option)  # not opt: its font carries the FontRole italic
        fm, sfm = QFontMetrics(font), QFontMetrics(small)
        left = bar.right() + 1 + self.PAD
        right = rect.right() - self.PAD
        width = max(0, right - left)

        # Line 1: the quote.
        quote_font = QFont(font)
        quote_font.setItalic(orphan)
        painter.setFont(quote_font)
        painter.setPen(text_color)
        line1 = QRect(left, rect.top() + self.PAD, width, fm.height())
        quote = excerpt(a.anchor.quote, 400) or "(empty quote)"
        elided = QFontMetrics(quote_font).elidedText(quote, Qt.TextElideMode.ElideRight, width)
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)

        # Line 2: badges, location on the right.
        painter.setFont(small)
        pill_h = sfm.height() + 2
        y = line1.bottom() + 1 + self.GAP
        location = location_text(a)
        loc_w = sfm.horizontalAdvance(location)
        painter.setPen(dim)
        painter.drawText(
            QRect(right - loc_w, y, loc_w, pill_h),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            location,
        )
        limit = right - loc_w - self.PAD
        x = left

        def text(word: str, pen: QColor) -> None:
            nonlocal x
            w = sfm.horizontalAdvance(word)
            if x + w > limit:
                return
            painter.setPen(pen)
            painter.drawText(QRect(x, y, w, pill_h), Qt.AlignmentFlag.AlignVCenter, word)
            x += w + self.GAP + 2

        def pill(word: str, fill: QColor | None, ink: QColor) -> None:
            nonlocal x
            w = sfm.horizontalAdvance(word) + pill_h  # half a height of padding each side
            if x + w > limit:
                return
            box = QRect(x, y, w, pill_h)
            path = QPainterPath()
            path.addRoundedRect(box.adjusted(0, 0, -1, -1), pill_h / 2, pill_h / 2)
            if fill is not None:
                painter.fillPath(path, fill)
            else:
                painter.setPen(QPen(ink, 1))
                painter.drawPath(path)
            painter.setPen(ink)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, word)
            x += w + self.GAP

        if a.kind is AnnotationKind.CLAIM or a.status is not ClaimStatus.UNVERIFIED:
            fill, ink = STATUS_COLORS[a.status]
            pill(a.status.value, QColor(fill), QColor(ink))
        if a.kind is not AnnotationKind.CLAIM:
            text(a.kind.value.capitalize(), dim)
        if orphan:
            pill("⚠ orphan", None, text_color)
        elif a.anchor.state is AnchorState.FUZZY:
            pill("≈ fuzzy", None, text_color)
        cites = citation_text(counts)
        if cites:
            text(cites, text_color)
        check = self.number_checks.get(a.id, "")
        if check:  # the words say it; the colour only repeats them
            room = limit - x - pill_h
            label, fill, ink = badge(check, lambda w: sfm.horizontalAdvance(w) <= room)
            pill(label, QColor(fill), QColor(ink))
        painter.restore()
