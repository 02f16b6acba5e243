"""The one Qt-free façade the GUI and the CLI talk to."""

from __future__ import annotations

import getpass
import hashlib
import re
import threading
import uuid
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TextIO

from reader.documents import DocumentBackend, DocumentError, kind_for_mime, open_document
from reader.documents.base import PasswordRequired
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    AnnotationSet,
    Citation,
    ClaimStatus,
    DocumentRecord,
    ExportRecord,
    ExportScope,
    HistoryEntry,
    ImportSummary,
    MergeConflict,
    MergeSummary,
    PageRect,
    Source,
    Stance,
    TextAnchor,
    ViewPlace,
)
from reader.store import LibraryDamaged, Repository, open_database

# Re-exported so the GUI names library faults and backups without reaching into the store.
from reader.store.backup import BackupError, make_backup
from reader.store.db import LibraryError, LibraryUnavailable

__all__ = [
    "BackupError",
    "DocumentError",
    "Library",
    "LibraryDamaged",
    "LibraryError",
    "LibraryUnavailable",
    "Opened",
    "PasswordRequired",
    "QuoteNotFound",
    "default_author",
    "make_backup",
]


class QuoteNotFound(DocumentError):
    """The text to annotate does not occur in the document."""


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


_SNAPSHOT_SUFFIX = {
    "pdf": ".pdf",
    "epub": ".epub",
    "html": ".html",
    "text": ".txt",
    "markdown": ".md",
}


@dataclass(frozen=True)
class Opened:
    document: DocumentBackend
    record: DocumentRecord
    notice: str = ""  # something the user should know, e.g. that an offline copy is shown


def is_url(text: str) -> bool:
    from reader.documents.urls import looks_like_url

    return looks_like_url(text)


