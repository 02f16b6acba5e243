"""Identifiers and addresses: DOI, ISBN and URL normalized, links made safe to open, and
the keys that spot duplicate sources."""

from __future__ import annotations

import re
from dataclasses import replace
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

from reader.model import Source

# A DOI: "10." + registrant + "/" + suffix, with an optional "doi:" or resolver-URL prefix.
_DOI_PREFIX = re.compile(
    r"^(?:doi\s*:?\s*|(?:https?://)?(?:(?:dx|www)\.)?doi\.org/|info:doi/)", re.IGNORECASE
)


_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")


_TRAILING = ".,;:!?'\"”’>»"


_PAIRS = {")": "(", "]": "[", "}": "{"}


def strip_trailing(s: str) -> str:
    """Drop sentence punctuation after an identifier, and closing brackets it did not open."""
    while s:
        last = s[-1]
        if last in _TRAILING:
            s = s[:-1]
        elif last in _PAIRS and s.count(last) > s.count(_PAIRS[last]):
            s = s[:-1]
        else:
            break
    return s


_OPENABLE_SCHEMES = ("http", "https", "mailto")


def openable_url(url: str) -> str | None:
    """The address to hand to the desktop for `url`, or None when it is not a web, mail or
    DOI link (``file:``, ``javascript:``, ``smb:``, ``data:``, a UNC path …): those could read
    or run something on the user's machine, so they are only ever shown as text."""
    text = (url or "").strip()
    if not text or any(ord(c) < 32 for c in text):
        return None
    if text[:4].lower() == "doi:":
        doi = normalize_doi(text)
        return f"https://doi.org/{doi}" if doi else None
    try:
        parts = urlsplit(text)
    except ValueError:
        return None
    if parts.scheme.lower() not in _OPENABLE_SCHEMES:
        return None
    if parts.scheme.lower() != "mailto" and not parts.netloc:
        return None
    return text


def safe_links(source: Source) -> Source:
    """`source` with only openable addresses in its link fields; any other address is kept as
    text in its note (an import or a pasted reference must not store a link that opens a
    file or runs a script)."""
    kept: list[str] = []
    changes: dict[str, str] = {}
    for name in ("url", "archived_url"):
        value = getattr(source, name)
        if value.strip() and openable_url(value) is None:
            kept.append(value.strip())
            changes[name] = ""
    if not kept:
        return source
    lines = [f"Address kept as text (not a web, mail or DOI link): {text}" for text in kept]
    note = "\n".join([source.note, *lines]) if source.note else "\n".join(lines)
    return replace(source, note=note, **changes)


def normalize_doi(s: str) -> str:
    """The DOI in `s` lower-cased without "doi:" or resolver URL, or "" if it holds none."""
    s = (s or "").strip().lstrip("([{<\"'“‘«").rstrip(">")
    s = _DOI_PREFIX.sub("", s, count=1).strip()
    if "%" in s:
        s = unquote(s)
    s = strip_trailing(s).lower()
    return s if _DOI.match(s) else ""


def normalize_isbn(s: str) -> str:
    """The ISBN in `s` as compact ISBN-13 ("9780306406157"), or "" if it is not a valid one."""
    from stdnum import isbn as _isbn
    from stdnum.exceptions import ValidationError

    s = re.sub(r"^\s*isbn(?:-1[03])?\s*:?\s*", "", s or "", flags=re.IGNORECASE)
    s = strip_trailing(s.strip())
    try:
        return _isbn.to_isbn13(_isbn.validate(s))
    except ValidationError:
        return ""


# Query parameters that only say how someone got to the page.
_TRACKING = frozenset(
    {
        "fbclid",
        "gclid",
        "gclsrc",
        "dclid",
        "msclkid",
        "yclid",
        "twclid",
        "ttclid",
        "igshid",
        "mc_cid",
        "mc_eid",
        "mkt_tok",
        "_ga",
        "_gl",
        "_hsenc",
        "_hsmi",
        "ref_src",
        "ref_url",
        "cmpid",
        "ocid",
        "spm",
        "wt.mc_id",
        "oly_enc_id",
        "oly_anon_id",
        "vero_id",
        "rb_clickid",
        "s_cid",
    }
)


_TRACKING_PREFIXES = ("utm_", "pk_", "mtm_", "hsa_")


def _tracking(key: str) -> bool:
    key = key.lower()
    return key in _TRACKING or key.startswith(_TRACKING_PREFIXES)


def normalize_url(s: str) -> str:
    """`s` reduced for duplicate detection: two addresses of the same page compare equal.

    Scheme and host lower-cased, "www." and default ports dropped, no fragment, no trailing
    slash, tracking parameters (utm_*, fbclid, …) removed and the rest sorted.
    """
    s = (s or "").strip()
    try:
        parts = urlsplit(s)
        port = parts.port
    except ValueError:
        return s
    if not parts.scheme or not parts.hostname:
        return s
    scheme = parts.scheme.lower()
    host = parts.hostname.lower()
    if host.startswith("www."):
        host = host[4:]
    if ":" in host:  # IPv6 literal
        host = f"[{host}]"
    if port is not None and (scheme, port) not in (("http", 80), ("https", 443)):
        host = f"{host}:{port}"
    userinfo = parts.netloc.rpartition("@")[0] if "@" in parts.netloc else ""
    netloc = f"{userinfo}@{host}" if userinfo else host
    path = parts.path.rstrip("/")
    query = sorted(
        (k, v) for k, v in parse_qsl(parts.query, keep_blank_values=True) if not _tracking(k)
    )
    return urlunsplit((scheme, netloc, path, urlencode(query), ""))


def duplicate_keys(source: Source) -> tuple[str, ...]:
    """("doi:…", "isbn:…", "url:…") for the identifiers `source` has; equal keys, same work."""
    keys = []
    doi = normalize_doi(source.doi)
    if doi:
        keys.append(f"doi:{doi}")
    isbn = normalize_isbn(source.isbn)
    if isbn:
        keys.append(f"isbn:{isbn}")
    url = source.url.strip()
    if url:
        url_doi = doi_from_url(url)
        if url_doi and url_doi != doi:
            keys.append(f"doi:{url_doi}")
        elif not url_doi:
            keys.append(f"url:{normalize_url(url)}")
    return tuple(keys)


def doi_from_url(url: str) -> str:
    """The DOI a doi.org / dx.doi.org address resolves, or ""."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return ""
    host = (parts.hostname or "").lower()
    if parts.scheme.lower() not in ("http", "https"):
        return ""
    if host not in ("doi.org", "dx.doi.org", "www.doi.org"):
        return ""
    return normalize_doi(unquote(parts.path.lstrip("/")))
