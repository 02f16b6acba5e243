"""Hypothesis JSON: the file the Hypothesis client exports and imports.

Its importer (`hypothesis/client` ``src/sidebar/helpers/import.ts`` and
``src/sidebar/services/import-annotations.ts``) accepts a JSON object whose ``annotations`` is
a list; of each annotation it keeps ``target``, ``tags``, ``text``, ``uri`` and ``document``,
compares ``text``, ``tags`` (a list) and the quote (``target[0].selector``'s
TextQuoteSelector ``exact``) to skip duplicates, and fills in the user, group and permissions
of whoever imports. Its exporter writes ``export_date``, ``export_userid``,
``client_version`` and the annotations as its API returns them (``id``, ``created``,
``updated``, ``user``, ``uri``, ``text``, ``tags``, ``group``, ``permissions``, ``target``,
``document``, ``user_info`` …). We write the same fields.

Selectors: a ``TextQuoteSelector`` always. A ``TextPositionSelector`` only where its offsets
are in the page's own text as Hypothesis counts it: plain text and Markdown files (the file's
decoded text, which a browser shows as the page's text). For HTML pages Hypothesis counts the
DOM's text content and for PDFs PDF.js's page texts, neither of which is the text Claim Reader
extracts, so there a position would point at other words and is left out (the quote
re-anchors). PDFs get a ``PageSelector`` (0-based ``index``, ``label``).

Pages are named as the Hypothesis client names them: a web page by its URL, a local file by
its ``file://`` URI, and a PDF by ``urn:x-pdf:<fingerprint>`` (PDF.js's fingerprint, see
``hypothesis/client`` ``src/annotator/integrations/pdf-metadata.ts``) with ``document.link``
listing that and, for a downloaded PDF, its URL.

A ``claim_reader`` object on each annotation (which the Hypothesis client ignores and drops)
keeps kind, status and claimant, so a round trip through this format keeps them too.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TextIO

from reader.exchange import ExchangeError, canonical_time, parse_time
from reader.model import ExportRecord

__all__ = [
    "HypothesisAnnotation",
    "is_hypothesis",
    "read_hypothesis",
    "uri_for",
    "write_hypothesis",
]

CLIENT_VERSION = "claim-reader"
_ID_NAMESPACE = uuid.UUID("0b5e1a52-94c3-5d1f-8a4e-6c0d2f1e7a14")


@dataclass(frozen=True)
class HypothesisAnnotation:
    """One annotation as a Hypothesis file has it."""

    where: str
    id: str  # Claim Reader's id for it: the Hypothesis id mapped to a UUID (stable)
    uri: str
    exact: str  # "" for a page note or a reply (no words marked)
    prefix: str = ""
    suffix: str = ""
    start: int = -1  # TextPositionSelector, -1 when absent
    end: int = -1
    page: int = -1  # PageSelector index
    text: str = ""
    tags: tuple[str, ...] = ()
    user: str = ""
    created: str = ""
    updated: str = ""
    extra: dict[str, Any] | None = None  # our own `claim_reader` object, when present
    also: tuple[str, ...] = ()  # the page's other names (`document.link`: a PDF's URL …)


def uri_for(source: str) -> str:
    """The page's address as Hypothesis records it: the URL, or a local file's file:// URI."""
    source = source.strip()
    if source.lower().startswith(("http://", "https://", "file:", "urn:")):
        return source
    path = Path(source)
    return path.as_uri() if path.is_absolute() else source


def _user(author: str) -> str:
    name = "".join(
        ch for ch in author.strip().lower().replace(" ", "_") if ch.isalnum() or ch in "_.-"
    )
    return f"acct:{name or 'claim-reader'}@localhost"


def _item(record: ExportRecord, span: Any, fingerprint: str) -> dict[str, Any]:
    a, d = record.annotation, record.document
    uri = uri_for(d.source)
    links = []
    if fingerprint:
        # How Hypothesis names a PDF: by its fingerprint, and by its URL when it has one
        # (never by a local file:// path).
        links.append({"href": f"urn:x-pdf:{fingerprint}"})
        if uri.lower().startswith(("http://", "https://")):
            links.append({"href": uri})
        else:
            uri = links[0]["href"]
    selectors: list[dict[str, Any]] = []
    if span is not None:
        text, start, end = span.text, span.start, span.end
        selectors.append(
            {
                "type": "TextQuoteSelector",
                "exact": text[start:end],
                "prefix": text[max(0, start - 32) : start],
                "suffix": text[end : end + 32],
            }
        )
        selectors.append({"type": "TextPositionSelector", "start": start, "end": end})
    else:
        selectors.append(
            {
                "type": "TextQuoteSelector",
                "exact": a.anchor.quote,
                "prefix": a.anchor.prefix,
                "suffix": a.anchor.suffix,
            }
        )
    if a.page >= 0:
        selectors.append({"type": "PageSelector", "index": a.page, "label": str(a.page + 1)})
    user = _user(a.author)
    document: dict[str, Any] = {"title": [d.title]} if d.title else {}
    if links:
        document["link"] = links
    return {
        "id": a.id,
        "created": canonical_time(a.created_at),
        "updated": canonical_time(a.updated_at),
        "user": user,
        "uri": uri,
        "text": a.note,
        "tags": list(a.tags),
        "group": "__world__",
        "permissions": {
            "read": ["group:__world__"],
            "admin": [user],
            "update": [user],
            "delete": [user],
        },
        "target": [{"source": uri, "selector": selectors}],
        "document": document,
        "hidden": False,
        "flagged": False,
        "user_info": {"display_name": a.author or None},
        "claim_reader": {
            "kind": str(a.kind),
            "status": str(a.status),
            "claimant": a.claimant,
            "sha256": d.sha256,
            # Claim Reader's own anchor (its normalized text), for a lossless round trip.
            "anchor": {
                "exact": a.anchor.quote,
                "prefix": a.anchor.prefix,
                "suffix": a.anchor.suffix,
                "start": a.anchor.start,
                "end": a.anchor.end,
            },
        },
    }


