"""The numbers check of each claim in the Annotations list: a badge in its row.

A claim's figures are checked against the evidence quote of each of its citations (the same
reader.numbers check the citation card shows); the row says the worst of them: a differing pair
("≠ 79,770 vs 81,806"), else "numbers agree", else "no figures to compare" — and nothing when
no citation has an evidence quote with figures. Refreshed when the list is refilled, when a
claim's citations change and after an undo or redo.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, QTimer

from reader.model import Annotation, AnnotationKind
from reader.numbers import export_cell

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow

# Solid pills, white on green / red / grey (contrast ≥ 4.5:1, as the status pills).
_COLORS = {"agree": "#1a7f37", "differ": "#b3261e", "none": "#5f6670"}


def badge(check: str, fits: Callable[[str], bool]) -> tuple[str, str, str]:
    """(words, fill, ink) of a row's badge: the longest wording that `fits` the row."""
    verdict, _, pair = check.partition(": ")
    words = {
        "agree": ("numbers agree", "= numbers", "="),
        "differ": (f"≠ {pair}", "numbers differ", "≠ numbers", "≠"),
        "none": ("no figures to compare", "no figures", "?"),
    }[verdict]
    return next((w for w in words if fits(w)), words[-1]), _COLORS[verdict], "#ffffff"


def combined_check(cells: Iterable[str]) -> str:
    """One claim's verdict from its citations' `number_check` cells: "differ: …" before
    "agree" before "none"; "" when no evidence quote had figures."""
    cells = [c for c in cells if c]
    for verdict in ("differ", "agree", "none"):
        for cell in cells:
            if cell.split(":")[0] == verdict:
                return cell
    return ""


class NumberBadges(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.library = window.library
        self.sidebar = window.sidebar
        # Many changes in one event-loop turn (a document's annotations loaded) are one refresh.
        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(0)
        self._timer.timeout.connect(self.refresh)
        model = self.sidebar.model
        for signal in (model.modelReset, model.rowsInserted, model.dataChanged):
            signal.connect(self._timer.start)
        window.editor.citations_changed.connect(self._timer.start)
        window.annotations.library_changed.connect(self._timer.start)

    def check(self, annotation: Annotation) -> str:
        if annotation.kind is not AnnotationKind.CLAIM:
            return ""
        quote = annotation.anchor.quote
        return combined_check(
            export_cell(quote, c.evidence_quote) for c in self.library.citations(annotation.id)
        )

    def refresh(self) -> None:
        model = self.sidebar.model
        # Only claims with citations can have a check: one query each, none for the rest.
        cited = [a for a in self.sidebar.annotations() if any(model.citation_counts(a.id))]
        checks = {a.id: self.check(a) for a in cited}
        self.sidebar.set_number_checks({k: v for k, v in checks.items() if v})
