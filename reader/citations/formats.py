"""The reference formats: BibTeX (bibtexparser v2 with its LaTeX decoding), CSL-JSON and
RIS (rispy) mapped onto a `Source`."""

from __future__ import annotations

import contextlib
import json
import logging
import re
import threading
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any

from reader.citations.dates import date_from_parts, partial_date
from reader.citations.errors import ReferenceError
from reader.citations.identifiers import normalize_doi, normalize_isbn
from reader.model import Source

# bibtexparser (with pylatexenc), rispy and stdnum are imported where a reference is parsed:
# at module level they cost a quarter of a second of every start-up.
if TYPE_CHECKING:
    import bibtexparser
    from bibtexparser import model as bibmodel


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


def from_bibtex(text: str) -> Source:
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


_CSL_KEYS = frozenset(
    {"type", "title", "author", "editor", "issued", "container-title", "URL", "DOI", "ISBN"}
)


def from_csl_json(text: str) -> Source:
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


def from_ris(text: str) -> Source:
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
