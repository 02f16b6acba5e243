"""The Annotations dock: this document's annotations in reading order, with filters.

The list is a view over AnnotationTableModel through AnnotationFilterProxy; each item is drawn
by AnnotationDelegate on two lines (the quote; then status, kind, anchor state, citations and
location). The panel knows no Library: the window pushes annotations in and listens to
`activated` (click or Enter on one item) and `selection_changed` (the selected ids).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping

from PySide6.QtCore import (
    QItemSelection,
    QItemSelectionModel,
    QModelIndex,
    QObject,
    QPersistentModelIndex,
    QPoint,
    QRect,
    QSize,
    Qt,
    Signal,
)
from PySide6.QtGui import (
    QBrush,
    QColor,
    QFont,
    QFontMetrics,
    QIcon,
    QKeyEvent,
    QMouseEvent,
    QPainter,
    QPainterPath,
    QPalette,
    QPen,
    QPixmap,
)
from PySide6.QtWidgets import (
    QAbstractItemView,
    QApplication,
    QComboBox,
    QGridLayout,
    QLabel,
    QLineEdit,
    QListView,
    QStyle,
    QStyledItemDelegate,
    QStyleOptionViewItem,
    QVBoxLayout,
    QWidget,
)

from reader.model import AnchorState, Annotation, AnnotationKind, AnnotationSet, ClaimStatus
from reader.ui.annotation_model import (
    AnnotationFilterProxy,
    AnnotationRole,
    AnnotationTableModel,
    CitationsRole,
    Column,
    Counts,
    IdRole,
    annotation_color,
    citation_text,
    excerpt,
    location_text,
)
from reader.ui.number_badges import badge

__all__ = [
    "STATUS_COLORS",
    "AnnotationDelegate",
    "AnnotationsPanel",
    "FilterBar",
    "SetFilterProxy",
    "count_text",
]

# Solid pills with their own text colour, so they read the same on light and dark palettes.
# Each pair has a contrast ratio of at least 4.5:1 (WCAG AA for small text); the status word is
# always written in the pill, so colour is never the only signal.
STATUS_COLORS: dict[ClaimStatus, tuple[str, str]] = {
    ClaimStatus.UNVERIFIED: ("#5f6670", "#ffffff"),  # grey
    ClaimStatus.SUPPORTED: ("#1b7a3d", "#ffffff"),  # green
    ClaimStatus.DISPUTED: ("#c2410c", "#ffffff"),  # orange
    ClaimStatus.MISLEADING: ("#f2b01e", "#1f1600"),  # amber, dark text
    ClaimStatus.REFUTED: ("#b3261e", "#ffffff"),  # red
    ClaimStatus.UNVERIFIABLE: ("#7b3fb8", "#ffffff"),  # purple
}

_ALL = ""  # item data of the "All …" entries


def count_text(shown: int, total: int, filtering: bool, noun: str = "annotation") -> str:
    """'12 shown of 15' while a filter is on, else '15 annotations'."""
    if filtering:
        return f"{shown} shown of {total}"
    if total == 0:
        return f"No {noun}s"
    return f"{total} {noun}" + ("" if total == 1 else "s")


def _dot(color: str) -> QIcon:
    pixmap = QPixmap(12, 12)
    pixmap.fill(Qt.GlobalColor.transparent)
    painter = QPainter(pixmap)
    painter.setRenderHint(QPainter.RenderHint.Antialiasing)
    painter.setPen(Qt.PenStyle.NoPen)
    painter.setBrush(QColor(color))
    painter.drawEllipse(1, 1, 10, 10)
    painter.end()
    return QIcon(pixmap)


# Asked for the ids of a set's members when the set filter needs them.
MembersProvider = Callable[[int], Iterable[str]]


class SetFilterProxy(AnnotationFilterProxy):
    """The annotation filter plus "only members of this set" (the members are passed in: the
    proxy knows no Library)."""

    def __init__(self, parent: QObject | None = None) -> None:
        super().__init__(parent)
        self._members: frozenset[str] | None = None

    @property
    def members(self) -> frozenset[str] | None:
        return self._members

    def set_members(self, ids: Iterable[str] | None) -> None:
        """Show only these annotations (None: no set filter)."""
        self._change(lambda: setattr(self, "_members", None if ids is None else frozenset(ids)))

    def is_filtering(self) -> bool:
        return self._members is not None or super().is_filtering()

    def clear_filters(self) -> None:
        self._members = None
        super().clear_filters()

    def filterAcceptsRow(self, source_row: int, source_parent) -> bool:  # noqa: N802, ANN001
        if self._members is not None and not source_parent.isValid():
            model = self.sourceModel()
            if isinstance(model, AnnotationTableModel):
                if model.annotation(source_row).id not in self._members:
                    return False
        return super().filterAcceptsRow(source_row, source_parent)


class FilterBar(QWidget):
    """Kind, status, tag and set combos and (optionally) a free-text box, driving a filter proxy.

    The set combo filters to a set's members, which `members_provider(set_id)` supplies; it only
    appears when the proxy can filter by set (a SetFilterProxy).
    """

    changed = Signal()

    def __init__(
        self,
        proxy: AnnotationFilterProxy,
        parent: QWidget | None = None,
        *,
        with_text: bool = True,
        members_provider: MembersProvider | None = None,
    ) -> None:
        super().__init__(parent)
        self.proxy = proxy
        self.members_provider = members_provider
        layout = QGridLayout(self)
        layout.setContentsMargins(0, 0, 0, 0)
        layout.setSpacing(4)

        self.text_edit: QLineEdit | None = None
        if with_text:
            self.text_edit = QLineEdit(self)
            self.text_edit.setObjectName("annotation_filter_text")
            self.text_edit.setPlaceholderText("Filter quotes, notes, tags, claimants…")
            self.text_edit.setClearButtonEnabled(True)
            self.text_edit.setAccessibleName("Filter annotations by text")
            self.text_edit.textChanged.connect(self._text_changed)
            layout.addWidget(self.text_edit, 0, 0, 1, 2)

        self.kind_combo = self._combo("annotation_filter_kind", "Filter by kind")
        self.kind_combo.addItem("All kinds", _ALL)
        for kind in AnnotationKind:
            self.kind_combo.addItem(kind.value.capitalize(), kind.value)

        self.status_combo = self._combo("annotation_filter_status", "Filter by status")
        self.status_combo.addItem("All statuses", _ALL)
        for status in ClaimStatus:
            icon = _dot(STATUS_COLORS[status][0])
            self.status_combo.addItem(icon, status.value.capitalize(), status.value)

        self.tag_combo = self._combo("annotation_filter_tag", "Filter by tag")
        self.tag_combo.addItem("All tags", _ALL)

        self.set_combo = self._combo("annotation_filter_set", "Filter by set")
        self.set_combo.addItem("All sets", 0)
        self.set_combo.setVisible(isinstance(proxy, SetFilterProxy))

        # Who: annotations one person made or changed (their history); the library answers.
        self.author_combo = self._combo(
            "annotation_filter_author", "Filter by who made or changed it"
        )
        self.author_combo.addItem("By anyone", _ALL)
        self.author_ids_provider: Callable[[str], Iterable[str]] | None = None

        row = 1 if with_text else 0
        for col, combo in enumerate((self.kind_combo, self.status_combo, self.tag_combo)):
            layout.addWidget(combo, row, col)
            layout.setColumnStretch(col, 1)
        if with_text:  # beside the text box: four combos in a row do not fit a narrow dock
            layout.addWidget(self.set_combo, 0, 2)
            layout.addWidget(self.author_combo, 2, 0, 1, 3)
        else:
            layout.addWidget(self.set_combo, 0, 3)
            layout.setColumnStretch(3, 1)
            layout.addWidget(self.author_combo, 0, 4)
            layout.setColumnStretch(4, 1)

        self.kind_combo.currentIndexChanged.connect(self._kind_changed)
        self.status_combo.currentIndexChanged.connect(self._status_changed)
        self.tag_combo.currentIndexChanged.connect(self._tag_changed)
        self.set_combo.currentIndexChanged.connect(self._set_changed)
        self.author_combo.currentIndexChanged.connect(self._author_changed)

    def _combo(self, name: str, accessible: str) -> QComboBox:
        combo = QComboBox(self)
        combo.setObjectName(name)
        combo.setAccessibleName(accessible)
        combo.setToolTip(accessible)
        combo.setSizeAdjustPolicy(QComboBox.SizeAdjustPolicy.AdjustToMinimumContentsLengthWithIcon)
        combo.setMinimumContentsLength(5)
        return combo

    def set_tags(self, tags: Iterable[str]) -> None:
        """Offer these tags (plus the one selected now, so a filter never changes underfoot)."""
        current = self.tag_combo.currentData() or _ALL
        wanted = sorted(set(tags) | ({current} if current else set()), key=str.casefold)
        present = [self.tag_combo.itemData(i) for i in range(1, self.tag_combo.count())]
        if present == wanted:
            return
        self.tag_combo.blockSignals(True)
        try:
            while self.tag_combo.count() > 1:
                self.tag_combo.removeItem(1)
            for tag in wanted:
                self.tag_combo.addItem(tag, tag)
            self.tag_combo.setCurrentIndex(max(0, self.tag_combo.findData(current)))
        finally:
            self.tag_combo.blockSignals(False)

    def tags(self) -> list[str]:
        return [self.tag_combo.itemData(i) for i in range(1, self.tag_combo.count())]

    def set_authors(self, names: Iterable[str]) -> None:
        """Offer these people; the one chosen stays chosen (and is asked about again)."""
        current = self.author_combo.currentData() or _ALL
        wanted = sorted(set(names) | ({current} if current else set()), key=str.casefold)
        present = [self.author_combo.itemData(i) for i in range(1, self.author_combo.count())]
        if present != wanted:
            self.author_combo.blockSignals(True)
            try:
                while self.author_combo.count() > 1:
                    self.author_combo.removeItem(1)
                for name in wanted:
                    self.author_combo.addItem(f"By {name}", name)
                self.author_combo.setCurrentIndex(max(0, self.author_combo.findData(current)))
            finally:
                self.author_combo.blockSignals(False)
        if current:
            self._author_changed()

    def authors(self) -> list[str]:
        return [self.author_combo.itemData(i) for i in range(1, self.author_combo.count())]

    def select_author(self, name: str | None) -> bool:
        index = self.author_combo.findData(name or _ALL)
        if index < 0:
            return False
        self.author_combo.setCurrentIndex(index)
        return True

    def set_sets(self, sets: Iterable[AnnotationSet]) -> None:
        """Offer these sets; the chosen one stays chosen (its members are asked for again, they
        may have changed), or the filter goes back to "All sets" when it was deleted."""
        current = self.set_id()
        wanted = [(s.name, s.id) for s in sets]
        present = [
            (self.set_combo.itemText(i), self.set_combo.itemData(i))
            for i in range(1, self.set_combo.count())
        ]
        if present != wanted:
            self.set_combo.blockSignals(True)
            try:
                while self.set_combo.count() > 1:
                    self.set_combo.removeItem(1)
                for name, set_id in wanted:
                    self.set_combo.addItem(name, set_id)
                self.set_combo.setCurrentIndex(max(0, self.set_combo.findData(current or 0)))
            finally:
                self.set_combo.blockSignals(False)
        self._set_changed()

    def sets(self) -> list[tuple[int, str]]:
        """(id, name) of the sets offered."""
        return [
            (self.set_combo.itemData(i), self.set_combo.itemText(i))
            for i in range(1, self.set_combo.count())
        ]

    def set_id(self) -> int | None:
        """The set filtered to, or None."""
        return self.set_combo.currentData() or None

    def select_set(self, set_id: int | None) -> bool:
        """Filter to this set (None: all sets). False when the set is not offered."""
        index = self.set_combo.findData(set_id or 0)
        if index < 0:
            return False
        if index == self.set_combo.currentIndex():
            self._set_changed()  # members may have changed
        else:
            self.set_combo.setCurrentIndex(index)
        return True

    def refresh_members(self) -> None:
        """A set's membership changed: ask for the members of the chosen set again."""
        if self.set_id() is not None:
            self._set_changed()

    def clear(self) -> None:
        """Show everything again."""
        for combo in (
            self.kind_combo,
            self.status_combo,
            self.tag_combo,
            self.set_combo,
            self.author_combo,
        ):
            combo.setCurrentIndex(0)
        if self.text_edit is not None:
            self.text_edit.clear()

    def _kind_changed(self) -> None:
        self.proxy.set_kind(self.kind_combo.currentData() or None)
        self.changed.emit()

    def _status_changed(self) -> None:
        self.proxy.set_status(self.status_combo.currentData() or None)
        self.changed.emit()

    def _tag_changed(self) -> None:
        self.proxy.set_tag(self.tag_combo.currentData() or None)
        self.changed.emit()

    def _author_changed(self) -> None:
        name = self.author_combo.currentData() or None
        if name is None or self.author_ids_provider is None:
            self.proxy.set_author_ids(None)
        else:
            self.proxy.set_author_ids(frozenset(self.author_ids_provider(name)))
        self.changed.emit()

    def _text_changed(self, text: str) -> None:
        self.proxy.set_text(text)
        self.changed.emit()

    def _set_changed(self) -> None:
        if not isinstance(self.proxy, SetFilterProxy):
            return
        set_id = self.set_id()
        if set_id is None or self.members_provider is None:
            members = None
        else:
            members = frozenset(self.members_provider(set_id))
        if members != self.proxy.members:
            self.proxy.set_members(members)
            self.changed.emit()


