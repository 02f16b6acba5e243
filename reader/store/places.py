"""Where each document was left in the view: reads and writes of `view_places`."""

from __future__ import annotations

import sqlite_utils

from reader.model import ViewPlace


class PlaceStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def get(self, document_id: int) -> ViewPlace | None:
        row = self.db.execute(
            "SELECT zoom, fit, position FROM view_places WHERE document_id = ?", [document_id]
        ).fetchone()
        return ViewPlace(float(row[0]), str(row[1]), float(row[2])) if row else None

    def put(self, document_id: int, place: ViewPlace, now: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT INTO view_places (document_id, zoom, fit, position, updated_at) "
                "VALUES (?, ?, ?, ?, ?) ON CONFLICT(document_id) DO UPDATE SET zoom = "
                "excluded.zoom, fit = excluded.fit, position = excluded.position, "
                "updated_at = excluded.updated_at",
                [document_id, place.zoom, place.fit, place.position, now],
            )


__all__ = ["PlaceStore"]
