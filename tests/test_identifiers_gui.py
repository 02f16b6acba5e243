"""No identifier lost: a source added by ISBN shows it on its card, in the Sources window and in
every export (CSV's appended `source_isbn` column, Markdown, JSON), and All Annotations shows
citation counts and finds claims by their sources and evidence."""

from __future__ import annotations

import csv
import io
import json
from dataclasses import replace

from conftest import SEED
from PySide6.QtCore import Qt

from reader.exchange.csv_format import COLUMNS
from reader.model import ExportScope
from reader.ui.panels.citations import ROLE_HTML
from reader.ui.panels.sources import SourceColumn

ISBN = "978-0-306-40615-7"
DOI = "10.15620/cdc:135849"


def claim_with_sources(window, qtbot):
    tab = window.open_document(str(SEED))
    quote = "surged to 79,770 in 2022"
    start = tab.opened.document.text.index(quote)
    tab.view.select_range(start, start + len(quote))
    window.highlight_actions["claim"].trigger()
    (claim,) = tab.annotations.values()
    panel = window.editor.citations
    for reference, stance in ((ISBN, "supports"), (f"doi:{DOI}", "refutes")):
        panel.input.setPlainText(reference)
        panel.add_stance.setCurrentIndex(panel.add_stance.findData(stance))
        qtbot.mouseClick(panel.add_button, Qt.MouseButton.LeftButton)
    return tab, claim


def test_isbn_on_the_card_and_in_the_sources_window(window, qtbot):
    _tab, _claim = claim_with_sources(window, qtbot)
    card = window.editor.citations.citation_list.item(0)
    assert f"ISBN {ISBN}" in card.data(ROLE_HTML)
    assert "(n.d.)" not in card.data(ROLE_HTML)
    window.action("sources").trigger()
    browser = window.library_windows.sources_dialog.browser
    model = browser.model
    identifiers = [model.index(row, SourceColumn.LINK).data() for row in range(model.rowCount())]
    assert f"ISBN {ISBN}" in identifiers
    assert f"doi:{DOI}" in identifiers
    assert model.headerData(SourceColumn.LINK, Qt.Orientation.Horizontal) == "DOI / ISBN / URL"


def test_isbn_in_csv_markdown_and_json_and_the_csv_round_trip(window, qtbot, tmp_path):
    _tab, claim = claim_with_sources(window, qtbot)
    library = window.library
    out = tmp_path / "all.csv"
    library.export(out, "csv", ExportScope("all"))
    data = out.read_bytes()
    rows = list(csv.DictReader(io.StringIO(data.decode("utf-8"))))
    assert list(rows[0]) == list(COLUMNS)
    assert list(rows[0])[-2:] == ["source_isbn", "number_check"]
    assert list(rows[0])[-3] == "archived_url"
    assert {r["source_isbn"] for r in rows} == {"9780306406157", ""}
    # Export → import → export is byte-identical.
    assert str(library.import_file(out)).startswith("added 0, updated 0")
    again = tmp_path / "again.csv"
    library.export(again, "csv", ExportScope("all"))
    assert again.read_bytes() == data
    md = tmp_path / "report.md"
    library.export(md, "md", ExportScope("all"))
    report = md.read_text(encoding="utf-8")
    assert "ISBN `9780306406157`" in report  # the report's identifier line, said once
    assert report.count("9780306406157") + report.count(ISBN) == 1
    js = tmp_path / "all.json"
    library.export(js, "json", ExportScope("all"))
    assert "9780306406157" in json.dumps(json.loads(js.read_text(encoding="utf-8")))


def test_an_older_csv_without_source_isbn_is_still_read(window, qtbot, tmp_path):
    _tab, claim = claim_with_sources(window, qtbot)
    out = tmp_path / "all.csv"
    window.library.export(out, "csv", ExportScope("all"))
    older = [row[:-1] for row in csv.reader(io.StringIO(out.read_text(encoding="utf-8")))]
    old_file = tmp_path / "older.csv"
    with old_file.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, lineterminator="\r\n").writerows(older)
    summary = window.library.import_file(old_file)
    assert summary.added == 0


def test_all_annotations_shows_citation_counts_and_searches_sources(window, qtbot):
    tab, claim = claim_with_sources(window, qtbot)
    library = window.library
    (book_citation, doi_citation) = library.citations(claim.id)
    book = library.source(book_citation.source_id)
    library.update_source(replace(book, title="Overdose Atlas", publisher="Brookings"))
    window.editor.citations.citation_list.setCurrentRow(1)
    window.editor.citations.evidence_edit.setPlainText("provisional counts for calendar 2022")
    window.editor.citations.flush()
    # Another claim that cites nothing: the searches below must not find it.
    other = tab.opened.document.text.index("fentanyl")
    tab.view.select_range(other, other + len("fentanyl"))
    window.highlight_actions["claim"].trigger()
    window.action("all_annotations").trigger()
    browser = window.library_windows.browser_dialog.browser
    model = browser.model
    from reader.ui.annotation_model import Column

    row = model.row_of(claim.id)
    assert model.index(row, model.column(Column.CITATIONS)).data() == "✓1 ✗1"
    for words in ("overdose atlas", "Brookings", "calendar 2022"):
        browser.search_edit.clear()
        qtbot.keyClicks(browser.search_edit, words)
        qtbot.keyClick(browser.search_edit, Qt.Key.Key_Return)
        assert browser.visible_ids() == [claim.id], words
