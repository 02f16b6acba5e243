"""The claim fields ClaimReview needs, in the real window: the editor's claim wording, date and
claimant type (saved, undone), and the export dialog's fact-check URL and organisation."""

from __future__ import annotations

import json

from conftest import SEED

from reader.model import AnnotationKind, ClaimStatus


def test_claimreview_in_the_export_dialog_asks_for_the_review(window, library, qtbot, tmp_path):
    seed = library.open_path(SEED)
    start, end = library.find_quote(seed, "79,770 in 2022")
    library.highlight(seed, start, end, AnnotationKind.CLAIM, status=ClaimStatus.REFUTED)
    target = tmp_path / "r.jsonld"
    window.choose_save_path = lambda title, start, name_filter: str(target)
    window.action("export").trigger()
    dialog = window.exchange.export_dialog
    assert not dialog.review_box.isVisible()
    dialog.format_combo.setCurrentIndex(dialog.format_combo.findData("claimreview"))
    dialog.scope_all.setChecked(True)
    dialog.browse_button.click()
    assert dialog.review_box.isVisible() and not dialog.export_button.isEnabled()
    dialog.review_url_edit.setText("https://factdesk.example/c1")
    dialog.org_edit.setText("Fact Desk")
    assert dialog.export_button.isEnabled()
    with qtbot.waitSignal(window.exchange_finished, timeout=20000) as blocker:
        dialog.export_button.click()
    assert blocker.args[0], blocker.args
    (review,) = json.loads(target.read_text(encoding="utf-8"))["@graph"]
    assert review["author"] == {"@type": "Organization", "name": "Fact Desk"}
    assert library.review_settings()["org"] == "Fact Desk"
    # Next time the dialog starts with the organisation filled in.
    window.action("export").trigger()
    assert window.exchange.export_dialog.org_edit.text() == "Fact Desk"
    window.exchange.export_dialog.reject()


def test_claim_fields_in_the_editor_are_saved_and_undone(window, library, qtbot):
    tab = window.open_document(str(SEED))
    text = tab.opened.document.text
    start = text.index("79,770 in 2022")
    tab.view.select_range(start, start + len("79,770 in 2022"))
    window.highlight_actions["claim"].trigger()
    (annotation,) = tab.annotations.values()
    window.annotations.select(annotation.id)
    editor = window.editor
    qtbot.keyClicks(editor.claim_reviewed_edit, "US overdose deaths were 79,770 in 2022")
    qtbot.keyClicks(editor.claim_date_edit, "2023-05-11")
    editor.claimant_type_combo.setCurrentIndex(editor.claimant_type_combo.findData("person"))
    editor.flush()
    stored = library.annotation(annotation.id)
    assert stored.claim_reviewed == "US overdose deaths were 79,770 in 2022"
    assert (stored.claim_date, stored.claimant_type) == ("2023-05-11", "person")
    window.action("undo").trigger()
    undone = library.annotation(annotation.id)
    assert (undone.claim_reviewed, undone.claim_date, undone.claimant_type) == ("", "", "")
    window.action("redo").trigger()
    window.annotations.select(annotation.id)
    window.action("delete_annotation").trigger()
    assert library.annotation(annotation.id) is None
    window.action("undo").trigger()  # the details come back with the annotation
    assert library.annotation(annotation.id).claim_date == "2023-05-11"
