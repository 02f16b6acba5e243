"""Daily backups of the library, restoring one, and setting a damaged library aside.

Backups live in `<data folder>/backups/library-YYYYmmdd-HHMMSS.sqlite` (local time). Each is a
complete, self-contained SQLite file (rollback-journal mode, no -wal) written with SQLite's
online backup API — a consistent copy even while the app has the library open — first to
`….sqlite.part`, then renamed, so a crash never leaves a half-written backup under a real name.

Nothing here ever deletes a library: a damaged one is renamed `library.sqlite.damaged-STAMP`
and a replaced one `library.sqlite.before-restore-STAMP` (each with its -wal/-shm, renamed
alongside so SQLite still finds them). Only backups beyond the newest `KEEP` are deleted.
"""

from __future__ import annotations

import logging
import os
import re
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path

from reader.store.db import check_file

log = logging.getLogger(__name__)

KEEP = 7
INTERVAL = timedelta(hours=24)
STAMP = "%Y%m%d-%H%M%S"
_NAME = re.compile(r"^library-(\d{8}-\d{6})\.sqlite$")
SIDECARS = ("-wal", "-shm", "-journal")

Now = Callable[[], datetime]


@dataclass(frozen=True)
class BackupInfo:
    path: Path
    created: datetime  # local time, from the file name
    size: int  # bytes
    annotations: int | None = None  # None: not counted (or the backup cannot be read)


class BackupError(Exception):
    """A backup could not be written or restored; str() is one sentence for the user."""


def backup_dir(db_path: Path) -> Path:
    return Path(db_path).parent / "backups"


def _stamp(now: datetime) -> str:
    return now.strftime(STAMP)


def list_backups(db_path: Path, *, count_annotations: bool = False) -> list[BackupInfo]:
    """The backups of the library at `db_path`, newest first."""
    folder = backup_dir(db_path)
    found: list[BackupInfo] = []
    try:
        entries = list(folder.iterdir())
    except OSError:
        return []
    for path in entries:
        m = _NAME.match(path.name)
        if not m or not path.is_file():
            continue
        try:
            created = datetime.strptime(m.group(1), STAMP)
            size = path.stat().st_size
        except (ValueError, OSError):
            continue
        count = annotation_count(path) if count_annotations else None
        found.append(BackupInfo(path, created, size, count))
    found.sort(key=lambda b: (b.created, b.path.name), reverse=True)
    return found


def newest_backup(db_path: Path) -> BackupInfo | None:
    backups = list_backups(db_path)
    return backups[0] if backups else None


