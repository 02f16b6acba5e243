"""A simple, deterministic one-line reference for display and Markdown (APA-like, no
citeproc)."""

from __future__ import annotations

import re

from reader.citations.dates import partial_date
from reader.citations.identifiers import normalize_doi
from reader.model import Source

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
