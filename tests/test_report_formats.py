"""The Markdown report and the ClaimReview JSON-LD, from hand-built records (no database)."""

from __future__ import annotations

import io
import json
import re
from dataclasses import replace

from hypothesis import given, settings
from hypothesis import strategies as st
from markdown_it import MarkdownIt

from reader.citations import format_reference
from reader.exchange.claimreview import write_claimreview
from reader.exchange.markdown import escape, write_markdown
from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    Citation,
    ClaimStatus,
    DocumentKind,
    DocumentRecord,
    ExportRecord,
    Source,
    Stance,
    TextAnchor,
)

GENERATED = "2026-11-29T14:03:00Z"

PDF = DocumentRecord(
    id=1,
    sha256="a" * 64,
    kind=DocumentKind.PDF,
    title="# Budget <b>2024</b> | *draft*",
    author="Ministry of Finance",
    published="2024-03",
    source="/home/me/Downloads/budget`2024`.pdf",
    pages=12,
    first_opened="2026-11-01T10:00:00Z",
    last_opened="2026-11-02T10:00:00Z",
)
ARTICLE = DocumentRecord(
    id=2,
    sha256="b" * 64,
    kind=DocumentKind.HTML,
    title="تقرير الاقتصاد 📉",
    author="",
    published="2022",
    source="https://news.example.org/2022/economy?id=7&x=1",
    pages=0,
    first_opened="2026-11-03T10:00:00Z",
    last_opened="2026-11-03T10:00:00Z",
)

ONS = Source(
    id=1,
    type="report",
    title="Labour market <statistics> & *friends*",
    authors=("Office for National Statistics",),
    publisher="ONS",
    issued="2023-05",
    url="https://www.ons.gov.uk/labour?a=1&b=2",
)
PAPER = Source(
    id=2,
    type="article-journal",
    title="Unemployment in the long run",
    authors=("Smith, Jane", "Doe, John"),
    container_title="Journal of Economics",
    issued="2021",
    doi="10.1234/ABC.5678",
    url="https://example.org/paper",
)
BOOK = Source(id=3, type="book", title="حقائق", authors=("الخوري، سمير",), issued="2019")


def anchor(quote: str, start: int) -> TextAnchor:
    return TextAnchor(quote=quote, prefix="", suffix="", start=start, end=start + len(quote))


def annotation(n: int, document: DocumentRecord, quote: str, **fields) -> Annotation:
    fields.setdefault("updated_at", "2026-11-29T14:03:00Z")
    fields.setdefault("created_at", "2026-11-20T09:00:00Z")
    return Annotation(
        id=f"00000000-0000-4000-8000-{n:012d}",
        document_id=document.id,
        version_id=document.id,
        anchor=anchor(quote, 10 * n),
        **fields,
    )


def cite(n: int, claim: Annotation, source: Source, stance: Stance, **fields):
    citation = Citation(
        id=f"10000000-0000-4000-8000-{n:012d}",
        annotation_id=claim.id,
        source_id=source.id,
        stance=stance,
        **fields,
    )
    return citation, source


NOTE = "# not a heading\n- not a list\n* nor this\n1. nor this\n> nor a quote\n\n" + (
    "`code` | pipe <script>alert(1)</script> &amp; ---\n---\n===\n    indented"
)
LONG = (
    "The unemployment rate fell to 3% in 2023, the lowest since records began, "
    "and it will stay there for the rest of the decade according to the minister."
)

