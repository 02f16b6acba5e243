"""Whether two sentences make the same claim: the decision behind "seen before".

Same claim means same meaning, so shared words are not enough. A pair is rejected outright
when the sentences differ in what a fact-checker would call a different claim:

- their figures differ (a figure of one has a counterpart of the same kind in the other that
  does not agree: "79,770 vs 81,806", "2022 vs 2021"; figures from `reader.numbers`);
- they are about other places (countries, states, cities: "in the U.S." against "in Canada");
- they are about another subject: the same frame with one or two content words swapped
  ("opioid deaths" against "gun deaths");
- they go in opposite directions ("rose" against "fell"), one denies what the other says
  ("has not seized" against "has seized"), or one is a prediction ("will double") and the
  other a statement of fact.

Otherwise the score (0–1) is the overlap of their content words (stemmed, with a few
synonyms folded: "death toll" and "died", "decade" and "10 years"), weighed with the share
of figures that agree: a paraphrase with the same figures scores high though its words
differ. Candidates come from the library's full-text indexes (`fts_query`); this module
only decides, so it knows no storage.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from difflib import SequenceMatcher
from functools import cache, lru_cache
from typing import Generic, TypeVar

from rapidfuzz import fuzz, process
from rapidfuzz.utils import default_process

from reader.numbers import Figure, figures

__all__ = ["THRESHOLD", "Comparison", "compare", "fts_query", "rank"]

# Below this a pair is not shown: in the hand-made cases (tests/test_similar.py) paraphrases
# with the same figures score 0.65 or more, and sentences merely sharing a topic under 0.5.
THRESHOLD = 0.6

# Candidates parsed and compared in full for one claim (see `rank`).
PREFILTER = 12

T = TypeVar("T")

_STOP = set(
    "a an the of in on at to for from by with and or but as is are was were be been being has "
    "have had do does did this that these those it its it's their there they them than then "
    "which who whom whose what when where while about into over under after before since "
    "during between among per each every all any some such so very just also only even still "
    "now more most less least much many other another same own both either neither nor up "
    "out off again further once here why how can our we us you your he she his her i my me "
    "one ever around roughly nearly almost approximately some about percent not no never "
    "since however truth fact indeed though although yet whether january february march "
    "april june july august september october november december".split()
)
# Words that carry no subject: reporting, attribution and filler. They neither count for a
# match nor make two sentences about different things.
_GENERIC = set(
    "said say says saying show shows showed shown data figure figures statistic statistics "
    "accord according report reports reported reporting official officials people person "
    "number numbers total recent recently year years time times last past new latest record "
    "recorded records find found finds study state states country countries world nation "
    "national government claim claimed claims stated told tell note noted become became "
    "becomes make made makes take took get got go went do done ever officially actually "
    "really currently nowadays already early primarily mainly mostly largely reportedly "
    "approximately estimated estimate reach reached reaches hit hits stood stand stands "
    "totaled totalled totals amounted amount amounts".split()
)
# Phrases folded to one token before anything else ("death toll" and "deaths" are one idea).
_SYNONYMS = [
    (r"\bdeath tolls?\b|\bfatalit(?:y|ies)\b|\bdied\b|\bdie[sd]?\b|\bdying\b|\bdead\b|"
     r"\bkill(?:ed|s|ing)?\b|\bkillers?\b|\blives lost\b", " death "),
    (r"\boverdose death\b|\boverdoses\b|\boverdosed\b", " overdose death "),
    (r"\bdecade\b", " 10 years "),
    (r"\bconsum(?:e|es|ed|ing|ption)\b|\bus(?:e|es|ed|ing)\b", " use "),
    (r"\bpopulation\b", " people "),
    (r"\bjobless(?: rate)?\b|\bunemployment rate\b|\bunemployed\b", " unemployment "),
    (r"\bthe last\b|\bthe past\b", " "),
    (r"\b(?:leading|top|biggest|main|number one|no\. 1)\b", " lead "),
    (r"\bkids\b|\bchildren\b|\bchild\b", " child "),
    (r"\bmedicines?\b|\bdrugs?\b|\bnarcotics?\b", " drug "),
    (r"\bbanned\b|\bban\b|\boutlawed\b|\bscheduled\b|\bcontrolled\b|\bschedule\b", " control "),
    (r"\bpercent\b|\bper cent\b", " percent "),
]  # fmt: skip
# One pass for all of them: group N of the alternation is synonym N.
_SYNONYM_RE = re.compile("|".join(f"({p})" for p, _ in _SYNONYMS), re.IGNORECASE)
_SYNONYM_BY_GROUP = [r for _, r in _SYNONYMS]
# The words a synonym's phrase can begin with. Each phrase starts and ends at a word boundary,
# so a sentence none of whose words is here has no synonym, and skips the costly regex.
_SYNONYM_FIRST_WORDS = frozenset(
    "death tolls fatality fatalities died die dies dying dead kill killed kills killing killer "
    "killers lives overdose overdoses overdosed decade consume consumes consumed consuming "
    "consumption use uses used using population jobless unemployment unemployed the leading "
    "top biggest main number no kids children child medicine medicines drug drugs narcotic "
    "narcotics banned ban outlawed scheduled controlled schedule percent per".split()
)
_WORD_RE = re.compile(r"\w+")
# Words without which `reader.numbers.figures` finds nothing: its regex is the costliest part
# of reading a sentence, so a sentence with none of them skips it.
_MAY_HAVE_FIGURES = re.compile(
    r"[\d$€£¥~]|\b(?:zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|"
    r"\w+teen|twenty|thirty|forty|fifty|sixty|seventy|eighty|ninety|hundreds?|thousands?|"
    r"millions?|billions?|trillions?|dozens|tens|half|halves|halved|thirds?|quarters?|"
    r"fourths?|fifths?|sixths?|sevenths?|eighths?|ninths?|tenths?|doubled|tripled|trebled|"
    r"quadrupled|jan\w*|feb\w*|mar\w*|apr\w*|may|jun\w*|jul\w*|aug\w*|sep\w*|oct\w*|"
    r"nov\w*|dec\w*|an?\s+(?:year|month|week|day|hour|minute|mile|km|kilomet\w*|metre|"
    r"meter|kg|kilogram|tonne|ton|pound|lb|litre|liter|gallon|dollar|euro|percent|per cent)s?)\b",
    re.IGNORECASE,
)
_UP = re.compile(
    r"\b(?:ris(?:e|es|en|ing)|rose|surg(?:e|ed|es|ing)|increas(?:e|ed|es|ing)|climb(?:ed|s|ing)?|"
    r"gr(?:ow|ew|own|ows|owing)|jump(?:ed|s)?|soar(?:ed|s|ing)?|spik(?:e|ed)|went up|up from|"
    r"higher|doubled|tripled|quadrupled|skyrocket(?:ed)?)\b",
    re.IGNORECASE,
)
_DOWN = re.compile(
    r"\b(?:f[ae]ll(?:en|ing|s)?|drop(?:ped|s|ping)?|declin(?:e|ed|es|ing)|decreas(?:e|ed|es|ing)|"
    r"plung(?:e|ed)|plummet(?:ed)?|shr(?:ink|ank|unk)|halved|went down|down from|lower|"
    r"reduc(?:e|ed|tion))\b",
    re.IGNORECASE,
)
_NEGATION = re.compile(
    r"\b(?:not|no|never|none|neither|nor|without|nothing|nobody)\b|n't\b", re.IGNORECASE
)
_PREDICTION = re.compile(
    r"\b(?:will|won't|shall|going to|expected to|expects? to|forecasts?|forecasted|"
    r"predict(?:s|ed|ion)?|"
    r"projected|projections?|could|might|likely to|set to|on track to|on course to|would|"
    r"by the end of the (?:year|decade))\b",
    re.IGNORECASE,
)
_ATTRIBUTION = [
    re.compile(p)
    for p in (
        r"\b[Aa]ccording to (?:the )?(?:[A-Z][\w.&'’-]*\s*(?:(?:of|on|for|and|the)\s+)?)+",
        r"\b(?:[Dd]ata|[Ff]igures|[Ss]tatistics|[Nn]umbers) from (?:the )?"
        r"(?:[A-Z][\w.&'’-]*\s*(?:\([A-Z]+\)\s*)?"
        r"(?:(?:of|on|for|and|the)\s+)?)+(?:show(?:s|ed)?|found)? ?(?:that)?",
        r"^(?:[Tt]he )?(?:[A-Z][\w.&'’-]*\s+)+(?:says|said|reports|reported|estimates|"
        r"estimated|finds|found)(?: that)?\b",
        r",? (?:said|says|reported|reports) (?:the )?"
        r"(?:[A-Z][\w.&'’-]*\s*(?:(?:of|on|for|and)\s+)?)+",
    )
]
# What a match of each `_ATTRIBUTION` pattern cannot be without (the third, anchored at the
# start, fails at once anyway): the costlier regexes run only on the sentences that have it.
_ATTRIBUTION_NEEDS: tuple[tuple[str, ...], ...] = (
    ("ccording to ",),
    (" from ",),
    (),
    (" said ", " says ", " reported ", " reports "),
)
_DECADE = re.compile(r"\b[Aa] decade\b|\bdecade\b")
# Case-sensitive twins of the patterns above, for ASCII text lowered first: the same matches
# (every pattern is written in lowercase; only non-ASCII letters such as "ſ" fold otherwise)
# at a third of the cost, as IGNORECASE makes the regex engine fold every character it tries.
# Those that are one alternation of words also say first which letters a match begins with:
# the engine then passes over every other position at once instead of trying each word there.
# tests/test_similar.py checks each twin against its original.
_FIRST_LETTERS = {
    _SYNONYM_RE: "".join(sorted({w[0] for w in _SYNONYM_FIRST_WORDS})),
    _UP: "cdghijqrstuw",
    _DOWN: "dfhlprsw",
    _NEGATION: "nw",
    _PREDICTION: "bcefglmopsw",
}
_LOWER = {
    p: re.compile(f"(?=[{_FIRST_LETTERS[p]}])(?:{p.pattern})" if p in _FIRST_LETTERS else p.pattern)
    for p in (_SYNONYM_RE, _MAY_HAVE_FIGURES, _UP, _DOWN, _NEGATION, _PREDICTION)
}
_CAPITALISED = re.compile(
    r"(?<![\w.])[A-Z][\w.&'’-]*(?:\s+(?:(?:of|and|de|del|la|the)\s+)?[A-Z][\w.&'’-]*)*"
)
_PLACE_PREPOSITION = re.compile(r"\b(?:in|across|throughout|near|at|from)\s+(?:the\s+)?$")
_ALIASES = {
    "us": "united states", "u.s": "united states", "u.s.": "united states",
    "usa": "united states", "u.s.a.": "united states", "u.s.a": "united states",
    "america": "united states", "american": "united states", "americans": "united states",
    "united states of america": "united states", "the united states": "united states",
    "uk": "united kingdom", "u.k.": "united kingdom", "u.k": "united kingdom",
    "britain": "united kingdom", "great britain": "united kingdom",
    "british": "united kingdom", "chinese": "china", "mexican": "mexico",
    "mexicans": "mexico", "canadian": "canada", "canadians": "canada", "indian": "india",
    "french": "france", "german": "germany", "germans": "germany", "italian": "italy",
    "spanish": "spain", "japanese": "japan", "russian": "russia", "russians": "russia",
    "ukrainian": "ukraine", "brazilian": "brazil", "australian": "australia",
    "australians": "australia", "irish": "ireland", "dutch": "netherlands",
    "swedish": "sweden", "norwegian": "norway", "polish": "poland", "turkish": "turkey",
    "iranian": "iran", "israeli": "israel", "israelis": "israel", "palestinian": "palestine",
    "korean": "korea", "south korean": "korea", "south korea": "korea",
    "north korean": "north korea", "nigerian": "nigeria", "kenyan": "kenya",
    "european": "europe", "europeans": "europe", "eu": "europe", "european union": "europe",
    "african": "africa", "asian": "asia", "scottish": "scotland", "welsh": "wales",
    "english": "england", "californian": "california", "texan": "texas",
}  # fmt: skip
# Subdivision names that are also ordinary capitalised words in English prose.
_NOT_PLACES = set(
    "centre center central north south east west northern southern eastern western capital "
    "coast lakes islands island orange federal national city mountain valley river".split()
)


@cache
def _places() -> frozenset[str]:
    """Country, state and province names (lowercase), from pycountry's ISO 3166 tables."""
    import pycountry

    names = set(_ALIASES.values())
    for country in pycountry.countries:
        for attr in ("name", "common_name", "official_name"):
            value = getattr(country, attr, None)
            if value:
                names.add(value.lower())
                names.add(value.split(",")[0].lower())
    for sub in pycountry.subdivisions:
        name = sub.name.lower()
        if len(name) >= 4 and name not in _NOT_PLACES:
            names.add(name)
    return frozenset(names)


