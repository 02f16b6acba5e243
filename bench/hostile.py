"""Hostile documents: what bounding them costs, against what MuPDF itself spends.

outline   PdfDocument.outline() on a 100,000-entry outline (1,000 chapters × 100, written
          as raw syntax) vs PyMuPDF's get_toc(simple=True) — MuPDF's own walk of the same
          entries with titles and pages but without their points: the limit. (The
          get_toc(simple=False) the backend used before resolves every destination again:
          quadratic, printed for scale on a 10,000-entry outline.)
weigh     the budget check of every page of the corpus PDFs (PdfDocument.too_complex) vs
          loading those pages in MuPDF (doc[i]), which any use of a page does anyway.
"""

from __future__ import annotations

import time

from bench.common import CORPUS, Result, median, outline_pdf, tmp_dir

RUNS = 3


def _outline() -> list[Result]:
    import pymupdf

    from reader.documents.pdf import open_paged

    path = outline_pdf(tmp_dir() / "outline-100000.pdf")
    ours, limit = [], []
    for _ in range(RUNS):
        with open_paged(path) as doc:
            t0 = time.perf_counter()
            n = len(doc.outline())
            ours.append(time.perf_counter() - t0)
        raw = pymupdf.open(path)
        t0 = time.perf_counter()
        assert len(raw.get_toc(simple=True)) == n
        limit.append(time.perf_counter() - t0)
        raw.close()
    small = outline_pdf(tmp_dir() / "outline-10000.pdf", chapters=100)
    raw = pymupdf.open(small)
    t0 = time.perf_counter()
    raw.get_toc(simple=False)
    before = time.perf_counter() - t0
    raw.close()
    print(
        f"  outline of {n:,}: {median(ours):.2f} s (MuPDF's walk {median(limit):.2f} s); "
        f"the old get_toc(simple=False) on 10,000: {before:.2f} s"
    )
    return [
        Result(
            "outline 100,000 entries",
            median(ours) * 1000,
            "ms",
            limit=median(limit) * 1000,
            goal_ratio=3.0,
            note=f"old way on 10,000: {before * 1000:.0f} ms",
        )
    ]


def _weigh() -> list[Result]:
    import pymupdf

    from reader.documents.base import DocumentError
    from reader.documents.pdf import open_paged

    paths = sorted((CORPUS / "pdf").glob("*.pdf"))
    ours, limit, pages = [], [], 0
    for _ in range(RUNS):
        weigh = load = 0.0
        pages = 0
        for path in paths:
            try:
                doc = open_paged(path)
            except DocumentError:
                continue
            with doc:
                t0 = time.perf_counter()
                for page in range(doc.page_count):
                    doc.too_complex(page)
                weigh += time.perf_counter() - t0
                pages += doc.page_count
            raw = pymupdf.open(path)
            t0 = time.perf_counter()
            for page in range(raw.page_count):
                raw[page].get_text("dict", flags=pymupdf.TEXT_MEDIABOX_CLIP)
            load += time.perf_counter() - t0
            raw.close()
        ours.append(weigh)
        limit.append(load)
    print(
        f"  weighing {pages} pages: {median(ours) * 1000:.0f} ms "
        f"(reading their text {median(limit) * 1000:.0f} ms)"
    )
    return [
        Result(
            f"weigh {pages} corpus pages",
            median(ours) * 1000,
            "ms",
            limit=median(limit) * 1000,
            goal_ratio=0.5,
        )
    ]


def run() -> list[Result]:
    return _outline() + _weigh()
