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
    action.triggered.connect(lambda _checked=False: slot())
    parent.addAction(action)
    return action