class AnnotationDelegate(QStyledItemDelegate):
    """Two lines per annotation: colour bar and quote; then badges and location."""

    PAD = 6
    BAR = 4
    GAP = 4
    # Annotation id → its numbers check ("agree", "differ: 79,770 vs 81,806", "none").
    number_checks: Mapping[str, str] = {}

    def _fonts(self, option: QStyleOptionViewItem) -> tuple[QFont, QFont]:
        small = QFont(option.font)
        size = option.font.pointSizeF()
        if size > 0:
            small.setPointSizeF(max(6.0, size * 0.85))
        else:
            small.setPixelSize(max(8, round(option.font.pixelSize() * 0.85)))
        return option.font, small

    def sizeHint(self, option: QStyleOptionViewItem, index: QModelIndex) -> QSize:  # type: ignore[override]
        font, small = self._fonts(option)
        height = (
            self.PAD
            + QFontMetrics(font).height()
            + self.GAP
            + QFontMetrics(small).height()
            + 2
            + self.PAD
        )
        return QSize(200, height)

    def paint(self, painter: QPainter, option: QStyleOptionViewItem, index: QModelIndex) -> None:  # type: ignore[override]
        a: Annotation | None = index.data(AnnotationRole)
        if a is None:
            super().paint(painter, option, index)
            return
        counts: Counts = index.data(CitationsRole) or (0, 0, 0)
        opt = QStyleOptionViewItem(option)
        self.initStyleOption(opt, index)
        opt.text = ""
        widget = opt.widget
        style = widget.style() if widget is not None else QApplication.style()
        style.drawControl(QStyle.ControlElement.CE_ItemViewItem, opt, painter, widget)

        selected = bool(opt.state & QStyle.StateFlag.State_Selected)
        group = (
            QPalette.ColorGroup.Normal
            if opt.state & QStyle.StateFlag.State_Enabled
            else QPalette.ColorGroup.Disabled
        )
        if group == QPalette.ColorGroup.Normal and not opt.state & QStyle.StateFlag.State_Active:
            group = QPalette.ColorGroup.Inactive
        role = QPalette.ColorRole.HighlightedText if selected else QPalette.ColorRole.Text
        text_color = opt.palette.color(group, role)
        dim = QColor(text_color)
        dim.setAlphaF(0.72)
        orphan = a.anchor.state is AnchorState.ORPHAN

        painter.save()
        painter.setRenderHint(QPainter.RenderHint.Antialiasing)
        rect = opt.rect
        color = annotation_color(a)
        bar = QRect(rect.left() + 2, rect.top() + 3, self.BAR, rect.height() - 6)
        if orphan:
            painter.fillRect(bar, QBrush(color, Qt.BrushStyle.Dense4Pattern))
            painter.setPen(QPen(color, 1))
            painter.drawRect(bar.adjusted(0, 0, -1, -1))
        else:
            painter.fillRect(bar, color)

        font, small = self._fonts(option)  # not opt: its font carries the FontRole italic
        fm, sfm = QFontMetrics(font), QFontMetrics(small)
        left = bar.right() + 1 + self.PAD
        right = rect.right() - self.PAD
        width = max(0, right - left)

        # Line 1: the quote.
        quote_font = QFont(font)
        quote_font.setItalic(orphan)
        painter.setFont(quote_font)
        painter.setPen(text_color)
        line1 = QRect(left, rect.top() + self.PAD, width, fm.height())
        quote = excerpt(a.anchor.quote, 400) or "(empty quote)"
        elided = QFontMetrics(quote_font).elidedText(quote, Qt.TextElideMode.ElideRight, width)
        painter.drawText(line1, Qt.AlignmentFlag.AlignLeft | Qt.AlignmentFlag.AlignVCenter, elided)

        # Line 2: badges, location on the right.
        painter.setFont(small)
        pill_h = sfm.height() + 2
        y = line1.bottom() + 1 + self.GAP
        location = location_text(a)
        loc_w = sfm.horizontalAdvance(location)
        painter.setPen(dim)
        painter.drawText(
            QRect(right - loc_w, y, loc_w, pill_h),
            Qt.AlignmentFlag.AlignRight | Qt.AlignmentFlag.AlignVCenter,
            location,
        )
        limit = right - loc_w - self.PAD
        x = left

        def text(word: str, pen: QColor) -> None:
            nonlocal x
            w = sfm.horizontalAdvance(word)
            if x + w > limit:
                return
            painter.setPen(pen)
            painter.drawText(QRect(x, y, w, pill_h), Qt.AlignmentFlag.AlignVCenter, word)
            x += w + self.GAP + 2

        def pill(word: str, fill: QColor | None, ink: QColor) -> None:
            nonlocal x
            w = sfm.horizontalAdvance(word) + pill_h  # half a height of padding each side
            if x + w > limit:
                return
            box = QRect(x, y, w, pill_h)
            path = QPainterPath()
            path.addRoundedRect(box.adjusted(0, 0, -1, -1), pill_h / 2, pill_h / 2)
            if fill is not None:
                painter.fillPath(path, fill)
            else:
                painter.setPen(QPen(ink, 1))
                painter.drawPath(path)
            painter.setPen(ink)
            painter.drawText(box, Qt.AlignmentFlag.AlignCenter, word)
            x += w + self.GAP

        if a.kind is AnnotationKind.CLAIM or a.status is not ClaimStatus.UNVERIFIED:
            fill, ink = STATUS_COLORS[a.status]
            pill(a.status.value, QColor(fill), QColor(ink))
        if a.kind is not AnnotationKind.CLAIM:
            text(a.kind.value.capitalize(), dim)
        if orphan:
            pill("⚠ orphan", None, text_color)
        elif a.anchor.state is AnchorState.FUZZY:
            pill("≈ fuzzy", None, text_color)
        cites = citation_text(counts)
        if cites:
            text(cites, text_color)
        check = self.number_checks.get(a.id, "")
        if check:  # the words say it; the colour only repeats them
            room = limit - x - pill_h
            label, fill, ink = badge(check, lambda w: sfm.horizontalAdvance(w) <= room)
            pill(label, QColor(fill), QColor(ink))
        painter.restore()


