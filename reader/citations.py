"""Pasted references → `Source`, offline: URL, DOI, ISBN, BibTeX, CSL-JSON or RIS.

Also the keys used to spot duplicate sources and a simple, deterministic one-line reference
for display and Markdown (APA-like, no citeproc). Parsing is left to the libraries that do it
(bibtexparser v2 with its LaTeX decoding, rispy, python-stdnum); this module only maps fields.
Every failure is a `ReferenceError` whose message is one sentence fit for a dialog.
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import json
import logging
import re
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import TYPE_CHECKING, Any
from urllib.parse import parse_qsl, unquote, urlencode, urlsplit, urlunsplit

# bibtexparser (with pylatexenc), rispy and stdnum are imported where a reference is parsed:
# at module level they cost a quarter of a second of every start-up.
if TYPE_CHECKING:
    import bibtexparser
    from bibtexparser import model as bibmodel

from reader.model import Source

__all__ = [
    "ReferenceError",
    "date_from_parts",
    "doi_from_url",
    "duplicate_keys",
    "format_reference",
    "normalize_doi",
    "normalize_isbn",
    "normalize_url",
    "openable_url",
    "parse_reference",
    "safe_links",
    "partial_date",
    "short_reference",
]

UNREADABLE = (
    "Claim Reader could not read this reference: paste a URL, DOI, ISBN, BibTeX entry, "
    "CSL-JSON item or RIS record."
)


class ReferenceError(ValueError):  # noqa: A001 - the name the rest of the app uses
    """A pasted reference that cannot be read; `str(err)` is one sentence."""


# --- identifiers -----------------------------------------------------------------------------

# A DOI: "10." + registrant + "/" + suffix, with an optional "doi:" or resolver-URL prefix.
_DOI_PREFIX = re.compile(
    r"^(?:doi\s*:?\s*|(?:https?://)?(?:(?:dx|www)\.)?doi\.org/|info:doi/)", re.IGNORECASE
)
_DOI = re.compile(r"^10\.\d{4,9}(?:\.\d+)*/\S+$")
_TRAILING = ".,;:!?'\"”’>»"
_PAIRS = {")": "(", "]": "[", "}": "{"}


def _strip_trailing(s: str) -> str:
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
    s = _strip_trailing(s).lower()
    return s if _DOI.match(s) else ""


def normalize_isbn(s: str) -> str:
    """The ISBN in `s` as compact ISBN-13 ("9780306406157"), or "" if it is not a valid one."""
    from stdnum import isbn as _isbn
    from stdnum.exceptions import ValidationError

    s = re.sub(r"^\s*isbn(?:-1[03])?\s*:?\s*", "", s or "", flags=re.IGNORECASE)
    s = _strip_trailing(s.strip())
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


# --- dates -----------------------------------------------------------------------------------

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("january", "jan"),
            ("february", "feb"),
            ("march", "mar"),
            ("april", "apr"),
            ("may",),
            ("june", "jun"),
            ("july", "jul"),
            ("august", "aug"),
            ("september", "sep", "sept"),
            ("october", "oct"),
            ("november", "nov"),
            ("december", "dec"),
        ),
        start=1,
    )
    for name in names
}
_MONTH_WORD = r"(?P<mon>[A-Za-z]{3,9})\.?"
_ISO = re.compile(r"^(?P<y>\d{4})(?:[-/.](?P<m>\d{1,2})(?:[-/.](?P<d>\d{1,2}))?)?(?=$|[T\s/])")
_DAY_MONTH_YEAR = re.compile(
    rf"^(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\.?\s+{_MONTH_WORD},?\s+(?P<y>\d{{4}})$"
)
_MONTH_DAY_YEAR = re.compile(
    rf"^{_MONTH_WORD}\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>\d{{4}})$"
)
_MONTH_YEAR = re.compile(rf"^{_MONTH_WORD},?\s+(?P<y>\d{{4}})$")
_YEAR_MONTH = re.compile(rf"^(?P<y>\d{{4}})\s+{_MONTH_WORD}(?:\s+(?P<d>\d{{1,2}}))?$")
_ANY_YEAR = re.compile(r"(?<!\d)(1[5-9]\d\d|20\d\d|2100)(?!\d)")


def _month_number(value: str | int | None) -> int | None:
    if value is None:
        return None
    if isinstance(value, int):
        return value
    value = value.strip().rstrip(".").lower()
    if value.isdigit():
        return int(value)
    return _MONTHS.get(value)


def date_from_parts(
    year: int | str, month: int | str | None = None, day: int | str | None = None
) -> str:
    """ "YYYY", "YYYY-MM" or "YYYY-MM-DD"; parts that are not a real date are dropped."""
    try:
        y = int(year)
    except (TypeError, ValueError):
        return ""
    if not 1 <= y <= 9999:
        return ""
    m = _month_number(month) if isinstance(month, str | int) else None
    if not m or not 1 <= m <= 12:
        return f"{y:04d}"
    try:
        d = int(day) if day not in (None, "") else 0
    except (TypeError, ValueError):
        d = 0
    if d:
        try:
            _dt.date(y, m, d)
        except ValueError:
            d = 0
    return f"{y:04d}-{m:02d}-{d:02d}" if d else f"{y:04d}-{m:02d}"


def partial_date(s: str) -> str:
    """An ISO 8601 partial date ("2022", "2022-03", "2022-03-05") for a date as people write it.

    Reads "2022", "2022-3-5", "2022/03/05/" (RIS), "2022-03-05T10:00Z", "March 2022",
    "5 March 2022", "March 5, 2022"; anything else with a plausible year gives the year; "" if
    there is none.
    """
    s = " ".join(str(s or "").split()).strip(" ,;")
    if not s:
        return ""
    match = _ISO.match(s)
    if match:
        return date_from_parts(match["y"], match["m"], match["d"])
    for pattern in (_DAY_MONTH_YEAR, _MONTH_DAY_YEAR, _MONTH_YEAR, _YEAR_MONTH):
        match = pattern.match(s)
        if match and match["mon"].lower() in _MONTHS:
            day = match.groupdict().get("d")
            return date_from_parts(match["y"], match["mon"], day)
    match = _ANY_YEAR.search(s)
    return match[1] if match else ""


# --- the entry point -------------------------------------------------------------------------


def parse_reference(text: str) -> Source:
    """A `Source` for whatever the user pasted: URL, DOI, ISBN, BibTeX, CSL-JSON or RIS."""
    text = (text or "").strip().lstrip("\ufeff").strip()
    if not text:
        raise ReferenceError(UNREADABLE)
    if re.match(r"(?:%[^\n]*\n\s*)*@\s*[A-Za-z]+\s*[{(]", text):
        return _from_bibtex(text)
    if text[0] in "{[":
        return _from_csl_json(text)
    if re.search(r"^\s*TY\s{0,2}-", text, re.MULTILINE):
        return _from_ris(text)
    if len(text) > 2000 or "\n" in text:
        raise ReferenceError(UNREADABLE)
    return _from_identifier(text)


def _from_identifier(text: str) -> Source:
    token = text.strip().strip("<>")
    if re.match(r"https?://", token, re.IGNORECASE):
        if any(c.isspace() for c in token):
            raise ReferenceError(UNREADABLE)
        doi = doi_from_url(token)
        if doi:
            return _doi_source(doi)
        url = _strip_trailing(token)
        if not urlsplit(url).hostname:
            raise ReferenceError(f"This is not a valid web address: {url}")
        return Source(type="webpage", url=url)
    if re.match(r"www\.[^\s/]+\.[^\s/]+", token, re.IGNORECASE) and " " not in token:
        return Source(type="webpage", url="https://" + _strip_trailing(token))
    doi = normalize_doi(token)
    if doi and not any(c.isspace() for c in doi):
        return _doi_source(doi)
    match = re.fullmatch(
        r"(?:isbn(?:-1[03])?\s*:?\s*)?([0-9][0-9\s-]{8,20}[0-9Xx])[.,;]?", token, re.IGNORECASE
    )
    if match:
        digits = re.sub(r"[\s-]", "", match[1])
        if len(digits) in (10, 13):
            return _isbn_source(match[1])
    raise ReferenceError(UNREADABLE)


def _doi_source(doi: str) -> Source:
    return Source(type="article-journal", doi=doi, url=f"https://doi.org/{doi}")


def _isbn_source(raw: str) -> Source:
    from stdnum import isbn as _isbn
    from stdnum.exceptions import InvalidChecksum, ValidationError

    shown = " ".join(raw.split())
    try:
        number = _isbn.validate(raw)
    except InvalidChecksum:
        raise ReferenceError(f"ISBN {shown} is not valid: its check digit is wrong.") from None
    except ValidationError:
        raise ReferenceError(f"{shown} is not a valid ISBN.") from None
    return Source(type="book", isbn=_isbn.to_isbn13(number))


# --- BibTeX ----------------------------------------------------------------------------------

_BIBTEX_TYPES = {
    "article": "article-journal",
    "book": "book",
    "mvbook": "book",
    "booklet": "pamphlet",
    "inbook": "chapter",
    "incollection": "chapter",
    "bookinbook": "chapter",
    "inproceedings": "paper-conference",
    "conference": "paper-conference",
    "proceedings": "book",
    "collection": "book",
    "techreport": "report",
    "report": "report",
    "manual": "report",
    "phdthesis": "thesis",
    "mastersthesis": "thesis",
    "thesis": "thesis",
    "online": "webpage",
    "electronic": "webpage",
    "www": "webpage",
    "webpage": "webpage",
    "dataset": "dataset",
    "data": "dataset",
    "software": "software",
    "patent": "patent",
    "standard": "standard",
    "unpublished": "manuscript",
    "misc": "document",
}


class _MuteInThisThread(logging.Filter):
    """Drops bibtexparser's log records on threads that are inside `_quiet_bibtexparser`."""

    def __init__(self) -> None:
        super().__init__()
        self.local = threading.local()

    def filter(self, record: logging.LogRecord) -> bool:
        return not getattr(self.local, "active", False)


