"""Recovering the library: the damaged-library question at start, File ▸ Restore from Backup….

Every question is a plain callable so tests answer it without a modal dialog.

Restoring while the app runs is done as an in-process restart, the simplest way that is
certainly correct: every widget, model and undo command of the old window refers to the old
library, so rather than rewiring them all the old window is closed (its pending edits flushed),
its library closed, the backup copied over the library file (the replaced file kept as
`library.sqlite.before-restore-…`), and a fresh Library and MainWindow built in its place, with
the same settings and the documents that were open reopened.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtWidgets import (
    QApplication,
    QDialog,
    QDialogButtonBox,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMessageBox,
    QVBoxLayout,
    QWidget,
)

from reader.library import (
    BackupError,
    BackupInfo,
    LibraryError,
    check_file,
    list_backups,
    restore_backup,
)

RESTORE, EMPTY, QUIT = "restore", "empty", "quit"

# (sentence saying what is wrong, newest backup or None) -> RESTORE | EMPTY | QUIT
DamagedChoice = Callable[[str, BackupInfo | None], str]
BackupChooser = Callable[[list[BackupInfo]], BackupInfo | None]
Inform = Callable[[str], None]


def when(info: BackupInfo) -> str:
    return info.created.strftime("%Y-%m-%d %H:%M")


def describe(info: BackupInfo) -> str:
    """`2026-05-09 14:03 · 2.1 MB · 1,234 annotations` — one line of the backup list."""
    size = info.size / 1e6
    parts = [when(info), f"{size:.1f} MB" if size >= 0.1 else f"{info.size / 1e3:.0f} kB"]
    if info.annotations is not None:
        parts.append(f"{info.annotations:,} annotation{'s' if info.annotations != 1 else ''}")
    else:
        parts.append("unreadable")
    return " · ".join(parts)


def ask_damaged_dialog(message: str, newest: BackupInfo | None, parent: QWidget | None = None):
    """The start-up question about a damaged library: restore the newest backup, start empty,
    or quit (which changes nothing)."""
    box = QMessageBox(parent)
    box.setObjectName("damaged_library_dialog")
    box.setIcon(QMessageBox.Icon.Critical)
    box.setWindowTitle("Claim Reader")
    box.setText(message)
    box.setInformativeText(
        "The damaged file is kept, renamed, beside the library; it is never deleted."
    )
    answers = {}
    if newest is not None:
        restore = box.addButton(
            f"Restore the backup from {when(newest)}", QMessageBox.ButtonRole.AcceptRole
        )
        answers[restore] = RESTORE
    empty = box.addButton("Start with an empty library", QMessageBox.ButtonRole.DestructiveRole)
    answers[empty] = EMPTY
    quit_button = box.addButton("Quit", QMessageBox.ButtonRole.RejectRole)
    answers[quit_button] = QUIT
    box.setDefaultButton(next(iter(answers)))
    box.setEscapeButton(quit_button)
    box.exec()
    return answers.get(box.clickedButton(), QUIT)


def choose_backup_dialog(backups: list[BackupInfo], parent: QWidget | None = None):
    """A list of the backups (date, size, annotations), newest first; the chosen one or None."""
    dialog = QDialog(parent)
    dialog.setObjectName("restore_backup_dialog")
    dialog.setWindowTitle("Restore from Backup")
    layout = QVBoxLayout(dialog)
    label = QLabel(
        "Choose the backup to restore. The current library is kept beside it, renamed "
        "“….before-restore-…”, and Claim Reader restarts with the backup.",
        dialog,
    )
    label.setWordWrap(True)
    layout.addWidget(label)
    listing = QListWidget(dialog)
    listing.setObjectName("backup_list")
    for info in backups:
        item = QListWidgetItem(describe(info), listing)
        item.setToolTip(str(info.path))
    listing.setCurrentRow(0)
    layout.addWidget(listing)
    buttons = QDialogButtonBox(
        QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel, dialog
    )
    buttons.button(QDialogButtonBox.StandardButton.Ok).setText("Restore")
    buttons.accepted.connect(dialog.accept)
    buttons.rejected.connect(dialog.reject)
    listing.itemDoubleClicked.connect(lambda _item: dialog.accept())
    layout.addWidget(buttons)
    dialog.resize(460, 320)
    if dialog.exec() != QDialog.DialogCode.Accepted or listing.currentRow() < 0:
        return None
    return backups[listing.currentRow()]


def inform_dialog(text: str, parent: QWidget | None = None, *, error: bool = False) -> None:
    if error:
        QMessageBox.warning(parent, "Claim Reader", text)
    else:
        QMessageBox.information(parent, "Claim Reader", text)


class RestoreFromBackup:
    """File ▸ Restore from Backup…: choose a backup, restore it, restart the window.

    `choose`, `inform` and `warn` are the dialogs (None: the real ones; tests set callables),
    `on_restart(new_window)` is told about the window that replaces this one. Calling the object
    returns the new window, or None when nothing was restored."""

    def __init__(self, window) -> None:
        self.window = window
        self.choose: BackupChooser | None = None
        self.inform: Inform | None = None
        self.warn: Inform | None = None
        self.on_restart: Callable[[object], object] | None = None

    def _choose(self, backups: list[BackupInfo]) -> BackupInfo | None:
        if self.choose is not None:
            return self.choose(backups)
        return choose_backup_dialog(backups, self.window)

    def _inform(self, text: str) -> None:
        (self.inform or (lambda t: inform_dialog(t, self.window)))(text)

    def _warn(self, text: str) -> None:
        (self.warn or (lambda t: inform_dialog(t, self.window, error=True)))(text)

    def __call__(self):
        window = self.window
        db_path: Path | None = window.library.db_path
        if db_path is None:
            self._warn("This library lives in memory only: it has no backups.")
            return None
        backups = list_backups(db_path, count_annotations=True)
        if not backups:
            self._inform(
                f"There are no backups yet. Claim Reader makes one each day it starts, in "
                f"{db_path.parent / 'backups'}."
            )
            return None
        if window.exchange_job is not None:
            self._warn("Wait until the export or import has finished.")
            return None
        chosen = self._choose(backups)
        if chosen is None:
            return None
        try:
            check_file(chosen.path)  # a damaged backup changes nothing
        except (LibraryError, BackupError) as exc:
            self._warn(f"{exc} Choose another backup.")
            return None
        sources = [tab.opened.record.source for tab in window.open_tabs()]
        app = QApplication.instance()
        quit_on_close = app.quitOnLastWindowClosed()
        app.setQuitOnLastWindowClosed(False)  # the app keeps running between the two windows
        failure = ""
        try:
            if not window.close():  # flushes a pending edit, saves the layout, closes tabs
                return None
            window.library.close()
            try:
                kept = restore_backup(db_path, chosen.path)
            except (LibraryError, BackupError, OSError) as exc:
                failure = f"{exc} The library was not changed."
            new_window = restart(window)
        finally:
            app.setQuitOnLastWindowClosed(quit_on_close)
        restorer = new_window.restore_from_backup
        if failure:
            restorer._warn(failure)
        else:
            kept_text = f" The library it replaced is kept as {kept.name}." if kept else ""
            restorer._inform(
                f"Restored the backup from {when(chosen)}; Claim Reader has restarted with it."
                + kept_text
            )
        for source in sources:
            new_window.open_document(source, offline_first=True)
        return new_window


def restart(window):
    """A fresh Library on the same file and a fresh window like `window` (same settings,
    prompts and geometry); the old window is deleted."""
    from reader.library import Library

    library = Library(window.library.db_path)
    ask = window.ask_password
    own_prompt = getattr(ask, "__self__", None) is window
    new = type(window)(library, ask_password=None if own_prompt else ask, settings=window.settings)
    # Prompts a test (or an embedding) replaced on the old window carry over.
    for name in ("ask_text", "confirm", "choose_item", "choose_save_path", "choose_open_path"):
        prompt = getattr(window, name, None)
        if prompt is not None and getattr(prompt, "__self__", None) is not window:
            setattr(new, name, prompt)
    old, fresh = window.restore_from_backup, new.restore_from_backup
    for name in ("choose", "inform", "warn", "on_restart"):
        setattr(fresh, name, getattr(old, name))
    new.restoreGeometry(window.saveGeometry())
    new.show()
    window.deleteLater()
    if fresh.on_restart is not None:
        fresh.on_restart(new)
    return new
