"""Opening the library file: WAL, foreign keys, a busy timeout, a quick integrity check, the
schema brought up to date."""

from __future__ import annotations

import errno
import logging
import os
import shutil
import sqlite3
import stat
import struct
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

import sqlite_utils

from reader.store.migrations import migrations

log = logging.getLogger(__name__)

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


class LibraryNewer(LibraryUnavailable):
    """The library has schema changes this version does not know: a newer one made it."""


class LibraryFull(LibraryUnavailable, sqlite3.OperationalError):
    """A write failed because the disk (or the user's quota) is full; nothing was saved."""


_SQLITE_BUSY = 5
_SQLITE_FULL = 13
_SQLITE_IOERR = 10
# How long a library that another program is writing is waited for, in all (SQLite's own
# busy handler and the retries below together), before "in use" is said.
_BUSY_TIMEOUT_MS = 5000
# How long SQLite's own busy handler waits before a statement comes back "busy" to be retried.
_BUSY_SLICE_MS = 5000
# Called with the seconds waited so far each time the library was found locked (tests
# synchronise on it: they release their lock once the opener is known to be waiting).
on_busy = None


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


# Libraries this process holds a connection to (resolved path → connections): their -wal is
# live, and their -shm must not be opened here (closing any descriptor of a file drops every
# POSIX lock the process holds on it, SQLite's included).
_open_here: Counter[str] = Counter()

# SQLite's unix VFS: every connection holds a shared lock on this byte of the -shm file for
# as long as it is open (the "dead man switch", UNIX_SHM_DMS in os_unix.c).
_SHM_DMS_BYTE = 128


def preflight(path: str | Path) -> None:
    """Refuse, before SQLite touches anything, a library path that cannot work — with one
    sentence that says what is wrong and where. Nothing is created or changed here."""
    if not str(path):
        raise LibraryUnavailable(
            "No library file was given (the path is empty); name a file, e.g. --db library.sqlite."
        )
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        st = None
    except NotADirectoryError:
        _preflight_new(path)  # a file where a folder of the path should be: said there
        return
    except OSError as exc:
        if exc.errno == errno.ELOOP:
            raise LibraryUnavailable(
                f"The library {path} cannot be opened: its path is a loop of symbolic links."
            ) from None
        raise LibraryUnavailable(
            f"The library {path} cannot be opened: {exc.strerror or exc}."
        ) from None
    if st is None:
        _preflight_new(path)
        return
    if stat.S_ISDIR(st.st_mode):
        raise LibraryUnavailable(
            f"The library {path} is a folder, not a library file; give the path of a file "
            f"(e.g. {path / 'library.sqlite'})."
        )
    if not stat.S_ISREG(st.st_mode):
        raise LibraryUnavailable(f"The library {path} is not a regular file.")
    folder = path.absolute().parent
    if not os.access(path, os.R_OK):
        raise LibraryUnavailable(
            f"The library {path} cannot be opened: you have no permission to read it."
        )
    if not os.access(folder, os.W_OK):
        raise LibraryUnavailable(
            f"The library {path} cannot be opened: its folder {folder} is read-only, and "
            "Claim Reader writes its journal beside the library."
        )
    if not os.access(path, os.W_OK):
        raise LibraryUnavailable(f"The library {path} cannot be opened: the file is read-only.")
    _check_wal(path)


def _preflight_new(path: Path) -> None:
    """A library that does not exist yet: its nearest existing folder must take a new file."""
    folder = path.absolute().parent
    while not folder.exists() and folder != folder.parent:
        folder = folder.parent
    if not folder.is_dir():
        raise LibraryUnavailable(
            f"The library {path} cannot be created: {folder} is a file, not a folder."
        )
    if not os.access(folder, os.W_OK | os.X_OK):
        raise LibraryUnavailable(
            f"The library {path} cannot be created: the folder {folder} is read-only."
        )


