"""`claim-reader list --json` over 100,000 annotations against a raw SQL select of the same rows.

The library is bench.exchange's (100,000 annotations on the seed article, 300 sources cited
3,500 times, two sets). The app: `reader.cli.run(["--db", DB, "list", "--json"])` in this
process, its stdout sent to a file. The limit: on a plain sqlite3 connection, one SELECT of the
annotation columns the listing prints (document title and sha256 joined, set names by
group_concat), one SELECT of the citations joined with their sources, the rows put into the
same dictionaries and written by the same `json.dumps`. Both outputs are compared. Goal ≤ GOAL×
(linear: the listing once cost a query per annotation, 70 s for 50,000).
"""

from __future__ import annotations

import contextlib
import io
import json
import sqlite3
import sys
import time
from pathlib import Path

from bench.common import Result, median, tmp_dir

GOAL = 1.5
RUNS = 3

_ROWS = """
SELECT a.id, a.anchor_state, a.start, a."end", a.quote, a.page, a.kind, a.status, a.note,
  coalesce(tg.tags, '[]'), coalesce(st.names, '[]'), a.claimant, a.color, v.sha256, d.title,
  a.created_at, a.updated_at
FROM annotations a
JOIN documents d ON d.id = a.document_id
JOIN versions v ON v.id = (
  SELECT id FROM versions WHERE document_id = d.id ORDER BY id DESC LIMIT 1)
LEFT JOIN (
  SELECT annotation_id, json_group_array(tag) AS tags FROM (
    SELECT annotation_id, tag FROM annotation_tags ORDER BY annotation_id, tag
  ) GROUP BY annotation_id
) tg ON tg.annotation_id = a.id
LEFT JOIN (
  SELECT annotation_id, json_group_array(name) AS names FROM (
    SELECT m.annotation_id, s.name FROM set_members m JOIN sets s ON s.id = m.set_id
    ORDER BY m.annotation_id, s.name COLLATE NOCASE
  ) GROUP BY annotation_id
) st ON st.annotation_id = a.id
ORDER BY a.document_id, a.start, a."end"
"""

_CITATIONS = """
SELECT c.annotation_id, c.id, c.stance, c.locator, c.evidence_quote, s.title, s.authors,
  s.issued, s.url, s.doi
FROM citations c LEFT JOIN sources s ON s.id = c.source_id
ORDER BY c.annotation_id, c.created_at, c.id
"""


def raw_list(db: Path) -> str:
    con = sqlite3.connect(str(db))
    citations: dict[str, list[dict[str, object]]] = {}
    for r in con.execute(_CITATIONS):
        citations.setdefault(r[0], []).append(
            {
                "id": r[1],
                "stance": r[2],
                "locator": r[3],
                "evidence_quote": r[4],
                "source_title": r[5] or "",
                "source_authors": json.loads(r[6]) if r[6] else [],
                "source_date": r[7] or "",
                "source_url": r[8] or "",
                "source_doi": r[9] or "",
            }
        )
    rows = [
        {
            "id": r[0],
            "anchor_state": r[1],
            "start": r[2],
            "end": r[3],
            "quote": r[4],
            "page": r[5] + 1 if r[5] >= 0 else None,
            "kind": r[6],
            "status": r[7],
            "note": r[8],
            "tags": json.loads(r[9]),
            "sets": json.loads(r[10]),
            "citations": citations.get(r[0], []),
            "claimant": r[11],
            "color": r[12],
            "document_sha256": r[13],
            "document_title": r[14],
            "created_at": r[15],
            "updated_at": r[16],
        }
        for r in con.execute(_ROWS)
    ]
    con.close()
    return json.dumps(rows, ensure_ascii=False, indent=2) + "\n"


def app_list(db: Path, out: Path) -> None:
    from reader.cli import run

    with out.open("w", encoding="utf-8") as sink, contextlib.redirect_stdout(sink):
        code = run(["--db", str(db), "list", "--json"])
    if code != 0:
        raise RuntimeError(f"claim-reader list exited {code}")


def run() -> list[Result]:
    from bench.exchange import ANNOTATIONS, build_library

    db = tmp_dir() / "list.sqlite"
    t0 = time.perf_counter()
    lib, _ = build_library(db)
    lib.close()
    print(f"  library of {ANNOTATIONS} annotations built in {time.perf_counter() - t0:.1f} s")
    out = tmp_dir() / "list.json"
    app_list(db, out)  # warm the page cache, and check both agree
    raw = raw_list(db)
    if out.read_text(encoding="utf-8") != raw:
        print("  warning: the app's listing and the raw one differ", file=sys.stderr)
    app_times, raw_times = [], []
    for _ in range(RUNS):
        t = time.perf_counter()
        app_list(db, out)
        app_times.append(time.perf_counter() - t)
        t = time.perf_counter()
        sink = io.StringIO()
        sink.write(raw_list(db))
        raw_times.append(time.perf_counter() - t)
    a, r = median(app_times), median(raw_times)
    print(f"  list --json: app {a:.2f} s, raw select {r:.2f} s → {a / r:.2f}× (goal ≤ {GOAL}×)")
    return [
        Result(
            f"list.json_{ANNOTATIONS // 1000}k",
            a,
            "s",
            limit=r,
            goal_ratio=GOAL,
            note="claim-reader list --json vs a raw select of the same rows",
        )
    ]
