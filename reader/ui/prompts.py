"""The default answers to questions the app asks; windows keep them as replaceable attributes
so tests answer without a blocking dialog."""

from __future__ import annotations

from PySide6.QtWidgets import QAbstractItemView, QInputDialog, QLineEdit, QMessageBox, QWidget


def ask_text(parent: QWidget, title: str, label: str, text: str) -> str | None:
    answer, ok = QInputDialog.getText(parent, title, label, QLineEdit.EchoMode.Normal, text)
    return answer if ok else None


def confirm(parent: QWidget, title: str, question: str) -> bool:
    answer = QMessageBox.question(
        parent,
        title,
        question,
        QMessageBox.StandardButton.Yes | QMessageBox.StandardButton.No,
        QMessageBox.StandardButton.No,
    )
    return answer == QMessageBox.StandardButton.Yes


def choose_item(parent: QWidget, title: str, label: str, items: list[str]) -> str | None:
    answer, ok = QInputDialog.getItem(parent, title, label, items, 0, False)
    return answer if ok else None


def read_only_table(view: QAbstractItemView) -> None:
    """A flat, row-selecting, multi-select list of records that is not edited in place."""
    view.setRootIsDecorated(False)
    view.setItemsExpandable(False)
    view.setUniformRowHeights(True)
    view.setAlternatingRowColors(True)
    view.setAllColumnsShowFocus(True)
    view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
    view.setSelectionBehavior(QAbstractItemView.SelectionBehavior.SelectRows)
    view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
