"""Library faults: each is one sentence, on stderr and in the window's dialog, and changes nothing.

Every case is made by the test (a foreign journal, a folder, a symlink loop, read-only and full
file systems mounted for the test, a library from a newer schema, an empty --db, a web address)
and checked the way a user would: exit status 1, exactly one `error:` line that says what and
where, the same sentence in the dialog the window shows at start, and every file in the
library's folder byte for byte as it was (SHA-256 before and after).
"""

from __future__ import annotations

import hashlib
import os
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.store import db as store_db

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
PDF = CORPUS / "pdf" / "minimal-document.pdf"


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=cwd,
        env={**os.environ, "CLAIM_READER_DB": ""},
    )


def hashes(folder: Path) -> dict[str, str]:
    """Every file under `folder` (symlinks as their target text) → SHA-256 of its bytes."""
    found = {}
    for path in sorted(folder.rglob("*")):
        rel = str(path.relative_to(folder))
        if path.is_symlink():
            found[rel] = "link:" + os.readlink(path)
        elif path.is_file():
            found[rel] = hashlib.sha256(path.read_bytes()).hexdigest()
        elif path.is_dir():
            found[rel] = "dir"
    return found


def one_error(result: subprocess.CompletedProcess) -> str:
    assert result.returncode == 1, (result.returncode, result.stderr)
    lines = result.stderr.splitlines()
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith("error: ") and "Traceback" not in result.stderr
    return lines[0][len("error: ") :]


def make_library(path: Path, quote: str = "Lorem ipsum") -> None:
    result = run_cli("--db", str(path), "annotate", str(PDF), "--quote", quote)
    assert result.returncode == 0, result.stderr


@contextmanager
def mounted(folder: Path, *options: str) -> Iterator[Path]:
    """A tmpfs mounted at `folder` for the test (needs root: read-only and full disks)."""
    folder.mkdir(parents=True, exist_ok=True)
    opts = ",".join(("size=4m", *options))
    done = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", opts, "tmpfs", str(folder)], capture_output=True, text=True
    )
    if done.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({done.stderr.strip()})")
    try:
        yield folder
    finally:
        subprocess.run(["umount", "-l", str(folder)], check=True)


def remount_read_only(folder: Path) -> None:
    subprocess.run(["mount", "-o", "remount,ro", str(folder)], check=True)


# -- the cases ---------------------------------------------------------------------------------


def _leave_wal(path: Path, quote_table: str) -> None:
    """A library (not ours) whose last changes are only in its -wal (the writer died)."""
    code = f"""
import os, sqlite3
c = sqlite3.connect({str(path)!r})
c.execute("PRAGMA journal_mode=WAL")
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("CREATE TABLE IF NOT EXISTS {quote_table}(x)")
c.execute("INSERT INTO {quote_table} VALUES (randomblob(9000))")
c.commit()
os._exit(0)
"""
    subprocess.run([sys.executable, "-c", code], check=True)


def case_foreign_wal(tmp_path: Path) -> tuple[Path, str]:
    lib = tmp_path / "lib" / "library.sqlite"
    make_library(lib)
    other = tmp_path / "other" / "other.sqlite"
    other.parent.mkdir()
    _leave_wal(other, "notes")
    os.replace(f"{other}-wal", f"{lib}-wal")
    return lib, "library.sqlite-wal beside it"


def case_folder(tmp_path: Path) -> tuple[Path, str]:
    lib = tmp_path / "lib" / "library.sqlite"
    lib.mkdir(parents=True)
    return lib, "is a folder, not a library file"


def case_symlink_loop(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "lib").mkdir()
    a, b = tmp_path / "lib" / "a.sqlite", tmp_path / "lib" / "b.sqlite"
    a.symlink_to(b)
    b.symlink_to(a)
    return a, "loop of symbolic links"


def case_newer(tmp_path: Path) -> tuple[Path, str]:
    lib = tmp_path / "lib" / "library.sqlite"
    make_library(lib)
    conn = sqlite3.connect(lib)
    conn.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('claim_reader', 'm999_from_the_future', '2031-01-01')"
    )
    conn.commit()
    conn.close()
    return lib, "made by a newer Claim Reader"


def case_parent_is_a_file(tmp_path: Path) -> tuple[Path, str]:
    (tmp_path / "lib").mkdir()
    (tmp_path / "lib" / "notes.txt").write_text("a file where a folder is meant\n")
    return tmp_path / "lib" / "notes.txt" / "library.sqlite", "notes.txt is a file, not a folder"


CASES = {
    "parent-is-a-file": case_parent_is_a_file,
    "foreign-wal": case_foreign_wal,
    "folder": case_folder,
    "symlink-loop": case_symlink_loop,
    "newer-schema": case_newer,
}


