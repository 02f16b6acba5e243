"""Annotations as a Qt table model, and the filter every annotation list shares.

The model holds the one list of `Annotation` objects a view shows (no copies in widgets), in
reading order: document, then position in the document's normalized text. Single changes are
reported as row inserts, moves, removals and dataChanged, never as a full reset, so selection
and scroll position survive an edit.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping, Sequence

from PySide6.QtCore import (
    QAbstractTableModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
)
from PySide6.QtGui import QColor, QFont

from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
)
from reader.ui.table_columns import TableColumn

__all__ = [
    "AnchorStateRole",
    "AnnotationFilterProxy",
    "AnnotationRole",
    "AnnotationTableModel",
    "CitationsRole",
    "Column",
    "IdRole",
    "annotation_color",
    "citation_text",
    "excerpt",
    "location_text",
]

AnnotationRole = Qt.ItemDataRole.UserRole + 1  # the Annotation object
IdRole = Qt.ItemDataRole.UserRole + 2  # its id (str)
CitationsRole = Qt.ItemDataRole.UserRole + 3  # (supports, refutes, context)
AnchorStateRole = Qt.ItemDataRole.UserRole + 4  # "exact" | "fuzzy" | "orphan"
DocumentTitleRole = Qt.ItemDataRole.UserRole + 5  # the document's title (str)

Counts = tuple[int, int, int]
_NO_COUNTS: Counts = (0, 0, 0)
EXCERPT_LENGTH = 100

_Index = QModelIndex | QPersistentModelIndex


class Column(TableColumn):
    COLOR = 0, "", "Highlight colour"
    QUOTE = 1, "Quote"
    DOCUMENT = 2, "Document"
    KIND = 3, "Kind"
    STATUS = 4, "Status"
    ANCHOR = 5, "Anchor", "Whether the quote was found exactly, approximately (fuzzy) or not at all"
    CITATIONS = 6, "Citations", "Sources that support (✓), refute (✗) or give context (○)"
    LOCATION = 7, "Location", "Page, or ¶ for documents without pages"


_KIND_ORDER = {k: i for i, k in enumerate(AnnotationKind)}
_STATUS_ORDER = {s: i for i, s in enumerate(ClaimStatus)}
_ANCHOR_ORDER = {s: i for i, s in enumerate(AnchorState)}

ORPHAN_TIP = "Orphan: this quote was not found in the current version of the document."
FUZZY_TIP = "Fuzzy: the document changed; this quote was placed where it matches best."


def reading_key(a: Annotation) -> tuple[int, int, int, str]:
    return (a.document_id, a.anchor.start, a.anchor.end, a.id)


def excerpt(text: str, length: int = EXCERPT_LENGTH) -> str:
    """One line of at most `length` characters, whitespace collapsed, ending in … when cut."""
    line = " ".join(text.split())
    return line if len(line) <= length else line[: length - 1].rstrip() + "…"


def annotation_color(a: Annotation) -> QColor:
    color = QColor(a.color) if a.color else QColor()
    return color if color.isValid() else QColor(DEFAULT_COLORS[a.kind])


def citation_text(counts: Counts) -> str:
    """Citation counts as "✓2 ✗1 ○3": only the stances that occur; empty without citations."""
    supports, refutes, context = counts
    parts = []
    if supports:
        parts.append(f"✓{supports}")
    if refutes:
        parts.append(f"✗{refutes}")
    if context:
        parts.append(f"○{context}")
    return " ".join(parts)


def citation_tip(counts: Counts) -> str:
    supports, refutes, context = counts
    if not any(counts):
        return "No citations"
    return f"{supports} supporting, {refutes} refuting, {context} giving context"


def location_text(a: Annotation) -> str:
    return f"p. {a.page + 1}" if a.page >= 0 else "¶"


class AnnotationTableModel(QAbstractTableModel):
    """list[Annotation] in reading order; one row per annotation.

    `show_document` adds a Document column (the library-wide browser); titles come from
    `set_annotations(..., titles=)` or `set_document_titles`.
    """

    def __init__(self, parent: QObject | None = None, *, show_document: bool = False) -> None:
        super().__init__(parent)
        self.columns: tuple[Column, ...] = tuple(
            c for c in Column if show_document or c is not Column.DOCUMENT
        )
        self._rows: list[Annotation] = []
        self._keys: list[tuple[int, int, int, str]] = []
        self._counts: dict[str, Counts] = {}
        self._titles: dict[int, str] = {}

    # -- reading -------------------------------------------------------------------------------

    def column(self, which: Column) -> int:
        """The section of a column, or -1 when this model does not show it."""
        try:
            return self.columns.index(which)
        except ValueError:
            return -1

    def annotations(self) -> list[Annotation]:
        return list(self._rows)

    def annotation(self, row: int) -> Annotation:
        return self._rows[row]

    def row_of(self, annotation_id: str) -> int:
        """The row of an annotation, or -1."""
        for row, a in enumerate(self._rows):
            if a.id == annotation_id:
                return row
        return -1

    def citation_counts(self, annotation_id: str) -> Counts:
        return self._counts.get(annotation_id, _NO_COUNTS)

    def document_title(self, document_id: int) -> str:
        return self._titles.get(document_id, "")

    # -- changing ------------------------------------------------------------------------------

    def set_annotations(
        self,
        annotations: Iterable[Annotation],
        citation_counts: Mapping[str, Counts] | None = None,
        *,
        titles: Mapping[int, str] | None = None,
    ) -> None:
        self.beginResetModel()
        self._rows = sorted(annotations, key=reading_key)
        self._keys = [reading_key(a) for a in self._rows]
        self._counts = {k: tuple(v) for k, v in (citation_counts or {}).items()}  # type: ignore[misc]
        if titles is not None:
            self._titles = dict(titles)
        self.endResetModel()

    def set_document_titles(self, titles: Mapping[int, str]) -> None:
        self._titles.update(titles)
        col = self.column(Column.DOCUMENT)
        if col >= 0 and self._rows:
            self.dataChanged.emit(self.index(0, col), self.index(len(self._rows) - 1, col))

    def set_citation_counts(self, annotation_id: str, counts: Counts) -> None:
        self._counts[annotation_id] = tuple(counts)  # type: ignore[assignment]
        row = self.row_of(annotation_id)
        if row >= 0:
            self._row_changed(row)

    def add(self, annotation: Annotation, citation_counts: Counts | None = None) -> int:
        """Insert in reading order (replacing an annotation with the same id); returns the row."""
        if self.row_of(annotation.id) >= 0:
            self.update_annotation(annotation)
            if citation_counts is not None:
                self.set_citation_counts(annotation.id, citation_counts)
            return self.row_of(annotation.id)
        key = reading_key(annotation)
        row = bisect.bisect_left(self._keys, key)
        self.beginInsertRows(QModelIndex(), row, row)
        self._rows.insert(row, annotation)
        self._keys.insert(row, key)
        if citation_counts is not None:
            self._counts[annotation.id] = tuple(citation_counts)  # type: ignore[assignment]
        self.endInsertRows()
        return row

    def update_annotation(self, annotation: Annotation) -> bool:
        """Replace the annotation with the same id, moving its row if its position changed."""
        old = self.row_of(annotation.id)
        if old < 0:
            return False
        key = reading_key(annotation)
        rest = self._keys[:old] + self._keys[old + 1 :]
        new = bisect.bisect_left(rest, key)
        if new != old:
            # beginMoveRows counts the destination in the rows as they are before the move.
            self.beginMoveRows(
                QModelIndex(), old, old, QModelIndex(), new if new < old else new + 1
            )
            del self._rows[old]
            del self._keys[old]
            self._rows.insert(new, annotation)
            self._keys.insert(new, key)
            self.endMoveRows()
        else:
            self._rows[old] = annotation
            self._keys[old] = key
        self._row_changed(new)
        return True

    def remove(self, annotation_id: str) -> bool:
        row = self.row_of(annotation_id)
        if row < 0:
            return False
        self.beginRemoveRows(QModelIndex(), row, row)
        del self._rows[row]
        del self._keys[row]
        self._counts.pop(annotation_id, None)
        self.endRemoveRows()
        return True

    def _row_changed(self, row: int) -> None:
        self.dataChanged.emit(self.index(row, 0), self.index(row, len(self.columns) - 1))

    # -- QAbstractItemModel --------------------------------------------------------------------

    def rowCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: _Index = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self.columns)

    def headerData(
        self,
        section: int,
        orientation: Qt.Orientation,
        role: int = Qt.ItemDataRole.DisplayRole,
    ) -> object:
        if orientation != Qt.Orientation.Horizontal or not 0 <= section < len(self.columns):
            return None
        col = self.columns[section]
        if role == Qt.ItemDataRole.DisplayRole:
            return col.header
        if role == Qt.ItemDataRole.ToolTipRole:
            return col.tip or col.header
        return None

    def flags(self, index: _Index) -> Qt.ItemFlag:
        if not index.isValid():
            return Qt.ItemFlag.NoItemFlags
        return (
            Qt.ItemFlag.ItemIsEnabled
            | Qt.ItemFlag.ItemIsSelectable
            | Qt.ItemFlag.ItemNeverHasChildren
        )

    def data(self, index: _Index, role: int = Qt.ItemDataRole.DisplayRole) -> object:
        if not index.isValid() or index.parent().isValid():
            return None
        row, section = index.row(), index.column()
        if not (0 <= row < len(self._rows) and 0 <= section < len(self.columns)):
            return None
        a = self._rows[row]
        col = self.columns[section]
        if role == AnnotationRole:
            return a
        if role == IdRole:
            return a.id
        if role == CitationsRole:
            return self.citation_counts(a.id)
        if role == AnchorStateRole:
            return str(a.anchor.state)
        if role == DocumentTitleRole:
            return self._title(a)
        if role == Qt.ItemDataRole.DisplayRole:
            return self._display(a, col)
        if role == Qt.ItemDataRole.ToolTipRole:
            return self._tooltip(a, col)
        if role == Qt.ItemDataRole.AccessibleTextRole and col is Column.QUOTE:
            return self._accessible(a)
        if role == Qt.ItemDataRole.DecorationRole and col is Column.COLOR:
            return annotation_color(a)
        if role == Qt.ItemDataRole.FontRole and col is Column.QUOTE:
            if a.anchor.state is AnchorState.ORPHAN:
                font = QFont()
                font.setItalic(True)
                return font
        if role == Qt.ItemDataRole.TextAlignmentRole and col in (
            Column.CITATIONS,
            Column.LOCATION,
        ):
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _title(self, a: Annotation) -> str:
        return self._titles.get(a.document_id) or f"Document {a.document_id}"

    def _display(self, a: Annotation, col: Column) -> str | None:
        if col is Column.QUOTE:
            return excerpt(a.anchor.quote)
        if col is Column.DOCUMENT:
            return self._title(a)
        if col is Column.KIND:
            return a.kind.value.capitalize()
        if col is Column.STATUS:
            return a.status.value.capitalize()
        if col is Column.ANCHOR:
            return a.anchor.state.value
        if col is Column.CITATIONS:
            return citation_text(self.citation_counts(a.id))
        if col is Column.LOCATION:
            return location_text(a)
        return None

    def _tooltip(self, a: Annotation, col: Column) -> str | None:
        if col is Column.QUOTE:
            tip = a.anchor.quote
            if a.anchor.state is AnchorState.ORPHAN:
                tip = f"{ORPHAN_TIP}\n\n{tip}"
            elif a.anchor.state is AnchorState.FUZZY:
                tip = f"{FUZZY_TIP}\n\n{tip}"
            if a.note:
                tip += f"\n\nNote: {a.note}"
            return tip
        if col is Column.COLOR:
            return f"{a.kind.value.capitalize()} highlight {annotation_color(a).name()}"
        if col is Column.ANCHOR:
            if a.anchor.state is AnchorState.ORPHAN:
                return ORPHAN_TIP
            if a.anchor.state is AnchorState.FUZZY:
                return FUZZY_TIP
            return "Exact: the quote is where it was highlighted."
        if col is Column.CITATIONS:
            return citation_tip(self.citation_counts(a.id))
        if col is Column.LOCATION:
            where = f"page {a.page + 1}" if a.page >= 0 else "unpaged document"
            return f"{where}, characters {a.anchor.start}–{a.anchor.end}"
        if col is Column.DOCUMENT:
            return self._title(a)
        return None

    def _accessible(self, a: Annotation) -> str:
        parts = [a.kind.value.capitalize()]
        if a.kind is AnnotationKind.CLAIM or a.status is not ClaimStatus.UNVERIFIED:
            parts.append(a.status.value)
        if a.anchor.state is not AnchorState.EXACT:
            parts.append(a.anchor.state.value)
        cites = citation_tip(self.citation_counts(a.id))
        parts.append(cites.lower() if cites == "No citations" else cites)
        return ", ".join(parts) + ": " + excerpt(a.anchor.quote)


def _matches(a: Annotation, words: Sequence[str]) -> bool:
    haystack = "\n".join((a.anchor.quote, a.note, a.claimant, *a.tags)).casefold()
    return all(w in haystack for w in words)


class AnnotationFilterProxy(QSortFilterProxyModel):
    """Filters an AnnotationTableModel by kind, status, tag and free text; sorts by column.

    Free text is case-insensitive and every word must occur in the quote, note, tags or claimant.
    With no sort column (the default) rows keep the source's reading order.
    """

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._kind: AnnotationKind | None = None
        self._status: ClaimStatus | None = None
        self._tag: str | None = None
        self._words: tuple[str, ...] = ()
        self._author_ids: frozenset[str] | None = None  # made or changed by the chosen person
        self._text = ""

    @property
    def kind(self) -> AnnotationKind | None:
        return self._kind

    @property
    def status(self) -> ClaimStatus | None:
        return self._status

    @property
    def tag(self) -> str | None:
        return self._tag

    @property
    def text(self) -> str:
        return self._text

    def is_filtering(self) -> bool:
        return (
            bool(self._kind or self._status or self._tag or self._words)
            or self._author_ids is not None
        )

    def set_author_ids(self, ids: frozenset[str] | None) -> None:
        """Only these annotations (what one person made or changed); None: everyone's."""
        self._change(lambda: setattr(self, "_author_ids", ids))

    def set_kind(self, kind: AnnotationKind | str | None) -> None:
        self._change(lambda: setattr(self, "_kind", AnnotationKind(kind) if kind else None))

    def set_status(self, status: ClaimStatus | str | None) -> None:
        self._change(lambda: setattr(self, "_status", ClaimStatus(status) if status else None))

    def set_tag(self, tag: str | None) -> None:
        self._change(lambda: setattr(self, "_tag", tag or None))

    def set_text(self, text: str) -> None:
        def apply() -> None:
            self._text = text
            self._words = tuple(text.casefold().split())

        self._change(apply)

    def clear_filters(self) -> None:
        def apply() -> None:
            self._kind = self._status = self._tag = None
            self._text, self._words = "", ()
            self._author_ids = None

        self._change(apply)

    def _change(self, apply) -> None:  # noqa: ANN001
        self.beginFilterChange()
        apply()
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def source_annotation(self, row: int) -> Annotation:
        return self.data(self.index(row, 0), AnnotationRole)  # type: ignore[return-value]

    def filterAcceptsRow(self, source_row: int, source_parent: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AnnotationTableModel) or source_parent.isValid():
            return True
        a = model.annotation(source_row)
        if self._kind is not None and a.kind is not self._kind:
            return False
        if self._status is not None and a.status is not self._status:
            return False
        if self._tag is not None and self._tag not in a.tags:
            return False
        if self._author_ids is not None and a.id not in self._author_ids:
            return False
        return _matches(a, self._words) if self._words else True

    def lessThan(self, left: _Index, right: _Index) -> bool:
        model = self.sourceModel()
        if not isinstance(model, AnnotationTableModel):
            return super().lessThan(left, right)
        col = model.columns[left.column()]
        a, b = model.annotation(left.row()), model.annotation(right.row())
        return self._sort_key(model, col, a) < self._sort_key(model, col, b)

    @staticmethod
    def _sort_key(model: AnnotationTableModel, col: Column, a: Annotation) -> tuple:
        if col is Column.QUOTE:
            first: object = excerpt(a.anchor.quote).casefold()
        elif col is Column.DOCUMENT:
            first = model._title(a).casefold()
        elif col is Column.KIND:
            first = _KIND_ORDER[a.kind]
        elif col is Column.STATUS:
            first = _STATUS_ORDER[a.status]
        elif col is Column.ANCHOR:
            first = _ANCHOR_ORDER[a.anchor.state]
        elif col is Column.CITATIONS:
            first = sum(model.citation_counts(a.id))
        elif col is Column.COLOR:
            first = annotation_color(a).name()
        else:
            first = 0
        return (first, *reading_key(a))
