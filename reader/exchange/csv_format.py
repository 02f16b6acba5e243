"""The spreadsheet format: one row per (annotation, citation), as the contract's "CSV export".

Writing: UTF-8 (a BOM first with ``excel=True``), RFC 4180 quoting (`csv`, QUOTE_MINIMAL,
CRLF), the contract's header and column order, rows in the order the records come (the
library sends them by document, then start). Decisions the contract leaves open:

- ``set``: every set the annotation belongs to, by name (case-insensitive order), joined with
  ``"; "`` — the same whatever the export's scope, so a set export re-imported elsewhere
  recreates all the memberships it shows. A set or tag name containing ``"; "`` is split there.
- ``document_file``: the path or URL the library last opened the document from;
  ``document_sha256``: the bytes the annotation's anchor refers to.
- ``location``: see `reader.exchange.location` (derived; ignored on import).
- ``source_publisher``: the source's publisher, else its container (journal, website);
  ``source_date``: as stored (may be partial, ``2022``); ``accessed_at``: the source's
  accessed date.
- times: ``2026-11-29T14:03:00Z`` (UTC, whole seconds); an import stores them as written.
- not in the file: the annotation's author, line rectangles, version, the source's type, ISBN
  and note, a citation's time and its evidence passage. An import keeps what is stored for
  those; a new annotation gets no author, a new citation the import's time.

Formula safety, as the contract says: a cell that starts with ``= + - @``, tab or CR gets a
leading ``'`` unless it is a plain number (``-3``, ``-3.5``, ``+2``); a cell that starts with
``'`` gets one more. Beyond the contract's wording, whitespace (a space, a no-break space, a
line break) before ``= + - @`` counts as such a start too: LibreOffice's "trim spaces" on
import makes " =1+1" a live formula. `unprotect` removes one ``'`` only where `protect` added
it, so export → import → export stays byte-identical.

Reading streams the file (one record in memory at a time, the bytes a block at a time) and
counts physical lines, so a bad byte, a NUL or a bad row is reported as ``line N`` (the line
the row starts on). The rows of one annotation must be next to each other, as they are written.

Speed (100,000 annotations, `bench.exchange`): both directions run once per cell, so the
common case is kept off Python calls per cell: a row is searched once for cells `protect` or
`unprotect` would change, times already in canonical form are recognised without a conversion,
and a document's cells are checked once, not on every row.
"""

from __future__ import annotations

import csv
import io
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from itertools import chain
from typing import BinaryIO, TextIO

from reader.exchange import (
    MAX_INTEGER,
    ExchangeError,
    Incoming,
    IncomingCitation,
    IncomingDocument,
    canonical_or_none,
    canonical_time,
    location,
    valid_sha256,
)
from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    Citation,
    ClaimStatus,
    ExportRecord,
    Source,
    Stance,
    TextAnchor,
)
from reader.numbers import export_cell
from reader.text_shortening import shorten

__all__ = ["COLUMNS", "protect", "read_csv", "rows_for", "unprotect", "write_csv"]

COLUMNS = (
    "set",
    "annotation_id",
    "document_title",
    "document_file",
    "document_sha256",
    "location",
    "page",
    "start",
    "end",
    "quote",
    "prefix",
    "suffix",
    "kind",
    "color",
    "status",
    "claimant",
    "note",
    "tags",
    "anchor_state",
    "created_at",
    "updated_at",
    "citation_id",
    "stance",
    "source_title",
    "source_authors",
    "source_publisher",
    "source_date",
    "source_url",
    "source_doi",
    "locator",
    "evidence_quote",
    "accessed_at",
    "archived_url",
    # Appended after the first published header (a compatible change): files without it
    # are still read.
    "source_isbn",
    # Derived from the quote and the evidence quote (reader.numbers): written, never read.
    "number_check",
)
# The last column of the first published header: a file whose header ends there is an older
# export, read with the later columns empty.
_FIRST_HEADER_END = "archived_url"
_COL = {name: i for i, name in enumerate(COLUMNS)}
_FIRST_CITATION_COLUMN = _COL["citation_id"]
# The columns an annotation is read from, by position (looked up once per row).
_SET, _ID, _TITLE, _FILE, _SHA256 = (_COL[c] for c in COLUMNS[:5])
_PAGE, _START, _END, _QUOTE, _PREFIX, _SUFFIX = (_COL[c] for c in COLUMNS[6:12])
_KIND, _COLOR_COLUMN, _STATUS, _CLAIMANT, _NOTE, _TAGS = (_COL[c] for c in COLUMNS[12:18])
_ANCHOR_STATE, _CREATED, _UPDATED = (_COL[c] for c in COLUMNS[18:21])
LIST_SEPARATOR = "; "