def _wal_in_use(path: Path) -> bool:
    """Whether some open connection (of any process) holds the library's -wal."""
    if sys.platform != "linux":
        return True  # the struct flock layout below is Linux's: elsewhere SQLite decides
    import fcntl

    try:
        fd = os.open(f"{path}-shm", os.O_RDONLY)
    except OSError:
        return False  # no -shm: no connection has the WAL open
    try:
        # struct flock on Linux: l_type, l_whence, l_start, l_len, l_pid (+ padding).
        want = struct.pack("hhqqi4x", fcntl.F_WRLCK, os.SEEK_SET, _SHM_DMS_BYTE, 1, 0)
        found = fcntl.fcntl(fd, fcntl.F_GETLK, want)
        return struct.unpack("hhqqi4x", found)[0] != fcntl.F_UNLCK
    except OSError:
        return True  # cannot tell: treat it as live (SQLite then reads it as usual)
    finally:
        os.close(fd)


def _identity(conn: sqlite3.Connection) -> str | None:
    """When the library was created (its first migration's time): unique per library."""
    try:
        row = conn.execute(
            "SELECT applied_at FROM _sqlite_migrations ORDER BY id LIMIT 1"
        ).fetchone()
    except sqlite3.DatabaseError:
        return None
    return str(row[0]) if row else None


def _check_wal(path: Path) -> None:
    """Refuse a -wal that no open connection holds and that does not belong to this library.

    A -wal nobody holds is what a crash leaves (SQLite replays it on open: that must go on
    working) or one that came from elsewhere (copied or synced beside the file). Replaying
    it is only done after a trial on copies of both files shows it is this library's: the
    result is sound and was created at the same moment. Otherwise neither file is touched.
    """
    wal = Path(f"{path}-wal")
    try:
        if wal.stat().st_size == 0:
            return
    except OSError:
        return
    if _open_here[str(path.resolve())] or _wal_in_use(path):
        return
    problem = _wal_problem(path, wal)
    if problem:
        # Not LibraryDamaged: the library itself may be sound, and must not be set aside.
        raise LibraryUnavailable(
            f"The library {path} cannot be opened: the journal {wal.name} beside it {problem}; "
            f"both files were left as they were (move {wal.name} away to open the library "
            "as it was last saved)."
        )


def _alone(path: Path) -> tuple[str | None, list[str]]:
    """The library file read alone — its creation stamp and quick-check complaints — with
    `immutable`: SQLite then ignores (and never touches) the -wal and makes no -shm."""
    try:
        plain = sqlite3.connect(f"{path.resolve().as_uri()}?immutable=1", uri=True)
        try:
            return _identity(plain), quick_check(plain)
        finally:
            plain.close()
    except sqlite3.DatabaseError as exc:
        return None, [str(exc)]


def _wal_problem(path: Path, wal: Path) -> str:
    """What is wrong with replaying `wal` into `path`, tried on copies; "" when nothing is.

    Raises LibraryDamaged when the library file itself is damaged (the usual recovery then
    keeps it aside with its journal, bytes untouched)."""
    before, _ = _alone(path)
    with tempfile.TemporaryDirectory(prefix="claim-reader-wal-") as tmp:
        trial = Path(tmp) / "library.sqlite"
        try:
            shutil.copyfile(path, trial)
            shutil.copyfile(wal, f"{trial}-wal")
        except OSError as exc:
            # No room for the trial: SQLite replays the journal as it always did (what a
            # crash needs); a foreign one is far rarer than a crash.
            log.warning("cannot try the journal of %s on a copy: %s", path, exc)
            return ""
        try:
            conn = sqlite3.connect(str(trial))
            try:
                problems = quick_check(conn)
                after = _identity(conn)
            finally:
                conn.close()
        except sqlite3.DatabaseError as exc:
            problems = [str(exc)]
    if problems:
        # The file alone may be mid-checkpoint after a crash (the journal completes it), so
        # it is only asked when the replay failed: sound alone, the journal does not fit it.
        _, alone = _alone(path)
        if alone:
            raise LibraryDamaged(damaged_message(path, alone[0]), path)
        return f"does not fit it ({problems[0]})"
    if before is not None and after != before:
        return "belongs to another database"
    return ""


