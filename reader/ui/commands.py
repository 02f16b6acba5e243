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
        self, library: Library, changed: Changed, before: Annotation, after: Annotation, fields
    ) -> None:
        super().__init__(library, changed, "Edit " + ", ".join(sorted(fields)))
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
