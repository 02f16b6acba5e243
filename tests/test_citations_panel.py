"""The citations panel and the source dialog, driven like a user would, over a real library."""

from __future__ import annotations

import threading
from dataclasses import replace
from pathlib import Path

import pytest
from PySide6.QtCore import Qt

from reader.lookup import LookupFailed
from reader.model import Citation, Source, Stance
from reader.ui.panels.citations import CitationsPanel, looks_like_reference
from reader.ui.panels.editor import AnnotationEditor
from reader.ui.panels.source_dialog import LOOKING_UP, SourceDialog

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"
WAIT = 3000  # ms; edits are saved 400 ms after the last keystroke

BIBTEX = """@article{smith2020,
  author = {Smith, Jane and Doe, John},
  title = {Unemployment in the Long Run},
  journal = {Journal of Labor},
  year = {2020}
}"""
DOI = "10.5555/12345678"


class Recorder:
    def __init__(self, signal) -> None:
        self.calls: list[tuple] = []
        signal.connect(lambda *args: self.calls.append(args))


@pytest.fixture
def opened(library):
    return library.open_path(SEED)


@pytest.fixture
def claim(library, opened):
    return library.highlight(opened, 0, 40)


@pytest.fixture
def panel(qtbot, library, claim):
    widget = CitationsPanel(library)
    qtbot.addWidget(widget)
    widget.resize(420, 600)
    widget.show()
    qtbot.waitExposed(widget)
    widget.set_annotation(claim)
    yield widget
    # Before the library closes: a completion search still pending must not run on it.
    widget.complete_timer.stop()
    widget.save_timer.stop()
    widget.close()


def set_stance(combo, stance: Stance) -> None:
    combo.setCurrentIndex(combo.findData(stance.value))


def paste_and_add(qtbot, panel: CitationsPanel, text: str) -> None:
    panel.input.setPlainText(text)
    panel.input.setFocus()
    qtbot.keyClick(panel.input, Qt.Key.Key_Return, Qt.KeyboardModifier.ControlModifier)


def cited(library, claim) -> list[Citation]:
    return library.citations(claim.id)


# Adding -----------------------------------------------------------------------------------------


def test_pasted_bibtex_is_cited_with_the_chosen_stance(qtbot, library, panel, claim):
    changed = Recorder(panel.changed)
    set_stance(panel.add_stance, Stance.REFUTES)

    paste_and_add(qtbot, panel, BIBTEX)

    [citation] = cited(library, claim)
    assert citation.stance is Stance.REFUTES
    source = library.source(citation.source_id)
    assert source.title == "Unemployment in the Long Run"
    assert source.authors == ("Smith, Jane", "Doe, John")
    assert source.issued == "2020"
    shown = panel.citation_list.item(0).text()
    assert shown.startswith("Refutes: ")
    assert "Unemployment in the Long Run" in shown and "Smith" in shown and "2020" in shown
    assert panel.input.toPlainText() == ""
    assert not panel.error_label.isVisible()
    assert changed.calls == [(claim.id,)]
    # The new citation is selected, ready for a locator.
    assert panel.current_citation().id == citation.id
    assert panel.details.isVisible()


def test_the_same_doi_twice_reuses_one_source(qtbot, library, panel, claim):
    paste_and_add(qtbot, panel, DOI)
    set_stance(panel.add_stance, Stance.CONTEXT)
    panel.input.setPlainText(f"https://doi.org/{DOI}")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)

    first, second = cited(library, claim)
    assert first.source_id == second.source_id
    assert library.source(first.source_id).doi == DOI
    assert [c.stance for c in (first, second)] == [Stance.SUPPORTS, Stance.CONTEXT]
    assert panel.citation_list.count() == 2


def test_unreadable_input_shows_one_sentence_and_adds_nothing(qtbot, library, panel, claim):
    changed = Recorder(panel.changed)
    qtbot.keyClicks(panel.input, "not a reference at all")
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)

    assert panel.error_label.isVisible()
    message = panel.error_label.text()
    assert message.endswith(".") and "\n" not in message
    assert "could not read" in message
    assert cited(library, claim) == []
    assert changed.calls == []
    assert panel.input.toPlainText() == "not a reference at all"  # kept, so it can be fixed

    qtbot.keyClick(panel.input, Qt.Key.Key_Backspace)  # editing clears the message
    assert not panel.error_label.isVisible()


