"""Annotation sets in the window: the current set (toolbar box and status bar), Add to / Remove
from Set menus, New Set…, and the Sets manager."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QComboBox, QDialog, QLabel, QMenu

from reader.ui.exchange_actions import count_text
from reader.ui.library_windows import panel_dialog, present

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow

_NEW_SET = -1  # item data of the current-set combo's "New set…" entry


class SetActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.library = window.library
        self.dialog: QDialog | None = None  # the Sets manager, once opened
        self.combo = QComboBox(window)
        self.combo.setObjectName("current_set_combo")
        self.combo.setAccessibleName("Current set")
        self.combo.setToolTip("New highlights go into this set")
        self.combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.combo.setMinimumContentsLength(10)
        self.combo.addItem("No set", 0)
        self.combo.addItem("New set…", _NEW_SET)
        self.combo.activated.connect(self._combo_activated)
        self._combo_index = 0  # back to it when "New set…" is cancelled
        # Which set new highlights go into, always in sight while there is one.
        self.label = QLabel("", window)
        self.label.setObjectName("status_current_set")
        self.label.setToolTip(
            "New highlights go into this set (change it in the toolbar's Set box)"
        )
        self.label.hide()

    # -- the current set -------------------------------------------------------------------------

    def current_set_id(self) -> int | None:
        """The set new highlights go into (the toolbar's current set), or None."""
        return self.window.annotations.current_set_id

    def set_current_set(self, set_id: int | None) -> None:
        """Make this set current (None: no set) and remember it."""
        index = self.combo.findData(set_id) if set_id else 0
        if index < 0:
            index, set_id = 0, None
        self.combo.setCurrentIndex(index)
        self._combo_index = index
        self.window.annotations.current_set_id = set_id or None
        self.window.settings.setValue("sets/current", set_id or 0)
        self._show_current_set()

    def _show_current_set(self) -> None:
        set_id = self.window.annotations.current_set_id
        if set_id is None:
            self.label.hide()
            return
        self.label.setText(f"New highlights go into “{self.set_name(set_id)}”")
        self.label.show()

    def restore(self) -> None:
        """The set that was current at the last quit is current again."""
        self.refresh()
        try:
            saved = int(self.window.settings.value("sets/current", 0) or 0)
        except (TypeError, ValueError):
            saved = 0
        self.set_current_set(saved or None)

    def _combo_activated(self, index: int) -> None:
        data = self.combo.itemData(index)
        if data == _NEW_SET:
            created = self._create_set_prompt()
            if created is None:
                self.combo.setCurrentIndex(self._combo_index)
                return
            self.set_current_set(created.id)
            self.window.show_info(f'New highlights go into "{created.name}".')
            return
        self.set_current_set(data or None)

    def refresh(self) -> None:
        """Sets or their members changed: the current-set combo, the set filters and the Sets
        manager show them again."""
        w = self.window
        sets = self.library.sets()
        current = w.annotations.current_set_id
        combo = self.combo
        combo.blockSignals(True)
        try:
            combo.clear()
            combo.addItem("No set", 0)
            for st in sets:
                combo.addItem(st.name, st.id)
            combo.insertSeparator(combo.count())
            combo.addItem("New set…", _NEW_SET)
            index = combo.findData(current) if current else 0
            combo.setCurrentIndex(max(0, index))
        finally:
            combo.blockSignals(False)
        self._combo_index = max(0, index)
        if current and index < 0:  # the current set was deleted
            w.annotations.current_set_id = None
            w.settings.setValue("sets/current", 0)
        self._show_current_set()
        w.sidebar.set_sets(sets)
        w.sidebar.filters.set_authors(self.library.authors())
        browser = w.library_windows.browser_dialog
        if browser is not None:
            browser.browser.refresh_sets()
        if self.dialog is not None:
            self.dialog.panel.refresh()

    # -- making and choosing sets ----------------------------------------------------------------

    def _create_set_prompt(self):
        name = self.window.ask_text("New set", "Name of the new set:", "")
        if name is None or not name.strip():
            return None
        try:
            created = self.library.create_set(name)
        except ValueError as exc:  # SetExists is one
            self.window.show_error(str(exc))
            return None
        self.refresh()
        return created

    def new_set(self) -> None:
        created = self._create_set_prompt()
        if created is not None:
            self.set_current_set(created.id)
            self.window.show_info(f'New highlights go into "{created.name}".')

    def choose_set(self, title: str):
        """Ask which set (or a new one); the AnnotationSet, or None on Cancel."""
        sets = self.library.sets()
        current = self.window.annotations.current_set_id
        if current is not None:  # offered first
            sets = [st for st in sets if st.id == current] + [
                st for st in sets if st.id != current
            ]
        items = [st.name for st in sets] + ["New set…"]
        answer = self.window.choose_item(title, "Set:", items)
        if answer is None or answer not in items:
            return None
        index = items.index(answer)
        if index == len(sets):
            return self._create_set_prompt()
        return sets[index]

    def set_name(self, set_id: int) -> str:
        return next((st.name for st in self.library.sets() if st.id == set_id), "the set")

    # -- members ---------------------------------------------------------------------------------

    def add_to_set(self, set_id: int, ids: list[str]) -> int:
        say = self.window.show_info
        if not ids:
            say("Select the annotations to add to the set first.")
            return 0
        added = self.window.annotations.add_to_set(set_id, ids)
        name = self.set_name(set_id)
        say(f'Added {count_text(added)} to "{name}".' if added else f'Already in "{name}".')
        return added

    def remove_from_set(self, set_id: int, ids: list[str]) -> int:
        if not ids:
            self.window.show_info("Select the annotations to remove from the set first.")
            return 0
        removed = self.window.annotations.remove_from_set(set_id, ids)
        self.window.show_info(f'Removed {count_text(removed)} from "{self.set_name(set_id)}".')
        return removed

    def _add_to_new_set(self, ids: list[str]) -> None:
        created = self._create_set_prompt()
        if created is not None:
            self.add_to_set(created.id, ids)

    def add_document_to_set(self) -> int:
        ids = self.window.annotations.document_ids()
        if not ids:
            self.window.show_info("This document has no annotations yet.")
            return 0
        chosen = self.choose_set("Add all in this document to set")
        if chosen is None:
            return 0
        return self.add_to_set(chosen.id, ids)

    def fill_set_menu(self, menu: QMenu, ids_for: Callable[[], list[str]], *, remove=False):
        """Fill an "Add to Set" (or "Remove from Set") menu for the annotations `ids_for()`."""
        menu.clear()
        ids = list(ids_for())
        sets = self.library.sets()
        if remove:
            holding = {st.id for i in ids for st in self.library.sets_of(i)}
            sets = [st for st in sets if st.id in holding]
        slot = self.remove_from_set if remove else self.add_to_set
        for st in sets:
            act = menu.addAction(st.name)
            act.setObjectName("set_menu_entry")
            act.setData(st.id)
            act.triggered.connect(lambda _c=False, sid=st.id: slot(sid, ids))
        if not remove:
            if sets:
                menu.addSeparator()
            act = menu.addAction("New Set…")
            act.setObjectName("set_menu_new")
            act.triggered.connect(lambda _c=False: self._add_to_new_set(ids))
        elif not sets:
            menu.addAction("Not in any set" if ids else "No annotation selected").setEnabled(False)
        if not ids:
            for act in menu.actions():
                act.setEnabled(False)

    def add_set_menus(self, menu: QMenu, ids_for: Callable[[], list[str]]) -> None:
        """A context menu's "Add to Set" and "Remove from Set" for the annotations `ids_for()`."""
        add = menu.addMenu("Add to Set")
        add.setObjectName("context_add_to_set")
        add.aboutToShow.connect(lambda m=add: self.fill_set_menu(m, ids_for))
        remove = menu.addMenu("Remove from Set")
        remove.setObjectName("context_remove_from_set")
        remove.aboutToShow.connect(lambda m=remove: self.fill_set_menu(m, ids_for, remove=True))

    # -- the Sets manager ------------------------------------------------------------------------

    def show_sets(self) -> None:
        from reader.ui.panels.sets import SetsPanel

        w = self.window
        if self.dialog is None:
            self.dialog = panel_dialog(
                w,
                "sets_dialog",
                "Annotation sets",
                (420, 360),
                lambda dialog: SetsPanel(self.library, dialog),
                attr="panel",
            )
            panel = self.dialog.panel
            panel.ask_text = lambda title, label, text: w.ask_text(title, label, text)
            panel.confirm = lambda question: w.confirm(question)
            panel.error.connect(w.show_error)
            panel.sets_changed.connect(self.refresh)
            panel.set_activated.connect(self.filter_to_set)
        present(self.dialog, self.dialog.panel)

    def filter_to_set(self, set_id: int | None) -> None:
        """Show only this set's annotations in the sidebar (and, with no document open, in the
        All Annotations browser)."""
        w = self.window
        w.sidebar.filter_to_set(set_id)
        w.annotations_dock.show()
        w.annotations_dock.raise_()
        if w.current_tab() is None and set_id is not None:
            w.library_windows.show_browser()
            w.library_windows.browser_dialog.browser.filter_to_set(set_id)
        if set_id is not None:
            w.show_info(f'Showing the annotations in "{self.set_name(set_id)}".')
