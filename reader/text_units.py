"""Words, sentences and lines of a text, for selecting and adjusting highlights by whole words.

Offsets are Python string indices; spans are half-open (start, end). A word is a run of letters
and digits that may hold inner punctuation between two of them ("79,770", "U.S", "don't",
"COVID-19"), so a number or an abbreviation is never cut in two.
"""

from __future__ import annotations

import re

_INNER = set(".,'’-‐‑/:")
# A sentence ends at . ! ? or … (and closing quotes) before whitespace and a word that does
# not start in lower case ("the U.S. has" goes on), or at a paragraph break.
_SENTENCE_END = re.compile(r"[.!?…][\"'”’)\]]*\s+(?![a-z])|\n\s*\n")


def is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _in_word(text: str, i: int) -> bool:
    """Whether text[i] belongs to a word (inner punctuation between two word characters)."""
    if not 0 <= i < len(text):
        return False
    ch = text[i]
    if is_word_char(ch):
        return True
    return (
        ch in _INNER
        and 0 < i < len(text) - 1
        and is_word_char(text[i - 1])
        and is_word_char(text[i + 1])
    )


def word_at(text: str, i: int) -> tuple[int, int]:
    """The word holding the character at `i`; (i, i + 1) for a character outside words."""
    if not 0 <= i < len(text):
        return (i, i)
    if not _in_word(text, i):
        return (i, i + 1)
    start = end = i
    while start > 0 and _in_word(text, start - 1):
        start -= 1
    while end < len(text) and _in_word(text, end):
        end += 1
    return (start, end)


def word_at_boundary(text: str, position: int) -> tuple[int, int]:
    """The word at a cursor position (between characters): the one right of it, else the one
    left of it, else the empty span there."""
    if _in_word(text, position):
        return word_at(text, position)
    if _in_word(text, position - 1):
        return word_at(text, position - 1)
    return (position, position)


def snap_to_words(text: str, anchor: int, focus: int) -> tuple[int, int]:
    """The span from the word at `anchor` to the word at `focus` (cursor positions, either
    order), whole words only and without whitespace at either end."""
    lo, hi = sorted((anchor, focus))
    start = word_at_boundary(text, lo)[0]
    end = word_at_boundary(text, hi)[1]
    if hi == lo:
        end = max(end, start)
    return trim(text, start, max(start, end))


def trim(text: str, start: int, end: int) -> tuple[int, int]:
    """The span without whitespace at either end (empty, at `start`, when all of it is)."""
    start, end = max(0, start), min(len(text), end)
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    return (start, end)


def _ends_sentence(text: str, mark: re.Match[str]) -> bool:
    """A paragraph break does; a full stop after an initial or an abbreviation with inner
    stops ("U.S.", "e.g.") or a short title ("Dr.", "Mr.") does not."""
    if not mark.group().strip():
        return True
    if text[mark.start()] != ".":
        return True
    word_start = mark.start()
    while word_start > 0 and not text[word_start - 1].isspace():
        word_start -= 1
    word = text[word_start : mark.start()]
    return not ("." in word or (len(word) <= 2 and word[:1].isupper()))


def _sentence_ends(text: str, start: int, stop: int):
    for mark in _SENTENCE_END.finditer(text, start, stop):
        if _ends_sentence(text, mark):
            yield mark


def sentence_at(text: str, i: int) -> tuple[int, int]:
    """The sentence holding offset `i`: from after the previous sentence end (or paragraph
    break) to its own end mark, trimmed."""
    window_start = max(0, i - 4000)  # a sentence is never longer than this in practice
    start = window_start
    for mark in _sentence_ends(text, window_start, max(0, i)):
        if mark.end() <= i:
            start = mark.end()
    end = min(len(text), i + 4000)
    for mark in _sentence_ends(text, max(i, start), end):
        end = (
            mark.start() if not mark.group().strip() else mark.start() + len(mark.group().rstrip())
        )
        break
    return trim(text, start, end)


def sentences(text: str, start: int = 0, stop: int | None = None):
    """Every sentence of text[start:stop] in order, as the trimmed spans `sentence_at` gives,
    in one pass (the candidate claims walk whole documents)."""
    stop = len(text) if stop is None else stop
    begin = start
    for mark in _sentence_ends(text, start, stop):
        end = (
            mark.start() if not mark.group().strip() else mark.start() + len(mark.group().rstrip())
        )
        span = trim(text, begin, end)
        if span[1] > span[0]:
            yield span
        begin = mark.end()
    span = trim(text, begin, stop)
    if span[1] > span[0]:
        yield span


def line_at(text: str, i: int) -> tuple[int, int]:
    """The line holding offset `i` (between line breaks), trimmed."""
    start = text.rfind("\n", 0, i) + 1
    end = text.find("\n", i)
    return trim(text, start, len(text) if end < 0 else end)


def step_end(text: str, start: int, end: int, which: str, direction: int) -> tuple[int, int]:
    """Move one end of a highlight by a word: `which` is "start" or "end", `direction` -1
    (left) or +1 (right). A highlight keeps at least one word."""
    start, end = trim(text, start, end)
    if which == "end" and direction > 0:  # take in the next word
        i = end
        while i < len(text) and not _in_word(text, i):
            i += 1
        return (start, word_at(text, i)[1]) if i < len(text) else (start, end)
    if which == "start" and direction < 0:  # take in the word before
        i = start - 1
        while i >= 0 and not _in_word(text, i):
            i -= 1
        return (word_at(text, i)[0], end) if i >= 0 else (start, end)
    if which == "end":  # let go of the last word
        j = word_at(text, end - 1)[0] - 1
        while j >= start and not _in_word(text, j):
            j -= 1
        return (start, j + 1) if j >= start else (start, end)
    j = word_at(text, start)[1]  # let go of the first word
    while j < end and not _in_word(text, j):
        j += 1
    return (j, end) if j < end else (start, end)
