"""Export: the contract's CSV and W3C JSON, byte-identical round trips through an empty library."""

from __future__ import annotations

import csv
import io
import json
import threading
from pathlib import Path

import pytest
from conftest import CORPUS, SEED

from reader.library import Cancelled, DocumentError, Library
from reader.model import AnnotationKind, ClaimStatus, ExportScope, Source, Stance

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"

HEADER = (
    "set,annotation_id,document_title,document_file,document_sha256,location,page,start,end,"
    "quote,prefix,suffix,kind,color,status,claimant,note,tags,anchor_state,created_at,updated_at,"
    "citation_id,stance,source_title,source_authors,source_publisher,source_date,source_url,"
    "source_doi,locator,evidence_quote,accessed_at,archived_url,source_isbn,number_check"
)

LONG_NOTE = ('A five-thousand character note, with commas, "quotes" and\nnew lines. ' * 80)[:5000]
ARABIC = "هذا الادعاء مضلل: الأرقام لا تتطابق مع بيانات مراكز السيطرة على الأمراض"


def highlight(library: Library, opened, quote: str, occurrence: int = 1, **fields):
    start, end = library.find_quote(opened, quote, occurrence)
    return library.highlight(opened, start, end, **fields)


def build_awkward(library: Library) -> dict[str, str]:
    """A library whose values test every quoting rule; returns a few annotation ids by name."""
    seed = library.open_path(SEED)
    ids: dict[str, str] = {}
    claim = highlight(
        library,
        seed,
        "79,770 in 2022",
        kind=AnnotationKind.CLAIM,
        status=ClaimStatus.DISPUTED,
        note='=HYPERLINK("http://evil.example","click")\nsecond line, with "quotes", commas',
        tags=("opioids", "+1", "@mention"),
        claimant='@CDC, "officially"',
    )
    ids["claim"] = claim.id
    report = library.add_source(
        Source(
            type="report",
            title="Provisional drug overdose death counts",
            authors=("Ahmad, F. B.", "National Center for Health Statistics"),
            container_title="NCHS Vital Statistics Rapid Release",
            issued="2023-05",
            url="https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm",
            accessed="2026-11-29",
            archived_url="https://web.archive.org/web/2023/https://www.cdc.gov/nchs/",
        )
    )
    paper = library.add_source(
        Source(type="article-journal", title="-Negative title", doi="10.1000/xyz.123")
    )
    library.cite(claim.id, report.id, Stance.SUPPORTS, locator="table 1", evidence_quote="=79,770")
    library.cite(claim.id, paper.id, Stance.REFUTES, locator="-3", evidence_quote="'as quoted'")
    minus = highlight(library, seed, "Since 2017", note="-3", tags=("'quoted tag",))
    ids["minus"] = minus.id
    minus_decimal = highlight(
        library,
        seed,
        "fentanyl-related substances",
        kind=AnnotationKind.QUESTION,
        note="-3.5",
        claimant="'already quoted",
    )
    ids["minus_decimal"] = minus_decimal.id
    rtl = highlight(
        library,
        seed,
        "counternarcotics cooperation",
        kind=AnnotationKind.COMMENT,
        note=f"{ARABIC} 🚫🧪 — émoji\r\nand CRLF",
        tags=("عربي", "🧪"),
    )
    ids["rtl"] = rtl.id
    long = highlight(library, seed, "the bilateral cooperation", note=LONG_NOTE)
    ids["long"] = long.id
    tab = highlight(library, seed, "rigid drug control policy", note="\tindented", claimant="\rcr")
    ids["tab"] = tab.id
    pdf = library.open_path(PDF)
    text = pdf.document.text
    start = text.index("alphabet")
    evidence = library.highlight(
        pdf, start, start + len("alphabet"), AnnotationKind.EVIDENCE, note="+44 20 7946 0000"
    )
    ids["pdf"] = evidence.id
    library.cite(evidence.id, report.id, Stance.CONTEXT)
    check = library.ensure_set("Fentanyl check")
    library.add_to_set(check.id, [claim.id, minus.id, evidence.id])
    other = library.ensure_set("Ärger")
    library.add_to_set(other.id, [claim.id])
    return ids


