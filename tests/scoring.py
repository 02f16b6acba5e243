"""Token precision / recall / F1 between an extracted text and a ground truth.

Tokens are runs of letters and digits, casefolded. Scripts written without spaces between words
(CJK, Thai, Lao, Khmer, Myanmar, kana) are cut into overlapping character bigrams instead, so a
Japanese page is scored on its characters rather than as one giant "word".
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from dataclasses import dataclass

_WORD = re.compile(r"[^\W_]+")

# Scripts without spaces between words.
_NO_SPACE_RANGES = (
    (0x0E00, 0x0EFF),  # Thai, Lao
    (0x1000, 0x109F),  # Myanmar
    (0x1780, 0x17FF),  # Khmer
    (0x3040, 0x30FF),  # Hiragana, Katakana
    (0x3100, 0x312F),  # Bopomofo
    (0x3400, 0x4DBF),  # CJK Extension A
    (0x4E00, 0x9FFF),  # CJK Unified Ideographs
    (0xF900, 0xFAFF),  # CJK Compatibility Ideographs
    (0xFF66, 0xFF9F),  # half-width Katakana
    (0x20000, 0x2FA1F),  # CJK Extensions B-F, compatibility supplement
)


def _no_space(ch: str) -> bool:
    cp = ord(ch)
    return any(lo <= cp <= hi for lo, hi in _NO_SPACE_RANGES)


def tokens(text: str) -> list[str]:
    out: list[str] = []
    text = unicodedata.normalize("NFKC", text).casefold()
    for run in _WORD.findall(text):
        word: list[str] = []
        cjk: list[str] = []
        for ch in run:
            if _no_space(ch):
                if word:
                    out.append("".join(word))
                    word = []
                cjk.append(ch)
            else:
                if cjk:
                    out.extend(_bigrams(cjk))
                    cjk = []
                word.append(ch)
        if word:
            out.append("".join(word))
        if cjk:
            out.extend(_bigrams(cjk))
    return out


def _bigrams(chars: list[str]) -> list[str]:
    if len(chars) == 1:
        return chars[:]
    return [chars[i] + chars[i + 1] for i in range(len(chars) - 1)]


@dataclass(frozen=True)
class Score:
    precision: float
    recall: float
    f1: float


def score(extracted: str, truth: str) -> Score:
    got = Counter(tokens(extracted))
    want = Counter(tokens(truth))
    if not got or not want:
        same = not got and not want
        return Score(float(same), float(same), float(same))
    common = sum((got & want).values())
    precision = common / sum(got.values())
    recall = common / sum(want.values())
    f1 = 0.0 if common == 0 else 2 * precision * recall / (precision + recall)
    return Score(precision, recall, f1)
