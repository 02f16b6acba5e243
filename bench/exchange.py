"""CSV export and import of 100,000 annotations, against raw sqlite3 + csv; their peak memory.

The library: the seed article (shared/corpus/seed/000_d286d3589c386401.txt, a text document)
opened with `lib.open_path`, ANNOTATIONS annotations from `reader.anchoring.make_anchor` over
spread ranges of its text (20–200 characters; notes one in three, tags one in five, claimants
one in ten) written with one `repo.add_annotations` transaction, SOURCES sources
(`lib.add_source`) cited CITATIONS times (`lib.cite`, one transaction; EXTRA_CITATIONS
annotations get a second one), and two sets (every 4th annotation, every 10th).

  csv_export  `lib.export(path, "csv", ExportScope())` (a temporary file renamed into place,
              fsynced) against, on a plain sqlite3 connection, ONE SELECT joining annotations
              with versions, documents, citations and sources that yields the contract's 33
              columns (sets and tags by group_concat, authors from json_each, canonical times by
              strftime, ``¶ N`` from a temp table of paragraph starts, formula protection by
              CASE) streamed into `csv.writer` and fsynced. The two files are compared byte for
              byte. Goal ≤ EXPORT_GOAL×. One untimed raw pass, then EXPORT_RUNS alternating
              runs, medians. The machine may be shared: the two sides alternate.
  csv_import  `lib.import_file(csv)` into an empty library against a raw import of the same
              file into an empty library (schema, document and version rows made beforehand,
              untimed): csv.reader, one `executemany` INSERT OR IGNORE of the annotation
              columns, one transaction. The app also writes tags, FTS, sources, citations and
              sets; the limit does not (a bulk FTS5 fill of the same rows is timed apart, for
              scale). Goal ≤ IMPORT_GOAL×. IMPORT_RUNS runs each, medians.
  json_export `lib.export(path, "json")`, for information.
  *_memory    each run in a fresh subprocess (`python -m bench.exchange MODE DB FILE`); value =
              its peak RSS (VmHWM, see `_maxrss_mb`) at the end minus that of a baseline
              subprocess that imported the same modules and opened the same library (an empty
              one for the import). Goal: streamed, not held whole, ≤ MEMORY_GOAL_MB.
"""

from __future__ import annotations

import csv
import json
import os
import random
import re
import resource
import sqlite3
import subprocess
import sys
import time
import uuid
from pathlib import Path

from bench.common import CORPUS, PYTHON, ROOT, Result, child_env, median, tmp_dir

ANNOTATIONS = 100_000
SOURCES = 300
CITATIONS = 3_000
EXTRA_CITATIONS = 500
EXPORT_RUNS = 3
IMPORT_RUNS = 1  # the memory child imports once more; its time is printed too
EXPORT_GOAL = 1.3
IMPORT_GOAL = 2.0
MEMORY_GOAL_MB = 100.0
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"

_TIME = "%Y-%m-%dT%H:%M:%SZ"
_RISKY = "('=', '+', '-', '@', char(9), char(13), '''')"


def _p(expr: str) -> str:
    """Formula protection in SQL: a leading ' before a risky first character (the contract's
    plain-number exception is left out: no free-text cell here is a bare number)."""
    return f"(CASE WHEN substr({expr}, 1, 1) IN {_RISKY} THEN '''' || {expr} ELSE {expr} END)"


