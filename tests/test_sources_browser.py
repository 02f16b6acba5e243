"""The Sources browser: counts per source, citing claims, edit, merge, open URL, open a claim."""

from __future__ import annotations

from dataclasses import dataclass, replace
from pathlib import Path

import pytest
from PySide6.QtCore import QItemSelectionModel, Qt, QTimer, QUrl
from PySide6.QtWidgets import QApplication, QMessageBox, QWidget

from reader.citations import format_reference, short_reference
from reader.library import Library
from reader.model import Annotation, Source, Stance
from reader.ui.panels.sources import EMPTY_TEXT, SourceColumn, SourcesBrowser

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"

QUOTES = {
    "toll": "the death toll from opioids surged to 79,770 in 2022",
    "scheduled": "China officially scheduled all fentanyl-related substances",
    "productive": "which has been highly productive",
    "blame": "the United States has been pointing blame at China",
}


@dataclass
class Seeded:
    library: Library
    claims: dict[str, Annotation]
    cdc: Source  # cited by toll (supports) and scheduled (context, p. 4)
    cdc_copy: Source  # the same report entered again by hand: cited by productive
    cfr: Source  # cited by blame (refutes)
    book: Source  # cited by nothing, no URL or DOI


@pytest.fixture
def seeded(library: Library) -> Seeded:
    opened = library.open_path(SEED)
    claims = {
        name: library.highlight(opened, *library.find_quote(opened, quote))
        for name, quote in QUOTES.items()
    }
    cdc = library.add_source(
        Source(
            type="report",
            title="Drug Overdose Deaths in the United States, 2002–2022",
            authors=("Spencer, Merianne R.", "Garnett, Matthew F."),
            publisher="National Center for Health Statistics",
            issued="2024-03",
            doi="10.15620/cdc:135849",
        )
    )
    cdc_copy = library.add_source(
        Source(
            type="report",
            title="Drug overdose deaths in the United States 2002-2022",
            authors=("Spencer, Merianne R.",),
            url="https://www.cdc.gov/nchs/products/databriefs/db491.htm",
            accessed="2026-01-12",
        )
    )
    cfr = library.add_source(
        Source(
            type="webpage",
            title="Fentanyl and the U.S. Opioid Epidemic",
            authors=("Council on Foreign Relations",),
            container_title="CFR Backgrounder",
            issued="2023-12-22",
            url="https://www.cfr.org/backgrounder/fentanyl-and-us-opioid-epidemic",
        )
    )
    book = library.add_source(
        Source(type="book", title="Dreamland", authors=("Quinones, Sam",), issued="2015")
    )
    assert len({cdc.id, cdc_copy.id, cfr.id, book.id}) == 4
    library.cite(claims["toll"].id, cdc.id, Stance.SUPPORTS)
    library.cite(claims["scheduled"].id, cdc.id, Stance.CONTEXT, locator="p. 4")
    library.cite(claims["productive"].id, cdc_copy.id, Stance.SUPPORTS)
    library.cite(claims["blame"].id, cfr.id, Stance.REFUTES)
    return Seeded(library, claims, cdc, cdc_copy, cfr, book)


class Recorder:
    """An injected collaborator that records its calls and answers from a list."""

    def __init__(self, *answers: object) -> None:
        self.answers = list(answers)
        self.calls: list[tuple[object, ...]] = []

    def __call__(self, *args: object) -> object:
        self.calls.append(args)
        return self.answers.pop(0) if self.answers else None


def make_browser(qtbot, library: Library, **kwargs: object) -> SourcesBrowser:
    kwargs.setdefault("edit_dialog", Recorder())
    kwargs.setdefault("choose_keep", Recorder())
    kwargs.setdefault("open_url", Recorder())
    browser = SourcesBrowser(library, **kwargs)  # type: ignore[arg-type]
    qtbot.addWidget(browser)
    browser.resize(900, 600)
    browser.show()
    qtbot.waitExposed(browser)
    return browser


def shown(browser: SourcesBrowser) -> dict[int, list[str]]:
    """Source id -> the texts of its row, as the table shows them."""
    proxy = browser.proxy
    return {
        proxy.index(r, 0).data(Qt.ItemDataRole.UserRole + 2): [
            proxy.index(r, c).data() for c in range(proxy.columnCount())
        ]
        for r in range(proxy.rowCount())
    }


def select(browser: SourcesBrowser, *ids: int) -> None:
    browser.view.selectionModel().clearSelection()
    for source_id in ids:
        row = browser.visible_ids().index(source_id)
        browser.view.selectionModel().select(
            browser.proxy.index(row, 0),
            QItemSelectionModel.SelectionFlag.Select | QItemSelectionModel.SelectionFlag.Rows,
        )