_MUTE = _MuteInThisThread()
for _name in ("bibtexparser.splitter", "bibtexparser.middlewares.middleware"):
    logging.getLogger(_name).addFilter(_MUTE)


@contextlib.contextmanager
def _quiet_bibtexparser() -> Iterator[None]:
    _MUTE.local.active = True
    try:
        yield
    finally:
        _MUTE.local.active = False


# Fields that hold addresses and identifiers, not LaTeX: "%" in a URL is not a comment.
_VERBATIM = frozenset({"url", "doi", "eprint", "file", "isbn", "issn", "urldate"})


def _from_bibtex(text: str) -> Source:
    import bibtexparser
    from bibtexparser.middlewares import SeparateCoAuthors, SplitNameParts

    with _quiet_bibtexparser():  # its log lines would reach the terminal; we say it ourselves
        library = bibtexparser.parse_string(
            text, append_middleware=[SeparateCoAuthors(), SplitNameParts()]
        )
    entries = library.entries
    if not entries:
        why = _bibtex_failure(library.failed_blocks)
        raise ReferenceError(f"This BibTeX entry could not be read: {why}.")
    if len(entries) > 1:
        raise ReferenceError(
            f"This BibTeX holds {len(entries)} entries: paste one reference at a time."
        )
    entry = entries[0]
    fields = _decoded_fields(entry, library)

    def get(*names: str) -> str:
        for name in names:
            value = fields.get(name)
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    csl_type = _BIBTEX_TYPES.get(entry.entry_type.lower(), "document")
    url = get("url")
    if not url:  # @misc{…, howpublished = {\url{https://…}}}
        match = re.search(r"https?://\S+", get("howpublished"))
        url = match[0] if match else ""
    if csl_type == "document" and url and not get("doi"):
        csl_type = "webpage"
    isbn_raw = get("isbn")
    issued = partial_date(get("date"))
    if not issued and get("year"):
        issued = date_from_parts(partial_date(get("year"))[:4], get("month") or None, get("day"))
    authors = _bibtex_names(fields.get("author")) or _bibtex_names(fields.get("editor"))
    return Source(
        type=csl_type,
        title=get("title"),
        authors=authors,
        container_title=get("journal", "journaltitle", "booktitle", "series"),
        publisher=get("publisher", "institution", "organization", "school"),
        issued=issued,
        url=url,
        doi=normalize_doi(get("doi")),
        isbn=(normalize_isbn(isbn_raw) or isbn_raw.split()[0]) if isbn_raw else "",
        accessed=partial_date(get("urldate")),
        note=get("note", "annote"),
    )


