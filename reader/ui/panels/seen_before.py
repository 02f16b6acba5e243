"""Seen before: the editor's list of earlier claims and fact-checks that make the same claim.

It asks the library once the selection has settled (a short timer, restarted by every new
selection), so the first paint and typing are never held up; `Library.seen_before` answers
from the full-text indexes in milliseconds (bench/seen_before.py), so it runs on the UI
thread, which owns the SQLite connection. Linking and copying a verdict are undoable steps
(`record`, set by the window, is the annotation controller's).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt, QTimer, Signal
from PySide6.QtWidgets import (
    QGroupBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader.model import Annotation, AnnotationKind
from reader.ui.wrapping_row import WrappingRow

# Long enough that arrowing through the sidebar does not search for every claim passed.
SETTLE_MS = 250

STATUS_NAMES = {
    "unverified": "Unverified",
    "supported": "Supported",
    "disputed": "Disputed",
    "misleading": "Misleading",
    "refuted": "Refuted",
    "unverifiable": "Unverifiable",
}


def describe(match) -> str:
    """The list line: verdict, where it is, its sources, then the quote."""
    if match.fact_check is not None:
        check = match.fact_check
        verdict = f"Rated “{check.rating}”" if check.rating else "Fact-check"
        where = ", ".join(p for p in (check.reviewer, check.url) if p)
    else:
        verdict = STATUS_NAMES.get(match.status, match.status)
        where = ", ".join(p for p in (match.document or "Untitled", match.location) if p)
    head = f"{verdict} · {where}"
    if match.sources:
        head += " · sources: " + "; ".join(match.sources)
    if match.linked:
        head = "✓ Same claim · " + head
    return f"{head}\n“{match.quote}”"


class SeenBeforePanel(QGroupBox):
    sources_changed = Signal(str)  # annotation id whose citations a copied verdict changed

    def __init__(self, library, parent: QWidget | None = None) -> None:
        super().__init__("Seen before", parent)
        self.setObjectName("editor_seen_before")
        self.setToolTip("Earlier claims and imported fact-checks that make the same claim")
        self._library = library
        self._annotation: Annotation | None = None
        self._matches: list = []
        # Set by the window: put a change already made on the undo stack, and tell every
        # widget an annotation changed (the annotation controller's `record` and `changed`).
        self.record: Callable[..., None] | None = None
        self.changed: Callable[[Annotation | None, str], None] | None = None

        self.timer = QTimer(self)
        self.timer.setSingleShot(True)
        self.timer.setInterval(SETTLE_MS)
        self.timer.timeout.connect(self.refresh)

        self.empty_label = QLabel("No earlier claim or fact-check makes this claim.")
        self.empty_label.setObjectName("seen_before_empty")
        self.empty_label.setWordWrap(True)
        self.empty_label.setEnabled(False)
        self.list = QListWidget()
        self.list.setObjectName("seen_before_list")
        self.list.setWordWrap(True)
        self.list.setMinimumHeight(self.fontMetrics().lineSpacing() * 5)
        self.list.currentRowChanged.connect(lambda _row: self._enable())
        self.link_button = QPushButton("Same claim")
        self.link_button.setObjectName("seen_before_link")
        self.link_button.setToolTip("Link this claim with the selected one as the same claim")
        self.link_button.clicked.connect(self.toggle_link)
        self.copy_button = QPushButton("Copy verdict")
        self.copy_button.setObjectName("seen_before_copy")
        self.copy_button.setToolTip(
            "Give this claim the status and the sources of the selected one"
        )
        self.copy_button.clicked.connect(self.copy_verdict)
        # A narrow panel stacks the two buttons rather than cut them off.
        buttons = WrappingRow([self.link_button, self.copy_button])
        layout = QVBoxLayout(self)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.list)
        layout.addWidget(buttons)
        self.hide()

    def set_annotation(self, annotation: Annotation | None) -> None:
        """Show the matches of `annotation` once the selection settles (claims only)."""
        same = (
            annotation is not None
            and self._annotation is not None
            and annotation.id == self._annotation.id
            and annotation.anchor.quote == self._annotation.anchor.quote
            and annotation.claim_reviewed == self._annotation.claim_reviewed
        )
        self._annotation = annotation
        if annotation is None or annotation.kind != AnnotationKind.CLAIM:
            self.timer.stop()
            self._show([])
            self.hide()
            return
        self.show()
        if not same:
            self._show([])
            self.timer.start()

    def matches(self) -> list:
        return list(self._matches)

    def refresh(self) -> None:
        self.timer.stop()
        annotation = self._annotation
        if annotation is None:
            return
        keep = self.list.currentRow()
        self._show(self._library.seen_before.for_annotation(annotation))
        if 0 <= keep < self.list.count():
            self.list.setCurrentRow(keep)

    def _show(self, matches: list) -> None:
        self._matches = matches
        self.list.clear()
        for match in matches:
            item = QListWidgetItem(describe(match))
            item.setToolTip(f"{match.target}\nscore {match.score:.2f}")
            item.setData(Qt.ItemDataRole.UserRole, match.target)
            self.list.addItem(item)
        self.empty_label.setVisible(not matches and self._annotation is not None)
        self.list.setVisible(bool(matches))
        if matches:
            self.list.setCurrentRow(0)
        self._enable()

    def _selected(self):
        row = self.list.currentRow()
        return self._matches[row] if 0 <= row < len(self._matches) else None

    def _enable(self) -> None:
        match = self._selected()
        self.link_button.setEnabled(match is not None)
        self.link_button.setText("Not the same claim" if match and match.linked else "Same claim")
        self.copy_button.setEnabled(match is not None and bool(match.status or match.sources))

    # -- the two things a user does with a match -----------------------------------------------

    def toggle_link(self) -> None:
        match, annotation = self._selected(), self._annotation
        if match is None or annotation is None:
            return
        seen = self._library.seen_before
        claim_id, target = annotation.id, match.target

        def link() -> None:
            seen.link(claim_id, target)
            self.refresh()

        def unlink() -> None:
            seen.unlink(claim_id, target)
            self.refresh()

        if match.linked:
            unlink()
            self._record("Not the same claim", link, unlink)
        else:
            link()
            self._record("Link as the same claim", unlink, link)

    def copy_verdict(self) -> None:
        match, annotation = self._selected(), self._annotation
        if match is None or annotation is None:
            return
        seen = self._library.seen_before
        copied = seen.copy_verdict(annotation, match)
        self._tell(copied.after)

        def undo() -> None:
            self._tell(seen.undo_copy(copied))

        def redo() -> None:
            self._tell(seen.redo_copy(copied))

        self._record("Copy verdict and sources", undo, redo)

    def _tell(self, annotation: Annotation) -> None:
        if self.changed is not None:
            self.changed(annotation, annotation.id)
        self.sources_changed.emit(annotation.id)

    def _record(self, text: str, undo: Callable[[], None], redo: Callable[[], None]) -> None:
        if self.record is not None:
            self.record(text, undo, redo)
