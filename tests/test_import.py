"""Import: merged by id, one transaction, every malformed file named by line and refused whole."""

from __future__ import annotations

import csv
import io
import json
import re
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SEED

from reader.exchange.csv_format import COLUMNS
from reader.library import ImportFailed, Library
from reader.library.importer import _Importer
from reader.model import AnnotationKind, ClaimStatus, Source, Stance

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
TABLES = (
    "documents",
    "versions",
    "annotations",
    "annotation_tags",
    "sources",
    "citations",
    "sets",
    "set_members",
    "annotations_fts",
)


def counts(library: Library) -> dict[str, int]:
    db = library.repo.db
    return {t: db.execute(f"SELECT count(*) FROM {t}").fetchone()[0] for t in TABLES}


def simple_library(path: Path) -> Library:
    """Two annotations on the seed article and one on a PDF; every row on one line."""
    library = Library(path)
    seed = library.open_path(SEED)
    start, end = library.find_quote(seed, "79,770 in 2022")
    claim = library.highlight(
        seed, start, end, AnnotationKind.CLAIM, status=ClaimStatus.REFUTED, note="too high"
    )
    source = library.add_source(Source(title="CDC data", url="https://www.cdc.gov/nchs/"))
    library.cite(claim.id, source.id, Stance.REFUTES, locator="p. 2")
    start, end = library.find_quote(seed, "Since 2017")
    other = library.highlight(seed, start, end, AnnotationKind.QUESTION, tags=("when",))
    library.add_to_set(library.ensure_set("Check").id, [claim.id, other.id])
    pdf = library.open_path(PDF)
    start = pdf.document.text.index("alphabet")
    library.highlight(pdf, start, start + 8, AnnotationKind.EVIDENCE)
    return library


@pytest.fixture
def exported(tmp_path: Path) -> bytes:
    """A valid CSV export (header + 3 one-line rows) from a library of its own."""
    library = simple_library(tmp_path / "source" / "library.sqlite")
    try:
        out = tmp_path / "valid.csv"
        assert library.export(out) == 3
        return out.read_bytes()
    finally:
        library.close()


@pytest.fixture
def target(tmp_path: Path):
    """The library imported into: it already holds something of its own."""
    library = Library(tmp_path / "target" / "library.sqlite")
    seed = library.open_path(SEED)
    start, end = library.find_quote(seed, "counternarcotics cooperation")
    library.highlight(seed, start, end, note="mine")
    yield library
    library.close()


