"""The document outline (bookmarks) as a tree; activating an entry asks to go there."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from reader.model import OutlineItem

_TARGET_ROLE = Qt.ItemDataRole.UserRole + 1


class OutlinePanel(QTreeWidget):
    """Shows list[OutlineItem] nested by level; emits activated(page, y) on click or Enter."""

    activated = Signal(int, float)

    def __init__(self, items: Sequence[OutlineItem] = (), parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("outline_panel")
        self.setHeaderHidden(True)
        self.setColumnCount(1)
        self.setUniformRowHeights(True)
        self.setExpandsOnDoubleClick(False)
        self.itemClicked.connect(self._on_item)
        self.itemActivated.connect(self._on_item)
        self.set_outline(items)

    def set_outline(self, items: Sequence[OutlineItem]) -> None:
        self.clear()
        stack: list[tuple[int, QTreeWidgetItem | None]] = [(0, None)]
        for entry in items:
            level = max(1, entry.level)
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            parent = stack[-1][1]
            item = QTreeWidgetItem([entry.title or "(untitled)"])
            item.setData(0, _TARGET_ROLE, (entry.page, float(entry.y)))
            if entry.page >= 0:
                item.setToolTip(0, f"{entry.title} — page {entry.page + 1}")
            else:
                item.setToolTip(0, f"{entry.title} — points nowhere in this document")
            if parent is None:
                self.addTopLevelItem(item)
            else:
                parent.addChild(item)
            stack.append((level, item))
        # Show the first level of children, as most readers do.
        for i in range(self.topLevelItemCount()):
            top = self.topLevelItem(i)
            if top is not None and self.topLevelItemCount() < 8:
                top.setExpanded(True)

    def is_empty(self) -> bool:
        return self.topLevelItemCount() == 0

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        target = item.data(0, _TARGET_ROLE)
        if not target:
            return
        page, y = target
        if page >= 0:
            self.activated.emit(int(page), float(y))