def click_row(qtbot, browser: SourcesBrowser, source_id: int) -> None:
    row = browser.visible_ids().index(source_id)
    index = browser.proxy.index(row, SourceColumn.TITLE)
    browser.view.scrollTo(index)
    rect = browser.view.visualRect(index)
    qtbot.mouseClick(browser.view.viewport(), Qt.MouseButton.LeftButton, pos=rect.center())


# -- the table -------------------------------------------------------------------------------------


def test_empty_library_says_how_sources_arrive(qtbot, library: Library) -> None:
    browser = make_browser(qtbot, library)
    assert browser.stack.currentWidget() is browser.empty_label
    assert browser.empty_label.isVisible()
    assert browser.empty_label.text() == EMPTY_TEXT
    assert "No sources" in EMPTY_TEXT


def test_table_lists_every_source_with_the_number_of_claims_citing_it(qtbot, seeded) -> None:
    browser = make_browser(qtbot, seeded.library)
    assert browser.stack.currentWidget() is browser.splitter
    rows = shown(browser)
    assert set(rows) == {seeded.cdc.id, seeded.cdc_copy.id, seeded.cfr.id, seeded.book.id}
    claims = {sid: int(row[SourceColumn.CLAIMS]) for sid, row in rows.items()}
    assert claims == {seeded.cdc.id: 2, seeded.cdc_copy.id: 1, seeded.cfr.id: 1, seeded.book.id: 0}

    cdc = rows[seeded.cdc.id]
    assert cdc[SourceColumn.REFERENCE] == short_reference(seeded.cdc)
    assert cdc[SourceColumn.TITLE] == seeded.cdc.title
    assert cdc[SourceColumn.TYPE] == "Report"
    assert cdc[SourceColumn.YEAR] == "2024"
    assert cdc[SourceColumn.LINK] == "doi:10.15620/cdc:135849"
    assert rows[seeded.cfr.id][SourceColumn.LINK] == seeded.cfr.url
    assert rows[seeded.book.id][SourceColumn.LINK] == ""
    assert browser.count_label.text() == "4 sources"


def test_the_table_headers_name_its_columns(qtbot, seeded) -> None:
    browser = make_browser(qtbot, seeded.library)
    model = browser.view.model()
    names = [model.headerData(c, Qt.Orientation.Horizontal) for c in range(model.columnCount())]
    assert names == ["Reference", "Title", "Type", "Year", "DOI / ISBN / URL", "Claims"]
    assert browser.view.header().isVisible()


def test_claims_column_sorts_numerically_and_filter_narrows(qtbot, seeded) -> None:
    browser = make_browser(qtbot, seeded.library)
    browser.view.sortByColumn(SourceColumn.CLAIMS, Qt.SortOrder.DescendingOrder)
    assert browser.visible_ids()[0] == seeded.cdc.id
    assert browser.visible_ids()[-1] == seeded.book.id
    browser.view.sortByColumn(SourceColumn.YEAR, Qt.SortOrder.AscendingOrder)
    years = [row[SourceColumn.YEAR] for row in shown(browser).values()]
    assert [y for y in years if y] == sorted(y for y in years if y)

    qtbot.keyClicks(browser.filter_edit, "council opioid")  # author + title words
    assert browser.visible_ids() == [seeded.cfr.id]
    assert browser.count_label.text() == "1 shown of 4"
    browser.filter_edit.clear()
    qtbot.keyClicks(browser.filter_edit, "135849")  # part of a DOI
    assert browser.visible_ids() == [seeded.cdc.id]
    browser.filter_edit.clear()
    assert len(browser.visible_ids()) == 4


# -- the selected source ---------------------------------------------------------------------------


def test_selecting_a_source_shows_its_reference_and_the_claims_citing_it(qtbot, seeded) -> None:
    browser = make_browser(qtbot, seeded.library)
    click_row(qtbot, browser, seeded.cdc.id)
    assert browser.selected_ids() == [seeded.cdc.id]
    assert browser.reference_label.text() == format_reference(seeded.cdc)
    assert browser.claims_label.text() == "Cited by 2 claims:"
    title = seeded.library.repo.document_by_id(seeded.claims["toll"].document_id).title
    assert browser.claim_rows() == [
        (QUOTES["toll"], title, "supports"),
        (QUOTES["scheduled"], title, "context, p. 4"),
    ]  # in reading order

    click_row(qtbot, browser, seeded.cfr.id)
    assert browser.claim_rows() == [(QUOTES["blame"], title, "refutes")]

    click_row(qtbot, browser, seeded.book.id)
    assert browser.claim_rows() == []
    assert browser.claims_label.text() == "No claim cites this source."