def test_import_twice_adds_then_leaves_unchanged(exported, target, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(exported)
    assert str(target.import_file(path)) == "added 3, updated 0, unchanged 0"
    after_first = counts(target)
    assert str(target.import_file(path)) == "added 0, updated 0, unchanged 3"
    assert counts(target) == after_first
    # the imported article is the document the target already had (same SHA-256)
    assert after_first["documents"] == 2 and after_first["versions"] == 2
    assert [s.name for s in target.sets()] == ["Check"]


def test_changed_rows_are_updates_and_sources_are_deduplicated(exported, target, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(exported)
    target.import_file(path)
    path.write_bytes(exported.replace(b"too high", b"far too high"))
    assert str(target.import_file(path)) == "added 0, updated 1, unchanged 2"
    assert any(a.note == "far too high" for a in target.all_annotations())
    assert len(target.sources()) == 1


def test_import_into_empty_library_makes_documents_that_opening_finds(exported, tmp_path):
    path = tmp_path / "in.csv"
    path.write_bytes(exported)
    library = Library(tmp_path / "empty" / "library.sqlite")
    try:
        assert str(library.import_file(path)) == "added 3, updated 0, unchanged 0"
        assert counts(library)["documents"] == 2
        opened = library.open_path(PDF)
        annotations = library.annotations(opened)
        assert [a.anchor.quote for a in annotations] == ["alphabet"]
        assert annotations[0].page == 0 and counts(library)["documents"] == 2
    finally:
        library.close()


def table(data: bytes) -> list[list[str]]:
    """The export's rows (header first), cells exactly as written (formula quotes kept)."""
    return list(csv.reader(io.StringIO(data.decode("utf-8"), newline="")))


def serialize(rows: list[list[str]]) -> bytes:
    out = io.StringIO(newline="")
    csv.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue().encode("utf-8")


def line_of(data: bytes, marker: str | bytes) -> int:
    """The physical line (1-based) where `marker` first occurs."""
    marker = marker.encode() if isinstance(marker, str) else marker
    return data[: data.index(marker)].count(b"\n") + 1


def changed(exported: bytes, row: int, **cells: str) -> tuple[bytes, int]:
    """The export with some cells of data row `row` (1-based) changed; and the line it starts on."""
    rows = table(exported)
    for name, value in cells.items():
        rows[row][COLUMNS.index(name)] = value
    data = serialize(rows)
    return data, line_of(data, f",{rows[row][1]},")


def bad_bytes(exported: bytes, row: int, raw: bytes) -> tuple[bytes, int]:
    data, _ = changed(exported, row, note="MARKER")
    return data.replace(b"MARKER", raw), line_of(data, "MARKER")


def header(exported: bytes, change) -> tuple[bytes, int]:
    rows = table(exported)
    rows[0] = change(rows[0])
    return serialize(rows), 1


def short_row(exported: bytes, row: int) -> tuple[bytes, int]:
    rows = table(exported)
    rows[row] = rows[row][:-1]
    data = serialize(rows)
    return data, line_of(data, f",{rows[row][1]},")


def _fresh_ids(exported: bytes) -> bytes:
    """Same rows with new annotation and citation ids, so that each one would be an addition."""
    text = exported.decode("utf-8")
    for old in set(re.findall(r"[0-9a-f]{8}-[0-9a-f-]{27}", text)):
        text = text.replace(old, str(uuid.uuid4()))
    return text.encode("utf-8")


MALFORMED = {
    "renamed header column": (
        lambda e: header(e, lambda h: [*h[:9], "text", *h[10:]]),
        'should be "quote"',
    ),
    "missing header column": (lambda e: header(e, lambda h: h[:-3]), "archived_url"),
    "missing column in a row": (lambda e: short_row(e, 2), "expected 35 columns, found 34"),
    "bad kind": (lambda e: changed(e, 2, kind="rumour"), 'kind "rumour"'),
    "bad status": (lambda e: changed(e, 3, status="true-ish"), 'status "true-ish"'),
    "non-integer start": (lambda e: changed(e, 2, start="12a"), 'start "12a"'),
    "end before start": (lambda e: changed(e, 3, end="1"), "end (1) is before start"),
    "malformed sha256": (lambda e: changed(e, 2, document_sha256="abc123"), "SHA-256"),
    "bad time": (lambda e: changed(e, 1, created_at="yesterday"), "ISO 8601"),
    "bad citation id": (lambda e: changed(e, 1, citation_id="nope"), "citation_id"),
    "latin-1 bytes": (lambda e: bad_bytes(e, 3, "café".encode("latin-1")), "UTF-8"),
    "NUL byte": (lambda e: bad_bytes(e, 2, b"a\x00b"), "NUL"),
    "unclosed quote at end": (
        lambda e: (e + b'"unclosed,' + b"x" * 10, e.count(b"\n") + 1),
        "not valid CSV",
    ),
}


def test_rows_rewritten_unchanged_give_the_same_bytes(exported):
    assert serialize(table(exported)) == exported


def test_a_cancelled_import_raises_cancelled_and_imports_nothing(exported, target, tmp_path):
    import threading

    from reader.library import Cancelled

    path = tmp_path / "export.csv"
    path.write_bytes(exported)
    before = counts(target)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match=r"^Import cancelled\.$"):
        target.import_file(path, cancel=cancel)
    assert counts(target) == before


@pytest.mark.parametrize("case", sorted(MALFORMED))
def test_malformed_csv_is_refused_whole_and_names_its_line(
    case, exported, target, tmp_path, monkeypatch
):
    make, words = MALFORMED[case]
    monkeypatch.setattr(_Importer, "BATCH", 1)  # rows before the fault are written first
    data, line = make(_fresh_ids(exported))
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = counts(target)
    with pytest.raises(ImportFailed) as caught:
        target.import_file(path)
    message = str(caught.value)
    assert message.startswith(f"line {line}: "), message
    assert words in message and "\n" not in message
    assert counts(target) == before


def test_line_numbers_count_physical_lines_of_multi_line_cells(exported, target, tmp_path):
    rows = table(exported)
    rows[1][COLUMNS.index("note")] = "one\r\ntwo\r\nthree"
    rows[2][COLUMNS.index("kind")] = "nonsense"
    data = serialize(rows)
    line = line_of(data, f",{rows[2][1]},")
    assert line >= 5  # data row 2 starts well after physical line 3
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    with pytest.raises(ImportFailed, match=rf"^line {line}: kind"):
        target.import_file(path)


def test_split_rows_of_one_annotation_are_refused(exported, target, tmp_path):
    rows = table(exported)
    again = list(rows[1])
    again[COLUMNS.index("citation_id")] = str(uuid.uuid4())
    rows = [rows[0], rows[1], rows[2], again, rows[3]]
    data = serialize(rows)
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    line = data.count(b"\n", 0, data.rindex(again[1].encode())) + 1
    with pytest.raises(ImportFailed, match=rf"^line {line}: .*next to each other"):
        target.import_file(path)


def test_formula_quotes_are_removed_only_where_export_added_them(tmp_path, exported):
    data, _ = changed(exported, 1, note="'=1+1", claimant="'plain", tags="''x; -3")
    path = tmp_path / "in.csv"
    path.write_bytes(data)
    library = Library(tmp_path / "q" / "library.sqlite")
    try:
        library.import_file(path)
        claim = next(a for a in library.all_annotations() if a.kind is AnnotationKind.CLAIM)
        assert claim.note == "=1+1"
        assert claim.claimant == "'plain"
        assert set(claim.tags) == {"'x", "-3"}
    finally:
        library.close()


def test_json_import_twice_and_malformed_json(tmp_path):
    library = simple_library(tmp_path / "a" / "library.sqlite")
    out = tmp_path / "out.json"
    try:
        library.export(out, "json")
    finally:
        library.close()
    other = Library(tmp_path / "b" / "library.sqlite")
    try:
        assert str(other.import_file(out)) == "added 3, updated 0, unchanged 0"
        assert str(other.import_file(out)) == "added 0, updated 0, unchanged 3"
        before = counts(other)
        broken = tmp_path / "broken.json"
        broken.write_text(out.read_text(encoding="utf-8")[:-40], encoding="utf-8")
        with pytest.raises(ImportFailed, match=r"^line \d+: the file is not valid JSON"):
            other.import_file(broken)
        data = json.loads(out.read_text(encoding="utf-8"))
        data["first"]["items"][1]["target"]["source"] = "urn:sha256:xyz"
        data["first"]["items"][2]["id"] = f"urn:uuid:{uuid.uuid4()}"
        bad = tmp_path / "bad.json"
        bad.write_text(json.dumps(data), encoding="utf-8")
        with pytest.raises(ImportFailed, match=r"^item 2: target.source"):
            other.import_file(bad)
        assert counts(other) == before
    finally:
        other.close()


# -- the command line, as a user runs it ------------------------------------------------------


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def test_cli_export_and_import_end_to_end(tmp_path):
    db, other = str(tmp_path / "a.sqlite"), str(tmp_path / "b.sqlite")
    made = run(
        "--db",
        db,
        "annotate",
        str(SEED),
        "--quote",
        "79,770 in 2022",
        "--note",
        "=1+1",
        "--set",
        "Fentanyl check",
        "--cite",
        "https://www.cdc.gov/nchs/",
        "--stance",
        "refutes",
    )
    assert made.returncode == 0, made.stderr
    annotation_id = made.stdout.strip()
    out = tmp_path / "out.csv"
    exported = run("--db", db, "export", "--set", "Fentanyl check", "-o", str(out))
    assert exported.returncode == 0, exported.stderr
    data = out.read_bytes()
    assert annotation_id.encode() in data and b",'=1+1," in data
    stdout = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", db, "export"],
        capture_output=True,
        timeout=120,
        cwd=ROOT,
    )
    assert stdout.returncode == 0 and stdout.stdout == data
    by_document = run("--db", db, "export", "--document", str(SEED), "--format", "json")
    assert by_document.returncode == 0, by_document.stderr
    exported = json.loads(by_document.stdout)["first"]["items"]
    assert exported[0]["id"] == f"urn:uuid:{annotation_id}"
    excel = run("--db", db, "export", "--all", "--excel", "-o", str(tmp_path / "x.csv"))
    assert excel.returncode == 0
    assert (tmp_path / "x.csv").read_bytes().startswith(b"\xef\xbb\xbfset,annotation_id,")
    first = run("--db", other, "import", str(out))
    assert (first.returncode, first.stdout) == (0, "added 1, updated 0, unchanged 0\n")
    second = run("--db", other, "import", str(out))
    assert (second.returncode, second.stdout) == (0, "added 0, updated 0, unchanged 1\n")
    # The article at hand (opened once): its "¶ N" comes from its text, not from the file the
    # export names, which an import never reads.
    assert run("--db", other, "list", "--document", str(SEED)).returncode == 0
    again = tmp_path / "again.csv"
    assert run("--db", other, "export", "-o", str(again)).returncode == 0
    assert again.read_bytes() == data


