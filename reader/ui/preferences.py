"""User preferences (author name, default highlight colours, text size) and their dialog.

`Preferences` is a thin typed layer over a QSettings it is given; it holds no state of its own,
so two instances over the same settings always agree. The dialog edits a copy of the values and
writes them only on OK, then says what changed so the window can repaint highlights that use a
kind's default colour (annotations keep the colour stored with them).
"""

from __future__ import annotations

import re
from collections.abc import Callable

from PySide6.QtCore import QSettings, Qt, Signal
from PySide6.QtGui import QColor, QIcon, QPixmap
from PySide6.QtWidgets import (
    QColorDialog,
    QDialog,
    QDialogButtonBox,
    QFormLayout,
    QGroupBox,
    QHBoxLayout,
    QLineEdit,
    QPushButton,
    QToolButton,
    QVBoxLayout,
    QWidget,
)

from reader.library import default_author
from reader.model import DEFAULT_COLORS, AnnotationKind

_HEX = re.compile(r"#[0-9a-fA-F]{6}")

# Asked with (current "#rrggbb", parent, title); returns the chosen "#rrggbb" or None on Cancel.
ColorPicker = Callable[[str, QWidget | None, str], str | None]

KIND_LABELS = {
    AnnotationKind.CLAIM: "Claim",
    AnnotationKind.EVIDENCE: "Evidence",
    AnnotationKind.QUESTION: "Question",
    AnnotationKind.COMMENT: "Comment",
}


def pick_color(initial: str, parent: QWidget | None, title: str) -> str | None:
    """The standard colour dialog; None when the user cancels."""
    color = QColorDialog.getColor(QColor(initial), parent, title)
    return color.name() if color.isValid() else None


def is_hex_color(value: str) -> bool:
    return bool(_HEX.fullmatch(value))


def swatch_icon(color: str, size: int = 16) -> QIcon:
    pixmap = QPixmap(size, size)
    pixmap.fill(QColor(color) if color else QColor(0, 0, 0, 0))
    return QIcon(pixmap)


class Preferences:
    """Typed access to the user's preferences stored in `settings`."""

    AUTHOR_KEY = "preferences/author"
    COLOR_KEY = "preferences/colors/{}"
    TEXT_SIZE_KEY = "preferences/text_size"

    def __init__(self, settings: QSettings) -> None:
        self.settings = settings

    # Author ---------------------------------------------------------------------------------

    @property
    def author(self) -> str:
        """The name written on new annotations; the system user's full name unless set."""
        value = self.settings.value(self.AUTHOR_KEY, "")
        value = str(value).strip() if value is not None else ""
        return value or default_author()

    def set_author(self, name: str) -> None:
        """Store `name`; a blank name goes back to the system user's name."""
        name = " ".join(name.split())
        if name:
            self.settings.setValue(self.AUTHOR_KEY, name)
        else:
            self.settings.remove(self.AUTHOR_KEY)

    # Colours --------------------------------------------------------------------------------

    def color(self, kind: AnnotationKind | str) -> str:
        """The default highlight colour for `kind` as "#rrggbb"."""
        kind = AnnotationKind(kind)
        value = self.settings.value(self.COLOR_KEY.format(kind.value), "")
        value = str(value) if value is not None else ""
        return value.lower() if is_hex_color(value) else DEFAULT_COLORS[kind]

    def set_color(self, kind: AnnotationKind | str, color: str) -> None:
        kind = AnnotationKind(kind)
        if not is_hex_color(color):
            raise ValueError(f"not a #rrggbb colour: {color!r}")
        color = color.lower()
        if color == DEFAULT_COLORS[kind]:
            self.settings.remove(self.COLOR_KEY.format(kind.value))
        else:
            self.settings.setValue(self.COLOR_KEY.format(kind.value), color)

    def colors(self) -> dict[AnnotationKind, str]:
        return {kind: self.color(kind) for kind in AnnotationKind}

    # Text size ------------------------------------------------------------------------------

    @property
    def text_size(self) -> int | None:
        """Reading text size in points, or None for the platform default."""
        value = self.settings.value(self.TEXT_SIZE_KEY)
        try:
            size = int(value)  # type: ignore[arg-type]
        except (TypeError, ValueError):
            return None
        return size if size > 0 else None

    def set_text_size(self, size: int | None) -> None:
        if size is None or size <= 0:
            self.settings.remove(self.TEXT_SIZE_KEY)
        else:
            self.settings.setValue(self.TEXT_SIZE_KEY, int(size))


