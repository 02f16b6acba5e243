"""The figures of a claim checked against those of its evidence quote.

A small parser of our own: quantulum3 reads "5 per cent" as a unit of its own (not a
percentage), folds a range "18-45" into its mean (31.5), takes ~6 s on its first parse and
warns at import; pint reads units but finds no figures in prose; dateparser reads dates only.
None of them says "about", "more than" or "tens of thousands", which is what decides
agreement here. Every figure becomes an interval of what it asserts; a claim figure agrees
only when its evidence figure lies inside that interval, so rounding agrees and a different
figure never does (the worst error is "agree" where the figures differ).
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

_SMALL = {
    "zero": 0, "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10, "eleven": 11, "twelve": 12, "thirteen": 13,
    "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17, "eighteen": 18,
    "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "a": 1, "an": 1,
}  # fmt: skip
_SCALES = {
    "hundred": 1e2, "thousand": 1e3, "million": 1e6, "billion": 1e9, "trillion": 1e12,
    "m": 1e6, "mn": 1e6, "bn": 1e9, "k": 1e3, "tn": 1e12,
}  # fmt: skip
_DENOMINATORS = {
    "half": 2, "halves": 2, "third": 3, "thirds": 3, "quarter": 4, "quarters": 4,
    "fourth": 4, "fourths": 4, "fifth": 5, "fifths": 5, "sixth": 6, "sixths": 6,
    "seventh": 7, "sevenths": 7, "eighth": 8, "eighths": 8, "ninth": 9, "ninths": 9,
    "tenth": 10, "tenths": 10,
}  # fmt: skip
_MULTIPLIERS = {"doubled": 2, "tripled": 3, "trebled": 3, "quadrupled": 4, "halved": 0.5}
# unit word -> (canonical unit, dimension)
_UNITS = {
    "km": ("km", "length"), "kilometre": ("km", "length"), "kilometer": ("km", "length"),
    "mile": ("miles", "length"), "mi": ("miles", "length"), "metre": ("m", "length"),
    "meter": ("m", "length"), "kg": ("kg", "mass"), "kilogram": ("kg", "mass"),
    "tonne": ("tonnes", "mass"), "ton": ("tons", "mass"), "lb": ("lb", "mass"),
    "pound": ("lb", "mass"), "year": ("years", "duration"), "month": ("months", "duration"),
    "week": ("weeks", "duration"), "day": ("days", "duration"), "hour": ("hours", "duration"),
    "minute": ("minutes", "duration"), "litre": ("litres", "volume"),
    "liter": ("litres", "volume"), "gallon": ("gallons", "volume"),
}  # fmt: skip
_CURRENCY_SIGNS = {"$": "USD", "€": "EUR", "£": "GBP", "¥": "JPY"}
_CURRENCY_WORDS = {
    "dollar": "USD", "usd": "USD", "euro": "EUR", "eur": "EUR", "gbp": "GBP",
    "yen": "JPY", "yuan": "CNY", "rupee": "INR",
}  # fmt: skip
_MONTHS = {
    m: i + 1
    for i, m in enumerate(
        "january february march april may june july august september october november "
        "december".split()
    )
}
_MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
del _MONTHS["may"[:3]]  # "may" the verb; the full name stays
_MONTHS["may"] = 5

# Longest first: "no more than" must not read as "more than".
_BOUNDS = sorted(
    [
        ("no more than", "max"), ("not more than", "max"), ("more than", "min"),
        ("over", "min"), ("above", "min"), ("at least", "min"), ("exceeding", "min"),
        ("in excess of", "min"), ("upwards of", "min"), ("less than", "max"),
        ("fewer than", "max"), ("under", "max"), ("below", "max"), ("up to", "max"),
        ("at most", "max"), ("nearly", "nearly"), ("almost", "nearly"), ("about", "approx"),
        ("around", "approx"), ("roughly", "approx"), ("approximately", "approx"),
        ("some", "approx"), ("an estimated", "approx"), ("estimated", "approx"),
        ("close to", "approx"), ("circa", "approx"), ("~", "approx"), ("some", "approx"),
    ],
    key=lambda b: -len(b[0]),
)  # fmt: skip
_APPROX = 0.05  # what "about" allows either side
_ROUNDING_CAP = 0.02  # a stated figure covers what rounds to it, but never more than 2 %

_WORD = r"(?:" + "|".join(sorted(_SMALL, key=len, reverse=True)) + r")"
_NUM = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"
_WORDNUM = _WORD + r"(?:[\s-]+(?:" + _WORD[3:-1] + r"|hundred|and))*"
_SCALE = r"(?:\s*(?:hundred|thousand|million|billion|trillion)\b|(?:m|mn|bn|k|tn)\b)"
_PERCENT = r"(?:\s*(?:%|per\s?cent\b|percentage points?\b))"
_FIGURE = re.compile(
    r"(?P<vague>(?:tens|hundreds) of (?:thousands|millions)|(?:thousands|millions|dozens)\b)"
    r"|(?P<ratio>(?P<rn>(?<![\d,.])\d{1,3}|\b" + _WORD + r")\s+(?:in|out of)\s+"
    r"(?!(?:1[89]\d\d|20\d\d)\b)(?P<rd>\d{1,3}(?:,\d{3})*"
    + r"|" + _WORD + r"|ten|every)\b)"
    r"|(?P<frac>(?P<fn>" + _WORD + r")[\s-](?P<fd>" + "|".join(_DENOMINATORS) + r")\b)"
    r"|(?P<half>\bhalf\b)"
    r"|(?P<mult>\b(?:" + "|".join(_MULTIPLIERS) + r")\b)"
    r"|(?P<date>(?:(?P<dd2>\d{1,2})\s+)?(?P<dm>(?:"
    + "|".join(sorted(_MONTHS, key=len, reverse=True))
    + r"))\.?\s+(?P<dd>\d{1,2})?(?:,?\s*(?P<dy>1[89]\d\d|20\d\d))?\b)"
    r"|(?:(?P<cur>[$€£¥])\s?)?(?P<num>(?<![\w.-])" + _NUM
    + r"(?=(?:m|mn|bn|k|tn)\b|\W|$)|\b" + _WORDNUM
    + r"\b)(?P<scale>" + _SCALE + r")?"
    r"(?:\s*(?:-|–|to)\s*(?P<hi>" + _NUM + r")(?P<hiscale>" + _SCALE + r")?)?"
    r"(?P<pct>" + _PERCENT + r")?"
    r"(?P<times>\s*(?:times|-fold|fold)\b)?"
    r"(?:\s+(?P<unit>[a-z]+))?",
    re.IGNORECASE,
)
_VAGUE = {
    "tens of thousands": (1e4, 1e5), "hundreds of thousands": (1e5, 1e6),
    "tens of millions": (1e7, 1e8), "hundreds of millions": (1e8, 1e9),
    "thousands": (1e3, 1e4), "millions": (1e6, 1e9), "dozens": (24, 144),
}  # fmt: skip


@dataclass(frozen=True)
class Figure:
    """One figure as written, and the interval of values it asserts."""

    text: str
    kind: str  # number | percent | year | date | times | money:XXX | unit:dimension
    unit: str
    low: float
    high: float
    value: float
    is_range: bool = False
    # No bound, no approximation: as evidence it stands for its value, however rounded.
    plain: bool = True


@dataclass(frozen=True)
class Pair:
    claim: str
    evidence: str
    verdict: str  # agree | differ


@dataclass(frozen=True)
class NumberCheck:
    verdict: str  # agree | differ | none
    pairs: tuple[Pair, ...]

    def cell(self) -> str:
        """The contract's one-cell form: `agree`, `differ: 79,770 vs 81,806`, `none`."""
        if self.verdict != "differ":
            return self.verdict
        first = next(p for p in self.pairs if p.verdict == "differ")
        return f"differ: {first.claim} vs {first.evidence}"

    def as_json(self) -> dict[str, object]:
        return {
            "verdict": self.verdict,
            "pairs": [
                {"claim": p.claim, "evidence": p.evidence, "verdict": p.verdict}
                for p in self.pairs
            ],
        }


