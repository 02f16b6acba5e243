"""Which font package a text needs when no installed font can show its script.

Qt's font database (fontconfig on Linux) says which writing systems the installed fonts cover;
a text in a script none covers would be shown as boxes, so the window names the Debian package
that brings a font for it instead.
"""

from __future__ import annotations

from PySide6.QtGui import QFontDatabase

_WS = QFontDatabase.WritingSystem
_CJK = "fonts-noto-cjk"
_NOTO = "fonts-noto-core"
# (first, last code point, script name, Qt writing system, Debian package)
_SCRIPTS = (
    (0x3040, 0x30FF, "Japanese", _WS.Japanese, _CJK),
    (0x4E00, 0x9FFF, "Chinese", _WS.SimplifiedChinese, _CJK),
    (0xAC00, 0xD7AF, "Korean", _WS.Korean, _CJK),
    (0x0600, 0x06FF, "Arabic", _WS.Arabic, _NOTO),
    (0x0590, 0x05FF, "Hebrew", _WS.Hebrew, _NOTO),
    (0x0E00, 0x0E7F, "Thai", _WS.Thai, _NOTO),
    (0x0E80, 0x0EFF, "Lao", _WS.Lao, _NOTO),
    (0x0900, 0x097F, "Devanagari", _WS.Devanagari, _NOTO),
    (0x0980, 0x09FF, "Bengali", _WS.Bengali, _NOTO),
    (0x0A80, 0x0AFF, "Gujarati", _WS.Gujarati, _NOTO),
    (0x0B80, 0x0BFF, "Tamil", _WS.Tamil, _NOTO),
    (0x0C00, 0x0C7F, "Telugu", _WS.Telugu, _NOTO),
    (0x0C80, 0x0CFF, "Kannada", _WS.Kannada, _NOTO),
    (0x0D00, 0x0D7F, "Malayalam", _WS.Malayalam, _NOTO),
    (0x10A0, 0x10FF, "Georgian", _WS.Georgian, _NOTO),
    (0x0530, 0x058F, "Armenian", _WS.Armenian, _NOTO),
    (0x1780, 0x17FF, "Khmer", _WS.Khmer, _NOTO),
    (0x1000, 0x109F, "Myanmar", _WS.Myanmar, _NOTO),
    (0x0F00, 0x0FFF, "Tibetan", _WS.Tibetan, _NOTO),
    (0x0D80, 0x0DFF, "Sinhala", _WS.Sinhala, _NOTO),
    (0x1200, 0x137F, "Ethiopic", _WS.Other, _NOTO),
)
_KANA, _HAN = 0, 1  # indexes of Japanese kana and CJK ideographs in _SCRIPTS
_SAMPLE = 50_000
# A script counts when at least this many of the text's characters are in it.
_MIN_CHARS = 20


def scripts_of(text: str) -> list[tuple[str, object, str]]:
    """(script name, writing system, package) of each script the text is largely written in."""
    counts: dict[int, int] = {}
    for ch in text[:_SAMPLE]:
        cp = ord(ch)
        if cp < 0x0530:
            continue
        for i, (lo, hi, *_rest) in enumerate(_SCRIPTS):
            if lo <= cp <= hi:
                counts[i] = counts.get(i, 0) + 1
                break
    if counts.get(_KANA, 0) and counts.get(_HAN, 0):  # kanji with kana: Japanese text
        counts[_KANA] += counts.pop(_HAN)
    return [
        (_SCRIPTS[i][2], _SCRIPTS[i][3], _SCRIPTS[i][4])
        for i, n in sorted(counts.items(), key=lambda kv: -kv[1])
        if n >= _MIN_CHARS
    ]


def missing_font_message(text: str) -> str:
    """One sentence naming the font package to install, or "" when every script shows."""
    missing = [
        (name, package)
        for name, system, package in scripts_of(text)
        if system != _WS.Other and not QFontDatabase.families(system)
    ]
    if not missing:
        return ""
    names = " and ".join(dict.fromkeys(name for name, _ in missing))
    packages = " ".join(dict.fromkeys(package for _, package in missing))
    return (
        f"No installed font shows {names} text, so it appears as boxes: install the "
        f"{packages} package (Debian and Ubuntu) and reopen the document."
    )
