"""Undo/redo of annotation changes: each command is one call into the Library and back.

The database follows the stack: undo and redo write at once, like every other change. A
command's first redo() is skipped when the change was already made (the Library call that
created it ran before the command was pushed).
"""

from __future__ import annotations

from collections.abc import Callable

from PySide6.QtGui import QUndoCommand

from reader.library import Library
from reader.model import Annotation

# Told what changed: (annotation now stored or None, id) after every redo/undo.
Changed = Callable[[Annotation | None, str], None]

_EDIT_ID = 1001


class _AnnotationCommand(QUndoCommand):
    def __init__(self, library: Library, changed: Changed, text: str) -> None:
        super().__init__(text)
        self.library = library
        self.changed = changed
        self._done = True  # the change is already in the library when the command is pushed

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self.apply()

    def apply(self) -> None:
        raise NotImplementedError


class CreateAnnotation(_AnnotationCommand):
    def __init__(self, library: Library, changed: Changed, annotation: Annotation) -> None:
        super().__init__(library, changed, f"Highlight {annotation.kind}")
        self.annotation = annotation

    def apply(self) -> None:
        self.changed(self.library.put_back(self.annotation), self.annotation.id)

    def undo(self) -> None:
        self.library.delete(self.annotation.id)
        self.changed(None, self.annotation.id)


class DeleteAnnotation(_AnnotationCommand):
    def __init__(
        self, library: Library, changed: Changed, annotation: Annotation, citations=(), sets=()
    ) -> None:
        super().__init__(library, changed, "Delete annotation")
        self.annotation = annotation
        # Deleted with it (cascade); undo brings them back.
        self.citations = list(citations)
        self.sets = list(sets)

    def apply(self) -> None:
        self.library.delete(self.annotation.id)
        self.changed(None, self.annotation.id)

    def undo(self) -> None:
        restored = self.library.restore(self.annotation, self.citations, self.sets)
        self.changed(restored, self.annotation.id)


class EditAnnotation(_AnnotationCommand):
    """One edit; consecutive edits of the same fields of one annotation merge into one step."""

    def __init__(
        self,
        library: Library,
        changed: Changed,
        before: Annotation,
        after: Annotation,
        fields,
        text: str = "",
    ) -> None:
        super().__init__(library, changed, text or _edit_text(fields))
        self.before = before
        self.after = after
        self.fields = frozenset(fields)

    def id(self) -> int:  # noqa: A003 - Qt's name
        return _EDIT_ID

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if (
            isinstance(other, EditAnnotation)
            and other.after.id == self.after.id
            and other.fields == self.fields
            and "anchor" not in self.fields
            # Nothing else (a merge, another window) changed it in between: undo must not
            # jump back over a change that is not this edit's.
            and other.before.updated_at == self.after.updated_at
        ):
            self.after = other.after
            return True
        return False

    def apply(self) -> None:
        self.changed(self.library.put_back(self.after), self.after.id)

    def undo(self) -> None:
        self.changed(self.library.put_back(self.before), self.before.id)


_CHANGE_MERGE_ID = 1002


class LibraryChange(QUndoCommand):
    """A change to the library other than an annotation's own fields (citations, sources,
    set membership, evidence, imports), already made when pushed.

    `undo` and `redo` are the Library calls that take it back and make it again; `after` runs
    after either, so the widgets show what the database now holds. Changes with the same
    `merge_key` pushed one after another (typing into one citation's locator) are one step.
    """

    def __init__(
        self,
        text: str,
        undo: Callable[[], object],
        redo: Callable[[], object],
        after: Callable[[], object],
        *,
        merge_key: object = None,
    ) -> None:
        super().__init__(text)
        self._undo = undo
        self._redo = redo
        self._after = after
        self.merge_key = merge_key
        self._done = True

    def redo(self) -> None:
        if self._done:
            self._done = False
            return
        self._redo()
        self._after()

    def undo(self) -> None:
        self._undo()
        self._after()

    def id(self) -> int:  # noqa: A003 - Qt's name
        return _CHANGE_MERGE_ID if self.merge_key is not None else -1

    def mergeWith(self, other: QUndoCommand) -> bool:  # noqa: N802 - Qt override
        if isinstance(other, LibraryChange) and other.merge_key == self.merge_key:
            self._redo = other._redo
            return True
        return False


# Pushes a LibraryChange onto the window's undo stack: (text, undo, redo, merge_key).
Record = Callable[..., None]


def _edit_text(fields) -> str:
    """The Edit menu's name for an edit: "Undo Edit note", "Undo Re-attach annotation"."""
    if "anchor" in fields:
        return "Re-attach annotation"
    return "Edit " + ", ".join(sorted(str(n).replace("_", " ") for n in fields))
