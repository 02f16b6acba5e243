"""The annotation model, the Annotations sidebar and the library-wide annotation browser."""

from __future__ import annotations

from pathlib import Path

import pytest
from PySide6.QtCore import QEvent, QModelIndex, Qt
from PySide6.QtGui import QColor, QKeyEvent
from PySide6.QtWidgets import QApplication

from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    TextAnchor,
)
from reader.ui.annotation_model import (
    AnnotationRole,
    AnnotationTableModel,
    Column,
    IdRole,
)
from reader.ui.panels.browser import AnnotationBrowser
from reader.ui.panels.sidebar import AnnotationsPanel

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"

K = AnnotationKind
S = ClaimStatus


def ann(
    aid: str,
    start: int,
    quote: str,
    *,
    doc: int = 1,
    kind: AnnotationKind = K.CLAIM,
    status: ClaimStatus = S.UNVERIFIED,
    tags: tuple[str, ...] = (),
    note: str = "",
    claimant: str = "",
    state: AnchorState = AnchorState.EXACT,
    page: int = -1,
    color: str = "",
) -> Annotation:
    return Annotation(
        id=aid,
        document_id=doc,
        version_id=1,
        anchor=TextAnchor(quote, "", "", start, start + len(quote), state),
        kind=kind,
        color=color,
        status=status,
        claimant=claimant,
        note=note,
        tags=tags,
        author="Ada",
        page=page,
        created_at="2026-11-29T14:03:00Z",
        updated_at="2026-11-29T14:03:00Z",
    )


LONG = (
    "Opioids, primarily fentanyl, are the leading cause of U.S. overdose deaths, which have\n"
    "roughly quadrupled over the last 10 years, according to the Council on Foreign Relations."
)


def sample() -> list[Annotation]:
    """Six annotations of one document, deliberately out of reading order."""
    return [
        ann("e", 900, "the two countries held a meeting", kind=K.EVIDENCE, tags=("china",)),
        ann(
            "a",
            10,
            LONG,
            status=S.SUPPORTED,
            tags=("opioids", "cdc"),
            note="Check the CDC figures",
            claimant="CGTN",
            page=2,
            color="#ff0000",
        ),
        ann(
            "c", 400, "China officially scheduled all fentanyl-related substances", status=S.REFUTED
        ),
        ann("q", 700, "highly productive", kind=K.QUESTION, note="According to whom?"),
        ann(
            "o",
            300,
            "pointing blame at China",
            status=S.MISLEADING,
            state=AnchorState.ORPHAN,
            tags=("china",),
        ),
        ann("f", 200, "79,770 in 2022", state=AnchorState.FUZZY, claimant="CDC", tags=("cdc",)),
    ]


READING_ORDER = ["a", "f", "o", "c", "q", "e"]
COUNTS = {"a": (2, 1, 0), "c": (0, 1, 3)}


# -- model ------------------------------------------------------------------------------------


def test_model_passes_the_model_tester_through_every_change(qtmodeltester):
    model = AnnotationTableModel(show_document=True)
    model.set_annotations(sample(), COUNTS, titles={1: "Fentanyl report"})
    qtmodeltester.check(model)
    # The tester stays attached: these changes are checked as they happen.
    model.add(ann("n", 50, "a new one"))
    model.update_annotation(ann("e", 5, "moved to the top"))
    model.update_annotation(ann("a", 1000, LONG))
    model.update_annotation(ann("q", 700, "highly productive", status=S.DISPUTED))
    model.remove("c")
    model.set_citation_counts("f", (1, 0, 0))
    model.set_annotations([])
    qtmodeltester.check(AnnotationTableModel())