class Library:
    def __init__(self, db_path: str | Path, *, fetch_timeout: float = 15.0) -> None:
        self.fetch_timeout = fetch_timeout
        self.db_path = Path(db_path) if str(db_path) != ":memory:" else None
        self.repo = Repository(open_database(db_path))
        self.repo.author = preferred_author(self.db_path)
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

    # -- opening -------------------------------------------------------------------------------

    def open(
        self,
        path_or_url: str,
        password: str | None = None,
        *,
        cancel: threading.Event | None = None,
        offline_first: bool = False,
    ) -> Opened:
        """Open a file or URL and record it. Raises DocumentError with a sentence for the user."""
        if is_url(path_or_url) and not Path(path_or_url).exists():
            return self.open_url(path_or_url, password, cancel=cancel, offline_first=offline_first)
        return self.open_path(path_or_url, password)

    def open_path(self, path: str | Path, password: str | None = None) -> Opened:
        path = Path(path).expanduser()
        try:
            resolved = path.resolve()
        except OSError:
            resolved = path
        document = open_document(resolved, password, source=str(resolved))
        return Opened(document, self._record(document, resolved))

    def open_url(
        self,
        url: str,
        password: str | None = None,
        *,
        cancel: threading.Event | None = None,
        offline_first: bool = False,
    ) -> Opened:
        """Fetch and open a URL; offline, or when the fetch fails, open its saved snapshot."""
        from reader.documents.fetch import normalize_url

        url = normalize_url(url)
        snapshot = self.saved_snapshot(url)
        if offline_first and snapshot is not None:
            return self.open_snapshot(url, snapshot, password)
        try:
            target, final_url = self.download(url, cancel=cancel)
        except DocumentError as exc:
            if snapshot is not None and "cancel" not in str(exc).lower():
                opened = self.open_snapshot(url, snapshot, password)
                return Opened(opened.document, opened.record, f"{exc} Showing the saved copy.")
            raise
        return self.open_snapshot(url, target, password, final_url=final_url)

    def saved_snapshot(self, url: str) -> Path | None:
        from reader.documents.urls import normalize_url

        found = self.repo.snapshot_for(normalize_url(url))
        return Path(found) if found and Path(found).exists() else None

    def download(self, url: str, *, cancel: threading.Event | None = None) -> tuple[Path, str]:
        """Fetch a URL into the snapshot folder; (snapshot file, final URL).

        Touches no database, so it may run on a worker thread.
        """
        from reader.documents.fetch import fetch_url, normalize_url

        fetched = fetch_url(normalize_url(url), timeout=self.fetch_timeout, cancel=cancel)
        kind = kind_for_mime(fetched.content_type)
        suffix = _SNAPSHOT_SUFFIX.get(str(kind), Path(fetched.url).suffix or ".html")
        sha = hashlib.sha256(fetched.data).hexdigest()
        self.snapshot_dir.mkdir(parents=True, exist_ok=True)
        target = self.snapshot_dir / f"{sha}{suffix}"
        if not target.exists():
            tmp = target.with_suffix(target.suffix + ".part")
            tmp.write_bytes(fetched.data)
            tmp.replace(target)
        return target, fetched.url

    def open_snapshot(
        self, url: str, snapshot: Path, password: str | None, final_url: str = ""
    ) -> Opened:
        document = open_document(snapshot, password, source=url, url=final_url or url)
        return Opened(document, self._record(document, snapshot, source=url))

    def document_record(self, document_id: int):
        """The stored record (title, kind, path …) of a document, or None."""
        return self.repo.document_by_id(document_id)

    def record_document(
        self, document: DocumentBackend, file: Path, *, source: str | None = None
    ) -> Opened:
        """Record a document read elsewhere (reader.documents.open_document on a worker
        thread, which touches no database) as open_path / open_snapshot would."""
        return Opened(document, self._record(document, file, source=source))

    # -- OCR of scanned pages -------------------------------------------------------------------

    def _adopt_kept_ocr(self, document: DocumentBackend) -> None:
        """Text OCR read from this version's scanned pages before: used, not read again."""
        if document.kind.paged:
            kept = self.repo.ocr.load(document.sha256)
            if kept:
                document.adopt_ocr(kept)

    def read_scanned_pages(self, opened: Opened) -> list[int]:
        """OCR the open document's scanned pages now (the command line; the window does it on
        a worker) and keep the text; the pages OCR could not read."""
        document = opened.document
        if not document.kind.paged:
            return []
        pages = document.pages_needing_ocr()
        if not pages:
            return []
        read, unreadable = document.read_ocr(pages)
        self.keep_ocr(document, read)
        return unreadable

    def keep_ocr(self, document: DocumentBackend, pages: dict[int, dict]) -> None:
        """OCR text read from `document`'s scanned pages (read_ocr, on a worker): stored with
        the version at once, and used as the pages' text from now on."""
        if pages:
            self.repo.ocr.save(document.sha256, pages)
            document.adopt_ocr(pages)

    def _record(
        self, document: DocumentBackend, file: Path, source: str | None = None
    ) -> DocumentRecord:
        self._adopt_kept_ocr(document)
        try:
            size = file.stat().st_size
        except OSError:
            size = 0
        record = self.repo.record_opened(
            sha256=document.sha256,
            kind=document.kind,
            metadata=document.metadata,
            source=source or str(file),
            pages=document.page_count,
            size=size,
            snapshot=str(file) if source else "",
        )
        # Kept now when it costs nothing more (an article's text is made on opening).
        self._remember_text(document)
        return record

    # -- queries -------------------------------------------------------------------------------

    def recent(self, limit: int = 20) -> list[DocumentRecord]:
        return self.repo.recent_documents(limit)

    def document(self, sha256: str) -> DocumentRecord | None:
        return self.repo.document_by_sha(sha256)

    def view_place(self, document_id: int) -> ViewPlace | None:
        """Where the document was left in the view (zoom, scroll), if it was ever shown."""
        return self.repo.places.get(document_id)

    def save_view_place(self, document_id: int, place: ViewPlace) -> None:
        self.repo.places.put(document_id, place, utc_now())

    def dismissed_candidates(self, document_id: int) -> set[str]:
        """The sentences dismissed as candidate claims in this document (whitespace folded)."""
        from reader.store.dismissals import DismissalStore

        return DismissalStore(self.repo.db).sentences(document_id)

    def dismiss_candidate(self, document_id: int, sentence: str, dismissed: bool = True) -> None:
        """Dismiss a candidate claim (or, `dismissed=False`, bring it back): committed at once."""
        from reader.store.dismissals import DismissalStore

        store = DismissalStore(self.repo.db)
        if dismissed:
            store.dismiss(document_id, sentence, utc_now())
        else:
            store.restore(document_id, sentence)
    def document_by_id(self, document_id: int) -> DocumentRecord | None:
        return self.repo.document_by_id(document_id)

    # -- annotations ---------------------------------------------------------------------------

    def annotations(self, opened: Opened) -> list[Annotation]:
        """The document's annotations, re-anchored first if they refer to older bytes."""
        return self.load_annotations(opened)[0]

    def reanchor(self, opened: Opened) -> Counter[str]:
        """Re-anchor what refers to older bytes; how many ended exact, fuzzy and orphan."""
        return self.load_annotations(opened)[1]

    def load_annotations(self, opened: Opened) -> tuple[list[Annotation], Counter[str]]:
        """The document's annotations in reading order, those made on older versions first
        moved onto this version's text in one transaction.

        Orphans keep their quote and are listed; nothing is dropped. Re-anchored annotations on
        paged documents get their page but no line rectangles: those are derived data, worked
        out from the page's character boxes when the page is shown (33 ms a page, too much for
        a thousand annotations at once).
        """
        current, stale = self.stored_annotations(opened)
        if not stale:
            return current, Counter()
        from reader.anchoring import reanchor_versions

        done = reanchor_versions(
            [a.anchor for a in stale], self.old_texts(opened, stale), opened.document.text
        )
        assert done is not None  # nothing can cancel it
        moved, ties = done
        return self.save_reanchored(opened, current, stale, moved, ties)

    def stored_annotations(self, opened: Opened) -> tuple[list[Annotation], list[Annotation]]:
        """(made on this version, to re-anchor): the second are to be re-anchored
        (reader.anchoring.reanchor_versions with `old_texts`, which may run on a worker
        thread: it needs only the texts) and handed to save_reanchored.

        To re-anchor: those made on older versions, and — once this version's text is at hand
        — those whose quote is not at their offsets (an import can claim anything)."""
        annotations = self.repo.annotations_for_document(opened.record.id)
        version = self.repo.version_id(opened.document.sha256)
        if version is None:
            return annotations, []
        text = _text_if_ready(opened.document)
        if text is not None:
            self.remember_text(opened)

        def placed(a: Annotation) -> bool:
            anchor = a.anchor
            return (
                text is None
                or anchor.state is AnchorState.ORPHAN
                or text[anchor.start : anchor.end] == anchor.quote
            )

        current = [a for a in annotations if a.version_id == version and placed(a)]
        kept = {a.id for a in current}
        return current, [a for a in annotations if a.id not in kept]

    def remember_text(self, opened: Opened) -> None:
        """Keep this version's normalized text (once), for aligning the next version with it."""
        self._remember_text(opened.document)

    def _remember_text(self, document: DocumentBackend) -> None:
        version = self.repo.version_id(document.sha256)
        if version is not None and not self.repo.has_version_text(version):
            text = _text_if_ready(document)
            if text is not None:
                self.repo.remember_version_text(version, text)

    def old_texts(self, opened: Opened, stale: list[Annotation]) -> list[str | None]:
        """For each annotation to re-anchor, the text it was made on where the library kept it
        (None: unknown, or this very version, whose offsets are what is in doubt)."""
        current = self.repo.version_id(opened.document.sha256)
        texts: dict[int, str | None] = {}
        for a in stale:
            if a.version_id not in texts:
                texts[a.version_id] = (
                    None if a.version_id == current else self.repo.version_text(a.version_id)
                )
        return [texts[a.version_id] for a in stale]

    def candidates(self, annotation: Annotation) -> list[tuple[int, int]]:
        """The places an orphan could be (copies equally likely), to offer the user."""
        if annotation.anchor.state is not AnchorState.ORPHAN:
            return []
        return self.repo.candidates(annotation.id)

    def save_reanchored(
        self,
        opened: Opened,
        current: list[Annotation],
        stale: list[Annotation],
        moved: list[TextAnchor],
        ties: dict[int, list[tuple[int, int]]] | None = None,
    ) -> tuple[list[Annotation], Counter[str]]:
        """Store the re-anchored `moved` anchors of `stale` on this version in one transaction
        (with the candidate places of orphans in `ties`, by index); every annotation in
        reading order, and how many ended exact, fuzzy and orphan."""
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
        ties = ties or {}
        counts: Counter[str] = Counter()
        updated = []
        for a, anchor in zip(stale, moved, strict=True):
            page, rects = self._placement(opened, anchor, with_rects=False)
            updated.append(replace(a, anchor=anchor, version_id=version, page=page, rects=rects))
            counts[str(anchor.state)] += 1
        with self.transaction():
            self.repo.update_annotations(updated)
            self.repo.set_candidates({a.id: ties.get(i, ()) for i, a in enumerate(stale)})
        self.remember_text(opened)
        merged = current + updated
        merged.sort(key=lambda a: (a.anchor.start, a.anchor.end))
        return merged, counts

    def _placement(
        self, opened: Opened, anchor: TextAnchor, *, with_rects: bool = True
    ) -> tuple[int, tuple[PageRect, ...]]:
        doc = opened.document
        if anchor.state is AnchorState.ORPHAN or not doc.kind.paged:
            return -1, ()
        if not with_rects:
            return doc.page_at_offset(anchor.start), ()  # type: ignore[attr-defined]
        from reader.documents.geometry import range_rects

        return range_rects(doc, anchor.start, anchor.end)  # type: ignore[arg-type]

    def highlight(
        self,
        opened: Opened,
        start: int,
        end: int,
        kind: AnnotationKind = AnnotationKind.CLAIM,
        *,
        color: str = "",
        status: ClaimStatus = ClaimStatus.UNVERIFIED,
        note: str = "",
        tags: tuple[str, ...] = (),
        claimant: str = "",
        author: str | None = None,
    ) -> Annotation:
        """Anchor text[start:end] and store it as a new annotation, committed at once.

        Whitespace at either end of the span is left out: a quote never starts or ends with it.
        """
        from reader.anchoring import make_anchor

        start, end = _words_only(opened.document.text, start, end)
        anchor = make_anchor(opened.document.text, start, end)
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
        self.remember_text(opened)
        page, rects = self._placement(opened, anchor)
        now = utc_now()
        annotation = Annotation(
            id=str(uuid.uuid4()),
            document_id=opened.record.id,
            version_id=version,
            anchor=anchor,
            kind=kind,
            color=color or DEFAULT_COLORS[kind],
            status=status,
            claimant=claimant,
            note=note,
            tags=_clean_tags(tags),
            author=self.author if author is None else author,
            page=page,
            rects=rects,
            created_at=now,
            updated_at=now,
        )
        return self.repo.add_annotation(annotation)

    def find_quote(self, opened: Opened, quote: str, occurrence: int = 1) -> tuple[int, int]:
        from reader.anchoring import find_quote

        found = find_quote(opened.document.text, quote, occurrence)
        if found is None:
            name = Path(opened.record.source).name or opened.record.source
            which = "" if occurrence == 1 else f" {occurrence} times"
            raise QuoteNotFound(f'The quote "{_short(quote)}" does not occur{which} in {name}.')
        return found

    def reattach(self, annotation: Annotation, opened: Opened, start: int, end: int) -> Annotation:
        """Put an (orphaned) annotation on newly selected text of the open version (also how
        a highlight's extent is adjusted)."""
        from reader.anchoring import make_anchor

        start, end = _words_only(opened.document.text, start, end)
        anchor = make_anchor(opened.document.text, start, end)
        version = self.repo.version_id(opened.document.sha256) or annotation.version_id
        page, rects = self._placement(opened, anchor)
        return self.update(annotation, anchor=anchor, version_id=version, page=page, rects=rects)

    def update(self, annotation: Annotation, **changes: object) -> Annotation:
        if "tags" in changes:
            changes["tags"] = _clean_tags(changes["tags"])  # type: ignore[arg-type]
        changed = replace(annotation, **changes, updated_at=utc_now())  # type: ignore[arg-type]
        return self.repo.update_annotation(changed)

    def update_by_id(self, annotation_id: str, **changes: object) -> Annotation:
        """Change the stored annotation with this id (status, note, claimant, kind, tags …)
        in one transaction; DocumentError when there is none."""
        with self.transaction():
            found = self.repo.annotation(annotation_id.strip())
            if found is None:
                raise DocumentError(f'There is no annotation with the id "{annotation_id}".')
            if (
                "kind" in changes
                and "color" not in changes
                and found.color == DEFAULT_COLORS[found.kind]
            ):
                # A kind's default colour follows the kind; a colour the user chose stays.
                changes["color"] = DEFAULT_COLORS[AnnotationKind(changes["kind"])]
            return self.update(found, **changes)

    def history(self, annotation_id: str) -> list[HistoryEntry]:
        """Who changed what and when, creation first; DocumentError for an unknown id."""
        entries = self.repo.history.entries(annotation_id.strip())
        if not entries:
            raise DocumentError(f'There is no annotation with the id "{annotation_id}".')
        return entries

    def authors(self) -> list[str]:
        """Everyone who made or changed an annotation in this library."""
        return self.repo.history.authors()

    def annotation_ids_by(self, author: str) -> list[str]:
        """The annotations this person made or changed."""
        return self.repo.history.annotation_ids_by(author)

    def put_back(self, annotation: Annotation) -> Annotation:
        """Store an annotation exactly as given (undo of a delete, redo of a create)."""
        if self.repo.annotation(annotation.id) is None:
            return self.repo.add_annotation(annotation)
        return self.repo.update_annotation(annotation)

    def delete(self, annotation_id: str) -> Annotation | None:
        return self.repo.delete_annotation(annotation_id)

    def snapshot(self, annotation_id: str) -> tuple[Annotation, list[Citation], list[int]] | None:
        """An annotation with its citations and sets, enough to put it back after a delete."""
        annotation = self.repo.annotation(annotation_id)
        if annotation is None:
            return None
        citations = self.repo.sources.citations_for(annotation_id)
        set_ids = [s.id for s in self.repo.sets.sets_of(annotation_id)]
        return annotation, citations, set_ids

    def restore(
        self, annotation: Annotation, citations: list[Citation], set_ids: list[int] = ()
    ) -> Annotation:
        """Undo of a delete: the annotation, its citations and set memberships, as they were."""
        with self.transaction():
            stored = self.put_back(annotation)
            self.repo.sources.put_back_citations(
                [c for c in citations if self.repo.sources.get(c.source_id) is not None]
            )
            known = {s.id for s in self.repo.sets.all()}
            for set_id in set_ids:
                if set_id in known:
                    self.repo.sets.add(set_id, [annotation.id])
        return stored

    # -- sets ------------------------------------------------------------------------------------

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

    def citations_by_annotation(self) -> dict[str, list[tuple[Citation, Source | None]]]:
        """Every annotation's citations with their sources, read in two queries."""
        sources = self.repo.sources.all_sources()
        return {
            annotation_id: [(c, sources.get(c.source_id)) for c in cited]
            for annotation_id, cited in self.repo.sources.all_citations().items()
        }

    def annotation(self, annotation_id: str) -> Annotation | None:
        return self.repo.annotation(annotation_id)

    def all_annotations(self) -> list[Annotation]:
        return self.repo.all_annotations()

    def search(self, query: str, limit: int = 500) -> list[Annotation]:
        """Annotations matching `query`: by their own words (quote, note, tags, claimant;
        best first), then those citing a source whose title, authors or publisher, or with an
        evidence quote, that holds every word."""
        found = self.repo.search_annotations(query, limit)
        seen = {a.id for a in found}
        for annotation_id in self.repo.sources.annotations_citing_text(query, limit):
            if len(found) >= limit:
                break
            if annotation_id not in seen:
                annotation = self.repo.annotation(annotation_id)
                if annotation is not None:
                    found.append(annotation)
                    seen.add(annotation_id)
        return found

    def tags(self) -> list[str]:
        return self.repo.all_tags()

    # -- sources and citations ---------------------------------------------------------------

    def find_duplicate(self, source: Source) -> Source | None:
        from reader.citations import duplicate_keys

        return self.repo.sources.by_keys(duplicate_keys(source))

    def add_source(self, source: Source) -> Source:
        """Store a source, or return the one already stored with the same DOI, ISBN or URL.

        An address that is not a web, mail or DOI link is kept as text in the note."""
        from reader.citations import duplicate_keys, safe_links

        source = safe_links(source)
        keys = duplicate_keys(source)
        existing = self.repo.sources.by_keys(keys)
        if existing is not None:
            return existing
        now = utc_now()
        return self.repo.sources.add(replace(source, id=0, created_at=now, updated_at=now), keys)

    def update_source(self, source: Source) -> Source:
        from reader.citations import duplicate_keys, safe_links

        changed = replace(safe_links(source), updated_at=utc_now())
        return self.repo.sources.update(changed, duplicate_keys(changed))

    def source(self, source_id: int) -> Source | None:
        return self.repo.sources.get(source_id)

    def sources(self) -> list[tuple[Source, int]]:
        """Every source with the number of annotations citing it."""
        return self.repo.sources.all_with_counts()

    def search_sources(self, text: str, limit: int = 20) -> list[Source]:
        return self.repo.sources.search(text, limit)

    def merge_sources(self, keep_id: int, drop_id: int) -> Source:
        """Merge two duplicates: every citation of `drop` now cites `keep`, whose empty fields
        are filled from `drop`; `drop` is deleted. One transaction."""
        from reader.citations import duplicate_keys

        keep, drop = self.repo.sources.get(keep_id), self.repo.sources.get(drop_id)
        if keep is None or drop is None or keep_id == drop_id:
            raise ValueError("Choose two different sources to merge.")
        filled = {
            name: getattr(drop, name)
            for name in (
                "type",
                "title",
                "authors",
                "container_title",
                "publisher",
                "issued",
                "url",
                "doi",
                "isbn",
                "accessed",
                "archived_url",
                "note",
                "document_id",
            )
            if not getattr(keep, name) and getattr(drop, name)
        }
        merged = replace(keep, **filled, updated_at=utc_now())
        keys = set(duplicate_keys(merged)) | set(duplicate_keys(drop))
        return self.repo.sources.merge(merged, drop_id, sorted(keys))

    def merge_snapshot(self, keep_id: int, drop_id: int) -> tuple[Source, Source, list[str]]:
        """What `unmerge_sources` needs to take a merge back: both sources as they are and the
        citations that cite `drop` now."""
        keep, drop = self.repo.sources.get(keep_id), self.repo.sources.get(drop_id)
        if keep is None or drop is None:
            raise ValueError("Choose two different sources to merge.")
        return keep, drop, self.repo.sources.citation_ids_citing(drop_id)

    def unmerge_sources(self, keep: Source, drop: Source, citation_ids: list[str]) -> None:
        """Undo of a merge: `drop` comes back under its id with its citations, `keep` is as
        it was before. One transaction."""
        from reader.citations import duplicate_keys

        with self.transaction():
            self.repo.sources.put_back(drop, duplicate_keys(drop))
            self.repo.sources.move_citations(citation_ids, drop.id)
            self.repo.sources.put_back(keep, duplicate_keys(keep))

    def put_back_source(self, source: Source) -> Source:
        """Store a source exactly as given under its id (undo of an edit, redo of an add)."""
        from reader.citations import duplicate_keys

        return self.repo.sources.put_back(source, duplicate_keys(source))

    def remove_source(self, source_id: int) -> bool:
        """Delete a source nothing cites (undo of adding it); False if something cites it."""
        if self.repo.sources.citation_count(source_id):
            return False
        self.repo.sources.delete(source_id)
        return True

    def put_back_citation(self, citation: Citation) -> Citation:
        """Store a citation exactly as given (undo of a remove, redo of an add)."""
        self.repo.sources.put_back_citations([citation])
        return citation

    def annotations_citing(self, source_id: int) -> list[Annotation]:
        ids = self.repo.sources.annotation_ids_citing(source_id)
        found = [self.repo.annotation(i) for i in ids]
        return sorted(
            (a for a in found if a is not None),
            key=lambda a: (a.document_id, a.anchor.start),
        )

    def cite(
        self,
        annotation_id: str,
        source_id: int,
        stance: Stance = Stance.SUPPORTS,
        locator: str = "",
        evidence_quote: str = "",
        evidence_annotation_id: str | None = None,
    ) -> Citation:
        citation = Citation(
            id=str(uuid.uuid4()),
            annotation_id=annotation_id,
            source_id=source_id,
            stance=Stance(stance),
            locator=locator,
            evidence_quote=evidence_quote,
            evidence_annotation_id=evidence_annotation_id,
            created_at=utc_now(),
        )
        return self.repo.sources.add_citation(citation)

    def update_citation(self, citation: Citation, **changes: object) -> Citation:
        if "stance" in changes:
            changes["stance"] = Stance(changes["stance"])  # type: ignore[arg-type]
        return self.repo.sources.update_citation(replace(citation, **changes))  # type: ignore[arg-type]

    def delete_citation(self, citation_id: str) -> Citation | None:
        return self.repo.sources.delete_citation(citation_id)

    def citations(self, annotation_id: str) -> list[Citation]:
        return self.repo.sources.citations_for(annotation_id)

    def claims_borne_on(self, passage_id: str) -> list[tuple[Citation, Annotation]]:
        """The claims an evidence passage is cited for, each with the citation (its stance)."""
        found = []
        for citation in self.repo.sources.citations_with_evidence(passage_id):
            claim = self.repo.annotation(citation.annotation_id)
            if claim is not None:
                found.append((citation, claim))
        return found

    def citation_counts(self, document_id: int | None = None) -> dict[str, tuple[int, int, int]]:
        """(supports, refutes, context) per annotation, for one document or the library."""
        return self.repo.sources.stance_counts(document_id)

    def document_source(self, opened: Opened) -> Source | None:
        """The source that is this open document, if there is one yet."""
        existing = self.repo.sources.for_document(opened.record.id)
        if existing is not None:
            return existing
        from reader.citations import duplicate_keys

        source = self._document_as_source(opened)
        return self.repo.sources.by_keys(duplicate_keys(source)) if source.url else None

    def source_for_document(self, opened: Opened) -> Source:
        """The source that is this open document, made from its metadata the first time."""
        existing = self.repo.sources.for_document(opened.record.id)
        if existing is not None:
            return existing
        source = self._document_as_source(opened)
        from reader.citations import duplicate_keys

        existing = self.repo.sources.by_keys(duplicate_keys(source)) if source.url else None
        if existing is not None:
            return existing
        now = utc_now()
        return self.repo.sources.add(
            replace(source, created_at=now, updated_at=now), duplicate_keys(source)
        )

    def _document_as_source(self, opened: Opened) -> Source:
        meta = opened.document.metadata
        kind = opened.document.kind
        url = meta.url or (opened.record.source if is_url(opened.record.source) else "")
        source = Source(
            type="webpage" if not kind.paged else ("book" if kind.value == "epub" else "report"),
            title=_source_title(opened),
            authors=(meta.author,) if meta.author else (),
            container_title=meta.site,
            issued=meta.published[:10],
            url=url,
            accessed=utc_now()[:10] if url else "",
            document_id=opened.record.id,
        )
        return source

    def use_as_evidence(
        self,
        opened: Opened,
        start: int,
        end: int,
        annotation_id: str,
        stance: Stance = Stance.SUPPORTS,
    ) -> Citation:
        """Cite the passage text[start:end] of an open document as evidence for an annotation.

        The passage becomes an `evidence` highlight in its document, the document becomes (or
        already is) a source, and the citation carries the passage and its page.
        """
        if self.repo.annotation(annotation_id) is None:
            raise ValueError("The claim to cite this for no longer exists.")
        passage = self.highlight(opened, start, end, AnnotationKind.EVIDENCE)
        source = self.source_for_document(opened)
        locator = f"p. {passage.page + 1}" if passage.page >= 0 else ""
        return self.cite(
            annotation_id,
            source.id,
            stance,
            locator=locator,
            evidence_quote=passage.anchor.quote,
            evidence_annotation_id=passage.id,
        )

    def recent_claims(self, limit: int = 30) -> list[Annotation]:
        """Claims, newest first: what "Use as evidence for…" offers."""
        return self.repo.recent_annotations(AnnotationKind.CLAIM.value, limit)

    # -- export and import (reader.exchange) -------------------------------------------------------
    # Appended by the exchange work: CSV / W3C JSON / Markdown / ClaimReview out, CSV / JSON in.

    EXPORT_FORMATS = ("csv", "json", "md", "claimreview", "hypothesis")

    def _exchange_store(self):
        from reader.store.exchange import ExchangeStore

        return ExchangeStore(self.repo)

    def _export_scope(self, scope: ExportScope) -> tuple[str, int]:
        if scope.kind == "set":
            found = self.set_named(scope.value)
            if found is None:
                raise DocumentError(f'There is no set named "{scope.value}".')
            return "set", found.id
        if scope.kind == "document":
            record = self.repo.document_by_sha(scope.value.strip().lower())
            if record is None:
                raise DocumentError(
                    "That document is not in the library: open it and annotate it first."
                )
            return "document", record.id
        if scope.kind == "all":
            return "all", 0
        raise DocumentError(f'"{scope.kind}" is not an export scope: use set, document or all.')

    def export_records(
        self,
        scope: ExportScope = ExportScope(),  # noqa: B008 - frozen, so a safe default
    ) -> Iterator[ExportRecord]:
        """The annotations in `scope` by document, then start, each with its document, its
        citations (and their sources) and its sets; fetched a batch at a time.

        A record's ``document.sha256`` is that of the version the anchor refers to.
        """
        kind, key = self._export_scope(scope)
        return self._exchange_store().records(kind, key, author=scope.author)

    def export(
        self,
        target: str | Path | TextIO,
        fmt: str = "csv",
        scope: ExportScope = ExportScope(),  # noqa: B008 - frozen, so a safe default
        *,
        excel: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        review_url: str = "",
        org: str = "",
        org_url: str = "",
    ) -> int:
        """Write the annotations in `scope` as csv, json (W3C), md, claimreview or hypothesis.

        ClaimReview takes the published fact-check's URL (`review_url`) and the reviewing
        organisation (`org`, `org_url`); the organisation given is remembered in the library's
        settings and used when none is given.

        A path is written through a temporary file renamed into place when complete, so it is
        never half-written; a stream is written as it goes. `progress(done, total)` counts
        annotations; setting `cancel` stops with DocumentError("Export cancelled.") and leaves
        no file. Returns the number written (ClaimReview: reviews).
        """
        fmt = fmt.strip().lower()
        if fmt not in self.EXPORT_FORMATS:
            raise DocumentError(
                f'"{fmt}" is not an export format: use csv, json, md, claimreview or hypothesis.'
            )
        kind, key = self._export_scope(scope)
        store = self._exchange_store()
        total = store.count(kind, key, scope.author)
        review = {"review_url": review_url, "org": org, "org_url": org_url}
        if fmt == "claimreview":
            review = self._review_settings(review)
        write = _export_writer(
            fmt, excel, total, _Locator(store, self.repo.version_text_by_sha), review
        )
        records = _watched(store.records(kind, key, author=scope.author), total, progress, cancel)
        if isinstance(target, str | Path):
            return _write_atomically(Path(target), lambda out: write(records, out))
        return write(records, target)

    REVIEW_SETTINGS = ("org", "org_url")

    def review_settings(self) -> dict[str, str]:
        """The reviewing organisation ClaimReview exports name (as last given)."""
        return {key: self.repo.setting(f"claimreview.{key}") for key in self.REVIEW_SETTINGS}

    def _review_settings(self, given: dict[str, str]) -> dict[str, str]:
        """`given` with the remembered organisation filled in; a new one given is remembered."""
        from reader.documents.urls import looks_like_url

        for key in ("review_url", "org_url"):
            value = given.get(key, "").strip()
            if value and not (looks_like_url(value) and value.lower().startswith("http")):
                flag = "--" + key.replace("_", "-")
                raise DocumentError(f"{flag} {value!r} is not a web address (http:// or https://).")
        stored = self.review_settings()
        merged = dict(given)
        for key in self.REVIEW_SETTINGS:
            value = " ".join(given.get(key, "").split())
            if value and value != stored[key]:
                self.repo.set_setting(f"claimreview.{key}", value)
            merged[key] = value or stored[key]
        # Google's required fields: the fact-check's own page, and who reviewed.
        if not merged.get("review_url", "").strip():
            raise DocumentError(
                "ClaimReview needs the published fact-check's address: give --review-url URL."
            )
        if not merged.get("org"):
            raise DocumentError(
                "ClaimReview needs the reviewing organisation: give --org NAME (and --org-url URL)."
            )
        return merged

    def import_file(
        self,
        path: str | Path,
        *,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
    ) -> ImportSummary:
        """Merge a CSV or W3C JSON export (sniffed) into the library, in one transaction; an
        SQLite file goes to `_import_sqlite` (another Claim Reader library: `merge_library`).

        Annotations are merged by id: new ones are added, stored ones whose fields, citations
        or set memberships differ are updated to what the file says, the rest are unchanged
        (nothing is deleted). Documents are matched by SHA-256; bytes the library has never
        seen become a document record (and version) from the file's title and file name, so
        the annotations keep their anchors until the document is opened. Sources are matched
        by DOI / ISBN / URL, else by exact title and date; citations by id; sets by name.
        A malformed file raises ImportFailed ("line N: …", for JSON "item N: …") and nothing
        is imported. `progress(done, total)` counts bytes (CSV) or is called at the end (JSON).
        """
        from reader.exchange import ExchangeError

        path = Path(path)
        if _is_sqlite_file(path):
            return self._import_sqlite(path, progress)
        try:
            raw = path.open("rb")
            size = path.stat().st_size
        except OSError as exc:
            raise DocumentError(f"{path} cannot be read: {exc.strerror or exc}.") from None
        with raw:
            head = raw.read(4096)
            raw.seek(0)
            if _is_hypothesis_head(head):
                try:
                    return self.import_hypothesis(raw)
                except ExchangeError as exc:
                    raise ImportFailed(str(exc)) from None
            refusal = refuse_unimportable(path, head)
            if refusal:
                raise ImportFailed(refusal)
            if head.lstrip(b"\xef\xbb\xbf \t\r\n").startswith((b"{", b"[")):
                from reader.exchange.webanno import read_webanno

                items = read_webanno(raw)
            else:
                from reader.exchange.csv_format import read_csv

                items = read_csv(raw, (lambda done: progress(done, size)) if progress else None)
            try:
                with self._exchange_store().roomy_cache(), self.transaction():
                    summary = _Importer(self, cancel).run(items)
            except ExchangeError as exc:
                raise ImportFailed(str(exc)) from None
            except UnicodeDecodeError:
                raise ImportFailed("line 1: the file is not UTF-8 text.") from None
        if progress is not None:
            progress(size, size)
        return summary

    def _import_sqlite(
        self, path: Path, progress: Callable[[int, int], None] | None = None
    ) -> ImportSummary:
        """A SQLite file: each kind of library it may be is recognised by one small check."""
        from reader.store.merge import is_library_file
        from reader.store.zotero import is_zotero_library

        if is_library_file(path):
            summary = self.merge_library(path)
            if progress is not None:
                progress(1, 1)
            return summary
        if is_zotero_library(path):
            summary = self.import_zotero(path)
            if progress is not None:
                progress(1, 1)
            return summary
        raise ImportFailed(
            f"{path.name} is a SQLite database, but not a library Claim Reader can import "
            "(neither a Claim Reader library nor a Zotero library)."
        )

    def merge_library(self, path: str | Path) -> MergeSummary:
        """Merge another Claim Reader library file into this one, in one transaction; the
        other file is opened read-only and never modified (see reader.store.merge)."""
        import sqlite3

        from reader.store.merge import (
            MergeRefused,
            attach_read_only,
            detach,
            merge_library,
            set_snapshot,
        )

        path = Path(path)
        if not path.is_file():
            raise DocumentError(f"{path} cannot be read: there is no such file.")
        if self.db_path is not None and path.resolve() == self.db_path.resolve():
            raise DocumentError(f"{path.name} is this library: there is nothing to merge.")
        db = self.repo.db
        try:
            attach_read_only(db, path)
        except MergeRefused as exc:
            raise ImportFailed(str(exc)) from None
        try:
            with self._exchange_store().roomy_cache(), self.transaction():
                result = merge_library(db, path.name, self.author, utc_now())
                for sha, their_file in result.snapshots:
                    copied = self._copy_snapshot(path, their_file)
                    if copied:
                        set_snapshot(db, sha, copied)
        except MergeRefused as exc:
            raise ImportFailed(str(exc)) from None
        except sqlite3.DatabaseError as exc:  # their file is damaged or holds what ours cannot
            if isinstance(exc, LibraryError):
                raise
            raise ImportFailed(
                f"{path.name} cannot be merged ({' '.join(str(exc).split())}); nothing was merged."
            ) from None
        finally:
            detach(db)
        return MergeSummary(
            added=result.added,
            updated=result.updated,
            unchanged=result.unchanged,
            conflicts=result.conflicts,
        )

    def _copy_snapshot(self, other_library: Path, their_file: str) -> str:
        """Copy a URL document's saved page from the other library's folder into ours; the
        path it now has, or "" when the other library's copy is not there to be copied."""
        import shutil

        name = Path(their_file).name
        candidates = [Path(their_file), other_library.parent / "snapshots" / name]
        found = next((c for c in candidates if c.is_file()), None)
        if found is None:
            return ""
        target = self.snapshot_dir / name
        try:
            self.snapshot_dir.mkdir(parents=True, exist_ok=True)
            if not target.exists():
                shutil.copyfile(found, target)
        except OSError as exc:
            raise DocumentError(
                f"The saved page {name} cannot be copied into {self.snapshot_dir}: "
                f"{exc.strerror or exc}; nothing was merged."
            ) from None
        return str(target)

    def open_conflicts(self) -> list[MergeConflict]:
        """Fields a merge found changed on both sides, not yet resolved, newest first."""
        return self.repo.history.open_conflicts()

    def conflict_changes(self, conflict_id: int, keep: str) -> tuple[str, dict[str, object]]:
        """(annotation id, the `update` changes that keep "mine" or "theirs" for this
        conflict); no changes when the annotation has that value already or is gone."""
        from reader.store.history import field_values

        if keep not in ("mine", "theirs"):
            raise ValueError(f"keep is mine or theirs, not {keep!r}")
        conflict = self.repo.history.conflict(conflict_id)
        if conflict is None:
            return "", {}
        value = (conflict.mine if keep == "mine" else conflict.theirs) or ""
        annotation = self.repo.annotation(conflict.annotation_id)
        if annotation is None or field_values(annotation).get(conflict.field) == value:
            return conflict.annotation_id, {}
        converted: object = value
        if conflict.field == "kind":
            converted = AnnotationKind(value)
        elif conflict.field == "status":
            converted = ClaimStatus(value)
        elif conflict.field == "tags":
            converted = tuple(t for t in value.split("; ") if t)
        return conflict.annotation_id, {conflict.field: converted}

    def close_conflict(self, conflict_id: int) -> None:
        with self.transaction():
            self.repo.history.close_conflict(conflict_id)

    def resolve_conflict(self, conflict_id: int, keep: str) -> Annotation | None:
        """Keep "mine" or "theirs" for one conflict, in one transaction: the field is set to
        that value (an ordinary change, on the record) and the conflict is closed."""
        with self.transaction():
            annotation_id, changes = self.conflict_changes(conflict_id, keep)
            annotation = self.repo.annotation(annotation_id) if annotation_id else None
            if annotation is not None and changes:
                annotation = self.update(annotation, **changes)
            self.repo.history.close_conflict(conflict_id)
        return annotation

    def import_hypothesis(self, raw) -> ImportSummary:
        """Merge a Hypothesis JSON export: each annotation is re-anchored on the library's
        own copy of its page (found by URL, by the file a file:// URI names, or a PDF by its
        fingerprint). Pages the
        library does not have are listed in the summary's `missing`; nothing of theirs is
        imported."""
        from reader.exchange.hypothesis import read_hypothesis
        from reader.exchange.webanno import load_json

        found = read_hypothesis(load_json(raw))
        by_uri: dict[str, list] = {}
        for h in found:
            by_uri.setdefault(h.uri, []).append(h)
        opened_by_uri: dict[str, Opened] = {}
        missing = []
        # Filled once, when a PDF is named by its fingerprint.
        fingerprints: dict[str, DocumentRecord | None] = {}
        for uri, group in by_uri.items():
            opened = None
            for name in (uri, *group[0].also):
                opened = self._local_copy(name, fingerprints)
                if opened is not None:
                    break
            if opened is None:
                missing.append(uri)
            else:
                opened_by_uri[uri] = opened
        added = updated = unchanged = 0
        with self.transaction():
            for uri, opened in opened_by_uri.items():
                for h in by_uri[uri]:
                    extra = h.extra or {}
                    kind = _enum(
                        AnnotationKind,
                        extra.get("kind"),
                        (AnnotationKind.COMMENT if h.text.strip() else AnnotationKind.CLAIM),
                    )
                    old = self.repo.annotation(h.id)
                    now = utc_now()
                    new = self._imported(
                        opened,
                        self._hypothesis_place(opened, h, extra.get("anchor")),
                        kind,
                        annotation_id=h.id,
                        color=old.color if old else "",
                        status=_enum(ClaimStatus, extra.get("status"), ClaimStatus.UNVERIFIED),
                        claimant=str(extra.get("claimant") or ""),
                        note=h.text,
                        tags=h.tags,
                        author=h.user,
                        created_at=h.created or now,
                        updated_at=h.updated or h.created or now,
                    )
                    if old is None:
                        self.repo.add_annotation(new)
                        added += 1
                    elif _hypothesis_view(old) != _hypothesis_view(new):
                        self.repo.update_annotation(
                            replace(
                                new,
                                color=old.color,
                                claim_reviewed=old.claim_reviewed,
                                claim_date=old.claim_date,
                                claimant_type=old.claimant_type,
                            )
                        )
                        updated += 1
                    else:
                        unchanged += 1
        return ImportSummary(added, updated, unchanged, missing=tuple(missing))

    @staticmethod
    def is_zotero_library(path: str | Path) -> bool:
        """Whether `path` is a Zotero library (``zotero.sqlite``) an import can read."""
        from reader.store.zotero import is_zotero_library

        path = Path(path)
        return _is_sqlite_file(path) and is_zotero_library(path)

    def import_zotero_file(self, path: str | Path, keys: set[str]) -> ImportSummary:
        """`import_zotero` for a path the user named: one sentence if it is not a Zotero
        library."""
        from reader.store.zotero import is_zotero_library

        path = Path(path)
        if not path.is_file():
            raise DocumentError(f"{path} does not exist.")
        if not is_zotero_library(path):
            raise ImportFailed(f"{path.name} is not a Zotero library (--attachment is for one).")
        return self.import_zotero(path, keys)

    def _pdf_by_fingerprint(
        self, wanted: str, fingerprints: dict[str, DocumentRecord | None]
    ) -> Opened | None:
        from reader.documents.pdf import pdf_fingerprint

        if not fingerprints:
            for record in self.repo.documents_of_kind("pdf"):
                source = record.source
                path = self.saved_snapshot(source) if is_url(source) else Path(source)
                if path is not None and path.is_file():
                    fingerprints.setdefault(pdf_fingerprint(path), record)
            fingerprints.setdefault("", None)  # looked once: not again for the next one
        record = fingerprints.get(wanted) if wanted else None
        return self._open_record(record) if record is not None else None

    def zotero_attachments(self, path: str | Path):
        """The PDF attachments of a Zotero library with their annotations (for choosing)."""
        from reader.store.zotero import ZoteroError, read_zotero

        try:
            return read_zotero(path)
        except ZoteroError as exc:
            raise ImportFailed(str(exc)) from None

    def import_zotero(self, path: str | Path, keys: set[str] | None = None) -> ImportSummary:
        """Bring in the highlights, underlines and notes of a Zotero library's PDF
        attachments (those with `keys`, or all): each on the same PDF (its bytes recorded
        by SHA-256), citing the attachment's parent item as its source. The Zotero file is
        only read. Importing again adds nothing."""
        from reader.store.zotero import ZoteroError, read_zotero

        try:
            attachments = read_zotero(path, keys)
        except ZoteroError as exc:
            raise ImportFailed(str(exc)) from None
        if keys is not None:
            unknown = sorted(keys - {a.key for a in attachments})
            if unknown:
                raise ImportFailed(f"The Zotero library has no PDF attachment {unknown[0]}.")
        added = updated = unchanged = 0
        missing = []
        with self.transaction():
            for attachment in attachments:
                if not attachment.annotations:
                    continue
                if attachment.path is None or not attachment.path.is_file():
                    missing.append(str(attachment.path or attachment.key))
                    continue
                opened = self.open_path(attachment.path)
                source = self.add_source(_zotero_source(attachment.parent, attachment.title))
                for z in attachment.annotations:
                    annotation_id = str(uuid.uuid5(_ZOTERO_NS, f"{attachment.key}/{z.key}"))
                    old = self.repo.annotation(annotation_id)
                    if old is not None:
                        if old.note == z.comment and tuple(old.tags) == _clean_tags(z.tags):
                            unchanged += 1
                        else:
                            self.repo.update_annotation(
                                replace(old, note=z.comment, tags=_clean_tags(z.tags))
                            )
                            updated += 1
                        continue
                    kind = (
                        AnnotationKind.COMMENT
                        if z.kind in ("note", "text")
                        else AnnotationKind.EVIDENCE
                    )
                    now = utc_now()
                    added_at = _zotero_time(z.added) or now
                    self.repo.add_annotation(
                        self._imported(
                            opened,
                            self._on_page(opened, z.text, z.page_index),
                            kind,
                            annotation_id=annotation_id,
                            color=z.color,
                            note=z.comment,
                            tags=z.tags,
                            author=z.author,
                            created_at=added_at,
                            updated_at=_zotero_time(z.modified) or added_at,
                        )
                    )
                    locator = f"p. {z.page_label}" if z.page_label else ""
                    self.cite(
                        annotation_id,
                        source.id,
                        Stance.CONTEXT,
                        locator=locator,
                        evidence_quote=z.text,
                    )
                    added += 1
        return ImportSummary(added, updated, unchanged, missing=tuple(missing))

    def _hypothesis_place(self, opened: Opened, h, ours: object) -> TextAnchor:
        """Where a Hypothesis annotation goes on the open document: Claim Reader's own anchor
        when the file came from Claim Reader; on its page when it names one (the quote may
        occur on other pages too); a page note or reply on the first word; else where the
        quote and its context are found."""
        from reader.anchoring import reanchor

        if isinstance(ours, dict):
            return reanchor(_hypothesis_anchor(h, ours), opened.document.text)
        if h.page >= 0 or not h.exact.strip():
            return self._on_page(opened, h.exact, h.page, h.prefix, h.suffix)
        return reanchor(_hypothesis_anchor(h, None), opened.document.text)

    def _on_page(
        self, opened: Opened, quote: str, page: int, prefix: str = "", suffix: str = ""
    ) -> TextAnchor:
        """An imported annotation's place: its words on its page (0-based; clamped; the text
        of an unpaged document), else looked for in the whole text like a changed document's
        (fuzzy, else an orphan: kept, never dropped or misplaced); no words (a note): the
        page's first word."""
        from reader.anchoring import find_quote, make_anchor, reanchor

        doc = opened.document
        pages = doc.page_count if doc.kind.paged else 0
        page = min(max(page, 0), pages - 1) if pages else 0
        base = doc.page_text_offset(page) if pages else 0  # type: ignore[attr-defined]
        page_text = doc.page_text(page) if pages else doc.text  # type: ignore[attr-defined]
        if quote.strip():
            found = find_quote(page_text, quote)
            if found is not None:
                return make_anchor(doc.text, base + found[0], base + found[1])
            return reanchor(TextAnchor(quote, prefix, suffix, base, base + len(quote)), doc.text)
        word = re.search(r"\S+", page_text)
        if word is None:
            return TextAnchor("", "", "", base, base, AnchorState.ORPHAN)
        return make_anchor(doc.text, base + word.start(), base + word.end())

    def _imported(
        self,
        opened: Opened,
        anchor: TextAnchor,
        kind: AnnotationKind,
        *,
        annotation_id: str,
        color: str = "",
        status: ClaimStatus = ClaimStatus.UNVERIFIED,
        claimant: str = "",
        note: str = "",
        tags: tuple[str, ...] = (),
        author: str = "",
        created_at: str,
        updated_at: str,
    ) -> Annotation:
        """An annotation another tool made, placed by `anchor` on the open document."""
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
        page, rects = self._placement(opened, anchor)
        return Annotation(
            id=annotation_id,
            document_id=opened.record.id,
            version_id=version,
            anchor=anchor,
            kind=kind,
            color=color or DEFAULT_COLORS[kind],
            status=status,
            claimant=claimant,
            note=note,
            tags=_clean_tags(tags),
            author=author,
            page=page,
            rects=rects,
            created_at=created_at,
            updated_at=updated_at,
        )

    def _local_copy(
        self, uri: str, fingerprints: dict[str, DocumentRecord | None]
    ) -> Opened | None:
        """The library's copy of the page at `uri`, opened (a URL's saved snapshot: no
        network), or None when the library does not have it. A PDF named by its fingerprint
        (``urn:x-pdf:…``) is looked for among the library's PDFs (`fingerprints` caches
        theirs)."""
        from urllib.parse import unquote, urlparse

        if uri.lower().startswith("urn:x-pdf:"):
            return self._pdf_by_fingerprint(uri[len("urn:x-pdf:") :].lower(), fingerprints)

        candidates = [uri]
        if uri.lower().startswith("file:"):
            candidates.append(unquote(urlparse(uri).path))
        else:
            # The same page as Hypothesis may have recorded it: without the fragment, with or
            # without the trailing slash.
            bare = uri.split("#", 1)[0]
            candidates += [bare, bare[:-1] if bare.endswith("/") else bare + "/"]
        for candidate in candidates:
            for record in self.repo.documents_at(candidate):
                opened = self._open_record(record)
                if opened is not None:
                    return opened
        return None

    def _open_record(self, record: DocumentRecord) -> Opened | None:
        """A document of the library opened from where it was (a URL from its saved
        snapshot: no network); None when that copy is gone or unreadable."""
        try:
            if is_url(record.source):
                snapshot = self.saved_snapshot(record.source)
                if snapshot is None:
                    return None
                return self.open_snapshot(record.source, snapshot, None)
            return self.open_path(record.source)
        except DocumentError:
            return None

    # -- annotated PDF -------------------------------------------------------------------------

    def export_pdf(
        self, opened: Opened, out: str | Path, password: str | None = None
    ) -> tuple[int, int]:
        """Write a copy of an open PDF with every highlight as a standard PDF highlight
        annotation; (written, skipped orphans). The original file is never modified."""
        from reader.documents.geometry import range_rects
        from reader.exchange.pdf_export import PdfExportError, export_annotated_pdf

        if opened.document.kind.value != "pdf":
            raise DocumentError("Only PDFs can be exported with their highlights.")
        annotations = self.annotations(opened)
        doc = opened.document
        try:
            return export_annotated_pdf(
                Path(self._file_of(opened)),
                Path(out),
                annotations,
                password=password,
                rects_for=lambda a: range_rects(doc, a.anchor.start, a.anchor.end)[1],  # type: ignore[arg-type]
            )
        except PdfExportError as exc:
            raise DocumentError(str(exc)) from None

    def _file_of(self, opened: Opened) -> str:
        """The file on this machine behind an open document (a URL's snapshot)."""
        source = opened.record.source
        if is_url(source):
            snapshot = self.saved_snapshot(source)
            if snapshot is None:
                raise DocumentError("The downloaded copy of this document is missing.")
            return str(snapshot)
        return source

    def import_pdf_markup(self, opened: Opened, password: str | None = None) -> ImportSummary:
        """Bring a PDF's own highlight, underline and note annotations in as annotations.

        Each markup is anchored on the text under it, on its page (the occurrence whose boxes
        overlap the markup's); a note without text under it is anchored on the nearest word.
        Importing the same file again adds nothing.
        """
        from reader.anchoring import find_quote
        from reader.documents.geometry import range_rects
        from reader.exchange.pdf_export import (
            PdfExportError,
            parse_contents,
            read_pdf_annotations,
        )

        doc = opened.document
        try:
            markups = read_pdf_annotations(Path(self._file_of(opened)), password=password)
        except PdfExportError as exc:
            raise DocumentError(str(exc)) from None
        existing = {a.id: a for a in self.annotations(opened)}
        spans = {(a.anchor.start, a.anchor.end, str(a.kind)) for a in existing.values()}
        added = unchanged = 0
        with self.transaction():
            for m in markups:
                if m.name in existing:
                    unchanged += 1
                    continue
                page_text = doc.page_text(m.page)  # type: ignore[attr-defined]
                base = doc.page_text_offset(m.page)  # type: ignore[attr-defined]
                span = None
                if m.text.strip():
                    occurrence = 1
                    while (found := find_quote(page_text, m.text, occurrence)) is not None:
                        _, rects = range_rects(doc, base + found[0], base + found[1])  # type: ignore[arg-type]
                        if span is None or _overlaps(rects, m.rects):
                            span = found
                        if _overlaps(rects, m.rects):
                            break
                        occurrence += 1
                if span is None:
                    span = _nearest_word(doc, m)
                if span is None:
                    continue
                parsed = parse_contents(m.content) or {}
                kind = AnnotationKind(
                    parsed.get("kind")
                    or (
                        "comment"
                        if m.kind in ("text", "freetext") or not m.text.strip()
                        else "claim"
                    )
                )
                start, end = base + span[0], base + span[1]
                if (start, end, str(kind)) in spans:
                    unchanged += 1
                    continue
                self.highlight(
                    opened,
                    start,
                    end,
                    kind,
                    color=m.color,
                    status=ClaimStatus(parsed.get("status") or "unverified"),
                    note=str(parsed.get("note", m.content)),
                    tags=tuple(parsed.get("tags", ())),  # type: ignore[arg-type]
                    claimant=str(parsed.get("claimant", "")),
                    author=m.author,
                )
                spans.add((start, end, str(kind)))
                added += 1
        return ImportSummary(added=added, unchanged=unchanged)