def _decoded_fields(entry: bibmodel.Entry, library: bibtexparser.Library) -> dict[str, Any]:
    """The entry's fields by lower-case key, LaTeX decoded (names part by part).

    bibtexparser's LatexDecodingMiddleware decodes string fields and single `NameParts`
    values, so each name of a name list goes through it as a field of its own.
    """
    from bibtexparser import model as bibmodel
    from bibtexparser.middlewares import LatexDecodingMiddleware

    out: dict[str, Any] = {}
    scratch: list[bibmodel.Field] = []
    for field in entry.fields:
        key = field.key.lower()
        value = field.value
        if key in _VERBATIM and isinstance(value, str):
            for escaped in ("_", "%", "&", "#", "$", "~"):
                value = value.replace("\\" + escaped, escaped)
            out[key] = re.sub(r"^\\url\{(.*)\}$", r"\1", value.strip())
        elif isinstance(value, list):
            out[key] = []
            for i, name in enumerate(value):
                scratch.append(bibmodel.Field(f"{key}\0{i}", name))
        else:
            scratch.append(bibmodel.Field(key, value))
    decoded = LatexDecodingMiddleware(allow_inplace_modification=True).transform_entry(
        bibmodel.Entry(entry.entry_type, entry.key, scratch), library
    )
    if isinstance(decoded, bibmodel.MiddlewareErrorBlock):
        decoded = decoded.block  # decoded where it could be; the rest stays as written
    for field in decoded.fields:
        key, _, index = field.key.partition("\0")
        if index:
            out[key].append(field.value)
        else:
            out[key] = field.value
    return out