@pytest.mark.parametrize("case", sorted(CASES))
def test_cli_fault_is_one_sentence_and_changes_nothing(tmp_path, case):
    lib, phrase = CASES[case](tmp_path)
    before = hashes(tmp_path / "lib")
    for command in (["list"], ["annotate", str(PDF), "--quote", "Lorem ipsum"], ["sets"]):
        sentence = one_error(run_cli("--db", str(lib), *command))
        assert phrase in sentence and str(lib) in sentence, sentence
        assert hashes(tmp_path / "lib") == before


def test_a_crashed_writers_own_wal_is_still_replayed(tmp_path):
    """The foreign-journal rule must not refuse the journal a crash leaves behind."""
    lib = tmp_path / "library.sqlite"
    make_library(lib)
    _leave_wal(lib, "crash_test")  # the library's own journal, left by a killed process
    assert Path(f"{lib}-wal").stat().st_size > 0
    result = run_cli("--db", str(lib), "list")
    assert result.returncode == 0, result.stderr
    assert "Lorem ipsum" in result.stdout
    assert sqlite3.connect(lib).execute("SELECT count(*) FROM crash_test").fetchone() == (1,)


def test_a_wal_held_by_a_running_program_is_not_questioned(tmp_path):
    lib = tmp_path / "library.sqlite"
    make_library(lib)
    holder = subprocess.Popen(
        [
            sys.executable,
            "-c",
            f"""
import sqlite3, sys
c = sqlite3.connect({str(lib)!r}, isolation_level=None)
c.execute("PRAGMA wal_autocheckpoint=0")
c.execute("CREATE TABLE live(x)"); c.execute("INSERT INTO live VALUES (1)")
print("ready", flush=True); sys.stdin.read()
""",
        ],
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert holder.stdout.readline().strip() == "ready"
        result = run_cli("--db", str(lib), "list")
        assert result.returncode == 0, result.stderr
    finally:
        holder.stdin.close()
        holder.wait(timeout=60)
        holder.stdout.close()


def test_empty_db_option_is_an_error_not_the_default_library(tmp_path):
    home = tmp_path / "home"
    home.mkdir()
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", "", "list"],
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "HOME": str(home), "XDG_DATA_HOME": str(home / "data")},
    )
    assert "--db was given an empty path" in one_error(result)
    assert list(home.rglob("*")) == []  # no default library was made


def test_new_library_in_a_read_only_folder(tmp_path):
    with mounted(tmp_path / "ro", "ro") as folder:
        lib = folder / "sub" / "library.sqlite"
        sentence = one_error(run_cli("--db", str(lib), "list"))
        assert sentence == f"The library {lib} cannot be created: the folder {folder} is read-only."
        assert hashes(folder) == {}


def test_existing_library_in_a_read_only_folder_says_why(tmp_path):
    with mounted(tmp_path / "ro") as folder:
        lib = folder / "library.sqlite"
        make_library(lib)
        remount_read_only(folder)
        before = hashes(folder)
        sentence = one_error(run_cli("--db", str(lib), "list"))
        assert f"its folder {folder} is read-only" in sentence
        assert hashes(folder) == before


def _fill(folder: Path) -> None:
    """Take every free byte of the file system (a tmpfs mounted for the test)."""
    fd = os.open(folder / "filler", os.O_WRONLY | os.O_CREAT)
    try:
        for size in (1 << 16, 512, 1):
            try:
                while True:
                    os.write(fd, b"\0" * size)
            except OSError:
                pass
    finally:
        os.close(fd)


def test_disk_full_while_annotating_changes_nothing(tmp_path):
    with mounted(tmp_path / "full") as folder:
        lib = folder / "library.sqlite"
        make_library(lib)
        _fill(folder)
        before = hashes(folder)
        long_note = "x" * 100_000  # needs new pages, which the full disk cannot give
        result = run_cli(
            "--db", str(lib), "annotate", str(PDF), "--quote", "dolor sit", "--note", long_note
        )
        sentence = one_error(result)
        assert sentence.startswith(f"The library {lib} cannot be saved: the disk is full")
        assert hashes(folder) == before
        os.remove(folder / "filler")
        listed = run_cli("--db", str(lib), "list", "--json")
        assert listed.returncode == 0 and listed.stdout.count('"id"') == 1


def test_new_library_on_a_full_disk_leaves_no_file(tmp_path):
    with mounted(tmp_path / "full") as folder:
        _fill(folder)
        before = hashes(folder)
        lib = folder / "library.sqlite"
        sentence = one_error(run_cli("--db", str(lib), "list"))
        assert sentence.startswith(f"The library {lib} cannot be saved: the disk is full")
        assert hashes(folder) == before


# -- the same sentence in the window's dialog --------------------------------------------------


