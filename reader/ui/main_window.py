"""The main window: assembly and wiring only. Documents are opened through the Library."""

from __future__ import annotations

import threading
from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QObject, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import (
    QAction,
    QColor,
    QDesktopServices,
    QIcon,
    QKeySequence,
    QPixmap,
    QUndoStack,
)
from PySide6.QtWidgets import (
    QComboBox,
    QDialog,
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMenu,
    QMessageBox,
    QPushButton,
    QSpinBox,
    QStackedWidget,
    QTabWidget,
    QVBoxLayout,
    QWidget,
)

from reader.library import DocumentError, Library, Opened, PasswordRequired, is_url
from reader.model import AnnotationKind
from reader.ui import prompts
from reader.ui.actions import make_action
from reader.ui.annotation_controller import AnnotationController
from reader.ui.find_bar import FindBar
from reader.ui.start_page import StartPage

OPEN_FILTER = (
    "Documents (*.pdf *.epub *.xps *.oxps *.fb2 *.mobi *.cbz *.html *.htm *.xhtml *.txt *.md "
    "*.markdown);;PDF (*.pdf);;Web pages (*.html *.htm *.xhtml);;Text and Markdown (*.txt *.md "
    "*.markdown);;All files (*)"
)

# Asked with (document name, the previous try was wrong); returns the password or None.
PasswordPrompt = Callable[[str, bool], str | None]

_NEW_SET = -1  # item data of the current-set combo's "New set…" entry


class _Fetcher(QObject):
    """Carries a URL download's result from its worker thread back to the UI thread."""

    done = Signal(str, object, str)  # url, snapshot Path, final url
    failed = Signal(str, str)  # url, message


