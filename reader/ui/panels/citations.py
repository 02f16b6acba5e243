"""The selected annotation's citations: what each source says about the claim, and adding more.

The panel talks to the Library façade directly (citations are their own rows, not fields of the
annotation): pasting a reference parses it, stores the source (or reuses the one already stored
with the same DOI/ISBN/URL) and cites it. Each citation's stance, locator and evidence quote are
saved as you type, 400 ms after the last keystroke. After every change the panel emits
`changed(annotation_id)` so the window can refresh citation counts.
"""

from __future__ import annotations

import html
from collections.abc import Callable

from PySide6.QtCore import QEvent, QModelIndex, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeyEvent, QStandardItem, QStandardItemModel
from PySide6.QtWidgets import (
    QAbstractItemView,
    QCompleter,
    QDialog,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader import citations as refs
from reader.model import Annotation, Citation, Source, Stance
from reader.ui.panels.citation_card import (
    QUOTE_CHARS,
    ROLE_CITATION_ID,
    ROLE_HTML,
    ROLE_NUMBER_CHECK,
    ROLE_SOURCE_ID,
    ROLE_STANCE,
    STANCE_COLORS,
    STANCE_LABELS,
    CitationDelegate,
    decorate,
    elide,
    number_badge,
    stance_combo,
)
from reader.ui.panels.citation_form import FIELDS, CitationForm
from reader.ui.panels.reference_input import (
    EMPTY_INPUT,
    INPUT_PLACEHOLDER,
    ReferenceInput,
    looks_like_reference,
)
from reader.ui.panels.source_dialog import SourceDialog

# The names other modules and tests import from here, wherever they now live.
__all__ = [
    "EMPTY_INPUT",
    "INPUT_PLACEHOLDER",
    "QUOTE_CHARS",
    "ROLE_CITATION_ID",
    "ROLE_HTML",
    "ROLE_NUMBER_CHECK",
    "ROLE_SOURCE_ID",
    "ROLE_STANCE",
    "STANCE_COLORS",
    "STANCE_LABELS",
    "CitationDelegate",
    "CitationsPanel",
    "ReferenceInput",
    "elide",
    "looks_like_reference",
    "number_badge",
    "stance_combo",
]

SAVE_DELAY_MS = 400
COMPLETE_DELAY_MS = 150
MAX_LIST_HEIGHT = 420


class CitationsPanel(QWidget):
    """Lists and edits the citations of one annotation, and adds new ones from pasted text."""

    changed = Signal(str)  # annotation id, after any citation or source change
    # An annotation to show: an evidence passage, or a claim an evidence passage bears on.
    open_evidence = Signal(str)

    def __init__(
        self,
        library,
        parent: QWidget | None = None,
        *,
        source_dialog: Callable[[Source, QWidget], SourceDialog] = SourceDialog,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("citations_panel")
        self.library = library
        self._make_dialog = source_dialog
        self.source_dialog: SourceDialog | None = None  # the open "Edit source" dialog
        self._annotation: Annotation | None = None
        self._citations: list[Citation] = []
        self._sources: dict[int, Source | None] = {}
        self._editing: Citation | None = None  # the citation the detail fields show
        self._dirty: set[str] = set()
        self._loading = 0
        # Puts a change already made on the window's undo stack: (text, undo, redo, merge_key).
        # Without one (the panel on its own) changes are simply made.
        self.record: Callable[..., None] | None = None

        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.flush)

        # An evidence passage: the claims it bears on, each a link back to it.
        self.bears_on_label = QLabel()
        self.bears_on_label.setObjectName("citations_bears_on")
        self.bears_on_label.setWordWrap(True)
        self.bears_on_label.setTextFormat(Qt.TextFormat.RichText)
        self.bears_on_label.linkActivated.connect(self.open_evidence)
        self.bears_on_label.hide()

        # The list ---------------------------------------------------------------------------
        self.empty_label = QLabel("No sources cited yet.")
        self.empty_label.setObjectName("citations_empty")
        self.empty_label.setEnabled(False)

        self.citation_list = QListWidget()
        self.citation_list.setObjectName("citations_list")
        self.citation_list.setItemDelegate(CitationDelegate(self.citation_list))
        self.citation_list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.citation_list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.citation_list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.citation_list.setResizeMode(QListWidget.ResizeMode.Adjust)
        self.citation_list.setWordWrap(True)
        self.citation_list.setUniformItemSizes(False)
        self.citation_list.currentItemChanged.connect(self._current_changed)
        self.citation_list.itemActivated.connect(self._activated)
        self.citation_list.installEventFilter(self)
        self.citation_list.viewport().installEventFilter(self)

        # The selected citation's fields ------------------------------------------------------
        self.details = CitationForm(self)
        self.details.edit_source_button.clicked.connect(self.edit_source)
        self.details.go_button.clicked.connect(self._go_to_passage)
        self.details.remove_button.clicked.connect(self.remove_current)
        self.details.edited.connect(self._changed)
        self.details.stance_chosen.connect(self._stance_changed)
        # The form's parts by the names they had when the panel built them (tests use them).
        self.stance_combo = self.details.stance_combo
        self.locator_edit = self.details.locator_edit
        self.evidence_edit = self.details.evidence_edit
        self.edit_source_button = self.details.edit_source_button
        self.go_button = self.details.go_button
        self.remove_button = self.details.remove_button
        self.detail_buttons = self.details.buttons

        # Adding -----------------------------------------------------------------------------
        self.input = ReferenceInput()
        self.input.setObjectName("citations_input")
        self.input.setPlaceholderText(INPUT_PLACEHOLDER)
        self.input.setTabChangesFocus(True)
        self.input.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)
        self.input.setToolTip("Ctrl+Enter adds it")
        self.input.submitted.connect(self.add_from_input)
        self.input.textChanged.connect(self._input_changed)

        self.add_stance = stance_combo("citations_add_stance")
        self.add_button = QPushButton("Add")
        self.add_button.setObjectName("citations_add")
        self.add_button.setToolTip("Cite this source (Ctrl+Enter)")
        self.add_button.setMinimumWidth(self.fontMetrics().horizontalAdvance("Add") + 24)
        self.add_button.clicked.connect(self.add_from_input)

        self.error_label = QLabel()
        self.error_label.setObjectName("citations_error")
        self.error_label.setWordWrap(True)
        self.error_label.setTextFormat(Qt.TextFormat.PlainText)
        self.error_label.hide()

        self.completion_model = QStandardItemModel(self)
        self.completer = QCompleter(self.completion_model, self)
        self.completer.setObjectName("citations_completer")
        self.completer.setCompletionMode(QCompleter.CompletionMode.UnfilteredPopupCompletion)
        self.completer.setCaseSensitivity(Qt.CaseSensitivity.CaseInsensitive)
        self.completer.setMaxVisibleItems(8)
        self.completer.setWidget(self.input)
        self.input.completer = self.completer
        self.completer.activated[QModelIndex].connect(self._completion_chosen)
        self.complete_timer = QTimer(self)
        self.complete_timer.setSingleShot(True)
        self.complete_timer.setInterval(COMPLETE_DELAY_MS)
        self.complete_timer.timeout.connect(self.update_completions)

        add_row = QHBoxLayout()
        add_row.addWidget(self.add_stance, 1)
        add_row.addWidget(self.add_button)

        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.addWidget(self.bears_on_label)
        layout.addWidget(self.empty_label)
        layout.addWidget(self.citation_list)
        layout.addWidget(self.details)
        layout.addWidget(self.input)
        layout.addLayout(add_row)
        layout.addWidget(self.error_label)

        self._show_citations(None)

    # Public API -----------------------------------------------------------------------------

    def annotation(self) -> Annotation | None:
        return self._annotation

    def citations(self) -> list[Citation]:
        """The citations shown, in list order."""
        return list(self._citations)

    def current_citation(self) -> Citation | None:
        return self._editing

    def set_annotation(self, annotation: Annotation | None) -> None:
        """Show `annotation`'s citations (None: nothing). The same annotation again reloads its
        citations without disturbing a field being edited."""
        same = (
            annotation is not None
            and self._annotation is not None
            and annotation.id == self._annotation.id
        )
        if not same:
            self.flush()
            self._hide_error()
            self.completer.popup().hide()
        self._annotation = annotation
        enabled = annotation is not None
        for widget in (self.input, self.add_stance, self.add_button):
            widget.setEnabled(enabled)
        if same:
            self.refresh()
        else:
            self._show_citations(None)

    def refresh(self) -> None:
        """Reload the citations and their sources from the library, keeping the selection."""
        self._sources.clear()
        keep = self._editing.id if self._editing is not None else None
        self._show_citations(keep)

    def flush(self) -> None:
        """Save the pending stance/locator/evidence edits now."""
        self.save_timer.stop()
        dirty, self._dirty = self._dirty, set()
        citation = self._editing
        if citation is None or not dirty:
            return
        changes = {
            name: value
            for name in FIELDS
            if name in dirty and (value := self.details.value(name)) != getattr(citation, name)
        }
        if not changes:
            return
        stored = self.library.update_citation(citation, **changes)
        self._replace(stored)
        self.changed.emit(stored.annotation_id)
        names = sorted(n.replace("_", " ") for n in changes)
        self._record(
            f"Edit citation {', '.join(names)}",
            lambda: self.library.update_citation(citation),
            lambda: self.library.update_citation(stored),
            merge_key=("citation", stored.id, tuple(names)),
        )

    def _record(self, text: str, undo, redo, merge_key: object = None) -> None:
        if self.record is not None:
            self.record(text, undo, redo, merge_key)

    def discard(self) -> None:
        """Forget pending edits without saving them (e.g. the annotation is gone)."""
        self.save_timer.stop()
        self._dirty.clear()

    def add_from_input(self) -> Citation | None:
        """Parse what was pasted, store the source (or reuse its duplicate) and cite it."""
        if self._annotation is None:
            return None
        text = self.input.toPlainText().strip()
        if not text:
            self._show_error(EMPTY_INPUT)
            return None
        try:
            parsed = refs.parse_reference(text)
        except refs.ReferenceError as exc:
            self._show_error(str(exc))
            return None
        created = self.library.find_duplicate(parsed) is None
        source = self.library.add_source(parsed)
        return self.cite(source.id, new_source=source if created else None)

    def cite(self, source_id: int, new_source: Source | None = None) -> Citation | None:
        """Cite a stored source with the stance chosen beside the input box (`new_source`:
        it was stored for this citation, so undo takes it away too)."""
        annotation = self._annotation
        if annotation is None:
            return None
        self.flush()
        stance = Stance(self.add_stance.currentData())
        citation = self.library.cite(annotation.id, source_id, stance)
        self._hide_error()
        self._loading += 1
        try:
            self.input.clear()
        finally:
            self._loading -= 1
        self.complete_timer.stop()
        self.completer.popup().hide()
        self._show_citations(citation.id)
        self.changed.emit(annotation.id)

        def undo() -> None:
            self.library.delete_citation(citation.id)
            if new_source is not None:
                self.library.remove_source(new_source.id)

        def redo() -> None:
            if new_source is not None:
                self.library.put_back_source(new_source)
            self.library.put_back_citation(citation)

        self._record("Add citation", undo, redo)
        return citation

    def remove_current(self) -> None:
        citation = self._editing
        if citation is None:
            return
        self.save_timer.stop()
        self._dirty.clear()
        row = self.citation_list.currentRow()
        self.library.delete_citation(citation.id)
        self._editing = None
        self._citations = [c for c in self._citations if c.id != citation.id]
        following = self._citations[min(row, len(self._citations) - 1)] if self._citations else None
        self._show_citations(following.id if following else None)
        self.changed.emit(citation.annotation_id)
        # No confirmation: Edit ▸ Undo brings it back.
        self._record(
            "Remove citation",
            lambda: self.library.put_back_citation(citation),
            lambda: self.library.delete_citation(citation.id),
        )

    def edit_source(self) -> SourceDialog | None:
        """Open the source of the selected citation in a (window-modal) dialog."""
        citation = self._editing
        if citation is None:
            return None
        source = self._source(citation.source_id)
        if source is None:
            return None
        self.flush()
        dialog = self._make_dialog(source, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.finished.connect(lambda result: self._source_edited(dialog, result))
        self.source_dialog = dialog
        dialog.open()
        return dialog

    def update_completions(self) -> None:
        """Offer stored sources matching the words typed (not for pasted references)."""
        self.complete_timer.stop()
        text = " ".join(self.input.toPlainText().split())
        popup = self.completer.popup()
        if self._annotation is None or len(text) < 2 or looks_like_reference(text):
            popup.hide()
            return
        found = self.library.search_sources(text, limit=20)
        self.completion_model.clear()
        for source in found:
            short = refs.short_reference(source)
            shown = (
                short if not source.title or source.title in short else f"{short} — {source.title}"
            )
            item = QStandardItem(shown)
            item.setData(source.id, Qt.ItemDataRole.UserRole)
            item.setToolTip(refs.format_reference(source))
            item.setEditable(False)
            self.completion_model.appendRow(item)
        if not found:
            popup.hide()
            return
        rect = self.input.cursorRect()
        rect.moveTop(rect.top() + self.input.viewport().y())
        rect.setLeft(0)
        rect.setWidth(self.input.width())
        self.completer.complete(rect)

    # The list -------------------------------------------------------------------------------

    def _source(self, source_id: int) -> Source | None:
        if source_id not in self._sources:
            self._sources[source_id] = self.library.source(source_id)
        return self._sources[source_id]

    def _show_citations(self, select_id: str | None) -> None:
        """Rebuild the list from the library and select `select_id` (if still there)."""
        annotation = self._annotation
        self._citations = self.library.citations(annotation.id) if annotation else []
        self._loading += 1
        try:
            self.citation_list.clear()
            for citation in self._citations:
                item = QListWidgetItem()
                self._decorate(item, citation)
                self.citation_list.addItem(item)
        finally:
            self._loading -= 1
        row = next((i for i, c in enumerate(self._citations) if c.id == select_id), -1)
        if row >= 0:
            self.citation_list.setCurrentRow(row)
        self._current_changed(self.citation_list.currentItem(), None)
        self._show_bears_on(annotation)
        has_any = bool(self._citations)
        self.citation_list.setVisible(has_any)
        self.empty_label.setVisible(annotation is not None and not has_any)
        self._fit_list()

    def _show_bears_on(self, annotation: Annotation | None) -> None:
        found = self.library.claims_borne_on(annotation.id) if annotation is not None else []
        if not found:
            self.bears_on_label.hide()
            return
        lines = []
        for citation, claim in found:
            stance = STANCE_LABELS[Stance(citation.stance)]
            quote = html.escape(elide(claim.anchor.quote, 90))
            lines.append(f'{stance}: <a href="{html.escape(claim.id)}">“{quote}”</a>')
        self.bears_on_label.setText("<b>Evidence for</b><br>" + "<br>".join(lines))
        self.bears_on_label.show()

    def _decorate(self, item: QListWidgetItem, citation: Citation) -> None:
        claim = self._annotation.anchor.quote if self._annotation is not None else ""
        decorate(item, citation, self._source(citation.source_id), claim)

    def _replace(self, stored: Citation) -> None:
        """A saved citation: update the cached copy and its row without rebuilding the list."""
        for i, c in enumerate(self._citations):
            if c.id == stored.id:
                self._citations[i] = stored
                item = self.citation_list.item(i)
                if item is not None:
                    self._decorate(item, stored)
        if self._editing is not None and self._editing.id == stored.id:
            self._editing = stored
        self._fit_list()

    def _fit_list(self) -> None:
        """Size the list to its rows (the editor around it scrolls, not the list)."""
        count = self.citation_list.count()
        if not count:
            return
        self.citation_list.doItemsLayout()
        rows = sum(self.citation_list.sizeHintForRow(i) for i in range(count))
        height = rows + 2 * self.citation_list.frameWidth() + 2
        self.citation_list.setFixedHeight(min(height, MAX_LIST_HEIGHT))

    def _current_changed(
        self, current: QListWidgetItem | None, _previous: QListWidgetItem | None
    ) -> None:
        if self._loading:
            return
        citation_id = current.data(ROLE_CITATION_ID) if current is not None else None
        citation = next((c for c in self._citations if c.id == citation_id), None)
        if self._editing is not None and (citation is None or citation.id != self._editing.id):
            self.flush()
        refresh_only = citation is not None and self._editing is not None
        refresh_only = refresh_only and citation.id == self._editing.id  # type: ignore[union-attr]
        self._editing = citation
        self.details.setVisible(citation is not None)
        if citation is None:
            self._dirty.clear()
            return
        self._loading += 1
        try:
            for name in FIELDS:
                widget = self.details.field_widget(name)
                if refresh_only and (name in self._dirty or widget.hasFocus()):
                    continue
                if self.details.value(name) != getattr(citation, name):
                    self.details.set_value(name, getattr(citation, name))
        finally:
            self._loading -= 1
        if not refresh_only:
            self._dirty.clear()
        self.go_button.setEnabled(bool(citation.evidence_annotation_id))
        self.edit_source_button.setEnabled(self._source(citation.source_id) is not None)

    def _activated(self, item: QListWidgetItem) -> None:
        citation_id = item.data(ROLE_CITATION_ID)
        citation = next((c for c in self._citations if c.id == citation_id), None)
        if citation is None:
            return
        if citation.evidence_annotation_id:
            self.flush()
            self.open_evidence.emit(citation.evidence_annotation_id)
        else:
            self.edit_source()

    def _go_to_passage(self) -> None:
        citation = self._editing
        if citation is not None and citation.evidence_annotation_id:
            self.flush()
            self.open_evidence.emit(citation.evidence_annotation_id)

    def _source_edited(self, dialog: SourceDialog, result: int) -> None:
        if self.source_dialog is dialog:
            self.source_dialog = None
        if result != QDialog.DialogCode.Accepted:
            return
        before = self.library.source(dialog.source().id)
        if before == dialog.source():
            return  # nothing was changed: no write, no empty undo step
        after = self.library.update_source(dialog.source())
        self.refresh()
        if before is not None:
            self._record(
                "Edit source",
                lambda: self.library.put_back_source(before),
                lambda: self.library.put_back_source(after),
            )
        if self._annotation is not None:
            self.changed.emit(self._annotation.id)

    # The selected citation's fields ---------------------------------------------------------

    def _changed(self, name: str) -> None:
        if self._loading or self._editing is None:
            return
        self._dirty.add(name)
        self.save_timer.start()

    def _stance_changed(self) -> None:
        if self._loading or self._editing is None:
            return
        self._dirty.add("stance")
        self.flush()  # a choice, not typing: save at once

    # The input box --------------------------------------------------------------------------

    def _show_error(self, message: str) -> None:
        self.error_label.setText(message)
        self.error_label.show()

    def _hide_error(self) -> None:
        self.error_label.clear()
        self.error_label.hide()

    def _input_changed(self) -> None:
        if self._loading:
            return
        self._hide_error()
        self.complete_timer.start()

    def _completion_chosen(self, index: QModelIndex) -> None:
        source_id = index.data(Qt.ItemDataRole.UserRole)
        if source_id is not None:
            self.cite(int(source_id))

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        kind = event.type()
        if watched is self.citation_list and kind == QEvent.Type.KeyPress:
            assert isinstance(event, QKeyEvent)
            if event.key() in (Qt.Key.Key_Delete, Qt.Key.Key_Backspace):
                self.remove_current()
                return True
        elif watched is self.citation_list.viewport() and kind == QEvent.Type.Resize:
            QTimer.singleShot(0, self, self._fit_list)
        return super().eventFilter(watched, event)
