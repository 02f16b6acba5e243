"""Help ▸ Keyboard Shortcuts: every action of the window with its keys, grouped by the menu
it is in — read from the same actions the menus show, so the list cannot go stale."""

from __future__ import annotations

from PySide6.QtCore import Qt
from PySide6.QtGui import QAction, QKeySequence
from PySide6.QtWidgets import (
    QDialog,
    QDialogButtonBox,
    QHeaderView,
    QLineEdit,
    QMainWindow,
    QMenu,
    QTreeWidget,
    QTreeWidgetItem,
    QVBoxLayout,
)


def action_rows(window: QMainWindow) -> list[tuple[str, str, str]]:
    """(menu path, action text, keys) for every named action of the window, menu order first,
    then actions that live in no menu (tab switching, Undo while no menu is open…)."""
    rows: list[tuple[str, str, str]] = []
    seen: set[int] = set()

    def walk(menu: QMenu, path: str) -> None:
        for act in menu.actions():
            if act.isSeparator():
                continue
            sub = act.menu()
            if isinstance(sub, QMenu) and sub is not menu:
                walk(sub, f"{path} ▸ {act.text().replace('&', '')}")
                continue
            if act.objectName().startswith("action_") and id(act) not in seen:
                seen.add(id(act))
                rows.append((path, _text(act), _keys(act)))

    for top in window.menuBar().actions():
        if isinstance(top.menu(), QMenu):
            walk(top.menu(), top.text().replace("&", ""))
    for act in window.actions():
        if act.objectName().startswith("action_") and id(act) not in seen:
            seen.add(id(act))
            rows.append(("Other", _text(act), _keys(act)))
    return rows


def _text(action: QAction) -> str:
    return action.text().replace("&&", "\0").replace("&", "").replace("\0", "&").rstrip("…")


# Qt's codes from here on are multimedia and browser keys ("Open", "Zoom In" …) that platform
# key bindings add; few keyboards have them, so the list names the keys people type.
_FIRST_MEDIA_KEY = Qt.Key.Key_Back.value


def _keys(action: QAction) -> str:
    native = QKeySequence.SequenceFormat.NativeText
    typed = [
        k for k in action.shortcuts() if not k.isEmpty() and k[0].key().value < _FIRST_MEDIA_KEY
    ]
    return ", ".join(k.toString(native) for k in typed)


class ShortcutsDialog(QDialog):
    def __init__(self, window: QMainWindow) -> None:
        super().__init__(window)
        self.setObjectName("shortcuts_dialog")
        self.setWindowTitle("Keyboard Shortcuts")
        self.filter_edit = QLineEdit(self)
        self.filter_edit.setObjectName("shortcuts_filter")
        self.filter_edit.setPlaceholderText("Filter actions or keys")
        self.filter_edit.setClearButtonEnabled(True)
        self.tree = QTreeWidget(self)
        self.tree.setObjectName("shortcuts_list")
        self.tree.setHeaderLabels(["Action", "Keys"])
        self.tree.setRootIsDecorated(True)
        self.tree.setUniformRowHeights(True)
        groups: dict[str, QTreeWidgetItem] = {}
        for menu, text, keys in action_rows(window):
            group = groups.get(menu)
            if group is None:
                group = groups[menu] = QTreeWidgetItem(self.tree, [menu, ""])
                group.setFirstColumnSpanned(True)
            QTreeWidgetItem(group, [text, keys])
        self.tree.expandAll()
        self.tree.header().setSectionResizeMode(0, QHeaderView.ResizeMode.Stretch)
        self.tree.header().setSectionResizeMode(1, QHeaderView.ResizeMode.ResizeToContents)
        self.filter_edit.textChanged.connect(self._filter)
        buttons = QDialogButtonBox(QDialogButtonBox.StandardButton.Close, self)
        buttons.rejected.connect(self.reject)
        layout = QVBoxLayout(self)
        layout.addWidget(self.filter_edit)
        layout.addWidget(self.tree, 1)
        layout.addWidget(buttons)
        self.resize(560, 620)

    def rows(self) -> list[tuple[str, str, str]]:
        """(menu, action, keys) as listed."""
        out = []
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            for j in range(group.childCount()):
                item = group.child(j)
                out.append((group.text(0), item.text(0), item.text(1)))
        return out

    def _filter(self, text: str) -> None:
        needle = text.casefold().strip()
        for i in range(self.tree.topLevelItemCount()):
            group = self.tree.topLevelItem(i)
            any_shown = False
            for j in range(group.childCount()):
                item = group.child(j)
                hit = not needle or needle in f"{item.text(0)} {item.text(1)}".casefold()
                item.setHidden(not hit)
                any_shown |= hit
            group.setHidden(not any_shown)
