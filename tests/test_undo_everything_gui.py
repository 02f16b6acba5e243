"""Every change a user makes to the library is one named step on Edit ▸ Undo, and the database
follows the screen both ways: citations, sources, merges, evidence, sets, PDF imports."""

from __future__ import annotations

from conftest import CORPUS, SEED
from PySide6.QtCore import Qt

from reader.model import Stance

PDF = CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"
DOI = "10.15620/cdc:135849"
ISBN = "978-0-306-40615-7"


def click(qtbot, widget) -> None:
    qtbot.mouseClick(widget, Qt.MouseButton.LeftButton)


def claim_in_seed(window, quote: str = "surged to 79,770 in 2022"):
    tab = window.open_document(str(SEED))
    start = tab.opened.document.text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions["claim"].trigger()
    claim = next(a for a in tab.annotations.values() if a.anchor.quote == quote)
    window.annotations.select(claim.id)
    return tab, claim


def paste_reference(qtbot, window, text: str, stance: str = "supports"):
    panel = window.editor.citations
    panel.input.setFocus()
    panel.input.setPlainText(text)
    panel.add_stance.setCurrentIndex(panel.add_stance.findData(stance))
    click(qtbot, panel.add_button)
    return panel


def undo_text(window) -> str:
    return window.action("undo").text().replace("&", "")


def test_add_edit_remove_citation_each_undo_in_turn(window, qtbot):
    _tab, claim = claim_in_seed(window)
    panel = paste_reference(qtbot, window, f"doi:{DOI}", "refutes")
    (citation,) = window.library.citations(claim.id)
    (source,) = [s for s, _n in window.library.sources()]
    assert source.doi == DOI
    assert undo_text(window) == "Undo Add citation"

    # Typing a locator saves it (after the pause) and is one step of its own.
    panel.citation_list.setCurrentRow(0)
    panel.locator_edit.setFocus()
    qtbot.keyClicks(panel.locator_edit, "p. 12")
    qtbot.waitUntil(lambda: window.library.citations(claim.id)[0].locator == "p. 12")
    assert undo_text(window) == "Undo Edit citation locator"

    # Remove asks nothing: it can be undone.
    window.confirm = lambda question: (_ for _ in ()).throw(AssertionError(question))
    qtbot.waitUntil(lambda: not panel.remove_button.visibleRegion().isEmpty())
    click(qtbot, panel.remove_button)
    assert window.library.citations(claim.id) == []
    assert panel.citation_list.count() == 0
    assert undo_text(window) == "Undo Remove citation"
    assert window.sidebar.model.citation_counts(claim.id) == (0, 0, 0)

    window.action("undo").trigger()  # the citation comes back, with its locator
    (back,) = window.library.citations(claim.id)
    assert (back.id, back.locator, back.stance) == (citation.id, "p. 12", Stance.REFUTES)
    assert panel.citation_list.count() == 1
    assert window.sidebar.model.citation_counts(claim.id) == (0, 1, 0)

    window.action("undo").trigger()  # the locator typed
    assert window.library.citations(claim.id)[0].locator == ""
    panel.citation_list.setCurrentRow(0)
    assert panel.locator_edit.text() == ""

    window.action("undo").trigger()  # the citation, and the source stored for it
    assert window.library.citations(claim.id) == []
    assert window.library.sources() == []
    assert panel.citation_list.count() == 0
    assert undo_text(window) == "Undo Highlight claim"

    window.action("redo").trigger()
    (again,) = window.library.citations(claim.id)
    assert again.id == citation.id
    assert window.library.source(again.source_id).doi == DOI
    assert panel.citation_list.count() == 1


def test_a_new_action_clears_redo(window, qtbot):
    _tab, claim = claim_in_seed(window)
    paste_reference(qtbot, window, f"doi:{DOI}")
    window.action("undo").trigger()
    assert window.action("redo").isEnabled()
    assert window.action("redo").text().replace("&", "") == "Redo Add citation"
    paste_reference(qtbot, window, ISBN)
    assert not window.action("redo").isEnabled()
    (citation,) = window.library.citations(claim.id)
    assert window.library.source(citation.source_id).isbn


def test_edit_source_is_undone(window, qtbot):
    _tab, claim = claim_in_seed(window)
    panel = paste_reference(qtbot, window, f"doi:{DOI}")
    panel.citation_list.setCurrentRow(0)
    # The citation's buttons appear (laid out in the panel's width) before they can be clicked.
    qtbot.waitUntil(lambda: not panel.edit_source_button.visibleRegion().isEmpty())
    click(qtbot, panel.edit_source_button)
    dialog = panel.source_dialog
    dialog.edits["title"].setText("Drug Overdose Deaths, 2002-2022")
    dialog.accept()
    (citation,) = window.library.citations(claim.id)
    assert window.library.source(citation.source_id).title == "Drug Overdose Deaths, 2002-2022"
    assert undo_text(window) == "Undo Edit source"
    assert "Drug Overdose Deaths, 2002-2022" in panel.citation_list.item(0).text()
    window.action("undo").trigger()
    assert window.library.source(citation.source_id).title == ""
    assert "Drug Overdose Deaths, 2002-2022" not in panel.citation_list.item(0).text()
    window.action("redo").trigger()
    assert window.library.source(citation.source_id).title == "Drug Overdose Deaths, 2002-2022"


