"""Candidate claims and the numbers badge as a user meets them in the real window."""

from __future__ import annotations

from conftest import CORPUS, SEED, claim_citing_the_cdc
from PySide6.QtCore import Qt

from reader.model import AnnotationKind
from reader.ui.number_badges import NumberBadges


def _open_with_candidates(window, qtbot, path=SEED, look=False):
    assistant = window.check_assistant
    tab = window.open_document(str(path))
    assert tab is not None
    # Nothing is computed while the document is being shown: only after its first paint.
    assert assistant.found(tab) is None
    if look:  # the Candidates tab brought to the front of its dock
        assistant.dock.raise_()
    qtbot.waitUntil(lambda: assistant.found(tab) is not None, timeout=60000)
    return tab, assistant, assistant.panel


def _select(panel, fragment: str) -> int:
    for row, c in enumerate(panel.shown()):
        if fragment in c.text:
            panel.list.setCurrentRow(row)
            return row
    raise AssertionError(f"no candidate holds {fragment!r}")


def test_the_list_fills_after_the_document_is_shown(window, qtbot):
    tab, assistant, panel = _open_with_candidates(window, qtbot)
    assert window.findChild(type(assistant.dock), "dock_candidates") is assistant.dock
    shown = panel.shown()
    assert any("79,770 in 2022" in c.text for c in shown)
    assert not any("cookies" in c.text for c in shown)  # boilerplate is not proposed
    first = panel.list.item(0)
    assert "figure" in first.text().splitlines()[1]  # the row says its reasons
    assert panel.count_label.text() == f"{len(shown)} candidate claims"
    # A faint tick per candidate in the view's scroll bar, besides the annotations' own.
    assert tab.view.verticalScrollBar().marker_rows()


def test_enter_makes_a_claim_of_the_whole_sentence_and_ctrl_z_takes_it_back(window, qtbot):
    tab, _assistant, panel = _open_with_candidates(window, qtbot)
    row = _select(panel, "79,770 in 2022")
    chosen = panel.current()
    before = len(panel.shown())
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Return)
    [claim] = window.library.annotations(tab.opened)
    assert claim.kind is AnnotationKind.CLAIM
    assert (claim.anchor.start, claim.anchor.end) == (chosen.start, chosen.end)
    assert claim.anchor.quote == chosen.text
    assert claim.id in window.sidebar.visible_ids()
    assert len(panel.shown()) == before - 1  # a claim now, not a candidate
    assert panel.list.currentRow() == row  # the next one is ready for the next key
    qtbot.keyClick(panel.list, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert window.library.annotations(tab.opened) == []
    assert window.sidebar.visible_ids() == []
    assert any(c == chosen for c in panel.shown())  # a candidate again


def test_the_make_claim_button_does_the_same(window, qtbot):
    tab, _assistant, panel = _open_with_candidates(window, qtbot)
    _select(panel, "the first country in the world")
    qtbot.mouseClick(window.findChild(object, "candidate_claim_button"), Qt.MouseButton.LeftButton)
    [claim] = window.library.annotations(tab.opened)
    assert "As early as 2019" in claim.anchor.quote


def test_a_dismissal_survives_reopening_the_document_and_can_be_undone(window, qtbot):
    tab, assistant, panel = _open_with_candidates(window, qtbot)
    _select(panel, "5 percent of the world's population")
    dismissed = panel.current()
    panel.list.setFocus()
    qtbot.keyClick(panel.list, Qt.Key.Key_Delete)
    assert dismissed not in panel.shown()
    assert window.library.annotations(tab.opened) == []  # Delete did not delete anything else
    window.tabs.close_tab(window.tabs.indexOf(tab))
    tab, assistant, panel = _open_with_candidates(window, qtbot)
    assert not any("5 percent of the world" in c.text for c in panel.shown())
    assert any("79,770" in c.text for c in panel.shown())
    window.undo_stack.undo()  # Edit ▸ Undo "Dismiss candidate claim"
    assert any("5 percent of the world" in c.text for c in panel.shown())
    assert window.library.dismissed_candidates(tab.opened.record.id) == set()


def test_a_big_pdfs_text_is_read_for_its_candidates_when_the_list_is_looked_at(window, qtbot):
    path = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"  # 117 pages: its text is read on a worker
    tab = window.open_document(str(path))
    qtbot.waitUntil(lambda: window.check_assistant.waiting_for_text(tab))
    assert not tab.opened.document.text_ready  # opening alone reads nothing more
    assert "once the document's text is read" in window.check_assistant.panel.count_label.text()
    tab, _assistant, panel = _open_with_candidates(window, qtbot, path, look=True)
    [price] = [c for c in panel.shown() if "10 Euro" in c.text]
    panel.list.setCurrentRow(panel.shown().index(price))
    panel.list.itemClicked.emit(panel.list.currentItem())  # a click shows it, selected
    assert tab.view.current_page == 1
    assert "10 Euro" in tab.view.selected_text()
    assert tab.view.verticalScrollBar().marker_rows()  # its ticks in the PDF's scroll bar


def _cite(window, qtbot, evidence: str):
    tab = claim_citing_the_cdc(window, qtbot, evidence)
    [claim] = window.library.annotations(tab.opened)
    return claim


def test_the_sidebar_row_shows_which_figures_differ(window, qtbot):
    claim = _cite(window, qtbot, "Provisional data: 81,806 deaths in 2022.")
    qtbot.waitUntil(lambda: window.sidebar.number_check(claim.id) != "")
    assert window.sidebar.number_check(claim.id) == "differ: 79,770 vs 81,806"
    # Fixed evidence: the badge follows.
    window.editor.citations.evidence_edit.setPlainText("Deaths: 79,770 in 2022.")
    window.editor.citations.flush()
    qtbot.waitUntil(lambda: window.sidebar.number_check(claim.id) == "agree")


def test_no_badge_without_evidence_figures(window, qtbot):
    claim = _cite(window, qtbot, "Deaths rose sharply.")
    qtbot.waitUntil(lambda: claim.id in window.sidebar.visible_ids())
    window.findChild(NumberBadges).refresh()
    assert window.sidebar.number_check(claim.id) == ""