def _source_title(opened: Opened) -> str:
    """A document's title as a source: its metadata title, unless that is only the file's
    name (what a backend falls back to), then its first line when that reads as a title."""
    meta_title = " ".join(opened.document.metadata.title.split())
    names = {Path(opened.record.source).stem, Path(opened.record.source).name}
    if meta_title and meta_title not in names:
        return meta_title
    doc = opened.document
    head = doc.page_text(0) if doc.kind.paged and doc.page_count else doc.text[:2000]
    first = next((" ".join(line.split()) for line in head.splitlines() if line.strip()), "")
    if first and len(first) <= 150 and not first.endswith((".", ",", ";", ":")):
        return first
    return meta_title or opened.record.title


class EmptySelection(DocumentError):
    """The span to highlight holds nothing but whitespace."""


__all__ += ["EmptySelection"]


def _words_only(text: str, start: int, end: int) -> tuple[int, int]:
    from reader.text_units import trim

    trimmed = trim(text, start, end)
    if trimmed[1] <= trimmed[0]:
        raise EmptySelection("The selection holds no words to highlight.")
    return trimmed
# What a file that is no export is, by its first bytes (magic numbers).
_NOT_AN_EXPORT = (
    (b"%PDF-", "a PDF document"),
    (b"\x89PNG\r\n\x1a\n", "a PNG image"),
    (b"\xff\xd8\xff", "a JPEG image"),
    (b"GIF87a", "a GIF image"),
    (b"GIF89a", "a GIF image"),
    (b"II*\x00", "a TIFF image"),
    (b"MM\x00*", "a TIFF image"),
    (b"PK\x03\x04", "a ZIP archive (an EPUB, an Office document or a .zip)"),
    (b"\x1f\x8b", "a gzip-compressed file"),
    (b"\xd0\xcf\x11\xe0", "an old Office document"),
)


