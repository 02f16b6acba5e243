"""Reading a Zotero library (``zotero.sqlite``): PDF attachments, their annotations, their
parent items. Opened read-only and immutable, so Zotero's file is never written (not even a
journal beside it), whether or not Zotero is running.

Tables and columns as Zotero's ``resource/schema/userdata.sql`` defines them: ``items``,
``itemTypes``, ``itemAttachments`` (``path`` ``storage:NAME`` lives in
``storage/<attachment key>/NAME`` beside the database; other paths are linked files),
``itemAnnotations`` (``type`` 1 highlight, 2 note, 3 image, 4 ink, 5 underline, 6 text;
``position`` JSON with ``pageIndex``), ``tags`` / ``itemTags``, ``itemData`` /
``itemDataValues`` / ``fields``, ``creators`` / ``itemCreators`` / ``creatorTypes``.
"""

from __future__ import annotations

import json
import sqlite3
from dataclasses import dataclass
from pathlib import Path

__all__ = [
    "ZoteroAnnotation",
    "ZoteroAttachment",
    "ZoteroError",
    "is_zotero_library",
    "read_zotero",
]

# Zotero's annotation types that mark text or a place (images and ink mark no text).
_KINDS = {1: "highlight", 2: "note", 5: "underline", 6: "text"}
_NEEDED = {"items", "itemAttachments", "itemAnnotations", "itemData", "itemDataValues"}


class ZoteroError(Exception):
    """A Zotero library that cannot be read; str() is one sentence for the user."""


@dataclass(frozen=True)
class ZoteroAnnotation:
    key: str
    kind: str  # "highlight" | "note" | "underline" | "text"
    text: str
    comment: str
    color: str
    page_index: int  # 0-based, -1 when unknown
    page_label: str
    tags: tuple[str, ...]
    author: str
    added: str
    modified: str


@dataclass(frozen=True)
class ZoteroAttachment:
    key: str
    title: str  # the parent item's title, else the attachment's
    path: Path | None  # the PDF on this machine, None when Zotero has no file for it
    parent: dict[str, object]  # the parent item as CSL-JSON ("" fields left out)
    annotations: tuple[ZoteroAnnotation, ...]


def _connect(path: Path) -> sqlite3.Connection:
    uri = path.resolve().as_uri() + "?mode=ro&immutable=1"
    return sqlite3.connect(uri, uri=True)


def is_zotero_library(path: str | Path) -> bool:
    """Whether the SQLite file at `path` has Zotero's item, attachment and annotation tables."""
    try:
        conn = _connect(Path(path))
        try:
            names = {
                r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")
            }
        finally:
            conn.close()
    except sqlite3.Error:
        return False
    return _NEEDED <= names


# Zotero item types → CSL types, for the common ones.
_CSL_TYPES = {
    "journalArticle": "article-journal",
    "magazineArticle": "article-magazine",
    "newspaperArticle": "article-newspaper",
    "book": "book",
    "bookSection": "chapter",
    "report": "report",
    "thesis": "thesis",
    "webpage": "webpage",
    "blogPost": "post-weblog",
    "dataset": "dataset",
    "statute": "legislation",
    "document": "document",
    "preprint": "article",
}
# Zotero fields → CSL variables.
_CSL_FIELDS = {
    "title": "title",
    "publicationTitle": "container-title",
    "websiteTitle": "container-title",
    "bookTitle": "container-title",
    "publisher": "publisher",
    "institution": "publisher",
    "date": "issued",
    "url": "URL",
    "DOI": "DOI",
    "ISBN": "ISBN",
    "accessDate": "accessed",
    "extra": "note",
}


def read_zotero(path: str | Path, keys: set[str] | None = None) -> list[ZoteroAttachment]:
    """The PDF attachments of the library (those with `keys`, or all) with their
    annotations, in the library's order."""
    path = Path(path)
    try:
        conn = _connect(path)
    except sqlite3.Error as exc:
        raise ZoteroError(f"{path.name} cannot be opened as a Zotero library ({exc}).") from None
    try:
        return _read(conn, path.parent, keys)
    except sqlite3.Error as exc:
        raise ZoteroError(
            f"{path.name} is not a Zotero library Claim Reader can read ({exc})."
        ) from None
    finally:
        conn.close()


class _Names:
    """Which of Zotero's tables this library has: the "Combined" ones (with custom fields and
    types, filled at Zotero's start) when present, else the plain ones."""

    def __init__(self, conn: sqlite3.Connection) -> None:
        tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")}
        self.fields = "fieldsCombined" if "fieldsCombined" in tables else "fields"
        self.types = "itemTypesCombined" if "itemTypesCombined" in tables else "itemTypes"
        self.deleted = "deletedItems" in tables
        self.creator_types = "creatorTypes" in tables


