"""The entry point: whatever the user pasted (URL, DOI, ISBN, BibTeX, CSL-JSON, RIS) → `Source`."""

from __future__ import annotations

import re
from urllib.parse import urlsplit

from reader.citations.errors import UNREADABLE, ReferenceError
from reader.citations.formats import from_bibtex, from_csl_json, from_ris
from reader.citations.identifiers import doi_from_url, normalize_doi, strip_trailing
from reader.model import Source


def parse_reference(text: str) -> Source:
    """A `Source` for whatever the user pasted: URL, DOI, ISBN, BibTeX, CSL-JSON or RIS."""
    text = (text or "").strip().lstrip("\ufeff").strip()
    if not text:
        raise ReferenceError(UNREADABLE)
    if re.match(r"(?:%[^\n]*\n\s*)*@\s*[A-Za-z]+\s*[{(]", text):
        return from_bibtex(text)
    if text[0] in "{[":
        return from_csl_json(text)
    if re.search(r"^\s*TY\s{0,2}-", text, re.MULTILINE):
        return from_ris(text)
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
        url = strip_trailing(token)
        if not urlsplit(url).hostname:
            raise ReferenceError(f"This is not a valid web address: {url}")
        return Source(type="webpage", url=url)
    if re.match(r"www\.[^\s/]+\.[^\s/]+", token, re.IGNORECASE) and " " not in token:
        return Source(type="webpage", url="https://" + strip_trailing(token))
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