_MAX_DIGITS = len(str(MAX_INTEGER))
# What export writes, import reads: a cell may be as long as a note (csv's default limit is
# 131,072 characters); memory is bounded by the file, which is read a block at a time.
_FIELD_LIMIT = 2**31 - 1

_RISKY_START = ("=", "+", "-", "@", "\t", "\r")
_PLAIN_NUMBER = re.compile(r"[-+]?\d+(?:\.\d+)?")
_ADDED_QUOTE_BEFORE = frozenset("=+-@\t\r'")
_SEPARATOR = "\x1f"
# A separator, then a first character `protect` looks at (or whitespace before one of
# = + - @: a spreadsheet that trims spaces makes " =1+1" a live formula); then one `unprotect`
# looks at.
_RISKY_AFTER_SEPARATOR = re.compile(_SEPARATOR + "(?:[\t\r']|\\s*[=+\\-@])")
_WHITESPACE_THEN_RISKY = re.compile(r"\s+[=+\-@]")
_QUOTE_AFTER_SEPARATOR = _SEPARATOR + "'"
_CANONICAL_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")
_COLOR = re.compile(r"#(?:[0-9a-fA-F]{3}|[0-9a-fA-F]{6}|[0-9a-fA-F]{8})")
_KINDS = {k.value: k for k in AnnotationKind}
_STATUSES = {s.value: s for s in ClaimStatus}
_STATES = {s.value: s for s in AnchorState}
_STANCES = {s.value: s for s in Stance}


def protect(cell: str) -> str:
    """The cell as written: formula-like text gets a leading ``'`` (see the module doc)."""
    if not cell:
        return cell
    if cell[0] == "'":
        return "'" + cell
    if cell.startswith(_RISKY_START) and not _PLAIN_NUMBER.fullmatch(cell):
        return "'" + cell
    if cell[0].isspace() and _WHITESPACE_THEN_RISKY.match(cell):
        if not _PLAIN_NUMBER.fullmatch(cell.strip()):
            return "'" + cell
    return cell


def unprotect(cell: str) -> str:
    """The cell as meant: one leading ``'`` removed where `protect` put it."""
    if len(cell) >= 2 and cell[0] == "'":
        if cell[1] in _ADDED_QUOTE_BEFORE:
            return cell[1:]
        rest = cell[1:]
        if rest[0].isspace() and _WHITESPACE_THEN_RISKY.match(rest):
            if not _PLAIN_NUMBER.fullmatch(rest.strip()):
                return rest
    return cell


# -- writing ------------------------------------------------------------------------------------

_NO_CITATION = ("",) * (len(COLUMNS) - _FIRST_CITATION_COLUMN)


