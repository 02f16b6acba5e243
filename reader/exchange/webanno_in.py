"""Reading a W3C Web Annotation JSON export (the format is described in
reader/exchange/webanno.py), and the format before issue 14. The first fault is an
`ExchangeError` for ``item N`` (1-based), or ``line N`` when the file is not JSON at all."""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from typing import Any, BinaryIO

from reader.exchange import (
    MAX_INTEGER,
    ExchangeError,
    Incoming,
    IncomingCitation,
    IncomingDocument,
    canonical_time,
    parse_time,
    valid_sha256,
)
from reader.exchange.json_reading import check_text, has_surrogate_escape, load_json
from reader.exchange.webanno_terms import (
    CLAIM_TYPE,
    NORMALIZED_TEXT,
    OLD_CLAIM_BODY,
    OLD_CLAIM_KEY,
    OLD_DOCUMENT_KEY,
)
from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    Citation,
    ClaimStatus,
    DocumentKind,
    HistoryEntry,
    Source,
    Stance,
    TextAnchor,
)

_KINDS = {k.value: k for k in AnnotationKind}
_STATUSES = {s.value: s for s in ClaimStatus}
_STATES = {s.value: s for s in AnchorState}
_STANCES = {s.value: s for s in Stance}
_DOCUMENT_KINDS = {k.value for k in DocumentKind}
_CLAIMANT_TYPES = {"": "", "person": "person", "organization": "organization"}


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
    surrogates = has_surrogate_escape(raw)
    seen: dict[str, int] = {}
    for number, item in enumerate(items, start=1):
        where = f"item {number}"
        if surrogates:
            check_text(item, where)
        incoming = _incoming(item, where)
        first = seen.setdefault(incoming.annotation.id, number)
        if first != number:
            raise ExchangeError(where, f"annotation {incoming.annotation.id} is also item {first}.")
        yield incoming


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
