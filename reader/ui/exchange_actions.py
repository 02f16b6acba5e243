"""File ▸ Export…, Import…, Merge Library…, and a PDF's own annotations in and out.

An export, import or merge runs on a worker thread; the SQLite connection is shared
(check_same_thread=False), so while it runs the worker is the library's only user: the window's
`BusyGate` holds the job, every action but Quit and About is disabled, the documents, docks,
toolbar and library dialogs are disabled, a window-modal progress dialog covers the window,
opening a document is refused and a URL download that completes meanwhile is handled once the
job has ended. Closing the window cancels the job and waits for it.
"""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QAction
from PySide6.QtWidgets import QMessageBox

from reader.library import BackupError, DocumentError, make_backup
from reader.ui.jobs import BackgroundJob, BusyGate

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow

LIBRARY_FILTER = "Claim Reader libraries (*.sqlite *.db);;All files (*)"


def count_text(n: int) -> str:
    return f"{n} annotation" + ("" if n == 1 else "s")


class ExchangeActions(QObject):
    finished = Signal(bool, str)  # an export or import ended: (succeeded, sentence)

    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.gate = BusyGate(window.show_info)
        self.progress = None  # the window-modal progress dialog of the running job
        self.export_dialog = None
        self.zotero_dialog = None  # File ▸ Import… of a Zotero library, while it is open
        self.missing_pages_box = None  # pages a Hypothesis import could not find
        self.last_summary = ""
        self.last_merge_note = ""
        self._disabled: list = []  # what the running job disabled, enabled again after it

    # -- export ----------------------------------------------------------------------------------

    def export_annotations(self) -> None:
        """File ▸ Export…: choose scope, format and file, then export off the UI thread."""
        if self.gate.busy:
            return
        from reader.ui.export_dialog import ExportDialog

        w, library = self.window, self.window.library
        w.editor.flush()
        tab = w.current_tab()
        document = None
        if tab is not None:
            record = tab.opened.record
            title = record.title or Path(record.source).name or record.source
            document = (title, tab.opened.document.sha256)
        dialog = ExportDialog(
            w.settings,
            library.sets(),
            current_set_id=w.annotations.current_set_id,
            document=document,
            choose_path=lambda title, start, filt: w.choose_save_path(title, start, filt),
            authors=library.authors(),
            review_defaults=library.review_settings(),
            parent=w,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self.start_export(d.choice()))
        dialog.finished.connect(lambda _r: setattr(self, "export_dialog", None))
        self.export_dialog = dialog
        dialog.open()

    def start_export(self, choice) -> None:
        """Write `choice` (an ExportChoice) on a worker thread."""
        library, fmt = self.window.library, choice.format

        def work(progress, cancel):
            return library.export(
                choice.target,
                fmt.fmt,
                choice.scope,
                excel=fmt.excel,
                progress=progress,
                cancel=cancel,
                **choice.review,
            )

        def done(count: int) -> str:
            message = f"Exported {count_text(count)} to {choice.target}."
            self._show_summary("Export finished", message)
            return message

        self._run_job("Export", f"Exporting to {choice.target.name}…", work, done)

    # -- import and merge ------------------------------------------------------------------------

    def import_annotations(self) -> None:
        """File ▸ Import…: merge a CSV or JSON export off the UI thread."""
        if self.gate.busy:
            return
        from reader.ui.export_dialog import IMPORT_FILTER

        settings = self.window.settings
        folder = str(settings.value("import/folder", "") or "")
        folder = folder or str(settings.value("export/folder", str(Path.home())))
        path = self.window.choose_open_path("Import annotations", folder, IMPORT_FILTER)
        if not path:
            return
        settings.setValue("import/folder", str(Path(path).parent))
        self.start_import(Path(path))

    def start_import(self, path: Path) -> None:
        self.window.editor.flush()
        if self.window.library.is_zotero_library(path):
            self._choose_zotero_attachments(path)
            return
        self._start_import_job(path)

    def _start_import_job(self, path: Path, keys: set[str] | None = None) -> None:
        library = self.window.library

        def work(progress, cancel):
            if keys is not None:
                return library.import_zotero(path, keys)
            return library.import_file(path, progress=progress, cancel=cancel)

        def done(summary) -> str:
            message = f"Imported {path.name}: {summary}."
            if summary.missing:
                self._offer_missing_pages(summary.missing)
            self._show_library_changed()
            self._show_summary("Import finished", message)
            return message

        self._run_job("Import", f"Importing {path.name}…", work, done)

    def merge_library_file(self) -> None:
        """File ▸ Merge Library…: another library file merged in, off the UI thread."""
        if self.gate.busy:
            return
        settings = self.window.settings
        folder = str(settings.value("merge/folder", "") or str(Path.home()))
        path = self.window.choose_open_path("Merge a library", folder, LIBRARY_FILTER)
        if not path:
            return
        settings.setValue("merge/folder", str(Path(path).parent))
        self.start_merge(Path(path))

    def start_merge(self, path: Path) -> None:
        library = self.window.library

        def work(_progress, _cancel):
            if library.db_path is not None:
                # A merge is many changes at once: the way back is this backup.
                try:
                    make_backup(library.db_path)
                except BackupError as exc:
                    raise DocumentError(f"{exc} Nothing was merged.") from None
            return library.merge_library(path)

        def done(summary) -> str:
            message = f"Merged {path.name}: {summary}."
            self.last_merge_note = (
                "The library as it was before is kept as a backup (File ▸ Restore from Backup…)."
            )
            self._show_library_changed()
            if summary.conflicts:
                self.window.library_windows.show_conflicts()
            else:
                self._show_summary("Merge finished", f"{message} {self.last_merge_note}")
            return message

        self._run_job("Merge", f"Merging {path.name}…", work, done)

    def _show_library_changed(self) -> None:
        """Many annotations came in: every view of the library shows them."""
        w = self.window
        w.annotations.reload_all()
        w.sets.refresh()
        w.refresh_start_page()
        w.library_windows.refresh()

    def _choose_zotero_attachments(self, path: Path) -> None:
        """Ask which of a Zotero library's PDF attachments to import, then import them."""
        from reader.ui.zotero_dialog import ZoteroDialog

        try:
            attachments = self.window.library.zotero_attachments(path)
        except DocumentError as exc:
            self.window.show_error(str(exc))
            return
        if not any(a.annotations for a in attachments):
            self.window.show_info(f"{path.name} has no PDF annotations to import.")
            return
        dialog = ZoteroDialog(attachments, self.window)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self._start_import_job(path, d.chosen()))
        dialog.finished.connect(lambda _r: setattr(self, "zotero_dialog", None))
        self.zotero_dialog = dialog
        dialog.open()

    def _offer_missing_pages(self, missing: tuple[str, ...]) -> None:
        """Pages a Hypothesis file annotates that the library lacks: offer to open them (then
        importing the file again brings their annotations)."""
        pages = "\n".join(missing[:10]) + ("\n…" if len(missing) > 10 else "")
        box = QMessageBox(self.window)
        box.setObjectName("missing_pages")
        box.setWindowTitle("Pages not in the library")
        box.setText(
            f"{len(missing)} annotated page{'s are' if len(missing) != 1 else ' is'} not in the "
            "library. Open them, then import the file again to bring their annotations in."
        )
        box.setDetailedText(pages)
        box.setInformativeText(pages)
        open_button = box.addButton("Open them", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        self.missing_pages_box = box
        box.finished.connect(lambda _r: setattr(self, "missing_pages_box", None))
        box.buttonClicked.connect(
            lambda button: self._open_missing(missing) if button is open_button else None
        )
        box.open()

    def _open_missing(self, missing: tuple[str, ...]) -> None:
        from urllib.parse import unquote, urlparse

        for uri in missing:
            target = unquote(urlparse(uri).path) if uri.lower().startswith("file:") else uri
            self.window.open_document(target, offline_first=True)

    # -- the job and the busy gate ---------------------------------------------------------------

    def _run_job(self, title: str, label: str, work, on_success) -> None:
        from reader.ui.export_dialog import JobProgress

        self.window.editor.flush()
        job = BackgroundJob(title, self)
        self.gate.hold(job)
        self._set_busy(True)
        self.progress = JobProgress(job, label, self.window)
        job.succeeded.connect(lambda result: self._job_ended(job, True, on_success, result))
        job.failed.connect(lambda message: self._job_ended(job, False, None, message))
        self.progress.show()
        job.start(work)

    def _job_ended(self, job: BackgroundJob, ok: bool, on_success, result) -> None:
        self.progress = None
        job.deleteLater()
        self.gate.job = None  # the library is the UI thread's again
        self._set_busy(False)
        status = self.window.statusBar()
        if ok:
            message = on_success(result)
            status.showMessage(message, 15000)
        else:
            message = str(result)
            if job.cancel_event.is_set():  # the user's Cancel: said, not an error
                status.showMessage(message, 8000)
            else:
                self.window.show_error(message)
        self.gate.release()
        self.finished.emit(ok, message)

    def _set_busy(self, busy: bool) -> None:
        w = self.window
        if busy:
            keep = {w.action("quit"), w.action("about")}
            actions = [
                a
                for a in w.findChildren(QAction)
                if a.objectName().startswith("action_") and a.isEnabled() and a not in keep
            ]
            widgets = [
                w.centralWidget(),
                w.window_actions.toolbar,
                w.outline_dock,
                w.annotations_dock,
                w.editor_dock,
                *w.library_windows.dialogs(),
                w.sets.dialog,
            ]
            self._disabled = actions + [x for x in widgets if x is not None and x.isEnabled()]
            for item in self._disabled:
                item.setEnabled(False)
            return
        for item in self._disabled:
            try:
                item.setEnabled(True)
            except RuntimeError:  # deleted meanwhile
                pass
        self._disabled = []
        w.update_action_state()

    def stop(self) -> None:
        """The window is closing: the job must stop using the library before it closes."""
        job = self.gate.job
        if job is not None:
            job.cancel()
            job.wait(30)

    def _show_summary(self, title: str, message: str) -> None:
        self.last_summary = message
        box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self.window)
        box.setObjectName("exchange_summary")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- a PDF's own annotations -----------------------------------------------------------------

    def export_annotated_pdf(self) -> None:
        w = self.window
        tab = w.current_tab()
        if tab is None or tab.opened.document.kind.value != "pdf":
            w.show_info("Open a PDF to export it with its highlights.")
            return
        source = Path(tab.opened.record.source)
        suggestion = str(source.with_name(f"{source.stem} (annotated).pdf"))
        path = w.choose_save_path("Export annotated PDF", suggestion, "PDF (*.pdf)")
        if not path:
            return
        w.editor.flush()
        try:
            written, skipped = w.library.export_pdf(
                tab.opened, path, getattr(tab.opened.document, "password", None)
            )
        except DocumentError as exc:
            w.show_error(str(exc))
            return
        note = f" {skipped} orphaned annotations have no place in this version." if skipped else ""
        w.show_info(f"Wrote {written} highlights to {path}.{note}")

    def import_pdf_annotations(self) -> None:
        w, library = self.window, self.window.library
        tab = w.current_tab()
        if tab is None or tab.opened.document.kind.value != "pdf":
            w.show_info("Open a PDF to import its annotations.")
            return
        before = {a.id for a in library.annotations(tab.opened)}
        try:
            summary = library.import_pdf_markup(
                tab.opened, getattr(tab.opened.document, "password", None)
            )
        except DocumentError as exc:
            w.show_error(str(exc))
            return
        added = [a for a in library.annotations(tab.opened) if a.id not in before]
        w.annotations.reload_all()
        if added:
            self._record_import(added)
        w.show_info(f"Imported the PDF's annotations: {summary}.")

    def _record_import(self, added: list) -> None:
        """An import into the open document is one undo step: what it added goes and comes
        back (with what was attached to it since, as a delete's undo would)."""
        library, annotations = self.window.library, self.window.annotations
        kept: dict[str, tuple] = {}

        def undo() -> None:
            with library.transaction():
                for a in added:
                    saved = library.saved_state(a.id)
                    if saved is not None:
                        kept[a.id] = saved
                        library.delete(a.id)
            annotations.reload_all()

        def redo() -> None:
            with library.transaction():
                for a in added:
                    annotation, citations, sets = kept.get(a.id, (a, [], []))
                    library.restore(annotation, citations, sets)
            annotations.reload_all()

        annotations.record(f"Import {len(added)} annotations from PDF", undo, redo)
