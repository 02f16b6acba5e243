"""Imported fact-checks, "same claim" links, and the full-text candidates of "seen before"."""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime

import sqlite_utils

from reader.model import FactCheck

# The stored fields, in the table's column order; each column is named as its FactCheck field.
_FIELDS = (
    "url", "claim", "rating", "rating_value", "best_rating", "worst_rating", "reviewer",
    "published", "claimant", "appearance", "claim_date",
)  # fmt: skip
_COLUMNS = ", ".join(_FIELDS)
_NUMBERS = frozenset({"rating_value", "best_rating", "worst_rating"})  # may be NULL


def _now() -> str:
    return datetime.now(UTC).isoformat(timespec="seconds").replace("+00:00", "Z")


def _row(check: FactCheck) -> tuple[object, ...]:
    return tuple(getattr(check, name) for name in _FIELDS)


def _check(r: Sequence[object]) -> FactCheck:
    values = {
        name: value if name in _NUMBERS else str(value)
        for name, value in zip(_FIELDS, r[1:], strict=True)
    }
    return FactCheck(id=int(r[0]), **values)  # type: ignore[arg-type]


class FactCheckStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    # -- fact-checks -------------------------------------------------------------------------

    def upsert(self, checks: Iterable[FactCheck]) -> tuple[int, int, int]:
        """Store each fact-check by its url in one transaction: (added, updated, unchanged).
        A url given twice counts once, the last one given wins."""
        by_url = {c.url: c for c in checks}
        added = updated = unchanged = 0
        now = _now()
        with self.db.atomic():
            for url, check in by_url.items():
                old = self.by_url(url)
                if old is None:
                    self.db.execute(
                        f"INSERT INTO fact_checks ({_COLUMNS}, imported_at, updated_at) "
                        "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                        [*_row(check), now, now],
                    )
                    added += 1
                elif _row(old) != _row(check):
                    self.db.execute(
                        "UPDATE fact_checks SET claim = ?, rating = ?, rating_value = ?, "
                        "best_rating = ?, worst_rating = ?, reviewer = ?, published = ?, "
                        "claimant = ?, appearance = ?, claim_date = ?, updated_at = ? "
                        "WHERE url = ?",
                        [*_row(check)[1:], now, url],
                    )
                    updated += 1
                else:
                    unchanged += 1
        return added, updated, unchanged

    def by_url(self, url: str) -> FactCheck | None:
        row = self.db.execute(
            f"SELECT id, {_COLUMNS} FROM fact_checks WHERE url = ?", [url]
        ).fetchone()
        return _check(row) if row else None

    def count(self) -> int:
        return int(self.db.execute("SELECT count(*) FROM fact_checks").fetchone()[0])

    def all(self) -> list[FactCheck]:
        rows = self.db.execute(f"SELECT id, {_COLUMNS} FROM fact_checks ORDER BY id")
        return [_check(r) for r in rows]

    def search(self, match: str, limit: int) -> list[FactCheck]:
        """Fact-checks whose claim matches the FTS5 query `match`, best (bm25) first."""
        if not match:
            return []
        rows = self.db.execute(
            f"SELECT f.id, {', '.join('f.' + c for c in _COLUMNS.split(', '))} FROM "
            "(SELECT rowid AS hit, rank FROM fact_checks_fts WHERE fact_checks_fts MATCH ? "
            f"ORDER BY rank LIMIT {int(limit)}) h JOIN fact_checks f ON f.id = h.hit "
            "ORDER BY h.rank",
            [match],
        )
        return [_check(r) for r in rows]

    def claims_of_checks_matching(self, match: str, limit: int) -> list[tuple[int, str]]:
        """(id, claim) of the fact-checks `search` finds, in its order: the candidates are
        decided on by their claim, and only the matches need reading whole (`by_ids`)."""
        if not match:
            return []
        rows = self.db.execute(
            "SELECT f.id, f.claim FROM (SELECT rowid AS hit, rank FROM fact_checks_fts WHERE "
            f"fact_checks_fts MATCH ? ORDER BY rank LIMIT {int(limit)}) h JOIN fact_checks f "
            "ON f.id = h.hit ORDER BY h.rank",
            [match],
        )
        return [(int(r[0]), str(r[1])) for r in rows]

    def by_ids(self, ids: Sequence[int]) -> dict[int, FactCheck]:
        if not ids:
            return {}
        rows = self.db.execute(
            f"SELECT id, {_COLUMNS} FROM fact_checks WHERE id IN (SELECT value FROM json_each(?))",
            [json.dumps(list(ids))],
        )
        return {int(r[0]): _check(r) for r in rows}

    def claims_matching(self, match: str, limit: int) -> list[tuple[str, str]]:
        """(id, quote) of claims (annotations of kind claim) whose quote or note matches the
        FTS5 query `match`, best (bm25) first."""
        if not match:
            return []
        # Over-fetched, as the FTS index also holds evidence, questions and comments.
        rows = self.db.execute(
            "SELECT a.id, a.quote FROM (SELECT rowid AS hit, rank FROM annotations_fts WHERE "
            f"annotations_fts MATCH ? ORDER BY rank LIMIT {int(limit) * 3}) h "
            "JOIN annotations a ON a.rowid = h.hit WHERE a.kind = 'claim' "
            f"ORDER BY h.rank LIMIT {int(limit)}",
            [match],
        )
        return [(r[0], r[1]) for r in rows]

    # -- same-claim links --------------------------------------------------------------------

    def link(self, annotation_id: str, target: str) -> bool:
        """Link a claim to another ("urn:uuid:…") or to a fact-check (its url); False if it
        was linked already."""
        with self.db.atomic():
            cur = self.db.execute(
                "INSERT OR IGNORE INTO claim_links (annotation_id, target, created_at) "
                "VALUES (?, ?, ?)",
                [annotation_id, target, _now()],
            )
        return bool(cur.rowcount)

    def unlink(self, annotation_id: str, target: str) -> None:
        """Remove the link either way round (a link between two claims is one link)."""
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM claim_links WHERE annotation_id = ? AND target = ?",
                [annotation_id, target],
            )
            if target.startswith("urn:uuid:"):
                self.db.execute(
                    "DELETE FROM claim_links WHERE annotation_id = ? AND target = ?",
                    [target.removeprefix("urn:uuid:"), f"urn:uuid:{annotation_id}"],
                )

    def links(self, annotation_id: str) -> list[str]:
        """What this claim is linked to as the same claim, either way round, oldest first
        (claims that are gone left out)."""
        return self.links_for([annotation_id]).get(annotation_id, [])

    def links_for(self, annotation_ids: Sequence[str]) -> dict[str, list[str]]:
        """`links` for many claims at once (the exports)."""
        found: dict[str, list[str]] = {}
        if not annotation_ids:
            return found
        ids = json.dumps(list(annotation_ids))
        rows = self.db.execute(
            "SELECT annotation_id, target, created_at FROM claim_links WHERE annotation_id IN "
            "(SELECT value FROM json_each(?)) AND (target NOT LIKE 'urn:uuid:%' OR "
            "substr(target, 10) IN (SELECT id FROM annotations)) UNION "
            "SELECT substr(target, 10), 'urn:uuid:' || annotation_id, created_at FROM "
            "claim_links WHERE target IN (SELECT 'urn:uuid:' || value FROM json_each(?)) "
            "AND annotation_id IN (SELECT id FROM annotations) ORDER BY 1, 3, 2",
            [ids, ids],
        )
        for annotation_id, target, _created in rows:
            found.setdefault(annotation_id, []).append(target)
        return found
