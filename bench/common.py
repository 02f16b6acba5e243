"""Shared helpers: paths, the result record, generated PDFs, Qt waiting without sleeps."""

from __future__ import annotations

import atexit
import os
import shutil
import statistics
import sys
import tempfile
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PYTHON = sys.executable
OUT_DIR = ROOT / "bench" / "out"

_TMP: Path | None = None


def tmp_dir() -> Path:
    """One temporary folder per `python -m bench` run, removed at exit."""
    global _TMP
    if _TMP is None:
        _TMP = Path(tempfile.mkdtemp(prefix="claim-reader-bench-"))
        atexit.register(shutil.rmtree, _TMP, True)
    return _TMP


def child_env(**extra: str) -> dict[str, str]:
    env = dict(os.environ)
    env.setdefault("QT_QPA_PLATFORM", "offscreen")
    env["PYTHONPATH"] = str(ROOT) + os.pathsep + env.get("PYTHONPATH", "")
    env.update(extra)
    return env


@dataclass
class Result:
    """One line of the table. `ratio` is value/limit; the goal is on the ratio unless
    `goal_value` is given, then on the value itself."""

    name: str
    value: float
    unit: str
    limit: float | None = None
    goal_ratio: float | None = None
    goal_value: float | None = None
    note: str = ""

    @property
    def ratio(self) -> float | None:
        if self.limit is None or self.limit <= 0:
            return None
        return self.value / self.limit

    @property
    def goal(self) -> str:
        if self.goal_value is not None:
            return f"≤ {_num(self.goal_value)} {self.unit}"
        if self.goal_ratio is not None:
            return f"≤ {self.goal_ratio:g}×"
        return "(info)"

    @property
    def ok(self) -> str:
        if self.goal_value is not None:
            return "ok" if self.value <= self.goal_value else "OVER"
        if self.goal_ratio is not None and self.ratio is not None:
            return "ok" if self.ratio <= self.goal_ratio else "OVER"
        return ""

    def line(self) -> str:
        limit = "" if self.limit is None else f"{_num(self.limit)} {self.unit}"
        ratio = "" if self.ratio is None else f"{self.ratio:.2f}×"
        return (
            f"{self.name:<30} {_num(self.value) + ' ' + self.unit:>12} {limit:>12} "
            f"{ratio:>7} {self.goal:>11} {self.ok:>4}"
        )


def header() -> str:
    return f"{'benchmark':<30} {'value':>12} {'limit':>12} {'ratio':>7} {'goal':>11} {'':>4}"


def _num(v: float) -> str:
    if abs(v) >= 100:
        return f"{v:.0f}"
    if abs(v) >= 10:
        return f"{v:.1f}"
    return f"{v:.2f}"


def median(values: list[float]) -> float:
    return statistics.median(values)


def timed(fn: Callable[[], object]) -> float:
    """Seconds one call takes."""
    t0 = time.perf_counter()
    fn()
    return time.perf_counter() - t0


# -- generated documents ---------------------------------------------------------------------

_WORDS = (
    "claim evidence source reader annotation page document quote context measure limit "
    "render scroll memory paint window system result figure table section method value "
    "study report analysis data model signal event cache pixel font glyph layout"
).split()


def _paragraph(seed: int, words: int) -> str:
    n = len(_WORDS)
    out = []
    x = seed * 2654435761 % 2**32
    for i in range(words):
        x = (x * 1103515245 + 12345) % 2**31
        w = _WORDS[x % n]
        out.append(w.capitalize() if i == 0 else w)
    return " ".join(out) + "."


def _pdf_string(text: str) -> bytes:
    return (
        b"("
        + text.replace("\\", "\\\\").replace("(", "\\(").replace(")", "\\)").encode("latin-1")
        + b")"
    )


def text_pdf(pages: int, name: str | None = None) -> Path:
    """A PDF of `pages` A4 pages of dense body text, different on every page (cached for the
    run). Written directly as PDF syntax with the standard Helvetica font: pymupdf's
    insert_textbox takes ~10 ms a page, this takes ~0.2 ms."""
    path = tmp_dir() / (name or f"text-{pages}.pdf")
    if path.exists():
        return path
    import textwrap

    pool: list[str] = []
    for i in range(40):
        pool += textwrap.wrap(_paragraph(i, 80), 92)
    pages_lines = []
    for p in range(pages):
        body = ["" if i % 8 == 7 else pool[(p * 13 + i) % len(pool)] for i in range(56)]
        pages_lines.append((f"Chapter {p // 20 + 1}, page {p + 1}", body))
    return write_text_pdf(path, pages_lines)


