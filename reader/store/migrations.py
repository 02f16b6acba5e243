"""The schema's whole history. Never edit an applied migration: add a new one."""

from __future__ import annotations

from sqlite_utils import Database, Migrations

migrations = Migrations("claim_reader")


@migrations()
def m001_documents(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE documents (
            id INTEGER PRIMARY KEY,
            kind TEXT NOT NULL,
            title TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            site TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            source TEXT NOT NULL DEFAULT '',
            pages INTEGER NOT NULL DEFAULT 0,
            first_opened TEXT NOT NULL,
            last_opened TEXT NOT NULL
        )
        """
    )
    # One row per distinct set of bytes: a changed file is a new version of the same document.
    db.execute(
        """
        CREATE TABLE versions (
            id INTEGER PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            sha256 TEXT NOT NULL UNIQUE,
            size INTEGER NOT NULL DEFAULT 0,
            pages INTEGER NOT NULL DEFAULT 0,
            snapshot TEXT NOT NULL DEFAULT '',
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX versions_document ON versions(document_id)")
    db.execute("CREATE INDEX documents_source ON documents(source)")
    db.execute("CREATE INDEX documents_last_opened ON documents(last_opened)")


@migrations()
def m002_annotations(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE annotations (
            id TEXT PRIMARY KEY,
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            version_id INTEGER NOT NULL REFERENCES versions(id),
            kind TEXT NOT NULL,
            color TEXT NOT NULL DEFAULT '',
            status TEXT NOT NULL DEFAULT 'unverified',
            claimant TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            author TEXT NOT NULL DEFAULT '',
            quote TEXT NOT NULL,
            prefix TEXT NOT NULL DEFAULT '',
            suffix TEXT NOT NULL DEFAULT '',
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            anchor_state TEXT NOT NULL DEFAULT 'exact',
            page INTEGER NOT NULL DEFAULT -1,
            rects TEXT NOT NULL DEFAULT '[]',
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX annotations_document ON annotations(document_id, start)")
    db.execute(
        """
        CREATE TABLE annotation_tags (
            annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            tag TEXT NOT NULL,
            PRIMARY KEY (annotation_id, tag)
        )
        """
    )
    db.execute("CREATE INDEX annotation_tags_tag ON annotation_tags(tag)")
    # Kept in step by the repository inside the same transaction as each change (rowid =
    # annotations.rowid), so search never sees a half-written annotation.
    db.execute(
        "CREATE VIRTUAL TABLE annotations_fts USING fts5("
        "quote, note, tags, claimant, tokenize = 'unicode61 remove_diacritics 2')"
    )


@migrations()
def m003_sources_and_citations(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE sources (
            id INTEGER PRIMARY KEY,
            type TEXT NOT NULL DEFAULT 'webpage',
            title TEXT NOT NULL DEFAULT '',
            authors TEXT NOT NULL DEFAULT '[]',
            container_title TEXT NOT NULL DEFAULT '',
            publisher TEXT NOT NULL DEFAULT '',
            issued TEXT NOT NULL DEFAULT '',
            url TEXT NOT NULL DEFAULT '',
            doi TEXT NOT NULL DEFAULT '',
            isbn TEXT NOT NULL DEFAULT '',
            accessed TEXT NOT NULL DEFAULT '',
            archived_url TEXT NOT NULL DEFAULT '',
            note TEXT NOT NULL DEFAULT '',
            document_id INTEGER REFERENCES documents(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    # Normalised DOI / ISBN / URL, one row per key, so a duplicate is one indexed lookup.
    db.execute(
        """
        CREATE TABLE source_keys (
            key TEXT NOT NULL,
            source_id INTEGER NOT NULL REFERENCES sources(id) ON DELETE CASCADE,
            PRIMARY KEY (key, source_id)
        )
        """
    )
    db.execute("CREATE INDEX source_keys_source ON source_keys(source_id)")
    db.execute("CREATE INDEX sources_document ON sources(document_id)")
    db.execute(
        """
        CREATE TABLE citations (
            id TEXT PRIMARY KEY,
            annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            source_id INTEGER NOT NULL REFERENCES sources(id),
            stance TEXT NOT NULL DEFAULT 'supports',
            locator TEXT NOT NULL DEFAULT '',
            evidence_quote TEXT NOT NULL DEFAULT '',
            evidence_annotation_id TEXT REFERENCES annotations(id) ON DELETE SET NULL,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute("CREATE INDEX citations_annotation ON citations(annotation_id)")
    db.execute("CREATE INDEX citations_source ON citations(source_id)")


@migrations()
def m004_sets(db: Database) -> None:
    db.execute(
        """
        CREATE TABLE sets (
            id INTEGER PRIMARY KEY,
            name TEXT NOT NULL UNIQUE COLLATE NOCASE,
            created_at TEXT NOT NULL
        )
        """
    )
    db.execute(
        """
        CREATE TABLE set_members (
            set_id INTEGER NOT NULL REFERENCES sets(id) ON DELETE CASCADE,
            annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            PRIMARY KEY (set_id, annotation_id)
        )
        """
    )
    db.execute("CREATE INDEX set_members_annotation ON set_members(annotation_id)")


@migrations()
def m_issue14_claim_details(db: Database) -> None:
    # Beside the annotations table rather than in it: most annotations are not reviewed claims.
    db.execute(
        """
        CREATE TABLE claim_details (
            annotation_id TEXT PRIMARY KEY REFERENCES annotations(id) ON DELETE CASCADE,
            claim_reviewed TEXT NOT NULL DEFAULT '',
            claim_date TEXT NOT NULL DEFAULT '',
            claimant_type TEXT NOT NULL DEFAULT ''
        )
        """
    )
    # Library-wide choices the user made once (the reviewing organisation of ClaimReview).
    db.execute(
        "CREATE TABLE IF NOT EXISTS library_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL)"
    )


@migrations()
def m_issue17_ocr_text(db: Database) -> None:
    # Text read by OCR from a document version's scanned pages: kept so a reopen does not OCR
    # again. `chars` is JSON: [[offset, x0, y0, x1, y1], ...], the boxes of the page's text.
    db.execute(
        """
        CREATE TABLE ocr_pages (
            sha256 TEXT NOT NULL,
            page INTEGER NOT NULL,
            language TEXT NOT NULL,
            text TEXT NOT NULL,
            chars TEXT NOT NULL,
            PRIMARY KEY (sha256, page)
        )
        """
    )


@migrations()
def m_issue16_history(db: Database) -> None:
    # Who changed what and when, one row per changed field. Ids are UUIDs so two libraries
    # that merge recognise the entries they share. No foreign key: the record of an
    # annotation outlives its deletion (and an undo brings it back with its past).
    db.execute(
        """
        CREATE TABLE history (
            id TEXT PRIMARY KEY,
            annotation_id TEXT NOT NULL,
            time TEXT NOT NULL,
            author TEXT NOT NULL DEFAULT '',
            field TEXT NOT NULL,
            old TEXT,
            new TEXT,
            ref TEXT NOT NULL DEFAULT ''
        )
        """
    )
    db.execute("CREATE INDEX history_annotation ON history(annotation_id, time)")
    db.execute("CREATE INDEX history_time ON history(time)")
    db.execute("CREATE INDEX history_ref ON history(ref) WHERE ref != ''")
    # What a merge decided when both sides had changed the same field since they last met:
    # the newer value is stored, the other is kept here (and in the history) until the user
    # keeps one of them.
    db.execute(
        """
        CREATE TABLE merge_conflicts (
            id INTEGER PRIMARY KEY,
            annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            field TEXT NOT NULL,
            mine TEXT,
            theirs TEXT,
            kept TEXT NOT NULL,
            other_library TEXT NOT NULL DEFAULT '',
            time TEXT NOT NULL,
            resolved INTEGER NOT NULL DEFAULT 0
        )
        """
    )
    db.execute("CREATE INDEX merge_conflicts_open ON merge_conflicts(resolved, annotation_id)")


@migrations()
def m_issue16_sources_fts(db: Database) -> None:
    # Full-text search over sources for the team view (Datasette reads it as the sources'
    # search index). External content: the words are indexed, the text stays in `sources`;
    # triggers keep it in step inside whatever transaction changes a source.
    db.execute(
        "CREATE VIRTUAL TABLE sources_fts USING fts5(title, authors, container_title, "
        "publisher, note, url, doi, content = 'sources', content_rowid = 'id', "
        "tokenize = 'unicode61 remove_diacritics 2')"
    )
    columns = "title, authors, container_title, publisher, note, url, doi"
    new = ", ".join(f"new.{c}" for c in columns.split(", "))
    old = ", ".join(f"old.{c}" for c in columns.split(", "))
    db.execute(
        f"CREATE TRIGGER sources_fts_insert AFTER INSERT ON sources BEGIN "
        f"INSERT INTO sources_fts (rowid, {columns}) VALUES (new.id, {new}); END"
    )
    db.execute(
        f"CREATE TRIGGER sources_fts_delete AFTER DELETE ON sources BEGIN "
        f"INSERT INTO sources_fts (sources_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); END"
    )
    db.execute(
        f"CREATE TRIGGER sources_fts_update AFTER UPDATE ON sources BEGIN "
        f"INSERT INTO sources_fts (sources_fts, rowid, {columns}) "
        f"VALUES ('delete', old.id, {old}); "
        f"INSERT INTO sources_fts (rowid, {columns}) VALUES (new.id, {new}); END"
    )
    db.execute("INSERT INTO sources_fts (sources_fts) VALUES ('rebuild')")


@migrations()
def m_issue13_view_places(db: Database) -> None:
    # Where the reader left each document: its zoom (or fit mode) and the place at the top of
    # the view, so it opens there again.
    db.execute(
        """
        CREATE TABLE view_places (
            document_id INTEGER PRIMARY KEY REFERENCES documents(id) ON DELETE CASCADE,
            zoom REAL NOT NULL DEFAULT 1.0,
            fit TEXT NOT NULL DEFAULT '',
            position REAL NOT NULL DEFAULT 0,
            updated_at TEXT NOT NULL
        )
        """
    )


@migrations()
def m_issue10a_version_texts(db: Database) -> None:
    # The normalized text of each version (zlib-compressed UTF-8), so a new version can be
    # aligned with the previous one: the document's own change says where the words went.
    db.execute(
        """
        CREATE TABLE version_texts (
            version_id INTEGER PRIMARY KEY REFERENCES versions(id) ON DELETE CASCADE,
            text BLOB NOT NULL
        )
        """
    )
    # The places an orphan could be (a tie the evidence could not break), offered to the user.
    db.execute(
        """
        CREATE TABLE anchor_candidates (
            annotation_id TEXT NOT NULL REFERENCES annotations(id) ON DELETE CASCADE,
            start INTEGER NOT NULL,
            "end" INTEGER NOT NULL,
            PRIMARY KEY (annotation_id, start, "end")
        )
        """
    )


@migrations()
def m_issue15_fact_checks(db: Database) -> None:
    # Published fact-checks (ClaimReview) imported for reference. The url is the review's
    # identity: a re-import updates the row, never adds a second.
    db.execute(
        """
        CREATE TABLE fact_checks (
            id INTEGER PRIMARY KEY,
            url TEXT NOT NULL UNIQUE,
            claim TEXT NOT NULL,
            rating TEXT NOT NULL DEFAULT '',
            rating_value REAL,
            best_rating REAL,
            worst_rating REAL,
            reviewer TEXT NOT NULL DEFAULT '',
            published TEXT NOT NULL DEFAULT '',
            claimant TEXT NOT NULL DEFAULT '',
            appearance TEXT NOT NULL DEFAULT '',
            claim_date TEXT NOT NULL DEFAULT '',
            imported_at TEXT NOT NULL,
            updated_at TEXT NOT NULL
        )
        """
    )
    # "Seen before" draws its candidates from here; external content, kept in step by triggers
    # inside whatever transaction changes a fact-check.
    db.execute(
        "CREATE VIRTUAL TABLE fact_checks_fts USING fts5(claim, content = 'fact_checks', "
        "content_rowid = 'id', tokenize = 'unicode61 remove_diacritics 2')"
    )
    db.execute(
        "CREATE TRIGGER fact_checks_fts_insert AFTER INSERT ON fact_checks BEGIN "
        "INSERT INTO fact_checks_fts (rowid, claim) VALUES (new.id, new.claim); END"
    )
    db.execute(
        "CREATE TRIGGER fact_checks_fts_delete AFTER DELETE ON fact_checks BEGIN "
        "INSERT INTO fact_checks_fts (fact_checks_fts, rowid, claim) "
        "VALUES ('delete', old.id, old.claim); END"
    )
    db.execute(
        "CREATE TRIGGER fact_checks_fts_update AFTER UPDATE OF claim ON fact_checks BEGIN "
        "INSERT INTO fact_checks_fts (fact_checks_fts, rowid, claim) "
        "VALUES ('delete', old.id, old.claim); "
        "INSERT INTO fact_checks_fts (rowid, claim) VALUES (new.id, new.claim); END"
    )
    # "Same claim" links the user made: from a claim to another claim ("urn:uuid:<id>") or to
    # an imported fact-check (its url). No foreign keys: a link outlives the deletion of
    # either claim, so the undo of a delete (which puts the claim back under its id) brings
    # its links back; a link to a claim that is gone is not shown or exported.
    db.execute(
        """
        CREATE TABLE claim_links (
            annotation_id TEXT NOT NULL,
            target TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (annotation_id, target)
        )
        """
    )
    db.execute("CREATE INDEX claim_links_target ON claim_links(target)")


@migrations()
def candidate_dismissals(db: Database) -> None:
    # Candidate claims the user dismissed in a document, by the sentence's words (whitespace
    # folded), so a dismissal outlives a new version in which the sentence moved.
    db.execute(
        """
        CREATE TABLE candidate_dismissals (
            document_id INTEGER NOT NULL REFERENCES documents(id) ON DELETE CASCADE,
            sentence TEXT NOT NULL,
            created_at TEXT NOT NULL,
            PRIMARY KEY (document_id, sentence)
        )
        """
    )
