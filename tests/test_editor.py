"""The annotation editor panel and the preferences, driven with the keyboard and mouse."""

from __future__ import annotations

import html
from dataclasses import replace

import pytest
from PySide6.QtCore import QSettings, Qt
from PySide6.QtWidgets import QDialog

from reader.library import default_author
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    TextAnchor,
)
from reader.ui.panels.editor import PLACEHOLDER, AnnotationEditor, local_time, parse_tags
from reader.ui.preferences import Preferences, PreferencesDialog

WAIT = 3000  # ms; the editor saves 400 ms after the last keystroke

# The offscreen platform says these whenever the tag completer's popup opens; not our warnings.
completer_popup = pytest.mark.qt_log_ignore(
    r"This plugin does not support (raise\(\)|grabbing the keyboard)"
)


def make_annotation(id_: str = "a1", **fields) -> Annotation:
    anchor = fields.pop(
        "anchor",
        TextAnchor(
            quote="Unemployment surged to 79,770 in 2022.",
            prefix="",
            suffix="",
            start=10,
            end=48,
        ),
    )
    defaults = dict(
        document_id=1,
        version_id=1,
        anchor=anchor,
        kind=AnnotationKind.CLAIM,
        color=DEFAULT_COLORS[AnnotationKind.CLAIM],
        author="Ada Lovelace",
        created_at="2026-11-29T14:03:00Z",
        updated_at="2026-11-29T14:03:00Z",
    )
    defaults.update(fields)
    return Annotation(id=id_, **defaults)


class Recorder:
    def __init__(self, signal) -> None:
        self.calls: list[tuple] = []
        signal.connect(lambda *args: self.calls.append(args))


@pytest.fixture
def tags() -> list[str]:
    return ["climate", "Clinical trials", "economy", "health"]


@pytest.fixture
def picked() -> list[str | None]:
    """Answers the colour dialog will give, in order; None is Cancel."""
    return []


@pytest.fixture
def editor(qtbot, tags, picked):
    def pick(initial, parent, title):
        return picked.pop(0)

    widget = AnnotationEditor(lambda: list(tags), color_picker=pick)
    qtbot.addWidget(widget)
    widget.resize(360, 640)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


@pytest.fixture
def edits(editor) -> Recorder:
    return Recorder(editor.edited)


def focus(qtbot, widget) -> None:
    widget.window().activateWindow()
    widget.setFocus(Qt.FocusReason.OtherFocusReason)
    qtbot.waitUntil(widget.hasFocus, timeout=WAIT)


def test_typing_a_note_saves_once_after_the_pause(qtbot, editor, edits):
    editor.set_annotation(make_annotation())
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        qtbot.keyClicks(editor.note_edit, "Source is the 2023 report")
    assert blocker.args == ["a1", {"note": "Source is the 2023 report"}]
    assert not editor.save_timer.isActive()  # nothing further is pending
    assert edits.calls == [("a1", {"note": "Source is the 2023 report"})]
    assert editor.annotation().note == "Source is the 2023 report"


def test_quick_edits_to_several_fields_coalesce(qtbot, editor, edits):
    editor.set_annotation(make_annotation())
    with qtbot.waitSignal(editor.edited, timeout=WAIT):
        qtbot.keyClicks(editor.note_edit, "first")
        qtbot.keyClicks(editor.claimant_edit, "Minister of Labour")
        qtbot.keyClicks(editor.note_edit, " second")
    assert edits.calls == [("a1", {"claimant": "Minister of Labour", "note": "first second"})]
    assert not editor.save_timer.isActive()


def test_changing_status_saves_the_status_only(qtbot, editor):
    editor.set_annotation(make_annotation())
    assert editor.status_combo.count() == len(ClaimStatus) == 6
    index = editor.status_combo.findData(ClaimStatus.REFUTED.value)
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        editor.status_combo.setCurrentIndex(index)
    assert blocker.args == ["a1", {"status": ClaimStatus.REFUTED}]
    assert type(blocker.args[1]["status"]) is ClaimStatus