def test_merge_sources_is_undone_with_every_citation(window, qtbot):
    _tab, first = claim_in_seed(window)
    paste_reference(qtbot, window, f"doi:{DOI}")
    _tab, second = claim_in_seed(window, "fentanyl")
    paste_reference(qtbot, window, "https://www.cdc.gov/nchs/products/databriefs/db491.htm")
    before = {s.id: s for s, _n in window.library.sources()}
    assert len(before) == 2
    window.action("sources").trigger()
    browser = window.library_windows.sources_dialog.browser
    browser._choose_keep = lambda a, b, _parent: a if a.doi else b
    browser.select_ids(list(before))
    browser.merge_selected()
    (merged,) = [s for s, _n in window.library.sources()]
    assert merged.doi == DOI and merged.url
    assert browser.model.rowCount() == 1
    assert undo_text(window) == "Undo Merge sources"
    window.action("undo").trigger()
    after = {s.id: s for s, _n in window.library.sources()}
    assert set(after) == set(before)
    assert {after[i].url for i in after} == {before[i].url for i in before}
    assert browser.model.rowCount() == 2  # the open Sources window shows it
    (c1,) = window.library.citations(first.id)
    (c2,) = window.library.citations(second.id)
    assert window.library.source(c1.source_id).doi == DOI
    assert window.library.source(c2.source_id).url.startswith("https://www.cdc.gov/")
    assert c1.source_id != c2.source_id
    window.action("redo").trigger()
    assert len(window.library.sources()) == 1


def test_use_as_evidence_is_one_step(window, qtbot):
    tab, claim = claim_in_seed(window)
    quote = "leading cause of U.S. overdose deaths"
    text = tab.opened.document.text
    start = text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.action("use_as_evidence").trigger()
    window.evidence.dialog.choose(claim.id, Stance.SUPPORTS)
    click(qtbot, window.evidence.dialog.ok_button)
    (citation,) = window.library.citations(claim.id)
    passage_id = citation.evidence_annotation_id
    assert passage_id in tab.annotations
    assert undo_text(window) == "Undo Use as evidence"
    window.action("undo").trigger()
    assert window.library.citations(claim.id) == []
    assert window.library.annotation(passage_id) is None
    assert passage_id not in tab.annotations
    assert passage_id not in window.sidebar.visible_ids()
    assert window.library.sources() == []
    window.action("redo").trigger()
    (again,) = window.library.citations(claim.id)
    assert again.evidence_annotation_id == passage_id
    assert passage_id in window.sidebar.visible_ids()


def test_set_membership_is_undone(window, qtbot):
    _tab, claim = claim_in_seed(window)
    created = window.library.create_set("Fentanyl check")
    window.sets.refresh()
    window.sets.add_to_set(created.id, [claim.id])
    assert window.library.set_members(created.id) == [claim.id]
    assert undo_text(window) == 'Undo Add 1 annotation to "Fentanyl check"'
    window.action("undo").trigger()
    assert window.library.set_members(created.id) == []
    window.action("redo").trigger()
    window.sets.remove_from_set(created.id, [claim.id])
    assert undo_text(window) == 'Undo Remove 1 annotation from "Fentanyl check"'
    window.action("undo").trigger()
    assert window.library.set_members(created.id) == [claim.id]


def test_reattach_has_its_name(window, qtbot, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Intro\n\nShe said 80 percent of opioids are used here.\n")
    tab = window.open_document(str(path))
    text = tab.opened.document.text
    start = text.index("80 percent")
    tab.view.select_range(start, start + len("80 percent"))
    window.highlight_actions["claim"].trigger()
    window.tabs.close_current()
    path.write_text("Intro\n\nShe said four fifths of all opioids are used here.\n")
    tab = window.open_document(str(path))
    (orphan,) = tab.annotations.values()
    window.sidebar.activated.emit(orphan.id)
    s = tab.opened.document.text.index("four fifths")
    tab.view.select_range(s, s + len("four fifths"))
    click(qtbot, window.editor.reattach_button)
    assert undo_text(window) == "Undo Re-attach annotation"
    window.action("undo").trigger()
    assert str(window.library.annotation(orphan.id).anchor.state) == "orphan"
    assert str(tab.annotations[orphan.id].anchor.state) == "orphan"


def test_import_into_the_open_pdf_is_one_step(window, qtbot):
    tab = window.open_document(str(CORPUS / "pdf" / "annotated_pdf.pdf"))
    window.action("import_pdf").trigger()
    imported = set(tab.annotations)
    assert len(imported) == 3
    assert undo_text(window) == "Undo Import 3 annotations from PDF"
    window.action("undo").trigger()
    assert tab.annotations == {}
    assert window.sidebar.visible_ids() == []
    assert all(window.library.annotation(i) is None for i in imported)
    window.action("redo").trigger()
    assert set(tab.annotations) == imported
    assert sorted(window.sidebar.visible_ids()) == sorted(imported)
