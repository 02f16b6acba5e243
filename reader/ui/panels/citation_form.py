"""The selected citation's own fields (stance, locator, evidence quote) and its buttons.

The form only shows and reads the fields; the panel decides when they are saved.
"""

from __future__ import annotations

from PySide6.QtCore import Signal
from PySide6.QtWidgets import QFormLayout, QLineEdit, QPlainTextEdit, QPushButton, QWidget

from reader.model import Stance
from reader.ui.panels.citation_card import stance_combo
from reader.ui.wrapping_row import WrappingRow

# The Citation fields the form edits, by their names on the model.
FIELDS = ("stance", "locator", "evidence_quote")


class CitationForm(QWidget):
    """Stance, locator and evidence of one citation, with Edit source / Go to passage / Remove."""

    edited = Signal(str)  # the field's name, at every keystroke in it
    stance_chosen = Signal()  # a choice, not typing: the panel saves it at once

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("citation_details")
        self.stance_combo = stance_combo("citation_stance")
        self.locator_edit = QLineEdit()
        self.locator_edit.setObjectName("citation_locator")
        self.locator_edit.setPlaceholderText("p. 12, table 3, § 4")
        self.evidence_edit = QPlainTextEdit()
        self.evidence_edit.setObjectName("citation_evidence")
        self.evidence_edit.setPlaceholderText("The source's own words that bear on the claim")
        self.evidence_edit.setTabChangesFocus(True)
        self.evidence_edit.setFixedHeight(self.fontMetrics().lineSpacing() * 3 + 12)

        self.edit_source_button = QPushButton("Edit source…")
        self.edit_source_button.setObjectName("citation_edit_source")
        self.go_button = QPushButton("Go to passage")
        self.go_button.setObjectName("citation_go")
        self.go_button.setToolTip("Show the passage in your documents this citation points to")
        self.remove_button = QPushButton("Remove")
        self.remove_button.setObjectName("citation_remove")
        self.remove_button.setToolTip("Remove this citation (the source stays in the library)")

        layout = QFormLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setFieldGrowthPolicy(QFormLayout.FieldGrowthPolicy.AllNonFixedFieldsGrow)
        layout.addRow("Stance", self.stance_combo)
        layout.addRow("Locator", self.locator_edit)
        layout.addRow("Evidence", self.evidence_edit)
        self.buttons = WrappingRow([self.edit_source_button, self.go_button, self.remove_button])
        layout.addRow(self.buttons)

        self.stance_combo.currentIndexChanged.connect(lambda _i: self.stance_chosen.emit())
        self.locator_edit.textChanged.connect(lambda _t: self.edited.emit("locator"))
        self.evidence_edit.textChanged.connect(lambda: self.edited.emit("evidence_quote"))

    def field_widget(self, name: str) -> QWidget:
        return {
            "stance": self.stance_combo,
            "locator": self.locator_edit,
            "evidence_quote": self.evidence_edit,
        }[name]

    def value(self, name: str) -> object:
        """What the field shows, as the Citation would hold it."""
        if name == "stance":
            return Stance(self.stance_combo.currentData())
        if name == "locator":
            return self.locator_edit.text().strip()
        if name == "evidence_quote":
            return self.evidence_edit.toPlainText().strip()
        raise KeyError(name)

    def set_value(self, name: str, value: object) -> None:
        if name == "stance":
            self.stance_combo.setCurrentIndex(self.stance_combo.findData(Stance(value).value))  # type: ignore[arg-type]
        elif name == "locator":
            self.locator_edit.setText(str(value))
        elif name == "evidence_quote":
            self.evidence_edit.setPlainText(str(value))