def test_status_is_available_for_every_kind(qtbot, editor):
    editor.set_annotation(make_annotation(kind=AnnotationKind.COMMENT))
    assert editor.status_combo.isEnabled()


def test_an_edit_reverted_before_the_pause_saves_nothing(qtbot, editor, edits):
    editor.set_annotation(make_annotation(claimant="Bob"))
    qtbot.keyClicks(editor.claimant_edit, "x")
    qtbot.keyClick(editor.claimant_edit, Qt.Key.Key_Backspace)
    assert editor.save_timer.isActive()
    editor.flush()
    assert edits.calls == []


@completer_popup
@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("climate, health", ("climate", "health")),
        ("  climate ,health,, climate , ", ("climate", "health")),
        ("public   health, Health", ("public health", "Health")),
        (" , ", ()),
    ],
)
def test_tags_are_trimmed_and_deduplicated_in_order(qtbot, editor, typed, expected):
    editor.set_annotation(make_annotation(tags=("old",)))
    editor.tags_edit.clear()
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        qtbot.keyClicks(editor.tags_edit, typed)
    assert blocker.args == ["a1", {"tags": expected}]
    assert parse_tags(typed) == expected


def test_tags_are_shown_comma_separated(editor):
    editor.set_annotation(make_annotation(tags=("climate", "public health")))
    assert editor.tags_edit.text() == "climate, public health"


def test_switching_annotation_flushes_the_previous_ones_edit(qtbot, editor, edits):
    editor.set_annotation(make_annotation("a1"))
    qtbot.keyClicks(editor.note_edit, "half-written")
    assert editor.save_timer.isActive()
    second = make_annotation("a2", note="second note", kind=AnnotationKind.EVIDENCE)
    editor.set_annotation(second)
    assert edits.calls == [("a1", {"note": "half-written"})]
    assert not editor.save_timer.isActive()
    assert editor.annotation() is second
    assert editor.note_edit.toPlainText() == "second note"
    assert editor.kind_combo.currentData() == "evidence"
    editor.flush()
    assert len(edits.calls) == 1  # showing the second one is not an edit of it


def test_none_shows_the_placeholder_and_disables_the_fields(qtbot, editor, edits):
    editor.set_annotation(make_annotation())
    assert editor.note_edit.isEnabled()
    assert not editor.placeholder.isVisible()
    qtbot.keyClicks(editor.note_edit, "pending")
    editor.set_annotation(None)
    assert edits.calls == [("a1", {"note": "pending"})]
    assert editor.annotation() is None
    assert editor.placeholder.isVisible()
    assert editor.placeholder.text() == PLACEHOLDER
    for widget in (editor.note_edit, editor.kind_combo, editor.status_combo, editor.tags_edit):
        assert not widget.isEnabled()
    assert editor.note_edit.toPlainText() == ""


def test_fresh_editor_shows_the_placeholder(qtbot, tags):
    widget = AnnotationEditor(lambda: tags)
    qtbot.addWidget(widget)
    widget.show()
    qtbot.waitExposed(widget)
    assert widget.placeholder.isVisible()
    assert not widget.note_edit.isEnabled()
    assert widget.annotation() is None


def test_fields_show_the_annotation(editor):
    a = make_annotation(
        status=ClaimStatus.DISPUTED,
        claimant="Minister",
        note="line one\nline two",
        tags=("economy",),
        updated_at="2026-11-30T09:15:00Z",
    )
    editor.set_annotation(a)
    assert editor.kind_combo.currentText() == "Claim"
    assert editor.status_combo.currentText() == "Disputed"
    assert editor.claimant_edit.text() == "Minister"
    assert editor.note_edit.toPlainText() == "line one\nline two"
    assert editor.author_edit.text() == "Ada Lovelace"
    assert editor.color_button.text() == DEFAULT_COLORS[AnnotationKind.CLAIM]
    assert editor.created_label.text() == local_time("2026-11-29T14:03:00Z")
    assert editor.updated_label.text() == local_time("2026-11-30T09:15:00Z")
    assert editor.quote_label.text() == a.anchor.quote
    assert editor.anchor_label.text() == "exact"
    assert not editor.reattach_button.isVisible()