def test_model_keeps_reading_order_and_shows_what_a_checker_reads():
    model = AnnotationTableModel()
    model.set_annotations(sample() + [ann("z", 0, "other document", doc=2)], COUNTS)
    assert [model.annotation(r).id for r in range(model.rowCount())] == [*READING_ORDER, "z"]
    assert model.column(Column.DOCUMENT) == -1
    row = model.row_of("a")

    def cell(col: Column, role=Qt.ItemDataRole.DisplayRole, r=row):
        return model.index(r, model.column(col)).data(role)

    shown = cell(Column.QUOTE)
    assert "\n" not in shown and len(shown) <= 100 and shown.endswith("…")
    assert cell(Column.QUOTE, Qt.ItemDataRole.ToolTipRole).startswith(LONG)
    assert cell(Column.COLOR, Qt.ItemDataRole.DecorationRole) == QColor("#ff0000")
    assert cell(Column.KIND) == "Claim"
    assert cell(Column.STATUS) == "Supported"
    assert cell(Column.ANCHOR) == "exact"
    assert cell(Column.CITATIONS) == "✓2 ✗1"
    assert cell(Column.LOCATION) == "p. 3"
    assert cell(Column.QUOTE, AnnotationRole).note == "Check the CDC figures"
    assert cell(Column.STATUS, IdRole) == "a"
    q = model.row_of("q")
    assert cell(Column.CITATIONS, r=q) == ""
    assert cell(Column.LOCATION, r=q) == "¶"
    # No colour stored: the kind's default colour.
    assert cell(Column.COLOR, Qt.ItemDataRole.DecorationRole, r=q) == QColor("#5aa9f0")
    assert model.row_of("missing") == -1


def test_headers_name_each_column_and_explain_the_terse_ones():
    def headers(model: AnnotationTableModel, role=Qt.ItemDataRole.DisplayRole) -> list[str]:
        return [
            model.headerData(c, Qt.Orientation.Horizontal, role) for c in range(model.columnCount())
        ]

    sidebar, browser = AnnotationTableModel(), AnnotationTableModel(show_document=True)
    assert headers(sidebar) == ["", "Quote", "Kind", "Status", "Anchor", "Citations", "Location"]
    assert headers(browser)[:3] == ["", "Quote", "Document"]
    tips = dict(zip(headers(browser), headers(browser, Qt.ItemDataRole.ToolTipRole), strict=True))
    assert tips[""] == "Highlight colour"
    assert tips["Quote"] == "Quote"  # a plain header is its own tip
    assert "fuzzy" in tips["Anchor"] and "refute" in tips["Citations"] and "¶" in tips["Location"]
    assert sidebar.headerData(0, Qt.Orientation.Vertical) is None


def test_single_changes_are_inserts_moves_and_removals_not_resets(qtbot):
    model = AnnotationTableModel()
    model.set_annotations(sample())
    resets: list[bool] = []
    model.modelReset.connect(lambda: resets.append(True))

    with qtbot.waitSignal(model.rowsInserted) as inserted:
        model.add(ann("n", 250, "between f and o"))
    assert inserted.args[1:] == [2, 2]
    with qtbot.waitSignal(model.rowsMoved):
        model.update_annotation(ann("e", 0, "re-attached at the very start"))
    assert model.row_of("e") == 0
    with qtbot.waitSignal(model.dataChanged):
        model.update_annotation(ann("c", 400, "same place", status=S.DISPUTED))
    assert model.annotation(model.row_of("c")).status is S.DISPUTED
    with qtbot.waitSignal(model.rowsRemoved):
        assert model.remove("q")
    assert not model.remove("q")
    assert not model.update_annotation(ann("unknown", 1, "x"))
    assert [model.annotation(r).id for r in range(model.rowCount())] == [
        "e",
        "a",
        "f",
        "n",
        "o",
        "c",
    ]
    assert resets == []


# -- sidebar ----------------------------------------------------------------------------------


@pytest.fixture
def panel(qtbot):
    widget = AnnotationsPanel()
    qtbot.addWidget(widget)
    widget.resize(360, 600)
    widget.set_annotations(sample(), COUNTS)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def choose(combo, data: str) -> None:
    index = combo.findData(data)
    assert index >= 0, f"{data!r} not offered"
    combo.setCurrentIndex(index)


def test_sidebar_lists_in_reading_order_with_a_count(panel):
    assert panel.visible_ids() == READING_ORDER
    assert panel.count_label.text() == "6 annotations"
    assert panel.filters.tags() == ["cdc", "china", "opioids"]


