"""The team features in the real window: File ▸ Merge Library…, the "Merged with conflicts"
window (keep mine / theirs, undoable), and the editor's History."""

from __future__ import annotations

from conftest import SEED

from reader.library import Library
from reader.model import ClaimStatus


def merged_by_menu(window, qtbot, path) -> str:
    window.choose_open_path = lambda title, start, name_filter: str(path)
    with qtbot.waitSignal(window.exchange_finished, timeout=60000) as blocker:
        window.action("merge_library").trigger()
    ok, message = blocker.args
    assert ok, message
    return message


def test_merge_library_from_the_file_menu_and_resolve_a_conflict(window, library, qtbot, tmp_path):
    assert window.action("merge_library") in window.menuBar().actions()[0].menu().actions()
    tab = window.open_document(str(SEED))
    text = tab.opened.document.text
    start = text.index("79,770")
    tab.view.select_range(start, start + len("79,770"))
    window.highlight_actions["claim"].trigger()
    [shared] = tab.annotations.values()
    # A colleague takes a copy, and both of us change the note before we meet again.
    colleague = Library(tmp_path / "colleague" / "library.sqlite")
    try:
        colleague.author = "Tom"
        colleague.merge_library(library.db_path)
        window.annotations.edit(shared.id, {"note": "my reading"})
        theirs = colleague.annotation(shared.id)
        colleague.update(theirs, note="their later reading")
        opened = colleague.open_path(SEED)
        colleague.highlight(opened, *colleague.find_quote(opened, "surged"))
    finally:
        colleague.close()

    message = merged_by_menu(window, qtbot, colleague.db_path)
    assert message == "Merged library.sqlite: added 1, updated 1, unchanged 0, conflicts 1."
    # The new annotation is in the open document at once; the conflict window opened itself.
    assert {a.anchor.quote for a in tab.annotations.values()} == {"79,770", "surged"}
    dialog = window.library_windows.conflicts_dialog
    assert dialog is not None and dialog.isVisible()
    panel = dialog.panel
    assert panel.tree.topLevelItemCount() == 1
    row = panel.tree.topLevelItem(0)
    assert [row.text(i) for i in range(5)] == [
        "79,770",
        "note",
        "my reading",
        "their later reading",
        "theirs",
    ]
    assert library.annotation(shared.id).note == "their later reading"
    panel.keep_mine_button.click()
    assert library.annotation(shared.id).note == "my reading"
    assert panel.tree.topLevelItemCount() == 0
    assert "No merge left anything to decide" in panel.summary.text()
    # Keeping mine was an ordinary edit: undo brings the merged value back.
    window.undo_stack.undo()
    assert library.annotation(shared.id).note == "their later reading"
    # The library as it was before the merge is a backup (the way back from a merge).
    from reader.store.backup import annotation_count, list_backups

    [before] = list_backups(library.db_path)
    assert annotation_count(before.path) == 1
    # A second merge of the same file adds nothing.
    again = merged_by_menu(window, qtbot, colleague.db_path)
    assert again.endswith("added 0, updated 0, unchanged 2, conflicts 0.")


def test_the_editor_shows_who_changed_what(window, library, qtbot):
    # What OK in Preferences does: new highlights and every change carry the name.
    window.prefs.set_author("Ana Checker")
    window.library.author = window.prefs.author
    tab = window.open_document(str(SEED))
    text = tab.opened.document.text
    start = text.index("79,770")
    tab.view.select_range(start, start + len("79,770"))
    window.highlight_actions["claim"].trigger()
    [claim] = tab.annotations.values()
    window.annotations.select(claim.id)
    editor = window.editor
    assert editor.history_group.isVisibleTo(window)
    assert editor.history_list.count() == 1
    assert "Ana Checker" in editor.history_list.item(0).text()
    assert "created" in editor.history_list.item(0).text()
    # A change typed in the editor is on the record once it is saved.
    editor.status_combo.setCurrentIndex(editor.status_combo.findData("refuted"))
    editor.flush()
    assert library.annotation(claim.id).status == ClaimStatus.REFUTED
    qtbot.waitUntil(lambda: editor.history_list.count() == 2, timeout=5000)
    last = editor.history_list.item(1).text()
    assert "Ana Checker" in last and "status: unverified → refuted" in last


def test_filter_by_who_in_the_sidebar_all_annotations_and_export(window, library, qtbot, tmp_path):
    import json

    tab = window.open_document(str(SEED))
    text = tab.opened.document.text
    for name, quote in (("Ana", "79,770"), ("Ben", "surged")):
        window.prefs.set_author(name)
        window.library.author = window.prefs.author
        start = text.index(quote)
        tab.view.select_range(start, start + len(quote))
        window.highlight_actions["claim"].trigger()
    by_quote = {a.anchor.quote: a for a in tab.annotations.values()}
    # Ana marks Ben's claim refuted: it is hers too now (she changed it).
    window.prefs.set_author("Ana")
    window.library.author = window.prefs.author
    window.annotations.edit(by_quote["surged"].id, {"status": ClaimStatus.REFUTED})
    window.prefs.set_author("Cy")
    window.library.author = window.prefs.author
    window.sets.refresh()
    filters = window.sidebar.filters
    assert filters.authors() == ["Ana", "Ben"]
    assert filters.author_combo.isVisibleTo(window)
    filters.select_author("Ben")
    assert window.sidebar.visible_ids() == [by_quote["surged"].id]
    filters.select_author("Ana")
    assert set(window.sidebar.visible_ids()) == {by_quote["79,770"].id, by_quote["surged"].id}
    filters.select_author(None)
    # All Annotations offers the same choice.
    window.action("all_annotations").trigger()
    browser = window.library_windows.browser_dialog.browser
    assert browser.filters.authors() == ["Ana", "Ben"]
    browser.filters.select_author("Ben")
    assert browser.proxy.rowCount() == 1
    # Export: only what Ben made or changed, with authors and the history's authors kept.
    from reader.ui.export_dialog import ExportDialog

    dialog = ExportDialog(
        window.settings,
        library.sets(),
        choose_path=lambda *_: None,
        authors=library.authors(),
        parent=window,
    )
    dialog.scope_all.setChecked(True)
    dialog.author_combo.setCurrentIndex(dialog.author_combo.findData("Ben"))
    scope, label = dialog.scope()
    assert scope.author == "Ben" and label.endswith("by Ben")
    out = tmp_path / "ben.json"
    library.export(out, "json", scope)
    [item] = json.loads(out.read_text())["first"]["items"]
    assert item["creator"]["name"] == "Ben"
    claim = next(b for b in item["body"] if b["type"] == "ClaimAssessment")
    assert [h["author"] for h in claim["history"]] == ["Ana"]
    dialog.close()
