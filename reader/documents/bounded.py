"""Run one document reading in a forked child under a memory and a time budget.

A file made to hurt can make a parser run for minutes or take gigabytes before any check of
ours sees it. The child gets an address-space limit (RLIMIT_AS) and a deadline; what it
returns comes back pickled through a pipe. Past either budget the child is stopped and the
caller gets one sentence; the parent's memory is never touched. POSIX only: elsewhere the
reading runs in this process, as before.
"""

from __future__ import annotations

import os
import pickle
import select
import signal
import time
from collections.abc import Callable
from typing import TypeVar

from reader.documents.base import DocumentError, PasswordRequired

T = TypeVar("T")

MEMORY_BUDGET = 2 * 1024**3  # bytes of address space for the child
TIME_BUDGET = 60.0  # seconds of wall-clock time

# The peak resident memory (bytes) of the last child that ended here, from wait4 (tests and
# the record read it; nothing decides on it).
last_peak_rss = 0

# In the child: where `alive()` reports progress (the parent's deadline starts again).
_alive_fd: int | None = None
_ALIVE = b"."  # one byte per step, written before the payload
_PAYLOAD = b"P"  # then this, then the pickled result


def alive() -> None:
    """Say that the reading moves on (one OCR page read, say): the time budget is per step,
    so a long document that keeps moving is not stopped. Does nothing outside a child."""
    if _alive_fd is not None:
        os.write(_alive_fd, _ALIVE)


class BudgetExceeded(DocumentError):
    """The reading went past its memory or time budget and was stopped."""


def run_bounded(
    fn: Callable[[], T],
    name: str,
    *,
    memory: int = MEMORY_BUDGET,
    seconds: float = TIME_BUDGET,
) -> T:
    """`fn()` run in a forked child; its result, or the DocumentError it raised, here.

    Any other exception in the child becomes a DocumentError naming the file (the child's
    traceback is not the user's business; it is a bug or a budget met half-way).
    """
    if not hasattr(os, "fork"):
        return fn()
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: never returns
        os.close(read_end)
        _child(fn, write_end, memory)
    os.close(write_end)
    try:
        data = _read_until(read_end, seconds)
    finally:
        os.close(read_end)
    if data is None:
        _stop(pid)
        raise BudgetExceeded(
            f"{name} took more than {seconds:g} second{'' if seconds == 1 else 's'} to read "
            "and was stopped "
            "(only a damaged or malicious file takes that long)."
        )
    status = _reap(pid)
    if not data:
        raise BudgetExceeded(
            f"{name} needed more than {memory // 1024**2:,} MB of memory to read and was "
            "stopped (only a damaged or malicious file needs that much)."
            if os.WIFEXITED(status) or os.WIFSIGNALED(status)
            else f"{name} could not be read."
        )
    kind, value = pickle.loads(data)
    if kind == "ok":
        return value
    if kind == "document-error":
        cls, message, wrong = value
        if issubclass(cls, PasswordRequired):
            raise cls(message, wrong_password=wrong)
        raise cls(message)
    raise DocumentError(f"{name} could not be read ({value}).")


def _child(fn: Callable[[], object], out: int, memory: int) -> None:
    global _alive_fd
    status = 0
    _alive_fd = out
    try:
        import resource  # POSIX only, as fork is

        resource.setrlimit(resource.RLIMIT_AS, (memory, memory))
        try:
            payload = ("ok", fn())
        except DocumentError as exc:
            wrong = bool(getattr(exc, "wrong_password", False))
            payload = ("document-error", (type(exc), str(exc), wrong))
        except MemoryError:
            payload = None  # said by the parent as "needed more than … of memory"
        except Exception as exc:  # noqa: BLE001 - handed to the parent as one sentence
            payload = ("error", f"{type(exc).__name__}: {exc}")
        if payload is not None:
            data = _PAYLOAD + pickle.dumps(payload, protocol=pickle.HIGHEST_PROTOCOL)
            view = memoryview(data)
            while view:
                view = view[os.write(out, view) :]
    except BaseException:  # noqa: BLE001 - nothing may escape a forked child
        status = 1
    finally:
        os._exit(status)


def _read_until(fd: int, seconds: float) -> bytes | None:
    """The payload written to `fd` once the writer closes it (b"" when it wrote none), or
    None when `seconds` pass without a word: progress bytes before the payload each start the
    deadline again."""
    deadline = time.monotonic() + seconds
    chunks: list[bytes] = []
    started = False
    while True:
        left = deadline - time.monotonic()
        if left <= 0:
            return None
        ready, _, _ = select.select([fd], [], [], left)
        if not ready:
            return None
        chunk = os.read(fd, 1 << 20)
        if not chunk:
            return b"".join(chunks)
        if not started:
            steps = len(chunk) - len(chunk.lstrip(_ALIVE))
            if steps:
                deadline = time.monotonic() + seconds
                chunk = chunk[steps:]
            if chunk.startswith(_PAYLOAD):
                started, chunk = True, chunk[len(_PAYLOAD) :]
            elif chunk:  # never written by our child: treat as no payload
                return b""
        if started:
            chunks.append(chunk)


def _reap(pid: int) -> int:
    global last_peak_rss
    _, status, usage = os.wait4(pid, 0)
    last_peak_rss = usage.ru_maxrss * 1024  # Linux reports KB
    return status


def _stop(pid: int) -> None:
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        pass
    _reap(pid)
