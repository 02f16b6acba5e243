"""Where the words of one version of a text went in the next: an alignment of the two.

diff-match-patch (characters; lines first for long texts; a time limit keeps a pathological pair
bounded) gives the runs both versions share. An anchor whose words lie in one shared run moves
with it, whatever copies of those words the new version gained elsewhere; a place in new text
that is old text from somewhere else cannot be where an anchor's words went.

Pure functions over ``str``; no I/O, no Qt, no SQL.
"""

from __future__ import annotations

from bisect import bisect_right

from diff_match_patch import diff_match_patch

__all__ = ["Alignment"]

# Past this the diff stops refining and returns what it has (still a valid, coarser alignment).
DIFF_SECONDS = 2.0
# Up to this size the diff runs to the end, whatever the machine's load: the same two texts
# always give the same alignment (the worst pair of this size takes ~0.5 s). Only longer
# pairs are bounded by time.
UNBOUNDED_DIFF_UP_TO = 2_000
# Up to this size texts are compared character by character: a line-level diff may pair a
# paragraph with a pasted copy of it when its neighbours were re-flowed (the characters say
# which one kept its surroundings). Longer texts go by lines first, for speed.
CHARACTER_DIFF_UP_TO = 300_000


class Alignment:
    """The runs `old` and `new` share: (old start, new start, length), in order of both."""

    def __init__(self, old: str, new: str) -> None:
        differ = diff_match_patch()
        longest = max(len(old), len(new))
        differ.Diff_Timeout = 0 if longest <= UNBOUNDED_DIFF_UP_TO else DIFF_SECONDS
        by_lines = longest > CHARACTER_DIFF_UP_TO
        diffs = differ.diff_main(old, new, checklines=by_lines)
        # Coincidental one-letter equalities inside rewritten text say nothing about where
        # words went; semantic cleanup folds them into the change around them.
        differ.diff_cleanupSemantic(diffs)
        self.old_starts: list[int] = []
        self.new_starts: list[int] = []
        self.lengths: list[int] = []
        o = n = 0
        for op, chunk in diffs:
            size = len(chunk)
            if op == diff_match_patch.DIFF_EQUAL:
                self.old_starts.append(o)
                self.new_starts.append(n)
                self.lengths.append(size)
                o += size
                n += size
            elif op == diff_match_patch.DIFF_DELETE:
                o += size
            else:
                n += size

    def _run_at(self, starts: list[int], start: int, end: int) -> int | None:
        """Index of the shared run holding all of start:end (positions in `starts`' text)."""
        i = bisect_right(starts, start) - 1
        if i < 0 or end > starts[i] + self.lengths[i]:
            return None
        return i

    def same_span(self, start: int, end: int) -> tuple[int, int] | None:
        """Where old[start:end] is in new, when all of it is in one shared run."""
        i = self._run_at(self.old_starts, start, end)
        if i is None:
            return None
        shift = self.new_starts[i] - self.old_starts[i]
        return start + shift, end + shift

    def old_start_of(self, start: int, end: int) -> int | None:
        """Where new[start:end] was in old, when all of it is shared text; None when any of it
        is new (inserted or rewritten)."""
        i = self._run_at(self.new_starts, start, end)
        if i is None:
            return None
        return start - self.new_starts[i] + self.old_starts[i]

    def map_offset(self, offset: int) -> int:
        """The place in new of an old offset: exact inside a shared run; in changed text, the
        start of what replaced it."""
        i = bisect_right(self.old_starts, offset) - 1
        if i < 0:
            return 0 if not self.new_starts else min(offset, self.new_starts[0])
        inside = offset - self.old_starts[i]
        return self.new_starts[i] + min(inside, self.lengths[i])