def test_local_time_converts_from_utc():
    from datetime import UTC, datetime

    expected = datetime(2026, 11, 29, 14, 3, tzinfo=UTC).astimezone().strftime("%Y-%m-%d %H:%M")
    assert local_time("2026-11-29T14:03:00Z") == expected
    assert local_time("") == "—"


def test_long_quote_is_elided_with_the_full_text_in_the_tooltip(qtbot, editor):
    quote = " ".join(f"word{i}" for i in range(400))
    anchor = TextAnchor(quote=quote, prefix="", suffix="", start=0, end=len(quote))
    editor.set_annotation(make_annotation(anchor=anchor))
    shown = editor.quote_label.text()
    assert shown.endswith("…")
    assert len(shown) < len(quote) / 2
    assert html.escape(quote) in editor.quote_label.toolTip()


def test_fuzzy_anchor_says_to_check_it(editor):
    a = make_annotation()
    editor.set_annotation(replace(a, anchor=replace(a.anchor, state=AnchorState.FUZZY)))
    assert editor.anchor_label.text() == "fuzzy — the text changed; check it"
    assert not editor.reattach_button.isVisible()


def test_orphan_offers_reattach(qtbot, editor):
    a = make_annotation("lost")
    editor.set_annotation(replace(a, anchor=replace(a.anchor, state=AnchorState.ORPHAN)))
    assert editor.anchor_label.text() == "orphan — its words are no longer in this version"
    assert editor.reattach_button.isVisible()
    with qtbot.waitSignal(editor.reattach_requested, timeout=WAIT) as blocker:
        qtbot.mouseClick(editor.reattach_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["lost"]
    editor.set_annotation(make_annotation("other"))
    assert not editor.reattach_button.isVisible()


def test_delete_button_asks_to_delete(qtbot, editor):
    editor.set_annotation(make_annotation("gone"))
    with qtbot.waitSignal(editor.delete_requested, timeout=WAIT) as blocker:
        qtbot.mouseClick(editor.delete_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["gone"]


def test_refresh_of_the_same_annotation_keeps_the_cursor_where_the_user_types(qtbot, editor, edits):
    a = make_annotation(note="The figure is wrong.")
    editor.set_annotation(a)
    focus(qtbot, editor.note_edit)
    cursor = editor.note_edit.textCursor()
    cursor.setPosition(len("The figure"))
    editor.note_edit.setTextCursor(cursor)
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        qtbot.keyClicks(editor.note_edit, " quoted")
    note = "The figure quoted is wrong."
    assert blocker.args == ["a1", {"note": note}]
    # The user keeps typing; meanwhile the window hands back the saved annotation.
    qtbot.keyClicks(editor.note_edit, " here")
    saved = replace(a, note=note, updated_at="2026-11-29T15:00:00Z")
    editor.set_annotation(saved)
    assert editor.note_edit.toPlainText() == "The figure quoted here is wrong."
    assert editor.note_edit.textCursor().position() == len("The figure quoted here")
    assert editor.updated_label.text() == local_time("2026-11-29T15:00:00Z")
    # Even a stored value that differs (normalized elsewhere) is not forced into the focused field.
    editor.flush()
    editor.set_annotation(replace(saved, note="Something else"))
    assert editor.note_edit.toPlainText() == "The figure quoted here is wrong."
    assert editor.note_edit.textCursor().position() == len("The figure quoted here")
    assert edits.calls[-1] == ("a1", {"note": "The figure quoted here is wrong."})


def test_refresh_of_the_same_annotation_updates_fields_not_being_edited(qtbot, editor, edits):
    a = make_annotation()
    editor.set_annotation(a)
    focus(qtbot, editor.note_edit)
    qtbot.keyClicks(editor.note_edit, "typing")
    changed = replace(a, claimant="From undo", status=ClaimStatus.SUPPORTED, tags=("x", "y"))
    editor.set_annotation(changed)
    assert editor.claimant_edit.text() == "From undo"
    assert editor.status_combo.currentData() == "supported"
    assert editor.tags_edit.text() == "x, y"
    assert editor.note_edit.toPlainText() == "typing"
    editor.flush()
    assert edits.calls == [("a1", {"note": "typing"})]  # the refresh itself is not an edit


def test_kind_change_proposes_the_new_kinds_default_colour(qtbot, editor):
    editor.set_annotation(make_annotation())
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        editor.kind_combo.setCurrentIndex(editor.kind_combo.findData("evidence"))
    assert blocker.args == [
        "a1",
        {"kind": AnnotationKind.EVIDENCE, "color": DEFAULT_COLORS[AnnotationKind.EVIDENCE]},
    ]
    assert editor.color_button.text() == DEFAULT_COLORS[AnnotationKind.EVIDENCE]


def test_kind_change_keeps_a_colour_the_user_chose(qtbot, editor):
    editor.set_annotation(make_annotation(color="#123456"))
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        editor.kind_combo.setCurrentIndex(editor.kind_combo.findData("question"))
    assert blocker.args == ["a1", {"kind": AnnotationKind.QUESTION}]
    assert editor.color_button.text() == "#123456"


def test_kind_change_uses_the_users_default_colours(qtbot, tags):
    colors = {**DEFAULT_COLORS, AnnotationKind.COMMENT: "#abcdef"}
    widget = AnnotationEditor(lambda: tags, default_color=colors.__getitem__)
    qtbot.addWidget(widget)
    widget.set_annotation(make_annotation())
    with qtbot.waitSignal(widget.edited, timeout=WAIT) as blocker:
        widget.kind_combo.setCurrentIndex(widget.kind_combo.findData("comment"))
    assert blocker.args[1] == {"kind": AnnotationKind.COMMENT, "color": "#abcdef"}


def test_colour_button_opens_the_colour_dialog(qtbot, editor, picked):
    editor.set_annotation(make_annotation())
    picked.extend([None, "#FF0000"])
    qtbot.mouseClick(editor.color_button, Qt.MouseButton.LeftButton)  # cancelled
    assert not editor.save_timer.isActive()
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        qtbot.mouseClick(editor.color_button, Qt.MouseButton.LeftButton)
    assert blocker.args == ["a1", {"color": "#ff0000"}]
    assert editor.color_button.text() == "#ff0000"


def test_author_edit_saves_the_author(qtbot, editor):
    editor.set_annotation(make_annotation())
    editor.author_edit.clear()
    with qtbot.waitSignal(editor.edited, timeout=WAIT) as blocker:
        qtbot.keyClicks(editor.author_edit, "Grace Hopper ")
    assert blocker.args == ["a1", {"author": "Grace Hopper"}]


@completer_popup
def test_completer_offers_existing_tags_for_the_word_after_the_last_comma(qtbot, editor, edits):
    editor.set_annotation(make_annotation(tags=()))
    focus(qtbot, editor.tags_edit)
    qtbot.keyClicks(editor.tags_edit, "economy, cl")
    completer = editor.tag_completer
    assert completer.completionPrefix() == "economy, cl"
    model = completer.completionModel()
    offered = [model.index(row, 0).data() for row in range(model.rowCount())]
    assert offered == ["climate", "Clinical trials"]
    qtbot.waitUntil(completer.popup().isVisible, timeout=WAIT)
    # Choosing one keeps the tags before the comma.
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Down)
    qtbot.keyClick(completer.popup(), Qt.Key.Key_Return)
    assert editor.tags_edit.text() == "economy, climate"
    editor.flush()
    assert edits.calls == [("a1", {"tags": ("economy", "climate")})]


@completer_popup
def test_completer_picks_up_tags_added_since(qtbot, editor, tags):
    editor.set_annotation(make_annotation())
    tags.append("zoology")
    focus(qtbot, editor.tags_edit)
    editor.tags_edit.clear()
    qtbot.keyClicks(editor.tags_edit, "zo")
    model = editor.tag_completer.completionModel()
    assert [model.index(r, 0).data() for r in range(model.rowCount())] == ["zoology"]


# Preferences -------------------------------------------------------------------------------


@pytest.fixture
def settings(tmp_path):
    return QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat)


