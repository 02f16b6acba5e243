"""The annotation panels working together in the real window: sidebar, view, editor, browser."""

from __future__ import annotations

from conftest import SEED
from PySide6.QtCore import Qt
from PySide6.QtWidgets import QApplication, QMenu

QUOTES = [
    "surged to 79,770 in 2022",
    "5 percent of the world's population",
    "the leading cause of death in the U.S. for people aged 18-45",
]


def highlight_all(window, tab, kinds=("claim", "claim", "question")):
    text = tab.opened.document.text
    for quote, kind in zip(QUOTES, kinds, strict=True):
        start = text.index(quote)
        tab.view.select_range(start, start + len(quote))
        window.highlight_actions[kind].trigger()
    return {a.anchor.quote: a for a in tab.annotations.values()}


def test_sidebar_lists_in_reading_order_and_clicking_shows_the_highlight(window, qtbot):
    tab = window.open_document(str(SEED))
    by_quote = highlight_all(window, tab)
    sidebar = window.sidebar
    assert sidebar.visible_ids() == [
        by_quote[q].id for q in sorted(QUOTES, key=tab.opened.document.text.index)
    ]
    last = by_quote[QUOTES[2]]
    tab.view.verticalScrollBar().setValue(0)
    sidebar.activated.emit(last.id)
    qtbot.waitUntil(lambda: tab.view.flashing_annotation == last.id, timeout=2000)
    assert tab.view.selected_annotation == last.id
    assert window.editor.annotation().id == last.id
    rects = tab.view.annotation_view_rects(last.id)
    assert rects and tab.view.viewport().rect().intersects(rects[0].toRect())
    qtbot.waitUntil(lambda: tab.view.flashing_annotation is None, timeout=3000)


def test_clicking_a_highlight_selects_its_sidebar_item(window, qtbot):
    tab = window.open_document(str(SEED))
    by_quote = highlight_all(window, tab)
    target = by_quote[QUOTES[0]]
    window.annotations.select(None)
    tab.view.show_annotation(target.id)
    center = tab.view.annotation_view_rects(target.id)[0].center().toPoint()
    qtbot.mouseClick(tab.view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert window.sidebar.selected_ids() == [target.id]
    assert window.editor.annotation().id == target.id


def test_sidebar_filters_by_kind(window, qtbot):
    tab = window.open_document(str(SEED))
    highlight_all(window, tab)
    combo = window.sidebar.filters.kind_combo
    combo.setCurrentIndex(combo.findData("question"))
    assert len(window.sidebar.visible_ids()) == 1


def test_context_menu_offers_highlighting_the_selection(window, qtbot):
    tab = window.open_document(str(SEED))
    text = tab.opened.document.text
    start = text.index(QUOTES[1])
    tab.view.select_range(start, start + len(QUOTES[1]))
    rect = tab.view.cursorRect()
    tab.view.customContextMenuRequested.emit(rect.center())  # a right click there
    menu = window.window_actions.last_menu
    assert isinstance(menu, QMenu)
    labels = [a.text() for a in menu.actions()]
    assert "Highlight as Claim" in labels
    menu.close()
    assert tab.view.selection_range() == (start, start + len(QUOTES[1]))
    next(a for a in menu.actions() if a.text() == "Highlight as Evidence").trigger()
    (annotation,) = tab.annotations.values()
    assert str(annotation.kind) == "evidence"


def test_orphan_is_listed_and_reattached_to_new_text(window, qtbot, tmp_path):
    path = tmp_path / "story.txt"
    path.write_text("Intro\n\nShe said 80 percent of opioids are used here.\n")
    tab = window.open_document(str(path))
    text = tab.opened.document.text
    start = text.index("80 percent of opioids")
    tab.view.select_range(start, start + len("80 percent of opioids"))
    window.highlight_actions["claim"].trigger()
    window.tabs.close_current()
    path.write_text("Intro\n\nShe said four fifths of all opioids are used here.\n")
    tab = window.open_document(str(path))
    (orphan,) = tab.annotations.values()
    assert str(orphan.anchor.state) == "orphan"
    assert window.sidebar.visible_ids() == [orphan.id]
    window.sidebar.activated.emit(orphan.id)
    assert window.editor.reattach_button.isVisible()
    new_text = tab.opened.document.text
    s = new_text.index("four fifths of all opioids")
    tab.view.select_range(s, s + len("four fifths of all opioids"))
    window.editor.reattach_button.click()
    fixed = window.library.annotation(orphan.id)
    assert str(fixed.anchor.state) == "exact"
    assert fixed.anchor.quote == "four fifths of all opioids"
    window.action("undo").trigger()
    assert str(window.library.annotation(orphan.id).anchor.state) == "orphan"


def test_all_annotations_browser_searches_and_opens_at_location(window, qtbot):
    tab = window.open_document(str(SEED))
    by_quote = highlight_all(window, tab)
    window.annotations.edit(by_quote[QUOTES[1]].id, {"note": "UNODC world drug report"})
    window.tabs.close_current()
    window.action("all_annotations").trigger()
    browser = window.library_windows.browser_dialog.browser
    assert len(browser.visible_ids()) == 3
    browser.search_edit.setText("unodc")
    browser.search_now()
    assert browser.visible_ids() == [by_quote[QUOTES[1]].id]
    browser.open_requested.emit(str(SEED.resolve()), by_quote[QUOTES[1]].id)
    assert window.tabs.count() == 1
    assert window.editor.annotation().id == by_quote[QUOTES[1]].id
    window.library_windows.browser_dialog.close()
    QApplication.processEvents()


def test_an_orphan_from_a_tie_offers_its_places_and_reattaches_to_the_chosen_one(
    window, qtbot, tmp_path
):
    # Another library annotated version 1 and exported; this one imports that export and then
    # only ever sees version 2, where the sentence appears twice with the same surroundings.
    from reader.library import Library

    path = tmp_path / "story.txt"
    sentence = "She said 80 percent of opioids are used here."
    path.write_text(f"Intro\n\n{sentence}\n\nOutro\n", encoding="utf-8")
    other = Library(tmp_path / "other.sqlite")
    try:
        opened = other.open_path(path)
        other.highlight(opened, *other.find_quote(opened, "80 percent of opioids"))
        other.export(tmp_path / "out.csv", "csv")
    finally:
        other.close()
    window.library.import_file(tmp_path / "out.csv")
    twice = f"Intro\n\n{sentence}\n\nOutro\n"
    path.write_text(f"{twice}\n{twice}", encoding="utf-8")
    tab = window.open_document(str(path))
    (orphan,) = tab.annotations.values()
    assert str(orphan.anchor.state) == "orphan"
    window.sidebar.activated.emit(orphan.id)
    editor = window.editor
    assert editor.candidates_group.isVisible()
    places = [editor.candidates_list.item(i).text() for i in range(editor.candidates_list.count())]
    assert len(places) == 2 and all("«80 percent of opioids»" in p for p in places)
    assert places[0].startswith("¶ 2") and places[1].startswith("¶ 5")
    editor.candidates_list.setCurrentRow(1)
    editor.candidate_button.click()
    fixed = window.library.annotation(orphan.id)
    text = tab.opened.document.text
    assert str(fixed.anchor.state) == "exact"
    assert fixed.anchor.start == text.rindex("80 percent of opioids")
    assert not editor.candidates_group.isVisible()
    window.action("undo").trigger()
    assert str(window.library.annotation(orphan.id).anchor.state) == "orphan"
    window.sidebar.activated.emit(orphan.id)
    assert editor.candidates_list.count() == 2
