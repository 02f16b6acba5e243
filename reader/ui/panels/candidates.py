"""The Candidates dock: the open document's sentences worth checking (reader.claims).

Each candidate shows its sentence and reasons; a click shows it in the document; Enter (or
"Make Claim") highlights the whole sentence as a claim through the window's normal highlight
path (so Ctrl+Z takes it back), Delete (or "Dismiss") dismisses it — remembered per document
in the library, and undoable too. Candidates already highlighted as claims are not listed.

Candidates are computed after the document is shown, never before its first page: on a worker
thread once the view has painted (a PDF's first page) or the event loop is free again (an
article), from text the UI thread already holds; a big PDF whose text is still being read
waits for it. A faint tick in the view's scroll bar marks each candidate.
"""

from __future__ import annotations

import weakref
from bisect import bisect_right
from typing import TYPE_CHECKING

from PySide6.QtCore import QEvent, QObject, QSize, Qt, QTimer, Signal
from PySide6.QtGui import QAction, QColor, QFont, QFontMetrics, QKeyEvent, QPainter, QPalette
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QDockWidget,
    QHBoxLayout,
    QLabel,
    QListWidget,
    QListWidgetItem,
    QMenu,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.model import AnnotationKind
from reader.ui.document_work import text_is_slow

if TYPE_CHECKING:
    from reader.claims import Candidate
from reader.ui.jobs import BackgroundJob
from reader.ui.overlays import MarkerScrollBar

CANDIDATE_ROLE = Qt.ItemDataRole.UserRole + 1


class _CandidateList(QListWidget):
    """Enter makes the current candidate a claim, Delete dismisses it (the window's own Delete
    and Enter shortcuts do not take these keys while the list has the focus)."""

    accept_requested = Signal()
    dismiss_requested = Signal()

    _KEYS = {
        Qt.Key.Key_Return: "accept",
        Qt.Key.Key_Enter: "accept",
        Qt.Key.Key_Delete: "dismiss",
        Qt.Key.Key_Backspace: "dismiss",
    }

    def event(self, event: QEvent) -> bool:
        if event.type() == QEvent.Type.ShortcutOverride and isinstance(event, QKeyEvent):
            if event.key() in self._KEYS and not event.modifiers():
                event.accept()
                return True
        return super().event(event)

    def keyPressEvent(self, event: QKeyEvent) -> None:  # noqa: N802 - Qt override
        what = self._KEYS.get(Qt.Key(event.key())) if not event.modifiers() else None
        if what and self.currentItem() is not None:
            (self.accept_requested if what == "accept" else self.dismiss_requested).emit()
            event.accept()
            return
        super().keyPressEvent(event)


class _CandidateDelegate(QStyledItemDelegate):
    """Two lines of the sentence (elided), then its reasons and score, small and dim."""

    PAD = 5
    LINES = 2

    def _small(self, option: QStyleOptionViewItem) -> QFont:
        small = QFont(option.font)
        size = option.font.pointSizeF()
        if size > 0:
            small.setPointSizeF(max(6.0, size * 0.85))
        return small

    def sizeHint(self, option: QStyleOptionViewItem, index) -> QSize:  # noqa: N802
        fm, sfm = QFontMetrics(option.font), QFontMetrics(self._small(option))
        return QSize(200, 2 * self.PAD + self.LINES * fm.lineSpacing() + sfm.height() + 2)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index) -> None:
        c: Candidate | None = index.data(CANDIDATE_ROLE)
        if c is None:
            super().paint(painter, option, index)
            return
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        style = opt.widget.style() if opt.widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, opt.widget)
        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        ink = opt.palette.color(role)
        dim = QColor(ink)
        dim.setAlphaF(0.7)
        rect = opt.rect.adjusted(self.PAD, self.PAD, -self.PAD, -self.PAD)
        fm = QFontMetrics(option.font)
        painter.save()
        painter.setFont(option.font)
        painter.setPen(ink)
        y = rect.top()
        words = " ".join(c.text.split()).split(" ")
        for line in range(self.LINES):
            taken = ""
            while words and fm.horizontalAdvance(f"{taken} {words[0]}".strip()) <= rect.width():
                taken = f"{taken} {words.pop(0)}".strip()
            if line == self.LINES - 1 and words:
                taken = fm.elidedText(
                    f"{taken} {' '.join(words)}".strip(), Qt.TextElideMode.ElideRight, rect.width()
                )
            elif not taken and words:  # one word wider than the row
                taken = fm.elidedText(words.pop(0), Qt.TextElideMode.ElideRight, rect.width())
            painter.drawText(rect.left(), y + fm.ascent(), taken)
            y += fm.lineSpacing()
        small = self._small(option)
        painter.setFont(small)
        painter.setPen(dim)
        sfm = QFontMetrics(small)
        reasons = sfm.elidedText(
            f"{' · '.join(c.reasons)}   {c.score:.0%}", Qt.TextElideMode.ElideRight, rect.width()
        )
        painter.drawText(rect.left(), y + 2 + sfm.ascent(), reasons)
        painter.restore()


