"""Team work at scale: merging a 100,000-annotation library, and searching the team view.

merge  Two libraries of ANNOTATIONS annotations each on the same recorded PDF (annotations
       as in fts_search: real-English quotes, notes, tags, claimants; different ids: a
       colleague's own work). `Library.merge_library(theirs)` on a fresh copy of mine is timed
       against the physical limit: the same rows copied by plain SQL in one transaction on
       another fresh copy — annotations (INSERT … SELECT with their rowids moved past ours),
       their tags, and their full-text rows — the rows a merge must write, and nothing else.
       REPEATS runs each, alternating; medians.

search `claim-reader serve` (the real server process, Datasette over uvicorn) on a
       100,000-annotation library; a search is the JSON answer a script or the page gets,
       `/library/annotations.json?_search=Q&_searchmode=raw&_shape=objects` with Q the app's
       own FTS5 expression for the query (first page of 100 rows with the total count; facet
       queries off with `_nofacet=1`), fetched over one kept-alive
       loopback connection. The limit is the same SQL run raw: Datasette's own trace
       (`_trace=1`) tells which statements it ran for the answer (the FTS5 MATCH page and its
       count), and those are timed on a plain sqlite3 connection to the served copy.
"""

from __future__ import annotations

import dataclasses
import http.client
import json
import shutil
import socket
import sqlite3
import subprocess
import sys
import time
import uuid

from bench.common import ROOT, Result, corpus_words, median, text_pdf, tmp_dir
from bench.fts_search import fts_expression, make_annotations, pick_queries

ANNOTATIONS = 100_000
REPEATS = 3
SEARCH_REPEATS = 25
MERGE_GOAL = 3.0
SEARCH_GOAL = 1.5

_COLUMNS = (
    "id, document_id, version_id, kind, color, status, claimant, note, author, quote, prefix, "
    'suffix, start, "end", anchor_state, page, rects, created_at, updated_at'
)


def _library(path, seed: int, words: list[str]):
    """A library of ANNOTATIONS annotations on the bench PDF; ids drawn from `seed`."""
    import random

    from reader.library import Library

    lib = Library(path)
    opened = lib.open_path(text_pdf(20, "fts-doc.pdf"))
    version = lib.repo.version_id(opened.document.sha256)
    rng = random.Random(seed)
    annotations = [
        dataclasses.replace(a, id=str(uuid.UUID(int=rng.getrandbits(128))))
        for a in make_annotations(opened.record.id, version, ANNOTATIONS, words)
    ]
    lib.repo.add_annotations(annotations)
    lib.close()  # checkpointed: the file alone is the library


def _raw_copy(mine, theirs) -> float:
    conn = sqlite3.connect(str(mine), isolation_level=None)
    conn.execute("PRAGMA foreign_keys = ON")
    conn.execute("ATTACH DATABASE ? AS other", [f"{theirs.resolve().as_uri()}?mode=ro"])
    t0 = time.perf_counter()
    conn.execute("BEGIN IMMEDIATE")
    offset = conn.execute("SELECT max(rowid) FROM main.annotations").fetchone()[0]
    conn.execute(
        f"INSERT INTO main.annotations (rowid, {_COLUMNS}) "
        f"SELECT rowid + ?, {_COLUMNS} FROM other.annotations",
        [offset],
    )
    conn.execute("INSERT INTO main.annotation_tags SELECT * FROM other.annotation_tags")
    conn.execute(
        "INSERT INTO main.annotations_fts (rowid, quote, note, tags, claimant) "
        "SELECT rowid + ?, quote, note, tags, claimant FROM other.annotations_fts",
        [offset],
    )
    conn.execute("COMMIT")
    elapsed = time.perf_counter() - t0
    conn.close()
    return elapsed


def _merge(mine, theirs) -> tuple[float, str]:
    from reader.library import Library

    lib = Library(mine)
    t0 = time.perf_counter()
    summary = lib.merge_library(theirs)
    elapsed = time.perf_counter() - t0
    lib.close()
    return elapsed, str(summary)


