"""`python -m bench` runs every benchmark; `python -m bench startup memory` runs those.

Each benchmark runs in its own process (a crash or a leak in one cannot spoil the others);
its lines are shown as they come, and a table closes the run.
"""

from __future__ import annotations

import json
import platform
import subprocess
import sys
import time
from datetime import datetime

from bench import BENCHMARKS
from bench.common import OUT_DIR, PYTHON, ROOT, Result, child_env, header

TIMEOUT = 300


def _versions() -> str:
    parts = [f"Python {platform.python_version()}"]
    for dist in ("PySide6-Essentials", "PyMuPDF", "lxml", "trafilatura", "readability-lxml"):
        try:
            from importlib.metadata import version

            parts.append(f"{dist} {version(dist)}")
        except Exception:  # noqa: BLE001 - a missing distribution is only not listed
            pass
    import os

    parts.append(f"{os.cpu_count()} CPUs")
    return ", ".join(parts)


def run_one(name: str) -> tuple[list[Result], str]:
    """Results of one benchmark, and an error text ("" when it ran)."""
    print(f"[{name}]", flush=True)
    t0 = time.perf_counter()
    proc = subprocess.Popen(
        [PYTHON, "-m", "bench._child", name],
        cwd=ROOT,
        env=child_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        errors="replace",
    )
    results: list[Result] = []
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("@@RESULT "):
            results.append(Result(**json.loads(line[9:])))
        else:
            print(line, end="", flush=True)
    try:
        _, err = proc.communicate(timeout=TIMEOUT)
    except subprocess.TimeoutExpired:
        proc.kill()
        _, err = proc.communicate()
        return results, f"timed out after {TIMEOUT} s"
    print(f"  ({time.perf_counter() - t0:.0f} s)", flush=True)
    if proc.returncode != 0:
        tail = [ln for ln in err.strip().splitlines() if ln.strip()][-3:]
        print("  " + "\n  ".join(tail), flush=True)
        return results, f"exit {proc.returncode}: {tail[-1] if tail else ''}"
    return results, ""


def main(argv: list[str]) -> int:
    names = argv or list(BENCHMARKS)
    unknown = [n for n in names if n not in BENCHMARKS]
    if unknown:
        print(f"error: unknown benchmark {', '.join(unknown)}; choose from {', '.join(BENCHMARKS)}")
        return 2
    started = time.perf_counter()
    results: list[Result] = []
    failures: dict[str, str] = {}
    for name in names:
        got, error = run_one(name)
        results += got
        if error:
            failures[name] = error
    table = [header(), "-" * len(header())]
    table += [r.line() for r in results]
    table += [f"{name:<30} FAILED: {error}" for name, error in failures.items()]
    over = sum(1 for r in results if r.ok == "OVER")
    summary = (
        f"{len(results)} results, {over} over their goal, {len(failures)} failed; "
        f"{time.perf_counter() - started:.0f} s"
    )
    print()
    print("\n".join(table))
    print(summary)
    OUT_DIR.mkdir(parents=True, exist_ok=True)
    report = [
        f"Claim Reader benchmarks, {datetime.now().isoformat(timespec='seconds')}",
        _versions(),
        "ratio = value / limit (the physical limit); goal on the ratio, or on the value",
        "",
        *table,
        summary,
        "",
        *(f"{r.name}: {r.note}" for r in results if r.note and r.note != "info"),
    ]
    (OUT_DIR / "results.txt").write_text("\n".join(report) + "\n", encoding="utf-8")
    print(f"written to {(OUT_DIR / 'results.txt').relative_to(ROOT)}")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
