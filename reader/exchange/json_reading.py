"""A JSON export read whole (`load_json`), or one `ExchangeError` sentence: too big, not UTF-8,
not JSON, a number too long, nested too deeply. `has_surrogate_escape` and `check_text` find
the lone surrogates a \\ud800 escape decodes to, which are not text. The W3C, ClaimReview and
Hypothesis/Zotero imports read through it."""

from __future__ import annotations

import json
import re
from typing import Any, BinaryIO

from reader.exchange import ExchangeError

# A JSON export is parsed whole, taking several times its size in memory; 256 MB is about
# 230,000 annotations (an export of 100,000 is 113 MB). CSV imports are streamed.
MAX_JSON_BYTES = 256 * 2**20


_SURROGATE_ESCAPE_BYTES = re.compile(rb"\\u[dD][89a-fA-F][0-9a-fA-F]{2}")


def _not_json(exc: json.JSONDecodeError) -> ExchangeError:
    return ExchangeError(f"line {exc.lineno}", f"the file is not valid JSON ({exc.msg}).")


def has_surrogate_escape(raw: BinaryIO) -> bool:
    """Whether the file has a \\uD800–\\uDFFF escape, read a block at a time."""
    raw.seek(0)
    tail = b""
    while block := raw.read(1 << 20):
        if _SURROGATE_ESCAPE_BYTES.search(tail + block):
            return True
        tail = block[-5:]
    return False


def check_text(item: object, where: str) -> None:
    try:
        json.dumps(item, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(exc.object[exc.start])
        raise ExchangeError(
            where, f"it holds a lone surrogate (\\u{code:04x}), which is not text."
        ) from None


def load_json(raw: BinaryIO) -> Any:
    """A JSON export parsed whole, or `ExchangeError` with one sentence (too big, not UTF-8,
    not JSON, nested too deeply)."""
    raw.seek(0, 2)
    size = raw.tell()
    raw.seek(0)
    if size > MAX_JSON_BYTES:
        raise ExchangeError(
            "line 1",
            f"the JSON file is {size / 2**20:,.0f} MB; a JSON import is read whole, so files "
            f"over {MAX_JSON_BYTES // 2**20} MB are refused: import a CSV export instead "
            "(it is read a block at a time).",
        )
    try:
        text = raw.read().decode("utf-8-sig")
        data = json.loads(text)
    except UnicodeDecodeError:
        raise ExchangeError("line 1", "the file is not UTF-8 text.") from None
    except ValueError as exc:
        # Python refuses to read integers of more than 4,300 digits (a denial of service
        # guard); JSONDecodeError, a ValueError too, is handled below.
        if isinstance(exc, json.JSONDecodeError):
            raise _not_json(exc) from None
        long_number = re.search(r"\d{4301,}", text)
        line = text.count("\n", 0, long_number.start()) + 1 if long_number else 1
        raise ExchangeError(
            f"line {line}", "a number has more than 4,300 digits, which no export writes."
        ) from None
    except RecursionError:  # "[[[[…" a thousand deep: no export is, and json gives up
        raise ExchangeError(
            f"line {_deep_line(raw)}", "the JSON is nested too deeply to be an export."
        ) from None
    return data


_TOKENS = re.compile(rb'[\[\]{}"\\\n]')


def _deep_line(raw: BinaryIO, depth: int = 200) -> int:
    """The line on which the file's nesting first goes `depth` levels deep (1 if never)."""
    raw.seek(0)
    data = raw.read()
    line, level, in_string, escaped = 1, 0, False, False
    last = -2
    for match in _TOKENS.finditer(data):
        token, at = match.group(), match.start()
        if escaped and at == last + 1:
            escaped = False
            last = at
            continue
        escaped = False
        last = at
        if token == b"\n":
            line += 1
        elif token == b"\\":
            escaped = in_string
        elif token == b'"':
            in_string = not in_string
        elif not in_string:
            level += 1 if token in (b"[", b"{") else -1
            if level >= depth:
                return line
    return 1
