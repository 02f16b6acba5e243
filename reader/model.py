"""Plain data shared by every layer: frozen dataclasses and enums, no behaviour, no I/O."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum


class DocumentKind(StrEnum):
    PDF = "pdf"
    EPUB = "epub"
    XPS = "xps"
    FB2 = "fb2"
    MOBI = "mobi"
    CBZ = "cbz"
    HTML = "html"
    TEXT = "text"
    MARKDOWN = "markdown"

    @property
    def paged(self) -> bool:
        return self in PAGED_KINDS


PAGED_KINDS = frozenset(
    {
        DocumentKind.PDF,
        DocumentKind.EPUB,
        DocumentKind.XPS,
        DocumentKind.FB2,
        DocumentKind.MOBI,
        DocumentKind.CBZ,
    }
)

# The kind a file's name says it is: a hint, for where the bytes cannot tell (a zip container,
# a text file) or are not at hand (a file named in an exported CSV).
KIND_BY_SUFFIX = {
    ".pdf": DocumentKind.PDF,
    ".epub": DocumentKind.EPUB,
    ".xps": DocumentKind.XPS,
    ".oxps": DocumentKind.XPS,
    ".fb2": DocumentKind.FB2,
    ".fbz": DocumentKind.FB2,
    ".mobi": DocumentKind.MOBI,
    ".prc": DocumentKind.MOBI,
    ".azw": DocumentKind.MOBI,
    ".azw3": DocumentKind.MOBI,
    ".cbz": DocumentKind.CBZ,
    ".html": DocumentKind.HTML,
    ".htm": DocumentKind.HTML,
    ".xhtml": DocumentKind.HTML,
    ".shtml": DocumentKind.HTML,
    ".txt": DocumentKind.TEXT,
    ".text": DocumentKind.TEXT,
    ".md": DocumentKind.MARKDOWN,
    ".markdown": DocumentKind.MARKDOWN,
}


@dataclass(frozen=True)
class Metadata:
    title: str = ""
    author: str = ""
    published: str = ""  # ISO 8601, possibly partial ("2022", "2022-03")
    site: str = ""
    url: str = ""
    language: str = ""


@dataclass(frozen=True)
class Span:
    """Inline formatting inside one block, in the block's own character offsets."""

    start: int
    end: int
    style: str  # "a" | "b" | "i" | "code" | "sup" | "sub"
    href: str = ""


@dataclass(frozen=True)
class Block:
    """One paragraph-like unit of an article as shown on screen.

    `start` is the block's offset in the document's normalized text; the text between blocks
    is `sep` (the separator that precedes this block), so the normalized text is
    ``"".join(b.sep + b.text for b in blocks)`` and ``blocks[i].start == len(prefix)``.
    """

    kind: str  # "h1".."h6" | "p" | "li" | "quote" | "pre" | "td" | "th" | "caption" | "hr"
    text: str
    start: int
    sep: str = ""
    spans: tuple[Span, ...] = ()
    depth: int = 0  # list nesting depth for "li"; quote nesting for "quote"
    ordinal: str = ""  # "1." / "•" marker for list items, shown but not part of the text
    row: int = -1  # table row (for "td"/"th"); -1 outside tables
    col: int = -1
    table: int = -1  # index of the table within the document


@dataclass(frozen=True)
class OutlineItem:
    level: int  # 1-based
    title: str
    page: int  # 0-based; -1 when the entry points nowhere
    y: float = 0.0  # points from the top of the page


@dataclass(frozen=True)
class DocumentRecord:
    """A document as the library knows it (one row of the documents table)."""

    id: int
    sha256: str
    kind: DocumentKind
    title: str
    author: str
    published: str
    source: str  # last known path or URL
    pages: int
    first_opened: str
    last_opened: str
    annotation_count: int = 0
    aliases: tuple[str, ...] = field(default_factory=tuple)


