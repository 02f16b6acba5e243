"""A page with no article (an index page, a login wall) says so and offers its whole text."""

from __future__ import annotations

from reader.documents.article import load_article
from reader.model import DocumentKind

INDEX_PAGE = """<!doctype html><html lang="en"><head><title>Sections</title></head><body>
<nav><a href="/a">World</a> <a href="/b">Politics</a> <a href="/c">Science</a></nav>
<ul>
<li><a href="/1">Flood warnings issued for the coast</a></li>
<li><a href="/2">Parliament votes on the budget tonight</a></li>
<li><a href="/3">New vaccine trial reports first results</a></li>
<li><a href="/4">Transport strike called off after talks</a></li>
</ul>
<form><label>Email <input name="e"></label><button>Sign in to read more</button></form>
</body></html>"""


def test_index_page_says_no_article_and_shows_whole_text(tmp_path) -> None:
    doc = load_article(INDEX_PAGE.encode(), DocumentKind.HTML, str(tmp_path / "index.html"))
    assert doc.notice.startswith("This page has no article")
    assert doc.notice.count(".") == 1  # one sentence
    assert "Flood warnings issued for the coast" in doc.text
    assert "New vaccine trial reports first results" in doc.text


def test_article_page_has_no_notice(tmp_path) -> None:
    from pathlib import Path

    page = (
        Path(__file__).resolve().parents[2]
        / "shared"
        / "corpus"
        / "html"
        / "readability"
        / "bbc-1"
        / "source.html"
    )
    doc = load_article(page.read_bytes(), DocumentKind.HTML, str(page))
    assert doc.notice == ""
