"""Candidate claims dismissed per document: reads and writes of `candidate_dismissals`."""

from __future__ import annotations

import sqlite_utils

from reader.claims import sentence_key


class DismissalStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def sentences(self, document_id: int) -> set[str]:
        rows = self.db.execute(
            "SELECT sentence FROM candidate_dismissals WHERE document_id = ?", [document_id]
        ).fetchall()
        return {row[0] for row in rows}

    def dismiss(self, document_id: int, sentence: str, now: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "INSERT OR IGNORE INTO candidate_dismissals (document_id, sentence, created_at) "
                "VALUES (?, ?, ?)",
                [document_id, sentence_key(sentence), now],
            )

    def restore(self, document_id: int, sentence: str) -> None:
        with self.db.atomic():
            self.db.execute(
                "DELETE FROM candidate_dismissals WHERE document_id = ? AND sentence = ?",
                [document_id, sentence_key(sentence)],
            )


__all__ = ["DismissalStore"]
