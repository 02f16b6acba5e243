"""The "Merged with conflicts" list: fields a merge found changed in both libraries.

The merge kept the newer edit; here the user sees both values and keeps mine or theirs. The
choice is made by the window (`keep_requested`), through the same undoable edit as typing in
the editor, and then the conflict is closed.
"""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
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
from reader.model import MergeConflict
from reader.text_shortening import shorten

__all__ = ["ConflictsPanel"]

_ID = Qt.ItemDataRole.UserRole


class ConflictsPanel(QWidget):
    """Signals: `keep_requested(conflict_id, "mine" | "theirs")`; `open_annotation(id)` on
    double-click."""

    keep_requested = Signal(int, str)
    open_annotation = Signal(str)

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("conflicts_panel")
        self.library = library
        self.summary = QLabel()
        self.summary.setObjectName("conflicts_summary")
        self.summary.setWordWrap(True)
        self.tree = QTreeWidget()
        self.tree.setObjectName("conflicts_list")
        self.tree.setHeaderLabels(["Annotation", "Field", "Mine", "Theirs", "Kept now"])
        self.tree.setRootIsDecorated(False)
        self.tree.setAlternatingRowColors(True)
        self.tree.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.itemSelectionChanged.connect(self._update_buttons)
        self.tree.itemDoubleClicked.connect(
            lambda item, _c: self.open_annotation.emit(item.data(1, _ID))
        )
        # The selected conflict's two values in full (the columns cut long notes short).
        self.detail = QLabel()
        self.detail.setObjectName("conflicts_detail")
        self.detail.setWordWrap(True)
        self.detail.setTextFormat(Qt.TextFormat.PlainText)
        self.keep_mine_button = QPushButton("Keep &Mine")
        self.keep_mine_button.setObjectName("conflicts_keep_mine")
        self.keep_mine_button.setToolTip("Set the field back to the value this library had")
        self.keep_theirs_button = QPushButton("Keep &Theirs")
        self.keep_theirs_button.setObjectName("conflicts_keep_theirs")
        self.keep_theirs_button.setToolTip("Set the field to the merged library's value")
        self.keep_mine_button.clicked.connect(lambda: self._keep("mine"))
        self.keep_theirs_button.clicked.connect(lambda: self._keep("theirs"))
        buttons = QHBoxLayout()
        buttons.addStretch(1)
        buttons.addWidget(self.keep_mine_button)
        buttons.addWidget(self.keep_theirs_button)
        layout = QVBoxLayout(self)
        layout.addWidget(self.summary)
        layout.addWidget(self.tree, 1)
        layout.addWidget(self.detail)
        layout.addLayout(buttons)
        self.refresh()

    def refresh(self) -> None:
        conflicts = self.library.open_conflicts()
        self.tree.clear()
        for c in conflicts:
            self.tree.addTopLevelItem(self._item(c))
        if conflicts:
            fields = "1 field was" if len(conflicts) == 1 else f"{len(conflicts)} fields were"
            self.summary.setText(
                f"{fields} changed in both libraries before they were merged. The newer edit "
                "was kept; keep the other one where it is right."
            )
            self.tree.setCurrentItem(self.tree.topLevelItem(0))
        else:
            self.summary.setText("No merge left anything to decide.")
        self._update_buttons()

    def _item(self, c: MergeConflict) -> QTreeWidgetItem:
        item = QTreeWidgetItem(
            [shorten(c.quote, 60), c.field, shorten(c.mine, 80), shorten(c.theirs, 80), c.kept]
        )
        item.setData(0, _ID, c.id)
        item.setData(1, _ID, c.annotation_id)
        item.setToolTip(2, c.mine or "")
        item.setToolTip(3, c.theirs or "")
        return item

    def selected_conflict(self) -> int | None:
        item = self.tree.currentItem()
        return int(item.data(0, _ID)) if item is not None else None

    def _keep(self, which: str) -> None:
        conflict_id = self.selected_conflict()
        if conflict_id is not None:
            self.keep_requested.emit(conflict_id, which)

    def _update_buttons(self) -> None:
        item = self.tree.currentItem()
        chosen = item is not None
        self.detail.setText(
            f"Mine: {item.toolTip(2) or '∅'}\nTheirs: {item.toolTip(3) or '∅'}" if item else ""
        )
        self.keep_mine_button.setEnabled(chosen)
        self.keep_theirs_button.setEnabled(chosen)
