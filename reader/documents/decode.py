"""Bytes → text for saved web pages and plain-text files, the way a browser would do it.

Order for HTML: byte-order mark, then strict UTF-8 (a page whose bytes are valid UTF-8 is UTF-8
whatever it declares — the common "declares gb2312, is UTF-8" trap), then the declared charset
(HTTP header, else ``<meta charset>`` / ``http-equiv`` in the first bytes) mapped through the
WHATWG-style aliases browsers use, then charset_normalizer's guess. Never raises on bytes.
"""

from __future__ import annotations

import codecs
import re

_BOMS = (
    (codecs.BOM_UTF8, "utf-8"),
    (codecs.BOM_UTF32_LE, "utf-32-le"),  # before UTF-16 LE: it starts with the same two bytes
    (codecs.BOM_UTF32_BE, "utf-32-be"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)

# Labels browsers decode with a superset codec (WHATWG Encoding Standard).
_ALIASES = {
    "gb2312": "gb18030",
    "gbk": "gb18030",
    "gb_2312-80": "gb18030",
    "x-gbk": "gb18030",
    "csgb2312": "gb18030",
    "chinese": "gb18030",
    "iso-8859-1": "cp1252",
    "iso8859-1": "cp1252",
    "iso_8859-1": "cp1252",
    "latin1": "cp1252",
    "latin-1": "cp1252",
    "l1": "cp1252",
    "ascii": "cp1252",
    "us-ascii": "cp1252",
    "windows-1252": "cp1252",
    "iso-8859-9": "cp1254",
    "latin5": "cp1254",
    "iso-8859-11": "cp874",
    "tis-620": "cp874",
    "windows-874": "cp874",
    "shift_jis": "cp932",
    "shift-jis": "cp932",
    "sjis": "cp932",
    "x-sjis": "cp932",
    "ms_kanji": "cp932",
    "windows-31j": "cp932",
    "euc-kr": "cp949",
    "ks_c_5601-1987": "cp949",
    "korean": "cp949",
    "big5": "big5hkscs",
    "x-x-big5": "big5hkscs",
    "euc-jp": "euc_jis_2004",
    "utf8": "utf-8",
    "unicode-1-1-utf-8": "utf-8",
}

_META_CHARSET = re.compile(rb"""<meta[^>]+charset\s*=\s*["']?\s*([a-zA-Z0-9_:.+-]+)""", re.I)
_SNIFF_BYTES = 4096


def _bom(data: bytes) -> tuple[str, int] | None:
    for bom, name in _BOMS:
        if data.startswith(bom):
            return name, len(bom)
    return None


def _codec(label: str | None) -> str | None:
    """A Python codec name for a charset label, or None if Python knows no such codec."""
    if not label:
        return None
    label = label.strip().strip("\"'").lower()
    name = _ALIASES.get(label, label)
    try:
        info = codecs.lookup(name)
    except LookupError:
        return None
    # A page cannot really be UTF-16/32 if it was not detected by its BOM; browsers use UTF-8.
    if info.name.startswith(("utf-16", "utf-32")):
        return "utf-8"
    return info.name


def sniff_declared_charset(data: bytes) -> str | None:
    """The charset named by a ``<meta>`` tag in the first few KB, if any."""
    match = _META_CHARSET.search(data[:_SNIFF_BYTES])
    return match.group(1).decode("ascii", "replace") if match else None


def _utf8(data: bytes) -> str | None:
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError:
        return None


_LEGACY_DEFAULT = "cp1252"
_CHAOS_MARGIN = 0.1


def _guess(data: bytes) -> str:
    from charset_normalizer import from_bytes

    matches = from_bytes(data)
    best = matches.best()
    if best is None:
        return data.decode(_LEGACY_DEFAULT, errors="replace")
    encoding = best.encoding
    if encoding != _LEGACY_DEFAULT and not encoding.startswith("utf") and _is_single_byte(encoding):
        # Browsers decode unlabeled legacy pages as windows-1252; prefer it over a near-tie.
        for match in matches:
            if _LEGACY_DEFAULT in match.could_be_from_charset and (
                match.chaos <= best.chaos + _CHAOS_MARGIN
            ):
                encoding = _LEGACY_DEFAULT
                break
    try:
        return data.decode(encoding, errors="replace")
    except LookupError:
        return data.decode(_LEGACY_DEFAULT, errors="replace")


def _is_single_byte(encoding: str) -> bool:
    """True for codecs that map each byte to one character (cp1250, iso8859-2, koi8-r ...)."""
    try:
        return len(_ALL_BYTES.decode(encoding, errors="replace")) == len(_ALL_BYTES)
    except LookupError:
        return False


_ALL_BYTES = bytes(range(256))


def decode_html(data: bytes, declared: str | None = None) -> str:
    """The text of an HTML page's bytes; `declared` is the HTTP Content-Type charset, if any."""
    bom = _bom(data)
    if bom is not None:
        return data[bom[1] :].decode(bom[0], errors="replace")
    text = _utf8(data)
    if text is not None:
        return text
    for label in (declared, sniff_declared_charset(data)):
        codec = _codec(label)
        if codec is None or codec == "utf-8":
            continue
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            # Declared but wrong in places: keep the declaration, browsers do the same.
            return data.decode(codec, errors="replace")
    return _guess(data)


def decode_source(data: bytes) -> str:
    """A .txt / .md file's own decoded text: its byte-order mark dropped, its line ends as they
    are. Exported position selectors of text files count characters of this text."""
    bom = _bom(data)
    if bom is not None:
        return data[bom[1] :].decode(bom[0], errors="replace")
    text = _utf8(data)
    return text if text is not None else _guess(data)


def decode_text(data: bytes) -> str:
    """The text of a .txt / .md file's bytes, with line ends normalized to LF."""
    bom = _bom(data)
    if bom is not None:
        text = data[bom[1] :].decode(bom[0], errors="replace")
    else:
        text = _utf8(data)
        if text is None:
            text = _guess(data)
    return text.replace("\r\n", "\n").replace("\r", "\n")