def _word_value(text: str) -> float | None:
    total, current = 0.0, 0.0
    for token in re.split(r"[\s-]+", text.lower()):
        if token == "and":
            continue
        if token in _SMALL:
            current += _SMALL[token]
        elif token == "hundred":
            current = max(current, 1) * 100
        else:
            return None
    return total + current


def _value(text: str) -> tuple[float, float] | None:
    """A number's value and the half-unit of its last stated digit."""
    if text[0].isdigit():
        plain = text.replace(",", "")
        decimals = len(plain.split(".")[1]) if "." in plain else 0
        return float(plain), 0.5 * 10**-decimals
    value = _word_value(text)
    return None if value is None else (value, 0.5)


def _bound_before(text: str, start: int) -> str:
    before = text[max(0, start - 24) : start].lower().rstrip()
    for phrase, bound in _BOUNDS:
        if before.endswith(phrase) and (
            len(before) == len(phrase) or not before[-len(phrase) - 1].isalnum()
        ):
            return bound
    return ""


def _interval(value: float, half_unit: float, bound: str, percent: bool) -> tuple[float, float]:
    if bound == "min":
        return value, math.inf
    if bound == "max":
        return -math.inf, value
    if bound == "nearly":
        return value * (1 - _APPROX), value
    if bound == "approx":
        spread = max(abs(value) * _APPROX, half_unit)
    elif percent:
        spread = min(half_unit, 0.5)
    else:
        spread = min(half_unit, abs(value) * _ROUNDING_CAP) if value else half_unit
    return value - spread, value + spread


