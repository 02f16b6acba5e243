"""Opening a PDF with 10,000 annotations → first page painted, against the same PDF without any.

A generated 300-page text PDF is recorded in two library files: one where the document has
ANNOTATIONS annotations (spread over the whole text, 3–12 words each, on every page, with
notes, tags and the four kinds; anchors from `reader.anchoring.make_anchor`, rectangles from
`reader.documents.geometry.range_rects`, stored with one `repo.add_annotations` transaction),
and one where it has none. The real app then runs as startup.py runs it — `python main.py --db
LIB FILE` with CLAIM_READER_EXIT_AFTER_FIRST_PAINT=1, timed from outside, spawn to exit — so it
loads the document's annotations, hands them to the view and the sidebar and paints page 1
with its ~33 highlights. Limit: the same command on the library without annotations. One
unrecorded warm-up run each, then RUNS alternating runs; the medians are compared.
"""

from __future__ import annotations

import re
import time
import uuid
from pathlib import Path

from bench.common import PYTHON, Result, child_env, median, text_pdf, tmp_dir
from bench.startup import TIMEOUT, _time

RUNS = 5
GOAL = 1.2
PAGES = 300
ANNOTATIONS = 10_000


def _annotations(opened, version: int, count: int) -> list:
    """`count` annotations over word ranges spread evenly through the document's text."""
    from reader.anchoring import make_anchor
    from reader.documents.geometry import range_rects
    from reader.model import DEFAULT_COLORS, Annotation, AnnotationKind, ClaimStatus
    from reader.store.repo import utc_now

    text = opened.document.text
    words = [m.span() for m in re.finditer(r"\w+", text)]
    kinds = list(AnnotationKind)
    statuses = list(ClaimStatus)
    now = utc_now()
    out = []
    step = len(words) // count
    for k in range(count):
        first = k * step + k % 3
        last = min(len(words) - 1, first + 2 + k % 10)
        start, end = words[first][0], words[last][1]
        anchor = make_anchor(text, start, end)
        page, rects = range_rects(opened.document, start, end)
        kind = kinds[k % len(kinds)]
        out.append(
            Annotation(
                id=str(uuid.UUID(int=k + 1)),
                document_id=opened.record.id,
                version_id=version,
                anchor=anchor,
                kind=kind,
                color=DEFAULT_COLORS[kind],
                status=statuses[k % len(statuses)],
                note=f"Note {k}: {text[start:end]}" if k % 4 == 0 else "",
                tags=(f"tag{k % 7}",) if k % 5 == 0 else (),
                author="bench",
                page=page,
                rects=rects,
                created_at=now,
                updated_at=now,
            )
        )
    return out


def make_libraries(pdf: Path) -> tuple[Path, Path]:
    """(library with ANNOTATIONS annotations on `pdf`, library where `pdf` has none)."""
    from reader.library import Library

    plain = tmp_dir() / "annotated_open-plain.sqlite"
    annotated = tmp_dir() / f"annotated_open-{ANNOTATIONS}.sqlite"
    if not plain.exists():
        lib = Library(plain)
        lib.open_path(pdf)
        lib.close()
    if not annotated.exists():
        lib = Library(annotated)
        opened = lib.open_path(pdf)
        t0 = time.perf_counter()
        _ = opened.document.text
        t1 = time.perf_counter()
        version = lib.repo.version_id(opened.document.sha256)
        assert version is not None
        annotations = _annotations(opened, version, ANNOTATIONS)
        t2 = time.perf_counter()
        lib.repo.add_annotations(annotations)
        t3 = time.perf_counter()
        stored = len(lib.repo.annotations_for_document(opened.record.id))
        t4 = time.perf_counter()
        lib.close()
        drawn_p1 = sum(1 for a in annotations if any(r.page == 0 for r in a.rects))
        print(
            f"  setup: text {1000 * (t1 - t0):.0f} ms; {ANNOTATIONS} anchors + rects "
            f"{t2 - t1:.1f} s; add_annotations {1000 * (t3 - t2):.0f} ms (one transaction); "
            f"{drawn_p1} on page 1"
        )
        print(
            f"  repo.annotations_for_document → {stored} Annotation objects: "
            f"{1000 * (t4 - t3):.0f} ms (the app's attach() loads them twice: "
            "Library.reanchor, then itself)"
        )
    return annotated, plain


def run() -> list[Result]:
    pdf = text_pdf(PAGES)
    annotated, plain = make_libraries(pdf)
    env = child_env(CLAIM_READER_EXIT_AFTER_FIRST_PAINT="1")
    with_cmd = [PYTHON, "main.py", "--db", str(annotated), str(pdf)]
    without_cmd = [PYTHON, "main.py", "--db", str(plain), str(pdf)]
    try:
        _time(with_cmd, env)
        _time(without_cmd, env)
    except Exception as exc:  # noqa: BLE001 - a timeout or a crash: say which and stop
        print(f"  the app failed or did not exit within {TIMEOUT:.0f} s: {exc}")
        return []
    with_t: list[float] = []
    without_t: list[float] = []
    for _ in range(RUNS):
        with_t.append(_time(with_cmd, env))
        without_t.append(_time(without_cmd, env))
    a, m = median(with_t) * 1000, median(without_t) * 1000
    runs_with = ", ".join(f"{t * 1000:.0f}" for t in with_t)
    runs_without = ", ".join(f"{t * 1000:.0f}" for t in without_t)
    print(
        f"  {ANNOTATIONS} annotations: {a:.0f} ms (runs {runs_with}), "
        f"none: {m:.0f} ms (runs {runs_without}) → {a / m:.2f}× (goal ≤ {GOAL}×)"
    )
    return [
        Result(
            f"annotated_open.{ANNOTATIONS // 1000}k_{PAGES}p",
            a,
            "ms",
            limit=m,
            goal_ratio=GOAL,
            note=f"same PDF, library without annotations: {m:.0f} ms",
        )
    ]
