"""Every source in the library: a sortable, filterable table, the claims citing each one, and
the clean-up tools a growing bibliography needs (edit, merge duplicates, open the URL/DOI).

The browser only talks to the Library façade. It emits `open_annotation(document_source,
annotation_id)` when a citing claim is double-clicked (or Enter is pressed on it) and
`changed()` after an edit or a merge, so the rest of the window can refresh its citation counts.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

from PySide6.QtCore import (
    QAbstractTableModel,
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QPersistentModelIndex,
    QSortFilterProxyModel,
    Qt,
    QUrl,
    Signal,
)
from PySide6.QtGui import QDesktopServices, QFontMetrics, QKeyEvent
from PySide6.QtWidgets import (
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QMessageBox,
    QPushButton,
    QSplitter,
    QStackedWidget,
    QTreeView,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.citations import format_reference, isbn_text, short_reference
from reader.library import Library
from reader.model import Annotation, Source
from reader.ui.annotation_model import excerpt
from reader.ui.panels.sidebar import count_text
from reader.ui.prompts import read_only_table
from reader.ui.table_columns import TableColumn

__all__ = [
    "EMPTY_TEXT",
    "SourceColumn",
    "SourceIdRole",
    "SourceRole",
    "SourceTableModel",
    "SourcesBrowser",
    "source_link",
]

EditDialog = Callable[[Source, QWidget], Source | None]
ChooseKeep = Callable[[Source, Source, QWidget], Source | None]
OpenUrl = Callable[[QUrl], object]

SourceRole = Qt.ItemDataRole.UserRole + 1  # the Source object
SourceIdRole = Qt.ItemDataRole.UserRole + 2  # its id (int)
SortRole = Qt.ItemDataRole.UserRole + 3  # what the column sorts by
ClaimRole = Qt.ItemDataRole.UserRole + 4  # (document source, annotation id) of a citing claim

EMPTY_TEXT = (
    "No sources yet.\n\nSelect a claim in a document and cite a source for it "
    "(a URL, DOI, ISBN or pasted reference); every source you cite is listed here."
)

TYPE_NAMES = {
    "article-journal": "Journal article",
    "article-magazine": "Magazine article",
    "article-newspaper": "Newspaper article",
    "book": "Book",
    "chapter": "Book chapter",
    "dataset": "Dataset",
    "document": "Document",
    "legislation": "Legislation",
    "legal_case": "Legal case",
    "paper-conference": "Conference paper",
    "post": "Post",
    "post-weblog": "Blog post",
    "report": "Report",
    "speech": "Speech",
    "thesis": "Thesis",
    "webpage": "Web page",
    "interview": "Interview",
    "broadcast": "Broadcast",
    "motion_picture": "Video",
}


class SourceColumn(TableColumn):
    REFERENCE = 0, "Reference"
    TITLE = 1, "Title"
    TYPE = 2, "Type"
    YEAR = 3, "Year"
    LINK = 4, "DOI / ISBN / URL"
    CLAIMS = 5, "Claims"


def type_name(csl_type: str) -> str:
    return TYPE_NAMES.get(csl_type, csl_type.replace("-", " ").replace("_", " ").capitalize())


def year_of(source: Source) -> str:
    year = source.issued[:4]
    return year if year.isdigit() else ""


def _bare_doi(doi: str) -> str:
    doi = doi.strip()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if doi.lower().startswith(prefix):
            return doi[len(prefix) :]
    return doi


def source_link(source: Source) -> QUrl | None:
    """Where "Open URL" goes: the URL, else the DOI resolved at doi.org; None if neither (an
    address that is not a web, mail or DOI link is never handed to the desktop)."""
    from reader.citations import openable_url

    if source.url.strip():
        link = openable_url(source.url)
        return QUrl(link) if link is not None else None
    doi = _bare_doi(source.doi)
    if doi:
        return QUrl(f"https://doi.org/{doi}")
    return None


def _link_text(source: Source) -> str:
    """Every identifier the source has: its DOI, ISBN and URL."""
    doi = _bare_doi(source.doi)
    parts = [f"doi:{doi}" if doi else "", f"ISBN {isbn_text(source.isbn)}" if source.isbn else ""]
    url = source.url.strip()
    if url and not (doi and _bare_doi(url) == doi):
        parts.append(url)  # a DOI's own doi.org link is said once, by the DOI
    return " · ".join(p for p in parts if p)


class SourceTableModel(QAbstractTableModel):
    """list[(Source, claims citing it)]; one row per source."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._rows: list[tuple[Source, int]] = []
        self._short: list[str] = []

    def set_sources(self, rows: Sequence[tuple[Source, int]]) -> None:
        self.beginResetModel()
        self._rows = list(rows)
        self._short = [short_reference(s) for s, _ in self._rows]
        self.endResetModel()

    def rowCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(self._rows)

    def columnCount(self, parent: QModelIndex | QPersistentModelIndex = QModelIndex()) -> int:  # noqa: B008
        return 0 if parent.isValid() else len(SourceColumn)

    def headerData(
        self, section: int, orientation: Qt.Orientation, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if orientation == Qt.Orientation.Horizontal and 0 <= section < len(SourceColumn):
            if role == Qt.ItemDataRole.DisplayRole:
                return SourceColumn(section).header
            if role == Qt.ItemDataRole.TextAlignmentRole and section == SourceColumn.CLAIMS:
                return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def row_of(self, source_id: int) -> int:
        for row, (source, _) in enumerate(self._rows):
            if source.id == source_id:
                return row
        return -1

    def source_at(self, row: int) -> tuple[Source, int]:
        return self._rows[row]

    def data(
        self, index: QModelIndex | QPersistentModelIndex, role: int = Qt.ItemDataRole.DisplayRole
    ) -> object:
        if not index.isValid() or not 0 <= index.row() < len(self._rows):
            return None
        source, claims = self._rows[index.row()]
        column = SourceColumn(index.column())
        if role == SourceRole:
            return source
        if role == SourceIdRole:
            return source.id
        if role == Qt.ItemDataRole.DisplayRole:
            return self._text(index.row(), column)
        if role == SortRole:
            if column == SourceColumn.CLAIMS:
                return claims
            return self._text(index.row(), column).casefold()
        if role == Qt.ItemDataRole.ToolTipRole:
            if column == SourceColumn.CLAIMS:
                return f"{claims} claim{'' if claims == 1 else 's'} cite this source"
            if column in (SourceColumn.REFERENCE, SourceColumn.TITLE):
                return format_reference(source)
            if column == SourceColumn.LINK:
                link = source_link(source)
                return link.toString() if link else None
        if role == Qt.ItemDataRole.TextAlignmentRole and column == SourceColumn.CLAIMS:
            return int(Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
        return None

    def _text(self, row: int, column: SourceColumn) -> str:
        source, claims = self._rows[row]
        if column == SourceColumn.REFERENCE:
            return self._short[row]
        if column == SourceColumn.TITLE:
            return source.title or "(untitled)"
        if column == SourceColumn.TYPE:
            return type_name(source.type)
        if column == SourceColumn.YEAR:
            return year_of(source)
        if column == SourceColumn.LINK:
            return _link_text(source)
        return str(claims)

    def haystack(self, row: int) -> str:
        source, _ = self._rows[row]
        parts = (
            self._short[row],
            source.title,
            *source.authors,
            source.container_title,
            source.publisher,
            source.issued,
            type_name(source.type),
            source.url,
            source.doi,
            source.isbn,
            source.note,
        )
        return "\n".join(parts).casefold()


class SourceFilterProxy(QSortFilterProxyModel):
    """Every word of the filter must occur in the reference, title, authors, container,
    publisher, date, type, URL, DOI, ISBN or note (case-insensitive)."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._words: list[str] = []
        self.setSortRole(SortRole)

    def set_text(self, text: str) -> None:
        words = text.casefold().split()
        if words == self._words:
            return
        self.beginFilterChange()
        self._words = words
        self.endFilterChange(QSortFilterProxyModel.Direction.Rows)

    def is_filtering(self) -> bool:
        return bool(self._words)

    def filterAcceptsRow(
        self,
        source_row: int,
        source_parent: QModelIndex | QPersistentModelIndex,
    ) -> bool:
        if not self._words:
            return True
        model = self.sourceModel()
        assert isinstance(model, SourceTableModel)
        haystack = model.haystack(source_row)
        return all(word in haystack for word in self._words)


class _ClaimList(QTreeWidget):
    """Claims citing the selected source; double-click or Enter opens one."""

    open_item = Signal(QTreeWidgetItem)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.itemDoubleClicked.connect(lambda item, _column: self.open_item.emit(item))

    def keyPressEvent(self, event: QKeyEvent) -> None:
        item = self.currentItem()
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and item is not None:
            self.open_item.emit(item)
            event.accept()
            return
        super().keyPressEvent(event)


def _default_edit_dialog(source: Source, parent: QWidget) -> Source | None:
    from reader.ui.panels.source_dialog import SourceDialog

    dialog = SourceDialog(source, parent)
    try:
        return dialog.source() if dialog.exec() else None
    finally:
        dialog.deleteLater()


def _default_choose_keep(first: Source, second: Source, parent: QWidget) -> Source | None:
    box = QMessageBox(parent)
    box.setIcon(QMessageBox.Icon.Question)
    box.setWindowTitle("Merge sources")
    box.setText("Merge these two sources into one?")
    box.setInformativeText(
        "Every claim citing the other one will cite the one you keep; its empty fields are "
        "filled in from the other, which is then deleted.\n\n"
        f"1. {format_reference(first)}\n\n2. {format_reference(second)}"
    )
    keep_first = box.addButton("Keep 1", QMessageBox.ButtonRole.AcceptRole)
    keep_second = box.addButton("Keep 2", QMessageBox.ButtonRole.AcceptRole)
    box.addButton(QMessageBox.StandardButton.Cancel)
    box.setDefaultButton(keep_first)
    box.exec()
    clicked = box.clickedButton()
    box.deleteLater()
    if clicked is keep_first:
        return first
    if clicked is keep_second:
        return second
    return None


class SourcesBrowser(QWidget):
    """All sources with the number of claims citing each, and the claims of the selected one."""

    open_annotation = Signal(str, str)  # document source (path or URL), annotation id
    changed = Signal()

    def __init__(
        self,
        library: Library,
        parent: QWidget | None = None,
        *,
        edit_dialog: EditDialog | None = None,
        choose_keep: ChooseKeep | None = None,
        open_url: OpenUrl = QDesktopServices.openUrl,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self._edit_dialog = edit_dialog or _default_edit_dialog
        self._choose_keep = choose_keep or _default_choose_keep
        self._open_url = open_url
        self._titles: dict[int, tuple[str, str]] = {}  # document id -> (title, source)
        # Puts a change already made on the window's undo stack: (text, undo, redo, merge_key).
        self.record: Callable[..., None] | None = None

        self.model = SourceTableModel(self)
        self.proxy = SourceFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("source_filter")
        self.filter_edit.setPlaceholderText("Filter by author, title, year, DOI…")
        self.filter_edit.setClearButtonEnabled(True)
        self.filter_edit.setAccessibleName("Filter sources")

        self.view = QTreeView(self)
        self.view.setObjectName("sources_view")
        self.view.setAccessibleName("Sources")
        self.view.setModel(self.proxy)
        read_only_table(self.view)
        self.view.setSortingEnabled(True)
        self.view.sortByColumn(SourceColumn.REFERENCE, Qt.SortOrder.AscendingOrder)
        self._size_columns()

        self.count_label = QLabel(self)
        self.count_label.setObjectName("sources_count")

        self.edit_button = QPushButton("Edit…", self)
        self.edit_button.setObjectName("source_edit")
        self.edit_button.setToolTip("Edit the selected source's details")
        self.merge_button = QPushButton("Merge…", self)
        self.merge_button.setObjectName("source_merge")
        self.merge_button.setToolTip("Merge two selected duplicates into one source")
        self.open_button = QPushButton("Open URL", self)
        self.open_button.setObjectName("source_open_url")
        self.open_button.setToolTip("Open the source's URL, or its DOI at doi.org, in the browser")

        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        buttons.addWidget(self.count_label, 1)
        buttons.addWidget(self.edit_button)
        buttons.addWidget(self.merge_button)
        buttons.addWidget(self.open_button)

        top = QWidget(self)
        top_layout = QVBoxLayout(top)
        top_layout.setContentsMargins(0, 0, 0, 0)
        top_layout.setSpacing(4)
        top_layout.addWidget(self.filter_edit)
        top_layout.addWidget(self.view, 1)
        top_layout.addLayout(buttons)

        self.reference_label = QLabel(self)
        self.reference_label.setObjectName("source_reference")
        self.reference_label.setTextFormat(Qt.TextFormat.PlainText)
        self.reference_label.setWordWrap(True)
        self.reference_label.setTextInteractionFlags(
            Qt.TextInteractionFlag.TextSelectableByMouse
            | Qt.TextInteractionFlag.TextSelectableByKeyboard
        )
        self.reference_label.setAccessibleName("Full reference")

        self.claims_label = QLabel(self)
        self.claims_label.setObjectName("source_claims_label")
        self.claims = _ClaimList(self)
        self.claims.setObjectName("source_claims")
        self.claims.setAccessibleName("Claims citing this source")
        self.claims.setHeaderLabels(["Claim", "Document", "Stance"])
        self.claims.setRootIsDecorated(False)
        self.claims.setUniformRowHeights(True)
        self.claims.setAlternatingRowColors(True)
        self.claims.setAllColumnsShowFocus(True)
        header = self.claims.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        fm = QFontMetrics(self.claims.font())
        header.resizeSection(1, 16 * fm.horizontalAdvance("M"))
        header.resizeSection(
            2, fm.horizontalAdvance("supports, p. 123") + fm.averageCharWidth() * 2
        )
        self.claims_label.setBuddy(self.claims)

        bottom = QWidget(self)
        bottom_layout = QVBoxLayout(bottom)
        bottom_layout.setContentsMargins(0, 0, 0, 0)
        bottom_layout.setSpacing(4)
        bottom_layout.addWidget(self.reference_label)
        bottom_layout.addWidget(self.claims_label)
        bottom_layout.addWidget(self.claims, 1)

        self.splitter = QSplitter(Qt.Orientation.Vertical, self)
        self.splitter.setChildrenCollapsible(False)
        self.splitter.addWidget(top)
        self.splitter.addWidget(bottom)
        self.splitter.setStretchFactor(0, 3)
        self.splitter.setStretchFactor(1, 2)

        self.empty_label = QLabel(EMPTY_TEXT, self)
        self.empty_label.setObjectName("sources_empty")
        self.empty_label.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.empty_label.setWordWrap(True)
        self.empty_label.setMargin(24)
        self.empty_label.setEnabled(False)  # drawn in the palette's placeholder grey

        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.splitter)
        self.stack.addWidget(self.empty_label)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(6, 6, 6, 6)
        layout.addWidget(self.stack)

        self.filter_edit.textChanged.connect(self._filter)
        self.view.selectionModel().selectionChanged.connect(self._selection_changed)
        self.view.doubleClicked.connect(lambda _index: self.edit_selected())
        self.claims.open_item.connect(self._open_claim)
        self.edit_button.clicked.connect(self.edit_selected)
        self.merge_button.clicked.connect(self.merge_selected)
        self.open_button.clicked.connect(self.open_selected_url)

        self.refresh()

    def _size_columns(self) -> None:
        header = self.view.header()
        header.setStretchLastSection(False)
        fm = QFontMetrics(self.view.font())
        em = fm.horizontalAdvance("M")
        widths = {
            SourceColumn.REFERENCE: 16 * em,
            SourceColumn.TYPE: fm.horizontalAdvance("Journal article") + 2 * em,
            SourceColumn.YEAR: fm.horizontalAdvance("Year 0000") + em,
            SourceColumn.LINK: 14 * em,
            SourceColumn.CLAIMS: fm.horizontalAdvance("Claims 000") + 2 * em,
        }
        for column, width in widths.items():
            header.resizeSection(column, width)
        header.setSectionResizeMode(SourceColumn.TITLE, QHeaderView.ResizeMode.Stretch)

    # -- loading -------------------------------------------------------------------------------

    def refresh(self, select: Sequence[int] | None = None) -> None:
        """Reload every source from the library, keeping (or setting) the selection."""
        keep = list(select) if select is not None else self.selected_ids()
        self._titles.clear()
        self.model.set_sources(self.library.sources())
        self.stack.setCurrentWidget(self.splitter if self.model.rowCount() else self.empty_label)
        self._reselect(keep)
        self._update_count()
        self._selection_changed()

    def _filter(self, text: str) -> None:
        self.proxy.set_text(text)
        self._update_count()
        self._selection_changed()

    def _update_count(self) -> None:
        total = self.model.rowCount()
        self.count_label.setText(
            count_text(self.proxy.rowCount(), total, self.proxy.is_filtering(), noun="source")
        )

    # -- selection -----------------------------------------------------------------------------

    def selected_sources(self) -> list[Source]:
        """The selected sources, in the order they are shown."""
        rows = sorted({i.row() for i in self.view.selectionModel().selectedRows()})
        return [self.proxy.index(r, 0).data(SourceRole) for r in rows]

    def selected_ids(self) -> list[int]:
        return [s.id for s in self.selected_sources()]

    def select_ids(self, ids: Sequence[int]) -> None:
        self._reselect(list(ids))

    def visible_ids(self) -> list[int]:
        return [self.proxy.index(r, 0).data(SourceIdRole) for r in range(self.proxy.rowCount())]

    def claim_count(self, source_id: int) -> int:
        """The Claims column of a source as shown; -1 when it is not listed."""
        row = self.model.row_of(source_id)
        return -1 if row < 0 else self.model.source_at(row)[1]

    def _reselect(self, ids: list[int]) -> None:
        selection = QItemSelection()
        first: QModelIndex | None = None
        for source_id in ids:
            row = self.model.row_of(source_id)
            if row < 0:
                continue
            index = self.proxy.mapFromSource(self.model.index(row, 0))
            if index.isValid():
                selection.select(index, index)
                if first is None:
                    first = index
        flags = QItemSelectionModel.SelectionFlag.ClearAndSelect
        flags |= QItemSelectionModel.SelectionFlag.Rows
        selection_model = self.view.selectionModel()
        selection_model.select(selection, flags)
        if first is not None:
            selection_model.setCurrentIndex(first, QItemSelectionModel.SelectionFlag.NoUpdate)
            self.view.scrollTo(first)

    def _selection_changed(self, *_: object) -> None:
        selected = self.selected_sources()
        one = selected[0] if len(selected) == 1 else None
        self.edit_button.setEnabled(one is not None)
        self.merge_button.setEnabled(len(selected) == 2)
        self.open_button.setEnabled(one is not None and source_link(one) is not None)
        self._show_details(one, len(selected))

    def _show_details(self, source: Source | None, selected: int) -> None:
        self.claims.clear()
        if source is None:
            self.reference_label.setText(
                f"{selected} sources selected." if selected > 1 else "Select a source."
            )
            self.claims_label.setText("")
            self.claims.setEnabled(False)
            return
        self.reference_label.setText(format_reference(source))
        annotations = self.library.annotations_citing(source.id)
        stances = self._stances(source.id, annotations)
        items = []
        for a in annotations:
            title, document_source = self._document(a.document_id)
            item = QTreeWidgetItem([excerpt(a.anchor.quote), title, stances.get(a.id, "")])
            item.setToolTip(0, a.anchor.quote)
            item.setToolTip(1, document_source)
            item.setToolTip(2, item.text(2))
            item.setData(0, ClaimRole, (document_source, a.id))
            items.append(item)
        self.claims.addTopLevelItems(items)
        n = len(annotations)
        self.claims_label.setText(
            f"Cited by {n} claim{'' if n == 1 else 's'}:" if n else "No claim cites this source."
        )
        self.claims.setEnabled(bool(items))

    def _stances(self, source_id: int, annotations: Sequence[Annotation]) -> dict[str, str]:
        """Annotation id -> how this source bears on it, with the locator ("supports, p. 4");
        a claim citing the same source twice lists both."""
        found: dict[str, list[str]] = {}
        for a in annotations:
            for c in self.library.citations(a.id):
                if c.source_id == source_id:
                    text = f"{c.stance}, {c.locator}" if c.locator else str(c.stance)
                    found.setdefault(a.id, []).append(text)
        return {k: "; ".join(dict.fromkeys(v)) for k, v in found.items()}

    def _document(self, document_id: int) -> tuple[str, str]:
        if document_id not in self._titles:
            record = self.library.document_by_id(document_id)
            if record is None:
                self._titles[document_id] = (f"Document {document_id}", "")
            else:
                name = record.title or Path(record.source).name or record.source
                self._titles[document_id] = (name, record.source)
        return self._titles[document_id]

    def claim_rows(self) -> list[tuple[str, str, str]]:
        """(quote excerpt, document title, stance) of each claim listed for the selection."""
        return [
            (item.text(0), item.text(1), item.text(2))
            for item in (
                self.claims.topLevelItem(i) for i in range(self.claims.topLevelItemCount())
            )
            if item is not None
        ]

    def _open_claim(self, item: QTreeWidgetItem) -> None:
        data = item.data(0, ClaimRole)
        if data:
            document_source, annotation_id = data
            if document_source:
                self.open_annotation.emit(document_source, annotation_id)

    # -- actions -------------------------------------------------------------------------------

    def edit_selected(self) -> None:
        selected = self.selected_sources()
        if len(selected) != 1:
            return
        edited = self._edit_dialog(selected[0], self)
        if edited is None or edited == selected[0]:
            return
        before = selected[0]
        saved = self.library.update_source(edited)
        self.refresh(select=[saved.id])
        self.changed.emit()
        if self.record is not None:
            self.record(
                "Edit source",
                lambda: self.library.put_back_source(before),
                lambda: self.library.put_back_source(saved),
            )

    def merge_selected(self) -> None:
        selected = self.selected_sources()
        if len(selected) != 2:
            return
        first, second = selected
        keep = self._choose_keep(first, second, self)
        if keep is None:
            return
        drop = second if keep.id == first.id else first
        kept, dropped, moved = self.library.state_before_merge(keep.id, drop.id)
        merged = self.library.merge_sources(keep.id, drop.id)
        self.refresh(select=[merged.id])
        self.changed.emit()
        if self.record is not None:
            self.record(
                "Merge sources",
                lambda: self.library.unmerge_sources(kept, dropped, moved),
                lambda: self.library.merge_sources(kept.id, dropped.id),
            )

    def open_selected_url(self) -> None:
        selected = self.selected_sources()
        if len(selected) != 1:
            return
        link = source_link(selected[0])
        if link is not None:
            self._open_url(link)