class CandidatesPanel(QWidget):
    """The list, its two actions and a count. Knows no Library: the assistant fills it."""

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.list = _CandidateList(self)
        self.list.setObjectName("candidates_list")
        self.list.setAccessibleName("Candidate claims")
        self.list.setSelectionMode(QAbstractItemView.SelectionMode.SingleSelection)
        self.list.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.list.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.list.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.list.setUniformItemSizes(True)
        self.list.setItemDelegate(_CandidateDelegate(self.list))
        self.list.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.list.customContextMenuRequested.connect(self._context_menu)
        # Actions (named like the window's, so a busy window disables them with the rest).
        self.action_accept = QAction("Make &Claim", self)
        self.action_accept.setObjectName("action_candidate_claim")
        self.action_accept.setToolTip("Highlight the whole sentence as a claim (Enter)")
        self.action_dismiss = QAction("&Dismiss", self)
        self.action_dismiss.setObjectName("action_candidate_dismiss")
        self.action_dismiss.setToolTip("Not worth checking: hide it in this document (Delete)")
        buttons = QHBoxLayout()
        buttons.setContentsMargins(0, 0, 0, 0)
        for action, name in (
            (self.action_accept, "candidate_claim_button"),
            (self.action_dismiss, "candidate_dismiss_button"),
        ):
            button = QToolButton(self)
            button.setObjectName(name)
            button.setDefaultAction(action)
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextOnly)
            buttons.addWidget(button)
        buttons.addStretch(1)
        self.count_label = QLabel(self)
        self.count_label.setObjectName("candidates_count")
        self.count_label.setWordWrap(True)
        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.list, 1)
        layout.addLayout(buttons)
        layout.addWidget(self.count_label)
        self.list.currentItemChanged.connect(self._update_enabled)
        self._update_enabled()
        self.show_message("No document open")

    def set_candidates(self, found: list[Candidate]) -> None:
        """List these candidates, keeping the current one when it stays."""
        from reader.claims import REASONS

        current = self.current()
        self.list.clear()
        for c in found:
            sentence = " ".join(c.text.split())
            item = QListWidgetItem(f"{sentence}\n{' · '.join(c.reasons)}  {c.score:.0%}")
            item.setData(Qt.ItemDataRole.AccessibleTextRole, f"{sentence} ({', '.join(c.reasons)})")
            item.setData(CANDIDATE_ROLE, c)
            item.setToolTip(
                f"<p>{sentence}</p><p>"
                + "<br>".join(f"<b>{r}</b>: {REASONS.get(r, '')}" for r in c.reasons)
                + f"</p><p>Score {c.score:.2f}. Enter: make it a claim; Delete: dismiss.</p>"
            )
            self.list.addItem(item)
            if current is not None and (c.start, c.end) == (current.start, current.end):
                self.list.setCurrentItem(item)
        n = len(found)
        self.show_message(
            f"{n} candidate claim{'s' if n != 1 else ''}" if n else "No candidate claims"
        )
        self._update_enabled()

    def show_message(self, text: str) -> None:
        self.count_label.setText(text)

    def current(self) -> Candidate | None:
        item = self.list.currentItem()
        return item.data(CANDIDATE_ROLE) if item is not None else None

    def shown(self) -> list[Candidate]:
        return [self.list.item(i).data(CANDIDATE_ROLE) for i in range(self.list.count())]

    def _update_enabled(self) -> None:
        has = self.list.currentItem() is not None
        self.action_accept.setEnabled(has)
        self.action_dismiss.setEnabled(has)

    def _context_menu(self, pos) -> None:
        if self.list.itemAt(pos) is None:
            return
        menu = QMenu(self)
        menu.addAction(self.action_accept)
        menu.addAction(self.action_dismiss)
        menu.exec(self.list.viewport().mapToGlobal(pos))


