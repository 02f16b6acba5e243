"""File ▸ Import… of a Zotero library: which PDF attachments to bring in, ticked in a list."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QVBoxLayout,
    QWidget,
)

__all__ = ["ZoteroDialog"]

_KEY = int(Qt.ItemDataRole.UserRole)


class ZoteroDialog(QDialog):
    """One checkable row per PDF attachment with annotations (all ticked to begin with)."""

    def __init__(self, attachments, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("zotero_dialog")
        self.setWindowTitle("Import from Zotero")
        self.list = QListWidget(self)
        self.list.setObjectName("zotero_attachments")
        self.list.setAccessibleName("PDF attachments to import")
        for attachment in attachments:
            count = len(attachment.annotations)
            if not count:
                continue
            noun = "annotation" if count == 1 else "annotations"
            where = "" if attachment.path and attachment.path.is_file() else " — file missing"
            item = QListWidgetItem(f"{attachment.title} ({count} {noun}){where}", self.list)
            item.setData(_KEY, attachment.key)
            item.setFlags(item.flags() | Qt.ItemFlag.ItemIsUserCheckable)
            item.setCheckState(Qt.CheckState.Checked)
        label = QLabel(
            "Highlights, underlines and notes of the ticked PDFs become annotations on the same "
            "PDFs, citing each parent item as their source. The Zotero library is only read.",
            self,
        )
        label.setWordWrap(True)
        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, self
        )
        self.import_button = self.buttons.button(QDialogButtonBox.StandardButton.Ok)
        self.import_button.setText("&Import")
        self.import_button.setObjectName("zotero_import")
        layout = QVBoxLayout(self)
        layout.addWidget(label)
        layout.addWidget(self.list, 1)
        layout.addWidget(self.buttons)
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)
        self.list.itemChanged.connect(lambda _item: self._update_ok())
        self._update_ok()
        self.resize(560, 360)

    def chosen(self) -> set[str]:
        """The keys of the ticked attachments."""
        return {
            str(self.list.item(i).data(_KEY))
            for i in range(self.list.count())
            if self.list.item(i).checkState() == Qt.CheckState.Checked
        }

    def _update_ok(self) -> None:
        self.import_button.setEnabled(bool(self.chosen()))
