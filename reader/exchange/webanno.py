"""W3C Web Annotation JSON (https://www.w3.org/TR/annotation-model/): the contract's "JSON export".

One ``AnnotationCollection`` with an ``id`` and a ``first`` page (an ``AnnotationPage``) that
holds the annotations as ``items``, written one at a time (UTF-8, one item per line, keys in a
fixed order, empty fields left out). The ``@context`` is the W3C one plus Claim Reader's own
(`CONTEXT_URL`, shipped as ``reader/exchange/claimreader.jsonld``), which defines every other
term, so JSON-LD processors keep the claim data. Each annotation::

    {"id": "urn:uuid:…", "type": "Annotation", "motivation": "assessing" | "highlighting" |
     "questioning" | "commenting", "created", "modified", "creator": {"type": "Person", "name"},
     "body": [
       {"type": "TextualBody", "purpose": "commenting", "format": "text/plain", "value": note},
       {"type": "TextualBody", "purpose": "tagging", "value": tag}, …
       {"id": "urn:uuid:…" (derived from the annotation's), "type": "ClaimAssessment",
        "kind", "status", "claimant", "claimantType", "claimReviewed", "claimDate", "color",
        "anchorState", "sets": [names], "textAnchor": {…} (text files, see below),
        "citations": [{"id": "urn:uuid:…", "stance", "locator", "evidenceQuote",
                       "evidenceAnnotation": "urn:uuid:…", "created", "source": {CSL-JSON}}],
        "sameClaimAs": ["urn:uuid:…" or a fact-check url] (linked in "seen before"),
        "history": [{"id": "urn:uuid:…", "time", "author", "field", "old", "new", "ref"}]
                   (the annotation's recorded changes, when it has any)}],
     "target": {"source": "urn:sha256:…", "document": {"title", "file", "kind"},
                "selector": [...]}}

Selectors (every one selects the same words):

- plain text and Markdown, when the file is at hand: a ``TextQuoteSelector`` and a
  ``TextPositionSelector`` in the file's own decoded text (BOM dropped, line ends as they
  are), so ``text[start:end] == exact``; the normalized-text anchor Claim Reader itself uses
  is kept in the claim body's ``textAnchor`` (``exact``, ``prefix``, ``suffix``, ``start``,
  ``end``).
- HTML, PDF and the others (and a text file that is not at hand): the quote, and a
  ``TextPositionSelector`` with ``conformsTo`` `NORMALIZED_TEXT`: offsets into the text
  ``claim-reader extract`` prints, not into the file's bytes; paged documents add a
  ``FragmentSelector`` (RFC 3778 ``page=N``, 1-based) ``refinedBy`` the quote.

A citation's source is a CSL-JSON item (``type``, ``title``, ``author`` as ``{"family",
"given"}`` or ``{"literal"}``, ``container-title``, ``publisher``, ``issued`` / ``accessed``
as ``date-parts`` or ``raw``, ``URL``, ``DOI``, ``ISBN``, ``note``, ``archived-url``).

Reading takes this and the format before issue 14 (claim fields under ``claimreader:claim``
in a ``claimreader:Claim`` body, ``items`` on the collection, positions in the normalized
text). The first fault is an `ExchangeError` for ``item N`` (1-based), or ``line N`` when the
file is not JSON at all.
"""

from __future__ import annotations

import hashlib
import json
import re
import uuid
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from importlib import resources
from typing import Any, BinaryIO, TextIO

from reader.exchange import (
    CLAIMREADER_NS,
    MAX_INTEGER,
    ExchangeError,
    Incoming,
    IncomingCitation,
    IncomingDocument,
    canonical_time,
    parse_time,
    valid_sha256,
)
from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    Citation,
    ClaimStatus,
    DocumentKind,
    ExportRecord,
    HistoryEntry,
    Source,
    Stance,
    TextAnchor,
)
from reader.numbers import export_cell

__all__ = [
    "ANNO_CONTEXT",
    "CONTEXT_URL",
    "NORMALIZED_TEXT",
    "SourceSpan",
    "context_document",
    "item_for",
    "read_webanno",
    "write_webanno",
]

