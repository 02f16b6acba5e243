"""The Markdown report rendered by two Markdown libraries, and ClaimReview checked against the
schema.org vocabulary and Google's required fields, both from a real library and the CLI."""

from __future__ import annotations

import json
import subprocess
import sys
from functools import cache

import pytest
from conftest import CORPUS, ROOT, SEED

from reader.library import DocumentError, Library
from reader.model import AnnotationKind, ClaimStatus, Source, Stance

SCHEMA_TTL = CORPUS.parent / "standards" / "schemaorg-current-https.ttl"
REVIEW_URL = "https://factdesk.example/checks/opioids"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, cwd=ROOT
    )


def build(library: Library) -> dict[str, str]:
    seed = library.open_path(SEED)
    ids = {}
    start, end = library.find_quote(seed, "79,770 in 2022")
    claim = library.highlight(
        seed,
        start,
        end,
        AnnotationKind.CLAIM,
        status=ClaimStatus.REFUTED,
        claimant="Centers for Disease Control",
        note="The count was 81,806.\nThat is the provisional figure.",
    )
    claim = library.update(
        claim,
        claim_reviewed="US opioid deaths were 79,770 in 2022",
        claim_date="2023-05-11",
        claimant_type="organization",
    )
    ids["claim"] = claim.id
    start, end = library.find_quote(seed, "Since 2017")
    person = library.highlight(
        seed, start, end, AnnotationKind.CLAIM, status=ClaimStatus.MISLEADING, claimant="Xi"
    )
    ids["person"] = library.update(person, claimant_type="person").id
    start, end = library.find_quote(seed, "counternarcotics cooperation")
    ids["unverifiable"] = library.highlight(
        seed, start, end, AnnotationKind.CLAIM, status=ClaimStatus.UNVERIFIABLE
    ).id
    book = library.add_source(
        Source(
            type="book",
            title="Numbers in the news",
            authors=("Doe, Jane",),
            isbn="978-3-16-148410-0",
            doi="10.1000/book.1",
            url="https://books.example/numbers",
            archived_url="https://web.archive.org/web/2024/https://books.example/numbers",
        )
    )
    library.cite(claim.id, book.id, Stance.REFUTES, locator="p. 12", evidence_quote="81,806")
    return ids


# -- Markdown -----------------------------------------------------------------------------------


def test_markdown_paragraph_numbers_line_breaks_and_identifiers(library, tmp_path):
    import commonmark
    import markdown

    build(library)
    out = tmp_path / "report.md"
    library.export(out, "md")
    text = out.read_text(encoding="utf-8")
    seed_text = library.open_path(SEED).document.text
    paragraph = seed_text[: seed_text.index("79,770 in 2022")].count("\n\n") + 1
    assert f"- **Location:** ¶ {paragraph}" in text
    assert "characters" not in text
    # Identifiers: each one shown, not only the link the reference line picks.
    for shown in ("ISBN `978-3-16-148410-0`", "DOI `10.1000/book.1`", "<https://books.example"):
        assert shown in text
    assert "Archived <https://web.archive.org/web/2024/https://books.example/numbers>" in text
    for html in (markdown.markdown(text), commonmark.commonmark(text)):
        # The note's line break is a line break in both, never a literal backslash.
        assert "The count was 81,806.<br />\nThat is the provisional figure." in html.replace(
            "<br>", "<br />"
        )
        assert "\\" not in html
        assert "978-3-16-148410-0" in html and "10.1000/book.1" in html


# -- ClaimReview ----------------------------------------------------------------------------------


@cache
def _schema():
    import rdflib

    graph = rdflib.Graph()
    graph.parse(SCHEMA_TTL, format="turtle")
    return graph


def _schema_check(node, errors: list[str], path: str = "$") -> None:
    """Every @type a schema.org class; every property a schema.org property whose domain
    includes the node's type (or a supertype of it)."""
    import rdflib
    from rdflib.namespace import RDF, RDFS

    graph = _schema()
    schema = rdflib.Namespace("https://schema.org/")
    if isinstance(node, list):
        for i, item in enumerate(node):
            _schema_check(item, errors, f"{path}[{i}]")
        return
    if not isinstance(node, dict):
        return
    kind = node.get("@type")
    if kind is None:
        return
    cls = schema[kind]
    if (cls, RDF.type, RDFS.Class) not in graph:
        errors.append(f"{path}: {kind} is not a schema.org type")
        return
    supers = set(graph.transitive_objects(cls, RDFS.subClassOf))
    for key, value in node.items():
        if key.startswith("@"):
            continue
        prop = schema[key]
        if (prop, RDF.type, RDF.Property) not in graph:
            errors.append(f"{path}.{key}: not a schema.org property")
            continue
        domains = set(graph.objects(prop, schema.domainIncludes))
        if not domains & supers:
            errors.append(f"{path}.{key}: not a property of {kind}")
        _schema_check(value, errors, f"{path}.{key}")