def _unit_of(word: str | None) -> tuple[str, str] | None:
    if not word:
        return None
    w = word.lower()
    for candidate in (w, w[:-1] if w.endswith("s") else w, w[:-2] if w.endswith("es") else w):
        if candidate in _UNITS:
            return _UNITS[candidate]
        if candidate in _CURRENCY_WORDS:
            return _CURRENCY_WORDS[candidate], "money"
    return None


def figures(text: str) -> list[Figure]:
    """Every figure in `text`, in reading order."""
    found: list[Figure] = []
    for m in _FIGURE.finditer(text):
        bound = _bound_before(text, m.start())
        surface = m.group(0).strip()
        if m.group("vague"):
            low, high = _VAGUE[m.group("vague").lower()]
            found.append(Figure(surface, "number", "", low, high, low, plain=False))
        elif m.group("ratio"):
            n = _value(m.group("rn"))
            den_text = m.group("rd").lower()
            d = (1.0, 0.5) if den_text == "every" else _value(den_text)
            if n is None or d is None or not d[0] or n[0] > d[0]:
                continue
            pct = 100 * n[0] / d[0]
            low, high = _interval(pct, 0.5, bound, True)
            found.append(Figure(surface, "percent", "%", low, high, pct, plain=not bound))
        elif m.group("frac"):
            n = _word_value(m.group("fn"))
            if n is None:
                continue
            pct = 100 * n / _DENOMINATORS[m.group("fd").lower()]
            low, high = _interval(pct, 0.5, bound, True)
            found.append(Figure(surface, "percent", "%", low, high, pct, plain=not bound))
        elif m.group("half"):
            low, high = _interval(50, 0.5, bound, True)
            found.append(Figure(surface, "percent", "%", low, high, 50, plain=not bound))
        elif m.group("mult"):
            factor = _MULTIPLIERS[m.group("mult").lower()]
            low, high = _interval(factor, 0.05, bound, False)
            found.append(Figure(surface, "times", "", low, high, factor, plain=not bound))
        elif m.group("date"):
            month = _MONTHS[m.group("dm").lower()[:3] if m.group("dm").lower() != "may" else "may"]
            day = int(m.group("dd") or m.group("dd2") or 0)
            year = int(m.group("dy")) if m.group("dy") else 0
            if not (day or year):
                continue  # a month name alone ("May") is too often a word
            code = year * 10000 + month * 100 + day
            found.append(Figure(surface, "date", "", code, code, code))
        else:
            figure = _number(m, surface, bound)
            if figure is not None:
                found.append(figure)
    return found