class _AnnotationList(QListView):
    """A list that reports a plain click and Enter as one 'activate' (Delete goes to the window)."""

    activate = Signal(QModelIndex)

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self._modifiers = Qt.KeyboardModifier.NoModifier
        self.clicked.connect(self._clicked)

    def mouseReleaseEvent(self, event: QMouseEvent) -> None:
        self._modifiers = event.modifiers()
        super().mouseReleaseEvent(event)

    def _clicked(self, index: QModelIndex) -> None:
        extend = (
            Qt.KeyboardModifier.ControlModifier
            | Qt.KeyboardModifier.ShiftModifier
            | Qt.KeyboardModifier.MetaModifier
        )
        if not self._modifiers & extend:
            self.activate.emit(index)

    def keyPressEvent(self, event: QKeyEvent) -> None:
        if event.key() in (Qt.Key.Key_Return, Qt.Key.Key_Enter) and self.currentIndex().isValid():
            self.activate.emit(self.currentIndex())
            event.accept()
            return
        super().keyPressEvent(event)


class AnnotationsPanel(QWidget):
    """The current document's annotations: filters, a two-line list, a count.

    Signals: `activated(id)` on a plain click or Enter; `selection_changed(list[id])` whenever the
    set of selected annotations changes (also after `select()`), ids in reading order.
    """

    activated = Signal(str)
    selection_changed = Signal(list)
    context_menu_requested = Signal(QPoint)  # global position, over the list

    def __init__(self, parent: QWidget | None = None) -> None:
        super().__init__(parent)
        self.model = AnnotationTableModel(self)
        self.proxy = SetFilterProxy(self)
        self.proxy.setSourceModel(self.model)

        self.filters = FilterBar(self.proxy, self)
        self.view = _AnnotationList(self)
        self.view.setObjectName("annotations_list")
        self.view.setAccessibleName("Annotations")
        self.view.setModel(self.proxy)
        self.view.setModelColumn(self.model.column(Column.QUOTE))
        self.delegate = AnnotationDelegate(self.view)
        self.view.setItemDelegate(self.delegate)
        self.view.setSelectionMode(QAbstractItemView.SelectionMode.ExtendedSelection)
        self.view.setEditTriggers(QAbstractItemView.EditTrigger.NoEditTriggers)
        self.view.setUniformItemSizes(True)
        self.view.setVerticalScrollMode(QAbstractItemView.ScrollMode.ScrollPerPixel)
        self.view.setHorizontalScrollBarPolicy(Qt.ScrollBarPolicy.ScrollBarAlwaysOff)
        self.view.setTextElideMode(Qt.TextElideMode.ElideRight)
        self.view.setContextMenuPolicy(Qt.ContextMenuPolicy.CustomContextMenu)
        self.view.customContextMenuRequested.connect(
            lambda pos: self.context_menu_requested.emit(self.view.viewport().mapToGlobal(pos))
        )

        self.count_label = QLabel(self)
        self.count_label.setObjectName("annotations_count")

        layout = QVBoxLayout(self)
        layout.setContentsMargins(4, 4, 4, 4)
        layout.setSpacing(4)
        layout.addWidget(self.filters)
        layout.addWidget(self.view, 1)
        layout.addWidget(self.count_label)

        self._last_ids: list[str] = []
        self._quiet = False
        self.view.activate.connect(self._activate)
        selection_model = self.view.selectionModel()
        selection_model.selectionChanged.connect(self._selection_changed)
        # The proxy drops rows before its source has (rowsAboutToBeRemoved): count on both.
        for signal in (
            self.proxy.rowsInserted,
            self.proxy.rowsRemoved,
            self.proxy.modelReset,
            self.model.rowsRemoved,
            self.model.dataChanged,
        ):
            signal.connect(self._update_count)
        self.filters.changed.connect(self._update_count)
        self._update_count()

    # -- content -------------------------------------------------------------------------------

    def set_annotations(
        self,
        annotations: Iterable[Annotation],
        citation_counts: Mapping[str, Counts] | None = None,
    ) -> None:
        """Show these annotations (one document's), keeping the selection of those that stay."""
        keep = self.selected_ids()
        current = self.view.currentIndex().data(IdRole)
        self._quiet = True
        try:
            self.model.set_annotations(annotations, citation_counts)
            self._refresh_tags()
            self._restore(keep, current)
        finally:
            self._quiet = False
        self._update_count()
        self._emit_selection()

    def add_annotation(self, annotation: Annotation, citation_counts: Counts | None = None) -> None:
        self.model.add(annotation, citation_counts)
        self._refresh_tags()

    def update_annotation(self, annotation: Annotation) -> None:
        self.model.update_annotation(annotation)
        self._refresh_tags()

    def remove_annotation(self, annotation_id: str) -> None:
        self.model.remove(annotation_id)
        self._refresh_tags()
        self._emit_selection()

    def set_citation_counts(self, annotation_id: str, counts: Counts) -> None:
        self.model.set_citation_counts(annotation_id, counts)

    def set_number_checks(self, checks: Mapping[str, str]) -> None:
        """The numbers check of each claim whose evidence has figures (reader.ui.number_badges)."""
        self.delegate.number_checks = dict(checks)
        self.view.viewport().update()

    def number_check(self, annotation_id: str) -> str:
        return self.delegate.number_checks.get(annotation_id, "")

    # -- sets ----------------------------------------------------------------------------------

    @property
    def set_members_provider(self) -> MembersProvider | None:
        """Asked for a set's member ids when the set filter needs them (the window sets it)."""
        return self.filters.members_provider

    @set_members_provider.setter
    def set_members_provider(self, provider: MembersProvider | None) -> None:
        self.filters.members_provider = provider
        self.filters.refresh_members()

    def set_sets(self, sets: Iterable[AnnotationSet]) -> None:
        """The sets the set filter offers (the chosen one's members are asked for again)."""
        self.filters.set_sets(sets)

    def filter_to_set(self, set_id: int | None) -> bool:
        """Show only this set's members (None: every annotation)."""
        return self.filters.select_set(set_id)

    def annotations(self) -> list[Annotation]:
        return self.model.annotations()

    def visible_ids(self) -> list[str]:
        """The ids shown now, in the order shown."""
        return [self.proxy.index(r, 0).data(IdRole) for r in range(self.proxy.rowCount())]

    def counts(self) -> tuple[int, int]:
        """(shown, total)."""
        return self.proxy.rowCount(), self.model.rowCount()

    # -- selection -----------------------------------------------------------------------------

    def select(self, annotation_id: str | None) -> bool:
        """Select and scroll to one annotation (None clears); never emits `activated`.

        Returns False when the annotation is not listed or is hidden by the filters.
        """
        selection_model = self.view.selectionModel()
        index = self._proxy_index(annotation_id) if annotation_id else QModelIndex()
        if not index.isValid():
            selection_model.clearSelection()
            return annotation_id is None
        selection_model.setCurrentIndex(
            index,
            QItemSelectionModel.SelectionFlag.ClearAndSelect
            | QItemSelectionModel.SelectionFlag.Rows,
        )
        self.view.scrollTo(index, QAbstractItemView.ScrollHint.EnsureVisible)
        return True

    def selected_ids(self) -> list[str]:
        column = self.view.modelColumn()
        rows = sorted(
            i.row() for i in self.view.selectionModel().selectedIndexes() if i.column() == column
        )
        return [self.proxy.index(r, column).data(IdRole) for r in rows]

    def _proxy_index(self, annotation_id: str | None) -> QModelIndex:
        row = self.model.row_of(annotation_id) if annotation_id else -1
        if row < 0:
            return QModelIndex()
        return self.proxy.mapFromSource(self.model.index(row, self.view.modelColumn()))

    def _restore(self, ids: list[str], current: str | None) -> None:
        selection = QItemSelection()
        for annotation_id in ids:
            index = self._proxy_index(annotation_id)
            if index.isValid():
                selection.select(index, index)
        selection_model = self.view.selectionModel()
        current_index = self._proxy_index(current)
        if current_index.isValid():
            selection_model.setCurrentIndex(
                current_index, QItemSelectionModel.SelectionFlag.NoUpdate
            )
        selection_model.select(selection, QItemSelectionModel.SelectionFlag.ClearAndSelect)

    def _selection_changed(self) -> None:
        if not self._quiet:
            self._emit_selection()

    def _emit_selection(self) -> None:
        ids = self.selected_ids()
        if ids != self._last_ids:
            self._last_ids = ids
            self.selection_changed.emit(ids)

    def _activate(self, index: QModelIndex | QPersistentModelIndex) -> None:
        annotation_id = index.data(IdRole)
        if annotation_id:
            self.activated.emit(annotation_id)

    # -- bookkeeping ---------------------------------------------------------------------------

    def _refresh_tags(self) -> None:
        self.filters.set_tags({t for a in self.model.annotations() for t in a.tags})

    def _update_count(self) -> None:
        shown, total = self.counts()
        self.count_label.setText(count_text(shown, total, self.proxy.is_filtering()))
        orphans = sum(a.anchor.state is AnchorState.ORPHAN for a in self.model.annotations())
        self.count_label.setToolTip(
            f"{orphans} orphaned (quote not found in this version of the document)"
            if orphans
            else ""
        )