def test_cli_errors_are_one_line(tmp_path, exported):
    db = str(tmp_path / "a.sqlite")
    bad = tmp_path / "bad.csv"
    data, line = changed(exported, 2, kind="rumour")
    bad.write_bytes(data)
    result = run("--db", db, "import", str(bad))
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.startswith(f"error: line {line}: kind") and result.stderr.count("\n") == 1
    nothing = run("--db", db, "list", "--json")
    assert json.loads(nothing.stdout) == []
    missing = run("--db", db, "export", "--set", "Nope")
    assert missing.returncode == 1
    assert missing.stderr == 'error: There is no set named "Nope".\n'
    unreadable = run("--db", db, "import", str(tmp_path / "absent.csv"))
    assert unreadable.returncode == 1 and unreadable.stderr.startswith("error: ")


# -- what the faster import keeps: blocks, progress, cancel, the search index ----------------------


@pytest.mark.parametrize("case", ["bad kind", "latin-1 bytes", "NUL byte", "unclosed quote at end"])
def test_faults_are_named_by_line_whatever_the_read_block(
    case, exported, target, tmp_path, monkeypatch
):
    """The file is read a block at a time; a block ending anywhere (inside a multi-line cell,
    inside a character) changes neither the rows nor the line an error names."""
    from reader.exchange import csv_format

    make, words = MALFORMED[case]
    rows = table(_fresh_ids(exported))
    rows[1][COLUMNS.index("note")] = "one\r\ntwo\nthree ünïcode"
    data, line = make(serialize(rows))
    path = tmp_path / "bad.csv"
    path.write_bytes(data)
    before = counts(target)
    for block in (1, 2, 3, 7, 64, 1 << 20):
        monkeypatch.setattr(csv_format._Lines, "BLOCK", block)
        with pytest.raises(ImportFailed) as caught:
            target.import_file(path)
        assert str(caught.value).startswith(f"line {line}: "), (block, str(caught.value))
        assert words in str(caught.value)
        assert counts(target) == before


