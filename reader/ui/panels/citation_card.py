"""How a citation shows in the list: its stance badge beside the wrapped reference, evidence
quote and numbers check, and the item roles that carry them."""

from __future__ import annotations

import html
import math

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QRect, QSize, Qt
from PySide6.QtGui import (
    QAbstractTextDocumentLayout,
    QColor,
    QFont,
    QFontMetrics,
    QPainter,
    QPalette,
    QTextDocument,
)
from PySide6.QtWidgets import (
    QApplication,
    QComboBox,
    QListWidget,
    QListWidgetItem,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
)

from reader import citations as refs
from reader.model import Citation, Source, Stance
from reader.numbers import export_cell
from reader.ui.preferences import swatch_icon

QUOTE_CHARS = 140  # the evidence quote is cut to this many characters in the list

STANCE_LABELS = {
    Stance.SUPPORTS: "Supports",
    Stance.REFUTES: "Refutes",
    Stance.CONTEXT: "Context",
}
# Badge fills, drawn with white text: dark enough for contrast on white text, and distinct
# from both a light and a dark window background.
STANCE_COLORS = {
    Stance.SUPPORTS: "#2e7d32",
    Stance.REFUTES: "#c62828",
    Stance.CONTEXT: "#616161",
}

ROLE_CITATION_ID = Qt.ItemDataRole.UserRole
ROLE_STANCE = Qt.ItemDataRole.UserRole + 1
ROLE_HTML = Qt.ItemDataRole.UserRole + 2
ROLE_SOURCE_ID = Qt.ItemDataRole.UserRole + 3
# The `number_check` cell of the citation (empty without evidence figures).
ROLE_NUMBER_CHECK = Qt.ItemDataRole.UserRole + 4
_NUMBER_BADGE_COLORS = {"agree": "#1a7f37", "differ": "#cf222e", "none": "#6e7781"}


def number_badge(check: str) -> str:
    """The badge a citation card shows for its numbers check (rich text), or ""."""
    if not check:
        return ""
    verdict, _, pair = check.partition(":")
    words = {"agree": "Numbers agree", "none": "No figures to compare"}.get(verdict)
    words = words or f"Numbers differ: {pair.strip()}"
    return (
        f'<span style="color:{_NUMBER_BADGE_COLORS[verdict]}"><b>● {html.escape(words)}</b></span>'
    )


def elide(text: str, limit: int = QUOTE_CHARS) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1].rstrip() + "…"


def stance_combo(object_name: str) -> QComboBox:
    combo = QComboBox()
    combo.setObjectName(object_name)
    for stance in Stance:
        combo.addItem(swatch_icon(STANCE_COLORS[stance], 12), STANCE_LABELS[stance], stance.value)
    combo.setToolTip("How the source bears on the claim")
    # As narrow as its longest label needs, so a narrow panel still shows it whole.
    combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
    combo.setMinimumContentsLength(5)
    return combo


class CitationDelegate(QStyledItemDelegate):
    """Paints a citation as a coloured stance badge beside its wrapped reference text."""

    PAD = 6

    def __init__(self, view: QListWidget) -> None:
        super().__init__(view)
        self._view = view

    def _badge_font(self, option: QStyleOptionViewItem) -> QFont:
        font = QFont(option.font)
        font.setBold(True)
        if font.pointSizeF() > 0:
            font.setPointSizeF(max(font.pointSizeF() * 0.85, 7.0))
        return font

    def _badge_size(self, option: QStyleOptionViewItem) -> QSize:
        metrics = QFontMetrics(self._badge_font(option))
        width = max(metrics.horizontalAdvance(label) for label in STANCE_LABELS.values())
        return QSize(width + 12, metrics.height() + 4)

    def _document(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QTextDocument:
        doc = QTextDocument()
        doc.setDocumentMargin(0)
        doc.setDefaultFont(option.font)
        doc.setHtml(str(index.data(ROLE_HTML) or ""))
        width = self._view.viewport().width() - self._badge_size(option).width() - 3 * self.PAD
        doc.setTextWidth(max(width, 60))
        return doc

    def sizeHint(
        self, option: QStyleOptionViewItem, index: QModelIndex | QPersistentModelIndex
    ) -> QSize:
        doc = self._document(option, index)
        height = max(doc.size().height(), self._badge_size(option).height())
        return QSize(self._view.viewport().width(), math.ceil(height) + 2 * self.PAD)

    def paint(
        self,
        painter: QPainter,
        option: QStyleOptionViewItem,
        index: QModelIndex | QPersistentModelIndex,
    ) -> None:
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget  # type: ignore[attr-defined]
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        rect: QRect = opt.rect  # type: ignore[attr-defined]
        stance = Stance(index.data(ROLE_STANCE) or Stance.CONTEXT.value)
        badge = QRect(rect.left() + self.PAD, rect.top() + self.PAD, 0, 0)
        badge.setSize(self._badge_size(opt))
        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        painter.setPen(Qt.PenStyle.NoPen)
        painter.setBrush(QColor(STANCE_COLORS[stance]))
        painter.drawRoundedRect(badge, 4, 4)
        painter.setPen(QColor("#ffffff"))
        painter.setFont(self._badge_font(opt))
        painter.drawText(badge, Qt.AlignmentFlag.AlignCenter, STANCE_LABELS[stance])

        doc = self._document(opt, index)
        painter.translate(badge.right() + self.PAD, rect.top() + self.PAD)
        context = QAbstractTextDocumentLayout.PaintContext()
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)  # type: ignore[attr-defined]
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        context.palette.setColor(QPalette.ColorRole.Text, opt.palette.color(role))  # type: ignore[attr-defined]
        doc.documentLayout().draw(painter, context)
        painter.restore()


def decorate(item: QListWidgetItem, citation: Citation, source: Source | None, claim: str) -> None:
    """Make `item` show `citation` (of `source`, on the claim quoted `claim`)."""
    reference = refs.format_reference(source) if source else "(source missing)"
    parts = [html.escape(reference)]
    if citation.locator:
        parts.append(html.escape(citation.locator))
    if citation.evidence_quote:
        parts.append(f"<i>“{html.escape(elide(citation.evidence_quote))}”</i>")
    number_check = export_cell(claim, citation.evidence_quote)
    if number_check:
        parts.append(number_badge(number_check))
    item.setData(ROLE_NUMBER_CHECK, number_check)
    stance = Stance(citation.stance)
    plain = f"{STANCE_LABELS[stance]}: {reference}"
    if citation.locator:
        plain += f", {citation.locator}"
    item.setData(ROLE_CITATION_ID, citation.id)
    item.setData(ROLE_SOURCE_ID, citation.source_id)
    item.setData(ROLE_STANCE, stance.value)
    item.setData(ROLE_HTML, "<br>".join(parts))
    item.setText(plain)
    tip = f"<p><b>{STANCE_LABELS[stance]}</b> — {html.escape(reference)}</p>"
    if citation.evidence_quote:
        tip += f"<p><i>“{html.escape(citation.evidence_quote)}”</i></p>"
    if citation.evidence_annotation_id:
        tip += "<p>Double-click to go to the passage.</p>"
    item.setToolTip(tip)