def write_hypothesis(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    source_span: Callable[[ExportRecord], Any] | None = None,
    pdf_fingerprint: Callable[[ExportRecord], str] | None = None,
    now: str | None = None,
) -> int:
    """Write the records as a Hypothesis JSON export; returns the number written.

    `source_span` places a text file's annotation in the file's text; `pdf_fingerprint`
    gives a PDF's PDF.js fingerprint ("" when the file is not at hand)."""
    from datetime import UTC, datetime

    stamp = now or datetime.now(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write(
        "{\n"
        f'  "export_date": {json.dumps(stamp)},\n'
        '  "export_userid": "",\n'
        f'  "client_version": {json.dumps(CLIENT_VERSION)},\n'
        '  "annotations": ['
    )
    count = 0
    for record in records:
        span = source_span(record) if source_span is not None else None
        paged = record.document.kind.paged and pdf_fingerprint is not None
        fingerprint = pdf_fingerprint(record) if paged else ""  # type: ignore[misc]
        item = _item(record, span, fingerprint)
        line = json.dumps(item, ensure_ascii=False, separators=(", ", ": "))
        out.write(("\n    " if count == 0 else ",\n    ") + line)
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def is_hypothesis(data: Any) -> bool:
    """Whether parsed JSON is a Hypothesis export (an object with an "annotations" list)."""
    return isinstance(data, dict) and isinstance(data.get("annotations"), list)


def read_hypothesis(data: Any) -> list[HypothesisAnnotation]:
    """The annotations of a parsed Hypothesis export; `ExchangeError` at the first fault."""
    if not is_hypothesis(data):
        raise ExchangeError("line 1", 'the file is not a Hypothesis export (no "annotations").')
    found = []
    for number, raw in enumerate(data["annotations"], start=1):
        found.append(_read_one(raw, f"annotation {number}"))
    return found


def _text(raw: dict, key: str, where: str) -> str:
    value = raw.get(key) or ""
    if not isinstance(value, str):
        raise ExchangeError(where, f'"{key}" is not a string.')
    return value


def _read_one(raw: Any, where: str) -> HypothesisAnnotation:
    if not isinstance(raw, dict):
        raise ExchangeError(where, "it is not a JSON object.")
    targets = raw.get("target")
    if not isinstance(targets, list) or not targets or not isinstance(targets[0], dict):
        raise ExchangeError(where, '"target" is not a list of targets.')
    target = targets[0]
    uri = _text(raw, "uri", where) or _text(target, "source", where)
    if not uri:
        raise ExchangeError(where, 'it has no "uri".')
    selectors = target.get("selector") or []
    if not isinstance(selectors, list):
        raise ExchangeError(where, '"target[0].selector" is not a list.')
    quote: dict[str, Any] | None = None
    start = end = page = -1
    for selector in selectors:
        if not isinstance(selector, dict):
            continue
        kind = selector.get("type")
        if kind == "TextQuoteSelector":
            quote = selector
        elif kind == "TextPositionSelector":
            s, e = selector.get("start"), selector.get("end")
            if isinstance(s, int) and isinstance(e, int) and 0 <= s <= e:
                start, end = s, e
        elif kind == "PageSelector" and isinstance(selector.get("index"), int):
            page = selector["index"]
    if quote is not None and not isinstance(quote.get("exact"), str):
        raise ExchangeError(where, 'its TextQuoteSelector has no "exact" text.')
    if quote is None:
        quote = {"exact": ""}  # a page note or a reply: it marks no words
    tags = raw.get("tags") or []
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        raise ExchangeError(where, '"tags" is not a list of strings.')
    times = []
    for key in ("created", "updated"):
        value = _text(raw, key, where)
        if value and parse_time(value) is None:
            raise ExchangeError(where, f'"{key}" {value!r} is not an ISO 8601 time.')
        times.append(canonical_time(value) if value else "")
    hypothesis_id = _text(raw, "id", where)
    try:
        annotation_id = str(uuid.UUID(hypothesis_id))
    except ValueError:
        annotation_id = str(
            uuid.uuid5(_ID_NAMESPACE, hypothesis_id or json.dumps(raw, sort_keys=True))
        )
    info = raw.get("user_info")
    display = info.get("display_name") if isinstance(info, dict) else None
    user = _text(raw, "user", where)
    if not isinstance(display, str) or not display:
        display = user.removeprefix("acct:").split("@")[0]
    extra = raw.get("claim_reader")
    document = raw.get("document")
    links = document.get("link") if isinstance(document, dict) else None
    also = tuple(
        link["href"]
        for link in (links if isinstance(links, list) else [])
        if isinstance(link, dict) and isinstance(link.get("href"), str) and link["href"] != uri
    )
    return HypothesisAnnotation(
        where=where,
        id=annotation_id,
        uri=uri,
        exact=quote["exact"],
        prefix=quote.get("prefix") if isinstance(quote.get("prefix"), str) else "",
        suffix=quote.get("suffix") if isinstance(quote.get("suffix"), str) else "",
        start=start,
        end=end,
        page=page,
        text=_text(raw, "text", where),
        tags=tuple(tags),
        user=display,
        created=times[0],
        updated=times[1],
        extra=extra if isinstance(extra, dict) else None,
        also=also,
    )
