"""Candidate claims of a 1,000-paragraph document against the primitive they are built on.

The document: 1,000 paragraphs of real news text (the seed article and the corpus's plain-text
articles, shared/corpus/seed and shared/corpus/text, taken in turn), ~210,000 characters.

  ours       `reader.claims.candidates(text)`: sentences, figures, cues, score, filters
  primitive  the sentence split and the number scan alone: `reader.claims.sentence_spans(text)`
             and `reader.numbers.figures(sentence)` for each sentence — what every candidate
             needs whatever the model does with it; goal ≤ 1.5×.

One untimed run of each, then REPEATS alternating runs; medians.
"""

from __future__ import annotations

import time

from bench.common import CORPUS, Result, median

PARAGRAPHS = 1000
REPEATS = 7
GOAL = 1.5


def document() -> str:
    files = [CORPUS / "seed" / "000_d286d3589c386401.txt", *sorted((CORPUS / "text").glob("*.txt"))]
    paragraphs = [
        line.strip()
        for f in files
        if not f.name.startswith("LICENSE")
        for line in f.read_text(encoding="utf-8").splitlines()
        if len(line.split()) >= 3
    ]
    return "\n\n".join(paragraphs[i % len(paragraphs)] for i in range(PARAGRAPHS))


def run() -> list[Result]:
    from reader.claims import candidates, sentence_spans
    from reader.numbers import figures

    text = document()

    def primitive() -> None:
        for s, e in sentence_spans(text):
            figures(text[s:e])

    def ours() -> None:
        candidates(text)

    primitive(), ours()
    times: dict[str, list[float]] = {"ours": [], "primitive": []}
    for _ in range(REPEATS):
        for name, fn in (("ours", ours), ("primitive", primitive)):
            t0 = time.perf_counter()
            fn()
            times[name].append(time.perf_counter() - t0)
    found = len(candidates(text))
    sentences = sum(1 for _ in sentence_spans(text))
    print(f"  {PARAGRAPHS} paragraphs, {len(text):,} chars, {sentences} sentences, {found} kept")
    ms = {k: median(v) * 1000 for k, v in times.items()}
    print(
        f"  candidates {ms['ours']:.0f} ms, sentence split + number scan {ms['primitive']:.0f} ms"
    )
    return [
        Result(
            "claims 1,000 paragraphs",
            ms["ours"],
            "ms",
            limit=ms["primitive"],
            goal_ratio=GOAL,
            note="limit: the sentence split and reader.numbers.figures alone",
        )
    ]