class AnchorState(StrEnum):
    EXACT = "exact"
    FUZZY = "fuzzy"
    ORPHAN = "orphan"


@dataclass(frozen=True)
class TextAnchor:
    """Where a highlight sits in a document's normalized text (Hypothesis-style selectors).

    `start`/`end` are offsets into the normalized text of the version the anchor was made or
    last re-anchored on; `quote` is text[start:end]; `prefix`/`suffix` up to 32 characters of
    context on either side.
    """

    quote: str
    prefix: str
    suffix: str
    start: int
    end: int
    state: AnchorState = AnchorState.EXACT


class AnnotationKind(StrEnum):
    CLAIM = "claim"
    EVIDENCE = "evidence"
    QUESTION = "question"
    COMMENT = "comment"


class ClaimStatus(StrEnum):
    UNVERIFIED = "unverified"
    SUPPORTED = "supported"
    DISPUTED = "disputed"
    MISLEADING = "misleading"
    REFUTED = "refuted"
    UNVERIFIABLE = "unverifiable"


DEFAULT_COLORS = {
    AnnotationKind.CLAIM: "#f5c542",
    AnnotationKind.EVIDENCE: "#5cc46a",
    AnnotationKind.QUESTION: "#5aa9f0",
    AnnotationKind.COMMENT: "#c08cf0",
}


@dataclass(frozen=True)
class PageRect:
    """A highlight rectangle on a page, in points from the page's top-left (as displayed)."""

    page: int  # 0-based
    x0: float
    y0: float
    x1: float
    y1: float


@dataclass(frozen=True)
class Annotation:
    id: str  # a UUID
    document_id: int
    version_id: int  # the version its anchor refers to
    anchor: TextAnchor
    kind: AnnotationKind = AnnotationKind.CLAIM
    color: str = ""
    status: ClaimStatus = ClaimStatus.UNVERIFIED
    claimant: str = ""
    note: str = ""
    tags: tuple[str, ...] = ()
    author: str = ""
    page: int = -1  # 0-based page of the quote's start; -1 for unpaged documents
    rects: tuple[PageRect, ...] = ()
    created_at: str = ""
    updated_at: str = ""
    # How the reviewer words the claim (ClaimReview's claimReviewed; the quote when empty),
    # when the claim was made (ISO 8601, possibly partial) and whether its claimant is a
    # "person" or an "organization" ("" lets the exports guess from the name).
    claim_reviewed: str = ""
    claim_date: str = ""
    claimant_type: str = ""


class Stance(StrEnum):
    SUPPORTS = "supports"
    REFUTES = "refutes"
    CONTEXT = "context"


@dataclass(frozen=True)
class Source:
    """A work that claims are checked against, in CSL-JSON terms.

    `authors` are display names ("Family, Given" or an organisation); `issued` may be partial
    ("2022", "2022-03", "2022-03-05"); `document_id` links a source that is one of the user's
    own documents in the library.
    """

    id: int = 0
    type: str = "webpage"  # CSL type: article-journal, book, report, webpage, dataset, …
    title: str = ""
    authors: tuple[str, ...] = ()
    container_title: str = ""  # journal, newspaper, website
    publisher: str = ""
    issued: str = ""
    url: str = ""
    doi: str = ""
    isbn: str = ""
    accessed: str = ""  # ISO date the user looked at it
    archived_url: str = ""
    note: str = ""
    document_id: int | None = None
    created_at: str = ""
    updated_at: str = ""


@dataclass(frozen=True)
class Citation:
    """One annotation pointing to one source, saying how the source bears on it."""

    id: str  # a UUID
    annotation_id: str
    source_id: int
    stance: Stance = Stance.SUPPORTS
    locator: str = ""  # "p. 12", "table 3", "§ 4"
    evidence_quote: str = ""
    evidence_annotation_id: str | None = None  # the passage in one of the user's documents
    created_at: str = ""