ANNO_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
# Where Claim Reader's JSON-LD context is published; the same file ships in the package
# (`context_document`), so a JSON-LD processor can be given it without the network.
CONTEXT_URL = "https://claim-reader.example/ns/claimreader.jsonld"
# `conformsTo` of a position selector that counts characters of the normalized text.
NORMALIZED_TEXT = CLAIMREADER_NS + "normalized-text"
PAGE_SELECTOR_SPEC = "http://tools.ietf.org/rfc/rfc3778"
CLAIM_TYPE = "ClaimAssessment"
OLD_CLAIM_BODY = "claimreader:Claim"
OLD_CLAIM_KEY = "claimreader:claim"
OLD_DOCUMENT_KEY = "claimreader:document"
# Claim bodies get a stable id of their own, derived from the annotation's.
_CLAIM_BODY_NS = uuid.UUID("6f1d2c1e-8f0a-5b7e-9c61-14c1a1a1e014")

_MOTIVATION = {
    AnnotationKind.CLAIM: "assessing",
    AnnotationKind.EVIDENCE: "highlighting",
    AnnotationKind.QUESTION: "questioning",
    AnnotationKind.COMMENT: "commenting",
}
_KINDS = {k.value: k for k in AnnotationKind}
_STATUSES = {s.value: s for s in ClaimStatus}
_STATES = {s.value: s for s in AnchorState}
_STANCES = {s.value: s for s in Stance}
_DOCUMENT_KINDS = {k.value for k in DocumentKind}
_CLAIMANT_TYPES = {"": "", "person": "person", "organization": "organization"}
_PLAIN_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


def context_document() -> dict[str, Any]:
    """Claim Reader's JSON-LD context, as shipped (what `CONTEXT_URL` serves)."""
    return json.loads(
        resources.files("reader.exchange").joinpath("claimreader.jsonld").read_text("utf-8")
    )


@dataclass(frozen=True)
class SourceSpan:
    """Where an annotation's words are in a text file's own decoded text."""

    start: int
    end: int
    text: str  # the file's decoded text


# -- writing ------------------------------------------------------------------------------------


def _date(text: str) -> dict[str, Any]:
    m = _PLAIN_DATE.fullmatch(text)
    if m is None:
        return {"raw": text}
    return {"date-parts": [[int(p) for p in m.groups() if p is not None]]}


def _name(author: str) -> dict[str, str]:
    if ", " in author:
        family, given = author.split(", ", 1)
        return {"family": family, "given": given}
    return {"literal": author}


def _csl(s: Source) -> dict[str, Any]:
    item: dict[str, Any] = {"type": s.type, "title": s.title}
    if s.authors:
        item["author"] = [_name(a) for a in s.authors]
    for key, value in (("container-title", s.container_title), ("publisher", s.publisher)):
        if value:
            item[key] = value
    if s.issued:
        item["issued"] = _date(s.issued)
    for key, value in (("URL", s.url), ("DOI", s.doi), ("ISBN", s.isbn)):
        if value:
            item[key] = value
    if s.accessed:
        item["accessed"] = _date(s.accessed)
    if s.archived_url:
        item["archived-url"] = s.archived_url
    if s.note:
        item["note"] = s.note
    return item


def _quote(text: str, start: int, end: int) -> dict[str, Any]:
    return {
        "type": "TextQuoteSelector",
        "exact": text[start:end],
        "prefix": text[max(0, start - 32) : start],
        "suffix": text[end : end + 32],
    }


def _selectors(record: ExportRecord, span: SourceSpan | None) -> list[dict[str, Any]]:
    a = record.annotation
    quote = {
        "type": "TextQuoteSelector",
        "exact": a.anchor.quote,
        "prefix": a.anchor.prefix,
        "suffix": a.anchor.suffix,
    }
    if span is not None:
        return [
            _quote(span.text, span.start, span.end),
            {"type": "TextPositionSelector", "start": span.start, "end": span.end},
        ]
    selectors: list[dict[str, Any]] = [
        quote,
        {
            "type": "TextPositionSelector",
            "conformsTo": NORMALIZED_TEXT,
            "start": a.anchor.start,
            "end": a.anchor.end,
        },
    ]
    if a.page >= 0:
        selectors.append(
            {
                "type": "FragmentSelector",
                "conformsTo": PAGE_SELECTOR_SPEC,
                "value": f"page={a.page + 1}",
                "refinedBy": quote,
            }
        )
    return selectors


