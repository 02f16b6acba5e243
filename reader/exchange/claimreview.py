"""Checked claims as schema.org ClaimReview JSON-LD, the markup fact-checkers publish.

Output: ``{"@context": "https://schema.org", "@graph": [ClaimReview, ...]}``, UTF-8, 2-space
indent, keys in a fixed order; byte-for-byte what ``json.dumps(doc, indent=2,
ensure_ascii=False)`` gives for the whole document, but written one review at a time.

Only annotations of kind ``claim`` with a verdict are reviews: ``unverified`` ones are left out.

Rating scale (``reviewRating``), the 1–5 scale ClaimReview publishers commonly use, with the
status word as ``alternateName`` (the "textual rating"):

==============  ===========  ==================================================
status          ratingValue  meaning on the scale
==============  ===========  ==================================================
supported       5            true
disputed        3            mixed: credible evidence on both sides
misleading      2            mostly false: true in part, wrong in what it implies
refuted         1            false
unverifiable    (none)       no ratingValue, bestRating or worstRating: no verdict
==============  ===========  ==================================================

Local file paths never appear: a document is identified by its URL when it has one, else by
its title.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable
from typing import Any, TextIO

from reader.citations import normalize_doi, partial_date, short_reference
from reader.model import (
    AnnotationKind,
    ClaimStatus,
    DocumentRecord,
    ExportRecord,
    Source,
    Stance,
)

__all__ = [
    "BEST_RATING",
    "RATING_VALUES",
    "WORST_RATING",
    "agent",
    "is_reviewable",
    "write_claimreview",
]

BEST_RATING = 5
WORST_RATING = 1
RATING_VALUES: dict[str, int | None] = {
    ClaimStatus.SUPPORTED: 5,
    ClaimStatus.DISPUTED: 3,
    ClaimStatus.MISLEADING: 2,
    ClaimStatus.REFUTED: 1,
    ClaimStatus.UNVERIFIABLE: None,
}

_STANCE_TEXT = {
    Stance.SUPPORTS: "Supports the claim",
    Stance.REFUTES: "Refutes the claim",
    Stance.CONTEXT: "Gives context to the claim",
}

# CSL types → the closest schema.org CreativeWork subtype.
_SCHEMA_TYPES = {
    "article": "Article",
    "article-journal": "ScholarlyArticle",
    "article-magazine": "Article",
    "article-newspaper": "NewsArticle",
    "book": "Book",
    "chapter": "Chapter",
    "dataset": "Dataset",
    "legislation": "Legislation",
    "motion_picture": "Movie",
    "post-weblog": "BlogPosting",
    "report": "Report",
    "software": "SoftwareSourceCode",
    "thesis": "Thesis",
    "webpage": "WebPage",
}

# Names that are organisations rather than people ("Office for National Statistics",
# "World Health Organization", "Acme Ltd").
_ORGANISATION = re.compile(
    r"\b(?:of|for|and|the|inc|ltd|llc|plc|gmbh|corp|corporation|company|group|party|"
    r"ministry|department|dept|office|agency|bureau|authority|commission|committee|council|"
    r"government|parliament|senate|congress|university|institute|institution|college|school|"
    r"academy|academies|association|society|foundation|trust|centre|center|organisation|"
    r"organization|union|federation|bank|fund|board|service|services|news|times|press|"
    r"media|network|broadcasting|league|club|team|police|army|court|nhs|eu|nasa|cdc|fda)"
    r"\b",
    re.IGNORECASE,
)


def agent(name: str) -> dict[str, str] | None:
    """A Person (or, by the words in the name, an Organization) named `name`; None if empty."""
    name = " ".join(name.split())
    if not name:
        return None
    person = "," in name and not _ORGANISATION.search(name.partition(",")[2])
    kind = "Person" if person or not _ORGANISATION.search(name) else "Organization"
    return {"@type": kind, "name": name}


def _is_url(s: str) -> bool:
    return bool(re.match(r"https?://[^\s/]+\S*$", s.strip(), re.IGNORECASE))


def _date(value: str) -> str:
    """The date part of an ISO 8601 time ("2026-11-29T14:03:00Z" → "2026-11-29")."""
    return partial_date(value) if value and value.strip() else ""


def _document_url(document: DocumentRecord) -> str:
    for candidate in (document.source, *document.aliases):
        if _is_url(candidate):
            return candidate.strip()
    return ""


def _appearance(document: DocumentRecord) -> dict[str, Any]:
    title = " ".join(document.title.split())
    url = _document_url(document)
    work: dict[str, Any] = {"@type": "CreativeWork"}
    if url:
        work["url"] = url
    else:
        work["name"] = title or "Untitled document"
    if title:
        work["headline"] = title
    author = agent(document.author)
    if author:
        work["author"] = author
    published = partial_date(document.published)
    if published:
        work["datePublished"] = published
    return work


def _cited_work(stance: str, locator: str, evidence: str, source: Source) -> dict[str, Any]:
    work: dict[str, Any] = {"@type": _SCHEMA_TYPES.get(source.type, "CreativeWork")}
    work["name"] = " ".join(source.title.split()) or short_reference(source) or "Untitled source"
    authors = [a for a in (agent(name) for name in source.authors) if a]
    if authors:
        work["author"] = authors
    issued = partial_date(source.issued)
    if issued:
        work["datePublished"] = issued
    container = " ".join(source.container_title.split())
    if container:
        work["isPartOf"] = {"@type": "CreativeWork", "name": container}
    publisher = agent(source.publisher)
    if publisher:
        publisher["@type"] = "Organization"
        work["publisher"] = publisher
    doi = normalize_doi(source.doi)
    url = source.url.strip()
    if doi:
        work["url"] = f"https://doi.org/{doi}"
        work["identifier"] = f"doi:{doi}"
        if url and normalize_doi(url) != doi:
            work["sameAs"] = url
    elif url:
        work["url"] = url
    if source.isbn and work["@type"] == "Book":
        work["isbn"] = source.isbn
    if source.archived_url.strip():
        work["archivedAt"] = source.archived_url.strip()
    try:
        description = _STANCE_TEXT[Stance(stance)]
    except ValueError:
        description = "Cited for the claim"
    locator = " ".join(locator.split())
    if locator:
        description += f" ({locator})"
    evidence = " ".join(evidence.split())
    description += f": “{evidence}”" if evidence else "."
    work["description"] = description
    return work


_RATING_NAMES = {
    ClaimStatus.SUPPORTED: "True",
    ClaimStatus.DISPUTED: "Mixed",
    ClaimStatus.MISLEADING: "Misleading",
    ClaimStatus.REFUTED: "False",
    ClaimStatus.UNVERIFIABLE: "Unverifiable",
}


def _rating(status: str) -> dict[str, Any]:
    rating: dict[str, Any] = {"@type": "Rating", "alternateName": str(status)}
    rating["name"] = _RATING_NAMES.get(status, str(status).capitalize())
    value = RATING_VALUES.get(status)
    if value is not None:
        rating["ratingValue"] = value
        rating["bestRating"] = BEST_RATING
        rating["worstRating"] = WORST_RATING
    return rating


def _claimant(name: str, kind: str) -> dict[str, str] | None:
    """The claim's author: typed as the user said (person / organization), else guessed."""
    found = agent(name)
    if found is not None and kind in ("person", "organization"):
        found["@type"] = "Person" if kind == "person" else "Organization"
    return found


