"""Opening a 1 MB saved Wikipedia page: extraction and the reader view, against lxml.

Parts (in this process, after one untimed cold open that also pays the imports):
  extract  `reader.documents.open_document(path)` (sniffing, decoding, readability +
           trafilatura extraction, blocks and normalized text);
  view     building `reader.ui.article_view.ArticleView(document)` (the QTextDocument);
  paint    (info) showing that view at 1000x800 until its first paint (text layout).
Limit: `lxml.html.fromstring(bytes)` of the same bytes — parsing is the least any extraction
must do. Second reference: readability-lxml alone (`Document(bytes).summary()`).
"""

from __future__ import annotations

import time

from bench.common import CORPUS, PaintWaiter, Result, median, qapp

REPEATS = 3
PAGE = CORPUS / "html" / "readability" / "wikipedia-2" / "source.html"


def _clock(fn, repeats: int) -> tuple[float, object]:
    times, out = [], None
    for _ in range(repeats):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return median(times) * 1000, out


def run() -> list[Result]:
    if not PAGE.exists():
        print(f"  skipped: {PAGE} is missing")
        return []
    import lxml.html

    from reader.documents import open_document

    qapp()
    from reader.ui.article_view import ArticleView

    data = PAGE.read_bytes()
    t0 = time.perf_counter()
    doc = open_document(PAGE)
    cold = (time.perf_counter() - t0) * 1000
    extract, doc = _clock(lambda: open_document(PAGE), REPEATS)
    views: list[ArticleView] = []  # kept alive until the end: no teardown inside the timing

    def build() -> ArticleView:
        view = ArticleView(doc)
        views.append(view)
        return view

    view_ms, view = _clock(build, REPEATS)
    view.resize(1000, 800)
    waiter = PaintWaiter(view.viewport())
    t0 = time.perf_counter()
    view.show()
    waiter.wait(lambda: True, 30)
    paint = (time.perf_counter() - t0) * 1000
    parse, _ = _clock(lambda: lxml.html.fromstring(data), 5)
    try:
        from readability import Document
    except ImportError:
        readability_ms = None
    else:
        readability_ms, _ = _clock(lambda: Document(data).summary(), REPEATS)
    total = extract + view_ms
    print(
        f"  {PAGE.name} {len(data) / 1e6:.2f} MB → {len(doc.blocks)} blocks, "
        f"{len(doc.text):,} chars of text"
    )
    print(
        f"  extract {extract:.0f} ms (cold, with imports: {cold:.0f} ms), view build "
        f"{view_ms:.0f} ms, show→first paint {paint:.0f} ms; lxml parse {parse:.0f} ms"
        + (f", readability-lxml alone {readability_ms:.0f} ms" if readability_ms else "")
    )
    results = [
        Result("article_open.extract", extract, "ms", limit=parse),
        Result("article_open.view_build", view_ms, "ms", limit=parse),
        Result("article_open.view_first_paint", paint, "ms", note="info"),
        Result("article_open.total", total, "ms", limit=parse),
    ]
    if readability_ms:
        results.append(Result("article_open.total_vs_readab", total, "ms", limit=readability_ms))
    return results
