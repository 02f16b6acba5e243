"""The find bar under the document: type, see the count, step through matches."""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt, Signal
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


class DocumentFind(QObject):
    """Find in the current document: the bar's text searched in the view, the count shown,
    and a search that needs text still being read (a big PDF) done once it is there."""

    def __init__(self, bar: FindBar, tabs, work, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.bar = bar
        self.tabs = tabs  # DocumentTabs
        self.work = work  # DocumentWork: reads a big document's text on a worker
        bar.search_requested.connect(self.find)
        bar.next_requested.connect(self.find_next)
        bar.previous_requested.connect(self.find_previous)
        bar.closed.connect(self._clear)

    def open(self) -> None:
        if self.tabs.current_view() is None:
            return
        self.bar.open_bar()
        if self.bar.edit.text():
            self.find(self.bar.edit.text())

    def find(self, text: str) -> None:
        tab = self.tabs.current_tab()
        if tab is None:
            return
        if text and not self.work.when_text_ready(tab, lambda: self._again(tab), key="find"):
            self.bar.show_waiting()
            return
        view = tab.view
        total = view.find(text) if text else 0
        if not text:
            view.clear_find()
        self.bar.show_count(1 if total else 0, total)

    def current_changed(self) -> None:
        """Another document is current: an open bar searches it for what it holds."""
        if self.bar.isVisible() and self.bar.edit.text():
            self.find(self.bar.edit.text())

    def _again(self, tab) -> None:
        """The text that a find waited for is read: search for what the box holds now."""
        if tab is self.tabs.current_tab() and self.bar.isVisible():
            self.find(self.bar.edit.text())

    def find_next(self) -> None:
        view = self._stepping_view()
        if view is not None:
            self.bar.show_count(view.find_next(), view.match_count)

    def find_previous(self) -> None:
        view = self._stepping_view()
        if view is not None:
            self.bar.show_count(view.find_previous(), view.match_count)

    def _stepping_view(self):
        """The view F3 / Shift+F3 step through; None when there is none or the bar was closed
        (then it opens)."""
        view = self.tabs.current_view()
        if view is None:
            return None
        if not self.bar.isVisible():
            self.open()
            return None
        return view

    def _clear(self) -> None:
        view = self.tabs.current_view()
        if view is not None:
            view.clear_find()
