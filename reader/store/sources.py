"""Sources and citations: reads and writes returning `reader.model` objects."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING

import sqlite_utils

from reader.model import Citation, Source, Stance

if TYPE_CHECKING:
    from reader.store.history import HistoryStore

_SOURCE_COLUMNS = (
    "id, type, title, authors, container_title, publisher, issued, url, doi, isbn, accessed, "
    "archived_url, note, document_id, created_at, updated_at"
)
_CITATION_COLUMNS = (
    "id, annotation_id, source_id, stance, locator, evidence_quote, evidence_annotation_id, "
    "created_at"
)
_STANCES = {s.value: s for s in Stance}


class SourceStore:
    def __init__(self, db: sqlite_utils.Database, history: HistoryStore | None = None) -> None:
        self.db = db
        self.history = history

    # -- sources -------------------------------------------------------------------------------

    def add(self, source: Source, keys: Iterable[str]) -> Source:
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT INTO sources (type, title, authors, container_title, publisher, issued, "
                "url, doi, isbn, accessed, archived_url, note, document_id, created_at, "
                "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                _source_values(source),
            )
            source_id = int(cur.lastrowid)
            self._write_keys(source_id, keys)
        found = self.get(source_id)
        assert found is not None
        return found

    def update(self, source: Source, keys: Iterable[str]) -> Source:
        with self.db.atomic():
            self.update_in_transaction(source, keys)
        found = self.get(source.id)
        assert found is not None
        return found

    def _write_keys(self, source_id: int, keys: Iterable[str]) -> None:
        for key in keys:
            self.db.execute(
                "INSERT OR IGNORE INTO source_keys (key, source_id) VALUES (?, ?)",
                [key, source_id],
            )

    def get(self, source_id: int) -> Source | None:
        row = self.db.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE id = ?", [source_id]
        ).fetchone()
        return _source(row) if row else None

    def by_keys(self, keys: Sequence[str]) -> Source | None:
        if not keys:
            return None
        marks = ", ".join("?" for _ in keys)
        row = self.db.execute(
            f"SELECT source_id FROM source_keys WHERE key IN ({marks}) ORDER BY source_id LIMIT 1",
            list(keys),
        ).fetchone()
        return self.get(int(row[0])) if row else None

    def for_document(self, document_id: int) -> Source | None:
        row = self.db.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE document_id = ? ORDER BY id LIMIT 1",
            [document_id],
        ).fetchone()
        return _source(row) if row else None

    def all_with_counts(self) -> list[tuple[Source, int]]:
        rows = self.db.execute(
            f"SELECT {', '.join('s.' + c.strip() for c in _SOURCE_COLUMNS.split(','))}, "
            "(SELECT count(DISTINCT annotation_id) FROM citations c WHERE c.source_id = s.id) "
            "FROM sources s ORDER BY lower(s.title), s.id"
        ).fetchall()
        return [(_source(r[:16]), int(r[16])) for r in rows]

    def search(self, text: str, limit: int = 20) -> list[Source]:
        like = f"%{text.strip()}%"
        rows = self.db.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE title LIKE ? OR authors LIKE ? "
            "OR container_title LIKE ? OR publisher LIKE ? OR url LIKE ? OR doi LIKE ? "
            f"ORDER BY updated_at DESC LIMIT {int(limit)}",
            [like] * 6,
        ).fetchall()
        return [_source(r) for r in rows]

    def merge(self, keep: Source, drop_id: int, keys: Iterable[str]) -> Source:
        """Move drop's citations and keys to keep (already filled in), then delete drop."""
        with self.db.atomic():
            self.db.execute(
                "UPDATE citations SET source_id = ? WHERE source_id = ?", [keep.id, drop_id]
            )
            self.db.execute("DELETE FROM sources WHERE id = ?", [drop_id])
            self.update_in_transaction(keep, keys)
        found = self.get(keep.id)
        assert found is not None
        return found

    def update_in_transaction(self, source: Source, keys: Iterable[str]) -> None:
        self.db.execute(
            "UPDATE sources SET type = ?, title = ?, authors = ?, container_title = ?, "
            "publisher = ?, issued = ?, url = ?, doi = ?, isbn = ?, accessed = ?, "
            "archived_url = ?, note = ?, document_id = ?, created_at = ?, updated_at = ? "
            "WHERE id = ?",
            [*_source_values(source), source.id],
        )
        self.db.execute("DELETE FROM source_keys WHERE source_id = ?", [source.id])
        self._write_keys(source.id, keys)

    def delete(self, source_id: int) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM sources WHERE id = ?", [source_id])

    def put_back(self, source: Source, keys: Iterable[str]) -> Source:
        """Store a source under its own id, as it was (undo of a delete or a merge)."""
        with self.db.atomic():
            if self.get(source.id) is None:
                self.db.execute(
                    "INSERT INTO sources (id, type, title, authors, container_title, publisher, "
                    "issued, url, doi, isbn, accessed, archived_url, note, document_id, "
                    "created_at, updated_at) "
                    f"VALUES ({', '.join('?' * 16)})",
                    [source.id, *_source_values(source)],
                )
                self._write_keys(source.id, keys)
            else:
                self.update_in_transaction(source, keys)
        found = self.get(source.id)
        assert found is not None
        return found

    def annotations_citing_text(self, text: str, limit: int = 500) -> list[str]:
        """Ids of annotations citing a source whose title, authors, container or publisher, or
        a citation whose evidence quote or locator, holds every word of `text` (any case)."""
        words = text.split()
        if not words:
            return []
        fields = (
            "s.title", "s.authors", "s.container_title", "s.publisher",
            "c.evidence_quote", "c.locator",
        )  # fmt: skip
        haystack = " || ' ' || ".join(fields)
        where = " AND ".join(f"({haystack}) LIKE ? ESCAPE '\\'" for _ in words)
        params = [f"%{_like_escaped(w)}%" for w in words]
        rows = self.db.execute(
            "SELECT c.annotation_id FROM citations c JOIN sources s ON s.id = c.source_id "
            f"WHERE {where} GROUP BY c.annotation_id ORDER BY max(c.created_at) DESC "
            f"LIMIT {int(limit)}",
            params,
        )
        return [r[0] for r in rows]

    def citation_ids_citing(self, source_id: int) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM citations WHERE source_id = ? ORDER BY id", [source_id]
            )
        ]

    def move_citations(self, citation_ids: Sequence[str], source_id: int) -> None:
        """Point these citations at another source (undo of a merge)."""
        with self.db.atomic():
            for citation_id in citation_ids:
                self.db.execute(
                    "UPDATE citations SET source_id = ? WHERE id = ?", [source_id, citation_id]
                )

    def citation_count(self, source_id: int) -> int:
        row = self.db.execute(
            "SELECT count(*) FROM citations WHERE source_id = ?", [source_id]
        ).fetchone()
        return int(row[0])

    def annotation_ids_citing(self, source_id: int) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT DISTINCT annotation_id FROM citations WHERE source_id = ?", [source_id]
            )
        ]

    # -- citations -----------------------------------------------------------------------------

    def add_citation(self, citation: Citation) -> Citation:
        with self.db.atomic():
            self._insert_citation(citation)
        return citation

    def _record_citation(self, c: Citation, added: bool) -> None:
        if self.history is None:
            return
        label = self.history.citation_label(c.source_id, str(c.stance))
        old, new = (None, label) if added else (label, None)
        self.history.record(c.annotation_id, "citation", old, new, ref=c.id)

    def _insert_citation(self, c: Citation, *, record: bool = True) -> None:
        if record:
            self._record_citation(c, added=True)
        self.db.execute(
            f"INSERT INTO citations ({_CITATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
            [
                c.id,
                c.annotation_id,
                c.source_id,
                str(c.stance),
                c.locator,
                c.evidence_quote,
                c.evidence_annotation_id,
                c.created_at,
            ],
        )

    def update_citation(self, c: Citation) -> Citation:
        with self.db.atomic():
            self.db.execute(
                "UPDATE citations SET annotation_id = ?, source_id = ?, stance = ?, locator = ?, "
                "evidence_quote = ?, evidence_annotation_id = ?, created_at = ? WHERE id = ?",
                [
                    c.annotation_id,
                    c.source_id,
                    str(c.stance),
                    c.locator,
                    c.evidence_quote,
                    c.evidence_annotation_id,
                    c.created_at,
                    c.id,
                ],
            )
        return c

    def delete_citation(self, citation_id: str) -> Citation | None:
        with self.db.atomic():
            found = self.citation(citation_id)
            if found is not None:
                self._record_citation(found, added=False)
                self.db.execute("DELETE FROM citations WHERE id = ?", [citation_id])
        return found

    def put_back_citations(self, citations: Sequence[Citation]) -> None:
        with self.db.atomic():
            for c in citations:
                # Back where it was (an undo): on the record only if it had been removed.
                gone = self.db.execute("DELETE FROM citations WHERE id = ?", [c.id]).rowcount == 0
                self._insert_citation(c, record=gone)

    def citation(self, citation_id: str) -> Citation | None:
        row = self.db.execute(
            f"SELECT {_CITATION_COLUMNS} FROM citations WHERE id = ?", [citation_id]
        ).fetchone()
        return _citation(row) if row else None

    def citations_with_evidence(self, annotation_id: str) -> list[Citation]:
        """The citations whose evidence is this passage (the claims it bears on)."""
        rows = self.db.execute(
            f"SELECT {_CITATION_COLUMNS} FROM citations WHERE evidence_annotation_id = ? "
            "ORDER BY created_at, id",
            [annotation_id],
        ).fetchall()
        return [_citation(r) for r in rows]
    def all_citations(self) -> dict[str, list[Citation]]:
        """Every citation, by annotation id, in the order `citations_for` gives (one query)."""
        found: dict[str, list[Citation]] = {}
        for r in self.db.execute(
            f"SELECT {_CITATION_COLUMNS} FROM citations ORDER BY annotation_id, created_at, id"
        ):
            found.setdefault(str(r[1]), []).append(_citation(r))
        return found

    def all_sources(self) -> dict[int, Source]:
        return {
            int(r[0]): _source(r) for r in self.db.execute(f"SELECT {_SOURCE_COLUMNS} FROM sources")
        }

    def citations_for(self, annotation_id: str) -> list[Citation]:
        rows = self.db.execute(
            f"SELECT {_CITATION_COLUMNS} FROM citations WHERE annotation_id = ? "
            "ORDER BY created_at, id",
            [annotation_id],
        ).fetchall()
        return [_citation(r) for r in rows]

    def stance_counts(self, document_id: int | None = None) -> dict[str, tuple[int, int, int]]:
        """(supports, refutes, context) per annotation id, for one document or all."""
        sql = (
            "SELECT c.annotation_id, c.stance, count(*) FROM citations c "
            "JOIN annotations a ON a.id = c.annotation_id "
        )
        params: list[object] = []
        if document_id is not None:
            sql += "WHERE a.document_id = ? "
            params.append(document_id)
        sql += "GROUP BY c.annotation_id, c.stance"
        counts: dict[str, list[int]] = {}
        order = {"supports": 0, "refutes": 1, "context": 2}
        for annotation_id, stance, n in self.db.execute(sql, params):
            counts.setdefault(annotation_id, [0, 0, 0])[order.get(stance, 2)] += n
        return {k: (v[0], v[1], v[2]) for k, v in counts.items()}


