"""The merge of a CSV or W3C JSON export into the library, a batch at a time."""

from __future__ import annotations

import threading
from dataclasses import replace
from typing import TYPE_CHECKING

from reader.documents.base import Cancelled
from reader.library.core import clean_tags, utc_now
from reader.model import DEFAULT_COLORS, AnchorState, Annotation, Citation, ImportSummary, Source

if TYPE_CHECKING:
    from reader.library.core import LibraryCore


class _Importer:
    """Merges a stream of `reader.exchange.Incoming` into the library, a batch at a time,
    inside the caller's transaction."""

    BATCH = 500

    def __init__(self, library: LibraryCore, cancel: threading.Event | None) -> None:
        from datetime import UTC, datetime

        from reader.exchange import canonical_time

        self.library = library
        self.repo = library.repo
        self.store = library._exchange_store()
        self.cancel = cancel
        self.versions: dict[str, tuple[int, int]] = {}
        self.texts: dict[int, str | None] = {}
        self.set_ids: dict[str, int | None] = {}
        self.source_ids: dict[tuple[object, ...], int] = {}
        self.links: list[tuple[str, str]] = []
        # Into a library without annotations, only ids this import added can be stored. No set
        # of the ids seen is kept (a million rows would make it ~100 MB): the library, inside
        # this import's transaction, knows which ids earlier batches added.
        self.fresh = not self.store.has_annotations()
        # Rows this import adds get rowids from here on: an id found at or above it came
        # earlier in this very file.
        self.first_new = self.store.next_rowid()
        self.started = datetime.now(UTC)
        self.now = canonical_time(self.started.isoformat())
        self.ticks = 0
        self.added = self.updated = self.unchanged = 0

    def run(self, items) -> ImportSummary:
        batch = []
        for item in items:
            batch.append(item)
            if len(batch) >= self.BATCH:
                self._batch(batch)
                batch = []
        if batch:
            self._batch(batch)
        if self.links:
            self.store.link_evidence(self.links)
        return ImportSummary(self.added, self.updated, self.unchanged)

    def _batch(self, items) -> None:
        if self.cancel is not None and self.cancel.is_set():
            raise Cancelled("Import cancelled.")
        ids = [i.annotation.id for i in items]
        present = self.store.rowids(ids)
        self._check_once(items, present)
        fresh = self.fresh and not present
        stored = {} if fresh else self.store.stored(ids)
        citation_ids = [c.citation.id for i in items for c in i.citations]
        cited = self.store.citations_by_id(citation_ids) if citation_ids else {}
        evidence_ids = [
            c.citation.evidence_annotation_id
            for i in items
            for c in i.citations
            if c.citation.evidence_annotation_id
        ]
        # Evidence may be stored already (this import's earlier batches included) or come in
        # this batch.
        in_batch = set(ids)
        known = (
            self.store.existing_annotations(evidence_ids)
            | {e for e in evidence_ids if e in in_batch}
            if evidence_ids
            else set()
        )
        added: list[tuple] = []  # rows from `ExchangeStore.new_row`
        changed: list[Annotation] = []
        citations_added: list[Citation] = []
        citations_changed: list[Citation] = []
        members: list[tuple[int, str]] = []
        links: list[tuple[str, str]] = []
        owners: dict[str, str] = {}  # citation id → the annotation it belongs to, this batch
        ties: dict[str, list[tuple[int, int]]] = {}
        items = [self._placed(item, ties) for item in items]
        history = [(i.annotation.id, h) for i in items for h in i.history]
        for item in items:
            a = item.annotation
            for incoming in item.citations:
                _check_owner(item, incoming.citation.id, cited, owners)
            old = stored.get(a.id)
            if old is None:
                row = self._new(item)
            else:
                annotation = self._annotation(item, old.annotation)
                differs = _differs(old.annotation, annotation, item.full)
            touched = False
            for incoming in item.citations:
                citation, state = self._citation(
                    incoming, cited.get(incoming.citation.id), item.full, known
                )
                if state == "added":
                    citations_added.append(citation)
                elif state == "changed":
                    citations_changed.append(citation)
                touched |= state != "same"
            for name in item.sets:
                set_id = self._set(name)
                if set_id is not None and (old is None or set_id not in old.sets):
                    members.append((set_id, a.id))
                    touched = True
            if item.same_claims:  # links made in "seen before": added, never removed
                had = set(self.repo.fact_checks.links(a.id)) if old is not None else set()
                links += [(a.id, t) for t in item.same_claims if t not in had]
                touched |= not had.issuperset(item.same_claims)
            if old is None:
                added.append(row)
                self.added += 1
            elif differs:
                changed.append(annotation)
                self.updated += 1
            elif touched:
                self.updated += 1
            else:
                self.unchanged += 1
        self.store.write(added, changed, citations_added, citations_changed, members, history)
        for annotation_id, target in links:
            self.repo.fact_checks.link(annotation_id, target)
        if items and items[0].full:  # a CSV has no claim details: the stored ones stay
            self.repo.write_claim_details([i.annotation for i in items])
        if ties:
            self.repo.set_candidates(ties)

    def _placed(self, item, ties: dict[str, list[tuple[int, int]]]):
        """The item, its anchor found again when the library has the document's text and the
        quote is not at the offsets the file gives (an import claims; the text decides).
        Paged documents are left to opening, which also works out the page."""
        from reader.anchoring import reanchor_many

        anchor = item.annotation.anchor
        if anchor.state is AnchorState.ORPHAN:
            return item
        _, version_id = self._version(item)
        text = self._text(version_id)
        if text is None or text[anchor.start : anchor.end] == anchor.quote:
            return item
        found: dict[int, list[tuple[int, int]]] = {}
        (moved,) = reanchor_many([anchor], text, ties=found)  # type: ignore[misc]
        if found:
            ties[item.annotation.id] = found[0]
        return replace(item, annotation=replace(item.annotation, anchor=moved))

    def _text(self, version_id: int) -> str | None:
        """The text of an unpaged version the library kept (the last few, by version)."""
        if version_id not in self.texts:
            if len(self.texts) >= 4:
                self.texts.clear()
            record = self.repo.document_by_id(self.repo.document_of_version(version_id))
            paged = record is None or record.kind.paged
            self.texts[version_id] = None if paged else self.repo.version_text(version_id)
        return self.texts[version_id]

    def _check_once(self, items, present: dict[str, int]) -> None:
        """An annotation comes once (a CSV's rows of one annotation are next to each other):
        checked against this batch and what this import stored, so no set of every id read
        is kept (memory stays bounded, whatever the number of rows)."""
        from reader.exchange import ExchangeError

        here: set[str] = set()
        for item in items:
            annotation_id = item.annotation.id
            if annotation_id in here or present.get(annotation_id, 0) >= self.first_new:
                raise ExchangeError(
                    item.where,
                    f"annotation {annotation_id} already came earlier in the file (the rows of "
                    "one annotation must be next to each other, as an export writes them).",
                )
            here.add(annotation_id)

    def _version(self, item) -> tuple[int, int]:
        doc = item.document
        found = self.versions.get(doc.sha256)
        if found is None:
            from reader.exchange import guess_kind
            from reader.model import DocumentKind

            found = self.store.version(doc.sha256)
            if found is None:
                kind = (
                    DocumentKind(doc.kind)
                    if doc.kind
                    else guess_kind(doc.file, item.annotation.page >= 0)
                )
                found = self.store.add_document(doc.sha256, kind, doc.title, doc.file)
            self.versions[doc.sha256] = found
        return found

    def _new(self, item) -> tuple:
        """What `_annotation(item, None)` gives, as the row the store adds (`new_row`): no
        `Annotation` built a second time for each imported one."""
        a = item.annotation
        document_id, version_id = self._version(item)
        created = a.created_at or self.now
        return self.store.new_row(
            a,
            document_id,
            version_id,
            a.color or DEFAULT_COLORS[a.kind],
            clean_tags(a.tags) if a.tags else (),
            a.author if item.full else "",
            created,
            a.updated_at or created,
        )

    def _annotation(self, item, old: Annotation | None) -> Annotation:
        a = item.annotation
        document_id, version_id = self._version(item)
        keep_rects = (
            old is not None
            and old.version_id == version_id
            and (old.anchor.start, old.anchor.end, old.page)
            == (a.anchor.start, a.anchor.end, a.page)
        )
        created = a.created_at or (old.created_at if old else self.now)
        return replace(
            a,
            document_id=document_id,
            version_id=version_id,
            color=a.color or DEFAULT_COLORS[a.kind],
            tags=clean_tags(a.tags),
            author=a.author if item.full else (old.author if old else ""),
            rects=old.rects if keep_rects and old is not None else (),
            created_at=created,
            updated_at=a.updated_at or created,
        )

    def _citation(self, incoming, old: Citation | None, full: bool, known: set[str]):
        c = incoming.citation
        source_id = self._source(incoming.source, old, full)
        evidence = c.evidence_annotation_id if full else None
        if old is None:
            if evidence:
                self.links.append((c.id, evidence))
            created = c.created_at if full and c.created_at else self._tick()
            new = replace(c, source_id=source_id, created_at=created, evidence_annotation_id=None)
            return new, "added"
        merged = replace(
            old,
            annotation_id=c.annotation_id,
            source_id=source_id,
            stance=c.stance,
            locator=c.locator,
            evidence_quote=c.evidence_quote,
            created_at=c.created_at if full and c.created_at else old.created_at,
        )
        relinked = False
        if full and evidence != old.evidence_annotation_id:
            if evidence is None:
                merged = replace(merged, evidence_annotation_id=None)
                relinked = True
            elif evidence in known:
                self.links.append((c.id, evidence))
                relinked = True
        return merged, ("changed" if merged != old or relinked else "same")

    def _tick(self) -> str:
        """Import time plus a microsecond per new citation: keeps the file's citation order."""
        from datetime import timedelta

        self.ticks += 1
        moment = self.started + timedelta(microseconds=self.ticks)
        return moment.isoformat(timespec="microseconds").replace("+00:00", "Z")

    def _source(self, source: Source, old: Citation | None, full: bool) -> int:
        from reader.citations import duplicate_keys, safe_links
        from reader.exchange import source_view

        source = safe_links(source)
        view = source_view(source, full)
        if old is not None:
            current = self.repo.sources.get(old.source_id)
            if current is not None and source_view(current, full) == view:
                return current.id
        cache_key = (full, *view)
        if cache_key not in self.source_ids:
            keys = duplicate_keys(source)
            if keys:
                found = self.repo.sources.by_keys(keys)
            elif source.title:
                found = self.store.source_by_title(source.title, source.issued)
            else:
                found = None
            if found is None:
                now = utc_now()
                found = self.repo.sources.add(
                    replace(source, id=0, created_at=now, updated_at=now), keys
                )
            self.source_ids[cache_key] = found.id
        return self.source_ids[cache_key]

    def _set(self, name: str) -> int | None:
        """The id of the set named `name` (spaces collapsed), made if needed; None for a blank
        name. Kept by the name as written: the same few names come on row after row."""
        set_id = self.set_ids.get(name)
        if set_id is None and name not in self.set_ids:
            clean = " ".join(name.split())
            if not clean:
                set_id = None
            elif clean in self.set_ids:
                set_id = self.set_ids[clean]
            else:
                found = self.repo.sets.by_name(clean)
                if found is None:
                    found = self.repo.sets.create(clean, utc_now())
                set_id = found.id
                self.set_ids[clean] = set_id
            self.set_ids[name] = set_id
        return set_id