@pytest.fixture
def awkward(library: Library) -> tuple[Library, dict[str, str]]:
    return library, build_awkward(library)


def fresh(tmp_path: Path, name: str) -> Library:
    return Library(tmp_path / name / "library.sqlite")


def rows(data: bytes) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(data.decode("utf-8-sig"), newline="")))


def test_csv_header_is_exactly_the_contract_and_lines_end_with_crlf(awkward, tmp_path):
    library, _ = awkward
    out = tmp_path / "out.csv"
    assert library.export(out) == 7
    data = out.read_bytes()
    assert data.startswith((HEADER + "\r\n").encode())
    assert not data.startswith(b"\xef\xbb\xbf")
    # every record ends with CRLF; bare LF occurs only inside quoted cells
    assert data.endswith(b"\r\n")


def test_excel_export_starts_with_a_bom(awkward, tmp_path):
    library, _ = awkward
    out = tmp_path / "excel.csv"
    library.export(out, excel=True)
    library.export(tmp_path / "plain.csv")
    data = out.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf" + HEADER.encode())
    assert data[3:] == (tmp_path / "plain.csv").read_bytes()


def test_one_row_per_citation_ordered_by_document_then_start(awkward, tmp_path):
    library, ids = awkward
    out = tmp_path / "out.csv"
    library.export(out)
    table = rows(out.read_bytes())
    by_annotation = [r["annotation_id"] for r in table]
    assert by_annotation.count(ids["claim"]) == 2  # two citations, two rows
    assert by_annotation.count(ids["long"]) == 1  # no citation: one row, citation cells empty
    lone = next(r for r in table if r["annotation_id"] == ids["long"])
    assert all(lone[c] == "" for c in list(lone)[21:])
    seed_rows = [r for r in table if r["document_file"] == str(SEED.resolve())]
    starts = [int(r["start"]) for r in seed_rows]
    assert starts == sorted(starts)
    assert table[-1]["annotation_id"] == ids["pdf"]  # the PDF was opened second
    claim_rows = [r for r in table if r["annotation_id"] == ids["claim"]]
    assert [r["stance"] for r in claim_rows] == ["supports", "refutes"]  # citation order
    assert claim_rows[0]["source_authors"] == "Ahmad, F. B.; National Center for Health Statistics"
    assert claim_rows[0]["source_publisher"] == "NCHS Vital Statistics Rapid Release"
    assert claim_rows[0]["source_date"] == "2023-05"
    assert claim_rows[1]["source_doi"] == "10.1000/xyz.123"
    assert claim_rows[0]["set"] == "Fentanyl check; Ärger"


def test_cells_are_formula_safe(awkward, tmp_path):
    library, ids = awkward
    out = tmp_path / "out.csv"
    library.export(out)
    table = rows(out.read_bytes())
    row = {r["annotation_id"]: r for r in table}
    claim = [r for r in table if r["annotation_id"] == ids["claim"]]
    assert claim[0]["note"].startswith("'=HYPERLINK(")
    assert claim[0]["claimant"] == '\'@CDC, "officially"'
    assert claim[0]["tags"] == "'+1; @mention; opioids"  # the cell starts with "+"
    assert claim[0]["evidence_quote"] == "'=79,770"
    assert claim[1]["evidence_quote"] == "''as quoted'"  # a leading ' gets one more
    assert claim[1]["locator"] == "-3"  # a plain number stays as it is
    assert claim[1]["source_title"] == "'-Negative title"
    assert row[ids["minus"]]["note"] == "-3"
    assert row[ids["minus"]]["tags"] == "''quoted tag"
    assert row[ids["minus_decimal"]]["note"] == "-3.5"
    assert row[ids["minus_decimal"]]["claimant"] == "''already quoted"
    assert row[ids["tab"]]["note"] == "'\tindented"
    assert row[ids["tab"]]["claimant"] == "'\rcr"
    assert row[ids["pdf"]]["note"] == "'+44 20 7946 0000"
    assert row[ids["rtl"]]["note"].startswith(ARABIC)
    assert row[ids["long"]]["note"] == LONG_NOTE
    # no cell of the file starts with a formula character unless it is a plain number
    for r in table:
        for value in r.values():
            if value[:1] in ("=", "+", "-", "@", "\t", "\r"):
                assert value.lstrip("-+").replace(".", "", 1).isdigit(), value