C1 = annotation(
    1,
    PDF,
    "Unemployment is *down* to 3% #record",
    status=ClaimStatus.REFUTED,
    claimant="- Finance Minister",
    note=NOTE,
    tags=("economy", "`odd` tag", "# hash"),
    author="Sam Checker",
    page=2,
)
C2 = annotation(
    2,
    PDF,
    LONG,
    status=ClaimStatus.SUPPORTED,
    claimant="Office for National Statistics",
    page=4,
    updated_at="2026-11-28T08:00:00Z",
)
E3 = annotation(
    3,
    PDF,
    "table 3 shows 4.1%",
    kind=AnnotationKind.EVIDENCE,
    note="## sneaky\n<div>html</div>",
    page=5,
)
C4 = annotation(
    4,
    ARTICLE,
    "البطالة انخفضت إلى ٣٪ 🎉",
    status=ClaimStatus.MISLEADING,
    claimant="وزير المالية",
    note="مضلل: line one\nline two",
    tags=("عربي",),
)
C5 = annotation(5, ARTICLE, "Prices rose 2%", status=ClaimStatus.UNVERIFIED)
Q6 = annotation(
    6, ARTICLE, "Who counted?", kind=AnnotationKind.QUESTION, note="1) ask the\n2) office"
)
C7 = annotation(
    7,
    ARTICLE,
    "Nobody knows the true figure",
    status=ClaimStatus.UNVERIFIABLE,
    updated_at="",
    created_at="2026-11-01T00:00:00Z",
)
C8 = annotation(8, ARTICLE, "Exports doubled", status=ClaimStatus.DISPUTED)
M9 = annotation(
    9,
    ARTICLE,
    "orphaned remark",
    kind=AnnotationKind.COMMENT,
    tags=("x",),
)
M9 = replace(M9, anchor=replace(M9.anchor, state=AnchorState.ORPHAN))

RECORDS = [
    ExportRecord(
        C1,
        PDF,
        (
            cite(1, C1, ONS, Stance.REFUTES, locator="table | 3", evidence_quote="4.1% > 3%\n# x"),
            cite(2, C1, PAPER, Stance.CONTEXT),
        ),
        ("Budget check",),
    ),
    ExportRecord(C2, PDF, (cite(3, C2, PAPER, Stance.SUPPORTS, locator="p. 12"),)),
    ExportRecord(E3, PDF),
    ExportRecord(C4, ARTICLE, (cite(4, C4, BOOK, Stance.REFUTES, evidence_quote="نص"),)),
    ExportRecord(C5, ARTICLE),
    ExportRecord(Q6, ARTICLE),
    ExportRecord(C7, ARTICLE),
    ExportRecord(C8, ARTICLE),
    ExportRecord(M9, ARTICLE),
]


