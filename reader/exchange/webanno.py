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
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, TextIO

from reader.exchange import canonical_time
from reader.exchange.json_reading import MAX_JSON_BYTES, load_json
from reader.exchange.webanno_in import read_webanno
from reader.exchange.webanno_terms import (
    ANNO_CONTEXT,
    CLAIM_TYPE,
    CONTEXT_URL,
    NORMALIZED_TEXT,
    PAGE_SELECTOR_SPEC,
    context_document,
)
from reader.model import AnnotationKind, ExportRecord, HistoryEntry, Source
from reader.numbers import export_cell

# Reading and the shared terms have their own modules (webanno_in, webanno_terms, json_reading);
# their names stay importable from here.
__all__ = [
    "ANNO_CONTEXT",
    "CONTEXT_URL",
    "MAX_JSON_BYTES",
    "NORMALIZED_TEXT",
    "SourceSpan",
    "context_document",
    "item_for",
    "load_json",
    "read_webanno",
    "write_webanno",
]

# Claim bodies get a stable id of their own, derived from the annotation's.
_CLAIM_BODY_NS = uuid.UUID("6f1d2c1e-8f0a-5b7e-9c61-14c1a1a1e014")

_MOTIVATION = {
    AnnotationKind.CLAIM: "assessing",
    AnnotationKind.EVIDENCE: "highlighting",
    AnnotationKind.QUESTION: "questioning",
    AnnotationKind.COMMENT: "commenting",
}
_PLAIN_DATE = re.compile(r"(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?")


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