def annotation_count(path: Path) -> int | None:
    """How many annotations a backup holds (read-only, one COUNT), or None if it cannot say."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro", uri=True)
    except sqlite3.Error:
        return None
    try:
        return int(conn.execute("SELECT count(*) FROM annotations").fetchone()[0])
    except sqlite3.Error:
        return None
    finally:
        conn.close()


def backup_due(db_path: Path, now: datetime) -> bool:
    """True when there is no backup, or the newest is 24 h old (or dated in the future)."""
    newest = newest_backup(db_path)
    if newest is None:
        return True
    age = now - newest.created
    return not (timedelta(0) <= age < INTERVAL)


def _copy(src: sqlite3.Connection, dst_path: Path) -> None:
    """Copy `src` into a fresh file `dst_path` with the backup API, as a plain rollback-journal
    database (no -wal beside it), synced to disk."""
    dst_path.unlink(missing_ok=True)
    dst = sqlite3.connect(str(dst_path), isolation_level=None)
    try:
        src.backup(dst)
        dst.execute("PRAGMA journal_mode = DELETE")
    finally:
        dst.close()
    with open(dst_path, "rb") as fh:
        os.fsync(fh.fileno())


def make_backup(db_path: Path, *, now: datetime | None = None) -> Path:
    """Write a backup of the library now (whether one is due or not); returns its path."""
    now = now or datetime.now()
    folder = backup_dir(db_path)
    folder.mkdir(parents=True, exist_ok=True)
    target = folder / f"library-{_stamp(now)}.sqlite"
    part = target.with_name(target.name + ".part")
    try:
        src = sqlite3.connect(str(db_path), isolation_level=None)
        try:
            src.execute("PRAGMA busy_timeout = 5000")
            _copy(src, part)
        finally:
            src.close()
        os.replace(part, target)
    except (OSError, sqlite3.Error) as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"Could not write the backup {target} ({exc}).") from exc
    return target


def prune_backups(db_path: Path, keep: int = KEEP) -> list[Path]:
    """Delete all but the newest `keep` backups (only files named like backups); returns them."""
    removed = []
    for info in list_backups(db_path)[keep:]:
        try:
            info.path.unlink()
            removed.append(info.path)
        except OSError as exc:
            log.warning("could not delete the old backup %s: %s", info.path, exc)
    # A .part left by a crash is never a backup: drop it too.
    for part in backup_dir(db_path).glob("library-*.sqlite.part"):
        part.unlink(missing_ok=True)
    return removed


def daily_backup(db_path: Path, *, now: datetime | None = None, keep: int = KEEP) -> Path | None:
    """Back up the library if the newest backup is 24 h old or there is none; keep `keep`.

    Returns the new backup's path, or None when none was due."""
    now = now or datetime.now()
    if not Path(db_path).exists() or not backup_due(db_path, now):
        return None
    path = make_backup(db_path, now=now)
    prune_backups(db_path, keep)
    return path


def _free_name(base: Path) -> Path:
    """`base`, or `base-2`, `base-3` … whichever names no file yet (with no sidecar either)."""
    candidate, n = base, 1
    while any(Path(f"{candidate}{s}").exists() for s in ("", *SIDECARS)):
        n += 1
        candidate = base.with_name(f"{base.name}-{n}")
    return candidate


def set_aside(db_path: Path, label: str, *, now: datetime | None = None) -> Path | None:
    """Rename the library and its -wal/-shm to `library.sqlite.<label>-STAMP` (+ the same
    suffixes, so SQLite opens the renamed file with its WAL). Returns the new name, or None
    if there was no library file. The library must be closed."""
    db_path = Path(db_path)
    if not db_path.exists():
        return None
    now = now or datetime.now()
    target = _free_name(db_path.with_name(f"{db_path.name}.{label}-{_stamp(now)}"))
    for suffix in SIDECARS:
        side = Path(f"{db_path}{suffix}")
        if side.exists():
            os.replace(side, f"{target}{suffix}")
    os.replace(db_path, target)
    return target


def set_aside_damaged(db_path: Path, *, now: datetime | None = None) -> Path | None:
    """Keep a damaged library as `library.sqlite.damaged-STAMP`; never deletes it."""
    return set_aside(db_path, "damaged", now=now)


def restore_backup(db_path: Path, backup: Path, *, now: datetime | None = None) -> Path | None:
    """Make the library at `db_path` a copy of `backup`. The library must be closed.

    The backup is checked first (a damaged backup raises LibraryDamaged, an unreadable one
    LibraryUnavailable; either changes nothing),
    copied with the backup API beside the library, and only then swapped in; the file it
    replaces is kept as `library.sqlite.before-restore-STAMP`, whose path is returned (None
    when there was no library file, e.g. after a damaged one was set aside)."""
    db_path, backup = Path(db_path), Path(backup)
    check_file(backup)
    part = db_path.with_name(db_path.name + ".restoring")
    try:
        src = sqlite3.connect(f"{backup.resolve().as_uri()}?mode=ro", uri=True)
        try:
            _copy(src, part)
        finally:
            src.close()
    except (OSError, sqlite3.Error) as exc:
        part.unlink(missing_ok=True)
        raise BackupError(f"Could not restore the backup {backup} ({exc}).") from exc
    kept = set_aside(db_path, "before-restore", now=now)
    os.replace(part, db_path)
    return kept
