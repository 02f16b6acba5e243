"""The one Qt-free façade the GUI and the CLI talk to."""

from __future__ import annotations

import hashlib
import threading
from dataclasses import dataclass
from pathlib import Path

from reader.documents import DocumentBackend, DocumentError, kind_for_mime, open_document
from reader.documents.base import PasswordRequired
from reader.model import DocumentRecord
from reader.store import LibraryDamaged, Repository, open_database

__all__ = ["DocumentError", "Library", "LibraryDamaged", "Opened", "PasswordRequired"]

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
    from reader.documents.fetch import looks_like_url

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
        from reader.documents.fetch import normalize_url

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
