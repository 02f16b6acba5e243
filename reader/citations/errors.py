"""The one fault parsing a reference has: a sentence fit for a dialog."""

from __future__ import annotations

UNREADABLE = (
    "Claim Reader could not read this reference: paste a URL, DOI, ISBN, BibTeX entry, "
    "CSL-JSON item or RIS record."
)


class ReferenceError(ValueError):  # noqa: A001 - the name the rest of the app uses
    """A pasted reference that cannot be read; `str(err)` is one sentence."""