def write_text_pdf(path: Path, pages: list[tuple[str, list[str]]]) -> Path:
    """Write a PDF whose page i shows pages[i] = (heading, body lines) in Helvetica 10/12.5 pt
    from the top of an A4 page ("" is an empty line), a rule and the page number at the
    bottom. Plain PDF syntax, no library: ~0.2 ms a page. Lines must be Latin-1."""
    objects: list[bytes] = [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",  # the page tree, filled in below
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica /Encoding /WinAnsiEncoding >>",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica-Bold /Encoding /WinAnsiEncoding >>",
    ]
    kids = []
    for p, (heading, body) in enumerate(pages):
        ops = [
            b"BT /F2 14 Tf 72 782 Td " + _pdf_string(heading) + b" Tj ET",
            b"BT /F1 10 Tf 12.5 TL 72 752 Td",
        ]
        for line in body:
            ops.append(_pdf_string(line) + b" '" if line else b"T*")
        ops.append(b"ET 0.5 w 72 42 m 523 42 l S")
        ops.append(b"BT /F1 9 Tf 290 27 Td " + _pdf_string(str(p + 1)) + b" Tj ET")
        stream = b"\n".join(ops)
        objects.append(b"<< /Length %d >>\nstream\n" % len(stream) + stream + b"\nendstream")
        content = len(objects)
        objects.append(
            b"<< /Type /Page /Parent 2 0 R /MediaBox [0 0 595 842] /Contents %d 0 R "
            b"/Resources << /Font << /F1 3 0 R /F2 4 0 R >> >> >>" % content
        )
        kids.append(b"%d 0 R" % len(objects))
    objects[1] = b"<< /Type /Pages /Count %d /Kids [%s] >>" % (len(pages), b" ".join(kids))
    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for n, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % n + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    out += b"".join(b"%010d 00000 n \n" % off for off in offsets)
    out += b"trailer\n<< /Size %d /Root 1 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        xref,
    )
    path.write_bytes(bytes(out))
    return path


def corpus_words() -> list[str]:
    """The words of shared/corpus/text/*.txt in reading order (repeats kept, so a random pick
    follows the corpus' word frequencies): ASCII letters only, so they fit a Latin-1 PDF."""
    import re

    words: list[str] = []
    for f in sorted((CORPUS / "text").glob("*.txt")):
        if f.name.startswith("LICENSE"):
            continue
        words += re.findall(r"\b[A-Za-z]+\b", f.read_text(encoding="utf-8", errors="replace"))
    if not words:
        words = list(_WORDS)
    return words


# -- Qt --------------------------------------------------------------------------------------


def qapp():
    from PySide6.QtWidgets import QApplication

    return QApplication.instance() or QApplication([sys.argv[0]])


def wait_until(cond: Callable[[], bool], timeout_s: float = 30.0, poll_ms: int = 1) -> bool:
    """Run the Qt event loop until `cond()` holds (checked every `poll_ms`), or timeout.

    The loop blocks in Qt's dispatcher between checks; it does not spin processEvents."""
    from PySide6.QtCore import QEventLoop, QTimer

    qapp()
    if cond():
        return True
    loop = QEventLoop()
    deadline = time.perf_counter() + timeout_s
    state = {"ok": False}

    def check() -> None:
        if cond():
            state["ok"] = True
            loop.quit()
        elif time.perf_counter() > deadline:
            loop.quit()

    poll = QTimer()
    poll.setInterval(poll_ms)
    poll.timeout.connect(check)
    poll.start()
    loop.exec()
    poll.stop()
    return state["ok"]


