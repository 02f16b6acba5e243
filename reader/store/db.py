"""Opening the library file: WAL, foreign keys, a busy timeout, the schema brought up to date."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import sqlite_utils

from reader.store.migrations import migrations


class LibraryDamaged(Exception):
    """The library file exists but SQLite cannot use it; str() is one sentence for the user."""


def open_database(path: str | Path) -> sqlite_utils.Database:
    """Open (creating if needed) the library at `path`, or an in-memory one for ":memory:"."""
    if str(path) == ":memory:":
        db = sqlite_utils.Database(memory=True)
    else:
        path = Path(path)
        path.parent.mkdir(parents=True, exist_ok=True)
        # isolation_level=None: we open transactions ourselves (db.atomic()), so each change
        # is committed the moment its `with` block ends.
        conn = sqlite3.connect(str(path), isolation_level=None, check_same_thread=False)
        db = sqlite_utils.Database(conn)
    try:
        # A second window or a CLI command waits for the writer instead of failing at once.
        db.execute("PRAGMA busy_timeout = 5000")
        if str(path) != ":memory:":
            db.execute("PRAGMA journal_mode = WAL")
            db.execute("PRAGMA synchronous = NORMAL")
        db.execute("PRAGMA foreign_keys = ON")
        migrations.apply(db)
    except sqlite3.DatabaseError as exc:
        db.close()
        raise LibraryDamaged(f"The library {path} cannot be read ({exc}).") from exc
    return db
