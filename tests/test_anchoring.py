"""Anchoring: make anchors, find quotes, re-anchor them on changed text — never on wrong words."""

from __future__ import annotations

import random
import re
from dataclasses import replace
from pathlib import Path

import pytest
from hypothesis import assume, event, given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from reader.anchoring import CONTEXT, find_quote, make_anchor, reanchor, reanchor_many
from reader.model import AnchorState, TextAnchor

SEED = (
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed" / "000_d286d3589c386401.txt"
)
TEXT = SEED.read_text(encoding="utf-8")
QUOTE = "surged to 79,770 in 2022"

EXACT, FUZZY, ORPHAN = AnchorState.EXACT, AnchorState.FUZZY, AnchorState.ORPHAN

# Real words (with their punctuation) for generated documents.
VOCAB = sorted({w for w in TEXT.split() if w.isascii()})


def anchor_on(text: str, quote: str, occurrence: int = 1) -> TextAnchor:
    span = find_quote(text, quote, occurrence)
    assert span is not None
    return make_anchor(text, *span)


# ----------------------------------------------------------------------------- make_anchor


def test_make_anchor_takes_32_characters_of_context():
    a = anchor_on(TEXT, QUOTE)
    assert CONTEXT == 32
    assert (a.quote, a.state) == (QUOTE, EXACT)
    assert a.prefix == TEXT[a.start - 32 : a.start] == "hat the death toll from opioids "
    assert a.suffix == TEXT[a.end : a.end + 32]
    assert TEXT[a.start : a.end] == QUOTE


def test_make_anchor_context_is_cut_at_the_edges():
    text = "short text here"
    a = make_anchor(text, 0, 5)
    assert (a.prefix, a.quote, a.suffix) == ("", "short", " text here")
    b = make_anchor(text, 11, len(text))
    assert (b.prefix, b.quote, b.suffix) == ("short text ", "here", "")
    whole = make_anchor(text, 0, len(text))
    assert (whole.prefix, whole.suffix) == ("", "")


@pytest.mark.parametrize("start,end", [(3, 3), (4, 2), (-1, 2), (0, 16), (20, 25)])
def test_make_anchor_rejects_bad_spans(start, end):
    with pytest.raises(ValueError):
        make_anchor("short text here", start, end)


# ----------------------------------------------------------------------------- find_quote


def test_find_quote_occurrences():
    text = "one cat, two cat, three cat"
    assert find_quote(text, "cat") == (4, 7)
    assert find_quote(text, "cat", 2) == (13, 16)
    assert find_quote(text, "cat", 3) == (24, 27)
    assert find_quote(text, "cat", 4) is None
    assert find_quote(text, "dog") is None
    assert find_quote(text, "") is None
    with pytest.raises(ValueError):
        find_quote(text, "cat", 0)


def test_find_quote_tolerates_whitespace():
    text = TEXT.replace("surged to 79,770", "surged\nto  79,770")
    start, end = find_quote(text, QUOTE)
    assert text[start:end] == "surged\nto  79,770 in 2022"
    # Exact occurrences come first; the fallback counts occurrences too.
    assert find_quote("a  b, a\nb", "a b", 2) == (6, 9)
    assert find_quote("a  b", "a b", 2) is None


# ----------------------------------------------------------------------------- reanchor


def test_same_text_keeps_the_anchor():
    a = anchor_on(TEXT, QUOTE)
    assert reanchor(a, TEXT) == a


def test_text_inserted_before_shifts_exactly():
    a = anchor_on(TEXT, QUOTE)
    new = "An editor's note, added later.\n" * 3 + TEXT
    b = reanchor(a, new)
    assert b.state == EXACT
    assert (b.start, b.end) == (a.start + 93, a.end + 93)
    assert new[b.start : b.end] == QUOTE


def test_duplicated_quote_is_told_apart_by_context():
    a = anchor_on(TEXT, QUOTE)
    decoy = f"Elsewhere, a rumour claimed the figure {QUOTE} was wrong.\n"
    new = decoy + TEXT[: a.start - 200] + decoy + TEXT[a.start - 200 :]
    b = reanchor(a, new)
    assert b.state == EXACT
    assert b.start == new.index("opioids " + QUOTE) + len("opioids ")


