"""Exact words: a mouse drag selects whole words in both views (Alt+drag letter by letter),
double-click a word, triple-click a sentence (article) or a line (PDF), Shift+click extends,
stored quotes never start or end with whitespace, and a highlight's ends move by a word."""

from __future__ import annotations

from conftest import CORPUS, SEED
from PySide6.QtCore import QPoint, Qt
from PySide6.QtGui import QTextCursor

from reader.library import Library

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
LEFT = Qt.MouseButton.LeftButton
ALT = Qt.KeyboardModifier.AltModifier
SHIFT = Qt.KeyboardModifier.ShiftModifier
NONE = Qt.KeyboardModifier.NoModifier


# -- where words are on screen -----------------------------------------------------------------


def article_point(view, offset: int) -> QPoint:
    """The middle of the character at `offset` of the article, in viewport coordinates."""
    cursor = QTextCursor(view.document())
    cursor.setPosition(view.position_of(offset))
    left = view.cursorRect(cursor)
    cursor.setPosition(view.position_of(offset + 1))
    right = view.cursorRect(cursor)
    x = (left.center().x() + right.center().x()) // 2 if right.top() == left.top() else left.x() + 2
    return QPoint(x, left.center().y())


def pdf_point(view, page: int, index: int) -> QPoint:
    char = next(c for c in view.backend.page_chars(page) if c.offset == index)
    r = char.rect
    return view.map_from_page(page, (r.x0 + r.x1) / 2, (r.y0 + r.y1) / 2)


