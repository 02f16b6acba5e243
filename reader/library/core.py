"""The library's state (its database, its author, its snapshot folder) and its sets:
what every part of the façade builds on (see reader/library/__init__.py)."""

from __future__ import annotations

import getpass
from dataclasses import dataclass
from pathlib import Path

from reader.documents import DocumentBackend
from reader.model import AnnotationSet, DocumentRecord
from reader.store import Repository, open_database


def default_author() -> str:
    """The system user's full name where the system knows it, else the login name."""
    try:
        import pwd

        full = pwd.getpwuid(__import__("os").getuid()).pw_gecos.split(",")[0].strip()
        if full:
            return full
    except (ImportError, KeyError, OSError):
        pass
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return ""


def preferred_author(db_path: Path | None) -> str:
    """The Preferences name (the window's settings.ini beside the library), else the system
    user's name: so the command line records changes under the same name as the window."""
    if db_path is not None:
        import configparser

        parser = configparser.ConfigParser(interpolation=None)
        try:
            parser.read(db_path.parent / "settings.ini", encoding="utf-8")
            value = parser.get("preferences", "author", fallback="").strip()
        except (configparser.Error, OSError, UnicodeDecodeError):
            value = ""
        # QSettings quotes a value with commas or leading spaces.
        if len(value) >= 2 and value[0] == value[-1] == '"':
            value = value[1:-1].replace('\\"', '"').replace("\\\\", "\\")
        if value.strip():
            return " ".join(value.split())
    return default_author()


def utc_now() -> str:
    from reader.store.repo import utc_now as now

    return now()


@dataclass(frozen=True)
class OpenedDocument:
    """A document open in the library: its backend (text, pages) and its stored record."""

    document: DocumentBackend
    record: DocumentRecord
    notice: str = ""  # something the user should know, e.g. that an offline copy is shown



def is_url(text: str) -> bool:
    from reader.documents.urls import looks_like_url

    return looks_like_url(text)


def clean_tags(tags: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:  # type: ignore[attr-defined]
        t = " ".join(str(tag).split())
        if t:
            seen.setdefault(t, None)
    return tuple(seen)


def text_if_ready(document) -> str | None:
    """The document's normalized text if it can be had without reading a big PDF's pages, and
    is final: scanned pages still waiting for OCR would make it a text the document does not
    keep (nothing is checked or kept against it)."""
    if document.kind.paged:
        if not getattr(document, "text_ready", True):
            return None
        waiting = getattr(document, "pages_needing_ocr", None)
        if waiting is not None and waiting():
            return None
    return document.text


def is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as raw:
            return raw.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


class LibraryCore:
    """Opens the database; the parts (opening, annotating, sources …) add the rest."""

    def __init__(self, db_path: str | Path, *, fetch_timeout: float = 15.0) -> None:
        self.fetch_timeout = fetch_timeout
        self.db_path = Path(db_path) if str(db_path) != ":memory:" else None
        self.repo = Repository(open_database(db_path))
        self.repo.author = preferred_author(self.db_path)
        from reader.seen_before import SeenBefore

        self.seen_before = SeenBefore(self)  # earlier claims and fact-checks like a claim
        base = self.db_path.parent if self.db_path else Path.cwd()
        self.snapshot_dir = base / "snapshots"

    @property
    def author(self) -> str:
        """Who is working: new annotations and every change are recorded under this name."""
        return self.repo.author

    @author.setter
    def author(self, name: str) -> None:
        self.repo.author = " ".join(name.split()) or default_author()

    def close(self) -> None:
        self.repo.close()

    def transaction(self):
        """A block whose changes are committed together, or not at all."""
        return self.repo.transaction()

    def _exchange_store(self):
        from reader.store.exchange import ExchangeStore

        return ExchangeStore(self.repo)

    # -- sets --------------------------------------------------------------------------------------

    def sets(self) -> list[AnnotationSet]:
        """Every set with its member count, by name."""
        return self.repo.sets.all()

    def set_named(self, name: str) -> AnnotationSet | None:
        return self.repo.sets.by_name(name)

    def create_set(self, name: str) -> AnnotationSet:
        name = " ".join(name.split())
        if not name:
            raise ValueError("A set needs a name.")
        return self.repo.sets.create(name, utc_now())

    def ensure_set(self, name: str) -> AnnotationSet:
        return self.set_named(" ".join(name.split())) or self.create_set(name)

    def rename_set(self, set_id: int, name: str) -> None:
        name = " ".join(name.split())
        if not name:
            raise ValueError("A set needs a name.")
        self.repo.sets.rename(set_id, name)

    def delete_set(self, set_id: int) -> None:
        """Delete the set; its annotations stay."""
        self.repo.sets.delete(set_id)

    def add_to_set(self, set_id: int, annotation_ids: list[str]) -> int:
        return self.repo.sets.add(set_id, annotation_ids)

    def remove_from_set(self, set_id: int, annotation_ids: list[str]) -> int:
        return self.repo.sets.remove(set_id, annotation_ids)

    def set_members(self, set_id: int) -> list[str]:
        return self.repo.sets.member_ids(set_id)

    def sets_of(self, annotation_id: str) -> list[AnnotationSet]:
        return self.repo.sets.sets_of(annotation_id)

    def set_names_by_annotation(self) -> dict[str, list[str]]:
        """Every annotation's set names at once (a listing of many annotations asks once)."""
        return self.repo.sets.names_by_annotation()
