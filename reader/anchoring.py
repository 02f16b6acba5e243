"""Text anchors: make them, find quotes, and re-anchor them on a new version of a document.

Learned from Hypothesis (quote + prefix/suffix + position selectors), made version-aware:
re-anchoring tries, in order,

1. the **position**: the quote is still at its offsets and its context agrees → ``exact``;
2. an **exact quote search**: every occurrence of the quote, chosen by context agreement, then by
   distance from where the anchor is expected → ``exact`` with the new offsets;
3. a **fuzzy search** (rapidfuzz) around seeds (pieces of the quote and of its context found in the
   new text, plus the expected position), scored on quote similarity, context similarity and
   distance → ``fuzzy`` with the new offsets and the new quote text (whitespace-only changes,
   such as a PDF line break, land here too);
4. otherwise **orphan**: the anchor is returned unchanged except for its state.

When the text the anchors were made on is known, the two versions are aligned first
(`reader.alignment`): an anchor whose words lie in text both versions share moves with it, and
a place that is old text from elsewhere is never taken. When it is not known (an import, a
library from before versions kept their text), copies of the quote whose context agrees
equally well are a tie nothing can break: the anchor becomes an orphan *with candidates*
(`reanchor_many(..., ties=...)`), for the user to choose, never a guess.

"Nothing lands on the wrong words": a short quote needs its context to agree, a fuzzy match needs
a high quote similarity *and* context support (only a long, nearly identical quote may do without),
and anything doubtful becomes an orphan. A fuzzy anchor stays fuzzy when it is later found
exactly: only the user upgrades a guess.

Pure functions over ``str``; no I/O, no Qt, no SQL.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import replace

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein, Postfix, Prefix

from reader.alignment import Alignment
from reader.model import AnchorState, TextAnchor

__all__ = ["CONTEXT", "find_quote", "make_anchor", "reanchor", "reanchor_many", "reanchor_versions"]

CONTEXT = 32

# Context agreement (0..1, see `_context_score`; unrelated text scores about 0.3) that a match
# needs: none for a quote of at least LONG_QUOTE characters (the words speak for themselves),
# STRONG_CONTEXT for a quote shorter than SHORT_QUOTE found more than once or only approximately,
# WEAK_CONTEXT otherwise (about one side of the context intact).
LONG_QUOTE = 64
SHORT_QUOTE = 20
WEAK_CONTEXT = 0.5
STRONG_CONTEXT = 0.75
# Candidates whose context scores within this of the best one count as equally good; the one
# nearest to the expected position wins among them.
CONTEXT_TIE = 0.05
# What one full side of context, intact, is worth without the other.
ONE_SIDE = 0.8
# Fuzzy matches: least normalized Indel similarity of the quote, and the similarity above which a
# long quote needs no context support.
MIN_QUOTE_SIMILARITY = 0.75
SURE_QUOTE_SIMILARITY = 0.9
# Seeds (pieces of the quote or of its context) found more often than this say nothing.
MAX_SEED_HITS = 32
MAX_WINDOWS = 12
# A long text gets a word index once this many anchors have needed a search: building it costs
# about as much as a few dozen full-text scans, and then every further search is a lookup.
INDEX_AFTER_SEARCHES = 16
INDEX_MIN_LENGTH = 100_000

_WORD = re.compile(r"\w+")

_EXACT = AnchorState.EXACT
_FUZZY = AnchorState.FUZZY
_ORPHAN = AnchorState.ORPHAN


# ----------------------------------------------------------------------------- making & finding


def make_anchor(text: str, start: int, end: int) -> TextAnchor:
    """The anchor of ``text[start:end]`` with up to `CONTEXT` characters of context each side."""
    if not 0 <= start < end <= len(text):
        raise ValueError(f"invalid span {start}:{end} for a text of {len(text)} characters")
    return TextAnchor(
        quote=text[start:end],
        prefix=text[max(0, start - CONTEXT) : start],
        suffix=text[end : end + CONTEXT],
        start=start,
        end=end,
        state=_EXACT,
    )


def _whitespace_pattern(quote: str) -> re.Pattern[str] | None:
    words = quote.split()
    if not words:
        return None
    return re.compile(r"\s+".join(re.escape(word) for word in words))


def _inner_words(text: str) -> list[tuple[int, str]]:
    """The complete words of `text`: word runs not touching either end of it.

    Wherever `text` occurs in a document, these are whole words there too, so a word index finds
    every occurrence through any one of them.
    """
    return [
        (match.start(), match.group())
        for match in _WORD.finditer(text)
        if match.start() > 0 and match.end() < len(text)
    ]


def find_quote(text: str, quote: str, occurrence: int = 1) -> tuple[int, int] | None:
    """The span of the `occurrence`-th (1-based) occurrence of `quote` in `text`, or None.

    Exact occurrences first; failing that, the quote's words separated by any run of whitespace
    (a quote typed with single spaces matches a line break or two spaces in the document); the
    span returned is then the one in `text`, without the quote's leading/trailing whitespace.
    """
    if occurrence < 1:
        raise ValueError("occurrence is 1-based")
    if not quote:
        return None
    index = -1
    for _ in range(occurrence):
        index = text.find(quote, index + 1)
        if index < 0:
            break
    else:
        return index, index + len(quote)
    pattern = _whitespace_pattern(quote)
    if pattern is None:
        return None
    for count, match in enumerate(pattern.finditer(text), start=1):
        if count == occurrence:
            return match.start(), match.end()
    return None


# ----------------------------------------------------------------------------- scoring


def _side_scores(stored: str, found: list[str], *, towards_end: bool) -> list[float]:
    """How well one side of the context agrees, per candidate: the longer of the run of identical
    characters next to the quote and the Levenshtein similarity, as fractions of the stored side."""
    adjacent = Postfix.similarity if towards_end else Prefix.similarity
    similarity = Levenshtein.normalized_similarity
    size = len(stored)
    return [max(adjacent(stored, f) / size, similarity(stored, f)) for f in found]


def _context_scores(anchor: TextAnchor, text: str, spans: list[tuple[int, int]]) -> list[float]:
    """Agreement (0..1) of the anchor's prefix/suffix with the text around each span.

    Sides weigh by their stored length. Unrelated English context scores about 0.2–0.4; an anchor
    without any context scores 1.
    """
    prefix, suffix = anchor.prefix, anchor.suffix
    lp, ls = len(prefix), len(suffix)
    if not lp and not ls:
        return [1.0] * len(spans)
    before = [0.0] * len(spans)
    after = [0.0] * len(spans)
    if lp:
        found = [text[max(0, s - lp) : s] for s, _ in spans]
        before = _side_scores(prefix, found, towards_end=True)
    if ls:
        found = [text[e : e + ls] for _, e in spans]
        after = _side_scores(suffix, found, towards_end=False)
    # The weighted mean; but one full side intact is strong evidence on its own (an edit right
    # next to the quote on the other side must not orphan it): it counts for ONE_SIDE.
    wp, ws = ONE_SIDE * min(1, lp / CONTEXT), ONE_SIDE * min(1, ls / CONTEXT)
    return [
        max((lp * b + ls * a) / (lp + ls), wp * b, ws * a)
        for b, a in zip(before, after, strict=True)
    ]


def _context_score(anchor: TextAnchor, text: str, start: int, end: int) -> float:
    return _context_scores(anchor, text, [(start, end)])[0]


def _context_identical(anchor: TextAnchor, text: str, start: int, end: int) -> bool:
    p, s = anchor.prefix, anchor.suffix
    return text[max(0, start - len(p)) : start] == p and text[end : end + len(s)] == s


def _paragraph_context_identical(anchor: TextAnchor, text: str, start: int, end: int) -> bool:
    """Whether the quote's context inside its own paragraph is unchanged at start:end (a
    paragraph moved whole keeps it, though its neighbours are new)."""
    p = anchor.prefix.rsplit("\n", 1)[-1]
    s = anchor.suffix.split("\n", 1)[0]
    if text[max(0, start - len(p)) : start] != p or text[end : end + len(s)] != s:
        return False
    # Where the old context reached a paragraph's edge, that edge must be an edge here too.
    at = start - len(p)
    if p != anchor.prefix and at > 0 and text[at - 1] != "\n":
        return False
    at = end + len(s)
    return s == anchor.suffix or at >= len(text) or text[at] == "\n"


def _distance(start: int, expected: list[int]) -> int:
    return min(abs(start - e) for e in expected)


def _context_needed(quote: str, occurrences: int) -> float:
    """The context agreement a match of `quote` needs before it is trusted."""
    if len(quote) >= LONG_QUOTE:
        return 0.0  # the very words, long enough to speak for themselves
    if len(quote) >= SHORT_QUOTE and occurrences == 1:
        # The only place in the document with these twenty-odd characters: an edit that
        # rewrote the sentence around a claim must not orphan the claim itself.
        return 0.0
    if len(quote) < SHORT_QUOTE and occurrences > 1:
        return STRONG_CONTEXT
    return WEAK_CONTEXT


def _fuzzy_is_acceptable(quote: str, similarity: float, context: float) -> bool:
    if similarity < MIN_QUOTE_SIMILARITY:
        return False
    if len(quote) < SHORT_QUOTE:
        return context >= STRONG_CONTEXT
    if len(quote) >= LONG_QUOTE and similarity >= SURE_QUOTE_SIMILARITY:
        return True
    return context >= WEAK_CONTEXT


# ----------------------------------------------------------------------------- the re-anchorer


class _Reanchorer:
    """Re-anchors anchors on one new text; remembers recent shifts to try them first."""

    def __init__(self, text: str, *, ties_orphan: bool = True) -> None:
        self.text = text
        # Without the old text, equally good copies are a tie nobody can break (orphan with
        # candidates); with it, the mapped place is evidence and the nearest copy may win.
        self.ties_orphan = ties_orphan
        self.tied: list[tuple[int, int]] = []  # the candidates of the last tie orphaned
        self.excluded = _nothing_excluded
        self.shifts: list[int] = []  # most recent first, distinct
        self.searches = 0
        self.index: dict[str, list[int]] | None = None  # word → its starts, built when it pays

    # -- searching the whole text

    def _count_search(self) -> None:
        self.searches += 1
        if (
            self.index is None
            and self.searches >= INDEX_AFTER_SEARCHES
            and len(self.text) >= INDEX_MIN_LENGTH
        ):
            index: dict[str, list[int]] = {}
            for match in _WORD.finditer(self.text):
                index.setdefault(match.group(), []).append(match.start())
            self.index = index

    def _rarest_word(self, text: str) -> tuple[int, list[int]] | None:
        """(offset in `text`, starts in the document) of its least frequent complete word."""
        if self.index is None:
            return None
        words = _inner_words(text)
        if not words:
            return None
        offset, word = min(words, key=lambda item: len(self.index.get(item[1], ())))
        return offset, self.index.get(word, [])

    def _exact_spans(self, quote: str) -> list[tuple[int, int]]:
        text, length = self.text, len(quote)
        rarest = self._rarest_word(quote)
        if rarest is not None:
            offset, hits = rarest
            return [
                (h - offset, h - offset + length)
                for h in hits
                if h >= offset and text.startswith(quote, h - offset)
            ]
        spans = []
        index = text.find(quote)
        while index >= 0:
            spans.append((index, index + length))
            index = text.find(quote, index + 1)
        return spans

    # -- results

    def _found(self, anchor: TextAnchor, start: int, end: int, exact: bool) -> TextAnchor:
        found = make_anchor(self.text, start, end)
        state = _EXACT if exact and anchor.state != _FUZZY else _FUZZY
        delta = start - anchor.start
        if delta in self.shifts:
            self.shifts.remove(delta)
        self.shifts.insert(0, delta)
        del self.shifts[4:]
        return replace(found, state=state)

    def kept(self, anchor: TextAnchor, start: int, end: int) -> TextAnchor:
        """An anchor known to sit at ``start:end`` (offset arithmetic on an unchanged region)."""
        return self._found(anchor, start, end, exact=True)

    # -- the ladder

    def _unique_in_context(self, anchor: TextAnchor, start: int) -> bool:
        """Whether no other copy of the quote has its context as intact as the one at `start`
        (checked only where ties orphan: an aligned text already excludes copies)."""
        if not self.ties_orphan:
            return True
        # A search (counted: on a long text the word index soon makes it a lookup).
        self._count_search()
        full = anchor.prefix + anchor.quote + anchor.suffix
        at = start - len(anchor.prefix)
        if self.text[at : at + len(full)] != full:
            return len(self._exact_spans(anchor.quote)) == 1
        return len(self._exact_spans(full)) == 1

    def reanchor(
        self,
        anchor: TextAnchor,
        expected: list[int] | None = None,
        excluded=None,
    ) -> TextAnchor:
        """`excluded(start, end)` says a span cannot be the anchor's (old text from elsewhere)."""
        text, quote = self.text, anchor.quote
        self.tied = []
        self.excluded = excluded or _nothing_excluded
        if not quote:
            return replace(anchor, state=_ORPHAN)
        expected = expected or [anchor.start]
        length = len(quote)

        # 1. Position: at the old offsets (context agreeing), or at a recently seen shift (context
        #    identical), the quote needs no search.
        start = anchor.start
        if (
            text[start : start + length] == quote
            and not self.excluded(start, start + length)
            and _context_score(anchor, text, start, start + length) >= STRONG_CONTEXT
            and self._unique_in_context(anchor, start)
        ):
            return self._found(anchor, start, start + length, exact=True)
        for shift in self.shifts:
            start = anchor.start + shift
            if (
                shift
                and start >= 0
                and text[start : start + length] == quote
                and not self.excluded(start, start + length)
                and _context_identical(anchor, text, start, start + length)
                and self._unique_in_context(anchor, start)
            ):
                return self._found(anchor, start, start + length, exact=True)
        expected = expected + [anchor.start + s for s in self.shifts if s]

        # 2. Exact quote search.
        self._count_search()
        chosen = self._choose(anchor, self._exact_spans(quote), expected)
        if chosen is not None:
            return self._found(anchor, *chosen, exact=True)

        if self.tied:
            return replace(anchor, state=_ORPHAN)  # copies equally likely: the user chooses

        # 2b. With the old text aligned: the one place (not old text from elsewhere) whose
        #     context inside its paragraph is unchanged is the quote's paragraph, moved whole.
        if not self.ties_orphan:
            moved = [
                (s, e)
                for s, e in self._exact_spans(quote)
                if not self.excluded(s, e) and _paragraph_context_identical(anchor, text, s, e)
            ]
            if len(moved) == 1:
                return self._found(anchor, *moved[0], exact=True)

        # 3. Fuzzy.
        chosen = self._fuzzy(anchor, expected)
        if chosen is not None:
            return self._found(anchor, *chosen, exact=False)

        # 4. Orphan: never a doubtful place.
        return replace(anchor, state=_ORPHAN)

    def _choose(
        self, anchor: TextAnchor, spans: list[tuple[int, int]], expected: list[int]
    ) -> tuple[int, int] | None:
        """The occurrence with the best context, if acceptable (near ties: the nearest to the
        expected place, when an alignment gave it)."""
        spans = [(s, e) for s, e in spans if not self.excluded(s, e)]
        if not spans:
            return None
        scores = _context_scores(anchor, self.text, spans)
        scored = [(score, s, e) for score, (s, e) in zip(scores, spans, strict=True)]
        best = max(score for score, _, _ in scored)
        if best < _context_needed(anchor.quote, len(spans)):
            return None
        if self.ties_orphan:
            # Without the old text the old offset says nothing about which copy is the one (a
            # copy pasted in front lands nearer): the best context wins, and copies whose
            # context agrees exactly as well are a tie nothing breaks.
            equal = [(s, e) for score, s, e in scored if score >= best - 1e-9]
            if len(equal) > 1:
                self.tied = sorted(equal)
                return None
            return equal[0]
        tied = [item for item in scored if item[0] >= best - CONTEXT_TIE]
        _, start, end = min(tied, key=lambda item: (_distance(item[1], expected), -item[0]))
        return start, end

    # -- fuzzy

    def _hits(self, needle: str) -> list[int] | None:
        """Where `needle` occurs, or None when it occurs too often to mean anything."""
        hits: list[int] = []
        index = self.text.find(needle)
        while index >= 0:
            if len(hits) == MAX_SEED_HITS:
                return None
            hits.append(index)
            index = self.text.find(needle, index + 1)
        return hits

    def _seeds(self, anchor: TextAnchor, expected: list[int]) -> list[int]:
        """Plausible start positions of the (changed) quote in the new text."""
        quote, length = anchor.quote, len(anchor.quote)
        seeds = list(expected)
        if self.index is not None:
            # Words of the quote and of its context that are rare enough to mean something.
            for text, shift, most in (
                (quote, 0, 6),
                (anchor.prefix, -len(anchor.prefix), 2),
                (anchor.suffix, length, 2),
            ):
                counted = [(len(self.index.get(w, ())), o, w) for o, w in _inner_words(text)]
                for count, offset, word in sorted(counted)[:most]:
                    if count <= MAX_SEED_HITS:
                        seeds.extend(h - offset - shift for h in self.index.get(word, ()))
        else:
            # Pigeonhole: with fewer edits than pieces, one piece survives verbatim.
            pieces = max(1, min(5, length // 8))
            size = length // pieces
            for i in range(pieces):
                offset = i * size
                hits = self._hits(quote[offset : offset + size])
                seeds.extend(h - offset for h in hits or ())
            tail = anchor.prefix[-16:]
            if len(tail) >= 8:
                seeds.extend(h + len(tail) for h in self._hits(tail) or ())
            head = anchor.suffix[:16]
            if len(head) >= 8:
                seeds.extend(h - length for h in self._hits(head) or ())
        # Seeds that several pieces agree on come first (BLAST-like votes), then nearness; one
        # seed (the most agreed on) per stretch of a quarter quote.
        bucket = max(16, length // 4)
        counts = Counter(s for s in seeds if -length < s < len(self.text))
        votes = Counter(s // bucket for s in counts.elements())
        best: dict[int, int] = {}
        for seed, count in counts.items():
            key = seed // bucket
            if key not in best or count > counts[best[key]]:
                best[key] = seed

        def rank(key: int) -> tuple[int, int]:
            support = votes[key - 1] + votes[key] + votes[key + 1]
            return -support, _distance(best[key], expected)

        chosen = sorted(best, key=rank)[:MAX_WINDOWS]
        return sorted(
            {best[key] for key in chosen} | {e for e in expected if 0 <= e < len(self.text)}
        )

    def _refine(self, quote: str, start: int, end: int) -> tuple[int, int]:
        """Move the ends of a rough span to where the span is most similar to the quote."""
        text, reach = self.text, max(3, len(quote) // 5)

        def score_end(e: int) -> tuple[float, int]:
            return fuzz.ratio(quote, text[start:e]), -abs(e - end)

        def score_start(s: int) -> tuple[float, int]:
            return fuzz.ratio(quote, text[s:end]), -abs(s - start)

        for _ in range(2):
            end = max(
                range(max(start + 1, end - reach), min(len(text), end + reach) + 1), key=score_end
            )
            start = max(
                range(max(0, start - reach), min(end - 1, start + reach) + 1), key=score_start
            )
        return start, end

    def _fuzzy(self, anchor: TextAnchor, expected: list[int]) -> tuple[int, int] | None:
        text, quote = self.text, anchor.quote
        length = len(quote)
        slack = max(8, length // 2)
        cutoff = (MIN_QUOTE_SIMILARITY - 0.1) * 100
        rough: set[tuple[int, int]] = set()
        covered = -1
        for seed in self._seeds(anchor, expected):
            if seed < covered:
                continue  # this window is inside the last one
            lo, hi = max(0, seed - slack), min(len(text), seed + length + slack)
            covered = hi - length - slack // 2
            if hi - lo <= length:
                rough.add((lo, hi))
                continue
            alignment = fuzz.partial_ratio_alignment(quote, text[lo:hi], score_cutoff=cutoff)
            if alignment is not None:
                rough.add((lo + alignment.dest_start, lo + alignment.dest_end))
        best: tuple[float, int, int] | None = None
        for rough_start, rough_end in rough:
            start, end = self._refine(quote, rough_start, rough_end)
            if self.excluded(start, end):
                continue
            similarity = fuzz.ratio(quote, text[start:end]) / 100
            context = _context_score(anchor, text, start, end)
            if not _fuzzy_is_acceptable(quote, similarity, context):
                continue
            proximity = 1 / (1 + _distance(start, expected) / max(length, 64))
            score = 0.6 * similarity + 0.3 * context + 0.1 * proximity
            if best is None or score > best[0]:
                best = (score, start, end)
        return None if best is None else (best[1], best[2])


# ----------------------------------------------------------------------------- public API


def _nothing_excluded(start: int, end: int) -> bool:
    return False


def reanchor(anchor: TextAnchor, new_text: str) -> TextAnchor:
    """Find `anchor` again in `new_text`: exact, fuzzy (new offsets and quote) or orphan.

    The old text unknown, equally good copies orphan it (see `reanchor_many` for candidates)."""
    return _Reanchorer(new_text).reanchor(anchor)


def reanchor_many(
    anchors: list[TextAnchor],
    new_text: str,
    old_text: str | None = None,
    *,
    progress=None,
    cancel=None,
    ties: dict[int, list[tuple[int, int]]] | None = None,
) -> list[TextAnchor] | None:
    """Re-anchor many anchors on `new_text`, in the order given.

    With `old_text` (the text the anchors were made on) the two are aligned once
    (`reader.alignment`): an anchor whose words lie in shared text moves with it without any
    search, and the others are searched near their mapped place, never on old text from
    elsewhere. Without it, shifts found on earlier anchors are tried first, and equally good
    copies make an orphan whose candidate spans go into `ties` (by the anchor's index).
    `progress(done, total)` is told as anchors are searched; once `cancel` (a threading.Event)
    is set the search stops and None is returned (for a worker thread).
    """
    engine = _Reanchorer(new_text, ties_orphan=old_text is None)
    results: list[TextAnchor | None] = [None] * len(anchors)
    pending = sorted(range(len(anchors)), key=lambda i: (anchors[i].start, anchors[i].end))
    alignment = None
    if old_text is not None:
        alignment = Alignment(old_text, new_text) if old_text != new_text else None
        rest = []
        for i in pending:
            anchor = anchors[i]
            current = (
                anchor.state != _ORPHAN and old_text[anchor.start : anchor.end] == anchor.quote
            )
            same = (
                (anchor.start, anchor.end)
                if alignment is None
                else alignment.same_span(anchor.start, anchor.end)
            )
            if current and anchor.quote and same is not None:
                results[i] = engine.kept(anchor, *same)
            else:
                rest.append(i)
    else:
        rest = pending
    total = len(rest)
    for done, i in enumerate(rest, 1):
        if cancel is not None and cancel.is_set():
            return None
        anchor = anchors[i]
        if alignment is not None:
            origin = anchor.start

            def elsewhere(start: int, end: int, origin: int = origin) -> bool:
                was = alignment.old_start_of(start, end)
                return was is not None and was != origin

            expected = [alignment.map_offset(anchor.start)]
            results[i] = engine.reanchor(anchor, expected, elsewhere)
        else:
            results[i] = engine.reanchor(anchor)
            if engine.tied and ties is not None:
                ties[i] = engine.tied
        if progress is not None:
            progress(done, total)
    return [result for result in results if result is not None]


def reanchor_versions(
    anchors: list[TextAnchor],
    old_texts: list[str | None],
    new_text: str,
    *,
    progress=None,
    cancel=None,
) -> tuple[list[TextAnchor], dict[int, list[tuple[int, int]]]] | None:
    """`reanchor_many` for anchors made on several older versions: `old_texts[i]` is the text
    anchor i was made on (None when unknown). Anchors of one old text are aligned together.
    Returns (anchors in the order given, candidate spans of tied orphans by index), or None
    when cancelled."""
    groups: dict[int, list[int]] = {}
    texts: dict[int, str | None] = {}
    for i, old in enumerate(old_texts):
        key = id(old)
        groups.setdefault(key, []).append(i)
        texts[key] = old
    results: list[TextAnchor | None] = [None] * len(anchors)
    ties: dict[int, list[tuple[int, int]]] = {}
    total, before = len(anchors), 0
    for key, members in groups.items():
        found: dict[int, list[tuple[int, int]]] = {}
        offset = before
        moved = reanchor_many(
            [anchors[i] for i in members],
            new_text,
            texts[key],
            progress=None
            if progress is None
            else (lambda d, _t, offset=offset: progress(offset + d, total)),
            cancel=cancel,
            ties=found,
        )
        if moved is None:
            return None
        for i, anchor in zip(members, moved, strict=True):
            results[i] = anchor
        ties.update({members[k]: spans for k, spans in found.items()})
        before += len(members)
    return [r for r in results if r is not None], ties