def drag(qtbot, widget, start: QPoint, end: QPoint, modifier=NONE) -> None:
    qtbot.mousePress(widget, LEFT, modifier, start)
    middle = QPoint((start.x() + end.x()) // 2, (start.y() + end.y()) // 2)
    qtbot.mouseMove(widget, middle)
    qtbot.mouseMove(widget, end)
    qtbot.mouseRelease(widget, LEFT, modifier, end)


def open_seed(window):
    tab = window.open_document(str(SEED))
    view = tab.view
    view.resize(900, 600)
    return tab, view, tab.opened.document.text


# -- article -------------------------------------------------------------------------------


def test_drag_in_an_article_takes_whole_words_and_the_quote_has_no_spaces(window, qtbot):
    tab, view, text = open_seed(window)
    whole = "surged to 79,770 in 2022"
    at = text.index(whole)
    # From inside "surged" ("g") to inside "2022" (the "0"): whole words, not "ged to … 20".
    drag(
        qtbot,
        view.viewport(),
        article_point(view, at + 3),
        article_point(view, at + len(whole) - 3),
    )
    assert view.selected_text() == whole
    qtbot.keyClick(view, Qt.Key.Key_1)
    (claim,) = tab.annotations.values()
    assert claim.anchor.quote == whole
    assert window.library.annotation(claim.id).anchor.quote == whole


def test_alt_drag_is_letter_by_letter(window, qtbot):
    _tab, view, text = open_seed(window)
    at = text.index("surged to 79,770 in 2022")
    start, end = article_point(view, at + 3), article_point(view, at + 21)
    drag(qtbot, view.viewport(), start, end, ALT)
    chosen = view.selected_text()
    # Cut inside both words, where the pointer was (the nearest letter boundary).
    assert chosen in "surged to 79,770 in 2022"
    assert chosen.startswith(("ged to", "ed to")) and chosen.endswith(("in 2", "in 20"))


def test_double_click_word_triple_click_sentence_shift_click_extends(window, qtbot):
    _tab, view, text = open_seed(window)
    number = text.index("79,770")
    point = article_point(view, number + 1)
    qtbot.mouseDClick(view.viewport(), LEFT, NONE, point)
    assert view.selected_text() == "79,770"
    qtbot.mousePress(view.viewport(), LEFT, NONE, point)
    qtbot.mouseRelease(view.viewport(), LEFT, NONE, point)
    sentence = view.selected_text()
    assert sentence.startswith("Data from the U.S. Centers for Disease Control")
    assert sentence.endswith("surged to 79,770 in 2022.")
    # A fresh click, then Shift+click further on: the selection grows to the word clicked.
    surged = text.index("surged to 79,770")
    far = article_point(view, surged + 1)
    qtbot.mouseDClick(view.viewport(), LEFT, NONE, far)
    assert view.selected_text() == "surged"
    qtbot.mouseClick(view.viewport(), LEFT, SHIFT, article_point(view, text.index("2022.") + 1))
    assert view.selected_text() == "surged to 79,770 in 2022"


# -- PDF -----------------------------------------------------------------------------------


def test_drag_in_a_pdf_across_lines_and_pages_takes_whole_words(window, qtbot):
    tab = window.open_document(str(PDF))
    view = tab.view
    qtbot.waitUntil(lambda: view.has_painted, timeout=10000)
    doc = tab.opened.document
    first, second = doc.page_text(0), doc.page_text(1)
    words0 = [i for i, ch in enumerate(first) if ch.isalpha() and (i == 0 or first[i - 1] == " ")]
    start = words0[len(words0) // 2] + 1  # the second letter of a word in the middle of page 1
    end_word = next(i for i, ch in enumerate(second) if ch.isalpha())
    end_word_end = end_word
    while end_word_end < len(second) and second[end_word_end].isalnum():
        end_word_end += 1
    view.set_zoom(0.5)  # both pages on screen
    view.go_to_page(0)
    drag(qtbot, view.viewport(), pdf_point(view, 0, start), pdf_point(view, 1, end_word + 1))
    (p0, s0, _e0), *_middle, (p1, _s1, e1) = view.selection_pages()
    assert (p0, p1) == (0, 1)
    assert s0 == start - 1  # the word's first letter
    assert e1 == end_word_end  # the whole last word
    quote = view.selected_text()
    assert quote == quote.strip()
    qtbot.keyClick(view, Qt.Key.Key_2)
    (evidence,) = tab.annotations.values()
    assert evidence.anchor.quote == evidence.anchor.quote.strip()
    assert evidence.anchor.quote.split()[0] == first[start - 1 :].split()[0]


def test_pdf_double_click_word_triple_click_line_and_alt_drag(window, qtbot):
    tab = window.open_document(str(PDF))
    view = tab.view
    qtbot.waitUntil(lambda: view.has_painted, timeout=10000)
    text = tab.opened.document.page_text(0)
    word = next(m for m in __import__("re").finditer(r"[A-Za-z]{6,}", text))
    point = pdf_point(view, 0, word.start() + 2)
    qtbot.mouseDClick(view.viewport(), LEFT, NONE, point)
    assert view.selected_text() == word.group()
    qtbot.mousePress(view.viewport(), LEFT, NONE, point)
    qtbot.mouseRelease(view.viewport(), LEFT, NONE, point)
    line_start = text.rfind("\n", 0, word.start()) + 1
    line_end = text.find("\n", word.start())
    assert view.selected_text() == text[line_start:line_end].strip()
    # Pressed elsewhere (not a fourth click), dragged back letter by letter.
    drag(
        qtbot,
        view.viewport(),
        pdf_point(view, 0, word.end() - 2),
        pdf_point(view, 0, word.start() + 2),
        ALT,
    )
    assert view.selected_text() == word.group()[2:-1]


# -- the library and the ends of a highlight -------------------------------------------------


def test_stored_quotes_never_start_or_end_with_whitespace(library: Library):
    opened = library.open(str(SEED))
    text = opened.document.text
    at = text.index(" surged to 79,770 ")
    annotation = library.highlight(opened, at, at + len(" surged to 79,770 "))
    assert annotation.anchor.quote == "surged to 79,770"
    assert text[annotation.anchor.start : annotation.anchor.end] == "surged to 79,770"


def test_shift_arrows_move_either_end_by_a_word_saved_and_undoable(window, qtbot):
    tab, view, text = open_seed(window)
    at = text.index("to 79,770 in")
    view.select_range(at, at + len("to 79,770 in"))
    window.highlight_actions["claim"].trigger()
    (claim,) = tab.annotations.values()
    view.setFocus()
    qtbot.keyClick(view, Qt.Key.Key_Right, SHIFT)
    assert window.library.annotation(claim.id).anchor.quote == "to 79,770 in 2022"
    qtbot.keyClick(view, Qt.Key.Key_Left, SHIFT | Qt.KeyboardModifier.ControlModifier)
    assert window.library.annotation(claim.id).anchor.quote == "surged to 79,770 in 2022"
    qtbot.keyClick(view, Qt.Key.Key_Left, SHIFT)
    assert window.library.annotation(claim.id).anchor.quote == "surged to 79,770 in"
    assert tab.annotations[claim.id].anchor.quote == "surged to 79,770 in"
    assert window.action("undo").text().replace("&", "") == "Undo Adjust highlight"
    window.action("undo").trigger()
    window.action("undo").trigger()
    assert window.library.annotation(claim.id).anchor.quote == "to 79,770 in 2022"
    assert window.sidebar.model.annotation(0).anchor.quote == "to 79,770 in 2022"


def test_cli_annotate_stores_the_quote_without_its_spaces(tmp_path):
    import json
    import subprocess
    import sys

    from conftest import ROOT

    db = tmp_path / "lib.sqlite"
    run = [sys.executable, str(ROOT / "main.py"), "--db", str(db)]
    made = subprocess.run(
        [*run, "annotate", str(SEED), "--quote", " surged to 79,770 "],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert made.returncode == 0, made.stderr
    listed = subprocess.run([*run, "list", "--json"], capture_output=True, text=True, timeout=120)
    (annotation,) = json.loads(listed.stdout)
    assert annotation["quote"] == "surged to 79,770"
