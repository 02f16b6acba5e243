"""Use as Evidence for…: the selected passage becomes a cited source of one of the claims."""

from __future__ import annotations

from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Qt

from reader.library import DocumentError

if TYPE_CHECKING:
    from reader.ui.main_window import MainWindow


class EvidenceActions(QObject):
    def __init__(self, window: MainWindow) -> None:
        super().__init__(window)
        self.window = window
        self.dialog = None  # the question (which claim, which stance) while it is open

    def use_selection_as_evidence(self) -> None:
        """Ask which claim and with which stance (window-modal `dialog`), then cite the
        passage."""
        w = self.window
        tab = w.current_tab()
        if tab is None:
            return
        if not tab.view.has_selection():
            w.show_info("Select the passage that is the evidence first.")
            return
        if not w.annotations.work.when_text_ready(tab, self.use_selection_as_evidence):
            return
        selection = tab.view.selection_range()
        if selection is None:
            return
        claims = w.library.recent_claims()
        if not claims:
            w.show_info("There are no claims yet: highlight a claim first.")
            return
        from reader.ui.evidence_dialog import EvidenceDialog

        where = {}
        for claim in claims:
            if claim.document_id not in where:
                record = w.library.document_by_id(claim.document_id)
                where[claim.document_id] = record.title if record else ""
        passage = tab.opened.document.text[selection[0] : selection[1]]
        dialog = EvidenceDialog(claims, where, passage, w)
        dialog.setWindowModality(Qt.WindowModality.WindowModal)
        dialog.setAttribute(Qt.WidgetAttribute.WA_DeleteOnClose)
        dialog.accepted.connect(
            lambda: self._cite(tab, selection, dialog.claim(), dialog.stance())
        )
        dialog.finished.connect(lambda _r: setattr(self, "dialog", None))
        self.dialog = dialog
        dialog.open()

    def _cite(self, tab, selection, claim, stance) -> None:
        w, library = self.window, self.window.library
        if claim is None or stance is None or tab not in w.open_tabs():
            return
        had_source = library.document_source(tab.opened) is not None
        try:
            citation = library.use_as_evidence(tab.opened, *selection, claim.id, stance)
        except (DocumentError, ValueError) as exc:
            w.show_info(str(exc))
            return
        passage = library.annotation(citation.evidence_annotation_id)
        source = library.source(citation.source_id)
        tab.view.clear_selection()
        if passage is not None:
            w.annotations.changed(passage, passage.id)
        w.annotations.citations_changed(claim.id)
        current = w.editor.annotation()
        if current is not None and current.id == claim.id:
            w.editor.set_annotation(library.annotation(claim.id))
        if passage is not None and source is not None:
            self._record(citation, passage, None if had_source else source)
        w.show_info(f"The passage is now cited as evidence ({stance.value}) for the claim.")

    def _record(self, citation, passage, new_source) -> None:
        """Use as Evidence is one undo step: the citation, the evidence highlight and (when
        it was made for it) the document's source go and come back together."""
        library, annotations = self.window.library, self.window.annotations

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
