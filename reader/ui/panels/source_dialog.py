"""Edit one source's bibliographic fields, with an optional DOI/URL look-up.

The look-up runs on a plain worker thread (it does network I/O) and reports back through a Qt
signal, so the dialog stays responsive. Found values only fill fields that are still empty
(`merge_filled`); a failure shows its one sentence and changes nothing.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import replace

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QPlainTextEdit,
    QPushButton,
    QVBoxLayout,
    QWidget,
)

from reader import lookup as _lookup
from reader.model import Source
from reader.ui.jobs import BackgroundJob

log = logging.getLogger(__name__)

Lookup = Callable[[str], Source]

# (CSL type, label), the types fact-checkers cite most.
SOURCE_TYPES: tuple[tuple[str, str], ...] = (
    ("webpage", "Web page"),
    ("article-newspaper", "Newspaper article"),
    ("article-magazine", "Magazine article"),
    ("article-journal", "Journal article"),
    ("post-weblog", "Blog post"),
    ("post", "Social media post"),
    ("book", "Book"),
    ("chapter", "Book chapter"),
    ("report", "Report"),
    ("dataset", "Dataset"),
    ("paper-conference", "Conference paper"),
    ("thesis", "Thesis"),
    ("legislation", "Legislation"),
    ("legal_case", "Legal case"),
    ("speech", "Speech"),
    ("interview", "Interview"),
    ("broadcast", "Broadcast"),
    ("motion_picture", "Video"),
    ("personal_communication", "Personal communication"),
    ("document", "Other document"),
)

# Source field → (label, placeholder) for the single-line text fields, in form order.
TEXT_FIELDS: tuple[tuple[str, str, str], ...] = (
    ("title", "Title", ""),
    ("container_title", "Published in", "Journal, newspaper or website"),
    ("publisher", "Publisher", ""),
    ("issued", "Date", "YYYY, YYYY-MM or YYYY-MM-DD"),
    ("url", "URL", "https://…"),
    ("doi", "DOI", "10.xxxx/…"),
    ("isbn", "ISBN", ""),
    ("accessed", "Accessed", "YYYY-MM-DD"),
    ("archived_url", "Archived URL", "https://web.archive.org/…"),
)

LOOKING_UP = "Looking up…"


def parse_authors(text: str) -> tuple[str, ...]:
    """One author per line; blank lines dropped, whitespace collapsed."""
    return tuple(name for line in text.splitlines() if (name := " ".join(line.split())))


def clean_doi(text: str) -> str:
    """A DOI without the resolver or `doi:` prefix users often paste with it."""
    doi = text.strip()
    lowered = doi.lower()
    for prefix in ("https://doi.org/", "http://doi.org/", "https://dx.doi.org/", "doi:"):
        if lowered.startswith(prefix):
            return doi[len(prefix) :].strip()
    return doi


class SourceDialog(QDialog):
    """Shows and edits one `Source`; `source()` returns the edited copy (same id)."""

    # generation, found Source or None, error sentence — emitted from the worker thread.

    def __init__(
        self,
        source: Source,
        parent: QWidget | None = None,
        *,
        lookup_doi: Lookup | None = None,
        lookup_url: Lookup | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("source_dialog")
        self.setWindowTitle("Edit source")
        self._source = source
        self._lookup_doi = lookup_doi or _lookup.lookup_doi
        self._lookup_url = lookup_url or _lookup.lookup_url
        self._generation = 0
        self._job: BackgroundJob | None = None  # the look-up under way

        self.type_combo = QComboBox()
        self.type_combo.setObjectName("source_type")
        for value, label in SOURCE_TYPES:
            self.type_combo.addItem(label, value)

        self.edits: dict[str, QLineEdit] = {}
        for name, _label, placeholder in TEXT_FIELDS:
            edit = QLineEdit()
            edit.setObjectName(f"source_{name}")
            edit.setPlaceholderText(placeholder)
            edit.textChanged.connect(self._update_lookup_button)
            self.edits[name] = edit

        self.authors_edit = QPlainTextEdit()
        self.authors_edit.setObjectName("source_authors")
        self.authors_edit.setPlaceholderText("One per line: Family, Given — or an organisation")
        self.authors_edit.setTabChangesFocus(True)
        self.authors_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 4 + 12)

        self.note_edit = QPlainTextEdit()
        self.note_edit.setObjectName("source_note")
        self.note_edit.setTabChangesFocus(True)
        self.note_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)

        self.lookup_button = QPushButton("Look up")
        self.lookup_button.setObjectName("source_lookup")
        self.lookup_button.setToolTip(
            "Fill the empty fields from the DOI (or, without one, from the URL)"
        )
        self.lookup_button.clicked.connect(self.start_lookup)
        self.status_label = QLabel()
        self.status_label.setObjectName("source_lookup_status")
        self.status_label.setWordWrap(True)
        self.status_label.setTextFormat(Qt.TextFormat.PlainText)

        form = QFormLayout()
        form.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        form.addRow("Type", self.type_combo)
        form.addRow("Title", self.edits["title"])
        form.addRow("Authors", self.authors_edit)
        for name, label, _placeholder in TEXT_FIELDS[1:]:
            form.addRow(label, self.edits[name])
        form.addRow("Note", self.note_edit)

        lookup_row = QHBoxLayout()
        lookup_row.addWidget(self.lookup_button)
        lookup_row.addWidget(self.status_label, 1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addLayout(lookup_row)
        layout.addWidget(self.buttons)

        self._fill(source)
        self.resize(max(self.sizeHint().width(), 520), self.sizeHint().height())

    # Public API -----------------------------------------------------------------------------

    def source(self) -> Source:
        """The source as edited (same id, document link and times as the one given)."""
        values = {name: edit.text().strip() for name, edit in self.edits.items()}
        values["doi"] = clean_doi(values["doi"])
        return replace(
            self._source,
            type=str(self.type_combo.currentData()),
            authors=parse_authors(self.authors_edit.toPlainText()),
            note=self.note_edit.toPlainText().strip(),
            **values,
        )

    def is_looking_up(self) -> bool:
        return self._job is not None and not self._job.done

    def start_lookup(self) -> None:
        """Look the DOI up (or the URL when there is no DOI) on a worker thread."""
        current = self.source()
        if current.doi:
            func, key = self._lookup_doi, current.doi
        elif current.url:
            func, key = self._lookup_url, current.url
        else:
            self.status_label.setText("Enter a DOI or a URL to look up.")
            return
        self._generation += 1
        generation = self._generation
        self.lookup_button.setEnabled(False)
        self.status_label.setText(LOOKING_UP)
        self._job = BackgroundJob("Looking up the source", self)
        self._job.succeeded.connect(self._lookup_done)
        self._job.start(lambda _progress, _cancel: self._run_lookup(generation, func, key))

    def wait_for_lookup(self, timeout: float | None = None) -> None:
        """Block until the worker thread is done (its result still arrives as an event)."""
        if self._job is not None:
            self._job.wait(timeout)

    # Internals ------------------------------------------------------------------------------

    def _fill(self, source: Source) -> None:
        index = self.type_combo.findData(source.type)
        if index < 0 and source.type:
            self.type_combo.addItem(source.type, source.type)
            index = self.type_combo.count() - 1
        self.type_combo.setCurrentIndex(max(index, 0))
        for name, edit in self.edits.items():
            value = str(getattr(source, name) or "")
            if edit.text() != value:
                edit.setText(value)
                edit.setCursorPosition(0)
        authors = "\n".join(source.authors)
        if self.authors_edit.toPlainText() != authors:
            self.authors_edit.setPlainText(authors)
        if self.note_edit.toPlainText() != source.note:
            self.note_edit.setPlainText(source.note)
        self._update_lookup_button()

    def _update_lookup_button(self) -> None:
        has_key = bool(self.edits["doi"].text().strip() or self.edits["url"].text().strip())
        self.lookup_button.setEnabled(has_key and not self.is_looking_up())

    def _run_lookup(
        self, generation: int, func: Lookup, key: str
    ) -> tuple[int, Source | None, str]:
        found: Source | None = None
        message = ""
        try:
            found = func(key)
        except _lookup.LookupFailed as exc:
            message = str(exc) or "The look-up found nothing."
        except Exception:  # a bug: log it, tell the user in one sentence
            log.exception("looking up %r failed", key)
            message = "The look-up failed unexpectedly; see the log for details."
        return generation, found, message

    def _lookup_done(self, result: tuple[int, Source | None, str]) -> None:
        generation, found, message = result
        if generation != self._generation:
            return  # a newer look-up was started; this answer is stale
        self._job = None
        self._update_lookup_button()
        if not isinstance(found, Source):
            self.status_label.setText(message or "The look-up found nothing.")
            return
        before = self.source()
        merged = _lookup.merge_filled(before, found)
        filled = [
            name
            for name in ("type", "title", "authors", "issued", "publisher", "container_title")
            + ("url", "doi", "isbn", "accessed", "archived_url", "note")
            if getattr(merged, name) != getattr(before, name)
        ]
        self._fill(merged)
        if filled:
            count = len(filled)
            self.status_label.setText(f"Filled {count} empty field{'s' if count != 1 else ''}.")
        else:
            self.status_label.setText("Found nothing new: every field it knows is already filled.")