def _check_owner(item, citation_id: str, stored: dict, owners: dict[str, str]) -> None:
    """A citation id names one citation of one annotation: an import never takes a citation
    away from the annotation it belongs to (that would turn its stance into another's)."""
    from reader.exchange import ExchangeError

    annotation_id = item.annotation.id
    old = stored.get(citation_id)
    owner = old.annotation_id if old is not None else owners.setdefault(citation_id, annotation_id)
    if owner != annotation_id:
        raise ExchangeError(
            item.where,
            f"citation {citation_id} belongs to another annotation ({owner}), not to "
            f"{annotation_id}; nothing was imported.",
        )


def _differs(old: Annotation, new: Annotation, full: bool) -> bool:
    """Whether an import changes a stored annotation (times compared as the export writes
    them; rects are derived and the author is only compared when the file carries it)."""
    from reader.exchange import canonical_time

    def view(a: Annotation) -> tuple[object, ...]:
        return (
            a.document_id,
            a.version_id,
            a.anchor,
            a.page,
            a.kind,
            a.color,
            a.status,
            a.claimant,
            a.note,
            tuple(sorted(a.tags)),
            canonical_time(a.created_at),
            canonical_time(a.updated_at),
            a.author if full else "",
            (a.claim_reviewed, a.claim_date, a.claimant_type) if full else (),
        )

    return view(old) != view(new)
