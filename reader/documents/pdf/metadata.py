"""What a paged file says about itself: its metadata and its PDF.js fingerprint."""

from __future__ import annotations

import hashlib
import re
from pathlib import Path

import pymupdf

from reader.documents.pdf.context import MUPDF_LOCK
from reader.model import Metadata

_FILE_ID = re.compile(r"\[\s*<([0-9A-Fa-f\s]*)>")
_NO_ID = "0" * 32


def pdf_fingerprint(path: str | Path) -> str:
    """The PDF's fingerprint as PDF.js computes it (and Hypothesis names a local PDF by, as
    ``urn:x-pdf:<fingerprint>``): the first file identifier of the trailer when it is 16
    bytes, in lowercase hex; else the MD5 of the file's first 1024 bytes. "" if unreadable."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
        doc = pymupdf.open(path)
    except (OSError, RuntimeError, ValueError):
        return ""
    try:
        kind, value = doc.xref_get_key(-1, "ID")
    except (RuntimeError, ValueError):
        kind, value = "null", ""
    finally:
        doc.close()
    found = _FILE_ID.match(value) if kind == "array" else None
    if found is not None:
        first = "".join(found.group(1).split()).lower()
        if len(first) == 32 and first != _NO_ID:
            return first
    return hashlib.md5(head).hexdigest()


def read_metadata(doc: pymupdf.Document, path: Path) -> Metadata:
    """Title (the file's name when the document has none), author and date, cleaned."""
    with MUPDF_LOCK:
        raw = dict(doc.metadata or {})
    return Metadata(
        title=clean(raw.get("title")) or path.stem,
        author=clean(raw.get("author")),
        published=_iso_date(raw.get("creationDate") or ""),
    )


def _iso_date(pdf_date: str) -> str:
    """PDF date ``D:20220403180542+02'00'`` → ISO 8601 date (possibly partial), else ""."""
    m = re.match(r"\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?", pdf_date or "")
    if not m:
        return ""
    year, month, day = m.groups()
    if not 1000 <= int(year) <= 9999:
        return ""
    parts = [year]
    if month and 1 <= int(month) <= 12:
        parts.append(month)
        if day and 1 <= int(day) <= 31:
            parts.append(day)
    return "-".join(parts)


def clean(value: object) -> str:
    """A metadata string without control characters (NULs are common) and runs of spaces."""
    text = "".join(c if c.isprintable() else " " for c in str(value or ""))
    return " ".join(text.split())
