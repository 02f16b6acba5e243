"""Seen before: the earlier claims and imported fact-checks that make the same claim as one.

The library's side of `reader.similar`: candidates come from the full-text indexes over claims
and fact-checks, `reader.similar` decides which make the same claim, and this module adds
what the user needs to judge them (status or rating, sources, where they are) and the two
things the user can do with a match: link it as the same claim, and copy its verdict and
sources onto the claim. Both are plain library changes the caller can undo.
"""

from __future__ import annotations

from dataclasses import dataclass

from reader.model import (
    Annotation,
    AnnotationKind,
    Citation,
    ClaimStatus,
    FactCheck,
    Source,
    Stance,
)

__all__ = ["CopiedVerdict", "SeenBefore", "SeenMatch"]

# Candidates read from each index before `reader.similar` decides: enough for the best few
# among paraphrases that share only some words.
CANDIDATES = 60


@dataclass(frozen=True)
class SeenMatch:
    """One claim seen before: an earlier claim in the library, or an imported fact-check."""

    score: float
    target: str  # "urn:uuid:<annotation id>", or the fact-check's url
    quote: str
    status: str  # the claim's status, or the status the fact-check's rating means ("")
    annotation: Annotation | None = None
    fact_check: FactCheck | None = None
    document: str = ""  # the claim's document title, or the fact-check's reviewer
    location: str = ""  # "p. 3" / "¶ 12" (claims)
    sources: tuple[str, ...] = ()  # short references of the claim's cited sources
    linked: bool = False

    def as_json(self) -> dict[str, object]:
        """The contract's `similar --json` item."""
        if self.fact_check is not None:
            return {
                "url": self.fact_check.url,
                "quote": self.quote,
                "rating": self.fact_check.rating or _rating_number(self.fact_check),
                "document": self.document,
                "score": self.score,
            }
        assert self.annotation is not None
        return {
            "id": self.annotation.id,
            "quote": self.quote,
            "status": self.status,
            "document": self.document,
            "score": self.score,
        }


@dataclass(frozen=True)
class CopiedVerdict:
    """What `SeenBefore.copy_verdict` changed, for its undo."""

    before: Annotation
    after: Annotation
    citations: tuple[Citation, ...]
    new_sources: tuple[Source, ...]


def _rating_number(check: FactCheck) -> str:
    if check.rating_value is None:
        return ""
    value = f"{check.rating_value:g}"
    return f"{value}/{check.best_rating:g}" if check.best_rating is not None else value


