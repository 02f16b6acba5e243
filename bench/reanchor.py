"""Re-anchoring 1,000 annotations on a 1,000-page PDF after an edit, against its text extraction.

A 1,000-page PDF of random corpus words (shared/corpus/text, paragraphs wrapped at 92
characters, 50 lines a page, every page different) is opened in a library and gets ANNOTATIONS
annotations of 3–12 words, one a page at a varying line, plus EDITED_ANCHORS on the lines of
page 500 that the edit changes. Then an edited copy is written over the SAME path:
  page 10   a new 4-line paragraph right after the heading (the rest of the page moves down);
  page 500  one word changed on each of EDITED_ANCHORS lines (each under an annotation).
Every run starts from a copy of the library as it was before the edit and times
  open      `lib.open_path(path)` (sha256 of the new bytes, a new version recorded);
  text      `opened.document.text` (the 1,000 pages' text extracted);
  reanchor  `lib.reanchor(opened)` (anchors moved, their page rectangles, one transaction).
value = open + text + reanchor; limit = the text part, the least any re-anchoring must do.
The split exact/fuzzy/orphan is printed. RUNS runs, medians; plus, for scale, the anchoring
algorithm alone (`reader.anchoring.reanchor_many` on the same anchors and text) and raw
PyMuPDF `page.get_text("text")` over the same pages.
"""

from __future__ import annotations

import gc
import random
import re
import shutil
import textwrap
import time
import uuid
from pathlib import Path

from bench.common import Result, corpus_words, median, tmp_dir, write_text_pdf

PAGES = 1000
ANNOTATIONS = 1000
EDITED_ANCHORS = 4
LINES = 50
RUNS = 3
GOAL = 2.0
INSERT_PAGE = 9  # 0-based: page 10
EDIT_PAGE = 499  # 0-based: page 500


def _pages(words: list[str]) -> list[tuple[str, list[str]]]:
    """PAGES pages of LINES lines: paragraphs of 40–120 random corpus words, a blank line after
    each (when it fits)."""
    rng = random.Random(7)
    pages = []
    for p in range(PAGES):
        body: list[str] = []
        while len(body) < LINES:
            paragraph = " ".join(rng.choices(words, k=rng.randint(40, 120)))
            paragraph = paragraph[0].upper() + paragraph[1:] + "."
            body += textwrap.wrap(paragraph, 92)[: LINES - len(body)]
            if len(body) < LINES:
                body.append("")
        pages.append((f"Chapter {p // 20 + 1}, page {p + 1}", body))
    return pages


def _edited_lines(body: list[str]) -> list[int]:
    """The lines of the edit page that the edit changes: EDITED_ANCHORS non-empty ones."""
    full = [i for i, line in enumerate(body) if len(line.split()) >= 8]
    step = len(full) // EDITED_ANCHORS
    return [full[k * step + 1] for k in range(EDITED_ANCHORS)]


def _edit(pages: list[tuple[str, list[str]]], words: list[str]) -> list[tuple[str, list[str]]]:
    rng = random.Random(8)
    out = [(heading, list(body)) for heading, body in pages]
    paragraph = " ".join(rng.choices(words, k=55))
    new = textwrap.wrap("Inserted. " + paragraph + ".", 92)[:4] + [""]
    heading, body = out[INSERT_PAGE]
    out[INSERT_PAGE] = (heading, new + body)
    heading, body = out[EDIT_PAGE]
    for i in _edited_lines(body):
        w = body[i].split()
        w[4] = "revised"
        body[i] = " ".join(w)
    return out


def _annotations(opened, version: int, pages: list[tuple[str, list[str]]]) -> list:
    """One annotation a page on a varying line, plus one on each line the edit will change."""
    from reader.anchoring import make_anchor
    from reader.model import DEFAULT_COLORS, Annotation, AnnotationKind
    from reader.store.repo import utc_now

    doc = opened.document
    text = doc.text
    now = utc_now()
    targets: list[tuple[int, int, int, int]] = []  # page, line, first word, word count
    for p, (_, body) in enumerate(pages[: ANNOTATIONS - EDITED_ANCHORS]):
        lines = [i for i, line in enumerate(body) if len(line.split()) >= 14]
        line = lines[(p * 7) % len(lines)]
        targets.append((p, line, p % 3, 3 + p % 10))
    for line in _edited_lines(pages[EDIT_PAGE][1]):
        targets.append((EDIT_PAGE, line, 2, 6))  # covers word 4, which the edit changes
    out = []
    for k, (p, line, first, count) in enumerate(targets):
        base = doc.page_text_offset(p)
        page_text = doc.page_text(p)
        at = page_text.find(pages[p][1][line])
        assert at >= 0, f"line {line} of page {p + 1} is not in the extracted text"
        spans = [m.span() for m in re.finditer(r"\S+", pages[p][1][line])]
        start = base + at + spans[first][0]
        end = base + at + spans[first + count - 1][1]
        kind = list(AnnotationKind)[k % 4]
        out.append(
            Annotation(
                id=str(uuid.UUID(int=k + 1)),
                document_id=opened.record.id,
                version_id=version,
                anchor=make_anchor(text, start, end),
                kind=kind,
                color=DEFAULT_COLORS[kind],
                author="bench",
                # No rectangles: computing them costs ~30 ms a page (PdfDocument.page_chars)
                # and re-anchoring recomputes them anyway.
                page=p,
                created_at=now,
                updated_at=now,
            )
        )
    return out


