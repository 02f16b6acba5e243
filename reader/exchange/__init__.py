"""Formats annotation sets travel in: CSV, W3C JSON, Markdown, ClaimReview, annotated PDF.

This package knows files, not the library: writers take `ExportRecord`s and a text stream,
readers turn a file into `Incoming` items and raise `ExchangeError("line 12", "…")` for the
first thing they cannot accept. Matching items against what is stored is the library's job.

Shared by the CSV and the W3C JSON format (`csv_format`, `webanno`):

- times are written in one canonical form, ISO 8601 UTC to the second (`canonical_time`), and an
  import stores exactly what it read, so export → import → export gives the same bytes;
- `location` is derived, never read back: ``p. N`` (1-based page) for paged documents, else
  ``¶ N``, the 1-based number of the paragraph (the "\\n\\n"-separated block of the normalized
  text) the quote starts in, when the document's text is at hand (see `paragraph_breaks`).
"""

from __future__ import annotations

import re
from bisect import bisect_right
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import PurePosixPath

from reader.model import (
    KIND_BY_SUFFIX,
    Annotation,
    Citation,
    DocumentKind,
    ExportRecord,
    HistoryEntry,
    Source,
)

__all__ = [
    "CLAIMREADER_NS",
    "ExchangeError",
    "Incoming",
    "IncomingCitation",
    "IncomingDocument",
    "canonical_or_none",
    "canonical_time",
    "guess_kind",
    "location",
    "paragraph_at",
    "paragraph_breaks",
    "parse_time",
    "source_view",
    "valid_sha256",
]

CLAIMREADER_NS = "https://claim-reader.example/ns#"

_SHA256 = re.compile(r"[0-9a-f]{64}")


# SQLite's largest integer: offsets and pages past it can be neither stored nor true.
MAX_INTEGER = 2**63 - 1


class ExchangeError(ValueError):
    """A file that cannot be imported; str() is ``"line 12: one sentence."``."""

    def __init__(self, where: str, message: str) -> None:
        super().__init__(f"{where}: {message}")
        self.where = where
        self.message = message


@dataclass(frozen=True)
class IncomingDocument:
    sha256: str
    title: str = ""
    file: str = ""  # the path or URL the exporting library last opened it from
    kind: str = ""  # a DocumentKind value; "" when the format does not say (CSV)


@dataclass(frozen=True)
class IncomingCitation:
    citation: Citation  # source_id 0; created_at "" when the format has none (CSV)
    source: Source  # id 0: the library finds the stored duplicate or adds it


@dataclass(frozen=True)
class Incoming:
    """One annotation as a file has it, with where it came from (``line 12``, ``item 3``)."""

    where: str
    annotation: Annotation  # document_id / version_id 0: resolved from `document`
    document: IncomingDocument
    citations: tuple[IncomingCitation, ...] = ()
    sets: tuple[str, ...] = ()
    # True when the file carries author, citation times and evidence links (JSON); a CSV has
    # none of them, so the stored values are kept and new ones get defaults.
    full: bool = False
    history: tuple[HistoryEntry, ...] = ()  # its recorded changes, when the file has them
    same_claims: tuple[str, ...] = ()  # "same claim" links: "urn:uuid:…" or fact-check urls


def parse_time(text: str) -> datetime | None:
    """An ISO 8601 time as an aware UTC datetime (naive means UTC), or None if it is not one."""
    text = text.strip()
    if not text or not text[0].isdigit():
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        return None
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    return moment.astimezone(UTC)


# A time already in UTC (naive, ``Z`` or ``+00:00``) with a four-digit year: its canonical form
# is its first 19 characters and a ``Z`` once `datetime.fromisoformat` accepts it, which spares
# the conversion and strftime that other times need (import and export meet one per cell).
_UTC_TIME = re.compile(
    r"[1-9][0-9]{3}-[01][0-9]-[0-3][0-9]T(?:[01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9]"
    r"(?:\.[0-9]{1,6})?(?:Z|\+00:00)?"
)


def canonical_or_none(text: str) -> str | None:
    """`canonical_time` of an ISO 8601 time, or None if `parse_time` would not accept it."""
    if _UTC_TIME.fullmatch(text) is not None:
        try:
            datetime.fromisoformat(text)
        except ValueError:
            return None  # e.g. 2026-02-30: parse_time refuses it too
        return text[:19] + "Z"
    moment = parse_time(text)
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ") if moment is not None else None


def canonical_time(text: str) -> str:
    """``2026-11-29T14:03:00Z``: UTC, whole seconds (truncated). Unparseable text is kept."""
    canonical = canonical_or_none(text)
    return text if canonical is None else canonical


def valid_sha256(text: str) -> bool:
    return _SHA256.fullmatch(text) is not None


def paragraph_breaks(text: str) -> list[int]:
    """Offsets where paragraphs start: the end of every run of two or more newlines."""
    return [m.end() for m in re.finditer(r"\n{2,}", text)]


def paragraph_at(breaks: list[int], offset: int) -> int:
    """The 1-based paragraph number `offset` falls in, given `paragraph_breaks`."""
    return bisect_right(breaks, offset) + 1


def location(record: ExportRecord, breaks: list[int] | None = None) -> str:
    """``p. 3`` for a paged document (``p. 3 (OCR)`` on a page read by OCR), ``¶ 12`` for an
    article whose text is known, else ""."""
    a = record.annotation
    if a.page >= 0:
        return f"p. {a.page + 1} (OCR)" if record.ocr else f"p. {a.page + 1}"
    if breaks is not None and not record.document.kind.paged:
        return f"¶ {paragraph_at(breaks, a.anchor.start)}"
    return ""


def guess_kind(file: str, paged: bool) -> DocumentKind:
    """A document's kind from the name it was exported with (a CSV does not say the kind)."""
    lowered = file.strip().lower()
    if lowered.startswith(("http://", "https://")):
        suffix = PurePosixPath(lowered.split("?")[0].split("#")[0]).suffix
        return KIND_BY_SUFFIX.get(suffix, DocumentKind.HTML)
    suffix = PurePosixPath(lowered.replace("\\", "/")).suffix
    if suffix in KIND_BY_SUFFIX:
        return KIND_BY_SUFFIX[suffix]
    return DocumentKind.PDF if paged else DocumentKind.TEXT


def source_view(source: Source, full: bool) -> tuple[object, ...]:
    """What a file says about a source: the CSV columns, or every CSL field of the JSON.

    A stored source whose view equals the file's is the one the file means.
    """
    if not full:
        return (
            source.title,
            tuple(source.authors),
            source.publisher or source.container_title,
            source.issued,
            source.url,
            source.doi,
            source.accessed,
            source.archived_url,
            source.isbn,
        )
    return (
        source.type,
        source.title,
        tuple(source.authors),
        source.container_title,
        source.publisher,
        source.issued,
        source.url,
        source.doi,
        source.isbn,
        source.accessed,
        source.archived_url,
        source.note,
    )
