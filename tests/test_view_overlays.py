"""Annotation overlays on both views, driven like a user: look at pixels, click, drag, jump."""

from __future__ import annotations

import random
from dataclasses import replace
from pathlib import Path

import pymupdf
import pytest
from PySide6.QtCore import QEvent, QPoint, QPointF, QRectF, Qt
from PySide6.QtGui import QColor, QImage, QMouseEvent
from PySide6.QtWidgets import QApplication

from reader.documents import open_document
from reader.documents.geometry import range_rects
from reader.documents.pdf import open_paged
from reader.model import AnchorState, Annotation, TextAnchor
from reader.ui.article_view import ArticleView
from reader.ui.pdf_view import PdfView

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
ARTICLE = CORPUS / "seed" / "000_d286d3589c386401.txt"

RED = "#e02020"
BLUE = "#2050e0"


def _anchor(text: str, start: int, end: int, state=AnchorState.EXACT) -> TextAnchor:
    return TextAnchor(
        quote=text[start:end],
        prefix=text[max(0, start - 32) : start],
        suffix=text[end : end + 32],
        start=start,
        end=end,
        state=state,
    )


def _pdf_annotation(doc, ann_id: str, start: int, end: int, color: str = RED, **kw) -> Annotation:
    page, rects = range_rects(doc, start, end)
    return Annotation(
        id=ann_id,
        document_id=1,
        version_id=1,
        anchor=_anchor(doc.text, start, end, kw.pop("state", AnchorState.EXACT)),
        color=color,
        page=page,
        rects=rects,
        **kw,
    )


def _article_annotation(doc, ann_id: str, start: int, end: int, color: str = RED, **kw):
    return Annotation(
        id=ann_id,
        document_id=1,
        version_id=1,
        anchor=_anchor(doc.text, start, end, kw.pop("state", AnchorState.EXACT)),
        color=color,
    )


def _pixel(view, point: QPoint) -> QColor:
    image: QImage = view.viewport().grab().toImage()
    dpr = image.devicePixelRatio()
    return image.pixelColor(round(point.x() * dpr), round(point.y() * dpr))


def _towards(before: QColor, after: QColor, target: QColor) -> bool:
    """`after` is closer to `target` than `before` was (and visibly different)."""

    def dist(a: QColor, b: QColor) -> int:
        return abs(a.red() - b.red()) + abs(a.green() - b.green()) + abs(a.blue() - b.blue())

    return dist(after, target) + 30 < dist(before, target)


def _centre(rect: QRectF) -> QPoint:
    return rect.center().toPoint()


def _right_click(widget, point: QPoint) -> None:
    """Press and release the right button (sent as the window would; no context menu here)."""
    for kind, buttons in (
        (QEvent.Type.MouseButtonPress, Qt.MouseButton.RightButton),
        (QEvent.Type.MouseButtonRelease, Qt.MouseButton.NoButton),
    ):
        pos = QPointF(point)
        event = QMouseEvent(
            kind,
            pos,
            QPointF(widget.mapToGlobal(point)),
            Qt.MouseButton.RightButton,
            buttons,
            Qt.KeyboardModifier.NoModifier,
        )
        QApplication.sendEvent(widget, event)


def _drag(qtbot, widget, start: QPoint, end: QPoint) -> None:
    qtbot.mousePress(widget, Qt.MouseButton.LeftButton, pos=start)
    mid = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(widget, mid)
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, Qt.MouseButton.LeftButton, pos=end)


# -- fixtures ---------------------------------------------------------------------------------


@pytest.fixture
def pdf(qtbot):
    doc = open_paged(PDF)
    view = PdfView(doc)
    qtbot.addWidget(view)
    view.resize(800, 600)
    with qtbot.waitSignal(view.first_page_painted, timeout=10000):
        view.show()

    def settled() -> None:
        for page in view.visible_pages():
            assert view._pixmap(page, view._device_scale(page)) is not None

    qtbot.waitUntil(settled, timeout=10000)
    yield view
    doc.close()