_RAW_EXPORT = f"""
SELECT
  {_p("coalesce(st.names, '')")}, a.id, {_p("d.title")}, {_p("d.source")}, v.sha256,
  CASE WHEN a.page >= 0 THEN 'p. ' || (a.page + 1)
       ELSE '¶ ' || ((SELECT count(*) FROM temp.breaks b WHERE b.off <= a.start) + 1) END,
  CASE WHEN a.page >= 0 THEN a.page + 1 ELSE '' END,
  a.start, a."end", {_p("a.quote")}, {_p("a.prefix")}, {_p("a.suffix")},
  a.kind, a.color, a.status, {_p("a.claimant")}, {_p("a.note")}, {_p("coalesce(tg.tags, '')")},
  a.anchor_state, strftime('{_TIME}', a.created_at), strftime('{_TIME}', a.updated_at),
  coalesce(c.id, ''), coalesce(c.stance, ''), {_p("coalesce(s.title, '')")},
  {_p("coalesce(au.names, '')")},
  {_p("coalesce(CASE WHEN s.publisher != '' THEN s.publisher ELSE s.container_title END, '')")},
  {_p("coalesce(s.issued, '')")}, {_p("coalesce(s.url, '')")}, {_p("coalesce(s.doi, '')")},
  {_p("coalesce(c.locator, '')")}, {_p("coalesce(c.evidence_quote, '')")},
  {_p("coalesce(s.accessed, '')")}, {_p("coalesce(s.archived_url, '')")}
FROM annotations a
JOIN versions v ON v.id = a.version_id
JOIN documents d ON d.id = a.document_id
LEFT JOIN (
  SELECT annotation_id, group_concat(name, '; ') AS names FROM (
    SELECT m.annotation_id, s2.name FROM set_members m JOIN sets s2 ON s2.id = m.set_id
    ORDER BY m.annotation_id, s2.name COLLATE NOCASE, s2.name
  ) GROUP BY annotation_id
) st ON st.annotation_id = a.id
LEFT JOIN (
  SELECT annotation_id, group_concat(tag, '; ') AS tags FROM (
    SELECT annotation_id, tag FROM annotation_tags ORDER BY annotation_id, tag
  ) GROUP BY annotation_id
) tg ON tg.annotation_id = a.id
LEFT JOIN citations c ON c.annotation_id = a.id
LEFT JOIN sources s ON s.id = c.source_id
LEFT JOIN (
  SELECT s3.id, group_concat(j.value, '; ') AS names FROM sources s3, json_each(s3.authors) j
  GROUP BY s3.id
) au ON au.id = s.id
ORDER BY a.document_id, a.start, a."end", a.id, c.created_at, c.id
"""

_RAW_INSERT = (
    "INSERT OR IGNORE INTO annotations (id, document_id, version_id, kind, color, status, "
    'claimant, note, quote, prefix, suffix, start, "end", anchor_state, page, created_at, '
    "updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
)

_MODULES = ("reader.library", "reader.model", "reader.store.exchange", "reader.exchange.csv_format")


# -- the library ---------------------------------------------------------------------------------


def build_library(db: Path):
    """The library described in the module doc; returns (lib, opened)."""
    from reader.anchoring import make_anchor
    from reader.library import Library
    from reader.model import DEFAULT_COLORS, Annotation, AnnotationKind, ClaimStatus, Source, Stance
    from reader.store.repo import utc_now

    lib = Library(db)
    opened = lib.open_path(SEED)
    text = opened.document.text
    version = lib.repo.version_id(opened.document.sha256)
    assert version is not None
    rng = random.Random(3)
    words = re.findall(r"[A-Za-z]{3,}", text)
    starts = [m.start() for m in re.finditer(r"\b\w", text) if m.start() < len(text) - 40]
    tags = [f"topic-{w.lower()}" for w in rng.sample(sorted(set(words)), 40)]
    claimants = [" ".join(rng.sample(words, 2)).title() for _ in range(200)]
    kinds = list(AnnotationKind)
    statuses = list(ClaimStatus)
    now = utc_now()
    annotations = []
    for k in range(ANNOTATIONS):
        start = starts[(k * 7919) % len(starts)]
        end = min(len(text), start + rng.randint(20, 200))
        kind = kinds[k % len(kinds)]
        annotations.append(
            Annotation(
                id=str(uuid.UUID(int=rng.getrandbits(128))),
                document_id=opened.record.id,
                version_id=version,
                anchor=make_anchor(text, start, end),
                kind=kind,
                color=DEFAULT_COLORS[kind],
                status=statuses[k % len(statuses)],
                claimant=rng.choice(claimants) if k % 10 == 0 else "",
                note=" ".join(rng.choices(words, k=rng.randint(5, 30))) if k % 3 == 0 else "",
                tags=tuple(rng.sample(tags, rng.randint(1, 2))) if k % 5 == 0 else (),
                author="bench",
                created_at=now,
                updated_at=now,
            )
        )
    lib.repo.add_annotations(annotations)
    ids = [a.id for a in annotations]
    del annotations
    sources = []
    for i in range(SOURCES):
        sources.append(
            lib.add_source(
                Source(
                    type="article-journal",
                    title=f"{' '.join(rng.choices(words, k=4)).title()} ({i})",
                    authors=(f"{rng.choice(words).title()}, J.", f"{rng.choice(words)}, A."),
                    container_title="Journal of Bench Studies",
                    publisher="" if i % 2 else "Bench Press",
                    issued=f"20{10 + i % 15}-0{1 + i % 9}",
                    url=f"https://example.org/study/{i}",
                    doi=f"10.5555/bench.{i}" if i % 3 == 0 else "",
                    accessed="2026-01-02",
                )
            ).id
        )
    stances = list(Stance)
    with lib.transaction():
        for k in range(CITATIONS + EXTRA_CITATIONS):
            lib.cite(
                ids[(k % CITATIONS) * 33 % ANNOTATIONS],
                sources[k % SOURCES],
                stances[k % len(stances)],
                locator=f"p. {k % 300 + 1}",
                evidence_quote=" ".join(rng.choices(words, k=8)) if k % 2 else "",
            )
    lib.add_to_set(lib.create_set("Bench claims").id, ids[::4])
    lib.add_to_set(lib.create_set("another set").id, ids[::10])
    return lib, opened


