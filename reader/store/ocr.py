"""OCR text of scanned pages, kept per document version (by the version's sha256)."""

from __future__ import annotations

import json

import sqlite_utils


class OcrStore:
    def __init__(self, db: sqlite_utils.Database) -> None:
        self.db = db

    def save(self, sha256: str, pages: dict[int, dict]) -> None:
        with self.db.atomic():
            for page, got in pages.items():
                self.db.execute(
                    "INSERT OR REPLACE INTO ocr_pages (sha256, page, language, text, chars) "
                    "VALUES (?, ?, ?, ?, ?)",
                    [
                        sha256,
                        page,
                        got.get("language", ""),
                        got["text"],
                        json.dumps(got["chars"], separators=(",", ":")),
                    ],
                )

    def load(self, sha256: str) -> dict[int, dict]:
        rows = self.db.execute(
            "SELECT page, text, chars FROM ocr_pages WHERE sha256 = ? ORDER BY page", [sha256]
        ).fetchall()
        return {page: {"text": text, "chars": json.loads(chars)} for page, text, chars in rows}
