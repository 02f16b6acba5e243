"""Find in a document's normalized text: the one matching rule every view uses (no Qt).

Case is ignored, and any run of whitespace in the needle matches any run of spaces or line
breaks in the text, so a phrase copied across a line break (or typed with a double space)
finds the words wherever the lines happen to break. A needle of nothing but whitespace finds
nothing. At most MAX_MATCHES matches are kept: a one-letter needle in a book-length text would
otherwise build hundreds of thousands of highlights nobody steps through.
"""

from __future__ import annotations

import re
from bisect import bisect_left

MAX_MATCHES = 10_000

Span = tuple[int, int]  # [start, end) in the normalized text


def find_spans(text: str, needle: str, limit: int = MAX_MATCHES) -> list[Span]:
    """Non-overlapping matches of `needle` in `text`, in order, at most `limit` of them."""
    words = needle.split()
    if not words or limit <= 0:
        return []
    # re's IGNORECASE folds case letter by letter, so a match is as long in the text as it
    # reads (str.casefold would turn ß into ss and shift every offset after it)
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words), re.IGNORECASE)
    spans: list[Span] = []
    for m in pattern.finditer(text):
        spans.append((m.start(), m.end()))
        if len(spans) >= limit:
            break
    return spans


class FindState:
    """The matches of the last find and which one is current (0-based; -1 when none)."""

    def __init__(self) -> None:
        self.needle = ""
        self.spans: list[Span] = []
        self.index = -1

    def find(self, text: str, needle: str, from_offset: int = 0) -> int:
        """Find `needle`; the current match is the first at or after `from_offset` (the first
        of all when none is). Returns how many there are."""
        self.needle = needle
        self.spans = find_spans(text, needle)
        if not self.spans:
            self.index = -1
        else:
            at = bisect_left(self.spans, (from_offset, -1))
            self.index = at if at < len(self.spans) else 0
        return len(self.spans)

    def clear(self) -> None:
        self.needle = ""
        self.spans = []
        self.index = -1

    def step(self, delta: int) -> int:
        """Move to the next (+1) or previous (-1) match, wrapping; its 1-based number, or 0."""
        if not self.spans:
            return 0
        self.index = (self.index + delta) % len(self.spans)
        return self.index + 1

    @property
    def count(self) -> int:
        return len(self.spans)

    @property
    def current(self) -> int:
        """1-based number of the current match; 0 when there is none."""
        return self.index + 1 if self.spans else 0

    @property
    def current_span(self) -> Span | None:
        return self.spans[self.index] if self.spans else None
