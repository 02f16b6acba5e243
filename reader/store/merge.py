"""Merging another Claim Reader library file into this one, table by table.

The other file is attached read-only (`mode=ro`) and never written. Everything happens in the
caller's one transaction: documents by the SHA-256 of their versions, annotations by id, sources
by their normalised DOI / ISBN / URL keys, citations by id, sets by name, history entries by id.
New rows are copied with INSERT … SELECT (no row crosses into Python); only annotations that
differ on the two sides are compared in Python, field by field, with their histories: a field
changed on one side only since the two last met takes that side's value; changed on both, the
newer edit wins and the other value is kept in the history and in `merge_conflicts`.

Every table of the schema is in `HANDLED_TABLES` (merged) or `LOCAL_TABLES` (this library's
own): a test fails when a migration adds a table this module has not been taught.
"""

from __future__ import annotations

import sqlite3
import uuid
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from reader.model import HISTORY_FIELDS
from reader.store.migrations import migrations

__all__ = [
    "HANDLED_TABLES",
    "LOCAL_TABLES",
    "MergeRefused",
    "MergeResult",
    "is_library_file",
    "merge_library",
]

# Merged from the other library, in this order.
HANDLED_TABLES = (
    "documents",
    "versions",
    "sources",
    "source_keys",
    "annotations",
    "annotation_tags",
    "annotations_fts",
    "citations",
    "sets",
    "set_members",
    "history",
    "claim_details",
    "ocr_pages",
    "fact_checks",
    "claim_links",
)
# This library's own: the migrations record, the merge's own findings, and FTS5's shadow
# tables (rebuilt from the rows above, never copied).
LOCAL_TABLES = (
    "_sqlite_migrations",
    # Derived from documents this library opened (a version's text is kept again when it is
    # opened here) and from its own re-anchoring (an orphan's candidate places).
    "version_texts",
    "anchor_candidates",
    "merge_conflicts",
    # The user's own library-wide choices (the reviewing organisation of ClaimReview).
    "library_settings",
    # Where this user left each document (zoom, scroll): a colleague's places are theirs.
    "view_places",
    # The candidate claims this user dismissed: a colleague's reading is theirs.
    "candidate_dismissals",
    "annotations_fts_data",
    "annotations_fts_idx",
    "annotations_fts_content",
    "annotations_fts_docsize",
    "annotations_fts_config",
    # Kept in step with `sources` by triggers as merged sources are inserted.
    "sources_fts",
    "sources_fts_data",
    "sources_fts_idx",
    "sources_fts_docsize",
    "sources_fts_config",
    # Kept in step with `fact_checks` by triggers as merged fact-checks are inserted.
    "fact_checks_fts",
    "fact_checks_fts_data",
    "fact_checks_fts_idx",
    "fact_checks_fts_docsize",
    "fact_checks_fts_config",
)

_SQLITE_MAGIC = b"SQLite format 3\x00"
_ALIAS = "other"


class MergeRefused(Exception):
    """The other file cannot be merged; str() is one sentence for the user."""


@dataclass
class MergeResult:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    conflicts: int = 0
    # (sha256, the other library's snapshot path) of versions whose snapshot was copied in:
    # the library copies the files and `set_snapshot` records where they went.
    snapshots: list[tuple[str, str]] = field(default_factory=list)


def is_library_file(path: str | Path) -> bool:
    """Whether `path` is a Claim Reader library (an SQLite file with our migrations record).

    Read-only, and False for anything that is not an SQLite file at all."""
    path = Path(path)
    try:
        with path.open("rb") as raw:
            if raw.read(16) != _SQLITE_MAGIC:
                return False
    except OSError:
        return False
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
        try:
            row = conn.execute(
                "SELECT EXISTS (SELECT 1 FROM sqlite_master WHERE type = 'table' AND name = ?)",
                [migrations.migrations_table],
            ).fetchone()
            if not row[0]:
                return False
            row = conn.execute(
                f"SELECT EXISTS (SELECT 1 FROM {migrations.migrations_table} "
                "WHERE migration_set = ?)",
                [migrations.name],
            ).fetchone()
            return bool(row[0])
        finally:
            conn.close()
    except sqlite3.DatabaseError:
        return False


