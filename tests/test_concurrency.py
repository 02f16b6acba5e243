"""Two at once: a second window, a CLI command, a reader, all on the same library file.

SQLite in WAL mode lets readers go on while one writer writes, and the busy timeout makes a
second writer wait its turn instead of failing. These tests hold real locks from real processes
and check that nobody fails with "database is locked" while the wait is shorter than the
timeout, that a reader never sees half a transaction, and that a lock held for longer ends in
one sentence for the user, not a traceback. Synchronisation is by pipes and process exits,
never by sleeping.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
import textwrap
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.M)
ENV = {**os.environ, "PYTHONPATH": str(ROOT)}

# Holds the library's write lock: BEGIN IMMEDIATE, one insert, says "locked", then commits
# when a line arrives on stdin (or rolls back on "rollback").
HOLDER = textwrap.dedent(
    """
    import sqlite3, sys
    conn = sqlite3.connect(sys.argv[1], isolation_level=None, timeout=10)
    conn.execute("BEGIN IMMEDIATE")
    conn.execute("INSERT INTO sets (name, created_at) VALUES (?, '2026-01-01T00:00:00Z')",
                 [sys.argv[2]])
    print("locked", flush=True)
    answer = sys.stdin.readline().strip()
    conn.execute("ROLLBACK" if answer == "rollback" else "COMMIT")
    conn.close()
    print("released", flush=True)
    """
)

# Writes BATCHES transactions of BATCH highlights each, through the Library façade.
WRITER = textwrap.dedent(
    """
    import sys
    from reader.library import Library
    from reader.model import AnnotationKind

    batches, batch = int(sys.argv[3]), int(sys.argv[4])
    library = Library(sys.argv[1])
    opened = library.open_path(sys.argv[2])
    text = opened.document.text
    print("ready", flush=True)
    sys.stdin.readline()
    for b in range(batches):
        with library.transaction():
            for i in range(batch):
                start = ((b * batch + i) * 53) % (len(text) - 40)
                library.highlight(opened, start, start + 20, AnnotationKind.CLAIM)
    library.close()
    print("done", flush=True)
    """
)


def cli(db: Path, *args: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def annotate(db: Path, quote: str) -> subprocess.Popen[str]:
    return cli(db, "annotate", str(SEED), f"--quote={quote}")


def helper(tmp_path: Path, name: str, source: str, *args: str) -> subprocess.Popen[str]:
    script = tmp_path / f"{name}.py"
    script.write_text(source, encoding="utf-8")
    return subprocess.Popen(
        [sys.executable, str(script), *args],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=ENV,
    )


def expect_line(proc: subprocess.Popen[str], line: str) -> None:
    assert proc.stdout is not None
    got = proc.stdout.readline()
    if got != line + "\n":
        proc.kill()
        _, err = proc.communicate(timeout=30)
        pytest.fail(f"expected {line!r}, got {got!r}; stderr: {err[-2000:]}")


def release(proc: subprocess.Popen[str], answer: str = "commit") -> None:
    assert proc.stdin is not None
    proc.stdin.write(answer + "\n")
    proc.stdin.flush()
    out, err = proc.communicate(timeout=30)
    assert proc.returncode == 0, err
    assert out == "released\n"


def count(db: Path, table: str) -> int:
    conn = sqlite3.connect(db)
    try:
        return conn.execute(f"SELECT COUNT(*) FROM {table}").fetchone()[0]
    finally:
        conn.close()


def integrity(db: Path) -> None:
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
    finally:
        conn.close()


@pytest.fixture
def db(tmp_path: Path) -> Path:
    """A library that exists, with the seed document recorded and one annotation on it."""
    path = tmp_path / "data" / "library.sqlite"
    first = annotate(path, "fentanyl crisis")
    out, err = first.communicate(timeout=60)
    assert first.returncode == 0, err
    return path


def test_annotate_waits_for_a_writer_holding_the_lock_then_succeeds(
    tmp_path: Path, db: Path
) -> None:
    holder = helper(tmp_path, "holder", HOLDER, str(db), "held-by-another-process")
    expect_line(holder, "locked")
    proc = annotate(db, "the death toll from opioids")
    try:
        # While the lock is held (about a second) the command cannot commit, so it cannot end.
        with pytest.raises(subprocess.TimeoutExpired):
            proc.wait(timeout=1.0)
    finally:
        release(holder)
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err
    assert "locked" not in err and "Traceback" not in err
    assert err == ""
    (annotation_id,) = UUID.findall(out)
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("SELECT 1 FROM annotations WHERE id = ?", [annotation_id]).fetchone()
        assert conn.execute("SELECT 1 FROM sets WHERE name = 'held-by-another-process'").fetchone()
    finally:
        conn.close()
    integrity(db)


def test_a_lock_held_past_the_busy_timeout_is_one_error_line_and_changes_nothing(
    tmp_path: Path, db: Path
) -> None:
    before = count(db, "annotations")
    holder = helper(tmp_path, "holder", HOLDER, str(db), "held-for-long")
    expect_line(holder, "locked")
    proc = annotate(db, "the death toll from opioids")
    try:
        out, err = proc.communicate(timeout=60)  # gives up after the 5 s busy timeout
    finally:
        release(holder, "rollback")
    assert proc.returncode == 1, err
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), err
    assert "Traceback" not in err
    assert "busy" in err.lower() or "locked" in err.lower() or "in use" in err.lower(), err
    assert count(db, "annotations") == before
    integrity(db)


def test_annotate_processes_side_by_side_all_succeed(tmp_path: Path, db: Path) -> None:
    quotes = ["Opioids", "fentanyl", "United States", "China", "drug control", "2024"]
    procs = [annotate(db, q) for q in quotes]  # six writers racing on two cores
    ids = []
    for proc in procs:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        assert err == ""
        ids.extend(UUID.findall(out))
    assert len(ids) == len(quotes)
    assert count(db, "annotations") == 1 + len(quotes)
    integrity(db)


def test_processes_creating_a_new_library_at_once_all_succeed(tmp_path: Path) -> None:
    """The first run of two commands at once: only one of them may create the schema."""
    for round_ in range(3):
        db = tmp_path / f"new{round_}" / "library.sqlite"
        procs = [annotate(db, q) for q in ("Opioids", "fentanyl", "China")]
        for proc in procs:
            out, err = proc.communicate(timeout=60)
            assert proc.returncode == 0, err
            assert len(UUID.findall(out)) == 1
        assert count(db, "annotations") == 3
        integrity(db)


def test_two_libraries_in_one_process_write_alternately(library_path: Path) -> None:
    """Like two windows on the same library: each sees the other's changes at once."""
    from reader.library import Library
    from reader.model import AnnotationKind, ClaimStatus

    first, second = Library(library_path), Library(library_path)
    try:
        a = first.open_path(SEED)
        b = second.open_path(SEED)
        assert a.record.id == b.record.id
        made: list[str] = []
        for n in range(20):
            lib, opened = (first, a) if n % 2 == 0 else (second, b)
            other = second if lib is first else first
            note = lib.highlight(opened, 10 * n, 10 * n + 8, AnnotationKind.CLAIM)
            made.append(note.id)
            # The other "window" sees it at once and can edit it.
            seen = other.annotation(note.id)
            assert seen is not None and seen.anchor == note.anchor
            other.update(seen, status=ClaimStatus.DISPUTED)
            assert lib.annotation(note.id).status == ClaimStatus.DISPUTED
            # A transaction that reads, then writes, in each in turn.
            with lib.transaction():
                s = lib.ensure_set(f"set {n % 3}")
                lib.add_to_set(s.id, [note.id])
        assert [x.id for x in first.all_annotations()] == [x.id for x in second.all_annotations()]
        assert {x.id for x in first.all_annotations()} == set(made)
        assert sum(s.count for s in second.sets()) == 20
    finally:
        first.close()
        second.close()
    integrity(library_path)