def test_buttons_follow_the_selection(qtbot, seeded) -> None:
    browser = make_browser(qtbot, seeded.library)
    assert not browser.edit_button.isEnabled()
    assert not browser.merge_button.isEnabled()
    assert not browser.open_button.isEnabled()

    select(browser, seeded.cdc.id)
    assert browser.edit_button.isEnabled()
    assert not browser.merge_button.isEnabled()
    assert browser.open_button.isEnabled()  # DOI

    select(browser, seeded.book.id)
    assert browser.edit_button.isEnabled()
    assert not browser.open_button.isEnabled()  # neither URL nor DOI

    select(browser, seeded.cdc.id, seeded.cdc_copy.id)
    assert browser.merge_button.isEnabled()
    assert not browser.edit_button.isEnabled()
    assert browser.claim_rows() == []

    select(browser, seeded.cdc.id, seeded.cdc_copy.id, seeded.cfr.id)
    assert not browser.merge_button.isEnabled()


def test_double_clicking_a_claim_asks_to_open_it_in_its_document(qtbot, seeded) -> None:
    browser = make_browser(qtbot, seeded.library)
    click_row(qtbot, browser, seeded.cfr.id)
    item = browser.claims.topLevelItem(0)
    assert item is not None
    rect = browser.claims.visualItemRect(item)
    viewport = browser.claims.viewport()
    # A real double-click is a press, release, then the double-click event.
    qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    with qtbot.waitSignal(browser.open_annotation) as blocker:
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [str(SEED.resolve()), seeded.claims["blame"].id]

    with qtbot.waitSignal(browser.open_annotation) as blocker:
        browser.claims.setCurrentItem(item)
        qtbot.keyClick(browser.claims, Qt.Key.Key_Return)
    assert blocker.args == [str(SEED.resolve()), seeded.claims["blame"].id]


# -- actions ---------------------------------------------------------------------------------------


def test_edit_through_the_dialog_is_saved_and_shown(qtbot, seeded) -> None:
    def edit(source: Source, parent: QWidget) -> Source:
        assert parent is browser
        return replace(source, title="Fentanyl and the US Opioid Epidemic", issued="2024-01-05")

    dialog = Recorder()
    browser = make_browser(qtbot, seeded.library, edit_dialog=dialog)
    dialog.answers.append(None)  # Cancel first: nothing changes, nothing is announced
    select(browser, seeded.cfr.id)
    changed: list[None] = []
    browser.changed.connect(lambda: changed.append(None))
    qtbot.mouseClick(browser.edit_button, Qt.MouseButton.LeftButton)
    assert dialog.calls == [(seeded.cfr, browser)]
    assert changed == []

    browser._edit_dialog = edit
    with qtbot.waitSignal(browser.changed):
        qtbot.mouseClick(browser.edit_button, Qt.MouseButton.LeftButton)
    stored = seeded.library.source(seeded.cfr.id)
    assert stored is not None
    assert stored.title == "Fentanyl and the US Opioid Epidemic"
    assert stored.issued == "2024-01-05"
    row = shown(browser)[seeded.cfr.id]
    assert row[SourceColumn.TITLE] == "Fentanyl and the US Opioid Epidemic"
    assert row[SourceColumn.YEAR] == "2024"
    assert row[SourceColumn.CLAIMS] == "1"
    assert browser.selected_ids() == [seeded.cfr.id]  # still selected after the refresh
    assert browser.reference_label.text() == format_reference(stored)


def test_merging_duplicates_keeps_every_citation(qtbot, seeded) -> None:
    library = seeded.library
    choose = Recorder()  # Cancel first
    browser = make_browser(qtbot, library, choose_keep=choose)
    select(browser, seeded.cdc.id, seeded.cdc_copy.id)
    qtbot.mouseClick(browser.merge_button, Qt.MouseButton.LeftButton)
    assert len(choose.calls) == 1
    offered = {choose.calls[0][0], choose.calls[0][1]}
    assert {s.id for s in offered} == {seeded.cdc.id, seeded.cdc_copy.id}  # type: ignore[attr-defined]
    assert choose.calls[0][2] is browser
    assert len(shown(browser)) == 4  # cancelled: nothing merged

    keep = library.source(seeded.cdc.id)
    choose.answers.append(keep)
    with qtbot.waitSignal(browser.changed):
        qtbot.mouseClick(browser.merge_button, Qt.MouseButton.LeftButton)

    rows = shown(browser)
    assert set(rows) == {seeded.cdc.id, seeded.cfr.id, seeded.book.id}
    assert rows[seeded.cdc.id][SourceColumn.CLAIMS] == "3"  # 2 + 1
    assert library.source(seeded.cdc_copy.id) is None
    citing = {a.id for a in library.annotations_citing(seeded.cdc.id)}
    assert citing == {seeded.claims[n].id for n in ("toll", "scheduled", "productive")}
    merged = library.source(seeded.cdc.id)
    assert merged is not None
    assert merged.doi == seeded.cdc.doi  # the kept one's fields win
    assert merged.url == seeded.cdc_copy.url  # empty ones are filled from the other
    assert merged.accessed == "2026-01-12"
    # The merged source is selected and lists all three claims.
    assert browser.selected_ids() == [seeded.cdc.id]
    assert len(browser.claim_rows()) == 3
    assert browser.claims_label.text() == "Cited by 3 claims:"


