"""Everything between a user's gesture on an annotation and the Library, in one place.

The window owns the widgets; this object connects them: the views (selection, clicks on
highlights), the sidebar, the editor and the undo stack. Every change goes through the Library
(committed at once) and comes back here as "what changed", which then refreshes the widgets.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from typing import TYPE_CHECKING

from PySide6.QtCore import QObject, Signal
from PySide6.QtGui import QUndoStack

from reader.library import EmptySelection, Library
from reader.model import AnchorState, Annotation, AnnotationKind
from reader.ui.commands import CreateAnnotation, DeleteAnnotation, EditAnnotation, LibraryChange
from reader.ui.document_work import (
    BIG_REANCHOR,
    DocumentWork,
    alignment_is_slow,
    text_is_slow,
)

if TYPE_CHECKING:  # the window builds both panels and hands them in
    from reader.ui.panels.editor import AnnotationEditor
    from reader.ui.panels.sidebar import AnnotationsPanel


class _CreateInSet(CreateAnnotation):
    """A highlight made while a set was current: redo puts it back into that set too."""

    def __init__(self, library: Library, changed, annotation: Annotation, set_id: int) -> None:
        super().__init__(library, changed, annotation)
        self.set_id = set_id

    def apply(self) -> None:
        stored = self.library.put_back(self.annotation)
        if any(s.id == self.set_id for s in self.library.sets()):
            self.library.add_to_set(self.set_id, [self.annotation.id])
        self.changed(stored, self.annotation.id)


class AnnotationController(QObject):
    message = Signal(str)
    summary_changed = Signal(str)  # "12 exact · 1 fuzzy · 0 orphan" for the current document
    sets_changed = Signal()  # a set's members (or the sets themselves) changed

    def __init__(
        self,
        library: Library,
        undo_stack: QUndoStack,
        sidebar: AnnotationsPanel,
        editor: AnnotationEditor,
        prefs,
        current_tab: Callable[[], object],
        tabs: Callable[[], list],
        parent: QObject | None = None,
    ) -> None:
        super().__init__(parent)
        self.library = library
        self.undo_stack = undo_stack
        self.sidebar = sidebar
        self.editor = editor
        self.prefs = prefs
        self.current_tab = current_tab
        self.tabs = tabs
        # Whether a tab's text is still being made (OCR of its scanned pages); the window sets it.
        self.text_pending: Callable[[object], bool] = lambda _tab: False
        # The set new highlights go into (the toolbar's "current set"), or None.
        self.current_set_id: int | None = None
        sidebar.activated.connect(self.show_annotation)
        sidebar.selection_changed.connect(self._sidebar_selection)
        editor.edited.connect(self.edit)
        editor.reattach_requested.connect(self.reattach)
        editor.reattach_to_requested.connect(self.reattach_to)
        editor.candidates_provider = self.candidate_places
        editor.delete_requested.connect(lambda aid: self.delete([aid]))
        editor.citations_changed.connect(self.citations_changed)
        self.work = DocumentWork(self)
        self.work.ended.connect(self._work_ended)
        self.work.cancelled.connect(self._work_cancelled)
        self.work.failed.connect(self._work_failed)

    # -- tabs ----------------------------------------------------------------------------------

    def attach(self, tab) -> None:
        """A document was opened: load (and re-anchor) its annotations, wire its view."""
        self._load(tab)
        tab.view.annotation_clicked.connect(lambda aid, t=tab: self._clicked(t, aid))

    def reload(self, tab) -> None:
        """The tab's text changed (its scanned pages were read): load its annotations again."""
        if tab in self.tabs():
            self._load(tab)
            if tab is self.current_tab():
                self.current_changed()

    def _load(self, tab) -> None:
        """Show the tab's annotations. Those made on an older version are re-anchored first:
        on the spot when that is quick, else on the worker (they appear when it is done); on a
        big paged document whose text is not read yet, annotations without stored line boxes
        wait for the text too (placing them needs it)."""
        current, stale = self.library.stored_annotations(tab.opened)
        document = tab.opened.document
        if self.text_pending(tab):
            # Scanned pages are being read: re-anchoring now would find no text and orphan
            # what was made on an earlier version. `reload` runs once the text is there.
            stale = []
        held: list[Annotation] = []
        if text_is_slow(document):
            held = [a for a in current if not a.rects and a.anchor.state is not AnchorState.ORPHAN]
            if held:
                kept = {a.id for a in held}
                current = [a for a in current if a.id not in kept]
        counts: Counter[str] = Counter()
        old_texts = self.library.old_texts(tab.opened, stale) if stale else []
        if (
            stale
            and not text_is_slow(document)
            and len(stale) <= BIG_REANCHOR
            and not alignment_is_slow(document, old_texts)
        ):
            from reader.anchoring import reanchor_versions

            done = reanchor_versions([a.anchor for a in stale], old_texts, document.text)
            assert done is not None  # nothing can cancel it
            moved, ties = done
            current, counts = self.library.save_reanchored(tab.opened, current, stale, moved, ties)
            stale = []
        tab.annotations = {a.id: a for a in current}
        tab.view.set_annotations(self._ordered(tab))
        if counts:
            self._tell_reanchored(counts)
        if stale or held:
            self.work.start(
                tab, stale, held, dict(zip((a.id for a in stale), old_texts, strict=False))
            )

    def _tell_reanchored(self, counts: Counter[str]) -> None:
        moved = ", ".join(f"{n} {state}" for state, n in sorted(counts.items()))
        self.message.emit(f"This document changed; its annotations were re-anchored: {moved}.")

    def _work_ended(self, tab, result, stale: list, held: list) -> None:
        """The worker read the text and re-anchored: take its results and show what waited."""
        if tab not in self.tabs():
            return
        document = tab.opened.document
        if result.texts is not None:
            document.adopt_page_texts(result.texts)
            tab.view.text_ready()
        if not stale and not held:
            return
        added = list(held)
        counts: Counter[str] = Counter()
        if stale:
            moved, counts = self.library.save_reanchored(
                tab.opened, [], stale, result.moved, result.ties
            )
            added += moved
        for a in added:
            tab.annotations[a.id] = a
        tab.view.set_annotations(self._ordered(tab))
        if tab is self.current_tab():
            self._refresh_current(tab)
        if counts:
            self._tell_reanchored(counts)

    def _work_cancelled(self, tab, stale: list, held: list) -> None:
        if tab not in self.tabs():
            return
        waiting = len(stale) + len(held)
        text = "Cancelled: the document's text was not read"
        if stale and getattr(tab.opened.document, "text_ready", True):
            text = "Cancelled: re-anchoring stopped"
        if waiting:
            text += (
                f"; {waiting:,} annotation{'s' if waiting != 1 else ''} made on an earlier version "
                "or without a place stay hidden until the document is opened again"
            )
        self.message.emit(text + ".")

    def _work_failed(self, tab, message: str) -> None:
        if tab in self.tabs():
            self.message.emit(message)

    def reload_all(self) -> None:
        """Annotations changed behind the widgets' back (an import): load every open tab's
        annotations again and refresh the sidebar and the editor."""
        current = self.editor.annotation()
        selected = self.sidebar.selected_ids()
        for tab in self.tabs():
            self._load(tab)
        tab = self.current_tab()
        if tab is None:
            self.current_changed()
            return
        self._refresh_current(tab, current, selected)
        self.sets_changed.emit()

    def _refresh_current(self, tab, current: Annotation | None = None, selected=None) -> None:
        """The current tab's annotations changed as a whole: refill the sidebar, keep what was
        selected and being edited."""
        if current is None:
            current = self.editor.annotation()
        if selected is None:
            selected = self.sidebar.selected_ids()
        self.sidebar.set_annotations(
            self._ordered(tab), self.library.citation_counts(tab.opened.record.id)
        )
        self._emit_summary(tab)
        if current is not None:
            self.editor.set_annotation(tab.annotations.get(current.id))
        if len(selected) == 1 and selected[0] in tab.annotations:
            tab.view.select_annotation(selected[0])

    def current_changed(self) -> None:
        tab = self.current_tab()
        if tab is None:
            self.sidebar.set_annotations([])
            self.editor.set_annotation(None)
            self.summary_changed.emit("")
            return
        self.sidebar.set_annotations(
            self._ordered(tab), self.library.citation_counts(tab.opened.record.id)
        )
        self.editor.set_annotation(None)
        self._emit_summary(tab)

    def _ordered(self, tab) -> list[Annotation]:
        return sorted(tab.annotations.values(), key=lambda a: (a.anchor.start, a.anchor.end))

    def _emit_summary(self, tab) -> None:
        counts = Counter(str(a.anchor.state) for a in tab.annotations.values())
        if not tab.annotations:
            self.summary_changed.emit("No annotations")
            return
        self.summary_changed.emit(" · ".join(f"{counts.get(str(s), 0)} {s}" for s in AnchorState))

    def _tab_for(self, document_id: int):
        for tab in self.tabs():
            if tab.opened.record.id == document_id:
                return tab
        return None

    # -- what changed --------------------------------------------------------------------------

    def changed(self, annotation: Annotation | None, annotation_id: str) -> None:
        """Refresh every widget after the library stored (or removed) an annotation."""
        tab = None
        if annotation is not None:
            tab = self._tab_for(annotation.document_id)
        else:
            tab = next((t for t in self.tabs() if annotation_id in t.annotations), None)
        if tab is None:
            return
        existed = annotation_id in tab.annotations
        if annotation is None:
            tab.annotations.pop(annotation_id, None)
        else:
            tab.annotations[annotation_id] = annotation
        tab.view.set_annotations(self._ordered(tab))
        if tab is self.current_tab():
            if annotation is None:
                self.sidebar.remove_annotation(annotation_id)
                current = self.editor.annotation()
                if current is not None and current.id == annotation_id:
                    self.editor.discard()  # its pending edits belong to nothing now
                    self.editor.set_annotation(None)
            elif existed:
                self.sidebar.update_annotation(annotation)
                current = self.editor.annotation()
                if current is not None and current.id == annotation_id:
                    self.editor.set_annotation(annotation)
            else:
                self.sidebar.add_annotation(annotation)
            self._emit_summary(tab)

    def citations_changed(self, annotation_id: str) -> None:
        """A citation was added, edited or removed: refresh the support/refute counts."""
        counts = self.library.citation_counts()
        self.sidebar.set_citation_counts(annotation_id, counts.get(annotation_id, (0, 0, 0)))

    # -- undo of changes that are not an annotation's own fields --------------------------------

    library_changed = Signal()  # an undo/redo changed citations, sources or sets

    def record(
        self,
        text: str,
        undo: Callable[[], object],
        redo: Callable[[], object],
        merge_key: object = None,
    ) -> None:
        """Put a change already made (citation, source, set membership, evidence, import) on
        the undo stack as one step named `text`; its undo and redo refresh every widget."""
        self.undo_stack.push(
            LibraryChange(text, undo, redo, self._after_library_change, merge_key=merge_key)
        )

    def _after_library_change(self) -> None:
        counts = self.library.citation_counts()
        model = self.sidebar.model
        for annotation in self.sidebar.annotations():
            now = counts.get(annotation.id, (0, 0, 0))
            if tuple(model.citation_counts(annotation.id)) != tuple(now):
                self.sidebar.set_citation_counts(annotation.id, now)
        citations = getattr(self.editor, "citations", None)
        if citations is not None:
            citations.refresh()
        self.sets_changed.emit()
        self.library_changed.emit()

    # -- gestures ------------------------------------------------------------------------------

    def highlight(
        self, kind: AnnotationKind, tab=None, span: tuple[int, int] | None = None
    ) -> Annotation | None:
        """Highlight the selection of `tab` (the current one), or `span` of its text (a
        candidate claim's sentence). On a big document whose text is not read yet it is read
        first, off the UI thread, and the highlight made then: None is returned meanwhile."""
        tab = tab or self.current_tab()
        if tab is None or tab not in self.tabs():
            return None
        if span is None and not tab.view.has_selection():
            self.message.emit("Select the words to highlight first.")
            return None
        if not self.work.when_text_ready(tab, lambda: self.highlight(kind, tab, span)):
            return None
        selection = span or tab.view.selection_range()
        if selection is None:
            self.message.emit("Select the words to highlight first.")
            return None
        start, end = selection
        try:
            annotation = self.library.highlight(
                tab.opened,
                start,
                end,
                kind,
                color=self.prefs.color(kind),
                author=self.prefs.author,
            )
        except EmptySelection as exc:
            self.message.emit(str(exc))
            return None
        set_id = self.current_set_id
        if set_id is not None and not any(s.id == set_id for s in self.library.sets()):
            set_id = self.current_set_id = None  # deleted meanwhile
        if set_id is None:
            self.undo_stack.push(CreateAnnotation(self.library, self.changed, annotation))
        else:
            self.library.add_to_set(set_id, [annotation.id])
            self.undo_stack.push(_CreateInSet(self.library, self.changed, annotation, set_id))
        self.changed(annotation, annotation.id)
        if set_id is not None:
            self.sets_changed.emit()
        tab.view.clear_selection()
        if tab is self.current_tab():
            self.select(annotation.id)
        return annotation

    def select(self, annotation_id: str | None) -> None:
        tab = self.current_tab()
        if tab is None:
            return
        annotation = tab.annotations.get(annotation_id) if annotation_id else None
        tab.view.select_annotation(annotation.id if annotation else None)
        self.sidebar.select(annotation.id if annotation else None)
        self.editor.set_annotation(annotation)

    def show_annotation(self, annotation_id: str) -> None:
        tab = self.current_tab()
        if tab is None or annotation_id not in tab.annotations:
            return
        self.select(annotation_id)
        if tab.annotations[annotation_id].anchor.state is not AnchorState.ORPHAN:
            tab.view.show_annotation(annotation_id)

    def _clicked(self, tab, annotation_id: str) -> None:
        if tab is self.current_tab():
            self.select(annotation_id)

    def _sidebar_selection(self, ids: list) -> None:
        if len(ids) == 1:
            self.select(ids[0])

    def edit(self, annotation_id: str, changes: dict) -> Annotation | None:
        before = self.library.annotation(annotation_id)
        if before is None or not changes:
            return None
        after = self.library.update(before, **changes)
        self.undo_stack.push(
            EditAnnotation(self.library, self.changed, before, after, changes.keys())
        )
        self.changed(after, annotation_id)
        return after

    def candidate_places(self, annotation: Annotation) -> list[tuple[int, int, str, str]]:
        """An orphan's candidate places in its open document: (start, end, where, the words
        around it), for the editor to offer."""
        tab = self._tab_for(annotation.document_id)
        if tab is None or text_is_slow(tab.opened.document):
            return []
        from reader.exchange import paragraph_at, paragraph_breaks

        document = tab.opened.document
        text = document.text
        places = []
        found = self.library.candidates(annotation)
        breaks = paragraph_breaks(text) if found and not document.kind.paged else []
        for start, end in found:
            if text[start:end] != annotation.anchor.quote:
                continue  # from another version of the document
            if document.kind.paged:
                where = f"p. {document.page_at_offset(start) + 1}"
            else:
                where = f"¶ {paragraph_at(breaks, start)}"
            around = f"{text[max(0, start - 40) : start]}«{text[start:end]}»{text[end : end + 40]}"
            preview = f"…{' '.join(around.split())}…"
            places.append((start, end, where, preview))
        return places

    def reattach_to(self, annotation_id: str, start: int, end: int) -> None:
        """Put an orphan on one of its candidate places (undoable)."""
        annotation = self.library.annotation(annotation_id)
        tab = self._tab_for(annotation.document_id) if annotation is not None else None
        if tab is None or annotation is None:
            return
        after = self.library.reattach(annotation, tab.opened, start, end)
        self.undo_stack.push(
            EditAnnotation(self.library, self.changed, annotation, after, ["anchor"])
        )
        self.changed(after, annotation_id)
        if tab is self.current_tab():
            self.select(annotation_id)

    def reattach(self, annotation_id: str, tab=None) -> None:
        tab = tab or self.current_tab()
        annotation = self.library.annotation(annotation_id)
        if tab is None or annotation is None or tab not in self.tabs():
            return
        if tab.view.has_selection() and not self.work.when_text_ready(
            tab, lambda: self.reattach(annotation_id, tab)
        ):
            return
        selection = tab.view.selection_range()
        if selection is None:
            self.message.emit("Select the words this annotation belongs to, then re-attach it.")
            return
        try:
            after = self.library.reattach(annotation, tab.opened, *selection)
        except EmptySelection as exc:
            self.message.emit(str(exc))
            return
        self.undo_stack.push(
            EditAnnotation(self.library, self.changed, annotation, after, ["anchor"])
        )
        self.changed(after, annotation_id)
        tab.view.clear_selection()
        if tab is self.current_tab():
            self.select(annotation_id)

    def adjust_extent(self, which: str, direction: int, tab=None) -> Annotation | None:
        """Move the start or end ("start" / "end") of the selected highlight one word left
        (-1) or right (+1): saved at once, one undo step."""
        tab = tab or self.current_tab()
        current = self.editor.annotation()
        if tab is None or current is None or current.id not in tab.annotations:
            self.message.emit("Select a highlight to adjust first.")
            return None
        if current.anchor.state is AnchorState.ORPHAN:
            self.message.emit("This annotation has no place in the text: re-attach it first.")
            return None
        if not self.work.when_text_ready(tab, lambda: self.adjust_extent(which, direction, tab)):
            return None
        before = self.library.annotation(current.id)
        if before is None:
            return None
        from reader.text_units import step_end

        text = tab.opened.document.text
        start, end = step_end(text, before.anchor.start, before.anchor.end, which, direction)
        if (start, end) == (before.anchor.start, before.anchor.end):
            return before
        after = self.library.reattach(before, tab.opened, start, end)
        self.undo_stack.push(
            EditAnnotation(
                self.library, self.changed, before, after, ["anchor"], text="Adjust highlight"
            )
        )
        self.changed(after, after.id)
        if tab is self.current_tab():
            tab.view.select_annotation(after.id)
        return after

    def selected_ids(self) -> list[str]:
        ids = list(self.sidebar.selected_ids())
        current = self.editor.annotation()
        if not ids and current is not None:
            ids = [current.id]
        return ids

    def delete(self, ids: list[str] | None = None) -> int:
        ids = self.selected_ids() if ids is None else ids
        doomed = [s for s in (self.library.saved_state(i) for i in ids) if s is not None]
        if not doomed:
            self.message.emit("Select an annotation to delete first.")
            return 0
        self.editor.set_annotation(None)
        self.undo_stack.beginMacro(
            "Delete annotation" if len(doomed) == 1 else f"Delete {len(doomed)} annotations"
        )
        for annotation, citations, sets in doomed:
            self.library.delete(annotation.id)
            self.undo_stack.push(
                DeleteAnnotation(self.library, self.changed, annotation, citations, sets)
            )
            self.changed(None, annotation.id)
        self.undo_stack.endMacro()
        return len(doomed)

    # -- sets ----------------------------------------------------------------------------------

    def add_to_set(self, set_id: int, ids: list[str]) -> int:
        """Put these annotations into a set; how many were not in it yet."""
        if not ids:
            self.message.emit("Select the annotations to add to the set first.")
            return 0
        members = set(self.library.set_members(set_id))
        new = [i for i in dict.fromkeys(ids) if i not in members]
        added = self.library.add_to_set(set_id, list(ids))
        self.sets_changed.emit()
        if new:
            self.record(
                f'Add {_annotations(len(new))} to "{self._set_name(set_id)}"',
                lambda: self.library.remove_from_set(set_id, new),
                lambda: self._add_back(set_id, new),
            )
        return added

    def remove_from_set(self, set_id: int, ids: list[str]) -> int:
        """Take these annotations out of a set (they stay in the library)."""
        if not ids:
            self.message.emit("Select the annotations to remove from the set first.")
            return 0
        members = set(self.library.set_members(set_id))
        gone = [i for i in dict.fromkeys(ids) if i in members]
        removed = self.library.remove_from_set(set_id, list(ids))
        self.sets_changed.emit()
        if gone:
            self.record(
                f'Remove {_annotations(len(gone))} from "{self._set_name(set_id)}"',
                lambda: self._add_back(set_id, gone),
                lambda: self.library.remove_from_set(set_id, gone),
            )
        return removed

    def _add_back(self, set_id: int, ids: list[str]) -> None:
        """Membership comes back for the annotations (and the set) that still exist."""
        if any(s.id == set_id for s in self.library.sets()):
            alive = [i for i in ids if self.library.annotation(i) is not None]
            self.library.add_to_set(set_id, alive)

    def _set_name(self, set_id: int) -> str:
        return next((s.name for s in self.library.sets() if s.id == set_id), "the set")

    def document_ids(self) -> list[str]:
        """Every annotation of the current document, in reading order."""
        tab = self.current_tab()
        return [a.id for a in self._ordered(tab)] if tab is not None else []


def _annotations(n: int) -> str:
    return "1 annotation" if n == 1 else f"{n} annotations"
