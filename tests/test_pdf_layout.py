"""The paged view's geometry as plain arithmetic: no window, no QApplication."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from reader.ui.pdf_layout import (
    GAP,
    MARGIN,
    MAX_RENDER_PIXELS,
    MAX_ZOOM,
    MIN_ZOOM,
    POINTS_TO_PIXELS,
    PageLayout,
    clamp_zoom,
    zoom_step_in,
    zoom_step_out,
)

LETTER = (612.0, 792.0)
A4_LANDSCAPE = (842.0, 595.0)


def test_the_layout_and_the_find_rule_import_no_qt() -> None:
    code = (
        "import sys, reader.ui.pdf_layout, reader.ui.text_find, reader.ui.pdf_find, "
        "reader.ui.pdf_selection; assert 'PySide6' not in sys.modules, sorted(sys.modules)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=Path(__file__).parents[1])


def test_pages_stack_with_a_gap_between_and_a_margin_around() -> None:
    layout = PageLayout([LETTER, A4_LANDSCAPE, LETTER])
    h0 = 792 * POINTS_TO_PIXELS
    h1 = 595 * POINTS_TO_PIXELS
    assert layout.tops == pytest.approx([MARGIN, MARGIN + h0 + GAP, MARGIN + h0 + GAP + h1 + GAP])
    assert layout.content_h == pytest.approx(layout.tops[2] + h0 + MARGIN)
    assert layout.content_w == pytest.approx(842 * POINTS_TO_PIXELS + 2 * MARGIN)
    layout.set_zoom(2.0)
    assert layout.page_h(0) == pytest.approx(2 * h0)
    assert layout.tops[1] == pytest.approx(MARGIN + 2 * h0 + GAP)


def test_pages_are_centred_in_a_wide_view_and_keep_the_margin_in_a_narrow_one() -> None:
    layout = PageLayout([LETTER])
    width = 612 * POINTS_TO_PIXELS
    assert layout.page_left(0, 2000) == pytest.approx((2000 - width) / 2)
    assert layout.page_left(0, 300) == MARGIN


def test_a_point_maps_to_its_page_or_to_no_page_in_a_gap() -> None:
    layout = PageLayout([LETTER, LETTER])
    ppx = layout.ppx
    left = layout.page_left(0, 1000)
    page, x, y = layout.point_at(left + 72 * ppx, MARGIN + 144 * ppx, 1000, 0, 0)
    assert (page, x, y) == (0, pytest.approx(72), pytest.approx(144))
    gap_y = layout.tops[1] - GAP / 2
    assert layout.point_at(left + 10, gap_y, 1000, 0, 0)[0] == -1
    assert layout.point_at(left + 10, gap_y, 1000, 0, 0, nearest=True)[0] in (0, 1)
    # scrolled down by one page: the same viewport point is on the second page
    scroll = layout.tops[1] - layout.tops[0]
    assert layout.point_at(left + 10, MARGIN + 10, 1000, 0, scroll)[0] == 1


def test_visible_pages_and_the_one_most_visible() -> None:
    layout = PageLayout([LETTER] * 10)
    step = layout.tops[1] - layout.tops[0]
    top = layout.tops[3] + step * 0.75  # the last quarter of page 3, most of page 4
    assert layout.visible_pages(top, top + step) == [3, 4]
    assert layout.most_visible(top, top + step, default=0) == 4
    assert layout.visible_pages(0, layout.content_h) == list(range(10))
    assert PageLayout([]).visible_pages(0, 1000) == []


def test_a_place_at_the_top_comes_back_from_its_scroll_value() -> None:
    layout = PageLayout([LETTER] * 5, zoom=1.5)
    scroll = layout.scroll_for(3, 396.0)  # half way down page 3
    page, fraction = layout.place_at(scroll)
    assert page == 3
    assert fraction == pytest.approx(0.5, abs=0.01)
    assert layout.place_at(layout.scroll_for(0, 0.0)) == (0, 0.0)


def test_fit_width_and_fit_page() -> None:
    layout = PageLayout([LETTER])
    width = layout.fit_zoom("width", 0, 1000, 400)
    assert 612 * POINTS_TO_PIXELS * width == pytest.approx(1000 - 2 * MARGIN)
    page = layout.fit_zoom("page", 0, 1000, 400)
    assert page < width
    assert 792 * POINTS_TO_PIXELS * page == pytest.approx(400 - 2 * GAP)


def test_zoom_steps_and_limits() -> None:
    assert zoom_step_in(1.0) == 1.1
    assert zoom_step_out(1.0) == 0.9
    assert zoom_step_in(1.05) == 1.1  # from between two steps, to the next one
    assert zoom_step_in(MAX_ZOOM) == MAX_ZOOM
    assert zoom_step_out(MIN_ZOOM) == MIN_ZOOM
    assert clamp_zoom(100) == MAX_ZOOM
    assert clamp_zoom(0) == MIN_ZOOM


def test_device_scale_follows_the_screen_and_caps_huge_pages() -> None:
    layout = PageLayout([LETTER, (14400.0, 14400.0)])
    assert layout.device_scale(0, 2.0) == round(2 * POINTS_TO_PIXELS, 4)
    scale = layout.device_scale(1, 1.0)
    assert scale < POINTS_TO_PIXELS
    assert (14400 * scale) ** 2 == pytest.approx(MAX_RENDER_PIXELS, rel=0.001)