def test_add_with_an_empty_box_says_what_to_paste(qtbot, library, panel, claim):
    qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    assert panel.error_label.isVisible()
    assert "Paste" in panel.error_label.text()
    assert cited(library, claim) == []


def test_words_offer_stored_sources_and_choosing_one_cites_it(qtbot, library, panel, claim):
    stored = library.add_source(
        Source(type="report", title="Labour market statistics", authors=("Office for Data",))
    )
    set_stance(panel.add_stance, Stance.CONTEXT)

    qtbot.keyClicks(panel.input, "Labour market")
    popup = panel.completer.popup()
    qtbot.waitUntil(popup.isVisible, timeout=WAIT)
    assert panel.completion_model.rowCount() == 1
    assert "Labour market statistics" in panel.completion_model.item(0).text()

    popup.setCurrentIndex(panel.completer.completionModel().index(0, 0))
    qtbot.keyClick(popup, Qt.Key.Key_Return)

    [citation] = cited(library, claim)
    assert citation.source_id == stored.id
    assert citation.stance is Stance.CONTEXT
    assert panel.input.toPlainText() == ""
    assert not popup.isVisible()


def test_pasted_identifiers_are_not_searched():
    for text in (DOI, "https://example.org/a", "978-0-306-40615-7", BIBTEX, '{"title": "x"}'):
        assert looks_like_reference(text), text
    for text in ("labour market", "Smith 2020"):
        assert not looks_like_reference(text), text


# Editing ----------------------------------------------------------------------------------------


@pytest.fixture
def source(library):
    return library.add_source(
        Source(type="article-journal", title="Unemployment in the Long Run", authors=("Smith, J",))
    )


def show_cited(panel, library, claim, source, **fields) -> Citation:
    citation = library.cite(claim.id, source.id, **fields)
    panel.refresh()
    panel.citation_list.setCurrentRow(0)
    return citation


def test_locator_and_evidence_are_saved_after_a_pause(qtbot, library, panel, claim, source):
    show_cited(panel, library, claim, source)
    changed = Recorder(panel.changed)

    qtbot.keyClicks(panel.locator_edit, "p. 12")
    assert cited(library, claim)[0].locator == ""  # not yet: typing is still going on
    qtbot.waitUntil(lambda: cited(library, claim)[0].locator == "p. 12", timeout=WAIT)

    qtbot.keyClicks(panel.evidence_edit, "The rate fell to 4%.")
    qtbot.waitUntil(
        lambda: cited(library, claim)[0].evidence_quote == "The rate fell to 4%.", timeout=WAIT
    )
    assert changed.calls == [(claim.id,), (claim.id,)]
    assert "p. 12" in panel.citation_list.item(0).text()


def test_switching_annotation_saves_a_pending_edit_at_once(
    qtbot, library, panel, claim, source, opened
):
    show_cited(panel, library, claim, source)
    qtbot.keyClicks(panel.locator_edit, "table 3")
    other = library.highlight(opened, 50, 80)

    panel.set_annotation(other)

    assert cited(library, claim)[0].locator == "table 3"
    assert panel.citation_list.count() == 0
    assert panel.empty_label.isVisible()


def test_changing_the_stance_saves_it_and_repaints_the_badge(qtbot, library, panel, claim, source):
    show_cited(panel, library, claim, source)
    with qtbot.waitSignal(panel.changed, timeout=WAIT) as signal:
        set_stance(panel.stance_combo, Stance.REFUTES)
    assert signal.args == [claim.id]
    assert cited(library, claim)[0].stance is Stance.REFUTES
    assert panel.citation_list.item(0).text().startswith("Refutes: ")


def test_remove_deletes_the_citation_but_keeps_the_source(qtbot, library, panel, claim, source):
    show_cited(panel, library, claim, source)
    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        qtbot.mouseClick(panel.remove_button, Qt.MouseButton.LeftButton)
    assert cited(library, claim) == []
    assert library.source(source.id) is not None
    assert panel.empty_label.isVisible()
    assert not panel.details.isVisible()


