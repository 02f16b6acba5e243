"""OCR of a newly opened document's scanned pages, on a worker with progress and Cancel.

A page without a text layer but with a picture on it (a scan, a photograph) is read by
Tesseract on a second handle of the file; the UI thread then keeps the text in the library with
the document's version (a reopen does not read it again) and the page's words behave like any
others. The status bar says which pages are OCR text. Pages OCR cannot read stay viewable as
images and the window says so.
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QLabel

from reader.ui.document_work import BIG_PAGES, WorkIndicator
from reader.ui.jobs import BackgroundJob


def page_list(pages: list[int]) -> str:
    """1-based page numbers, runs shortened: "1–3, 7"."""
    runs: list[list[int]] = []
    for p in pages:
        if runs and p == runs[-1][-1] + 1:
            runs[-1].append(p)
        else:
            runs.append([p])
    return ", ".join(f"{r[0] + 1}" if len(r) == 1 else f"{r[0] + 1}–{r[-1] + 1}" for r in runs)


def ocr_badge(document) -> str:
    pages = getattr(document, "ocr_pages", [])
    if not pages:
        return ""
    word = "page" if len(pages) == 1 else "pages"
    return f"OCR text: {word} {page_list(pages)}"


class OcrWork(QObject):
    """`finished(tab, read, unreadable)`: OCR ended and its text is in use (lists of 0-based
    pages); `failed(tab, message)`: it could not run (one sentence)."""

    finished = Signal(object, list, list)
    failed = Signal(object, str)

    def __init__(self, library, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self._jobs: dict[int, BackgroundJob] = {}
        self.indicator = WorkIndicator()
        self.indicator.setObjectName("ocr_indicator")
        self.indicator.cancel_button.setObjectName("ocr_cancel")
        self.indicator.cancel_requested.connect(self.cancel_all)
        self.badge = QLabel()
        self.badge.setObjectName("status_ocr")
        self.badge.setToolTip("Text read from the page images by OCR: check quotes against them")
        self.badge.hide()

    def running(self, tab) -> bool:
        return id(tab) in self._jobs

    def start_if_needed(self, tab) -> bool:
        """Start OCR of `tab`'s scanned pages; False when there are none to read."""
        document = tab.opened.document
        if not document.kind.paged or self.running(tab):
            return False
        pages: list[int] | None
        if document.page_count > BIG_PAGES:
            # Finding every scanned page reads every page's text (seconds for a big document):
            # a few pages through the document are looked at here, the rest on the worker.
            n = document.page_count
            if not any(document.page_needs_ocr(p) for p in sorted({0, n // 2, n - 1})):
                return False
            pages = None
        else:
            pages = document.pages_needing_ocr()
            if not pages:
                return False
        title = tab.opened.record.title or document.source
        job = BackgroundJob(f"OCR {title}", self)
        self._jobs[id(tab)] = job

        def run(progress, cancel):
            handle = document.clone()
            try:
                todo = pages if pages is not None else handle.pages_needing_ocr()
                return handle.read_ocr(todo, progress, cancel)
            finally:
                handle.close()

        job.progress.connect(
            lambda done, total: self.indicator.show_work(self._label(tab, pages), done, total)
        )

        job.succeeded.connect(lambda result, t=tab: self._succeeded(t, result))
        job.failed.connect(lambda message, t=tab: self._failed(t, message))
        job.finished.connect(job.deleteLater)
        job.start(run)
        self.indicator.show_work(self._label(tab, pages), 0, len(pages) if pages else 0)
        return True

    def _label(self, tab, pages: list[int] | None) -> str:
        if pages is None:
            return "Reading scanned pages (OCR)…"
        word = "page" if len(pages) == 1 else "pages"
        return f"Reading scanned {word} {page_list(pages)} (OCR)…"

    def _succeeded(self, tab, result) -> None:
        job = self._jobs.pop(id(tab), None)
        if job is None:
            return  # the tab closed meanwhile
        self._update_indicator()
        # Cancel pressed while the last page was read still means "keep nothing".
        if result is None or job.cancel_event.is_set():
            return
        read, unreadable = result
        self.library.keep_ocr(tab.opened.document, read)
        tab.view.update()
        self.finished.emit(tab, sorted(read), list(unreadable))

    def _failed(self, tab, message: str) -> None:
        job = self._jobs.pop(id(tab), None)
        self._update_indicator()
        if job is not None and not job.cancel_event.is_set():
            self.failed.emit(tab, message)

    def _update_indicator(self) -> None:
        if not self._jobs:
            self.indicator.hide_work()

    def cancel_all(self) -> None:
        for job in list(self._jobs.values()):
            job.cancel()

    def drop(self, tab) -> None:
        job = self._jobs.pop(id(tab), None)
        if job is not None:
            job.cancel()
        self._update_indicator()

    def stop_all(self, timeout: float = 10.0) -> None:
        for job in list(self._jobs.values()):
            job.cancel()
            job.wait(timeout)
        self._jobs.clear()
        self._update_indicator()

    def show_badge(self, tab) -> None:
        text = ocr_badge(tab.opened.document) if tab is not None else ""
        self.badge.setText(text)
        self.badge.setVisible(bool(text))