def test_short_repeated_quote_needs_its_context():
    text = "the cat sat on the mat and the dog sat on the log, then the bird sat on the cat."
    a = anchor_on(text, "the", 3)  # "the dog"
    moved = "At first " + text.replace("the dog", "the big dog")
    b = reanchor(a, moved)
    assert b.state == EXACT and moved[b.start : b.start + 11] == "the big dog"
    # Its context gone, the short quote does not jump to another "the".
    gone = "the cat sat on the mat; the bird sat on the cat, and the fish swam."
    assert reanchor(a, gone).state == ORPHAN


def test_word_changed_in_quote_is_fuzzy_on_the_right_words():
    a = anchor_on(TEXT, QUOTE)
    new = TEXT.replace("surged to 79,770 in 2022", "surged to 80,000 in 2022")
    b = reanchor(a, new)
    assert b.state == FUZZY
    assert (b.start, b.end) == (a.start, a.end)
    assert b.quote == "surged to 80,000 in 2022" == new[b.start : b.end]
    assert b.prefix == a.prefix and b.suffix == a.suffix


def test_longer_word_in_quote_moves_the_end():
    a = anchor_on(TEXT, "the death toll from opioids surged to 79,770 in 2022")
    new = "Preface.\n" + TEXT.replace(
        "death toll from opioids", "death toll from synthetic opioids"
    )
    b = reanchor(a, new)
    assert b.state == FUZZY
    assert b.quote == "the death toll from synthetic opioids surged to 79,770 in 2022"


def test_reflowed_whitespace_is_found_on_the_same_words():
    a = anchor_on(TEXT, QUOTE)
    new = TEXT.replace("79,770 in 2022", "79,770\nin  2022")
    b = reanchor(a, new)
    assert b.state == FUZZY
    assert new[b.start : b.end] == "surged to 79,770\nin  2022" == b.quote


def test_deleted_quote_is_orphan_and_unchanged():
    a = anchor_on(TEXT, QUOTE)
    new = TEXT.replace("showed that the death toll from opioids surged to 79,770 in 2022.", "")
    b = reanchor(a, new)
    assert b == replace(a, state=ORPHAN)


def test_whole_document_replaced_is_orphan():
    a = anchor_on(TEXT, QUOTE)
    other = "Weather report: sunny spells, light winds from the west, 21 degrees in 2022.\n" * 40
    assert reanchor(a, other).state == ORPHAN
    assert reanchor(a, "").state == ORPHAN
    for quote in ("China", "fentanyl", "In combating drug crime, China has carried out"):
        assert reanchor(anchor_on(TEXT, quote), other).state == ORPHAN


def test_fuzzy_stays_fuzzy_and_orphan_can_come_back():
    a = anchor_on(TEXT, QUOTE)
    fuzzy = replace(a, state=FUZZY)
    assert reanchor(fuzzy, TEXT).state == FUZZY  # only the user upgrades a guess
    orphan = replace(a, state=ORPHAN)
    assert reanchor(orphan, TEXT) == a


def test_many_anchors_on_real_text_with_and_without_old_text():
    quotes = ["China", QUOTE, "fentanyl", "counternarcotics cooperation", "2024", "the"]
    anchors = [anchor_on(TEXT, q, n) for q in quotes for n in (1, 2) if find_quote(TEXT, q, n)]
    i = TEXT.index("In China, by contrast")
    new = TEXT[:i] + "A new paragraph about China and fentanyl, 2024.\n" + TEXT[i:]
    single = [reanchor(a, new) for a in anchors]
    assert reanchor_many(anchors, new) == single
    assert reanchor_many(anchors, new, old_text=TEXT) == single
    for before, after in zip(anchors, single, strict=True):
        assert after.state == EXACT and new[after.start : after.end] == before.quote
        shift = 0 if before.end <= i else len(new) - len(TEXT)
        assert after.start == before.start + shift
    # "In China, by contrast": the paragraph inserted right before it changed all of its prefix;
    # its intact suffix still tells this "China" from the others.
    moved = next(a for a in single if a.suffix.startswith(", by contrast"))
    assert moved.prefix.startswith("ut China and fentanyl")