def _review_url(url: str, annotation_id: str) -> str:
    """The fact-check's page, with the claim's own anchor as the fragment when the page has
    none (one page usually reviews several claims)."""
    return url if "#" in url else f"{url}#claim-{annotation_id}"


def _review(
    record: ExportRecord, publisher: str, url: str, publisher_url: str = ""
) -> dict[str, Any]:
    a = record.annotation
    review: dict[str, Any] = {"@type": "ClaimReview"}
    review["@id"] = _review_url(url, a.id) if url else f"urn:uuid:{a.id}"
    if url:
        review["url"] = _review_url(url, a.id)
    worded = " ".join(a.claim_reviewed.split())
    review["claimReviewed"] = worded or " ".join(a.anchor.quote.split())
    claim: dict[str, Any] = {"@type": "Claim"}
    claimant = _claimant(a.claimant, a.claimant_type)
    if claimant:
        claim["author"] = claimant
    claim_date = partial_date(a.claim_date) if a.claim_date.strip() else ""
    if claim_date:
        claim["datePublished"] = claim_date
    claim["appearance"] = _appearance(record.document)
    review["itemReviewed"] = claim
    review["reviewRating"] = _rating(a.status)
    published = _date(a.updated_at) or _date(a.created_at)
    if published:
        review["datePublished"] = published
    organisation = " ".join(publisher.split())
    if organisation:
        author: dict[str, Any] = {"@type": "Organization", "name": organisation}
        if publisher_url.strip():
            author["url"] = publisher_url.strip()
        review["author"] = author
        review["publisher"] = dict(author)
    elif a.author.strip():
        review["author"] = {"@type": "Person", "name": " ".join(a.author.split())}
    if a.note.strip():
        review["reviewBody"] = a.note.strip()
    if a.tags:
        review["keywords"] = ", ".join(t for t in a.tags if t.strip())
    if record.citations:
        review["citation"] = [
            _cited_work(c.stance, c.locator, c.evidence_quote, source)
            for c, source in record.citations
        ]
    return review


def is_reviewable(record: ExportRecord) -> bool:
    """A claim with a verdict (any status but unverified)."""
    a = record.annotation
    return a.kind == AnnotationKind.CLAIM and a.status in RATING_VALUES


def write_claimreview(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    publisher: str = "",
    url: str = "",
    publisher_url: str = "",
) -> int:
    """Write the ClaimReview JSON-LD document for `records` to `out`; return the review count.

    `publisher` names the reviewing organisation (each review's author and publisher, with
    `publisher_url` as its url); `url` is the published fact-check the reviews appear on
    (each review gets ``url#claim-<annotation id>`` unless `url` has a fragment already).
    """
    url = url.strip()
    out.write('{\n  "@context": "https://schema.org",\n  "@graph": [')
    count = 0
    for record in records:
        if not is_reviewable(record):
            continue
        text = json.dumps(
            _review(record, publisher, url, publisher_url), indent=2, ensure_ascii=False
        )
        out.write(("," if count else "") + "\n" + _indent(text, "    "))
        count += 1
    out.write("\n  ]\n}\n" if count else "]\n}\n")
    return count


def _indent(text: str, prefix: str) -> str:
    return "\n".join(prefix + line for line in text.split("\n"))
