"""Reading a big document's text and re-anchoring its annotations, off the UI thread.

A 1,000-page PDF takes ~2.5 s to give up its text; finding, highlighting and re-anchoring need
all of it. That work runs on a worker thread with a handle of its own on the file (MuPDF is
serialised per page, so the UI thread still renders in between), shows its progress with a
Cancel button in the status bar, and hands the result back to the UI thread, which then does
what was waiting for it (a find, a highlight, showing re-anchored annotations).

Small documents are read on the spot, as before: a worker would only add latency.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from PySide6.QtCore import QObject, Signal
from PySide6.QtWidgets import QHBoxLayout, QLabel, QProgressBar, QToolButton, QWidget

from reader.library import Cancelled
from reader.model import Annotation
from reader.ui.jobs import BackgroundJob

log = logging.getLogger(__name__)

BIG_PAGES = 60  # ~0.15 s of text extraction here; fewer pages are read on the spot
BIG_REANCHOR = 300  # annotations to re-anchor before it goes to the worker


# Aligning a new version with an old one (reader.alignment) on texts up to this size takes
# well under 0.1 s when the versions are alike; a longer text, or one rewritten throughout, may
# take up to the diff's 2 s limit, so it goes to the worker.
ALIGN_ON_THE_SPOT = 100_000


def alignment_is_slow(document, old_texts: list) -> bool:
    """Whether re-anchoring with these old texts would align long texts on the UI thread."""
    if not any(old is not None for old in old_texts):
        return False
    return len(document.text) > ALIGN_ON_THE_SPOT or any(
        old is not None and len(old) > ALIGN_ON_THE_SPOT for old in old_texts
    )


def text_is_slow(document) -> bool:
    """Whether reading `document`'s whole text would freeze the window noticeably."""
    return document.kind.paged and not document.text_ready and document.page_count > BIG_PAGES


@dataclass
class _Work:
    tab: object
    job: BackgroundJob
    stale: list[Annotation]  # made on older versions: to re-anchor
    held: list[Annotation]  # current, but placed only once the text is known
    old_texts: dict[str, str | None] = field(default_factory=dict)  # annotation id → its text
    then: list[tuple[str | None, Callable[[], None]]] = field(default_factory=list)
    done: int = 0
    total: int = 0


@dataclass
class WorkResult:
    texts: list[str] | None
    moved: list | None
    ties: dict[int, list[tuple[int, int]]] = field(default_factory=dict)  # orphans' candidates


