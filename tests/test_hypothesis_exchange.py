"""Hypothesis JSON in and out: what the Hypothesis client's importer reads, field by field, and
a file in the client's own export format re-anchored on the library's copies of its pages."""

from __future__ import annotations

import hashlib
import json
import re
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from conftest import CORPUS, ROOT, SEED

from reader.documents.decode import decode_source
from reader.library import Library
from reader.model import AnchorState, AnnotationKind, ClaimStatus

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
PAGE = CORPUS / "html" / "readability" / "bbc-1" / "source.html"


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, cwd=ROOT
    )


class Handler(BaseHTTPRequestHandler):
    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        body = PAGE.read_bytes()
        self.send_response(200)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)


@pytest.fixture
def server():
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    httpd.shutdown()
    httpd.server_close()


def annotate(library: Library) -> dict[str, str]:
    seed = library.open_path(SEED)
    ids = {}
    start, end = library.find_quote(seed, "79,770 in 2022")
    ids["claim"] = library.highlight(
        seed,
        start,
        end,
        AnnotationKind.CLAIM,
        status=ClaimStatus.REFUTED,
        note="Off by two thousand.",
        tags=("opioids", "cdc"),
        claimant="CDC",
    ).id
    start, end = library.find_quote(seed, "counternarcotics cooperation")
    ids["comment"] = library.highlight(seed, start, end, AnnotationKind.COMMENT, note="why?").id
    pdf = library.open_path(PDF)
    start = pdf.document.text.index("alphabet")
    ids["pdf"] = library.highlight(pdf, start, start + 8, AnnotationKind.EVIDENCE).id
    return ids


def client_import(data: dict) -> list[dict]:
    """What the Hypothesis client's importer does with a file (helpers/import.ts
    `readExportFile`, services/import-annotations.ts `getImportData` and `duplicateMatch`):
    the fields it keeps, each checked to be what it uses it as."""
    assert isinstance(data, dict) and isinstance(data["annotations"], list)
    kept = []
    for ann in data["annotations"]:
        assert isinstance(ann["text"], str)
        assert isinstance(ann["tags"], list) and all(isinstance(t, str) for t in ann["tags"])
        assert isinstance(ann["uri"], str) and ann["uri"]
        assert isinstance(ann["document"], dict)
        assert isinstance(ann["target"], list) and ann["target"]
        target = ann["target"][0]
        assert target["source"] == ann["uri"]
        quote = next(s for s in target["selector"] if s["type"] == "TextQuoteSelector")
        assert isinstance(quote["exact"], str) and quote["exact"]
        # What the API returns and the exporter writes beside them.
        assert set(ann["permissions"]) == {"read", "admin", "update", "delete"}
        for key in ("id", "created", "updated", "user", "group"):
            assert isinstance(ann[key], str) and ann[key]
        kept.append({k: ann[k] for k in ("target", "tags", "text", "uri", "document")})
    return kept


def test_export_is_what_the_hypothesis_importer_reads(library, tmp_path):
    ids = annotate(library)
    out = tmp_path / "hypothesis.json"
    assert library.export(out, "hypothesis") == 3
    data = json.loads(out.read_text(encoding="utf-8"))
    assert set(data) == {"export_date", "export_userid", "client_version", "annotations"}
    kept = client_import(data)
    by_id = {a["id"]: a for a in data["annotations"]}
    claim = by_id[ids["claim"]]
    assert claim["text"] == "Off by two thousand." and claim["tags"] == ["cdc", "opioids"]
    assert claim["uri"] == SEED.resolve().as_uri()
    # A text file: the position counts the file's own text, as a browser shows it.
    selectors = {s["type"]: s for s in claim["target"][0]["selector"]}
    source = decode_source(SEED.read_bytes())
    position = selectors["TextPositionSelector"]
    assert source[position["start"] : position["end"]] == selectors["TextQuoteSelector"]["exact"]
    # A PDF: PDF.js's text is not ours, so no position; the page instead.
    pdf = {s["type"]: s for s in by_id[ids["pdf"]]["target"][0]["selector"]}
    assert "TextPositionSelector" not in pdf
    assert pdf["PageSelector"] == {"type": "PageSelector", "index": 0, "label": "1"}
    assert pdf["TextQuoteSelector"]["exact"] == "alphabet"
    # A local PDF is named as Hypothesis names it: by PDF.js's fingerprint, the trailer's
    # first file identifier (read here straight from the file's bytes).
    file_id = re.findall(rb"/ID\s*\[\s*<([0-9A-Fa-f]{32})>", PDF.read_bytes())[-1]
    urn = "urn:x-pdf:" + file_id.decode().lower()
    assert by_id[ids["pdf"]]["uri"] == urn
    assert by_id[ids["pdf"]]["document"]["link"] == [{"href": urn}]
    assert len(kept) == 3