def _bibtex_failure(failed: list[bibmodel.Block]) -> str:
    from bibtexparser import model as bibmodel

    for block in failed:
        if isinstance(block, bibmodel.DuplicateFieldKeyBlock):
            keys = ", ".join(sorted(block.duplicate_keys))
            return f"it has the field {keys} more than once"
        error = getattr(block, "error", None)
        why = str(getattr(error, "abort_reason", "") or error or "").strip().rstrip(".")
        if why:
            if "end of file" in why.lower():
                return "it ends before its closing brace"
            return why[0].lower() + why[1:]
    return "it has no entry like @article{key, title = {…}}"


def _bibtex_names(value: Any) -> tuple[str, ...]:
    """Display names ("Family, Given" or an organisation) from a split BibTeX name list."""
    from bibtexparser.middlewares.names import NameParts

    if not isinstance(value, list):
        return ()
    names = []
    for parts in value:
        if not isinstance(parts, NameParts):
            continue
        if parts.last == ["others"] and not (parts.first or parts.von or parts.jr):
            continue  # "and others": the list is incomplete, nothing to show
        family = " ".join(parts.von + parts.last)
        given = " ".join(parts.first)
        pieces = [p for p in (family, " ".join(parts.jr), given) if p]
        name = ", ".join(pieces)
        name = " ".join(name.replace("{", "").replace("}", "").split())
        if name:
            names.append(name)
    return tuple(names)


# --- CSL-JSON --------------------------------------------------------------------------------

_CSL_KEYS = frozenset(
    {"type", "title", "author", "editor", "issued", "container-title", "URL", "DOI", "ISBN"}
)