def refuse_unimportable(path: Path, head: bytes) -> str:
    """The sentence for a file `import` cannot take, named for what it is (a PDF, an image,
    an archive …); "" for a file that may be an export. SQLite files are told apart by
    `Library._import_sqlite`."""
    name = path.name or str(path)
    what = next((what for magic, what in _NOT_AN_EXPORT if head.startswith(magic)), "")
    if head.startswith(b"RIFF") and head[8:12] == b"WEBP":
        what = "a WebP image"
    if not what:
        return ""
    return f"{name} is {what}, not a Claim Reader export (CSV or JSON): nothing was imported."


def _text_if_ready(document) -> str | None:
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


_ZOTERO_NS = uuid.UUID("3c9b6f0e-2a41-5d7e-8f13-7a2e4b5c6d01")


def _zotero_time(text: str) -> str:
    """Zotero's "2026-11-20 10:00:00" (UTC) as ISO 8601; "" if it is not a time."""
    from reader.exchange import canonical_or_none

    return canonical_or_none(text.strip().replace(" ", "T", 1)) or "" if text.strip() else ""


def _zotero_source(csl: dict, title: str) -> Source:
    """A Zotero parent item (as CSL-JSON) as a Source."""

    def text(key: str) -> str:
        value = csl.get(key, "")
        return value if isinstance(value, str) else ""

    authors = []
    for name in csl.get("author", []) or []:
        if name.get("literal"):
            authors.append(name["literal"])
        elif name.get("family"):
            authors.append(
                f"{name['family']}, {name['given']}" if name.get("given") else name["family"]
            )
    issued = text("issued")
    # Zotero stores dates as "2023-05-00 May 2023": the SQL part first, zeros for unknowns.
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", issued)
    if match:
        issued = "-".join(p for p in match.groups() if p and p != "00")
    return Source(
        type=text("type") or "document",
        title=text("title") or title,
        authors=tuple(authors),
        container_title=text("container-title"),
        publisher=text("publisher"),
        issued=issued,
        url=text("URL"),
        doi=text("DOI"),
        isbn=text("ISBN"),
        accessed=text("accessed")[:10],
        note=text("note"),
    )


