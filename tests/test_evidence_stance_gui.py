"""Evidence with a stance: Use as Evidence asks for the claim and the stance with the claim's
status in view; the source is titled from the document, not its file name; an evidence
highlight names the claims it bears on and links back; Go to passage has a way back."""

from __future__ import annotations

from conftest import CORPUS, SEED
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication

from reader.model import ClaimStatus, Stance

LEFT = Qt.MouseButton.LeftButton
CLAIM = "surged to 79,770 in 2022"
PASSAGE = "81,083 deaths in the 12 months"


def refuted_claim(window):
    tab = window.open_document(str(SEED))
    start = tab.opened.document.text.index(CLAIM)
    tab.view.select_range(start, start + len(CLAIM))
    window.highlight_actions["claim"].trigger()
    (claim,) = tab.annotations.values()
    window.annotations.edit(claim.id, {"status": ClaimStatus.REFUTED})
    return tab, claim


def evidence_document(tmp_path):
    path = tmp_path / "vsrr-2024-06.txt"
    path.write_text(
        "Provisional Drug Overdose Death Counts\n\n"
        f"Provisional data show {PASSAGE} ending in April 2024, down from 2023.\n",
        encoding="utf-8",
    )
    return path


def select_passage(window, tab):
    start = tab.opened.document.text.index(PASSAGE)
    tab.view.select_range(start, start + len(PASSAGE))


def test_use_as_evidence_asks_claim_and_stance_with_the_status_in_view(window, qtbot, tmp_path):
    _seed, claim = refuted_claim(window)
    tab = window.open_document(str(evidence_document(tmp_path)))
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    select_passage(window, tab)
    qtbot.keyClick(tab.view, Qt.Key.Key_E, Qt.KeyboardModifier.ControlModifier)
    dialog = window.evidence.dialog
    assert dialog is not None and dialog.isVisible()
    assert dialog.claim().id == claim.id  # the newest claim is offered first
    assert "Refuted" in dialog.status_label.text()
    assert "[Refuted]" in dialog.claim_list.currentItem().text()
    # No stance is taken for granted: OK waits until one is chosen.
    assert not dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.stance_buttons[Stance.REFUTES], LEFT)
    assert dialog.ok_button.isEnabled()
    qtbot.mouseClick(dialog.ok_button, LEFT)
    (citation,) = window.library.citations(claim.id)
    assert citation.stance is Stance.REFUTES
    assert citation.evidence_quote == PASSAGE
    source = window.library.source(citation.source_id)
    assert source.title == "Provisional Drug Overdose Death Counts"  # not "vsrr-2024-06"


def test_cancel_cites_nothing(window, qtbot, tmp_path):
    _seed, claim = refuted_claim(window)
    tab = window.open_document(str(evidence_document(tmp_path)))
    select_passage(window, tab)
    window.action("use_as_evidence").trigger()
    window.evidence.dialog.reject()
    assert window.library.citations(claim.id) == []
    assert all(str(a.kind) != "evidence" for a in tab.annotations.values())


def test_a_pdf_source_is_titled_from_its_metadata_or_first_line(window, qtbot):
    tab = window.open_document(str(CORPUS / "pdf" / "crazyones-pdfa.pdf"))
    assert window.library.source_for_document(tab.opened).title == "The Crazy Ones"
    tab = window.open_document(str(CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"))
    assert window.library.source_for_document(tab.opened).title == "Geometrie und Topologie"


def test_evidence_names_its_claims_links_back_and_alt_left_returns(window, qtbot, tmp_path):
    seed, claim = refuted_claim(window)
    tab = window.open_document(str(evidence_document(tmp_path)))
    select_passage(window, tab)
    window.action("use_as_evidence").trigger()
    window.evidence.dialog.choose(claim.id, Stance.REFUTES)
    qtbot.mouseClick(window.evidence.dialog.ok_button, LEFT)
    (citation,) = window.library.citations(claim.id)
    passage_id = citation.evidence_annotation_id
    # The evidence highlight, selected, says which claim it bears on and how.
    window.annotations.select(passage_id)
    panel = window.editor.citations
    assert panel.bears_on_label.isVisible()
    assert "Refutes" in panel.bears_on_label.text() and "79,770" in panel.bears_on_label.text()
    panel.bears_on_label.linkActivated.emit(claim.id)  # the link to the claim
    assert window.current_tab() is seed
    assert window.editor.annotation().id == claim.id
    # From the claim, Go to passage, then Alt+Left back to the claim.
    panel.citation_list.setCurrentRow(0)
    qtbot.waitUntil(lambda: not panel.go_button.visibleRegion().isEmpty())
    qtbot.mouseClick(panel.go_button, LEFT)
    assert window.current_tab() is tab
    assert window.editor.annotation().id == passage_id
    window.activateWindow()
    qtbot.waitUntil(lambda: QApplication.activeWindow() is window)
    qtbot.keyClick(tab.view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_tab() is seed
    assert window.editor.annotation().id == claim.id
    assert window.action("back").isEnabled()  # and once more: back to the evidence passage
    qtbot.keyClick(seed.view, Qt.Key.Key_Left, Qt.KeyboardModifier.AltModifier)
    assert window.current_tab() is tab
    assert not window.action("back").isEnabled()