# -- the raw limits ------------------------------------------------------------------------------


def raw_export(db: Path, out: Path, breaks: list[int]) -> int:
    """The same 33 columns from one SELECT, through csv.writer, fsynced. Returns rows."""
    conn = sqlite3.connect(str(db))
    try:
        conn.execute("CREATE TEMP TABLE breaks (off INTEGER PRIMARY KEY)")
        conn.executemany("INSERT INTO temp.breaks VALUES (?)", [(b,) for b in breaks])
        from reader.exchange.csv_format import COLUMNS

        with out.open("w", encoding="utf-8", newline="") as fh:
            writer = csv.writer(fh, quoting=csv.QUOTE_MINIMAL, lineterminator="\r\n")
            writer.writerow(COLUMNS)
            cur = conn.execute(_RAW_EXPORT)
            rows = 0
            while chunk := cur.fetchmany(2000):
                writer.writerows(chunk)
                rows += len(chunk)
            fh.flush()
            os.fsync(fh.fileno())
        return rows
    finally:
        conn.close()


def empty_library(db: Path, sha256: str, source: str) -> None:
    """A fresh library holding only the document and version rows the raw import points at."""
    from reader.library import Library

    lib = Library(db)
    with lib.transaction():
        lib.repo.db.execute(
            "INSERT INTO documents (id, kind, title, source, first_opened, last_opened) "
            "VALUES (1, 'text', 'seed', ?, '', '')",
            [source],
        )
        lib.repo.db.execute(
            "INSERT INTO versions (id, document_id, sha256, created_at) VALUES (1, 1, ?, '')",
            [sha256],
        )
    lib.close()


def raw_import(db: Path, path: Path) -> tuple[int, float, float]:
    """csv.reader → one executemany of the annotation columns, one transaction; then, for
    scale, a second transaction filling the FTS index from the rows (INSERT … SELECT, tags
    left out). Returns (annotations, seconds of the first, seconds of the FTS fill)."""
    t0 = time.perf_counter()
    conn = sqlite3.connect(str(db), isolation_level=None)
    try:
        conn.execute("PRAGMA journal_mode = WAL")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        with path.open(encoding="utf-8", newline="") as fh:
            reader = csv.reader(fh, strict=True)
            next(reader)
            conn.execute("BEGIN")
            conn.executemany(
                _RAW_INSERT,
                (
                    (
                        r[1],
                        1,
                        1,
                        r[12],
                        r[13],
                        r[14],
                        r[15],
                        r[16],
                        r[9],
                        r[10],
                        r[11],
                        r[7],
                        r[8],
                        r[18],
                        int(r[6]) - 1 if r[6] else -1,
                        r[19],
                        r[20],
                    )
                    for r in reader
                ),
            )
            conn.execute("COMMIT")
        t1 = time.perf_counter()
        conn.execute("BEGIN")
        conn.execute(
            "INSERT INTO annotations_fts (rowid, quote, note, tags, claimant) "
            "SELECT rowid, quote, note, '', claimant FROM annotations"
        )
        conn.execute("COMMIT")
        t2 = time.perf_counter()
        count = int(conn.execute("SELECT count(*) FROM annotations").fetchone()[0])
        return count, t1 - t0, t2 - t1
    finally:
        conn.close()