def attach_read_only(db: sqlite_utils.Database, path: Path) -> None:
    """Attach `path` as `other`, read-only; raises MergeRefused if it cannot be."""
    resolved = path.resolve()
    if db.conn.in_transaction:
        raise RuntimeError("attach before the merge's transaction begins")
    try:
        db.conn.execute(f"ATTACH DATABASE ? AS {_ALIAS}", [f"{resolved.as_uri()}?mode=ro"])
    except sqlite3.DatabaseError as exc:
        raise MergeRefused(f"{path} cannot be opened as a library ({exc}).") from None
    attached = {row[1]: row[2] for row in db.conn.execute("PRAGMA database_list")}
    if Path(attached.get(_ALIAS) or "") != resolved:  # a build without URI file names
        detach(db)
        raise MergeRefused(f"{path} cannot be opened read-only by this SQLite build.")


def detach(db: sqlite_utils.Database) -> None:
    db.conn.execute(f"DETACH DATABASE {_ALIAS}")


def _tables(db: sqlite_utils.Database, schema: str) -> set[str]:
    return {
        r[0] for r in db.execute(f"SELECT name FROM {schema}.sqlite_master WHERE type = 'table'")
    }


def _columns(db: sqlite_utils.Database, schema: str, table: str) -> list[str]:
    return [r[1] for r in db.execute(f"PRAGMA {schema}.table_info({table})")]


def check_schema(db: sqlite_utils.Database, name: str) -> None:
    """Refuse a library whose schema has changes this version of the program does not know."""
    tables = _tables(db, _ALIAS)
    if migrations.migrations_table not in tables or "annotations" not in tables:
        raise MergeRefused(f"{name} is not a Claim Reader library.")
    applied = {
        r[0]
        for r in db.execute(
            f"SELECT name FROM {_ALIAS}.{migrations.migrations_table} WHERE migration_set = ?",
            [migrations.name],
        )
    }
    known = {m.name for m in migrations._migrations}
    if applied - known:
        raise MergeRefused(
            f"{name} was written by a newer version of Claim Reader; update Claim Reader to "
            "merge it."
        )