# Google's ClaimReview structured data: required and recommended properties.
GOOGLE_REQUIRED = ("claimReviewed", "reviewRating", "url")
GOOGLE_RECOMMENDED = ("author", "datePublished", "itemReviewed")


def test_claimreview_from_the_cli_is_schema_org_and_has_googles_fields(tmp_path):
    db = tmp_path / "lib.sqlite"
    library = Library(db)
    try:
        ids = build(library)
    finally:
        library.close()
    result = run(
        "--db", str(db), "export", "--format", "claimreview", "--review-url", REVIEW_URL,
        "--org", "Fact Desk", "--org-url", "https://factdesk.example",
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    reviews = {r["url"].rsplit("#claim-", 1)[1]: r for r in json.loads(result.stdout)["@graph"]}
    assert set(reviews) == {ids["claim"], ids["person"], ids["unverifiable"]}
    errors: list[str] = []
    _schema_check(list(reviews.values()), errors)
    assert errors == []
    for review in reviews.values():
        for key in GOOGLE_REQUIRED + GOOGLE_RECOMMENDED:
            assert review.get(key), key
        assert review["url"].startswith(REVIEW_URL + "#claim-")
        assert review["author"] == {
            "@type": "Organization",
            "name": "Fact Desk",
            "url": "https://factdesk.example",
        }
        rating = review["reviewRating"]
        assert rating["alternateName"] and rating["name"]
        assert (
            review["itemReviewed"]["appearance"]["name"]
            or review["itemReviewed"]["appearance"]["url"]
        )
    refuted = reviews[ids["claim"]]
    assert refuted["claimReviewed"] == "US opioid deaths were 79,770 in 2022"
    claim = refuted["itemReviewed"]
    assert claim["@type"] == "Claim" and claim["datePublished"] == "2023-05-11"
    assert claim["author"] == {"@type": "Organization", "name": "Centers for Disease Control"}
    assert refuted["reviewRating"] == {
        "@type": "Rating",
        "alternateName": "refuted",
        "name": "False",
        "ratingValue": 1,
        "bestRating": 5,
        "worstRating": 1,
    }
    person = reviews[ids["person"]]
    assert person["itemReviewed"]["author"] == {"@type": "Person", "name": "Xi"}
    assert person["claimReviewed"] == "Since 2017"  # the quote when not worded otherwise
    assert "ratingValue" not in reviews[ids["unverifiable"]]["reviewRating"]

    # The organisation is remembered in the library: the next export needs only the URL.
    again = run("--db", str(db), "export", "--format", "claimreview", "--review-url", REVIEW_URL)
    assert again.returncode == 0, again.stderr
    assert again.stdout == result.stdout
    # Without the fact-check's URL (Google requires it): one sentence, exit 1.
    missing = run("--db", str(db), "export", "--format", "claimreview")
    assert missing.returncode == 1
    assert missing.stderr.strip().splitlines() == [
        "error: ClaimReview needs the published fact-check's address: give --review-url URL."
    ]
    wrong = run("--db", str(db), "export", "--format", "csv", "--org", "X")
    assert wrong.returncode == 1 and wrong.stderr.startswith("error: --review-url")


def test_claimreview_needs_an_organisation_once(library, tmp_path):
    build(library)
    with pytest.raises(DocumentError, match="reviewing organisation"):
        library.export(tmp_path / "r.jsonld", "claimreview", review_url=REVIEW_URL)
    with pytest.raises(DocumentError, match="not a web address"):
        library.export(tmp_path / "r.jsonld", "claimreview", review_url="factdesk", org="Fact Desk")
    assert not (tmp_path / "r.jsonld").exists()
    assert library.review_settings() == {"org": "", "org_url": ""}


def test_the_schema_check_can_fail():
    errors: list[str] = []
    _schema_check(
        {"@type": "ClaimReview", "reviewRating": {"@type": "Rating", "claimant": 1}}, errors
    )
    _schema_check({"@type": "Claimreview"}, errors)
    assert len(errors) == 2
