"""Long work off the UI thread: a big PDF's text and re-anchoring, with progress and Cancel.

The documents are written by the test (plain PDF syntax, `bench.common.write_text_pdf`): big
enough that reading their text takes seconds, with words the test can look for.
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SEED
from PySide6.QtCore import Qt, QTimer

sys.path.insert(0, str(ROOT))
from bench.common import write_text_pdf  # noqa: E402
from reader.model import AnchorState, AnnotationKind  # noqa: E402
from reader.ui.document_work import BIG_PAGES  # noqa: E402

WORDS = "claim source evidence report figure table percent rate deaths survey".split()


def page_lines(page: int, *, changed: bool = False) -> list[str]:
    lines = []
    for i in range(40):
        words = [WORDS[(page * 7 + i * 3 + k) % len(WORDS)] for k in range(9)]
        lines.append(f"Line {i} of page {page + 1}: " + " ".join(words))
    if page == 2:
        lines[5] = "The death toll surged to 79,770 in 2022 according to the agency."
    if changed and page == 0:
        lines.insert(0, "Corrected edition: an editor's note was added at the top.")
    return lines


def write_big_pdf(path: Path, pages: int, *, changed: bool = False) -> Path:
    return write_text_pdf(
        path, [(f"Chapter {p + 1}", page_lines(p, changed=changed)) for p in range(pages)]
    )


@pytest.fixture
def big_pdf(tmp_path: Path) -> Path:
    return write_big_pdf(tmp_path / "big.pdf", 1500)


def work_of(window, tab):
    return window.annotations.work._works.get(id(tab))


def test_find_in_a_big_pdf_reads_its_text_on_a_worker(window, qtbot, big_pdf) -> None:
    tab = window.open_document(str(big_pdf))
    doc = tab.opened.document
    assert doc.page_count > BIG_PAGES and not doc.text_ready
    indicator = window.annotations.work.indicator
    # A timer ticking on the UI thread: each tick that finds the worker still reading proves
    # the event loop runs meanwhile; the first such tick scrolls, as a user would.
    ticks: list[tuple[bool, int, bool]] = []

    def tick() -> None:
        running = window.annotations.work.running(tab)
        if running and not any(t[0] for t in ticks):
            tab.view.go_to_page(700)
        ticks.append((running, indicator.bar.value(), indicator.isVisible()))

    timer = QTimer()
    timer.timeout.connect(tick)
    timer.start(5)
    window.find.open()
    window.find.bar.edit.setText("79,770")  # typing searches at once
    assert work_of(window, tab) is not None, "the text of a 1,500-page PDF is read on a worker"
    assert window.find.bar.count.text() == "Reading the text…"
    qtbot.waitUntil(lambda: window.find.bar.count.text() == "1 of 1", timeout=120000)
    timer.stop()
    during = [t for t in ticks if t[0]]
    assert during, "the event loop never ran while the text was read"
    assert all(visible for _, _, visible in during)  # progress and Cancel were on show
    assert any(0 < value < 1500 for _, value, _ in during) or len(during) == 1
    assert "Reading the text of" in indicator.label.text()
    assert doc.text_ready and not indicator.isVisible()
    # The view went to the match (page 3) after having scrolled to page 700 meanwhile.
    assert tab.view.current_page == 2
    # And the text is the one the document gives itself: anchors agree.
    assert doc.text.count("79,770") == 1
    assert doc.page_text_offset(2) == doc.text.index("Chapter 3")


def test_cancel_leaves_things_as_they_were(window, qtbot, big_pdf) -> None:
    tab = window.open_document(str(big_pdf))
    view = tab.view
    view.go_to_page(2)
    line = tab.opened.document.page_text(2).split("\n")[6]
    start = tab.opened.document.page_text(2).index(line)
    view.select_range(2, start, start + 20)
    assert window.annotations.highlight(AnnotationKind.CLAIM) is None  # waits for the text
    work = work_of(window, tab)
    assert work is not None
    cancel = window.annotations.work.indicator.cancel_button
    assert cancel.isVisible()
    messages: list[str] = []
    window.annotations.message.connect(messages.append)
    qtbot.mouseClick(cancel, Qt.MouseButton.LeftButton)
    qtbot.waitUntil(lambda: not window.annotations.work.running(tab), timeout=60000)
    assert messages and messages[-1].startswith("Cancelled: the document's text was not read")
    assert window.library.repo.annotations_for_document(tab.opened.record.id) == []
    assert not tab.opened.document.text_ready
    # Asked again, it is read and the highlight made.
    assert view.has_selection()
    window.annotations.highlight(AnnotationKind.CLAIM)
    qtbot.waitUntil(
        lambda: len(window.library.repo.annotations_for_document(tab.opened.record.id)) == 1,
        timeout=120000,
    )
    (made,) = window.library.repo.annotations_for_document(tab.opened.record.id)
    assert made.anchor.quote == line[:20] and made.page == 2


def test_changed_big_pdf_is_reanchored_off_the_ui_thread(window, qtbot, tmp_path, library) -> None:
    path = write_big_pdf(tmp_path / "report.pdf", 400)
    opened = library.open_path(str(path))
    text = opened.document.text
    quotes = ["The death toll surged to 79,770 in 2022", "Line 17 of page 300:", "Chapter 399"]
    made = []
    for quote in quotes:
        start = text.index(quote)
        made.append(library.highlight(opened, start, start + len(quote)))
    opened.document.close()
    write_big_pdf(path, 400, changed=True)  # a new edition at the same place
    tab = window.open_document(str(path))
    assert tab.annotations == {}  # made on the old edition: shown once re-anchored
    assert window.annotations.work.running(tab)
    assert "Reading the text of" in window.annotations.work.indicator.label.text()
    messages: list[str] = []
    window.annotations.message.connect(messages.append)
    qtbot.waitUntil(lambda: len(tab.annotations) == 3, timeout=120000)
    doc = tab.opened.document
    version = library.repo.version_id(doc.sha256)
    for before in made:
        after = tab.annotations[before.id]
        assert after.anchor.state is AnchorState.EXACT
        assert doc.text[after.anchor.start : after.anchor.end] == before.anchor.quote
        assert after.version_id == version
        assert library.annotation(before.id).version_id == version  # stored
    assert messages[-1].startswith("This document changed; its annotations were re-anchored")
    assert window.sidebar.model.rowCount() == 3
    page = doc.page_at_offset(tab.annotations[made[1].id].anchor.start)
    assert page == 299


def test_closing_the_tab_or_window_while_reading_is_clean(window, qtbot, big_pdf) -> None:
    tab = window.open_document(str(big_pdf))
    window.find.open()
    window.find.bar.edit.setText("79,770")
    assert window.annotations.work.running(tab)
    window.tabs.close_current()
    assert not window.annotations.work.indicator.isVisible()
    # A second one, and the window closes while it reads.
    tab = window.open_document(str(big_pdf))
    window.find.bar.edit.setText("79,77")
    assert window.annotations.work.running(tab)
    window.close()
    assert window.annotations.work._works == {}


def test_small_documents_are_read_on_the_spot(window, tmp_path) -> None:
    path = write_big_pdf(tmp_path / "small.pdf", BIG_PAGES)
    tab = window.open_document(str(path))
    window.find.open()
    window.find.bar.edit.setText("79,770")
    assert window.find.bar.count.text() == "1 of 1"
    assert not window.annotations.work.running(tab)


def test_going_to_a_claim_in_a_changed_big_pdf_waits_for_it(window, qtbot, tmp_path, library):
    path = write_big_pdf(tmp_path / "report.pdf", 300)
    opened = library.open_path(str(path))
    start = opened.document.text.index("Line 17 of page 250:")
    claim = library.highlight(opened, start, start + 20)
    opened.document.close()
    write_big_pdf(path, 300, changed=True)
    window.navigation.open_at_annotation(str(path), claim.id)  # as All Annotations ▸ open does
    tab = window.current_tab()
    assert claim.id not in tab.annotations and window.annotations.work.running(tab)
    qtbot.waitUntil(lambda: window.editor.annotation() is not None, timeout=120000)
    assert window.editor.annotation().id == claim.id
    assert tab.view.current_page == 249


# -- big articles ------------------------------------------------------------------------------

GUARDIAN = CORPUS / "html" / "readability" / "guardian-1" / "source.html"  # 1.1 MB saved page


def test_a_big_saved_page_is_read_on_a_worker(window, qtbot) -> None:
    assert GUARDIAN.stat().st_size > window.opener.background_open_bytes
    fired: list[bool] = []
    assert window.open_document(str(GUARDIAN)) is None
    assert window.is_reading()
    indicator = window.opener.indicator
    assert indicator.isVisible() and indicator.label.text() == "Opening source.html…"
    QTimer.singleShot(0, lambda: fired.append(window.is_reading()))
    assert window.open_document(str(GUARDIAN)) is None  # asked twice: still one job
    assert len(window.opener.readings) == 1
    with qtbot.waitSignal(window.document_opened, timeout=120000) as opened:
        pass
    tab = opened.args[0]
    assert fired == [True]  # the event loop ran while the page was being read
    assert not indicator.isVisible() and window.tabs.count() == 1
    assert len(tab.opened.document.text) > 1000 and tab.view.toPlainText().strip()
    assert window.library.document(tab.opened.document.sha256) is not None
    # Open again: the tab is switched to, nothing is read again.
    assert window.open_document(str(GUARDIAN)) is None and not window.is_reading()
    assert window.tabs.count() == 1


def test_cancel_opening_a_big_page_records_nothing(window, qtbot) -> None:
    assert window.open_document(str(GUARDIAN)) is None
    qtbot.mouseClick(window.opener.indicator.cancel_button, Qt.MouseButton.LeftButton)
    assert not window.is_reading() and not window.opener.indicator.isVisible()
    # The worker finishes its extraction unseen; its result is dropped.
    qtbot.wait(0)
    window.open_document(str(SEED))
    seed = str(SEED.resolve())  # recorded resolved (the corpus may be behind a symlink)
    assert window.tabs.count() == 1 and window.current_tab().opened.record.source == seed
    assert [r.source for r in window.library.recent()] == [seed]


def test_a_big_page_without_text_says_so(window, qtbot, tmp_path) -> None:
    empty = tmp_path / "empty.html"
    empty.write_text("<html><body>" + "<div><span></span></div>" * 20000 + "</body></html>")
    assert empty.stat().st_size > window.opener.background_open_bytes
    window.last_error = ""
    assert window.open_document(str(empty)) is None
    qtbot.waitUntil(lambda: bool(window.last_error), timeout=120000)
    assert window.last_error == "empty.html has no readable article text."
    assert window.tabs.count() == 0 and window.library.recent() == []


def test_closing_the_window_while_a_page_is_read(window, qtbot) -> None:
    assert window.open_document(str(GUARDIAN)) is None
    window.close()
    assert window.tabs.count() == 0


def test_a_huge_paragraph_shows_fast_and_keeps_its_coordinates(window, qtbot, tmp_path) -> None:
    """A 300,000-character single line is shown in pieces (Qt lays out one huge paragraph in
    worse than linear time); offsets, selection and highlights still match the text."""
    rng = __import__("random").Random(5)
    words = [rng.choice(WORDS) for _ in range(40000)]
    path = tmp_path / "one-line.txt"
    path.write_text(" ".join(words) + " The death toll surged to 79,770 in 2022.")
    window.opener.background_open_bytes = 1 << 40  # on the spot: this test is about the view
    tab = window.open_document(str(path))
    view, text = tab.view, tab.opened.document.text
    assert "\n" not in text and len(text) > 250_000
    assert view.document().blockCount() > 40  # shown as pieces
    assert view.document().characterCount() == len(view.toPlainText()) + 1
    for offset in range(0, len(text), 997):
        assert view.offset_at(view.position_of(offset)) == offset
    # A highlight across a piece boundary stores the text's words, spaces and all.
    first = view.document().findBlock(view.position_of(0))
    cut = view.offset_at(first.position() + first.length() - 1)  # where the first piece ends
    assert text[cut] == " " and cut >= 5000
    start, end = cut - 20, cut + 20
    view.select_range(start, end)
    assert view.selection_range() == (start, end)
    made = window.annotations.highlight(AnnotationKind.CLAIM)
    assert made is not None and made.anchor.quote == text[start:end] and " " in made.anchor.quote
    window.find.open()
    window.find.bar.edit.setText("79,770")
    assert window.find.bar.count.text() == "1 of 1"


def test_a_long_article_aligned_with_its_old_text_is_reanchored_on_the_worker(
    window, qtbot, tmp_path, library
) -> None:
    # 150,000 characters: aligning the two editions could take longer than a frame, so the
    # window does it on the worker; the annotation ends on the original, not the pull quote.
    seed = SEED.read_text(encoding="utf-8")
    story = tmp_path / "long-story.txt"
    story.write_text("\n\n".join(f"Part {n}.\n{seed}" for n in range(40)), encoding="utf-8")
    opened = library.open_path(str(story))
    text = opened.document.text
    assert len(text) > 100_000
    quote = "surged to 79,770 in 2022"
    start = text.index(quote, len(text) // 2)
    made = library.highlight(opened, start, start + len(quote))
    passage = text[start - 200 : start + 200]
    story.write_text(f"{passage}\n\n{story.read_text(encoding='utf-8')}", encoding="utf-8")
    tab = window.open_document(str(story))
    assert window.annotations.work.running(tab)
    qtbot.waitUntil(lambda: made.id in tab.annotations, timeout=120000)
    after = tab.annotations[made.id].anchor
    new = tab.opened.document.text
    assert after.state is AnchorState.EXACT and new[after.start : after.end] == quote
    assert after.start == start + len(new) - len(text)  # the original, moved by the pull quote
