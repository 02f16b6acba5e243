"""PdfView on its own, offscreen, driven like a user would: paint, scroll, zoom, click, select."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QPoint, QRect, Qt
from PySide6.QtGui import QColor, QGuiApplication, QImage, QPainter, QPalette
from PySide6.QtWidgets import QApplication

from reader.documents.pdf import open_paged
from reader.ui.outline_panel import OutlinePanel
from reader.ui.pdf_view import NO_TEXT_LAYER_MESSAGE, PdfView

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"


@pytest.fixture
def open_view(qtbot):
    docs = []

    def make(name: str, size: tuple[int, int] = (800, 600), **kwargs) -> PdfView:
        doc = open_paged(PDF_DIR / name)
        docs.append(doc)
        view = PdfView(doc, **kwargs)
        qtbot.addWidget(view)
        view.resize(*size)
        with qtbot.waitSignal(view.first_page_painted, timeout=10000):
            view.show()
        return view

    yield make
    for doc in docs:
        doc.close()


def _settle(qtbot, view: PdfView) -> None:
    """Wait until every visible page has its pixmap at the current zoom."""

    def done() -> None:
        for page in view.visible_pages():
            assert view._pixmap(page, view._device_scale(page)) is not None

    qtbot.waitUntil(done, timeout=10000)


def _drag(qtbot, view: PdfView, start: QPoint, end: QPoint) -> None:
    """Alt+drag: letter by letter, so the characters under the pointer are checked exactly
    (a plain drag takes whole words: tests/test_exact_words_gui.py)."""
    vp = view.viewport()
    alt = Qt.KeyboardModifier.AltModifier
    qtbot.mousePress(vp, Qt.MouseButton.LeftButton, alt, start)
    mid = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(vp, mid)
    qtbot.mouseMove(vp, end)
    qtbot.mouseRelease(vp, Qt.MouseButton.LeftButton, alt, end)


def _char_center(view: PdfView, page: int, index: int) -> QPoint:
    r = view.backend.page_chars(page)[index].rect
    return view.map_from_page(page, (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)


def test_first_page_paints_and_status(open_view) -> None:
    view = open_view("GeoTopo-komprimiert.pdf")
    assert view.has_painted
    assert view.page_count == 117
    assert view.current_page == 0
    assert view.status_text() == "Page 1 of 117 · 100%"
    assert view.visible_pages()[0] == 0
    assert view.outline()[0].title == "1 Topologische Grundbegriffe"


def test_scrolling_to_the_end_renders_later_pages_and_cache_stays_bounded(qtbot, open_view) -> None:
    limit = 12 * 1024 * 1024
    view = open_view("GeoTopo-komprimiert.pdf", cache_limit_bytes=limit)
    bar = view.verticalScrollBar()
    statuses: list[str] = []
    view.status_changed.connect(statuses.append)
    for value in range(0, bar.maximum() + 1, max(1, bar.maximum() // 25)):
        bar.setValue(value)
        _settle(qtbot, view)
        # a page is about 1 MB at 100 %: the cap holds with a small slack for visible pages
        assert view.cache_bytes <= limit + 4 * 1024 * 1024
    bar.setValue(bar.maximum())
    _settle(qtbot, view)
    assert view.current_page == 116
    assert 116 in view.visible_pages()
    assert statuses[-1] == "Page 117 of 117 · 100%"
    assert view.rendered_pages > 30


def test_zoom_changes_sizes(qtbot, open_view) -> None:
    view = open_view("minimal-document.pdf")
    width = view.page_rect_in_view(0).width()
    statuses: list[str] = []
    view.status_changed.connect(statuses.append)
    view.zoom_in()
    assert view.zoom == pytest.approx(1.1)
    assert view.page_rect_in_view(0).width() == pytest.approx(width * 1.1)
    assert statuses[-1] == "Page 1 of 1 · 110%"
    view.zoom_out()
    view.zoom_out()
    assert view.zoom == pytest.approx(0.9)
    view.zoom_reset()
    assert view.zoom == 1.0
    assert view.page_rect_in_view(0).width() == pytest.approx(width)
    view.fit_width()
    r = view.page_rect_in_view(0)
    assert abs(r.width() - (view.viewport().width() - 24)) <= 2
    view.fit_page()
    r = view.page_rect_in_view(0)
    assert r.height() <= view.viewport().height()
    assert r.width() <= view.viewport().width()
    _settle(qtbot, view)


def test_ctrl_wheel_zooms(qtbot, open_view) -> None:
    from PySide6.QtCore import QPointF
    from PySide6.QtGui import QWheelEvent

    view = open_view("minimal-document.pdf")
    pos = QPointF(200, 200)
    event = QWheelEvent(
        pos,
        view.viewport().mapToGlobal(pos),
        QPoint(0, 0),
        QPoint(0, 120),
        Qt.MouseButton.NoButton,
        Qt.KeyboardModifier.ControlModifier,
        Qt.ScrollPhase.NoScrollPhase,
        False,
    )
    QGuiApplication.sendEvent(view.viewport(), event)
    assert view.zoom > 1.0


def test_go_to_page(qtbot, open_view) -> None:
    view = open_view("GeoTopo-komprimiert.pdf")
    with qtbot.waitSignal(view.status_changed) as blocker:
        view.go_to_page(41)
    assert blocker.args == ["Page 42 of 117 · 100%"]
    assert view.current_page == 41
    assert 41 in view.visible_pages()
    assert view.page_rect_in_view(41).top() == pytest.approx(12, abs=1)
    _settle(qtbot, view)
    view.go_to_page(10, 400.0)
    assert view.current_page == 10
    y = view.map_from_page(10, 0, 400.0).y()
    assert 0 <= y <= 12


def test_internal_link_click_jumps(qtbot, open_view) -> None:
    view = open_view("pdflatex-outline.pdf")
    link = view.backend.page_links(0)[1]  # "2 Bar" in the table of contents
    assert link.page == 1
    r = link.rect
    pos = view.map_from_page(0, (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)
    qtbot.mouseMove(view.viewport(), pos)
    assert view.viewport().cursor().shape() == Qt.CursorShape.PointingHandCursor
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.current_page == 1
    # the link target (heading "2 Bar") is at the top of the view
    target_y = view.map_from_page(1, 0, link.y).y()
    assert 0 <= target_y <= 12


def test_internal_link_on_geotopo(qtbot, open_view) -> None:
    view = open_view("GeoTopo-komprimiert.pdf")
    view.go_to_page(3)
    links = [ln for ln in view.backend.page_links(3) if ln.page >= 0 and ln.page != 3]
    assert links
    link = links[0]
    r = link.rect
    pos = view.map_from_page(3, (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert view.current_page == link.page


def test_external_link_emits_url(qtbot, open_view) -> None:
    view = open_view("libre-office-link.pdf")
    link = view.backend.page_links(0)[0]
    r = link.rect
    pos = view.map_from_page(0, (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)
    with qtbot.waitSignal(view.link_activated) as blocker:
        qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)
    assert blocker.args == ["https://martin-thoma.com/"]


def test_drag_selects_a_line_and_copies(qtbot, open_view) -> None:
    view = open_view("minimal-document.pdf")
    backend = view.backend
    text = backend.page_text(0)
    line_end = text.index("\n")
    start, end = _char_center(view, 0, 0), _char_center(view, 0, line_end - 1)
    assert view.viewport().rect().contains(end)
    _drag(qtbot, view, start, end)
    selected = view.selected_text()
    assert selected == text[:line_end]
    s, e = view.selection_range()
    assert backend.text[s:e] == selected
    assert view.copy_selection()
    assert QGuiApplication.clipboard().text() == selected
    QGuiApplication.clipboard().clear()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_C, Qt.KeyboardModifier.ControlModifier)
    assert QGuiApplication.clipboard().text() == selected


def test_selection_spanning_two_lines(qtbot, open_view) -> None:
    view = open_view("minimal-document.pdf")
    text = view.backend.page_text(0)
    first_break = text.index("\n")
    second_break = text.index("\n", first_break + 1)
    a, b = 6, second_break - 3
    _drag(qtbot, view, _char_center(view, 0, a), _char_center(view, 0, b))
    assert view.selected_text() == text[a : b + 1]
    assert "\n" in view.selected_text()
    s, e = view.selection_range()
    assert view.backend.text[s:e] == view.selected_text()


def test_selection_spanning_a_page_break(qtbot, open_view) -> None:
    view = open_view("pdflatex-4-pages.pdf", size=(700, 900))
    backend = view.backend
    view.fit_width()
    view.zoom_out()
    view.zoom_out()
    view.zoom_out()
    view.zoom_out()
    view.go_to_page(0, backend.page_size(0)[1] * 0.7)
    t0, t1 = backend.page_text(0), backend.page_text(1)
    a = len(t0) - 20
    b = 15
    start, end = _char_center(view, 0, a), _char_center(view, 1, b)
    assert view.viewport().rect().contains(start) and view.viewport().rect().contains(end)
    _drag(qtbot, view, start, end)
    assert view.selected_text() == t0[a:] + "\n\n" + t1[: b + 1]
    s, e = view.selection_range()
    assert backend.text[s:e] == view.selected_text()
    assert s == backend.page_text_offset(0) + a
    assert [p for p, _s, _e in view.selection_pages()] == [0, 1]


def test_double_click_selects_a_word(qtbot, open_view) -> None:
    view = open_view("minimal-document.pdf")
    text = view.backend.page_text(0)
    assert text.startswith("Lorem ipsum")
    qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_char_center(view, 0, 8))
    assert view.selected_text() == "ipsum"


def test_plain_click_clears_selection(qtbot, open_view) -> None:
    view = open_view("minimal-document.pdf")
    view.select_page_range(0, 0, 5)
    assert view.selected_text() == "Lorem"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=_char_center(view, 0, 20))
    assert view.selection_range() is None
    assert view.selected_text() == ""


def test_find_count_next_previous(qtbot, open_view) -> None:
    view = open_view("pdflatex-4-pages.pdf")
    text = view.backend.text
    expected = text.lower().count("information")
    assert expected > 2
    assert view.find("Information") == expected
    assert view.match_count == expected
    assert view.current_match == 1
    assert view.find_next() == 2
    assert view.find_previous() == 1
    assert view.find_previous() == expected  # wraps
    assert view.find_next() == 1
    # the current match's page is shown
    page = view.match_rects(view.current_match - 1)[0][0]
    assert view.current_page == page
    _settle(qtbot, view)
    assert view.find("no such words here") == 0
    assert view.find_next() == 0 and view.find_previous() == 0
    view.find("Information")
    view.clear_find()
    assert view.match_count == 0 and view.find_next() == 0


def test_find_goes_to_a_later_page(qtbot, open_view) -> None:
    view = open_view("GeoTopo-komprimiert.pdf")
    count = view.find("Metrische Räume")
    assert count >= 1
    page = view.match_rects(0)[0][0]
    assert page > 0
    assert view.current_page == page
    rects = view.match_rects(0)[0][1]
    y = view.map_from_page(page, rects[0].x0, rects[0].y0).y()
    assert 0 <= y <= view.viewport().height()


def test_textless_page_says_it_cannot_select(qtbot, open_view) -> None:
    view = open_view("imagemagick-images.pdf")
    center = view.page_rect_in_view(0).center().toPoint()
    with qtbot.waitSignal(view.message) as blocker:
        qtbot.mousePress(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert blocker.args == [NO_TEXT_LAYER_MESSAGE]
    qtbot.mouseMove(view.viewport(), center + QPoint(50, 50))
    qtbot.mouseRelease(view.viewport(), Qt.MouseButton.LeftButton, pos=center + QPoint(50, 50))
    assert view.selection_range() is None
    assert view.selected_text() == ""


def test_rotated_pages_lay_out_by_their_rotated_size(qtbot, open_view) -> None:
    view = open_view("habibi-rotated.pdf")
    first, last = view.page_rect_in_view(0), view.page_rect_in_view(3)
    assert first.width() > first.height()  # /Rotate 90
    assert last.height() > last.width()  # /Rotate 0
    view.go_to_page(2)
    _settle(qtbot, view)
    # the selection overlay of the rotated page lands on the word it selects
    text = view.backend.page_text(2)
    i = text.index("habibi")
    view.select_page_range(2, i, i + 6)
    assert view.selected_text() == "habibi"


def test_outline_panel_emits_targets(qtbot) -> None:
    with open_paged(PDF_DIR / "GeoTopo-komprimiert.pdf") as doc:
        items = doc.outline()
    panel = OutlinePanel(items)
    qtbot.addWidget(panel)
    assert panel.topLevelItemCount() == sum(1 for i in items if i.level == 1)
    first = panel.topLevelItem(0)
    assert first.childCount() == 0  # children are made when the entry is opened
    first.setExpanded(True)
    assert first.childCount() > 0
    with qtbot.waitSignal(panel.activated) as blocker:
        panel.itemActivated.emit(first.child(0), 0)
    assert blocker.args == [items[1].page, pytest.approx(items[1].y)]


# -- what the page looks like on screen --------------------------------------------------------


def _rendered(view: PdfView, page: int) -> QImage:
    """The page as the backend renders it at the view's device scale."""
    w, h, stride, samples = view.backend.render(page, view._device_scale(page))
    image = QImage(bytes(samples), w, h, stride, QImage.Format.Format_RGB888)
    return image.convertToFormat(QImage.Format.Format_RGB32)