def test_sidebar_filters_by_kind_status_tag_and_text(panel):
    choose(panel.filters.kind_combo, "evidence")
    assert panel.visible_ids() == ["e"]
    assert panel.count_label.text() == "1 shown of 6"
    choose(panel.filters.kind_combo, "")

    choose(panel.filters.status_combo, "refuted")
    assert panel.visible_ids() == ["c"]
    choose(panel.filters.status_combo, "")

    choose(panel.filters.tag_combo, "china")
    assert panel.visible_ids() == ["o", "e"]
    assert panel.count_label.text() == "2 shown of 6"
    choose(panel.filters.kind_combo, "claim")
    assert panel.visible_ids() == ["o"]
    panel.filters.clear()
    assert panel.count_label.text() == "6 annotations"

    text = panel.filters.text_edit
    text.setText("cdc")  # a note ("CDC figures"), a claimant and a tag
    assert panel.visible_ids() == ["a", "f"]
    text.setText("WHOM")  # case-insensitive, in a note
    assert panel.visible_ids() == ["q"]
    text.setText("cgtn opioids")  # every word, anywhere: claimant and tag
    assert panel.visible_ids() == ["a"]
    text.setText("FENTANYL")  # the quote
    assert panel.visible_ids() == ["a", "c"]
    text.setText("nowhere to be found")
    assert panel.visible_ids() == []
    assert panel.count_label.text() == "0 shown of 6"


def test_changes_keep_filters_and_tags_current(panel):
    choose(panel.filters.status_combo, "unverified")
    assert panel.visible_ids() == ["f", "q", "e"]
    panel.update_annotation(ann("f", 200, "79,770 in 2022", status=S.SUPPORTED, tags=("stats",)))
    assert panel.visible_ids() == ["q", "e"]
    panel.add_annotation(ann("n", 800, "a fresh claim", tags=("new",)))
    assert panel.visible_ids() == ["q", "n", "e"]
    assert panel.count_label.text() == "3 shown of 7"
    assert "new" in panel.filters.tags() and "stats" in panel.filters.tags()
    panel.remove_annotation("q")
    assert panel.visible_ids() == ["n", "e"]
    assert panel.count_label.text() == "2 shown of 6"


def test_select_scrolls_without_activating(panel, qtbot):
    many = [ann(f"x{i:02}", i * 10, f"quote number {i}") for i in range(60)]
    panel.set_annotations(many)
    activated: list[str] = []
    panel.activated.connect(activated.append)
    with qtbot.waitSignal(panel.selection_changed) as changed:
        assert panel.select("x55")
    assert changed.args == [["x55"]]
    assert panel.selected_ids() == ["x55"]
    index = panel.view.currentIndex()
    assert index.data(IdRole) == "x55"
    assert panel.view.viewport().rect().intersects(panel.view.visualRect(index))
    assert not panel.select("missing")
    assert panel.selected_ids() == []
    assert panel.select(None)
    assert activated == []


def test_select_of_a_filtered_out_annotation_selects_nothing(panel):
    choose(panel.filters.kind_combo, "evidence")
    assert not panel.select("a")
    assert panel.select("e")
    assert panel.selected_ids() == ["e"]


def click(qtbot, panel, annotation_id, modifier=Qt.KeyboardModifier.NoModifier):
    index = panel.proxy.index(panel.visible_ids().index(annotation_id), panel.view.modelColumn())
    rect = panel.view.visualRect(index)
    qtbot.mouseClick(panel.view.viewport(), Qt.MouseButton.LeftButton, modifier, rect.center())


def test_click_and_enter_activate_an_annotation(panel, qtbot):
    with qtbot.waitSignal(panel.activated) as blocker:
        click(qtbot, panel, "c")
    assert blocker.args == ["c"]
    assert panel.selected_ids() == ["c"]
    panel.select("q")
    with qtbot.waitSignal(panel.activated) as blocker:
        qtbot.keyClick(panel.view, Qt.Key.Key_Return)
    assert blocker.args == ["q"]