def test_round_trip_through_another_library(library, tmp_path):
    ids = annotate(library)
    out = tmp_path / "hypothesis.json"
    library.export(out, "hypothesis")
    other = Library(tmp_path / "other" / "library.sqlite")
    try:
        other.open_path(SEED)
        other.open_path(PDF)
        summary = other.import_file(out)
        assert (summary.added, summary.updated, summary.unchanged) == (3, 0, 0)
        assert summary.missing == ()
        for name, annotation_id in ids.items():
            a, b = library.annotation(annotation_id), other.annotation(annotation_id)
            assert a is not None and b is not None, name
            assert b.anchor.quote == a.anchor.quote and b.anchor.state == AnchorState.EXACT
            assert (b.anchor.start, b.anchor.end, b.page) == (a.anchor.start, a.anchor.end, a.page)
            assert (b.note, b.tags, b.kind, b.status, b.claimant) == (
                a.note,
                a.tags,
                a.kind,
                a.status,
                a.claimant,
            )
        assert str(other.import_file(out)) == "added 0, updated 0, unchanged 3"
    finally:
        other.close()


def hypothesis_file(uri: str, exact: str, prefix: str, suffix: str) -> dict:
    """A file as the Hypothesis client exports it (its ids, users and fields)."""
    return {
        "export_date": "2026-11-30T10:00:00.000Z",
        "export_userid": "acct:sam@hypothes.is",
        "client_version": "1.1500.0",
        "annotations": [
            {
                "id": "kZ3rJ1P0Ee-mhHMkS2t2Vw",
                "created": "2026-11-29T14:03:00.123456+00:00",
                "updated": "2026-11-29T14:05:00.654321+00:00",
                "user": "acct:sam@hypothes.is",
                "uri": uri,
                "text": "Check this against the **ONS** figures.",
                "tags": ["economy", "to check"],
                "group": "__world__",
                "permissions": {
                    "read": ["group:__world__"],
                    "admin": ["acct:sam@hypothes.is"],
                    "update": ["acct:sam@hypothes.is"],
                    "delete": ["acct:sam@hypothes.is"],
                },
                "target": [
                    {
                        "source": uri,
                        "selector": [
                            {"type": "RangeSelector", "startContainer": "/div[1]/p[3]",
                             "startOffset": 0, "endContainer": "/div[1]/p[3]", "endOffset": 40},
                            {"type": "TextPositionSelector", "start": 5012,
                             "end": 5012 + len(exact)},
                            {"type": "TextQuoteSelector", "exact": exact, "prefix": prefix,
                             "suffix": suffix},
                        ],
                    }
                ],
                "document": {"title": ["A page"]},
                "links": {"html": "https://hypothes.is/a/kZ3rJ1P0Ee-mhHMkS2t2Vw"},
                "user_info": {"display_name": "Sam Checker"},
                "flagged": False,
                "hidden": False,
            }
        ],
    }  # fmt: skip