def _shown_as_rendered(view: PdfView, page: int) -> bool:
    """Every visible pixel of the page on screen is the pixel MuPDF rendered (one image pixel
    to one device pixel: nothing rescaled, no row or column lost). The image's last row and
    column are left out: MuPDF rounds the page's bounds outward, so they are partly beyond the
    page, where the frame may be drawn."""
    shot = view.viewport().grab().toImage().convertToFormat(QImage.Format.Format_RGB32)
    dpr = shot.devicePixelRatio()
    page_image = _rendered(view, page)
    r = view.page_rect_in_view(page)
    x0, y0 = round(r.x() * dpr), round(r.y() * dpr)
    area = QRect(x0, y0, page_image.width() - 1, page_image.height() - 1)
    area = area.intersected(shot.rect())
    assert area.width() > 100 and area.height() > 100
    on_screen = shot.copy(area)
    expected = page_image.copy(area.translated(-x0, -y0))
    on_screen.setDevicePixelRatio(1.0)
    expected.setDevicePixelRatio(1.0)
    return on_screen == expected


@pytest.mark.parametrize(
    ("name", "page", "zoom"),
    [
        ("GeoTopo-komprimiert.pdf", 3, 1.0),
        ("GeoTopo-komprimiert.pdf", 3, 0.5),  # the whole page in view
        ("habibi-rotated.pdf", 0, 1.0),  # /Rotate 90
    ],
)
def test_the_page_is_shown_pixel_for_pixel_as_rendered(qtbot, open_view, name, page, zoom) -> None:
    view = open_view(name, size=(900, 700))
    view.set_zoom(zoom)
    view.go_to_page(page)
    _settle(qtbot, view)
    assert _shown_as_rendered(view, page)


