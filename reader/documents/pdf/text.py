"""A page's text layer from MuPDF's structured text, and finding words in it.

The rule (see the package's docstring) is applied here: lines stripped, empty ones dropped,
joined by "\\n"; each character keeps its box, the separators an empty one.
"""

from __future__ import annotations

import re

import pymupdf

from reader.documents.base import Char, Rect

NO_RECT = Rect(0.0, 0.0, 0.0, 0.0)


def text_of(data: dict, rot: pymupdf.Matrix, with_chars: bool) -> tuple[str, list[Char]]:
    """A page's text (and its characters' boxes) from MuPDF's structured text."""
    identity = rot == pymupdf.Identity
    parts: list[str] = []
    chars: list[Char] = []
    pos = 0  # length of "\n".join(parts)
    for block in data.get("blocks", ()):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", ()):
            if with_chars:
                cs = [(c["c"], c["bbox"]) for s in line["spans"] for c in s["chars"]]
                lo, hi = 0, len(cs)
                while lo < hi and cs[lo][0].isspace():
                    lo += 1
                while hi > lo and cs[hi - 1][0].isspace():
                    hi -= 1
                if lo == hi:
                    continue
                if parts:
                    chars.append(Char(pos, NO_RECT))
                    pos += 1
                for c, bb in cs[lo:hi]:
                    if identity:
                        rect = Rect(bb[0], bb[1], bb[2], bb[3])
                    else:
                        t = pymupdf.Rect(bb) * rot
                        rect = Rect(t.x0, t.y0, t.x1, t.y1)
                    chars.append(Char(pos, rect))
                    pos += len(c)
                parts.append("".join(c for c, _ in cs[lo:hi]))
            else:
                line_text = "".join(s["text"] for s in line["spans"]).strip()
                if line_text:
                    parts.append(line_text)
    return "\n".join(parts), chars


class PageTextLayer:
    __slots__ = ("text", "chars")

    def __init__(self, text: str, chars: list[Char] | None) -> None:
        self.text = text
        self.chars = chars


def fold(s: str) -> str:
    """Case- and whitespace-folded, the same length as `s` (so offsets carry over)."""
    out = []
    for c in s:
        if c.isspace():
            out.append(" ")
            continue
        low = c.lower()
        out.append(low if len(low) == 1 else c)
    return "".join(out)


def search_text(text: str, needle: str) -> list[tuple[int, int]]:
    """(start, end) ranges in `text` where `needle` occurs, ignoring case and treating any
    run of whitespace in the needle as one space or line break."""
    words = fold(needle).split()
    if not words:
        return []
    hay = fold(text)
    pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
    return [(m.start(), m.end()) for m in pattern.finditer(hay) if m.end() > m.start()]


def line_rects(chars: list[Char]) -> list[Rect]:
    """One rectangle per text line the characters cover (the separators end a line)."""
    rects: list[Rect] = []
    cur: list[float] | None = None
    for ch in chars:
        r = ch.rect
        if r.x1 <= r.x0 and r.y1 <= r.y0:  # line separator
            if cur is not None:
                rects.append(Rect(*cur))
                cur = None
            continue
        if cur is None:
            cur = [r.x0, r.y0, r.x1, r.y1]
        else:
            cur = [min(cur[0], r.x0), min(cur[1], r.y0), max(cur[2], r.x1), max(cur[3], r.y1)]
    if cur is not None:
        rects.append(Rect(*cur))
    return rects
