"""Annotation sets: named groups of annotations that may span documents."""

from __future__ import annotations

import sqlite3
from collections.abc import Iterable

import sqlite_utils

from reader.model import AnnotationSet


class SetExists(ValueError):
    """Another set already has that name (names are compared without case)."""


class SetStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def create(self, name: str, created_at: str) -> AnnotationSet:
        try:
            with self.db.atomic():
                cur = self.db.execute(
                    "INSERT INTO sets (name, created_at) VALUES (?, ?)", [name, created_at]
                )
        except sqlite3.IntegrityError:
            raise SetExists(f'A set named "{name}" already exists.') from None
        return AnnotationSet(int(cur.lastrowid), name, created_at)

    def rename(self, set_id: int, name: str) -> None:
        try:
            with self.db.atomic():
                self.db.execute("UPDATE sets SET name = ? WHERE id = ?", [name, set_id])
        except sqlite3.IntegrityError:
            raise SetExists(f'A set named "{name}" already exists.') from None

    def delete(self, set_id: int) -> None:
        with self.db.atomic():
            self.db.execute("DELETE FROM sets WHERE id = ?", [set_id])

    def all(self) -> list[AnnotationSet]:
        rows = self.db.execute(
            "SELECT s.id, s.name, s.created_at, "
            "(SELECT count(*) FROM set_members m WHERE m.set_id = s.id) "
            "FROM sets s ORDER BY s.name COLLATE NOCASE"
        ).fetchall()
        return [AnnotationSet(int(r[0]), r[1], r[2], int(r[3])) for r in rows]

    def by_name(self, name: str) -> AnnotationSet | None:
        row = self.db.execute(
            "SELECT s.id, s.name, s.created_at, "
            "(SELECT count(*) FROM set_members m WHERE m.set_id = s.id) "
            "FROM sets s WHERE s.name = ? COLLATE NOCASE",
            [name],
        ).fetchone()
        return AnnotationSet(int(row[0]), row[1], row[2], int(row[3])) if row else None

    def add(self, set_id: int, annotation_ids: Iterable[str]) -> int:
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "INSERT OR IGNORE INTO set_members (set_id, annotation_id) VALUES (?, ?)",
                [(set_id, a) for a in annotation_ids],
            )
            return self.db.conn.total_changes - before

    def remove(self, set_id: int, annotation_ids: Iterable[str]) -> int:
        with self.db.atomic():
            before = self.db.conn.total_changes
            self.db.conn.executemany(
                "DELETE FROM set_members WHERE set_id = ? AND annotation_id = ?",
                [(set_id, a) for a in annotation_ids],
            )
            return self.db.conn.total_changes - before

    def member_ids(self, set_id: int) -> list[str]:
        return [
            r[0]
            for r in self.db.execute(
                "SELECT annotation_id FROM set_members WHERE set_id = ?", [set_id]
            )
        ]

    def names_by_annotation(self) -> dict[str, list[str]]:
        """The names of every annotation's sets, ordered as `sets_of` orders them (one query)."""
        found: dict[str, list[str]] = {}
        for annotation_id, name in self.db.execute(
            "SELECT m.annotation_id, s.name FROM set_members m JOIN sets s ON s.id = m.set_id "
            "ORDER BY m.annotation_id, s.name COLLATE NOCASE"
        ):
            found.setdefault(annotation_id, []).append(name)
        return found

    def sets_of(self, annotation_id: str) -> list[AnnotationSet]:
        rows = self.db.execute(
            "SELECT s.id, s.name, s.created_at FROM sets s JOIN set_members m ON m.set_id = s.id "
            "WHERE m.annotation_id = ? ORDER BY s.name COLLATE NOCASE",
            [annotation_id],
        ).fetchall()
        return [AnnotationSet(int(r[0]), r[1], r[2]) for r in rows]