def markdown(records=RECORDS, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    count = write_markdown(iter(records), out, generated=GENERATED, **kwargs)
    return count, out.getvalue()


def parse(text: str):
    return MarkdownIt("commonmark").enable(["table", "strikethrough"]).parse(text)


def headings(tokens, tag: str) -> list[str]:
    return [
        tokens[i + 1].content
        for i, t in enumerate(tokens)
        if t.type == "heading_open" and t.tag == tag
    ]


def rendered_text(tokens) -> str:
    """All text the reader sees, escapes resolved."""
    parts = []
    for token in tokens:
        for child in token.children or ():
            if child.type in ("text", "code_inline"):
                parts.append(child.content)
            elif child.type in ("softbreak", "hardbreak"):
                parts.append("\n")
    return "".join(parts)


# --- Markdown ---------------------------------------------------------------------------------


def test_markdown_structure_is_one_h2_per_document_one_h3_per_annotation() -> None:
    count, text = markdown()
    assert count == len(RECORDS)
    tokens = parse(text)
    assert headings(tokens, "h1") == ["Claim check"]
    h2 = headings(tokens, "h2")
    assert len(h2) == 3  # two documents and the summary
    assert h2[-1] == "Summary"
    inline_h2 = [t for t in tokens if t.type == "inline"]
    assert any(t.content == h2[0] for t in inline_h2)
    assert len(headings(tokens, "h3")) == len(RECORDS)
    assert not [t for t in tokens if t.type.startswith("heading") and t.tag in ("h4", "h5", "h6")]


def test_markdown_headings_show_the_titles_and_quotes_literally() -> None:
    _, text = markdown()
    tokens = parse(text)
    html = MarkdownIt("commonmark").enable("table").render(text)
    # Rendered heading texts (inline children, escapes resolved).
    shown = []
    for i, t in enumerate(tokens):
        if t.type == "heading_open" and t.tag in ("h2", "h3"):
            shown.append("".join(c.content for c in tokens[i + 1].children))
    assert shown[0] == PDF.title
    assert "Claim: “Unemployment is *down* to 3% #record”" in shown
    assert ARTICLE.title in shown
    assert "Claim: “البطالة انخفضت إلى ٣٪ 🎉”" in shown
    assert "Evidence: “table 3 shows 4.1%”" in shown
    assert "Question: “Who counted?”" in shown
    assert "<b>" not in html and "<script>" not in html and "<div>" not in html


def test_each_claim_appears_once_and_long_quotes_are_blockquoted() -> None:
    _, text = markdown()
    tokens = parse(text)
    for record in RECORDS:
        quote = record.annotation.anchor.quote
        h3 = [h for h in headings(tokens, "h3") if escape(quote[:20]) in h]
        assert len(h3) == 1, quote
    # The long quote: shortened in its heading, in full in a blockquote after it.
    long_heading = next(h for h in headings(tokens, "h3") if h.startswith("Claim: “The unemp"))
    assert long_heading.endswith("…”")
    start = next(
        i for i, t in enumerate(tokens) if t.type == "inline" and t.content == long_heading
    )
    quote_open = next(i for i in range(start, len(tokens)) if tokens[i].type == "blockquote_open")
    assert tokens[quote_open + 2].content == LONG
    assert text.count(LONG) == 1


def test_user_text_cannot_create_structure() -> None:
    _, text = markdown()
    tokens = parse(text)
    types = {t.type for t in tokens}
    assert "html_block" not in types and "code_block" not in types and "fence" not in types
    assert "hr" not in types
    assert not [c for t in tokens for c in t.children or () if c.type == "html_inline"]
    # Bullet lists only where the writer puts them: the document and claim field lists, and
    # the sources lists; no ordered lists at all.
    assert "ordered_list_open" not in types
    bullet_lists = sum(t.type == "bullet_list_open" for t in tokens)
    claims = sum(r.annotation.kind == AnnotationKind.CLAIM for r in RECORDS)
    with_sources = sum(bool(r.citations) for r in RECORDS)
    assert bullet_lists == 2 + claims + with_sources
    # Blockquotes: the long quote, and the two evidence quotes.
    assert sum(t.type == "blockquote_open" for t in tokens) == 3
    # The note reads back exactly, line by line.
    seen = rendered_text(tokens)
    for line in NOTE.splitlines():
        if line.strip():
            assert line.strip() in seen, line
    assert "مضلل: line one\nline two" in seen
    assert "## sneaky\n<div>html</div>" in seen
    assert "1) ask the\n2) office" in seen


def test_markdown_fields_and_sources() -> None:
    _, text = markdown()
    seen = rendered_text(parse(text))
    assert "Status: ❌ refuted" in seen
    assert "Status: ✅ supported" in seen
    assert "Status: ⚠️ misleading" in seen
    assert "Location: p. 3" in seen  # page 2 is 0-based
    assert "Location: characters 40–" in seen  # no text at hand: no paragraph number
    assert "Claimant: - Finance Minister" in seen
    assert "Claimant: وزير المالية" in seen
    assert "Tags: economy, `odd` tag, # hash" in seen
    assert "Source: /home/me/Downloads/budget`2024`.pdf" in seen
    assert "Kind: PDF, 12 pages" in seen
    assert "Kind: Web page" in seen
    assert f"Refutes: {format_reference(ONS)} — table | 3" in seen
    assert f"Context: {format_reference(PAPER)}" in seen
    assert f"Supports: {format_reference(PAPER)} — p. 12" in seen
    assert "4.1% > 3%\n# x" in seen
    assert "anchor: orphan" in seen
    # The article URL is a link, the source URL in a reference too.
    html = MarkdownIt("commonmark").render(text)
    assert 'href="https://news.example.org/2022/economy?id=7&amp;x=1"' in html
    assert 'href="https://www.ons.gov.uk/labour?a=1&amp;b=2"' in html


def test_summary_table_counts_claims_per_status() -> None:
    _, text = markdown()
    tokens = parse(text)
    start = next(i for i, t in enumerate(tokens) if t.type == "table_open")
    rows: list[list[str]] = []
    for t in tokens[start:]:
        if t.type == "tr_open":
            rows.append([])
        elif t.type == "inline":
            rows[-1].append("".join(c.content for c in t.children))
        elif t.type == "table_close":
            break
    assert rows[0] == ["Status", "Claims"]
    counts = {row[0].split(" ", 1)[1]: int(row[1]) for row in rows[1:-1]}
    assert counts == {
        "unverified": 1,
        "supported": 1,
        "disputed": 1,
        "misleading": 1,
        "refuted": 1,
        "unverifiable": 1,
    }
    assert rows[-1] == ["Total", "6"]
    assert (
        "9 annotations in 2 documents; besides the claims: 1 evidence, 1 question, 1 comment."
        in (rendered_text(tokens))
    )


def test_markdown_is_deterministic_and_dated() -> None:
    assert markdown() == markdown()
    _, text = markdown(title="Fentanyl *check*")
    assert text.startswith("# Fentanyl \\*check\\*\n\n*Generated 2026-11-29T14:03:00Z by Claim")
    assert text.endswith(".\n") and not text.endswith("\n\n")
    undated = io.StringIO()
    write_markdown(iter(RECORDS[:1]), undated)
    assert "*Generated 20" in undated.getvalue()


def test_markdown_empty() -> None:
    count, text = markdown([])
    assert count == 0
    tokens = parse(text)
    assert headings(tokens, "h2") == ["Summary"]
    assert "No annotations." in text


def test_escape_leaves_plain_text_alone() -> None:
    assert escape("Plain words, 3.5% and café — ok") == "Plain words, 3.5% and café — ok"
    assert escape("snake_case") == "snake\\_case"
    assert escape("12. Not a list") == "12\\. Not a list"
    assert escape("4.1% and -3 and +2") == "4.1% and -3 and +2"
    assert escape("- item") == "\\- item"
    assert escape("---") == "\\---"
    assert escape("see https://x.org/a_b.") == "see <https://x.org/a_b>."


# Markdown's punctuation, some letters in three scripts, emoji, whitespace and bits of links.
AWKWARD = st.text(
    st.sampled_from(list("#>-+=*_`~|<>[]()!&;:/\\.1234567890 \t\nabxhtpsé ش☃🎉")) | st.characters(),
    max_size=40,
).filter(lambda t: "%" not in t)


@settings(max_examples=300, deadline=None)
@given(AWKWARD)
def test_escaped_text_renders_as_exactly_that_text(text: str) -> None:
    escaped = escape(text)
    tokens = parse(escaped)
    # Control characters become spaces; runs of whitespace one space.
    expected = " ".join(re.sub(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]", " ", text).split())
    if not expected:
        assert tokens == []
        return
    assert [t.type for t in tokens] == ["paragraph_open", "inline", "paragraph_close"]
    children = tokens[1].children
    assert {c.type for c in children} <= {"text", "link_open", "link_close"}
    assert "".join(c.content for c in children) == expected


# --- ClaimReview ------------------------------------------------------------------------------


def claimreview(records=RECORDS, **kwargs) -> tuple[int, str]:
    out = io.StringIO()
    count = write_claimreview(iter(records), out, **kwargs)
    return count, out.getvalue()


def test_claimreview_is_valid_json_ld_and_stable() -> None:
    count, text = claimreview(publisher="Fact Desk", url="https://factdesk.example/checks")
    doc = json.loads(text)
    assert text == json.dumps(doc, indent=2, ensure_ascii=False) + "\n"
    assert "البطالة" in text  # not \u-escaped
    assert doc["@context"] == "https://schema.org"
    reviews = doc["@graph"]
    assert count == len(reviews) == 5
    assert claimreview(publisher="Fact Desk", url="https://factdesk.example/checks")[1] == text


def test_claimreview_reviews_only_checked_claims() -> None:
    _, text = claimreview()
    reviews = json.loads(text)["@graph"]
    reviewed = [r["claimReviewed"] for r in reviews]
    assert reviewed == [
        C1.anchor.quote,
        LONG,
        C4.anchor.quote,
        C7.anchor.quote,
        C8.anchor.quote,
    ]
    for review in reviews:
        assert review["@type"] == "ClaimReview"
        for key in ("claimReviewed", "reviewRating", "itemReviewed"):
            assert key in review
        assert review["itemReviewed"]["@type"] == "Claim"
        assert review["itemReviewed"]["appearance"]["@type"] == "CreativeWork"


def test_claimreview_rating_mapping() -> None:
    _, text = claimreview()
    ratings = {
        r["reviewRating"]["alternateName"]: r["reviewRating"] for r in json.loads(text)["@graph"]
    }
    expected = {"supported": 5, "disputed": 3, "misleading": 2, "refuted": 1}
    for status, value in expected.items():
        assert ratings[status] == {
            "@type": "Rating",
            "alternateName": status,
            "name": {"supported": "True", "disputed": "Mixed", "refuted": "False"}.get(
                status, status.capitalize()
            ),
            "ratingValue": value,
            "bestRating": 5,
            "worstRating": 1,
        }
    assert ratings["unverifiable"] == {
        "@type": "Rating",
        "alternateName": "unverifiable",
        "name": "Unverifiable",
    }


def test_claimreview_fields() -> None:
    _, text = claimreview(publisher="Fact Desk")
    reviews = {r["claimReviewed"]: r for r in json.loads(text)["@graph"]}
    first = reviews[C1.anchor.quote]
    assert first["@id"] == f"urn:uuid:{C1.id}"
    assert "url" not in first
    assert first["datePublished"] == "2026-11-29"
    # The reviewing organisation, not the annotation's (login) author.
    assert first["author"] == {"@type": "Organization", "name": "Fact Desk"}
    assert first["publisher"] == {"@type": "Organization", "name": "Fact Desk"}
    assert first["reviewBody"] == NOTE.strip()
    claim = first["itemReviewed"]
    assert claim["author"] == {"@type": "Person", "name": "- Finance Minister"}
    # A local file: no path anywhere, the title names it.
    assert claim["appearance"] == {
        "@type": "CreativeWork",
        "name": PDF.title,
        "headline": PDF.title,
        "author": {"@type": "Organization", "name": "Ministry of Finance"},
        "datePublished": "2024-03",
    }
    assert "/home/me" not in text
    ons, paper = first["citation"]
    assert ons == {
        "@type": "Report",
        "name": ONS.title,
        "author": [{"@type": "Organization", "name": "Office for National Statistics"}],
        "datePublished": "2023-05",
        "publisher": {"@type": "Organization", "name": "ONS"},
        "url": ONS.url,
        "description": "Refutes the claim (table | 3): “4.1% > 3% # x”",
    }
    assert paper["@type"] == "ScholarlyArticle"
    assert paper["url"] == "https://doi.org/10.1234/abc.5678"
    assert paper["sameAs"] == PAPER.url
    assert paper["author"] == [
        {"@type": "Person", "name": "Smith, Jane"},
        {"@type": "Person", "name": "Doe, John"},
    ]
    assert paper["isPartOf"] == {"@type": "CreativeWork", "name": "Journal of Economics"}
    assert paper["description"] == "Gives context to the claim."

    second = reviews[LONG]
    assert second["datePublished"] == "2026-11-28"
    assert second["author"] == {"@type": "Organization", "name": "Fact Desk"}
    assert second["itemReviewed"]["author"]["@type"] == "Organization"
    assert second["citation"][0]["description"] == "Supports the claim (p. 12)."
    assert "reviewBody" not in second

    arabic = reviews[C4.anchor.quote]
    assert arabic["itemReviewed"]["author"] == {"@type": "Person", "name": "وزير المالية"}
    assert arabic["itemReviewed"]["appearance"] == {
        "@type": "CreativeWork",
        "url": ARTICLE.source,
        "headline": ARTICLE.title,
        "datePublished": "2022",
    }
    assert arabic["citation"] == [
        {
            "@type": "Book",
            "name": "حقائق",
            "author": [{"@type": "Person", "name": "الخوري، سمير"}],
            "datePublished": "2019",
            "description": "Refutes the claim: “نص”",
        }
    ]
    assert reviews[C7.anchor.quote]["datePublished"] == "2026-11-01"  # created_at fallback
    assert "citation" not in reviews[C8.anchor.quote]


def test_claimreview_url_and_empty() -> None:
    _, text = claimreview(RECORDS[:1], url="https://factdesk.example/checks")
    review = json.loads(text)["@graph"][0]
    assert review["@id"] == review["url"] == f"https://factdesk.example/checks#claim-{C1.id}"
    assert "publisher" not in review
    count, text = claimreview([ExportRecord(C5, ARTICLE), ExportRecord(E3, PDF)])
    assert count == 0
    assert json.loads(text) == {"@context": "https://schema.org", "@graph": []}
    assert text == json.dumps(json.loads(text), indent=2) + "\n"
