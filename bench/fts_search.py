"""Full-text search over 100,000 annotations: `Library.search(query)` against raw FTS5.

A fresh library gets ANNOTATIONS annotations on one recorded PDF, written with one
`repo.add_annotations` transaction (its time is reported, for information). Their quotes
(4–25 words), notes (one in three), tags (one in five) and claimants (one in ten) are words
drawn at random from shared/corpus/text/*.txt, so word frequencies follow real English text.

For each query the app's `Library.search(query)` (model objects, up to 500) is timed against,
on a second plain sqlite3 connection to the same file, the same FTS5 expression (the app's: each
word quoted, a prefix match on the last) run as
  joined  SELECT a.* FROM (SELECT rowid, rank FROM annotations_fts WHERE annotations_fts
          MATCH ? ORDER BY rank LIMIT 500) f JOIN annotations a ON a.rowid = f.rowid
          ORDER BY f.rank  — every annotation column fetched as tuples: the limit;
  bare    SELECT rowid FROM annotations_fts WHERE annotations_fts MATCH ? ORDER BY rank
          LIMIT 500  — printed for scale.
One untimed pass over every query, then REPEATS alternating runs; medians.
"""

from __future__ import annotations

import random
import sqlite3
import time
import uuid
from collections import Counter

from bench.common import Result, corpus_words, median, text_pdf, tmp_dir

ANNOTATIONS = 100_000
REPEATS = 15
GOAL = 1.5
LIMIT = 500

_JOINED = (
    "SELECT a.* FROM (SELECT rowid, rank FROM annotations_fts WHERE annotations_fts MATCH ? "
    f"ORDER BY rank LIMIT {LIMIT}) f JOIN annotations a ON a.rowid = f.rowid ORDER BY f.rank"
)
_BARE = (
    f"SELECT rowid FROM annotations_fts WHERE annotations_fts MATCH ? ORDER BY rank LIMIT {LIMIT}"
)


def fts_expression(query: str) -> str:
    """What the app matches for `query` (reader/store/repo.py _fts_query): every word quoted,
    a prefix match on the last one."""
    words = query.replace('"', " ").split()
    parts = [f'"{w}"' for w in words]
    parts[-1] += "*"
    return " ".join(parts)


def make_annotations(document_id: int, version_id: int, count: int, words: list[str]) -> list:
    from reader.model import (
        DEFAULT_COLORS,
        AnchorState,
        Annotation,
        AnnotationKind,
        ClaimStatus,
        PageRect,
        TextAnchor,
    )
    from reader.store.repo import utc_now

    rng = random.Random(1)
    kinds = list(AnnotationKind)
    statuses = list(ClaimStatus)
    tags = [f"topic-{w.lower()}" for w in rng.sample(sorted(set(words)), 40)]
    claimants = [" ".join(rng.sample(words, 2)).title() for _ in range(200)]
    now = utc_now()

    def phrase(lo: int, hi: int) -> str:
        return " ".join(rng.choices(words, k=rng.randint(lo, hi)))

    out = []
    for k in range(count):
        quote = phrase(4, 25)
        start = k * 200
        kind = kinds[k % len(kinds)]
        page = k // 30
        out.append(
            Annotation(
                id=str(uuid.UUID(int=rng.getrandbits(128))),
                document_id=document_id,
                version_id=version_id,
                anchor=TextAnchor(
                    quote=quote,
                    prefix=phrase(5, 5)[-32:],
                    suffix=phrase(5, 5)[:32],
                    start=start,
                    end=start + len(quote),
                    state=AnchorState.EXACT,
                ),
                kind=kind,
                color=DEFAULT_COLORS[kind],
                status=statuses[k % len(statuses)],
                claimant=rng.choice(claimants) if k % 10 == 0 else "",
                note=phrase(5, 30) if k % 3 == 0 else "",
                tags=tuple(rng.sample(tags, rng.randint(1, 2))) if k % 5 == 0 else (),
                author="bench",
                page=page,
                rects=(
                    PageRect(page, 72.0, 100.0 + k % 40 * 12.5, 523.0, 110.0 + k % 40 * 12.5),
                    PageRect(page, 72.0, 112.5 + k % 40 * 12.5, 300.0, 122.5 + k % 40 * 12.5),
                ),
                created_at=now,
                updated_at=now,
            )
        )
    return out


