"""Every annotation in the library: full-text search, filters, and a way back to the document."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    QTimer,
    Signal,
)
from PySide6.QtGui import QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QHeaderView,
    QLabel,
    QLineEdit,
    QTreeView,
    QVBoxLayout,
    QWidget,
)

from reader.library import Library
from reader.model import Annotation
from reader.ui.annotation_model import (
    AnnotationRole,
    AnnotationTableModel,
    Column,
    Counts,
    IdRole,
)
from reader.ui.panels.sidebar import FilterBar, SetFilterProxy, count_text
from reader.ui.prompts import read_only_table

__all__ = ["SEARCH_DELAY_MS", "AnnotationBrowser"]

SEARCH_DELAY_MS = 200


class _AnnotationTable(QTreeView):
    """A flat table whose Enter key and double-click both mean 'open this annotation'."""

    open_index = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.doubleClicked.connect(self.open_index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.open_index.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class AnnotationBrowser(QWidget):
    """Library-wide annotation list. `open_requested(source, annotation_id)` on double-click/Enter.

    The search box runs the library's search (quote, note, tags, claimant; then the titles,
    authors and publishers of cited sources and evidence quotes) 200 ms after
    the last keystroke, or at once on Enter; an empty box lists every annotation. The kind,
    status, tag and set filters then narrow what the search found.
    """

    open_requested = Signal(str, str)
    context_menu_requested = Signal(QPoint)  # global position, over the table

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        # Set by whoever knows about citations: annotations -> {id: (supports, refutes, context)}.
        self.citation_counts_for: Callable[[Sequence[Annotation]], Mapping[str, Counts]] | None = (
            None
        )
        self._titles: dict[int, str] = {}
        self._query = ""

        self.model = AnnotationTableModel(self, show_document=True)
        self.proxy = SetFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.search_edit = QLineEdit(self)
        self.search_edit.setObjectName("annotation_search")
        self.search_edit.setPlaceholderText(
            "Search quotes, notes, tags, claimants, sources, evidence…"
        )
        self.search_edit.setClearButtonEnabled(True)
        self.search_edit.setAccessibleName("Search all annotations")
        self.filters = FilterBar(
            self.proxy, self, with_text=False, members_provider=library.set_members
        )
        self.filters.author_ids_provider = library.annotation_ids_by

        self.view = _AnnotationTable(self)
        self.view.setObjectName("annotation_browser_view")
        self.view.setAccessibleName("All annotations")
        self.view.setModel(self.proxy)
        read_only_table(self.view)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu_requested.emit(self.view.viewport().mapToGlobal(pos))
        )
        header = self.view.header()
        header.setStretchLastSection(False)
        header.setSortIndicator(-1, Qt.SortOrder.AscendingOrder)  # reading order until clicked
        self.view.setSortingEnabled(True)
        self._size_columns()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("annotation_browser_count")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.setSpacing(4)
        layout.addWidget(self.search_edit)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self._timer = QTimer(self)
        self._timer.setSingleShot(True)
        self._timer.setInterval(SEARCH_DELAY_MS)
        self._timer.timeout.connect(self.search_now)
        self.search_edit.textChanged.connect(self._timer.start)
        self.search_edit.returnPressed.connect(self.search_now)
        self.view.open_index.connect(self._open)
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.model.rowsRemoved,
        ):
            signal.connect(self._update_count)
        self.filters.changed.connect(self._update_count)

        self.refresh()

    def _size_columns(self) -> None:
        header = self.view.header()
        fm = QFontMetrics(self.view.font())
        em = fm.horizontalAdvance("M")
        widest = {
            Column.KIND: ("Question", "Evidence", "Comment"),
            Column.STATUS: ("Unverifiable", "Misleading"),
            Column.ANCHOR: ("Anchor", "orphan"),
            Column.CITATIONS: ("Citations", "✓10 ✗10 ○10"),
            Column.LOCATION: ("Location", "p. 999"),
        }
        widths = {
            col: max(map(fm.horizontalAdvance, words)) + 2 * em for col, words in widest.items()
        }
        widths[Column.COLOR] = 2 * em
        widths[Column.DOCUMENT] = 16 * em
        for col, width in widths.items():
            section = self.model.column(col)
            if section >= 0:
                header.resizeSection(section, width)
        header.setSectionResizeMode(self.model.column(Column.QUOTE), QHeaderView.ResizeMode.Stretch)

    # -- loading -------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Reload from the library (titles, tags, sets and the current search)."""
        self._titles.clear()
        self.filters.set_tags(self.library.tags())
        self.filters.set_sets(self.library.sets())
        self.filters.set_authors(self.library.authors())
        self.search_now()

    def refresh_sets(self) -> None:
        """Sets or their members changed: re-offer the sets, re-filter to the chosen one."""
        self.filters.set_sets(self.library.sets())

    def filter_to_set(self, set_id: int | None) -> bool:
        return self.filters.select_set(set_id)

    def search_now(self) -> None:
        """Run the search box's query now (the debounce timer calls this)."""
        self._timer.stop()
        self._query = self.search_edit.text().strip()
        found = self.library.search(self._query) if self._query else self.library.all_annotations()
        keep = self.selected_ids()
        for document_id in {a.document_id for a in found} - self._titles.keys():
            self._titles[document_id] = self._title(document_id)
        counts = self.citation_counts_for(found) if self.citation_counts_for else None
        self.model.set_annotations(found, counts, titles=self._titles)
        self._reselect(keep)
        self._update_count()

    def _title(self, document_id: int) -> str:
        record = self.library.document_by_id(document_id)
        if record is None:
            return f"Document {document_id}"
        return record.title or Path(record.source).name or record.source

    # -- selection and opening -----------------------------------------------------------------

    def selected_ids(self) -> list[str]:
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(IdRole) for r in rows]

    def visible_ids(self) -> list[str]:
        return [self.proxy.index(r, 0).data(IdRole) for r in range(self.proxy.rowCount())]

    def counts(self) -> tuple[int, int]:
        """(shown, found by the search)."""
        return self.proxy.rowCount(), self.model.rowCount()

    def _reselect(self, ids: list[str]) -> None:
        selection = QItemSelection()
        for annotation_id in ids:
            row = self.model.row_of(annotation_id)
            if row < 0:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index)
        self.view.selectionModel().select(
            selection,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )

    def _open(self, index: QModelIndex | QPersistentModelIndex) -> None:
        annotation: Annotation | None = index.data(AnnotationRole)
        if annotation is None:
            return
        record = self.library.document_by_id(annotation.document_id)
        if record is None:
            return
        self.open_requested.emit(record.source, annotation.id)

    def _update_count(self) -> None:
        shown, total = self.counts()
        if self._query and not self.proxy.is_filtering():
            text = "No matches" if total == 0 else f"{total} match" + ("" if total == 1 else "es")
        else:
            text = count_text(shown, total, self.proxy.is_filtering())
        self.count_label.setText(text)
