"""Pasted references → `Source`, offline: URL, DOI, ISBN, BibTeX, CSL-JSON or RIS.

Also the keys used to spot duplicate sources and a simple, deterministic one-line reference
for display and Markdown (APA-like, no citeproc). Parsing is left to the libraries that do it
(bibtexparser v2 with its LaTeX decoding, rispy, python-stdnum); this package only maps fields.
Every failure is a `ReferenceError` whose message is one sentence fit for a dialog.

The parts: identifiers.py (DOI, ISBN, URL, duplicate keys), dates.py, formats.py (BibTeX,
CSL-JSON, RIS), parsing.py (the entry point), formatting.py (the one-line reference).
"""

from reader.citations.dates import date_from_parts, partial_date
from reader.citations.errors import UNREADABLE, ReferenceError
from reader.citations.formatting import format_reference, isbn_text, short_reference
from reader.citations.identifiers import (
    doi_from_url,
    duplicate_keys,
    normalize_doi,
    normalize_isbn,
    normalize_url,
    openable_url,
    safe_links,
)
from reader.citations.parsing import parse_reference

__all__ = [
    "UNREADABLE",
    "ReferenceError",
    "date_from_parts",
    "doi_from_url",
    "duplicate_keys",
    "format_reference",
    "isbn_text",
    "normalize_doi",
    "normalize_isbn",
    "normalize_url",
    "openable_url",
    "parse_reference",
    "safe_links",
    "partial_date",
    "short_reference",
]
