"""Reads and writes returning `reader.model` objects, never raw rows."""

from __future__ import annotations

import json
import zlib
from collections.abc import Iterable, Sequence
from dataclasses import replace
from datetime import UTC, datetime

import sqlite_utils

from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    DocumentKind,
    DocumentRecord,
    Metadata,
    PageRect,
    TextAnchor,
)


def utc_now() -> str:
    # Microseconds, so "recent" orders documents opened within the same second.
    return datetime.now(UTC).isoformat(timespec="microseconds").replace("+00:00", "Z")


_DOC_COLUMNS = (
    "d.id, v.sha256, d.kind, d.title, d.author, d.published, d.source, d.pages, "
    "d.first_opened, d.last_opened, "
    "(SELECT count(*) FROM annotations a WHERE a.document_id = d.id)"
)


class Repository:
    def __init__(self, db: sqlite_utils.Database) -> None:
        from reader.store.fact_checks import FactCheckStore
        from reader.store.history import HistoryStore
        from reader.store.ocr import OcrStore
        from reader.store.places import PlaceStore
        from reader.store.sets import SetStore
        from reader.store.sources import SourceStore

        self.db = db
        self.history = HistoryStore(db)
        self.sources = SourceStore(db, self.history)
        self.sets = SetStore(db)
        self.ocr = OcrStore(db)
        self.places = PlaceStore(db)
        self.fact_checks = FactCheckStore(db)

    @property
    def author(self) -> str:
        """The name every change from now on is recorded under."""
        return self.history.author

    @author.setter
    def author(self, name: str) -> None:
        self.history.author = name

    def close(self) -> None:
        self.db.close()

    def transaction(self):
        """Several changes as one: all are committed together or none is."""
        return self.db.atomic()

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
                annotation_count=r[10],
            )
            for r in self.db.execute(sql, params).fetchall()
        ]

    def document_by_sha(self, sha256: str) -> DocumentRecord | None:
        found = self._records(
            "d.id = (SELECT document_id FROM versions WHERE sha256 = ?)", [sha256]
        )
        return found[0] if found else None

    def documents_at(self, location: str) -> list[DocumentRecord]:
        """Documents last opened from `location` (a path or URL) or published at it."""
        return self._records(
            "d.source = ? OR d.url = ?", [location, location], "ORDER BY d.last_opened DESC"
        )

    def documents_of_kind(self, kind: str) -> list[DocumentRecord]:
        """Every document of one kind ("pdf" …), most recently opened first."""
        return self._records("d.kind = ?", [kind], "ORDER BY d.last_opened DESC")

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

    def version_id(self, sha256: str) -> int | None:
        row = self.db.execute("SELECT id FROM versions WHERE sha256 = ?", [sha256]).fetchone()
        return int(row[0]) if row else None

    def version_sha(self, version_id: int) -> str:
        row = self.db.execute("SELECT sha256 FROM versions WHERE id = ?", [version_id]).fetchone()
        return row[0] if row else ""

    # -- version texts and orphans' candidate places -------------------------------------------

    def has_version_text(self, version_id: int) -> bool:
        row = self.db.execute(
            "SELECT 1 FROM version_texts WHERE version_id = ?", [version_id]
        ).fetchone()
        return row is not None

    def remember_version_text(self, version_id: int, text: str) -> None:
        """Keep a version's normalized text (once): the next version is aligned with it."""
        # Level 1: a 3 MB text compresses in ~15 ms to about a third; level 6 saves little more.
        packed = zlib.compress(text.encode("utf-8", "surrogatepass"), 1)
        with self.db.atomic():
            self.db.execute(
                "INSERT OR IGNORE INTO version_texts (version_id, text) VALUES (?, ?)",
                [version_id, packed],
            )

    def version_text(self, version_id: int) -> str | None:
        row = self.db.execute(
            "SELECT text FROM version_texts WHERE version_id = ?", [version_id]
        ).fetchone()
        if row is None:
            return None
        return zlib.decompress(row[0]).decode("utf-8", "surrogatepass")

    def document_of_version(self, version_id: int) -> int:
        row = self.db.execute(
            "SELECT document_id FROM versions WHERE id = ?", [version_id]
        ).fetchone()
        return int(row[0]) if row else 0

    def version_text_by_sha(self, sha256: str) -> str | None:
        version = self.version_id(sha256)
        return None if version is None else self.version_text(version)

    def set_candidates(self, found: dict[str, Sequence[tuple[int, int]]]) -> None:
        """Replace the candidate places of these annotations (empty: none any more)."""
        with self.db.atomic():
            for annotation_id, spans in found.items():
                self.db.execute(
                    "DELETE FROM anchor_candidates WHERE annotation_id = ?", [annotation_id]
                )
                self.db.conn.executemany(
                    'INSERT OR IGNORE INTO anchor_candidates (annotation_id, start, "end") '
                    "VALUES (?, ?, ?)",
                    [(annotation_id, s, e) for s, e in spans],
                )

    def candidates(self, annotation_id: str) -> list[tuple[int, int]]:
        return [
            (int(r[0]), int(r[1]))
            for r in self.db.execute(
                'SELECT start, "end" FROM anchor_candidates WHERE annotation_id = ? ORDER BY start',
                [annotation_id],
            )
        ]

    def document_by_id(self, document_id: int) -> DocumentRecord | None:
        found = self._records("d.id = ?", [document_id])
        return found[0] if found else None

    # -- annotations -------------------------------------------------------------------------

    def add_annotation(self, annotation: Annotation) -> Annotation:
        with self.db.atomic():
            self._insert_annotation(annotation)
        return annotation

    def add_annotations(self, annotations: Iterable[Annotation]) -> None:
        with self.db.atomic():
            for annotation in annotations:
                self._insert_annotation(annotation)

    def _insert_annotation(self, a: Annotation) -> None:
        if self.history.has_past(a.id):  # an undone delete: the record says it came back
            self.history.record(a.id, "restored", None, a.anchor.quote)
        cur = self.db.execute(
            "INSERT INTO annotations (id, document_id, version_id, kind, color, status, "
            'claimant, note, author, quote, prefix, suffix, start, "end", anchor_state, page, '
            "rects, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, "
            "?, ?, ?, ?)",
            [a.id, *_columns(a)],
        )
        self._write_tags(a)
        self._write_fts(int(cur.lastrowid), a)
        if a.claim_reviewed or a.claim_date or a.claimant_type:
            self.write_claim_details([a], new=True)

    def update_annotation(self, annotation: Annotation) -> Annotation:
        """Write every field of `annotation` over the stored row with the same id."""
        with self.db.atomic():
            self._update_rows(annotation)
        return annotation

    def update_annotations(self, annotations: Sequence[Annotation]) -> None:
        with self.db.atomic():
            for annotation in annotations:
                self._update_rows(annotation)

    def _update_rows(self, a: Annotation) -> None:
        # An UPDATE, never delete + insert: rows that point at the annotation (citations, set
        # memberships) must not be cascaded away by an edit.
        before = self.history.tracked([a.id])
        self.db.execute(
            "UPDATE annotations SET document_id = ?, version_id = ?, kind = ?, color = ?, "
            "status = ?, claimant = ?, note = ?, author = ?, quote = ?, prefix = ?, suffix = ?, "
            'start = ?, "end" = ?, anchor_state = ?, page = ?, rects = ?, created_at = ?, '
            "updated_at = ? WHERE id = ?",
            [*_columns(a), a.id],
        )
        self.db.execute("DELETE FROM annotation_tags WHERE annotation_id = ?", [a.id])
        self._write_tags(a)
        self.write_claim_details([a])
        row = self.db.execute("SELECT rowid FROM annotations WHERE id = ?", [a.id]).fetchone()
        if row is not None:
            self._write_fts(row[0], a)
        self.history.record_changes(before, [a])

    def write_claim_details(self, annotations: Sequence[Annotation], *, new: bool = False) -> None:
        """Store each annotation's claim wording, claim date and claimant type (a row only
        for annotations that have one of them; `new` ones have no row to remove)."""
        rows = [
            (a.id, a.claim_reviewed, a.claim_date, a.claimant_type)
            for a in annotations
            if a.claim_reviewed or a.claim_date or a.claimant_type
        ]
        if not new:
            self.db.conn.executemany(
                "DELETE FROM claim_details WHERE annotation_id = ?",
                [
                    (a.id,)
                    for a in annotations
                    if not (a.claim_reviewed or a.claim_date or a.claimant_type)
                ],
            )
        self.db.conn.executemany(
            "INSERT OR REPLACE INTO claim_details (annotation_id, claim_reviewed, claim_date, "
            "claimant_type) VALUES (?, ?, ?, ?)",
            rows,
        )

    def with_claim_details(self, annotations: list[Annotation]) -> list[Annotation]:
        """`annotations` with their stored claim details filled in."""
        if not annotations:
            return annotations
        found = {
            r[0]: r[1:]
            for r in self.db.execute(
                "SELECT annotation_id, claim_reviewed, claim_date, claimant_type FROM "
                "claim_details WHERE annotation_id IN (SELECT value FROM json_each(?))",
                [json.dumps([a.id for a in annotations])],
            )
        }
        if not found:
            return annotations
        return [
            replace(a, claim_reviewed=d[0], claim_date=d[1], claimant_type=d[2])
            if (d := found.get(a.id))
            else a
            for a in annotations
        ]

    def setting(self, key: str, default: str = "") -> str:
        row = self.db.execute("SELECT value FROM library_settings WHERE key = ?", [key]).fetchone()
        return row[0] if row else default

    def set_setting(self, key: str, value: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT OR REPLACE INTO library_settings (key, value) VALUES (?, ?)", [key, value]
            )

    def _write_tags(self, a: Annotation) -> None:
        self.db.conn.executemany(
            "INSERT OR IGNORE INTO annotation_tags (annotation_id, tag) VALUES (?, ?)",
            [(a.id, tag) for tag in a.tags],
        )

    def _write_fts(self, rowid: int, a: Annotation) -> None:
        self.db.execute("DELETE FROM annotations_fts WHERE rowid = ?", [rowid])
        self.db.execute(
            "INSERT INTO annotations_fts (rowid, quote, note, tags, claimant) "
            "VALUES (?, ?, ?, ?, ?)",
            [rowid, a.anchor.quote, a.note, " ".join(a.tags), a.claimant],
        )

    def delete_annotation(self, annotation_id: str) -> Annotation | None:
        with self.db.atomic():
            found = self.annotation(annotation_id)
            if found is not None:
                row = self.db.execute(
                    "SELECT rowid FROM annotations WHERE id = ?", [annotation_id]
                ).fetchone()
                self.db.execute("DELETE FROM annotations_fts WHERE rowid = ?", [row[0]])
                self.db.execute("DELETE FROM annotations WHERE id = ?", [annotation_id])
                self.history.record(annotation_id, "deleted", found.anchor.quote, None)
        return found

    def annotation(self, annotation_id: str) -> Annotation | None:
        found = self._annotations("a.id = ?", [annotation_id])
        return found[0] if found else None

    def document_title(self, document_id: int) -> str:
        """A document's title alone (document_by_id also counts its annotations)."""
        row = self.db.execute("SELECT title FROM documents WHERE id = ?", [document_id]).fetchone()
        return row[0] if row else ""

    def annotations_by_ids(self, ids: Sequence[str]) -> list[Annotation]:
        """The stored annotations among `ids`, in the order of `ids`."""
        where = "a.id IN (SELECT value FROM json_each(?))"
        found = {a.id: a for a in self._annotations(where, [json.dumps(list(ids))])}
        return [found[i] for i in ids if i in found]

    def recent_annotations(self, kind: str, limit: int) -> list[Annotation]:
        """Annotations of one kind, most recently changed first."""
        return self._annotations(
            "a.kind = ?", [kind], order=f"a.updated_at DESC LIMIT {int(limit)}"
        )

    def annotations_for_document(self, document_id: int) -> list[Annotation]:
        return self._annotations("a.document_id = ?", [document_id])

    def all_annotations(self) -> list[Annotation]:
        return self._annotations("1", [])

    def _annotations(
        self,
        where: str,
        params: list[object],
        *,
        join: str = "",
        order: str = 'a.document_id, a.start, a."end"',
        with_rowid: bool = False,
    ) -> list:
        sql = (
            "SELECT a.id, a.document_id, a.version_id, a.kind, a.color, a.status, a.claimant, "
            'a.note, a.author, a.quote, a.prefix, a.suffix, a.start, a."end", a.anchor_state, '
            f"a.page, a.rects, a.created_at, a.updated_at, a.rowid FROM annotations a {join} "
            f"WHERE {where} ORDER BY {order}"
        )
        rows = self.db.execute(sql, params).fetchall()
        # Tags for all rows in one query (a subquery per row cost more than the rows), by the
        # ids just read: running `where` again would repeat a full-text MATCH.
        tags: dict[str, list[str]] = {}
        if rows:
            tag_sql = (
                "SELECT t.annotation_id, t.tag FROM annotation_tags t WHERE t.annotation_id IN "
                "(SELECT value FROM json_each(?)) ORDER BY t.tag"
            )
            ids = json.dumps([r[0] for r in rows])
            for annotation_id, tag in self.db.execute(tag_sql, [ids]):
                tags.setdefault(annotation_id, []).append(tag)
        # One JSON parse for every row's rectangles: 10,000 json.loads calls cost more than
        # the parsing itself.
        all_rects = json.loads("[" + ",".join(r[16] for r in rows) + "]")
        found = self.with_claim_details(
            [
                _annotation_from_row(r, tags.get(r[0], ()), rects)
                for r, rects in zip(rows, all_rects, strict=True)
            ]
        )
        if with_rowid:
            return [(r[19], a) for r, a in zip(rows, found, strict=True)]
        return found

    def search_annotations(self, query: str, limit: int = 500) -> list[Annotation]:
        """Full-text search over quote, note, tags and claimant (FTS5), best match first."""
        match = _fts_query(query)
        if not match:
            return []
        # One statement: the best `limit` matches, joined to their rows in rank order.
        return self._annotations(
            "1",
            [match],
            join="JOIN (SELECT rowid AS hit, rank FROM annotations_fts WHERE annotations_fts "
            f"MATCH ? ORDER BY rank LIMIT {int(limit)}) f ON a.rowid = f.hit",
            order="f.rank",
        )

    def all_tags(self) -> list[str]:
        return [
            r[0] for r in self.db.execute("SELECT DISTINCT tag FROM annotation_tags ORDER BY tag")
        ]