def test_preferences_defaults(settings):
    prefs = Preferences(settings)
    assert prefs.author.strip()  # the system user's name
    assert prefs.author == default_author()
    assert prefs.colors() == DEFAULT_COLORS
    assert prefs.text_size is None


def test_preferences_round_trip_through_the_settings_file(tmp_path, settings):
    prefs = Preferences(settings)
    prefs.set_author("  Ada   Lovelace ")
    prefs.set_color(AnnotationKind.CLAIM, "#FF8800")
    prefs.set_color("question", "#112233")
    prefs.set_text_size(14)
    settings.sync()
    del prefs, settings
    again = Preferences(QSettings(str(tmp_path / "settings.ini"), QSettings.Format.IniFormat))
    assert again.author == "Ada Lovelace"
    assert again.color(AnnotationKind.CLAIM) == "#ff8800"
    assert again.color(AnnotationKind.QUESTION) == "#112233"
    assert again.color(AnnotationKind.EVIDENCE) == DEFAULT_COLORS[AnnotationKind.EVIDENCE]
    assert again.text_size == 14
    again.set_author("")
    again.set_text_size(None)
    assert again.author == default_author()
    assert again.text_size is None


def test_preferences_reject_a_bad_colour(settings):
    with pytest.raises(ValueError):
        Preferences(settings).set_color(AnnotationKind.CLAIM, "red")