class DocumentTab(QWidget):
    """One open document: its view and, under it, nothing else yet (find bar is window-wide)."""

    def __init__(self, opened: Opened, view: QWidget, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.opened = opened
        self.view = view
        self.status = ""
        self.annotations: dict = {}  # id -> Annotation, kept by the AnnotationController
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # What the reader must know about this text (no article found, fonts missing).
        self.notice = QLabel(self)
        self.notice.setObjectName("document_notice")
        self.notice.setWordWrap(True)
        self.notice.setContentsMargins(8, 4, 8, 4)
        self.notice.setStyleSheet("QLabel { background: palette(alternate-base); }")
        self.notice.hide()
        layout.addWidget(self.notice)
        layout.addWidget(view)

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    @property
    def paged(self) -> bool:
        return self.opened.document.kind.paged


class MainWindow(QMainWindow):
    document_opened = Signal(object)  # DocumentTab
    error_shown = Signal(str)
    exchange_finished = Signal(bool, str)  # an export or import ended: (succeeded, sentence)
    # Articles (HTML, text, Markdown) from this size on are read on a worker thread (a 1 MB
    # saved page takes ~2 s to extract); tests about something else set it out of reach.
    background_open_bytes = 256 * 1024

    def __init__(
        self,
        library: Library,
        *,
        ask_password: PasswordPrompt | None = None,
        settings: QSettings | None = None,
    ) -> None:
        super().__init__()
        self.library = library
        self.ask_password = ask_password or self._ask_password_dialog
        base = library.db_path.parent if library.db_path else Path.cwd()
        self.settings = settings or QSettings(
            str(base / "settings.ini"), QSettings.Format.IniFormat
        )
        self.last_error = ""
        self._fetches: dict[str, threading.Event] = {}
        # Prompts, plain callables so tests answer them without a modal dialog:
        # (title, label, initial text) -> text or None; (question) -> yes;
        # (title, label, items) -> item or None; (title, start path, filter) -> path or None.
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text_dialog
        self.confirm: Callable[[str], bool] = self._confirm_dialog
        self.choose_item: Callable[[str, str, list[str]], str | None] = self._choose_item_dialog
        self.choose_save_path: Callable[[str, str, str], str | None] = self._save_path_dialog
        self.choose_open_path: Callable[[str, str, str], str | None] = self._open_path_dialog
        # The export or import running on a worker thread (it alone uses the library then).
        self.exchange_job = None
        self.export_dialog = None
        self.zotero_dialog = None  # File ▸ Import… of a Zotero library, while it is open
        self.missing_pages_box = None  # pages a Hypothesis import could not find
        self._busy_widgets: list = []
        self._deferred: list[Callable[[], object]] = []
        self.setObjectName("main_window")
        self.setWindowTitle("Claim Reader")
        self.setAcceptDrops(True)

        self.start_page = StartPage(self)
        self.tabs = QTabWidget(self)
        self.tabs.setObjectName("document_tabs")
        self.tabs.setTabsClosable(True)
        self.tabs.setMovable(True)
        self.tabs.setDocumentMode(True)
        self.tabs.tabCloseRequested.connect(self.close_tab)
        # Many documents: titles are shortened, the bar scrolls, and a list names them all.
        self.tabs.setElideMode(Qt.TextElideMode.ElideRight)
        self.tabs.setUsesScrollButtons(True)
        from reader.ui.tab_list import TabListButton

        self.tab_list_button = TabListButton(self.tabs)
        self.tabs.setCornerWidget(self.tab_list_button, Qt.Corner.TopRightCorner)
        self.tabs.currentChanged.connect(self._current_changed)
        self.find_bar = FindBar(self)
        self.find_bar.hide()
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.tabs)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        layout.addWidget(self.find_bar)
        self.setCentralWidget(central)

        self.outline_dock = QDockWidget("Outline", self)
        self.outline_dock.setObjectName("dock_outline")
        self.outline_placeholder = QLabel("This document has no outline.", self.outline_dock)
        self.outline_jobs: dict[object, object] = {}  # tab → the job reading its outline
        self.outline_placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.outline_placeholder.setWordWrap(True)
        self.outline_dock.setWidget(self.outline_placeholder)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.outline_dock)
        self.outline_dock.hide()

        from reader.ui.panels.editor import AnnotationEditor
        from reader.ui.panels.sidebar import AnnotationsPanel
        from reader.ui.preferences import Preferences

        self.prefs = Preferences(self.settings)
        # Every change made in this window is on the record under the Preferences name.
        self.library.author = self.prefs.author
        self.undo_stack = QUndoStack(self)
        self.sidebar = AnnotationsPanel(self)
        self.sidebar.setObjectName("annotations_panel")
        # Docks may be narrow: the window must fit a small screen or --size 800x600.
        self.sidebar.setMinimumWidth(180)
        self.annotations_dock = QDockWidget("Annotations", self)
        self.annotations_dock.setObjectName("dock_annotations")
        self.annotations_dock.setWidget(self.sidebar)
        self.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, self.annotations_dock)
        self.tabifyDockWidget(self.outline_dock, self.annotations_dock)
        self.editor = AnnotationEditor(
            self.library.tags, self, default_color=self.prefs.color, library=self.library
        )
        self.editor.setObjectName("annotation_editor")
        self.editor_dock = QDockWidget("Annotation", self)
        self.editor_dock.setObjectName("dock_editor")
        self.editor_dock.setWidget(self.editor)
        self.addDockWidget(Qt.DockWidgetArea.RightDockWidgetArea, self.editor_dock)
        self.annotations = AnnotationController(
            self.library,
            self.undo_stack,
            self.sidebar,
            self.editor,
            self.prefs,
            self.current_tab,
            self.open_tabs,
            self,
        )
        self.sidebar.set_members_provider = self.library.set_members
        from reader.ui.side_panels import SidePanels

        self.left_panels = SidePanels(self, Qt.DockWidgetArea.LeftDockWidgetArea)
        self.right_panels = SidePanels(self, Qt.DockWidgetArea.RightDockWidgetArea)
        self.browser_dialog: QDialog | None = None
        self.sources_dialog: QDialog | None = None
        self.sets_dialog: QDialog | None = None
        self.evidence_dialog: QDialog | None = None  # Use as Evidence's question, while open
        self.sidebar.filters.author_ids_provider = self.library.annotation_ids_by
        self.conflicts_dialog: QDialog | None = None
        if hasattr(self.editor, "open_evidence"):
            self.editor.open_evidence.connect(self.open_annotation_by_id)
        if self.editor.citations is not None:
            self.editor.citations.record = self.annotations.record
        self.editor.done_editing.connect(self.focus_document)
        self.annotations.library_changed.connect(self._library_windows_refresh)

        self._build_actions()
        self._build_menus_and_toolbar()
        self._build_status_bar()
        self._wire()
        from reader.ui.number_badges import NumberBadges
        from reader.ui.panels.candidates import install_check_assistant

        self.check_assistant = install_check_assistant(self)  # issue 15: candidate claims
        self.number_badges = NumberBadges(self)
        self.refresh_start_page()
        self._restore_current_set()
        self._restore_state()

    # -- construction --------------------------------------------------------------------------

    def _build_actions(self) -> None:
        sk = QKeySequence.StandardKey
        a = make_action
        self.action_open = a(
            self, "open", "&Open…", self.choose_file, [sk.Open], icon="document-open"
        )
        self.action_open_url = a(self, "open_url", "Open &URL…", self.focus_url, ["Ctrl+L"])
        self.action_close = a(self, "close_tab", "&Close", self.close_current, [sk.Close])
        self.action_quit = a(self, "quit", "&Quit", self.close, [sk.Quit])
        from reader.ui.recovery import RestoreFromBackup

        self.restore_from_backup = RestoreFromBackup(self)  # its dialogs are callables
        self.action_restore_backup = a(
            self, "restore_backup", "Restore from &Backup…", lambda: self.restore_from_backup()
        )
        self.action_copy = a(self, "copy", "&Copy", self.copy, [])
        self.action_find = a(self, "find", "&Find…", self.open_find, [sk.Find], icon="edit-find")
        self.action_find_next = a(self, "find_next", "Find &Next", self.find_next, [sk.FindNext])
        self.action_find_previous = a(
            self, "find_previous", "Find &Previous", self.find_previous, [sk.FindPrevious]
        )
        self.action_zoom_in = a(
            self, "zoom_in", "Zoom &In", lambda: self._view_call("zoom_in"), [sk.ZoomIn, "Ctrl+="]
        )
        self.action_zoom_out = a(
            self, "zoom_out", "Zoom &Out", lambda: self._view_call("zoom_out"), [sk.ZoomOut]
        )
        self.action_zoom_reset = a(
            self, "zoom_reset", "&Actual Size", lambda: self._view_call("zoom_reset"), ["Ctrl+0"]
        )
        self.action_fit_width = a(
            self, "fit_width", "Fit &Width", lambda: self._view_call("fit_width"), ["Ctrl+2"]
        )
        self.action_fit_page = a(
            self, "fit_page", "Fit &Page", lambda: self._view_call("fit_page"), ["Ctrl+1"]
        )
        self.action_go_to_page = a(self, "go_to_page", "&Go to Page…", self.focus_page, ["Ctrl+G"])
        # Some platforms bind Find Next to Ctrl+G too: a key two actions share does nothing
        # (Qt calls it ambiguous), so Go to Page keeps it and find keeps F3 / Shift+F3.
        for act in (self.action_find_next, self.action_find_previous):
            act.setShortcuts(
                [k for k in act.shortcuts() if k.toString() not in ("Ctrl+G", "Ctrl+Shift+G")]
            )
        self.action_about = a(self, "about", "&About Claim Reader", self.about)
        self.action_shortcuts = a(
            self,
            "shortcuts",
            "&Keyboard Shortcuts",
            self.show_shortcuts,
            [QKeySequence.StandardKey.HelpContents, "Ctrl+/"],
            tip="Every action and its keys",
        )
        self.action_toggle_left = a(
            self,
            "toggle_left_panels",
            "Hide or Show &Left Panels",
            self.left_panels.toggle,
            ["F9"],
            tip="The outline and annotations list go away and come back",
        )
        self.action_toggle_right = a(
            self,
            "toggle_right_panels",
            "Hide or Show &Right Panel",
            self.right_panels.toggle,
            ["Shift+F9"],
            tip="The annotation editor goes away and comes back",
        )
        self.action_next_tab = a(
            self,
            "next_tab",
            "&Next Document",
            lambda: self._step_tab(1),
            ["Ctrl+Tab", "Ctrl+PgDown"],
        )
        self.action_previous_tab = a(
            self,
            "previous_tab",
            "P&revious Document",
            lambda: self._step_tab(-1),
            ["Ctrl+Shift+Tab", "Ctrl+PgUp"],
        )
        self._back_stack: list[tuple] = []  # (tab, place, selected annotation id) to go back to
        self.action_back = a(
            self,
            "back",
            "&Back",
            self.go_back,
            ["Alt+Left"],  # not StandardKey.Back: it holds Backspace, which deletes elsewhere
            tip="Back to where you were before Go to passage",
        )
        self.action_back.setEnabled(False)
        self.action_edit_status = a(
            self,
            "edit_status",
            "Edit &Status of Selected",
            self.focus_editor_status,
            ["F2"],
            tip="Put the keyboard on the selected annotation's status (Escape goes back)",
        )
        self.highlight_actions = {}
        for number, kind in enumerate(AnnotationKind, start=1):
            keys = [str(number)] + (["Ctrl+H"] if kind is AnnotationKind.CLAIM else [])
            act = a(
                self,
                f"highlight_{kind}",
                f"Highlight as {kind.value.capitalize()}",
                lambda k=kind: self.annotations.highlight(k),
                keys,
                tip=f"Highlight the selected words as a {kind.value}",
            )
            act.setIconText(kind.value.capitalize())
            self.highlight_actions[kind] = act
        self._paint_kind_icons()
        self.action_delete_annotation = a(
            self,
            "delete_annotation",
            "&Delete Annotation",
            self._delete_annotations,
            [sk.Delete],
        )
        self.extent_actions = [
            a(
                self,
                f"highlight_{which}_{'right' if step > 0 else 'left'}",
                text,
                lambda w=which, d=step: self.annotations.adjust_extent(w, d),
                [keys],
                tip=f"Move the {which} of the selected highlight one word "
                f"{'right' if step > 0 else 'left'}",
            )
            for which, step, text, keys in (
                ("end", 1, "Extend End by a Word", "Shift+Right"),
                ("end", -1, "Shorten End by a Word", "Shift+Left"),
                ("start", -1, "Extend Start by a Word", "Ctrl+Shift+Left"),
                ("start", 1, "Shorten Start by a Word", "Ctrl+Shift+Right"),
            )
        ]
        self.action_undo = self.undo_stack.createUndoAction(self, "&Undo")
        self.action_undo.setObjectName("action_undo")
        self.action_undo.setShortcuts([QKeySequence("Ctrl+Z")])
        self.action_redo = self.undo_stack.createRedoAction(self, "&Redo")
        self.action_redo.setObjectName("action_redo")
        self.action_redo.setShortcuts([QKeySequence("Ctrl+Shift+Z"), QKeySequence("Ctrl+Y")])
        self.addAction(self.action_undo)
        self.addAction(self.action_redo)
        self.action_use_as_evidence = a(
            self,
            "use_as_evidence",
            "Use as &Evidence for…",
            self.use_selection_as_evidence,
            ["Ctrl+E"],
            tip="Cite the selected passage as a source for one of your claims",
        )
        self.action_sources = a(self, "sources", "&Sources…", self.show_sources, ["Ctrl+Shift+S"])
        self.action_all_annotations = a(
            self, "all_annotations", "&All Annotations…", self.show_browser, ["Ctrl+Shift+A"]
        )
        self.action_preferences = a(
            self, "preferences", "&Preferences…", self.show_preferences, [sk.Preferences]
        )
        self.action_export = a(
            self,
            "export",
            "&Export…",
            self.export_annotations,
            ["Ctrl+Shift+E"],
            tip="Write a set, this document's or all annotations to CSV, JSON or Markdown",
        )
        self.action_export_pdf = a(
            self,
            "export_pdf",
            "Export Annotated &PDF…",
            self.export_annotated_pdf,
            tip="Save a copy of this PDF with every highlight as a standard PDF annotation",
        )
        self.action_import_pdf = a(
            self,
            "import_pdf",
            "Import Annotations from PDF",
            self.import_pdf_annotations,
            tip="Bring this PDF's own highlights, underlines and notes in as annotations",
        )
        self.action_import = a(
            self,
            "import",
            "&Import…",
            self.import_annotations,
            ["Ctrl+Shift+I"],
            tip="Merge annotations from a CSV or JSON export",
        )
        self.action_merge_library = a(
            self,
            "merge_library",
            "&Merge Library…",
            self.merge_library_file,
            tip="Merge a colleague's Claim Reader library file into this one (theirs is only read)",
        )
        self.action_merge_conflicts = a(
            self,
            "merge_conflicts",
            "Merged with &Conflicts…",
            self.show_conflicts,
            tip="Fields both libraries had changed: keep mine or theirs",
        )
        self.action_new_set = a(
            self,
            "new_set",
            "&New Set…",
            self.new_set,
            ["Ctrl+Shift+N"],
            tip="Create a set and make it current: new highlights go into it",
        )
        self.action_manage_sets = a(
            self, "manage_sets", "&Manage Sets…", self.show_sets, ["Ctrl+Shift+M"]
        )
        self.action_add_document_to_set = a(
            self,
            "add_document_to_set",
            "Add All in T&his Document to Set…",
            self.add_document_to_set,
            tip="Put every annotation of this document into a set",
        )
        self.add_to_set_menu = QMenu("Add t&o Set", self)
        self.add_to_set_menu.setObjectName("menu_add_to_set")
        self.add_to_set_menu.menuAction().setObjectName("action_add_to_set")
        self.add_to_set_menu.aboutToShow.connect(
            lambda: self._fill_set_menu(self.add_to_set_menu, self.annotations.selected_ids)
        )
        self.remove_from_set_menu = QMenu("Remo&ve from Set", self)
        self.remove_from_set_menu.setObjectName("menu_remove_from_set")
        self.remove_from_set_menu.menuAction().setObjectName("action_remove_from_set")
        self.remove_from_set_menu.aboutToShow.connect(
            lambda: self._fill_set_menu(
                self.remove_from_set_menu, self.annotations.selected_ids, remove=True
            )
        )
        self.document_actions = [
            self.action_close,
            self.action_copy,
            self.action_find,
            self.action_find_next,
            self.action_find_previous,
            self.action_zoom_in,
            self.action_zoom_out,
            self.action_zoom_reset,
        ]
        self.document_actions += list(self.highlight_actions.values())
        self.document_actions.append(self.action_use_as_evidence)
        self.document_actions += self.extent_actions
        self.document_actions.append(self.action_add_document_to_set)
        self.paged_actions = [
            self.action_fit_width,
            self.action_fit_page,
            self.action_go_to_page,
            self.action_export_pdf,
            self.action_import_pdf,
        ]

    def _build_menus_and_toolbar(self) -> None:
        bar = self.menuBar()
        file_menu = bar.addMenu("&File")
        file_menu.addAction(self.action_open)
        file_menu.addAction(self.action_open_url)
        self.recent_menu = file_menu.addMenu("Open &Recent")
        self.recent_menu.setObjectName("menu_recent")
        self.recent_menu.aboutToShow.connect(self._fill_recent_menu)
        file_menu.addSeparator()
        file_menu.addAction(self.action_import)
        file_menu.addAction(self.action_export)
        file_menu.addAction(self.action_merge_library)
        file_menu.addAction(self.action_merge_conflicts)
        file_menu.addAction(self.action_import_pdf)
        file_menu.addAction(self.action_export_pdf)
        file_menu.addSeparator()
        file_menu.addAction(self.action_close)
        file_menu.addAction(self.action_restore_backup)
        file_menu.addAction(self.action_quit)
        edit = bar.addMenu("&Edit")
        edit.addAction(self.action_undo)
        edit.addAction(self.action_redo)
        edit.addSeparator()
        edit.addAction(self.action_copy)
        edit.addSeparator()
        edit.addAction(self.action_find)
        edit.addAction(self.action_find_next)
        edit.addAction(self.action_find_previous)
        edit.addSeparator()
        edit.addAction(self.action_preferences)
        notes = bar.addMenu("&Annotations")
        notes.setObjectName("menu_annotations")
        for act in self.highlight_actions.values():
            notes.addAction(act)
        notes.addAction(self.action_use_as_evidence)
        notes.addAction(self.action_edit_status)
        adjust = notes.addMenu("Ad&just Highlight")
        adjust.setObjectName("menu_adjust_highlight")
        for act in self.extent_actions:
            adjust.addAction(act)
        notes.addSeparator()
        notes.addAction(self.action_delete_annotation)
        notes.addSeparator()
        notes.addMenu(self.add_to_set_menu)
        notes.addMenu(self.remove_from_set_menu)
        notes.addAction(self.action_add_document_to_set)
        notes.addAction(self.action_new_set)
        notes.addAction(self.action_manage_sets)
        notes.addSeparator()
        notes.addAction(self.action_all_annotations)
        notes.addAction(self.action_sources)
        view = bar.addMenu("&View")
        for act in (
            self.action_zoom_in,
            self.action_zoom_out,
            self.action_zoom_reset,
            self.action_fit_width,
            self.action_fit_page,
        ):
            view.addAction(act)
        view.addSeparator()
        view.addAction(self.action_go_to_page)
        view.addSeparator()
        view.addAction(self.outline_dock.toggleViewAction())
        view.addAction(self.annotations_dock.toggleViewAction())
        view.addAction(self.editor_dock.toggleViewAction())
        view.addAction(self.action_toggle_left)
        view.addAction(self.action_toggle_right)
        view.addSeparator()
        view.addAction(self.action_back)
        view.addAction(self.action_next_tab)
        view.addAction(self.action_previous_tab)
        help_menu = bar.addMenu("&Help")
        help_menu.addAction(self.action_shortcuts)
        help_menu.addSeparator()
        help_menu.addAction(self.action_about)

        tb = self.addToolBar("Main")
        tb.setObjectName("toolbar_main")
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
        tb.addAction(self.action_open)
        tb.addSeparator()
        tb.addAction(self.action_zoom_out)
        tb.addAction(self.action_zoom_in)
        tb.addAction(self.action_fit_width)
        tb.addSeparator()
        self.page_label = QLabel(" Page ", self)
        self.page_spin = QSpinBox(self)
        self.page_spin.setObjectName("page_spin")
        self.page_spin.setKeyboardTracking(False)
        self.page_spin.setMinimum(1)
        self.page_spin.setToolTip("Go to page (Ctrl+G)")
        self.page_total = QLabel("", self)
        self.page_widgets = [
            tb.addWidget(self.page_label),
            tb.addWidget(self.page_spin),
            tb.addWidget(self.page_total),
        ]
        tb.addSeparator()
        tb.addAction(self.action_find)
        tb.addSeparator()
        for act in self.highlight_actions.values():
            tb.addAction(act)
        tb.addSeparator()
        self.current_set_combo = QComboBox(self)
        self.current_set_combo.setObjectName("current_set_combo")
        self.current_set_combo.setAccessibleName("Current set")
        self.current_set_combo.setToolTip("New highlights go into this set")
        self.current_set_combo.setSizeAdjustPolicy(
            QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon
        )
        self.current_set_combo.setMinimumContentsLength(10)
        self.current_set_combo.addItem("No set", 0)
        self.current_set_combo.addItem("New set…", _NEW_SET)
        set_label = QLabel(" &Set ", self)
        set_label.setBuddy(self.current_set_combo)
        set_label.setToolTip(self.current_set_combo.toolTip())
        tb.addWidget(set_label)
        tb.addWidget(self.current_set_combo)
        tb.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
        self.toolbar = tb

    def _build_status_bar(self) -> None:
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("status_view")
        self.anchor_summary = QLabel("", self)
        self.anchor_summary.setObjectName("status_anchors")
        # Which set new highlights go into, always in sight while there is one.
        self.current_set_label = QLabel("", self)
        self.current_set_label.setObjectName("status_current_set")
        self.current_set_label.setToolTip(
            "New highlights go into this set (change it in the toolbar's Set box)"
        )
        self.current_set_label.hide()
        self.statusBar().addPermanentWidget(self.current_set_label)
        self.statusBar().addPermanentWidget(self.anchor_summary)
        self.statusBar().addPermanentWidget(self.status_label)
        self.fetch_cancel = QPushButton("Cancel download", self)
        self.fetch_cancel.setObjectName("fetch_cancel")
        self.fetch_cancel.hide()
        self.fetch_cancel.clicked.connect(self.cancel_fetches)
        self.statusBar().addPermanentWidget(self.fetch_cancel)
        # Reading a big document's text / re-anchoring on the worker: progress and Cancel.
        self.statusBar().insertPermanentWidget(0, self.annotations.work.indicator)
        from reader.ui.document_work import WorkIndicator

        self.opening_indicator = WorkIndicator(self)
        self.opening_indicator.setObjectName("opening_indicator")
        self.opening_indicator.cancel_requested.connect(self.cancel_readings)
        self.statusBar().insertPermanentWidget(0, self.opening_indicator)
        # OCR of scanned pages: its progress and Cancel, and which pages are OCR text.
        from reader.ui.ocr_work import OcrWork

        self.ocr_work = OcrWork(self.library, self)
        self.annotations.text_pending = self.ocr_work.running
        self.ocr_work.finished.connect(self._ocr_finished)
        self.ocr_work.failed.connect(lambda _tab, message: self.show_info(message))
        self.statusBar().insertPermanentWidget(0, self.ocr_work.indicator)
        self.statusBar().addPermanentWidget(self.ocr_work.badge)

    def _wire(self) -> None:
        self.start_page.open_file_requested.connect(self.choose_file)
        self.start_page.open_url_requested.connect(lambda u: self.open_document(u))
        self.start_page.open_recent_requested.connect(self.open_recent)
        self.find_bar.search_requested.connect(self._find)
        self.find_bar.next_requested.connect(self.find_next)
        self.find_bar.previous_requested.connect(self.find_previous)
        self.find_bar.closed.connect(lambda: self._view_call("clear_find"))
        self.page_spin.valueChanged.connect(self._page_spin_changed)
        self.fetcher = _Fetcher(self)
        self.instance_server = None  # reader.app.listen_for_documents sets it
        self._readings: dict[str, object] = {}  # big articles being read: source → job
        self.fetcher.done.connect(self._fetch_done)
        self.fetcher.failed.connect(self._fetch_failed)
        self.annotations.message.connect(self.show_info)
        self.annotations.summary_changed.connect(self.anchor_summary.setText)
        self.annotations.sets_changed.connect(self.refresh_sets)
        self.current_set_combo.activated.connect(self._current_set_activated)
        self.sidebar.context_menu_requested.connect(self._sidebar_context_menu)
        self._update_enabled()

    # -- settings ------------------------------------------------------------------------------

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        else:
            # First start: narrow side panels, so the document has most of a 1280 px window
            # (the editor's fields reflow, and F9 / Shift+F9 hide either side).
            self.resizeDocks(
                [self.annotations_dock, self.editor_dock], [210, 290], Qt.Orientation.Horizontal
            )

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.editor.flush()  # an edit typed in the last 400 ms is saved, not lost
        self.cancel_fetches()
        if self.instance_server is not None:  # a later start opens a window of its own
            self.instance_server.close()
        self.annotations.work.stop_all()  # no worker may read a file after this
        for job in list(self.outline_jobs.values()):
            job.wait(30)  # it reads a handle of its own, briefly
        self.ocr_work.stop_all()
        for job in list(self._readings.values()):
            job.cancel()  # its result is dropped; the extraction touches no database
        if self.exchange_job is not None:  # it must stop using the library before it closes
            self.exchange_job.cancel()
            self.exchange_job.wait(30)
        self.settings.setValue("window/geometry", self.saveGeometry())
        self.settings.setValue("window/state", self.saveState())
        from reader.ui.session import save_session

        tabs = self.open_tabs()
        current = self.current_tab()
        save_session(
            self.settings,
            [t.opened.record.source for t in tabs],
            tabs.index(current) if current in tabs else 0,
        )
        self.settings.sync()
        while self.tabs.count():
            self.close_tab(0)
        super().closeEvent(event)

    # -- opening -------------------------------------------------------------------------------

    def choose_file(self) -> None:
        folder = str(self.settings.value("paths/last_folder", str(Path.home())))
        paths, _ = QFileDialog.getOpenFileNames(self, "Open documents", folder, OPEN_FILTER)
        for path in paths:
            self.settings.setValue("paths/last_folder", str(Path(path).parent))
            self.open_document(path)

    def focus_url(self) -> None:
        text, ok = QInputDialog.getText(self, "Open URL", "Web address:", QLineEdit.EchoMode.Normal)
        if ok and text.strip():
            self.open_document(text.strip())

    def open_recent(self, source: str) -> None:
        self.open_document(source, offline_first=True)

    def open_document(
        self, target: str, *, background: bool = True, offline_first: bool = False
    ) -> DocumentTab | None:
        """Open a path or URL in a new tab (or switch to it). URLs download off the UI thread."""
        target = target.strip()
        if not target:
            return None
        if self.exchange_job is not None:
            self.show_info("Wait until the export or import has finished.")
            return None
        if is_url(target) and not Path(target).exists():
            snapshot = self.library.saved_snapshot(target) if offline_first else None
            if snapshot is not None:
                if background and self._read_in_background(snapshot, source=target):
                    return None
                return self._open_with_password(
                    lambda pw: self.library.open_snapshot(target, snapshot, pw), target
                )
            if background:
                self._start_fetch(target)
                return None
            return self._open_with_password(lambda pw: self.library.open_url(target, pw), target)
        if background and self._read_in_background(Path(target).expanduser()):
            return None
        return self._open_with_password(lambda pw: self.library.open_path(target, pw), target)

    # -- big articles are read on a worker ---------------------------------------------------
    #
    # Extracting a 1 MB saved page takes ~2 s (readability, trafilatura); that runs on a
    # worker thread, which touches no database. The UI thread then records the document and
    # adds its tab. Paged documents open lazily (MuPDF reads a page when it is shown), so
    # they, and small articles, are opened on the spot. Cancel drops the result: nothing is
    # recorded.

    def _read_in_background(self, file: Path, *, source: str = "", final_url: str = "") -> bool:
        """Start reading `file` on a worker if it is a big article; False to open it now."""
        from reader.documents import sniff_path

        try:
            resolved = file.resolve()
            if resolved.stat().st_size < self.background_open_bytes:
                return False
            kind = sniff_path(resolved)
        except OSError:
            return False  # opening it on the spot says what is wrong
        if kind is None or kind.paged:
            return False
        key = source or str(resolved)
        for tab in self.open_tabs():
            if tab.opened.record.source == key:
                self.tabs.setCurrentWidget(tab)
                return True
        if key in self._readings:
            return True
        from reader.documents import open_document
        from reader.ui.jobs import BackgroundJob

        job = BackgroundJob(f"Opening {resolved.name}", self)
        self._readings[key] = job
        job.succeeded.connect(
            lambda document: self._read_done(key, job, resolved, document, source, final_url)
        )
        job.failed.connect(lambda message: self._read_failed(key, job, message))
        job.start(
            lambda _progress, _cancel: open_document(
                resolved, None, source=key, url=final_url or source
            )
        )
        self._show_readings()
        return True

    def _show_readings(self) -> None:
        names = [job.title for job in self._readings.values()]
        if not names:
            self.opening_indicator.hide_work()
            return
        more = f" (+{len(names) - 1} more)" if len(names) > 1 else ""
        self.opening_indicator.show_work(f"{names[-1]}…{more}", 0, 0)

    def _read_ended(self, key: str, job) -> bool:
        """True if the result is still wanted (not cancelled, the window not closing)."""
        if self._readings.get(key) is job:
            del self._readings[key]
        job.deleteLater()  # it has ended: this is its last signal
        self._show_readings()
        return not job.cancel_event.is_set()

    def _read_done(self, key, job, file: Path, document, source: str, final_url: str) -> None:
        if not self._read_ended(key, job):
            return
        if self.exchange_job is not None:  # the library is the job's until it ends
            self._deferred.append(lambda: self._add_read(file, document, source, final_url))
            return
        self._add_read(file, document, source, final_url)

    def _add_read(self, file: Path, document, source: str, final_url: str) -> None:
        try:
            opened = self.library.record_document(document, file, source=source or None)
        except DocumentError as exc:
            self.show_error(str(exc))
            return
        self._add_tab(opened)

    def _read_failed(self, key: str, job, message: str) -> None:
        if self._read_ended(key, job):
            self.show_error(message)

    def is_reading(self) -> bool:
        """Whether a big article is being read on a worker (its tab comes when it is done)."""
        return bool(self._readings)

    def cancel_readings(self) -> None:
        for job in self._readings.values():
            job.cancel()
            job.finished.connect(job.deleteLater)
        self.statusBar().showMessage("Opening cancelled.", 4000)
        self._readings.clear()
        self._show_readings()

    def open_handed_over(self, targets: list[str]) -> None:
        """Documents another start of the app handed over: open them and come to the front."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        for target in targets:
            self.open_document(target)

    def _open_with_password(
        self, opener: Callable[[str | None], Opened], name: str
    ) -> DocumentTab | None:
        password: str | None = None
        wrong = False
        while True:
            try:
                opened = opener(password)
                break
            except PasswordRequired as exc:
                if password is not None:
                    wrong = True
                password = self.ask_password(Path(name).name or name, wrong or exc.wrong_password)
                if password is None:
                    self.statusBar().showMessage("Opening cancelled.", 4000)
                    return None
            except DocumentError as exc:
                self.show_error(str(exc))
                return None
        if opened.notice:
            self.statusBar().showMessage(opened.notice, 8000)
        return self._add_tab(opened)

    def _ask_password_dialog(self, name: str, wrong: bool) -> str | None:
        prompt = (
            f"The password for {name} is wrong. Try again:"
            if wrong
            else f"{name} is encrypted. Enter its password:"
        )
        text, ok = QInputDialog.getText(self, "Password", prompt, QLineEdit.EchoMode.Password)
        return text if ok else None

    def _start_fetch(self, url: str) -> None:
        if url in self._fetches:
            return
        cancel = threading.Event()
        self._fetches[url] = cancel
        self.fetch_cancel.show()
        self.statusBar().showMessage(f"Downloading {url} …")
        library, fetcher = self.library, self.fetcher

        def work() -> None:
            try:
                path, final = library.download(url, cancel=cancel)
            except DocumentError as exc:
                fetcher.failed.emit(url, str(exc))
            except Exception as exc:  # a bug, not a user error: still never a crash
                fetcher.failed.emit(url, f"Could not open {url}: {exc}.")
            else:
                fetcher.done.emit(url, path, final)

        threading.Thread(target=work, name="fetch", daemon=True).start()

    def cancel_fetches(self) -> None:
        for event in self._fetches.values():
            event.set()

    def _fetch_finished(self, url: str) -> None:
        self._fetches.pop(url, None)
        self.fetch_cancel.setVisible(bool(self._fetches))
        self.statusBar().clearMessage()

    def _fetch_done(self, url: str, path: Path, final_url: str) -> None:
        if self.exchange_job is not None:  # the library is the job's until it ends
            self._deferred.append(lambda: self._fetch_done(url, path, final_url))
            return
        self._fetch_finished(url)
        if self._read_in_background(path, source=url, final_url=final_url):
            return
        self._open_with_password(
            lambda pw: self.library.open_snapshot(url, path, pw, final_url=final_url), url
        )

    def _fetch_failed(self, url: str, message: str) -> None:
        if self.exchange_job is not None:
            self._deferred.append(lambda: self._fetch_failed(url, message))
            return
        self._fetch_finished(url)
        snapshot = None if "cancel" in message.lower() else self.library.saved_snapshot(url)
        if snapshot is not None:
            self.statusBar().showMessage(f"{message} Showing the saved copy.", 8000)
            self._open_with_password(lambda pw: self.library.open_snapshot(url, snapshot, pw), url)
            return
        self.show_error(message)

    def _add_tab(self, opened: Opened) -> DocumentTab:
        for i in range(self.tabs.count()):
            tab = self.tabs.widget(i)
            if (
                isinstance(tab, DocumentTab)
                and tab.opened.document.sha256 == opened.document.sha256
            ):
                self.tabs.setCurrentIndex(i)
                opened.document.close() if hasattr(opened.document, "close") else None
                return tab
        view = self._make_view(opened)
        place = self.library.view_place(opened.record.id)
        if place is not None:
            view.restore_place(place)
        elif opened.document.kind.paged:
            view.fit_width()  # the whole width of the page is readable from the start
        tab = DocumentTab(opened, view, self.tabs)
        # Scanned pages: OCR starts first, so annotations wait for the text they anchor to.
        self.ocr_work.start_if_needed(tab)
        self.annotations.attach(tab)  # before addTab: becoming current shows its annotations
        title = opened.record.title or Path(opened.record.source).name
        index = self.tabs.addTab(tab, _elide(title))
        self.tabs.setTabToolTip(index, opened.record.source)
        view.status_changed.connect(lambda text, t=tab: self._view_status(t, text))
        view.link_activated.connect(self._external_link)
        view.message.connect(self.show_info)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        view.customContextMenuRequested.connect(lambda pos, v=view: self._context_menu(v, pos))
        self.stack.setCurrentWidget(self.tabs)
        self.tabs.setCurrentIndex(index)
        view.setFocus()
        self.refresh_start_page()
        self.document_opened.emit(tab)
        self.ocr_work.show_badge(tab)
        notices = [getattr(opened.document, "notice", "")]
        if not opened.document.kind.paged:  # PDFs draw their own embedded fonts
            from reader.ui.fonts import missing_font_message

            notices.append(missing_font_message(opened.document.text))
        notice = " ".join(n for n in notices if n)
        tab.set_notice(notice)  # no article found, or a script no installed font shows
        return tab

    def _ocr_finished(self, tab: DocumentTab, read: list[int], unreadable: list[int]) -> None:
        from reader.ui.ocr_work import page_list

        self.annotations.reload(tab)  # re-anchored on the text OCR read
        if tab is self.current_tab():
            self.ocr_work.show_badge(tab)
        if unreadable:
            one = len(unreadable) == 1
            self.show_info(
                f"{'Page' if one else 'Pages'} {page_list(unreadable)} of "
                f"{tab.opened.record.title} could not be read by OCR; "
                f"{'it is' if one else 'they are'} shown as {'an image' if one else 'images'} "
                "only."
            )
        elif read:
            self.show_info(f"Scanned pages {page_list(read)} were read by OCR.")

    def _make_view(self, opened: Opened) -> QWidget:
        if opened.document.kind.paged:
            from reader.ui.pdf_view import PdfView

            return PdfView(opened.document, self)
        from reader.ui.article_view import ArticleView

        return ArticleView(opened.document, self)

    def _external_link(self, url: str) -> None:
        # PdfView only reports the link; opening the browser is a window-level decision.
        if url.lower().startswith(("http://", "https://", "mailto:")):
            sender = self.sender()
            from reader.ui.article_view import ArticleView

            if not isinstance(sender, ArticleView):  # the article view opened it already
                QDesktopServices.openUrl(QUrl(url))

    def close_current(self) -> None:
        if self.tabs.count():
            self.close_tab(self.tabs.currentIndex())

    def close_tab(self, index: int) -> None:
        tab = self.tabs.widget(index)
        if isinstance(tab, DocumentTab):
            self._save_place(tab)
        self.tabs.removeTab(index)
        if isinstance(tab, DocumentTab):
            self.annotations.work.drop(tab)
            self.ocr_work.drop(tab)
            doc = tab.opened.document
            if hasattr(doc, "close"):
                doc.close()
            tab.deleteLater()
        if not self.tabs.count():
            self.stack.setCurrentWidget(self.start_page)
            self.find_bar.hide()
            self.refresh_start_page()

    def restore_session(self) -> int:
        """Open the tabs that were open at the last quit, each at its place, and make the one
        that was current current again; how many came back. Documents opened meanwhile (from
        the command line) stay, and the current one stays current."""
        from reader.ui.session import saved_session

        sources, current = saved_session(self.settings)
        if not sources:
            return 0
        keep = self.current_tab()
        restored: dict[int, DocumentTab] = {}
        reading = 0  # big pages read on a worker: their tabs come when they are read
        for i, source in enumerate(sources):
            if not is_url(source) and not Path(source).exists():
                continue  # moved or deleted since: it is still under Open Recent
            tab = self.open_document(source, offline_first=True)
            if tab is not None:
                restored[i] = tab
            elif self.is_reading():
                reading += 1
        target = keep or restored.get(current)
        if target is not None:
            self.tabs.setCurrentWidget(target)
            target.view.setFocus()
        count = len(restored) + reading
        if count:
            self.statusBar().showMessage(
                f"Reopened {count} document{'s' if count != 1 else ''} from the last session.",
                6000,
            )
        return count

    def _step_tab(self, step: int) -> None:
        count = self.tabs.count()
        if count > 1:
            self.tabs.setCurrentIndex((self.tabs.currentIndex() + step) % count)
            view = self.current_view()
            if view is not None:
                view.setFocus()

    def focus_editor_status(self) -> None:
        """F2: the keyboard goes to the selected annotation's status (Escape comes back)."""
        if self.editor.annotation() is None:
            self.show_info("Select an annotation first (click it, or pick it in the list).")
            return
        if not self.editor_dock.isVisible():
            self.editor_dock.show()
        self.editor_dock.raise_()
        self.editor.focus_status()

    def focus_document(self) -> None:
        view = self.current_view()
        if view is not None:
            view.setFocus()

    def show_shortcuts(self) -> None:
        from reader.ui.shortcuts_dialog import ShortcutsDialog

        self.shortcuts_dialog = ShortcutsDialog(self)
        self.shortcuts_dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        self.shortcuts_dialog.show()

    def _save_place(self, tab: DocumentTab) -> None:
        """Remember the zoom and scroll position, so the document opens there next time."""
        self.library.save_view_place(tab.opened.record.id, tab.view.place())

    # -- current view ----------------------------------------------------------------------

    def current_tab(self) -> DocumentTab | None:
        tab = self.tabs.currentWidget()
        return tab if isinstance(tab, DocumentTab) else None

    def current_view(self) -> QWidget | None:
        tab = self.current_tab()
        return tab.view if tab else None

    def _view_call(self, name: str) -> None:
        view = self.current_view()
        if view is not None and hasattr(view, name):
            getattr(view, name)()

    def _current_changed(self, _index: int) -> None:
        tab = self.current_tab()
        self._update_enabled()
        self._show_outline(tab)
        self.annotations.current_changed()
        self.ocr_work.show_badge(tab)
        if tab is not None:
            self.status_label.setText(tab.status)
            self.setWindowTitle(f"{self.tabs.tabText(self.tabs.currentIndex())} — Claim Reader")
            if self.find_bar.isVisible() and self.find_bar.edit.text():
                self._find(self.find_bar.edit.text())
        else:
            self.status_label.setText("")
            self.setWindowTitle("Claim Reader")

    def _update_enabled(self) -> None:
        tab = self.current_tab()
        for act in self.document_actions:
            act.setEnabled(tab is not None)
        paged = tab is not None and tab.paged
        for act in self.paged_actions:
            act.setEnabled(paged)
        for w in self.page_widgets:
            w.setVisible(paged)
        if paged:
            view = tab.view
            self.page_spin.blockSignals(True)
            self.page_spin.setMaximum(max(1, view.page_count))
            self.page_spin.setValue(view.current_page + 1)
            self.page_spin.blockSignals(False)
            self.page_total.setText(f" of {view.page_count} ")

    def _show_outline(self, tab: DocumentTab | None) -> None:
        if tab is not None and tab.paged and not tab.view.has_painted:
            # Reading the outline can take a quarter of a second (named destinations): it
            # waits until the first page is on screen.
            # Queued: the signal is emitted inside the paint, before the page reaches the
            # screen.
            tab.view.first_page_painted.connect(
                lambda t=tab: self._show_outline(t) if t is self.current_tab() else None,
                Qt.ConnectionType.QueuedConnection,
            )
            return
        backend = getattr(tab.view, "backend", None) if tab is not None and tab.paged else None
        if backend is not None and not getattr(backend, "outline_ready", True):
            self._read_outline_on_worker(tab, backend)
            return
        items = tab.view.outline() if tab is not None and tab.paged else []
        if items:
            from reader.ui.outline_panel import OutlinePanel

            panel = OutlinePanel(items, self.outline_dock)
            panel.activated.connect(lambda page, y, v=tab.view: v.go_to_page(page, y))
            self.outline_dock.setWidget(panel)
            self.outline_dock.show()
        else:
            self.outline_dock.setWidget(self.outline_placeholder)
            self.outline_dock.hide()

    def _read_outline_on_worker(self, tab: DocumentTab, backend) -> None:
        """An outline can hold 100,000 bookmarks (~2 s to read): it is read on a second
        handle of the file on a worker, and shown when it arrives if its tab is current."""
        from reader.ui.jobs import BackgroundJob

        if tab in self.outline_jobs:
            return
        job = BackgroundJob("Reading the outline", self)
        self.outline_jobs[tab] = job

        def work(_progress, _cancel):
            other = backend.clone()
            try:
                return other.outline()
            finally:
                other.close()

        def arrived(items) -> None:
            backend.adopt_outline(items)
            if tab is self.current_tab():
                self._show_outline(tab)

        job.succeeded.connect(arrived)
        job.finished.connect(lambda: self.outline_jobs.pop(tab, None))
        job.start(work)

    def _view_status(self, tab: DocumentTab, text: str) -> None:
        tab.status = text
        if tab is self.current_tab():
            self.status_label.setText(text)
            if tab.paged:
                self.page_spin.blockSignals(True)
                self.page_spin.setValue(tab.view.current_page + 1)
                self.page_spin.blockSignals(False)

    def _page_spin_changed(self, value: int) -> None:
        tab = self.current_tab()
        if tab is not None and tab.paged:
            tab.view.go_to_page(value - 1)

    def focus_page(self) -> None:
        if self.page_spin.isVisible():
            self.page_spin.setFocus()
            self.page_spin.selectAll()

    def copy(self) -> None:
        self._view_call("copy_selection")

    def open_tabs(self) -> list[DocumentTab]:
        return [
            t for i in range(self.tabs.count()) if isinstance(t := self.tabs.widget(i), DocumentTab)
        ]

    # -- annotations ---------------------------------------------------------------------------

    def _paint_kind_icons(self) -> None:
        for kind, act in self.highlight_actions.items():
            pix = QPixmap(14, 14)
            pix.fill(QColor(self.prefs.color(kind)))
            act.setIcon(QIcon(pix))

    def _delete_annotations(self) -> None:
        self.annotations.delete()

    def _context_menu(self, view: QWidget, pos) -> None:
        menu = QMenu(self)
        has_selection = view.has_selection()
        for act in self.highlight_actions.values():
            menu.addAction(act)
            act.setEnabled(has_selection)
        menu.addAction(self.action_use_as_evidence)
        self.action_use_as_evidence.setEnabled(has_selection)
        menu.addSeparator()
        menu.addAction(self.action_copy)
        hit = view.annotation_at(pos)
        if hit is not None:
            menu.addSeparator()
            menu.addAction(
                "Delete This Annotation", lambda h=hit: self.annotations.delete([h])
            ).setObjectName("context_delete_annotation")
            self._add_set_menus(menu, lambda h=hit: [h])
        menu.aboutToHide.connect(
            lambda: [a.setEnabled(True) for a in self.highlight_actions.values()]
        )
        self._last_menu = menu
        menu.popup(view.mapToGlobal(pos))

    def show_browser(self) -> None:
        from reader.ui.panels.browser import AnnotationBrowser

        if self.browser_dialog is None:
            self.browser_dialog = self._panel_dialog(
                "all_annotations_dialog",
                "All annotations",
                (900, 560),
                lambda dialog: AnnotationBrowser(self.library, dialog),
            )
            browser = self.browser_dialog.browser
            browser.citation_counts_for = lambda _found: self.library.citation_counts()
            browser.open_requested.connect(self.open_at_annotation)
            browser.context_menu_requested.connect(self._browser_context_menu)
        self._present(self.browser_dialog, self.browser_dialog.browser)

    def _panel_dialog(self, name: str, title: str, size: tuple[int, int], make, attr="browser"):
        """A window around one library panel (`make(dialog)`), made once and kept; the panel
        is the dialog's `attr`."""
        dialog = QDialog(self)
        dialog.setObjectName(name)
        dialog.setWindowTitle(title)
        dialog.resize(*size)
        panel = make(dialog)
        QVBoxLayout(dialog).addWidget(panel)
        setattr(dialog, attr, panel)
        return dialog

    @staticmethod
    def _present(dialog, panel) -> None:
        panel.refresh()
        dialog.show()
        dialog.raise_()

    def open_at_annotation(self, source: str, annotation_id: str) -> None:
        tab = self.open_document(source, background=False, offline_first=True)
        if tab is None:
            return
        work = self.annotations.work
        if annotation_id not in tab.annotations and work.running(tab):
            # made on an older version: it is shown once the worker has re-anchored it
            work.when_text_ready(
                tab, lambda: self.annotations.show_annotation(annotation_id), key="show"
            )
            return
        self.annotations.show_annotation(annotation_id)

    def use_selection_as_evidence(self) -> None:
        """Use as Evidence for…: asks which claim and with which stance (window-modal
        `evidence_dialog`), then cites the passage."""
        tab = self.current_tab()
        if tab is None:
            return
        if not tab.view.has_selection():
            self.show_info("Select the passage that is the evidence first.")
            return
        if not self.annotations.work.when_text_ready(tab, self.use_selection_as_evidence):
            return
        selection = tab.view.selection_range()
        if selection is None:
            return
        claims = self.library.recent_claims()
        if not claims:
            self.show_info("There are no claims yet: highlight a claim first.")
            return
        from reader.ui.evidence_dialog import EvidenceDialog

        where = {}
        for claim in claims:
            if claim.document_id not in where:
                record = self.library.repo.document_by_id(claim.document_id)
                where[claim.document_id] = record.title if record else ""
        passage = tab.opened.document.text[selection[0] : selection[1]]
        dialog = EvidenceDialog(claims, where, passage, self)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._cite_evidence(tab, selection, dialog.claim(), dialog.stance())
        )
        dialog.finished.connect(lambda _r: setattr(self, "evidence_dialog", None))
        self.evidence_dialog = dialog
        dialog.open()

    def _cite_evidence(self, tab, selection, claim, stance) -> None:
        if claim is None or stance is None or tab not in self.open_tabs():
            return
        had_source = self.library.document_source(tab.opened) is not None
        try:
            citation = self.library.use_as_evidence(tab.opened, *selection, claim.id, stance)
        except (DocumentError, ValueError) as exc:
            self.show_info(str(exc))
            return
        passage = self.library.annotation(citation.evidence_annotation_id)
        source = self.library.source(citation.source_id)
        tab.view.clear_selection()
        if passage is not None:
            self.annotations.changed(passage, passage.id)
        self.annotations.citations_changed(claim.id)
        current = self.editor.annotation()
        if current is not None and current.id == claim.id:
            self.editor.set_annotation(self.library.annotation(claim.id))
        if passage is not None and source is not None:
            self._record_evidence(citation, passage, None if had_source else source)
        self.show_info(f"The passage is now cited as evidence ({stance.value}) for the claim.")

    def _record_evidence(self, citation, passage, new_source) -> None:
        """Use as Evidence is one undo step: the citation, the evidence highlight and (when
        it was made for it) the document's source go and come back together."""
        library, annotations = self.library, self.annotations

        def undo() -> None:
            with library.transaction():
                library.delete_citation(citation.id)
                library.delete(passage.id)
                if new_source is not None:
                    library.remove_source(new_source.id)
            annotations.changed(None, passage.id)

        def redo() -> None:
            with library.transaction():
                if new_source is not None:
                    library.put_back_source(new_source)
                stored = library.put_back(passage)
                library.put_back_citation(citation)
            annotations.changed(stored, passage.id)

        annotations.record("Use as evidence", undo, redo)

    def _library_windows_refresh(self) -> None:
        """An undo or redo changed sources or citations: the library windows show it."""
        if self.sources_dialog is not None and self.sources_dialog.isVisible():
            self.sources_dialog.browser.refresh()
        if self.browser_dialog is not None and self.browser_dialog.isVisible():
            self.browser_dialog.browser.refresh()

    def open_annotation_by_id(self, annotation_id: str) -> None:
        """Go to an annotation (Go to passage, a claim an evidence passage bears on); Back
        (Alt+Left) returns to where the reader was."""
        annotation = self.library.annotation(annotation_id)
        if annotation is None:
            self.show_error("That passage has been deleted.")
            return
        here = self.current_tab()
        if here is not None:
            selected = self.editor.annotation()
            self._back_stack.append(
                (here, here.view.place(), selected.id if selected is not None else None)
            )
            del self._back_stack[:-50]
            self.action_back.setEnabled(True)
        record = self.library.repo.document_by_id(annotation.document_id)
        if record is None:
            return
        self.open_at_annotation(record.source, annotation_id)

    def go_back(self) -> None:
        """Back to where Go to passage (or a claim's link) was followed from."""
        while self._back_stack:
            tab, place, annotation_id = self._back_stack.pop()
            if tab in self.open_tabs():
                self.tabs.setCurrentWidget(tab)
                tab.view.restore_place(place)
                if annotation_id is not None:
                    self.annotations.select(annotation_id)
                tab.view.setFocus()
                break
        self.action_back.setEnabled(bool(self._back_stack))

    def show_sources(self) -> None:
        from reader.ui.panels.sources import SourcesBrowser

        if self.sources_dialog is None:
            self.sources_dialog = self._panel_dialog(
                "sources_dialog",
                "Sources",
                (900, 560),
                lambda dialog: SourcesBrowser(self.library, dialog),
            )
            self.sources_dialog.browser.open_annotation.connect(self.open_at_annotation)
            self.sources_dialog.browser.record = self.annotations.record
        self._present(self.sources_dialog, self.sources_dialog.browser)

    def show_preferences(self) -> None:
        from reader.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.prefs, self)
        if dialog.exec():
            self.library.author = self.prefs.author
            self.sidebar.filters.set_authors(self.library.authors())
            self._paint_kind_icons()

    # -- sets ----------------------------------------------------------------------------------

    def current_set_id(self) -> int | None:
        """The set new highlights go into (the toolbar's current set), or None."""
        return self.annotations.current_set_id

    def set_current_set(self, set_id: int | None) -> None:
        """Make this set current (None: no set) and remember it."""
        combo = self.current_set_combo
        index = combo.findData(set_id) if set_id else 0
        if index < 0:
            index, set_id = 0, None
        combo.setCurrentIndex(index)
        self._current_set_index = index
        self.annotations.current_set_id = set_id or None
        self.settings.setValue("sets/current", set_id or 0)
        self._show_current_set()

    def _show_current_set(self) -> None:
        set_id = self.annotations.current_set_id
        if set_id is None:
            self.current_set_label.hide()
            return
        self.current_set_label.setText(f"New highlights go into “{self._set_name(set_id)}”")
        self.current_set_label.show()

    def _restore_current_set(self) -> None:
        self.refresh_sets()
        try:
            saved = int(self.settings.value("sets/current", 0) or 0)
        except (TypeError, ValueError):
            saved = 0
        self.set_current_set(saved or None)

    def _current_set_activated(self, index: int) -> None:
        data = self.current_set_combo.itemData(index)
        if data == _NEW_SET:
            created = self._create_set_prompt()
            if created is None:
                self.current_set_combo.setCurrentIndex(self._current_set_index)
                return
            self.set_current_set(created.id)
            self.show_info(f'New highlights go into "{created.name}".')
            return
        self.set_current_set(data or None)

    def refresh_sets(self) -> None:
        """Sets or their members changed: the current-set combo, the set filters and the Sets
        manager show them again."""
        sets = self.library.sets()
        current = self.annotations.current_set_id
        combo = self.current_set_combo
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
        self._current_set_index = max(0, index)
        if current and index < 0:  # the current set was deleted
            self.annotations.current_set_id = None
            self.settings.setValue("sets/current", 0)
        self._show_current_set()
        self.sidebar.set_sets(sets)
        self.sidebar.filters.set_authors(self.library.authors())
        if self.browser_dialog is not None:
            self.browser_dialog.browser.refresh_sets()
        if self.sets_dialog is not None:
            self.sets_dialog.panel.refresh()

    def _create_set_prompt(self):
        name = self.ask_text("New set", "Name of the new set:", "")
        if name is None or not name.strip():
            return None
        try:
            created = self.library.create_set(name)
        except ValueError as exc:  # SetExists is one
            self.show_error(str(exc))
            return None
        self.refresh_sets()
        return created

    def new_set(self) -> None:
        created = self._create_set_prompt()
        if created is not None:
            self.set_current_set(created.id)
            self.show_info(f'New highlights go into "{created.name}".')

    def choose_set(self, title: str):
        """Ask which set (or a new one); the AnnotationSet, or None on Cancel."""
        sets = self.library.sets()
        names = [st.name for st in sets]
        items = [*names, "New set…"]
        current = self.annotations.current_set_id
        if current is not None:  # offered first
            ordered = [st for st in sets if st.id == current] + [
                st for st in sets if st.id != current
            ]
            sets, items = ordered, [st.name for st in ordered] + ["New set…"]
        answer = self.choose_item(title, "Set:", items)
        if answer is None or answer not in items:
            return None
        index = items.index(answer)
        if index == len(sets):
            return self._create_set_prompt()
        return sets[index]

    def _set_name(self, set_id: int) -> str:
        return next((st.name for st in self.library.sets() if st.id == set_id), "the set")

    def add_to_set(self, set_id: int, ids: list[str]) -> int:
        if not ids:
            self.show_info("Select the annotations to add to the set first.")
            return 0
        added = self.annotations.add_to_set(set_id, ids)
        name = self._set_name(set_id)
        if added:
            self.show_info(f'Added {_count(added)} to "{name}".')
        else:
            self.show_info(f'Already in "{name}".')
        return added

    def remove_from_set(self, set_id: int, ids: list[str]) -> int:
        if not ids:
            self.show_info("Select the annotations to remove from the set first.")
            return 0
        removed = self.annotations.remove_from_set(set_id, ids)
        self.show_info(f'Removed {_count(removed)} from "{self._set_name(set_id)}".')
        return removed

    def _add_to_new_set(self, ids: list[str]) -> None:
        created = self._create_set_prompt()
        if created is not None:
            self.add_to_set(created.id, ids)

    def add_document_to_set(self) -> int:
        ids = self.annotations.document_ids()
        if not ids:
            self.show_info("This document has no annotations yet.")
            return 0
        chosen = self.choose_set("Add all in this document to set")
        if chosen is None:
            return 0
        return self.add_to_set(chosen.id, ids)

    def _fill_set_menu(self, menu: QMenu, ids_for: Callable[[], list[str]], *, remove=False):
        """Fill an "Add to Set" (or "Remove from Set") menu for the annotations `ids_for()`."""
        menu.clear()
        ids = list(ids_for())
        sets = self.library.sets()
        if remove:
            holding = {st.id for i in ids for st in self.library.sets_of(i)}
            sets = [st for st in sets if st.id in holding]
        for st in sets:
            act = menu.addAction(st.name)
            act.setObjectName("set_menu_entry")
            act.setData(st.id)
            slot = self.remove_from_set if remove else self.add_to_set
            act.triggered.connect(lambda _c=False, sid=st.id, f=slot: f(sid, ids))
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

    def _add_set_menus(self, menu: QMenu, ids_for: Callable[[], list[str]]) -> None:
        add = menu.addMenu("Add to Set")
        add.setObjectName("context_add_to_set")
        add.aboutToShow.connect(lambda m=add: self._fill_set_menu(m, ids_for))
        remove = menu.addMenu("Remove from Set")
        remove.setObjectName("context_remove_from_set")
        remove.aboutToShow.connect(lambda m=remove: self._fill_set_menu(m, ids_for, remove=True))

    def _sidebar_context_menu(self, pos) -> None:
        ids = self.sidebar.selected_ids()
        menu = QMenu(self)
        menu.setObjectName("sidebar_context_menu")
        self._add_set_menus(menu, lambda: list(ids))
        menu.addAction(self.action_add_document_to_set)
        menu.addSeparator()
        menu.addAction(self.action_delete_annotation)
        self._last_menu = menu
        menu.popup(pos)

    def _browser_context_menu(self, pos) -> None:
        ids = self.browser_dialog.browser.selected_ids() if self.browser_dialog else []
        menu = QMenu(self.browser_dialog or self)
        menu.setObjectName("browser_context_menu")
        self._add_set_menus(menu, lambda: list(ids))
        self._last_menu = menu
        menu.popup(pos)

    def show_sets(self) -> None:
        from reader.ui.panels.sets import SetsPanel

        if self.sets_dialog is None:
            self.sets_dialog = self._panel_dialog(
                "sets_dialog",
                "Annotation sets",
                (420, 360),
                lambda dialog: SetsPanel(self.library, dialog),
                attr="panel",
            )
            panel = self.sets_dialog.panel
            panel.ask_text = lambda title, label, text: self.ask_text(title, label, text)
            panel.confirm = lambda question: self.confirm(question)
            panel.error.connect(self.show_error)
            panel.sets_changed.connect(self.refresh_sets)
            panel.set_activated.connect(self.filter_to_set)
        self._present(self.sets_dialog, self.sets_dialog.panel)

    def filter_to_set(self, set_id: int | None) -> None:
        """Show only this set's annotations in the sidebar (and, with no document open, in the
        All Annotations browser)."""
        self.sidebar.filter_to_set(set_id)
        self.annotations_dock.show()
        self.annotations_dock.raise_()
        if self.current_tab() is None and set_id is not None:
            self.show_browser()
            self.browser_dialog.browser.filter_to_set(set_id)
        if set_id is not None:
            self.show_info(f'Showing the annotations in "{self._set_name(set_id)}".')

    # -- export and import ---------------------------------------------------------------------
    #
    # The job runs on a worker thread; the SQLite connection is shared (check_same_thread=False),
    # so while it runs the worker is the library's only user: every action but Quit and About is
    # disabled, the documents, docks, toolbar and library dialogs are disabled, a window-modal
    # progress dialog covers the window, opening a document is refused and a URL download that
    # completes meanwhile is handled once the job has ended. Closing the window cancels the job
    # and waits for it.

    def export_annotations(self) -> None:
        """File ▸ Export…: choose scope, format and file, then export off the UI thread."""
        if self.exchange_job is not None:
            return
        from reader.ui.export_dialog import ExportDialog

        self.editor.flush()
        tab = self.current_tab()
        document = None
        if tab is not None:
            record = tab.opened.record
            title = record.title or Path(record.source).name or record.source
            document = (title, tab.opened.document.sha256)
        dialog = ExportDialog(
            self.settings,
            self.library.sets(),
            current_set_id=self.annotations.current_set_id,
            document=document,
            choose_path=lambda title, start, filt: self.choose_save_path(title, start, filt),
            authors=self.library.authors(),
            review_defaults=self.library.review_settings(),
            parent=self,
        )
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self.start_export(d.choice()))
        dialog.finished.connect(lambda _r: setattr(self, "export_dialog", None))
        self.export_dialog = dialog
        dialog.open()

    def start_export(self, choice) -> None:
        """Write `choice` (an ExportChoice) on a worker thread."""
        library, fmt = self.library, choice.format

        def work(progress, cancel):
            return library.export(
                choice.target,
                fmt.fmt,
                choice.scope,
                excel=fmt.excel,
                progress=progress,
                cancel=cancel,
                **choice.review,
            )

        def done(count: int) -> str:
            message = f"Exported {_count(count)} to {choice.target}."
            self._show_summary("Export finished", message)
            return message

        self._run_job("Export", f"Exporting to {choice.target.name}…", work, done)

    def import_annotations(self) -> None:
        """File ▸ Import…: merge a CSV or JSON export off the UI thread."""
        if self.exchange_job is not None:
            return
        from reader.ui.export_dialog import IMPORT_FILTER

        home = str(Path.home())
        folder = str(self.settings.value("import/folder", "") or "")
        folder = folder or str(self.settings.value("export/folder", home))
        path = self.choose_open_path("Import annotations", folder, IMPORT_FILTER)
        if not path:
            return
        self.settings.setValue("import/folder", str(Path(path).parent))
        self.start_import(Path(path))

    def start_import(self, path: Path) -> None:
        library = self.library
        self.editor.flush()
        if library.is_zotero_library(path):
            self._choose_zotero_attachments(path)
            return
        self._start_import_job(path)

    def _start_import_job(self, path: Path, keys: set[str] | None = None) -> None:
        library = self.library

        def work(progress, cancel):
            if keys is not None:
                return library.import_zotero(path, keys)
            return library.import_file(path, progress=progress, cancel=cancel)

        def done(summary) -> str:
            message = f"Imported {path.name}: {summary}."
            if summary.missing:
                self._offer_missing_pages(summary.missing)
            self.annotations.reload_all()
            self.refresh_sets()
            self.refresh_start_page()
            if self.browser_dialog is not None:
                self.browser_dialog.browser.refresh()
            if self.sources_dialog is not None:
                self.sources_dialog.browser.refresh()
            self._show_summary("Import finished", message)
            return message

        self._run_job("Import", f"Importing {path.name}…", work, done)

    def merge_library_file(self) -> None:
        """File ▸ Merge Library…: another library file merged in, off the UI thread."""
        if self.exchange_job is not None:
            return
        folder = str(self.settings.value("merge/folder", "") or str(Path.home()))
        path = self.choose_open_path(
            "Merge a library", folder, "Claim Reader libraries (*.sqlite *.db);;All files (*)"
        )
        if not path:
            return
        self.settings.setValue("merge/folder", str(Path(path).parent))
        self.start_merge(Path(path))

    def start_merge(self, path: Path) -> None:
        library = self.library

        def work(_progress, _cancel):
            if library.db_path is not None:
                # A merge is many changes at once: the way back is this backup.
                from reader.store.backup import BackupError, make_backup

                try:
                    make_backup(library.db_path)
                except BackupError as exc:
                    raise DocumentError(f"{exc} Nothing was merged.") from None
            return library.merge_library(path)

        def done(summary) -> str:
            message = f"Merged {path.name}: {summary}."
            self.last_merge_note = (
                "The library as it was before is kept as a backup (File ▸ Restore from Backup…)."
            )
            self.annotations.reload_all()
            self.refresh_sets()
            self.refresh_start_page()
            for dialog in (self.browser_dialog, self.sources_dialog):
                if dialog is not None:
                    dialog.browser.refresh()
            if summary.conflicts:
                self.show_conflicts()
            else:
                self._show_summary("Merge finished", f"{message} {self.last_merge_note}")
            return message

        self._run_job("Merge", f"Merging {path.name}…", work, done)

    def show_conflicts(self) -> None:
        """The "Merged with conflicts" window: keep mine or theirs, field by field."""
        from reader.ui.panels.conflicts import ConflictsPanel

        if self.conflicts_dialog is None:
            self.conflicts_dialog = self._panel_dialog(
                "conflicts_dialog",
                "Merged with conflicts",
                (760, 380),
                lambda dialog: ConflictsPanel(self.library, dialog),
                attr="panel",
            )
            panel = self.conflicts_dialog.panel
            panel.keep_requested.connect(self.keep_conflict_value)
            panel.open_annotation.connect(self.open_annotation_by_id)
        self._present(self.conflicts_dialog, self.conflicts_dialog.panel)

    def keep_conflict_value(self, conflict_id: int, keep: str) -> None:
        """Keep one side's value: the same undoable edit as typing it in the editor."""
        self.editor.flush()
        annotation_id, changes = self.library.conflict_changes(conflict_id, keep)
        if changes:
            self.annotations.edit(annotation_id, changes)
        self.library.close_conflict(conflict_id)
        if self.conflicts_dialog is not None:
            self.conflicts_dialog.panel.refresh()
        if self.browser_dialog is not None:
            self.browser_dialog.browser.refresh()

    def _choose_zotero_attachments(self, path: Path) -> None:
        """Ask which of a Zotero library's PDF attachments to import, then import them."""
        from reader.ui.zotero_dialog import ZoteroDialog

        try:
            attachments = self.library.zotero_attachments(path)
        except DocumentError as exc:
            self.show_error(str(exc))
            return
        if not any(a.annotations for a in attachments):
            self.show_info(f"{path.name} has no PDF annotations to import.")
            return
        dialog = ZoteroDialog(attachments, self)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(lambda d=dialog: self._start_import_job(path, d.chosen()))
        dialog.finished.connect(lambda _r: setattr(self, "zotero_dialog", None))
        self.zotero_dialog = dialog
        dialog.open()

    def _offer_missing_pages(self, missing: tuple[str, ...]) -> None:
        """Pages a Hypothesis file annotates that the library lacks: offer to open them (then
        importing the file again brings their annotations)."""
        from PySide6.QtWidgets import QMessageBox

        pages = "\n".join(missing[:10]) + ("\n…" if len(missing) > 10 else "")
        box = QMessageBox(self)
        box.setObjectName("missing_pages")
        box.setWindowTitle("Pages not in the library")
        box.setText(
            f"{len(missing)} annotated page{'s are' if len(missing) != 1 else ' is'} not in the "
            "library. Open them, then import the file again to bring their annotations in."
        )
        box.setDetailedText(pages)
        box.setInformativeText(pages)
        open_button = box.addButton("Open them", QMessageBox.ButtonRole.AcceptRole)
        box.addButton(QMessageBox.StandardButton.Close)
        self.missing_pages_box = box
        box.finished.connect(lambda _r: setattr(self, "missing_pages_box", None))
        box.buttonClicked.connect(
            lambda button: self._open_missing(missing) if button is open_button else None
        )
        box.open()

    def _open_missing(self, missing: tuple[str, ...]) -> None:
        from urllib.parse import unquote, urlparse

        for uri in missing:
            target = unquote(urlparse(uri).path) if uri.lower().startswith("file:") else uri
            self.open_document(target, offline_first=True)

    def _run_job(self, title: str, label: str, work, on_success) -> None:
        from reader.ui.export_dialog import ExchangeJob, JobProgress

        self.editor.flush()
        job = ExchangeJob(title, self)
        self.exchange_job = job
        self._set_busy(True)
        self.exchange_progress = JobProgress(job, label, self)
        job.succeeded.connect(lambda result: self._job_ended(job, True, on_success, result))
        job.failed.connect(lambda message: self._job_ended(job, False, None, message))
        self.exchange_progress.show()
        job.start(work)

    def _job_ended(self, job, ok: bool, on_success, result) -> None:
        self.exchange_job = None
        self.exchange_progress = None
        self._set_busy(False)
        job.deleteLater()
        if ok:
            message = on_success(result)
            self.statusBar().showMessage(message, 15000)
        else:
            message = str(result)
            if "cancel" in message.lower():
                self.statusBar().showMessage(message, 8000)
            else:
                self.show_error(message)
        deferred, self._deferred = self._deferred, []
        for call in deferred:
            call()
        self.exchange_finished.emit(ok, message)

    def _set_busy(self, busy: bool) -> None:
        if busy:
            keep = {self.action_quit, self.action_about}
            actions = [
                a
                for a in self.findChildren(QAction)
                if a.objectName().startswith("action_") and a.isEnabled() and a not in keep
            ]
            widgets = [
                self.centralWidget(),
                self.toolbar,
                self.outline_dock,
                self.annotations_dock,
                self.editor_dock,
                self.browser_dialog,
                self.sources_dialog,
                self.sets_dialog,
            ]
            self._busy_widgets = actions + [w for w in widgets if w is not None and w.isEnabled()]
            for item in self._busy_widgets:
                item.setEnabled(False)
            return
        for item in self._busy_widgets:
            try:
                item.setEnabled(True)
            except RuntimeError:  # deleted meanwhile
                pass
        self._busy_widgets = []
        self._update_enabled()

    def is_busy(self) -> bool:
        return self.exchange_job is not None

    def _show_summary(self, title: str, message: str) -> None:
        self.last_summary = message
        box = QMessageBox(QMessageBox.Icon.Information, title, message, parent=self)
        box.setObjectName("exchange_summary")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()

    # -- prompts -------------------------------------------------------------------------------

    def _ask_text_dialog(self, title: str, label: str, text: str) -> str | None:
        return prompts.ask_text(self, title, label, text)

    def _confirm_dialog(self, question: str) -> bool:
        return prompts.confirm(self, "Claim Reader", question)

    def _choose_item_dialog(self, title: str, label: str, items: list[str]) -> str | None:
        return prompts.choose_item(self, title, label, items)

    def export_annotated_pdf(self) -> None:
        tab = self.current_tab()
        if tab is None or tab.opened.document.kind.value != "pdf":
            self.show_info("Open a PDF to export it with its highlights.")
            return
        source = Path(tab.opened.record.source)
        suggestion = str(source.with_name(f"{source.stem} (annotated).pdf"))
        path = self.choose_save_path("Export annotated PDF", suggestion, "PDF (*.pdf)")
        if not path:
            return
        self.editor.flush()
        try:
            written, skipped = self.library.export_pdf(
                tab.opened, path, getattr(tab.opened.document, "password", None)
            )
        except DocumentError as exc:
            self.show_error(str(exc))
            return
        note = f" {skipped} orphaned annotations have no place in this version." if skipped else ""
        self.show_info(f"Wrote {written} highlights to {path}.{note}")

    def import_pdf_annotations(self) -> None:
        tab = self.current_tab()
        if tab is None or tab.opened.document.kind.value != "pdf":
            self.show_info("Open a PDF to import its annotations.")
            return
        before = {a.id for a in self.library.annotations(tab.opened)}
        try:
            summary = self.library.import_pdf_markup(
                tab.opened, getattr(tab.opened.document, "password", None)
            )
        except DocumentError as exc:
            self.show_error(str(exc))
            return
        added = [a for a in self.library.annotations(tab.opened) if a.id not in before]
        self.annotations.reload_all()
        if added:
            self._record_import(added)
        self.show_info(f"Imported the PDF's annotations: {summary}.")

    def _record_import(self, added: list) -> None:
        """An import into the open document is one undo step: what it added goes and comes
        back (with what was attached to it since, as a delete's undo would)."""
        library, annotations = self.library, self.annotations
        kept: dict[str, tuple] = {}

        def undo() -> None:
            with library.transaction():
                for a in added:
                    snapshot = library.snapshot(a.id)
                    if snapshot is not None:
                        kept[a.id] = snapshot
                        library.delete(a.id)
            annotations.reload_all()

        def redo() -> None:
            with library.transaction():
                for a in added:
                    annotation, citations, sets = kept.get(a.id, (a, [], []))
                    library.restore(annotation, citations, sets)
            annotations.reload_all()

        annotations.record(f"Import {len(added)} annotations from PDF", undo, redo)

    def _save_path_dialog(self, title: str, start: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, start, name_filter)
        return path or None

    def _open_path_dialog(self, title: str, start: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, title, start, name_filter)
        return path or None

    # -- find ------------------------------------------------------------------------------

    def open_find(self) -> None:
        if self.current_view() is None:
            return
        self.find_bar.open_bar()
        if self.find_bar.edit.text():
            self._find(self.find_bar.edit.text())

    def _find(self, text: str) -> None:
        tab = self.current_tab()
        view = self.current_view()
        if view is None:
            return
        if tab is not None and text:
            if not self.annotations.work.when_text_ready(
                tab, lambda: self._find_again(tab), key="find"
            ):
                self.find_bar.show_waiting()
                return
        total = view.find(text) if text else 0
        if not text:
            view.clear_find()
        self.find_bar.show_count(1 if total else 0, total)

    def _find_again(self, tab) -> None:
        """The text that a find waited for is read: search for what the box holds now."""
        if tab is self.current_tab() and self.find_bar.isVisible():
            self._find(self.find_bar.edit.text())

    def find_next(self) -> None:
        self._step_find("find_next")

    def find_previous(self) -> None:
        self._step_find("find_previous")

    def _step_find(self, method: str) -> None:
        view = self.current_view()
        if view is None:
            return
        if not self.find_bar.isVisible():
            self.open_find()
            return
        current = getattr(view, method)()
        self.find_bar.show_count(current, view.match_count)

    # -- messages ------------------------------------------------------------------------------

    def show_error(self, message: str) -> None:
        """One sentence in a dialog that does not block the event loop (tests read last_error)."""
        self.last_error = message
        self.statusBar().showMessage(message, 10000)
        box = QMessageBox(QMessageBox.Icon.Warning, "Claim Reader", message, parent=self)
        box.setObjectName("error_dialog")
        box.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        box.open()
        self.error_shown.emit(message)

    def show_info(self, message: str) -> None:
        self.statusBar().showMessage(message, 6000)

    def about(self) -> None:
        from reader import __version__

        QMessageBox.about(
            self,
            "About Claim Reader",
            f"Claim Reader {__version__}\nHighlight the claims in what you read and attach "
            "their sources.\nLicensed under the GNU AGPL v3 or later.",
        )

    # -- start page, recent --------------------------------------------------------------------

    def refresh_start_page(self) -> None:
        self.start_page.set_recent(self.library.recent(30))

    def _fill_recent_menu(self) -> None:
        self.recent_menu.clear()
        records = self.library.recent(15)
        if not records:
            self.recent_menu.addAction("No recent documents").setEnabled(False)
        for rec in records:
            act = self.recent_menu.addAction(_elide(rec.title or rec.source, 60))
            act.setToolTip(rec.source)
            act.triggered.connect(lambda _c=False, s=rec.source: self.open_recent(s))

    # -- drag and drop -------------------------------------------------------------------------

    def dragEnterEvent(self, event) -> None:  # noqa: N802 - Qt override
        if event.mimeData().hasUrls() or event.mimeData().hasText():
            event.acceptProposedAction()

    def dropEvent(self, event) -> None:  # noqa: N802 - Qt override
        mime = event.mimeData()
        targets = []
        if mime.hasUrls():
            for url in mime.urls():
                targets.append(url.toLocalFile() if url.isLocalFile() else url.toString())
        elif mime.hasText():
            targets.append(mime.text().strip())
        for target in targets:
            self.open_document(target)
        event.acceptProposedAction()

    # -- rendering for --screenshot ------------------------------------------------------------

    def wait_until_painted(self, timeout_ms: int = 10000) -> bool:
        """Run the event loop until the current PDF view painted its first page (or timeout)."""
        view = self.current_view()
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        if (
            view is not None
            and hasattr(view, "first_page_painted")
            and not getattr(view, "has_painted", False)
        ):
            view.first_page_painted.connect(loop.quit)
            timer.start(timeout_ms)
            loop.exec()
        # let layouts settle
        for _ in range(3):
            QTimer.singleShot(0, loop.quit)
            loop.exec()
        return True

    def render_to_png(self, path: Path) -> bool:
        self.wait_until_painted()
        path.parent.mkdir(parents=True, exist_ok=True)
        return self.grab().save(str(path), "PNG")


def _count(n: int) -> str:
    return f"{n} annotation" + ("" if n == 1 else "s")


def _elide(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