def test_edit_source_saves_through_the_library(qtbot, library, panel, claim, source):
    show_cited(panel, library, claim, source)
    qtbot.mouseClick(panel.edit_source_button, Qt.MouseButton.LeftButton)
    dialog = panel.source_dialog
    assert isinstance(dialog, SourceDialog) and dialog.isVisible()
    dialog.edits["title"].setText("Unemployment in the Very Long Run")

    with qtbot.waitSignal(panel.changed, timeout=WAIT):
        dialog.accept()

    assert library.source(source.id).title == "Unemployment in the Very Long Run"
    assert "Very Long Run" in panel.citation_list.item(0).text()


def test_cancelled_source_edit_changes_nothing(qtbot, library, panel, claim, source):
    show_cited(panel, library, claim, source)
    dialog = panel.edit_source()
    dialog.edits["title"].setText("Something else")
    dialog.reject()
    assert library.source(source.id).title == source.title


def test_a_citation_with_evidence_goes_to_its_passage(qtbot, library, panel, claim, source, opened):
    evidence = library.highlight(opened, 100, 140)
    show_cited(panel, library, claim, source, evidence_annotation_id=evidence.id)
    assert panel.go_button.isEnabled()

    with qtbot.waitSignal(panel.open_evidence, timeout=WAIT) as signal:
        qtbot.mouseClick(panel.go_button, Qt.MouseButton.LeftButton)
    assert signal.args == [evidence.id]

    view = panel.citation_list
    center = view.visualItemRect(view.item(0)).center()
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    with qtbot.waitSignal(panel.open_evidence, timeout=WAIT) as signal:
        qtbot.mouseDClick(view.viewport(), Qt.MouseButton.LeftButton, pos=center)
    assert signal.args == [evidence.id]

    view.setFocus()
    with qtbot.waitSignal(panel.open_evidence, timeout=WAIT) as signal:
        qtbot.keyClick(view, Qt.Key.Key_Return)
    assert signal.args == [evidence.id]


def test_a_citation_without_evidence_has_no_passage(qtbot, library, panel, claim, source):
    show_cited(panel, library, claim, source)
    assert not panel.go_button.isEnabled()


def test_no_annotation_disables_adding(panel):
    panel.set_annotation(None)
    assert not panel.input.isEnabled()
    assert not panel.add_button.isEnabled()
    assert panel.citation_list.count() == 0


# The editor embeds the panel --------------------------------------------------------------------


def test_editor_shows_sources_and_forwards_the_panel_signals(qtbot, library, claim, opened):
    editor = AnnotationEditor(lambda: [], library=library)
    qtbot.addWidget(editor)
    editor.resize(360, 300)  # a short dock: the fields scroll
    editor.show()
    qtbot.waitExposed(editor)
    editor.set_annotation(claim)
    panel = editor.citations
    assert panel is not None and panel.annotation() == claim
    assert editor.sources_group.isVisibleTo(editor)

    with qtbot.waitSignal(editor.citations_changed, timeout=WAIT) as signal:
        paste_and_add(qtbot, panel, BIBTEX)
    assert signal.args == [claim.id]

    evidence = library.highlight(opened, 100, 140)
    library.cite(claim.id, cited(library, claim)[0].source_id, evidence_annotation_id=evidence.id)
    editor.set_annotation(replace(claim, note="refreshed"))  # same annotation: reloads
    assert panel.citation_list.count() == 2
    panel.citation_list.setCurrentRow(1)
    with qtbot.waitSignal(editor.open_evidence, timeout=WAIT) as signal:
        panel.go_button.click()
    assert signal.args == [evidence.id]

    editor.set_annotation(None)
    assert panel.annotation() is None


def test_editor_without_a_library_has_no_sources(qtbot):
    editor = AnnotationEditor(lambda: [])
    qtbot.addWidget(editor)
    assert editor.citations is None


# The source dialog ------------------------------------------------------------------------------

MINE = Source(
    id=7,
    type="article-journal",
    title="My own title",
    doi="10.1234/abc",
    url="",
    note="checked by phone",
)
FOUND = Source(
    type="article-journal",
    title="Their title",
    authors=("Doe, Jane",),
    container_title="Journal of Things",
    issued="2021-03",
    doi="10.1234/abc",
    url="https://doi.org/10.1234/abc",
)


def not_called(_key: str) -> Source:
    raise AssertionError("this look-up should not run")


def make_dialog(qtbot, source: Source, **lookups) -> SourceDialog:
    dialog = SourceDialog(source, **lookups)
    qtbot.addWidget(dialog)
    dialog.show()
    qtbot.waitExposed(dialog)
    return dialog