def test_two_libraries_on_two_threads_never_see_database_is_locked(library_path: Path) -> None:
    """Transactions that read before they write, racing: none may fail at once with "locked"
    (a deferred transaction whose snapshot went stale cannot wait; an immediate one can)."""
    from reader.library import Library
    from reader.model import AnnotationKind

    Library(library_path).close()  # the schema exists before the race
    errors: list[BaseException] = []
    ids: list[str] = []
    start = threading.Barrier(2)

    def work(worker: int) -> None:
        lib = Library(library_path)
        try:
            opened = lib.open_path(SEED)
            start.wait(timeout=30)
            for n in range(40):
                with lib.transaction():
                    s = lib.ensure_set(f"worker {worker} / {n % 4}")  # reads first
                    note = lib.highlight(opened, n, n + 12, AnnotationKind.QUESTION)
                    lib.add_to_set(s.id, [note.id])
                ids.append(note.id)
        except BaseException as exc:  # noqa: BLE001 - reported by the main thread
            errors.append(exc)
        finally:
            lib.close()

    threads = [threading.Thread(target=work, args=(w,)) for w in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)
    assert not any(t.is_alive() for t in threads)
    assert not errors, errors
    assert len(ids) == 80
    assert count(library_path, "annotations") == 80
    assert count(library_path, "set_members") == 80
    integrity(library_path)