# -- memory (subprocesses) -----------------------------------------------------------------------


def _maxrss_mb() -> float:
    """Peak RSS of this process image: VmHWM. Not ru_maxrss, which Linux carries over fork +
    exec from the parent (here the bench process, ~170 MB after building the library), so a
    child's ru_maxrss never reports less than that."""
    try:
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    except (OSError, ValueError, IndexError):
        pass
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def child(mode: str, db: str, path: str) -> dict:
    """`baseline`: import the modules, open the library. `export` / `import`: then do that."""
    import importlib

    for name in _MODULES:
        importlib.import_module(name)
    from reader.library import Library
    from reader.model import ExportScope

    lib = Library(db)
    before = _maxrss_mb()
    t0 = time.perf_counter()
    count = 0
    if mode == "export":
        count = lib.export(path, "csv", ExportScope())
    elif mode == "import":
        count = lib.import_file(path).added
    return {
        "before_mb": before,
        "peak_mb": _maxrss_mb(),
        "seconds": time.perf_counter() - t0,
        "count": count,
    }


def _run_child(mode: str, db: Path, path: Path) -> dict:
    proc = subprocess.run(
        [PYTHON, "-m", "bench.exchange", mode, str(db), str(path)],
        cwd=ROOT,
        env=child_env(),
        capture_output=True,
        timeout=240,
    )
    lines = proc.stdout.decode(errors="replace").splitlines()
    data = next((json.loads(ln[9:]) for ln in lines if ln.startswith("@@MEMORY ")), None)
    if proc.returncode != 0 or data is None:
        tail = proc.stderr.decode(errors="replace").strip().splitlines()[-4:]
        raise RuntimeError(f"{mode} child failed ({proc.returncode}): {' | '.join(tail)}")
    return data


def _memory(label: str, mode: str, db: Path, path: Path, base_db: Path) -> Result:
    base = _run_child("baseline", base_db, path)
    got = _run_child(mode, db, path)
    delta = got["peak_mb"] - base["peak_mb"]
    print(
        f"  {label} memory: peak {got['peak_mb']:.0f} MB ({got['count']} annotations, "
        f"{got['seconds']:.1f} s) vs baseline process {base['peak_mb']:.0f} MB "
        f"→ +{delta:.0f} MB (goal ≤ {MEMORY_GOAL_MB:.0f} MB: streamed, not held whole)"
    )
    return Result(
        f"exchange.{label}_memory",
        delta,
        "MB",
        goal_value=MEMORY_GOAL_MB,
        note=f"peak {got['peak_mb']:.0f} MB - baseline process {base['peak_mb']:.0f} MB",
    )


# -- the benchmark -------------------------------------------------------------------------------


def _compare(a: Path, b: Path) -> str:
    x, y = a.read_bytes(), b.read_bytes()
    if x == y:
        return f"identical ({len(x) / 1e6:.1f} MB)"
    xl, yl = x.split(b"\r\n"), y.split(b"\r\n")
    diff = [i for i in range(min(len(xl), len(yl))) if xl[i] != yl[i]]
    first = f"; first at line {diff[0] + 1}: {xl[diff[0]][:120]!r} vs {yl[diff[0]][:120]!r}"
    return f"DIFFER: {len(xl)} vs {len(yl)} lines, {len(diff)} differ" + (first if diff else "")