def test_dialog_edits_every_field_and_keeps_the_id(qtbot):
    dialog = make_dialog(qtbot, MINE, lookup_doi=not_called, lookup_url=not_called)
    assert dialog.source() == MINE  # unchanged fields come back as they were

    dialog.type_combo.setCurrentIndex(dialog.type_combo.findData("report"))
    dialog.authors_edit.setPlainText("Doe, Jane\n\n  World   Health Organization \n")
    for name, value in {
        "container_title": "The Times",
        "publisher": "Pub",
        "issued": "2020-05-01",
        "url": "https://example.org/r",
        "doi": "https://doi.org/10.1/xyz",
        "isbn": "9780306406157",
        "accessed": "2026-11-29",
        "archived_url": "https://web.archive.org/x",
    }.items():
        dialog.edits[name].setText(value)
    edited = dialog.source()
    assert edited.id == 7
    assert edited.type == "report"
    assert edited.authors == ("Doe, Jane", "World Health Organization")
    assert edited.doi == "10.1/xyz"
    assert edited.accessed == "2026-11-29" and edited.archived_url == "https://web.archive.org/x"
    assert edited.note == "checked by phone"


def test_lookup_fills_only_empty_fields_without_blocking(qtbot):
    release = threading.Event()
    asked: list[str] = []

    def lookup_doi(doi: str) -> Source:
        asked.append(doi)
        release.wait(5)
        return FOUND

    dialog = make_dialog(qtbot, MINE, lookup_doi=lookup_doi, lookup_url=not_called)
    qtbot.mouseClick(dialog.lookup_button, Qt.MouseButton.LeftButton)

    # The look-up is still running and the dialog still answers.
    assert dialog.status_label.text() == LOOKING_UP
    assert not dialog.lookup_button.isEnabled()
    qtbot.keyClicks(dialog.edits["publisher"], "Typed meanwhile")
    assert dialog.edits["publisher"].text() == "Typed meanwhile"

    release.set()
    qtbot.waitUntil(lambda: dialog.status_label.text() != LOOKING_UP, timeout=WAIT)
    dialog.wait_for_lookup()
    assert asked == ["10.1234/abc"]
    result = dialog.source()
    assert result.title == "My own title"  # kept
    assert result.publisher == "Typed meanwhile"  # kept
    assert result.authors == ("Doe, Jane",)  # filled
    assert result.container_title == "Journal of Things"
    assert result.issued == "2021-03"
    assert result.url == "https://doi.org/10.1234/abc"
    assert result.note == "checked by phone"
    assert "Filled" in dialog.status_label.text()
    assert dialog.lookup_button.isEnabled()


def test_lookup_uses_the_url_when_there_is_no_doi(qtbot):
    asked: list[str] = []

    def lookup_url(url: str) -> Source:
        asked.append(url)
        return Source(type="webpage", title="A page", container_title="Example")

    source = Source(id=3, url="https://example.org/page")
    dialog = make_dialog(qtbot, source, lookup_doi=not_called, lookup_url=lookup_url)
    dialog.lookup_button.click()
    qtbot.waitUntil(lambda: dialog.edits["title"].text() == "A page", timeout=WAIT)
    dialog.wait_for_lookup()
    assert asked == ["https://example.org/page"]
    assert dialog.source().container_title == "Example"


def test_failed_lookup_shows_its_sentence_and_changes_nothing(qtbot):
    message = "No record was found for the DOI 10.1234/abc."

    def lookup_doi(_doi: str) -> Source:
        raise LookupFailed(message)

    dialog = make_dialog(qtbot, MINE, lookup_doi=lookup_doi, lookup_url=not_called)
    dialog.lookup_button.click()
    qtbot.waitUntil(lambda: dialog.status_label.text() == message, timeout=WAIT)
    dialog.wait_for_lookup()
    assert dialog.source() == MINE
    assert dialog.lookup_button.isEnabled()


def test_lookup_needs_a_doi_or_url(qtbot):
    dialog = make_dialog(
        qtbot, Source(id=1, title="Only a title"), lookup_doi=not_called, lookup_url=not_called
    )
    assert not dialog.lookup_button.isEnabled()
    dialog.edits["url"].setText("https://example.org")
    assert dialog.lookup_button.isEnabled()
