"""Opening documents: files, URLs (downloaded off the UI thread), passwords, big articles read
on a worker. What opened on the spot is returned; what opened in the background arrives on
`opened`; either way the window adds its tab.

Extracting a 1 MB saved page takes ~2 s (readability, trafilatura); that runs on a worker thread,
which touches no database. The UI thread then records the document. Paged documents open lazily
(MuPDF reads a page when it is shown), so they, and small articles, are opened on the spot.
Cancel drops the result: nothing is recorded.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QPushButton, QWidget

from reader.library import DocumentError, Library, OpenedDocument, PasswordRequired, is_url
from reader.ui.document_tabs import DocumentTabs
from reader.ui.document_work import WorkIndicator
from reader.ui.jobs import BackgroundJob, BusyGate

OPEN_FILTER = (
    "Documents (*.pdf *.epub *.xps *.oxps *.fb2 *.mobi *.cbz *.html *.htm *.xhtml *.txt *.md "
    "*.markdown);;PDF (*.pdf);;Web pages (*.html *.htm *.xhtml);;Text and Markdown (*.txt *.md "
    "*.markdown);;All files (*)"
)

# Asked with (document name, the previous try was wrong); returns the password or None.
PasswordPrompt = Callable[[str, bool], str | None]


class DocumentOpener(QObject):
    opened = Signal(object)  # Opened in the background (a download, a big article)
    failed = Signal(str)  # one sentence for the error dialog
    status = Signal(str, int)  # a status-bar message and how long it stays (ms; 0: until next)

    # Articles (HTML, text, Markdown) from this size on are read on a worker thread (a 1 MB
    # saved page takes ~2 s to extract); tests about something else set it out of reach.
    background_open_bytes = 256 * 1024

    def __init__(
        self,
        library: Library,
        tabs: DocumentTabs,
        gate: BusyGate,
        ask_password: PasswordPrompt,
        parent: QWidget,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.tabs = tabs
        self.gate = gate
        self.ask_password = ask_password
        self.readings: dict[str, BackgroundJob] = {}  # big articles being read: source → job
        self.fetches: dict[str, BackgroundJob] = {}  # downloads: url → job
        self.indicator = WorkIndicator(parent)
        self.indicator.setObjectName("opening_indicator")
        self.indicator.cancel_requested.connect(self.cancel_readings)
        self.fetch_cancel = QPushButton("Cancel download", parent)
        self.fetch_cancel.setObjectName("fetch_cancel")
        self.fetch_cancel.hide()
        self.fetch_cancel.clicked.connect(self.cancel_fetches)

    def open(
        self, target: str, *, background: bool = True, offline_first: bool = False
    ) -> OpenedDocument | None:
        """Open a path or URL; None when it goes on in the background (or failed: then
        `failed` said why). URLs download off the UI thread unless `background` is False."""
        target = target.strip()
        if not target or self.gate.refuses():
            return None
        library = self.library
        if is_url(target) and not Path(target).exists():
            snapshot = library.saved_snapshot(target) if offline_first else None
            if snapshot is not None:
                if background and self._read_in_background(snapshot, source=target):
                    return None
                return self._with_password(
                    lambda pw: library.open_snapshot(target, snapshot, pw), target
                )
            if background:
                self._start_fetch(target)
                return None
            return self._with_password(lambda pw: library.open_url(target, pw), target)
        if background and self._read_in_background(Path(target).expanduser()):
            return None
        return self._with_password(lambda pw: library.open_path(target, pw), target)

    def is_reading(self) -> bool:
        """Whether a big article is being read on a worker (its tab comes when it is done)."""
        return bool(self.readings)

    def stop_all(self) -> None:
        """The window is closing: downloads stop, and what is being read is dropped (the
        extraction touches no database)."""
        self.cancel_fetches()
        for job in list(self.readings.values()):
            job.cancel()

    # -- passwords -------------------------------------------------------------------------------

    def _with_password(
        self, opener: Callable[[str | None], OpenedDocument], name: str
    ) -> OpenedDocument | None:
        password: str | None = None
        wrong = False
        while True:
            try:
                opened = opener(password)
                break
            except PasswordRequired as exc:
                if password is not None:
                    wrong = True
                password = self.ask_password(Path(name).name or name, wrong or exc.wrong_password)
                if password is None:
                    self.status.emit("Opening cancelled.", 4000)
                    return None
            except DocumentError as exc:
                self.failed.emit(str(exc))
                return None
        if opened.notice:
            self.status.emit(opened.notice, 8000)
        return opened

    def _open_in_background(
        self, opener: Callable[[str | None], OpenedDocument], name: str
    ) -> None:
        opened = self._with_password(opener, name)
        if opened is not None:
            self.opened.emit(opened)

    # -- big articles ----------------------------------------------------------------------------

    def _read_in_background(self, file: Path, *, source: str = "", final_url: str = "") -> bool:
        """Start reading `file` on a worker if it is a big article; False to open it now."""
        from reader.documents import sniff_path

        try:
            resolved = file.resolve()
            if resolved.stat().st_size < self.background_open_bytes:
                return False
            kind = sniff_path(resolved)
        except OSError:
            return False  # opening it on the spot says what is wrong
        if kind is None or kind.paged:
            return False
        key = source or str(resolved)
        if self.tabs.show_source(key) or key in self.readings:
            return True
        from reader.documents import open_document

        job = BackgroundJob(f"Opening {resolved.name}", self)
        self.readings[key] = job
        job.succeeded.connect(
            lambda document: self._read_done(key, job, resolved, document, source)
        )
        job.failed.connect(lambda message: self._read_failed(key, job, message))
        job.start(
            lambda _progress, _cancel: open_document(
                resolved, None, source=key, url=final_url or source
            )
        )
        self._show_readings()
        return True

    def _show_readings(self) -> None:
        names = [job.title for job in self.readings.values()]
        if not names:
            self.indicator.hide_work()
            return
        more = f" (+{len(names) - 1} more)" if len(names) > 1 else ""
        self.indicator.show_work(f"{names[-1]}…{more}", 0, 0)

    def _read_ended(self, key: str, job: BackgroundJob) -> bool:
        """True if the result is still wanted (not cancelled, the window not closing)."""
        if self.readings.get(key) is job:
            del self.readings[key]
        job.deleteLater()  # it has ended: this is its last signal
        self._show_readings()
        return not job.cancel_event.is_set()

    def _read_done(self, key: str, job: BackgroundJob, file: Path, document, source: str) -> None:
        if self._read_ended(key, job) and not self.gate.defers(
            lambda: self._record_read(file, document, source)
        ):
            self._record_read(file, document, source)

    def _record_read(self, file: Path, document, source: str) -> None:
        try:
            opened = self.library.record_document(document, file, source=source or None)
        except DocumentError as exc:
            self.failed.emit(str(exc))
            return
        self.opened.emit(opened)

    def _read_failed(self, key: str, job: BackgroundJob, message: str) -> None:
        if self._read_ended(key, job):
            self.failed.emit(message)

    def cancel_readings(self) -> None:
        for job in self.readings.values():
            job.cancel()
            job.finished.connect(job.deleteLater)
        self.status.emit("Opening cancelled.", 4000)
        self.readings.clear()
        self._show_readings()

    # -- downloads -------------------------------------------------------------------------------

    def _start_fetch(self, url: str) -> None:
        if url in self.fetches:
            return
        job = BackgroundJob(f"Downloading {url}", self)
        self.fetches[url] = job
        self.fetch_cancel.show()
        self.status.emit(f"Downloading {url} …", 0)
        library = self.library

        def work(_progress, cancel):
            try:
                return library.download(url, cancel=cancel)
            except DocumentError:
                raise
            except Exception as exc:  # a bug, not a user error: still one sentence
                raise DocumentError(f"Could not open {url}: {exc}.") from exc

        job.succeeded.connect(lambda result: self._fetch_done(url, job, *result))
        job.failed.connect(lambda message: self._fetch_failed(url, job, message))
        job.start(work)

    def cancel_fetches(self) -> None:
        for job in self.fetches.values():
            job.cancel()

    def _fetch_ended(self, url: str, job: BackgroundJob) -> None:
        if self.fetches.get(url) is job:
            del self.fetches[url]
            job.deleteLater()
        self.fetch_cancel.setVisible(bool(self.fetches))
        self.status.emit("", 0)

    def _fetch_done(self, url: str, job: BackgroundJob, path: Path, final_url: str) -> None:
        if self.gate.defers(lambda: self._fetch_done(url, job, path, final_url)):
            return
        self._fetch_ended(url, job)
        if self._read_in_background(path, source=url, final_url=final_url):
            return
        library = self.library
        self._open_in_background(
            lambda pw: library.open_snapshot(url, path, pw, final_url=final_url), url
        )

    def _fetch_failed(self, url: str, job: BackgroundJob, message: str) -> None:
        if self.gate.defers(lambda: self._fetch_failed(url, job, message)):
            return
        self._fetch_ended(url, job)
        # Cancelled by the user: no saved copy instead, the user asked for nothing.
        cancelled = job.cancel_event.is_set()
        snapshot = None if cancelled else self.library.saved_snapshot(url)
        if snapshot is not None:
            self.status.emit(f"{message} Showing the saved copy.", 8000)
            library = self.library
            self._open_in_background(lambda pw: library.open_snapshot(url, snapshot, pw), url)
            return
        self.failed.emit(message)