def test_frame_and_background_colours(qtbot, open_view) -> None:
    view = open_view("GeoTopo-komprimiert.pdf", size=(900, 700))
    view.go_to_page(3)
    _settle(qtbot, view)
    shot = view.viewport().grab().toImage()
    r = view.page_rect_in_view(3)
    x0 = round(r.x())
    y = 300
    mid = view.palette().color(QPalette.ColorRole.Mid).rgb()
    # the frame: one pixel of translucent black over the background, left of the page
    over = QImage(1, 1, QImage.Format.Format_RGB32)
    over.fill(mid)
    painter = QPainter(over)
    painter.fillRect(QRect(0, 0, 1, 1), QColor(0, 0, 0, 60))
    painter.end()
    assert shot.pixel(x0 - 1, y) == over.pixel(0, 0) != mid
    assert shot.pixel(x0 - 2, y) == mid
    assert shot.pixel(2, y) == mid
    assert shot.pixel(x0 + 5, y) == QColor(Qt.GlobalColor.white).rgb()  # the page's margin


def test_a_page_mupdf_cannot_render_shows_blank(qtbot, open_view, monkeypatch) -> None:
    view = open_view("GeoTopo-komprimiert.pdf", size=(900, 700))
    render = view.backend.render

    def fails_on_page_5(page: int, scale: float):
        if page == 5:
            raise RuntimeError("MuPDF cannot draw this page")
        return render(page, scale)

    monkeypatch.setattr(view.backend, "render", fails_on_page_5)
    view.go_to_page(5)
    _settle(qtbot, view)
    shot = view.viewport().grab().toImage()
    r = view.page_rect_in_view(5)
    inside = r.adjusted(2, 2, -2, -2).toRect().intersected(shot.rect())
    colours = {
        shot.pixel(x, y)
        for y in range(inside.top(), inside.bottom(), 7)
        for x in range(inside.left(), inside.right(), 7)
    }
    assert colours == {QColor(Qt.GlobalColor.white).rgb()}
    assert shot.pixel(round(r.x()) - 2, 300) == view.palette().color(QPalette.ColorRole.Mid).rgb()
    # the pages that do render still show
    view.go_to_page(6)
    _settle(qtbot, view)
    assert _shown_as_rendered(view, 6)


