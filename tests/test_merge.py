"""Merging a colleague's library file: `claim-reader import OTHER.sqlite`, as a user runs it.

Real library files on disk, real corpus documents, the real command line in a process.
"""

from __future__ import annotations

import hashlib
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SEED

from reader.library import Library
from reader.model import ClaimStatus, Source, Stance

ARTICLE = CORPUS / "html" / "readability" / "bbc-1" / "source.html"


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=300,
        cwd=ROOT,
    )


def file_hash(path: Path) -> str:
    """The bytes of a library as another program would find them: the file and its WAL."""
    digest = hashlib.sha256()
    for name in (path, Path(f"{path}-wal")):
        if name.exists():
            digest.update(name.read_bytes())
    return digest.hexdigest()


def annotate(lib: Library, doc: Path, quote: str, **fields):
    opened = lib.open_path(doc)
    start, end = lib.find_quote(opened, quote)
    return lib.highlight(opened, start, end, **fields)


def annotation_view(lib: Library) -> list[tuple]:
    """What a user compares between two libraries: every annotation with its fields, tags,
    citations (by source title and stance) and sets."""
    rows = []
    for a in sorted(lib.all_annotations(), key=lambda a: a.id):
        cites = sorted((lib.source(c.source_id).title, str(c.stance)) for c in lib.citations(a.id))
        sets = sorted(s.name for s in lib.sets_of(a.id))
        rows.append(
            (
                a.id,
                a.anchor.quote,
                str(a.kind),
                str(a.status),
                a.note,
                a.claimant,
                a.tags,
                a.author,
                tuple(cites),
                tuple(sets),
            )
        )
    return rows


@pytest.fixture
def mine(tmp_path):
    lib = Library(tmp_path / "mine" / "library.sqlite")
    lib.author = "Ana Mine"
    yield lib
    lib.close()


@pytest.fixture
def theirs(tmp_path):
    lib = Library(tmp_path / "theirs" / "library.sqlite")
    lib.author = "Tom Theirs"
    yield lib
    lib.close()


def test_cli_merge_copies_everything_and_a_second_merge_adds_nothing(tmp_path, mine, theirs):
    # The colleague opened the same article under another name: the same bytes.
    renamed = tmp_path / "elsewhere" / "copy-of-seed.txt"
    renamed.parent.mkdir()
    shutil.copyfile(SEED, renamed)
    annotate(mine, SEED, "79,770", note="my own claim")
    claim = annotate(theirs, renamed, "surged", tags=("opioids", "cdc"), claimant="CDC")
    other = annotate(theirs, ARTICLE, "BBC", kind="comment")
    doi = Source(id=0, type="article-journal", title="Drug overdose deaths", doi="10.1000/xyz")
    source = theirs.add_source(doi)
    theirs.cite(claim.id, source.id, Stance.REFUTES, locator="table 2")
    desk = theirs.ensure_set("Opioids desk")
    theirs.add_to_set(desk.id, [claim.id, other.id])
    theirs.update(claim, status=ClaimStatus.DISPUTED)
    theirs.close()
    their_file = theirs.db_path
    before = file_hash(their_file)

    mine_file = mine.db_path
    mine.close()
    first = run("--db", str(mine_file), "import", str(their_file))
    assert first.returncode == 0, first.stderr
    assert first.stdout.strip() == "added 2, updated 0, unchanged 0, conflicts 0"
    second = run("--db", str(mine_file), "import", str(their_file))
    assert second.returncode == 0, second.stderr
    assert second.stdout.strip() == "added 0, updated 0, unchanged 2, conflicts 0"
    assert file_hash(their_file) == before, "the other library was written to"

    merged = Library(mine_file)
    try:
        view = {row[1]: row for row in annotation_view(merged)}
        assert set(view) == {"79,770", "surged", "BBC"}
        surged = view["surged"]
        assert surged[3] == "disputed" and surged[5] == "CDC" and surged[6] == ("cdc", "opioids")
        assert surged[7] == "Tom Theirs"
        assert surged[8] == (("Drug overdose deaths", "refutes"),)
        assert view["BBC"][9] == ("Opioids desk",)
        # One document for the seed's bytes, whatever each of us called the file.
        titles = sorted(r.annotation_count for r in merged.recent())
        assert titles == [1, 2]
        # Their history came along: who made the claim disputed, and when.
        changes = [(e.author, e.field, e.new) for e in merged.history(surged[0])]
        assert ("Tom Theirs", "status", "disputed") in changes
        assert changes[0][1] == "created"
    finally:
        merged.close()


