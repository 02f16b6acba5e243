"""The Annotations dock: this document's annotations in reading order, with filters.

The list is a view over AnnotationTableModel through AnnotationFilterProxy; each item is drawn
by AnnotationDelegate on two lines (the quote; then status, kind, anchor state, citations and
location). The panel knows no Library: the window pushes annotations in and listens to
`activated` (click or Enter on one item) and `selection_changed` (the selected ids).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QPoint,
    Qt,
    Signal,
)
from PySide6.QtGui import QKeyEvent, QMouseEvent
from PySide6.QtWidgets import QAbstractItemView, QLabel, QListView, QVBoxLayout, QWidget

from reader.model import AnchorState, Annotation, AnnotationSet
from reader.ui.annotation_model import AnnotationTableModel, Column, Counts, IdRole
from reader.ui.panels.annotation_delegate import STATUS_COLORS, AnnotationDelegate
from reader.ui.panels.filter_bar import FilterBar, MembersProvider, SetFilterProxy, count_text

# The delegate, the filters and the count live in their own modules; their names stay importable
# from here, where the library browser and the sources panel import them.
__all__ = [
    "STATUS_COLORS",
    "AnnotationDelegate",
    "AnnotationsPanel",
    "FilterBar",
    "SetFilterProxy",
    "count_text",
]


class _AnnotationList(QListView):
    """A list that reports a plain click and Enter as one 'activate' (Delete goes to the window)."""

    activate = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._modifiers = Qt.KeyboardModifier.NoModifier
        self.clicked.connect(self._clicked)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._modifiers = event.modifiers()
        super().mouseReleaseEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        extend = (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.ShiftModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if not self._modifiers & extend:
            self.activate.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activate.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class AnnotationsPanel(QWidget):
    """The current document's annotations: filters, a two-line list, a count.

    Signals: `activated(id)` on a plain click or Enter; `selection_changed(list[id])` whenever the
    set of selected annotations changes (also after `select()`), ids in reading order.
    """

    activated = Signal(str)
    selection_changed = Signal(list)
    context_menu_requested = Signal(QPoint)  # global position, over the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AnnotationTableModel(self)
        self.proxy = SetFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filters = FilterBar(self.proxy, self)
        self.view = _AnnotationList(self)
        self.view.setObjectName("annotations_list")
        self.view.setAccessibleName("Annotations")
        self.view.setModel(self.proxy)
        self.view.setModelColumn(self.model.column(Column.QUOTE))
        self.delegate = AnnotationDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu_requested.emit(self.view.viewport().mapToGlobal(pos))
        )

        self.count_label = QLabel(self)
        self.count_label.setObjectName("annotations_count")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self._last_ids: list[str] = []
        self._quiet = False
        self.view.activate.connect(self._activate)
        selection_model = self.view.selectionModel()
        selection_model.selectionChanged.connect(self._selection_changed)
        # The proxy drops rows before its source has (rowsAboutToBeRemoved): count on both.
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.model.rowsRemoved,
            self.model.dataChanged,
        ):
            signal.connect(self._update_count)
        self.filters.changed.connect(self._update_count)
        self._update_count()

    # -- content -------------------------------------------------------------------------------

    def set_annotations(
        self,
        annotations: Iterable[Annotation],
        citation_counts: Mapping[str, Counts] | None = None,
    ) -> None:
        """Show these annotations (one document's), keeping the selection of those that stay."""
        keep = self.selected_ids()
        current = self.view.currentIndex().data(IdRole)
        self._quiet = True
        try:
            self.model.set_annotations(annotations, citation_counts)
            self._refresh_tags()
            self._restore(keep, current)
        finally:
            self._quiet = False
        self._update_count()
        self._emit_selection()

    def add_annotation(self, annotation: Annotation, citation_counts: Counts | None = None) -> None:
        self.model.add(annotation, citation_counts)
        self._refresh_tags()

    def update_annotation(self, annotation: Annotation) -> None:
        self.model.update_annotation(annotation)
        self._refresh_tags()

    def remove_annotation(self, annotation_id: str) -> None:
        self.model.remove(annotation_id)
        self._refresh_tags()
        self._emit_selection()

    def set_citation_counts(self, annotation_id: str, counts: Counts) -> None:
        self.model.set_citation_counts(annotation_id, counts)

    def set_number_checks(self, checks: Mapping[str, str]) -> None:
        """The numbers check of each claim whose evidence has figures (reader.ui.number_badges)."""
        self.delegate.number_checks = dict(checks)
        self.view.viewport().update()

    def number_check(self, annotation_id: str) -> str:
        return self.delegate.number_checks.get(annotation_id, "")

    # -- sets ----------------------------------------------------------------------------------

    @property
    def set_members_provider(self) -> MembersProvider | None:
        """Asked for a set's member ids when the set filter needs them (the window sets it)."""
        return self.filters.members_provider

    @set_members_provider.setter
    def set_members_provider(self, provider: MembersProvider | None) -> None:
        self.filters.members_provider = provider
        self.filters.refresh_members()

    def set_sets(self, sets: Iterable[AnnotationSet]) -> None:
        """The sets the set filter offers (the chosen one's members are asked for again)."""
        self.filters.set_sets(sets)

    def filter_to_set(self, set_id: int | None) -> bool:
        """Show only this set's members (None: every annotation)."""
        return self.filters.select_set(set_id)

    def annotations(self) -> list[Annotation]:
        return self.model.annotations()

    def visible_ids(self) -> list[str]:
        """The ids shown now, in the order shown."""
        return [self.proxy.index(r, 0).data(IdRole) for r in range(self.proxy.rowCount())]

    def counts(self) -> tuple[int, int]:
        """(shown, total)."""
        return self.proxy.rowCount(), self.model.rowCount()

    # -- selection -----------------------------------------------------------------------------

    def select(self, annotation_id: str | None) -> bool:
        """Select and scroll to one annotation (None clears); never emits `activated`.

        Returns False when the annotation is not listed or is hidden by the filters.
        """
        selection_model = self.view.selectionModel()
        index = self._proxy_index(annotation_id) if annotation_id else QModelIndex()
        if not index.isValid():
            selection_model.clearSelection()
            return annotation_id is None
        selection_model.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def selected_ids(self) -> list[str]:
        column = self.view.modelColumn()
        rows = sorted(
            i.row() for i in self.view.selectionModel().selectedIndexes() if i.column() == column
        )
        return [self.proxy.index(r, column).data(IdRole) for r in rows]

    def _proxy_index(self, annotation_id: str | None) -> QModelIndex:
        row = self.model.row_of(annotation_id) if annotation_id else -1
        if row < 0:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(row, self.view.modelColumn()))

    def _restore(self, ids: list[str], current: str | None) -> None:
        selection = QItemSelection()
        for annotation_id in ids:
            index = self._proxy_index(annotation_id)
            if index.isValid():
                selection.select(index, index)
        selection_model = self.view.selectionModel()
        current_index = self._proxy_index(current)
        if current_index.isValid():
            selection_model.setCurrentIndex(
                current_index, QItemSelectionModel.SelectionFlag.NoUpdate
            )
        selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _selection_changed(self) -> None:
        if not self._quiet:
            self._emit_selection()

    def _emit_selection(self) -> None:
        ids = self.selected_ids()
        if ids != self._last_ids:
            self._last_ids = ids
            self.selection_changed.emit(ids)

    def _activate(self, index: QModelIndex | QPersistentModelIndex) -> None:
        annotation_id = index.data(IdRole)
        if annotation_id:
            self.activated.emit(annotation_id)

    # -- bookkeeping ---------------------------------------------------------------------------

    def _refresh_tags(self) -> None:
        self.filters.set_tags({t for a in self.model.annotations() for t in a.tags})

    def _update_count(self) -> None:
        shown, total = self.counts()
        self.count_label.setText(count_text(shown, total, self.proxy.is_filtering()))
        orphans = sum(a.anchor.state is AnchorState.ORPHAN for a in self.model.annotations())
        self.count_label.setToolTip(
            f"{orphans} orphaned (quote not found in this version of the document)"
            if orphans
            else ""
        )
