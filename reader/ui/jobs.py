"""Long work on a worker thread, reporting progress and its result back on the UI thread."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

from PySide6.QtCore import QObject, Signal


class BackgroundJob(QObject):
    """One piece of long work (an export, an import, reading a document's text) on a worker
    thread.

    `work(progress, cancel)` runs on the thread; `progress(done, total)` (throttled) and then
    exactly one of `succeeded(result)` / `failed(message)` arrive on the UI thread, followed by
    `finished()`. `cancel()` may be called from anywhere. Whether a failure was the user's
    Cancel is `cancel_event.is_set()` (the library's `Cancelled` error is what the work raises
    then), never a word in the message.
    """

    progress = Signal(int, int)
    succeeded = Signal(object)
    failed = Signal(str)
    finished = Signal()

    INTERVAL = 0.05  # seconds between progress signals

    def __init__(self, title: str, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self.title = title
        self.cancel_event = threading.Event()
        self.thread: threading.Thread | None = None
        self._last = 0.0
        self.done = False
        self.succeeded.connect(self._finish)
        self.failed.connect(self._finish)

    def start(self, work: Callable[[Callable[[int, int], None], threading.Event], object]) -> None:
        from reader.documents.base import DocumentError

        def run() -> None:
            try:
                result = work(self._report, self.cancel_event)
            except DocumentError as exc:
                self._emit(self.failed, str(exc))
            except Exception as exc:  # a bug, not a user error: logged, still never a crash
                import logging

                logging.getLogger(__name__).exception("%s failed", self.title)
                self._emit(self.failed, f"{self.title} failed: {exc}.")
            else:
                self._emit(self.succeeded, result)

        self.thread = threading.Thread(target=run, name=self.title, daemon=True)
        self.thread.start()

    def _report(self, done: int, total: int) -> None:
        now = time.monotonic()
        if done >= total or now - self._last >= self.INTERVAL:
            self._last = now
            self._emit(self.progress, done, total)

    def _emit(self, signal, *args) -> None:
        try:
            signal.emit(*args)
        except RuntimeError:  # the job was deleted (its window closed): nobody to tell
            pass

    def cancel(self) -> None:
        self.cancel_event.set()

    def wait(self, timeout: float | None = None) -> bool:
        """Block until the worker thread ended (closing the window); True when it did."""
        if self.thread is not None:
            self.thread.join(timeout)
            return not self.thread.is_alive()
        return True

    def _finish(self, *_args: object) -> None:
        self.done = True
        self.finished.emit()


class BusyGate:
    """One export, import or merge at a time, and while it runs it is the library's only user.

    The SQLite connection is shared with the job's worker thread (check_same_thread=False), so
    whatever else would use the library meanwhile is refused with one sentence (opening a
    document, restoring a backup) or waits until the job has ended (a download or a big article
    that arrives meanwhile). `say(sentence)` tells the user.
    """

    REFUSAL = "Wait until the export or import has finished."

    def __init__(self, say: Callable[[str], object]) -> None:
        self.job: BackgroundJob | None = None
        self._waiting: list[Callable[[], object]] = []
        self._say = say

    @property
    def busy(self) -> bool:
        return self.job is not None

    def refuses(self) -> bool:
        """True (and the user is told why) while a job runs."""
        if self.job is None:
            return False
        self._say(self.REFUSAL)
        return True

    def defers(self, call: Callable[[], object]) -> bool:
        """True while a job runs: `call` then runs once it has ended."""
        if self.job is None:
            return False
        self._waiting.append(call)
        return True

    def hold(self, job: BackgroundJob) -> None:
        self.job = job

    def release(self) -> None:
        """The job ended: what waited for it runs now, in the order it arrived."""
        self.job = None
        waiting, self._waiting = self._waiting, []
        for call in waiting:
            call()