def _is_hypothesis_head(head: bytes) -> bool:
    """A Hypothesis export (an object with "annotations"), not a W3C one (with "@context")."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        text.startswith(b"{")
        and b'"@context"' not in text
        and (b'"annotations"' in text or b'"export_date"' in text)
    )


def _enum(kind, value: object, default):
    try:
        return kind(value) if value else default
    except ValueError:
        return default


def _hypothesis_anchor(h, ours: object) -> TextAnchor:
    """Where to look for a Hypothesis annotation: Claim Reader's own anchor when the file
    came from Claim Reader (a text file's selectors count the file, not the normalized text),
    else the quote, with the position as a hint."""
    if isinstance(ours, dict):
        try:
            start, end = int(ours["start"]), int(ours["end"])
            quote = str(ours["exact"])
            return TextAnchor(quote, str(ours.get("prefix", "")), str(ours.get("suffix", "")),
                              max(start, 0), max(end, 0))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            pass
    return TextAnchor(h.exact, h.prefix, h.suffix, max(h.start, 0), max(h.end, 0))


def _hypothesis_view(a: Annotation) -> tuple[object, ...]:
    return (a.document_id, a.anchor, a.kind, a.status, a.claimant, a.note, tuple(sorted(a.tags)))


def _is_sqlite_file(path: Path) -> bool:
    try:
        with path.open("rb") as raw:
            return raw.read(16) == b"SQLite format 3\x00"
    except OSError:
        return False


def _clean_tags(tags: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:  # type: ignore[attr-defined]
        t = " ".join(str(tag).split())
        if t:
            seen.setdefault(t, None)
    return tuple(seen)


def _overlaps(a, b) -> bool:
    return any(
        r.page == q.page and r.x0 < q.x1 and q.x0 < r.x1 and r.y0 < q.y1 and q.y0 < r.y1
        for r in a
        for q in b
    )


def _nearest_word(doc, markup) -> tuple[int, int] | None:
    """The page-text span of the word nearest a note's corner (notes mark no text)."""
    if not markup.rects:
        return None
    x, y = markup.rects[0].x0, markup.rects[0].y0
    best = None
    for ch in doc.page_chars(markup.page):
        r = ch.rect
        if r.x1 <= r.x0:
            continue
        d = (max(r.x0 - x, 0, x - r.x1)) ** 2 + (max(r.y0 - y, 0, y - r.y1)) ** 2
        if best is None or d < best[0]:
            best = (d, ch.offset)
    if best is None:
        return None
    text = doc.page_text(markup.page)
    start = end = best[1]
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return (start, end) if end > start else None


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"


# -- export and import helpers (reader.exchange) ---------------------------------------------------


class ImportFailed(DocumentError):
    """A file that cannot be imported: "line N: …" (CSV) or "item N: …" (JSON); nothing changed."""


__all__ += ["ImportFailed"]


def _export_writer(fmt: str, excel: bool, total: int, texts: _Locator, review: dict[str, str]):
    """write(records, out) -> int for a format; md and claimreview are imported when used."""
    if fmt == "csv":
        from reader.exchange.csv_format import write_csv

        return lambda records, out: write_csv(records, out, excel=excel, locate=texts)
    if fmt == "json":
        from reader.exchange.webanno import write_webanno

        return lambda records, out: write_webanno(
            records, out, total=total, source_span=texts.source_span
        )
    if fmt == "hypothesis":
        from reader.exchange.hypothesis import write_hypothesis

        return lambda records, out: write_hypothesis(
            records, out, source_span=texts.source_span, pdf_fingerprint=texts.pdf_fingerprint
        )
    try:
        if fmt == "md":
            from reader.exchange.markdown import write_markdown

            return lambda records, out: write_markdown(records, out, locate=texts)
        from reader.exchange.claimreview import write_claimreview
    except ImportError as exc:  # pragma: no cover - a partial installation
        raise DocumentError(f"The {fmt} export is not available ({exc}).") from None
    return lambda records, out: write_claimreview(
        records,
        out,
        publisher=review.get("org", ""),
        url=review.get("review_url", ""),
        publisher_url=review.get("org_url", ""),
    )


def _watched(
    records: Iterator[ExportRecord],
    total: int,
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
) -> Iterator[ExportRecord]:
    """The records, telling `progress` every 100 and stopping when `cancel` is set."""
    done = 0
    if progress is not None:
        progress(0, total)
    for record in records:
        if cancel is not None and cancel.is_set():
            raise DocumentError("Export cancelled.")
        yield record
        done += 1
        if progress is not None and done % 100 == 0:
            progress(done, total)
    if cancel is not None and cancel.is_set():
        raise DocumentError("Export cancelled.")
    if progress is not None and done % 100:
        progress(done, total)


def _write_atomically(target: Path, write: Callable[[TextIO], int]) -> int:
    """Write to a temporary file beside `target` and rename it into place once complete."""
    import os

    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        out = tmp.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise DocumentError(f"{target} cannot be written: {exc.strerror or exc}.") from None
    try:
        with out:
            count = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DocumentError(f"{target} cannot be written: {exc.strerror or exc}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Locator:
    """The texts of the documents being exported, as the library kept them (every version it
    opened since versions keep their text):

    - called, the CSV / Markdown ``location`` of a record: ``p. N``, or ``¶ N`` when the
      article's text is at hand, "" otherwise;
    - `source_span`, where a text or Markdown file's annotation sits in the file's own
      decoded text (None when the file is not at hand).

    A file is read only for `source_span`, and only when this library opened those very bytes
    itself (it kept their text) and the file still has them: a document's file name that came
    from an imported export is a hint, never opened (it could name any file on the machine).
    """

    def __init__(self, store, text_of: Callable[[str], str | None]) -> None:
        from reader.exchange import paragraph_at

        self.store = store
        self.text_of = text_of
        self.texts: dict[str, tuple[list[int], str] | None] = {}
        self.maps: dict[str, object] = {}  # SourceMap (or None) by sha256, text files only
        self.fingerprints: dict[str, str] = {}  # PDF.js fingerprints by sha256
        self.paragraph_at = paragraph_at

    def __call__(self, record: ExportRecord) -> str:
        # `reader.exchange.location`, inlined: it runs once per exported annotation.
        page = record.annotation.page
        if page >= 0:
            return f"p. {page + 1} (OCR)" if record.ocr else f"p. {page + 1}"
        document = record.document
        if document.kind.paged:
            return ""
        known = self._texts(document.sha256)
        if known is None:
            return ""
        return f"¶ {self.paragraph_at(known[0], record.annotation.anchor.start)}"

    def source_span(self, record: ExportRecord):
        from reader.exchange.webanno import SourceSpan

        if record.document.kind.value not in ("text", "markdown"):
            return None
        sha = record.document.sha256
        known = self._texts(sha)
        if known is None:
            return None
        if sha not in self.maps:  # built on first use: CSV and Markdown need only the breaks
            if len(self.maps) >= 4:
                self.maps.clear()
            self.maps[sha] = self._source_map(sha, known[1])
        source_map = self.maps[sha]
        if source_map is None:
            return None
        anchor = record.annotation.anchor
        span = source_map.span(anchor.start, anchor.end)  # type: ignore[attr-defined]
        if span is None:
            return None
        return SourceSpan(span[0], span[1], source_map.source)  # type: ignore[attr-defined]

    def pdf_fingerprint(self, record: ExportRecord) -> str:
        """A PDF's PDF.js fingerprint, from the version's file; "" when it is not at hand."""
        from reader.documents.pdf import pdf_fingerprint

        sha = record.document.sha256
        if sha not in self.fingerprints:
            self.fingerprints[sha] = ""
            if record.document.kind.value == "pdf":
                for name in self.store.version_files(sha):
                    path = Path(name)
                    if path.is_file() and _file_sha256(path) == sha:
                        self.fingerprints[sha] = pdf_fingerprint(path)
                        break
        return self.fingerprints[sha]

    def _source_map(self, sha: str, text: str):
        from reader.documents.decode import decode_source
        from reader.documents.source_map import SourceMap

        for name in self.store.version_files(sha):
            path = Path(name)
            try:
                if not path.is_file():
                    continue
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() == sha:
                    return SourceMap(text, decode_source(data))
            except (OSError, ValueError):
                continue
        return None

    def _texts(self, sha: str) -> tuple[list[int], str] | None:
        """The document's paragraph breaks and its normalized text, when the library kept it."""
        from reader.exchange import paragraph_breaks

        if sha not in self.texts:
            if len(self.texts) >= 4:
                self.texts.clear()
            text = self.text_of(sha)
            self.texts[sha] = None if text is None else (paragraph_breaks(text), text)
        return self.texts[sha]


class _Importer:
    """Merges a stream of `reader.exchange.Incoming` into the library, a batch at a time,
    inside the caller's transaction."""

    BATCH = 500

    def __init__(self, library: Library, cancel: threading.Event | None) -> None:
        from datetime import UTC, datetime

        from reader.exchange import canonical_time

        self.library = library
        self.repo = library.repo
        self.store = library._exchange_store()
        self.cancel = cancel
        self.versions: dict[str, tuple[int, int]] = {}
        self.texts: dict[int, str | None] = {}
        self.set_ids: dict[str, int | None] = {}
        self.source_ids: dict[tuple[object, ...], int] = {}
        self.links: list[tuple[str, str]] = []
        # Into a library without annotations, only ids this import added can be stored. No set
        # of the ids seen is kept (a million rows would make it ~100 MB): the library, inside
        # this import's transaction, knows which ids earlier batches added.
        self.fresh = not self.store.has_annotations()
        # Rows this import adds get rowids from here on: an id found at or above it came
        # earlier in this very file.
        self.first_new = self.store.next_rowid()
        self.started = datetime.now(UTC)
        self.now = canonical_time(self.started.isoformat())
        self.ticks = 0
        self.added = self.updated = self.unchanged = 0

    def run(self, items) -> ImportSummary:
        batch = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.BATCH:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        if self.links:
            self.store.link_evidence(self.links)
        return ImportSummary(self.added, self.updated, self.unchanged)

    def _batch(self, items) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise DocumentError("Import cancelled.")
        ids = [i.annotation.id for i in items]
        present = self.store.rowids(ids)
        self._check_once(items, present)
        fresh = self.fresh and not present
        stored = {} if fresh else self.store.stored(ids)
        citation_ids = [c.citation.id for i in items for c in i.citations]
        cited = self.store.citations_by_id(citation_ids) if citation_ids else {}
        evidence_ids = [
            c.citation.evidence_annotation_id
            for i in items
            for c in i.citations
            if c.citation.evidence_annotation_id
        ]
        # Evidence may be stored already (this import's earlier batches included) or come in
        # this batch.
        in_batch = set(ids)
        known = (
            self.store.existing_annotations(evidence_ids)
            | {e for e in evidence_ids if e in in_batch}
            if evidence_ids
            else set()
        )
        added: list[tuple] = []  # rows from `ExchangeStore.new_row`
        changed: list[Annotation] = []
        citations_added: list[Citation] = []
        citations_changed: list[Citation] = []
        members: list[tuple[int, str]] = []
        owners: dict[str, str] = {}  # citation id → the annotation it belongs to, this batch
        ties: dict[str, list[tuple[int, int]]] = {}
        items = [self._placed(item, ties) for item in items]
        history = [(i.annotation.id, h) for i in items for h in i.history]
        for item in items:
            a = item.annotation
            for incoming in item.citations:
                _check_owner(item, incoming.citation.id, cited, owners)
            old = stored.get(a.id)
            if old is None:
                row = self._new(item)
            else:
                annotation = self._annotation(item, old.annotation)
                differs = _differs(old.annotation, annotation, item.full)
            touched = False
            for incoming in item.citations:
                citation, state = self._citation(
                    incoming, cited.get(incoming.citation.id), item.full, known
                )
                if state == "added":
                    citations_added.append(citation)
                elif state == "changed":
                    citations_changed.append(citation)
                touched |= state != "same"
            for name in item.sets:
                set_id = self._set(name)
                if set_id is not None and (old is None or set_id not in old.sets):
                    members.append((set_id, a.id))
                    touched = True
            if old is None:
                added.append(row)
                self.added += 1
            elif differs:
                changed.append(annotation)
                self.updated += 1
            elif touched:
                self.updated += 1
            else:
                self.unchanged += 1
        self.store.write(added, changed, citations_added, citations_changed, members, history)
        if items and items[0].full:  # a CSV has no claim details: the stored ones stay
            self.repo.write_claim_details([i.annotation for i in items])
        if ties:
            self.repo.set_candidates(ties)

    def _placed(self, item, ties: dict[str, list[tuple[int, int]]]):
        """The item, its anchor found again when the library has the document's text and the
        quote is not at the offsets the file gives (an import claims; the text decides).
        Paged documents are left to opening, which also works out the page."""
        from reader.anchoring import reanchor_many

        anchor = item.annotation.anchor
        if anchor.state is AnchorState.ORPHAN:
            return item
        _, version_id = self._version(item)
        text = self._text(version_id)
        if text is None or text[anchor.start : anchor.end] == anchor.quote:
            return item
        found: dict[int, list[tuple[int, int]]] = {}
        (moved,) = reanchor_many([anchor], text, ties=found)  # type: ignore[misc]
        if found:
            ties[item.annotation.id] = found[0]
        return replace(item, annotation=replace(item.annotation, anchor=moved))

    def _text(self, version_id: int) -> str | None:
        """The text of an unpaged version the library kept (the last few, by version)."""
        if version_id not in self.texts:
            if len(self.texts) >= 4:
                self.texts.clear()
            record = self.repo.document_by_id(self.repo.document_of_version(version_id))
            paged = record is None or record.kind.paged
            self.texts[version_id] = None if paged else self.repo.version_text(version_id)
        return self.texts[version_id]

    def _check_once(self, items, present: dict[str, int]) -> None:
        """An annotation comes once (a CSV's rows of one annotation are next to each other):
        checked against this batch and what this import stored, so no set of every id read
        is kept (memory stays bounded, whatever the number of rows)."""
        from reader.exchange import ExchangeError

        here: set[str] = set()
        for item in items:
            annotation_id = item.annotation.id
            if annotation_id in here or present.get(annotation_id, 0) >= self.first_new:
                raise ExchangeError(
                    item.where,
                    f"annotation {annotation_id} already came earlier in the file (the rows of "
                    "one annotation must be next to each other, as an export writes them).",
                )
            here.add(annotation_id)

    def _version(self, item) -> tuple[int, int]:
        doc = item.document
        found = self.versions.get(doc.sha256)
        if found is None:
            from reader.exchange import guess_kind
            from reader.model import DocumentKind

            found = self.store.version(doc.sha256)
            if found is None:
                kind = (
                    DocumentKind(doc.kind)
                    if doc.kind
                    else guess_kind(doc.file, item.annotation.page >= 0)
                )
                found = self.store.add_document(doc.sha256, kind, doc.title, doc.file)
            self.versions[doc.sha256] = found
        return found

    def _new(self, item) -> tuple:
        """What `_annotation(item, None)` gives, as the row the store adds (`new_row`): no
        `Annotation` built a second time for each imported one."""
        a = item.annotation
        document_id, version_id = self._version(item)
        created = a.created_at or self.now
        return self.store.new_row(
            a,
            document_id,
            version_id,
            a.color or DEFAULT_COLORS[a.kind],
            _clean_tags(a.tags) if a.tags else (),
            a.author if item.full else "",
            created,
            a.updated_at or created,
        )

    def _annotation(self, item, old: Annotation | None) -> Annotation:
        a = item.annotation
        document_id, version_id = self._version(item)
        keep_rects = (
            old is not None
            and old.version_id == version_id
            and (old.anchor.start, old.anchor.end, old.page)
            == (a.anchor.start, a.anchor.end, a.page)
        )
        created = a.created_at or (old.created_at if old else self.now)
        return replace(
            a,
            document_id=document_id,
            version_id=version_id,
            color=a.color or DEFAULT_COLORS[a.kind],
            tags=_clean_tags(a.tags),
            author=a.author if item.full else (old.author if old else ""),
            rects=old.rects if keep_rects and old is not None else (),
            created_at=created,
            updated_at=a.updated_at or created,
        )

    def _citation(self, incoming, old: Citation | None, full: bool, known: set[str]):
        c = incoming.citation
        source_id = self._source(incoming.source, old, full)
        evidence = c.evidence_annotation_id if full else None
        if old is None:
            if evidence:
                self.links.append((c.id, evidence))
            created = c.created_at if full and c.created_at else self._tick()
            new = replace(c, source_id=source_id, created_at=created, evidence_annotation_id=None)
            return new, "added"
        merged = replace(
            old,
            annotation_id=c.annotation_id,
            source_id=source_id,
            stance=c.stance,
            locator=c.locator,
            evidence_quote=c.evidence_quote,
            created_at=c.created_at if full and c.created_at else old.created_at,
        )
        relinked = False
        if full and evidence != old.evidence_annotation_id:
            if evidence is None:
                merged = replace(merged, evidence_annotation_id=None)
                relinked = True
            elif evidence in known:
                self.links.append((c.id, evidence))
                relinked = True
        return merged, ("changed" if merged != old or relinked else "same")

    def _tick(self) -> str:
        """Import time plus a microsecond per new citation: keeps the file's citation order."""
        from datetime import timedelta

        self.ticks += 1
        moment = self.started + timedelta(microseconds=self.ticks)
        return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def _source(self, source: Source, old: Citation | None, full: bool) -> int:
        from reader.citations import duplicate_keys, safe_links
        from reader.exchange import source_view

        source = safe_links(source)
        view = source_view(source, full)
        if old is not None:
            current = self.repo.sources.get(old.source_id)
            if current is not None and source_view(current, full) == view:
                return current.id
        cache_key = (full, *view)
        if cache_key not in self.source_ids:
            keys = duplicate_keys(source)
            if keys:
                found = self.repo.sources.by_keys(keys)
            elif source.title:
                found = self.store.source_by_title(source.title, source.issued)
            else:
                found = None
            if found is None:
                now = utc_now()
                found = self.repo.sources.add(
                    replace(source, id=0, created_at=now, updated_at=now), keys
                )
            self.source_ids[cache_key] = found.id
        return self.source_ids[cache_key]

    def _set(self, name: str) -> int | None:
        """The id of the set named `name` (spaces collapsed), made if needed; None for a blank
        name. Kept by the name as written: the same few names come on row after row."""
        set_id = self.set_ids.get(name)
        if set_id is None and name not in self.set_ids:
            clean = " ".join(name.split())
            if not clean:
                set_id = None
            elif clean in self.set_ids:
                set_id = self.set_ids[clean]
            else:
                found = self.repo.sets.by_name(clean)
                if found is None:
                    found = self.repo.sets.create(clean, utc_now())
                set_id = found.id
                self.set_ids[clean] = set_id
            self.set_ids[name] = set_id
        return set_id


def _check_owner(item, citation_id: str, stored: dict, owners: dict[str, str]) -> None:
    """A citation id names one citation of one annotation: an import never takes a citation
    away from the annotation it belongs to (that would turn its stance into another's)."""
    from reader.exchange import ExchangeError

    annotation_id = item.annotation.id
    old = stored.get(citation_id)
    owner = old.annotation_id if old is not None else owners.setdefault(citation_id, annotation_id)
    if owner != annotation_id:
        raise ExchangeError(
            item.where,
            f"citation {citation_id} belongs to another annotation ({owner}), not to "
            f"{annotation_id}; nothing was imported.",
        )


def _differs(old: Annotation, new: Annotation, full: bool) -> bool:
    """Whether an import changes a stored annotation (times compared as the export writes
    them; rects are derived and the author is only compared when the file carries it)."""
    from reader.exchange import canonical_time

    def view(a: Annotation) -> tuple[object, ...]:
        return (
            a.document_id,
            a.version_id,
            a.anchor,
            a.page,
            a.kind,
            a.color,
            a.status,
            a.claimant,
            a.note,
            tuple(sorted(a.tags)),
            canonical_time(a.created_at),
            canonical_time(a.updated_at),
            a.author if full else "",
            (a.claim_reviewed, a.claim_date, a.claimant_type) if full else (),
        )

    return view(old) != view(new)
