"""Peak RSS after scrolling a generated 1,000-page PDF end to end in the real PdfView.

Runs in a fresh subprocess (`python -m bench.memory FILE.pdf`) so the numbers are its own.
Baseline: ru_maxrss once PySide6, PyMuPDF and reader.ui.pdf_view are imported and the
QApplication exists, before the PDF is opened (what Qt + PyMuPDF cost alone). Then a PdfView
(1000x800, zoom 100 %) is scrolled a viewport at a time from the top to the bottom, each step
waiting until every visible page is rendered and painted. Peak: ru_maxrss at the end.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path

from bench.common import PYTHON, ROOT, Result, child_env, text_pdf

PAGES = 1000
GOAL_MB = 300.0
MB = 1024 * 1024


def _maxrss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _rss_mb() -> float:
    try:
        pages = int(Path("/proc/self/statm").read_text().split()[1])
    except (OSError, ValueError, IndexError):
        return 0.0
    return pages * resource.getpagesize() / MB


def child(pdf: str) -> dict:
    from PySide6.QtWidgets import QApplication

    from bench.common import PaintWaiter, keep_none_alive, wait_until
    from reader.documents.pdf import open_paged
    from reader.ui.pdf_view import PdfView

    app = QApplication([sys.argv[0]])
    keep_none_alive()
    baseline = _maxrss_mb()
    backend = open_paged(pdf)
    view = PdfView(backend)
    view.resize(1000, 800)
    view.show()
    if not wait_until(lambda: view.has_painted, 30):
        raise RuntimeError("the view never painted")
    waiter = PaintWaiter(view.viewport())
    bar = view.verticalScrollBar()
    steps = 0
    cache_max = 0
    t0 = time.perf_counter()

    def visible_ready() -> bool:
        return all(
            (p, view._device_scale(p)) in view._cache  # noqa: SLF001
            for p in view.visible_pages()
        )

    while True:
        if not visible_ready() and not waiter.wait(visible_ready, 30):
            raise RuntimeError(f"pages {view.visible_pages()} never rendered")
        cache_max = max(cache_max, view.cache_bytes)
        if bar.value() >= bar.maximum():
            break
        bar.setValue(bar.value() + bar.pageStep())
        steps += 1
    elapsed = time.perf_counter() - t0
    app.processEvents()
    return {
        "baseline_mb": baseline,
        "peak_mb": _maxrss_mb(),
        "rss_end_mb": _rss_mb(),
        "cache_mb": view.cache_bytes / MB,
        "cache_max_mb": cache_max / MB,
        "cache_entries": len(view._cache),  # noqa: SLF001
        "cache_limit_mb": view.cache_limit_bytes / MB,
        "steps": steps,
        "pages": view.page_count,
        "last_visible": view.visible_pages(),
        "rendered": view.rendered_pages,
        "seconds": elapsed,
    }


def run() -> list[Result]:
    pdf = text_pdf(PAGES)
    proc = subprocess.run(
        [PYTHON, "-m", "bench.memory", str(pdf)],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        timeout=240,
    )
    lines = proc.stdout.decode(errors="replace").splitlines()
    data = next((json.loads(ln[9:]) for ln in lines if ln.startswith("@@MEMORY ")), None)
    if proc.returncode != 0 or data is None:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-4:]
        raise RuntimeError(f"memory child failed ({proc.returncode}): {' | '.join(tail)}")
    print(
        f"  {data['pages']} pages scrolled in {data['steps']} viewport steps, "
        f"{data['rendered']} renders, {data['seconds']:.1f} s; last visible {data['last_visible']}"
    )
    print(
        f"  RSS: baseline (Qt + PyMuPDF + view code, nothing open) {data['baseline_mb']:.0f} MB, "
        f"peak {data['peak_mb']:.0f} MB (goal ≤ {GOAL_MB:.0f} MB), at the end "
        f"{data['rss_end_mb']:.0f} MB"
    )
    print(
        f"  pixmap cache at the end: {data['cache_mb']:.0f} MB in {data['cache_entries']} pages "
        f"(max seen {data['cache_max_mb']:.0f} MB, limit {data['cache_limit_mb']:.0f} MB)"
    )
    return [
        Result(
            "memory.peak_rss_1000p",
            data["peak_mb"],
            "MB",
            limit=data["baseline_mb"],
            goal_value=GOAL_MB,
            note="limit = baseline RSS before opening",
        ),
        Result(
            "memory.pixmap_cache_end",
            data["cache_mb"],
            "MB",
            limit=data["cache_limit_mb"],
            note=f"{data['cache_entries']} pages; limit = cache_limit_bytes",
        ),
    ]


if __name__ == "__main__":
    import os

    result = child(sys.argv[1])
    print("@@MEMORY " + json.dumps(result), flush=True)
    sys.stderr.flush()
    os._exit(0)  # skip teardown: see keep_none_alive