@cache
def _skipped() -> frozenset[str]:
    """Stems that carry no subject (stop words and `_GENERIC`)."""
    return frozenset(_stem(w) for w in _GENERIC | _STOP) | _STOP


@cache
def _stemmer():
    import snowballstemmer

    return snowballstemmer.stemmer("english")


@lru_cache(maxsize=65536)
def _stem(word: str) -> str:
    # The pure-Python Snowball stemmer costs ~0.2 ms a word; a library's words repeat.
    return _stemmer().stemWord(word)


def _place_name(text: str) -> str:
    """The place a capitalised run names ("the U.S." → "united states"), or ""."""
    key = text.lower().strip(" .'’").removesuffix("'s").removesuffix("’s")
    key = key.removeprefix("the ")
    for candidate in (key, key + ".", key.rstrip(".")):
        if candidate in _ALIASES:
            return _ALIASES[candidate]
    return key if key in _places() else ""


@dataclass(frozen=True)
class _Parsed:
    words: frozenset[str]  # content words, stemmed (places and figures left out)
    sequence: tuple[str, ...]  # the same, in the sentence's order
    places: frozenset[str]
    figures: tuple[Figure, ...]
    up: bool
    down: bool
    negations: tuple[frozenset[str], ...]  # the content words each negation bears on
    prediction: bool
    question: bool


