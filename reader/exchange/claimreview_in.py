"""Published fact-checks in: schema.org ClaimReview JSON-LD, as fact-checkers publish it.

Accepted shapes (each review anywhere in them is read; nothing else is):

- one ``ClaimReview`` object, or a list of them;
- ``{"@graph": [...]}`` (what our own ClaimReview export writes);
- a schema.org ``DataFeed`` whose ``dataFeedElement`` items hold the reviews under ``item``
  (an object or a list), the form fact-check feeds are published in.

Each review becomes a `FactCheck`: the claim is ``claimReviewed``; the rating is
``reviewRating.alternateName`` (the textual rating), else its ``name``, with ``ratingValue``,
``bestRating`` and ``worstRating`` kept as numbers; the reviewer is ``author.name`` (else
``publisher.name``); the url is ``url`` (else ``@id``); the claim's own author, appearance and
date come from ``itemReviewed`` when it gives them. A review without ``claimReviewed`` or
without a url fails the whole file (`ExchangeError`), so an import changes nothing or all.
"""

from __future__ import annotations

import re
from typing import Any, BinaryIO

from reader.exchange import ExchangeError
from reader.model import ClaimStatus, FactCheck

__all__ = ["is_claimreview_head", "read_claimreview", "status_of"]

# The ClaimReview tree is small; a feed deeper than this is not one.
_MAX_DEPTH = 12


def is_claimreview_head(head: bytes) -> bool:
    """The first bytes of a file look like ClaimReview JSON-LD (not a W3C annotation export,
    whose context is the W3C one)."""
    text = head.lstrip(b"\xef\xbb\xbf \t\r\n")
    return (
        text.startswith((b"{", b"["))
        and b"anno.jsonld" not in text
        and (b"ClaimReview" in text or b"DataFeed" in text)
    )


def _types(node: dict[str, Any]) -> set[str]:
    value = node.get("@type", node.get("type", ()))
    values = value if isinstance(value, list) else [value]
    # "schema:ClaimReview" and "https://schema.org/ClaimReview" are the same type.
    return {re.split(r"[/:#]", v)[-1] for v in values if isinstance(v, str)}


def _find_reviews(node: Any, found: list[dict[str, Any]], depth: int = 0) -> None:
    if depth > _MAX_DEPTH:
        return
    if isinstance(node, list):
        for child in node:
            _find_reviews(child, found, depth + 1)
        return
    if not isinstance(node, dict):
        return
    if "ClaimReview" in _types(node):
        found.append(node)
        return
    for key in ("@graph", "dataFeedElement", "item", "mainEntity", "hasPart"):
        if key in node:
            _find_reviews(node[key], found, depth + 1)


def _first(value: Any) -> Any:
    return value[0] if isinstance(value, list) and value else value


def _text(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("@value", value.get("name", ""))
    return " ".join(value.split()) if isinstance(value, str) else ""


def _name(value: Any) -> str:
    """The name of an author / publisher (an object, a list of them, or a plain string)."""
    value = _first(value)
    if isinstance(value, dict):
        return _text(value.get("name"))
    return _text(value)


def _number(value: Any) -> float | None:
    value = _first(value)
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _url(value: Any) -> str:
    value = _first(value)
    if isinstance(value, dict):
        value = value.get("url", value.get("@id", ""))
        value = _first(value)
    return value.strip() if isinstance(value, str) else ""


def _review(node: dict[str, Any], where: str) -> FactCheck:
    claim = _text(node.get("claimReviewed"))
    if not claim:
        raise ExchangeError(where, "the ClaimReview has no claimReviewed (the claim's text).")
    url = _url(node.get("url")) or _url(node.get("@id"))
    if not url:
        raise ExchangeError(where, "the ClaimReview has no url, so it could not be updated later.")
    rating = _first(node.get("reviewRating"))
    rating = rating if isinstance(rating, dict) else {}
    item = _first(node.get("itemReviewed"))
    item = item if isinstance(item, dict) else {}
    appearance = item.get("appearance") or item.get("firstAppearance")
    return FactCheck(
        url=url,
        claim=claim,
        rating=_text(rating.get("alternateName")) or _text(rating.get("name")),
        rating_value=_number(rating.get("ratingValue")),
        best_rating=_number(rating.get("bestRating")),
        worst_rating=_number(rating.get("worstRating")),
        reviewer=_name(node.get("author")) or _name(node.get("publisher")),
        published=_text(node.get("datePublished")),
        claimant=_name(item.get("author")),
        appearance=_url(appearance) or _name(appearance),
        claim_date=_text(item.get("datePublished")),
    )


def read_claimreview(data: Any) -> list[FactCheck]:
    """The fact-checks in parsed ClaimReview JSON-LD, or `ExchangeError` (nothing read)."""
    found: list[dict[str, Any]] = []
    _find_reviews(data, found)
    if not found:
        raise ExchangeError(
            "item 1", "there is no ClaimReview in it (expected schema.org ClaimReview JSON-LD)."
        )
    return [_review(node, f"review {n}") for n, node in enumerate(found, 1)]


def load_claimreview(raw: BinaryIO) -> list[FactCheck]:
    """`read_claimreview` of a file (read whole, with the JSON import's size limit)."""
    from reader.exchange.webanno import load_json

    return read_claimreview(load_json(raw))


# The textual ratings fact-checkers use, mapped onto our statuses. First match wins, so the
# longer phrases ("mostly false", "not true") come before the words inside them.
_RATING_WORDS: tuple[tuple[re.Pattern[str], ClaimStatus], ...] = tuple(
    (re.compile(rf"\b(?:{words})\b", re.IGNORECASE), status)
    for words, status in (
        ("unverifiable|unverified|unproven|unsubstantiated|no evidence|insufficient evidence|"
         "not enough evidence|cannot be verified|can't be verified|unclear",
         ClaimStatus.UNVERIFIABLE),
        ("mostly false|half[- ]true|partly false|partially false|partly true|partially true|"
         "misleading|missing context|lacks context|out of context|exaggerated|distorted|"
         "cherry[- ]picked|needs context", ClaimStatus.MISLEADING),
        ("mixed|mixture|disputed|contested|two pinocchios", ClaimStatus.DISPUTED),
        ("not true|untrue|false|pants on fire|fake|incorrect|wrong|baseless|fabricated|hoax|"
         "debunked|inaccurate|four pinocchios|three pinocchios|scam", ClaimStatus.REFUTED),
        ("true|correct|accurate|supported|verified|legit|geppetto checkmark",
         ClaimStatus.SUPPORTED),
    )
)  # fmt: skip
_STATUS_WORDS = {s.value: s for s in ClaimStatus}


def status_of(check: FactCheck) -> ClaimStatus | None:
    """Our status for a fact-check's rating: its textual rating if we know the words (our own
    export writes the status word itself), else where its ratingValue sits on its scale."""
    rating = check.rating.strip().lower()
    if rating in _STATUS_WORDS and rating != ClaimStatus.UNVERIFIED:
        return _STATUS_WORDS[rating]
    for pattern, status in _RATING_WORDS:
        if rating and pattern.search(rating):
            return status
    value, best, worst = check.rating_value, check.best_rating, check.worst_rating
    if value is None:
        return None
    best = 5.0 if best is None else best
    worst = 1.0 if worst is None else worst
    if best == worst:
        return None
    place = (value - worst) / (best - worst)
    if place >= 0.8:
        return ClaimStatus.SUPPORTED
    if place <= 0.2:
        return ClaimStatus.REFUTED
    return ClaimStatus.MISLEADING if place < 0.45 else ClaimStatus.DISPUTED
