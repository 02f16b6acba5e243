"""Building QActions the same way everywhere: objectName, text, shortcut, one slot."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from PySide6.QtGui import QAction, QIcon, QKeySequence
from PySide6.QtWidgets import QWidget

Shortcut = QKeySequence.StandardKey | str


def make_action(
    parent: QWidget,
    name: str,
    text: str,
    slot: Callable[[], object],
    shortcuts: Sequence[Shortcut] = (),
    *,
    tip: str = "",
    icon: str = "",
) -> QAction:
    action = QAction(text, parent)
    action.setObjectName(f"action_{name}")
    keys: list[QKeySequence] = []
    for sc in shortcuts:
        if isinstance(sc, QKeySequence.StandardKey):
            keys.extend(QKeySequence.keyBindings(sc))
        else:
            keys.append(QKeySequence(sc))
    if keys:
        action.setShortcuts(keys)
    label = text.replace("&", "").rstrip("…")
    if keys:
        label += f" ({keys[0].toString(QKeySequence.SequenceFormat.NativeText)})"
    action.setToolTip(tip or label)
    action.setStatusTip(tip or label)
    if icon:
        themed = QIcon.fromTheme(icon)
        if not themed.isNull():
            action.setIcon(themed)
    action.triggered.connect(lambda _checked=False: _run_saying_library_faults(parent, slot))
    parent.addAction(action)
    return action


def _run_saying_library_faults(parent: QWidget, slot: Callable[[], object]) -> None:
    """Run an action's slot; a library that cannot be written now (a full disk, another
    program holding it) is said in the window's error dialog, in the sentence the command
    line prints. The change was rolled back, so nothing is half-saved."""
    from reader.library import LibraryUnavailable

    try:
        slot()
    except LibraryUnavailable as exc:
        show = getattr(parent.window(), "show_error", None)
        if show is None:
            raise
        show(str(exc))