def check_file(path: str | Path, *, remember: bool = False) -> None:
    """Quick-check the SQLite file at `path` on a read-only connection (writes nothing, not
    even a checkpoint); raise LibraryDamaged if it is damaged. A missing file passes.

    `remember`: a later `open_database(path)` in this process skips its own check while the
    file is unchanged — so the app can run the check on a thread while it imports Qt.
    Other errors (locked, unreadable) raise LibraryUnavailable and are not remembered."""
    preflight(path)
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
    _counted = ""

    def execute(self, sql, *args):  # type: ignore[override]
        if isinstance(sql, str) and len(sql) < 24 and sql.strip(" ;").upper() in _DEFERRED:
            sql = "BEGIN IMMEDIATE"
        waited = 0.0
        pause = 0.02
        while True:
            began = time.monotonic()
            try:
                return super().execute(sql, *args)
            except sqlite3.OperationalError as exc:
                code = (getattr(exc, "sqlite_errorcode", 0) or 0) & 0xFF
                if code == _SQLITE_FULL or (
                    code == _SQLITE_IOERR and out_of_space(self.library_path)
                ):
                    self.disk_full = True
                    raise _typed(LibraryFull(full_message(self.library_path)), exc) from exc
                if code != _SQLITE_BUSY:
                    raise
                # SQLite's busy handler waits for most locks, but some states (a journal
                # mode switch, a stale snapshot, WAL recovery by another process) answer
                # "busy" at once: those are retried here until the whole budget is spent.
                waited += time.monotonic() - began
                budget = _BUSY_TIMEOUT_MS / 1000
                if waited >= budget:
                    raise _typed(LibraryBusy(busy_message(self.library_path, waited)), exc) from exc
                if on_busy is not None:
                    on_busy(waited)
                nap = min(pause, budget - waited)
                time.sleep(nap)  # a back-off between attempts, not a synchronisation
                waited += nap
                pause = min(pause * 2, 0.25)

    created: list[Path] = []
    disk_full = False

    def close(self) -> None:
        if self._counted:
            _open_here[self._counted] -= 1
            if _open_here[self._counted] <= 0:
                del _open_here[self._counted]
            self._counted = ""
        super().close()
        if self.disk_full:  # SQLite could not tidy up on a full disk: what it made goes
            _remove_created(self.created)


def _typed(error: sqlite3.OperationalError, cause: sqlite3.OperationalError):
    error.sqlite_errorcode = cause.sqlite_errorcode
    error.sqlite_errorname = cause.sqlite_errorname
    return error


def busy_message(path: str | Path, waited: float) -> str:
    return (
        f"The library {path} is in use: another program kept it locked while Claim Reader "
        f"waited {waited:.1f} seconds; try again when it has finished."
    )


def out_of_space(path: str | Path) -> bool:
    """Whether the library's file system has no room left. SQLite reports a full disk met
    while growing its -shm or -wal as a plain I/O error, so that error is read with this."""
    try:
        return shutil.disk_usage(Path(path).absolute().parent).free < 64 * 1024
    except OSError:
        return False


def full_message(path: str | Path) -> str:
    folder = Path(path).absolute().parent
    try:
        free = shutil.disk_usage(folder).free
        room = f" ({free // 1024:,} KB free in {folder})"
    except OSError:
        room = ""
    return (
        f"The library {path} cannot be saved: the disk is full{room}; nothing was changed. "
        "Free some space and try again."
    )


