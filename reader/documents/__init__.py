"""`open_document(path)` picks a backend by sniffing the file and imports it lazily."""

from __future__ import annotations

from pathlib import Path

from reader.documents.base import DocumentBackend, DocumentError, PasswordRequired
from reader.model import DocumentKind

__all__ = [
    "DocumentBackend",
    "DocumentError",
    "PasswordRequired",
    "open_document",
    "sniff_kind",
]

_BY_SUFFIX = {
    ".pdf": DocumentKind.PDF,
    ".epub": DocumentKind.EPUB,
    ".xps": DocumentKind.XPS,
    ".oxps": DocumentKind.XPS,
    ".fb2": DocumentKind.FB2,
    ".mobi": DocumentKind.MOBI,
    ".cbz": DocumentKind.CBZ,
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
    ".xhtml": DocumentKind.HTML,
    ".shtml": DocumentKind.HTML,
    ".txt": DocumentKind.TEXT,
    ".text": DocumentKind.TEXT,
    ".md": DocumentKind.MARKDOWN,
    ".markdown": DocumentKind.MARKDOWN,
}

_BY_MIME = {
    "application/pdf": DocumentKind.PDF,
    "application/epub+zip": DocumentKind.EPUB,
    "text/html": DocumentKind.HTML,
    "application/xhtml+xml": DocumentKind.HTML,
    "text/plain": DocumentKind.TEXT,
    "text/markdown": DocumentKind.MARKDOWN,
}


def kind_for_mime(mime: str) -> DocumentKind | None:
    return _BY_MIME.get(mime.lower())


def sniff_kind(head: bytes, name: str = "") -> DocumentKind | None:
    """The kind of a document from its first bytes, with the file name as a tie-breaker."""
    by_name = _BY_SUFFIX.get(Path(name).suffix.lower()) if name else None
    if b"%PDF-" in head[:1024]:
        return DocumentKind.PDF
    if head.startswith(b"PK\x03\x04"):
        if by_name in (DocumentKind.EPUB, DocumentKind.XPS, DocumentKind.CBZ):
            return by_name
        if b"mimetypeapplication/epub+zip" in head[:100]:
            return DocumentKind.EPUB
        return None
    if by_name in (DocumentKind.MOBI, DocumentKind.FB2):
        return by_name
    if head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return DocumentKind.MOBI
    probe = head[:2048].lstrip(b"\xef\xbb\xbf \t\r\n").lower()
    if by_name in (DocumentKind.HTML, DocumentKind.TEXT, DocumentKind.MARKDOWN):
        if by_name is DocumentKind.TEXT and probe.startswith((b"<!doctype html", b"<html")):
            return DocumentKind.HTML
        return by_name
    if probe.startswith((b"<!doctype html", b"<html", b"<head", b"<meta")):
        return DocumentKind.HTML
    if b"<fictionbook" in probe:
        return DocumentKind.FB2
    if head and b"\x00" not in head[:4096]:
        return DocumentKind.TEXT
    return None


def sniff_path(path: Path) -> DocumentKind | None:
    """The kind of the file at `path` by its first bytes and name; None if it is none we
    open (or empty). OSError if it cannot be read."""
    with Path(path).open("rb") as fh:
        head = fh.read(8192)
    return sniff_kind(head, Path(path).name) if head else None


def open_document(
    path: str | Path, password: str | None = None, *, source: str = "", url: str = ""
) -> DocumentBackend:
    """Open a file as the right backend. `source` is what the library records (path or URL)."""
    path = Path(path)
    name = path.name
    try:
        with path.open("rb") as fh:
            head = fh.read(8192)
    except FileNotFoundError:
        raise DocumentError(f"{path} does not exist.") from None
    except IsADirectoryError:
        raise DocumentError(f"{path} is a folder, not a document.") from None
    except PermissionError:
        raise DocumentError(f"{path} cannot be read: permission denied.") from None
    except OSError as exc:
        raise DocumentError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    if not head:
        raise DocumentError(f"{name} is empty.")
    kind = sniff_kind(head, name)
    if kind is None:
        raise DocumentError(
            f"{name} is not a document Claim Reader can open "
            "(PDF, EPUB, XPS, FB2, MOBI, CBZ, HTML, Markdown or plain text)."
        )
    if kind.paged:
        from reader.documents.pdf import open_paged

        doc = open_paged(path, password)
        if source:
            doc.source = source
        return doc
    from reader.documents.article import load_article

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise DocumentError(f"{path} cannot be read: {exc.strerror or exc}.") from None
    return load_article(data, kind, source or str(path), url=url)