class CheckAssistant(QObject):
    """Computes each open document's candidates, fills the panel for the current one, marks
    them in the views' scroll bars, and turns the user's choices into library changes."""

    computed = Signal(object)  # the tab whose candidates are known now

    def __init__(self, window, dock: QDockWidget, panel: CandidatesPanel) -> None:
        super().__init__(window)
        self.window = window
        self.dock = dock
        self.panel = panel
        self.library = window.library
        self.controller = window.annotations
        self._found: dict[QWidget, list[Candidate]] = {}  # tab → its candidates
        self._dismissed: dict[QWidget, set[str]] = {}  # tab → dismissed sentences
        self._jobs: dict[QWidget, BackgroundJob] = {}
        self._waiting: set[QWidget] = set()  # big PDFs whose text is being read
        self._marked: weakref.WeakSet[QWidget] = weakref.WeakSet()  # tabs whose bar has ticks
        self._lengths: dict[QWidget, int] = {}  # tab → length of the text its candidates are of
        window.document_opened.connect(self._opened)
        window.tabs.currentChanged.connect(lambda _i: self.refresh())
        dock.visibilityChanged.connect(lambda _shown: self.refresh())
        self.controller.work.ended.connect(self._text_read)
        model = window.sidebar.model  # the current document's annotations: claims come and go
        for signal in (model.rowsInserted, model.rowsRemoved, model.modelReset):
            signal.connect(self.refresh)
        panel.list.itemClicked.connect(lambda _item: self.show_current())
        panel.list.accept_requested.connect(self.accept)
        panel.list.dismiss_requested.connect(self.dismiss)
        panel.action_accept.triggered.connect(self.accept)
        panel.action_dismiss.triggered.connect(self.dismiss)

    # -- computing -----------------------------------------------------------------------------

    def _opened(self, tab) -> None:
        painted = getattr(tab.view, "first_page_painted", None)
        if painted is not None:
            # After the first page is on screen, never before it.
            def once() -> None:
                painted.disconnect(once)
                self._start(tab)

            painted.connect(once)
        else:
            QTimer.singleShot(0, lambda: self._start(tab))

    def _text_read(self, tab, *_args) -> None:
        if tab in self._waiting:
            self._waiting.discard(tab)
            self._start(tab)

    def _start(self, tab) -> None:
        if tab not in self.window.open_tabs() or tab in self._jobs or tab in self._found:
            return
        document = tab.opened.document
        if text_is_slow(document):
            # A big PDF's text is read on a worker: when something else needs it, or when the
            # user looks at this list (never merely because the document was opened).
            self._waiting.add(tab)
            self.refresh()
            return
        text = document.text  # read here: backends are not shared with other threads
        self._lengths[tab] = len(text)
        self._dismissed[tab] = self.library.dismissed_candidates(tab.opened.record.id)
        job = BackgroundJob("Finding candidate claims", self)
        self._jobs[tab] = job
        job.succeeded.connect(lambda found, t=tab: self._done(t, found))
        job.failed.connect(lambda message, t=tab: self._jobs.pop(t, None))
        if tab is self.window.current_tab():
            self.panel.show_message("Finding candidate claims…")
        # Imported here, not at start-up: the scorer is not needed before the first paint.
        from reader.claims import candidates

        job.start(lambda _progress, _cancel: candidates(text))

    def _read_if_looked_at(self) -> None:
        tab = self.window.current_tab()
        if (
            tab in self._waiting
            and self.dock.isVisible()
            and not self.dock.visibleRegion().isEmpty()
        ):
            self.controller.work.when_text_ready(tab, lambda: self._text_read(tab), key="claims")

    def _done(self, tab, found: list[Candidate]) -> None:
        self._jobs.pop(tab, None)
        if tab not in self.window.open_tabs():
            return
        self._found[tab] = found
        self._install_marks(tab)
        self.refresh()
        self.computed.emit(tab)

    # -- what is shown -------------------------------------------------------------------------

    def found(self, tab) -> list[Candidate] | None:
        """All of the tab's candidates, or None while they are not known yet."""
        return self._found.get(tab)

    def waiting_for_text(self, tab) -> bool:
        """Whether the tab's candidates wait for its text (a big PDF's, read on a worker)."""
        return tab in self._waiting

    def visible(self, tab) -> list[Candidate]:
        """The tab's candidates, less the dismissed ones and those made claims already."""
        found = self._found.get(tab, [])
        dismissed = self._dismissed.get(tab, set())
        # The claims' extents merged into disjoint spans: a document may hold thousands.
        starts: list[int] = []
        ends: list[int] = []
        claims = sorted(
            (a.anchor.start, a.anchor.end)
            for a in tab.annotations.values()
            if a.kind is AnnotationKind.CLAIM
        )
        for s, e in claims:
            if ends and s <= ends[-1]:
                ends[-1] = max(ends[-1], e)
            else:
                starts.append(s)
                ends.append(e)

        def claimed(c: Candidate) -> bool:
            i = bisect_right(starts, c.end - 1) - 1
            return i >= 0 and ends[i] > c.start

        from reader.claims import sentence_key

        return [c for c in found if sentence_key(c.text) not in dismissed and not claimed(c)]

    def refresh(self) -> None:
        for gone in [t for t in self._found if t not in self.window.open_tabs()]:
            self._found.pop(gone, None)
            self._dismissed.pop(gone, None)
            self._lengths.pop(gone, None)
        tab = self.window.current_tab()
        if tab is None:
            self.panel.set_candidates([])
            self.panel.show_message("No document open")
            return
        document = tab.opened.document
        if (
            tab in self._found
            and not text_is_slow(document)
            and len(document.text) != self._lengths.get(tab)
        ):  # the text changed under them (a scan's pages were read by OCR): again
            del self._found[tab]
            self._start(tab)
        if tab not in self._found:
            self._read_if_looked_at()
            self.panel.set_candidates([])
            self.panel.show_message(
                "Candidates come once the document's text is read (Ctrl+F reads it too)."
                if tab in self._waiting
                else "Finding candidate claims…"
            )
            return
        self.panel.set_candidates(self.visible(tab))
        _marker_bar(tab).invalidate()

    def show_current(self) -> None:
        """Bring the current candidate into view, selected (as if the user had selected it)."""
        tab, c = self.window.current_tab(), self.panel.current()
        if tab is None or c is None:
            return
        document = tab.opened.document
        if not document.kind.paged:
            tab.view.select_range(c.start, c.end)
            return
        page = _page_of(document, c.start)
        offset = document.page_text_offset(page)
        end = min(c.end, offset + len(document.page_text(page)))
        tab.view.go_to_page(page)
        tab.view.select_range(page, c.start - offset, end - offset)

    # -- the user's choices --------------------------------------------------------------------

    def accept(self) -> None:
        tab, c = self.window.current_tab(), self.panel.current()
        if tab is None or c is None:
            return
        row = self.panel.list.currentRow()
        annotation = self.controller.highlight(AnnotationKind.CLAIM, tab, span=(c.start, c.end))
        if annotation is not None:
            self._keep_place(row)

    def dismiss(self) -> None:
        tab, c = self.window.current_tab(), self.panel.current()
        if tab is None or c is None:
            return
        row = self.panel.list.currentRow()
        document_id = tab.opened.record.id
        self.library.dismiss_candidate(document_id, c.text)

        def set_dismissed(dismissed: bool) -> None:
            self.library.dismiss_candidate(document_id, c.text, dismissed)
            for other in self._dismissed:  # the tab may have been closed and opened again
                if other.opened.record.id == document_id:
                    self._dismissed[other] = self.library.dismissed_candidates(document_id)
            self.refresh()

        from reader.claims import sentence_key

        self._dismissed.setdefault(tab, set()).add(sentence_key(c.text))
        self.controller.record(
            "Dismiss candidate claim", lambda: set_dismissed(False), lambda: set_dismissed(True)
        )
        self.refresh()
        self._keep_place(row)

    def _keep_place(self, row: int) -> None:
        """After a choice the next candidate is current, and the list keeps the keys."""
        count = self.panel.list.count()
        if count:
            self.panel.list.setCurrentRow(min(row, count - 1))
        self.panel.list.setFocus()

    # -- scroll-bar ticks ----------------------------------------------------------------------

    def _install_marks(self, tab) -> None:
        bar = _marker_bar(tab)
        if tab not in self._marked:
            self._marked.add(tab)
            colour = QColor(tab.view.palette().color(QPalette.ColorRole.Text))
            colour.setAlpha(70)  # faint: a hint where to look, not a highlight
            # Held weakly: the bar belongs to the tab, and a cycle through it would keep a
            # closed view (and its page cache) alive until a full garbage collection.
            tab_ref, assistant = weakref.ref(tab), weakref.ref(self)

            def marks() -> list[tuple[float, QColor]]:
                t, a = tab_ref(), assistant()
                if t is None or a is None or a.found(t) is None:
                    return []
                return [(f, colour) for f in _fractions(t, a.visible(t))]

            bar.extra_markers.append(marks)
        bar.invalidate()