HIDPI_SCRIPT = """
import sys, time
from PySide6.QtCore import QEventLoop
from PySide6.QtWidgets import QApplication
app = QApplication([])
sys.path.insert(0, {tests!r})
from test_pdf_view import _shown_as_rendered
from reader.documents.pdf import open_paged
from reader.ui.pdf_view import PdfView, POINTS_TO_PIXELS
view = PdfView(open_paged({pdf!r}))
view.resize(700, 500)
view.show()
view.go_to_page(3)
def ready():
    return view.has_painted and (3, view._device_scale(3)) in view._cache
deadline = time.monotonic() + 30
while not ready() and time.monotonic() < deadline:
    app.processEvents(QEventLoop.ProcessEventsFlag.WaitForMoreEvents, 100)
dpr = view.viewport().devicePixelRatioF()
assert dpr == {dpr}, dpr
assert view._device_scale(3) == round(POINTS_TO_PIXELS * dpr, 4)
assert _shown_as_rendered(view, 3)
print("ok")
"""


@pytest.mark.parametrize("dpr", [1.5, 2.0])
def test_hidpi_pages_are_rendered_at_device_pixels_and_shown_unscaled(dpr: float) -> None:
    import os
    import subprocess
    import sys

    root = Path(__file__).resolve().parents[1]
    code = HIDPI_SCRIPT.format(
        tests=str(root / "tests"), pdf=str(PDF_DIR / "GeoTopo-komprimiert.pdf"), dpr=dpr
    )
    env = dict(os.environ)
    env.update(QT_QPA_PLATFORM="offscreen", QT_ENABLE_HIGHDPI_SCALING="1", QT_SCALE_FACTOR=str(dpr))
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == "ok"


