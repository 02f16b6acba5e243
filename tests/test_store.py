"""The library file: schema, WAL, documents recognised by their bytes, versions."""

from __future__ import annotations

import shutil
import sqlite3

import pytest
from conftest import CORPUS

from reader.library import Library
from reader.model import DocumentKind, Metadata
from reader.store import LibraryDamaged, Repository, open_database

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"


def test_library_file_uses_wal_and_foreign_keys(library_path):
    db = open_database(library_path)
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert db.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert {"documents", "versions"} <= set(db.table_names())
    db.close()
    # Reopening applies no migration twice.
    db = open_database(library_path)
    assert db.execute("SELECT count(*) FROM _sqlite_migrations").fetchone()[0] >= 1
    db.close()


def test_opening_records_the_document(library, library_path):
    opened = library.open_path(PDF)
    rec = opened.record
    assert rec.sha256 == opened.document.sha256
    assert rec.kind is DocumentKind.PDF
    assert rec.pages == 4
    assert rec.source == str(PDF.resolve())
    assert rec.first_opened and rec.last_opened
    # The row is in the file itself, not only in this connection.
    raw = sqlite3.connect(library_path)
    assert (
        raw.execute("SELECT count(*) FROM versions WHERE sha256 = ?", [rec.sha256]).fetchone()[0]
        == 1
    )
    raw.close()


def test_moved_file_is_the_same_document(library, tmp_path):
    first = library.open_path(PDF).record
    moved = tmp_path / "renamed copy.pdf"
    shutil.copy(PDF, moved)
    again = library.open_path(moved).record
    assert again.id == first.id
    assert again.source == str(moved.resolve())
    assert len(library.recent()) == 1


def test_changed_bytes_at_same_path_make_a_new_version(library, tmp_path):
    path = tmp_path / "article.txt"
    path.write_text("The death toll surged to 79,770 in 2022.\n\nSecond paragraph.\n")
    first = library.open_path(path).record
    path.write_text("The death toll surged to 79,770 in 2022.\n\nAn edited paragraph.\n")
    second = library.open_path(path).record
    assert second.id == first.id
    assert second.sha256 != first.sha256
    assert library.repo.version_count(first.id) == 2


def test_metadata_of_an_older_version_is_not_blanked(library_path):
    repo = Repository(open_database(library_path))
    kw = {"kind": DocumentKind.HTML, "source": "https://example.org/a", "pages": 0, "size": 1}
    repo.record_opened(sha256="a" * 64, metadata=Metadata(title="Title", author="Ann"), **kw)
    rec = repo.record_opened(sha256="b" * 64, metadata=Metadata(title="New title"), **kw)
    assert (rec.title, rec.author) == ("New title", "Ann")
    repo.close()


def test_recent_documents_newest_first(library, tmp_path):
    for name in ("a.txt", "b.txt", "c.txt"):
        (tmp_path / name).write_text(f"Document {name}\n")
        library.open_path(tmp_path / name)
    library.open_path(tmp_path / "a.txt")
    titles = [r.source.rsplit("/", 1)[-1] for r in library.recent()]
    assert titles[0] == "a.txt"
    assert sorted(titles) == ["a.txt", "b.txt", "c.txt"]


def test_damaged_library_is_reported_not_overwritten(tmp_path):
    path = tmp_path / "library.sqlite"
    garbage = b"this is not a database" * 100
    path.write_bytes(garbage)
    with pytest.raises(LibraryDamaged, match="cannot be read"):
        Library(path)
    assert path.read_bytes() == garbage


def test_search_finds_quote_note_tag_and_claimant_best_match_first(library):
    from conftest import SEED

    opened = library.open_path(SEED)
    text = opened.document.text
    quotes = ["surged to 79,770 in 2022", "5 percent of the world's population", "fentanyl"]
    made = []
    for quote in quotes:
        start = text.index(quote)
        made.append(library.highlight(opened, start, start + len(quote)))
    library.update(made[0], note="Opioid deaths: see the CDC WONDER data", tags=("cdc",))
    library.update(made[1], claimant="Global Times", note="cdc cdc cdc, CDC again")
    assert [a.id for a in library.search("wonder")] == [made[0].id]
    assert [a.id for a in library.search("global tim")] == [made[1].id]  # prefix, two words
    assert [a.id for a in library.search("fentanyl")] == [made[2].id]
    assert [a.id for a in library.search("CDC")] == [made[1].id, made[0].id]  # more hits first
    assert library.search('"; DROP TABLE annotations; --') == []
    assert len(library.all_annotations()) == 3
