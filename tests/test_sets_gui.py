"""Annotation sets in the real window: current set, Add/Remove from Set, the set filter, the
Sets manager. Prompts are answered by plain functions put in place of the dialogs."""

from __future__ import annotations

from conftest import SEED
from PySide6.QtCore import QSettings, Qt

QUOTES = [
    "surged to 79,770 in 2022",
    "5 percent of the world's population",
    "the leading cause of death in the U.S. for people aged 18-45",
]


def answers(*values):
    """A prompt that gives these answers in order (then None: Cancel) and records what it asked."""
    queue = list(values)
    asked = []

    def prompt(*args):
        asked.append(args)
        return queue.pop(0) if queue else None

    prompt.asked = asked
    return prompt


def highlight(window, tab, quote, kind="claim"):
    text = tab.opened.document.text
    start = text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions[kind].trigger()
    return next(a for a in tab.annotations.values() if a.anchor.quote == quote)


def choose_current_set(window, label):
    combo = window.sets.combo
    index = combo.findText(label)
    assert index >= 0, [combo.itemText(i) for i in range(combo.count())]
    combo.setCurrentIndex(index)
    combo.activated.emit(index)


def open_menu(menu):
    menu.aboutToShow.emit()
    return {a.text(): a for a in menu.actions() if a.text()}


def test_new_set_from_the_toolbar_becomes_current_and_catches_new_highlights(
    window, library, qtbot
):
    tab = window.open_document(str(SEED))
    before = highlight(window, tab, QUOTES[0])
    window.ask_text = answers("Fentanyl check")
    choose_current_set(window, "New set…")
    created = library.set_named("Fentanyl check")
    assert created is not None
    assert window.sets.combo.currentText() == "Fentanyl check"
    assert window.sets.current_set_id() == created.id

    inside = highlight(window, tab, QUOTES[1])
    assert library.set_members(created.id) == [inside.id]
    assert before.id not in library.set_members(created.id)

    # Undo takes it out with the annotation; redo puts both back.
    window.action("undo").trigger()
    assert library.set_members(created.id) == []
    window.action("redo").trigger()
    assert library.set_members(created.id) == [inside.id]

    # "No set": highlights go nowhere.
    choose_current_set(window, "No set")
    highlight(window, tab, QUOTES[2])
    assert library.set_members(created.id) == [inside.id]


def test_the_current_set_is_remembered(window, library, qtbot):
    from reader.ui.main_window import MainWindow

    chosen = library.create_set("Vaccines")
    window.sets.refresh()
    choose_current_set(window, "Vaccines")
    window.close()
    settings = QSettings(str(library.db_path.parent / "settings.ini"), QSettings.Format.IniFormat)
    again = MainWindow(library, settings=settings)
    qtbot.addWidget(again)
    assert again.sets.combo.currentText() == "Vaccines"
    assert again.sets.current_set_id() == chosen.id


def test_cancelling_the_new_set_prompt_keeps_the_current_set(window, library):
    window.ask_text = answers(None)
    choose_current_set(window, "New set…")
    assert window.sets.combo.currentText() == "No set"
    assert library.sets() == []


def test_a_duplicate_name_is_refused_with_a_sentence(window, library, qtbot):
    library.create_set("Fentanyl check")
    window.sets.refresh()
    window.ask_text = answers("fentanyl  check")
    with qtbot.waitSignal(window.error_shown):
        window.action("new_set").trigger()
    assert "already exists" in window.last_error
    assert len(library.sets()) == 1


def test_add_and_remove_selected_annotations_with_the_menus(window, library):
    tab = window.open_document(str(SEED))
    made = [highlight(window, tab, q) for q in QUOTES]
    target = library.create_set("Check later")
    window.sets.refresh()

    window.sidebar.select(made[0].id)
    window.sidebar.view.selectAll()  # multi-select: all three
    assert len(window.sidebar.selected_ids()) == 3
    entries = open_menu(window.window_actions.add_to_set_menu)
    assert "New Set…" in entries
    entries["Check later"].trigger()
    assert sorted(library.set_members(target.id)) == sorted(a.id for a in made)

    window.sidebar.select(made[1].id)
    entries = open_menu(window.window_actions.remove_from_set_menu)
    assert list(entries) == ["Check later"]
    entries["Check later"].trigger()
    assert sorted(library.set_members(target.id)) == sorted([made[0].id, made[2].id])
    assert library.annotation(made[1].id) is not None  # out of the set, still in the library
    assert list(open_menu(window.window_actions.remove_from_set_menu)) == ["Not in any set"]

    # "New Set…" in the submenu creates the set and adds the selection to it.
    window.ask_text = answers("Second look")
    open_menu(window.window_actions.add_to_set_menu)["New Set…"].trigger()
    assert library.set_members(library.set_named("Second look").id) == [made[1].id]


