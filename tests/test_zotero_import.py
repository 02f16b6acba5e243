"""Importing a Zotero library: a zotero.sqlite built here with the tables and columns Zotero's
own schema (resource/schema/userdata.sql) defines, and real PDFs from the corpus in its
storage folder. The Zotero file is only ever read."""

from __future__ import annotations

import hashlib
import json
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT
from PySide6.QtCore import Qt

from reader.library import ImportFailed
from reader.model import AnnotationKind, Stance

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"
OTHER_PDF = CORPUS / "pdf" / "minimal-document.pdf"

# The tables an import reads, as Zotero's userdata.sql (schema 129) creates them.
ZOTERO_SCHEMA = """
CREATE TABLE itemTypes (itemTypeID INTEGER PRIMARY KEY, typeName TEXT, templateItemTypeID INT,
    display INT DEFAULT 1);
CREATE TABLE itemTypesCombined (itemTypeID INT NOT NULL, typeName TEXT NOT NULL,
    display INT DEFAULT 1 NOT NULL, custom INT NOT NULL, PRIMARY KEY (itemTypeID));
CREATE TABLE fields (fieldID INTEGER PRIMARY KEY, fieldName TEXT, fieldFormatID INT);
CREATE TABLE fieldsCombined (fieldID INT NOT NULL, fieldName TEXT NOT NULL, label TEXT,
    fieldFormatID INT, custom INT NOT NULL, PRIMARY KEY (fieldID));
CREATE TABLE creatorTypes (creatorTypeID INTEGER PRIMARY KEY, creatorType TEXT);
CREATE TABLE libraries (libraryID INTEGER PRIMARY KEY, type TEXT NOT NULL, editable INT NOT NULL,
    filesEditable INT NOT NULL, version INT NOT NULL DEFAULT 0,
    clientVersion INT NOT NULL DEFAULT 0, storageVersion INT NOT NULL DEFAULT 0,
    lastSync INT NOT NULL DEFAULT 0, archived INT NOT NULL DEFAULT 0,
    isAdmin INT NOT NULL DEFAULT 0);
CREATE TABLE items (itemID INTEGER PRIMARY KEY, itemTypeID INT NOT NULL,
    dateAdded TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    dateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP,
    clientDateModified TIMESTAMP NOT NULL DEFAULT CURRENT_TIMESTAMP, libraryID INT NOT NULL,
    key TEXT NOT NULL, version INT NOT NULL DEFAULT 0, clientVersion INT NOT NULL DEFAULT 0,
    synced INT NOT NULL DEFAULT 0, UNIQUE (libraryID, key),
    FOREIGN KEY (libraryID) REFERENCES libraries(libraryID) ON DELETE CASCADE);
CREATE TABLE itemDataValues (valueID INTEGER PRIMARY KEY, value UNIQUE, valueNormalized TEXT);
CREATE TABLE itemData (itemID INT, fieldID INT, valueID, PRIMARY KEY (itemID, fieldID),
    FOREIGN KEY (itemID) REFERENCES items(itemID) ON DELETE CASCADE,
    FOREIGN KEY (fieldID) REFERENCES fieldsCombined(fieldID),
    FOREIGN KEY (valueID) REFERENCES itemDataValues(valueID));
CREATE TABLE itemNotes (itemID INTEGER PRIMARY KEY, parentItemID INT, note TEXT, title TEXT);
CREATE TABLE itemAttachments (itemID INTEGER PRIMARY KEY, parentItemID INT, linkMode INT,
    contentType TEXT, charsetID INT, path TEXT, syncState INT DEFAULT 0, storageModTime INT,
    storageHash TEXT, lastProcessedModificationTime INT, lastRead INT,
    FOREIGN KEY (itemID) REFERENCES items(itemID) ON DELETE CASCADE,
    FOREIGN KEY (parentItemID) REFERENCES items(itemID) ON DELETE CASCADE);
CREATE TABLE itemAnnotations (itemID INTEGER PRIMARY KEY, parentItemID INT NOT NULL,
    type INTEGER NOT NULL, authorName TEXT, text TEXT, textNormalized TEXT, comment TEXT,
    commentNormalized TEXT, color TEXT, pageLabel TEXT, sortIndex TEXT NOT NULL,
    position TEXT NOT NULL, isExternal INT NOT NULL,
    FOREIGN KEY (itemID) REFERENCES items(itemID) ON DELETE CASCADE,
    FOREIGN KEY (parentItemID) REFERENCES itemAttachments(itemID));
CREATE TABLE tags (tagID INTEGER PRIMARY KEY, name TEXT NOT NULL UNIQUE, nameNormalized TEXT);
CREATE TABLE itemTags (itemID INT NOT NULL, tagID INT NOT NULL, type INT NOT NULL,
    PRIMARY KEY (itemID, tagID));
CREATE TABLE creators (creatorID INTEGER PRIMARY KEY, firstName TEXT, lastName TEXT,
    fieldMode INT, firstNameNormalized TEXT, lastNameNormalized TEXT,
    UNIQUE (lastName, firstName, fieldMode));
CREATE TABLE itemCreators (itemID INT NOT NULL, creatorID INT NOT NULL,
    creatorTypeID INT NOT NULL DEFAULT 1, orderIndex INT NOT NULL DEFAULT 0,
    PRIMARY KEY (itemID, creatorID, creatorTypeID, orderIndex), UNIQUE (itemID, orderIndex));
CREATE TABLE deletedItems (itemID INTEGER PRIMARY KEY,
    dateDeleted DEFAULT CURRENT_TIMESTAMP NOT NULL);
"""