def _like_escaped(word: str) -> str:
    return word.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _source_values(s: Source) -> list[object]:
    return [
        s.type,
        s.title,
        json.dumps(list(s.authors), ensure_ascii=False),
        s.container_title,
        s.publisher,
        s.issued,
        s.url,
        s.doi,
        s.isbn,
        s.accessed,
        s.archived_url,
        s.note,
        s.document_id,
        s.created_at,
        s.updated_at,
    ]


def _source(r: Sequence[object]) -> Source:
    return Source(
        id=int(r[0]),
        type=str(r[1]),
        title=str(r[2]),
        authors=tuple(json.loads(str(r[3]))),
        container_title=str(r[4]),
        publisher=str(r[5]),
        issued=str(r[6]),
        url=str(r[7]),
        doi=str(r[8]),
        isbn=str(r[9]),
        accessed=str(r[10]),
        archived_url=str(r[11]),
        note=str(r[12]),
        document_id=int(r[13]) if r[13] is not None else None,
        created_at=str(r[14]),
        updated_at=str(r[15]),
    )


def _citation(r: Sequence[object]) -> Citation:
    return Citation(
        id=str(r[0]),
        annotation_id=str(r[1]),
        source_id=int(r[2]),
        stance=_STANCES.get(str(r[3]), Stance.CONTEXT),
        locator=str(r[4]),
        evidence_quote=str(r[5]),
        evidence_annotation_id=str(r[6]) if r[6] is not None else None,
        created_at=str(r[7]),
    )


__all__ = ["SourceStore"]
