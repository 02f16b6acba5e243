"""The tab bar's list button: every open document by name, the current one checked.

Many tabs elide their titles and scroll; the list names them all and switches with one click.
"""

from __future__ import annotations

from PySide6.QtWidgets import QMenu, QTabWidget, QToolButton


class TabListButton(QToolButton):
    def __init__(self, tabs: QTabWidget) -> None:
        super().__init__(tabs)
        self.tabs = tabs
        self.setObjectName("tab_list_button")
        self.setText("☰")
        self.setToolTip("All open documents")
        self.setAccessibleName("All open documents")
        self.setAutoRaise(True)
        self.setPopupMode(QToolButton.ToolButtonPopupMode.InstantPopup)
        self.list_menu = QMenu(self)
        self.list_menu.setObjectName("tab_list_menu")
        self.list_menu.aboutToShow.connect(self.fill)
        self.setMenu(self.list_menu)

    def fill(self) -> None:
        self.list_menu.clear()
        for index in range(self.tabs.count()):
            action = self.list_menu.addAction(
                self.tabs.tabToolTip(index) or self.tabs.tabText(index)
            )
            action.setText(self.tabs.tabText(index))
            action.setToolTip(self.tabs.tabToolTip(index))
            action.setCheckable(True)
            action.setChecked(index == self.tabs.currentIndex())
            action.triggered.connect(lambda _c=False, i=index: self.tabs.setCurrentIndex(i))