class _Merger:
    def __init__(self, db: sqlite_utils.Database, author: str, now: str, name: str) -> None:
        self.db = db
        self.author = author
        self.now = now
        self.name = name
        self.result = MergeResult()
        self.their_tables = _tables(db, _ALIAS)

    def has(self, table: str) -> bool:
        return table in self.their_tables

    def shared_columns(self, table: str) -> list[str]:
        """Columns both libraries' `table` has (an older library lacks newer columns)."""
        theirs = set(_columns(self.db, _ALIAS, table))
        return [c for c in _columns(self.db, "main", table) if c in theirs]

    # -- documents and versions ----------------------------------------------------------------

    def documents(self) -> None:
        db = self.db
        db.execute("CREATE TEMP TABLE m_doc (other INTEGER PRIMARY KEY, mine INTEGER NOT NULL)")
        db.execute("CREATE TEMP TABLE m_ver (other INTEGER PRIMARY KEY, mine INTEGER NOT NULL)")
        # Same bytes are the same document, whatever its name: the first version we share.
        db.execute(
            "INSERT OR IGNORE INTO temp.m_doc (other, mine) "
            f"SELECT ov.document_id, mv.document_id FROM {_ALIAS}.versions ov "
            "JOIN main.versions mv ON mv.sha256 = ov.sha256 ORDER BY ov.id"
        )
        doc_cols = [c for c in self.shared_columns("documents") if c != "id"]
        for (other_id,) in db.execute(
            f"SELECT id FROM {_ALIAS}.documents WHERE id NOT IN (SELECT other FROM temp.m_doc) "
            "ORDER BY id"
        ).fetchall():
            names = ", ".join(doc_cols)
            cur = db.execute(
                f"INSERT INTO main.documents ({names}) SELECT {names} FROM {_ALIAS}.documents "
                "WHERE id = ?",
                [other_id],
            )
            db.execute(
                "INSERT INTO temp.m_doc (other, mine) VALUES (?, ?)", [other_id, cur.lastrowid]
            )
        db.execute(
            "INSERT INTO temp.m_ver (other, mine) SELECT ov.id, mv.id FROM "
            f"{_ALIAS}.versions ov JOIN main.versions mv ON mv.sha256 = ov.sha256"
        )
        ver_cols = [c for c in self.shared_columns("versions") if c not in ("id", "document_id")]
        names = ", ".join(ver_cols)
        new_versions = db.execute(
            f"SELECT ov.id, ov.sha256, ov.snapshot FROM {_ALIAS}.versions ov "
            "WHERE ov.id NOT IN (SELECT other FROM temp.m_ver) ORDER BY ov.id"
        ).fetchall()
        for other_id, sha, snapshot in new_versions:
            cur = db.execute(
                f"INSERT INTO main.versions (document_id, {names}) SELECT md.mine, "
                f"{', '.join('ov.' + c for c in ver_cols)} FROM {_ALIAS}.versions ov "
                "JOIN temp.m_doc md ON md.other = ov.document_id WHERE ov.id = ?",
                [other_id],
            )
            db.execute(
                "INSERT INTO temp.m_ver (other, mine) VALUES (?, ?)", [other_id, cur.lastrowid]
            )
            if snapshot:
                self.result.snapshots.append((sha, snapshot))
        # A snapshot we lack of bytes we share (we had the file, they had the fetched page).
        for sha, snapshot in db.execute(
            f"SELECT ov.sha256, ov.snapshot FROM {_ALIAS}.versions ov JOIN main.versions mv "
            "ON mv.sha256 = ov.sha256 WHERE ov.snapshot != '' AND mv.snapshot = ''"
        ).fetchall():
            self.result.snapshots.append((sha, snapshot))

    # -- sources -------------------------------------------------------------------------------

    def sources(self) -> None:
        db = self.db
        db.execute("CREATE TEMP TABLE m_src (other INTEGER PRIMARY KEY, mine INTEGER NOT NULL)")
        if not self.has("sources"):
            return
        # A shared DOI / ISBN / normalised URL key: the same work.
        db.execute(
            "INSERT OR IGNORE INTO temp.m_src (other, mine) "
            f"SELECT ok.source_id, min(mk.source_id) FROM {_ALIAS}.source_keys ok "
            "JOIN main.source_keys mk ON mk.key = ok.key GROUP BY ok.source_id"
        )
        # Without keys: the same title and date, as an import matches them.
        db.execute(
            "INSERT OR IGNORE INTO temp.m_src (other, mine) "
            f"SELECT os.id, (SELECT min(ms.id) FROM main.sources ms WHERE ms.title = os.title "
            f"AND ms.issued = os.issued) FROM {_ALIAS}.sources os "
            f"WHERE os.title != '' AND NOT EXISTS (SELECT 1 FROM {_ALIAS}.source_keys k "
            "WHERE k.source_id = os.id) AND EXISTS (SELECT 1 FROM main.sources ms "
            "WHERE ms.title = os.title AND ms.issued = os.issued)"
        )
        cols = [c for c in self.shared_columns("sources") if c not in ("id", "document_id")]
        names = ", ".join(cols)
        for (other_id,) in db.execute(
            f"SELECT id FROM {_ALIAS}.sources WHERE id NOT IN (SELECT other FROM temp.m_src) "
            "ORDER BY id"
        ).fetchall():
            cur = db.execute(
                f"INSERT INTO main.sources (document_id, {names}) SELECT "
                "(SELECT mine FROM temp.m_doc WHERE other = os.document_id), "
                f"{', '.join('os.' + c for c in cols)} FROM {_ALIAS}.sources os WHERE os.id = ?",
                [other_id],
            )
            db.execute(
                "INSERT INTO temp.m_src (other, mine) VALUES (?, ?)", [other_id, cur.lastrowid]
            )
            db.execute(
                "INSERT OR IGNORE INTO main.source_keys (key, source_id) "
                f"SELECT key, ? FROM {_ALIAS}.source_keys WHERE source_id = ?",
                [cur.lastrowid, other_id],
            )

    # -- annotations ---------------------------------------------------------------------------

    def annotations(self) -> None:
        db = self.db
        cols = [c for c in self.shared_columns("annotations") if c not in ("document_id",)]
        cols = [c for c in cols if c != "version_id"]
        db.execute("CREATE TEMP TABLE m_new (id TEXT PRIMARY KEY)")
        # What we deleted stays deleted: a colleague's older copy does not bring it back.
        db.execute(
            f"INSERT INTO temp.m_new (id) SELECT o.id FROM {_ALIAS}.annotations o "
            "WHERE NOT EXISTS (SELECT 1 FROM main.annotations m WHERE m.id = o.id) "
            "AND COALESCE((SELECT h.field = 'deleted' FROM main.history h "
            "WHERE h.annotation_id = o.id ORDER BY h.time DESC, h.rowid DESC LIMIT 1), 0) = 0"
        )
        quoted = ", ".join(f'"{c}"' for c in cols)
        cur = db.execute(
            f"INSERT INTO main.annotations (document_id, version_id, {quoted}) "
            f"SELECT md.mine, mv.mine, {', '.join(f'o.{chr(34)}{c}{chr(34)}' for c in cols)} "
            f"FROM {_ALIAS}.annotations o JOIN temp.m_new n ON n.id = o.id "
            "JOIN temp.m_doc md ON md.other = o.document_id "
            "JOIN temp.m_ver mv ON mv.other = o.version_id"
        )
        self.result.added = max(cur.rowcount, 0)
        if self.has("annotation_tags"):
            db.execute(
                "INSERT OR IGNORE INTO main.annotation_tags (annotation_id, tag) "
                f"SELECT t.annotation_id, t.tag FROM {_ALIAS}.annotation_tags t "
                "JOIN temp.m_new n ON n.id = t.annotation_id"
            )
        db.execute(
            "INSERT INTO main.annotations_fts (rowid, quote, note, tags, claimant) "
            "SELECT a.rowid, a.quote, a.note, COALESCE((SELECT group_concat(tag, ' ') FROM "
            "main.annotation_tags t WHERE t.annotation_id = a.id), ''), a.claimant "
            "FROM main.annotations a JOIN temp.m_new n ON n.id = a.id"
        )

    def _differing(self) -> list[str]:
        """Ids both libraries have whose recorded fields differ."""
        tags = (
            "COALESCE((SELECT group_concat(tag, '; ') FROM (SELECT tag FROM {s}.annotation_tags "
            "t WHERE t.annotation_id = {a}.id ORDER BY tag)), '')"
        )
        compare = " OR ".join(f"o.{f} IS NOT m.{f}" for f in HISTORY_FIELDS if f != "tags")
        rows = self.db.execute(
            f"SELECT o.id FROM {_ALIAS}.annotations o JOIN main.annotations m ON m.id = o.id "
            f"WHERE o.id NOT IN (SELECT id FROM temp.m_new) AND ({compare} OR "
            f"{tags.format(s=_ALIAS, a='o')} IS NOT {tags.format(s='main', a='m')})"
        ).fetchall()
        return [r[0] for r in rows]

    def common_count(self) -> int:
        return int(
            self.db.execute(
                f"SELECT count(*) FROM {_ALIAS}.annotations o JOIN main.annotations m "
                "ON m.id = o.id WHERE o.id NOT IN (SELECT id FROM temp.m_new)"
            ).fetchone()[0]
        )

    def _fields(self, schema: str, annotation_id: str) -> tuple[dict[str, str], str]:
        row = self.db.execute(
            f"SELECT kind, status, claimant, note, COALESCE((SELECT group_concat(tag, '; ') FROM "
            f"(SELECT tag FROM {schema}.annotation_tags WHERE annotation_id = a.id "
            "ORDER BY tag)), ''), color, author, updated_at "
            f"FROM {schema}.annotations a WHERE id = ?",
            [annotation_id],
        ).fetchone()
        return dict(zip(HISTORY_FIELDS, row[:-1], strict=True)), str(row[-1])

    def _history(self, schema: str, annotation_id: str) -> dict[str, tuple[str, str]]:
        """id -> (field, time) of the annotation's stored history entries."""
        if schema == _ALIAS and not self.has("history"):
            return {}
        return {
            r[0]: (r[1], r[2])
            for r in self.db.execute(
                f"SELECT id, field, time FROM {schema}.history WHERE annotation_id = ?",
                [annotation_id],
            )
        }

    def reconcile(self) -> set[str]:
        """Field by field for every annotation that differs; returns the ids changed here."""
        changed: set[str] = set()
        for annotation_id in self._differing():
            mine, mine_time = self._fields("main", annotation_id)
            theirs, their_time = self._fields(_ALIAS, annotation_id)
            my_past = self._history("main", annotation_id)
            their_past = self._history(_ALIAS, annotation_id)
            take: dict[str, str] = {}
            for name in HISTORY_FIELDS:
                if mine[name] == theirs[name]:
                    continue
                my_edits = [t for i, (f, t) in my_past.items() if f == name and i not in their_past]
                their_edits = [
                    t for i, (f, t) in their_past.items() if f == name and i not in my_past
                ]
                if their_edits and not my_edits:
                    take[name] = theirs[name]
                    continue
                if my_edits and not their_edits:
                    continue
                # Both changed it since they last met (or neither kept a record): newer wins;
                # the same choice whichever library merges into which.
                mine_at = max(my_edits, default=mine_time)
                theirs_at = max(their_edits, default=their_time)
                theirs_win = (theirs_at, theirs[name]) > (mine_at, mine[name])
                winner, loser = (theirs, mine) if theirs_win else (mine, theirs)
                if theirs_win:
                    take[name] = theirs[name]
                self.db.execute(
                    "INSERT INTO main.merge_conflicts (annotation_id, field, mine, theirs, kept, "
                    "other_library, time) VALUES (?, ?, ?, ?, ?, ?, ?)",
                    [
                        annotation_id,
                        name,
                        mine[name],
                        theirs[name],
                        "theirs" if theirs_win else "mine",
                        self.name,
                        self.now,
                    ],
                )
                # The value that lost stays on the record, next to the one that won.
                self.db.execute(
                    "INSERT INTO main.history (id, annotation_id, time, author, field, old, new, "
                    "ref) VALUES (?, ?, ?, ?, ?, ?, ?, 'merge conflict')",
                    [
                        str(uuid.uuid4()),
                        annotation_id,
                        self.now,
                        self.author,
                        name,
                        loser[name],
                        winner[name],
                    ],
                )
                self.result.conflicts += 1
            if take:
                self._write(annotation_id, take, max(mine_time, their_time))
                changed.add(annotation_id)
        return changed

    def _write(self, annotation_id: str, take: dict[str, str], updated_at: str) -> None:
        db = self.db
        scalar = {k: v for k, v in take.items() if k != "tags"}
        sets = ", ".join([*(f"{k} = ?" for k in scalar), "updated_at = ?"])
        db.execute(
            f"UPDATE main.annotations SET {sets} WHERE id = ?",
            [*scalar.values(), updated_at, annotation_id],
        )
        if "tags" in take:
            db.execute("DELETE FROM main.annotation_tags WHERE annotation_id = ?", [annotation_id])
            db.conn.executemany(
                "INSERT OR IGNORE INTO main.annotation_tags (annotation_id, tag) VALUES (?, ?)",
                [(annotation_id, t) for t in take["tags"].split("; ") if t],
            )
        rowid, quote, note, claimant = db.execute(
            "SELECT rowid, quote, note, claimant FROM main.annotations WHERE id = ?",
            [annotation_id],
        ).fetchone()
        tags = [
            r[0]
            for r in db.execute(
                "SELECT tag FROM main.annotation_tags WHERE annotation_id = ? ORDER BY tag",
                [annotation_id],
            )
        ]
        db.execute("DELETE FROM main.annotations_fts WHERE rowid = ?", [rowid])
        db.execute(
            "INSERT INTO main.annotations_fts (rowid, quote, note, tags, claimant) "
            "VALUES (?, ?, ?, ?, ?)",
            [rowid, quote, note, " ".join(tags), claimant],
        )

    def deletions(self) -> set[str]:
        """Annotations they deleted after our last change to them: deleted here too (the
        history says so), so both libraries end with the same annotations."""
        if not self.has("history"):
            return set()
        db = self.db
        gone = [
            r[0]
            for r in db.execute(
                f"SELECT m.id, m.rowid FROM main.annotations m JOIN {_ALIAS}.history h "
                "ON h.annotation_id = m.id AND h.field = 'deleted' AND h.time > m.updated_at "
                "WHERE NOT EXISTS (SELECT 1 FROM main.history mh WHERE mh.id = h.id) "
                f"AND h.time = (SELECT max(time) FROM {_ALIAS}.history h2 "
                "WHERE h2.annotation_id = m.id)"
            ).fetchall()
        ]
        for annotation_id in gone:
            db.execute(
                "DELETE FROM main.annotations_fts WHERE rowid = "
                "(SELECT rowid FROM main.annotations WHERE id = ?)",
                [annotation_id],
            )
            db.execute("DELETE FROM main.annotations WHERE id = ?", [annotation_id])
        return set(gone)

    # -- history, citations, sets --------------------------------------------------------------

    def history(self) -> None:
        if not self.has("history"):
            return
        names = ", ".join(self.shared_columns("history"))
        self.db.execute(
            f"INSERT OR IGNORE INTO main.history ({names}) SELECT {names} FROM {_ALIAS}.history"
        )

    def citations(self) -> set[str]:
        """Their citations we lack (unless the history says one was removed since), and ours
        they removed; returns the annotations whose citations changed."""
        if not self.has("citations"):
            return set()
        db = self.db
        # The latest entry about a citation says whether it is attached now.
        removed = (
            "(SELECT h.new IS NULL FROM main.history h WHERE h.ref = {c}.id AND "
            "h.field = 'citation' ORDER BY h.time DESC, h.rowid DESC LIMIT 1)"
        )
        cols = [
            c
            for c in self.shared_columns("citations")
            if c not in ("source_id", "evidence_annotation_id")
        ]
        touched = {
            r[0]
            for r in db.execute(
                f"SELECT DISTINCT c.annotation_id FROM {_ALIAS}.citations c "
                "WHERE NOT EXISTS (SELECT 1 FROM main.citations m WHERE m.id = c.id) "
                "AND c.annotation_id IN (SELECT id FROM main.annotations) "
                f"AND c.annotation_id NOT IN (SELECT id FROM temp.m_new) "
                f"AND COALESCE({removed.format(c='c')}, 0) = 0"
            )
        }
        db.execute(
            f"INSERT INTO main.citations (source_id, evidence_annotation_id, "
            f"{', '.join(cols)}) SELECT s.mine, (SELECT id FROM main.annotations WHERE id = "
            f"c.evidence_annotation_id), {', '.join('c.' + x for x in cols)} "
            f"FROM {_ALIAS}.citations c JOIN temp.m_src s ON s.other = c.source_id "
            "WHERE NOT EXISTS (SELECT 1 FROM main.citations m WHERE m.id = c.id) "
            "AND c.annotation_id IN (SELECT id FROM main.annotations) "
            f"AND COALESCE({removed.format(c='c')}, 0) = 0"
        )
        gone = db.execute(
            f"SELECT id, annotation_id FROM main.citations m WHERE "
            f"COALESCE({removed.format(c='m')}, 0) = 1"
        ).fetchall()
        for citation_id, annotation_id in gone:
            db.execute("DELETE FROM main.citations WHERE id = ?", [citation_id])
            touched.add(annotation_id)
        return touched

    def sets(self) -> None:
        if not self.has("sets"):
            return
        db = self.db
        db.execute(
            "INSERT OR IGNORE INTO main.sets (name, created_at) "
            f"SELECT name, created_at FROM {_ALIAS}.sets"
        )
        if self.has("set_members"):
            db.execute(
                "INSERT OR IGNORE INTO main.set_members (set_id, annotation_id) "
                f"SELECT ms.id, om.annotation_id FROM {_ALIAS}.set_members om "
                f"JOIN {_ALIAS}.sets os ON os.id = om.set_id "
                "JOIN main.sets ms ON ms.name = os.name COLLATE NOCASE "
                "WHERE om.annotation_id IN (SELECT id FROM main.annotations)"
            )

    def claim_details(self) -> None:
        """A claim's review details (what was reviewed, when claimed, who claims): theirs
        where we have none (ours are kept: they are not on the record field by field)."""
        if not self.has("claim_details"):
            return
        names = ", ".join(self.shared_columns("claim_details"))
        self.db.execute(
            f"INSERT OR IGNORE INTO main.claim_details ({names}) SELECT {names} "
            f"FROM {_ALIAS}.claim_details WHERE annotation_id IN (SELECT id FROM main.annotations)"
        )

    def ocr_pages(self) -> None:
        """Text they read by OCR from scanned pages of versions we have: not read again."""
        if not self.has("ocr_pages"):
            return
        names = ", ".join(self.shared_columns("ocr_pages"))
        self.db.execute(
            f"INSERT OR IGNORE INTO main.ocr_pages ({names}) SELECT {names} "
            f"FROM {_ALIAS}.ocr_pages WHERE sha256 IN (SELECT sha256 FROM main.versions)"
        )

    def fact_checks(self) -> None:
        """Published fact-checks they imported that we have not (ours kept: the same url is
        the same review, and a re-import updates it)."""
        if not self.has("fact_checks"):
            return
        names = ", ".join(c for c in self.shared_columns("fact_checks") if c != "id")
        self.db.execute(
            f"INSERT OR IGNORE INTO main.fact_checks ({names}) SELECT {names} "
            f"FROM {_ALIAS}.fact_checks"
        )

    def claim_links(self) -> None:
        """Their "same claim" links from claims we now have."""
        if not self.has("claim_links"):
            return
        self.db.execute(
            "INSERT OR IGNORE INTO main.claim_links (annotation_id, target, created_at) "
            f"SELECT annotation_id, target, created_at FROM {_ALIAS}.claim_links "
            "WHERE annotation_id IN (SELECT id FROM main.annotations)"
        )

    def drop_temp(self) -> None:
        for table in ("m_doc", "m_ver", "m_src", "m_new"):
            self.db.execute(f"DROP TABLE IF EXISTS temp.{table}")


def merge_library(db: sqlite_utils.Database, name: str, author: str, now: str) -> MergeResult:
    """Merge the attached `other` library into main; the caller holds the transaction."""
    check_schema(db, name)
    merger = _Merger(db, author, now, name)
    try:
        merger.documents()
        merger.sources()
        merger.annotations()
        common = merger.common_count()
        changed = merger.reconcile()
        changed |= merger.deletions()
        merger.history()
        changed |= merger.citations()
        merger.sets()
        merger.claim_details()
        merger.ocr_pages()
        merger.fact_checks()
        merger.claim_links()
        merger.result.updated = len(changed)
        merger.result.unchanged = common - len(changed)
        return merger.result
    finally:
        merger.drop_temp()


def set_snapshot(db: sqlite_utils.Database, sha256: str, path: str) -> None:
    db.execute("UPDATE versions SET snapshot = ? WHERE sha256 = ?", [path, sha256])