def test_sources_are_one_by_doi_and_sets_by_name(mine, theirs):
    a = annotate(mine, SEED, "79,770")
    mine_source = mine.add_source(Source(id=0, title="Deaths", doi="10.1000/ABC"))
    mine.cite(a.id, mine_source.id, Stance.SUPPORTS)
    mine.ensure_set("Desk")
    b = annotate(theirs, SEED, "surged")
    # The same DOI written another way, and the same set name in other letters.
    their_source = theirs.add_source(
        Source(id=0, title="Deaths (final)", doi="https://doi.org/10.1000/abc")
    )
    theirs.cite(b.id, their_source.id, Stance.CONTEXT)
    theirs.add_to_set(theirs.ensure_set("desk").id, [b.id])
    summary = mine.merge_library(theirs.db_path)
    assert str(summary) == "added 1, updated 0, unchanged 0, conflicts 0"
    assert [s.title for s, _count in mine.sources()] == ["Deaths"]
    assert [(s.name, s.count) for s in mine.sets()] == [("Desk", 1)]


def test_merging_both_ways_leaves_the_same_annotations(mine, theirs):
    shared = annotate(mine, SEED, "79,770", note="first note")
    theirs.merge_library(mine.db_path)
    annotate(mine, SEED, "surged", note="only mine")
    annotate(theirs, ARTICLE, "BBC", note="only theirs")
    # Different fields of the shared claim changed on each side: both changes survive.
    mine.update(mine.annotation(shared.id), status=ClaimStatus.REFUTED)
    theirs.update(theirs.annotation(shared.id), claimant="CDC", tags=("deaths",))
    theirs_summary = theirs.merge_library(mine.db_path)
    mine_summary = mine.merge_library(theirs.db_path)
    assert theirs_summary.conflicts == 0 and mine_summary.conflicts == 0
    assert annotation_view(mine) == annotation_view(theirs)
    merged = mine.annotation(shared.id)
    assert (merged.status, merged.claimant, merged.tags) == (
        ClaimStatus.REFUTED,
        "CDC",
        ("deaths",),
    )


def test_the_newer_edit_wins_and_the_other_is_kept_and_resolvable(mine, theirs):
    shared = annotate(mine, SEED, "79,770", note="first note")
    theirs.merge_library(mine.db_path)
    mine.update(mine.annotation(shared.id), note="my reading")
    theirs.update(theirs.annotation(shared.id), note="their later reading")  # newer
    summary = mine.merge_library(theirs.db_path)
    assert str(summary) == "added 0, updated 1, unchanged 0, conflicts 1"
    assert mine.annotation(shared.id).note == "their later reading"
    # The value that lost is on the record and listed for the user to decide.
    entries = [(e.field, e.old, e.new) for e in mine.history(shared.id)]
    assert ("note", "my reading", "their later reading") in entries
    [conflict] = mine.open_conflicts()
    assert (conflict.field, conflict.mine, conflict.theirs, conflict.kept) == (
        "note",
        "my reading",
        "their later reading",
        "theirs",
    )
    mine.resolve_conflict(conflict.id, "mine")
    assert mine.annotation(shared.id).note == "my reading"
    assert mine.open_conflicts() == []
    # Merging back: the colleague now gets the resolved value, with no new conflict.
    back = theirs.merge_library(mine.db_path)
    assert back.conflicts == 0
    assert theirs.annotation(shared.id).note == "my reading"
    assert annotation_view(mine) == annotation_view(theirs)


def test_a_removed_citation_stays_removed_after_merging_both_ways(mine, theirs):
    a = annotate(mine, SEED, "79,770")
    source = mine.add_source(Source(id=0, title="Deaths", url="https://example.org/d"))
    citation = mine.cite(a.id, source.id, Stance.SUPPORTS)
    theirs.merge_library(mine.db_path)
    theirs.delete_citation(citation.id)
    mine.merge_library(theirs.db_path)
    assert mine.citations(a.id) == []
    theirs.merge_library(mine.db_path)
    assert theirs.citations(a.id) == []


