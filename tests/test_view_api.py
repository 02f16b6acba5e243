"""Both document views are one interface: the protocols hold, and find follows one rule.

Real documents from the corpus in the real views (offscreen). Find is checked the way a reader
would: the same needle typed in different ways finds the same places in either view.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from reader.documents import open_document
from reader.documents.pdf import open_paged
from reader.ui.article_view import ArticleView
from reader.ui.pdf_view import PdfView
from reader.ui.text_find import MAX_MATCHES, find_spans
from reader.ui.view_api import DocumentView, PagedView

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
BIG_PDF = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
ARTICLE = CORPUS / "html" / "readability" / "guardian-1" / "source.html"


def _open_pdf(qtbot, path: Path) -> PdfView:
    doc = open_paged(path)
    view = PdfView(doc)
    qtbot.addWidget(view)
    view.resize(800, 600)
    with qtbot.waitSignal(view.first_page_painted, timeout=10000):
        view.show()
    return view


def _open_article(qtbot, path: Path) -> ArticleView:
    view = ArticleView(open_document(path))
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


@pytest.fixture(params=["pdf", "article"])
def view(request, qtbot):
    if request.param == "pdf":
        v = _open_pdf(qtbot, PDF)
        yield v
        v.backend.close()
    else:
        yield _open_article(qtbot, ARTICLE)


def _text(view) -> str:
    return view.backend.text if isinstance(view, PdfView) else view.document_backend.text


def test_both_views_are_document_views_and_the_pdf_one_is_paged(qtbot) -> None:
    pdf = _open_pdf(qtbot, PDF)
    article = _open_article(qtbot, ARTICLE)
    try:
        assert isinstance(pdf, DocumentView)
        assert isinstance(pdf, PagedView)
        assert isinstance(article, DocumentView)
        assert not isinstance(article, PagedView)
    finally:
        pdf.backend.close()


def test_select_range_takes_normalized_offsets_in_both_views(view) -> None:
    text = _text(view)
    word = re.search(r"[A-Za-z]{6,}", text)
    assert word is not None
    view.select_range(word.start(), word.end())
    assert view.selection_range() == (word.start(), word.end())
    assert view.selected_text() == word.group()
    assert view.copy_selection() is True
    view.clear_selection()
    assert not view.has_selection()
    assert view.copy_selection() is False


def test_find_ignores_case_alike(view) -> None:
    text = _text(view)
    word = re.search(r"\b[a-z]{5,}\b", text).group()  # type: ignore[union-attr]
    expected = len(re.findall(re.escape(word), text, re.IGNORECASE))
    assert expected >= 1
    assert view.find(word) == expected
    assert view.find(word.upper()) == expected
    assert view.find(word.capitalize()) == expected
    assert view.match_count == expected
    assert view.current_match >= 1


def test_find_matches_any_whitespace_with_any_whitespace(view) -> None:
    """A phrase typed with a line break or a double space finds the words wherever the
    document's lines break (and a phrase broken across lines in the text is found by one
    typed with a plain space)."""
    text = _text(view)
    pair = re.search(r"\b([A-Za-z]{4,})(\s+)([A-Za-z]{4,})\b", text)
    assert pair is not None
    first, second = pair.group(1), pair.group(3)
    counts = {view.find(f"{first}{gap}{second}") for gap in (" ", "\n", "  ", " \n ", "\t")}
    assert len(counts) == 1 and counts.pop() >= 1
    # and the match covers the text between the words, whatever that whitespace is
    view.find(f"{first}\n{second}")
    assert view.current_match >= 1


def test_a_phrase_across_a_line_break_of_the_pdf_text_is_found(qtbot) -> None:
    pdf = _open_pdf(qtbot, PDF)
    try:
        text = pdf.backend.text
        pair = re.search(r"\b([A-Za-z]{4,})\n([A-Za-z]{4,})\b", text)
        assert pair is not None, "the sample PDF has a line break between two words"
        assert pdf.find(f"{pair.group(1)} {pair.group(2)}") >= 1
        assert pdf.find(f"{pair.group(1)}  {pair.group(2)}") >= 1
    finally:
        pdf.backend.close()


@pytest.mark.parametrize("needle", ["", " ", "  \n\t "])
def test_an_empty_or_blank_needle_finds_nothing(view, needle: str) -> None:
    assert view.find(needle) == 0
    assert view.match_count == 0
    assert view.current_match == 0
    assert view.find_next() == 0
    assert view.find_previous() == 0


def test_find_next_and_previous_wrap_alike(view) -> None:
    text = _text(view)
    words = re.findall(r"\b[a-z]{4,}\b", text)
    word = max(set(words), key=words.count)  # the commonest: found more than once
    count = view.find(word)
    assert count >= 2
    start = view.current_match
    numbers = [view.find_next() for _ in range(count)]
    assert numbers[-1] == start  # all the way round
    assert sorted(numbers) == list(range(1, count + 1))
    assert view.find_previous() == (start - 2) % count + 1
    view.clear_find()
    assert view.match_count == 0 and view.current_match == 0


def test_both_views_keep_at_most_the_same_number_of_matches(qtbot) -> None:
    """A one-letter needle in a book-length PDF stops at the limit every view shares."""
    pdf = _open_pdf(qtbot, BIG_PDF)
    article = _open_article(qtbot, ARTICLE)
    try:
        unbounded = len(find_spans(pdf.backend.text, "e", limit=10**9))
        assert unbounded > MAX_MATCHES
        assert pdf.find("e") == MAX_MATCHES
        assert pdf.find_previous() >= 1
        text = article.document_backend.text
        assert article.find("e") == min(MAX_MATCHES, len(find_spans(text, "e", limit=10**9)))
    finally:
        pdf.backend.close()


# -- the rule itself, without a view -------------------------------------------------------


def test_find_spans_keeps_offsets_where_case_folding_changes_lengths() -> None:
    text = "Die Straße, die STRASSE und die straße."
    assert find_spans(text, "straße") == [(4, 10), (32, 38)]
    assert [text[s:e] for s, e in find_spans(text, "STRASSE")] == ["STRASSE"]


def test_find_spans_whitespace_runs_and_limit() -> None:
    text = "one two\nthree  four\n\nfive"
    assert find_spans(text, "two three") == [(4, 13)]
    assert find_spans(text, "  four   five ") == [(15, 25)]
    assert find_spans("aaaa", "a", limit=3) == [(0, 1), (1, 2), (2, 3)]
    assert find_spans("aaaa", "aa") == [(0, 2), (2, 4)]  # no overlaps
    assert find_spans(text, "\n") == []
