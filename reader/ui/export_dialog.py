"""File ▸ Export… and File ▸ Import…: the export dialog and the worker that runs a job.

An export or import runs on a worker thread (`ExchangeJob`); progress and the result come back
to the UI thread through Qt signals. The SQLite connection is shared by both threads
(check_same_thread=False), so while a job runs the window makes sure it is the library's only
user: it disables its actions and widgets (see MainWindow._set_busy).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path

from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGridLayout,
    QHBoxLayout,
    QLineEdit,
    QProgressDialog,
    QPushButton,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reader.model import AnnotationSet, ExportScope
from reader.ui.jobs import BackgroundJob as ExchangeJob

__all__ = [
    "FORMATS",
    "IMPORT_FILTER",
    "ChoosePath",
    "ExchangeJob",
    "ExportChoice",
    "ExportDialog",
    "ExportFormat",
    "JobProgress",
]


@dataclass(frozen=True)
class ExportFormat:
    key: str  # remembered in the settings
    label: str
    fmt: str  # Library.export's fmt
    excel: bool
    suffix: str
    filter: str  # QFileDialog name filter


FORMATS: tuple[ExportFormat, ...] = (
    ExportFormat("csv", "CSV", "csv", False, ".csv", "CSV (*.csv)"),
    ExportFormat("csv-excel", "CSV for Excel (BOM)", "csv", True, ".csv", "CSV (*.csv)"),
    ExportFormat("json", "JSON (W3C Web Annotation)", "json", False, ".json", "JSON (*.json)"),
    ExportFormat("md", "Markdown report", "md", False, ".md", "Markdown (*.md)"),
    ExportFormat(
        "claimreview",
        "ClaimReview JSON-LD",
        "claimreview",
        False,
        ".jsonld",
        "JSON-LD (*.jsonld *.json)",
    ),
    ExportFormat("hypothesis", "Hypothesis JSON", "hypothesis", False, ".json", "JSON (*.json)"),
)

_SET_ID = int(Qt.ItemDataRole.UserRole) + 1  # set combo: the set's id (its data is the name)

IMPORT_FILTER = (
    "Annotation exports and libraries (*.csv *.json *.sqlite);;CSV (*.csv);;"
    "JSON: W3C or Hypothesis (*.json);;Zotero library (zotero.sqlite *.sqlite);;All files (*)"
)

# (title, starting path, name filter) -> the chosen path, or None on Cancel.
ChoosePath = Callable[[str, str, str], "str | None"]


@dataclass(frozen=True)
class ExportChoice:
    target: Path
    format: ExportFormat
    scope: ExportScope
    scope_label: str  # "the set Fentanyl check", for the summary sentence
    # ClaimReview: the published fact-check and the reviewing organisation.
    review: dict[str, str] = field(default_factory=dict)


def _slug(text: str) -> str:
    slug = re.sub(r"[^\w\-]+", "-", text.strip(), flags=re.UNICODE).strip("-_")
    return slug[:60] or "annotations"


class ExportDialog(QDialog):
    """Scope (a set, the current document, everything), format and output file.

    Scopes that do not apply are disabled; the last scope, format and folder are remembered.
    `choice()` is what to export once the dialog was accepted.
    """

    def __init__(
        self,
        settings: QSettings,
        sets: list[AnnotationSet],
        *,
        current_set_id: int | None = None,
        document: tuple[str, str] | None = None,  # (title, sha256) of the current document
        choose_path: ChoosePath,
        authors: list[str] | tuple[str, ...] = (),
        review_defaults: dict[str, str] | None = None,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("export_dialog")
        self.setWindowTitle("Export annotations")
        self.settings = settings
        self.choose_path = choose_path
        self.document = document
        self._suggested = ""

        self.scope_set = QRadioButton("&Set:", self)
        self.scope_set.setObjectName("export_scope_set")
        self.set_combo = QComboBox(self)
        self.set_combo.setObjectName("export_set")
        self.set_combo.setAccessibleName("Set to export")
        for s in sets:
            noun = "annotation" if s.count == 1 else "annotations"
            self.set_combo.addItem(f"{s.name} ({s.count} {noun})", s.name)
            self.set_combo.setItemData(self.set_combo.count() - 1, s.id, _SET_ID)
        doc_title = document[0] if document else ""
        self.scope_document = QRadioButton(
            f"Current &document: {_elide(doc_title, 50)}" if document else "Current &document",
            self,
        )
        self.scope_document.setObjectName("export_scope_document")
        self.scope_all = QRadioButton("&All annotations in the library", self)
        self.scope_all.setObjectName("export_scope_all")
        self.scope_group = QButtonGroup(self)
        for button in (self.scope_set, self.scope_document, self.scope_all):
            self.scope_group.addButton(button)
        self.scope_set.setEnabled(bool(sets))
        self.set_combo.setEnabled(bool(sets))
        self.scope_document.setEnabled(document is not None)

        # Narrows any scope to what one person made or changed.
        self.author_combo = QComboBox(self)
        self.author_combo.setObjectName("export_author")
        self.author_combo.setAccessibleName("Only what this person made or changed")
        self.author_combo.addItem("Everyone", "")
        for name in authors:
            self.author_combo.addItem(name, name)

        self.format_combo = QComboBox(self)
        self.format_combo.setObjectName("export_format")
        self.format_combo.setAccessibleName("Export format")
        for f in FORMATS:
            self.format_combo.addItem(f.label, f.key)

        # ClaimReview only: Google needs the fact-check's own page and who reviewed.
        defaults = review_defaults or {}
        self.review_url_edit = QLineEdit(self)
        self.review_url_edit.setObjectName("export_review_url")
        self.review_url_edit.setAccessibleName("Published fact-check URL")
        self.review_url_edit.setPlaceholderText("https://… the published fact-check")
        self.org_edit = QLineEdit(defaults.get("org", ""), self)
        self.org_edit.setObjectName("export_org")
        self.org_edit.setAccessibleName("Reviewing organisation")
        self.org_edit.setPlaceholderText("Your organisation's name")
        self.org_url_edit = QLineEdit(defaults.get("org_url", ""), self)
        self.org_url_edit.setObjectName("export_org_url")
        self.org_url_edit.setAccessibleName("Organisation's web site")
        self.org_url_edit.setPlaceholderText("https://… your organisation's site")
        self.review_box = QWidget(self)
        self.review_box.setObjectName("export_review")
        review_form = QFormLayout(self.review_box)
        review_form.setContentsMargins(0, 0, 0, 0)
        review_form.addRow("Fact-check URL:", self.review_url_edit)
        review_form.addRow("Organisation:", self.org_edit)
        review_form.addRow("Organisation URL:", self.org_url_edit)

        self.path_edit = QLineEdit(self)
        self.path_edit.setObjectName("export_path")
        self.path_edit.setAccessibleName("File to write")
        self.browse_button = QPushButton("&Choose…", self)
        self.browse_button.setObjectName("export_browse")

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.export_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.export_button.setText("&Export")
        self.export_button.setObjectName("export_ok")

        scope = QGridLayout()
        scope.addWidget(self.scope_set, 0, 0)
        scope.addWidget(self.set_combo, 0, 1)
        scope.addWidget(self.scope_document, 1, 0, 1, 2)
        scope.addWidget(self.scope_all, 2, 0, 1, 2)
        scope.setColumnStretch(1, 1)
        path_row = QHBoxLayout()
        path_row.addWidget(self.path_edit, 1)
        path_row.addWidget(self.browse_button)
        form = QFormLayout()
        form.addRow("Made or changed by:", self.author_combo)
        form.addRow("Format:", self.format_combo)
        form.addRow("File:", path_row)
        layout = QVBoxLayout(self)
        layout.addLayout(scope)
        layout.addLayout(form)
        layout.addWidget(self.review_box)
        layout.addWidget(self.buttons)

        self._restore(current_set_id)

        self.scope_group.buttonToggled.connect(lambda *_: self._suggest())
        self.set_combo.currentIndexChanged.connect(self._set_chosen)
        self.format_combo.currentIndexChanged.connect(lambda *_: self._suggest())
        self.path_edit.textChanged.connect(self._update_ok)
        for edit in (self.review_url_edit, self.org_edit):
            edit.textChanged.connect(self._update_ok)
        self.browse_button.clicked.connect(self.browse)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self._suggest()
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    # -- state ---------------------------------------------------------------------------------

    def _restore(self, current_set_id: int | None) -> None:
        key = str(self.settings.value("export/format", "csv"))
        self.format_combo.setCurrentIndex(max(0, self.format_combo.findData(key)))
        if current_set_id is not None:
            index = self.set_combo.findData(current_set_id, _SET_ID)
            if index >= 0:
                self.set_combo.setCurrentIndex(index)
        buttons = {
            "set": self.scope_set,
            "document": self.scope_document,
            "all": self.scope_all,
        }
        remembered = str(self.settings.value("export/scope", ""))
        if remembered not in buttons:  # first time: the narrowest scope that applies
            remembered = "set" if current_set_id is not None else "document"
        for kind in (remembered, "document", "all"):
            if buttons[kind].isEnabled():
                buttons[kind].setChecked(True)
                break

    def format(self) -> ExportFormat:
        return FORMATS[max(0, self.format_combo.currentIndex())]

    def scope(self) -> tuple[ExportScope, str]:
        scope, label = self._scope()
        author = str(self.author_combo.currentData() or "")
        if author:
            return replace(scope, author=author), f"{label}, by {author}"
        return scope, label

    def _scope(self) -> tuple[ExportScope, str]:
        if self.scope_set.isChecked() and self.set_combo.count():
            name = str(self.set_combo.currentData())
            return ExportScope(kind="set", value=name), f'the set "{name}"'
        if self.scope_document.isChecked() and self.document is not None:
            return ExportScope(kind="document", value=self.document[1]), _elide(
                self.document[0] or "the document", 60
            )
        return ExportScope(kind="all"), "the library"

    def folder(self) -> str:
        return str(self.settings.value("export/folder", str(Path.home())))

    def _set_chosen(self) -> None:
        if not self.scope_set.isChecked():
            self.scope_set.setChecked(True)  # choosing a set means exporting it
        self._suggest()

    def _suggested_name(self) -> str:
        scope, _ = self.scope()
        if scope.kind == "set":
            stem = _slug(scope.value)
        elif scope.kind == "document" and self.document is not None:
            stem = _slug(self.document[0] or "document")
        else:
            stem = "annotations"
        return stem + self.format().suffix

    def _suggest(self) -> None:
        """Propose a file name for the scope and format; a path the user chose keeps its
        folder and name, and only takes the format's suffix."""
        text = self.path_edit.text().strip()
        if not text or text == self._suggested:
            self._suggested = str(Path(self.folder()) / self._suggested_name())
            self.path_edit.setText(self._suggested)
        else:
            path = Path(text)
            if path.suffix.lower() != self.format().suffix:
                self.path_edit.setText(str(path.with_suffix(self.format().suffix)))
        self._update_ok()

    def _update_ok(self) -> None:
        reviewing = self.format().fmt == "claimreview"
        self.review_box.setVisible(reviewing)
        ready = bool(self.path_edit.text().strip())
        if reviewing:
            ready = ready and bool(
                self.review_url_edit.text().strip() and self.org_edit.text().strip()
            )
        self.export_button.setEnabled(ready)

    def browse(self) -> None:
        start = self.path_edit.text().strip() or str(Path(self.folder()) / self._suggested_name())
        chosen = self.choose_path("Export annotations to", start, self.format().filter)
        if chosen:
            self.path_edit.setText(chosen)

    def choice(self) -> ExportChoice:
        scope, label = self.scope()
        target = Path(self.path_edit.text().strip()).expanduser()
        review = {}
        if self.format().fmt == "claimreview":
            review = {
                "review_url": self.review_url_edit.text().strip(),
                "org": self.org_edit.text().strip(),
                "org_url": self.org_url_edit.text().strip(),
            }
        return ExportChoice(target, self.format(), scope, label, review)

    def accept(self) -> None:
        if not self.export_button.isEnabled():
            return
        choice = self.choice()
        self.settings.setValue("export/scope", choice.scope.kind)
        self.settings.setValue("export/format", choice.format.key)
        self.settings.setValue("export/folder", str(choice.target.parent))
        super().accept()


class JobProgress(QProgressDialog):
    """A window-modal progress bar with Cancel for an ExchangeJob; it closes when the job ends."""

    def __init__(self, job: ExchangeJob, label: str, parent: QWidget | None = None) -> None:
        super().__init__(label, "Cancel", 0, 0, parent)
        self.setObjectName("exchange_progress")
        self.setWindowTitle(job.title)
        self.setWindowModality(Qt.WindowModality.WindowModal)
        self.setAutoClose(False)
        self.setAutoReset(False)
        self.setMinimumDuration(0)
        self.job = job
        self.canceled.connect(self._cancel)
        job.progress.connect(self._progress)
        job.finished.connect(self._done)

    def _progress(self, done: int, total: int) -> None:
        if total > 0:
            self.setMaximum(total)
            self.setValue(min(done, total))

    def _cancel(self) -> None:
        if not self.job.done:
            self.setLabelText("Cancelling…")
            self.job.cancel()

    def _done(self) -> None:
        self.canceled.disconnect(self._cancel)
        self.hide()
        self.deleteLater()


def _elide(text: str, width: int) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