def _raw_text_seconds(path: Path) -> float:
    import pymupdf

    doc = pymupdf.open(path)
    t0 = time.perf_counter()
    for page in doc:
        page.get_text("text")
    elapsed = time.perf_counter() - t0
    doc.close()
    return elapsed


def run() -> list[Result]:
    from reader.anchoring import reanchor_many
    from reader.library import Library

    words = corpus_words()
    t0 = time.perf_counter()
    pages = _pages(words)
    edited = _edit(pages, words)
    path = write_text_pdf(tmp_dir() / f"reanchor-{PAGES}.pdf", pages)
    pristine = tmp_dir() / "reanchor-before.sqlite"
    lib = Library(pristine)
    opened = lib.open_path(path)
    version = lib.repo.version_id(opened.document.sha256)
    assert version is not None
    annotations = _annotations(opened, version, pages)
    lib.repo.add_annotations(annotations)
    old_text = opened.document.text
    opened.document.close()
    lib.close()
    del opened
    gc.collect()
    write_text_pdf(path, edited)  # the same path, new bytes
    print(
        f"  setup {time.perf_counter() - t0:.1f} s: {PAGES} pages, {len(annotations)} "
        f"annotations; edit: a paragraph on page {INSERT_PAGE + 1}, {EDITED_ANCHORS} words "
        f"on page {EDIT_PAGE + 1}"
    )

    parts: dict[str, list[float]] = {"open": [], "text": [], "reanchor": [], "total": []}
    counts = None
    for run_index in range(RUNS):
        db = tmp_dir() / f"reanchor-run{run_index}.sqlite"
        shutil.copy(pristine, db)
        lib = Library(db)
        t0 = time.perf_counter()
        opened = lib.open_path(path)
        t1 = time.perf_counter()
        new_text = opened.document.text
        t2 = time.perf_counter()
        counts = lib.reanchor(opened)
        t3 = time.perf_counter()
        opened.document.close()
        lib.close()
        db.unlink()
        # Freeing the document's millions of character boxes must not land in the next run.
        del opened
        gc.collect()
        parts["open"].append(t1 - t0)
        parts["text"].append(t2 - t1)
        parts["reanchor"].append(t3 - t2)
        parts["total"].append(t3 - t0)
        print(
            f"  run {run_index + 1}: open {1000 * (t1 - t0):.0f} ms, text "
            f"{1000 * (t2 - t1):.0f} ms, reanchor {1000 * (t3 - t2):.0f} ms",
            flush=True,
        )
    assert counts is not None
    o, t, r, total = (median(parts[k]) * 1000 for k in ("open", "text", "reanchor", "total"))
    split = ", ".join(f"{counts.get(s, 0)} {s}" for s in ("exact", "fuzzy", "orphan"))

    anchors = [a.anchor for a in annotations]
    t_alg = time.perf_counter()
    reanchor_many(anchors, new_text)
    alg = (time.perf_counter() - t_alg) * 1000
    t_alg = time.perf_counter()
    reanchor_many(anchors, new_text, old_text)
    alg_old = (time.perf_counter() - t_alg) * 1000
    raw = _raw_text_seconds(path) * 1000
    print(
        f"  total {total:.0f} ms = open {o:.0f} + text {t:.0f} + reanchor {r:.0f} ms; "
        f"{split}; → {total / t:.2f}× the text extraction (goal ≤ {GOAL}×)"
    )
    print(
        f"  for scale: reanchor_many alone {alg:.0f} ms ({alg_old:.0f} ms given the old "
        f"text); so ~{r - alg:.0f} ms of reanchor is page rectangles + the database; raw "
        f"PyMuPDF get_text('text') of the {PAGES} pages {raw:.0f} ms"
    )
    return [
        Result(
            f"reanchor.{ANNOTATIONS}_on_{PAGES}p",
            total,
            "ms",
            limit=t,
            goal_ratio=GOAL,
            note=f"{split}; open {o:.0f} ms, text {t:.0f} ms, reanchor {r:.0f} ms",
        ),
        Result("reanchor.reanchor_part", r, "ms", note="info"),
        Result("reanchor.text_part", t, "ms", note="info"),
        Result("reanchor.anchoring_only", alg, "ms", note="info"),
    ]