def test_a_reader_is_not_blocked_by_a_writer_and_sees_only_committed_data(
    tmp_path: Path, db: Path
) -> None:
    from reader.library import Library

    holder = helper(tmp_path, "holder", HOLDER, str(db), "not yet committed")
    expect_line(holder, "locked")
    try:
        began = time.monotonic()
        library = Library(db)  # opening only reads when the schema is up to date
        try:
            names = [s.name for s in library.sets()]
            annotations = library.all_annotations()
        finally:
            library.close()
        # Readers never wait for a WAL writer; waiting would take the 5 s busy timeout.
        assert time.monotonic() - began < 4.0
        assert "not yet committed" not in names
        assert len(annotations) == 1
    finally:
        release(holder)
    library = Library(db)
    try:
        assert "not yet committed" in [s.name for s in library.sets()]
    finally:
        library.close()


def test_a_reader_sees_whole_transactions_only(tmp_path: Path, db: Path) -> None:
    """A writer commits 40 transactions of 5 highlights; a reader counting all the while only
    ever sees whole transactions (the count goes up 5 at a time), never a torn state."""
    batches, batch = 40, 5
    writer = helper(tmp_path, "writer", WRITER, str(db), str(SEED), str(batches), str(batch))
    expect_line(writer, "ready")
    conn = sqlite3.connect(db, timeout=10)
    seen: list[int] = []
    try:
        assert writer.stdin is not None
        writer.stdin.write("go\n")
        writer.stdin.flush()
        deadline = time.monotonic() + 60
        while writer.poll() is None and time.monotonic() < deadline:
            # One read transaction: the annotation count and the tag/FTS rows must agree.
            conn.execute("BEGIN")
            try:
                n = conn.execute("SELECT COUNT(*) FROM annotations").fetchone()[0]
                fts = conn.execute("SELECT COUNT(*) FROM annotations_fts").fetchone()[0]
            finally:
                conn.execute("COMMIT")
            assert fts == n
            seen.append(n)
        out, err = writer.communicate(timeout=60)
    finally:
        conn.close()
    assert writer.returncode == 0, err
    assert out == "done\n"
    assert seen, "the reader never got to read"
    assert all((n - 1) % batch == 0 for n in seen), sorted(set(seen))
    assert seen == sorted(seen)
    assert count(db, "annotations") == 1 + batches * batch
    integrity(db)
