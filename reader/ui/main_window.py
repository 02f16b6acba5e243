"""The main window: it builds the widgets and docks, wires their signals, owns closing, the
settings, the prompts and the messages, and hands everything else to its parts:

- `window_actions`: every QAction as data, the menus, the toolbar and what is enabled when;
- `tabs` (DocumentTabs): the open documents; `opener` (DocumentOpener): files, URLs, passwords,
  big articles read on a worker;
- `annotations` (AnnotationController): every annotation change, one Library call each;
- `sets`, `exchange` (export, import, merge, with the busy gate), `library_windows`,
  `evidence`, `navigation` (Go to passage and Back), `find`.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from PySide6.QtCore import QEventLoop, QSettings, Qt, QTimer, QUrl, Signal
from PySide6.QtGui import QAction, QDesktopServices, QUndoStack
from PySide6.QtWidgets import (
    QDockWidget,
    QFileDialog,
    QInputDialog,
    QLabel,
    QLineEdit,
    QMainWindow,
    QMessageBox,
    QStackedWidget,
    QVBoxLayout,
    QWidget,
)

from reader.library import Library, is_url
from reader.ui import prompts
from reader.ui.annotation_controller import AnnotationController
from reader.ui.document_tabs import DocumentTab, DocumentTabs
from reader.ui.evidence_actions import EvidenceActions
from reader.ui.exchange_actions import ExchangeActions
from reader.ui.find_bar import DocumentFind, FindBar
from reader.ui.library_windows import LibraryWindows
from reader.ui.navigation import Navigation
from reader.ui.opening import OPEN_FILTER, DocumentOpener, PasswordPrompt
from reader.ui.outline_dock import OutlineDock
from reader.ui.set_actions import SetActions
from reader.ui.start_page import StartPage
from reader.ui.view_api import DocumentView
from reader.ui.window_actions import WindowActions

__all__ = ["OPEN_FILTER", "DocumentTab", "MainWindow", "PasswordPrompt"]


class MainWindow(QMainWindow):
    document_opened = Signal(object)  # DocumentTab
    error_shown = Signal(str)
    exchange_finished = Signal(bool, str)  # an export or import ended: (succeeded, sentence)

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
        # Prompts, plain callables so tests answer them without a modal dialog:
        # (title, label, initial text) -> text or None; (question) -> yes;
        # (title, label, items) -> item or None; (title, start path, filter) -> path or None.
        self.ask_text: Callable[[str, str, str], str | None] = self._ask_text_dialog
        self.confirm: Callable[[str], bool] = self._confirm_dialog
        self.choose_item: Callable[[str, str, list[str]], str | None] = self._choose_item_dialog
        self.choose_save_path: Callable[[str, str, str], str | None] = self._save_path_dialog
        self.choose_open_path: Callable[[str, str, str], str | None] = self._open_path_dialog
        self.instance_server = None  # reader.app.listen_for_documents sets it
        self.shortcuts_dialog = None
        self.setObjectName("main_window")
        self.setWindowTitle("Claim Reader")
        self.setAcceptDrops(True)

        from reader.ui.preferences import Preferences

        self.prefs = Preferences(self.settings)
        # Every change made in this window is on the record under the Preferences name.
        self.library.author = self.prefs.author
        self.undo_stack = QUndoStack(self)
        self._build_centre()
        self._build_docks()
        self.annotations = AnnotationController(
            library,
            self.undo_stack,
            self.sidebar,
            self.editor,
            self.prefs,
            self.tabs.current_tab,
            self.tabs.open_tabs,
            self,
        )
        from reader.ui.ocr_work import OcrWork

        # OCR of scanned pages: its progress and Cancel, and which pages are OCR text.
        self.ocr_work = OcrWork(library, self)
        self.annotations.text_pending = self.ocr_work.running
        self.find = DocumentFind(FindBar(self), self.tabs, self.annotations.work, self)
        self.navigation = Navigation(self)
        self.evidence = EvidenceActions(self)
        self.library_windows = LibraryWindows(self)
        self.sets = SetActions(self)
        self.exchange = ExchangeActions(self)
        self.opener = DocumentOpener(
            library,
            self.tabs,
            self.exchange.gate,
            lambda name, wrong: self.ask_password(name, wrong),
            self,
        )
        from reader.ui.recovery import RestoreFromBackup

        self.restore_from_backup = RestoreFromBackup(self)  # its dialogs are callables
        self.window_actions = WindowActions(self)
        self.window_actions.build_menus(
            {
                "dock_outline": self.outline_dock.toggleViewAction(),
                "dock_annotations": self.annotations_dock.toggleViewAction(),
                "dock_editor": self.editor_dock.toggleViewAction(),
            }
        )
        set_label = QLabel(" &Set ", self)
        set_label.setBuddy(self.sets.combo)
        set_label.setToolTip(self.sets.combo.toolTip())
        self.window_actions.build_toolbar([set_label, self.sets.combo])
        self._build_status_bar()
        self._wire()
        from reader.ui.number_badges import NumberBadges
        from reader.ui.panels.candidates import install_check_assistant

        self.check_assistant = install_check_assistant(self)  # issue 15: candidate claims
        NumberBadges(self)  # a child of the window: it lives as long as the window
        self.refresh_start_page()
        self.sets.restore()
        self._restore_state()

    # -- construction --------------------------------------------------------------------------

    def _build_centre(self) -> None:
        """A start page while no document is open, else the tabs; the find bar under them."""
        self.start_page = StartPage(self)
        self.tabs = DocumentTabs(self.library, self)
        self.stack = QStackedWidget(self)
        self.stack.addWidget(self.start_page)
        self.stack.addWidget(self.tabs)
        central = QWidget(self)
        layout = QVBoxLayout(central)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(0)
        layout.addWidget(self.stack, 1)
        self.setCentralWidget(central)

    def _build_docks(self) -> None:
        from reader.ui.panels.editor import AnnotationEditor
        from reader.ui.panels.sidebar import AnnotationsPanel
        left, right = Qt.DockWidgetArea.LeftDockWidgetArea, Qt.DockWidgetArea.RightDockWidgetArea
        self.outline_dock = OutlineDock(self.tabs.current_tab, self)
        self.addDockWidget(left, self.outline_dock)
        self.outline_dock.hide()
        self.sidebar = AnnotationsPanel(self)
        self.sidebar.setObjectName("annotations_panel")
        # Docks may be narrow: the window must fit a small screen or --size 800x600.
        self.sidebar.setMinimumWidth(180)
        self.annotations_dock = self._dock("Annotations", "dock_annotations", self.sidebar, left)
        self.tabifyDockWidget(self.outline_dock, self.annotations_dock)
        self.editor = AnnotationEditor(
            self.library.tags, self, default_color=self.prefs.color, library=self.library
        )
        self.editor.setObjectName("annotation_editor")
        self.editor_dock = self._dock("Annotation", "dock_editor", self.editor, right)

    def _dock(self, title: str, name: str, widget: QWidget, area) -> QDockWidget:
        dock = QDockWidget(title, self)
        dock.setObjectName(name)
        dock.setWidget(widget)
        self.addDockWidget(area, dock)
        return dock

    def _build_status_bar(self) -> None:
        self.status_label = QLabel("", self)
        self.status_label.setObjectName("status_view")
        self.anchor_summary = QLabel("", self)
        self.anchor_summary.setObjectName("status_anchors")
        status = self.statusBar()
        for widget in (
            self.sets.label,
            self.anchor_summary,
            self.status_label,
            self.opener.fetch_cancel,
        ):
            status.addPermanentWidget(widget)
        # Reading a big document's text / re-anchoring on the worker, opening a big article,
        # OCR: each its progress and Cancel.
        for widget in (
            self.annotations.work.indicator,
            self.opener.indicator,
            self.ocr_work.indicator,
        ):
            status.insertPermanentWidget(0, widget)
        status.addPermanentWidget(self.ocr_work.badge)

    def _wire(self) -> None:
        self.centralWidget().layout().addWidget(self.find.bar)
        self.find.bar.hide()
        self.start_page.open_file_requested.connect(self.choose_file)
        self.start_page.open_url_requested.connect(lambda u: self.open_document(u))
        self.start_page.open_recent_requested.connect(self.open_recent)
        self.tabs.currentChanged.connect(self._current_changed)
        self.tabs.about_to_add.connect(self._tab_about_to_add)
        self.tabs.added.connect(self._tab_added)
        self.tabs.closing.connect(self._tab_closing)
        self.tabs.emptied.connect(self._tabs_emptied)
        self.opener.opened.connect(self.tabs.add)
        self.opener.failed.connect(self.show_error)
        self.opener.status.connect(self.statusBar().showMessage)
        self.ocr_work.finished.connect(self._ocr_finished)
        self.ocr_work.failed.connect(lambda _tab, message: self.show_info(message))
        self.exchange.finished.connect(self.exchange_finished)
        self.editor.open_evidence.connect(self.navigation.open_annotation_by_id)
        if self.editor.citations is not None:
            self.editor.citations.record = self.annotations.record
        if self.editor.seen_before is not None:
            self.editor.seen_before.record = self.annotations.record
            self.editor.seen_before.changed = self.annotations.changed
        self.editor.done_editing.connect(self.focus_document)
        self.sidebar.set_members_provider = self.library.set_members
        self.sidebar.filters.author_ids_provider = self.library.annotation_ids_by
        menus = self.window_actions
        self.sidebar.context_menu_requested.connect(
            lambda pos: menus.popup(menus.sidebar_menu(self.sidebar.selected_ids()), pos)
        )
        self.annotations.library_changed.connect(
            lambda: self.library_windows.refresh(visible_only=True)
        )
        self.annotations.message.connect(self.show_info)
        self.annotations.summary_changed.connect(self.anchor_summary.setText)
        self.annotations.sets_changed.connect(self.sets.refresh)
        self.update_action_state()

    def _restore_state(self) -> None:
        geometry = self.settings.value("window/geometry")
        if geometry is not None:
            self.restoreGeometry(geometry)
        state = self.settings.value("window/state")
        if state is not None:
            self.restoreState(state)
        else:
            # First start: narrow side panels, so the document has most of a 1280 px window
            # (the editor's fields reflow, and F9 / Shift+F9 hide either side). The left side is
            # wide enough to name its three tabs (Outline, Annotations, Candidates) in full.
            self.resizeDocks(
                [self.annotations_dock, self.editor_dock], [265, 290], Qt.Orientation.Horizontal
            )

    def closeEvent(self, event) -> None:  # noqa: N802 - Qt override
        self.editor.flush()  # an edit typed in the last 400 ms is saved, not lost
        self.opener.stop_all()
        if self.instance_server is not None:  # a later start opens a window of its own
            self.instance_server.close()
        self.annotations.work.stop_all()  # no worker may read a file after this
        self.outline_dock.stop()
        self.ocr_work.stop_all()
        self.exchange.stop()
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
        self.tabs.close_all()
        super().closeEvent(event)

    # -- parts, as the window's users see them -------------------------------------------------

    def action(self, name: str) -> QAction:
        """The action `action_<name>` (see reader.ui.window_actions.ACTIONS)."""
        return self.window_actions[name]

    @property
    def highlight_actions(self) -> dict:
        return self.window_actions.highlights

    @property
    def exchange_job(self):
        """The export, import or merge running now (it alone uses the library), or None."""
        return self.exchange.gate.job

    def is_busy(self) -> bool:
        return self.exchange.gate.busy

    def is_reading(self) -> bool:
        """Whether a big article is being read on a worker (its tab comes when it is done)."""
        return self.opener.is_reading()

    def current_tab(self) -> DocumentTab | None:
        return self.tabs.current_tab()

    def current_view(self) -> DocumentView | None:
        return self.tabs.current_view()

    def open_tabs(self) -> list[DocumentTab]:
        return self.tabs.open_tabs()

    def update_action_state(self) -> None:
        self.window_actions.update_action_state(self.current_tab())

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
        """Open a path or URL in a new tab (or switch to it); None while it is downloaded or
        read in the background (its tab comes then) or when it could not be opened."""
        opened = self.opener.open(target, background=background, offline_first=offline_first)
        return self.tabs.add(opened) if opened is not None else None

    def open_handed_over(self, targets: list[str]) -> None:
        """Documents another start of the app handed over: open them and come to the front."""
        if self.isMinimized():
            self.showNormal()
        self.raise_()
        self.activateWindow()
        for target in targets:
            self.open_document(target)

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

    # -- tabs ----------------------------------------------------------------------------------

    def _tab_about_to_add(self, tab: DocumentTab) -> None:
        # Scanned pages: OCR starts first, so annotations wait for the text they anchor to.
        self.ocr_work.start_if_needed(tab)
        self.annotations.attach(tab)  # before it is current: becoming current shows them
        view = tab.view
        view.status_changed.connect(lambda text, t=tab: self._view_status(t, text))
        view.link_activated.connect(self._external_link)
        view.message.connect(self.show_info)
        view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        menus = self.window_actions
        view.customContextMenuRequested.connect(
            lambda pos, v=view: menus.popup(menus.view_menu(v, pos), v.mapToGlobal(pos))
        )
        self.stack.setCurrentWidget(self.tabs)

    def _tab_added(self, tab: DocumentTab) -> None:
        self.refresh_start_page()
        self.document_opened.emit(tab)
        self.ocr_work.show_badge(tab)
        document = tab.opened.document
        notices = [getattr(document, "notice", "")]  # only an article says one
        if not document.kind.paged:  # PDFs draw their own embedded fonts
            from reader.ui.fonts import missing_font_message

            notices.append(missing_font_message(document.text))
        tab.set_notice(" ".join(n for n in notices if n))

    def _tab_closing(self, tab: DocumentTab) -> None:
        self.annotations.work.drop(tab)
        self.ocr_work.drop(tab)

    def _tabs_emptied(self) -> None:
        self.stack.setCurrentWidget(self.start_page)
        self.find.bar.hide()
        self.refresh_start_page()

    def _current_changed(self, _index: int) -> None:
        tab = self.current_tab()
        self.update_action_state()
        self.outline_dock.show_for(tab)
        self.annotations.current_changed()
        self.ocr_work.show_badge(tab)
        if tab is None:
            self.status_label.setText("")
            self.setWindowTitle("Claim Reader")
            return
        self.status_label.setText(tab.status)
        self.setWindowTitle(f"{self.tabs.tabText(self.tabs.currentIndex())} — Claim Reader")
        self.find.current_changed()

    def _view_status(self, tab: DocumentTab, text: str) -> None:
        tab.status = text
        if tab is self.current_tab():
            self.status_label.setText(text)
            if tab.paged_view is not None:
                self.window_actions.show_page(tab.paged_view)

    def _external_link(self, url: str) -> None:
        # Both views only report a link; opening the browser is a window-level decision.
        if url.lower().startswith(("http://", "https://", "mailto:")):
            QDesktopServices.openUrl(QUrl(url))

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

    # -- focus and small windows ---------------------------------------------------------------

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

    def show_preferences(self) -> None:
        from reader.ui.preferences import PreferencesDialog

        dialog = PreferencesDialog(self.prefs, self)
        if dialog.exec():
            self.library.author = self.prefs.author
            self.sidebar.filters.set_authors(self.library.authors())
            self.window_actions.paint_kind_icons()

    def about(self) -> None:
        from reader import __version__

        QMessageBox.about(
            self,
            "About Claim Reader",
            f"Claim Reader {__version__}\nHighlight the claims in what you read and attach "
            "their sources.\nLicensed under the GNU AGPL v3 or later.",
        )

    def refresh_start_page(self) -> None:
        self.start_page.set_recent(self.library.recent(30))

    # -- prompts -------------------------------------------------------------------------------

    def _ask_password_dialog(self, name: str, wrong: bool) -> str | None:
        prompt = (
            f"The password for {name} is wrong. Try again:"
            if wrong
            else f"{name} is encrypted. Enter its password:"
        )
        text, ok = QInputDialog.getText(self, "Password", prompt, QLineEdit.EchoMode.Password)
        return text if ok else None

    def _ask_text_dialog(self, title: str, label: str, text: str) -> str | None:
        return prompts.ask_text(self, title, label, text)

    def _confirm_dialog(self, question: str) -> bool:
        return prompts.confirm(self, "Claim Reader", question)

    def _choose_item_dialog(self, title: str, label: str, items: list[str]) -> str | None:
        return prompts.choose_item(self, title, label, items)

    def _save_path_dialog(self, title: str, start: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getSaveFileName(self, title, start, name_filter)
        return path or None

    def _open_path_dialog(self, title: str, start: str, name_filter: str) -> str | None:
        path, _ = QFileDialog.getOpenFileName(self, title, start, name_filter)
        return path or None

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
        """Run the event loop until the current PDF view painted its first page and its outline
        is shown (or timeout)."""
        tab = self.current_tab()
        view = tab.paged_view if tab is not None else None
        loop = QEventLoop()
        timer = QTimer()
        timer.setSingleShot(True)
        timer.timeout.connect(loop.quit)
        if view is not None and not view.has_painted:
            view.first_page_painted.connect(loop.quit)
            timer.start(timeout_ms)
            loop.exec()
        QTimer.singleShot(0, loop.quit)  # the outline is asked for once the page is painted
        loop.exec()
        for job in list(self.outline_dock.jobs.values()):  # a long one is read on a worker
            if not job.done:
                job.finished.connect(loop.quit)
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
