"""Every change on the record: `claim-reader update` / `history`, the author, the JSON export."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT, SEED

from reader.library import Library
from reader.model import ClaimStatus, Source, Stance


def run(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


@pytest.fixture
def db(tmp_path):
    path = tmp_path / "data" / "library.sqlite"
    path.parent.mkdir()
    # What the window's Preferences dialog writes (QSettings, INI format).
    (path.parent / "settings.ini").write_text("[preferences]\nauthor=Jo Checker\n")
    return path


def test_update_and_history_on_the_command_line(db):
    made = run("--db", str(db), "annotate", str(SEED), "--quote", "79,770", "--tag", "cdc")
    assert made.returncode == 0, made.stderr
    annotation_id = made.stdout.strip()
    changed = run(
        "--db", str(db), "update", annotation_id, "--status", "refuted",
        "--note", "CDC final count differs", "--tag", "cdc", "--tag", "opioids",
    )  # fmt: skip
    assert changed.returncode == 0, changed.stderr
    assert changed.stdout.strip() == annotation_id
    shown = run("--db", str(db), "history", annotation_id, "--json")
    assert shown.returncode == 0, shown.stderr
    entries = json.loads(shown.stdout)
    assert all(list(e) == ["time", "author", "field", "old", "new"] for e in entries)
    assert entries[0]["field"] == "created" and entries[0]["author"] == "Jo Checker"
    assert [(e["field"], e["old"], e["new"]) for e in entries[1:]] == [
        ("status", "unverified", "refuted"),
        ("note", "", "CDC final count differs"),
        ("tags", "cdc", "cdc; opioids"),
    ]
    assert {e["author"] for e in entries} == {"Jo Checker"}
    times = [e["time"] for e in entries]
    assert times == sorted(times)
    text = run("--db", str(db), "history", annotation_id)
    assert "Jo Checker  status: unverified → refuted" in text.stdout


def test_update_of_an_unknown_id_is_one_error_line_and_changes_nothing(db):
    made = run("--db", str(db), "annotate", str(SEED), "--quote", "79,770")
    result = run("--db", str(db), "update", "no-such-id", "--status", "refuted")
    assert result.returncode == 1
    assert result.stderr == 'error: There is no annotation with the id "no-such-id".\n'
    history = run("--db", str(db), "history", made.stdout.strip(), "--json")
    assert [e["field"] for e in json.loads(history.stdout)] == ["created"]
    missing = run("--db", str(db), "history", "no-such-id")
    assert missing.returncode == 1 and missing.stderr.startswith("error: There is no annotation")


def test_a_change_and_its_record_are_one_transaction(db):
    lib = Library(db)
    try:
        opened = lib.open_path(SEED)
        a = lib.highlight(opened, *lib.find_quote(opened, "79,770"))
        with pytest.raises(RuntimeError), lib.transaction():
            lib.update(a, status=ClaimStatus.REFUTED)
            raise RuntimeError("the program fails before the change is committed")
        assert lib.annotation(a.id).status == ClaimStatus.UNVERIFIED
        assert [e.field for e in lib.history(a.id)] == ["created"]
        lib.update(lib.annotation(a.id), status=ClaimStatus.SUPPORTED)
        # Another program sees the change and its record together, at once.
        other = sqlite3.connect(db)
        try:
            row = other.execute(
                "SELECT a.status, h.author, h.old, h.new FROM annotations a JOIN history h "
                "ON h.annotation_id = a.id WHERE a.id = ?",
                [a.id],
            ).fetchone()
        finally:
            other.close()
        assert row == ("supported", "Jo Checker", "unverified", "supported")
    finally:
        lib.close()


def test_citations_added_and_removed_kind_and_claimant_are_on_the_record(db):
    lib = Library(db)
    try:
        lib.author = "Sam Editor"
        opened = lib.open_path(SEED)
        a = lib.highlight(opened, *lib.find_quote(opened, "79,770"))
        source = lib.add_source(Source(id=0, title="CDC WONDER", url="https://wonder.cdc.gov"))
        citation = lib.cite(a.id, source.id, Stance.REFUTES)
        lib.delete_citation(citation.id)
        lib.update_by_id(a.id, kind="question", claimant="Senator X")
        changes = [(e.author, e.field, e.old, e.new) for e in lib.history(a.id)][1:]
        assert changes == [
            ("Sam Editor", "citation", None, "CDC WONDER (refutes)"),
            ("Sam Editor", "citation", "CDC WONDER (refutes)", None),
            ("Sam Editor", "kind", "claim", "question"),
            ("Sam Editor", "claimant", "", "Senator X"),
            # The kind's default colour follows the kind.
            ("Sam Editor", "color", "#f5c542", "#5aa9f0"),
        ]
    finally:
        lib.close()


def test_json_export_keeps_authors_and_history_and_filters_by_author(db, tmp_path):
    lib = Library(db)
    try:
        opened = lib.open_path(SEED)
        lib.author = "Ana"
        mine = lib.highlight(opened, *lib.find_quote(opened, "79,770"))
        lib.author = "Ben"
        theirs = lib.highlight(opened, *lib.find_quote(opened, "surged"))
        lib.author = "Ana"
        lib.update(lib.annotation(theirs.id), status=ClaimStatus.MISLEADING)
    finally:
        lib.close()
    out = tmp_path / "all.json"
    assert run("--db", str(db), "export", "--format", "json", "-o", str(out)).returncode == 0
    items = {i["id"]: i for i in json.loads(out.read_text())["first"]["items"]}
    ben = items[f"urn:uuid:{theirs.id}"]
    assert ben["creator"]["name"] == "Ben"
    claim = next(b for b in ben["body"] if b["type"] == "ClaimAssessment")
    [entry] = claim["history"]
    assert (entry["author"], entry["field"], entry["new"]) == ("Ana", "status", "misleading")
    # Only what Ben made or changed: his claim, not Ana's.
    result = run("--db", str(db), "export", "--format", "json", "--author", "Ben")
    assert result.returncode == 0, result.stderr
    assert [i["id"] for i in json.loads(result.stdout)["first"]["items"]] == [
        f"urn:uuid:{theirs.id}"
    ]
    # Ana made one and changed the other: both.
    result = run("--db", str(db), "export", "--format", "json", "--author", "Ana")
    ids = {i["id"] for i in json.loads(result.stdout)["first"]["items"]}
    assert ids == {f"urn:uuid:{mine.id}", f"urn:uuid:{theirs.id}"}
    # Markdown names who made each claim and who changed it since.
    markdown = run("--db", str(db), "export", "--format", "md").stdout
    assert "- **By:** Ben; changed by Ana" in markdown
    assert "- **By:** Ana\n" in markdown or "- **By:** Ana\r\n" in markdown
