"""Anchors follow the document's own change: a copy of the quoted words never takes them.

With the previous version's text the two versions are aligned; without it, equally good copies
make an orphan with candidates. Documents are lists of (word, origin) tokens, so the quote's true
place in every later version is known (`origin` is the token's index in the first version).
"""

from __future__ import annotations

import shutil
from pathlib import Path

from hypothesis import assume, given, settings
from hypothesis import strategies as st

from reader.anchoring import make_anchor, reanchor_many
from reader.library import Library
from reader.model import AnchorState, AnnotationKind

EXACT, FUZZY, ORPHAN = AnchorState.EXACT, AnchorState.FUZZY, AnchorState.ORPHAN
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"
EDITIONS = Path(__file__).resolve().parent / "fixtures" / "editions"
VOCAB = sorted({w for w in SEED.read_text(encoding="utf-8").split() if w.isascii()})

words_st = st.sampled_from(VOCAB)


@st.composite
def paragraphs_st(draw, min_size=4, max_size=9):
    """Paragraphs as in a real document, each its own (no word repeated), so which paragraph
    went where is a fact, not a matter of opinion; copies are made by the tests."""
    sizes = draw(st.lists(st.integers(6, 20), min_size=min_size, max_size=max_size))
    words = draw(st.lists(words_st, min_size=sum(sizes), max_size=sum(sizes), unique=True))
    paragraphs, at = [], 0
    for size in sizes:
        paragraphs.append(" ".join(words[at : at + size]))
        at += size
    return paragraphs


def join(paragraphs: list[str]) -> str:
    return "\n".join(paragraphs)


def start_of(paragraphs: list[str], index: int) -> int:
    return sum(len(p) + 1 for p in paragraphs[:index])


@st.composite
def quoted(draw, short=False):
    """Paragraphs, the index of the quoted one, and the quote's span inside that paragraph."""
    paragraphs = draw(paragraphs_st())
    index = draw(st.integers(0, len(paragraphs) - 1))
    words = paragraphs[index].split(" ")
    if short:
        first = draw(st.integers(0, len(words) - 1))
        last = first
    else:
        first = draw(st.integers(0, len(words) - 2))
        last = draw(st.integers(first, min(len(words) - 1, first + 8)))
    lo = len(" ".join(words[:first])) + (1 if first else 0)
    hi = len(" ".join(words[: last + 1]))
    return paragraphs, index, lo, hi


def anchored(paragraphs, index, lo, hi):
    old = join(paragraphs)
    base = start_of(paragraphs, index)
    return old, make_anchor(old, base + lo, base + hi)


def check_on_its_words(result, new: str, true_start: int, quote: str) -> None:
    assert (result.state, result.start) == (EXACT, true_start), (result, true_start)
    assert new[result.start : result.end] == quote


# -- with the previous text: aligned -------------------------------------------------------------


@settings(derandomize=True, max_examples=150, deadline=None)
@given(quoted(), st.data())
def test_a_copy_of_the_quoted_paragraph_anywhere_never_takes_the_anchor(doc, data):
    paragraphs, index, lo, hi = doc
    old, anchor = anchored(paragraphs, index, lo, hi)
    # The whole paragraph, context and all, pasted at any paragraph boundary (a pull quote).
    where = data.draw(st.integers(0, len(paragraphs)))
    edited = paragraphs[:where] + [paragraphs[index]] + paragraphs[where:]
    new = join(edited)
    true_index = index + (1 if where <= index else 0)
    (result,) = reanchor_many([anchor], new, old_text=old)
    if where in (index, index + 1):
        # Pasted right next to itself: the two texts are the same whichever was pasted.
        assert result.start in (start_of(edited, index) + lo, start_of(edited, index + 1) + lo)
        true_index = index if result.start == start_of(edited, index) + lo else index + 1
    check_on_its_words(result, new, start_of(edited, true_index) + lo, anchor.quote)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(quoted(short=True), st.data())
