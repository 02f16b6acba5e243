"""What the window shows when no document is open: recent documents, Open, Open URL."""

from __future__ import annotations

from PySide6.QtCore import Qt, Signal
from PySide6.QtGui import QFont
from PySide6.QtWidgets import (
    QAbstractItemView,
    QHBoxLayout,
    QHeaderView,
    QLabel,
    QLineEdit,
    QPushButton,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
    QWidget,
)

from reader.model import DocumentRecord

KIND_LABEL = {
    "pdf": "PDF",
    "epub": "EPUB",
    "xps": "XPS",
    "fb2": "FB2",
    "mobi": "MOBI",
    "cbz": "Comic",
    "html": "Web page",
    "text": "Text",
    "markdown": "Markdown",
}


def friendly_time(iso: str) -> str:
    # Stored as UTC ISO 8601; show local date and minute.
    from datetime import datetime

    try:
        moment = datetime.fromisoformat(iso.replace("Z", "+00:00")).astimezone()
    except ValueError:
        return iso
    return moment.strftime("%Y-%m-%d %H:%M")


class StartPage(QWidget):
    open_file_requested = Signal()
    open_url_requested = Signal(str)
    open_recent_requested = Signal(str)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("start_page")
        outer = QVBoxLayout(self)
        outer.setContentsMargins(32, 28, 32, 28)
        outer.setSpacing(14)
        title = QLabel("Claim Reader", self)
        font = QFont(title.font())
        font.setPointSizeF(font.pointSizeF() * 2)
        font.setBold(True)
        title.setFont(font)
        outer.addWidget(title)
        intro = QLabel(
            "Open a PDF, a saved web page, a text or Markdown file, or a web address. "
            "You can also drop files here.",
            self,
        )
        intro.setWordWrap(True)
        outer.addWidget(intro)
        row = QHBoxLayout()
        self.open_button = QPushButton("Open file…", self)
        self.open_button.setObjectName("start_open")
        self.open_button.clicked.connect(self.open_file_requested)
        self.url_edit = QLineEdit(self)
        self.url_edit.setObjectName("start_url")
        self.url_edit.setPlaceholderText("https://… — paste a web address and press Enter")
        self.url_edit.setMinimumWidth(120)
        self.url_edit.returnPressed.connect(self._url_entered)
        self.url_button = QPushButton("Open URL", self)
        self.url_button.setObjectName("start_open_url")
        self.url_button.clicked.connect(self._url_entered)
        row.addWidget(self.open_button)
        row.addSpacing(12)
        row.addWidget(self.url_edit, 1)
        row.addWidget(self.url_button)
        outer.addLayout(row)
        heading = QLabel("Recent documents", self)
        hfont = QFont(heading.font())
        hfont.setBold(True)
        heading.setFont(hfont)
        outer.addSpacing(10)
        outer.addWidget(heading)
        self.recent = QTreeWidget(self)
        self.recent.setObjectName("start_recent")
        self.recent.setRootIsDecorated(False)
        self.recent.setAlternatingRowColors(True)
        self.recent.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.recent.setHeaderLabels(["Title", "Kind", "Last opened", "Annotations"])
        header = self.recent.header()
        header.setStretchLastSection(False)
        header.setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        for col in (1, 2, 3):
            header.setSectionResizeMode(col, QHeaderView.ResizeMode.ResizeToContents)
        self.recent.itemActivated.connect(self._recent_activated)
        self.empty = QLabel("Nothing opened yet.", self)
        self.empty.setEnabled(False)
        self.empty.setAlignment(Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignTop)
        outer.addWidget(self.recent, 1)
        outer.addWidget(self.empty, 1)

    def _url_entered(self) -> None:
        text = self.url_edit.text().strip()
        if text:
            self.open_url_requested.emit(text)

    def _recent_activated(self, item: QTreeWidgetItem, _column: int) -> None:
        self.open_recent_requested.emit(item.data(0, Qt.ItemDataRole.UserRole))

    def set_recent(self, records: list[DocumentRecord]) -> None:
        self.recent.clear()
        for rec in records:
            item = QTreeWidgetItem(
                [
                    rec.title or rec.source,
                    KIND_LABEL.get(str(rec.kind), str(rec.kind)),
                    friendly_time(rec.last_opened),
                    str(rec.annotation_count),
                ]
            )
            item.setToolTip(0, rec.source)
            item.setData(0, Qt.ItemDataRole.UserRole, rec.source)
            item.setTextAlignment(3, Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter)
            self.recent.addTopLevelItem(item)
        self.recent.setVisible(bool(records))
        self.empty.setVisible(not records)
