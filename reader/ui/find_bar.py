"""The find bar under the document: type, see the count, step through matches."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import QHBoxLayout, QLabel, QLineEdit, QToolButton, QWidget


class FindBar(QWidget):
    search_requested = Signal(str)
    next_requested = Signal()
    previous_requested = Signal()
    closed = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("find_bar")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(6, 2, 6, 2)
        self.edit = QLineEdit(self)
        self.edit.setObjectName("find_edit")
        self.edit.setPlaceholderText("Find in document")
        self.edit.setClearButtonEnabled(True)
        self.edit.setMaximumWidth(360)
        self.previous = QToolButton(self)
        self.previous.setText("▲")
        self.previous.setToolTip("Previous match (Shift+F3)")
        self.next = QToolButton(self)
        self.next.setText("▼")
        self.next.setToolTip("Next match (F3)")
        self.count = QLabel(self)
        self.count.setObjectName("find_count")
        close = QToolButton(self)
        close.setText("✕")
        close.setToolTip("Close (Esc)")
        layout.addWidget(QLabel("Find:", self))
        layout.addWidget(self.edit)
        layout.addWidget(self.previous)
        layout.addWidget(self.next)
        layout.addWidget(self.count)
        layout.addStretch(1)
        layout.addWidget(close)
        self.edit.textChanged.connect(self.search_requested)
        self.edit.returnPressed.connect(self.next_requested)
        self.next.clicked.connect(self.next_requested)
        self.previous.clicked.connect(self.previous_requested)
        close.clicked.connect(self.close_bar)
        esc = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        esc.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        esc.activated.connect(self.close_bar)

    def open_bar(self) -> None:
        self.show()
        self.edit.setFocus()
        self.edit.selectAll()

    def close_bar(self) -> None:
        self.hide()
        self.closed.emit()

    def show_count(self, current: int, total: int) -> None:
        if not self.edit.text():
            self.count.setText("")
        elif total == 0:
            self.count.setText("No matches")
        else:
            self.count.setText(f"{current} of {total}")

    def show_waiting(self) -> None:
        """The document's text is being read (see the status bar); the search follows."""
        self.count.setText("Reading the text…")