def _same(pattern: re.Pattern[str]) -> re.Pattern[str]:
    return pattern


_SENTENCE_END = re.compile(r"[.!?:;\"“]\s+")
_TOKEN = re.compile(r"[^\W\d_](?:[^\W\d_]|['’])*[^\W\d_]|[^\W\d_]")
_NEGATED_WORD = re.compile(r"[a-z][a-z-]*[a-z]")


def _sentence_starts(text: str) -> set[int]:
    starts = {0}
    starts.update(m.end() for m in _SENTENCE_END.finditer(text))
    return starts


@dataclass(frozen=True)
class _Read:
    """The first part of `parse`: enough to reject most candidates on their figures alone."""

    text: str  # spaces normalised, "decade" read as "10 years"
    stripped: str  # without its attribution
    figures: tuple[Figure, ...]


@lru_cache(maxsize=4096)
def _read(text: str) -> _Read:
    text = " ".join(text.split())
    if "decade" in text:
        text = _DECADE.sub("10 years", text)
    # Who said it is not what is said: "according to the CDC" and "the CDC said" are dropped.
    stripped = text
    for pattern, needs in zip(_ATTRIBUTION, _ATTRIBUTION_NEEDS, strict=True):
        if not needs or any(n in stripped for n in needs):
            stripped = pattern.sub(" ", stripped)
    if stripped.isascii():
        may_have_figures = _LOWER[_MAY_HAVE_FIGURES].search(stripped.lower())
    else:
        may_have_figures = _MAY_HAVE_FIGURES.search(stripped)
    return _Read(text, stripped, tuple(figures(stripped)) if may_have_figures else ())