def test_preferences_dialog_applies_on_ok(qtbot, settings):
    prefs = Preferences(settings)
    answers = ["#010203"]
    dialog = PreferencesDialog(prefs, color_picker=lambda initial, parent, title: answers.pop(0))
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    dialog.author_edit.clear()
    qtbot.keyClicks(dialog.author_edit, "Grace Hopper")
    qtbot.mouseClick(dialog.color_buttons[AnnotationKind.COMMENT], Qt.MouseButton.LeftButton)
    assert dialog.color_buttons[AnnotationKind.COMMENT].text() == "#010203"
    assert prefs.color(AnnotationKind.COMMENT) == DEFAULT_COLORS[AnnotationKind.COMMENT]
    with (
        qtbot.waitSignal(dialog.colors_changed, timeout=WAIT) as colors,
        qtbot.waitSignal(dialog.author_changed, timeout=WAIT) as author,
    ):
        dialog.buttons.button(dialog.buttons.StandardButton.Ok).click()
    assert dialog.result() == QDialog.DialogCode.Accepted
    assert colors.args == [{AnnotationKind.COMMENT: "#010203"}]
    assert author.args == ["Grace Hopper"]
    assert prefs.color(AnnotationKind.COMMENT) == "#010203"
    assert prefs.author == "Grace Hopper"


def test_preferences_dialog_cancel_changes_nothing(qtbot, settings):
    prefs = Preferences(settings)
    before = (prefs.author, prefs.colors())
    dialog = PreferencesDialog(prefs, color_picker=lambda initial, parent, title: "#000000")
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.keyClicks(dialog.author_edit, "zzz")
    qtbot.mouseClick(dialog.color_buttons[AnnotationKind.CLAIM], Qt.MouseButton.LeftButton)
    with qtbot.assertNotEmitted(dialog.colors_changed):
        dialog.buttons.button(dialog.buttons.StandardButton.Cancel).click()
    assert dialog.result() == QDialog.DialogCode.Rejected
    assert (prefs.author, prefs.colors()) == before


def test_preferences_dialog_restores_default_colours(qtbot, settings):
    prefs = Preferences(settings)
    prefs.set_color(AnnotationKind.CLAIM, "#000000")
    dialog = PreferencesDialog(prefs)
    qtbot.addWidget(dialog)
    qtbot.mouseClick(dialog.reset_colors_button, Qt.MouseButton.LeftButton)
    dialog.accept()
    assert dialog.changed_colors == {AnnotationKind.CLAIM: DEFAULT_COLORS[AnnotationKind.CLAIM]}
    assert prefs.colors() == DEFAULT_COLORS