@dataclass(frozen=True)
class AnnotationSet:
    """A named group of annotations, possibly from several documents ("Fentanyl check")."""

    id: int
    name: str
    created_at: str = ""
    count: int = 0  # members, when listed with counts


@dataclass(frozen=True)
class ExportRecord:
    """Everything an exporter needs about one annotation, gathered by the library."""

    annotation: Annotation
    document: DocumentRecord
    citations: tuple[tuple[Citation, Source], ...] = ()
    sets: tuple[str, ...] = ()
    history: tuple[HistoryEntry, ...] = ()  # stored changes, oldest first ("created" implied)
    ocr: bool = False  # the quote is on a page whose text was read by OCR
    # Claims linked to this one as the same claim: "urn:uuid:<annotation id>" or the url of
    # an imported fact-check.
    same_claims: tuple[str, ...] = ()


@dataclass(frozen=True)
class ExportScope:
    """What an export covers: one set (by name), one document (by sha256) or everything."""

    kind: str = "all"  # "set" | "document" | "all"
    value: str = ""
    author: str = ""  # only annotations this person made or changed ("" : everyone's)


@dataclass(frozen=True)
class ImportSummary:
    added: int = 0
    updated: int = 0
    unchanged: int = 0
    # Pages a Hypothesis file annotates that are not in the library (their URLs), or Zotero
    # PDFs whose file is gone: nothing of theirs was imported. Keyword-only, so summaries
    # that add counts of their own keep their positional order.
    missing: tuple[str, ...] = field(default=(), kw_only=True)

    def __str__(self) -> str:
        return f"added {self.added}, updated {self.updated}, unchanged {self.unchanged}"


@dataclass(frozen=True)
class MergeSummary(ImportSummary):
    """What merging another library did; `conflicts` counts fields both sides had changed."""

    conflicts: int = 0

    def __str__(self) -> str:
        return f"{ImportSummary.__str__(self)}, conflicts {self.conflicts}"


# The annotation fields whose changes are on the record, in the order they are shown.
HISTORY_FIELDS = ("kind", "status", "claimant", "note", "tags", "color", "author")


@dataclass(frozen=True)
class HistoryEntry:
    """One change of one annotation: `field` is "created", a HISTORY_FIELDS name, "citation"
    (old or new is the cited source with its stance), "deleted" or "restored"."""

    time: str
    author: str
    field: str
    old: str | None = None
    new: str | None = None
    id: str = ""  # a UUID ("" for the derived "created" entry)
    ref: str = ""  # the citation id of a "citation" entry


@dataclass(frozen=True)
class MergeConflict:
    """A field both libraries had changed since they last met; `kept` ("mine" | "theirs")
    says which value the merge stored (the newer edit)."""

    id: int
    annotation_id: str
    field: str
    mine: str | None
    theirs: str | None
    kept: str
    time: str
    quote: str = ""


@dataclass(frozen=True)
class ViewPlace:
    """Where a document was left: the zoom (or `fit` "width" / "page", which wins over it)
    and the place at the top of the view (PDF: page index plus the fraction of that page;
    article: the normalized-text offset)."""

    zoom: float = 1.0
    fit: str = ""
    position: float = 0.0


@dataclass(frozen=True)
class FactCheck:
    """A published fact-check (a ClaimReview) kept for reference: "seen before" finds it.

    `url` is its identity: importing a review with the same url again updates this one."""

    url: str
    claim: str  # claimReviewed
    rating: str = ""  # the textual rating (reviewRating.alternateName or name)
    rating_value: float | None = None
    best_rating: float | None = None
    worst_rating: float | None = None
    reviewer: str = ""  # author.name (else publisher.name)
    published: str = ""  # datePublished of the review
    claimant: str = ""  # itemReviewed.author.name
    appearance: str = ""  # where the claim was made: itemReviewed.appearance's url (or name)
    claim_date: str = ""  # itemReviewed.datePublished
    id: int = 0
