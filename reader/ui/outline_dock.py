"""The Outline dock: the current PDF's bookmarks, read once its first page is on screen (an
outline of 100,000 bookmarks on a worker), hidden for documents that have none."""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtCore import Qt
from PySide6.QtWidgets import QDockWidget, QLabel, QWidget

from reader.ui.jobs import BackgroundJob


class OutlineDock(QDockWidget):
    def __init__(self, current_tab: Callable[[], object], parent: QWidget) -> None:
        super().__init__("Outline", parent)
        self.setObjectName("dock_outline")
        self.current_tab = current_tab
        self.placeholder = QLabel("This document has no outline.", self)
        self.placeholder.setAlignment(Qt.AlignmentFlag.AlignCenter)
        self.placeholder.setWordWrap(True)
        self.setWidget(self.placeholder)
        self.jobs: dict[object, BackgroundJob] = {}  # tab → the job reading its outline

    def show_for(self, tab) -> None:
        """Show `tab`'s outline (None: no document)."""
        if tab is not None and tab.paged and not tab.view.has_painted:
            # Reading the outline can take a quarter of a second (named destinations): it
            # waits until the first page is on screen. Queued: the signal is emitted inside
            # the paint, before the page reaches the screen.
            tab.view.first_page_painted.connect(
                lambda t=tab: self.show_for(t) if t is self.current_tab() else None,
                Qt.ConnectionType.QueuedConnection,
            )
            return
        # A paged view is a PdfView: its backend may not have read the outline yet.
        backend = tab.view.backend if tab is not None and tab.paged else None
        if backend is not None and not backend.outline_ready:
            self._read_on_worker(tab, backend)
            return
        items = tab.view.outline() if tab is not None and tab.paged else []
        if items:
            from reader.ui.outline_panel import OutlinePanel

            panel = OutlinePanel(items, self)
            panel.activated.connect(lambda page, y, v=tab.view: v.go_to_page(page, y))
            self.setWidget(panel)
            self.show()
        else:
            self.setWidget(self.placeholder)
            self.hide()

    def _read_on_worker(self, tab, backend) -> None:
        """An outline can hold 100,000 bookmarks (~2 s to read): it is read on a second
        handle of the file on a worker, and shown when it arrives if its tab is current."""
        if tab in self.jobs:
            return
        job = BackgroundJob("Reading the outline", self)
        self.jobs[tab] = job

        def work(_progress, _cancel):
            other = backend.clone()
            try:
                return other.outline()
            finally:
                other.close()

        def arrived(items) -> None:
            backend.adopt_outline(items)
            if tab is self.current_tab():
                self.show_for(tab)

        job.succeeded.connect(arrived)
        job.finished.connect(lambda: self.jobs.pop(tab, None))
        job.start(work)

    def stop(self) -> None:
        """The window is closing: each job reads a handle of its own, briefly."""
        for job in list(self.jobs.values()):
            job.wait(30)