class Zotero:
    """A small zotero.sqlite, filled as Zotero fills it."""

    def __init__(self, folder: Path) -> None:
        self.folder = folder
        folder.mkdir(parents=True)
        self.path = folder / "zotero.sqlite"
        self.conn = sqlite3.connect(self.path)
        self.conn.executescript(ZOTERO_SCHEMA)
        types = ["journalArticle", "attachment", "annotation", "report", "book"]
        for i, name in enumerate(types, 1):
            self.conn.execute("INSERT INTO itemTypes VALUES (?, ?, NULL, 1)", [i, name])
            self.conn.execute("INSERT INTO itemTypesCombined VALUES (?, ?, 1, 0)", [i, name])
        self.types = {name: i for i, name in enumerate(types, 1)}
        self.fields: dict[str, int] = {}
        names = ["title", "publicationTitle", "date", "DOI", "url", "ISBN", "publisher"]
        for i, name in enumerate(names, 1):
            self.conn.execute("INSERT INTO fields VALUES (?, ?, NULL)", [i, name])
            self.conn.execute("INSERT INTO fieldsCombined VALUES (?, ?, NULL, NULL, 0)", [i, name])
            self.fields[name] = i
        self.conn.execute("INSERT INTO creatorTypes VALUES (1, 'author'), (2, 'editor')")
        self.conn.execute("INSERT INTO libraries (libraryID, type, editable, filesEditable) "
                          "VALUES (1, 'user', 1, 1)")  # fmt: skip
        self.next_id = 1

    def item(self, kind: str, key: str, **fields: str) -> int:
        item_id = self.next_id
        self.next_id += 1
        self.conn.execute(
            "INSERT INTO items (itemID, itemTypeID, libraryID, key, dateAdded, dateModified) "
            "VALUES (?, ?, 1, ?, '2026-11-20 10:00:00', '2026-11-21 09:30:00')",
            [item_id, self.types[kind], key],
        )
        for name, value in fields.items():
            row = self.conn.execute(
                "SELECT valueID FROM itemDataValues WHERE value = ?", [value]
            ).fetchone()
            if row is None:
                value_id = self.conn.execute(
                    "INSERT INTO itemDataValues (value) VALUES (?)", [value]
                ).lastrowid
            else:
                value_id = row[0]
            self.conn.execute(
                "INSERT INTO itemData VALUES (?, ?, ?)", [item_id, self.fields[name], value_id]
            )
        return item_id

    def author(self, item_id: int, first: str, last: str, order: int, kind: int = 1) -> None:
        creator = self.conn.execute(
            "INSERT INTO creators (firstName, lastName, fieldMode) VALUES (?, ?, ?)",
            [first, last, 0 if first else 1],
        ).lastrowid
        self.conn.execute(
            "INSERT INTO itemCreators VALUES (?, ?, ?, ?)", [item_id, creator, kind, order]
        )

    def attachment(self, parent: int | None, key: str, pdf: Path) -> int:
        item_id = self.item("attachment", key, title=pdf.name)
        storage = self.folder / "storage" / key
        storage.mkdir(parents=True)
        shutil.copy(pdf, storage / pdf.name)
        self.conn.execute(
            "INSERT INTO itemAttachments (itemID, parentItemID, linkMode, contentType, path) "
            "VALUES (?, ?, 0, 'application/pdf', ?)",
            [item_id, parent, f"storage:{pdf.name}"],
        )
        return item_id

    def annotation(self, attachment: int, key: str, kind: int, text: str, comment: str,
                   color: str, page: int, tags: tuple[str, ...] = ()) -> int:  # fmt: skip
        item_id = self.item("annotation", key)
        self.conn.execute(
            "INSERT INTO itemAnnotations (itemID, parentItemID, type, authorName, text, comment, "
            "color, pageLabel, sortIndex, position, isExternal) "
            "VALUES (?, ?, ?, 'Sam Checker', ?, ?, ?, ?, ?, ?, 0)",
            [
                item_id,
                attachment,
                kind,
                text,
                comment,
                color,
                str(page + 1),
                f"{page:05d}|{item_id:06d}|00100",
                json.dumps({"pageIndex": page, "rects": [[100, 600, 300, 612]]}),
            ],
        )
        for tag in tags:
            row = self.conn.execute("SELECT tagID FROM tags WHERE name = ?", [tag]).fetchone()
            tag_id = (
                row[0]
                if row
                else self.conn.execute("INSERT INTO tags (name) VALUES (?)", [tag]).lastrowid
            )
            self.conn.execute("INSERT INTO itemTags VALUES (?, ?, 0)", [item_id, tag_id])
        return item_id

    def close(self) -> Path:
        self.conn.commit()
        self.conn.close()
        return self.path


