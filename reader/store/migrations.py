"""The schema's whole history. Never edit an applied migration: add a new one."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("claim_reader")


@migrations()
def m001_documents(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            site TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            pages INTEGER NOT NULL DEFAULT 0,
            first_opened TEXT NOT NULL,
            last_opened TEXT NOT NULL
        )
        """
    )
    # One row per distinct set of bytes: a changed file is a new version of the same document.
    db.execute(
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL DEFAULT 0,
            pages INTEGER NOT NULL DEFAULT 0,
            snapshot TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX versions_document ON versions(document_id)")
    db.execute("CREATE INDEX documents_source ON documents(source)")
    db.execute("CREATE INDEX documents_last_opened ON documents(last_opened)")