def test_a_csv_fault_before_a_bad_byte_in_the_same_block_is_the_one_named(exported, tmp_path):
    rows = table(_fresh_ids(exported))
    rows[1][COLUMNS.index("kind")] = "rumour"
    rows[3][COLUMNS.index("note")] = "MARKER"
    data = serialize(rows)
    line = line_of(data, f",{rows[1][1]},")
    path = tmp_path / "bad.csv"
    path.write_bytes(data.replace(b"MARKER", b"a\x00b"))
    library = Library(tmp_path / "lib" / "library.sqlite")
    try:
        with pytest.raises(ImportFailed, match=rf"^line {line}: kind"):
            library.import_file(path)
    finally:
        library.close()


def test_rows_read_in_small_blocks_import_the_same(exported, tmp_path, monkeypatch):
    from reader.exchange import csv_format

    rows = table(exported)
    rows[1][COLUMNS.index("note")] = 'one\r\ntwo\n\nthree ünïcode, "quoted"'
    path = tmp_path / "in.csv"
    path.write_bytes(serialize(rows))
    exports = []
    for name, block in (("whole", 1 << 20), ("tiny", 5)):
        monkeypatch.setattr(csv_format._Lines, "BLOCK", block)
        library = Library(tmp_path / name / "library.sqlite")
        try:
            assert str(library.import_file(path)) == "added 3, updated 0, unchanged 0"
            library.open_path(SEED)  # the article at hand, for its "¶ N"
            out = tmp_path / f"{name}.csv"
            library.export(out)
            exports.append(out.read_bytes())
        finally:
            library.close()
    assert exports[0] == exports[1] == serialize(rows)