def _from_csl_json(text: str) -> Source:
    try:
        data = json.loads(text)
    except json.JSONDecodeError as exc:
        raise ReferenceError(
            f"This CSL-JSON could not be read: {exc.msg.lower()} at line {exc.lineno}, "
            f"column {exc.colno}."
        ) from None
    if isinstance(data, list):
        if len(data) != 1:
            raise ReferenceError(
                f"This CSL-JSON holds {len(data)} items: paste one reference at a time."
            )
        data = data[0]
    if not isinstance(data, dict) or not (_CSL_KEYS & data.keys()):
        raise ReferenceError(
            "This JSON is not a CSL-JSON item: it has none of type, title, author or issued."
        )

    def get(key: str) -> str:
        value = data.get(key)
        if isinstance(value, list):  # some exporters write one-element lists
            value = next((v for v in value if isinstance(v, str | int | float)), "")
        if isinstance(value, int | float) and not isinstance(value, bool):
            value = str(value)
        return " ".join(value.split()) if isinstance(value, str) else ""

    isbn_raw = get("ISBN")
    isbn = ""
    for candidate in re.split(r"[\s,;]+(?=\d)", isbn_raw) if isbn_raw else ():
        isbn = normalize_isbn(candidate)
        if isbn:
            break
    authors = _csl_names(data.get("author")) or _csl_names(data.get("editor"))
    return Source(
        type=get("type") or "document",
        title=get("title"),
        authors=authors,
        container_title=get("container-title"),
        publisher=get("publisher"),
        issued=_csl_date(data.get("issued")),
        url=get("URL"),
        doi=normalize_doi(get("DOI")),
        isbn=isbn or isbn_raw,
        accessed=_csl_date(data.get("accessed")),
        archived_url=get("archive_url") if get("archive_url").startswith("http") else "",
        note=get("note"),
    )


def _csl_names(value: Any) -> tuple[str, ...]:
    if not isinstance(value, list):
        return ()
    names = []
    for person in value:
        if isinstance(person, str):
            name = person
        elif isinstance(person, dict):
            literal = str(person.get("literal") or "").strip()
            family = " ".join(
                str(p).strip()
                for p in (person.get("non-dropping-particle"), person.get("family"))
                if p
            )
            given = str(person.get("given") or "").strip()
            suffix = str(person.get("suffix") or "").strip()
            name = literal or ", ".join(p for p in (family, suffix, given) if p)
        else:
            continue
        name = " ".join(name.split())
        if name:
            names.append(name)
    return tuple(names)


def _csl_date(value: Any) -> str:
    if isinstance(value, str):
        return partial_date(value)
    if not isinstance(value, dict):
        return ""
    parts = value.get("date-parts")
    if isinstance(parts, list) and parts and isinstance(parts[0], list) and parts[0]:
        first = [p for p in parts[0] if p not in (None, "")]
        if first:
            return date_from_parts(*first[:3])
    for key in ("raw", "literal"):
        if isinstance(value.get(key), str):
            return partial_date(value[key])
    if value.get("season") is not None and value.get("year") is not None:
        return partial_date(str(value["year"]))
    return ""


# --- RIS -------------------------------------------------------------------------------------

_RIS_TYPES = {
    "JOUR": "article-journal",
    "JFULL": "article-journal",
    "EJOUR": "article-journal",
    "ABST": "article-journal",
    "INPR": "article-journal",
    "MGZN": "article-magazine",
    "NEWS": "article-newspaper",
    "BOOK": "book",
    "EBOOK": "book",
    "EDBOOK": "book",
    "CHAP": "chapter",
    "ECHAP": "chapter",
    "RPRT": "report",
    "GOVDOC": "report",
    "CONF": "paper-conference",
    "CPAPER": "paper-conference",
    "THES": "thesis",
    "ELEC": "webpage",
    "WEB": "webpage",
    "BLOG": "post-weblog",
    "DATA": "dataset",
    "DBASE": "dataset",
    "COMP": "software",
    "PAT": "patent",
    "STAND": "standard",
    "UNPB": "manuscript",
    "MANSCPT": "manuscript",
    "LEGAL": "legislation",
    "STAT": "legislation",
    "BILL": "bill",
    "CASE": "legal_case",
    "HEAR": "hearing",
    "MAP": "map",
    "VIDEO": "motion_picture",
    "MPCT": "motion_picture",
    "SOUND": "song",
    "PCOMM": "personal_communication",
    "GEN": "document",
}
_RIS_LINE = re.compile(r"^\s*([A-Z][A-Z0-9])\s{0,3}-(?:\s(.*))?\s*$")