@pytest.fixture
def article(qtbot):
    doc = open_document(ARTICLE)
    view = ArticleView(doc)
    qtbot.addWidget(view)
    view.resize(800, 600)
    view.show()
    qtbot.waitExposed(view)
    return view


def _visible_range_pdf(view: PdfView) -> tuple[int, int]:
    """A phrase on the first page, well inside the first screen."""
    doc = view.backend
    text = doc.page_text(0)
    words = [w for w in text.split() if len(w) > 4]
    for word in words:
        start = doc.text.index(word)
        end = start + len(word)
        page, rects = range_rects(doc, start, end)
        if page == 0 and rects:
            top = view.map_from_page(0, rects[0].x0, rects[0].y0)
            if 50 < top.y() < view.viewport().height() - 80:
                return start, end
    raise AssertionError("no word on the first screen")


def _visible_range_article(view: ArticleView, min_len: int = 20) -> tuple[int, int]:
    text = view.document_backend.text
    for block in view.blocks:
        if len(block.text) >= min_len and block.kind == "p":
            rects = view.annotation_range_rects(block.start, block.start + min_len)
            if len(rects) == 1 and 20 < rects[0].top() < view.viewport().height() - 80:
                return block.start, block.start + min_len
    raise AssertionError(f"no paragraph on the first screen in {text[:80]!r}")


# -- PDF --------------------------------------------------------------------------------------


