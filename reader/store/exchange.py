"""Bulk reads and writes for export and import: batches, keyset pages, executemany.

Export pages through the annotations in (document, start, end, id) order, a batch at a time,
so a library of 100,000 annotations is never held whole. Import writes a batch with one
executemany per table, inside the caller's transaction: new annotations get their rowids
from here (the largest plus one, as SQLite would), so their full-text rows need no look-up.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, replace

import sqlite_utils

from reader.model import (
    Annotation,
    Citation,
    DocumentKind,
    DocumentRecord,
    ExportRecord,
    HistoryEntry,
    Source,
)
from reader.store.repo import Repository, _annotation_from_row, _columns, utc_now
from reader.store.sources import _CITATION_COLUMNS, _SOURCE_COLUMNS, _citation, _source

__all__ = ["ExchangeStore", "NewRow", "Stored"]

_ANNOTATION_SELECT = (
    "SELECT a.id, a.document_id, a.version_id, a.kind, a.color, a.status, a.claimant, "
    'a.note, a.author, a.quote, a.prefix, a.suffix, a.start, a."end", a.anchor_state, '
    "a.page, a.rects, a.created_at, a.updated_at, v.sha256 "
    "FROM annotations a JOIN versions v ON v.id = a.version_id"
)
# The same columns without the version's sha256: an export looks it up once per version.
_EXPORT_SELECT = _ANNOTATION_SELECT.split(", v.sha256 FROM")[0] + " FROM annotations a"
_IDS = "(SELECT value FROM json_each(?))"
# Made or changed by one person (two parameters, the same name).
BY_AUTHOR = (
    "(a.author = ? OR EXISTS (SELECT 1 FROM history h WHERE h.annotation_id = a.id "
    "AND h.author = ?))"
)
_COLUMNS = (
    "document_id, version_id, kind, color, status, claimant, note, author, quote, prefix, "
    'suffix, start, "end", anchor_state, page, rects, created_at, updated_at'
)
_INSERT = f"INSERT INTO annotations (id, {_COLUMNS}) VALUES ({', '.join(['?'] * 19)})"
_INSERT_WITH_ROWID = (
    f"INSERT INTO annotations (rowid, id, {_COLUMNS}) VALUES ({', '.join(['?'] * 20)})"
)
_INSERT_FTS = (
    "INSERT INTO annotations_fts (rowid, quote, note, tags, claimant) VALUES (?, ?, ?, ?, ?)"
)
_QUOTE, _NOTE, _CLAIMANT = 9, 7, 6  # positions in a `NewRow`'s values (id first)
_MAX_ROWID = 2**63 - 1
IMPORT_CACHE_KIB = 32 * 1024  # see `roomy_cache`

# An annotation to add: the annotations row in `_INSERT` order (id first), and its tags.
NewRow = tuple[tuple[object, ...], tuple[str, ...]]


@dataclass(frozen=True)
class Stored:
    """What the library holds for one annotation id, to compare an import against."""

    annotation: Annotation
    citations: dict[str, Citation]
    sets: frozenset[int]  # ids of the sets it belongs to


class ExchangeStore:
    def __init__(self, repo: Repository) -> None:
        self.repo = repo
        self.db: sqlite_utils.Database = repo.db

    # -- export --------------------------------------------------------------------------------

    @staticmethod
    def _scope(kind: str, key: int, author: str = "") -> tuple[str, list[object]]:
        where, params = "1", []
        if kind == "set":
            where, params = (
                "a.id IN (SELECT annotation_id FROM set_members WHERE set_id = ?)",
                [key],
            )
        elif kind == "document":
            where, params = "a.document_id = ?", [key]
        if author:
            where += f" AND {BY_AUTHOR}"
            params += [author, author]
        return where, params

    def count(self, kind: str = "all", key: int = 0, author: str = "") -> int:
        where, params = self._scope(kind, key, author)
        row = self.db.execute(f"SELECT count(*) FROM annotations a WHERE {where}", params)
        return int(row.fetchone()[0])

    def records(
        self, kind: str = "all", key: int = 0, batch: int = 1000, author: str = ""
    ) -> Iterator[ExportRecord]:
        """Every annotation in scope with its document, citations (with sources), sets and
        history.

        The record's document carries the sha256 of the version the annotation's anchor refers
        to (not necessarily the newest bytes).
        """
        where, params = self._scope(kind, key, author)
        after: list[object] = [-1, -1, -1, ""]
        current: DocumentRecord | None = None
        documents: dict[str, DocumentRecord] = {}  # `current` as of each version, by sha256
        versions: dict[int, str] = {}  # sha256 by version id
        ocr_pages: dict[str, frozenset[int]] = {}  # pages read by OCR, by version sha256
        while True:
            rows = self.db.execute(
                f"{_EXPORT_SELECT} WHERE {where} AND "
                '(a.document_id, a.start, a."end", a.id) > (?, ?, ?, ?) '
                f'ORDER BY a.document_id, a.start, a."end", a.id LIMIT {int(batch)}',
                [*params, *after],
            ).fetchall()
            if not rows:
                return
            ids = json.dumps([r[0] for r in rows])
            tags = self._grouped(
                f"SELECT annotation_id, tag FROM annotation_tags WHERE annotation_id IN {_IDS} "
                "ORDER BY tag",
                ids,
            )
            sets = self._grouped(
                "SELECT m.annotation_id, s.name FROM set_members m JOIN sets s ON s.id = m.set_id "
                f"WHERE m.annotation_id IN {_IDS} ORDER BY s.name COLLATE NOCASE, s.name",
                ids,
            )
            citations = self._citations(ids)
            history = self.repo.history.for_annotations([r[0] for r in rows])
            same = self.repo.fact_checks.links_for([r[0] for r in rows])
            details = {
                d[0]: d[1:]
                for d in self.db.execute(
                    "SELECT annotation_id, claim_reviewed, claim_date, claimant_type FROM "
                    f"claim_details WHERE annotation_id IN {_IDS}",
                    [ids],
                )
            }
            # One JSON parse for the page's rectangles, as `Repository._annotations` does.
            all_rects = json.loads("[" + ",".join(r[16] for r in rows) + "]")
            for r, rects in zip(rows, all_rects, strict=True):
                document_id, version_id = r[1], r[2]
                sha = versions.get(version_id)
                if sha is None:
                    sha = versions[version_id] = self._version_sha256(version_id)
                if not sha:
                    continue  # no such version: left out, as a join with versions leaves it
                if current is None or current.id != document_id:
                    current = self.repo.document_by_id(document_id)  # rows come by document
                    assert current is not None
                    documents.clear()
                document = documents.get(sha)
                if document is None:
                    # The document as of the version the anchor refers to, made once.
                    document = current if current.sha256 == sha else replace(current, sha256=sha)
                    documents[sha] = document
                annotation_id = r[0]
                scanned = ocr_pages.get(sha)
                if scanned is None:
                    scanned = ocr_pages[sha] = self._ocr_pages(sha)
                annotation = _annotation_from_row(r, tags.get(annotation_id, ()), rects)
                if annotation_id in details:
                    reviewed, date, claimant_type = details[annotation_id]
                    annotation = replace(
                        annotation,
                        claim_reviewed=reviewed,
                        claim_date=date,
                        claimant_type=claimant_type,
                    )
                yield ExportRecord(
                    annotation,
                    document,
                    tuple(citations.get(annotation_id, ())),
                    tuple(sets.get(annotation_id, ())),
                    history=tuple(history.get(annotation_id, ())),
                    same_claims=tuple(same.get(annotation_id, ())),
                    ocr=bool(scanned) and annotation.page in scanned,
                )
            last = rows[-1]
            after = [last[1], last[12], last[13], last[0]]

    def _ocr_pages(self, sha256: str) -> frozenset[int]:
        rows = self.db.execute("SELECT page FROM ocr_pages WHERE sha256 = ?", [sha256])
        return frozenset(int(r[0]) for r in rows.fetchall())

    def _version_sha256(self, version_id: int) -> str:
        """The version's sha256; "" when there is no such version."""
        row = self.db.execute("SELECT sha256 FROM versions WHERE id = ?", [version_id]).fetchone()
        return str(row[0]) if row else ""

    def _grouped(self, sql: str, ids: str) -> dict[str, list]:
        grouped: dict[str, list] = {}
        for annotation_id, value in self.db.execute(sql, [ids]):
            grouped.setdefault(annotation_id, []).append(value)
        return grouped

    def _citations(self, ids: str) -> dict[str, list[tuple[Citation, Source]]]:
        citation_cols = ", ".join(f"c.{c.strip()}" for c in _CITATION_COLUMNS.split(","))
        source_cols = ", ".join(f"s.{c.strip()}" for c in _SOURCE_COLUMNS.split(","))
        width = len(_CITATION_COLUMNS.split(","))
        grouped: dict[str, list[tuple[Citation, Source]]] = {}
        for r in self.db.execute(
            f"SELECT {citation_cols}, {source_cols} FROM citations c "
            f"JOIN sources s ON s.id = c.source_id WHERE c.annotation_id IN {_IDS} "
            "ORDER BY c.annotation_id, c.created_at, c.id",
            [ids],
        ):
            grouped.setdefault(r[1], []).append((_citation(r[:width]), _source(r[width:])))
        return grouped

    def version_files(self, sha256: str) -> list[str]:
        """Where the bytes with this sha256 may be found: the snapshot, the document's source."""
        row = self.db.execute(
            "SELECT v.snapshot, d.source FROM versions v JOIN documents d ON d.id = v.document_id "
            "WHERE v.sha256 = ?",
            [sha256],
        ).fetchone()
        return [p for p in row if p] if row else []

    # -- import --------------------------------------------------------------------------------

    @contextmanager
    def roomy_cache(self, kib: int = IMPORT_CACHE_KIB) -> Iterator[None]:
        """SQLite's page cache at least `kib` KiB for the block, then as it was.

        An import writes every index of a large library at random places (ids are UUIDs);
        in the default 2 MB cache their pages are spilled to the WAL and read back again and
        again. Importing 100,000 annotations (`bench.exchange`): 32 MB took 0.8-1.7 s off
        5-7 s of CPU time, and adds about 32 MB to the import's peak memory.
        """
        conn = self.db.conn
        before = int(conn.execute("PRAGMA cache_size").fetchone()[0])
        page = int(conn.execute("PRAGMA page_size").fetchone()[0])
        held = -before if before < 0 else before * page // 1024
        if held >= kib:
            yield
            return
        conn.execute(f"PRAGMA cache_size = {-int(kib)}")
        try:
            yield
        finally:
            conn.execute(f"PRAGMA cache_size = {before}")

    def has_annotations(self) -> bool:
        return self.db.execute("SELECT EXISTS (SELECT 1 FROM annotations)").fetchone()[0] == 1

    def version(self, sha256: str) -> tuple[int, int] | None:
        """(document id, version id) of these bytes, or None."""
        row = self.db.execute(
            "SELECT document_id, id FROM versions WHERE sha256 = ?", [sha256]
        ).fetchone()
        return (int(row[0]), int(row[1])) if row else None

    def add_document(
        self, sha256: str, kind: DocumentKind, title: str, source: str
    ) -> tuple[int, int]:
        """A document known only from an export: its bytes are not at hand. When `source` names
        a document the library has, these bytes become another version of it (as opening a
        changed file does). Returns (document id, version id)."""
        now = utc_now()
        row = (
            self.db.execute(
                "SELECT id FROM documents WHERE source = ? ORDER BY last_opened DESC LIMIT 1",
                [source],
            ).fetchone()
            if source
            else None
        )
        if row is not None:
            document_id = int(row[0])
        else:
            cur = self.db.execute(
                "INSERT INTO documents (kind, title, source, first_opened, last_opened) "
                "VALUES (?, ?, ?, ?, ?)",
                [str(kind), title, source, now, now],
            )
            document_id = int(cur.lastrowid)
        cur = self.db.execute(
            "INSERT INTO versions (document_id, sha256, created_at) VALUES (?, ?, ?)",
            [document_id, sha256, now],
        )
        return document_id, int(cur.lastrowid)

    def stored(self, annotation_ids: Sequence[str]) -> dict[str, Stored]:
        ids = json.dumps(list(annotation_ids))
        rows = self.db.execute(f"{_ANNOTATION_SELECT} WHERE a.id IN {_IDS}", [ids]).fetchall()
        if not rows:
            return {}
        tags = self._grouped(
            f"SELECT annotation_id, tag FROM annotation_tags WHERE annotation_id IN {_IDS} "
            "ORDER BY tag",
            ids,
        )
        sets = self._grouped(
            f"SELECT annotation_id, set_id FROM set_members WHERE annotation_id IN {_IDS}", ids
        )
        citations: dict[str, dict[str, Citation]] = {}
        for r in self.db.execute(
            f"SELECT {_CITATION_COLUMNS} FROM citations WHERE annotation_id IN {_IDS}", [ids]
        ):
            citations.setdefault(r[1], {})[r[0]] = _citation(r)
        annotations = self.repo.with_claim_details(
            [_annotation_from_row(r, tags.get(r[0], ())) for r in rows]
        )
        return {
            a.id: Stored(a, citations.get(a.id, {}), frozenset(sets.get(a.id, ())))
            for a in annotations
        }

    def citations_by_id(self, citation_ids: Sequence[str]) -> dict[str, Citation]:
        """Citations wherever they are attached (an import may move one to its annotation)."""
        rows = self.db.execute(
            f"SELECT {_CITATION_COLUMNS} FROM citations WHERE id IN {_IDS}",
            [json.dumps(list(citation_ids))],
        )
        return {r[0]: _citation(r) for r in rows}

    def source_by_title(self, title: str, issued: str) -> Source | None:
        row = self.db.execute(
            f"SELECT {_SOURCE_COLUMNS} FROM sources WHERE title = ? AND issued = ? "
            "ORDER BY id LIMIT 1",
            [title, issued],
        ).fetchone()
        return _source(row) if row else None

    def rowids(self, annotation_ids: Sequence[str]) -> dict[str, int]:
        """The rowid of each of these ids that is stored."""
        rows = self.db.execute(
            f"SELECT id, rowid FROM annotations WHERE id IN {_IDS}",
            [json.dumps(list(annotation_ids))],
        )
        return dict(rows.fetchall())

    def next_rowid(self) -> int:
        """The rowid the next added annotation gets (`write` numbers them from the largest)."""
        return int(
            self.db.execute("SELECT COALESCE(MAX(rowid), 0) + 1 FROM annotations").fetchone()[0]
        )

    def existing_annotations(self, annotation_ids: Sequence[str]) -> set[str]:
        rows = self.db.execute(
            f"SELECT id FROM annotations WHERE id IN {_IDS}", [json.dumps(list(annotation_ids))]
        )
        return {r[0] for r in rows}

    @staticmethod
    def new_row(
        a: Annotation,
        document_id: int,
        version_id: int,
        color: str,
        tags: tuple[str, ...],
        author: str,
        created_at: str,
        updated_at: str,
    ) -> NewRow:
        """An annotation to add, as `write` takes it: `a` with these fields in place of its
        own, and no rects. Cheaper than building that `Annotation` (one per imported row)."""
        anchor = a.anchor
        values = (
            a.id,
            document_id,
            version_id,
            str(a.kind),
            color,
            str(a.status),
            a.claimant,
            a.note,
            author,
            anchor.quote,
            anchor.prefix,
            anchor.suffix,
            anchor.start,
            anchor.end,
            str(anchor.state),
            a.page,
            "[]",
            created_at,
            updated_at,
        )
        return values, tags

    def write(
        self,
        added: Sequence[NewRow],
        changed: Sequence[Annotation],
        citations_added: Sequence[Citation],
        citations_changed: Sequence[Citation],
        members: Sequence[tuple[int, str]],
        history: Sequence[tuple[str, HistoryEntry]] = (),
    ) -> None:
        """One batch of an import (`added` from `new_row`); the caller holds the transaction.

        `history`: (annotation id, entry) the file carries, stored by entry id (once)."""
        conn = self.db.conn
        if history:
            conn.executemany(
                "INSERT OR IGNORE INTO history (id, annotation_id, time, author, field, old, "
                "new, ref) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (h.id, annotation_id, h.time, h.author, h.field, h.old, h.new, h.ref)
                    for annotation_id, h in history
                ],
            )
        if added:
            first = self._free_rowids(len(added))
            if first is None:  # no room above the largest rowid: let SQLite choose them
                conn.executemany(_INSERT, [values for values, _tags in added])
                rowids = self._rowids([values[0] for values, _tags in added])
                numbered = [(rowids[values[0]], values, tags) for values, tags in added]
            else:
                # Rowids given, so the FTS rows need no look-up: the largest plus one, as
                # SQLite itself would choose, inside the transaction that holds the lock.
                numbered = [(first + i, values, tags) for i, (values, tags) in enumerate(added)]
                conn.executemany(
                    _INSERT_WITH_ROWID, [(rowid, *values) for rowid, values, _tags in numbered]
                )
            conn.executemany(
                "INSERT OR IGNORE INTO annotation_tags (annotation_id, tag) VALUES (?, ?)",
                [(values[0], tag) for values, tags in added for tag in tags],
            )
            conn.executemany(
                _INSERT_FTS,
                [
                    (rowid, values[_QUOTE], values[_NOTE], " ".join(tags), values[_CLAIMANT])
                    for rowid, values, tags in numbered
                ],
            )
        if changed:
            # An import's changes are on the record like the user's own.
            before = self.repo.history.tracked([a.id for a in changed])
            assignments = ", ".join(f"{c.strip()} = ?" for c in _COLUMNS.split(","))
            conn.executemany(
                f"UPDATE annotations SET {assignments} WHERE id = ?",
                [[*_columns(a), a.id] for a in changed],
            )
            conn.executemany(
                "DELETE FROM annotation_tags WHERE annotation_id = ?", [[a.id] for a in changed]
            )
            conn.executemany(
                "DELETE FROM annotations_fts WHERE rowid = "
                "(SELECT rowid FROM annotations WHERE id = ?)",
                [[a.id] for a in changed],
            )
            conn.executemany(
                "INSERT OR IGNORE INTO annotation_tags (annotation_id, tag) VALUES (?, ?)",
                [(a.id, tag) for a in changed for tag in a.tags],
            )
            # Rowids first, then plain VALUES inserts: an INSERT … SELECT per row made FTS5
            # flush its pending index on every statement (8.7 s against 1.9 s for 100,000 rows).
            rowids = self._rowids([a.id for a in changed])
            conn.executemany(
                _INSERT_FTS,
                [
                    (rowids[a.id], a.anchor.quote, a.note, " ".join(a.tags), a.claimant)
                    for a in changed
                ],
            )
            self.repo.history.record_changes(before, changed)
        if citations_added:
            recorder = self.repo.history
            for c in citations_added:
                if not recorder.mentions(c.id):  # the file's own record already says so
                    label = recorder.citation_label(c.source_id, str(c.stance))
                    recorder.record(c.annotation_id, "citation", None, label, ref=c.id)
            conn.executemany(
                f"INSERT INTO citations ({_CITATION_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
                [_citation_values(c) for c in citations_added],
            )
        if citations_changed:
            conn.executemany(
                "UPDATE citations SET annotation_id = ?, source_id = ?, stance = ?, locator = ?, "
                "evidence_quote = ?, evidence_annotation_id = ?, created_at = ? WHERE id = ?",
                [[*_citation_values(c)[1:], c.id] for c in citations_changed],
            )
        if members:
            conn.executemany(
                "INSERT OR IGNORE INTO set_members (set_id, annotation_id) VALUES (?, ?)",
                members,
            )

    def _free_rowids(self, count: int) -> int | None:
        """The first of `count` rowids above every annotation's, or None past the largest."""
        largest = self.db.execute("SELECT max(rowid) FROM annotations").fetchone()[0]
        first = (largest or 0) + 1
        return first if first + count - 1 <= _MAX_ROWID else None

    def _rowids(self, annotation_ids: Sequence[str]) -> dict[str, int]:
        rowids: dict[str, int] = {}
        for i in range(0, len(annotation_ids), 500):
            chunk = annotation_ids[i : i + 500]
            marks = ", ".join("?" for _ in chunk)
            rowids.update(
                self.db.conn.execute(
                    f"SELECT id, rowid FROM annotations WHERE id IN ({marks})", chunk
                ).fetchall()
            )
        return rowids

    def link_evidence(self, links: Sequence[tuple[str, str]]) -> None:
        """(citation id, evidence annotation id): set where that annotation exists."""
        self.db.conn.executemany(
            "UPDATE citations SET evidence_annotation_id = ? WHERE id = ? "
            "AND EXISTS (SELECT 1 FROM annotations WHERE id = ?)",
            [(evidence, citation, evidence) for citation, evidence in links],
        )


def _citation_values(c: Citation) -> list[object]:
    return [
        c.id,
        c.annotation_id,
        c.source_id,
        str(c.stance),
        c.locator,
        c.evidence_quote,
        c.evidence_annotation_id,
        c.created_at,
    ]