def _fields(conn: sqlite3.Connection, names: _Names, item_id: int) -> dict[str, str]:
    return {
        name: str(value)
        for name, value in conn.execute(
            f"SELECT f.fieldName, v.value FROM itemData d JOIN {names.fields} f "
            "ON f.fieldID = d.fieldID JOIN itemDataValues v ON v.valueID = d.valueID "
            "WHERE d.itemID = ?",
            [item_id],
        )
    }


def _creators(conn: sqlite3.Connection, names: _Names, item_id: int) -> list[dict[str, str]]:
    # Authors when the item names any, else every creator (editors of an edited volume).
    kind = (
        ", (SELECT t.creatorType = 'author' FROM creatorTypes t "
        "WHERE t.creatorTypeID = ic.creatorTypeID)"
        if names.creator_types
        else ", 1"
    )
    try:
        rows = conn.execute(
            f"SELECT c.firstName, c.lastName, c.fieldMode{kind} FROM itemCreators ic "
            "JOIN creators c ON c.creatorID = ic.creatorID WHERE ic.itemID = ? "
            "ORDER BY ic.orderIndex",
            [item_id],
        ).fetchall()
    except sqlite3.OperationalError:  # a library without creator tables
        return []
    if any(r[3] for r in rows):
        rows = [r for r in rows if r[3]]
    names = []
    for first, last, mode, _author in rows:
        if mode == 1 or not first:
            names.append({"literal": last or first or ""})
        else:
            names.append({"family": last or "", "given": first})
    return names


def _csl(conn: sqlite3.Connection, names: _Names, item_id: int | None) -> dict[str, object]:
    if item_id is None:
        return {}
    row = conn.execute(
        f"SELECT t.typeName FROM items i JOIN {names.types} t ON t.itemTypeID = i.itemTypeID "
        "WHERE i.itemID = ?",
        [item_id],
    ).fetchone()
    item: dict[str, object] = {"type": _CSL_TYPES.get(row[0] if row else "", "document")}
    for name, value in _fields(conn, names, item_id).items():
        variable = _CSL_FIELDS.get(name)
        if variable and value.strip() and variable not in item:
            item[variable] = value.strip()
    authors = _creators(conn, names, item_id)
    if authors:
        item["author"] = authors
    return item


def _tags(conn: sqlite3.Connection, item_id: int) -> tuple[str, ...]:
    return tuple(
        r[0]
        for r in conn.execute(
            "SELECT t.name FROM itemTags it JOIN tags t ON t.tagID = it.tagID "
            "WHERE it.itemID = ? ORDER BY t.name",
            [item_id],
        )
    )


def _file(base: Path, key: str, stored: str | None) -> Path | None:
    if not stored:
        return None
    if stored.startswith("storage:"):
        return base / "storage" / key / stored[len("storage:") :]
    if stored.startswith("attachments:"):
        return None  # relative to a base folder set in Zotero's preferences, not in the file
    return Path(stored)


def _read(conn: sqlite3.Connection, base: Path, keys: set[str] | None) -> list[ZoteroAttachment]:
    names = _Names(conn)
    # Items in Zotero's trash are left out, as Zotero leaves them out of the library.
    live = " AND i.itemID NOT IN (SELECT itemID FROM deletedItems)" if names.deleted else ""
    attachments = []
    rows = conn.execute(
        "SELECT i.itemID, i.key, a.parentItemID, a.path FROM itemAttachments a "
        "JOIN items i ON i.itemID = a.itemID WHERE a.contentType = 'application/pdf'"
        f"{live} ORDER BY i.itemID"
    ).fetchall()
    for item_id, key, parent_id, stored in rows:
        if keys is not None and key not in keys:
            continue
        parent = _csl(conn, names, parent_id)
        title = str(parent.get("title") or _fields(conn, names, item_id).get("title") or key)
        annotations = []
        for r in conn.execute(
            "SELECT i.itemID, i.key, a.type, a.authorName, a.text, a.comment, a.color, "
            "a.pageLabel, a.position, i.dateAdded, i.dateModified FROM itemAnnotations a "
            f"JOIN items i ON i.itemID = a.itemID WHERE a.parentItemID = ?{live} "
            "ORDER BY a.sortIndex",
            [item_id],
        ):
            kind = _KINDS.get(r[2])
            if kind is None:
                continue
            try:
                position = json.loads(r[8] or "{}")
                page_index = int(position.get("pageIndex", -1))
            except (ValueError, TypeError, AttributeError):
                page_index = -1
            annotations.append(
                ZoteroAnnotation(
                    key=r[1],
                    kind=kind,
                    text=r[4] or "",
                    comment=r[5] or "",
                    color=r[6] or "",
                    page_index=page_index,
                    page_label=r[7] or "",
                    tags=_tags(conn, r[0]),
                    author=r[3] or "",
                    added=str(r[9] or ""),
                    modified=str(r[10] or ""),
                )
            )
        attachments.append(
            ZoteroAttachment(key, title, _file(base, key, stored), parent, tuple(annotations))
        )
    return attachments
