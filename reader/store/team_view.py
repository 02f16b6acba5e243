"""What the team view (Datasette) says about the library: table names and descriptions, the
full-text indexes, and the canned queries a desk asks every day. Plain data; SQL lives here
because only the store speaks SQL."""

from __future__ import annotations

import sqlite3
from pathlib import Path
from typing import Any

__all__ = ["DATABASE_NAME", "metadata", "snapshot_copy"]

DATABASE_NAME = "library"

_TABLES: dict[str, dict[str, Any]] = {
    "annotations": {
        "title": "Claims and annotations",
        "description": "Every highlighted passage: claims, evidence, questions and comments, "
        "with their status, claimant, note and who made them. A row links to its document; "
        "its citations list the sources.",
        "label_column": "quote",
        "fts_table": "annotations_fts",
        "fts_pk": "rowid",
        "facets": ["kind", "status", "author"],
        "sort_desc": "updated_at",
    },
    "documents": {
        "title": "Documents",
        "description": "The PDFs, articles and pages annotated, by title and where they were "
        "opened from.",
        "label_column": "title",
    },
    "versions": {
        "title": "Document versions",
        "description": "Each distinct set of bytes a document had, by SHA-256.",
        "label_column": "sha256",
    },
    "sources": {
        "title": "Sources",
        "description": "The works claims are checked against (CSL-JSON fields: title, "
        "authors, publisher, date, URL, DOI, ISBN).",
        "label_column": "title",
        "fts_table": "sources_fts",
        "fts_pk": "id",
    },
    "citations": {
        "title": "Citations",
        "description": "One annotation pointing to one source, with its stance (supports, "
        "refutes, context), locator and evidence quote.",
        "label_column": "stance",
        "facets": ["stance"],
    },
    "annotation_tags": {"title": "Tags", "description": "One row per tag of an annotation."},
    "sets": {
        "title": "Annotation sets",
        "description": "Named groups of annotations (a story, a desk, a deadline).",
        "label_column": "name",
    },
    "set_members": {"title": "Set members", "description": "Which annotation is in which set."},
    "history": {
        "title": "History",
        "description": "Every change of an annotation: who, when, which field, old and new "
        "value (creation is the annotation's own created_at and author).",
        "facets": ["author", "field"],
        "sort_desc": "time",
    },
    "merge_conflicts": {
        "title": "Merged with conflicts",
        "description": "Fields both libraries had changed when they were merged; the newer "
        "edit was kept.",
    },
    "source_keys": {
        "title": "Source keys",
        "description": "Normalised DOI, ISBN and URL of each source (how duplicates are found).",
    },
}

_CLAIM_COLUMNS = (
    "a.id AS annotation_id, a.quote, a.status, a.claimant, a.note, a.author, "
    "d.title AS document, a.updated_at"
)
_QUERIES: dict[str, dict[str, Any]] = {
    "claims_by_status": {
        "title": "Claims by status",
        "description": "How many claims have each status.",
        "sql": "SELECT status, count(*) AS claims FROM annotations WHERE kind = 'claim' "
        "GROUP BY status ORDER BY claims DESC",
    },
    "claims_with_sources": {
        "title": "Claims with their sources and stances",
        "description": "Each claim with every source cited on it and how the source bears on it.",
        "sql": f"SELECT {_CLAIM_COLUMNS}, c.stance, s.title AS source, s.url AS source_url, "
        "s.doi AS source_doi, c.locator FROM annotations a "
        "JOIN documents d ON d.id = a.document_id "
        "JOIN citations c ON c.annotation_id = a.id JOIN sources s ON s.id = c.source_id "
        "WHERE a.kind = 'claim' ORDER BY d.title, a.start, c.created_at",
    },
    "refuted_and_misleading": {
        "title": "Refuted and misleading claims",
        "description": "The claims found false or misleading, newest change first.",
        "sql": f"SELECT {_CLAIM_COLUMNS} FROM annotations a "
        "JOIN documents d ON d.id = a.document_id "
        "WHERE a.kind = 'claim' AND a.status IN ('refuted', 'misleading') "
        "ORDER BY a.updated_at DESC",
    },
    "recent_changes": {
        "title": "Recent changes",
        "description": "The latest 200 changes from the history, newest first.",
        "sql": "SELECT h.time, h.author, h.field, h.old, h.new, h.annotation_id, a.quote "
        "FROM history h LEFT JOIN annotations a ON a.id = h.annotation_id "
        "ORDER BY h.time DESC LIMIT 200",
    },
}


def metadata(title: str, plugins: dict[str, Any] | None = None) -> dict[str, Any]:
    """Datasette metadata for a library served as `DATABASE_NAME`."""
    data: dict[str, Any] = {
        "title": title,
        "description": "A Claim Reader library, read-only. Search claims and sources; the "
        "queries below answer the questions a desk asks every day.",
        "databases": {
            DATABASE_NAME: {
                "description": "Claims, their sources, and who changed what.",
                "tables": _TABLES,
                "queries": _QUERIES,
            }
        },
    }
    if plugins:
        data["plugins"] = plugins
    return data


def snapshot_copy(library: Path, target: Path) -> None:
    """A consistent copy of the library (SQLite's backup, read-only on the library) that the
    desktop app may go on writing to while the copy is served unchanging (immutable)."""
    source = sqlite3.connect(f"{library.resolve().as_uri()}?mode=ro", uri=True)
    try:
        copy = sqlite3.connect(target)
        try:
            source.backup(copy)
            # A plain rollback-journal file: an immutable reader never looks for a WAL.
            copy.execute("PRAGMA journal_mode = DELETE")
        finally:
            copy.close()
    finally:
        source.close()