def clear_caches() -> None:
    """Forget every sentence read (the benchmark's first time a claim is shown)."""
    parse.cache_clear()
    _read.cache_clear()


@lru_cache(maxsize=4096)
def parse(text: str) -> _Parsed:
    """What `compare` needs of a sentence (cached: a library's claims are compared again)."""
    read = _read(text)
    text, stripped, found_figures = read.text, read.stripped, read.figures
    lowered = stripped.lower()
    fold = _LOWER.__getitem__ if stripped.isascii() else _same
    places: set[str] = set()
    starts: set[int] | None = None
    for m in _CAPITALISED.finditer(stripped):
        run = m.group(0)
        if "-" in run or " " in run:
            parts = [p for p in re.split(r"-(?=[A-Z])", run) if p]
            named = [_place_name(p) for p in parts]
            if all(named):
                places.update(named)
                continue
            # A run's words one by one: "U.S. President" holds the place "U.S.".
            rest = []
            for word in run.split():
                place = _place_name(word)
                if place:
                    places.add(place)
                else:
                    rest.append(word)
        else:  # one word (most runs): its own place, or the whole run is the rest
            place = _place_name(run)
            if place:
                places.add(place)
                continue
            rest = [run]
        # Only the text just before the run can end in "in the": no need to search it all.
        if rest and _PLACE_PREPOSITION.search(stripped, max(0, m.start() - 64), m.start()):
            if starts is None:
                starts = _sentence_starts(stripped)
            if m.start() not in starts:
                places.add(" ".join(rest).lower())  # "in San Francisco": a city
    if not _SYNONYM_FIRST_WORDS.isdisjoint(_WORD_RE.findall(lowered)):
        lowered = fold(_SYNONYM_RE).sub(lambda m: _SYNONYM_BY_GROUP[m.lastindex - 1], lowered)
    up_re, down_re = fold(_UP), fold(_DOWN)
    up = bool(up_re.search(lowered))
    down = bool(down_re.search(lowered))
    plain = lowered
    if down:
        plain = down_re.sub(" ", plain)
    if up:
        plain = up_re.sub(" ", plain)
    tokens = [
        t.replace("’", "'").removesuffix("'s")
        # Letters of any script: a Russian or Japanese sentence is not reduced to the
        # Latin names in it.
        for t in _TOKEN.findall(plain)
    ]
    place_words = {w for p in places for w in p.split()}
    stem = _stem
    skip = _skipped()
    sequence = tuple(
        w
        for w in (
            stem(t)
            for t in tokens
            if t not in _STOP
            and t not in place_words
            and _ALIASES.get(t) not in places
            and len(t) > 1
        )
        if w not in skip
    )
    words = set(sequence)
    negations = tuple(
        frozenset(stem(t) for t in _NEGATED_WORD.findall(lowered, m.end(), m.end() + 40))
        & frozenset(words)
        for m in fold(_NEGATION).finditer(lowered)
    )
    future = any(f.kind == "year" and f.value > datetime.now(UTC).year for f in found_figures)
    return _Parsed(
        frozenset(words),
        sequence,
        frozenset(places),
        found_figures,
        up,
        down,
        negations,
        bool(fold(_PREDICTION).search(lowered)) or future,
        text.rstrip(" \"'”’)").endswith(("?", "？")),
    )


