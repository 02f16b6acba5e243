"""Citing sources from the real window: a pasted BibTeX entry, and a passage of a corpus PDF."""

from __future__ import annotations

from conftest import CORPUS, SEED
from PySide6.QtCore import Qt

from reader.model import Stance

PDF = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
BIBTEX = """@techreport{spencer2024,
  author = {Spencer, Merianne R. and Garnett, Matthew F. and Mini{\\~n}o, Arialdi M.},
  title = {Drug Overdose Deaths in the United States, 2002--2022},
  institution = {National Center for Health Statistics},
  year = {2024},
  doi = {10.15620/cdc:135849}
}"""


def make_claim(window):
    tab = window.open_document(str(SEED))
    text = tab.opened.document.text
    quote = "surged to 79,770 in 2022"
    start = text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions["claim"].trigger()
    (claim,) = tab.annotations.values()
    return tab, claim


def test_paste_bibtex_in_the_editor_cites_it(window, qtbot):
    tab, claim = make_claim(window)
    panel = window.editor.citations
    assert window.editor.annotation().id == claim.id
    panel.input.setPlainText(BIBTEX)
    panel.add_stance.setCurrentIndex(panel.add_stance.findData("refutes"))
    panel.add_button.click()
    (citation,) = window.library.citations(claim.id)
    assert citation.stance is Stance.REFUTES
    source = window.library.source(citation.source_id)
    assert source.title.startswith("Drug Overdose Deaths in the United States")
    assert source.authors[0].startswith("Spencer") and "Miniño" in source.authors[2]
    assert source.issued == "2024" and source.doi == "10.15620/cdc:135849"
    shown = panel.citation_list.item(0).data(0x0100) or panel.citation_list.item(0).text()
    assert shown is not None
    # The sidebar shows one refuting source for the claim.
    assert window.library.citation_counts()[claim.id] == (0, 1, 0)
    model = window.sidebar.model
    row = model.row_of(claim.id)
    assert row >= 0
    # Pasting garbage says so in one sentence and adds nothing.
    panel.input.setPlainText("this is not a reference")
    panel.add_button.click()
    assert "could not read this reference" in panel.error_label.text()
    assert len(window.library.citations(claim.id)) == 1


def test_use_a_pdf_passage_as_evidence_and_go_back_to_it(window, qtbot):
    tab, claim = make_claim(window)
    pdf_tab = window.open_document(str(PDF))
    doc = pdf_tab.opened.document
    page = 3
    base = doc.page_text_offset(page)
    start, end = base + 5, base + 65
    qtbot.waitUntil(lambda: pdf_tab.view.has_painted, timeout=5000)
    pdf_tab.view.go_to_page(page)
    local = doc.page_text(page)
    pdf_tab.view.select_range(page, 5, 65)
    assert pdf_tab.view.selection_range() == (start, end)
    window.action("use_as_evidence").trigger()
    # A big PDF: its text is read on the worker first (status bar: progress and Cancel); then
    # the window asks which claim and how the passage bears on it.
    qtbot.waitUntil(lambda: window.evidence.dialog is not None, timeout=60000)
    window.evidence.dialog.choose(claim.id, Stance.SUPPORTS)
    qtbot.mouseClick(window.evidence.dialog.ok_button, Qt.MouseButton.LeftButton)
    assert window.library.citations(claim.id)
    (citation,) = window.library.citations(claim.id)
    assert citation.evidence_quote == local[5:65]
    assert citation.locator == f"p. {page + 1}"
    source = window.library.source(citation.source_id)
    assert source.document_id == pdf_tab.opened.record.id
    # The passage is now an evidence highlight in the PDF.
    passage = pdf_tab.annotations[citation.evidence_annotation_id]
    assert str(passage.kind) == "evidence"
    # Back in the article, the citation's "Go to passage" opens the PDF at the passage.
    window.tabs.setCurrentWidget(tab)
    window.annotations.select(claim.id)
    window.editor.open_evidence.emit(citation.evidence_annotation_id)
    assert window.current_tab() is pdf_tab
    assert pdf_tab.view.selected_annotation == citation.evidence_annotation_id
    assert abs(pdf_tab.view.current_page - page) <= 1


def test_sources_browser_from_the_menu(window, qtbot):
    tab, claim = make_claim(window)
    panel = window.editor.citations
    panel.input.setPlainText("https://doi.org/10.15620/CDC:135849")
    panel.add_button.click()
    window.action("sources").trigger()
    browser = window.library_windows.sources_dialog.browser
    assert len(browser.visible_ids()) == 1
    assert browser.claim_count(browser.visible_ids()[0]) == 1
    window.library_windows.sources_dialog.close()
