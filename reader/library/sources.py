"""Sources and citations: the references a claim cites, with their stance, and a document
used as evidence."""

from __future__ import annotations

import uuid
from dataclasses import replace
from pathlib import Path

from reader.library.annotating import Annotating
from reader.library.core import OpenedDocument, is_url, utc_now
from reader.model import Annotation, AnnotationKind, Citation, Source, Stance


class Sources(Annotating):
    """Sources (matched by DOI, ISBN or URL) and the citations that tie claims to them."""

    def find_duplicate(self, source: Source) -> Source | None:
        from reader.citations import duplicate_keys

        return self.repo.sources.by_keys(duplicate_keys(source))

    def add_source(self, source: Source) -> Source:
        """Store a source, or return the one already stored with the same DOI, ISBN or URL.

        An address that is not a web, mail or DOI link is kept as text in the note."""
        from reader.citations import duplicate_keys, safe_links

        source = safe_links(source)
        keys = duplicate_keys(source)
        existing = self.repo.sources.by_keys(keys)
        if existing is not None:
            return existing
        now = utc_now()
        return self.repo.sources.add(replace(source, id=0, created_at=now, updated_at=now), keys)

    def update_source(self, source: Source) -> Source:
        from reader.citations import duplicate_keys, safe_links

        changed = replace(safe_links(source), updated_at=utc_now())
        return self.repo.sources.update(changed, duplicate_keys(changed))

    def source(self, source_id: int) -> Source | None:
        return self.repo.sources.get(source_id)

    def sources(self) -> list[tuple[Source, int]]:
        """Every source with the number of annotations citing it."""
        return self.repo.sources.all_with_counts()

    def search_sources(self, text: str, limit: int = 20) -> list[Source]:
        return self.repo.sources.search(text, limit)

    def merge_sources(self, keep_id: int, drop_id: int) -> Source:
        """Merge two duplicates: every citation of `drop` now cites `keep`, whose empty fields
        are filled from `drop`; `drop` is deleted. One transaction."""
        from reader.citations import duplicate_keys

        keep, drop = self.repo.sources.get(keep_id), self.repo.sources.get(drop_id)
        if keep is None or drop is None or keep_id == drop_id:
            raise ValueError("Choose two different sources to merge.")
        filled = {
            name: getattr(drop, name)
            for name in (
                "type",
                "title",
                "authors",
                "container_title",
                "publisher",
                "issued",
                "url",
                "doi",
                "isbn",
                "accessed",
                "archived_url",
                "note",
                "document_id",
            )
            if not getattr(keep, name) and getattr(drop, name)
        }
        merged = replace(keep, **filled, updated_at=utc_now())
        keys = set(duplicate_keys(merged)) | set(duplicate_keys(drop))
        return self.repo.sources.merge(merged, drop_id, sorted(keys))

    def state_before_merge(self, keep_id: int, drop_id: int) -> tuple[Source, Source, list[str]]:
        """What `unmerge_sources` needs to take a merge back: both sources as they are and the
        citations that cite `drop` now."""
        keep, drop = self.repo.sources.get(keep_id), self.repo.sources.get(drop_id)
        if keep is None or drop is None:
            raise ValueError("Choose two different sources to merge.")
        return keep, drop, self.repo.sources.citation_ids_citing(drop_id)

    def unmerge_sources(self, keep: Source, drop: Source, citation_ids: list[str]) -> None:
        """Undo of a merge: `drop` comes back under its id with its citations, `keep` is as
        it was before. One transaction."""
        from reader.citations import duplicate_keys

        with self.transaction():
            self.repo.sources.put_back(drop, duplicate_keys(drop))
            self.repo.sources.move_citations(citation_ids, drop.id)
            self.repo.sources.put_back(keep, duplicate_keys(keep))

    def put_back_source(self, source: Source) -> Source:
        """Store a source exactly as given under its id (undo of an edit, redo of an add)."""
        from reader.citations import duplicate_keys

        return self.repo.sources.put_back(source, duplicate_keys(source))

    def remove_source(self, source_id: int) -> bool:
        """Delete a source nothing cites (undo of adding it); False if something cites it."""
        if self.repo.sources.citation_count(source_id):
            return False
        self.repo.sources.delete(source_id)
        return True

    # -- citations ---------------------------------------------------------------------------------

    def put_back_citation(self, citation: Citation) -> Citation:
        """Store a citation exactly as given (undo of a remove, redo of an add)."""
        self.repo.sources.put_back_citations([citation])
        return citation

    def annotations_citing(self, source_id: int) -> list[Annotation]:
        ids = self.repo.sources.annotation_ids_citing(source_id)
        found = [self.repo.annotation(i) for i in ids]
        return sorted(
            (a for a in found if a is not None),
            key=lambda a: (a.document_id, a.anchor.start),
        )

    def cite(
        self,
        annotation_id: str,
        source_id: int,
        stance: Stance = Stance.SUPPORTS,
        locator: str = "",
        evidence_quote: str = "",
        evidence_annotation_id: str | None = None,
    ) -> Citation:
        citation = Citation(
            id=str(uuid.uuid4()),
            annotation_id=annotation_id,
            source_id=source_id,
            stance=Stance(stance),
            locator=locator,
            evidence_quote=evidence_quote,
            evidence_annotation_id=evidence_annotation_id,
            created_at=utc_now(),
        )
        return self.repo.sources.add_citation(citation)

    def update_citation(self, citation: Citation, **changes: object) -> Citation:
        if "stance" in changes:
            changes["stance"] = Stance(changes["stance"])  # type: ignore[arg-type]
        return self.repo.sources.update_citation(replace(citation, **changes))  # type: ignore[arg-type]

    def delete_citation(self, citation_id: str) -> Citation | None:
        return self.repo.sources.delete_citation(citation_id)

    def citations(self, annotation_id: str) -> list[Citation]:
        return self.repo.sources.citations_for(annotation_id)

    def citations_by_annotation(self) -> dict[str, list[tuple[Citation, Source | None]]]:
        """Every annotation's citations with their sources, read in two queries."""
        sources = self.repo.sources.all_sources()
        return {
            annotation_id: [(c, sources.get(c.source_id)) for c in cited]
            for annotation_id, cited in self.repo.sources.all_citations().items()
        }

    def claims_borne_on(self, passage_id: str) -> list[tuple[Citation, Annotation]]:
        """The claims an evidence passage is cited for, each with the citation (its stance)."""
        found = []
        for citation in self.repo.sources.citations_with_evidence(passage_id):
            claim = self.repo.annotation(citation.annotation_id)
            if claim is not None:
                found.append((citation, claim))
        return found

    def citation_counts(self, document_id: int | None = None) -> dict[str, tuple[int, int, int]]:
        """(supports, refutes, context) per annotation, for one document or the library."""
        return self.repo.sources.stance_counts(document_id)

    # -- documents as sources, passages as evidence ------------------------------------------------

    def document_source(self, opened: OpenedDocument) -> Source | None:
        """The source that is this open document, if there is one yet."""
        existing = self.repo.sources.for_document(opened.record.id)
        if existing is not None:
            return existing
        from reader.citations import duplicate_keys

        source = self._document_as_source(opened)
        return self.repo.sources.by_keys(duplicate_keys(source)) if source.url else None

    def source_for_document(self, opened: OpenedDocument) -> Source:
        """The source that is this open document, made from its metadata the first time."""
        existing = self.repo.sources.for_document(opened.record.id)
        if existing is not None:
            return existing
        source = self._document_as_source(opened)
        from reader.citations import duplicate_keys

        existing = self.repo.sources.by_keys(duplicate_keys(source)) if source.url else None
        if existing is not None:
            return existing
        now = utc_now()
        return self.repo.sources.add(
            replace(source, created_at=now, updated_at=now), duplicate_keys(source)
        )

    def _document_as_source(self, opened: OpenedDocument) -> Source:
        meta = opened.document.metadata
        kind = opened.document.kind
        url = meta.url or (opened.record.source if is_url(opened.record.source) else "")
        source = Source(
            type="webpage" if not kind.paged else ("book" if kind.value == "epub" else "report"),
            title=_source_title(opened),
            authors=(meta.author,) if meta.author else (),
            container_title=meta.site,
            issued=meta.published[:10],
            url=url,
            accessed=utc_now()[:10] if url else "",
            document_id=opened.record.id,
        )
        return source

    def use_as_evidence(
        self,
        opened: OpenedDocument,
        start: int,
        end: int,
        annotation_id: str,
        stance: Stance = Stance.SUPPORTS,
    ) -> Citation:
        """Cite the passage text[start:end] of an open document as evidence for an annotation.

        The passage becomes an `evidence` highlight in its document, the document becomes (or
        already is) a source, and the citation carries the passage and its page.
        """
        if self.repo.annotation(annotation_id) is None:
            raise ValueError("The claim to cite this for no longer exists.")
        passage = self.highlight(opened, start, end, AnnotationKind.EVIDENCE)
        source = self.source_for_document(opened)
        locator = f"p. {passage.page + 1}" if passage.page >= 0 else ""
        return self.cite(
            annotation_id,
            source.id,
            stance,
            locator=locator,
            evidence_quote=passage.anchor.quote,
            evidence_annotation_id=passage.id,
        )

    def recent_claims(self, limit: int = 30) -> list[Annotation]:
        """Claims, newest first: what "Use as evidence for…" offers."""
        return self.repo.recent_annotations(AnnotationKind.CLAIM.value, limit)


def _source_title(opened: OpenedDocument) -> str:
    """A document's title as a source: its metadata title, unless that is only the file's
    name (what a backend falls back to), then its first line when that reads as a title."""
    meta_title = " ".join(opened.document.metadata.title.split())
    names = {Path(opened.record.source).stem, Path(opened.record.source).name}
    if meta_title and meta_title not in names:
        return meta_title
    doc = opened.document
    head = doc.page_text(0) if doc.kind.paged and doc.page_count else doc.text[:2000]
    first = next((" ".join(line.split()) for line in head.splitlines() if line.strip()), "")
    if first and len(first) <= 150 and not first.endswith((".", ",", ";", ":")):
        return first
    return meta_title or opened.record.title
