"""The open documents: one tab each, the current one, and closing them.

The window listens: `about_to_add(tab)` comes before a tab is added (synchronously: whatever must
be ready when the tab becomes current is done then), `added(tab)` once it is current,
`closing(tab)` before a tab goes and `emptied()` when the last one went.
"""

from __future__ import annotations

from pathlib import Path

from PySide6.QtCore import Qt, Signal
from PySide6.QtWidgets import QLabel, QTabWidget, QVBoxLayout, QWidget

from reader.library import Library, OpenedDocument
from reader.ui.tab_list import TabListButton
from reader.ui.view_api import DocumentView, PagedView


class DocumentTab(QWidget):
    """One open document: its view and, above it, what the reader must know about its text."""

    def __init__(
        self, opened: OpenedDocument, view: QWidget, parent: QWidget | None = None
    ) -> None:
        super().__init__(parent)
        self.opened = opened
        self.view = view
        self.status = ""
        self.annotations: dict = {}  # id -> Annotation, kept by the AnnotationController
        layout = QVBoxLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        # No article found, fonts missing: said once, above the text.
        self.notice = QLabel(self)
        self.notice.setObjectName("document_notice")
        self.notice.setWordWrap(True)
        self.notice.setContentsMargins(8, 4, 8, 4)
        self.notice.setStyleSheet("QLabel { background: palette(alternate-base); }")
        self.notice.hide()
        layout.addWidget(self.notice)
        layout.addWidget(view)

    def set_notice(self, text: str) -> None:
        self.notice.setText(text)
        self.notice.setVisible(bool(text))

    @property
    def paged(self) -> bool:
        return self.opened.document.kind.paged

    @property
    def paged_view(self) -> PagedView | None:
        """The view, when it shows fixed pages (DocumentTabs made it for a paged document).
        Asked of the document, not with isinstance(view, PagedView): a runtime Protocol check
        also fails when a method the protocol names is a property returning None."""
        return self.view if self.paged else None  # type: ignore[return-value]


class DocumentTabs(QTabWidget):
    about_to_add = Signal(object)  # DocumentTab, not yet in the bar
    added = Signal(object)  # DocumentTab, now current
    closing = Signal(object)  # DocumentTab, about to go
    emptied = Signal()

    def __init__(self, library: Library, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.library = library
        self.setObjectName("document_tabs")
        self.setTabsClosable(True)
        self.setMovable(True)
        self.setDocumentMode(True)
        self.tabCloseRequested.connect(self.close_tab)
        # Many documents: titles are shortened, the bar scrolls, and a list names them all.
        self.setElideMode(Qt.TextElideMode.ElideRight)
        self.setUsesScrollButtons(True)
        self.list_button = TabListButton(self)
        self.setCornerWidget(self.list_button, Qt.Corner.TopRightCorner)

    # -- asking ----------------------------------------------------------------------------------

    def current_tab(self) -> DocumentTab | None:
        tab = self.currentWidget()
        return tab if isinstance(tab, DocumentTab) else None

    def current_view(self) -> DocumentView | None:
        tab = self.current_tab()
        return tab.view if tab else None

    def open_tabs(self) -> list[DocumentTab]:
        return [t for i in range(self.count()) if isinstance(t := self.widget(i), DocumentTab)]

    def show_source(self, source: str) -> bool:
        """Make the tab of this path or URL current; False when it is not open."""
        for tab in self.open_tabs():
            if tab.opened.record.source == source:
                self.setCurrentWidget(tab)
                return True
        return False

    # -- adding and closing ----------------------------------------------------------------------

    def add(self, opened: OpenedDocument) -> DocumentTab:
        """A tab for `opened` (or the tab already showing the same bytes), made current."""
        for tab in self.open_tabs():
            if tab.opened.document.sha256 == opened.document.sha256:
                self.setCurrentWidget(tab)
                _close(opened.document)
                return tab
        view = _make_view(opened, self)
        place = self.library.view_place(opened.record.id)
        if place is not None:
            view.restore_place(place)
        elif opened.document.kind.paged:
            view.fit_width()  # the whole width of the page is readable from the start
        tab = DocumentTab(opened, view, self)
        self.about_to_add.emit(tab)
        title = opened.record.title or Path(opened.record.source).name
        index = self.addTab(tab, elide(title))
        self.setTabToolTip(index, opened.record.source)
        self.setCurrentIndex(index)
        view.setFocus()
        self.added.emit(tab)
        return tab

    def close_current(self) -> None:
        if self.count():
            self.close_tab(self.currentIndex())

    def close_tab(self, index: int) -> None:
        tab = self.widget(index)
        if isinstance(tab, DocumentTab):
            # The zoom and scroll position: the document opens there next time.
            self.library.save_view_place(tab.opened.record.id, tab.view.place())
            self.closing.emit(tab)
        self.removeTab(index)
        if isinstance(tab, DocumentTab):
            _close(tab.opened.document)
            tab.deleteLater()
        if not self.count():
            self.emptied.emit()

    def close_all(self) -> None:
        while self.count():
            self.close_tab(0)

    def step(self, step: int) -> None:
        """Ctrl+Tab / Ctrl+Shift+Tab: the next or previous document, round the end."""
        count = self.count()
        if count > 1:
            self.setCurrentIndex((self.currentIndex() + step) % count)
            view = self.current_view()
            if view is not None:
                view.setFocus()


def _make_view(opened: OpenedDocument, parent: QWidget) -> QWidget:
    if opened.document.kind.paged:
        from reader.ui.pdf_view import PdfView

        return PdfView(opened.document, parent)
    from reader.ui.article_view import ArticleView

    return ArticleView(opened.document, parent)


def _close(document) -> None:
    # Paged backends hold the file open (MuPDF); an article is text in memory.
    if document.kind.paged:
        document.close()


def elide(text: str, width: int = 40) -> str:
    return text if len(text) <= width else text[: width - 1] + "…"
