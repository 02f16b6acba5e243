"""The filters over a list of annotations: kind, status, tag, set and author combos and a text
box driving an AnnotationFilterProxy (SetFilterProxy adds "only this set's members"), and the
count line under such a list. The annotations dock and the library's browser both use them."""

from __future__ import annotations

from collections.abc import Callable, Iterable

from PySide6.QtCore import QObject, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPainter, QPixmap
from PySide6.QtWidgets import QComboBox, QGridLayout, QLineEdit, QWidget

from reader.model import AnnotationKind, AnnotationSet, ClaimStatus
from reader.ui.annotation_model import AnnotationFilterProxy, AnnotationTableModel
from reader.ui.panels.annotation_delegate import STATUS_COLORS

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
