"""The faults the library reports in one sentence for the user (all DocumentErrors)."""

from __future__ import annotations

from reader.documents import DocumentError


class QuoteNotFound(DocumentError):
    """The text to annotate does not occur in the document."""


class EmptySelection(DocumentError):
    """The span to highlight holds nothing but whitespace."""


class ImportFailed(DocumentError):
    """A file that cannot be imported: "line N: …" (CSV) or "item N: …" (JSON); nothing changed."""
