"""Candidate claims: the sentences of a document that make a checkable factual claim.

Each sentence of the normalized text is scored by a small logistic model over cues a
fact-checker looks for — figures (reader.numbers), comparisons, dates and firsts, attributions
("X said"), causal and legal claims — against those of what is not checkable: opinion,
questions, predictions, exhortation, greetings. Its few weights (`WEIGHTS`) were fitted on the
training split of a public check-worthiness set only (`python -m bench.claims_fit`;
docs/check-assistant.md says which set and what it scores on its test split). Questions and
boilerplate (navigation, bylines, cookie notices, captions, headings) are never proposed.

Most cues are English words. In a sentence without them (another language) only what is
checkable in any language counts: a figure in a sentence long enough to say something, so the
engine proposes little there rather than garbage. No network, no model file: all is below.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterator
from dataclasses import dataclass

from reader.numbers import figures
from reader.text_units import sentences as text_sentences

__all__ = [
    "REASONS",
    "THRESHOLD",
    "Candidate",
    "candidates",
    "features",
    "score",
    "sentence_key",
    "sentence_spans",
]

# What each reason means (shown in the list and in `claim-reader claims`).
REASONS = {
    "figure": "a statistic, quantity or amount",
    "comparison": "more, less, rose, fell, doubled …",
    "date": "a year or a date",
    "first": "a first, a record, a superlative (only, never, largest …)",
    "attribution": "someone said, reported or found it",
    "causal": "one thing caused or led to another",
    "legal": "laws, courts, votes, bans",
    "event": "something that was done or happened (a verb in the past tense)",
    "fact": "a plain statement about named people, places or things",
}

# Cue words and phrases, "|"-separated, one list per feature (matched on lower-cased words).
_CUES: dict[str, str] = {
    "comparison": (
        "more than|less than|fewer than|higher than|lower than|greater than|larger than"
        "|smaller than|bigger than|faster than|slower than|as many as|as much as|as high as"
        "|as low as|compared with|compared to|twice|times as|times more|times higher"
        "|increase|increased|increases|increasing|decrease|decreased|decreases|decreasing"
        "|doubled|tripled|quadrupled|halved|reduced|rose|risen|fell|fallen|grew|grown|surged"
        "|soared|plunged|plummeted|declined|dropped|jumped|climbed|cut|raised|lowered|went up"
        "|went down|gone up|gone down|up from|down from"
    ),
    "first": (
        "first|only|never|ever|record|largest|biggest|highest|lowest|fewest|fastest"
        "|longest|smallest|oldest|youngest|most|least|no other|none of"
    ),
    "attribution": (
        "said|says|told|according to|reported|reports|announced|stated|claimed|claims"
        "|showed|shows|found|finds|revealed|confirmed|testified|wrote|estimated|estimates"
        "|admitted|acknowledged|warned|accused|denied|insisted"
    ),
    "evidence": "data|study|studies|survey|report|poll|statistics|census|records|figures",
    "causal": (
        "because|caused|causes|cause of|due to|led to|leads to|leading to|result of"
        "|resulted in|as a result|responsible for|blamed|thanks to|linked to"
        "|contributed to|lead to|killing|killed|destroyed|created|produced"
    ),
    "legal": (
        "law|laws|illegal|legal|court|courts|ruled|ruling|unconstitutional|constitution"
        "|constitutional|bill|bills|legislation|voted|vote|votes|passed|signed|vetoed|veto"
        "|treaty|treaties|regulation|regulations|banned|ban|bans|sued|lawsuit|convicted"
        "|charged|indicted|sentenced|prosecuted|statute|amendment|scheduled|outlawed"
        "|approved|enacted|repealed"
    ),
    "time": (
        "since|ago|last year|last month|last week|last decade|this year|each year"
        "|every year|per year|a year|over the past|over the last|in the past|in the last"
        "|during|until|before|after|decade|year|years|month|months|today|now"
    ),
    "quantity": (
        "percent|per cent|percentage|million|billion|trillion|thousand|thousands|hundred"
        "|hundreds|majority|half|number of|rate|average|per capita|amount|total|most of"
        "|all of|dozens|twice|double"
    ),
    "topic": (
        "job|jobs|tax|taxes|deficit|debt|unemployment|budget|spending|economy|inflation"
        "|wage|wages|income|death|deaths|died|crime|insurance|health care|healthcare|oil"
        "|energy|trade|export|exports|import|imports|population|workers|poverty|price"
        "|prices|cost|costs|funding|troops|weapons|nuclear|military|dollars|interest rate"
        "|interest rates|growth|emissions|overdose|drug|drugs|cases|patients|hospital"
        "|hospitals|school|schools|students|countries"
    ),
    "existential": (
        "there is|there are|there was|there were|there have been|there has been|has been"
        "|have been|had been"
    ),
    "opinion": (
        "i think|i believe|i feel|i guess|i hope|i suppose|in my opinion|in my view|i'm sure"
        "|i am sure|i'm convinced|i don't think|i do not think|i agree|i disagree|frankly"
        "|honestly|obviously|of course|i want|we want|i'd like|i would like|i know|we hope"
        "|we believe|we think|we feel|it seems|in our opinion|in our view"
    ),
    "subjective": (
        "great|terrible|wonderful|disaster|disastrous|important|good|bad|wrong|best|worst"
        "|better|worse|unfair|ridiculous|absurd|tremendous|horrible|proud|shameful|sad"
        "|crazy|amazing|fantastic|incredible|beautiful|dangerous|strong|weak|right thing"
        "|disgrace|disgraceful|outrageous|excellent|awful|fair|nice|love|hate"
    ),
    "prediction": (
        "will|won't|going to|gonna|expected to|expect to|expects to|likely to|plan to"
        "|plans to|intend to|intends to|promise to|promises to|aim to|aims to|forecast"
        "|forecasts|projected to|is set to|are set to"
    ),
    "modal": "would|could|might|may",
    # Irregular verbs in the past tense (regular ones end in -ed): something happened.
    "past_verb": (
        "said|told|found|showed|shown|rose|fell|grew|was|were|had|did|made|took|gave|won"
        "|lost|spent|paid|built|sold|became|began|came|went|left|brought|kept|held|met|ran"
    ),
    "deontic": (
        "should|must|ought to|need to|needs to|have to|has to|let's|let us|we've got to"
        "|we have got to|it's time|we can't|we cannot"
    ),
    "address": "you|your|yours|yourself",
    "first_person": "i|i'm|i've|i'd|me|my|myself",
    "we": "we|we're|we've|our|us",
    "courtesy": (
        "thank|thanks|congratulations|congratulate|good evening|good night|good morning"
        "|ladies and gentlemen|welcome|appreciate|honored|honoured|privilege|pleasure"
    ),
    "conditional": "if|unless|whether|suppose",
    "negation": (
        "not|never|no|none|nobody|nothing|isn't|aren't|wasn't|weren't|hasn't|haven't"
        "|hadn't|didn't|doesn't|don't|won't|can't"
    ),
    "third_person": "he|she|they|his|her|their|him|them|he's|she's|they're|they've",
}
# One word → the features it is a cue of; a phrase's first word → (its words, feature).
_WORD_CUES: dict[str, tuple[str, ...]] = {}
_PHRASE_CUES: dict[str, list[tuple[tuple[str, ...], str]]] = {}
for _name, _terms in _CUES.items():
    for _term in _terms.split("|"):
        _words_of = tuple(_term.split())
        if len(_words_of) == 1:
            _WORD_CUES[_term] = (*_WORD_CUES.get(_term, ()), _name)
        else:
            _PHRASE_CUES.setdefault(_words_of[0], []).append((_words_of, _name))
_TOKEN_RE = re.compile(r"\w+(?:['’]\w+)*")
# A capitalised word after the first: a name, a place, an institution.
_NAME_RE = re.compile(r"(?<=[\s(\"“])[A-Z][a-z]+|(?<=[\s(\"“])[A-Z]{2,}\b")
_PAST_RE = re.compile(r"\b[a-z]{3,}ed\b")
_URL_RE = re.compile(r"\S+\.(?:com|org|net|gov|edu|[a-z]{2})/\S*|https?://\S+|www\.\S+")
_ACTIVE_PAST_RE = re.compile(r"(?<!\bbe )(?<!\bbeen )\b([a-z]{3,}ed)\b", re.IGNORECASE)
_NOT_PAST = frozenset("expected projected predicted forecasted anticipated".split())
_WORD_RE = re.compile(r"\w+(?:['’.,-]\w+)*")
_CJK_RE = re.compile(r"[\u3040-\u30ff\u3400-\u9fff\uac00-\ud7af]")
# Common English words: their share says whether the English cues can speak at all.
_ENGLISH = frozenset(
    "the of and to in is that for on with was as by it are be this from at have has not but "
    "were which or an they their said had been its who he she we i our you will would there "
    "than more also after one all about".split()
)

# Boilerplate: never a claim, whatever else it has (site notices, captions) …
_BOILERPLATE = re.compile(
    r"cookies?\b|privacy policy|terms of (?:use|service)|all rights reserved|copyright|©"
    r"|choose your language|image source|getty images|file photo|photo:|\bphoto by\b"
    r"|\(photo\b|\b(?:is|are|was|were) seen (?:in|at|on|during|outside|inside|near)\b"
    r"|\bpictured\b",
    re.IGNORECASE,
)
# … and in a short line: menus, bylines, sharing buttons.
_FURNITURE = re.compile(
    r"subscribe|newsletter|sign (?:up|in)|log (?:in|out)|click here|follow us|share this"
    r"|read more|advertisement|skip to|back to top|related articles?|hotline"
    r"|^\s*(?:by|updated|published|posted)\b",
    re.IGNORECASE,
)
# A photo credit ending a paragraph ("… 2024. /CFP", "… (Reuters)"): the paragraph is a caption.
_CREDIT = re.compile(r"(?:/\s*[A-Z][A-Za-z]{1,12}|\((?:AP|AFP|Reuters|Getty|EPA)\))\s*$")
_TERMINAL = frozenset(".!?。！？…\"”’')»")
_LINE_RE = re.compile(r"[^\n]*\S[^\n]*")
_CJK_END = re.compile(r"[。！？](?:[」』”’）)]*)")

# Fitted on the training split only (python -m bench.claims_fit): feature → weight.
WEIGHTS: dict[str, float] = {
    "bias": -1.42,
    "figure": 1.61,
    "past": 1.56,
    "names": 1.36,
    "percent": 1.28,
    "legal": 1.19,
    "deontic": -1.09,
    "prediction": -0.97,
    "opinion": -0.94,
    "comparison": 0.94,
    "date": 0.93,
    "quantity": 0.92,
    "attribution": 0.90,
    "subjective": -0.85,
    "first_person": -0.84,
    "first": 0.83,
    "quote": -0.80,
    "topic": 0.75,
    "conditional": -0.74,
    "money": 0.70,
    "courtesy": -0.67,
    "past_verb": 0.66,
    "time": 0.60,
    "modal": -0.59,
    "evidence": 0.55,
    "count": 0.44,
    "address": -0.43,
    "existential": 0.36,
    "length": 0.36,
    "third_person": 0.36,
    "causal": 0.22,
    "short": -0.16,
    "negation": -0.05,
    "we": 0.02,
}
# The best F1 in cross-validation on the training split, the classes weighed equally.
THRESHOLD = 0.4


@dataclass(frozen=True)
class Candidate:
    """A sentence worth checking: its span in the normalized text, its score and reasons."""

    start: int
    end: int
    text: str
    score: float
    reasons: tuple[str, ...]

    def as_json(self) -> dict[str, object]:
        return {
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "score": round(self.score, 3),
            "reasons": list(self.reasons),
        }


def sentence_key(sentence: str) -> str:
    """A sentence as a dismissal remembers it: whitespace folded (a PDF's line breaks move
    from one version to the next)."""
    return " ".join(sentence.split())


def _words(sentence: str) -> int:
    return len(_WORD_RE.findall(sentence)) + len(_CJK_RE.findall(sentence)) // 2


def features(sentence: str) -> tuple[dict[str, float], bool, bool]:
    """The model's features of one sentence; whether its English cues apply; whether it has
    a statistic in any language (a percentage, an amount of money, a figure of 1,000 or
    more, or a figure with a date)."""
    found: dict[str, float] = {}
    tokens = _TOKEN_RE.findall(sentence.lower().replace("’", "'"))
    english = 0
    for i, token in enumerate(tokens):
        if token in _ENGLISH:
            english += 1
        for name in _WORD_CUES.get(token, ()):
            found[name] = 1.0
        if token.endswith("'ll"):
            found["prediction"] = 1.0
        for words, name in _PHRASE_CUES.get(token, ()):
            if tuple(tokens[i : i + len(words)]) == words:
                found[name] = 1.0
    statistic = False
    for figure in figures(_URL_RE.sub(" ", sentence)):  # a link's digits are no figures
        statistic = statistic or figure.kind not in ("year", "date") and figure.value >= 1000
        if figure.kind == "number" and figure.value < 10 and figure.text.isalpha():
            found["count"] = 1.0
            continue  # "two sides", "one of them": words, not statistics
        if figure.kind in ("year", "date"):
            found["date"] = 1.0
            continue
        found["figure"] = 1.0
        if figure.kind == "percent":
            found["percent"] = statistic = 1.0
        elif figure.kind.startswith("money:"):
            found["money"] = statistic = 1.0
    count = len(tokens) + len(_CJK_RE.findall(sentence)) // 2
    is_english = count > 0 and english >= max(1, 0.12 * len(tokens))
    names = len(_NAME_RE.findall(sentence))
    if names:
        found["names"] = min(names, 4) / 4
    past = sum(1 for w in _PAST_RE.findall(sentence) if w.lower() not in _NOT_PAST)
    if past:
        found["past"] = min(past, 3) / 3
    found["length"] = min(count, 40) / 40
    if count < 6:
        found["short"] = 1.0
    if '"' in sentence or "“" in sentence:
        found["quote"] = 1.0
    statistic = bool(statistic) or ("figure" in found and "date" in found)
    return found, is_english, statistic


def score(sentence: str) -> tuple[float, tuple[str, ...]]:
    """The probability that `sentence` is worth checking, and the reasons for it."""
    probability, reasons, _found = _judge(sentence)
    return probability, reasons


def _judge(
    sentence: str, english: bool | None = None
) -> tuple[float, tuple[str, ...], dict[str, float]]:
    found, is_english, statistic = features(sentence)
    if not (is_english if english is None else english):
        # Only what reads the same in any language: a statistic in a whole sentence (a count
        # in a recipe or a menu is not one).
        if not statistic or found["length"] < 6 / 40 or sentence[-1:] not in _TERMINAL:
            return 0.0, (), {}
        found = {k: v for k, v in found.items() if k in ("figure", "percent", "money", "date")}
        found["length"] = 1.0
    z = WEIGHTS["bias"] + sum(WEIGHTS.get(k, 0.0) * v for k, v in found.items())
    probability = 1 / (1 + math.exp(-z))
    return probability, _reasons(found), found


def _reasons(found: dict[str, float]) -> tuple[str, ...]:
    out = []
    if "figure" in found or "quantity" in found:
        out.append("figure")
    for name in ("comparison", "date", "first", "attribution", "causal", "legal"):
        if name in found or (name == "attribution" and "evidence" in found):
            out.append(name)
    if not out:
        # Still checkable (the model says so): what was done, or a plain statement of fact.
        out.append("event" if "past" in found or "past_verb" in found else "fact")
    return tuple(out)


def _is_english(text: str) -> bool | None:
    """Whether a document is in English, from the share of common English words in it; None
    for a text too short to tell (each sentence then tells for itself)."""
    tokens = _TOKEN_RE.findall(text[:20_000].lower())
    if len(tokens) < 200:
        return None
    # English prose: 40 % of its words are of this list; German, French, Czech: under 10 %.
    return sum(1 for w in tokens if w in _ENGLISH) >= 0.2 * len(tokens)


def _is_prediction(sentence: str, found: dict[str, float]) -> bool:
    """What will, could or is expected to happen, with nothing said of what did ("will be
    passed" is no past)."""
    if not ("prediction" in found or "modal" in found) or "past_verb" in found:
        return False
    return not any(m.group(1).lower() not in _NOT_PAST for m in _ACTIVE_PAST_RE.finditer(sentence))


def _is_boilerplate(sentence: str, words: int) -> bool:
    if words < 4 or sentence.isupper() or _BOILERPLATE.search(sentence):
        return True
    if not (sentence[0].isalnum() or sentence[0] in "\"'“‘«„(¿¡"):
        return True  # a fragment (", so ist …"), a formula, a list's bullet
    if words < 12 and _FURNITURE.search(sentence):
        return True
    if sentence.rstrip()[-1:] not in _TERMINAL and words < 10:
        return True  # a heading, a menu, a label
    letters = sum(ch.isalpha() for ch in sentence)
    return letters < 0.5 * len(sentence)


def _paragraphs(text: str) -> Iterator[tuple[int, int]]:
    """Paragraphs: split at blank lines, and at a line break after a short line that does not
    run on (a PDF's headings, bylines and labels are lines of their own)."""
    lines = [m.span() for m in _LINE_RE.finditer(text)]
    widths = sorted(e - s for s, e in lines if e - s >= 20)
    typical = widths[len(widths) // 2] if widths else 0
    start = previous_start = previous_end = -1
    for s, e in lines:
        if start < 0:
            start = s
        elif text.count("\n", previous_end, s) > 1 or _ends_unit(
            text, previous_start, previous_end, s, typical
        ):
            yield start, previous_end
            start = s
        previous_start, previous_end = s, e
    if start >= 0:
        yield start, previous_end


def _ends_unit(text: str, line_start: int, line_end: int, next_start: int, typical: int) -> bool:
    line = text[line_start:line_end].rstrip()
    if not line or line[-1] in ",;:-–—(":
        return False
    nxt = text[next_start : next_start + 1]
    if not nxt or nxt.islower():
        return False
    if line[-1] in _TERMINAL or len(line) < 0.7 * typical:
        return True
    words = line.split()
    return sum(w[:1].isupper() for w in words) >= 0.6 * len(words)  # a Title Case heading


def sentence_spans(text: str) -> Iterator[tuple[int, int]]:
    """Every sentence of `text` as (start, end) offsets, in reading order."""
    for p_start, p_end in _paragraphs(text):
        yield from _spans(text, p_start, p_end)


def candidates(text: str, threshold: float = THRESHOLD) -> list[Candidate]:
    """The sentences of `text` worth checking, in reading order."""
    out: list[Candidate] = []
    english = _is_english(text)
    for p_start, p_end in _paragraphs(text):
        caption = bool(_CREDIT.search(text, p_start, p_end))
        for s, e in _spans(text, p_start, p_end):
            sentence = text[s:e]
            if caption or sentence.endswith("?") or _is_boilerplate(sentence, _words(sentence)):
                continue
            probability, reasons, found = _judge(sentence, english)
            if probability >= threshold and not _is_prediction(sentence, found):
                out.append(Candidate(s, e, sentence, probability, reasons))
    return out


def _spans(text: str, p_start: int, p_end: int) -> Iterator[tuple[int, int]]:
    for s, e in text_sentences(text, p_start, p_end):
        cut = s
        for m in _CJK_END.finditer(text, s, e):
            if m.end() < e:
                yield cut, m.end()
                cut = m.end()
        while cut < e and text[cut].isspace():
            cut += 1
        if cut < e:
            yield cut, e
