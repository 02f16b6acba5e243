"""The W3C export checked the way other tools check it: the Web Annotation test suite's own
JSON-schema MUST assertions, JSON-LD expansion, and selectors that select the source's words."""

from __future__ import annotations

import json
import random
import re
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SEED
from test_exchange import build_awkward

from reader.documents.decode import decode_source
from reader.library import Library
from reader.model import AnnotationKind, ClaimStatus, Source, Stance

SUITE = CORPUS.parent / "standards" / "web-annotation-tests"
CLAIMREADER = "https://claim-reader.example/ns#"
CSL = "https://claim-reader.example/ns/csl#"


def _musts(test_file: Path) -> list[dict]:
    """The MUST assertions a suite test file lists, as loaded JSON schemas."""
    listed = json.loads(test_file.read_text(encoding="utf-8"))["assertions"]
    schemas = [json.loads((SUITE / name).read_text(encoding="utf-8")) for name in listed]
    return [s for s in schemas if s.get("assertionType") == "must"]


def _validator_for(schema: dict):
    from jsonschema import Draft4Validator
    from referencing import Registry, Resource
    from referencing.jsonschema import DRAFT4

    resources = []
    for path in sorted((SUITE / "definitions").glob("*.json")):
        contents = json.loads(path.read_text(encoding="utf-8"))
        resources.append((contents["id"], Resource(contents, specification=DRAFT4)))
    registry = Registry().with_resources(resources)
    return Draft4Validator(schema, registry=registry)


def _failures(document: dict, test_file: str) -> list[str]:
    failed = []
    for schema in _musts(SUITE / test_file):
        valid = _validator_for(schema).is_valid(document)
        if valid != (schema.get("expectedResult", "valid") == "valid"):
            failed.append(f"{schema['id']}: {schema.get('errorMessage', '')[:120]}")
    return failed


@pytest.fixture
def exported(library: Library, tmp_path: Path) -> tuple[Library, dict, dict[str, str]]:
    ids = build_awkward(library)
    isbn = library.add_source(
        Source(type="book", title="Numbers", isbn="978-3-16-148410-0", url="https://x.example/b")
    )
    library.cite(ids["claim"], isbn.id, Stance.CONTEXT, locator="ch. 2")
    out = tmp_path / "out.json"
    library.export(out, "json")
    return library, json.loads(out.read_text(encoding="utf-8")), ids


def test_every_annotation_and_the_collection_pass_the_suites_must_assertions(exported):
    _, data, _ = exported
    assert _musts(SUITE / "annotations" / "annotationMusts.test")  # the suite is there
    items = data["first"]["items"]
    assert len(items) == 7
    for item in items:
        # Each annotation as a document of its own, as the suite's harness takes one.
        alone = {"@context": data["@context"], **item}
        assert _failures(alone, "annotations/annotationMusts.test") == [], item["id"]
    assert _failures(data, "collections/collectionMusts.test") == []


def test_the_suites_checks_catch_the_faults_the_old_export_had():
    """The same checks fail on what Claim Reader wrote before (so they can fail)."""
    old = json.loads((ROOT / "tests" / "fixtures" / "webanno-v1.json").read_text("utf-8"))
    item = {"@context": old["@context"], **old["items"][0]}
    failed = _failures(item, "annotations/annotationMusts.test")
    assert any(f.startswith("3.2-bodyObjectsRecognized") for f in failed)
    failed = _failures(old, "collections/collectionMusts.test")
    assert any(f.startswith("5.1-collectionIdValidated") for f in failed)


def _expanded(data: dict) -> list:
    from pyld import jsonld

    from reader.exchange.webanno import CONTEXT_URL, context_document

    local = {
        "http://www.w3.org/ns/anno.jsonld": json.loads(
            (ROOT / "tests" / "fixtures" / "anno.jsonld").read_text(encoding="utf-8")
        ),
        CONTEXT_URL: context_document(),
    }

    def loader(url: str, options=None):  # no network: only the two contexts we ship
        return {"contextUrl": None, "documentUrl": url, "document": local[url]}

    return jsonld.expand(data, {"documentLoader": loader})


def _values(node, predicate: str) -> list:
    """Every value of `predicate` anywhere in expanded JSON-LD."""
    found = []
    if isinstance(node, dict):
        for key, value in node.items():
            if key == predicate:
                for v in value if isinstance(value, list) else [value]:
                    found.append(v.get("@value", v.get("@id", v)) if isinstance(v, dict) else v)
            found.extend(_values(value, predicate))
    elif isinstance(node, list):
        for v in node:
            found.extend(_values(v, predicate))
    return found


def test_json_ld_expansion_keeps_the_claim_data(exported):
    library, data, ids = exported
    expanded = _expanded(data)
    claim = library.annotation(ids["claim"])
    assert claim is not None
    assert "disputed" in _values(expanded, CLAIMREADER + "status")
    assert claim.claimant in _values(expanded, CLAIMREADER + "claimant")
    assert {"supports", "refutes", "context"} <= set(_values(expanded, CLAIMREADER + "stance"))
    assert "table 1" in _values(expanded, CLAIMREADER + "locator")
    assert "=79,770" in _values(expanded, CLAIMREADER + "evidenceQuote")
    assert "10.1000/xyz.123" in _values(expanded, CSL + "DOI")
    assert "978-3-16-148410-0" in _values(expanded, CSL + "ISBN")
    assert "https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm" in _values(
        expanded, CSL + "URL"
    )
    # Nothing the export writes is dropped: every key of the claim body expands.
    body = next(b for b in data["first"]["items"][0]["body"] if b["type"] == "ClaimAssessment")
    context = json.loads(
        (ROOT / "reader" / "exchange" / "claimreader.jsonld").read_text(encoding="utf-8")
    )["@context"]
    for key in body:
        assert key in context or key in ("id", "type"), key


