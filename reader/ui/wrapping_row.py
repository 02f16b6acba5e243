"""A row of buttons that stacks them when the panel is too narrow to show them side by side,
so a narrowed panel reflows instead of cutting its buttons off."""

from __future__ import annotations

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
        for i, widget in enumerate(widgets):
            self.row.addWidget(widget, 1 if grow_first and i == 0 else 0)
        if not grow_first:
            self.row.addStretch(1)
        self.setMinimumWidth(_NARROWEST)
        self.setSizePolicy(QSizePolicy.Policy.Preferred, QSizePolicy.Policy.Preferred)

    def side_by_side_width(self) -> int:
        items = [self.row.itemAt(i) for i in range(self.row.count())]
        shown = [i for i in items if i.widget() is not None and not i.widget().isHidden()]
        spacing = max(0, self.row.spacing()) * max(0, len(shown) - 1)
        return sum(i.sizeHint().width() for i in shown) + spacing

    def resizeEvent(self, event) -> None:  # noqa: N802 - Qt override
        super().resizeEvent(event)
        wanted = (
            QBoxLayout.Direction.LeftToRight
            if event.size().width() >= self.side_by_side_width()
            else QBoxLayout.Direction.TopToBottom
        )
        if self.row.direction() != wanted:
            self.row.setDirection(wanted)