def run() -> list[Result]:
    from reader.exchange import paragraph_breaks
    from reader.model import ExportScope

    tmp = tmp_dir()
    db = tmp / "exchange.sqlite"
    t0 = time.perf_counter()
    lib, opened = build_library(db)
    citations = lib.repo.db.execute("SELECT count(*) FROM citations").fetchone()[0]
    print(
        f"  library: {ANNOTATIONS} annotations, {SOURCES} sources, {citations} citations, "
        f"2 sets, built in {time.perf_counter() - t0:.1f} s; {db.stat().st_size / 1e6:.0f} MB"
    )
    breaks = paragraph_breaks(opened.document.text)
    app_csv, raw_csv = tmp / "app.csv", tmp / "raw.csv"
    scope = ExportScope()

    times: dict[str, list[float]] = {"app": [], "raw": []}
    rows = 0
    raw_export(db, raw_csv, breaks)  # warm the page cache
    for _ in range(EXPORT_RUNS):
        t = time.perf_counter()
        written = lib.export(app_csv, "csv", scope)
        times["app"].append(time.perf_counter() - t)
        t = time.perf_counter()
        rows = raw_export(db, raw_csv, breaks)
        times["raw"].append(time.perf_counter() - t)
    app_s, raw_s = median(times["app"]), median(times["raw"])
    same = _compare(app_csv, raw_csv)
    print(
        f"  csv_export: Library.export {app_s:.2f} s ({written} annotations), raw SELECT + "
        f"csv.writer {raw_s:.2f} s ({rows} rows) → {app_s / raw_s:.2f}× (goal ≤ "
        f"{EXPORT_GOAL}×); files {same}"
    )
    results = [
        Result(
            "exchange.csv_export_100k",
            app_s,
            "s",
            limit=raw_s,
            goal_ratio=EXPORT_GOAL,
            note=f"{rows} rows; app vs raw file {same}",
        )
    ]

    json_out = tmp / "app.json"
    json_s = _timed_export(lib, json_out, "json")
    print(
        f"  json_export: Library.export json {json_s:.2f} s, {json_out.stat().st_size / 1e6:.0f} MB"
    )
    results.append(Result("exchange.json_export_100k", json_s, "s", note="info"))

    sha, source = opened.document.sha256, opened.record.source
    lib.close()

    from reader.library import Library

    app_t, raw_t, fts_t = [], [], []
    summary = None
    for i in range(IMPORT_RUNS):
        target = tmp / f"import-app-{i}.sqlite"
        fresh = Library(target)
        t = time.perf_counter()
        summary = fresh.import_file(app_csv)
        app_t.append(time.perf_counter() - t)
        fresh.close()
        raw_db = tmp / f"import-raw-{i}.sqlite"
        empty_library(raw_db, sha, source)
        imported, raw_s, fts_s = raw_import(raw_db, app_csv)
        raw_t.append(raw_s)
        fts_t.append(fts_s)
    app_s, raw_s, fts_s = median(app_t), median(raw_t), median(fts_t)
    print(
        f"  csv_import: Library.import_file {app_s:.2f} s ({summary}), raw csv.reader + "
        f"executemany {raw_s:.2f} s ({imported} annotations) → {app_s / raw_s:.2f}× "
        f"(goal ≤ {IMPORT_GOAL}×); for scale, filling FTS5 from those rows in bulk takes "
        f"{fts_s:.2f} s more (raw + FTS {raw_s + fts_s:.2f} s → {app_s / (raw_s + fts_s):.2f}×)"
    )
    results.append(
        Result(
            "exchange.csv_import_100k",
            app_s,
            "s",
            limit=raw_s,
            goal_ratio=IMPORT_GOAL,
            note=f"{summary}; limit inserts the annotations table only",
        )
    )
    results.append(
        Result(
            "exchange.csv_import_raw+fts",
            raw_s + fts_s,
            "s",
            note=f"info: the limit plus a bulk FTS5 fill ({fts_s:.2f} s)",
        )
    )

    results.append(_memory("csv_export", "export", db, tmp / "mem-export.csv", db))
    results.append(
        _memory("csv_import", "import", tmp / "mem-import.sqlite", app_csv, tmp / "mem-base.sqlite")
    )
    return results


def _timed_export(lib, out: Path, fmt: str) -> float:
    from reader.model import ExportScope

    t = time.perf_counter()
    lib.export(out, fmt, ExportScope())
    return time.perf_counter() - t


if __name__ == "__main__":
    result = child(sys.argv[1], sys.argv[2], sys.argv[3])
    print("@@MEMORY " + json.dumps(result), flush=True)
    sys.stderr.flush()
    os._exit(0)