def test_reanchor_many_on_a_long_text():
    rng = random.Random(7)
    words = rng.choices(VOCAB, k=60_000)
    text = " ".join(words)
    anchors = []
    for _ in range(300):
        start = rng.randrange(len(text) - 200)
        anchors.append(make_anchor(text, start, start + rng.randint(1, 150)))
    middle = len(text) // 2
    new = text[:middle] + " Inserted sentence, nothing more. " + text[middle + 10 :]
    for old in (None, text):
        result = reanchor_many(anchors, new, old_text=old)
        assert len(result) == len(anchors)
        for before, after in zip(anchors, result, strict=True):
            if before.end <= middle:
                assert (after.state, after.start) == (EXACT, before.start)
            elif before.start >= middle + 10:
                assert (after.state, after.start) == (EXACT, before.start + len(new) - len(text))
            elif after.state == EXACT:
                assert new[after.start : after.end] == before.quote


# ----------------------------------------------------------------------------- properties
#
# Documents are lists of (word, origin) tokens joined by single spaces; `origin` is the index of
# a token in the first version (None for inserted words), so the quote's true place in any later
# version is known.

MARKER = "QZXMARKER"


def render(tokens: list[tuple[str, int | None]]) -> tuple[str, list[tuple[int, int]]]:
    spans, position = [], 0
    for word, _ in tokens:
        spans.append((position, position + len(word)))
        position += len(word) + 1
    return " ".join(word for word, _ in tokens), spans


def true_span(tokens, first: int, last: int) -> tuple[int, int] | None:
    """Where the original tokens first..last (inclusive) are now, with words inserted among them."""
    _, spans = render(tokens)
    kept = [
        i for i, (_, origin) in enumerate(tokens) if origin is not None and first <= origin <= last
    ]
    return (spans[kept[0]][0], spans[kept[-1]][1]) if kept else None


words_st = st.sampled_from(VOCAB)
edit_st = st.tuples(
    st.sampled_from(["insert", "delete", "replace"]),
    st.floats(0, 1, exclude_max=True),
    st.lists(words_st, min_size=1, max_size=6),
)


@st.composite
def documents(draw, quote_words=(1, 8), marker=False):
    words = draw(st.lists(words_st, min_size=20, max_size=160))
    size = draw(st.integers(*quote_words))
    first = draw(st.integers(0, len(words) - size))
    last = first + size - 1
    if marker:
        words[draw(st.integers(first, last))] = MARKER
    return [(w, i) for i, w in enumerate(words)], first, last


def apply_edits(tokens, edits, allowed) -> list:
    """Apply edits at token positions for which allowed(tokens, index) holds."""
    tokens = list(tokens)
    for kind, where, new_words in edits:
        positions = [i for i in range(len(tokens) + (kind == "insert")) if allowed(tokens, i, kind)]
        if not positions:
            continue
        i = positions[int(where * len(positions))]
        inserted = [(w, None) for w in new_words]
        if kind == "insert":
            tokens[i:i] = inserted
        elif kind == "delete":
            del tokens[i : i + 1]
        else:
            tokens[i : i + 1] = inserted
    return tokens


def far_from_quote(first, last, distance):
    """Edits only on tokens more than `distance` characters away from the quote."""

    def allowed(tokens, i, kind):
        span = true_span(tokens, first, last)
        _, spans = render(tokens)
        if kind == "insert":  # between tokens i-1 and i
            at = spans[i][0] - 1 if i < len(spans) else spans[-1][1]
            return at < span[0] - distance or at > span[1] + distance
        return spans[i][1] < span[0] - distance or spans[i][0] > span[1] + distance

    return allowed


def outside_quote(first, last):
    def allowed(tokens, i, kind):
        origins = [origin for _, origin in tokens]
        inside = [j for j, o in enumerate(origins) if o is not None and first <= o <= last]
        return (
            i <= inside[0] or i > inside[-1]
            if kind == "insert"
            else not (inside[0] <= i <= inside[-1])
        )

    return allowed


