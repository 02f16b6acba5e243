"""The annotation editor: the selected highlight's fields, saved as you type.

The editor never writes anywhere. Each field change restarts a short single-shot timer; when it
fires (or when `flush()` is called, e.g. because another highlight was selected) the editor
emits `edited(annotation_id, changes)` with only the fields that differ from what it was last
given, as keyword arguments for `Library.update`. The window saves them, pushes an undo command
and hands the stored annotation back through `set_annotation`; a refresh of the same annotation
only touches fields whose value differs and which the user is not working in, so typing is
never interrupted.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import QEvent, QObject, Qt, QTimer, Signal
from PySide6.QtGui import QKeySequence, QShortcut
from PySide6.QtWidgets import (
    QComboBox,
    QFormLayout,
    QFrame,
    QGroupBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QPlainTextEdit,
    QPushButton,
    QScrollArea,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.library import DocumentError
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    HistoryEntry,
)
from reader.ui.panels.citations import CitationsPanel
from reader.ui.panels.editor_fields import (
    ANCHOR_TEXT,
    CLAIMANT_TYPES,
    FIELDS,
    STATUS_LABELS,
    describe_change,
    format_tags,
    local_time,
    parse_tags,
)
from reader.ui.panels.editor_widgets import HistoryBox, PossiblePlaces, QuoteLabel, TagCompleter
from reader.ui.panels.seen_before import SeenBeforePanel
from reader.ui.preferences import KIND_LABELS, ColorPicker, is_hex_color, pick_color, swatch_icon
from reader.ui.wrapping_row import WrappingRow

# The field rules and the two small widgets have their own modules; their names stay importable
# from here.
__all__ = [
    "ANCHOR_TEXT",
    "CLAIMANT_TYPES",
    "FIELDS",
    "PLACEHOLDER",
    "SAVE_DELAY_MS",
    "STATUS_LABELS",
    "AnnotationEditor",
    "HistoryBox",
    "PossiblePlaces",
    "QuoteLabel",
    "TagCompleter",
    "describe_change",
    "format_tags",
    "local_time",
    "parse_tags",
]

SAVE_DELAY_MS = 400
PLACEHOLDER = "Select a highlight to see it here"


class AnnotationEditor(QWidget):
    """Shows and edits one annotation; emits changes, never stores them itself."""

    # annotation id, {field: new value} for Library.update. Declared `object`, not `dict`: a
    # `dict` signal goes through QVariantMap and turns AnnotationKind/ClaimStatus into plain str.
    edited = Signal(str, object)
    reattach_requested = Signal(str)  # annotation id (orphans only)
    reattach_to_requested = Signal(str, int, int)  # annotation id, start, end (a candidate)
    delete_requested = Signal(str)  # annotation id
    citations_changed = Signal(str)  # annotation id, after a citation or source changed
    open_evidence = Signal(str)  # evidence annotation id a citation points to
    done_editing = Signal()  # Escape: the keyboard goes back to the document

    def __init__(
        self,
        tags_provider: Callable[[], list[str]],
        parent: QWidget | None = None,
        *,
        default_color: Callable[[AnnotationKind], str] = DEFAULT_COLORS.__getitem__,
        color_picker: ColorPicker = pick_color,
        library=None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("annotation_editor")
        self._tags_provider = tags_provider
        self._default_color = default_color
        self._pick = color_picker
        self._annotation: Annotation | None = None
        self._dirty: set[str] = set()
        self._loading = 0
        self._color = ""  # the colour shown; "" means the kind's default
        self._shown_kind: AnnotationKind | None = None

        self.save_timer = QTimer(self)
        self.save_timer.setSingleShot(True)
        self.save_timer.setInterval(SAVE_DELAY_MS)
        self.save_timer.timeout.connect(self.flush)

        self.placeholder = QLabel(PLACEHOLDER)
        self.placeholder.setObjectName("editor_placeholder")
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.placeholder.setEnabled(False)

        self.quote_label = QuoteLabel()
        self.quote_label.setObjectName("editor_quote")

        self.kind_combo = QComboBox()
        self.kind_combo.setObjectName("editor_kind")
        for kind in AnnotationKind:
            self.kind_combo.addItem(KIND_LABELS[kind], kind.value)

        self.color_button = QToolButton()
        self.color_button.setObjectName("editor_color")
        self.color_button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.color_button.setToolTip("Highlight colour")
        self.color_button.clicked.connect(self.choose_color)

        self.status_combo = QComboBox()
        self.status_combo.setObjectName("editor_status")
        for status in ClaimStatus:
            self.status_combo.addItem(STATUS_LABELS[status], status.value)

        self.claimant_edit = QLineEdit()
        self.claimant_edit.setObjectName("editor_claimant")
        self.claimant_edit.setPlaceholderText("Who made the claim")
        self.claimant_type_combo = QComboBox()
        self.claimant_type_combo.setObjectName("editor_claimant_type")
        self.claimant_type_combo.setAccessibleName("Claimant is a")
        for value, label in CLAIMANT_TYPES:
            self.claimant_type_combo.addItem(label, value)
        self.claim_reviewed_edit = QLineEdit()
        self.claim_reviewed_edit.setObjectName("editor_claim_reviewed")
        self.claim_reviewed_edit.setPlaceholderText("Your wording (default: the quote)")
        self.claim_reviewed_edit.setToolTip("ClaimReview's claimReviewed: the claim as reviewed")
        self.claim_date_edit = QLineEdit()
        self.claim_date_edit.setObjectName("editor_claim_date")
        self.claim_date_edit.setPlaceholderText("2024-03-05, 2024-03 or 2024")

        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("editor_note")
        self.note_edit.setPlaceholderText("Note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setMinimumHeight(self.fontMetrics().lineSpacing() * 4)
        # It scrolls past this, so the Sources box below stays in sight.
        self.note_edit.setMaximumHeight(self.fontMetrics().lineSpacing() * 8 + 12)

        self.tags_edit = QLineEdit()
        self.tags_edit.setObjectName("editor_tags")
        self.tags_edit.setPlaceholderText("tag, another tag")
        self.tag_completer = TagCompleter(self.tags_edit)
        self.tags_edit.setCompleter(self.tag_completer)
        self.tags_edit.installEventFilter(self)

        self.author_edit = QLineEdit()
        self.author_edit.setObjectName("editor_author")

        self.created_label = QLabel()
        self.created_label.setObjectName("editor_created")
        self.updated_label = QLabel()
        self.updated_label.setObjectName("editor_updated")
        self.anchor_label = QLabel()
        self.anchor_label.setObjectName("editor_anchor")
        self.anchor_label.setWordWrap(True)
        self.reattach_button = QPushButton("Re-attach to selection")
        self.reattach_button.setObjectName("editor_reattach")
        self.reattach_button.setToolTip(
            "Select the passage this highlight belongs to in the document, then click here."
        )
        self.reattach_button.clicked.connect(self._request_reattach)
        self.reattach_button.hide()

        # An orphan from a tie: the places it could be, equally likely; the user picks one.
        # (annotation → [(start, end, where, preview)]; set by whoever knows the document.)
        self.candidates_provider: Callable[[Annotation], list[tuple[int, int, str, str]]] = (
            lambda _a: []
        )
        self.candidates_group = PossiblePlaces()
        self.candidates_group.chosen.connect(self._request_candidate)
        self.candidates_list = self.candidates_group.list
        self.candidate_button = self.candidates_group.button

        self.delete_button = QPushButton("Delete")
        self.delete_button.setObjectName("editor_delete")
        self.delete_button.setToolTip("Delete this highlight")
        self.delete_button.clicked.connect(self._request_delete)

        # Combos as wide as a few letters need, not their longest item: a narrow panel
        # shows them whole (the open list is as wide as it needs).
        for combo in (self.kind_combo, self.status_combo, self.claimant_type_combo):
            combo.setSizeAdjustPolicy(
                QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
            )
            combo.setMinimumContentsLength(4)
        self.form = QWidget()
        form = QFormLayout(self.form)
        form.setContentsMargins(0, 0, 0, 0)
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        # A narrow panel puts labels above their fields instead of cutting the fields off.
        form.setRowWrapPolicy(QFormLayout.RowWrapPolicy.WrapLongRows)
        form.addRow(self.quote_label)
        kind_row = WrappingRow([self.kind_combo, self.color_button], grow_first=True)
        form.addRow("Kind", kind_row)
        form.addRow("Status", self.status_combo)
        form.addRow("Note", self.note_edit)
        self._sources_row = form.rowCount()  # the Sources box goes here, in the order of work
        form.addRow("Claimant", self.claimant_edit)
        form.addRow("Claimant is", self.claimant_type_combo)
        form.addRow("Reviewed as", self.claim_reviewed_edit)
        form.addRow("Claimed on", self.claim_date_edit)
        form.addRow("Tags", self.tags_edit)
        form.addRow("Author", self.author_edit)
        form.addRow("Created", self.created_label)
        form.addRow("Updated", self.updated_label)
        form.addRow("Anchor", self.anchor_label)
        form.addRow(self.reattach_button)
        form.addRow(self.candidates_group)
        delete_row = QHBoxLayout()
        delete_row.addStretch(1)
        delete_row.addWidget(self.delete_button)
        form.addRow(delete_row)

        # The citations save themselves through the library (they are rows of their own).
        self.citations: CitationsPanel | None = None
        if library is not None:
            self.citations = CitationsPanel(library)
            self.citations.changed.connect(self.citations_changed)
            self.citations.open_evidence.connect(self.open_evidence)
            self.sources_group = QGroupBox("Sources")
            self.sources_group.setObjectName("editor_sources")
            group_layout = QVBoxLayout(self.sources_group)
            group_layout.addWidget(self.citations)
            form.insertRow(self._sources_row, self.sources_group)
        # Earlier claims and fact-checks making the same claim (panels/seen_before.py).
        self.seen_before: SeenBeforePanel | None = None
        if library is not None:
            self.seen_before = SeenBeforePanel(library)
            self.seen_before.sources_changed.connect(self.citations_changed)
            form.insertRow(self._sources_row + 1, self.seen_before)
        # Who changed what and when: read from the library each time the annotation is shown.
        self._library = library
        self.history_list: QListWidget | None = None
        if library is not None:
            self.history_group = HistoryBox()
            self.history_list = self.history_group.list
            form.addRow(self.history_group)
            self.citations.changed.connect(lambda _id: self._show_history())

        # A short dock scrolls the fields instead of squashing them.
        self.form_scroll = QScrollArea()
        self.form_scroll.setObjectName("editor_scroll")
        self.form_scroll.setWidgetResizable(True)
        self.form_scroll.setFrameShape(QFrame.Shape.NoFrame)
        self.form_scroll.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.form_scroll.setWidget(self.form)

        layout = QVBoxLayout(self)
        layout.addWidget(self.placeholder)
        layout.addWidget(self.form_scroll, 1)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.status_combo.currentIndexChanged.connect(lambda _i: self._changed("status"))
        self.claimant_edit.textChanged.connect(lambda _t: self._changed("claimant"))
        self.claimant_type_combo.currentIndexChanged.connect(
            lambda _i: self._changed("claimant_type")
        )
        self.claim_reviewed_edit.textChanged.connect(lambda _t: self._changed("claim_reviewed"))
        self.claim_date_edit.textChanged.connect(lambda _t: self._changed("claim_date"))
        self.note_edit.textChanged.connect(lambda: self._changed("note"))
        self.tags_edit.textChanged.connect(lambda _t: self._changed("tags"))
        self.author_edit.textChanged.connect(lambda _t: self._changed("author"))

        self._widgets: dict[str, QWidget] = {
            "kind": self.kind_combo,
            "color": self.color_button,
            "status": self.status_combo,
            "claimant": self.claimant_edit,
            "claimant_type": self.claimant_type_combo,
            "claim_reviewed": self.claim_reviewed_edit,
            "claim_date": self.claim_date_edit,
            "note": self.note_edit,
            "tags": self.tags_edit,
            "author": self.author_edit,
        }
        self._set_tab_order()
        # Escape anywhere in the editor gives the keyboard back to the document.
        self.escape = QShortcut(QKeySequence(Qt.Key.Key_Escape), self)
        self.escape.setContext(Qt.ShortcutContext.WidgetWithChildrenShortcut)
        self.escape.activated.connect(self.done_editing)
        self._show_none()

    def _set_tab_order(self) -> None:
        """Tab walks the fields in the order of work: kind, status, note, the sources (paste,
        stance, Add), then the claimant and the claim's review details, tags and author."""
        chain: list[QWidget] = [self.kind_combo, self.status_combo, self.note_edit]
        if self.citations is not None:
            chain += [self.citations.input, self.citations.add_stance, self.citations.add_button]
        chain += [
            self.claimant_edit,
            self.claimant_type_combo,
            self.claim_reviewed_edit,
            self.claim_date_edit,
            self.tags_edit,
            self.author_edit,
            self.delete_button,
        ]
        for first, second in zip(chain, chain[1:], strict=False):
            QWidget.setTabOrder(first, second)

    # Public API -----------------------------------------------------------------------------

    def focus_status(self) -> None:
        """Put the keyboard on the status (on the kind for annotations without one)."""
        target = self.status_combo if self.status_combo.isEnabled() else self.kind_combo
        self.form_scroll.ensureWidgetVisible(target)
        target.setFocus(Qt.FocusReason.ShortcutFocusReason)

    def annotation(self) -> Annotation | None:
        """The annotation shown, including edits already emitted."""
        return self._annotation

    def has_pending_edits(self) -> bool:
        return bool(self._dirty)

    def set_annotation(self, annotation: Annotation | None) -> None:
        """Show `annotation` (None: nothing). Pending edits of another annotation are emitted
        first; for the same annotation only fields the user is not editing are refreshed."""
        current = self._annotation
        if annotation is not None and current is not None and annotation.id == current.id:
            self._refresh(annotation)
        else:
            self.flush()
            self._annotation = annotation
            if annotation is None:
                self._show_none()
            else:
                self._show(annotation)
        if self.citations is not None:
            self.citations.set_annotation(annotation)
        if self.seen_before is not None:
            self.seen_before.set_annotation(annotation)

    def flush(self) -> None:
        """Emit the pending changes now (if any differ from the stored annotation)."""
        self.save_timer.stop()
        if self.citations is not None:
            self.citations.flush()
        current = self._annotation
        dirty, self._dirty = self._dirty, set()
        if current is None:
            return
        changes = {
            name: self._value(name)
            for name in FIELDS
            if name in dirty and self._value(name) != self._stored(current, name)
        }
        if not changes:
            return
        self._annotation = replace(current, **changes)
        self.edited.emit(current.id, changes)

    def discard(self) -> None:
        """Forget pending edits without emitting them (e.g. the annotation is gone)."""
        self.save_timer.stop()
        self._dirty.clear()
        if self.citations is not None:
            self.citations.discard()

    def choose_color(self) -> None:
        if self._annotation is None:
            return
        chosen = self._pick(self._shown_color(), self, "Highlight colour")
        if chosen and is_hex_color(chosen) and chosen.lower() != self._color.lower():
            self._set_color(chosen.lower())
            self._changed("color")

    # Loading --------------------------------------------------------------------------------

    def _show_none(self) -> None:
        self._dirty.clear()
        self._loading += 1
        try:
            self.quote_label.set_full_text("")
            self.kind_combo.setCurrentIndex(0)
            self.status_combo.setCurrentIndex(0)
            for edit in (
                self.claimant_edit,
                self.tags_edit,
                self.author_edit,
                self.claim_reviewed_edit,
                self.claim_date_edit,
            ):
                edit.clear()
            self.claimant_type_combo.setCurrentIndex(0)
            self.note_edit.clear()
            self._shown_kind = None
            self._set_color("")
            self.created_label.clear()
            self.updated_label.clear()
            self.anchor_label.clear()
            self.reattach_button.hide()
            self.candidates_group.show_places([])
        finally:
            self._loading -= 1
        self.form.setEnabled(False)
        self.form_scroll.hide()
        self.placeholder.show()

    def _show(self, annotation: Annotation) -> None:
        self._dirty.clear()
        self._loading += 1
        try:
            for name in FIELDS:
                self._set_value(name, self._stored(annotation, name))
            self._show_read_only(annotation)
        finally:
            self._loading -= 1
        self._refresh_tag_completions()
        self.placeholder.hide()
        self.form_scroll.show()
        self.form.setEnabled(True)

    def _refresh(self, annotation: Annotation) -> None:
        """Same annotation, new stored state: update what the user is not working in."""
        self._annotation = annotation
        self._loading += 1
        try:
            for name in FIELDS:
                if name in self._dirty or self._widgets[name].hasFocus():
                    continue
                value = self._stored(annotation, name)
                if self._value(name) != value:
                    self._set_value(name, value)
            self._show_read_only(annotation)
        finally:
            self._loading -= 1

    def _show_read_only(self, annotation: Annotation) -> None:
        if annotation.anchor.quote != self.quote_label.full_text():
            self.quote_label.set_full_text(annotation.anchor.quote)
        self.created_label.setText(local_time(annotation.created_at))
        self.created_label.setToolTip(annotation.created_at)
        self.updated_label.setText(local_time(annotation.updated_at))
        self.updated_label.setToolTip(annotation.updated_at)
        state = AnchorState(annotation.anchor.state)
        self.anchor_label.setText(ANCHOR_TEXT[state])
        self.reattach_button.setVisible(state is AnchorState.ORPHAN)
        places = self.candidates_provider(annotation) if state is AnchorState.ORPHAN else []
        if places:
            self.anchor_label.setText(
                f"orphan — its words occur {len(places)} times here with the same "
                "surroundings; choose its place below"
            )
        self.candidates_group.show_places(places)
        self._show_history()

    def _show_history(self) -> None:
        if self.history_list is None:
            return
        entries: list[HistoryEntry] = []
        if self._annotation is not None:
            try:
                entries = self._library.history(self._annotation.id)
            except DocumentError:
                pass  # deleted meanwhile: nothing to show
        self.history_group.show_entries(entries)

    def _refresh_tag_completions(self) -> None:
        self.tag_completer.set_tags(self._tags_provider())

    # Field values ---------------------------------------------------------------------------

    @staticmethod
    def _stored(annotation: Annotation, name: str) -> object:
        value = getattr(annotation, name)
        if name == "kind":
            return AnnotationKind(value)
        if name == "status":
            return ClaimStatus(value)
        if name == "color":
            return str(value).lower()
        if name == "tags":
            return tuple(value)
        return value

    def _value(self, name: str) -> object:
        if name == "kind":
            return AnnotationKind(self.kind_combo.currentData())
        if name == "status":
            return ClaimStatus(self.status_combo.currentData())
        if name == "color":
            return self._color.lower()
        if name == "claimant":
            return self.claimant_edit.text().strip()
        if name == "claimant_type":
            return str(self.claimant_type_combo.currentData() or "")
        if name == "claim_reviewed":
            return " ".join(self.claim_reviewed_edit.text().split())
        if name == "claim_date":
            return self.claim_date_edit.text().strip()
        if name == "note":
            return self.note_edit.toPlainText()
        if name == "tags":
            return parse_tags(self.tags_edit.text())
        if name == "author":
            return self.author_edit.text().strip()
        raise KeyError(name)

    def _set_value(self, name: str, value: object) -> None:
        if name == "kind":
            kind = AnnotationKind(value)  # type: ignore[arg-type]
            self.kind_combo.setCurrentIndex(self.kind_combo.findData(kind.value))
            self._shown_kind = kind
            self._set_color(self._color)  # the swatch of a default colour follows the kind
        elif name == "status":
            status = ClaimStatus(value)  # type: ignore[arg-type]
            self.status_combo.setCurrentIndex(self.status_combo.findData(status.value))
        elif name == "color":
            self._set_color(str(value))
        elif name == "claimant":
            self.claimant_edit.setText(str(value))
        elif name == "claimant_type":
            self.claimant_type_combo.setCurrentIndex(
                max(0, self.claimant_type_combo.findData(str(value)))
            )
        elif name == "claim_reviewed":
            self.claim_reviewed_edit.setText(str(value))
        elif name == "claim_date":
            self.claim_date_edit.setText(str(value))
        elif name == "note":
            self.note_edit.setPlainText(str(value))
        elif name == "tags":
            self.tags_edit.setText(format_tags(value))  # type: ignore[arg-type]
        elif name == "author":
            self.author_edit.setText(str(value))

    def _shown_color(self) -> str:
        if self._color:
            return self._color
        if self._shown_kind is not None:
            return self._default_color(self._shown_kind)
        return ""

    def _set_color(self, color: str) -> None:
        self._color = color
        shown = self._shown_color()
        self.color_button.setIcon(swatch_icon(shown))
        self.color_button.setText(shown)

    # Edits ----------------------------------------------------------------------------------

    def _changed(self, name: str) -> None:
        if self._loading or self._annotation is None:
            return
        self._dirty.add(name)
        self.save_timer.start()

    def _kind_changed(self, _index: int) -> None:
        if self._loading or self._annotation is None:
            return
        old, new = self._shown_kind, AnnotationKind(self.kind_combo.currentData())
        self._shown_kind = new
        was_default = old is not None and self._color.lower() == self._default_color(old).lower()
        if self._color and was_default:
            # The colour was just the old kind's default: propose the new kind's default.
            self._set_color(self._default_color(new).lower())
            self._dirty.add("color")
        else:
            self._set_color(self._color)
        self._changed("kind")

    def _request_reattach(self) -> None:
        if self._annotation is not None:
            self.flush()
            self.reattach_requested.emit(self._annotation.id)

    def _request_candidate(self, start: int, end: int) -> None:
        if self._annotation is not None:
            self.flush()
            self.reattach_to_requested.emit(self._annotation.id, start, end)

    def _request_delete(self) -> None:
        if self._annotation is not None:
            self.flush()
            self.delete_requested.emit(self._annotation.id)

    def eventFilter(self, watched: QObject, event: QEvent) -> bool:
        if watched is self.tags_edit and event.type() == QEvent.Type.FocusIn:
            self._refresh_tag_completions()  # tags added elsewhere since this was shown
        return super().eventFilter(watched, event)