class DocumentWork(QObject):
    """The per-tab worker jobs of one window, and the status-bar indicator that shows them.

    `ended(tab, result, stale, held)` arrives on the UI thread after a job succeeded, before the
    callbacks that waited for it run; `cancelled(tab, stale, held)` after one was cancelled.
    """

    ended = Signal(object, object, list, list)
    cancelled = Signal(object, list, list)
    failed = Signal(object, str)

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._works: dict[int, _Work] = {}
        self.indicator = WorkIndicator()
        self.indicator.cancel_requested.connect(self.cancel_shown)

    # -- asking ----------------------------------------------------------------------------------

    def running(self, tab) -> bool:
        return id(tab) in self._works

    def when_text_ready(self, tab, then: Callable[[], None], key: str | None = None) -> bool:
        """True when `tab`'s text can be had now (the caller goes on). Otherwise the text is
        read on the worker and `then` runs once it is there (never, if cancelled): False.
        A later `then` with the same `key` replaces the earlier one (a find typed on)."""
        work = self._works.get(id(tab))
        if work is None and not text_is_slow(tab.opened.document):
            return True
        if work is None:
            work = self.start(tab)
        if key is not None:
            work.then = [(k, f) for k, f in work.then if k != key]
        work.then.append((key, then))
        return False

    def start(
        self,
        tab,
        stale: list[Annotation] | None = None,
        held: list[Annotation] | None = None,
        old_texts: dict[str, str | None] | None = None,
    ) -> _Work:
        """Read the text if it is not there and re-anchor `stale` on it, on the worker
        (aligned with the text each was made on, `old_texts` by annotation id, where known)."""
        stale, held = list(stale or ()), list(held or ())
        old_texts = dict(old_texts or {})
        previous = self._works.get(id(tab))
        if previous is not None:  # new annotations to place (an import): one job does both
            self._forget(previous)
            previous.job.cancel()
            stale = _merged(previous.stale, stale)
            held = _merged(previous.held, held)
            old_texts = {**previous.old_texts, **old_texts}
        document = tab.opened.document
        title = tab.opened.record.title or document.source
        job = BackgroundJob(f"Reading {title}", self)
        work = _Work(tab, job, stale, held, old_texts)
        if previous is not None:
            work.then = previous.then
        self._works[id(tab)] = work
        job.progress.connect(lambda done, total, w=work: self._progress(w, done, total))
        job.succeeded.connect(lambda result, w=work: self._succeeded(w, result))
        job.failed.connect(lambda message, w=work: self._failed(w, message))
        anchors = [a.anchor for a in stale]
        anchor_texts = [old_texts.get(a.id) for a in stale]
        reading = document.kind.paged and not document.text_ready
        pages = document.page_count if reading else 0
        text = None if reading else document.text

        def run(progress, cancel):
            from reader.anchoring import reanchor_versions

            texts = None
            full = text
            if reading:
                handle = document.clone()
                try:
                    texts = handle.read_page_texts(
                        lambda done, _total: progress(done, pages + len(anchors)), cancel
                    )
                finally:
                    handle.close()
                if texts is None:
                    raise Cancelled("Cancelled.")
                full = "\n\n".join(texts)
            moved, ties = None, {}
            if anchors:
                done = reanchor_versions(
                    anchors,
                    anchor_texts,
                    full,
                    progress=lambda done, _total: progress(pages + done, pages + len(anchors)),
                    cancel=cancel,
                )
                if done is None:
                    raise Cancelled("Cancelled.")
                moved, ties = done
            return WorkResult(texts, moved, ties)

        work.total = pages + len(anchors)
        job.start(run)
        self.indicator.show_work(self._label(work), 0, work.total)
        return work

    def cancel(self, tab) -> None:
        work = self._works.get(id(tab))
        if work is not None:
            work.job.cancel()

    def cancel_shown(self) -> None:
        """The indicator's Cancel: every job (the indicator shows them as one)."""
        for work in list(self._works.values()):
            work.job.cancel()

    def drop(self, tab) -> None:
        """The tab is closing: cancel its job and forget it (no signal about it follows)."""
        work = self._works.get(id(tab))
        if work is not None:
            work.job.cancel()
            self._forget(work)

    def stop_all(self, timeout: float = 10.0) -> None:
        """Cancel every job and wait for its thread (the window is closing)."""
        for work in list(self._works.values()):
            work.job.cancel()
            work.job.wait(timeout)
            self._forget(work)

    # -- results (UI thread) ---------------------------------------------------------------------

    def _progress(self, work: _Work, done: int, total: int) -> None:
        if self._works.get(id(work.tab)) is not work:
            return
        work.done, work.total = done, total
        self._update_indicator()

    def _succeeded(self, work: _Work, result: WorkResult) -> None:
        if self._works.get(id(work.tab)) is not work:
            return  # replaced or closed meanwhile
        self._forget(work)
        self.ended.emit(work.tab, result, work.stale, work.held)
        for _key, then in work.then:
            then()

    def _failed(self, work: _Work, message: str) -> None:
        if self._works.get(id(work.tab)) is not work:
            return
        self._forget(work)
        if work.job.cancel_event.is_set():
            self.cancelled.emit(work.tab, work.stale, work.held)
        else:
            self.failed.emit(work.tab, message)

    def _forget(self, work: _Work) -> None:
        if self._works.get(id(work.tab)) is work:
            del self._works[id(work.tab)]
        self._update_indicator()
        if work.job.done:  # a cancelled one is deleted once its thread has said so
            work.job.deleteLater()
        else:
            work.job.finished.connect(work.job.deleteLater)

    def _label(self, work: _Work) -> str:
        record = work.tab.opened.record
        title = record.title or record.source.rsplit("/", 1)[-1]
        title = title if len(title) <= 40 else title[:39] + "…"
        if work.stale and getattr(work.tab.opened.document, "text_ready", True):
            return f"Re-anchoring {len(work.stale):,} annotations in {title}…"
        return f"Reading the text of {title}…"

    def _update_indicator(self) -> None:
        works = list(self._works.values())
        if not works:
            self.indicator.hide_work()
            return
        done = sum(w.done for w in works)
        total = sum(w.total for w in works)
        label = self._label(works[-1])
        if len(works) > 1:
            label += f" (+{len(works) - 1} more)"
        self.indicator.show_work(label, done, total)


def _merged(old: list[Annotation], new: list[Annotation]) -> list[Annotation]:
    """`new` wins: it was read from the library later."""
    ids = {a.id for a in new}
    return [a for a in old if a.id not in ids] + new


class WorkIndicator(QWidget):
    """Status-bar widget: what is being read, a progress bar and Cancel."""

    cancel_requested = Signal()

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.setObjectName("work_indicator")
        layout = QHBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        self.label = QLabel()
        self.bar = QProgressBar()
        self.bar.setMaximumWidth(160)
        self.bar.setTextVisible(False)
        self.cancel_button = QToolButton()
        self.cancel_button.setText("Cancel")
        self.cancel_button.setObjectName("work_cancel")
        self.cancel_button.clicked.connect(self.cancel_requested)
        layout.addWidget(self.label)
        layout.addWidget(self.bar)
        layout.addWidget(self.cancel_button)
        self.hide()

    def show_work(self, label: str, done: int, total: int) -> None:
        """`total` 0: how far it got is not known (a busy bar)."""
        self.label.setText(label)
        if total <= 0:
            self.bar.setRange(0, 0)
        else:
            self.bar.setRange(0, total)
            self.bar.setValue(min(done, total))
        self.setVisible(True)

    def hide_work(self) -> None:
        self.setVisible(False)
