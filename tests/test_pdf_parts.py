"""The paged view's parts on their own, without a view: the render cache's budget, find over
the pages of a real PDF, and the text selection in normalized offsets."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtGui import QImage

from reader.documents.pdf import open_paged
from reader.ui.pdf_find import PdfFind
from reader.ui.pdf_render_cache import RenderCache
from reader.ui.pdf_selection import PdfTextSelection
from reader.ui.text_find import find_spans

PDF = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf" / "pdflatex-4-pages.pdf"


def _image(side: int) -> QImage:
    image = QImage(side, side, QImage.Format.Format_RGB32)
    image.fill(0xFFFFFF)
    return image


@pytest.fixture
def backend():
    doc = open_paged(PDF)
    yield doc
    doc.close()


def test_the_cache_drops_the_least_recently_used_pages_beyond_its_budget(qapp) -> None:
    one = _image(100).sizeInBytes()
    cache = RenderCache(limit_bytes=3 * one)
    for page in range(3):
        cache.put(page, 1.0, _image(100), keep=lambda key: False)
    assert cache.size_bytes == 3 * one and len(cache) == 3
    assert cache.get(0, 1.0) is not None  # page 0 is now the most recently used
    cache.put(3, 1.0, _image(100), keep=lambda key: False)
    assert (1, 1.0) not in cache and (0, 1.0) in cache and (3, 1.0) in cache
    assert cache.size_bytes == 3 * one


def test_the_cache_never_drops_what_the_view_still_shows(qapp) -> None:
    one = _image(100).sizeInBytes()
    cache = RenderCache(limit_bytes=one)  # smaller than what is on screen
    shown = {(0, 1.0), (1, 1.0)}
    for page in range(2):
        cache.put(page, 1.0, _image(100), keep=lambda key: key in shown)
    assert len(cache) == 2 and cache.size_bytes == 2 * one  # over budget, and that is right
    cache.put(5, 2.0, _image(50), keep=lambda key: key in shown)
    assert (5, 2.0) not in cache  # the newcomer is not shown: it goes at once
    assert cache.best_of(1) is not None and cache.best_of(7) is None
    cache.clear()
    assert cache.size_bytes == 0 and len(cache) == 0


def test_find_over_the_pages_splits_matches_by_page_and_starts_on_the_current_one(
    qapp, backend
) -> None:
    find = PdfFind(backend)
    spans = find_spans(backend.text, "the")
    count = find.find("the", current_page=2)
    assert count == len(spans) > 3
    first_on_2 = next(i for i, (s, _e) in enumerate(spans) if s >= backend.page_text_offset(2))
    assert find.current == first_on_2 + 1
    for index in range(count):
        for page, rects in find.match_rects(index):
            start = spans[index][0] - backend.page_text_offset(page)
            assert backend.page_text(page)[start : start + 3].lower() == "the"
            assert rects  # every part has boxes to paint
    assert find.step(-1) == first_on_2  # wraps back to the one before
    find.clear()
    assert find.count == 0 and find.current == 0


def test_a_selection_in_normalized_offsets_reads_back_the_same_text(backend) -> None:
    selection = PdfTextSelection(backend)
    text = backend.text
    start = backend.page_text_offset(1) + 10
    end = backend.page_text_offset(2) + 20  # across a page break
    assert selection.select_offsets(
        start, end, [backend.page_text_offset(p) for p in range(backend.page_count)]
    )
    assert selection.offsets() == (start, end)
    assert selection.text() == text[start:end]
    assert selection.clear() and selection.span() is None and not selection.clear()
