"""The record of every annotation change: who, when, which field, the old and the new value.

The store writes these rows itself, inside the transaction of the change they describe (a
change and its record are committed together or not at all). The author is whoever the
library was told is working (`HistoryStore.author`: the Preferences name). The "created" entry
is not stored: it is the annotation's own `created_at` and `author`, so adding 100,000
annotations writes no extra rows.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Iterable, Sequence

import sqlite_utils

from reader.model import HISTORY_FIELDS, Annotation, HistoryEntry, MergeConflict

__all__ = ["HistoryStore", "field_values"]

_IDS = "(SELECT value FROM json_each(?))"
_TRACKED_SELECT = (
    "SELECT a.id, a.kind, a.status, a.claimant, a.note, "
    "COALESCE((SELECT group_concat(tag, '; ') FROM "
    "(SELECT tag FROM annotation_tags t WHERE t.annotation_id = a.id ORDER BY tag)), ''), "
    "a.color, a.author FROM annotations a"
)
_INSERT = (
    "INSERT OR IGNORE INTO history (id, annotation_id, time, author, field, old, new, ref) "
    "VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
)


def field_values(a: Annotation) -> dict[str, str]:
    """The annotation's recorded fields as the history writes them (tags sorted, "; ")."""
    return {
        "kind": str(a.kind),
        "status": str(a.status),
        "claimant": a.claimant,
        "note": a.note,
        "tags": "; ".join(sorted(a.tags)),
        "color": a.color,
        "author": a.author,
    }


def _now() -> str:
    from reader.store.repo import utc_now

    return utc_now()


class HistoryStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db
        self.author = ""  # set by the library: the name every change is recorded under

    # -- writing (inside the caller's transaction) ---------------------------------------------

    def tracked(self, annotation_ids: Sequence[str]) -> dict[str, dict[str, str]]:
        """The recorded fields of each stored annotation among these ids, as stored now."""
        found: dict[str, dict[str, str]] = {}
        for i in range(0, len(annotation_ids), 5000):
            chunk = json.dumps(list(annotation_ids[i : i + 5000]))
            for r in self.db.execute(f"{_TRACKED_SELECT} WHERE a.id IN {_IDS}", [chunk]):
                found[r[0]] = dict(zip(HISTORY_FIELDS, r[1:], strict=True))
        return found

    def record_changes(
        self, before: dict[str, dict[str, str]], after: Iterable[Annotation], time: str = ""
    ) -> int:
        """One row per recorded field that differs between `before` (from `tracked`) and the
        annotation as now written; returns how many rows."""
        time = time or _now()
        rows = []
        for a in after:
            old = before.get(a.id)
            if old is None:
                continue
            new = field_values(a)
            for name in HISTORY_FIELDS:
                if old[name] != new[name]:
                    rows.append(
                        (str(uuid.uuid4()), a.id, time, self.author, name, old[name], new[name], "")
                    )
        self.db.conn.executemany(_INSERT, rows)
        return len(rows)

    def record(
        self,
        annotation_id: str,
        field: str,
        old: str | None,
        new: str | None,
        *,
        ref: str = "",
        author: str | None = None,
        time: str = "",
    ) -> None:
        self.db.execute(
            _INSERT,
            [
                str(uuid.uuid4()),
                annotation_id,
                time or _now(),
                self.author if author is None else author,
                field,
                old,
                new,
                ref,
            ],
        )

    def citation_label(self, source_id: int, stance: str) -> str:
        """How a citation reads in the history: the source's title (or URL) and the stance."""
        row = self.db.execute(
            "SELECT title, url, doi FROM sources WHERE id = ?", [source_id]
        ).fetchone()
        name = next((v for v in (row or ()) if v), f"source {source_id}")
        return f"{name} ({stance})"

    def mentions(self, ref: str) -> bool:
        """Whether any entry is about the citation with this id."""
        row = self.db.execute("SELECT EXISTS (SELECT 1 FROM history WHERE ref = ?)", [ref])
        return bool(row.fetchone()[0])

    def has_past(self, annotation_id: str) -> bool:
        row = self.db.execute(
            "SELECT EXISTS (SELECT 1 FROM history WHERE annotation_id = ?)", [annotation_id]
        ).fetchone()
        return bool(row[0])

    # -- reading -------------------------------------------------------------------------------

    def entries(self, annotation_id: str) -> list[HistoryEntry]:
        """The annotation's history, oldest first, its creation first of all."""
        entries: list[HistoryEntry] = []
        created = self.db.execute(
            "SELECT created_at, author, quote FROM annotations WHERE id = ?", [annotation_id]
        ).fetchone()
        if created is not None:
            entries.append(HistoryEntry(created[0], created[1], "created", None, created[2]))
        for r in self.db.execute(
            "SELECT time, author, field, old, new, id, ref FROM history "
            "WHERE annotation_id = ? ORDER BY time, rowid",
            [annotation_id],
        ):
            entries.append(HistoryEntry(*r))
        return entries

    def authors(self) -> list[str]:
        """Everyone who made or changed an annotation, by name."""
        return [
            r[0]
            for r in self.db.execute(
                "SELECT author FROM annotations WHERE author != '' UNION "
                "SELECT author FROM history WHERE author != '' ORDER BY 1 COLLATE NOCASE"
            )
        ]

    def annotation_ids_by(self, author: str) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT id FROM annotations WHERE author = ? UNION "
                "SELECT annotation_id FROM history WHERE author = ? "
                "AND annotation_id IN (SELECT id FROM annotations)",
                [author, author],
            )
        ]

    def for_annotations(self, annotation_ids: Sequence[str]) -> dict[str, list[HistoryEntry]]:
        """Stored entries (not the derived "created") of each of these ids, oldest first."""
        grouped: dict[str, list[HistoryEntry]] = {}
        for i in range(0, len(annotation_ids), 5000):
            chunk = json.dumps(list(annotation_ids[i : i + 5000]))
            for r in self.db.execute(
                "SELECT annotation_id, time, author, field, old, new, id, ref FROM history "
                f"WHERE annotation_id IN {_IDS} ORDER BY annotation_id, time, rowid",
                [chunk],
            ):
                grouped.setdefault(r[0], []).append(HistoryEntry(*r[1:]))
        return grouped

    # -- merge conflicts -------------------------------------------------------------------------

    _CONFLICT_SELECT = (
        "SELECT c.id, c.annotation_id, c.field, c.mine, c.theirs, c.kept, c.time, "
        "COALESCE(a.quote, '') FROM merge_conflicts c "
        "LEFT JOIN annotations a ON a.id = c.annotation_id"
    )

    def open_conflicts(self) -> list[MergeConflict]:
        return [
            MergeConflict(*r)
            for r in self.db.execute(
                f"{self._CONFLICT_SELECT} WHERE c.resolved = 0 ORDER BY c.time DESC, c.id"
            )
        ]

    def conflict(self, conflict_id: int) -> MergeConflict | None:
        row = self.db.execute(f"{self._CONFLICT_SELECT} WHERE c.id = ?", [conflict_id]).fetchone()
        return MergeConflict(*row) if row else None

    def close_conflict(self, conflict_id: int) -> None:
        self.db.execute("UPDATE merge_conflicts SET resolved = 1 WHERE id = ?", [conflict_id])