class PreferencesDialog(QDialog):
    """Author name and one colour button per kind; applied to `prefs` on OK.

    After OK, `colors_changed` carries {kind: "#rrggbb"} for every kind whose default colour
    changed (emitted only when something did), and `author_changed` the new name. `exec()`
    returns QDialog.Accepted as usual; `changed_colors` holds the same dict afterwards.
    """

    colors_changed = Signal(dict)
    author_changed = Signal(str)

    def __init__(
        self,
        prefs: Preferences,
        parent: QWidget | None = None,
        *,
        color_picker: ColorPicker = pick_color,
    ) -> None:
        super().__init__(parent)
        self.setWindowTitle("Preferences")
        self.prefs = prefs
        self._pick = color_picker
        self._colors = prefs.colors()
        self.changed_colors: dict[AnnotationKind, str] = {}

        self.author_edit = QLineEdit(prefs.author)
        self.author_edit.setObjectName("preferences_author")
        self.author_edit.setPlaceholderText(default_author() or "Your name")
        self.author_edit.setToolTip("Written on the highlights you make from now on.")

        self.color_buttons: dict[AnnotationKind, QToolButton] = {}
        colors_box = QGroupBox("Highlight colours")
        colors_form = QFormLayout(colors_box)
        for kind in AnnotationKind:
            button = QToolButton()
            button.setObjectName(f"preferences_color_{kind.value}")
            button.setToolButtonStyle(Qt.ToolButtonStyle.ToolButtonTextBesideIcon)
            button.clicked.connect(lambda _=False, k=kind: self._choose(k))
            self.color_buttons[kind] = button
            colors_form.addRow(KIND_LABELS[kind], button)
            self._show_color(kind)
        self.reset_colors_button = QPushButton("Restore default colours")
        self.reset_colors_button.clicked.connect(self._reset_colors)
        reset_row = QHBoxLayout()
        reset_row.addStretch(1)
        reset_row.addWidget(self.reset_colors_button)
        colors_form.addRow(reset_row)

        form = QFormLayout()
        form.addRow("Author name", self.author_edit)

        self.buttons = QDialogButtonBox(
            QDialogButtonBox.StandardButton.Ok | QDialogButtonBox.StandardButton.Cancel
        )
        self.buttons.accepted.connect(self.accept)
        self.buttons.rejected.connect(self.reject)

        layout = QVBoxLayout(self)
        layout.addLayout(form)
        layout.addWidget(colors_box)
        layout.addWidget(self.buttons)

    def color(self, kind: AnnotationKind) -> str:
        """The colour currently chosen in the dialog (not yet applied)."""
        return self._colors[kind]

    def set_color(self, kind: AnnotationKind, color: str) -> None:
        if not is_hex_color(color):
            raise ValueError(f"not a #rrggbb colour: {color!r}")
        self._colors[AnnotationKind(kind)] = color.lower()
        self._show_color(AnnotationKind(kind))

    def _show_color(self, kind: AnnotationKind) -> None:
        button = self.color_buttons[kind]
        color = self._colors[kind]
        button.setIcon(swatch_icon(color))
        button.setText(color)
        button.setToolTip(f"Default colour for new {KIND_LABELS[kind].lower()} highlights")

    def _choose(self, kind: AnnotationKind) -> None:
        chosen = self._pick(self._colors[kind], self, f"{KIND_LABELS[kind]} colour")
        if chosen and is_hex_color(chosen):
            self.set_color(kind, chosen)

    def _reset_colors(self) -> None:
        for kind in AnnotationKind:
            self.set_color(kind, DEFAULT_COLORS[kind])

    def accept(self) -> None:
        old_colors = self.prefs.colors()
        old_author = self.prefs.author
        self.prefs.set_author(self.author_edit.text())
        for kind, color in self._colors.items():
            self.prefs.set_color(kind, color)
        new_colors = self.prefs.colors()
        self.changed_colors = {k: c for k, c in new_colors.items() if old_colors[k] != c}
        super().accept()
        if self.prefs.author != old_author:
            self.author_changed.emit(self.prefs.author)
        if self.changed_colors:
            self.colors_changed.emit(dict(self.changed_colors))
