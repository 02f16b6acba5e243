"""Hostile documents: every corpus file, damaged copies of it and a few made-to-hurt files.

What a user expects of each (issue "Reliability and safety", point 4):

* `claim-reader extract FILE` exits 0 with text, or exits 1 with exactly one `error:` line and
  no traceback; it never dies of a signal and never hangs (60 s is a hang);
* the real window opening the file shows it, or shows one sentence (`window.last_error`), and
  the app keeps working: a good file opens right after.

The command line is run for ~300 files. Starting Python and importing the extractors costs
~0.5 s a run, more than most extractions, so the runs are forked from one process that has
imported them once (`_FORK_RUNNER`): each file still gets a process of its own that runs
`main.py` exactly as `python main.py extract FILE` does, with its own exit status, signal and
deadline. `test_real_main_py_*` runs the made-to-hurt files through a fresh `python main.py` to
show the two agree.
"""

from __future__ import annotations

import json
import os
import random
import struct
import subprocess
import sys
import time
import zlib
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
HANG_S = 60
TRUNCATIONS = (10, 50, 90)
FLIPS = 300
GOOD_FILE = CORPUS / "pdf" / "minimal-document.pdf"

sys.path.insert(0, str(ROOT))
from conftest import corpus_files, open_and_wait  # noqa: E402

from bench.common import write_text_pdf  # noqa: E402

# -- the files ---------------------------------------------------------------------------------


def _label(path: Path) -> str:
    return str(path.relative_to(CORPUS)).replace("/", "_")