def _columns(a: Annotation) -> list[object]:
    """The annotations row after its id, in the column order of INSERT and UPDATE."""
    anchor = a.anchor
    return [
        a.document_id,
        a.version_id,
        str(a.kind),
        a.color,
        str(a.status),
        a.claimant,
        a.note,
        a.author,
        anchor.quote,
        anchor.prefix,
        anchor.suffix,
        anchor.start,
        anchor.end,
        str(anchor.state),
        a.page,
        _rects_json(a.rects),
        a.created_at,
        a.updated_at,
    ]


def _rects_json(rects: Sequence[PageRect]) -> str:
    return json.dumps(
        [[r.page, round(r.x0, 2), round(r.y0, 2), round(r.x1, 2), round(r.y1, 2)] for r in rects]
    )


def _fts_query(text: str) -> str:
    # Every word must occur (prefix match on the last one, for search-as-you-type); quotes
    # make each word a literal so punctuation in user input is never FTS syntax.
    words = [w for w in text.replace('"', " ").split() if w]
    if not words:
        return ""
    parts = [f'"{w}"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)


_KINDS = {k.value: k for k in AnnotationKind}
_STATUSES = {v.value: v for v in ClaimStatus}
_STATES = {v.value: v for v in AnchorState}


def _frozen(cls, values: dict) -> object:
    """An instance of the frozen dataclass `cls` from stored values, without its __init__.

    A frozen dataclass's __init__ sets each field through object.__setattr__; for the 500 rows
    of a search that was most of the time spent above SQLite (2.4 µs an Annotation against
    0.8). Only for rows this store wrote: every field is given, with the right type."""
    instance = object.__new__(cls)
    instance.__dict__.update(values)
    return instance


def _annotation_from_row(
    r: Sequence[object], tags: Sequence[str], raw_rects: list | None = None
) -> Annotation:
    if raw_rects is None:
        raw_rects = json.loads(r[16])
    rects = (
        tuple(
            [
                _frozen(PageRect, {"page": p, "x0": x0, "y0": y0, "x1": x1, "y1": y1})
                for p, x0, y0, x1, y1 in raw_rects
            ]
        )
        if raw_rects
        else ()
    )
    anchor = _frozen(
        TextAnchor,
        {
            "quote": r[9],
            "prefix": r[10],
            "suffix": r[11],
            "start": r[12],
            "end": r[13],
            "state": _STATES[r[14]],
        },
    )
    return _frozen(  # type: ignore[return-value]
        Annotation,
        {
            "id": r[0],
            "document_id": r[1],
            "version_id": r[2],
            "anchor": anchor,
            "kind": _KINDS[r[3]],
            "color": r[4],
            "status": _STATUSES[r[5]],
            "claimant": r[6],
            "note": r[7],
            "tags": tuple(tags),
            "author": r[8],
            "page": r[15],
            "rects": rects,
            "created_at": r[17],
            "updated_at": r[18],
        },
    )
