"""Annotations made in other tools: a Hypothesis JSON export and a Zotero library, each
placed on the library's own copy of the page or PDF."""

from __future__ import annotations

import re
import uuid
from dataclasses import replace
from pathlib import Path

from reader.documents import DocumentError
from reader.library.core import OpenedDocument, clean_tags, is_sqlite_file, is_url, utc_now
from reader.library.errors import ImportFailed
from reader.library.sources import Sources
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    DocumentRecord,
    ImportSummary,
    Source,
    Stance,
    TextAnchor,
)


class HypothesisZotero(Sources):
    """Hypothesis exports and Zotero libraries brought in, on documents the library has."""

    def import_hypothesis(self, raw) -> ImportSummary:
        """Merge a Hypothesis JSON export: each annotation is re-anchored on the library's
        own copy of its page (found by URL, by the file a file:// URI names, or a PDF by its
        fingerprint). Pages the
        library does not have are listed in the summary's `missing`; nothing of theirs is
        imported."""
        from reader.exchange.hypothesis import read_hypothesis
        from reader.exchange.webanno import load_json

        found = read_hypothesis(load_json(raw))
        by_uri: dict[str, list] = {}
        for h in found:
            by_uri.setdefault(h.uri, []).append(h)
        opened_by_uri: dict[str, OpenedDocument] = {}
        missing = []
        # Filled once, when a PDF is named by its fingerprint.
        fingerprints: dict[str, DocumentRecord | None] = {}
        for uri, group in by_uri.items():
            opened = None
            for name in (uri, *group[0].also):
                opened = self._local_copy(name, fingerprints)
                if opened is not None:
                    break
            if opened is None:
                missing.append(uri)
            else:
                opened_by_uri[uri] = opened
        added = updated = unchanged = 0
        with self.transaction():
            for uri, opened in opened_by_uri.items():
                for h in by_uri[uri]:
                    extra = h.extra or {}
                    kind = _enum(
                        AnnotationKind,
                        extra.get("kind"),
                        (AnnotationKind.COMMENT if h.text.strip() else AnnotationKind.CLAIM),
                    )
                    old = self.repo.annotation(h.id)
                    now = utc_now()
                    new = self._imported(
                        opened,
                        self._hypothesis_place(opened, h, extra.get("anchor")),
                        kind,
                        annotation_id=h.id,
                        color=old.color if old else "",
                        status=_enum(ClaimStatus, extra.get("status"), ClaimStatus.UNVERIFIED),
                        claimant=str(extra.get("claimant") or ""),
                        note=h.text,
                        tags=h.tags,
                        author=h.user,
                        created_at=h.created or now,
                        updated_at=h.updated or h.created or now,
                    )
                    if old is None:
                        self.repo.add_annotation(new)
                        added += 1
                    elif _hypothesis_view(old) != _hypothesis_view(new):
                        self.repo.update_annotation(
                            replace(
                                new,
                                color=old.color,
                                claim_reviewed=old.claim_reviewed,
                                claim_date=old.claim_date,
                                claimant_type=old.claimant_type,
                            )
                        )
                        updated += 1
                    else:
                        unchanged += 1
        return ImportSummary(added, updated, unchanged, missing=tuple(missing))

    def _hypothesis_place(self, opened: OpenedDocument, h, ours: object) -> TextAnchor:
        """Where a Hypothesis annotation goes on the open document: Claim Reader's own anchor
        when the file came from Claim Reader; on its page when it names one (the quote may
        occur on other pages too); a page note or reply on the first word; else where the
        quote and its context are found."""
        from reader.anchoring import reanchor

        if isinstance(ours, dict):
            return reanchor(_hypothesis_anchor(h, ours), opened.document.text)
        if h.page >= 0 or not h.exact.strip():
            return self._on_page(opened, h.exact, h.page, h.prefix, h.suffix)
        return reanchor(_hypothesis_anchor(h, None), opened.document.text)

    def _local_copy(
        self, uri: str, fingerprints: dict[str, DocumentRecord | None]
    ) -> OpenedDocument | None:
        """The library's copy of the page at `uri`, opened (a URL's saved snapshot: no
        network), or None when the library does not have it. A PDF named by its fingerprint
        (``urn:x-pdf:…``) is looked for among the library's PDFs (`fingerprints` caches
        theirs)."""
        from urllib.parse import unquote, urlparse

        if uri.lower().startswith("urn:x-pdf:"):
            return self._pdf_by_fingerprint(uri[len("urn:x-pdf:") :].lower(), fingerprints)

        candidates = [uri]
        if uri.lower().startswith("file:"):
            candidates.append(unquote(urlparse(uri).path))
        else:
            # The same page as Hypothesis may have recorded it: without the fragment, with or
            # without the trailing slash.
            bare = uri.split("#", 1)[0]
            candidates += [bare, bare[:-1] if bare.endswith("/") else bare + "/"]
        for candidate in candidates:
            for record in self.repo.documents_at(candidate):
                opened = self._open_record(record)
                if opened is not None:
                    return opened
        return None

    def _pdf_by_fingerprint(
        self, wanted: str, fingerprints: dict[str, DocumentRecord | None]
    ) -> OpenedDocument | None:
        from reader.documents.pdf import pdf_fingerprint

        if not fingerprints:
            for record in self.repo.documents_of_kind("pdf"):
                source = record.source
                path = self.saved_snapshot(source) if is_url(source) else Path(source)
                if path is not None and path.is_file():
                    fingerprints.setdefault(pdf_fingerprint(path), record)
            fingerprints.setdefault("", None)  # looked once: not again for the next one
        record = fingerprints.get(wanted) if wanted else None
        return self._open_record(record) if record is not None else None

    # -- Zotero ------------------------------------------------------------------------------------

    @staticmethod
    def is_zotero_library(path: str | Path) -> bool:
        """Whether `path` is a Zotero library (``zotero.sqlite``) an import can read."""
        from reader.store.zotero import is_zotero_library

        path = Path(path)
        return is_sqlite_file(path) and is_zotero_library(path)

    def import_zotero_file(self, path: str | Path, keys: set[str]) -> ImportSummary:
        """`import_zotero` for a path the user named: one sentence if it is not a Zotero
        library."""
        from reader.store.zotero import is_zotero_library

        path = Path(path)
        if not path.is_file():
            raise DocumentError(f"{path} does not exist.")
        if not is_zotero_library(path):
            raise ImportFailed(f"{path.name} is not a Zotero library (--attachment is for one).")
        return self.import_zotero(path, keys)

    def zotero_attachments(self, path: str | Path):
        """The PDF attachments of a Zotero library with their annotations (for choosing)."""
        from reader.store.zotero import ZoteroError, read_zotero

        try:
            return read_zotero(path)
        except ZoteroError as exc:
            raise ImportFailed(str(exc)) from None

    def import_zotero(self, path: str | Path, keys: set[str] | None = None) -> ImportSummary:
        """Bring in the highlights, underlines and notes of a Zotero library's PDF
        attachments (those with `keys`, or all): each on the same PDF (its bytes recorded
        by SHA-256), citing the attachment's parent item as its source. The Zotero file is
        only read. Importing again adds nothing."""
        from reader.store.zotero import ZoteroError, read_zotero

        try:
            attachments = read_zotero(path, keys)
        except ZoteroError as exc:
            raise ImportFailed(str(exc)) from None
        if keys is not None:
            unknown = sorted(keys - {a.key for a in attachments})
            if unknown:
                raise ImportFailed(f"The Zotero library has no PDF attachment {unknown[0]}.")
        added = updated = unchanged = 0
        missing = []
        with self.transaction():
            for attachment in attachments:
                if not attachment.annotations:
                    continue
                if attachment.path is None or not attachment.path.is_file():
                    missing.append(str(attachment.path or attachment.key))
                    continue
                opened = self.open_path(attachment.path)
                source = self.add_source(_zotero_source(attachment.parent, attachment.title))
                for z in attachment.annotations:
                    annotation_id = str(uuid.uuid5(_ZOTERO_NS, f"{attachment.key}/{z.key}"))
                    old = self.repo.annotation(annotation_id)
                    if old is not None:
                        if old.note == z.comment and tuple(old.tags) == clean_tags(z.tags):
                            unchanged += 1
                        else:
                            self.repo.update_annotation(
                                replace(old, note=z.comment, tags=clean_tags(z.tags))
                            )
                            updated += 1
                        continue
                    kind = (
                        AnnotationKind.COMMENT
                        if z.kind in ("note", "text")
                        else AnnotationKind.EVIDENCE
                    )
                    now = utc_now()
                    added_at = _zotero_time(z.added) or now
                    self.repo.add_annotation(
                        self._imported(
                            opened,
                            self._on_page(opened, z.text, z.page_index),
                            kind,
                            annotation_id=annotation_id,
                            color=z.color,
                            note=z.comment,
                            tags=z.tags,
                            author=z.author,
                            created_at=added_at,
                            updated_at=_zotero_time(z.modified) or added_at,
                        )
                    )
                    locator = f"p. {z.page_label}" if z.page_label else ""
                    self.cite(
                        annotation_id,
                        source.id,
                        Stance.CONTEXT,
                        locator=locator,
                        evidence_quote=z.text,
                    )
                    added += 1
        return ImportSummary(added, updated, unchanged, missing=tuple(missing))

    # -- placing what another tool made ------------------------------------------------------------

    def _on_page(
        self, opened: OpenedDocument, quote: str, page: int, prefix: str = "", suffix: str = ""
    ) -> TextAnchor:
        """An imported annotation's place: its words on its page (0-based; clamped; the text
        of an unpaged document), else looked for in the whole text like a changed document's
        (fuzzy, else an orphan: kept, never dropped or misplaced); no words (a note): the
        page's first word."""
        from reader.anchoring import find_quote, make_anchor, reanchor

        doc = opened.document
        pages = doc.page_count if doc.kind.paged else 0
        page = min(max(page, 0), pages - 1) if pages else 0
        base = doc.page_text_offset(page) if pages else 0  # type: ignore[attr-defined]
        page_text = doc.page_text(page) if pages else doc.text  # type: ignore[attr-defined]
        if quote.strip():
            found = find_quote(page_text, quote)
            if found is not None:
                return make_anchor(doc.text, base + found[0], base + found[1])
            return reanchor(TextAnchor(quote, prefix, suffix, base, base + len(quote)), doc.text)
        word = re.search(r"\S+", page_text)
        if word is None:
            return TextAnchor("", "", "", base, base, AnchorState.ORPHAN)
        return make_anchor(doc.text, base + word.start(), base + word.end())

    def _imported(
        self,
        opened: OpenedDocument,
        anchor: TextAnchor,
        kind: AnnotationKind,
        *,
        annotation_id: str,
        color: str = "",
        status: ClaimStatus = ClaimStatus.UNVERIFIED,
        claimant: str = "",
        note: str = "",
        tags: tuple[str, ...] = (),
        author: str = "",
        created_at: str,
        updated_at: str,
    ) -> Annotation:
        """An annotation another tool made, placed by `anchor` on the open document."""
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
        page, rects = self._placement(opened, anchor)
        return Annotation(
            id=annotation_id,
            document_id=opened.record.id,
            version_id=version,
            anchor=anchor,
            kind=kind,
            color=color or DEFAULT_COLORS[kind],
            status=status,
            claimant=claimant,
            note=note,
            tags=clean_tags(tags),
            author=author,
            page=page,
            rects=rects,
            created_at=created_at,
            updated_at=updated_at,
        )