def test_import_reads_the_old_format(tmp_path):
    fixture = ROOT / "tests" / "fixtures" / "webanno-v1.json"
    library = Library(tmp_path / "lib" / "library.sqlite")
    try:
        assert str(library.import_file(fixture)) == "added 2, updated 0, unchanged 0"
        claims = [a for a in library.all_annotations() if a.kind == AnnotationKind.CLAIM]
        assert len(claims) == 1
        claim = claims[0]
        assert claim.status == ClaimStatus.REFUTED and claim.claimant == "CDC"
        assert claim.anchor.quote == "79,770 in 2022" and claim.note == "Off by two thousand."
        (citation,) = library.citations(claim.id)
        source = library.source(citation.source_id)
        assert source is not None and source.isbn == "978-3-16-148410-0"
        assert citation.stance == Stance.REFUTES and citation.locator == "table 1"
        assert [s.name for s in library.sets()] == ["Old check"]
        pdf = next(a for a in library.all_annotations() if a.kind == AnnotationKind.EVIDENCE)
        assert pdf.page == 0 and pdf.anchor.quote == "alphabet"
        assert str(library.import_file(fixture)) == "added 0, updated 0, unchanged 2"
    finally:
        library.close()


def _text_files() -> list[Path]:
    return sorted(p for p in CORPUS.rglob("*") if p.suffix in (".txt", ".md") and p.is_file())


def _pieces(text: str) -> list[str]:
    return re.findall(r"\w+|[^\w\s]", text)


@pytest.mark.parametrize("path", _text_files(), ids=lambda p: p.name)
def test_text_selectors_select_the_files_own_text(path: Path, tmp_path: Path):
    library = Library(tmp_path / "lib" / "library.sqlite")
    try:
        opened = library.open_path(path)
        text = opened.document.text
        words = list(re.finditer(r"\S+", text))
        rnd = random.Random(path.name)
        spans = {(words[0].start(), words[min(2, len(words) - 1)].end())}
        spans.add((words[-1].start(), words[-1].end()))
        for _ in range(6):
            first = rnd.randrange(len(words))
            last = min(len(words) - 1, first + rnd.randrange(6))
            spans.add((words[first].start(), words[last].end()))
        made = {library.highlight(opened, s, e).id: text[s:e] for s, e in sorted(spans)}
        out = tmp_path / "out.json"
        library.export(out, "json")
        source = decode_source(path.read_bytes())
        items = json.loads(out.read_text(encoding="utf-8"))["first"]["items"]
        assert len(items) == len(made)
        for item in items:
            selectors = {s["type"]: s for s in item["target"]["selector"]}
            quote, position = selectors["TextQuoteSelector"], selectors["TextPositionSelector"]
            assert "conformsTo" not in position  # the file's own text
            start, end = position["start"], position["end"]
            assert source[start:end] == quote["exact"]
            assert quote["prefix"] + quote["exact"] + quote["suffix"] in source
            assert source[:start].endswith(quote["prefix"])
            # The same words as the annotation, in the file (Markdown: with its markup).
            found, at = quote["exact"], 0
            wanted = _pieces(made[item["id"].removeprefix("urn:uuid:")])
            assert found.startswith(wanted[0]) and found.endswith(wanted[-1])
            for piece in wanted:
                at = found.index(piece, at) + len(piece)
        other = Library(tmp_path / "other" / "library.sqlite")
        try:
            other.import_file(out)
            for annotation_id, quote_text in made.items():
                back = other.annotation(annotation_id)
                assert back is not None and back.anchor.quote == quote_text
        finally:
            other.close()
    finally:
        library.close()


def test_html_and_pdf_selectors_say_they_index_the_extracted_text(library, tmp_path):
    page = next((CORPUS / "html" / "aeb").glob("*.html"))
    opened = library.open_path(page)
    text = opened.document.text
    start = text.index(" ", 40) + 1
    end = text.index(" ", start + 20)
    library.highlight(opened, start, end)
    out = tmp_path / "out.json"
    library.export(out, "json")
    data = json.loads(out.read_text(encoding="utf-8"))
    (item,) = data["first"]["items"]
    alone = {"@context": data["@context"], **item}
    assert _failures(alone, "annotations/annotationMusts.test") == []
    selectors = {s["type"]: s for s in item["target"]["selector"]}
    position = selectors["TextPositionSelector"]
    assert position["conformsTo"] == CLAIMREADER + "normalized-text"
    assert text[position["start"] : position["end"]] == selectors["TextQuoteSelector"]["exact"]
    assert "textAnchor" not in json.dumps(item)
    # The documented meaning of that conformsTo is in the docs.
    assert "normalized-text" in (ROOT / "docs" / "exchange.md").read_text(encoding="utf-8")


def test_seed_offsets_now_match_the_file(library, tmp_path):
    """The issue's own case: on the plain-text seed source[start:end] was off by 6-21."""
    seed = library.open_path(SEED)
    for quote in ("79,770 in 2022", "Since 2017", "counternarcotics cooperation"):
        start, end = library.find_quote(seed, quote)
        library.highlight(seed, start, end)
    out = tmp_path / "seed.json"
    library.export(out, "json")
    source = SEED.read_text(encoding="utf-8")
    for item in json.loads(out.read_text(encoding="utf-8"))["first"]["items"]:
        selectors = {s["type"]: s for s in item["target"]["selector"]}
        start, end = (
            selectors["TextPositionSelector"]["start"],
            selectors["TextPositionSelector"]["end"],
        )
        assert source[start:end] == selectors["TextQuoteSelector"]["exact"]