def _dialog_text(qtbot, argv: list[str]) -> tuple[int, str]:
    """Run the app's own start (reader.app.main) and read the dialog it shows, then close it."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QMessageBox

    from reader import app

    seen: list[str] = []

    def answer() -> None:
        box = QApplication.activeModalWidget()
        if not isinstance(box, QMessageBox):
            QTimer.singleShot(10, answer)  # the dialog is not up yet: look again next turn
            return
        seen.append(box.text())
        box.accept()

    QTimer.singleShot(0, answer)
    status = app.main(argv)
    assert len(seen) == 1
    return status, seen[0]


@pytest.mark.parametrize("case", sorted(CASES))
def test_window_shows_the_same_sentence(qtbot, tmp_path, case):
    lib, _ = CASES[case](tmp_path)
    before = hashes(tmp_path / "lib")
    cli_sentence = one_error(run_cli("--db", str(lib), "list"))
    status, shown = _dialog_text(qtbot, ["--db", str(lib)])
    assert status == 1 and shown == cli_sentence
    assert hashes(tmp_path / "lib") == before


def test_window_with_an_empty_db_option(qtbot):
    status, shown = _dialog_text(qtbot, ["--db", ""])
    assert status == 1 and shown.startswith("--db was given an empty path")


def test_window_on_a_read_only_folder(qtbot, tmp_path):
    with mounted(tmp_path / "ro") as folder:
        lib = folder / "library.sqlite"
        make_library(lib)
        remount_read_only(folder)
        before = hashes(folder)
        status, shown = _dialog_text(qtbot, ["--db", str(lib)])
        assert status == 1 and f"its folder {folder} is read-only" in shown
        assert hashes(folder) == before


# -- web addresses given to extract and annotate -----------------------------------------------

ARTICLE = (
    "<html><head><title>Loopback news</title></head><body><article><h1>Loopback news</h1>"
    + "".join(
        f"<p>Paragraph {i}: the council said 79,770 homes were built in the year to March.</p>"
        for i in range(8)
    )
    + "</article></body></html>"
).encode()


@pytest.fixture
def web():
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:  # noqa: N802 - http.server's name
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.send_header("Content-Length", str(len(ARTICLE)))
            self.end_headers()
            self.wfile.write(ARTICLE)

        def log_message(self, *args: object) -> None:
            pass

    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}/news/story"
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def test_extract_and_annotate_fetch_a_web_address(tmp_path, web):
    extracted = run_cli("extract", web, cwd=tmp_path)
    assert extracted.returncode == 0, extracted.stderr
    assert "Paragraph 7: the council said 79,770 homes" in extracted.stdout
    lib = tmp_path / "lib" / "library.sqlite"
    added = run_cli("--db", str(lib), "annotate", web, "--quote", "79,770 homes", cwd=tmp_path)
    assert added.returncode == 0, added.stderr
    listed = run_cli("--db", str(lib), "list", "--json")
    assert '"quote": "79,770 homes"' in listed.stdout
    assert len(list((lib.parent / "snapshots").iterdir())) == 1  # the snapshot is kept
    assert list(tmp_path.glob("http*")) == []  # nothing made from the address as a path


# -- several processes creating one library at once --------------------------------------------


@pytest.fixture
def quick_busy(monkeypatch):
    """SQLite's busy handler gives up after 50 ms so the opener's own wait loop shows; the
    budget stays long: these tests release the lock as soon as the opener says it waits."""
    monkeypatch.setattr(store_db, "_BUSY_SLICE_MS", 50)
    monkeypatch.setattr(store_db, "_BUSY_TIMEOUT_MS", 60_000)
    waiting = threading.Event()
    monkeypatch.setattr(store_db, "on_busy", lambda waited: waiting.set())
    return waiting


def _hold_exclusive_on_new_file(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("BEGIN EXCLUSIVE")  # the file exists, empty, and locked
    return holder


def _hold_shared_in_rollback_mode(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("CREATE TABLE early(x)")  # someone created it, still in rollback mode
    holder.execute("BEGIN")
    holder.execute("SELECT * FROM early").fetchall()  # a reader: WAL cannot be switched on
    return holder


def _hold_write_after_wal(path: Path) -> sqlite3.Connection:
    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")  # WAL is on, the other process is about to migrate
    return holder


def _hold_half_migrated(path: Path) -> sqlite3.Connection:
    """Another process in the middle of creating the schema (its transaction not committed)."""
    import sqlite_utils

    from reader.store.migrations import migrations

    holder = sqlite3.connect(path, isolation_level=None)
    holder.execute("PRAGMA journal_mode=WAL")
    holder.execute("BEGIN IMMEDIATE")
    migrations.apply(sqlite_utils.Database(holder))
    return holder


LOCK_STATES = {
    "exclusive-on-new-file": _hold_exclusive_on_new_file,
    "shared-in-rollback-mode": _hold_shared_in_rollback_mode,
    "writer-after-wal": _hold_write_after_wal,
    "half-migrated": _hold_half_migrated,
}


@pytest.mark.parametrize("state", sorted(LOCK_STATES))
def test_a_new_library_opened_during_each_lock_state_waits_and_opens(tmp_path, quick_busy, state):
    lib = tmp_path / "library.sqlite"
    holder = LOCK_STATES[state](lib)
    outcome: list[object] = []

    def open_it() -> None:
        try:
            outcome.append(store_db.open_database(lib))
        except Exception as exc:  # noqa: BLE001 - handed to the assertion below
            outcome.append(exc)

    opener = threading.Thread(target=open_it)
    opener.start()
    try:
        assert quick_busy.wait(timeout=60), "the opener never found the library locked"
    finally:
        holder.execute("COMMIT")
        holder.close()
    opener.join(timeout=60)
    assert len(outcome) == 1 and not isinstance(outcome[0], Exception), outcome
    db = outcome[0]
    from reader.store.migrations import migrations

    assert migrations.pending(db) == []
    assert "annotations" in db.table_names()
    db.close()


def test_in_use_is_said_only_after_a_real_wait_and_says_how_long(tmp_path, monkeypatch):
    monkeypatch.setattr(store_db, "_BUSY_SLICE_MS", 50)
    monkeypatch.setattr(store_db, "_BUSY_TIMEOUT_MS", 1500)
    lib = tmp_path / "library.sqlite"
    holder = _hold_shared_in_rollback_mode(lib)  # answers "busy" at once, without waiting
    began = time.monotonic()
    try:
        with pytest.raises(store_db.LibraryBusy) as caught:
            store_db.open_database(lib)
    finally:
        holder.execute("COMMIT")
        holder.close()
    waited = time.monotonic() - began
    assert waited >= 1.5  # it did wait its whole budget before saying so
    assert f"The library {lib} is in use" in str(caught.value)
    assert "waited 1.5 seconds" in str(caught.value) or "waited 1.6 seconds" in str(caught.value)


def test_window_says_a_full_disk_when_a_highlight_cannot_be_saved(qtbot, tmp_path):
    from PySide6.QtCore import QSettings

    from reader.library import Library
    from reader.ui.main_window import MainWindow

    with mounted(tmp_path / "full") as folder:
        lib = folder / "library.sqlite"
        library = Library(lib)
        settings = QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)
        window = MainWindow(library, ask_password=lambda *a: None, settings=settings)
        qtbot.addWidget(window)
        window.show()
        try:
            tab = window.open_document(str(PDF))
            assert tab is not None, window.last_error
            qtbot.waitUntil(lambda: tab.view.has_painted, timeout=20000)
            text = tab.view.backend.page_text(0)
            _fill(folder)
            # The window holds the library open: its -wal and -shm are SQLite's working files
            # (the refused transaction's frames may be written there, never committed).
            before = {k: v for k, v in hashes(folder).items() if not k.endswith(("-wal", "-shm"))}
            documents = library.repo.db.execute("SELECT * FROM documents").fetchall()
            tab.view.select_range(0, 0, len(text) // 2)
            window.highlight_actions["claim"].trigger()
            assert window.last_error.startswith(
                f"The library {lib} cannot be saved: the disk is full"
            )
            assert tab.annotations == {} and library.all_annotations() == []
            after = {k: v for k, v in hashes(folder).items() if not k.endswith(("-wal", "-shm"))}
            assert after == before
            assert library.repo.db.execute("SELECT * FROM documents").fetchall() == documents
            os.remove(folder / "filler")  # room again: the same highlight is saved
            window.last_error = ""
            tab.view.select_range(0, 0, len(text) // 2)
            window.highlight_actions["claim"].trigger()
            assert window.last_error == "" and len(library.all_annotations()) == 1
        finally:
            window.close()
            library.close()


def test_a_damaged_library_with_a_journal_is_called_damaged_and_left_as_it_was(tmp_path):
    """Not "a foreign journal": the file itself is damaged (the recovery at start keeps both)."""
    lib = tmp_path / "lib" / "library.sqlite"
    make_library(lib)
    _leave_wal(lib, "crash_test")
    with open(lib, "r+b") as fh:  # the second page (a table's root) overwritten
        fh.seek(4096)
        fh.write(b"\xa5" * 4096)
    before = hashes(tmp_path / "lib")
    sentence = one_error(run_cli("--db", str(lib), "list"))
    assert sentence.startswith(f"The library {lib} is damaged and cannot be read")
    assert hashes(tmp_path / "lib") == before