def _number(m: re.Match[str], surface: str, bound: str) -> Figure | None:
    parsed = _value(m.group("num").strip())
    if parsed is None:
        return None
    value, half_unit = parsed
    num_text = m.group("num").strip()
    scale_word = (m.group("scale") or "").strip().lower()
    unit = _unit_of(m.group("unit"))
    if num_text.lower() in {"one", "a", "an"} and not (scale_word or m.group("pct") or unit):
        return None  # "one of", "a report": not figures
    scale = _SCALES.get(scale_word, 1.0)
    value, half_unit = value * scale, half_unit * scale
    if not m.group("unit") or unit is None:
        surface = surface[: len(surface) - len(m.group("unit") or "")].rstrip()
    percent = bool(m.group("pct"))
    high_text = m.group("hi")
    if m.group("cur"):
        unit_name = _CURRENCY_SIGNS[m.group("cur")]
        kind = "money:" + unit_name
    elif percent:
        kind, unit_name = "percent", "%"
    elif m.group("times"):
        kind, unit_name = "times", ""
    elif unit is not None:
        kind = "money:" + unit[0] if unit[1] == "money" else "unit:" + unit[1]
        unit_name = unit[0]
    elif (
        not scale_word
        and num_text.isdigit()
        and len(num_text) == 4
        and 1800 <= value <= 2100
        and not high_text
    ):
        return Figure(surface, "year", "", value, value, value)
    else:
        kind, unit_name = "number", ""
    if high_text:
        hi_scale = _SCALES.get((m.group("hiscale") or "").strip().lower(), scale)
        high_value = float(high_text.replace(",", "")) * hi_scale
        if high_value < value:
            return None  # "2021-22" and the like: not a range of values
        return Figure(surface, kind, unit_name, value, high_value, value, is_range=True)
    low, high = _interval(value, half_unit, bound, percent)
    return Figure(surface, kind, unit_name, low, high, value, plain=not bound)


def _compare(claim: Figure, evidence: Figure) -> str:
    """agree, differ or "" (cannot tell) for two figures of the same kind."""
    if claim.is_range or evidence.is_range:
        if claim.is_range and evidence.is_range:
            same = claim.low == evidence.low and claim.high == evidence.high
            return "agree" if same else "differ"
        return ""
    if claim.kind == "date":
        return _compare_dates(int(claim.value), int(evidence.value))
    ev_low, ev_high = (
        (evidence.value, evidence.value) if evidence.plain else (evidence.low, evidence.high)
    )
    if claim.low <= ev_low and ev_high <= claim.high:
        return "agree"
    if ev_high < claim.low or ev_low > claim.high:
        return "differ"
    return ""


def _compare_dates(a: int, b: int) -> str:
    parts_a = (a // 10000, a // 100 % 100, a % 100)
    parts_b = (b // 10000, b // 100 % 100, b % 100)
    for x, y in zip(parts_a, parts_b, strict=True):
        if x and y and x != y:
            return "differ"
    return "agree"


def _family(figure: Figure) -> str:
    if figure.kind.startswith("money:"):
        return "money"
    return "time" if figure.kind in ("year", "date") else figure.kind


def _as_year(figure: Figure) -> Figure:
    if figure.kind != "date" or figure.value < 10000:
        return figure
    year = figure.value // 10000
    return Figure(figure.text, "year", "", year, year, year)


def compare(claim: str, evidence: str) -> NumberCheck:
    """The verdict of `claim`'s figures against `evidence`'s, with the pairs compared."""
    claimed, cited = figures(claim), figures(evidence)
    pairs: list[Pair] = []
    for c in claimed:
        same_kind = [e for e in cited if _family(e) == _family(c)]
        if c.kind.startswith(("unit:", "money:")):
            same_unit = [e for e in same_kind if e.unit == c.unit]
            if not same_unit and same_kind:
                pairs.append(Pair(c.unit, same_kind[0].unit, "differ"))
                continue
            same_kind = same_unit
        if not same_kind:
            continue
        results = []
        for e in same_kind:
            a, b = c, e
            if _family(c) == "time" and c.kind != e.kind:
                a, b = _as_year(c), _as_year(e)
                if a.kind != b.kind:
                    continue
            results.append((_compare(a, b), e))
        if any(r == "agree" for r, _ in results):
            e = next(e for r, e in results if r == "agree")
            pairs.append(Pair(c.text, e.text, "agree"))
        elif results and all(r == "differ" for r, _ in results):
            nearest = min((e for _, e in results), key=lambda e: abs(e.value - c.value))
            pairs.append(Pair(c.text, nearest.text, "differ"))
    if any(p.verdict == "differ" for p in pairs):
        verdict = "differ"
    elif pairs:
        verdict = "agree"
    else:
        verdict = "none"
    return NumberCheck(verdict, tuple(pairs))


def export_cell(claim: str, evidence: str) -> str:
    """The CSV `number_check` cell: empty when the evidence quote has no figures."""
    if not evidence.strip() or not figures(evidence):
        return ""
    return compare(claim, evidence).cell()