def test_short_quotes_pasted_among_the_same_words_stay_put(doc, data):
    paragraphs, index, lo, hi = doc
    old, anchor = anchored(paragraphs, index, lo, hi)
    # "An earlier report said: …" with the quote's own sentence, and a number repeated.
    copy = f"An earlier report said: {paragraphs[index]} 79,770 {anchor.quote}"
    where = data.draw(st.integers(0, len(paragraphs)))
    edited = paragraphs[:where] + [copy] + paragraphs[where:]
    new = join(edited)
    true_index = index + (1 if where <= index else 0)
    (result,) = reanchor_many([anchor], new, old_text=old)
    check_on_its_words(result, new, start_of(edited, true_index) + lo, anchor.quote)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(quoted(), st.data())
def test_a_moved_paragraph_takes_its_anchor_along(doc, data):
    paragraphs, index, lo, hi = doc
    old, anchor = anchored(paragraphs, index, lo, hi)
    rest = paragraphs[:index] + paragraphs[index + 1 :]
    where = data.draw(st.integers(0, len(rest)))
    edited = rest[:where] + [paragraphs[index]] + rest[where:]
    new = join(edited)
    (result,) = reanchor_many([anchor], new, old_text=old)
    check_on_its_words(result, new, start_of(edited, where) + lo, anchor.quote)


def test_a_short_quote_at_the_start_of_a_paragraph_moved_to_the_top_stays_exact():
    # Found by the property above in one collection of the suite: the quote is short and both
    # sides of its 32-character context changed, but its context inside its paragraph did not.
    paragraphs = [
        '"China "Counter "The "combating "marijuana "since',
        "(CDC) (DEA). /CFP 010-85061466 10 18-45,",
        '2017, 2019, 2019." 2022. 2023, 2024,',
        "2024. 26, 30, 5 79,770 80",
    ]
    old, anchor = anchored(paragraphs, 2, 0, 18)
    edited = [paragraphs[2], paragraphs[0], paragraphs[1], paragraphs[3]]
    new = join(edited)
    (result,) = reanchor_many([anchor], new, old_text=old)
    check_on_its_words(result, new, 0, anchor.quote)


@settings(derandomize=True, max_examples=100, deadline=None)
@given(quoted(), st.randoms(use_true_random=False))
def test_reordered_sections_keep_every_anchor_on_its_words(doc, rng):
    paragraphs, index, lo, hi = doc
    old, anchor = anchored(paragraphs, index, lo, hi)
    order = list(range(len(paragraphs)))
    rng.shuffle(order)
    edited = [paragraphs[i] for i in order]
    new = join(edited)
    (result,) = reanchor_many([anchor], new, old_text=old)
    check_on_its_words(result, new, start_of(edited, order.index(index)) + lo, anchor.quote)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(quoted(), st.data())
def test_reflowed_whitespace_elsewhere_keeps_unchanged_quotes_exact(doc, data):
    paragraphs, index, lo, hi = doc
    assume(index > 0)  # the copy goes on top: not right before itself
    old, anchor = anchored(paragraphs, index, lo, hi)
    # Every other paragraph re-flowed (line breaks and double spaces), plus a copy on top.
    edited = [
        p if i == index else p.replace(" ", data.draw(st.sampled_from(["  ", "\n", " "])), 3)
        for i, p in enumerate(paragraphs)
    ]
    edited = [paragraphs[index], *edited]
    new = join(edited)
    (result,) = reanchor_many([anchor], new, old_text=old)
    check_on_its_words(result, new, start_of(edited, index + 1) + lo, anchor.quote)


# -- without the previous text: a tie is an orphan with candidates --------------------------------