class PaintWaiter:
    """Waits, event-driven, for a paint of `widget` that starts while `cond()` holds: the
    loop quits from an event filter, after that paint event has been delivered."""

    def __init__(self, widget) -> None:
        from PySide6.QtCore import QEvent, QEventLoop, QObject, QTimer

        waiter = self

        class Filter(QObject):
            def eventFilter(self, obj, event):  # noqa: N802 - Qt override
                if event.type() == QEvent.Type.Paint:
                    waiter.paints += 1
                    if waiter._cond is not None and waiter._cond():
                        waiter._ok = True
                        waiter._loop.quit()  # returns after this paint has been delivered
                    elif waiter._cond is not None:
                        # The paint may itself render what it waits for (the view renders
                        # one missing page inside its paint): look again once it is done.
                        QTimer.singleShot(0, waiter._recheck)
                return False

        self.paints = 0
        self._cond: Callable[[], bool] | None = None
        self._ok = False
        self._loop = QEventLoop()
        self._timer = QTimer()
        self._timer.setSingleShot(True)
        self._timer.timeout.connect(self._loop.quit)
        self._filter = Filter()
        widget.installEventFilter(self._filter)

    def _recheck(self) -> None:
        if self._cond is not None and self._cond():
            self._ok = True
            self._loop.quit()

    def wait(self, cond: Callable[[], bool], timeout_s: float = 30.0) -> bool:
        self._cond, self._ok = cond, False
        self._timer.start(round(timeout_s * 1000))
        self._loop.exec()
        self._timer.stop()
        self._cond = None
        return self._ok


def keep_none_alive() -> None:
    """PySide6 6.12 on Python < 3.12 drops a reference to None on every call of a C++ method
    returning void, and one to True on every Signal.emit(); after a few thousand calls CPython
    aborts with "none_dealloc" / "bool_dealloc" (3.12+ has immortal singletons). When the bug
    is there, the bench adds 10**12 references to None, True and False (a number, no memory)
    so it can finish, and says so."""
    import ctypes

    from PySide6.QtCore import QObject, Signal

    class Probe(QObject):
        sig = Signal()

    obj = Probe()
    none0, true0 = sys.getrefcount(None), sys.getrefcount(True)
    for _ in range(100):
        obj.setObjectName("x")
        obj.sig.emit()
    none_lost = none0 - sys.getrefcount(None)
    true_lost = true0 - sys.getrefcount(True)
    if (none_lost >= 50 or true_lost >= 50) and sys.version_info < (3, 12):
        for singleton in (None, True, False):
            ctypes.c_ssize_t.from_address(id(singleton)).value += 10**12
        print(
            f"  warning: this PySide6 drops references to None ({none_lost} per 100 void calls) "
            f"and True ({true_lost} per 100 emits); on Python {sys.version_info[0]}."
            f"{sys.version_info[1]} the app aborts (none_dealloc) after a few thousand calls. "
            "The bench props them up to finish."
        )


# -- hostile PDFs written as raw syntax (tests/hostile_pdfs.py builds the others) ----------------

ORDINARY_TEXT = "Readable words on an ordinary page of this document."


def raw_pdf(objects: list[bytes], root: int) -> bytes:
    """A PDF file of the given objects (numbered from 1) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref_at,
    )
    return bytes(out)


def page_objects(kids_ref: int) -> list[bytes]:
    """Objects 1 (catalog), 3 (a page), 4 (its content) and 5 (a font); 2 is the caller's."""
    content = b"BT /F1 8 Tf 20 100 Td (" + ORDINARY_TEXT.encode() + b") Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % kids_ref,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def outline_pdf(path: Path, *, chapters: int = 1_000, sections: int = 99) -> Path:
    """One page and an outline of chapters × (1 + sections) entries (100,000 by default),
    written as raw syntax: PyMuPDF's set_toc takes ~10 s for that many."""
    objects = page_objects(2)
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>"
    root = 6
    first_chapter = root + 1
    per_chapter = 1 + sections
    last_chapter = first_chapter + (chapters - 1) * per_chapter
    total = chapters * per_chapter
    objects.append(
        b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
        % (first_chapter, last_chapter, total)
    )
    dest = b"/Dest [3 0 R /XYZ 0 150 0]"
    for c in range(chapters):
        number = first_chapter + c * per_chapter
        links = b""
        if c > 0:
            links += b" /Prev %d 0 R" % (number - per_chapter)
        if c < chapters - 1:
            links += b" /Next %d 0 R" % (number + per_chapter)
        objects.append(
            b"<< /Title (Chapter %d) /Parent %d 0 R%s /First %d 0 R /Last %d 0 R /Count -%d %s >>"
            % (c + 1, root, links, number + 1, number + sections, sections, dest)
        )
        for s in range(sections):
            own = number + 1 + s
            links = b""
            if s > 0:
                links += b" /Prev %d 0 R" % (own - 1)
            if s < sections - 1:
                links += b" /Next %d 0 R" % (own + 1)
            objects.append(
                b"<< /Title (Section %d.%d) /Parent %d 0 R%s %s >>"
                % (c + 1, s + 1, number, links, dest)
            )
    path.write_bytes(raw_pdf(objects, 1))
    return path
