"""A row of buttons that stacks them when the panel is too narrow to show them side by side,
so a narrowed panel reflows instead of cutting its buttons off."""

from __future__ import annotations

from PySide6.QtCore import QSize
from PySide6.QtWidgets import QBoxLayout, QSizePolicy, QWidget

_NARROWEST = 60  # px: the row may be made this narrow; its buttons then stand one per line


class WrappingRow(QWidget):
    def __init__(
        self, widgets: list[QWidget], parent: QWidget | None = None, *, grow_first: bool = False
    ) -> None:
        """`grow_first`: the first widget takes the spare width (else it is left empty)."""
        super().__init__(parent)
        self.row = QBoxLayout(QBoxLayout.Direction.LeftToRight, self)
        self.row.setContentsMargins(0, 0, 0, 0)
        self._widgets = list(widgets)
        for i, widget in enumerate(widgets):
            self.row.addWidget(widget, 1 if grow_first and i == 0 else 0)
        if not grow_first:
            self.row.addStretch(1)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Minimum)

    def _shown(self) -> list[QWidget]:
        return [w for w in self._widgets if not w.isHidden()]

    def side_by_side_width(self) -> int:
        shown = self._shown()
        spacing = max(0, self.row.spacing()) * max(0, len(shown) - 1)
        return sum(w.sizeHint().width() for w in shown) + spacing

    def _height(self) -> int:
        """The height the buttons need as they stand now: one line, or one line each."""
        heights = [w.sizeHint().height() for w in self._shown()]
        if self.row.direction() == QBoxLayout.Direction.LeftToRight:
            return max(heights, default=0)
        return sum(heights) + max(0, self.row.spacing()) * max(0, len(heights) - 1)

    def sizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(self.side_by_side_width(), self._height())

    def minimumSizeHint(self) -> QSize:  # noqa: N802 - Qt override
        return QSize(_NARROWEST, self._height())

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        wanted = (
            QBoxLayout.Direction.LeftToRight
            if event.size().width() >= self.side_by_side_width()
            else QBoxLayout.Direction.TopToBottom
        )
        if self.row.direction() != wanted:
            self.row.setDirection(wanted)
            self.updateGeometry()  # its height changed: the panel around it lays out again
