"""Every action of the window, declared once as data (as napari and calibre do): its name (the
QAction's objectName is `action_<name>`), text, keys, what it runs, and what it needs to be
enabled; then the menus and the toolbar as lists of those names. `WindowActions` builds them and
`update_action_state` applies the rules.

A key two actions share does nothing (Qt calls it ambiguous), so the table never gives one key
twice (`without` drops a platform binding that would).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from enum import Flag, auto
from typing import TYPE_CHECKING

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QColor, QIcon, QKeySequence, QPixmap
from PySide6.QtWidgets import QLabel, QMenu, QSpinBox, QToolBar, QWidget

from reader.model import AnnotationKind
from reader.ui.actions import Shortcut, make_action
from reader.ui.view_api import DocumentView, PagedView

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow

sk = QKeySequence.StandardKey


class Needs(Flag):
    """What must hold for an action to be enabled."""

    NOTHING = 0
    DOCUMENT = auto()  # a document is open
    PAGED = auto()  # the current document has fixed pages (PDF)
    # Words are selected: checked where it is known before the action runs (the view's context
    # menu); from the menus and keys the action itself says "select … first".
    SELECTION = auto()


@dataclass(frozen=True)
class ActionSpec:
    name: str
    text: str
    run: Callable[[MainWindow], object] | None  # None: the QAction is made elsewhere (undo)
    keys: Sequence[Shortcut] = ()
    tip: str = ""
    icon: str = ""
    needs: Needs = Needs.NOTHING
    icon_text: str = ""
    enabled: bool = True  # at the start, for actions whose state is their owner's (Back)
    # Keys a platform's standard binding adds that another action of ours holds.
    without: Sequence[str] = ()


def _on_view(call: Callable[[DocumentView], object]) -> Callable[[MainWindow], object]:
    def run(w: MainWindow) -> None:
        view = w.current_view()
        if view is not None:
            call(view)

    return run


def _on_pages(call: Callable[[PagedView], object]) -> Callable[[MainWindow], object]:
    def run(w: MainWindow) -> None:
        tab = w.current_tab()
        if tab is not None and tab.paged_view is not None:
            call(tab.paged_view)

    return run


_DOC, _PAGED = Needs.DOCUMENT, Needs.DOCUMENT | Needs.PAGED
_WORDS = Needs.DOCUMENT | Needs.SELECTION
_EXTENTS = (  # (which end, step, text, key)
    ("end", 1, "Extend End by a Word", "Shift+Right"),
    ("end", -1, "Shorten End by a Word", "Shift+Left"),
    ("start", -1, "Extend Start by a Word", "Ctrl+Shift+Left"),
    ("start", 1, "Shorten Start by a Word", "Ctrl+Shift+Right"),
)
HIGHLIGHTS = tuple(f"highlight_{kind}" for kind in AnnotationKind)
EXTENTS = tuple(f"highlight_{w}_{'right' if d > 0 else 'left'}" for w, d, _t, _k in _EXTENTS)

ACTIONS: tuple[ActionSpec, ...] = (
    ActionSpec("open", "&Open…", lambda w: w.choose_file(), [sk.Open], icon="document-open"),
    ActionSpec("open_url", "Open &URL…", lambda w: w.focus_url(), ["Ctrl+L"]),
    ActionSpec("close_tab", "&Close", lambda w: w.tabs.close_current(), [sk.Close], needs=_DOC),
    ActionSpec("quit", "&Quit", lambda w: w.close(), [sk.Quit]),
    ActionSpec("restore_backup", "Restore from &Backup…", lambda w: w.restore_from_backup()),
    ActionSpec("copy", "&Copy", _on_view(lambda v: v.copy_selection()), needs=_DOC),
    ActionSpec("find", "&Find…", lambda w: w.find.open(), [sk.Find], icon="edit-find", needs=_DOC),
    # Some platforms bind Find Next to Ctrl+G too: Go to Page keeps it, find keeps F3.
    ActionSpec(
        "find_next",
        "Find &Next",
        lambda w: w.find.find_next(),
        [sk.FindNext],
        needs=_DOC,
        without=("Ctrl+G", "Ctrl+Shift+G"),
    ),
    ActionSpec(
        "find_previous",
        "Find &Previous",
        lambda w: w.find.find_previous(),
        [sk.FindPrevious],
        needs=_DOC,
        without=("Ctrl+G", "Ctrl+Shift+G"),
    ),
    ActionSpec(
        "zoom_in", "Zoom &In", _on_view(lambda v: v.zoom_in()), [sk.ZoomIn, "Ctrl+="], needs=_DOC
    ),
    ActionSpec("zoom_out", "Zoom &Out", _on_view(lambda v: v.zoom_out()), [sk.ZoomOut], needs=_DOC),
    ActionSpec(
        "zoom_reset", "&Actual Size", _on_view(lambda v: v.zoom_reset()), ["Ctrl+0"], needs=_DOC
    ),
    ActionSpec(
        "fit_width", "Fit &Width", _on_pages(lambda v: v.fit_width()), ["Ctrl+2"], needs=_PAGED
    ),
    ActionSpec(
        "fit_page", "Fit &Page", _on_pages(lambda v: v.fit_page()), ["Ctrl+1"], needs=_PAGED
    ),
    ActionSpec(
        "go_to_page", "&Go to Page…", lambda w: w.window_actions.focus_page(), ["Ctrl+G"],
        needs=_PAGED,
    ),
    ActionSpec("about", "&About Claim Reader", lambda w: w.about()),
    ActionSpec(
        "shortcuts",
        "&Keyboard Shortcuts",
        lambda w: w.show_shortcuts(),
        [sk.HelpContents, "Ctrl+/"],
        tip="Every action and its keys",
    ),
    ActionSpec(
        "toggle_left_panels",
        "Hide or Show &Left Panels",
        lambda w: w.window_actions.left_panels.toggle(),
        ["F9"],
        tip="The outline and annotations list go away and come back",
    ),
    ActionSpec(
        "toggle_right_panels",
        "Hide or Show &Right Panel",
        lambda w: w.window_actions.right_panels.toggle(),
        ["Shift+F9"],
        tip="The annotation editor goes away and comes back",
    ),
    ActionSpec(
        "next_tab", "&Next Document", lambda w: w.tabs.step(1), ["Ctrl+Tab", "Ctrl+PgDown"]
    ),
    ActionSpec(
        "previous_tab",
        "P&revious Document",
        lambda w: w.tabs.step(-1),
        ["Ctrl+Shift+Tab", "Ctrl+PgUp"],
    ),
    ActionSpec(
        "back",
        "&Back",
        lambda w: w.navigation.go_back(),
        ["Alt+Left"],  # not StandardKey.Back: it holds Backspace, which deletes elsewhere
        tip="Back to where you were before Go to passage",
        enabled=False,
    ),
    ActionSpec(
        "edit_status",
        "Edit &Status of Selected",
        lambda w: w.focus_editor_status(),
        ["F2"],
        tip="Put the keyboard on the selected annotation's status (Escape goes back)",
    ),
    *(
        ActionSpec(
            f"highlight_{kind}",
            f"Highlight as {kind.value.capitalize()}",
            lambda w, k=kind: w.annotations.highlight(k),
            [str(number)] + (["Ctrl+H"] if kind is AnnotationKind.CLAIM else []),
            tip=f"Highlight the selected words as a {kind.value}",
            needs=_WORDS,
            icon_text=kind.value.capitalize(),
        )
        for number, kind in enumerate(AnnotationKind, start=1)
    ),
    ActionSpec(
        "delete_annotation", "&Delete Annotation", lambda w: w.annotations.delete(), [sk.Delete]
    ),
    *(
        ActionSpec(
            name,
            text,
            lambda w, which=which, step=step: w.annotations.adjust_extent(which, step),
            [key],
            tip=f"Move the {which} of the selected highlight one word "
            f"{'right' if step > 0 else 'left'}",
            needs=_DOC,
        )
        for name, (which, step, text, key) in zip(EXTENTS, _EXTENTS, strict=True)
    ),
    ActionSpec("undo", "&Undo", None, ["Ctrl+Z"]),
    ActionSpec("redo", "&Redo", None, ["Ctrl+Shift+Z", "Ctrl+Y"]),
    ActionSpec(
        "use_as_evidence",
        "Use as &Evidence for…",
        lambda w: w.evidence.use_selection_as_evidence(),
        ["Ctrl+E"],
        tip="Cite the selected passage as a source for one of your claims",
        needs=_WORDS,
    ),
    ActionSpec(
        "sources", "&Sources…", lambda w: w.library_windows.show_sources(), ["Ctrl+Shift+S"]
    ),
    ActionSpec(
        "all_annotations",
        "&All Annotations…",
        lambda w: w.library_windows.show_browser(),
        ["Ctrl+Shift+A"],
    ),
    ActionSpec(
        "preferences", "&Preferences…", lambda w: w.show_preferences(), [sk.Preferences]
    ),
    ActionSpec(
        "export",
        "&Export…",
        lambda w: w.exchange.export_annotations(),
        ["Ctrl+Shift+E"],
        tip="Write a set, this document's or all annotations to CSV, JSON or Markdown",
    ),
    ActionSpec(
        "export_pdf",
        "Export Annotated &PDF…",
        lambda w: w.exchange.export_annotated_pdf(),
        tip="Save a copy of this PDF with every highlight as a standard PDF annotation",
        needs=_PAGED,
    ),
    ActionSpec(
        "import_pdf",
        "Import Annotations from PDF",
        lambda w: w.exchange.import_pdf_annotations(),
        tip="Bring this PDF's own highlights, underlines and notes in as annotations",
        needs=_PAGED,
    ),
    ActionSpec(
        "import",
        "&Import…",
        lambda w: w.exchange.import_annotations(),
        ["Ctrl+Shift+I"],
        tip="Merge annotations from a CSV or JSON export",
    ),
    ActionSpec(
        "merge_library",
        "&Merge Library…",
        lambda w: w.exchange.merge_library_file(),
        tip="Merge a colleague's Claim Reader library file into this one (theirs is only read)",
    ),
    ActionSpec(
        "merge_conflicts",
        "Merged with &Conflicts…",
        lambda w: w.library_windows.show_conflicts(),
        tip="Fields both libraries had changed: keep mine or theirs",
    ),
    ActionSpec(
        "new_set",
        "&New Set…",
        lambda w: w.sets.new_set(),
        ["Ctrl+Shift+N"],
        tip="Create a set and make it current: new highlights go into it",
    ),
    ActionSpec("manage_sets", "&Manage Sets…", lambda w: w.sets.show_sets(), ["Ctrl+Shift+M"]),
    ActionSpec(
        "add_document_to_set",
        "Add All in T&his Document to Set…",
        lambda w: w.sets.add_document_to_set(),
        tip="Put every annotation of this document into a set",
        needs=_DOC,
    ),
)

# Menus: (title, objectName, entries). An entry is an action's name, "-" (a separator), a
# submenu (title, objectName, entries), or "@name": a menu or action the window makes itself.
Entry = str | tuple
MENUS: tuple[tuple[str, str, tuple[Entry, ...]], ...] = (
    (
        "&File",
        "",
        (
            "open", "open_url", "@recent", "-", "import", "export", "merge_library",
            "merge_conflicts", "import_pdf", "export_pdf", "-", "close_tab", "restore_backup",
            "quit",
        ),
    ),
    (
        "&Edit",
        "",
        ("undo", "redo", "-", "copy", "-", "find", "find_next", "find_previous", "-",
         "preferences"),
    ),
    (
        "&Annotations",
        "menu_annotations",
        (
            *HIGHLIGHTS, "use_as_evidence", "edit_status",
            ("Ad&just Highlight", "menu_adjust_highlight", EXTENTS),
            "-", "delete_annotation", "-", "@add_to_set", "@remove_from_set",
            "add_document_to_set", "new_set", "manage_sets", "-", "all_annotations", "sources",
        ),
    ),
    (
        "&View",
        "",
        (
            "zoom_in", "zoom_out", "zoom_reset", "fit_width", "fit_page", "-", "go_to_page", "-",
            "@dock_outline", "@dock_annotations", "@dock_editor", "toggle_left_panels",
            "toggle_right_panels", "-", "back", "next_tab", "previous_tab",
        ),
    ),
    ("&Help", "", ("shortcuts", "-", "about")),
)  # fmt: skip

# The toolbar; "@pages" is the page box (PDFs only), "@set" the current set's box.
TOOLBAR: tuple[str, ...] = (
    "open", "-", "zoom_out", "zoom_in", "fit_width", "-", "@pages", "-", "find", "-",
    *HIGHLIGHTS, "-", "@set",
)  # fmt: skip


class WindowActions:
    """The window's QActions by name, its menus and toolbar, and the page box in the toolbar."""

    def __init__(self, window: MainWindow) -> None:
        from reader.ui.side_panels import SidePanels

        self.window = window
        # F9 / Shift+F9: every dock on one side goes away and comes back.
        self.left_panels = SidePanels(window, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.right_panels = SidePanels(window, Qt.DockWidgetArea.RightDockWidgetArea)
        self.last_menu: QMenu | None = None  # the context menu shown last (kept while open)
        self.toolbar: QToolBar | None = None
        self.by_name: dict[str, QAction] = {}
        self.needs: dict[QAction, Needs] = {}
        made = {
            "undo": window.undo_stack.createUndoAction(window, "&Undo"),
            "redo": window.undo_stack.createRedoAction(window, "&Redo"),
        }
        for spec in ACTIONS:
            action = made.get(spec.name) or make_action(
                window,
                spec.name,
                spec.text,
                lambda run=spec.run: run(window),
                spec.keys,
                tip=spec.tip,
                icon=spec.icon,
            )
            if spec.name in made:  # the undo stack's: its text says what it undoes
                action.setObjectName(f"action_{spec.name}")
                action.setShortcuts([QKeySequence(k) for k in spec.keys])
                window.addAction(action)
            if spec.without:
                action.setShortcuts(
                    [k for k in action.shortcuts() if k.toString() not in spec.without]
                )
            if spec.icon_text:
                action.setIconText(spec.icon_text)
            action.setEnabled(spec.enabled)
            self.by_name[spec.name] = action
            if spec.needs:
                self.needs[action] = spec.needs
        self.highlights = {kind: self.by_name[f"highlight_{kind}"] for kind in AnnotationKind}
        self.paint_kind_icons()
        self.recent_menu = QMenu("Open &Recent", window)
        self.recent_menu.setObjectName("menu_recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        self.add_to_set_menu = self._set_menu("Add t&o Set", "add_to_set")
        self.remove_from_set_menu = self._set_menu("Remo&ve from Set", "remove_from_set", True)
        # The toolbar's page box: the current page of a PDF, and a way to go to another.
        self.page_spin = QSpinBox(window)
        self.page_spin.setObjectName("page_spin")
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.setMinimum(1)
        self.page_spin.setToolTip("Go to page (Ctrl+G)")
        self.page_spin.valueChanged.connect(self._page_spin_changed)
        self.page_total = QLabel("", window)
        self.page_widgets: list[QAction] = []  # the toolbar's actions holding the page box

    def __getitem__(self, name: str) -> QAction:
        return self.by_name[name]

    def _set_menu(self, text: str, name: str, remove: bool = False) -> QMenu:
        """Add to / Remove from Set for the selected annotations, filled when it opens."""
        menu = QMenu(text, self.window)
        menu.setObjectName(f"menu_{name}")
        menu.menuAction().setObjectName(f"action_{name}")
        w = self.window
        menu.aboutToShow.connect(
            lambda: w.sets.fill_set_menu(menu, w.annotations.selected_ids, remove=remove)
        )
        return menu

    # -- menus and toolbar -----------------------------------------------------------------------

    def build_menus(self, extra: dict[str, QAction | QMenu]) -> None:
        """The menu bar from MENUS; `extra` holds the "@name" entries besides the ones made
        here (the docks' toggles)."""
        extra = {
            "recent": self.recent_menu,
            "add_to_set": self.add_to_set_menu,
            "remove_from_set": self.remove_from_set_menu,
            **extra,
        }
        bar = self.window.menuBar()
        for title, name, entries in MENUS:
            menu = bar.addMenu(title)
            if name:
                menu.setObjectName(name)
            self._fill(menu, entries, extra)

    def _fill(self, menu: QMenu, entries, extra) -> None:
        for entry in entries:
            if isinstance(entry, tuple):
                title, name, inner = entry
                sub = menu.addMenu(title)
                sub.setObjectName(name)
                self._fill(sub, inner, extra)
            elif entry == "-":
                menu.addSeparator()
            elif entry.startswith("@"):
                item = extra[entry[1:]]
                if isinstance(item, QMenu):
                    menu.addMenu(item)
                else:
                    menu.addAction(item)
            else:
                menu.addAction(self.by_name[entry])

    def build_toolbar(self, set_widgets: Sequence[QWidget]) -> QToolBar:
        tb = self.window.addToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        for entry in TOOLBAR:
            if entry == "-":
                tb.addSeparator()
            elif entry == "@pages":
                label = QLabel(" Page ", self.window)
                self.page_widgets = [
                    tb.addWidget(w) for w in (label, self.page_spin, self.page_total)
                ]
            elif entry == "@set":
                for widget in set_widgets:
                    tb.addWidget(widget)
            else:
                tb.addAction(self.by_name[entry])
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar = tb
        return tb

    def paint_kind_icons(self) -> None:
        """Each highlight action's icon is its kind's colour (the Preferences may change it)."""
        for kind, act in self.highlights.items():
            pix = QPixmap(14, 14)
            pix.fill(QColor(self.window.prefs.color(kind)))
            act.setIcon(QIcon(pix))

    def _fill_recent_menu(self) -> None:
        from reader.ui.document_tabs import elide

        menu, window = self.recent_menu, self.window
        menu.clear()
        records = window.library.recent(15)
        if not records:
            menu.addAction("No recent documents").setEnabled(False)
        for rec in records:
            act = menu.addAction(elide(rec.title or rec.source, 60))
            act.setToolTip(rec.source)
            act.triggered.connect(lambda _c=False, s=rec.source: window.open_recent(s))

    # -- enablement ------------------------------------------------------------------------------

    def update_action_state(self, tab, *, selection: bool | None = None) -> None:
        """Enable each action whose needs hold for `tab` (the current DocumentTab or None);
        `selection`: whether words are selected, where that is known (None: not checked)."""
        have = Needs.NOTHING
        if tab is not None:
            have |= Needs.DOCUMENT | (Needs.PAGED if tab.paged else Needs.NOTHING)
        if selection is None or selection:
            have |= Needs.SELECTION
        for action, needs in self.needs.items():
            action.setEnabled(needs in have)
        view = tab.paged_view if tab is not None else None
        for w in self.page_widgets:
            w.setVisible(view is not None)
        if view is not None:
            self.show_page(view, total=True)

    def show_page(self, view: PagedView, *, total: bool = False) -> None:
        self.page_spin.blockSignals(True)
        if total:
            self.page_spin.setMaximum(max(1, view.page_count))
            self.page_total.setText(f" of {view.page_count} ")
        self.page_spin.setValue(view.current_page + 1)
        self.page_spin.blockSignals(False)

    def _page_spin_changed(self, value: int) -> None:
        tab = self.window.current_tab()
        if tab is not None and tab.paged_view is not None:
            tab.paged_view.go_to_page(value - 1)

    def focus_page(self) -> None:
        if self.page_spin.isVisible():
            self.page_spin.setFocus()
            self.page_spin.selectAll()

    # -- context menus ---------------------------------------------------------------------------

    def popup(self, menu: QMenu, global_pos) -> None:
        """Show a context menu; kept until the next one (an unreferenced QMenu would be
        collected while open)."""
        self.last_menu = menu
        menu.popup(global_pos)

    def view_menu(self, view, pos) -> QMenu:
        """The document's context menu at `pos`: highlight the selected words, copy, and the
        annotation under the pointer."""
        w = self.window
        menu = QMenu(w)
        self.update_action_state(w.current_tab(), selection=view.has_selection())
        for act in self.highlights.values():
            menu.addAction(act)
        menu.addAction(self.by_name["use_as_evidence"])
        menu.addSeparator()
        menu.addAction(self.by_name["copy"])
        hit = view.annotation_at(pos)
        if hit is not None:
            menu.addSeparator()
            menu.addAction(
                "Delete This Annotation", lambda h=hit: w.annotations.delete([h])
            ).setObjectName("context_delete_annotation")
            w.sets.add_set_menus(menu, lambda h=hit: [h])
        menu.aboutToHide.connect(lambda: self.update_action_state(w.current_tab()))
        return menu

    def sidebar_menu(self, ids: list[str]) -> QMenu:
        w = self.window
        menu = QMenu(w)
        menu.setObjectName("sidebar_context_menu")
        w.sets.add_set_menus(menu, lambda: list(ids))
        menu.addAction(self.by_name["add_document_to_set"])
        menu.addSeparator()
        menu.addAction(self.by_name["delete_annotation"])
        return menu