def _marker_bar(tab) -> MarkerScrollBar:
    bar = tab.view.verticalScrollBar()
    assert isinstance(bar, MarkerScrollBar)  # both views draw their marks on one
    return bar


def _page_of(document, offset: int) -> int:
    finder = getattr(document, "page_at_offset", None)
    if finder is not None:
        return finder(offset)
    starts = [document.page_text_offset(p) for p in range(document.page_count)]
    return max(0, bisect_right(starts, offset) - 1)


def _fractions(tab, found: list[Candidate]) -> list[float]:
    """Where each candidate is, as a fraction of the view's whole height."""
    view, document = tab.view, tab.opened.document
    if not found:
        return []
    if not document.kind.paged:
        doc = view.document()
        height = doc.size().height()
        if height <= 0:
            return []
        layout = doc.documentLayout()
        return [
            layout.blockBoundingRect(doc.findBlock(view.position_of(c.start))).top() / height
            for c in found
        ]
    bar = view.verticalScrollBar()
    total = bar.maximum() + bar.pageStep()
    if total <= 0:
        return []
    out = []
    for c in found:
        page = _page_of(document, c.start)
        rect = view.page_rect_in_view(page)
        length = max(1, len(document.page_text(page)))
        within = (c.start - document.page_text_offset(page)) / length
        out.append((rect.top() + bar.value() + within * rect.height()) / total)
    return out


def install_check_assistant(window) -> CheckAssistant:
    """The Candidates dock, tabbed behind the Annotations list, and its View menu entry."""
    panel = CandidatesPanel(window)
    panel.setObjectName("candidates_panel")
    panel.setMinimumWidth(180)
    dock = QDockWidget("Candidates", window)
    dock.setObjectName("dock_candidates")
    dock.setWidget(panel)
    window.addDockWidget(Qt.DockWidgetArea.LeftDockWidgetArea, dock)
    window.tabifyDockWidget(window.annotations_dock, dock)
    window.annotations_dock.raise_()
    toggle = dock.toggleViewAction()
    after = window.annotations_dock.toggleViewAction()
    for menu in window.menuBar().findChildren(QMenu):
        if after in menu.actions():
            actions = menu.actions()
            following = actions[actions.index(after) + 1 : actions.index(after) + 2]
            menu.insertAction(following[0] if following else None, toggle)
            break
    return CheckAssistant(window, dock, panel)
