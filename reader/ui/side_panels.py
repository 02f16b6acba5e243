"""F9 / Shift+F9: the side panels of one side of the window go away and come back with one key.

The docks that were open on that side when it was hidden are the ones that come back (an
Outline closed by hand stays closed).
"""

from __future__ import annotations

from PySide6.QtCore import QObject, Qt
from PySide6.QtWidgets import QDockWidget, QMainWindow


class SidePanels(QObject):
    def __init__(self, window: QMainWindow, area: Qt.DockWidgetArea) -> None:
        super().__init__(window)
        self.window = window
        self.area = area
        self._hidden: list[QDockWidget] = []

    def docks(self) -> list[QDockWidget]:
        return [
            d
            for d in self.window.findChildren(QDockWidget)
            if self.window.dockWidgetArea(d) == self.area and not d.isFloating()
        ]

    def shown(self) -> bool:
        return any(d.isVisible() for d in self.docks())

    def toggle(self) -> None:
        visible = [d for d in self.docks() if d.isVisible()]
        if visible:
            self._hidden = visible
            for dock in visible:
                dock.hide()
            self.window.centralWidget().setFocus()
            return
        for dock in self._hidden or self.docks()[:1]:
            dock.show()
        self._hidden = []