def test_import_progress_counts_bytes_and_cancel_changes_nothing(exported, target, tmp_path):
    import threading

    from reader.documents import DocumentError

    path = tmp_path / "in.csv"
    path.write_bytes(exported)
    size = len(exported)
    before = counts(target)
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(DocumentError, match=r"^Import cancelled\.$"):
        target.import_file(path, cancel=cancel)
    assert counts(target) == before
    seen: list[tuple[int, int]] = []
    summary = target.import_file(path, progress=lambda done, total: seen.append((done, total)))
    assert str(summary) == "added 3, updated 0, unchanged 0"
    assert seen and seen[-1] == (size, size)
    assert all(total == size for _, total in seen)
    assert [done for done, _ in seen] == sorted(done for done, _ in seen)


def _index_matches(library: Library) -> bool:
    """Every annotation has exactly its own row in the full-text index (same rowid)."""
    db = library.repo.db
    rows = db.execute(
        "SELECT count(*) FROM annotations a JOIN annotations_fts f ON f.rowid = a.rowid "
        "WHERE f.quote = a.quote AND f.note = a.note AND f.claimant = a.claimant"
    ).fetchone()[0]
    c = counts(library)
    return rows == c["annotations"] == c["annotations_fts"]


def test_imported_annotations_are_found_by_search(exported, target, tmp_path):
    # The target's newest annotation deleted first: its rowid is the next one SQLite would give.
    own = target.all_annotations()
    seed = target.open_path(SEED)
    start, end = target.find_quote(seed, "Since 2017")
    newest = target.highlight(seed, start, end, note="deleted soon")
    target.delete(newest.id)
    rows = table(_fresh_ids(exported))
    rows[2][COLUMNS.index("tags")] = "zebrafish; when"
    path = tmp_path / "in.csv"
    path.write_bytes(serialize(rows))
    assert str(target.import_file(path)) == "added 3, updated 0, unchanged 0"
    assert _index_matches(target)
    assert [a.note for a in target.search("too high")] == ["too high"]
    assert [a.id for a in target.search("zebrafish")] == [rows[2][1]]
    assert {a.id for a in target.search("mine")} == {a.id for a in own}
    # an update re-indexes the annotation it changes
    rows[1][COLUMNS.index("note")] = "far too low"
    path.write_bytes(serialize(rows))
    assert str(target.import_file(path)) == "added 0, updated 1, unchanged 2"
    assert _index_matches(target)
    assert target.search("too high") == [] and len(target.search("far too low")) == 1