def test_sidebar_context_menu_offers_the_set_menus(window, library, qtbot):
    tab = window.open_document(str(SEED))
    made = highlight(window, tab, QUOTES[0])
    chosen = library.create_set("Context")
    window.sets.refresh()
    window.sidebar.select(made.id)
    where = window.sidebar.mapToGlobal(window.sidebar.rect().center())
    window.sidebar.context_menu_requested.emit(where)
    menu = window.window_actions.last_menu
    add = next(m for m in menu.findChildren(type(menu)) if m.objectName() == "context_add_to_set")
    open_menu(add)["Context"].trigger()
    assert library.set_members(chosen.id) == [made.id]
    menu.close()


def test_add_all_in_this_document_to_a_set(window, library):
    tab = window.open_document(str(SEED))
    made = [highlight(window, tab, q) for q in QUOTES]
    library.create_set("Old")
    window.sets.refresh()
    window.choose_item = answers("New set…")
    window.ask_text = answers("Whole article")
    window.action("add_document_to_set").trigger()
    whole = library.set_named("Whole article")
    assert sorted(library.set_members(whole.id)) == sorted(a.id for a in made)
    assert window.choose_item.asked[0][2] == ["Old", "New set…"]


def test_sidebar_set_filter_shows_the_members_and_counts(window, library):
    tab = window.open_document(str(SEED))
    made = [highlight(window, tab, q) for q in QUOTES]
    chosen = library.create_set("Two of three")
    window.sets.add_to_set(chosen.id, [made[0].id, made[2].id])
    combo = window.sidebar.filters.set_combo
    assert [combo.itemText(i) for i in range(combo.count())] == ["All sets", "Two of three"]
    combo.setCurrentIndex(combo.findData(chosen.id))
    assert sorted(window.sidebar.visible_ids()) == sorted([made[0].id, made[2].id])
    assert window.sidebar.count_label.text() == "2 shown of 3"

    # Membership changes show at once while filtering.
    window.sets.add_to_set(chosen.id, [made[1].id])
    assert window.sidebar.count_label.text() == "3 shown of 3"
    window.sets.remove_from_set(chosen.id, [made[0].id])
    assert sorted(window.sidebar.visible_ids()) == sorted([made[1].id, made[2].id])

    combo.setCurrentIndex(0)
    assert window.sidebar.count_label.text() == "3 annotations"


def test_sets_manager_lists_renames_and_deletes(window, library, qtbot):
    tab = window.open_document(str(SEED))
    made = [highlight(window, tab, q) for q in QUOTES]
    window.ask_text = answers("Alpha")
    window.action("manage_sets").trigger()
    panel = window.sets.dialog.panel
    assert window.sets.dialog.isVisible()
    qtbot.mouseClick(panel.new_button, Qt.MouseButton.LeftButton)
    alpha = library.set_named("Alpha")
    window.sets.add_to_set(alpha.id, [a.id for a in made[:2]])
    assert panel.rows() == [("Alpha", 2)]
    choose_current_set(window, "Alpha")

    # Double-click (here: the list's activate) filters the sidebar to the set.
    panel.list.activate.emit(alpha.id)
    assert window.sidebar.filters.set_id() == alpha.id
    assert sorted(window.sidebar.visible_ids()) == sorted([made[0].id, made[1].id])

    panel.select_set(alpha.id)
    window.ask_text = answers("Beta")
    panel.rename_button.click()
    assert panel.rows() == [("Beta", 2)]
    assert window.sets.combo.currentText() == "Beta"
    assert window.sidebar.filters.set_combo.currentText() == "Beta"

    window.confirm = answers(False)
    panel.delete_button.click()
    assert panel.rows() == [("Beta", 2)]
    assert "stay" in window.confirm.asked[0][0]
    window.confirm = answers(True)
    panel.delete_button.click()
    assert panel.rows() == []
    assert library.sets() == []
    assert all(library.annotation(a.id) is not None for a in made)  # annotations stay
    assert window.sets.combo.currentText() == "No set"
    assert window.sets.current_set_id() is None
    assert sorted(window.sidebar.visible_ids()) == sorted(a.id for a in made)  # filter gone


def test_browser_filters_by_set_and_offers_the_set_menus(window, library):
    tab = window.open_document(str(SEED))
    made = [highlight(window, tab, q) for q in QUOTES]
    chosen = library.create_set("Browse")
    window.sets.add_to_set(chosen.id, [made[1].id])
    window.action("all_annotations").trigger()
    browser = window.library_windows.browser_dialog.browser
    combo = browser.filters.set_combo
    combo.setCurrentIndex(combo.findData(chosen.id))
    assert browser.visible_ids() == [made[1].id]
    window.sets.add_to_set(chosen.id, [made[2].id])
    assert sorted(browser.visible_ids()) == sorted([made[1].id, made[2].id])
    window.library_windows.browser_dialog.close()