def _mutations(src: Path, out: Path) -> list[Path]:
    """Truncated at 10/50/90 % and a copy with FLIPS random bytes (RNG seeded by the name)."""
    data = src.read_bytes()
    made = []
    stem = _label(src)[: -len(src.suffix)] if src.suffix else _label(src)
    for pct in TRUNCATIONS:
        path = out / f"{stem}.trunc{pct}{src.suffix}"
        path.write_bytes(data[: len(data) * pct // 100])
        made.append(path)
    rng = random.Random(f"flip:{_label(src)}")
    flipped = bytearray(data)
    for _ in range(FLIPS):
        flipped[rng.randrange(len(flipped))] = rng.randrange(256)
    path = out / f"{stem}.flip{src.suffix}"
    path.write_bytes(bytes(flipped))
    made.append(path)
    return made


def _huge_page_pdf(path: Path, side: float) -> Path:
    import pymupdf

    doc = pymupdf.open()
    page = doc.new_page(width=side, height=side)
    page.insert_text((72, 72), "A page far larger than any sheet of paper.", fontsize=12)
    doc.save(path)
    doc.close()
    return path


def _raw_zip(entries: list[tuple[str, int, bytes, int, int]]) -> bytes:
    """A zip file from (name, method, compressed bytes, crc32, uncompressed size) entries."""
    out, central = bytearray(), bytearray()
    for name, method, data, crc, usize in entries:
        n = name.encode()
        offset = len(out)
        out += struct.pack(
            "<IHHHHHIIIHH", 0x04034B50, 20, 0, method, 0, 0x21, crc, len(data), usize, len(n), 0
        )
        out += n + data
        central += struct.pack(
            "<IHHHHHHIIIHHHHHII",
            0x02014B50, 20, 20, 0, method, 0, 0x21, crc, len(data), usize, len(n),
            0, 0, 0, 0, 0, offset,
        )  # fmt: skip
        central += n
    start = len(out)
    out += central
    out += struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(entries), len(entries), len(central),
                       start, 0)  # fmt: skip
    return bytes(out)


def _zip_bomb_epub(path: Path, megabytes: int = 1024) -> Path:
    """A ~1 MB EPUB whose one chapter inflates to `megabytes` MB of prose.

    Written without compressing a gigabyte: one full-flushed deflate block of 1 MB of text
    (history reset after it) is repeated, which is a valid deflate stream."""
    chunk = (b"The claim repeats itself. " * 40330)[: 1 << 20]
    head = b'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>'
    tail = b"</p></body></html>"
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    block = c.compress(chunk) + c.flush(zlib.Z_FULL_FLUSH)
    c = zlib.compressobj(9, zlib.DEFLATED, -15)
    start = c.compress(head) + c.flush(zlib.Z_FULL_FLUSH)
    end = c.compress(tail) + c.flush()
    crc = zlib.crc32(head)
    for _ in range(megabytes):
        crc = zlib.crc32(chunk, crc)
    crc = zlib.crc32(tail, crc)
    size = len(head) + megabytes * len(chunk) + len(tail)

    def stored(name: str, data: bytes) -> tuple[str, int, bytes, int, int]:
        return (name, 0, data, zlib.crc32(data), len(data))

    container = (
        b'<?xml version="1.0"?><container version="1.0" '
        b'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
        b'<rootfile full-path="content.opf" media-type="application/oebps-package+xml"/>'
        b"</rootfiles></container>"
    )
    opf = (
        b'<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
        b'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
        b'<dc:title>Bomb</dc:title><dc:identifier id="id">x</dc:identifier></metadata>'
        b'<manifest><item id="c" href="c.xhtml" media-type="application/xhtml+xml"/></manifest>'
        b'<spine><itemref idref="c"/></spine></package>'
    )
    entries = [
        stored("mimetype", b"application/epub+zip"),
        stored("META-INF/container.xml", container),
        stored("content.opf", opf),
        ("c.xhtml", 8, start + block * megabytes + end, crc, size),
    ]
    path.write_bytes(_raw_zip(entries))
    return path


def _made_to_hurt(out: Path) -> list[Path]:
    made = [
        _huge_page_pdf(out / "huge-page-14400pt.pdf", 14400),  # the PDF maximum, 5 m a side
        _huge_page_pdf(out / "huge-page-200000pt.pdf", 200000),  # beyond it: MuPDF accepts it
        write_text_pdf(
            out / "5000-pages.pdf",
            [(f"Page {i + 1}", [f"Claim number {i + 1} is on this page."]) for i in range(5000)],
        ),
        _zip_bomb_epub(out / "zip-bomb.epub"),
    ]
    deep = out / "nested-10000.html"
    deep.write_text(
        "<!doctype html><html><head><title>Deep</title></head><body>"
        + "<div>" * 10000
        + "<p>The claim sits at the bottom of ten thousand boxes.</p>"
        + "</div>" * 10000
        + "</body></html>",
        encoding="utf-8",
    )
    line = out / "one-line-20MB.txt"
    line.write_bytes(b"claim " * (20 * 1024 * 1024 // 6))
    short_line = out / "one-line-2MB.txt"
    short_line.write_bytes(b"claim " * (2 * 1024 * 1024 // 6))
    html_pdf = out / "web-page-named.pdf"
    html_pdf.write_text(
        "<!doctype html><html><head><title>Not a PDF</title></head><body><article>"
        "<h1>Not a PDF</h1><p>This saved web page was given a .pdf name by mistake, "
        "which happens more often than one would think.</p></article></body></html>",
        encoding="utf-8",
    )
    return made + [deep, line, short_line, html_pdf]


@pytest.fixture(scope="module")
def hostile_dir(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("hostile")


@pytest.fixture(scope="module")
def made_files(hostile_dir) -> dict[str, Path]:
    out = hostile_dir / "made"
    out.mkdir()
    return {p.name: p for p in _made_to_hurt(out)}


@pytest.fixture(scope="module")
def mutated_files(hostile_dir) -> dict[str, Path]:
    out = hostile_dir / "mutated"
    out.mkdir()
    found: dict[str, Path] = {}
    for src in corpus_files():
        for path in _mutations(src, out):
            found[path.name] = path
    return found


# -- running `main.py extract` -----------------------------------------------------------------

_FORK_RUNNER = r"""
import json, os, runpy, selectors, signal, sys, time, traceback
root, hang_s, jobs_file = sys.argv[1], float(sys.argv[2]), sys.argv[3]
os.chdir(root)
sys.path.insert(0, root)
# What `main.py extract` imports on its way, imported once here.
import reader.app, reader.cli, reader.documents, reader.documents.pdf, reader.documents.article
import reader.documents.extract, trafilatura, readability.readability, markdown_it
reader.documents.extract._readability_class()
jobs = json.load(open(jobs_file))
parallel = max(1, min(2, os.cpu_count() or 1))

def child(path, out, err):
    code = 1
    try:
        for fd, name in ((1, out), (2, err)):
            os.dup2(os.open(name, os.O_WRONLY | os.O_CREAT | os.O_TRUNC), fd)
        sys.argv = ["main.py", "extract", path]
        try:
            runpy.run_path("main.py", run_name="__main__")
            code = 0
        except SystemExit as exc:  # what the interpreter does with SystemExit
            if exc.code is None or isinstance(exc.code, int):
                code = exc.code or 0
            else:
                print(exc.code, file=sys.stderr)
        except BaseException:  # an uncaught exception: traceback on stderr, status 1
            traceback.print_exc()
        sys.stdout.flush()
        sys.stderr.flush()
    finally:
        os._exit(code)

sel = selectors.DefaultSelector()
running = {}
todo = list(jobs)
while todo or running:
    while todo and len(running) < parallel:
        path, out, err = todo.pop(0)
        pid = os.fork()
        if pid == 0:
            child(path, out, err)
        fd = os.pidfd_open(pid)
        running[fd] = (pid, path, time.monotonic())
        sel.register(fd, selectors.EVENT_READ)
    deadline = min(t for _, _, t in running.values()) + hang_s
    events = sel.select(max(0.0, deadline - time.monotonic()))
    now = time.monotonic()
    for fd in list(running):
        pid, path, started = running[fd]
        if any(key.fd == fd for key, _ in events):
            _, status = os.waitpid(pid, 0)
            rc = os.waitstatus_to_exitcode(status)
            result = {"path": path, "rc": rc, "seconds": now - started}
        elif now - started >= hang_s:
            os.kill(pid, signal.SIGKILL)
            os.waitpid(pid, 0)
            result = {"path": path, "rc": "hang", "seconds": now - started}
        else:
            continue
        sel.unregister(fd)
        os.close(fd)
        del running[fd]
        print(json.dumps(result), flush=True)
"""


def _run_extracts(paths: list[Path], work: Path) -> dict[str, dict]:
    """`main.py extract` on each path in its own forked process: {name: result}."""
    jobs = []
    for i, path in enumerate(paths):
        jobs.append([str(path), str(work / f"{i}.out"), str(work / f"{i}.err")])
    jobs_file = work / "jobs.json"
    jobs_file.write_text(json.dumps(jobs))
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)  # the CLI must not need Qt at all
    proc = subprocess.run(
        [sys.executable, "-c", _FORK_RUNNER, str(ROOT), str(HANG_S), str(jobs_file)],
        capture_output=True,
        text=True,
        env=env,
        timeout=HANG_S * 10 + 5 * len(paths),
    )
    assert proc.returncode == 0, proc.stderr
    results = {}
    by_path = {job[0]: job for job in jobs}
    for line in proc.stdout.splitlines():
        result = json.loads(line)
        _, out, err = by_path[result["path"]]
        result["stdout_chars"] = len(Path(out).read_bytes().decode("utf-8", "replace").strip())
        result["stderr"] = Path(err).read_bytes().decode("utf-8", "replace")
        results[Path(result["path"]).name] = result
    assert len(results) == len(paths)
    return results


def _verdict(result: dict) -> str:
    """Empty if the run is what a user may see, else what went wrong."""
    rc, err = result["rc"], result["stderr"]
    lines = [ln for ln in err.splitlines() if ln.strip()]
    if rc == "hang":
        return f"hang: still running after {HANG_S} s"
    if rc < 0:
        return f"killed by signal {-rc}"
    if "Traceback" in err:
        return "traceback:\n" + err[-2000:]
    if rc == 0:
        # A PDF whose pages have no text layer (scans, or content streams too damaged to
        # read) opens with blank text; anything else must give text.
        if result["stdout_chars"] or Path(result["path"]).suffix == ".pdf":
            return ""
        return "exit 0 without any text"
    if rc == 1:
        if len(lines) == 1 and lines[0].startswith("error: "):
            return ""
        return f"exit 1 with {len(lines)} stderr lines:\n" + err[-2000:]
    return f"exit {rc}:\n{err[-2000:]}"


@pytest.fixture(scope="module")
def extract_results(mutated_files, made_files, hostile_dir) -> dict[str, dict]:
    work = hostile_dir / "runs"
    work.mkdir()
    started = time.perf_counter()
    results = _run_extracts(list(mutated_files.values()) + list(made_files.values()), work)
    elapsed = time.perf_counter() - started
    exits = [r["rc"] for r in results.values()]
    print(
        f"\nhostile extract: {len(results)} files in {elapsed:.1f} s, "
        f"{exits.count(0)} exit 0, {exits.count(1)} exit 1, "
        f"slowest {max(r['seconds'] for r in results.values()):.1f} s"
    )
    return results


MUTATED_NAMES = sorted(
    f"{_label(src)[: -len(src.suffix)] if src.suffix else _label(src)}.{kind}{src.suffix}"
    for src in corpus_files()
    for kind in [f"trunc{p}" for p in TRUNCATIONS] + ["flip"]
)
MADE_NAMES = [
    "huge-page-14400pt.pdf",
    "huge-page-200000pt.pdf",
    "5000-pages.pdf",
    "zip-bomb.epub",
    "nested-10000.html",
    "one-line-20MB.txt",
    "one-line-2MB.txt",
    "web-page-named.pdf",
]
# The window shows the 20 MB line too, but lays it out for ~35 s (see docs/reliability.md):
# the GUI test uses the 2 MB line so that the file stays within its time budget.
GUI_MADE = MADE_NAMES  # the 20 MB line too: read on a worker, shown in pieces (~3 s)


@pytest.mark.parametrize("name", MUTATED_NAMES)
def test_extract_survives_damaged_corpus_file(extract_results, name):
    assert _verdict(extract_results[name]) == ""


@pytest.mark.parametrize("name", MADE_NAMES)
def test_extract_survives_made_to_hurt_file(extract_results, name):
    assert _verdict(extract_results[name]) == ""


# What each made-to-hurt file must give (exit status, and a word of the text or the error).
MADE_EXPECTED = {
    "huge-page-14400pt.pdf": (0, "far larger"),
    "huge-page-200000pt.pdf": (0, "far larger"),
    "5000-pages.pdf": (0, "Claim number 5000"),
    "zip-bomb.epub": (1, "unpacks to 1,024 MB"),
    "nested-10000.html": (1, "no readable article text"),
    "one-line-20MB.txt": (0, "claim claim"),
    "one-line-2MB.txt": (0, "claim claim"),
    "web-page-named.pdf": (0, "given a .pdf name"),
}


@pytest.mark.parametrize("name", MADE_NAMES)
def test_real_main_py_on_made_to_hurt_file(made_files, name):
    """The same files through a fresh `python main.py extract`, as a user runs it."""
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    env.pop("QT_QPA_PLATFORM", None)
    try:
        proc = subprocess.run(
            [sys.executable, "main.py", "extract", str(made_files[name])],
            cwd=ROOT,
            capture_output=True,
            env=env,
            timeout=HANG_S,
        )
    except subprocess.TimeoutExpired:
        pytest.fail(f"{name}: still running after {HANG_S} s")
    out = proc.stdout.decode("utf-8", "replace")
    result = {
        "rc": proc.returncode,
        "stderr": proc.stderr.decode("utf-8", "replace"),
        "stdout_chars": len(out.strip()),
        "path": name,
    }
    assert _verdict(result) == ""
    rc, needle = MADE_EXPECTED[name]
    assert proc.returncode == rc
    assert needle in (out if rc == 0 else result["stderr"])


# -- the real window ---------------------------------------------------------------------------

# A representative subset: every made-to-hurt file, each kind of damage on each kind of file,
# and the files that crashed or printed a traceback before the fixes.
GUI_MUTATED = [
    "pdf_minimal-document.trunc50.pdf",
    "pdf_GeoTopo-komprimiert.trunc90.pdf",
    "pdf_with-attachment.flip.pdf",  # "malformed page tree" escaped as a traceback
    "pdf_habibi.flip.pdf",
    "pdf_libreoffice-writer-password.trunc90.pdf",
    "html_readability_wikipedia-2_source.trunc50.html",
    "html_readability_qq_source.flip.html",
    # readability returned a page without <body> and lxml asserted: a traceback
    "html_aeb_042bb7b5fedab6eac7db576522b89b93904c237d344bcbe14a6a5ab7f7335856.trunc10.html",
    "text_aeb-0ec95c72.trunc50.txt",
    "seed_000_d286d3589c386401.flip.txt",
]


def _open_then_open_good(window, qtbot, path: Path) -> None:
    window.last_error = ""
    tab = open_and_wait(window, qtbot, path)
    if tab is None:
        assert window.last_error, f"{path.name}: neither opened nor said why"
        assert "\n" not in window.last_error.strip()
        assert "Traceback" not in window.last_error
    else:
        assert window.last_error == ""
        document = tab.opened.document
        if document.kind.paged:
            qtbot.waitUntil(lambda: tab.view.has_painted, timeout=20000)
        else:
            assert tab.view.toPlainText().strip()
    # The app keeps working: a good file opens and paints.
    window.last_error = ""
    good = window.open_document(str(GOOD_FILE))
    assert good is not None, window.last_error
    qtbot.waitUntil(lambda: good.view.has_painted, timeout=10000)
    assert "Lorem ipsum" in good.opened.document.text


@pytest.mark.parametrize("name", GUI_MADE)
def test_window_survives_made_to_hurt_file(window, qtbot, made_files, name):
    _open_then_open_good(window, qtbot, made_files[name])


@pytest.mark.parametrize("name", GUI_MUTATED)
def test_window_survives_damaged_file(window, qtbot, mutated_files, name):
    _open_then_open_good(window, qtbot, mutated_files[name])


def test_window_survives_every_damaged_file(window, qtbot, mutated_files):
    """All 220 damaged copies through one real window, one after the other (the parametrized
    test above keeps the ones that once failed, each in a fresh window): each opens (a PDF
    paints, an article shows text) or is refused with one sentence; the window keeps working."""
    refused = shown = locked = 0
    for index, name in enumerate(sorted(mutated_files)):
        window.last_error = ""
        before = len(window.password_requests)
        tab = open_and_wait(window, qtbot, mutated_files[name])
        asked = len(window.password_requests)
        if tab is None and asked > before:  # an encrypted copy: the prompt (answered Cancel)
            locked += 1
        elif tab is None:
            assert window.last_error, f"{name}: neither opened nor said why"
            assert "\n" not in window.last_error.strip() and "Traceback" not in window.last_error
            refused += 1
        else:
            assert window.last_error == "", f"{name}: {window.last_error}"
            if tab.opened.document.kind.paged:
                qtbot.waitUntil(lambda t=tab: t.view.has_painted, timeout=20000)
            else:
                assert tab.view.toPlainText().strip(), name
            shown += 1
        window.tabs.close_current() if tab is not None else None
        if index % 40 == 39:
            _open_then_open_good(window, qtbot, GOOD_FILE)
            window.tabs.close_current()
    print(f"{shown} shown, {refused} refused, {locked} asked for a password")
    assert shown + refused + locked == len(mutated_files) == 220
    _open_then_open_good(window, qtbot, GOOD_FILE)
