"""Process start → first PDF page painted: the real app against a minimal viewer.

The app runs as `python main.py --db TMP/lib.sqlite FILE` with CLAIM_READER_EXIT_AFTER_FIRST_PAINT=1
(reader/app.py quits right after the PdfView's first_page_painted); the limit is
bench/minimal_viewer.py, which imports only PySide6 and PyMuPDF and quits after its first paint.
Both are timed from outside, spawn to exit, so both include interpreter start and teardown.
One unrecorded warm-up run each (disk cache, library file created), then RUNS alternating runs.
"""

from __future__ import annotations

import subprocess
import time
from pathlib import Path

from bench.common import CORPUS, PYTHON, ROOT, Result, child_env, median, text_pdf, tmp_dir

RUNS = 5
GOAL = 1.3
TIMEOUT = 60.0
BIG_PAGES = 1500


def _time(cmd: list[str], env: dict[str, str]) -> float:
    t0 = time.perf_counter()
    proc = subprocess.run(cmd, cwd=ROOT, env=env, capture_output=True, timeout=TIMEOUT)
    elapsed = time.perf_counter() - t0
    if proc.returncode != 0:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-3:]
        raise RuntimeError(f"{cmd[1]} exited with {proc.returncode}: {' | '.join(tail)}")
    return elapsed


def measure(pdf: Path, label: str) -> list[Result]:
    db = tmp_dir() / f"startup-{label}.sqlite"
    app_cmd = [PYTHON, "main.py", "--db", str(db), str(pdf)]
    min_cmd = [PYTHON, str(ROOT / "bench" / "minimal_viewer.py"), str(pdf)]
    app_env = child_env(CLAIM_READER_EXIT_AFTER_FIRST_PAINT="1")
    min_env = child_env()
    try:
        _time(app_cmd, app_env)
    except subprocess.TimeoutExpired:
        print(f"  {label}: the app did not exit within {TIMEOUT:.0f} s (is the exit hook there?)")
        return []
    _time(min_cmd, min_env)
    app_t: list[float] = []
    min_t: list[float] = []
    for _ in range(RUNS):
        app_t.append(_time(app_cmd, app_env))
        min_t.append(_time(min_cmd, min_env))
    a, m = median(app_t) * 1000, median(min_t) * 1000
    print(
        f"  {label}: app {a:.0f} ms (runs {', '.join(f'{t * 1000:.0f}' for t in app_t)}), "
        f"minimal {m:.0f} ms (runs {', '.join(f'{t * 1000:.0f}' for t in min_t)}) "
        f"→ {a / m:.2f}× (goal ≤ {GOAL}×)"
    )
    return [Result(f"startup.{label}", a, "ms", limit=m, goal_ratio=GOAL)]


def python_floor() -> Result:
    """For scale: a bare interpreter, and one importing PySide6.QtWidgets + pymupdf."""
    bare = median([_time([PYTHON, "-c", "pass"], child_env()) for _ in range(3)]) * 1000
    code = "import PySide6.QtWidgets, pymupdf"
    imports = median([_time([PYTHON, "-c", code], child_env()) for _ in range(3)]) * 1000
    print(f"  floor: python -c pass {bare:.0f} ms; import QtWidgets + pymupdf {imports:.0f} ms")
    return Result("startup.python_imports_only", imports, "ms", note="info")


def run() -> list[Result]:
    results: list[Result] = []
    real = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
    if real.exists():
        results += measure(real, "geotopo_117p")
    else:
        print(f"  skipped the real PDF: {real} is missing")
    results += measure(text_pdf(BIG_PAGES), f"generated_{BIG_PAGES}p")
    results.append(python_floor())
    return results