def pick_queries(words: list[str]) -> dict[str, str]:
    """A common word, a rare word, two words, a prefix: chosen from the corpus' frequencies."""
    freq = Counter(w.lower() for w in words)
    ranked = [w for w, _ in freq.most_common() if len(w) >= 3]
    common = ranked[0]
    rare = next(w for w in sorted(freq) if freq[w] == 1 and len(w) >= 7)
    two = f"{ranked[15]} {ranked[40]}"
    prefix = next(w for w in ranked[100:] if len(w) >= 8)[:4]
    return {"common": common, "rare": rare, "two_words": two, "prefix": prefix}


def run() -> list[Result]:
    from reader.library import Library

    db = tmp_dir() / "fts_search.sqlite"
    lib = Library(db)
    opened = lib.open_path(text_pdf(20, "fts-doc.pdf"))
    version = lib.repo.version_id(opened.document.sha256)
    assert version is not None
    words = corpus_words()
    t0 = time.perf_counter()
    annotations = make_annotations(opened.record.id, version, ANNOTATIONS, words)
    t1 = time.perf_counter()
    lib.repo.add_annotations(annotations)
    insert_s = time.perf_counter() - t1
    del annotations
    size_mb = db.stat().st_size / 1e6
    print(
        f"  {ANNOTATIONS} annotations built in {t1 - t0:.1f} s; add_annotations (one "
        f"transaction) {insert_s:.1f} s = {insert_s / ANNOTATIONS * 1e6:.0f} µs each; "
        f"library file {size_mb:.0f} MB (+ WAL)"
    )
    results = [
        Result(
            f"fts_search.insert_{ANNOTATIONS // 1000}k",
            insert_s,
            "s",
            note="info",
        )
    ]

    raw = sqlite3.connect(str(db))
    queries = pick_queries(words)

    def app(q: str) -> int:
        return len(lib.search(q))

    def joined(q: str) -> int:
        return len(raw.execute(_JOINED, [fts_expression(q)]).fetchall())

    def bare(q: str) -> int:
        return len(raw.execute(_BARE, [fts_expression(q)]).fetchall())

    for q in queries.values():  # warm the page cache, check both agree
        a, j = app(q), joined(q)
        if a != j:
            print(f"  warning: {q!r}: the app found {a}, the raw query {j}")
    for label, q in queries.items():
        times: dict[str, list[float]] = {"app": [], "joined": [], "bare": []}
        for _ in range(REPEATS):
            for name, fn in (("app", app), ("joined", joined), ("bare", bare)):
                t = time.perf_counter()
                n = fn(q)
                times[name].append(time.perf_counter() - t)
        total = raw.execute(
            "SELECT count(*) FROM annotations_fts WHERE annotations_fts MATCH ?",
            [fts_expression(q)],
        ).fetchone()[0]
        a, j, b = (median(times[k]) * 1000 for k in ("app", "joined", "bare"))
        print(
            f"  {label} {q!r} ({total} match, {n} returned): Library.search {a:.1f} ms, "
            f"raw joined {j:.1f} ms → {a / j:.2f}× (goal ≤ {GOAL}×); bare MATCH {b:.1f} ms"
        )
        results.append(
            Result(
                f"fts_search.{label}",
                a,
                "ms",
                limit=j,
                goal_ratio=GOAL,
                note=f"{q!r}: {total} matches; bare MATCH {b:.1f} ms",
            )
        )
    raw.close()
    lib.close()
    return results