def item_for(record: ExportRecord, span: SourceSpan | None = None) -> dict[str, Any]:
    """One record as a W3C Annotation (a plain dict, keys in the order they are written).

    `span` places a text file's annotation in the file's own text (see the module's notes).
    """
    a, d = record.annotation, record.document
    body: list[dict[str, Any]] = []
    if a.note:
        body.append(
            {
                "type": "TextualBody",
                "purpose": "commenting",
                "format": "text/plain",
                "value": a.note,
            }
        )
    body.extend({"type": "TextualBody", "purpose": "tagging", "value": t} for t in a.tags)
    citations = []
    for c, s in record.citations:
        cited: dict[str, Any] = {"id": f"urn:uuid:{c.id}", "stance": str(c.stance)}
        if c.locator:
            cited["locator"] = c.locator
        if c.evidence_quote:
            cited["evidenceQuote"] = c.evidence_quote
            # Derived (reader.numbers), so import does not read it back.
            number_check = export_cell(a.anchor.quote, c.evidence_quote)
            if number_check:
                cited["numberCheck"] = number_check
        if c.evidence_annotation_id:
            cited["evidenceAnnotation"] = f"urn:uuid:{c.evidence_annotation_id}"
        cited["created"] = c.created_at
        cited["source"] = _csl(s)
        citations.append(cited)
    claim: dict[str, Any] = {
        "id": f"urn:uuid:{uuid.uuid5(_CLAIM_BODY_NS, a.id)}",
        "type": CLAIM_TYPE,
        "kind": str(a.kind),
        "status": str(a.status),
        "claimant": a.claimant,
    }
    for key, value in (
        ("claimantType", a.claimant_type),
        ("claimReviewed", a.claim_reviewed),
        ("claimDate", a.claim_date),
    ):
        if value:
            claim[key] = value
    claim["color"] = a.color
    claim["anchorState"] = str(a.anchor.state)
    claim["sets"] = list(record.sets)
    if span is not None:
        claim["textAnchor"] = {
            "exact": a.anchor.quote,
            "prefix": a.anchor.prefix,
            "suffix": a.anchor.suffix,
            "start": a.anchor.start,
            "end": a.anchor.end,
        }
    claim["citations"] = citations
    if record.same_claims:
        claim["sameClaimAs"] = list(record.same_claims)
    if record.history:
        # Who changed what and when (the creation is `created` and `creator` below).
        claim["history"] = [_history_entry(h) for h in record.history]
    body.append(claim)
    item: dict[str, Any] = {
        "id": f"urn:uuid:{a.id}",
        "type": "Annotation",
        "motivation": _MOTIVATION[a.kind],
        "created": canonical_time(a.created_at),
        "modified": canonical_time(a.updated_at),
    }
    if a.author:
        item["creator"] = {"type": "Person", "name": a.author}
    item["body"] = body
    item["target"] = {
        "source": f"urn:sha256:{d.sha256}",
        "document": {"title": d.title, "file": d.source, "kind": str(d.kind)},
        "selector": _selectors(record, span),
    }
    return item


def _history_entry(h: HistoryEntry) -> dict[str, Any]:
    entry: dict[str, Any] = {
        "id": f"urn:uuid:{h.id}",
        "time": h.time,  # as stored (to the microsecond): it orders the entries
        "author": h.author,
        "field": h.field,
        "old": h.old,
        "new": h.new,
    }
    if h.ref:
        entry["ref"] = h.ref
    return entry