def _check_version(db: sqlite_utils.Database, path: str | Path) -> None:
    """Refuse a library whose schema has changes this version does not know."""
    # sqlite-utils has no public list of a set's registered migrations.
    known = {m.name for m in migrations._migrations}
    unknown = [m.name for m in migrations.applied(db) if m.name not in known]
    if unknown:
        raise LibraryNewer(
            f"The library {path} was made by a newer Claim Reader (it has changes this version "
            f"does not know: {', '.join(unknown[:3])}); update Claim Reader to open it."
        )


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
    created: list[Path] = []
    if memory:
        db = sqlite_utils.Database(memory=True)
    else:
        preflight(path)
        path = Path(path)
        created = _missing_paths(path)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            # isolation_level=None: we open transactions ourselves (db.atomic()), so each
            # change is committed the moment its `with` block ends.
            conn = sqlite3.connect(
                str(path), isolation_level=None, check_same_thread=False, factory=_Connection
            )
        except (OSError, sqlite3.Error) as exc:
            reason = exc.strerror if isinstance(exc, OSError) else str(exc)
            raise LibraryUnavailable(f"The library {path} cannot be opened ({reason}).") from exc
        conn.library_path = str(path)
        conn.created = created
        conn._counted = str(path.resolve())
        _open_here[conn._counted] += 1
        db = sqlite_utils.Database(conn)
    try:
        # A second window or a CLI command waits for the writer instead of failing at once.
        db.execute(f"PRAGMA busy_timeout = {_BUSY_SLICE_MS}")
        if not memory:
            known = _checked.pop(str(path.resolve()), None)
            if check and known != _state(path):  # before anything could write to it
                problems = quick_check(db)
                if problems:
                    raise LibraryDamaged(damaged_message(path, problems[0]), Path(path))
            _check_version(db, path)
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        _migrate(db)
    except (LibraryDamaged, LibraryBusy, LibraryNewer):
        db.close()
        raise
    except LibraryFull:
        db.close()
        _remove_created(created)  # a new library that could not be written: leave no stub
        raise
    except sqlite3.DatabaseError as exc:
        db.close()
        if not memory and not is_damage(exc) and out_of_space(path):
            _remove_created(created)
            raise _typed(LibraryFull(full_message(path)), exc) from exc
        if is_damage(exc):
            raise LibraryDamaged(damaged_message(path, str(exc)), Path(path)) from exc
        raise LibraryUnavailable(f"The library {path} cannot be opened ({exc}).") from exc
    return db


def _missing_paths(path: Path) -> list[Path]:
    """What opening `path` may create: the library file and the folders above it when it is
    new (deepest first), and its -wal and -shm companions when they are not there yet."""
    missing = []
    if not path.exists():
        missing.append(path)
        folder = path.absolute().parent
        while not folder.exists() and folder != folder.parent:
            missing.append(folder)
            folder = folder.parent
    companions = [Path(f"{path}-wal"), Path(f"{path}-shm")]
    return [p for p in companions if not p.exists()] + missing


def _remove_created(created: list[Path]) -> None:
    """Undo what a failed open (a full disk) created: a new library that holds nothing, or
    the empty journal and index SQLite would itself have removed at its last close. A journal
    that holds changes, or one another connection uses, is left alone."""
    if not created:
        return
    library = next((p for p in created if not p.name.endswith(("-wal", "-shm"))), None)
    base = created[0] if library is None else library
    stem = str(base)[: -len("-wal")] if str(base).endswith(("-wal", "-shm")) else str(base)
    try:
        key = str(Path(stem).resolve())
    except OSError:
        return
    if _open_here[key] or _wal_in_use(Path(stem)):
        return
    wal = Path(f"{stem}-wal")
    if wal in created and wal.exists() and wal.stat().st_size > 0 and library is None:
        return  # changes are waiting in it: SQLite replays them at the next open
    for p in created:
        try:
            p.rmdir() if p.is_dir() else p.unlink()
        except OSError:
            pass