@settings(derandomize=True, max_examples=150, deadline=None)
@given(quoted(), st.data())
def test_without_the_old_text_an_equal_copy_is_an_orphan_with_both_places(doc, data):
    paragraphs, index, lo, hi = doc
    old, anchor = anchored(paragraphs, index, lo, hi)
    where = data.draw(st.integers(0, len(paragraphs)))
    edited = paragraphs[:where] + [paragraphs[index]] + paragraphs[where:]
    new = join(edited)
    true_start = start_of(edited, index + (1 if where <= index else 0)) + lo
    copy_start = start_of(edited, where) + lo
    assume(where not in (index, index + 1))  # pasted next to itself: the same text either way
    full = anchor.prefix + anchor.quote + anchor.suffix
    # The copy's surroundings may tell them apart (the paragraph next to it); only a true tie
    # must be an orphan — and nothing may ever land on the copy.
    ties: dict[int, list[tuple[int, int]]] = {}
    (result,) = reanchor_many([anchor], new, ties=ties)
    assert not (result.state != ORPHAN and result.start == copy_start)
    if new.count(full) >= 2:
        assert result.state == ORPHAN and result.start == anchor.start
        assert (true_start, true_start + len(anchor.quote)) in ties[0]
        assert (copy_start, copy_start + len(anchor.quote)) in ties[0]
    elif result.state == EXACT:
        assert result.start == true_start


def test_a_copy_nearer_the_old_offset_does_not_win_on_distance():
    # Found by the property above in a full run: the copy, pasted before the paragraph in
    # front of the original, lands 134 characters from the old offset, the original 135; the
    # copy's context is a little worse. Without the old text, distance is no evidence.
    paragraphs = [
        '"China "Counter "The "combating "marijuana "since',
        "CHOOSE February Commission's California, Centers agencies, Control agree",
        "bipartisan (CDC) blame being browse browser. authorities, an China's Counternarcotics "
        "(DEA). /CFP",
        "DEA's 010-85061466 10 18-45, 2017, 2019, 2019.\" 2022. 2023, 2024, 2024. 26, China-U.S. "
        "DEA.",
        "Data Department Disease Embassy Disinformation Foreign analogues and any are as at basis "
        "Donald be Drug 30,",
        "Efforts briefing but Enforcement 5 79,770 80 A Administration America: As Francisco by "
        "Chinese ads. been beneficial benefit bilateral",
        "By China China, also Council Francisco, Global Group Homeless House However, Hua In "
        "Inaction January June Justice LANGUAGE Laboratory,",
    ]
    old, anchor = anchored(paragraphs, 6, 29, 39)  # "Francisco,"
    edited = paragraphs[:5] + [paragraphs[6]] + paragraphs[5:]
    new = join(edited)
    (result,) = reanchor_many([anchor], new)
    check_on_its_words(result, new, start_of(edited, 7) + 29, "Francisco,")


def test_unchanged_text_keeps_every_anchor_exact():
    text = SEED.read_text(encoding="utf-8")
    anchors = [make_anchor(text, s, s + 40) for s in range(0, len(text) - 40, 97)]
    assert reanchor_many(anchors, text, old_text=text) == anchors
    assert reanchor_many(anchors, text) == anchors


# -- through the library: versions keep their text; imports get candidates ----------------------


def test_a_new_version_with_a_pull_quote_keeps_the_annotation_on_the_original(tmp_path):
    story = tmp_path / "story.txt"
    text = SEED.read_text(encoding="utf-8")
    story.write_text(text, encoding="utf-8")
    library = Library(tmp_path / "library.sqlite")
    try:
        opened = library.open_path(story)
        start, end = library.find_quote(opened, "surged to 79,770 in 2022")
        paragraph_start = opened.document.text.rfind("\n", 0, start) + 1
        paragraph_end = opened.document.text.find("\n", end)
        paragraph = opened.document.text[paragraph_start:paragraph_end]
        annotation = library.highlight(opened, start, end, AnnotationKind.CLAIM)
        # The next edition puts the whole paragraph on top, as a pull quote.
        story.write_text(f"An earlier report said:\n{paragraph}\n\n{text}", encoding="utf-8")
        reopened = library.open_path(story)
        (moved,) = library.annotations(reopened)
        new = reopened.document.text
        assert moved.id == annotation.id and moved.anchor.state == EXACT
        assert new[moved.anchor.start : moved.anchor.end] == "surged to 79,770 in 2022"
        assert moved.anchor.start > new.index(paragraph) + len(paragraph)  # not the copy
    finally:
        library.close()


