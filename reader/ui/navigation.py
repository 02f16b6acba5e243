"""Going to a passage (an annotation anywhere in the library) and Back (Alt+Left) to where
the reader was."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow

_KEEP = 50  # places Back remembers


class Navigation(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self._back: list[tuple] = []  # (tab, place, selected annotation id) to go back to

    def open_at_annotation(self, source: str, annotation_id: str) -> None:
        w = self.window
        tab = w.open_document(source, background=False, offline_first=True)
        if tab is None:
            return
        work = w.annotations.work
        if annotation_id not in tab.annotations and work.running(tab):
            # made on an older version: it is shown once the worker has re-anchored it
            work.when_text_ready(
                tab, lambda: w.annotations.show_annotation(annotation_id), key="show"
            )
            return
        w.annotations.show_annotation(annotation_id)

    def open_annotation_by_id(self, annotation_id: str) -> None:
        """Go to an annotation (Go to passage, a claim an evidence passage bears on); Back
        (Alt+Left) returns to where the reader was."""
        w = self.window
        annotation = w.library.annotation(annotation_id)
        if annotation is None:
            w.show_error("That passage has been deleted.")
            return
        here = w.current_tab()
        if here is not None:
            selected = w.editor.annotation()
            self._back.append(
                (here, here.view.place(), selected.id if selected is not None else None)
            )
            del self._back[:-_KEEP]
            w.action("back").setEnabled(True)
        record = w.library.document_by_id(annotation.document_id)
        if record is None:
            return
        self.open_at_annotation(record.source, annotation_id)

    def go_back(self) -> None:
        """Back to where Go to passage (or a claim's link) was followed from."""
        w = self.window
        while self._back:
            tab, place, annotation_id = self._back.pop()
            if tab in w.open_tabs():
                w.tabs.setCurrentWidget(tab)
                tab.view.restore_place(place)
                if annotation_id is not None:
                    w.annotations.select(annotation_id)
                tab.view.setFocus()
                break
        w.action("back").setEnabled(bool(self._back))
