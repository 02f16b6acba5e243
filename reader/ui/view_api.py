"""What every document view offers the window, with the same names and meanings in each.

The window and its helpers talk to "the current view" only through these protocols, so they never
ask which kind of view they hold or probe it for a method by name. Offsets are always positions
in the document's normalized text (the coordinate system every anchor refers to).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

from PySide6.QtCore import QPoint, QPointF

from reader.model import Annotation, OutlineItem, ViewPlace


@runtime_checkable
class DocumentView(Protocol):
    """A view of one document: selection, annotations, find and zoom.

    Signals every view has (Qt signals cannot be declared in a Protocol): `status_changed(str)`,
    `link_activated(str)`, `message(str)`, `selection_changed()`, `annotation_clicked(str)`.
    """

    # selection, in normalized-text offsets
    def has_selection(self) -> bool: ...
    def selection_range(self) -> tuple[int, int] | None: ...
    def selected_text(self) -> str: ...
    def select_range(self, start: int, end: int) -> None: ...
    def copy_selection(self) -> bool: ...  # False when nothing is selected
    def clear_selection(self) -> None: ...
    def text_ready(self) -> None: ...

    # annotations shown over the text
    def set_annotations(self, annotations: Sequence[Annotation]) -> None: ...
    def annotation_ids(self) -> list[str]: ...
    def annotation_at(self, pos: QPoint | QPointF) -> str | None: ...  # viewport coordinates
    @property
    def selected_annotation(self) -> str | None: ...
    def select_annotation(self, annotation_id: str | None) -> None: ...
    @property
    def flashing_annotation(self) -> str | None: ...
    def show_annotation(self, annotation_id: str) -> bool: ...

    # find: the same whitespace and case rules and limits in every view (reader.ui.text_find)
    def find(self, needle: str) -> int: ...
    def find_next(self) -> int: ...
    def find_previous(self) -> int: ...
    def clear_find(self) -> None: ...
    @property
    def match_count(self) -> int: ...
    @property
    def current_match(self) -> int: ...  # 1-based; 0 when there is none

    # zoom and the reading place (restored with the session)
    @property
    def zoom(self) -> float: ...
    def zoom_in(self) -> None: ...
    def zoom_out(self) -> None: ...
    def zoom_reset(self) -> None: ...
    def place(self) -> ViewPlace: ...
    def restore_place(self, place: ViewPlace) -> None: ...


@runtime_checkable
class PagedView(DocumentView, Protocol):
    """A view of fixed pages (PDF): adds page navigation and fitting a page to the window.

    Extra signals: `first_page_painted()`, `zoom_changed(float)`, `page_changed(int)`.
    """

    @property
    def page_count(self) -> int: ...
    @property
    def current_page(self) -> int: ...
    @property
    def has_painted(self) -> bool: ...  # the first page is on screen
    def outline(self) -> list[OutlineItem]: ...
    def go_to_page(self, page: int, y: float = 0.0) -> None: ...
    def fit_width(self) -> None: ...
    def fit_page(self) -> None: ...


class SteppedFind:
    """`find_next`, `find_previous` and `clear_find` written once for both views.

    The view's `_find` (text_find.FindState or pdf_find.PdfFind) keeps the matches; the view
    says how they show: `_show_current_match()` after a step, `_repaint_matches()` after a clear.
    """

    _find: Any

    def find_next(self) -> int:
        """Go to the next match (wrapping); return its 1-based index, 0 when there is none."""
        return self._step_match(1)

    def find_previous(self) -> int:
        """Go to the previous match (wrapping); return its 1-based index, 0 when none."""
        return self._step_match(-1)

    def clear_find(self) -> None:
        self._find.clear()
        self._repaint_matches()

    def _step_match(self, delta: int) -> int:
        number = self._find.step(delta)
        if number:
            self._show_current_match()
        return number

    def _show_current_match(self) -> None:
        raise NotImplementedError

    def _repaint_matches(self) -> None:
        raise NotImplementedError