def test_a_failure_during_the_merge_changes_nothing(tmp_path, mine, theirs):
    annotate(mine, SEED, "79,770")
    page = tmp_path / "page.html"
    shutil.copyfile(ARTICLE, page)
    # A URL document with its saved page in the colleague's library folder.
    saved = theirs.snapshot_dir / "saved-page.html"
    saved.parent.mkdir(parents=True)
    shutil.copyfile(ARTICLE, saved)
    opened = theirs.open_snapshot("https://news.example/story", saved, None)
    start, end = theirs.find_quote(opened, "BBC")
    theirs.highlight(opened, start, end)
    annotate(theirs, SEED, "surged")
    # Our snapshot folder cannot be made (a file is in its place): copying the page fails
    # after every row was written, inside the transaction.
    mine.snapshot_dir.write_text("not a folder")
    before = annotation_view(mine), [r.id for r in mine.recent()], mine.sources(), mine.sets()
    result = run("--db", str(mine.db_path), "import", str(theirs.db_path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1 and result.stderr.startswith("error: ")
    assert "nothing was merged" in result.stderr
    after = annotation_view(mine), [r.id for r in mine.recent()], mine.sources(), mine.sets()
    assert after == before
    # With the folder free again the same merge goes through, and copies the page.
    mine.snapshot_dir.unlink()
    summary = mine.merge_library(theirs.db_path)
    assert summary.added == 2
    assert (mine.snapshot_dir / "saved-page.html").read_bytes() == ARTICLE.read_bytes()
    assert mine.saved_snapshot("https://news.example/story") is not None


def test_a_library_from_a_newer_version_is_refused_in_one_sentence(mine, theirs):
    annotate(theirs, SEED, "surged")
    theirs.repo.db.execute(
        "INSERT INTO _sqlite_migrations (migration_set, name, applied_at) "
        "VALUES ('claim_reader', 'm999_from_the_future', '2030-01-01')"
    )
    theirs.close()
    result = run("--db", str(mine.db_path), "import", str(theirs.db_path))
    assert result.returncode == 1
    assert result.stderr.count("\n") == 1
    assert "newer version of Claim Reader" in result.stderr
    assert mine.all_annotations() == []


def test_an_sqlite_file_that_is_not_a_library_is_refused(tmp_path, mine):
    other = tmp_path / "notes.sqlite"
    conn = sqlite3.connect(other)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()
    result = run("--db", str(mine.db_path), "import", str(other))
    assert result.returncode == 1
    assert (
        result.stderr == "error: notes.sqlite is a SQLite database, but not a library Claim "
        "Reader can import (neither a Claim Reader library nor a Zotero library).\n"
    )


def test_every_table_of_the_schema_is_merged_or_declared_local(library):
    """A migration that adds a table fails here until reader.store.merge handles it."""
    from reader.store.merge import HANDLED_TABLES, LOCAL_TABLES

    tables = {
        r[0]
        for r in library.repo.db.execute(
            "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        )
    }
    assert tables - set(HANDLED_TABLES) - set(LOCAL_TABLES) == set()
    assert set(HANDLED_TABLES) <= tables


def test_a_deletion_travels_and_an_older_copy_does_not_bring_it_back(mine, theirs):
    kept = annotate(mine, SEED, "79,770")
    doomed = annotate(mine, SEED, "surged")
    theirs.merge_library(mine.db_path)
    theirs.delete(doomed.id)
    # Merging their library into mine: the deletion is newer than my copy, so it goes here too.
    summary = mine.merge_library(theirs.db_path)
    assert summary.added == 0
    assert [a.id for a in mine.all_annotations()] == [kept.id]
    assert [e.field for e in mine.history(doomed.id)][-1] == "deleted"
    # And their older copy of mine does not resurrect it.
    theirs.merge_library(mine.db_path)
    assert annotation_view(mine) == annotation_view(theirs)


def test_claim_details_come_along(mine, theirs):
    claim = annotate(theirs, SEED, "surged")
    theirs.update(claim, claim_reviewed="Opioid deaths surged to 79,770 in 2022")
    mine.merge_library(theirs.db_path)
    assert mine.annotation(claim.id).claim_reviewed == "Opioid deaths surged to 79,770 in 2022"