def test_location_page_and_times(awkward, tmp_path):
    library, ids = awkward
    out = tmp_path / "out.csv"
    library.export(out)
    row = {r["annotation_id"]: r for r in rows(out.read_bytes())}
    pdf = row[ids["pdf"]]
    assert pdf["page"] == "1" and pdf["location"] == "p. 1"
    claim = row[ids["claim"]]
    assert claim["page"] == ""
    opened = library.open_path(SEED)
    paragraph = opened.document.text[: int(claim["start"])].count("\n\n") + 1
    assert claim["location"] == f"¶ {paragraph}" and paragraph > 1
    assert len(claim["created_at"]) == 20 and claim["created_at"].endswith("Z")
    assert claim["document_sha256"] == opened.record.sha256


@pytest.mark.parametrize("fmt", ["csv", "json"])
def test_round_trip_through_an_empty_library_is_byte_identical(awkward, tmp_path, fmt):
    library, ids = awkward
    first = tmp_path / f"first.{fmt}"
    second = tmp_path / f"second.{fmt}"
    library.export(first, fmt)
    other = fresh(tmp_path, "other")
    try:
        summary = other.import_file(first)
        assert str(summary) == "added 7, updated 0, unchanged 0"
        # The article at hand: its "¶ N" comes from its text, never from the file the export
        # names (only a hint, never read).
        other.open_path(SEED)
        assert other.export(second, fmt) == 7
        # anchors survive: quote, prefix, suffix, offsets and page
        for name in ("claim", "pdf", "rtl"):
            a, b = library.annotation(ids[name]), other.annotation(ids[name])
            assert a is not None and b is not None
            assert b.anchor == a.anchor and b.page == a.page and b.note == a.note
        assert {s.name: s.count for s in other.sets()} == {"Ärger": 1, "Fentanyl check": 3}
    finally:
        other.close()
    assert second.read_bytes() == first.read_bytes()


def test_json_is_a_w3c_annotation_collection(awkward, tmp_path):
    library, ids = awkward
    out = tmp_path / "out.json"
    library.export(out, "json")
    data = json.loads(out.read_text(encoding="utf-8"))
    assert "http://www.w3.org/ns/anno.jsonld" in data["@context"]
    assert data["type"] == "AnnotationCollection" and data["total"] == 7
    assert data["id"].startswith("urn:uuid:") and data["first"]["type"] == "AnnotationPage"
    items = data["first"]["items"]
    item = next(i for i in items if i["id"] == f"urn:uuid:{ids['pdf']}")
    assert item["type"] == "Annotation"
    assert item["target"]["source"].startswith("urn:sha256:")
    kinds = {s["type"]: s for s in item["target"]["selector"]}
    assert kinds["TextQuoteSelector"]["exact"] == "alphabet"
    position = kinds["TextPositionSelector"]
    assert position["end"] - position["start"] == 8
    assert position["conformsTo"].endswith("#normalized-text")  # a PDF's text, as extracted
    assert kinds["FragmentSelector"]["value"] == "page=1"
    assert kinds["FragmentSelector"]["refinedBy"]["exact"] == "alphabet"
    claim = next(i for i in items if i["id"] == f"urn:uuid:{ids['claim']}")
    purposes = [b.get("purpose") for b in claim["body"]]
    assert purposes.count("tagging") == 3 and "commenting" in purposes
    fields = next(b for b in claim["body"] if b.get("type") == "ClaimAssessment")
    assert fields["id"].startswith("urn:uuid:")
    assert fields["status"] == "disputed" and fields["sets"] == ["Fentanyl check", "Ärger"]
    assert [c["stance"] for c in fields["citations"]] == ["supports", "refutes"]