def test_a_hypothesis_export_is_re_anchored_on_the_page_opened_from_its_url(
    library, server, tmp_path
):
    url = f"{server}/news/story"
    opened = library.open(url)
    text = opened.document.text
    at = text.index(" ", len(text) // 2) + 1
    end = text.index(" ", at + 30)
    exact = text[at:end]
    # Hypothesis recorded the page with a fragment the library's copy does not have.
    data = hypothesis_file(url + "#top", exact, text[at - 20 : at], text[end : end + 20])
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    summary = library.import_file(path)
    assert (summary.added, summary.missing) == (1, ())
    (imported,) = [a for a in library.annotations(opened)]
    assert imported.anchor.quote == exact and imported.anchor.state == AnchorState.EXACT
    assert imported.note == "Check this against the **ONS** figures."
    assert imported.tags == ("economy", "to check") and imported.author == "Sam Checker"
    assert imported.created_at == "2026-11-29T14:03:00Z"
    assert imported.kind == AnnotationKind.COMMENT
    # Again: the same id (from Hypothesis's), nothing added.
    assert str(library.import_file(path)) == "added 0, updated 0, unchanged 1"


def test_pages_not_in_the_library_are_named(tmp_path):
    db = tmp_path / "lib.sqlite"
    path = tmp_path / "hypothesis.json"
    page = "https://news.example/2026/story"
    path.write_text(json.dumps(hypothesis_file(page, "some words", "", "")), encoding="utf-8")
    result = run("--db", str(db), "import", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"missing: {page} is not in the library; open it and import again",
        "error: none of the annotated pages is in the library.",
    ]
    library = Library(db)
    try:
        assert library.all_annotations() == []
    finally:
        library.close()


def test_a_broken_hypothesis_file_is_one_sentence(tmp_path):
    db = tmp_path / "lib.sqlite"
    path = tmp_path / "hypothesis.json"
    data = hypothesis_file("https://x.example/", "words", "", "")
    data["annotations"][0]["target"] = "not a list"
    path.write_text(json.dumps(data), encoding="utf-8")
    result = run("--db", str(db), "import", str(path))
    assert result.returncode == 1
    assert result.stderr.splitlines() == ['error: annotation 1: "target" is not a list of targets.']


def test_the_gui_offers_to_open_missing_pages(window, library, qtbot, tmp_path):
    path = tmp_path / "hypothesis.json"
    page = SEED.resolve().as_uri()
    seed_text = SEED.read_text(encoding="utf-8")
    data = hypothesis_file(page, "79,770 in 2022", "", "")
    path.write_text(json.dumps(data), encoding="utf-8")
    window.choose_open_path = lambda title, folder, name_filter: str(path)
    with qtbot.waitSignal(window.exchange_finished, timeout=20000):
        window.action("import").trigger()
    box = window.exchange.missing_pages_box
    assert box is not None and box.isVisible()
    assert page in box.informativeText()
    open_button = next(b for b in box.buttons() if b.text() == "Open them")
    open_button.click()
    qtbot.waitUntil(lambda: window.current_tab() is not None, timeout=20000)
    assert window.current_tab().opened.document.text.count("79,770 in 2022") == seed_text.count(
        "79,770 in 2022"
    )
    # Imported again now that the page is open: the annotation lands on it.
    with qtbot.waitSignal(window.exchange_finished, timeout=20000):
        window.action("import").trigger()
    assert window.exchange.missing_pages_box is None
    assert [a.anchor.quote for a in library.all_annotations()] == ["79,770 in 2022"]


def test_export_dialog_offers_hypothesis(window, library, qtbot, tmp_path):
    annotate(library)
    target = tmp_path / "h.json"
    window.choose_save_path = lambda title, start, name_filter: str(target)
    window.action("export").trigger()
    dialog = window.exchange.export_dialog
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("hypothesis"))
    dialog.scope_all.setChecked(True)
    dialog.browse_button.click()
    with qtbot.waitSignal(window.exchange_finished, timeout=20000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0], blocker.args
    assert len(client_import(json.loads(target.read_text(encoding="utf-8")))) == 3


