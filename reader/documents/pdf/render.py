"""Drawing a page into pixels.

Rendering goes one level below pymupdf's Page.get_pixmap, to MuPDF's own calls (the SWIG
bindings pymupdf is built on), to skip a display list and a copy of every page's pixels.
"""

from __future__ import annotations

import ctypes

import pymupdf

_mupdf = pymupdf.mupdf
_NO_SEPS = _mupdf.FzSeparations()


def render_page(pg: pymupdf.Page, scale: float) -> tuple[int, int, int, memoryview]:
    """(width, height, stride, RGB888 samples) of the page at `scale` pixels per point (call
    under the MuPDF lock).

    The samples are MuPDF's own pixmap memory, not a copy: a read-only byte buffer that
    keeps the pixmap alive for as long as it (or a view of it) is referenced. Dropping
    it frees the pixmap outside the lock, as any pymupdf object is freed; that is safe
    because MuPDF only runs while its caller holds the GIL.

    The same pixels as ``page.get_pixmap(matrix=Matrix(scale, scale))`` (RGB, no alpha,
    white background, annotations included), but the page is run straight into the draw
    device instead of being recorded into a display list and played back: one pass less.
    """
    fz_page = pg.this
    ctm = _mupdf.FzMatrix(scale, 0.0, 0.0, scale, 0.0, 0.0)
    bbox = _mupdf.fz_round_rect(_mupdf.fz_transform_rect(_mupdf.fz_bound_page(fz_page), ctm))
    pix = _mupdf.fz_new_pixmap_with_bbox(_mupdf.fz_device_rgb(), bbox, _NO_SEPS, 0)
    _mupdf.fz_clear_pixmap_with_value(pix, 0xFF)
    dev = _mupdf.fz_new_draw_device(ctm, pix)
    _mupdf.fz_run_page(fz_page, dev, _mupdf.FzMatrix(), _mupdf.FzCookie())
    _mupdf.fz_close_device(dev)
    del dev, fz_page
    width = _mupdf.fz_pixmap_width(pix)
    height = _mupdf.fz_pixmap_height(pix)
    stride = _mupdf.fz_pixmap_stride(pix)
    return width, height, stride, _pixmap_samples(pix, stride * height)


def _pixmap_samples(pix: object, size: int) -> memoryview:
    """A read-only byte view of a MuPDF pixmap's samples that owns the pixmap (no copy).

    MuPDF's memoryview of the samples does not keep the pixmap alive; this ctypes array over
    the same memory holds a reference to it, and every memoryview of the array holds the
    array, so the pixels stay valid exactly as long as someone can read them.
    """
    array = (ctypes.c_ubyte * size).from_address(_mupdf.fz_pixmap_samples_int(pix))
    array._pixmap = pix  # type: ignore[attr-defined]  # the owner of the memory
    return memoryview(array).cast("B").toreadonly()
