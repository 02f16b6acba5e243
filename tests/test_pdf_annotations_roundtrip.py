"""Annotated PDF from the command line and the window, and PDF markup brought back in."""

from __future__ import annotations

import hashlib
import subprocess
import sys

import pymupdf  # the test reads the written file as another PDF reader would
from conftest import CORPUS, ROOT

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
ANNOTATED = CORPUS / "pdf" / "annotated_pdf.pdf"


def cli(db, *args):
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
    )


def test_cli_export_pdf_writes_highlights_and_leaves_the_original(tmp_path):
    db = tmp_path / "lib.sqlite"
    before = hashlib.sha256(PDF.read_bytes()).hexdigest()
    quote = "Is there a difference between this text and some nonsense"
    assert (
        cli(db, "annotate", str(PDF), "--quote", quote, "--note", "=1+1 stays text").returncode == 0
    )
    out = tmp_path / "annotated.pdf"
    result = cli(db, "export-pdf", str(PDF), "-o", str(out))
    assert result.returncode == 0, result.stderr
    assert "wrote 1 highlights" in result.stdout
    assert hashlib.sha256(PDF.read_bytes()).hexdigest() == before
    doc = pymupdf.open(out)
    annots = [(a.type[1], a.info["content"]) for page in doc for a in page.annots()]
    assert [kind for kind, _ in annots] == ["Highlight"]
    assert "=1+1 stays text" in annots[0][1]
    assert subprocess.run(["pdftotext", str(out), "-"], capture_output=True).returncode == 0
    refused = cli(db, "export-pdf", str(PDF), "-o", str(PDF))
    assert refused.returncode == 1 and refused.stderr.startswith("error: ")


def test_window_imports_a_pdfs_own_annotations_once(window, qtbot):
    tab = window.open_document(str(ANNOTATED))
    window.action("import_pdf").trigger()
    kinds = sorted(str(a.kind) for a in tab.annotations.values())
    assert kinds == ["claim", "comment", "comment"]
    notes = {a.note for a in tab.annotations.values()}
    assert {"Highlight comment", "This is a text annotation.", "Hello world!"} <= notes
    window.action("import_pdf").trigger()
    assert len(tab.annotations) == 3


def test_window_exports_annotated_pdf(window, qtbot, tmp_path):
    tab = window.open_document(str(PDF))
    doc = tab.opened.document
    start = doc.text.index("Really?")
    tab.view.select_range(0, start - doc.page_text_offset(0), start + 7 - doc.page_text_offset(0))
    window.highlight_actions["claim"].trigger()
    out = tmp_path / "copy.pdf"
    window.choose_save_path = lambda *_: str(out)
    window.action("export_pdf").trigger()
    doc = pymupdf.open(out)
    assert [a.type[1] for page in doc for a in page.annots()] == ["Highlight"]
