"""Seen before in the real window: a claim highlighted in the seed article is shown an earlier
claim from another document making the same claim; linking it stores and exports the link,
copying its verdict sets the status and cites its sources, and Ctrl+Z takes each back."""

from __future__ import annotations

import io
import json
from pathlib import Path

from conftest import SEED
from PySide6.QtCore import Qt

import reader.exchange
from reader.model import ClaimStatus, ExportScope, Source

EARLIER = (
    "Notes from a briefing.\n\n"
    "According to the CDC, 79,770 people died of opioid overdoses in 2022.\n\n"
    "Gun deaths rose to 79,770 in 2022.\n"
)
QUOTE = "the death toll from opioids surged to 79,770 in 2022"


def _earlier_claims(window, library, tmp_path):
    """Two claims in another document: the same claim (refuted, with a source), and one
    sharing its figures about another subject."""
    other = tmp_path / "briefing.txt"
    other.write_text(EARLIER, encoding="utf-8")
    tab = window.open_document(str(other))
    text = tab.opened.document.text
    same = "According to the CDC, 79,770 people died of opioid overdoses in 2022."
    start = text.index(same)
    claim = library.highlight(tab.opened, start, start + len(same), status=ClaimStatus.REFUTED)
    gun = text.index("Gun deaths")
    library.highlight(tab.opened, gun, gun + len("Gun deaths rose to 79,770 in 2022."))
    source = library.add_source(
        Source(title="Provisional drug overdose death counts", url="https://www.cdc.gov/nchs/")
    )
    library.cite(claim.id, source.id)
    return claim, source


def _highlight_in_seed(window, qtbot):
    tab = window.open_document(str(SEED))
    start = tab.opened.document.text.index(QUOTE)
    tab.view.select_range(start, start + len(QUOTE))
    window.highlight_actions["claim"].trigger()
    panel = window.editor.seen_before
    qtbot.waitUntil(lambda: panel.list.count() > 0, timeout=10000)
    return window.editor.annotation(), panel


def _export_json(library) -> dict:
    out = io.StringIO()
    library.export(out, "json", ExportScope())
    return json.loads(out.getvalue())


def test_the_editor_lists_the_same_claim_from_another_document(window, qtbot, library, tmp_path):
    earlier, _source = _earlier_claims(window, library, tmp_path)
    claim, panel = _highlight_in_seed(window, qtbot)
    assert panel.isVisible()
    assert [m.target for m in panel.matches()] == [f"urn:uuid:{earlier.id}"]  # not "Gun deaths"
    line = panel.list.item(0).text()
    assert "Refuted" in line and "briefing" in line and "¶ 2" in line
    assert "sources:" in line and "79,770 people died of opioid overdoses" in line


def test_link_is_stored_exported_and_undone(window, qtbot, library, tmp_path):
    earlier, _source = _earlier_claims(window, library, tmp_path)
    claim, panel = _highlight_in_seed(window, qtbot)
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert library.seen_before.links(claim.id) == [f"urn:uuid:{earlier.id}"]
    assert library.seen_before.links(earlier.id) == [f"urn:uuid:{claim.id}"]  # either way
    assert "✓ Same claim" in panel.list.item(0).text()
    items = {i["id"]: i for i in _export_json(library)["first"]["items"]}
    body = next(b for b in items[f"urn:uuid:{claim.id}"]["body"] if b["type"] == "ClaimAssessment")
    assert body["sameClaimAs"] == [f"urn:uuid:{earlier.id}"]
    context = Path(reader.exchange.__file__).with_name("claimreader.jsonld")
    assert "sameClaimAs" in json.loads(context.read_text(encoding="utf-8"))["@context"]
    markdown = io.StringIO()
    library.export(markdown, "md", ExportScope())
    assert f"**Same claim as:** `urn:uuid:{earlier.id}`" in markdown.getvalue()
    window.action("undo").trigger()
    assert library.seen_before.links(claim.id) == []
    qtbot.waitUntil(lambda: panel.list.count() > 0 and "✓" not in panel.list.item(0).text())
    window.action("redo").trigger()
    assert library.seen_before.links(claim.id) == [f"urn:uuid:{earlier.id}"]


def test_copy_verdict_sets_the_status_and_sources_and_ctrl_z_undoes(
    window, qtbot, library, tmp_path
):
    earlier, source = _earlier_claims(window, library, tmp_path)
    claim, panel = _highlight_in_seed(window, qtbot)
    assert claim.status == ClaimStatus.UNVERIFIED
    qtbot.mouseClick(panel.copy_button, Qt.MouseButton.LeftButton)
    assert library.annotation(claim.id).status == ClaimStatus.REFUTED
    assert window.editor.status_combo.currentData() == "refuted"
    assert [c.source_id for c in library.citations(claim.id)] == [source.id]
    assert window.editor.citations.citation_list.count() == 1  # the Sources box shows it
    assert tuple(window.sidebar.model.citation_counts(claim.id))[0] == 1  # and the sidebar
    window.focus_document()
    qtbot.keyClick(window, Qt.Key.Key_Z, Qt.KeyboardModifier.ControlModifier)
    assert library.annotation(claim.id).status == ClaimStatus.UNVERIFIED
    assert library.citations(claim.id) == []
    assert window.editor.status_combo.currentData() == "unverified"


def test_a_deleted_claims_link_goes_and_comes_back_with_its_undo(window, qtbot, library, tmp_path):
    earlier, _source = _earlier_claims(window, library, tmp_path)
    claim, panel = _highlight_in_seed(window, qtbot)
    qtbot.mouseClick(panel.link_button, Qt.MouseButton.LeftButton)
    assert window.annotations.delete([claim.id]) == 1
    assert library.annotation(claim.id) is None
    assert library.seen_before.links(earlier.id) == []  # not shown, not exported
    window.action("undo").trigger()
    assert library.annotation(claim.id) is not None
    assert library.seen_before.links(earlier.id) == [f"urn:uuid:{claim.id}"]
