"""Optional online look-up of a source's details: Crossref for a DOI, the page itself for a URL.

Never required: everything in `reader.citations` works offline, and a look-up only fills fields
the user left empty (`merge_filled`). Downloads go through `fetch_url`, so only http(s), with a
deadline and a size cap. Every failure is a `LookupFailed` whose message is one sentence.
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import html
import json
import re
from typing import Any
from urllib.parse import quote

from reader.citations import (
    date_from_parts,
    doi_from_url,
    normalize_doi,
    normalize_isbn,
    partial_date,
)
from reader.documents.base import DocumentError
from reader.documents.decode import decode_html
from reader.documents.extract import extract_article
from reader.documents.fetch import fetch_url
from reader.model import Source

__all__ = ["CROSSREF", "LookupFailed", "lookup_doi", "lookup_url", "merge_filled"]

CROSSREF = "https://api.crossref.org"
_MAX_BYTES = 5 * 1024 * 1024


class LookupFailed(Exception):  # noqa: N818 - the name the rest of the app uses
    """A look-up that found nothing; `str(err)` is one sentence fit for a dialog."""


# Crossref work types → CSL types (https://api.crossref.org/types).
_CROSSREF_TYPES = {
    "journal-article": "article-journal",
    "journal-issue": "article-journal",
    "journal": "periodical",
    "book": "book",
    "monograph": "book",
    "edited-book": "book",
    "reference-book": "book",
    "book-set": "book",
    "book-series": "book",
    "book-chapter": "chapter",
    "book-section": "chapter",
    "book-part": "chapter",
    "book-track": "chapter",
    "reference-entry": "entry",
    "proceedings-article": "paper-conference",
    "proceedings": "book",
    "proceedings-series": "book",
    "report": "report",
    "report-component": "report",
    "report-series": "report",
    "dataset": "dataset",
    "database": "dataset",
    "posted-content": "article",
    "dissertation": "thesis",
    "standard": "standard",
    "standard-series": "standard",
    "peer-review": "review",
    "component": "document",
    "grant": "document",
    "other": "document",
}


def _why(err: Exception) -> str:
    """A DocumentError's sentence as a clause to follow "Could not look up X: "."""
    text = str(err).strip().rstrip(".")
    return text[:1].lower() + text[1:] if text[:2] != text[:2].upper() else text


def lookup_doi(doi: str, *, base_url: str = CROSSREF, timeout: float = 10) -> Source:
    """The work a DOI names, as Crossref describes it."""
    shown = " ".join(str(doi).split())[:200]
    clean = normalize_doi(doi)
    if not clean:
        raise LookupFailed(f"Could not look up {shown}: it is not a DOI.")
    address = f"{base_url.rstrip('/')}/works/{quote(clean, safe='/:;()[]-._~')}"
    try:
        fetched = fetch_url(address, timeout=timeout, max_bytes=_MAX_BYTES)
    except DocumentError as err:
        if re.search(r"\banswered 404\b", str(err)):
            raise LookupFailed(
                f"Could not look up {clean}: Crossref does not know this DOI."
            ) from None
        raise LookupFailed(f"Could not look up {clean}: {_why(err)}.") from None
    try:
        data = json.loads(fetched.data.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        raise LookupFailed(
            f"Could not look up {clean}: Crossref sent an answer that is not valid JSON."
        ) from None
    message = data.get("message") if isinstance(data, dict) else None
    if not isinstance(message, dict):
        raise LookupFailed(f"Could not look up {clean}: Crossref's answer holds no record.")
    return _from_crossref(message, clean)


def _text(value: Any) -> str:
    """A Crossref string, or the first of a list, without JATS/HTML markup."""
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, str) and v.strip()), "")
    if not isinstance(value, str):
        return ""
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", value)).split())


def _crossref_date(message: dict[str, Any]) -> str:
    for key in ("issued", "published", "published-print", "published-online", "created"):
        value = message.get(key)
        if not isinstance(value, dict):
            continue
        parts = value.get("date-parts")
        if isinstance(parts, list) and parts and isinstance(parts[0], list):
            first = [p for p in parts[0] if isinstance(p, int | str) and str(p).strip()]
            if first:
                date = date_from_parts(*first[:3])
                if date:
                    return date
    return ""


