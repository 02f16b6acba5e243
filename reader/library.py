"""The one Qt-free façade the GUI and the CLI talk to."""

from __future__ import annotations

import getpass
import hashlib
import threading
import uuid
from collections import Counter
from dataclasses import dataclass, replace
from pathlib import Path

from reader.documents import DocumentBackend, DocumentError, kind_for_mime, open_document
from reader.documents.base import PasswordRequired
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    DocumentRecord,
    PageRect,
    TextAnchor,
)
from reader.store import LibraryDamaged, Repository, open_database

__all__ = [
    "DocumentError",
    "Library",
    "LibraryDamaged",
    "Opened",
    "PasswordRequired",
    "QuoteNotFound",
    "default_author",
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
        base = self.db_path.parent if self.db_path else Path.cwd()
        self.snapshot_dir = base / "snapshots"

    def close(self) -> None:
        self.repo.close()

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

    def _record(
        self, document: DocumentBackend, file: Path, source: str | None = None
    ) -> DocumentRecord:
        try:
            size = file.stat().st_size
        except OSError:
            size = 0
        return self.repo.record_opened(
            sha256=document.sha256,
            kind=document.kind,
            metadata=document.metadata,
            source=source or str(file),
            pages=document.page_count,
            size=size,
            snapshot=str(file) if source else "",
        )

    # -- queries -------------------------------------------------------------------------------

    def recent(self, limit: int = 20) -> list[DocumentRecord]:
        return self.repo.recent_documents(limit)

    def document(self, sha256: str) -> DocumentRecord | None:
        return self.repo.document_by_sha(sha256)

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
        annotations = self.repo.annotations_for_document(opened.record.id)
        version = self.repo.version_id(opened.document.sha256)
        stale = [a for a in annotations if a.version_id != version]
        counts: Counter[str] = Counter()
        if not stale or version is None:
            return annotations, counts
        from reader.anchoring import reanchor_many

        moved = reanchor_many([a.anchor for a in stale], opened.document.text)
        updated = {}
        for a, anchor in zip(stale, moved, strict=True):
            page, rects = self._placement(opened, anchor, with_rects=False)
            updated[a.id] = replace(a, anchor=anchor, version_id=version, page=page, rects=rects)
            counts[str(anchor.state)] += 1
        self.repo.update_annotations(list(updated.values()))
        merged = [updated.get(a.id, a) for a in annotations]
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
        """Anchor text[start:end] and store it as a new annotation, committed at once."""
        from reader.anchoring import make_anchor

        anchor = make_anchor(opened.document.text, start, end)
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
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
            author=default_author() if author is None else author,
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
        """Put an (orphaned) annotation on newly selected text of the open version."""
        from reader.anchoring import make_anchor

        anchor = make_anchor(opened.document.text, start, end)
        version = self.repo.version_id(opened.document.sha256) or annotation.version_id
        page, rects = self._placement(opened, anchor)
        return self.update(annotation, anchor=anchor, version_id=version, page=page, rects=rects)

    def update(self, annotation: Annotation, **changes: object) -> Annotation:
        if "tags" in changes:
            changes["tags"] = _clean_tags(changes["tags"])  # type: ignore[arg-type]
        changed = replace(annotation, **changes, updated_at=utc_now())  # type: ignore[arg-type]
        return self.repo.update_annotation(changed)

    def put_back(self, annotation: Annotation) -> Annotation:
        """Store an annotation exactly as given (undo of a delete, redo of a create)."""
        if self.repo.annotation(annotation.id) is None:
            return self.repo.add_annotation(annotation)
        return self.repo.update_annotation(annotation)

    def delete(self, annotation_id: str) -> Annotation | None:
        return self.repo.delete_annotation(annotation_id)

    def annotation(self, annotation_id: str) -> Annotation | None:
        return self.repo.annotation(annotation_id)

    def all_annotations(self) -> list[Annotation]:
        return self.repo.all_annotations()

    def search(self, query: str) -> list[Annotation]:
        return self.repo.search_annotations(query)

    def tags(self) -> list[str]:
        return self.repo.all_tags()


def _clean_tags(tags: object) -> tuple[str, ...]:
    seen: dict[str, None] = {}
    for tag in tags:  # type: ignore[attr-defined]
        t = " ".join(str(tag).split())
        if t:
            seen.setdefault(t, None)
    return tuple(seen)


def _short(text: str, width: int = 60) -> str:
    text = " ".join(text.split())
    return text if len(text) <= width else text[: width - 1] + "…"
