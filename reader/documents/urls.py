"""Telling a web address from a file name: cheap, so the GUI can ask before any network code."""

from __future__ import annotations

import re

_BARE_WWW = re.compile(r"^www\.[^\s./?#]+(\.[^\s./?#]+)+(?:[:/?#]\S*)?$", re.IGNORECASE)
_HAS_SCHEME = re.compile(r"^https?://\S+$", re.IGNORECASE)


def looks_like_url(s: str) -> bool:
    """True for `http://…`, `https://…` and a bare `www.example.com/…`."""
    s = s.strip()
    return bool(_HAS_SCHEME.match(s) or _BARE_WWW.match(s))


def normalize_url(s: str) -> str:
    """`www.example.com/x` → `https://www.example.com/x`; other input is only stripped."""
    s = s.strip()
    if _BARE_WWW.match(s) and not _HAS_SCHEME.match(s):
        return "https://" + s
    return s
