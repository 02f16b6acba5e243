"""Use as Evidence for…: which claim the passage bears on, and how (supports / refutes /
context) — with each claim's status in view, and no stance taken for granted."""

from __future__ import annotations

from collections.abc import Sequence

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QButtonGroup,
    QDialog,
    QDialogButtonBox,
    QHBoxLayout,
    QLabel,
    QLineEdit,
    QListWidget,
    QListWidgetItem,
    QRadioButton,
    QVBoxLayout,
    QWidget,
)

from reader.model import Annotation, ClaimStatus, Stance
from reader.ui.panels.citations import STANCE_LABELS

STATUS_NAMES = {s: s.value.capitalize() for s in ClaimStatus}
_CLAIM_ROLE = Qt.ItemDataRole.UserRole


class EvidenceDialog(QDialog):
    """`claims`: the claims to offer, newest first; `where`: a claim's document title."""

    def __init__(
        self,
        claims: Sequence[Annotation],
        where: dict[int, str],
        passage: str,
        parent: QWidget | None = None,
    ) -> None:
        super().__init__(parent)
        self.setObjectName("evidence_dialog")
        self.setWindowTitle("Use as evidence for…")
        self._claims = list(claims)
        quote = " ".join(passage.split())
        shown = quote if len(quote) <= 160 else quote[:159] + "…"
        self.passage_label = QLabel(f"“{shown}”")
        self.passage_label.setWordWrap(True)
        self.filter_edit = QLineEdit()
        self.filter_edit.setObjectName("evidence_filter")
        self.filter_edit.setPlaceholderText("Filter claims")
        self.filter_edit.setClearButtonEnabled(True)
        self.claim_list = QListWidget()
        self.claim_list.setObjectName("evidence_claims")
        self.claim_list.setWordWrap(True)
        for claim in self._claims:
            text = " ".join(claim.anchor.quote.split())
            text = text if len(text) <= 110 else text[:109] + "…"
            doc = where.get(claim.document_id, "")
            item = QListWidgetItem(f"[{STATUS_NAMES[claim.status]}]  {text}\n{doc}")
            item.setData(_CLAIM_ROLE, claim.id)
            item.setToolTip(claim.anchor.quote)
            self.claim_list.addItem(item)
        self.status_label = QLabel("Choose the claim this passage bears on.")
        self.status_label.setObjectName("evidence_claim_status")
        self.status_label.setWordWrap(True)

        self.stances = QButtonGroup(self)
        stance_row = QHBoxLayout()
        stance_row.addWidget(QLabel("The passage"))
        self.stance_buttons: dict[Stance, QRadioButton] = {}
        for stance in Stance:
            button = QRadioButton(
                STANCE_LABELS[stance].lower()
                if stance is not Stance.CONTEXT
                else "gives context to"
            )
            button.setObjectName(f"evidence_stance_{stance.value}")
            self.stances.addButton(button)
            self.stance_buttons[stance] = button
            stance_row.addWidget(button)
        stance_row.addWidget(QLabel("the claim"))
        stance_row.addStretch(1)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.ok_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.ok_button.setText("Cite as Evidence")
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addWidget(self.passage_label)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.claim_list, 1)
        layout.addWidget(self.status_label)
        layout.addLayout(stance_row)
        layout.addWidget(self.buttons)

        self.claim_list.currentItemChanged.connect(lambda *_: self._update())
        self.stances.buttonToggled.connect(lambda *_: self._update())
        self.filter_edit.textChanged.connect(self._filter)
        if self._claims:
            self.claim_list.setCurrentRow(0)
        self._update()
        self.resize(560, 460)

    def claim(self) -> Annotation | None:
        item = self.claim_list.currentItem()
        if item is None or item.isHidden():
            return None
        claim_id = item.data(_CLAIM_ROLE)
        return next((c for c in self._claims if c.id == claim_id), None)

    def stance(self) -> Stance | None:
        return next((s for s, b in self.stance_buttons.items() if b.isChecked()), None)

    def choose(self, claim_id: str, stance: Stance) -> None:
        """Pick a claim and a stance as a user would (tools and tests)."""
        for row in range(self.claim_list.count()):
            if self.claim_list.item(row).data(_CLAIM_ROLE) == claim_id:
                self.claim_list.setCurrentRow(row)
        self.stance_buttons[stance].setChecked(True)

    def _update(self) -> None:
        claim = self.claim()
        if claim is None:
            self.status_label.setText("Choose the claim this passage bears on.")
        else:
            self.status_label.setText(
                f"This claim is marked <b>{STATUS_NAMES[claim.status]}</b>. "
                "Does the passage support it, refute it or give context?"
            )
        self.ok_button.setEnabled(claim is not None and self.stance() is not None)

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for row in range(self.claim_list.count()):
            item = self.claim_list.item(row)
            item.setHidden(bool(needle) and needle not in item.text().casefold())
        self._update()