def _crossref_names(people: Any) -> tuple[str, ...]:
    if not isinstance(people, list):
        return ()
    names = []
    for person in people:
        if not isinstance(person, dict):
            continue
        family = _text(person.get("family"))
        given = _text(person.get("given"))
        suffix = _text(person.get("suffix"))
        name = ", ".join(p for p in (family, suffix, given) if p) or _text(person.get("name"))
        if name:
            names.append(name)
    return tuple(names)


def _from_crossref(message: dict[str, Any], doi: str) -> Source:
    title = _text(message.get("title"))
    subtitle = _text(message.get("subtitle"))
    if subtitle and subtitle.lower() not in title.lower():
        title = f"{title}: {subtitle}" if title else subtitle
    isbn = ""
    for value in message.get("ISBN") or ():
        isbn = normalize_isbn(str(value))
        if isbn:
            break
    kind = _text(message.get("type")).lower()
    authors = _crossref_names(message.get("author")) or _crossref_names(message.get("editor"))
    return Source(
        type=_CROSSREF_TYPES.get(kind, "document"),
        title=title,
        authors=authors,
        container_title=_text(message.get("container-title")),
        publisher=_text(message.get("publisher")),
        issued=_crossref_date(message),
        url=_text(message.get("URL")) or f"https://doi.org/{doi}",
        doi=normalize_doi(_text(message.get("DOI"))) or doi,
        isbn=isbn,
    )


def lookup_url(url: str, *, timeout: float = 10) -> Source:
    """Title, author, site and date of a web page, read from the page; accessed today."""
    shown = " ".join(str(url).split())[:200]
    doi = doi_from_url(url)
    if doi:
        return lookup_doi(doi, timeout=timeout)
    try:
        fetched = fetch_url(url, timeout=timeout)
    except DocumentError as err:
        raise LookupFailed(f"Could not look up {shown}: {_why(err)}.") from None
    kind = fetched.content_type
    if kind and not (kind in ("text/html", "application/xhtml+xml") or kind.startswith("text/")):
        raise LookupFailed(f"Could not look up {shown}: it is not a web page ({kind}).")
    try:
        page = decode_html(fetched.data, fetched.charset)
        _fragment, meta = extract_article(page, fetched.url)
    except Exception as exc:  # the extractors are third-party; any failure is "no details"
        raise LookupFailed(
            f"Could not look up {shown}: the page could not be read ({type(exc).__name__})."
        ) from None
    authors = tuple(a.strip() for a in meta.author.split(";") if a.strip())
    return Source(
        type="webpage",
        title=meta.title,
        authors=authors,
        container_title=meta.site,
        issued=partial_date(meta.published),
        url=fetched.url,
        accessed=_dt.date.today().isoformat(),
    )


# Fields a look-up never touches: they belong to the library, not to the work.
_OWN = frozenset({"id", "document_id", "created_at", "updated_at"})
# What parse_reference guesses for a bare identifier; a look-up knows better.
_GUESSED_TYPES = frozenset({"", "webpage", "article-journal", "book", "document"})


def merge_filled(current: Source, found: Source) -> Source:
    """`current` with its empty fields filled from `found`: what the user wrote always wins.

    The type is a field that is never empty; it is taken from `found` (when that has a title)
    only while `current` still has no title, i.e. it is the guess made from a bare URL, DOI or
    ISBN.
    """
    changes: dict[str, Any] = {}
    for f in dataclasses.fields(Source):
        name = f.name
        if name in _OWN or name == "type":
            continue
        mine = getattr(current, name)
        theirs = getattr(found, name)
        if not mine and theirs:
            changes[name] = theirs
    if (
        found.type
        and found.title  # a look-up that found no title knows no better
        and found.type != current.type
        and (not current.type or (current.type in _GUESSED_TYPES and not current.title))
    ):
        changes["type"] = found.type
    return dataclasses.replace(current, **changes) if changes else current
