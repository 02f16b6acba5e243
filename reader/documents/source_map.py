"""Where the words of a text file's normalized text sit in the file's own decoded text.

A plain-text document's normalized text collapses the file's whitespace; a Markdown
document's is the rendered text, without the markup. Exchange formats that point into the
file itself (W3C and Hypothesis position selectors) need the file's offsets, so the two texts
are aligned word by word: each word of the normalized text is looked for in the file after
the previous one, within a bounded stretch (markup such as a link's URL sits between words).
A word that cannot be found there (an entity rendered as a character) is left unmapped and
spans that start or end on it move to the nearest mapped word.
"""

from __future__ import annotations

import re
from bisect import bisect_right

__all__ = ["SourceMap"]

_WORD = re.compile(r"\S+")
_PIECE = re.compile(r"\w+|[^\w\s]")
# How far past the previous word the next one may start: more than any run of markup between
# two rendered words (a long link target), small enough that a missing word cannot jump ahead
# to a far copy of itself.
_WINDOW = 4096


class SourceMap:
    """Offsets of `normalized` mapped into `source`, word by word."""

    def __init__(self, normalized: str, source: str) -> None:
        self.source = source
        starts: list[int] = []
        ends: list[int] = []
        targets: list[int] = []
        pos = 0
        for match in _WORD.finditer(normalized):
            word = match.group()
            found = source.find(word, pos, pos + _WINDOW + len(word))
            if found >= 0:
                pieces = [(match.start(), word, found)]
            else:
                # Markup inside the word ("(`name`):", "**bold**er"): its pieces one by one.
                pieces = []
                piece_pos = pos
                for piece in _PIECE.finditer(word):
                    text = piece.group()
                    at = source.find(text, piece_pos, piece_pos + _WINDOW + len(text))
                    if at >= 0:
                        pieces.append((match.start() + piece.start(), text, at))
                        piece_pos = at + len(text)
            for start, text, at in pieces:
                starts.append(start)
                ends.append(start + len(text))
                targets.append(at)
                pos = at + len(text)
        self._starts, self._ends, self._targets = starts, ends, targets

    def span(self, start: int, end: int) -> tuple[int, int] | None:
        """The file's offsets of the normalized text's [start, end), or None if no word of it
        was found in the file."""
        i = bisect_right(self._starts, start) - 1  # the word at or before `start`
        if i < 0 or self._ends[i] <= start:
            i += 1  # `start` is between words: the next word starts the span
        j = bisect_right(self._starts, max(start, end - 1)) - 1  # the word holding `end - 1`
        if i >= len(self._starts) or j < i:
            return None
        s = self._targets[i] + max(0, start - self._starts[i])
        e = self._targets[j] + min(end, self._ends[j]) - self._starts[j]
        return (s, e) if e > s else None
