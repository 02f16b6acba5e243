"""The document outline (bookmarks) as a tree; activating an entry asks to go there."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QTreeWidget, QTreeWidgetItem, QWidget

from reader.model import OutlineItem

_TARGET_ROLE = Qt.ItemDataRole.UserRole + 1
_INDEX_ROLE = Qt.ItemDataRole.UserRole + 2


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
        self.itemExpanded.connect(self._on_expanded)
        self._items: list[OutlineItem] = []
        self._children: dict[int, list[int]] = {}
        self.set_outline(items)

    def set_outline(self, items: Sequence[OutlineItem]) -> None:
        """Show the top level now; an entry's children are made when it is first expanded,
        so a book of 100,000 bookmarks costs its chapters, not every bookmark."""
        self.clear()
        self._items = list(items)
        children: dict[int, list[int]] = {-1: []}
        stack: list[tuple[int, int]] = [(0, -1)]  # (level, index of the entry)
        for index, entry in enumerate(self._items):
            level = max(1, entry.level)
            while len(stack) > 1 and stack[-1][0] >= level:
                stack.pop()
            children.setdefault(stack[-1][1], []).append(index)
            stack.append((level, index))
        self._children = children
        self.addTopLevelItems([self._make(i) for i in children[-1]])
        # Show the first level of children, as most readers do.
        if self.topLevelItemCount() < 8:
            for i in range(self.topLevelItemCount()):
                top = self.topLevelItem(i)
                if top is not None:
                    top.setExpanded(True)

    def _make(self, index: int) -> QTreeWidgetItem:
        entry = self._items[index]
        item = QTreeWidgetItem([entry.title or "(untitled)"])
        item.setData(0, _TARGET_ROLE, (entry.page, float(entry.y)))
        item.setData(0, _INDEX_ROLE, index)
        if entry.page >= 0:
            item.setToolTip(0, f"{entry.title} — page {entry.page + 1}")
        else:
            item.setToolTip(0, f"{entry.title} — points nowhere in this document")
        if self._children.get(index):
            item.setChildIndicatorPolicy(QTreeWidgetItem.ChildIndicatorPolicy.ShowIndicator)
        return item

    def _on_expanded(self, item: QTreeWidgetItem) -> None:
        if item.childCount() == 0:
            index = item.data(0, _INDEX_ROLE)
            item.addChildren([self._make(i) for i in self._children.get(index, ())])

    def is_empty(self) -> bool:
        return self.topLevelItemCount() == 0

    def _on_item(self, item: QTreeWidgetItem, _column: int = 0) -> None:
        target = item.data(0, _TARGET_ROLE)
        if not target:
            return
        page, y = target
        if page >= 0:
            self.activated.emit(int(page), float(y))