def page_words(pdf: Path, page: int, count: int) -> str:
    from reader.documents import open_document

    doc = open_document(pdf)
    return " ".join(doc.page_text(page).split()[3 : 3 + count])


@pytest.fixture
def zotero(tmp_path: Path) -> tuple[Path, dict[str, str]]:
    z = Zotero(tmp_path / "Zotero")
    paper = z.item(
        "journalArticle",
        "PAPERKEY",
        title="Four pages of LaTeX",
        publicationTitle="Journal of Samples",
        date="2021-03-00 March 2021",
        DOI="10.1000/sample.4",
        url="https://journal.example/four",
    )
    z.author(paper, "Ada", "Lovelace", 0)
    z.author(paper, "", "Sample Consortium", 1)
    z.author(paper, "Ed", "Itor", 2, kind=2)
    first = z.attachment(paper, "ATTACHA1", PDF)
    z.annotation(first, "ANNHIGH1", 1, page_words(PDF, 0, 4), "Check this figure.",
                 "#ffd400", 0, ("economy", "to check"))  # fmt: skip
    z.annotation(first, "ANNUNDR1", 5, page_words(PDF, 1, 3), "", "#2ea8e5", 1)
    z.annotation(first, "ANNNOTE1", 2, "", "A note on page three.", "#a28ae5", 2, ("note",))
    z.annotation(first, "ANNINK01", 4, "", "", "#000000", 0)  # ink marks no text: left out
    report = z.item("report", "REPORTKY", title="A minimal report", ISBN="978-3-16-148410-0")
    second = z.attachment(report, "ATTACHB2", OTHER_PDF)
    z.annotation(second, "ANNHIGH2", 1, page_words(OTHER_PDF, 0, 2), "Second PDF.", "#ff6666", 0)
    trashed = z.attachment(None, "TRASHED1", OTHER_PDF.with_name("habibi.pdf"))
    z.annotation(trashed, "ANNTRASH", 1, "x", "", "#ff6666", 0)
    z.conn.execute("INSERT INTO deletedItems (itemID) VALUES (?)", [trashed])
    return z.close(), {"first": "ATTACHA1", "second": "ATTACHB2"}


def digest(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def zotero_files(folder: Path) -> dict[str, str]:
    return {p.name: digest(p) for p in folder.iterdir() if p.is_file()}


def test_import_brings_highlights_underlines_and_notes_onto_the_same_pdf(library, zotero):
    path, _ = zotero
    before = zotero_files(path.parent)
    summary = library.import_file(path)
    assert (summary.added, summary.updated, summary.unchanged) == (4, 0, 0)
    # The Zotero library is untouched: same bytes, no journal or WAL files beside it.
    assert zotero_files(path.parent) == before
    annotations = {a.note: a for a in library.all_annotations()}
    assert set(annotations) == {"Check this figure.", "", "A note on page three.", "Second PDF."}
    highlight = annotations["Check this figure."]
    assert highlight.anchor.quote == page_words(PDF, 0, 4)
    assert highlight.page == 0 and highlight.color == "#ffd400"
    assert highlight.tags == ("economy", "to check") and highlight.author == "Sam Checker"
    assert highlight.kind == AnnotationKind.EVIDENCE
    assert (highlight.created_at, highlight.updated_at) == (
        "2026-11-20T10:00:00Z",
        "2026-11-21T09:30:00Z",
    )
    underline = annotations[""]
    assert underline.page == 1 and underline.anchor.quote == page_words(PDF, 1, 3)
    assert underline.color == "#2ea8e5"
    note = annotations["A note on page three."]
    assert note.kind == AnnotationKind.COMMENT and note.page == 2 and note.tags == ("note",)
    # Matched by SHA-256: the annotations sit on the corpus PDF's bytes.
    record = library.repo.document_by_id(highlight.document_id)
    assert record is not None and record.sha256 == digest(PDF)
    assert library.repo.document_by_id(annotations["Second PDF."].document_id).sha256 == digest(
        OTHER_PDF
    )
    # The parent item is the source (CSL fields), cited with the page.
    (citation,) = library.citations(highlight.id)
    source = library.source(citation.source_id)
    assert source is not None
    assert (source.title, source.container_title, source.issued, source.doi) == (
        "Four pages of LaTeX",
        "Journal of Samples",
        "2021-03",
        "10.1000/sample.4",
    )
    assert source.authors == ("Lovelace, Ada", "Sample Consortium")  # the editor is no author
    assert source.type == "article-journal" and source.url == "https://journal.example/four"
    assert citation.stance == Stance.CONTEXT and citation.locator == "p. 1"
    report = library.source(library.citations(annotations["Second PDF."].id)[0].source_id)
    assert report.isbn == "978-3-16-148410-0" and report.type == "report"
    # Again: nothing added.
    assert str(library.import_file(path)) == "added 0, updated 0, unchanged 4"
    assert zotero_files(path.parent) == before


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, cwd=ROOT
    )


