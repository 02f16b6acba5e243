"""The box a reference is pasted or typed into, and telling a reference from search words."""

from __future__ import annotations

import re

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QKeyEvent
from PySide6.QtWidgets import QCompleter, QPlainTextEdit, QWidget

INPUT_PLACEHOLDER = (
    "Paste a URL, DOI, ISBN, BibTeX entry or CSL-JSON item — or type words to find a source "
    "you have cited before"
)
EMPTY_INPUT = "Paste a URL, DOI, ISBN, BibTeX entry or CSL-JSON item first."


_REFERENCE_START = re.compile(
    r"(https?://|www\.|doi:|10\.\d{4,9}/|isbn|@\w+\s*[{(]|[\[{]|TY  -)", re.IGNORECASE
)
_ISBN = re.compile(r"(97[89])?\d{9}[\dX]", re.IGNORECASE)
_DOMAIN = re.compile(r"[\w-]+(\.[\w-]+)+(/\S*)?")


def looks_like_reference(text: str) -> bool:
    """True for text that is meant to be parsed (URL, DOI, ISBN, BibTeX, JSON, RIS, several
    lines) rather than words to search the sources already in the library for."""
    stripped = text.strip()
    if not stripped:
        return False
    if "\n" in stripped or _REFERENCE_START.match(stripped):
        return True
    if _ISBN.fullmatch(re.sub(r"[\s-]", "", stripped)):
        return True
    return " " not in stripped and bool(_DOMAIN.fullmatch(stripped))


class ReferenceInput(QPlainTextEdit):
    """The paste box: Ctrl+Enter submits; Enter/Tab pick the completion while one is offered.

    QCompleter hands key presses to its widget's `event()` first and only acts on the ones the
    widget leaves alone, so a plain text edit must leave Enter to it while the popup is open
    (or it would insert a line break instead of choosing the source).
    """

    submitted = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.completer: QCompleter | None = None

    def keyPressEvent(self, event: QKeyEvent) -> None:
        key = event.key()
        enter = key in (Qt.Key.Key_Return, Qt.Key.Key_Enter)
        if enter and event.modifiers() & Qt.KeyboardModifier.ControlModifier:
            event.accept()
            self.submitted.emit()
            return
        popup = self.completer.popup() if self.completer is not None else None
        if popup is not None and popup.isVisible() and (enter or key == Qt.Key.Key_Tab):
            event.ignore()
            return
        super().keyPressEvent(event)