def rows_for(record: ExportRecord, place: str = "") -> list[list[str]]:
    """The rows of one annotation, before formula protection: one per citation, at least one."""
    a, d = record.annotation, record.document
    anchor = a.anchor
    created = canonical_time(a.created_at)
    # Most annotations were never edited after they were made: the same time, converted once.
    updated = created if a.updated_at == a.created_at else canonical_time(a.updated_at)
    head = [
        LIST_SEPARATOR.join(record.sets),
        a.id,
        d.title,
        d.source,
        d.sha256,
        place,
        str(a.page + 1) if a.page >= 0 else "",
        str(anchor.start),
        str(anchor.end),
        anchor.quote,
        anchor.prefix,
        anchor.suffix,
        str(a.kind),
        a.color,
        str(a.status),
        a.claimant,
        a.note,
        LIST_SEPARATOR.join(a.tags),
        str(anchor.state),
        created,
        updated,
    ]
    if not record.citations:
        head.extend(_NO_CITATION)
        return [head]
    return [
        head
        + [
            c.id,
            str(c.stance),
            s.title,
            LIST_SEPARATOR.join(s.authors),
            s.publisher or s.container_title,
            s.issued,
            s.url,
            s.doi,
            c.locator,
            c.evidence_quote,
            s.accessed,
            s.archived_url,
            s.isbn,
            export_cell(anchor.quote, c.evidence_quote),
        ]
        for c, s in record.citations
    ]