class SeenBefore:
    def __init__(self, library) -> None:
        # The Library that holds this (not imported: the library is the layer above).
        self._library = library

    @property
    def _repo(self):
        return self._library.repo

    def matches(
        self, text: str, *, exclude: str = "", limit: int = 5, threshold: float | None = None
    ) -> list[SeenMatch]:
        """Claims and fact-checks that make the same claim as `text`, best first (none when
        nothing is close enough); `exclude` is the id of the claim `text` is from."""
        # Imported here: the matcher's tables and regexes are not needed before a claim is.
        from reader.similar import THRESHOLD, fts_query, rank

        query = fts_query(text)
        if not query:
            return []
        repo = self._repo
        claims = [c for c in repo.fact_checks.claims_matching(query, CANDIDATES) if c[0] != exclude]
        checks = repo.fact_checks.claims_of_checks_matching(query, CANDIDATES)
        # Claims ("urn:uuid:…") and fact-checks (their ids) by their text until they are
        # decided on: only the matches are read whole.
        candidates: list[tuple[object, str]] = [(f"urn:uuid:{i}", quote) for i, quote in claims]
        candidates += checks
        found = rank(
            text,
            candidates,
            limit=limit,
            threshold=THRESHOLD if threshold is None else threshold,
        )
        ids = [r.item.removeprefix("urn:uuid:") for r in found if isinstance(r.item, str)]
        whole: dict[object, object] = {}
        if ids:
            whole.update((f"urn:uuid:{a.id}", a) for a in repo.annotations_by_ids(ids))
        check_ids = [r.item for r in found if isinstance(r.item, int)]
        if check_ids:
            whole.update(repo.fact_checks.by_ids(check_ids))
        linked = set(repo.fact_checks.links(exclude)) if exclude else set()
        matches = []
        for r in found:
            item = whole.get(r.item)
            if item is not None:
                matches.append(self._describe(item, r.score, linked))
        return matches

    def for_annotation(self, annotation: Annotation, limit: int = 5) -> list[SeenMatch]:
        """`matches` for a claim (its own words: the wording reviewed, else the quote), with
        the claims and fact-checks it is linked to first even when they no longer match."""
        if annotation.kind != AnnotationKind.CLAIM:
            return []
        text = annotation.claim_reviewed or annotation.anchor.quote
        found = self.matches(text, exclude=annotation.id, limit=limit)
        shown = {m.target for m in found}
        linked = [t for t in self._repo.fact_checks.links(annotation.id) if t not in shown]
        extra = [m for m in (self._linked_match(t) for t in linked) if m is not None]
        return extra + found

    def _linked_match(self, target: str) -> SeenMatch | None:
        repo = self._repo
        if target.startswith("urn:uuid:"):
            found = repo.annotations_by_ids([target.removeprefix("urn:uuid:")])
            return self._describe(found[0], 1.0, {target}) if found else None
        check = repo.fact_checks.by_url(target)
        return self._describe(check, 1.0, {target}) if check else None

    def _describe(self, item: object, score: float, linked: set[str]) -> SeenMatch:
        from reader.citations import short_reference
        from reader.exchange.claimreview_in import status_of

        if isinstance(item, FactCheck):
            status = status_of(item)
            return SeenMatch(
                score=score,
                target=item.url,
                quote=item.claim,
                status=str(status) if status else "",
                fact_check=item,
                document=item.reviewer,
                linked=item.url in linked,
            )
        assert isinstance(item, Annotation)
        sources = []
        for citation in self._library.citations(item.id):
            source = self._library.source(citation.source_id)
            if source is not None:
                sources.append(short_reference(source))
        target = f"urn:uuid:{item.id}"
        return SeenMatch(
            score=score,
            target=target,
            quote=item.anchor.quote,
            status=str(item.status),
            annotation=item,
            document=self._repo.document_title(item.document_id),
            location=self._location(item),
            sources=tuple(sources),
            linked=target in linked,
        )

    def _location(self, a: Annotation) -> str:
        from reader.exchange import paragraph_at, paragraph_breaks

        if a.page >= 0:
            return f"p. {a.page + 1}"
        text = self._repo.version_text(a.version_id)
        return f"¶ {paragraph_at(paragraph_breaks(text), a.anchor.start)}" if text else ""

    # -- what the user does with a match ------------------------------------------------------

    def link(self, annotation_id: str, target: str) -> bool:
        """Link a claim with a match as the same claim (stored at once); False if it was."""
        return self._repo.fact_checks.link(annotation_id, target)

    def unlink(self, annotation_id: str, target: str) -> None:
        self._repo.fact_checks.unlink(annotation_id, target)

    def links(self, annotation_id: str) -> list[str]:
        return self._repo.fact_checks.links(annotation_id)

    def copy_verdict(self, annotation: Annotation, match: SeenMatch) -> CopiedVerdict:
        """Give `annotation` the match's status and cite its sources (a fact-check: the
        fact-check itself), in one transaction. Sources it cites already are not cited twice."""
        library = self._library
        cited = {c.source_id for c in library.citations(annotation.id)}
        added: list[Citation] = []
        new_sources: list[Source] = []
        with library.transaction():
            status = ClaimStatus(match.status) if match.status else annotation.status
            after = (
                library.update(annotation, status=status)
                if status != annotation.status
                else annotation
            )
            if match.annotation is not None:
                for c in library.citations(match.annotation.id):
                    if c.source_id not in cited:
                        cited.add(c.source_id)
                        added.append(
                            library.cite(
                                annotation.id, c.source_id, c.stance, c.locator, c.evidence_quote
                            )
                        )
            elif match.fact_check is not None:
                source = _fact_check_source(match.fact_check)
                known = library.find_duplicate(source)
                if known is None:
                    known = library.add_source(source)
                    new_sources.append(known)
                if known.id not in cited:
                    added.append(
                        library.cite(annotation.id, known.id, _stance_for(status), "", match.quote)
                    )
        return CopiedVerdict(annotation, after, tuple(added), tuple(new_sources))

    def undo_copy(self, copied: CopiedVerdict) -> Annotation:
        library = self._library
        with library.transaction():
            for citation in copied.citations:
                library.delete_citation(citation.id)
            for source in copied.new_sources:
                library.remove_source(source.id)
            now = library.annotation(copied.before.id)
            if now is not None and now.status != copied.before.status:
                now = library.update(now, status=copied.before.status)
        return now if now is not None else copied.before

    def redo_copy(self, copied: CopiedVerdict) -> Annotation:
        library = self._library
        with library.transaction():
            for source in copied.new_sources:
                library.put_back_source(source)
            for citation in copied.citations:
                library.put_back_citation(citation)
            now = library.annotation(copied.before.id)
            if now is not None and now.status != copied.after.status:
                now = library.update(now, status=copied.after.status)
        return now if now is not None else copied.after


def _stance_for(status: ClaimStatus) -> Stance:
    if status == ClaimStatus.SUPPORTED:
        return Stance.SUPPORTS
    if status in (ClaimStatus.REFUTED, ClaimStatus.MISLEADING):
        return Stance.REFUTES
    return Stance.CONTEXT


def _fact_check_source(check: FactCheck) -> Source:
    return Source(
        type="webpage",
        title=f"Fact-check: {check.claim}"[:200],
        publisher=check.reviewer,
        issued=check.published[:10],
        url=check.url,
    )