def _read_history(claim: _Item, where: str) -> tuple[HistoryEntry, ...]:
    entries = []
    for entry in claim.objects("history"):
        values = []
        for key in ("old", "new"):
            value = entry.data.get(key)
            if value is not None and not isinstance(value, str):
                raise ExchangeError(where, f'"{entry.path}.{key}" is not a string or null.')
            values.append(value)
        time = entry.text("time", None)
        if parse_time(time) is None:
            raise ExchangeError(where, f'"{entry.path}.time" {time!r} is not an ISO 8601 time.')
        entries.append(
            HistoryEntry(
                time=time,
                author=entry.text("author"),
                field=entry.text("field", None),
                old=values[0],
                new=values[1],
                id=_urn_uuid(entry.text("id", None), where, f"{entry.path}.id"),
                ref=entry.text("ref"),
            )
        )
    return tuple(entries)


def write_webanno(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    total: int | None = None,
    source_span: Callable[[ExportRecord], SourceSpan | None] | None = None,
) -> int:
    """Write the collection to `out`, one item at a time; returns the number of annotations.

    `source_span` places text files' annotations in the files' own text (None: not at hand).
    """
    head: dict[str, Any] = {
        "@context": [ANNO_CONTEXT, CONTEXT_URL],
        "type": "AnnotationCollection",
        "label": "Claim Reader export",
    }
    if total is not None:
        head["total"] = total
    text = json.dumps(head, indent=2, ensure_ascii=False)
    out.write(text[:-2] + ',\n  "first": {\n    "type": "AnnotationPage",\n    "items": [')
    # The collection's id names exactly the annotations it holds: the same export written
    # again (or after a round trip through another library) has the same id.
    digest = hashlib.sha1(b"claim-reader collection")
    count = 0
    for record in records:
        span = source_span(record) if source_span is not None else None
        # One item a line: json's C encoder only runs without indent (5x faster), and a line per
        # annotation keeps diffs and grep useful.
        item = json.dumps(item_for(record, span), ensure_ascii=False, separators=(", ", ": "))
        out.write(("\n      " if count == 0 else ",\n      ") + item)
        digest.update(record.annotation.id.encode("ascii", "replace"))
        count += 1
    collection_id = uuid.UUID(bytes=digest.digest()[:16], version=5)
    out.write("\n    ]\n  }," if count else "]\n  },")
    out.write(f'\n  "id": "urn:uuid:{collection_id}"\n}}\n')
    return count


# -- reading ------------------------------------------------------------------------------------


# A JSON export is parsed whole, taking several times its size in memory; 256 MB is about
# 230,000 annotations (an export of 100,000 is 113 MB). CSV imports are streamed.
MAX_JSON_BYTES = 256 * 2**20


_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _not_json(exc: json.JSONDecodeError) -> ExchangeError:
    return ExchangeError(f"line {exc.lineno}", f"the file is not valid JSON ({exc.msg}).")


def _has_surrogate_escape(raw: BinaryIO) -> bool:
    """Whether the file has a \\uD800–\\uDFFF escape, read a block at a time."""
    raw.seek(0)
    tail = b""
    while block := raw.read(1 << 20):
        if _SURROGATE_ESCAPE_BYTES.search(tail + block):
            return True
        tail = block[-5:]
    return False


def _check_text(item: object, where: str) -> None:
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        raise ExchangeError(
            where, f"it holds a lone surrogate (\\u{code:04x}), which is not text."
        ) from None


