"""Sources and citations through the Library: dedupe, merge, evidence from own documents."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

from conftest import CORPUS, ROOT, SEED

from reader.model import Source, Stance

CDC_PDF = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"


def claim(library, quote="surged to 79,770 in 2022"):
    opened = library.open_path(SEED)
    start = opened.document.text.index(quote)
    return opened, library.highlight(opened, start, start + len(quote))


def test_sources_are_shared_and_deduplicated(library):
    _, a = claim(library)
    _, b = claim(library, "5 percent of the world's population")
    first = library.add_source(
        Source(type="report", title="Drug overdose deaths", doi="10.15620/CDC:135849")
    )
    again = library.add_source(Source(title="Same DOI other case", doi="10.15620/cdc:135849"))
    assert again.id == first.id
    web = library.add_source(
        Source(title="Page", url="https://www.example.org/story/?utm_source=x")
    )
    web2 = library.add_source(Source(title="Page", url="https://example.org/story"))
    assert web2.id == web.id
    library.cite(a.id, first.id, Stance.REFUTES, locator="p. 2")
    library.cite(b.id, first.id, Stance.CONTEXT)
    counts = dict((s.id, n) for s, n in library.sources())
    assert counts == {first.id: 2, web.id: 0}
    assert library.citation_counts()[a.id] == (0, 1, 0)
    assert [x.id for x in library.annotations_citing(first.id)] == [a.id, b.id]


def test_merge_keeps_every_citation(library):
    _, a = claim(library)
    _, b = claim(library, "5 percent of the world's population")
    keep = library.add_source(
        Source(title="UNODC World Drug Report 2023", url="https://unodc.org/wdr")
    )
    drop = library.add_source(
        Source(title="World Drug Report", doi="10.18356/wdr2023", issued="2023")
    )
    library.cite(a.id, keep.id)
    library.cite(b.id, drop.id, Stance.REFUTES)
    library.cite(a.id, drop.id, Stance.CONTEXT)
    merged = library.merge_sources(keep.id, drop.id)
    assert merged.title == "UNODC World Drug Report 2023"
    assert (merged.doi, merged.issued) == ("10.18356/wdr2023", "2023")  # filled from the other
    assert library.source(drop.id) is None
    assert len(library.citations(a.id)) == 2 and len(library.citations(b.id)) == 1
    assert {c.source_id for c in library.citations(a.id) + library.citations(b.id)} == {keep.id}
    # The dropped source's DOI now finds the merged one.
    assert library.add_source(Source(doi="10.18356/WDR2023")).id == keep.id


def test_use_a_passage_of_a_pdf_as_evidence(library):
    _, a = claim(library)
    pdf = library.open_path(CDC_PDF)
    text = pdf.document.text
    page = 5
    base = pdf.document.page_text_offset(page)
    start = base + 10
    end = start + 60
    citation = library.use_as_evidence(pdf, start, end, a.id, Stance.SUPPORTS)
    assert citation.evidence_quote == text[start:end]
    assert citation.locator == f"p. {page + 1}"
    source = library.source(citation.source_id)
    assert source.document_id == pdf.record.id
    assert source.title == pdf.record.title
    passage = library.annotation(citation.evidence_annotation_id)
    assert str(passage.kind) == "evidence" and passage.document_id == pdf.record.id
    # A second passage of the same document cites the same source.
    again = library.use_as_evidence(pdf, start + 100, end + 100, a.id, Stance.CONTEXT)
    assert again.source_id == citation.source_id


def test_deleting_an_annotation_and_restoring_it_brings_its_citations_back(library):
    _, a = claim(library)
    source = library.add_source(Source(title="CDC WONDER", url="https://wonder.cdc.gov"))
    library.cite(a.id, source.id, Stance.REFUTES, locator="table 1")
    saved = library.saved_state(a.id)
    library.delete(a.id)
    assert library.citations(a.id) == []
    library.restore(*saved)
    (restored,) = library.citations(a.id)
    assert (restored.stance, restored.locator) == (Stance.REFUTES, "table 1")


def cli(db, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


BIBTEX = """@techreport{spencer2024,
  author = {Spencer, Merianne R. and Garnett, Matthew F. and Mini{\\~n}o, Arialdi M.},
  title = {Drug Overdose Deaths in the United States, 2002--2022},
  institution = {National Center for Health Statistics},
  year = {2024},
  number = {491},
  doi = {10.15620/cdc:135849}
}"""


def test_cli_annotate_with_a_citation(tmp_path):
    db = tmp_path / "lib.sqlite"
    result = cli(
        db,
        "annotate",
        str(SEED),
        "--quote",
        "surged to 79,770 in 2022",
        "--cite",
        BIBTEX,
        "--stance",
        "refutes",
        "--locator",
        "fig. 1",
        "--evidence-quote",
        "107,941 drug overdose deaths occurred in 2022",
    )
    assert result.returncode == 0, result.stderr
    (row,) = json.loads(cli(db, "list", "--json").stdout)
    (cited,) = row["citations"]
    assert cited["stance"] == "refutes" and cited["locator"] == "fig. 1"
    assert cited["source_title"].startswith("Drug Overdose Deaths in the United States")
    assert cited["source_authors"][0].startswith("Spencer")
    assert cited["source_date"] == "2024"
    assert cited["source_doi"] == "10.15620/cdc:135849"


def test_cli_bad_reference_saves_nothing(tmp_path):
    db = tmp_path / "lib.sqlite"
    result = cli(
        db,
        "annotate",
        str(SEED),
        "--quote",
        "surged to 79,770 in 2022",
        "--cite",
        "@article{broken, title = {no end",
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: --cite:")
    assert len(result.stderr.strip().splitlines()) == 1
    if db.exists():
        con = sqlite3.connect(db)
        assert con.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
        con.close()
    stance_only = cli(db, "annotate", str(SEED), "--quote", "surged", "--stance", "supports")
    assert stance_only.returncode == 1 and "--cite" in stance_only.stderr
