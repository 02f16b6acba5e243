"""The windows over the whole library: All Annotations, Sources, Merged with Conflicts.

Each is made once, on first use, and kept; an undo, an import or a merge refreshes the ones
that are open.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject
from PySide6.QtWidgets import QDialog, QMenu, QVBoxLayout, QWidget

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow


def panel_dialog(
    parent: QWidget,
    name: str,
    title: str,
    size: tuple[int, int],
    make: Callable[[QDialog], QWidget],
    attr: str = "browser",
) -> QDialog:
    """A window around one library panel (`make(dialog)`), the panel as the dialog's `attr`."""
    dialog = QDialog(parent)
    dialog.setObjectName(name)
    dialog.setWindowTitle(title)
    dialog.resize(*size)
    panel = make(dialog)
    QVBoxLayout(dialog).addWidget(panel)
    setattr(dialog, attr, panel)
    return dialog


def present(dialog: QDialog, panel) -> None:
    panel.refresh()
    dialog.show()
    dialog.raise_()


class LibraryWindows(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.browser_dialog: QDialog | None = None
        self.sources_dialog: QDialog | None = None
        self.conflicts_dialog: QDialog | None = None

    def dialogs(self) -> list[QDialog]:
        """The library windows made so far (a running export disables them)."""
        return [d for d in (self.browser_dialog, self.sources_dialog) if d is not None]

    def refresh(self, *, visible_only: bool = False) -> None:
        """The library changed (an import, a merge; with `visible_only`, an undo or redo of
        sources or citations): the library windows show it."""
        for dialog in (self.sources_dialog, self.browser_dialog):
            if dialog is not None and (dialog.isVisible() or not visible_only):
                dialog.browser.refresh()

    def show_browser(self) -> None:
        from reader.ui.panels.browser import AnnotationBrowser

        w = self.window
        if self.browser_dialog is None:
            self.browser_dialog = panel_dialog(
                w,
                "all_annotations_dialog",
                "All annotations",
                (900, 560),
                lambda dialog: AnnotationBrowser(w.library, dialog),
            )
            browser = self.browser_dialog.browser
            browser.citation_counts_for = lambda _found: w.library.citation_counts()
            browser.open_requested.connect(w.navigation.open_at_annotation)
            browser.context_menu_requested.connect(self._browser_context_menu)
        present(self.browser_dialog, self.browser_dialog.browser)

    def _browser_context_menu(self, pos) -> None:
        dialog = self.browser_dialog
        ids = dialog.browser.selected_ids() if dialog else []
        menu = QMenu(dialog or self.window)
        menu.setObjectName("browser_context_menu")
        self.window.sets.add_set_menus(menu, lambda: list(ids))
        self.window.window_actions.popup(menu, pos)

    def show_sources(self) -> None:
        from reader.ui.panels.sources import SourcesBrowser

        w = self.window
        if self.sources_dialog is None:
            self.sources_dialog = panel_dialog(
                w,
                "sources_dialog",
                "Sources",
                (900, 560),
                lambda dialog: SourcesBrowser(w.library, dialog),
            )
            self.sources_dialog.browser.open_annotation.connect(w.navigation.open_at_annotation)
            self.sources_dialog.browser.record = w.annotations.record
        present(self.sources_dialog, self.sources_dialog.browser)

    def show_conflicts(self) -> None:
        """The "Merged with conflicts" window: keep mine or theirs, field by field."""
        from reader.ui.panels.conflicts import ConflictsPanel

        w = self.window
        if self.conflicts_dialog is None:
            self.conflicts_dialog = panel_dialog(
                w,
                "conflicts_dialog",
                "Merged with conflicts",
                (760, 380),
                lambda dialog: ConflictsPanel(w.library, dialog),
                attr="panel",
            )
            panel = self.conflicts_dialog.panel
            panel.keep_requested.connect(self.keep_conflict_value)
            panel.open_annotation.connect(w.navigation.open_annotation_by_id)
        present(self.conflicts_dialog, self.conflicts_dialog.panel)

    def keep_conflict_value(self, conflict_id: int, keep: str) -> None:
        """Keep one side's value: the same undoable edit as typing it in the editor."""
        w = self.window
        w.editor.flush()
        annotation_id, changes = w.library.conflict_changes(conflict_id, keep)
        if changes:
            w.annotations.edit(annotation_id, changes)
        w.library.close_conflict(conflict_id)
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.panel.refresh()
        if self.browser_dialog is not None:
            self.browser_dialog.browser.refresh()
