"""Opening files and URLs (fetched into the snapshot folder), recording them, and the
version texts and OCR the library keeps for them."""

from __future__ import annotations

import hashlib
import threading
from pathlib import Path

from reader.documents import DocumentBackend, DocumentError, kind_for_mime, open_document
from reader.documents.base import Cancelled
from reader.library.core import LibraryCore, OpenedDocument, is_url, text_if_ready, utc_now
from reader.model import DocumentRecord, ViewPlace

_SNAPSHOT_SUFFIX = {
    "pdf": ".pdf",
    "epub": ".epub",
    "html": ".html",
    "text": ".txt",
    "markdown": ".md",
}


class Opening(LibraryCore):
    """Opening a path or URL (backend + record), each recorded by its bytes' SHA-256."""

    def open(
        self,
        path_or_url: str,
        password: str | None = None,
        *,
        cancel: threading.Event | None = None,
        offline_first: bool = False,
    ) -> OpenedDocument:
        """Open a file or URL and record it. Raises DocumentError with a sentence for the user."""
        if is_url(path_or_url) and not Path(path_or_url).exists():
            return self.open_url(path_or_url, password, cancel=cancel, offline_first=offline_first)
        return self.open_path(path_or_url, password)

    def open_path(self, path: str | Path, password: str | None = None) -> OpenedDocument:
        path = Path(path).expanduser()
        try:
            resolved = path.resolve()
        except OSError:
            resolved = path
        document = open_document(resolved, password, source=str(resolved))
        return OpenedDocument(document, self._record(document, resolved))

    def open_url(
        self,
        url: str,
        password: str | None = None,
        *,
        cancel: threading.Event | None = None,
        offline_first: bool = False,
    ) -> OpenedDocument:
        """Fetch and open a URL; offline, or when the fetch fails, open its saved snapshot."""
        from reader.documents.fetch import normalize_url

        url = normalize_url(url)
        snapshot = self.saved_snapshot(url)
        if offline_first and snapshot is not None:
            return self.open_snapshot(url, snapshot, password)
        try:
            target, final_url = self.download(url, cancel=cancel)
        except Cancelled:
            raise  # the user stopped it: not a failure the saved copy stands in for
        except DocumentError as exc:
            if snapshot is not None:
                opened = self.open_snapshot(url, snapshot, password)
                return OpenedDocument(
                    opened.document, opened.record, f"{exc} Showing the saved copy."
                )
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
    ) -> OpenedDocument:
        document = open_document(snapshot, password, source=url, url=final_url or url)
        return OpenedDocument(document, self._record(document, snapshot, source=url))

    def record_document(
        self, document: DocumentBackend, file: Path, *, source: str | None = None
    ) -> OpenedDocument:
        """Record a document read elsewhere (reader.documents.open_document on a worker
        thread, which touches no database) as open_path / open_snapshot would."""
        return OpenedDocument(document, self._record(document, file, source=source))

    def _open_record(self, record: DocumentRecord) -> OpenedDocument | None:
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

    def _file_of(self, opened: OpenedDocument) -> str:
        """The file on this machine behind an open document (a URL's snapshot)."""
        source = opened.record.source
        if is_url(source):
            snapshot = self.saved_snapshot(source)
            if snapshot is None:
                raise DocumentError("The downloaded copy of this document is missing.")
            return str(snapshot)
        return source

    # -- OCR of scanned pages ----------------------------------------------------------------------

    def _adopt_kept_ocr(self, document: DocumentBackend) -> None:
        """Text OCR read from this version's scanned pages before: used, not read again."""
        if document.kind.paged:
            kept = self.repo.ocr.load(document.sha256)
            if kept:
                document.adopt_ocr(kept)

    def read_scanned_pages(self, opened: OpenedDocument) -> list[int]:
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

    def remember_text(self, opened: OpenedDocument) -> None:
        """Keep this version's normalized text (once), for aligning the next version with it."""
        self._remember_text(opened.document)

    def _remember_text(self, document: DocumentBackend) -> None:
        version = self.repo.version_id(document.sha256)
        if version is not None and not self.repo.has_version_text(version):
            text = text_if_ready(document)
            if text is not None:
                self.repo.remember_version_text(version, text)

    # -- queries -----------------------------------------------------------------------------------

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
        """The stored record (title, kind, path …) of a document, or None."""
        return self.repo.document_by_id(document_id)