def _from_ris(text: str) -> Source:
    import rispy

    # Pasting from a web page often collapses the two spaces after the tag: restore them.
    lines = []
    for line in text.splitlines():
        match = _RIS_LINE.match(line)
        if match:
            line = f"{match[1]}  - {(match[2] or '').strip()}".rstrip()
            if match[1] == "ER":
                line = "ER  - "
        lines.append(line)
    if not any(line.startswith("ER  -") for line in lines):
        lines.append("ER  - ")
    try:
        records = rispy.loads("\n".join(lines) + "\n")
    except Exception as exc:  # rispy's errors are plain exceptions with a message
        raise ReferenceError(f"This RIS record could not be read: {exc}.") from None
    if not records:
        raise ReferenceError('This RIS record could not be read: it has no "TY  - " line.')
    if len(records) > 1:
        raise ReferenceError(
            f"This RIS text holds {len(records)} records: paste one reference at a time."
        )
    record = records[0]

    def get(*names: str) -> str:
        for name in names:
            value = record.get(name)
            if isinstance(value, list):
                value = next((v for v in value if isinstance(v, str) and v.strip()), "")
            if isinstance(value, str) and value.strip():
                return " ".join(value.split())
        return ""

    def people(*names: str) -> tuple[str, ...]:
        for name in names:
            value = record.get(name)
            if isinstance(value, str):
                value = [value]
            if isinstance(value, list):
                found = tuple(" ".join(v.split()).rstrip(",") for v in value if v and v.strip())
                if found:
                    return found
        return ()

    kind = get("type_of_reference").upper()
    csl_type = _RIS_TYPES.get(kind, "document")
    issued = ""
    for name in ("date", "year", "publication_year"):
        issued = _ris_date(get(name))
        if issued:
            break
    title = get("title", "primary_title")
    container = get("journal_name", "secondary_title", "alternate_title3", "alternate_title1")
    if not title and csl_type in ("book", "report"):
        title, container = container, ""
    serial = get("issn")
    isbn = normalize_isbn(serial) if serial else ""
    urls = [u for u in (record.get("urls") or []) if re.match(r"https?://", u, re.IGNORECASE)]
    doi = normalize_doi(get("doi"))
    notes = record.get("notes") or []
    return Source(
        type=csl_type,
        title=title,
        authors=people("authors", "first_authors") or people("secondary_authors"),
        container_title=container,
        publisher=get("publisher"),
        issued=issued,
        url=urls[0].strip() if urls else "",
        doi=doi,
        isbn=isbn,
        accessed=_ris_date(get("access_date")),
        note=" ".join(" ".join(n.split()) for n in notes if isinstance(n, str) and n.strip()),
    )


def _ris_date(value: str) -> str:
    """RIS dates are "YYYY/MM/DD/other", any part possibly empty."""
    value = value.strip()
    if not value:
        return ""
    parts = value.split("/")
    if re.fullmatch(r"\d{4}", parts[0].strip()):
        month = parts[1].strip() if len(parts) > 1 else ""
        day = parts[2].strip() if len(parts) > 2 else ""
        return date_from_parts(parts[0].strip(), month or None, day or None)
    return partial_date(value)


# --- display ---------------------------------------------------------------------------------

# Works that stand alone: their title is shown as is, not in quotes.
_STANDALONE = frozenset(
    {
        "book",
        "thesis",
        "dataset",
        "software",
        "map",
        "motion_picture",
        "graphic",
        "song",
        "musical_score",
        "standard",
        "patent",
    }
)


def _initials(given: str) -> str:
    """ "Merianne Rose" → "M. R.", "Jean-Paul" → "J.-P.", "MR" → "M. R."."""
    out = []
    for word in given.replace(".", ". ").split():
        if re.fullmatch(r"[A-Z]{2,3}", word) and not any(c.islower() for c in word):
            out.extend(f"{c}." for c in word)
            continue
        pieces = [p for p in word.split("-") if p]
        initials = "-".join(f"{p[0]}." for p in pieces if p[0].isalpha())
        if initials:
            out.append(initials)
    return " ".join(out)


