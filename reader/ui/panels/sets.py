"""The Sets manager: every annotation set with its count; new, rename, delete.

Deleting a set keeps its annotations. The name prompt and the delete confirmation are plain
callables (`ask_text`, `confirm`) so tests answer them without a modal dialog.
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.library import Library
from reader.model import AnnotationSet
from reader.ui import prompts

__all__ = ["AskText", "Confirm", "SetsPanel"]

# (title, label, initial text) -> the text entered, or None on Cancel.
AskText = Callable[[str, str, str], "str | None"]
# (question) -> True to go ahead.
Confirm = Callable[[str], bool]

_ID = Qt.ItemDataRole.UserRole


class _SetList(QTreeWidget):
    activate = Signal(int)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemDoubleClicked.connect(lambda item, _col: self.activate.emit(item.data(0, _ID)))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.activate.emit(item.data(0, _ID))
            event.accept()
            return
        super().keyPressEvent(event)


class SetsPanel(QWidget):
    """Signals: `set_activated(set_id)` on double-click or Enter (the window filters the sidebar
    to that set); `sets_changed()` after a set was created, renamed or deleted; `error(text)`
    with one sentence when a name is refused."""

    set_activated = Signal(int)
    sets_changed = Signal()
    error = Signal(str)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.ask_text: AskText = self._ask_text_dialog
        self.confirm: Confirm = self._confirm_dialog

        self.list = _SetList(self)
        self.list.setObjectName("sets_list")
        self.list.setAccessibleName("Annotation sets")
        self.list.setColumnCount(2)
        self.list.setHeaderLabels(["Set", "Annotations"])
        self.list.setRootIsDecorated(False)
        self.list.setUniformRowHeights(True)
        self.list.setAllColumnsShowFocus(True)
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        header = self.list.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        header.setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)

        self.new_button = QPushButton("&New…", self)
        self.new_button.setObjectName("sets_new")
        self.rename_button = QPushButton("&Rename…", self)
        self.rename_button.setObjectName("sets_rename")
        self.delete_button = QPushButton("&Delete", self)
        self.delete_button.setObjectName("sets_delete")
        self.hint = QLabel("Double-click a set to show only its annotations.", self)
        self.hint.setWordWrap(True)

        buttons = QHBoxLayout()
        buttons.addWidget(self.new_button)
        buttons.addWidget(self.rename_button)
        buttons.addWidget(self.delete_button)
        buttons.addStretch(1)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.hint)

        self.new_button.clicked.connect(lambda: self.new_set())
        self.rename_button.clicked.connect(lambda: self.rename_selected())
        self.delete_button.clicked.connect(lambda: self.delete_selected())
        self.list.activate.connect(self.set_activated)
        self.list.currentItemChanged.connect(self._update_buttons)
        self.refresh()

    # -- content -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload the sets and their counts, keeping the selected set selected."""
        keep = self.selected_set_id()
        self.list.clear()
        for s in self.library.sets():
            item = QTreeWidgetItem([s.name, str(s.count)])
            item.setData(0, _ID, s.id)
            item.setTextAlignment(1, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.list.addTopLevelItem(item)
            if s.id == keep:
                self.list.setCurrentItem(item)
        self._update_buttons()

    def rows(self) -> list[tuple[str, int]]:
        """(name, count) as listed."""
        return [
            (self.list.topLevelItem(i).text(0), int(self.list.topLevelItem(i).text(1)))
            for i in range(self.list.topLevelItemCount())
        ]

    def selected_set_id(self) -> int | None:
        item = self.list.currentItem()
        return item.data(0, _ID) if item is not None else None

    def select_set(self, set_id: int) -> bool:
        for i in range(self.list.topLevelItemCount()):
            item = self.list.topLevelItem(i)
            if item.data(0, _ID) == set_id:
                self.list.setCurrentItem(item)
                return True
        return False

    def _selected(self) -> AnnotationSet | None:
        set_id = self.selected_set_id()
        return next((s for s in self.library.sets() if s.id == set_id), None)

    def _update_buttons(self) -> None:
        chosen = self.list.currentItem() is not None
        self.rename_button.setEnabled(chosen)
        self.delete_button.setEnabled(chosen)

    # -- actions -------------------------------------------------------------------------------

    def new_set(self) -> AnnotationSet | None:
        name = self.ask_text("New set", "Name of the new set:", "")
        if name is None or not name.strip():
            return None
        try:
            created = self.library.create_set(name)
        except ValueError as exc:
            self.error.emit(str(exc))
            return None
        self.refresh()
        self.select_set(created.id)
        self.sets_changed.emit()
        return created

    def rename_selected(self) -> bool:
        chosen = self._selected()
        if chosen is None:
            return False
        name = self.ask_text("Rename set", f'New name for "{chosen.name}":', chosen.name)
        if name is None or " ".join(name.split()) == chosen.name:
            return False
        try:
            self.library.rename_set(chosen.id, name)
        except ValueError as exc:
            self.error.emit(str(exc))
            return False
        self.refresh()
        self.sets_changed.emit()
        return True

    def delete_selected(self) -> bool:
        chosen = self._selected()
        if chosen is None:
            return False
        members = "annotation" if chosen.count == 1 else "annotations"
        question = (
            f'Delete the set "{chosen.name}"? Its {chosen.count} {members} stay in the library.'
        )
        if not self.confirm(question):
            return False
        self.library.delete_set(chosen.id)
        self.refresh()
        self.sets_changed.emit()
        return True

    # -- default prompts -----------------------------------------------------------------------

    def _ask_text_dialog(self, title: str, label: str, text: str) -> str | None:
        return prompts.ask_text(self, title, label, text)

    def _confirm_dialog(self, question: str) -> bool:
        return prompts.confirm(self, "Delete set", question)