def test_markdown_round_trip_keeps_the_anchor_where_the_file_has_markup(library, tmp_path):
    readme = CORPUS / "README.md"
    opened = library.open_path(readme)
    text = opened.document.text
    start = text.index("user password openpassword")  # `openpassword` in the file
    end = start + len("user password openpassword")
    made = library.highlight(opened, start, end, AnnotationKind.COMMENT, note="code span")
    out = tmp_path / "h.json"
    library.export(out, "hypothesis")
    (ann,) = json.loads(out.read_text(encoding="utf-8"))["annotations"]
    selectors = {s["type"]: s for s in ann["target"][0]["selector"]}
    # The file's own text, markup and all: from the first word to the last.
    assert selectors["TextQuoteSelector"]["exact"] == "user password `openpassword"
    source = decode_source(readme.read_bytes())
    position = selectors["TextPositionSelector"]
    assert source[position["start"] : position["end"]] == "user password `openpassword"
    other = Library(tmp_path / "other" / "library.sqlite")
    try:
        other.open_path(readme)
        assert other.import_file(out).added == 1
        back = other.annotation(made.id)
        assert back is not None and back.anchor == made.anchor
    finally:
        other.close()


def test_pdf_fingerprints_follow_pdf_js():
    from reader.documents.pdf import pdf_fingerprint

    for name in ("cmyk-image.pdf", "imagemagick-images.pdf"):  # no ID; an ID not 16 bytes
        path = CORPUS / "pdf" / name
        assert pdf_fingerprint(path) == hashlib.md5(path.read_bytes()[:1024]).hexdigest()
    assert pdf_fingerprint(CORPUS / "pdf" / "minimal-document.pdf") == (
        "7196c3e355c17c9f53ba9a0dca70cdd0"
    )


def test_a_hypothesis_pdf_annotation_finds_the_library_pdf_by_fingerprint(library, tmp_path):
    from reader.documents.pdf import pdf_fingerprint

    opened = library.open_path(PDF)
    text = opened.document.page_text(1)
    words = " ".join(text.split()[2:6])
    data = hypothesis_file(f"urn:x-pdf:{pdf_fingerprint(PDF)}", words, "", "")
    data["annotations"][0]["target"][0]["selector"] = [
        {"type": "TextQuoteSelector", "exact": words, "prefix": "", "suffix": ""},
        {"type": "PageSelector", "index": 1, "label": "2"},
    ]
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert library.import_file(path).added == 1
    (annotation,) = library.annotations(opened)
    assert " ".join(annotation.anchor.quote.split()) == words and annotation.page == 1


def test_page_notes_and_replies_come_in_on_the_pages_first_word(library, tmp_path):
    seed = library.open_path(SEED)
    uri = SEED.resolve().as_uri()
    data = hypothesis_file(uri, "79,770 in 2022", "", "")
    note = dict(data["annotations"][0], id="pagenote01", text="About the whole page.")
    note["target"] = [{"source": uri}]  # a page note marks no words
    reply = dict(note, id="reply00001", text="Agreed.", references=["kZ3rJ1P0Ee-mhHMkS2t2Vw"])
    data["annotations"] += [note, reply]
    path = tmp_path / "hypothesis.json"
    path.write_text(json.dumps(data), encoding="utf-8")
    assert library.import_file(path).added == 3
    first_word = seed.document.text.split()[0]
    notes = {a.note: a for a in library.annotations(seed)}
    assert notes["About the whole page."].anchor.quote == first_word
    assert notes["Agreed."].anchor.quote == first_word
    assert notes["Check this against the **ONS** figures."].anchor.quote == "79,770 in 2022"
