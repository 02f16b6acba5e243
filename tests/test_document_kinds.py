"""The kind a file's name says is the same wherever it is asked: opening a file, and importing an
export that names a document by its file (a CSV does not say the kind)."""

from __future__ import annotations

import pytest

from reader.documents import sniff_kind
from reader.exchange import guess_kind
from reader.model import DocumentKind

NAMES = {
    "report.pdf": DocumentKind.PDF,
    "novel.epub": DocumentKind.EPUB,
    "Moby Dick.azw3": DocumentKind.MOBI,
    "book.prc": DocumentKind.MOBI,
    "tale.fbz": DocumentKind.FB2,
    "scan.oxps": DocumentKind.XPS,
    "comic.cbz": DocumentKind.CBZ,
    "page.shtml": DocumentKind.HTML,
    "page.htm": DocumentKind.HTML,
    "notes.text": DocumentKind.TEXT,
    "README.markdown": DocumentKind.MARKDOWN,
}


@pytest.mark.parametrize("name", NAMES)
def test_an_imported_document_gets_the_kind_its_file_name_says(name: str) -> None:
    kind = NAMES[name]
    # Whether its annotations have pages does not override what the name says.
    assert guess_kind(name, paged=True) is kind
    assert guess_kind(name, paged=False) is kind
    assert guess_kind(f"C:\\Users\\me\\{name.upper()}", paged=False) is kind


def test_a_name_that_says_nothing_falls_back_on_pages_and_addresses() -> None:
    assert guess_kind("evidence", paged=True) is DocumentKind.PDF
    assert guess_kind("evidence.dat", paged=False) is DocumentKind.TEXT
    assert guess_kind("https://example.org/story?id=3", paged=False) is DocumentKind.HTML
    assert guess_kind("https://example.org/paper.pdf#page=2", paged=False) is DocumentKind.PDF


@pytest.mark.parametrize("name", ["notes.text", "notes.txt", "page.shtml", "README.markdown"])
def test_opening_a_text_file_goes_by_the_same_names(name: str) -> None:
    assert sniff_kind(b"Plain words, no markup at all.\n", name) is NAMES.get(
        name, DocumentKind.TEXT
    )