def test_multi_select_with_control_and_shift(panel, qtbot):
    activated: list[str] = []
    panel.activated.connect(activated.append)
    changes: list[list[str]] = []
    panel.selection_changed.connect(changes.append)
    click(qtbot, panel, "f")
    click(qtbot, panel, "q", Qt.KeyboardModifier.ControlModifier)
    assert panel.selected_ids() == ["f", "q"]
    click(qtbot, panel, "c", Qt.KeyboardModifier.ShiftModifier)
    assert panel.selected_ids() == ["f", "c", "q"]  # adds the range from the last click
    click(qtbot, panel, "q", Qt.KeyboardModifier.ControlModifier)
    assert panel.selected_ids() == ["f", "c"]
    assert activated == ["f"]  # extending a selection does not jump the document
    assert changes[0] == ["f"] and changes[1] == ["f", "q"]
    # A refresh keeps the selection of annotations that are still there.
    panel.set_annotations([a for a in sample() if a.id != "q"])
    assert panel.selected_ids() == ["f", "c"]
    assert changes[-1] == ["f", "c"]


def test_orphans_are_listed_and_flagged(panel):
    assert "o" in panel.visible_ids()
    row = panel.visible_ids().index("o")
    index = panel.proxy.index(row, panel.view.modelColumn())
    assert index.data(Qt.ItemDataRole.DisplayRole) == "pointing blame at China"
    assert index.data(Qt.ItemDataRole.ToolTipRole).startswith("Orphan:")
    assert index.data(Qt.ItemDataRole.FontRole).italic()
    assert "orphan" in index.data(Qt.ItemDataRole.AccessibleTextRole)
    fuzzy = panel.proxy.index(panel.visible_ids().index("f"), panel.view.modelColumn())
    assert fuzzy.data(Qt.ItemDataRole.ToolTipRole).startswith("Fuzzy:")
    assert "orphan" in panel.count_label.toolTip()
    # The delegate draws every kind of row (two lines, badges) without complaint.
    assert panel.view.sizeHintForRow(0) > 2 * panel.fontMetrics().height()
    assert not panel.grab().isNull()


def test_delete_key_is_left_to_the_window_action(panel):
    panel.select("a")
    for kind in (QEvent.Type.ShortcutOverride, QEvent.Type.KeyPress):
        event = QKeyEvent(kind, Qt.Key.Key_Delete, Qt.KeyboardModifier.NoModifier)
        QApplication.sendEvent(panel.view, event)
        assert not event.isAccepted(), kind
    assert panel.visible_ids() == READING_ORDER


def test_empty_sidebar(qtbot):
    widget = AnnotationsPanel()
    qtbot.addWidget(widget)
    assert widget.count_label.text() == "No annotations"
    assert widget.selected_ids() == []
    assert widget.view.currentIndex() == QModelIndex()


# -- browser ----------------------------------------------------------------------------------


@pytest.fixture
def lib(tmp_path):
    from reader.library import Library

    library = Library(tmp_path / "lib.sqlite")
    yield library
    library.close()


@pytest.fixture
def seeded(lib):
    opened = lib.open_path(SEED)
    text = opened.document.text

    def span(words: str) -> tuple[int, int]:
        start = text.index(words)
        return start, start + len(words)

    made = {
        "toll": lib.highlight(
            opened,
            *span("the death toll from opioids surged to 79,770 in 2022"),
            K.CLAIM,
            note="Compare with the provisional CDC release",
            tags=("statistics",),
            author="Ada",
        ),
        "scheduled": lib.highlight(
            opened,
            *span("China officially scheduled all fentanyl-related substances"),
            K.CLAIM,
            status=S.SUPPORTED,
            tags=("regulation", "china"),
            author="Ada",
        ),
        "productive": lib.highlight(
            opened,
            *span("highly productive"),
            K.QUESTION,
            note="Productive by which measure?",
            author="Ada",
        ),
    }
    return opened, made


