"""Page rendering while scrolling in the real PdfView against raw PyMuPDF at the same scale.

For each document: a PdfView (viewport 1000x800, zoom 100 %) steps through PAGES pages with
go_to_page(p); a step ends when page p's pixmap is in the view's render cache at the view's
device scale and the viewport has painted after that (the event loop runs; no sleeps). At the
end the view is run until its render timer is idle (prefetched neighbours included). The limit
is `doc[p].get_pixmap(matrix=Matrix(s, s))` over the same pages at the same scale, in a plain
loop on its own document handle. Both after one untimed pass (fonts and images in MuPDF's
store); the median of REPEATS alternating runs, each view fresh (empty cache). The steps follow
each other at once, as when paging fast, so the view's idle-time prefetch gets no head start.
"""

from __future__ import annotations

import resource
import time
from pathlib import Path

from bench.common import CORPUS, PaintWaiter, Result, median, qapp, text_pdf, wait_until

PAGES = 100
REPEATS = 3
GOAL = 1.2


def raw_loop(path: Path, pages: list[int], scale: float) -> float:
    import pymupdf

    doc = pymupdf.open(path)
    try:
        m = pymupdf.Matrix(scale, scale)
        t0 = time.perf_counter()
        for p in pages:
            doc[p].get_pixmap(matrix=m)
        return time.perf_counter() - t0
    finally:
        doc.close()


def _minor_faults() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_minflt


def view_loop(path: Path, pages: list[int]) -> tuple[float, float, int, int]:
    """(seconds, device scale, pages rendered, minor page faults) for one fresh view stepping
    through `pages`. The page faults are a diagnostic, not timed: the fresh memory the steps
    touched, which is the view's page cache filling up."""
    from reader.documents.pdf import open_paged
    from reader.ui.pdf_view import PdfView

    qapp()
    backend = open_paged(path)
    view = PdfView(backend)
    view.resize(1000, 800)
    view.show()
    if not wait_until(lambda: view.has_painted, 30):
        raise RuntimeError("the view never painted its first page")
    waiter = PaintWaiter(view.viewport())
    # the first visible page and its neighbour are already rendered: start cold at pages[0]
    view._cache.clear()  # noqa: SLF001 - the bench measures the cache
    view._cache_bytes = 0  # noqa: SLF001
    start_renders = view.rendered_pages
    scale = view._device_scale(pages[0])  # noqa: SLF001
    faults = _minor_faults()
    t0 = time.perf_counter()
    for p in pages:
        view.go_to_page(p)
        key = (p, view._device_scale(p))  # noqa: SLF001
        if not waiter.wait(lambda k=key: k in view._cache, 30):  # noqa: SLF001
            raise RuntimeError(f"page {p} was never rendered and painted")
    wait_until(lambda: not view._render_timer.isActive(), 30)  # noqa: SLF001
    elapsed = time.perf_counter() - t0
    faults = _minor_faults() - faults
    rendered = view.rendered_pages - start_renders
    view.close()
    view.deleteLater()
    backend.close()
    return elapsed, scale, rendered, faults


def measure(path: Path, label: str) -> list[Result]:
    import pymupdf

    with pymupdf.open(path) as d:
        count = d.page_count
    first = 1 if count > PAGES else 0
    pages = list(range(first, min(count, first + PAGES)))
    # untimed warm-up of both (MuPDF's font/image store, Python imports)
    _, scale, _, _ = view_loop(path, pages[:5])
    raw_loop(path, pages, scale)
    view_t: list[float] = []
    raw_t: list[float] = []
    rendered = 0
    faults: list[int] = []
    for _ in range(REPEATS):
        t, scale, rendered, touched = view_loop(path, pages)
        faults.append(touched)
        view_t.append(t)
        raw_t.append(raw_loop(path, pages, scale))
    v, r = median(view_t) * 1000, median(raw_t) * 1000
    n = len(pages)
    print(
        f"  {label}: {n} pages at scale {scale:.3f}: view {v:.0f} ms "
        f"({v / n:.1f} ms/page, {rendered} renders), raw get_pixmap {r:.0f} ms "
        f"({r / n:.1f} ms/page) → {v / r:.2f}× (goal ≤ {GOAL}×)"
    )
    pagesize = resource.getpagesize()
    print(
        f"    (diagnostic) the view's steps touched {median(faults) * pagesize / 2**20:.0f} MB "
        f"of fresh memory ({median(faults):.0f} page faults): its page cache filling up; "
        "the raw loop reuses one pixmap's memory"
    )
    return [Result(f"scroll_render.{label}", v, "ms", limit=r, goal_ratio=GOAL)]


def run() -> list[Result]:
    results: list[Result] = []
    real = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
    if real.exists():
        results += measure(real, "geotopo_100p")
    results += measure(text_pdf(1500), "generated_100p")
    return results
