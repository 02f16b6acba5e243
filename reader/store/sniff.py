"""Whether a SQLite file is a Claim Reader library: read-only, without migrating or locking it."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from reader.store.migrations import migrations

__all__ = ["is_claim_reader_library"]


def is_claim_reader_library(path: str | Path) -> bool:
    """True when the file's migration history is Claim Reader's (it is opened read-only and
    immutable, so nothing about it, not even a -wal beside it, changes)."""
    try:
        conn = sqlite3.connect(f"{Path(path).resolve().as_uri()}?mode=ro&immutable=1", uri=True)
    except (sqlite3.Error, OSError, ValueError):
        return False
    try:
        row = conn.execute(
            f"SELECT 1 FROM {migrations.migrations_table} WHERE migration_set = ? LIMIT 1",
            [migrations.name],
        ).fetchone()
        return row is not None
    except sqlite3.Error:
        return False
    finally:
        conn.close()