@settings(derandomize=True, max_examples=150, deadline=None)
@given(documents(), st.lists(edit_st, max_size=6))
def test_edits_away_from_the_quote_keep_it_exact_on_its_words(doc, edits):
    tokens, first, last = doc
    old, _ = render(tokens)
    anchor = make_anchor(old, *true_span(tokens, first, last))
    moved = apply_edits(tokens, edits, far_from_quote(first, last, CONTEXT + 1))
    new, _ = render(moved)
    start, end = true_span(moved, first, last)
    full = anchor.prefix + anchor.quote + anchor.suffix
    assume(new.count(full) == 1)  # no second copy of quote and context
    result = reanchor(anchor, new)
    assert (result.state, result.start, result.end) == (EXACT, start, end)
    assert reanchor_many([anchor], new, old_text=old) == [result]


@settings(derandomize=True, max_examples=100, deadline=None)
@given(documents(quote_words=(10, 16), marker=True), st.lists(edit_st, max_size=8))
def test_edits_next_to_a_long_unique_quote_keep_it_exact(doc, edits):
    tokens, first, last = doc
    old, _ = render(tokens)
    anchor = make_anchor(old, *true_span(tokens, first, last))
    assume(len(anchor.quote) >= 64)
    moved = apply_edits(tokens, edits, outside_quote(first, last))
    new, _ = render(moved)
    result = reanchor(anchor, new)
    assert (result.state, result.start, result.end) == (EXACT, *true_span(moved, first, last))


@settings(derandomize=True, max_examples=150, deadline=None)
@given(documents(quote_words=(1, 5), marker=True), st.lists(edit_st, max_size=6))
def test_deleted_quote_and_context_is_orphan(doc, edits):
    tokens, first, last = doc
    old, spans = render(tokens)
    anchor = make_anchor(old, *true_span(tokens, first, last))
    # Delete the quote with its context; then edit elsewhere.
    lo, hi = anchor.start - CONTEXT - 1, anchor.end + CONTEXT + 1
    kept = [t for t, (s, e) in zip(tokens, spans, strict=True) if e < lo or s > hi]
    moved = apply_edits(kept, edits, lambda tokens, i, kind: True)
    new, _ = render(moved)
    result = reanchor(anchor, new)
    assert result == replace(anchor, state=ORPHAN)


@settings(derandomize=True, max_examples=200, deadline=None)
@given(documents(quote_words=(1, 10), marker=True), st.lists(edit_st, max_size=8))
def test_never_a_wrong_place(doc, edits):
    tokens, first, last = doc
    old, _ = render(tokens)
    anchor = make_anchor(old, *true_span(tokens, first, last))
    moved = apply_edits(tokens, edits, lambda tokens, i, kind: True)
    new, _ = render(moved)
    result = reanchor(anchor, new)
    event(result.state.value)
    if result.state == EXACT:
        assert new[result.start : result.end] == anchor.quote
    elif result.state == FUZZY:
        assert new[result.start : result.end] == result.quote
        truth = true_span(moved, first, last)
        if truth is not None:
            assert result.start < truth[1] and truth[0] < result.end
    else:
        assert result == replace(anchor, state=ORPHAN)


@settings(derandomize=True, max_examples=150, deadline=None)
@given(documents(quote_words=(6, 14), marker=True), st.data())
def test_a_word_changed_inside_the_quote_is_found_fuzzy(doc, data):
    tokens, first, last = doc
    old, _ = render(tokens)
    anchor = make_anchor(old, *true_span(tokens, first, last))
    inner = [i for i in range(first + 1, last) if tokens[i][0] != MARKER]
    assume(inner)
    i = data.draw(st.sampled_from(inner))
    word = data.draw(words_st.filter(lambda w: w != tokens[i][0]))
    moved = tokens[:i] + [(word, None)] + tokens[i + 1 :]
    new, _ = render(moved)
    start, end = true_span(moved, first, last)
    result = reanchor(anchor, new)
    event(result.state.value)
    if fuzz.ratio(anchor.quote, new[start:end]) >= 85:
        assert result.state == FUZZY
    if result.state == FUZZY:
        assert result.start < end and start < result.end
        # On the right words: both ends within a word of the truth.
        assert abs(result.start - start) <= 12 and abs(result.end - end) <= 12
    else:
        assert result.state == ORPHAN


def test_vocabulary_is_real_words():
    assert len(VOCAB) > 200 and all(re.fullmatch(r"\S+", w) for w in VOCAB)
