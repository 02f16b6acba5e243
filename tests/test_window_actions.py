"""The window's actions as a user meets them: each in a menu, no key doing two things, and
enabled only when what it needs is there (a document, pages, selected words)."""

from __future__ import annotations

from conftest import CORPUS, SEED
from PySide6.QtGui import QKeySequence
from PySide6.QtWidgets import QMenu

from reader.ui.shortcuts_dialog import action_rows
from reader.ui.window_actions import ACTIONS

PDF4 = CORPUS / "pdf" / "pdflatex-4-pages.pdf"


def test_every_action_is_in_a_menu_with_keys_that_do_one_thing(window):
    rows = action_rows(window)
    assert [row for row in rows if row[0] == "Other"] == []  # none only reachable by its keys
    assert len(rows) >= len(ACTIONS)
    owner: dict[str, str] = {}
    for spec in ACTIONS:
        for key in window.action(spec.name).shortcuts():
            text = key.toString(QKeySequence.SequenceFormat.PortableText)
            assert text not in owner, f"{text} is both {owner[text]} and {spec.name}"
            owner[text] = spec.name


def test_actions_follow_what_is_open(window):
    def enabled(*names):
        return [window.action(n).isEnabled() for n in names]

    names = ("open", "find", "highlight_claim", "fit_width", "export_pdf", "add_document_to_set")
    assert enabled(*names) == [True, False, False, False, False, False]
    window.open_document(str(SEED))  # an article: no pages to fit
    assert enabled(*names) == [True, True, True, False, False, True]
    window.open_document(str(PDF4))
    assert enabled(*names) == [True, True, True, True, True, True]
    page_box = window.window_actions.page_widgets  # the toolbar's "Page [n] of N"
    assert all(a.isVisible() for a in page_box)
    assert window.window_actions.page_total.text().strip() == "of 4"
    window.tabs.setCurrentIndex(0)
    assert not any(a.isVisible() for a in page_box)
    window.tabs.close_current()
    window.tabs.close_current()
    assert enabled(*names) == [True, False, False, False, False, False]
    assert window.stack.currentWidget() is window.start_page


def test_context_menu_offers_highlighting_only_for_selected_words(window, qtbot):
    tab = window.open_document(str(SEED))
    view = tab.view
    view.clear_selection()
    view.customContextMenuRequested.emit(view.rect().center())
    menu = window.window_actions.last_menu
    assert isinstance(menu, QMenu)
    shown = {a.objectName(): a.isEnabled() for a in menu.actions() if a.objectName()}
    assert shown["action_highlight_claim"] is False
    assert shown["action_use_as_evidence"] is False
    menu.close()
    # Closed: the menu bar's and the keys' actions are as before (they say "select first").
    assert window.action("highlight_claim").isEnabled()
    assert window.action("use_as_evidence").isEnabled()
    view.select_range(0, 20)
    view.customContextMenuRequested.emit(view.rect().center())
    menu = window.window_actions.last_menu
    assert window.action("highlight_claim").isEnabled()
    menu.close()
