"""Opening the library file: WAL, foreign keys, a busy timeout, a quick integrity check, the
schema brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from reader.store.migrations import migrations

# SQLite's result codes that mean "the bytes are wrong", as opposed to "busy", "read-only",
# "cannot open" … (which say nothing about the file's health and must never get it renamed).
_SQLITE_CORRUPT = 11
_SQLITE_NOTADB = 26


class LibraryError(Exception):
    """The library file cannot be used; str() is one sentence for the user."""


class LibraryDamaged(LibraryError):
    """The library file exists but its bytes are damaged (SQLite says corrupt / not a database)."""

    def __init__(self, message: str, path: Path | None = None) -> None:
        super().__init__(message)
        self.path = path


class LibraryUnavailable(LibraryError):
    """The library file cannot be opened now (locked, read-only, missing folder …), not damaged."""


_SQLITE_BUSY = 5
_BUSY_TIMEOUT_MS = 5000


class LibraryBusy(LibraryUnavailable, sqlite3.OperationalError):
    """Another program kept the library's write lock for longer than the busy timeout.

    Still a sqlite3.OperationalError, so code that handles those goes on working.
    """


def is_damage(exc: sqlite3.Error) -> bool:
    """Whether `exc` says the database bytes are damaged (not merely busy or unreadable)."""
    code = getattr(exc, "sqlite_errorcode", None)
    if code is not None:
        return code & 0xFF in (_SQLITE_CORRUPT, _SQLITE_NOTADB)
    text = str(exc).lower()
    return "malformed" in text or "not a database" in text


def quick_check(db: sqlite_utils.Database | sqlite3.Connection) -> list[str]:
    """SQLite's `PRAGMA quick_check`: [] when the file is sound, else its first few complaints.

    O(file size) but without the index-content cross-checks of `integrity_check`: measured
    0.11-0.25 s on a 100,000-annotation library of 83 MB (integrity_check: 1.1 s).
    """
    conn = db.conn if isinstance(db, sqlite_utils.Database) else db
    rows = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)").fetchall()]
    return [] if rows == ["ok"] else rows


def damaged_message(path: str | Path, detail: str) -> str:
    """One sentence on one line, whatever SQLite's complaint looks like."""
    detail = " ".join(detail.replace("*** in database main ***", " ").split())
    if len(detail) > 160:
        detail = detail[:159] + "…"
    return f"The library {path} is damaged and cannot be read ({detail})."


# Files that passed the quick check in this process, with their state then (see check_file).
_checked: dict[str, tuple] = {}


def _state(path: Path) -> tuple:
    """What changes when anything writes to the library: the file's and its WAL's size/mtime."""
    state = []
    for name in (str(path), f"{path}-wal"):
        try:
            st = Path(name).stat()
            state.append((st.st_ino, st.st_size, st.st_mtime_ns))
        except OSError:
            state.append(None)
    return tuple(state)


def check_file(path: str | Path, *, remember: bool = False) -> None:
    """Quick-check the SQLite file at `path` on a read-only connection (writes nothing, not
    even a checkpoint); raise LibraryDamaged if it is damaged. A missing file passes.

    `remember`: a later `open_database(path)` in this process skips its own check while the
    file is unchanged — so the app can run the check on a thread while it imports Qt.
    Other errors (locked, unreadable) raise LibraryUnavailable and are not remembered."""
    path = Path(path)
    if not path.exists():
        return
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            conn.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
            problems = quick_check(conn)
        finally:
            conn.close()
    except sqlite3.DatabaseError as exc:
        if not is_damage(exc):
            raise LibraryUnavailable(f"The library {path} cannot be opened ({exc}).") from exc
        problems = [str(exc)]
    if problems:
        raise LibraryDamaged(damaged_message(path, problems[0]), path)
    if remember:
        _checked[str(path.resolve())] = _state(path)


_DEFERRED = ("BEGIN", "BEGIN DEFERRED", "BEGIN TRANSACTION", "BEGIN DEFERRED TRANSACTION")


class _Connection(sqlite3.Connection):
    """A connection whose transactions take the write lock when they begin.

    sqlite-utils' `atomic()` says plain `BEGIN` (deferred): the transaction starts as a reader
    and becomes a writer at its first write. When another process (a second window, a CLI
    command) has committed in between, SQLite cannot upgrade the stale snapshot and fails at
    once with "database is locked", without waiting for the busy timeout. `BEGIN IMMEDIATE`
    waits its turn (up to the busy timeout) and then sees the latest data.
    """

    library_path = ""

    def execute(self, sql, *args):  # type: ignore[override]
        if isinstance(sql, str) and len(sql) < 24 and sql.strip(" ;").upper() in _DEFERRED:
            sql = "BEGIN IMMEDIATE"
        try:
            return super().execute(sql, *args)
        except sqlite3.OperationalError as exc:
            if (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF != _SQLITE_BUSY:
                raise
            busy = LibraryBusy(
                f"The library {self.library_path} is in use: another program has been writing "
                f"to it for more than {_BUSY_TIMEOUT_MS // 1000} seconds; try again when it "
                "has finished."
            )
            busy.sqlite_errorcode = exc.sqlite_errorcode
            busy.sqlite_errorname = exc.sqlite_errorname
            raise busy from exc


def _migrate(db: sqlite_utils.Database) -> None:
    """Bring the schema up to date; a library that is up to date is only read.

    Pending migrations run inside one write transaction that re-reads what is pending once it
    holds the lock, so two processes opening a new library at once cannot both run them.
    """
    if not migrations.pending(db):
        return
    with db.atomic():
        migrations.apply(db)


def open_database(path: str | Path, *, check: bool = True) -> sqlite_utils.Database:
    """Open (creating if needed) the library at `path`, or an in-memory one for ":memory:".

    With `check` an existing file first passes `PRAGMA quick_check`; a damaged file raises
    `LibraryDamaged` (and is left exactly as it was: nothing is written before the check).
    """
    memory = str(path) == ":memory:"
    if memory:
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves (db.atomic()), so each change
        # is committed the moment its `with` block ends.
        conn = sqlite3.connect(
            str(path), isolation_level=None, check_same_thread=False, factory=_Connection
        )
        conn.library_path = str(path)
        db = sqlite_utils.Database(conn)
    try:
        # A second window or a CLI command waits for the writer instead of failing at once.
        db.execute(f"PRAGMA busy_timeout = {_BUSY_TIMEOUT_MS}")
        if not memory:
            known = _checked.pop(str(path.resolve()), None)
            if check and known != _state(path):  # before anything could write to it
                problems = quick_check(db)
                if problems:
                    raise LibraryDamaged(damaged_message(path, problems[0]), Path(path))
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db)
    except (LibraryDamaged, LibraryBusy):
        db.close()
        raise
    except sqlite3.DatabaseError as exc:
        db.close()
        if is_damage(exc):
            raise LibraryDamaged(damaged_message(path, str(exc)), Path(path)) from exc
        raise LibraryUnavailable(f"The library {path} cannot be opened ({exc}).") from exc
    return db