@pytest.fixture
def browser(qtbot, lib, seeded):
    widget = AnnotationBrowser(lib)
    qtbot.addWidget(widget)
    widget.resize(900, 500)
    widget.show()
    qtbot.waitExposed(widget)
    return widget


def search(qtbot, browser, text: str) -> None:
    browser.search_edit.setText(text)
    assert browser._timer.isActive()  # debounced, not run per keystroke
    with qtbot.waitSignal(browser.model.modelReset, timeout=2000):
        pass


def test_browser_lists_everything_with_document_titles(browser, seeded):
    opened, made = seeded
    order = [made["toll"].id, made["scheduled"].id, made["productive"].id]
    assert browser.visible_ids() == order
    assert browser.count_label.text() == "3 annotations"
    doc_col = browser.model.column(Column.DOCUMENT)
    assert browser.proxy.index(0, doc_col).data() == opened.record.title
    assert browser.filters.tags() == ["china", "regulation", "statistics"]


def test_browser_searches_notes_tags_and_quotes(browser, qtbot, seeded):
    _, made = seeded
    search(qtbot, browser, "provisional")  # a word of a note
    assert browser.visible_ids() == [made["toll"].id]
    assert browser.count_label.text() == "1 match"
    search(qtbot, browser, "regulation")  # a tag
    assert browser.visible_ids() == [made["scheduled"].id]
    search(qtbot, browser, "fentanyl")  # a word of a quote
    assert browser.visible_ids() == [made["scheduled"].id]
    search(qtbot, browser, "PRODUCT")  # prefix of the last word, any case
    assert browser.visible_ids() == [made["productive"].id]
    search(qtbot, browser, "unicorns")
    assert browser.visible_ids() == []
    assert browser.count_label.text() == "No matches"
    search(qtbot, browser, "")
    assert len(browser.visible_ids()) == 3


def test_browser_filters_narrow_the_search(browser, qtbot, seeded):
    _, made = seeded
    choose(browser.filters.kind_combo, "question")
    assert browser.visible_ids() == [made["productive"].id]
    assert browser.count_label.text() == "1 shown of 3"
    choose(browser.filters.kind_combo, "")
    choose(browser.filters.status_combo, "supported")
    assert browser.visible_ids() == [made["scheduled"].id]
    choose(browser.filters.status_combo, "")
    choose(browser.filters.tag_combo, "statistics")
    assert browser.visible_ids() == [made["toll"].id]


def test_browser_double_click_and_enter_ask_to_open_the_source(browser, qtbot, seeded):
    opened, made = seeded
    index = browser.proxy.index(1, browser.model.column(Column.QUOTE))
    rect = browser.view.visualRect(index)
    viewport = browser.view.viewport()
    with qtbot.waitSignal(browser.open_requested) as blocker:
        # A real double-click starts with a press; QTest's double-click event alone does not.
        qtbot.mouseClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
        qtbot.mouseDClick(viewport, Qt.MouseButton.LeftButton, pos=rect.center())
    assert blocker.args == [opened.record.source, made["scheduled"].id]
    assert Path(opened.record.source) == SEED.resolve()
    browser.view.setCurrentIndex(browser.proxy.index(2, 0))
    with qtbot.waitSignal(browser.open_requested) as blocker:
        qtbot.keyClick(browser.view, Qt.Key.Key_Return)
    assert blocker.args == [opened.record.source, made["productive"].id]


def test_browser_refresh_picks_up_new_annotations(browser, lib, seeded):
    opened, made = seeded
    browser.view.selectionModel().select(
        browser.proxy.index(0, 0),
        browser.view.selectionModel().SelectionFlag.Select
        | browser.view.selectionModel().SelectionFlag.Rows,
    )
    start = opened.document.text.index("counternarcotics cooperation")
    added = lib.highlight(opened, start, start + 28, K.EVIDENCE, tags=("cooperation",))
    lib.delete(made["productive"].id)
    browser.refresh()
    assert added.id in browser.visible_ids()
    assert made["productive"].id not in browser.visible_ids()
    assert "cooperation" in browser.filters.tags()
    assert browser.selected_ids() == [made["toll"].id]