def test_cli_imports_all_or_the_attachments_named(zotero, tmp_path):
    path, keys = zotero
    db = tmp_path / "lib.sqlite"
    one = run("--db", str(db), "import", str(path), "--attachment", keys["second"])
    assert one.returncode == 0, one.stderr
    assert one.stdout == "added 1, updated 0, unchanged 0\n"
    everything = run("--db", str(db), "import", str(path))
    assert everything.returncode == 0, everything.stderr
    assert everything.stdout == "added 3, updated 0, unchanged 1\n"
    unknown = run("--db", str(db), "import", str(path), "--attachment", "NOSUCHKY")
    assert unknown.returncode == 1
    assert unknown.stderr == "error: The Zotero library has no PDF attachment NOSUCHKY.\n"
    not_zotero = tmp_path / "other.sqlite"
    sqlite3.connect(not_zotero).execute("CREATE TABLE t (x)").connection.close()
    refused = run("--db", str(db), "import", str(not_zotero))
    assert refused.returncode == 1
    assert refused.stderr.startswith("error: other.sqlite is a SQLite database, but not")


def test_a_missing_pdf_is_named_and_the_rest_imported(library, zotero):
    path, keys = zotero
    shutil.rmtree(path.parent / "storage" / keys["second"])
    summary = library.import_file(path)
    assert summary.added == 3
    assert summary.missing == (str(path.parent / "storage" / keys["second"] / OTHER_PDF.name),)


def test_a_damaged_zotero_file_is_one_sentence(library, tmp_path):
    bad = tmp_path / "zotero.sqlite"
    bad.write_bytes(b"SQLite format 3\x00" + b"\x00" * 200)
    with pytest.raises(ImportFailed):
        library.import_file(bad)


def test_gui_lists_attachments_to_tick(window, library, qtbot, zotero):
    path, keys = zotero
    window.choose_open_path = lambda title, folder, name_filter: str(path)
    window.action("import").trigger()
    dialog = window.exchange.zotero_dialog
    assert dialog is not None and dialog.isVisible()
    rows = [dialog.list.item(i) for i in range(dialog.list.count())]
    assert [r.text() for r in rows] == [
        "Four pages of LaTeX (3 annotations)",
        "A minimal report (1 annotation)",
    ]
    rows[0].setCheckState(Qt.CheckState.Unchecked)
    assert dialog.chosen() == {keys["second"]}
    with qtbot.waitSignal(window.exchange_finished, timeout=20000) as blocker:
        dialog.import_button.click()
    assert blocker.args[0], blocker.args
    assert [a.note for a in library.all_annotations()] == ["Second PDF."]
    assert window.exchange.zotero_dialog is None  # closed once the import started


def test_a_highlight_whose_words_the_pdf_lacks_is_kept_as_an_orphan(library, tmp_path):
    z = Zotero(tmp_path / "Zotero")
    attachment = z.attachment(None, "LONEPDF1", PDF)
    z.annotation(attachment, "ANNLOST1", 1, "zebra quagga okapi narwhal", "gone", "#ffd400", 0)
    path = z.close()
    assert library.import_file(path).added == 1
    (kept,) = library.all_annotations()
    assert kept.anchor.state.value == "orphan" and kept.anchor.quote == "zebra quagga okapi narwhal"
    assert kept.note == "gone"
