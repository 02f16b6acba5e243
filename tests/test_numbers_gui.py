"""The numbers check as a user sees it: a badge on the citation card of the real window."""

from __future__ import annotations

from conftest import claim_citing_the_cdc

from reader.ui.panels.citations import ROLE_HTML, ROLE_NUMBER_CHECK


def _claim_citing(window, qtbot, evidence: str):
    claim_citing_the_cdc(window, qtbot, evidence)
    return window.editor.citations.citation_list.item(0)


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