def _family(f: Figure) -> str:
    if f.kind in ("year", "date"):
        return "time"
    return f.kind if not f.kind.startswith(("unit:", "money:")) else f"{f.kind}:{f.unit}"


def _agree(a: Figure, b: Figure) -> bool:
    if _family(a) != _family(b):
        return False
    if _family(a) == "time":
        ya, yb = (int(f.value) // 10000 if f.kind == "date" else int(f.value) for f in (a, b))
        if ya and yb and ya != yb:
            return False
        if a.kind == b.kind == "date":
            ma, mb = int(a.value) // 100 % 100, int(b.value) // 100 % 100
            return ma == mb
        return bool(ya and yb) or a.kind == b.kind
    # Two wordings of one claim round differently: they agree when their intervals meet.
    return a.low <= b.high and b.low <= a.high


def _figures_match(a: Sequence[Figure], b: Sequence[Figure]) -> tuple[int, bool]:
    """(figures that agree, whether some figure has a same-kind counterpart that differs)."""
    matched_b: set[int] = set()
    unmatched_a: list[Figure] = []
    agreed = 0
    for x in a:
        partner = next((i for i, y in enumerate(b) if i not in matched_b and _agree(x, y)), None)
        if partner is None:
            unmatched_a.append(x)
        else:
            matched_b.add(partner)
            agreed += 1
    unmatched_b = [y for i, y in enumerate(b) if i not in matched_b]
    families_b = {_family(y) for y in unmatched_b}
    conflict = any(_family(x) in families_b for x in unmatched_a)
    return agreed, conflict


def _swapped(pa: _Parsed, pb: _Parsed) -> bool:
    """Whether one or two content words of one sentence stand where the other has words it
    lacks altogether: "opioid deaths" against "traffic deaths", "unemployment in Spain"
    against "inflation in Spain". Words that moved (a paraphrase reorders) do not count."""
    matcher = SequenceMatcher(None, pa.sequence, pb.sequence, autojunk=False)
    for op, i1, i2, j1, j2 in matcher.get_opcodes():
        if op != "replace":
            continue
        ours = [w for w in pa.sequence[i1:i2] if w not in pb.words]
        theirs = [w for w in pb.sequence[j1:j2] if w not in pa.words]
        if ours and theirs and min(len(ours), len(theirs)) <= 2:
            return True
    return False


def _denies(parsed: _Parsed, shared: frozenset[str]) -> bool:
    """Whether the sentence negates what it shares with the other ("has not seized"): a "not"
    in a clause the other sentence does not have is left out."""
    bearing = [words for words in parsed.negations if not words or words & shared]
    return len(bearing) % 2 == 1


@dataclass(frozen=True)
class Comparison:
    score: float  # 0 when rejected
    reason: str  # why it was rejected ("" when it was not)

    @property
    def same(self) -> bool:
        return self.score >= THRESHOLD


# The most a pair scores when it has figures and none of them agree (see `compare`).
_WORDS_SHARE = 0.55


def _figures_fall_short(a: Sequence[Figure], b: Sequence[Figure]) -> bool:
    """Whether `compare` scores a pair with these figures at most `_WORDS_SHARE`."""
    if not a and not b:
        return False
    agreed, conflict = _figures_match(a, b)
    return conflict or not agreed


def compare(a: str, b: str) -> Comparison:
    """How surely `a` and `b` make the same claim (see the module's notes)."""
    pa, pb = parse(a), parse(b)
    agreed, conflict = _figures_match(pa.figures, pb.figures)
    if conflict:
        return Comparison(0.0, "other figures")
    if pa.places and pb.places and (pa.places - pb.places) and (pb.places - pa.places):
        return Comparison(0.0, "another place")
    if (pa.up and pb.down and not (pa.down or pb.up)) or (
        pa.down and pb.up and not (pa.up or pb.down)
    ):
        return Comparison(0.0, "the opposite direction")
    if pa.question != pb.question:
        return Comparison(0.0, "a question")
    if pa.prediction != pb.prediction:
        return Comparison(0.0, "a prediction")
    shared = pa.words & pb.words
    if _denies(pa, shared) != _denies(pb, shared):
        return Comparison(0.0, "one denies the other")
    only_a, only_b = pa.words - shared, pb.words - shared
    # Short sentences that keep one frame but each have a word the other lacks ("gun
    # deaths" / "opioid deaths") are about different things, whatever the word order.
    if _swapped(pa, pb) or (
        only_a and only_b and len(shared) <= 2 >= max(len(only_a), len(only_b))
    ):
        return Comparison(0.0, "another subject")
    if not shared:
        return Comparison(0.0, "no words in common")
    dice = 2 * len(shared) / (len(pa.words) + len(pb.words))
    fuzzy = fuzz.token_set_ratio(" ".join(sorted(pa.words)), " ".join(sorted(pb.words))) / 100
    lexical = 0.35 * dice + 0.65 * fuzzy
    if len(shared) < 3 and not agreed:
        lexical *= 0.6 if len(shared) == 1 else 0.8  # a word or two in common says little
    counted = max(len(pa.figures), len(pb.figures))
    if counted:
        score = _WORDS_SHARE * lexical + 0.45 * (agreed / counted)
    else:
        score = lexical
    if pa.places != pb.places:
        score *= 0.85  # one says where, the other does not
    if (pa.up or pa.down) != (pb.up or pb.down):
        score *= 0.95
    return Comparison(round(min(score, 1.0), 3), "")


def fts_query(text: str, *, max_terms: int = 16) -> str:
    """An FTS5 query that finds the sentences sharing any content word, place or figure of
    `text` (stems as prefixes: "surg*" finds "surged"), for `rank` to decide on."""
    parsed = parse(text)
    terms = sorted(parsed.words, key=len, reverse=True)[:max_terms]
    parts = [f'"{w}"*' for w in terms if w.isalnum()]
    for place in sorted(parsed.places):
        words = [w for w in re.findall(r"\w+", place) if w]
        if words:
            parts.append('"' + " ".join(words) + '"')
    for figure in parsed.figures:
        digits = re.findall(r"\d+", figure.text)
        if digits:
            parts.append('"' + " ".join(digits) + '"')
    return " OR ".join(dict.fromkeys(parts))


@dataclass(frozen=True)
class Ranked(Generic[T]):
    item: T
    score: float


def rank(
    text: str,
    candidates: Iterable[tuple[T, str]],
    *,
    limit: int = 10,
    threshold: float = THRESHOLD,
) -> list[Ranked[T]]:
    """The candidates (item, its text) that make the same claim as `text`, best first.

    Only the `PREFILTER` closest in words (rapidfuzz, in C) are parsed and compared: parsing
    costs about a millisecond a sentence, and a paraphrase shares enough words to be there."""
    pool = list(candidates)
    if len(pool) > PREFILTER:
        best = process.extract(
            text,
            [other for _item, other in pool],
            scorer=fuzz.token_set_ratio,
            processor=default_process,
            limit=PREFILTER,
        )
        pool = [pool[index] for _choice, _score, index in best]
    found = []
    query_figures = parse(text).figures
    # A pair whose figures conflict scores 0, and one with figures none of which agree scores
    # at most 0.55 (`compare`: 0.55 of its words, 0.45 of the figures that agree): such a
    # candidate is decided on its figures, without reading the rest of it.
    by_figures = threshold > _WORDS_SHARE
    # A claim is often in the library more than once (and as a fact-check): decided once.
    scores: dict[str, float] = {}
    for item, other in pool:
        score = scores.get(other)
        if score is None:
            if by_figures and _figures_fall_short(query_figures, _read(other).figures):
                score = 0.0
            else:
                score = compare(text, other).score
            scores[other] = score
        if score >= threshold:
            found.append(Ranked(item, score))
    found.sort(key=lambda r: -r.score)
    return found[:limit]
