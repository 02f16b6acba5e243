"""Seen before over 100,000 claims: `Library.seen_before.matches(text)` against the FTS5 and
rapidfuzz primitives it is built on.

A fresh library gets CLAIMS claims (quotes of 4–25 words drawn from shared/corpus/text/*.txt,
as bench/fts_search.py makes them) plus FACT_CHECKS imported fact-checks, with a few
paraphrases of the seed article's claims among them, so each query has real matches.

For each query (a claim of the seed article) the app's answer is timed against, on a second
plain sqlite3 connection to the same file, what it cannot do without: the same FTS5 query
(`reader.similar.fts_query`) over the claims (joined to their rows) and over the fact-checks,
each LIMIT CANDIDATES, then rapidfuzz's token_set_ratio of the query against every candidate
text. One untimed pass, then REPEATS alternating runs; medians.
"""

from __future__ import annotations

import sqlite3
import time
from dataclasses import replace

from bench.common import Result, corpus_words, median, text_pdf, tmp_dir

CLAIMS = 100_000
FACT_CHECKS = 10_000
REPEATS = 15
GOAL = 1.5

QUERIES = {
    "toll": "Data from the U.S. Centers for Disease Control and Prevention (CDC) showed that "
    "the death toll from opioids surged to 79,770 in 2022.",
    "first": "As early as 2019, China officially scheduled all fentanyl-related substances and "
    "was the first country in the world ever to do so.",
    "share": "Nowadays, the U.S., which was reported to have 5 percent of the world's "
    "population while consuming 80 percent of the world's opioids, still has not "
    "permanently scheduled fentanyl-related substances as a class.",
    # Other shapes: one rare word (a few hundred claims hold it), one common word (thousands),
    # two words, a sentence of figures, a sentence in German (the corpus' other language).
    "rare": "Impfpass",
    "common": "Tariffs",
    "two_words": "Chinese goods",
    "figures": "Imports of Chinese goods fell 12 percent to $452 billion in 2019, the lowest "
    "since 2013.",
    "german": "Die elektronische Patientenakte soll ab 2025 die Daten aller Patienten bündeln.",
}
PLANTED = [
    "According to the CDC, 79,770 people died of opioid overdoses in 2022.",
    "The death toll from opioids surged to 81,806 in 2022.",
    "In 2019 China became the first country to ban all fentanyl-related substances.",
    "In 2019 India became the first country to ban all fentanyl-related substances.",
    "The United States has 5% of the world's population but consumes 80% of its opioids.",
]


def run() -> list[Result]:
    from rapidfuzz import fuzz

    from bench.fts_search import make_annotations
    from reader.library import Library
    from reader.model import AnnotationKind, FactCheck, TextAnchor
    from reader.seen_before import CANDIDATES
    from reader.similar import clear_caches, fts_query

    db = tmp_dir() / "seen_before.sqlite"
    db.unlink(missing_ok=True)
    lib = Library(db)
    opened = lib.open_path(text_pdf(20, "seen-before-doc.pdf"))
    version = lib.repo.version_id(opened.document.sha256)
    assert version is not None
    words = corpus_words()
    claims = [
        replace(a, kind=AnnotationKind.CLAIM)
        for a in make_annotations(opened.record.id, version, CLAIMS, words)
    ]
    for k, text in enumerate(PLANTED):
        a = claims[k * 997]
        claims[k * 997] = replace(
            a, anchor=TextAnchor(text, "", "", a.anchor.start, a.anchor.start + len(text))
        )
    lib.repo.add_annotations(claims)
    checks = [
        FactCheck(url=f"https://checks.example/{k}", claim=c.anchor.quote, rating="False")
        for k, c in enumerate(claims[1:FACT_CHECKS])
    ]
    checks += [
        FactCheck(url=f"https://checks.example/planted-{k}", claim=t, rating="True")
        for k, t in enumerate(PLANTED)
    ]
    lib.repo.fact_checks.upsert(checks)
    del claims, checks

    raw = sqlite3.connect(str(db))
    claim_sql = (
        "SELECT a.id, a.quote FROM (SELECT rowid AS hit, rank FROM annotations_fts WHERE "
        f"annotations_fts MATCH ? ORDER BY rank LIMIT {CANDIDATES * 3}) h JOIN annotations a "
        f"ON a.rowid = h.hit WHERE a.kind = 'claim' ORDER BY h.rank LIMIT {CANDIDATES}"
    )
    check_sql = (
        "SELECT f.url, f.claim FROM (SELECT rowid AS hit, rank FROM fact_checks_fts WHERE "
        f"fact_checks_fts MATCH ? ORDER BY rank LIMIT {CANDIDATES}) h JOIN fact_checks f "
        "ON f.id = h.hit ORDER BY h.rank"
    )

    def app(text: str) -> int:
        clear_caches()  # every candidate read afresh, as the first time a claim is shown
        return len(lib.seen_before.matches(text))

    def primitives(text: str) -> int:
        query = fts_query(text)
        rows = (
            raw.execute(claim_sql, [query]).fetchall() + raw.execute(check_sql, [query]).fetchall()
        )
        return sum(fuzz.token_set_ratio(text, other) >= 60 for _, other in rows)

    results = []
    for label, text in QUERIES.items():
        found = lib.seen_before.matches(text)
        primitives(text)
        times: dict[str, list[float]] = {"app": [], "raw": []}
        for _ in range(REPEATS):
            for name, fn in (("app", app), ("raw", primitives)):
                t = time.perf_counter()
                fn(text)
                times[name].append(time.perf_counter() - t)
        a, r = median(times["app"]) * 1000, median(times["raw"]) * 1000
        shown = "; ".join(f"{m.score:.2f} {m.quote[:40]!r}" for m in found[:3])
        print(
            f"  {label}: seen_before.matches {a:.1f} ms, FTS5 + rapidfuzz {r:.1f} ms → "
            f"{a / r:.2f}× (goal ≤ {GOAL}×); found {len(found)}: {shown}"
        )
        results.append(
            Result(
                f"seen_before.{label}",
                a,
                "ms",
                limit=r,
                goal_ratio=GOAL,
                note=f"{CLAIMS} claims + {FACT_CHECKS} fact-checks; {len(found)} found",
            )
        )
    raw.close()
    lib.close()
    return results