def test_an_import_on_a_document_with_two_equal_copies_is_an_orphan_with_candidates(tmp_path):
    # One library annotates version 1; its CSV goes to a library that only ever sees version 2
    # (where the paragraph appears twice): nothing tells the copies apart.
    text = SEED.read_text(encoding="utf-8")
    first = tmp_path / "v1" / "story.txt"
    first.parent.mkdir()
    first.write_text(text, encoding="utf-8")
    source = Library(tmp_path / "source.sqlite")
    try:
        opened = source.open_path(first)
        start, end = source.find_quote(opened, "surged to 79,770 in 2022")
        source.highlight(opened, start, end, AnnotationKind.CLAIM)
        source.export(tmp_path / "out.csv", "csv")
    finally:
        source.close()
    second = tmp_path / "v2" / "story.txt"
    second.parent.mkdir()
    # A pull quote of the passage, context and all, on top.
    at = text.index("surged to 79,770 in 2022")
    second.write_text(f"{text[at - 200 : at + 200]}\n\n{text}", encoding="utf-8")
    target = Library(tmp_path / "target.sqlite")
    try:
        target.import_file(tmp_path / "out.csv")
        # The import names version 1's bytes; the user links the new file: a new version.
        shutil.copyfile(second, first)
        reopened = target.open_path(first)
        (orphan,) = target.annotations(reopened)
        assert orphan.anchor.state == ORPHAN
        new = reopened.document.text
        places = target.candidates(orphan)
        assert len(places) == 2
        assert all(new[s:e] == "surged to 79,770 in 2022" for s, e in places)
        # Re-attached to the one the user picks, it is exact and has no candidates any more.
        chosen = target.reattach(orphan, reopened, *places[1])
        assert chosen.anchor.state == EXACT and chosen.anchor.start == places[1][0]
        assert target.candidates(chosen) == []
    finally:
        target.close()


# -- two published editions of one real document -------------------------------------------------


def test_two_editions_of_the_lgpl_never_a_wrong_place(tmp_path):
    """LGPL 2.0 (1991) annotated sentence by sentence, then replaced by LGPL 2.1 (1999)."""
    license_file = tmp_path / "license.txt"
    shutil.copyfile(EDITIONS / "lgpl-2.0.txt", license_file)
    library = Library(tmp_path / "library.sqlite")
    try:
        opened = library.open_path(license_file)
        old = opened.document.text
        sentences = [s.strip() for s in old.replace("\n", " ").split(". ") if len(s.strip()) > 30]
        made = {}
        for sentence in sentences[:: max(1, len(sentences) // 60)]:
            words = sentence.split()[:8]
            quote = " ".join(words)
            span = library.find_quote(opened, quote)
            made[library.highlight(opened, *span, AnnotationKind.CLAIM).id] = quote
        shutil.copyfile(EDITIONS / "lgpl-2.1.txt", license_file)
        reopened = library.open_path(license_file)
        new = reopened.document.text
        results = {a.id: a for a in library.annotations(reopened)}
        states = {EXACT: 0, FUZZY: 0, ORPHAN: 0}
        for annotation_id, quote in made.items():
            anchor = results[annotation_id].anchor
            states[anchor.state] += 1
            if anchor.state == EXACT:
                assert new[anchor.start : anchor.end] == anchor.quote
            if anchor.state != ORPHAN and new.count(quote) == 1 and old.count(quote) == 1:
                # Words that stayed, once in each edition: exactly there.
                assert anchor.state == EXACT and anchor.start == new.index(quote)
        assert states[EXACT] >= len(made) * 2 // 3, states
    finally:
        library.close()


def test_stored_text_is_kept_per_version(tmp_path):
    story = tmp_path / "story.txt"
    story.write_text("First edition. " * 10, encoding="utf-8")
    library = Library(tmp_path / "library.sqlite")
    try:
        opened = library.open_path(story)
        library.annotations(opened)
        version = library.repo.version_id(opened.document.sha256)
        assert library.repo.version_text(version) == opened.document.text
    finally:
        library.close()