def test_scopes_and_their_errors(awkward, tmp_path):
    library, ids = awkward
    out = io.StringIO()
    assert library.export(out, scope=ExportScope("set", "fentanyl CHECK")) == 3
    pdf_sha = library.open_path(PDF).record.sha256
    assert library.export(io.StringIO(), scope=ExportScope("document", pdf_sha)) == 1
    with pytest.raises(DocumentError, match='There is no set named "Nope"'):
        library.export(tmp_path / "x.csv", scope=ExportScope("set", "Nope"))
    with pytest.raises(DocumentError, match="not in the library"):
        library.export(tmp_path / "x.csv", scope=ExportScope("document", "0" * 64))
    with pytest.raises(DocumentError, match="not an export format"):
        library.export(tmp_path / "x.csv", "xlsx")
    assert not (tmp_path / "x.csv").exists()
    records = list(library.export_records(ExportScope("set", "Ärger")))
    assert [r.annotation.id for r in records] == [ids["claim"]]
    assert len(records[0].citations) == 2 and records[0].sets == ("Fentanyl check", "Ärger")


def test_cancel_leaves_no_file_and_progress_reaches_the_total(awkward, tmp_path):
    library, _ = awkward
    folder = tmp_path / "out"
    folder.mkdir()
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match="Export cancelled."):
        library.export(folder / "cancelled.csv", cancel=cancel)
    assert list(folder.iterdir()) == []
    seen: list[tuple[int, int]] = []
    library.export(folder / "ok.json", "json", progress=lambda d, t: seen.append((d, t)))
    assert seen[0] == (0, 7) and seen[-1] == (7, 7)
    assert [p.name for p in folder.iterdir()] == ["ok.json"]


def test_a_failing_export_keeps_the_old_file(awkward, tmp_path, monkeypatch):
    library, _ = awkward
    (tmp_path / "out").mkdir()
    target = tmp_path / "out" / "keep.csv"
    target.write_text("old contents", encoding="utf-8")
    import reader.exchange.csv_format as csv_format

    def broken(record, place=""):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(csv_format, "rows_for", broken)
    with pytest.raises(RuntimeError):
        library.export(target)
    assert target.read_text(encoding="utf-8") == "old contents"
    assert [p.name for p in target.parent.iterdir()] == ["keep.csv"]


def test_records_are_paged_in_order(library, tmp_path):
    """Keyset paging with ties on start: nothing lost, nothing repeated, order kept."""
    from reader.store.exchange import ExchangeStore

    seed = library.open_path(SEED)
    made = []
    for i in range(23):
        made.append(library.highlight(seed, 100 + (i % 3), 120, note=str(i)).id)
    store = ExchangeStore(library.repo)
    paged = [r.annotation for r in store.records(batch=4)]
    whole = [r.annotation for r in store.records(batch=1000)]
    assert paged == whole and len(paged) == 23
    assert [(a.anchor.start, a.id) for a in paged] == sorted((a.anchor.start, a.id) for a in paged)


@pytest.mark.parametrize("fmt", ["md", "claimreview"])
def test_other_formats_are_dispatched(awkward, tmp_path, fmt):
    module = {"md": "reader.exchange.markdown", "claimreview": "reader.exchange.claimreview"}
    pytest.importorskip(module[fmt])
    library, _ = awkward
    out = tmp_path / f"out.{fmt}"
    review = {"review_url": "https://factdesk.example/c", "org": "Fact Desk"}
    written = library.export(out, fmt, **(review if fmt == "claimreview" else {}))
    assert written >= 1 and out.stat().st_size > 0


def test_an_excel_export_imports_like_the_plain_one(awkward, tmp_path):
    library, _ = awkward
    library.export(tmp_path / "excel.csv", excel=True)
    library.export(tmp_path / "plain.csv")
    other = fresh(tmp_path, "other")
    try:
        assert str(other.import_file(tmp_path / "excel.csv")) == "added 7, updated 0, unchanged 0"
        assert str(other.import_file(tmp_path / "plain.csv")) == "added 0, updated 0, unchanged 7"
        other.open_path(SEED)  # the article at hand, for its "¶ N"
        other.export(tmp_path / "again.csv", excel=True)
    finally:
        other.close()
    assert (tmp_path / "again.csv").read_bytes() == (tmp_path / "excel.csv").read_bytes()