def test_pdf_overlay_is_drawn_in_the_annotation_colour(qtbot, pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    ann = _pdf_annotation(pdf.backend, "a1", start, end)
    assert pdf.annotation_view_rects("a1") == []  # nothing drawn yet
    pdf.set_annotations([ann])
    page, rect = pdf.annotation_view_rects("a1")[0]
    assert page == 0
    # a point inside the line box but between glyph strokes is hard to pick; sample the
    # whole box and compare the average before and after
    pdf.set_annotations([])
    before = _average(pdf, rect)
    pdf.set_annotations([ann])
    after = _average(pdf, rect)
    assert _towards(before, after, QColor(RED)), (before.name(), after.name())
    # and the text is still there: the darkest pixel in the box stays dark
    assert _darkest(pdf, rect) < 140


def _average(view, rect: QRectF) -> QColor:
    image = view.viewport().grab().toImage()
    dpr = image.devicePixelRatio()
    r = g = b = n = 0
    x0, x1 = round(rect.left() * dpr) + 1, round(rect.right() * dpr) - 1
    y0, y1 = round(rect.top() * dpr) + 1, round(rect.bottom() * dpr) - 1
    for y in range(y0, y1):
        for x in range(x0, x1):
            c = image.pixelColor(x, y)
            r, g, b, n = r + c.red(), g + c.green(), b + c.blue(), n + 1
    assert n
    return QColor(r // n, g // n, b // n)


def _darkest(view, rect: QRectF) -> int:
    image = view.viewport().grab().toImage()
    dpr = image.devicePixelRatio()
    best = 255
    for y in range(round(rect.top() * dpr), round(rect.bottom() * dpr)):
        for x in range(round(rect.left() * dpr), round(rect.right() * dpr)):
            best = min(best, image.pixelColor(x, y).lightness())
    return best


def test_pdf_annotation_at_and_topmost(pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    doc = pdf.backend
    under = _pdf_annotation(doc, "under", start, end, BLUE)
    over = _pdf_annotation(doc, "over", start, end, RED)
    pdf.set_annotations([under, over])
    _page, rect = pdf.annotation_view_rects("over")[0]
    assert pdf.annotation_at(_centre(rect)) == "over"
    pdf.set_annotations([over, under])
    assert pdf.annotation_at(_centre(rect)) == "under"
    # outside every highlight: the page's top-left corner and the gap beside the page
    corner = pdf.page_rect_in_view(0).topLeft().toPoint() + QPoint(2, 2)
    assert pdf.annotation_at(corner) is None
    assert pdf.annotation_at(QPoint(1, 300)) is None
    assert pdf.annotation_at(_centre(rect) + QPoint(0, round(rect.height() * 3))) is None


def test_pdf_click_emits_and_drag_still_selects(qtbot, pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    pdf.set_annotations([_pdf_annotation(pdf.backend, "a1", start, end)])
    _page, rect = pdf.annotation_view_rects("a1")[0]
    vp = pdf.viewport()
    with qtbot.waitSignal(pdf.annotation_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(vp, Qt.MouseButton.LeftButton, pos=_centre(rect))
    assert blocker.args == ["a1"]

    clicked: list[str] = []
    pdf.annotation_clicked.connect(clicked.append)
    begin = QPoint(round(rect.left()) + 2, round(rect.center().y()))
    finish = QPoint(round(rect.right()) + 120, round(rect.center().y()) + 60)
    _drag(qtbot, vp, begin, finish)
    assert clicked == []
    assert pdf.has_selection()
    sel = pdf.selection_range()
    assert sel is not None and sel[0] <= start + 1 and sel[1] > end


def test_pdf_right_click_keeps_the_selection(qtbot, pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    page, rects = range_rects(pdf.backend, start, end)
    base = pdf.backend.page_text_offset(page)
    pdf.select_page_range(page, start - base, end - base)
    before = pdf.selection_range()
    point = pdf.map_from_page(page, (rects[0].x0 + rects[0].x1) / 2, rects[0].y0 + 2)
    _right_click(pdf.viewport(), point)
    assert pdf.selection_range() == before == (start, end)


def test_pdf_orphans_are_not_drawn(pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    orphan = _pdf_annotation(pdf.backend, "lost", start, end, state=AnchorState.ORPHAN)
    pdf.set_annotations([])
    probe = _pdf_annotation(pdf.backend, "probe", start, end)
    pdf.set_annotations([probe])
    _page, rect = pdf.annotation_view_rects("probe")[0]
    pdf.set_annotations([])
    before = _average(pdf, rect)
    pdf.set_annotations([orphan])
    assert pdf.annotation_ids() == []
    assert pdf.annotation_at(_centre(rect)) is None
    assert _average(pdf, rect) == before


def test_pdf_selected_annotation_is_drawn_distinct(pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    pdf.set_annotations([_pdf_annotation(pdf.backend, "a1", start, end)])
    _page, rect = pdf.annotation_view_rects("a1")[0]
    plain = pdf.viewport().grab().toImage()
    value = pdf.verticalScrollBar().value()
    pdf.select_annotation("a1")
    assert pdf.selected_annotation == "a1"
    assert pdf.verticalScrollBar().value() == value  # selecting never scrolls
    selected = pdf.viewport().grab().toImage()
    assert plain != selected
    pdf.select_annotation(None)
    assert pdf.viewport().grab().toImage() == plain


def test_pdf_show_annotation_scrolls_and_flashes(qtbot, pdf: PdfView) -> None:
    doc = pdf.backend
    last = doc.page_count - 1
    text = doc.page_text(last)
    word = max(text.split()[5:40], key=len)
    start = doc.page_text_offset(last) + text.index(word)
    ann = _pdf_annotation(doc, "late", start, start + len(word))
    assert ann.page == last
    pdf.set_annotations([ann])
    assert last not in pdf.visible_pages()
    assert pdf.show_annotation("late")
    assert pdf.flashing_annotation == "late"
    assert last in pdf.visible_pages()
    _page, rect = pdf.annotation_view_rects("late")[0]
    h = pdf.viewport().height()
    assert h * 0.2 < rect.center().y() < h * 0.8
    qtbot.waitUntil(lambda: pdf.flashing_annotation is None, timeout=3000)
    assert not pdf.show_annotation("unknown")


def test_pdf_margin_marker_and_scroll_bar_tick(qtbot, pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    pdf.set_annotations([_pdf_annotation(pdf.backend, "a1", start, end)])
    _page, rect = pdf.annotation_view_rects("a1")[0]
    page_left = pdf.page_rect_in_view(0).left()
    marker = QPoint(round(page_left) + 4, round(rect.center().y()))
    assert _towards(QColor("white"), _pixel(pdf, marker), QColor(RED))

    bar = pdf.verticalScrollBar()
    rows = bar.marker_rows()
    assert len(rows) == 1
    (y, colour), *_ = rows.items()
    assert colour == QColor(RED)
    image = bar.grab().toImage()
    dpr = image.devicePixelRatio()
    seen = image.pixelColor(round(bar.width() / 2 * dpr), round(y * dpr))
    assert seen == QColor(RED)
    # it is drawn once, not on every scroll
    builds = bar.rebuilds
    bar.setValue(bar.value() + 100)
    bar.repaint()
    assert bar.rebuilds == builds


def test_pdf_ten_thousand_annotations(qtbot, pdf: PdfView) -> None:
    doc = pdf.backend
    rng = random.Random(7)
    n = len(doc.text)
    # one real range per page, its rects reused so building 10,000 stays quick
    samples = []
    for page in range(doc.page_count):
        base = doc.page_text_offset(page)
        s = base + 10
        samples.append((s, s + 60, range_rects(doc, s, s + 60)))
    annotations = []
    for i in range(10_000):
        s, e, (page, rects) = samples[i % len(samples)]
        jitter = rng.uniform(0, 300)
        moved = tuple(
            type(r)(r.page, r.x0, r.y0 + jitter, r.x1, min(r.y1 + jitter, 790.0)) for r in rects
        )
        annotations.append(
            Annotation(
                id=f"n{i}",
                document_id=1,
                version_id=1,
                anchor=_anchor(doc.text, min(s, n - 1), min(e, n)),
                color=rng.choice([RED, BLUE, "#5cc46a"]),
                page=page,
                rects=moved,
            )
        )
    pdf.set_annotations(annotations)
    assert len(pdf.annotation_ids()) == 10_000
    pdf.viewport().repaint()
    pdf.verticalScrollBar().repaint()
    pdf.verticalScrollBar().setValue(pdf.verticalScrollBar().maximum())
    pdf.viewport().repaint()
    assert pdf.verticalScrollBar().marker_rows()
    assert pdf.annotation_at(QPoint(1, 1)) is None


# -- PDF: annotations stored without rects, and lazy geometry ---------------------------------


def _bare(annotation: Annotation) -> Annotation:
    """The same annotation as the library stores it after re-anchoring: page, anchor, no rects."""
    return replace(annotation, rects=())


class CountingBackend:
    """A backend that records which pages' character boxes were asked for."""

    def __init__(self, backend) -> None:
        self._backend = backend
        self.chars_pages: list[int] = []

    def page_chars(self, page: int):
        self.chars_pages.append(page)
        return self._backend.page_chars(page)

    def __getattr__(self, name: str):
        return getattr(self._backend, name)


def _pdf_view(qtbot, backend) -> PdfView:
    view = PdfView(backend)
    qtbot.addWidget(view)
    view.resize(800, 600)
    with qtbot.waitSignal(view.first_page_painted, timeout=10000):
        view.show()
    return view


def test_pdf_annotation_without_rects_is_drawn_where_its_rects_would_be(pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    stored = _pdf_annotation(pdf.backend, "a1", start, end)
    bare = _bare(stored)
    assert bare.rects == () and bare.page == 0
    pdf.set_annotations([stored])
    expected = pdf.annotation_view_rects("a1")
    assert expected
    pdf.viewport().repaint()
    with_stored = pdf.viewport().grab().toImage()
    pdf.set_annotations([])
    plain = pdf.viewport().grab().toImage()
    pdf.set_annotations([bare])
    assert pdf.annotation_ids() == ["a1"]
    assert pdf.annotation_view_rects("a1") == expected
    pdf.viewport().repaint()
    assert pdf.viewport().grab().toImage() == with_stored != plain
    assert pdf.annotation_at(_centre(expected[0][1])) == "a1"
    # an empty range and an orphan without rects are not drawn
    empty = replace(bare, id="empty", anchor=_anchor(pdf.backend.text, start, start))
    orphan = replace(bare, id="lost", anchor=replace(bare.anchor, state=AnchorState.ORPHAN))
    pdf.set_annotations([empty, orphan])
    assert pdf.annotation_ids() == []
    assert pdf.annotation_at(_centre(expected[0][1])) is None


def test_pdf_annotation_without_rects_across_a_page_break(qtbot, pdf: PdfView) -> None:
    doc = pdf.backend
    boundary = doc.page_text_offset(1)
    start, end = boundary - 40, boundary + 40
    stored = _pdf_annotation(doc, "across", start, end)
    assert {r.page for r in stored.rects} == {0, 1}
    pdf.set_annotations([stored])
    expected = pdf.annotation_view_rects("across")
    pdf.set_annotations([_bare(stored)])
    assert pdf.annotation_view_rects("across") == expected
    assert {page for page, _rect in expected} == {0, 1}
    # the scroll-bar tick of a bare annotation is near the real one
    rows_bare = pdf.verticalScrollBar().marker_rows()
    pdf.set_annotations([stored])
    rows_stored = pdf.verticalScrollBar().marker_rows()
    assert len(rows_bare) == 1 and min(rows_stored) - 3 <= min(rows_bare) <= min(rows_stored) + 3


def test_pdf_show_annotation_without_rects(qtbot, pdf: PdfView) -> None:
    doc = pdf.backend
    last = doc.page_count - 1
    text = doc.page_text(last)
    word = max(text.split()[5:40], key=len)
    start = doc.page_text_offset(last) + text.index(word)
    stored = _pdf_annotation(doc, "late", start, start + len(word))
    pdf.set_annotations([_bare(stored)])
    assert last not in pdf.visible_pages()
    assert pdf.show_annotation("late")
    assert last in pdf.visible_pages()
    page, rect = pdf.annotation_view_rects("late")[0]
    assert page == last
    h = pdf.viewport().height()
    assert h * 0.2 < rect.center().y() < h * 0.8
    assert pdf.annotation_at(_centre(rect)) == "late"
    pdf.set_annotations([stored])
    assert pdf.annotation_view_rects("late") == [(page, rect)]


def test_pdf_stored_and_computed_rects_mixed_on_one_page(pdf: PdfView) -> None:
    start, end = _visible_range_pdf(pdf)
    doc = pdf.backend
    blue = _pdf_annotation(doc, "blue", start, end, BLUE)
    red = _pdf_annotation(doc, "red", start, end, RED)
    wider = _pdf_annotation(doc, "wider", max(0, start - 30), end + 30, "#5cc46a")
    pdf.set_annotations([blue, red, wider])
    pdf.viewport().repaint()
    all_stored = pdf.viewport().grab().toImage()
    _page, rect = pdf.annotation_view_rects("red")[0]
    for mixed in ([blue, _bare(red), wider], [_bare(blue), red, _bare(wider)]):
        pdf.set_annotations(mixed)
        pdf.viewport().repaint()
        assert pdf.viewport().grab().toImage() == all_stored
        assert pdf.annotation_at(_centre(rect)) == "wider"
    # order decides what is on top, whichever kind of rects each one has
    pdf.set_annotations([_bare(red), blue])
    assert pdf.annotation_at(_centre(rect)) == "blue"
    pdf.set_annotations([blue, _bare(red)])
    assert pdf.annotation_at(_centre(rect)) == "red"


def test_pdf_rects_are_computed_once_per_annotation(qtbot) -> None:
    doc = open_paged(PDF)
    backend = CountingBackend(doc)
    view = _pdf_view(qtbot, backend)
    start, end = _visible_range_pdf(view)
    bare = _bare(_pdf_annotation(doc, "a1", start, end))
    backend.chars_pages.clear()
    view.set_annotations([bare])
    assert backend.chars_pages == []  # nothing computed until the page is painted
    view.viewport().repaint()
    assert backend.chars_pages == [0]
    view.annotation_view_rects("a1")
    view.set_annotations([bare])  # e.g. after an edit elsewhere: same anchor, same rects
    view.viewport().repaint()
    view.set_zoom(1.5)
    view.viewport().repaint()
    assert backend.chars_pages == [0]
    doc.close()


def _many_pages_pdf(path: Path, pages: int) -> Path:
    out = pymupdf.open()
    for p in range(pages):
        page = out.new_page(width=595, height=842)
        for line in range(45):
            page.insert_text(
                (72, 72 + line * 16), f"Page {p} line {line}: the claim and its evidence"
            )
    out.save(path)
    out.close()
    return path


def test_pdf_ten_thousand_annotations_without_rects_stay_lazy(qtbot, tmp_path: Path) -> None:
    doc = open_paged(_many_pages_pdf(tmp_path / "many.pdf", 40))
    backend = CountingBackend(doc)
    view = _pdf_view(qtbot, backend)
    rng = random.Random(11)
    n = len(doc.text)
    annotations = []
    for i in range(10_000):
        s = rng.randrange(0, n - 200)
        e = s + rng.randrange(5, 120)
        annotations.append(
            Annotation(
                id=f"n{i}",
                document_id=1,
                version_id=1,
                anchor=_anchor(doc.text, s, e, AnchorState.FUZZY if i % 3 else AnchorState.EXACT),
                color=rng.choice([RED, BLUE, "#5cc46a"]),
                page=doc.page_at_offset(s),
            )
        )
    backend.chars_pages.clear()
    view.set_annotations(annotations)
    assert len(view.annotation_ids()) == 10_000
    assert backend.chars_pages == []
    assert not view._annotation_layer.cached_pages()  # no geometry at all yet
    assert view.verticalScrollBar().marker_rows()  # ticks come from the text positions
    assert backend.chars_pages == []

    painted: set[int] = set()
    for value in (0, view.verticalScrollBar().maximum() // 2, view.verticalScrollBar().maximum()):
        view.verticalScrollBar().setValue(value)
        painted |= set(view.visible_pages())
        view.viewport().repaint()
        view.verticalScrollBar().repaint()
        assert view._annotation_layer.cached_pages() <= painted
    assert set(backend.chars_pages) <= painted
    assert len(painted) < doc.page_count // 2
    # what is drawn matches rects computed for the whole annotation at once
    page = view.visible_pages()[0]
    shown = [a for a in annotations if a.page == page][:20]
    for a in shown:
        _first, rects = range_rects(doc, a.anchor.start, a.anchor.end)
        origin = view.page_rect_in_view(page)
        ppx = view.zoom * 96 / 72
        expected = [
            (
                r.page,
                QRectF(
                    origin.x() + r.x0 * ppx,
                    origin.y() + r.y0 * ppx,
                    (r.x1 - r.x0) * ppx,
                    (r.y1 - r.y0) * ppx,
                ),
            )
            for r in sorted(rects, key=lambda r: r.page)
        ]
        assert view.annotation_view_rects(a.id) == expected
    doc.close()


# -- article ----------------------------------------------------------------------------------


def test_article_overlay_is_drawn_in_the_annotation_colour(article: ArticleView) -> None:
    start, end = _visible_range_article(article)
    ann = _article_annotation(article.document_backend, "a1", start, end)
    rect = article.annotation_range_rects(start, end)[0]
    before = _average(article, rect)
    article.set_annotations([ann])
    assert article.annotation_view_rects("a1")[0] == rect
    after = _average(article, rect)
    assert _towards(before, after, QColor(RED)), (before.name(), after.name())


def test_article_annotation_at_and_click(qtbot, article: ArticleView) -> None:
    start, end = _visible_range_article(article)
    doc = article.document_backend
    article.set_annotations(
        [
            _article_annotation(doc, "under", start, end, BLUE),
            _article_annotation(doc, "a1", start, end),
        ]
    )
    rect = article.annotation_view_rects("a1")[0]
    inside = _centre(rect)
    assert article.annotation_at(inside) == "a1"
    assert article.annotation_at(QPoint(round(rect.right()) + 40, inside.y())) is None
    assert article.annotation_at(QPoint(inside.x(), round(rect.bottom()) + 30)) is None
    assert article.annotation_at(QPoint(2, 2)) is None
    with qtbot.waitSignal(article.annotation_clicked, timeout=2000) as blocker:
        qtbot.mouseClick(article.viewport(), Qt.MouseButton.LeftButton, pos=inside)
    assert blocker.args == ["a1"]


def test_article_drag_on_highlight_selects_and_right_click_keeps_it(
    qtbot, article: ArticleView
) -> None:
    start, end = _visible_range_article(article)
    article.set_annotations([_article_annotation(article.document_backend, "a1", start, end)])
    rect = article.annotation_view_rects("a1")[0]
    clicked: list[str] = []
    article.annotation_clicked.connect(clicked.append)
    changed: list[bool] = []
    article.selection_changed.connect(lambda: changed.append(True))
    begin = QPoint(round(rect.left()) + 1, round(rect.center().y()))
    finish = QPoint(round(rect.right()) + 60, round(rect.center().y()) + 40)
    _drag(qtbot, article.viewport(), begin, finish)
    assert clicked == []
    assert changed
    sel = article.selection_range()
    assert sel is not None and sel[0] <= start + 1 and sel[1] > end

    _right_click(article.viewport(), _centre(rect))
    assert article.selection_range() == sel
    article.clear_selection()
    assert article.selection_range() is None


def test_article_orphans_are_not_drawn(article: ArticleView) -> None:
    start, end = _visible_range_article(article)
    doc = article.document_backend
    rect = article.annotation_range_rects(start, end)[0]
    before = article.viewport().grab().toImage()
    article.set_annotations(
        [_article_annotation(doc, "lost", start, end, state=AnchorState.ORPHAN)]
    )
    assert article.annotation_ids() == []
    assert article.annotation_at(_centre(rect)) is None
    assert article.extraSelections() == []
    assert article.viewport().grab().toImage() == before


def test_article_find_and_annotations_coexist(article: ArticleView) -> None:
    start, end = _visible_range_article(article)
    doc = article.document_backend
    article.set_annotations([_article_annotation(doc, "a1", start, end)])
    word = next(w for w in doc.text[start:end].split() if len(w) > 3)
    assert article.find(word) > 0
    selections = article.extraSelections()
    assert len(selections) == 1 + article.match_count
    assert selections[0].format.background().color().rgb() == QColor(RED).rgb()  # annotation
    article.clear_find()
    assert len(article.extraSelections()) == 1
    article.find(word)
    article.set_annotations([])
    assert len(article.extraSelections()) == article.match_count
    # and both survive a zoom, which rebuilds the document
    article.set_annotations([_article_annotation(doc, "a1", start, end)])
    article.zoom_in()
    assert len(article.extraSelections()) == 1 + article.match_count
    assert article.annotation_view_rects("a1")


def test_article_select_show_and_ticks(qtbot, article: ArticleView) -> None:
    doc = article.document_backend
    long_blocks = [b for b in article.blocks if len(b.text) > 40]
    late_block = long_blocks[len(long_blocks) * 2 // 3]
    late = _article_annotation(doc, "late", late_block.start, late_block.start + 30, BLUE)
    start, end = _visible_range_article(article)
    early = _article_annotation(doc, "early", start, end)
    article.set_annotations([early, late])
    h = article.viewport().height()
    assert not any(0 <= r.center().y() <= h for r in article.annotation_view_rects("late"))

    plain = article.viewport().grab().toImage()
    article.select_annotation("early")
    assert article.viewport().grab().toImage() != plain
    assert article.verticalScrollBar().value() == 0

    assert article.show_annotation("late")
    assert article.flashing_annotation == "late"
    rect = article.annotation_view_rects("late")[0]
    assert h * 0.2 < rect.center().y() < h * 0.8
    qtbot.waitUntil(lambda: article.flashing_annotation is None, timeout=3000)

    rows = article.verticalScrollBar().marker_rows()
    assert sorted(c.name() for c in rows.values()) == sorted([BLUE, RED])
    (y_red,) = [y for y, c in rows.items() if c == QColor(RED)]
    (y_blue,) = [y for y, c in rows.items() if c == QColor(BLUE)]
    assert y_red < y_blue
