"""Reads and writes returning `reader.model` objects, never raw rows."""

from __future__ import annotations

from datetime import UTC, datetime

import sqlite_utils

from reader.model import DocumentKind, DocumentRecord, Metadata


def utc_now() -> str:
    # Microseconds, so "recent" orders documents opened within the same second.
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


_DOC_COLUMNS = (
    "d.id, v.sha256, d.kind, d.title, d.author, d.published, d.source, d.pages, "
    "d.first_opened, d.last_opened"
)


class Repository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def close(self) -> None:
        self.db.close()

    # -- documents ---------------------------------------------------------------------------

    def record_opened(
        self,
        *,
        sha256: str,
        kind: DocumentKind,
        metadata: Metadata,
        source: str,
        pages: int,
        size: int,
        snapshot: str = "",
    ) -> DocumentRecord:
        """Note that the document with these bytes was opened from `source`, in one transaction.

        Known bytes (even at a new path: a moved or renamed file) are the same document. New
        bytes at a known path or URL are a new version of that document. Anything else is new.
        """
        now = utc_now()
        with self.db.atomic():
            row = self.db.execute(
                "SELECT document_id FROM versions WHERE sha256 = ?", [sha256]
            ).fetchone()
            if row is not None:
                doc_id = row[0]
            else:
                prior = self.db.execute(
                    "SELECT id FROM documents WHERE source = ? ORDER BY last_opened DESC LIMIT 1",
                    [source],
                ).fetchone()
                if prior is not None:
                    doc_id = prior[0]
                else:
                    cur = self.db.execute(
                        "INSERT INTO documents (kind, title, author, published, site, url, "
                        "source, pages, first_opened, last_opened) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [
                            str(kind),
                            metadata.title,
                            metadata.author,
                            metadata.published,
                            metadata.site,
                            metadata.url,
                            source,
                            pages,
                            now,
                            now,
                        ],
                    )
                    doc_id = cur.lastrowid
                self.db.execute(
                    "INSERT INTO versions (document_id, sha256, size, pages, snapshot, created_at)"
                    " VALUES (?, ?, ?, ?, ?, ?)",
                    [doc_id, sha256, size, pages, snapshot, now],
                )
            # The newest bytes' metadata wins, but never blank out what an older version had.
            self.db.execute(
                "UPDATE documents SET source = ?, last_opened = ?, pages = ?, kind = ?, "
                "title = CASE WHEN ? != '' THEN ? ELSE title END, "
                "author = CASE WHEN ? != '' THEN ? ELSE author END, "
                "published = CASE WHEN ? != '' THEN ? ELSE published END, "
                "site = CASE WHEN ? != '' THEN ? ELSE site END, "
                "url = CASE WHEN ? != '' THEN ? ELSE url END "
                "WHERE id = ?",
                [
                    source,
                    now,
                    pages,
                    str(kind),
                    metadata.title,
                    metadata.title,
                    metadata.author,
                    metadata.author,
                    metadata.published,
                    metadata.published,
                    metadata.site,
                    metadata.site,
                    metadata.url,
                    metadata.url,
                    doc_id,
                ],
            )
        record = self.document_by_sha(sha256)
        assert record is not None
        return record

    def _records(self, where: str, params: list[object], tail: str = "") -> list[DocumentRecord]:
        # The newest version's sha256 stands for the document.
        sql = (
            f"SELECT {_DOC_COLUMNS} FROM documents d JOIN versions v ON v.id = ("
            "SELECT id FROM versions WHERE document_id = d.id ORDER BY id DESC LIMIT 1) "
            f"WHERE {where} {tail}"
        )
        return [
            DocumentRecord(
                id=r[0],
                sha256=r[1],
                kind=DocumentKind(r[2]),
                title=r[3],
                author=r[4],
                published=r[5],
                source=r[6],
                pages=r[7],
                first_opened=r[8],
                last_opened=r[9],
                annotation_count=self._annotation_count(r[0]),
            )
            for r in self.db.execute(sql, params).fetchall()
        ]

    def _annotation_count(self, document_id: int) -> int:
        if not self.db["annotations"].exists():
            return 0
        row = self.db.execute(
            "SELECT count(*) FROM annotations WHERE document_id = ?", [document_id]
        ).fetchone()
        return int(row[0])

    def document_by_sha(self, sha256: str) -> DocumentRecord | None:
        found = self._records(
            "d.id = (SELECT document_id FROM versions WHERE sha256 = ?)", [sha256]
        )
        return found[0] if found else None

    def recent_documents(self, limit: int = 20) -> list[DocumentRecord]:
        return self._records("1", [], f"ORDER BY d.last_opened DESC, d.id DESC LIMIT {int(limit)}")

    def version_count(self, document_id: int) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM versions WHERE document_id = ?", [document_id]
        ).fetchone()
        return int(row[0])

    def snapshot_for(self, source: str) -> str:
        """The newest stored snapshot file of a URL, or ''."""
        row = self.db.execute(
            "SELECT v.snapshot FROM versions v JOIN documents d ON d.id = v.document_id "
            "WHERE d.source = ? AND v.snapshot != '' ORDER BY v.id DESC LIMIT 1",
            [source],
        ).fetchone()
        return row[0] if row else ""