@pytest.mark.parametrize("style", ["Fusion", "Windows"])
def test_after_scrolling_the_window_looks_as_painted_afresh(qtbot, open_view, style) -> None:
    """The scroll bar repaints only where its slider was and went; what is on screen after
    paging and scrolling must still be what a full paint of the window gives."""
    app = QApplication.instance()
    previous = app.style().name()
    app.setStyle(style)
    try:
        view = open_view("GeoTopo-komprimiert.pdf", size=(900, 700))
        view._marker_bar.set_marker_source(lambda: [(0.25, QColor("red")), (0.7, QColor("blue"))])
        bar = view.verticalScrollBar()
        for page in (116, 50, 0, 1, 2, 60, 61, 3, 4, 5, 7, 6, 20, 19):
            view.go_to_page(page)
            _settle(qtbot, view)
            QApplication.processEvents()  # each step painted on its own
        for value in (bar.maximum(), bar.maximum() - 900, bar.value() + 5, bar.value() - 3):
            bar.setValue(value)
            _settle(qtbot, view)
            QApplication.processEvents()
        QApplication.processEvents()
        on_screen = view.screen().grabWindow(view.winId()).toImage()
        fresh = view.grab().toImage()
        fmt = QImage.Format.Format_RGB32
        assert on_screen.convertToFormat(fmt) == fresh.convertToFormat(fmt)
    finally:
        app.setStyle(previous)


def test_a_closed_view_and_its_page_cache_go_at_once(qtbot) -> None:
    import gc
    import weakref

    from PySide6.QtCore import QCoreApplication, QEvent

    doc = open_paged(PDF_DIR / "GeoTopo-komprimiert.pdf")
    view = PdfView(doc)
    view.resize(800, 600)
    with qtbot.waitSignal(view.first_page_painted, timeout=10000):
        view.show()
    assert view.cache_bytes > 0
    gone = weakref.ref(view)
    gc.disable()  # freed by reference counting, not whenever the cycle collector runs
    try:
        view.close()
        view.deleteLater()
        del view
        QCoreApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete.value)
        assert gone() is None
    finally:
        gc.enable()
        doc.close()
