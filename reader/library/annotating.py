"""Annotations: anchoring a selection, re-anchoring on a new version, changing, deleting and
putting back, history and search."""

from __future__ import annotations

import uuid
from collections import Counter
from dataclasses import replace
from pathlib import Path

from reader.documents import DocumentError
from reader.library.core import OpenedDocument, clean_tags, text_if_ready, utc_now
from reader.library.errors import EmptySelection, QuoteNotFound
from reader.library.opening import Opening
from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    Citation,
    ClaimStatus,
    HistoryEntry,
    PageRect,
    TextAnchor,
)
from reader.text_shortening import shorten


class Annotating(Opening):
    """Annotations on an open document: anchored, re-anchored, changed, put back."""

    def annotations(self, opened: OpenedDocument) -> list[Annotation]:
        """The document's annotations, re-anchored first if they refer to older bytes."""
        return self.load_annotations(opened)[0]

    def reanchor(self, opened: OpenedDocument) -> Counter[str]:
        """Re-anchor what refers to older bytes; how many ended exact, fuzzy and orphan."""
        return self.load_annotations(opened)[1]

    def load_annotations(self, opened: OpenedDocument) -> tuple[list[Annotation], Counter[str]]:
        """The document's annotations in reading order, those made on older versions first
        moved onto this version's text in one transaction.

        Orphans keep their quote and are listed; nothing is dropped. Re-anchored annotations on
        paged documents get their page but no line rectangles: those are derived data, worked
        out from the page's character boxes when the page is shown (33 ms a page, too much for
        a thousand annotations at once).
        """
        current, stale = self.stored_annotations(opened)
        if not stale:
            return current, Counter()
        from reader.anchoring import reanchor_versions

        done = reanchor_versions(
            [a.anchor for a in stale], self.old_texts(opened, stale), opened.document.text
        )
        assert done is not None  # nothing can cancel it
        moved, ties = done
        return self.save_reanchored(opened, current, stale, moved, ties)

    def stored_annotations(
        self, opened: OpenedDocument
    ) -> tuple[list[Annotation], list[Annotation]]:
        """(made on this version, to re-anchor): the second are to be re-anchored
        (reader.anchoring.reanchor_versions with `old_texts`, which may run on a worker
        thread: it needs only the texts) and handed to save_reanchored.

        To re-anchor: those made on older versions, and — once this version's text is at hand
        — those whose quote is not at their offsets (an import can claim anything)."""
        annotations = self.repo.annotations_for_document(opened.record.id)
        version = self.repo.version_id(opened.document.sha256)
        if version is None:
            return annotations, []
        text = text_if_ready(opened.document)
        if text is not None:
            self.remember_text(opened)

        def placed(a: Annotation) -> bool:
            anchor = a.anchor
            return (
                text is None
                or anchor.state is AnchorState.ORPHAN
                or text[anchor.start : anchor.end] == anchor.quote
            )

        current = [a for a in annotations if a.version_id == version and placed(a)]
        kept = {a.id for a in current}
        return current, [a for a in annotations if a.id not in kept]

    def old_texts(self, opened: OpenedDocument, stale: list[Annotation]) -> list[str | None]:
        """For each annotation to re-anchor, the text it was made on where the library kept it
        (None: unknown, or this very version, whose offsets are what is in doubt)."""
        current = self.repo.version_id(opened.document.sha256)
        texts: dict[int, str | None] = {}
        for a in stale:
            if a.version_id not in texts:
                texts[a.version_id] = (
                    None if a.version_id == current else self.repo.version_text(a.version_id)
                )
        return [texts[a.version_id] for a in stale]

    def candidates(self, annotation: Annotation) -> list[tuple[int, int]]:
        """The places an orphan could be (copies equally likely), to offer the user."""
        if annotation.anchor.state is not AnchorState.ORPHAN:
            return []
        return self.repo.candidates(annotation.id)

    def save_reanchored(
        self,
        opened: OpenedDocument,
        current: list[Annotation],
        stale: list[Annotation],
        moved: list[TextAnchor],
        ties: dict[int, list[tuple[int, int]]] | None = None,
    ) -> tuple[list[Annotation], Counter[str]]:
        """Store the re-anchored `moved` anchors of `stale` on this version in one transaction
        (with the candidate places of orphans in `ties`, by index); every annotation in
        reading order, and how many ended exact, fuzzy and orphan."""
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
        ties = ties or {}
        counts: Counter[str] = Counter()
        updated = []
        for a, anchor in zip(stale, moved, strict=True):
            page, rects = self._placement(opened, anchor, with_rects=False)
            updated.append(replace(a, anchor=anchor, version_id=version, page=page, rects=rects))
            counts[str(anchor.state)] += 1
        with self.transaction():
            self.repo.update_annotations(updated)
            self.repo.set_candidates({a.id: ties.get(i, ()) for i, a in enumerate(stale)})
        self.remember_text(opened)
        merged = current + updated
        merged.sort(key=lambda a: (a.anchor.start, a.anchor.end))
        return merged, counts

    def _placement(
        self, opened: OpenedDocument, anchor: TextAnchor, *, with_rects: bool = True
    ) -> tuple[int, tuple[PageRect, ...]]:
        doc = opened.document
        if anchor.state is AnchorState.ORPHAN or not doc.kind.paged:
            return -1, ()
        if not with_rects:
            return doc.page_at_offset(anchor.start), ()  # type: ignore[attr-defined]
        from reader.documents.geometry import range_rects

        return range_rects(doc, anchor.start, anchor.end)  # type: ignore[arg-type]

    def highlight(
        self,
        opened: OpenedDocument,
        start: int,
        end: int,
        kind: AnnotationKind = AnnotationKind.CLAIM,
        *,
        color: str = "",
        status: ClaimStatus = ClaimStatus.UNVERIFIED,
        note: str = "",
        tags: tuple[str, ...] = (),
        claimant: str = "",
        author: str | None = None,
    ) -> Annotation:
        """Anchor text[start:end] and store it as a new annotation, committed at once.

        Whitespace at either end of the span is left out: a quote never starts or ends with it.
        """
        from reader.anchoring import make_anchor

        start, end = _words_only(opened.document.text, start, end)
        anchor = make_anchor(opened.document.text, start, end)
        version = self.repo.version_id(opened.document.sha256)
        assert version is not None, "the document is recorded when it is opened"
        self.remember_text(opened)
        page, rects = self._placement(opened, anchor)
        now = utc_now()
        annotation = Annotation(
            id=str(uuid.uuid4()),
            document_id=opened.record.id,
            version_id=version,
            anchor=anchor,
            kind=kind,
            color=color or DEFAULT_COLORS[kind],
            status=status,
            claimant=claimant,
            note=note,
            tags=clean_tags(tags),
            author=self.author if author is None else author,
            page=page,
            rects=rects,
            created_at=now,
            updated_at=now,
        )
        return self.repo.add_annotation(annotation)

    def find_quote(
        self, opened: OpenedDocument, quote: str, occurrence: int = 1
    ) -> tuple[int, int]:
        from reader.anchoring import find_quote

        found = find_quote(opened.document.text, quote, occurrence)
        if found is None:
            name = Path(opened.record.source).name or opened.record.source
            which = "" if occurrence == 1 else f" {occurrence} times"
            shown = shorten(quote, 60)
            raise QuoteNotFound(f'The quote "{shown}" does not occur{which} in {name}.')
        return found

    def reattach(
        self, annotation: Annotation, opened: OpenedDocument, start: int, end: int
    ) -> Annotation:
        """Put an (orphaned) annotation on newly selected text of the open version (also how
        a highlight's extent is adjusted)."""
        from reader.anchoring import make_anchor

        start, end = _words_only(opened.document.text, start, end)
        anchor = make_anchor(opened.document.text, start, end)
        version = self.repo.version_id(opened.document.sha256) or annotation.version_id
        page, rects = self._placement(opened, anchor)
        return self.update(annotation, anchor=anchor, version_id=version, page=page, rects=rects)

    def update(self, annotation: Annotation, **changes: object) -> Annotation:
        if "tags" in changes:
            changes["tags"] = clean_tags(changes["tags"])  # type: ignore[arg-type]
        changed = replace(annotation, **changes, updated_at=utc_now())  # type: ignore[arg-type]
        return self.repo.update_annotation(changed)

    def update_by_id(self, annotation_id: str, **changes: object) -> Annotation:
        """Change the stored annotation with this id (status, note, claimant, kind, tags …)
        in one transaction; DocumentError when there is none."""
        with self.transaction():
            found = self.repo.annotation(annotation_id.strip())
            if found is None:
                raise DocumentError(f'There is no annotation with the id "{annotation_id}".')
            if (
                "kind" in changes
                and "color" not in changes
                and found.color == DEFAULT_COLORS[found.kind]
            ):
                # A kind's default colour follows the kind; a colour the user chose stays.
                changes["color"] = DEFAULT_COLORS[AnnotationKind(changes["kind"])]
            return self.update(found, **changes)

    def history(self, annotation_id: str) -> list[HistoryEntry]:
        """Who changed what and when, creation first; DocumentError for an unknown id."""
        entries = self.repo.history.entries(annotation_id.strip())
        if not entries:
            raise DocumentError(f'There is no annotation with the id "{annotation_id}".')
        return entries

    def authors(self) -> list[str]:
        """Everyone who made or changed an annotation in this library."""
        return self.repo.history.authors()

    def annotation_ids_by(self, author: str) -> list[str]:
        """The annotations this person made or changed."""
        return self.repo.history.annotation_ids_by(author)

    def put_back(self, annotation: Annotation) -> Annotation:
        """Store an annotation exactly as given (undo of a delete, redo of a create)."""
        if self.repo.annotation(annotation.id) is None:
            return self.repo.add_annotation(annotation)
        return self.repo.update_annotation(annotation)

    def delete(self, annotation_id: str) -> Annotation | None:
        return self.repo.delete_annotation(annotation_id)

    def saved_state(
        self, annotation_id: str
    ) -> tuple[Annotation, list[Citation], list[int]] | None:
        """An annotation with its citations and sets, enough to put it back after a delete
        (what `restore` takes); None when there is no such annotation."""
        annotation = self.repo.annotation(annotation_id)
        if annotation is None:
            return None
        citations = self.repo.sources.citations_for(annotation_id)
        set_ids = [s.id for s in self.repo.sets.sets_of(annotation_id)]
        return annotation, citations, set_ids

    def restore(
        self, annotation: Annotation, citations: list[Citation], set_ids: list[int] = ()
    ) -> Annotation:
        """Undo of a delete: the annotation, its citations and set memberships, as they were."""
        with self.transaction():
            stored = self.put_back(annotation)
            self.repo.sources.put_back_citations(
                [c for c in citations if self.repo.sources.get(c.source_id) is not None]
            )
            known = {s.id for s in self.repo.sets.all()}
            for set_id in set_ids:
                if set_id in known:
                    self.repo.sets.add(set_id, [annotation.id])
        return stored

    def annotation(self, annotation_id: str) -> Annotation | None:
        return self.repo.annotation(annotation_id)

    def all_annotations(self) -> list[Annotation]:
        return self.repo.all_annotations()

    def search(self, query: str, limit: int = 500) -> list[Annotation]:
        """Annotations matching `query`: by their own words (quote, note, tags, claimant;
        best first), then those citing a source whose title, authors or publisher, or with an
        evidence quote, that holds every word."""
        found = self.repo.search_annotations(query, limit)
        seen = {a.id for a in found}
        for annotation_id in self.repo.sources.annotations_citing_text(query, limit):
            if len(found) >= limit:
                break
            if annotation_id not in seen:
                annotation = self.repo.annotation(annotation_id)
                if annotation is not None:
                    found.append(annotation)
                    seen.add(annotation_id)
        return found

    def tags(self) -> list[str]:
        return self.repo.all_tags()


def _words_only(text: str, start: int, end: int) -> tuple[int, int]:
    from reader.text_units import trim

    trimmed = trim(text, start, end)
    if trimmed[1] <= trimmed[0]:
        raise EmptySelection("The selection holds no words to highlight.")
    return trimmed