def bench_merge(words: list[str]) -> list[Result]:
    folder = tmp_dir() / "team"
    (folder / "mine").mkdir(parents=True, exist_ok=True)
    (folder / "theirs").mkdir(parents=True, exist_ok=True)
    mine, theirs = folder / "mine" / "library.sqlite", folder / "theirs" / "library.sqlite"
    t0 = time.perf_counter()
    _library(mine, 1, words)
    _library(theirs, 2, words)
    print(f"  two libraries of {ANNOTATIONS} annotations built in {time.perf_counter() - t0:.0f} s")
    merged, raw, summary = [], [], ""
    again, again_summary = 0.0, ""
    for i in range(REPEATS):
        for kind in ("merge", "raw"):
            target = folder / f"{kind}-{i}" / "library.sqlite"
            target.parent.mkdir(exist_ok=True)
            shutil.copyfile(mine, target)
            if kind == "merge":
                seconds, summary = _merge(target, theirs)
                merged.append(seconds)
                if i == 0:  # the same file again: every annotation compared, none added
                    again, again_summary = _merge(target, theirs)
            else:
                raw.append(_raw_copy(target, theirs))
            shutil.rmtree(target.parent)
    m, r = median(merged), median(raw)
    print(
        f"  merge {m:.2f} s ({summary}) vs raw SQL copy of the rows {r:.2f} s → {m / r:.2f}× "
        f"(goal ≤ {MERGE_GOAL}×)"
    )
    print(f"  merging the same file again: {again:.2f} s ({again_summary})")
    return [
        Result(
            f"team.merge_again_{ANNOTATIONS // 1000}k",
            again,
            "s",
            note=f"info: {again_summary}",
        ),
        Result(
            f"team.merge_{ANNOTATIONS // 1000}k",
            m,
            "s",
            limit=r,
            goal_ratio=MERGE_GOAL,
            note=f"{summary}; limit: INSERT … SELECT of the annotation, tag and FTS rows",
        ),
    ]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def bench_search(words: list[str]) -> list[Result]:
    folder = tmp_dir() / "team-serve"
    folder.mkdir(parents=True, exist_ok=True)
    library = folder / "library.sqlite"
    _library(library, 3, words)
    port = _free_port()
    server = subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(library), "serve", "--port", str(port)],
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    results = []
    try:
        served = None
        for line in server.stdout:  # "Serving … at …": the copy it serves is made by then
            if "Serving" in line:
                break
        for line in server.stderr:
            if "Uvicorn running on" in line:
                break
        # The served copy is in the server's temporary folder; the same bytes are ours.
        served = library
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        raw = sqlite3.connect(f"{served.resolve().as_uri()}?mode=ro", uri=True)
        from datasette.utils import escape_fts

        # Datasette quotes the user's words with its own SQL function; raw SQLite needs it too.
        raw.create_function("escape_fts", 1, escape_fts)

        def get(path: str) -> dict:
            conn.request("GET", path)
            answer = conn.getresponse()
            body = answer.read()
            assert answer.status == 200, body[:200]
            return json.loads(body)

        for label, query in pick_queries(words).items():
            # The app's own FTS5 expression (each word quoted, the last a prefix), given to
            # Datasette as a raw search: the same matches as `Library.search`.
            path = (
                "/library/annotations.json?_shape=objects&_nofacet=1&_searchmode=raw&_search="
                + urllib_quote(fts_expression(query))
            )
            answer = get(path + "&_trace=1")
            statements = [
                (t["sql"], t["params"])
                for t in answer.get("_trace", {}).get("traces", [])
                if "annotations_fts" in t["sql"]
            ]
            rows = len(answer["rows"])

            def run_raw(statements=statements) -> None:
                for sql, params in statements:
                    raw.execute(sql, params or {}).fetchall()

            served_times, raw_times = [], []
            for _ in range(SEARCH_REPEATS):
                t = time.perf_counter()
                get(path)
                served_times.append(time.perf_counter() - t)
                t = time.perf_counter()
                run_raw()
                raw_times.append(time.perf_counter() - t)
            s, r = median(served_times) * 1000, median(raw_times) * 1000
            print(
                f"  {label} {query!r} ({answer.get('filtered_table_rows_count')} match, {rows} "
                f"shown): served {s:.1f} ms vs its {len(statements)} FTS5 statements raw "
                f"{r:.1f} ms → {s / r:.2f}× (goal ≤ {SEARCH_GOAL}×)"
            )
            results.append(
                Result(
                    f"team.search_{label}",
                    s,
                    "ms",
                    limit=r,
                    goal_ratio=SEARCH_GOAL,
                    note=f"{query!r}: {answer.get('filtered_table_rows_count')} matches",
                )
            )
        conn.close()
        raw.close()
    finally:
        server.send_signal(2)
        server.communicate(timeout=60)
    return results


def urllib_quote(text: str) -> str:
    from urllib.parse import quote

    return quote(text)


def run() -> list[Result]:
    words = corpus_words()
    return bench_merge(words) + bench_search(words)
