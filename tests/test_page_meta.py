"""What a page says about itself: JSON-LD first, then its tags, then structural hints."""

from __future__ import annotations

import lxml.html

from reader.documents.page_meta import read_page_metadata


def meta(html: str, url: str = ""):
    return read_page_metadata(lxml.html.document_fromstring(html), url)


def test_json_ld_comes_first_even_in_cdata() -> None:
    page = """<html lang="es"><head><title>Site | Old title</title>
    <meta property="og:title" content="OG title">
    <meta property="article:published_time" content="2015-12-11T14:28:34Z">
    <script type="application/ld+json"><![CDATA[
    {"@context": "https://schema.org", "@type": "NewsArticle", "headline": "La cifra real",
     "datePublished": "2015-10-15T02:19:15Z", "author": [{"@type": "Person", "name": "Ana Ruiz"},
     {"@type": "Person", "name": "Luis Gil"}], "publisher": {"@type": "Organization",
     "name": "El Diario"}}
    ]]></script></head><body></body></html>"""
    m = meta(page)
    assert (m.title, m.author, m.published, m.site, m.language) == (
        "La cifra real",
        "Ana Ruiz; Luis Gil",
        "2015-10-15",
        "El Diario",
        "es",
    )


def test_of_name_and_headline_the_one_like_the_page_title() -> None:
    page = """<html><head><title>List of films featuring time loops - Wikipedia</title>
    <script type="application/ld+json">{"@type": "Article",
    "name": "List of films featuring time loops", "headline": "Wikimedia list article",
    "author": {"name": "Contributors"}}</script></head><body></body></html>"""
    assert meta(page).title == "List of films featuring time loops"


def test_tags_in_order_of_trust_then_markup() -> None:
    page = """<html><head><meta name="author" content="Meta Author">
    <meta name="dc.creator" content="Dublin Core Author">
    <meta property="og:site_name" content="The Example Times">
    <link rel="canonical" href="https://example.com/a"></head>
    <body><time pubdate datetime="2024-03-05T10:00">5 March</time></body></html>"""
    m = meta(page)
    assert m.author == "Dublin Core Author"
    assert m.published == "2024-03-05"
    assert m.site == "The Example Times"
    assert m.url == "https://example.com/a"


def test_byline_from_markup_and_nothing_invented() -> None:
    page = """<html><head></head><body><p class="byline">By <a rel="author">Jane Müller</a></p>
    </body></html>"""
    m = meta(page)
    assert m.author in ("By Jane Müller", "Jane Müller")
    assert m.published == "" and m.title == ""
    assert meta("<html><head></head><body><p>x</p></body></html>").author == ""
