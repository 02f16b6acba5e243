"""The numbers check as a user sees it: a badge on the citation card of the real window."""

from __future__ import annotations

from conftest import SEED
from PySide6.QtCore import Qt

from reader.ui.panels.citations import ROLE_HTML, ROLE_NUMBER_CHECK


def _claim_citing(window, qtbot, evidence: str):
    tab = window.open_document(str(SEED))
    quote = "surged to 79,770 in 2022"
    start = tab.opened.document.text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions["claim"].trigger()
    panel = window.editor.citations
    panel.input.setPlainText("https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    panel.evidence_edit.setPlainText(evidence)
    panel.flush()  # what leaving the field does
    return panel.citation_list.item(0)


def test_the_card_says_which_figures_differ(window, qtbot):
    card = _claim_citing(window, qtbot, "Provisional data: 81,806 deaths in 2022.")
    assert card.data(ROLE_NUMBER_CHECK) == "differ: 79,770 vs 81,806"
    assert "Numbers differ: 79,770 vs 81,806" in card.data(ROLE_HTML)


def test_the_card_says_the_figures_agree(window, qtbot):
    card = _claim_citing(window, qtbot, "Overdose deaths: 79,770 in 2022.")
    assert card.data(ROLE_NUMBER_CHECK) == "agree"
    assert "Numbers agree" in card.data(ROLE_HTML)


def test_no_badge_without_evidence_figures(window, qtbot):
    card = _claim_citing(window, qtbot, "Deaths rose sharply.")
    assert card.data(ROLE_NUMBER_CHECK) == ""
    assert "Numbers" not in card.data(ROLE_HTML)