# "National Academies of Sciences, Engineering, and Medicine" is no "Family, Given".
_ORGANISATION_WORDS = re.compile(r"(?:^|\s)(?:and|of|for|the|&|und|de la|des)(?:\s|$)")


def _reference_name(name: str) -> str:
    family, sep, given = name.partition(",")
    if not sep or _ORGANISATION_WORDS.search(given):
        return name.strip()
    given = given.strip()
    # "Smith, Jr., John": the part after the first comma that is a suffix stays as written
    suffix = ""
    match = re.match(r"(Jr\.?|Sr\.?|I{2,3}|IV)\s*,\s*(.*)", given)
    if match:
        suffix, given = match[1], match[2]
    shown = family.strip()
    if given:
        shown += ", " + (_initials(given) or given)
    if suffix:
        shown += ", " + suffix
    return shown


def _authors_text(authors: tuple[str, ...]) -> str:
    names = [_reference_name(a) for a in authors if a.strip()]
    if not names:
        return ""
    if len(names) > 3:
        return ", ".join(names[:3]) + ", et al."
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + ", & " + names[-1]


def _sentence(text: str) -> str:
    text = text.strip()
    if not text:
        return ""
    return text if text[-1] in ".?!" else text + "."


def _link(source: Source) -> str:
    doi = normalize_doi(source.doi)
    if doi:
        return f"https://doi.org/{doi}"
    return source.url.strip()


def isbn_text(isbn: str) -> str:
    """An ISBN as printed on books, with its hyphens (978-0-306-40615-7); as stored if it is
    not a valid one."""
    from stdnum import isbn as stdnum_isbn
    from stdnum.exceptions import ValidationError

    try:
        return stdnum_isbn.format(isbn)
    except ValidationError:
        return isbn


def format_reference(source: Source, *, isbn: bool = True) -> str:
    """One line naming the work: authors (year). "Title." Container. Publisher. ISBN. Link.
    Accessed. A source known only by its ISBN is named by it, not "(n.d.)".

    Up to three authors, then "et al."; "(n.d.)" without a date; titles of articles, web pages
    and other parts are quoted, books as is. Deterministic: the same source, the same line.
    """
    authors = _authors_text(source.authors)
    year = source.issued.strip()[:4] if source.issued.strip()[:4].isdigit() else ""
    dated = f"({year})." if year else "(n.d.)."
    title = " ".join(source.title.split())
    if title:
        if source.type in _STANDALONE:
            title = _sentence(title)
        else:
            title = f'"{_sentence(title)}"'
    parts: list[str] = []
    if authors:
        parts += [_sentence(authors), dated, title]
    elif title:
        parts += [title, dated]
    elif year or not source.isbn:
        parts += [dated]
    container = " ".join(source.container_title.split())
    publisher = " ".join(source.publisher.split())
    if container and container != title.strip('".'):
        parts.append(_sentence(container))
    if publisher and publisher not in (container, *source.authors):
        parts.append(_sentence(publisher))
    if source.isbn and isbn:  # `isbn=False`: the caller lists the identifiers itself
        parts.append(f"ISBN {isbn_text(source.isbn)}.")
    link = _link(source)
    if link:
        parts.append(link + ".")
    accessed = partial_date(source.accessed)
    if accessed:
        parts.append(f"Accessed {accessed}.")
    return " ".join(p for p in parts if p)


def short_reference(source: Source) -> str:
    """An in-text label: "Spencer 2024", "Spencer & Garnett 2024", "Spencer et al. 2024"."""
    year = source.issued.strip()[:4] if source.issued.strip()[:4].isdigit() else ""
    families = [a.partition(",")[0].strip() for a in source.authors if a.strip()]
    if families:
        if len(families) == 1:
            who = families[0]
        elif len(families) == 2:
            who = f"{families[0]} & {families[1]}"
        else:
            who = f"{families[0]} et al."
        return f"{who} {year}" if year else who
    title = " ".join(source.title.split())
    if title:
        return title
    return (
        " ".join(source.container_title.split())
        or (f"doi:{source.doi}" if source.doi else "")
        or source.url.strip()
        or (f"ISBN {source.isbn}" if source.isbn else "")
    )
