"""The annotation editor's smaller parts: the quote cut to a few lines, the tag completer that
completes the tag after the last comma, the places an orphan could be re-attached to, and the
annotation's history."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt, Signal
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import (
    QCompleter,
    QGroupBox,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QSizePolicy,
    QVBoxLayout,
    QWidget,
)

from reader.model import HistoryEntry
from reader.ui.panels.editor_fields import describe_change, local_time


class QuoteLabel(QLabel):
    """A read-only quote cut to `max_lines` wrapped lines with an ellipsis; full in the tooltip."""

    def __init__(self, max_lines: int = 4, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.max_lines = max_lines
        self._full = ""
        self.setWordWrap(True)
        self.setTextFormat(Qt.TextFormat.PlainText)
        self.setTextInteractionFlags(Qt.TextInteractionFlag.TextSelectableByMouse)
        self.setSizePolicy(QSizePolicy.Policy.Ignored, QSizePolicy.Policy.Preferred)
        self.setMinimumWidth(40)

    def full_text(self) -> str:
        return self._full

    def set_full_text(self, text: str) -> None:
        self._full = text
        self.setToolTip(f"<p>{html.escape(text)}</p>" if text else "")
        self._elide()

    def resizeEvent(self, event) -> None:
        super().resizeEvent(event)
        self._elide()

    def _elide(self) -> None:
        flat = " ".join(self._full.split())
        # A little slack: QLabel's own wrapping and QTextLayout's may differ by a pixel or two.
        width = self.contentsRect().width() - 2 * self.margin() - 4
        shown = flat
        if width > 0 and flat:
            layout = QTextLayout(flat, self.font())
            layout.beginLayout()
            starts: list[int] = []
            while len(starts) <= self.max_lines:
                line = layout.createLine()
                if not line.isValid():
                    break
                line.setLineWidth(width)
                starts.append(line.textStart())
            layout.endLayout()
            if len(starts) > self.max_lines:
                cut = starts[self.max_lines - 1]
                tail = flat[cut:]
                elided = self.fontMetrics().elidedText(tail, Qt.TextElideMode.ElideRight, width)
                if elided == tail:  # the metrics disagree with the layout; still mark the cut
                    elided = tail[: max(0, len(tail) - 2)] + "…"
                shown = flat[:cut] + elided
        if shown != self.text():
            self.setText(shown)


class TagCompleter(QCompleter):
    """Completes the tag after the last comma, keeping the tags typed before it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setModel(QStringListModel(self))
        self.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.setCompletionMode(QCompleter.CompletionMode.PopupCompletion)

    def set_tags(self, tags: Iterable[str]) -> None:
        unique = sorted({t for t in tags if t}, key=str.casefold)
        model = self.model()
        assert isinstance(model, QStringListModel)
        if model.stringList() != unique:
            model.setStringList(unique)

    def splitPath(self, path: str) -> list[str]:
        return [path.rsplit(",", 1)[-1].lstrip()]

    def pathFromIndex(self, index: QModelIndex | QPersistentModelIndex) -> str:
        completion = str(index.data() or "")
        widget = self.widget()
        text = widget.text() if isinstance(widget, QLineEdit) else ""
        head, comma, _ = text.rpartition(",")
        return f"{head.rstrip()}, {completion}" if comma else completion


class PossiblePlaces(QGroupBox):
    """An orphan from a tie: the places it could be, equally likely; the user picks one."""

    chosen = Signal(int, int)  # start, end of the place picked

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("Possible places", parent)
        self.setObjectName("editor_candidates")
        self.setToolTip(
            "The quoted words occur here more than once with the same surroundings; "
            "choose the place this highlight belongs to."
        )
        self.list = QListWidget()
        self.list.setObjectName("editor_candidates_list")
        self.list.setWordWrap(True)
        self.list.itemActivated.connect(lambda _item: self._choose())
        self.button = QPushButton("Re-attach here")
        self.button.setObjectName("editor_reattach_candidate")
        self.button.clicked.connect(self._choose)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)
        layout.addWidget(self.button)
        self.hide()

    def show_places(self, places: list[tuple[int, int, str, str]]) -> None:
        """(start, end, where, preview) of each place; none hides the box."""
        shown = [self.list.item(i).data(Qt.ItemDataRole.UserRole) for i in range(self.list.count())]
        if shown == [f"{s}:{e}" for s, e, _, _ in places]:
            return
        self.list.clear()
        for start, end, where, preview in places:
            item = QListWidgetItem(f"{where}: {preview}")
            item.setData(Qt.ItemDataRole.UserRole, f"{start}:{end}")
            self.list.addItem(item)
        if places:
            self.list.setCurrentRow(0)
        self.setVisible(bool(places))

    def _choose(self) -> None:
        item = self.list.currentItem()
        if item is not None:
            start, end = (int(n) for n in item.data(Qt.ItemDataRole.UserRole).split(":"))
            self.chosen.emit(start, end)


class HistoryBox(QGroupBox):
    """Who changed what and when, oldest first, the latest in sight."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__("History", parent)
        self.setObjectName("editor_history_group")
        self.list = QListWidget()
        self.list.setObjectName("editor_history")
        self.list.setWordWrap(True)
        self.list.setAlternatingRowColors(True)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        layout = QVBoxLayout(self)
        layout.addWidget(self.list)

    def show_entries(self, entries: Iterable[HistoryEntry]) -> None:
        self.list.clear()
        for entry in entries:
            item = QListWidgetItem(
                f"{local_time(entry.time)} · {entry.author or '?'}\n{describe_change(entry)}"
            )
            item.setToolTip(entry.time)
            self.list.addItem(item)
        self.list.scrollToBottom()