def load_json(raw: BinaryIO) -> Any:
    """A JSON export parsed whole, or `ExchangeError` with one sentence (too big, not UTF-8,
    not JSON, nested too deeply)."""
    raw.seek(0, 2)
    size = raw.tell()
    raw.seek(0)
    if size > MAX_JSON_BYTES:
        raise ExchangeError(
            "line 1",
            f"the JSON file is {size / 2**20:,.0f} MB; a JSON import is read whole, so files "
            f"over {MAX_JSON_BYTES // 2**20} MB are refused: import a CSV export instead "
            "(it is read a block at a time).",
        )
    try:
        text = raw.read().decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise ExchangeError("line 1", "the file is not UTF-8 text.") from None
    except ValueError as exc:
        # Python refuses to read integers of more than 4,300 digits (a denial of service
        # guard); JSONDecodeError, a ValueError too, is handled below.
        if isinstance(exc, json.JSONDecodeError):
            raise _not_json(exc) from None
        long_number = re.search(r"\d{4301,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else 1
        raise ExchangeError(
            f"line {line}", "a number has more than 4,300 digits, which no export writes."
        ) from None
    except RecursionError:  # "[[[[…" a thousand deep: no export is, and json gives up
        raise ExchangeError(
            f"line {_deep_line(raw)}", "the JSON is nested too deeply to be an export."
        ) from None
    return data


def read_webanno(raw: BinaryIO) -> Iterator[Incoming]:
    """The annotations of a W3C JSON export; raises `ExchangeError` at the first fault."""
    data = load_json(raw)
    if isinstance(data, dict) and data.get("type") == "Annotation":
        items: Any = [data]
    elif isinstance(data, dict) and isinstance(data.get("items"), list):
        items = data["items"]  # written before issue 14: items on the collection
    elif (
        isinstance(data, dict)
        and isinstance(data.get("first"), dict)
        and isinstance(data["first"].get("items"), list)
    ):
        items = data["first"]["items"]
    elif isinstance(data, list):
        items = data
    else:
        raise ExchangeError(
            "line 1",
            'the file is not a W3C annotation collection (no "first" page with "items").',
        )
    # A \\ud800 escape decodes to a lone surrogate, which is not text (SQLite cannot store it):
    # only a file with such an escape has its items checked for one.
    surrogates = _has_surrogate_escape(raw)
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if surrogates:
            _check_text(item, where)
        incoming = _incoming(item, where)
        first = seen.setdefault(incoming.annotation.id, number)
        if first != number:
            raise ExchangeError(where, f"annotation {incoming.annotation.id} is also item {first}.")
        yield incoming


_TOKENS = re.compile(rb'[\[\]{}"\\\n]')


def _deep_line(raw: BinaryIO, depth: int = 200) -> int:
    """The line on which the file's nesting first goes `depth` levels deep (1 if never)."""
    raw.seek(0)
    data = raw.read()
    line, level, in_string, escaped = 1, 0, False, False
    last = -2
    for match in _TOKENS.finditer(data):
        token, at = match.group(), match.start()
        if escaped and at == last + 1:
            escaped = False
            last = at
            continue
        escaped = False
        last = at
        if token == b"\n":
            line += 1
        elif token == b"\\":
            escaped = in_string
        elif token == b'"':
            in_string = not in_string
        elif not in_string:
            level += 1 if token in (b"[", b"{") else -1
            if level >= depth:
                return line
    return 1


class _Item:
    """Typed access to one JSON object, every fault an ExchangeError naming where."""

    def __init__(self, data: Any, where: str, path: str = "") -> None:
        if not isinstance(data, dict):
            raise ExchangeError(where, f"{path or 'the item'} is not a JSON object.")
        self.data, self.where, self.path = data, where, path

    def _name(self, key: str) -> str:
        return f"{self.path}.{key}" if self.path else key

    def text(self, key: str, default: str | None = "") -> str:
        value = self.data.get(key, default)
        if value is None or not isinstance(value, str):
            need = "is missing" if value is None else "is not a string"
            raise ExchangeError(self.where, f'"{self._name(key)}" {need}.')
        return value

    def integer(self, key: str) -> int:
        value = self.data.get(key)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise ExchangeError(
                self.where, f'"{self._name(key)}" is not a whole number (found {value!r}).'
            )
        if value > MAX_INTEGER:
            raise ExchangeError(
                self.where,
                f'"{self._name(key)}" is too large: no document has offsets or pages past '
                f"{MAX_INTEGER:,}.",
            )
        return value

    def objects(self, key: str) -> list[_Item]:
        value = self.data.get(key, [])
        if isinstance(value, dict):
            value = [value]
        if not isinstance(value, list):
            raise ExchangeError(self.where, f'"{self._name(key)}" is not a list.')
        return [_Item(v, self.where, f"{self._name(key)}[{i}]") for i, v in enumerate(value)]

    def strings(self, key: str) -> tuple[str, ...]:
        value = self.data.get(key, [])
        if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
            raise ExchangeError(self.where, f'"{self._name(key)}" is not a list of strings.')
        return tuple(value)

    def choice(self, key: str, choices: dict, default: Any) -> Any:
        value = self.data.get(key)
        if value is None or value == "":
            return default
        if value not in choices:
            raise ExchangeError(
                self.where,
                f'"{self._name(key)}" {value!r} is not one of {", ".join(choices)}.',
            )
        return choices[value]

    def time(self, key: str) -> str:
        value = self.text(key)
        if value and parse_time(value) is None:
            raise ExchangeError(
                self.where, f'"{self._name(key)}" {value!r} is not an ISO 8601 time.'
            )
        return value


def _urn_uuid(value: str, where: str, what: str) -> str:
    text = value[len("urn:uuid:") :] if value.lower().startswith("urn:uuid:") else value
    try:
        return str(uuid.UUID(text))
    except ValueError:
        raise ExchangeError(
            where, f'{what} "{value[:60]}" is not a urn:uuid: identifier.'
        ) from None


def _incoming(data: Any, where: str) -> Incoming:
    item = _Item(data, where)
    if item.data.get("type", "Annotation") != "Annotation":
        raise ExchangeError(where, '"type" is not "Annotation".')
    annotation_id = _urn_uuid(item.text("id", None), where, "id")
    creator = item.data.get("creator")
    author = ""
    if isinstance(creator, str):
        author = creator
    elif creator is not None:
        author = _Item(creator, where, "creator").text("name")
    note, tags, claim = "", [], None
    for body in item.objects("body"):
        kind = body.data.get("type")
        if kind == CLAIM_TYPE or (isinstance(kind, list) and CLAIM_TYPE in kind):
            claim = body
        elif kind == OLD_CLAIM_BODY:
            claim = _Item(body.data.get(OLD_CLAIM_KEY, {}), where, f"{body.path}.{OLD_CLAIM_KEY}")
        elif body.data.get("purpose") == "tagging":
            tags.append(body.text("value"))
        elif kind == "TextualBody" and not note:
            note = body.text("value")
    targets = item.objects("target")
    if len(targets) != 1:
        raise ExchangeError(where, '"target" must be exactly one object.')
    target = targets[0]
    source = target.text("source", None)
    sha = source[len("urn:sha256:") :].lower() if source.lower().startswith("urn:sha256:") else ""
    if not valid_sha256(sha):
        raise ExchangeError(
            where, f'target.source "{source[:80]}" is not urn:sha256: and 64 hexadecimal digits.'
        )
    doc_key = "document" if "document" in target.data else OLD_DOCUMENT_KEY
    doc = _Item(target.data.get(doc_key, {}), where, f"target.{doc_key}")
    doc_kind = doc.text("kind")
    if doc_kind and doc_kind not in _DOCUMENT_KINDS:
        raise ExchangeError(where, f'the document kind "{doc_kind}" is not one Claim Reader knows.')
    quote_sel = position = None
    page = -1
    for selector in target.objects("selector"):
        kind = selector.data.get("type")
        if kind == "TextQuoteSelector":
            quote_sel = selector
        elif kind == "TextPositionSelector":
            # Positions in the normalized text (or, written before issue 14, unmarked: they
            # counted the normalized text then too); those in a file's own text are read from
            # the claim body's textAnchor instead.
            if selector.data.get("conformsTo", NORMALIZED_TEXT) == NORMALIZED_TEXT:
                position = selector
        elif kind == "FragmentSelector":
            m = re.fullmatch(r"page=(\d{1,19})", selector.text("value"))
            if m is None or not 1 <= int(m.group(1)) <= MAX_INTEGER:
                raise ExchangeError(where, f'{selector.path} is not "page=N" with N from 1.')
            page = int(m.group(1)) - 1
    claim = claim or _Item({}, where, "claim")
    if "textAnchor" in claim.data:
        quote_sel = position = _Item(claim.data["textAnchor"], where, f"{claim.path}.textAnchor")
    if quote_sel is None or position is None:
        raise ExchangeError(
            where, "the target needs a TextQuoteSelector and a TextPositionSelector."
        )
    start, end = position.integer("start"), position.integer("end")
    if end < start:
        raise ExchangeError(where, f"end ({end}) is before start ({start}).")
    kind = claim.choice("kind", _KINDS, AnnotationKind.COMMENT)
    annotation = Annotation(
        id=annotation_id,
        document_id=0,
        version_id=0,
        anchor=TextAnchor(
            quote=quote_sel.text("exact", None),
            prefix=quote_sel.text("prefix"),
            suffix=quote_sel.text("suffix"),
            start=start,
            end=end,
            state=claim.choice("anchorState", _STATES, AnchorState.EXACT),
        ),
        kind=kind,
        color=claim.text("color"),
        status=claim.choice("status", _STATUSES, ClaimStatus.UNVERIFIED),
        claimant=claim.text("claimant"),
        note=note,
        tags=tuple(tags),
        author=author,
        page=page,
        created_at=canonical_time(item.time("created")),
        updated_at=canonical_time(item.time("modified")),
        claim_reviewed=claim.text("claimReviewed"),
        claim_date=claim.text("claimDate"),
        claimant_type=claim.choice("claimantType", _CLAIMANT_TYPES, ""),
    )
    citations = []
    for cited in claim.objects("citations"):
        citations.append(_citation(cited, annotation_id, where))
    if len({c.citation.id for c in citations}) != len(citations):
        raise ExchangeError(where, "a citation id appears twice.")
    return Incoming(
        where=where,
        annotation=annotation,
        document=IncomingDocument(
            sha256=sha, title=doc.text("title"), file=doc.text("file"), kind=doc_kind
        ),
        citations=tuple(citations),
        sets=claim.strings("sets"),
        full=True,
        history=_read_history(claim, where),
        same_claims=claim.strings("sameClaimAs"),
    )


def _citation(cited: _Item, annotation_id: str, where: str) -> IncomingCitation:
    evidence = cited.text("evidenceAnnotation")
    citation = Citation(
        id=_urn_uuid(cited.text("id", None), where, f"{cited.path}.id"),
        annotation_id=annotation_id,
        source_id=0,
        stance=cited.choice("stance", _STANCES, Stance.SUPPORTS),
        locator=cited.text("locator"),
        evidence_quote=cited.text("evidenceQuote"),
        evidence_annotation_id=_urn_uuid(evidence, where, "evidenceAnnotation")
        if evidence
        else None,
        created_at=cited.time("created"),
    )
    csl = _Item(cited.data.get("source", {}), where, f"{cited.path}.source")
    authors = []
    for name in csl.objects("author"):
        if "literal" in name.data:
            authors.append(name.text("literal"))
        elif "given" in name.data:
            authors.append(f"{name.text('family')}, {name.text('given')}")
        else:
            authors.append(name.text("family"))
    source = Source(
        type=csl.text("type") or "document",
        title=csl.text("title"),
        authors=tuple(authors),
        container_title=csl.text("container-title"),
        publisher=csl.text("publisher"),
        issued=_read_date(csl, "issued"),
        url=csl.text("URL"),
        doi=csl.text("DOI"),
        isbn=csl.text("ISBN"),
        accessed=_read_date(csl, "accessed"),
        archived_url=csl.text("archived-url"),
        note=csl.text("note"),
    )
    return IncomingCitation(citation, source)


def _read_date(csl: _Item, key: str) -> str:
    value = csl.data.get(key)
    if value is None or value == "":
        return ""
    if isinstance(value, str):
        return value
    date = _Item(value, csl.where, f"{csl.path}.{key}")
    if "raw" in date.data:
        return date.text("raw")
    parts = date.data.get("date-parts")
    if (
        not isinstance(parts, list)
        or not parts
        or not isinstance(parts[0], list)
        or not parts[0]
        or not all(isinstance(p, int) and not isinstance(p, bool) for p in parts[0][:3])
    ):
        raise ExchangeError(csl.where, f'"{date.path}" has no date-parts or raw date.')
    first = parts[0][:3]
    return "-".join([f"{first[0]:04d}", *(f"{p:02d}" for p in first[1:])])
