"""Two small widgets of the annotation editor: the quote cut to a few lines, and the tag
completer that completes the tag after the last comma."""

from __future__ import annotations

import html
from collections.abc import Iterable

from PySide6.QtCore import QModelIndex, QPersistentModelIndex, QStringListModel, Qt
from PySide6.QtGui import QTextLayout
from PySide6.QtWidgets import QCompleter, QLabel, QLineEdit, QSizePolicy, QWidget


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