_ZOTERO_NS = uuid.UUID("3c9b6f0e-2a41-5d7e-8f13-7a2e4b5c6d01")


def _zotero_time(text: str) -> str:
    """Zotero's "2026-11-20 10:00:00" (UTC) as ISO 8601; "" if it is not a time."""
    from reader.exchange import canonical_or_none

    return canonical_or_none(text.strip().replace(" ", "T", 1)) or "" if text.strip() else ""


def _zotero_source(csl: dict, title: str) -> Source:
    """A Zotero parent item (as CSL-JSON) as a Source."""

    def text(key: str) -> str:
        value = csl.get(key, "")
        return value if isinstance(value, str) else ""

    authors = []
    for name in csl.get("author", []) or []:
        if name.get("literal"):
            authors.append(name["literal"])
        elif name.get("family"):
            authors.append(
                f"{name['family']}, {name['given']}" if name.get("given") else name["family"]
            )
    issued = text("issued")
    # Zotero stores dates as "2023-05-00 May 2023": the SQL part first, zeros for unknowns.
    match = re.match(r"(\d{4})(?:-(\d{2}))?(?:-(\d{2}))?", issued)
    if match:
        issued = "-".join(p for p in match.groups() if p and p != "00")
    return Source(
        type=text("type") or "document",
        title=text("title") or title,
        authors=tuple(authors),
        container_title=text("container-title"),
        publisher=text("publisher"),
        issued=issued,
        url=text("URL"),
        doi=text("DOI"),
        isbn=text("ISBN"),
        accessed=text("accessed")[:10],
        note=text("note"),
    )


def _enum(kind, value: object, default):
    try:
        return kind(value) if value else default
    except ValueError:
        return default


def _hypothesis_anchor(h, ours: object) -> TextAnchor:
    """Where to look for a Hypothesis annotation: Claim Reader's own anchor when the file
    came from Claim Reader (a text file's selectors count the file, not the normalized text),
    else the quote, with the position as a hint."""
    if isinstance(ours, dict):
        try:
            start, end = int(ours["start"]), int(ours["end"])
            quote = str(ours["exact"])
            return TextAnchor(quote, str(ours.get("prefix", "")), str(ours.get("suffix", "")),
                              max(start, 0), max(end, 0))  # fmt: skip
        except (KeyError, TypeError, ValueError):
            pass
    return TextAnchor(h.exact, h.prefix, h.suffix, max(h.start, 0), max(h.end, 0))


def _hypothesis_view(a: Annotation) -> tuple[object, ...]:
    return (a.document_id, a.anchor, a.kind, a.status, a.claimant, a.note, tuple(sorted(a.tags)))