def write_csv(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    excel: bool = False,
    locate: Callable[[ExportRecord], str] | None = None,
) -> int:
    """Write the header and every record's rows to `out` (opened with ``newline=""``).

    `locate` gives a record's ``location`` cell (default: the page, see `location`).
    Returns the number of annotations written.
    """
    if excel:
        out.write("\ufeff")
    writer = csv.writer(out, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    writerow = writer.writerow
    count = 0
    for record in records:
        place = locate(record) if locate is not None else location(record)
        for row in rows_for(record, place):
            writerow(_protected(row))
        count += 1
    return count


def _protected(row: list[str]) -> list[str]:
    """`protect` applied to every cell. Most rows have no cell it changes: one search of the
    cells joined by a separator finds the rows that may have one, without a call per cell (a
    separator inside a cell can only make a row look risky, which `protect` then settles)."""
    try:
        if _RISKY_AFTER_SEPARATOR.search(_SEPARATOR + _SEPARATOR.join(row)) is None:
            return row
    except TypeError:  # a cell that is not text: leave it to `protect`
        pass
    return [protect(cell) for cell in row]


# -- reading ------------------------------------------------------------------------------------


class _Lines:
    """Physical lines of a binary file (split at ``\\n`` only, as iterating the file splits
    them), counted for error messages.

    Lines are decoded and checked a block at a time (`BLOCK` bytes, then up to the end of the
    line). A block with a NUL byte or bytes that are not UTF-8 is gone through again line by
    line, so the error names its line and the lines before it are still handed out first (a
    fault in one of them is the one reported, as when every line was read on its own).
    """

    BLOCK = 1 << 18  # 256 KiB: its text, read as lines, takes up to four times that

    def __init__(self, raw: BinaryIO, progress: Callable[[int], None] | None = None) -> None:
        self.raw = raw
        self.number = 0  # lines read from the file so far (a block is read whole)
        self.progress = progress
        self.read = 0

    def __iter__(self) -> Iterator[str]:
        return chain.from_iterable(self._blocks())

    def _blocks(self) -> Iterator[Iterable[str]]:
        first = self.raw.readline()
        if not first:
            return
        self.number = 1
        self.read = len(first)
        if first.startswith(b"\xef\xbb\xbf"):
            first = first[3:]
        if b"\x00" in first and _wide(first):
            raise ExchangeError(
                "line 1",
                "the file is UTF-16 or UTF-32 text, not UTF-8 (save the spreadsheet as CSV UTF-8).",
            )
        yield (_decoded(first, 1),)
        while data := self.raw.read(self.BLOCK):
            if not data.endswith(b"\n"):
                data += self.raw.readline()
            before = self.number
            self.number += data.count(b"\n") + (not data.endswith(b"\n"))
            self.read += len(data)
            if self.progress is not None:
                self.progress(self.read)
            if b"\x00" not in data:
                try:
                    text = data.decode("utf-8")
                except UnicodeDecodeError:
                    pass
                else:
                    # newline="\n": lines end at "\n" only, and nothing is translated.
                    yield io.StringIO(text, newline="\n")
                    continue
            yield (_decoded(line, n) for n, line in enumerate(io.BytesIO(data), before + 1))


def _decoded(data: bytes, number: int) -> str:
    """One physical line as text; a NUL byte or bytes that are not UTF-8 are refused."""
    if b"\x00" in data:
        raise ExchangeError(
            f"line {number}", "the line holds a NUL byte, which a CSV export never has."
        )
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        raise ExchangeError(
            f"line {number}", "the file is not UTF-8 text (save the spreadsheet as CSV UTF-8)."
        ) from None


def _wide(data: bytes) -> bool:
    """Whether a line looks like UTF-16 / UTF-32 text (a byte-order mark, or NULs between
    the letters) rather than UTF-8 with a stray NUL in it."""
    if data.startswith((b"\xff\xfe", b"\xfe\xff", b"\x00\x00\xfe\xff")):
        return True
    return data.count(b"\x00") * 3 >= len(data)


def read_csv(raw: BinaryIO, progress: Callable[[int], None] | None = None) -> Iterator[Incoming]:
    """The annotations of a CSV export, one at a time; raises `ExchangeError` at the first fault.

    `progress` is told how many bytes have been read, now and then.
    """
    lines = _Lines(raw, progress)
    if csv.field_size_limit() < _FIELD_LIMIT:
        csv.field_size_limit(_FIELD_LIMIT)
    reader = csv.reader(iter(lines), strict=True)
    rows = _rows(reader)
    try:
        line, header = next(rows)
    except StopIteration:
        raise ExchangeError(
            "line 1", "the file is empty; a CSV export starts with its header."
        ) from None
    width = _check_header(header)
    missing = ("",) * (len(COLUMNS) - width)
    id_column = _COL["annotation_id"]
    incoming = _Rows()
    group: list[tuple[int, list[str]]] = []
    group_id = ""
    for line, row in rows:
        if len(row) != width:
            raise ExchangeError(f"line {line}", f"expected {width} columns, found {len(row)}.")
        if missing:
            row.extend(missing)
        # Only a cell that starts with ' can lose one: one search over the joined cells finds
        # the rows that have such a cell (a separator inside a cell can only add a false alarm).
        if _QUOTE_AFTER_SEPARATOR in _SEPARATOR + _SEPARATOR.join(row):
            row = [unprotect(cell) for cell in row]
        annotation_id = row[id_column]
        if _CANONICAL_UUID.fullmatch(annotation_id) is None:
            annotation_id = _uuid(annotation_id, "annotation_id", line)
            row[id_column] = annotation_id
        if group and group_id != annotation_id:
            yield incoming(group)
            group = []
        if not group:
            # An id that comes back after others is refused by the importer, which checks it
            # against what it stored: a map of every id read would grow with the file.
            group_id = annotation_id
        group.append((line, row))
    if group:
        yield incoming(group)
    if lines.progress is not None:
        lines.progress(lines.read)


def _rows(reader) -> Iterator[tuple[int, list[str]]]:
    """(line the row starts on, cells) for each non-blank row; `reader` reads `_Lines`, and
    its ``line_num`` counts the physical lines it has taken."""
    while True:
        start = reader.line_num + 1
        try:
            row = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            raise ExchangeError(f"line {start}", f"the row is not valid CSV ({exc}).") from None
        if row:
            yield start, row


def _check_header(header: list[str]) -> int:
    """How many columns the file has: all of COLUMNS, or (an older export) the first of them,
    at least up to `_FIRST_HEADER_END`."""
    if header and header[0].startswith("\ufeff"):
        header = [header[0][1:], *header[1:]]
    first_published = COLUMNS.index(_FIRST_HEADER_END) + 1
    # An export from any earlier release has a prefix of today's columns, at least those of
    # the first published header; anything else is checked against all of them.
    width = len(header) if first_published <= len(header) <= len(COLUMNS) else len(COLUMNS)
    expected_columns = COLUMNS[:width]
    for i, expected in enumerate(expected_columns):
        found = header[i] if i < len(header) else None
        if found != expected:
            what = f'found "{found}"' if found is not None else "the header ends there"
            raise ExchangeError(
                "line 1",
                f'column {i + 1} of the header should be "{expected}" but {what}: this is not '
                "a Claim Reader CSV export.",
            )
    if len(header) > len(COLUMNS):
        raise ExchangeError(
            "line 1",
            f'the header has an extra column "{header[len(COLUMNS)]}" after "{COLUMNS[-1]}".',
        )
    return len(expected_columns)


def _uuid(text: str, column: str, line: int) -> str:
    if _CANONICAL_UUID.fullmatch(text) is not None:
        return text  # what str(uuid.UUID(text)) gives back
    try:
        return str(uuid.UUID(text.strip()))
    except ValueError:
        raise ExchangeError(f"line {line}", f'{column} "{_quoted(text)}" is not a UUID.') from None


def _int(text: str, column: str, line: int, minimum: int = 0) -> int:
    if text.isdecimal() and len(text) < _MAX_DIGITS:  # fullmatch(r"\d+"), nothing to strip
        value = int(text)
        if value >= minimum:
            return value
    digits = text.strip()
    if re.fullmatch(r"\d+", digits) and (len(digits) > _MAX_DIGITS or int(digits) > MAX_INTEGER):
        raise ExchangeError(
            f"line {line}",
            f'{column} "{_quoted(text)}" is too large: no document has offsets or pages past '
            f"{MAX_INTEGER:,}.",
        )
    if not re.fullmatch(r"\d+", digits) or int(digits) < minimum:
        what = "a whole number" if minimum == 0 else f"a whole number of {minimum} or more"
        raise ExchangeError(f"line {line}", f'{column} "{_quoted(text)}" is not {what}.')
    return int(text)


def _choice(text: str, column: str, line: int, choices: dict, default=None):
    if not text and default is not None:
        return default
    if text not in choices:
        allowed = ", ".join(choices)
        raise ExchangeError(f"line {line}", f'{column} "{_quoted(text)}" is not one of {allowed}.')
    return choices[text]


def _time(text: str, column: str, line: int) -> str:
    if not text:
        return ""
    canonical = canonical_or_none(text)
    if canonical is None:
        raise ExchangeError(
            f"line {line}",
            f'{column} "{_quoted(text)}" is not an ISO 8601 time like 2026-11-29T14:03:00Z.',
        )
    return canonical


def _split(text: str) -> tuple[str, ...]:
    """A list cell back into its items (the inverse of joining with "; ")."""
    if not text:
        return ()
    return tuple(part for part in text.split(LIST_SEPARATOR) if part.strip())


class _Rows:
    """The rows of one annotation into an `Incoming`, checking each cell it reads.

    Rows come by document: the last document is kept, so its cells are checked once."""

    def __init__(self) -> None:
        self.document_cells: tuple[str, str, str] | None = None
        self.document: IncomingDocument | None = None

    def __call__(self, group: list[tuple[int, list[str]]]) -> Incoming:
        line, row = group[0]
        if len(group) > 1:
            for other_line, other in group[1:]:
                for i in range(_FIRST_CITATION_COLUMN):
                    if other[i] != row[i]:
                        raise ExchangeError(
                            f"line {other_line}",
                            f"annotation {row[1]} has a different {COLUMNS[i]} than on line "
                            f"{line}.",
                        )
        cells = (row[_TITLE], row[_FILE], row[_SHA256])
        document = self.document
        if cells != self.document_cells or document is None:
            sha = cells[2].strip().lower()
            if not valid_sha256(sha):
                raise ExchangeError(
                    f"line {line}",
                    f'document_sha256 "{_quoted(cells[2])}" is not a SHA-256 '
                    "(64 hexadecimal digits).",
                )
            document = IncomingDocument(sha256=sha, title=cells[0], file=cells[1])
        page_text = row[_PAGE].strip()
        page = _int(page_text, "page", line, minimum=1) - 1 if page_text else -1
        text = row[_START]
        start = int(text) if text.isdecimal() and len(text) < 19 else _int(text, "start", line)
        text = row[_END]
        end = int(text) if text.isdecimal() and len(text) < 19 else _int(text, "end", line)
        if end < start:
            raise ExchangeError(f"line {line}", f"end ({end}) is before start ({start}).")
        color = row[_COLOR_COLUMN].strip()
        if color and not _COLOR.fullmatch(color):
            raise ExchangeError(
                f"line {line}", f'color "{_quoted(color)}" is not a colour like #f5c542.'
            )
        # dict.get first; `_choice` gives the default for "" or the error.
        text = row[_ANCHOR_STATE]
        state = _STATES.get(text) or _choice(text, "anchor_state", line, _STATES, AnchorState.EXACT)
        text = row[_KIND]
        kind = _KINDS.get(text) or _choice(text, "kind", line, _KINDS)
        text = row[_STATUS]
        status = _STATUSES.get(text) or _choice(
            text, "status", line, _STATUSES, ClaimStatus.UNVERIFIED
        )
        created = _time(row[_CREATED], "created_at", line)
        text = row[_UPDATED]
        # Most annotations were never edited after they were made: the same time, read once.
        updated = created if text == row[_CREATED] else _time(text, "updated_at", line)
        annotation = Annotation(
            id=row[_ID],
            document_id=0,
            version_id=0,
            anchor=TextAnchor(row[_QUOTE], row[_PREFIX], row[_SUFFIX], start, end, state),
            kind=kind,
            color=color,
            status=status,
            claimant=row[_CLAIMANT],
            note=row[_NOTE],
            tags=_split(row[_TAGS]),
            page=page,
            created_at=created,
            updated_at=updated,
        )
        citations: list[IncomingCitation] = []
        ids: dict[str, int] = {}
        for row_line, r in group:
            if not any(r[_FIRST_CITATION_COLUMN:]):
                continue  # no citation on this row (what `_citation` says, sooner)
            citation = _citation(r, row_line, annotation.id)
            if citation is None:
                continue
            if citation.citation.id in ids:
                raise ExchangeError(
                    f"line {row_line}",
                    f"citation {citation.citation.id} is also on line {ids[citation.citation.id]}.",
                )
            ids[citation.citation.id] = row_line
            citations.append(citation)
        self.document_cells, self.document = cells, document
        return Incoming(
            where=f"line {line}",
            annotation=annotation,
            document=document,
            citations=tuple(citations),
            sets=_split(row[_SET]),
            full=False,
        )


def _citation(row: list[str], line: int, annotation_id: str) -> IncomingCitation | None:
    def cell(name: str) -> str:
        return row[_COL[name]]

    if not cell("citation_id").strip():
        filled = [
            COLUMNS[i]
            for i in range(_FIRST_CITATION_COLUMN, len(COLUMNS))
            if row[i] and i != _COL["number_check"]
        ]
        if filled:
            raise ExchangeError(
                f"line {line}", f"{filled[0]} is filled in but citation_id is empty."
            )
        return None
    citation = Citation(
        id=_uuid(cell("citation_id"), "citation_id", line),
        annotation_id=annotation_id,
        source_id=0,
        stance=_choice(cell("stance"), "stance", line, _STANCES, Stance.SUPPORTS),
        locator=cell("locator"),
        evidence_quote=cell("evidence_quote"),
    )
    isbn = cell("source_isbn")
    source = Source(
        type="webpage" if cell("source_url") else ("book" if isbn else "document"),
        title=cell("source_title"),
        authors=_split(cell("source_authors")),
        publisher=cell("source_publisher"),
        issued=cell("source_date"),
        url=cell("source_url"),
        doi=cell("source_doi"),
        accessed=cell("accessed_at"),
        archived_url=cell("archived_url"),
        isbn=isbn,
    )
    return IncomingCitation(citation, source)


def _quoted(text: str) -> str:
    """A cell's value as an error message quotes it: on one line, 40 characters at most."""
    return shorten(text, 40)