def test_merge_keeps_the_second_when_chosen(qtbot, seeded) -> None:
    library = seeded.library
    copy = library.source(seeded.cdc_copy.id)
    browser = make_browser(qtbot, library, choose_keep=Recorder(copy))
    select(browser, seeded.cdc.id, seeded.cdc_copy.id)
    browser.merge_selected()
    assert library.source(seeded.cdc.id) is None
    assert shown(browser)[seeded.cdc_copy.id][SourceColumn.CLAIMS] == "3"
    assert len(library.annotations_citing(seeded.cdc_copy.id)) == 3


def test_open_url_uses_the_url_or_the_doi(qtbot, seeded) -> None:
    opener = Recorder()
    browser = make_browser(qtbot, seeded.library, open_url=opener)
    select(browser, seeded.cfr.id)
    qtbot.mouseClick(browser.open_button, Qt.MouseButton.LeftButton)
    select(browser, seeded.cdc.id)
    qtbot.mouseClick(browser.open_button, Qt.MouseButton.LeftButton)
    assert opener.calls == [
        (QUrl(seeded.cfr.url),),
        (QUrl("https://doi.org/10.15620/cdc:135849"),),
    ]


def test_open_url_refuses_addresses_that_are_not_web_mail_or_doi_links(qtbot, library) -> None:
    # Stored by a library from before imports kept such addresses as text (the store takes
    # what it is given): the browser still never hands them to the desktop.
    stored = [
        library.repo.sources.add(Source(title=f"Source {n}", url=url), [])
        for n, url in enumerate(["file:///etc/passwd", "javascript:alert(1)", "smb://host/share"])
    ]
    opener = Recorder()
    browser = make_browser(qtbot, library, open_url=opener)
    for source in stored:
        select(browser, source.id)
        assert not browser.open_button.isEnabled()
        browser.open_selected_url()
    assert opener.calls == []


def test_refresh_picks_up_sources_added_elsewhere(qtbot, library: Library) -> None:
    browser = make_browser(qtbot, library)
    assert browser.stack.currentWidget() is browser.empty_label
    added = library.add_source(Source(title="A new source", url="https://example.org/a"))
    browser.refresh()
    assert browser.stack.currentWidget() is browser.splitter
    assert list(shown(browser)) == [added.id]
    assert browser.claim_count(added.id) == 0


# -- the real dialogs ------------------------------------------------------------------------------


def test_default_edit_dialog_is_the_source_dialog(qtbot, seeded) -> None:
    from reader.ui.panels.source_dialog import SourceDialog

    browser = SourcesBrowser(seeded.library)
    qtbot.addWidget(browser)
    browser.show()
    select(browser, seeded.book.id)
    seen: list[SourceDialog] = []

    def fill_in() -> None:
        dialog = QApplication.activeModalWidget()
        try:
            assert isinstance(dialog, SourceDialog)
            seen.append(dialog)
            dialog.edits["title"].setText("Dreamland: The True Tale of America's Opiate Epidemic")
            dialog.accept()
        finally:
            if dialog is not None and dialog.isVisible():  # never leave a test hanging
                dialog.close()

    QTimer.singleShot(0, fill_in)
    with qtbot.waitSignal(browser.changed):
        browser.edit_selected()
    assert len(seen) == 1
    stored = seeded.library.source(seeded.book.id)
    assert stored is not None
    assert stored.title == "Dreamland: The True Tale of America's Opiate Epidemic"
    assert stored.authors == seeded.book.authors


def test_default_merge_question_keeps_the_one_clicked(qtbot, seeded) -> None:
    browser = SourcesBrowser(seeded.library)
    qtbot.addWidget(browser)
    browser.show()
    select(browser, seeded.cdc.id, seeded.cdc_copy.id)
    first, second = browser.selected_sources()

    def keep_second() -> None:
        box = QApplication.activeModalWidget()
        try:
            assert isinstance(box, QMessageBox)
            assert format_reference(first) in box.informativeText()
            (button,) = [b for b in box.buttons() if b.text() == "Keep 2"]
            button.click()
        finally:
            if box is not None and box.isVisible():  # never leave a test hanging
                box.close()

    QTimer.singleShot(0, keep_second)
    with qtbot.waitSignal(browser.changed):
        browser.merge_selected()
    assert seeded.library.source(first.id) is None
    assert browser.claim_count(second.id) == 3
