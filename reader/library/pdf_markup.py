"""A PDF's own markup: written out as standard PDF highlights (an annotated copy), and read
in as annotations."""

from __future__ import annotations

from pathlib import Path

from reader.documents import DocumentError
from reader.library.annotating import Annotating
from reader.library.core import OpenedDocument
from reader.model import AnnotationKind, ClaimStatus, ImportSummary


class PdfMarkup(Annotating):
    """A PDF's standard markup annotations, out (an annotated copy) and in."""

    def export_pdf(
        self, opened: OpenedDocument, out: str | Path, password: str | None = None
    ) -> tuple[int, int]:
        """Write a copy of an open PDF with every highlight as a standard PDF highlight
        annotation; (written, skipped orphans). The original file is never modified."""
        from reader.documents.geometry import range_rects
        from reader.exchange.pdf_export import PdfExportError, export_annotated_pdf

        if opened.document.kind.value != "pdf":
            raise DocumentError("Only PDFs can be exported with their highlights.")
        annotations = self.annotations(opened)
        doc = opened.document
        try:
            return export_annotated_pdf(
                Path(self._file_of(opened)),
                Path(out),
                annotations,
                password=password,
                rects_for=lambda a: range_rects(doc, a.anchor.start, a.anchor.end)[1],  # type: ignore[arg-type]
            )
        except PdfExportError as exc:
            raise DocumentError(str(exc)) from None

    def import_pdf_markup(
        self, opened: OpenedDocument, password: str | None = None
    ) -> ImportSummary:
        """Bring a PDF's own highlight, underline and note annotations in as annotations.

        Each markup is anchored on the text under it, on its page (the occurrence whose boxes
        overlap the markup's); a note without text under it is anchored on the nearest word.
        Importing the same file again adds nothing.
        """
        from reader.anchoring import find_quote
        from reader.documents.geometry import range_rects
        from reader.exchange.pdf_export import (
            PdfExportError,
            parse_contents,
            read_pdf_annotations,
        )

        doc = opened.document
        try:
            markups = read_pdf_annotations(Path(self._file_of(opened)), password=password)
        except PdfExportError as exc:
            raise DocumentError(str(exc)) from None
        existing = {a.id: a for a in self.annotations(opened)}
        spans = {(a.anchor.start, a.anchor.end, str(a.kind)) for a in existing.values()}
        added = unchanged = 0
        with self.transaction():
            for m in markups:
                if m.name in existing:
                    unchanged += 1
                    continue
                page_text = doc.page_text(m.page)  # type: ignore[attr-defined]
                base = doc.page_text_offset(m.page)  # type: ignore[attr-defined]
                span = None
                if m.text.strip():
                    occurrence = 1
                    while (found := find_quote(page_text, m.text, occurrence)) is not None:
                        _, rects = range_rects(doc, base + found[0], base + found[1])  # type: ignore[arg-type]
                        if span is None or _overlaps(rects, m.rects):
                            span = found
                        if _overlaps(rects, m.rects):
                            break
                        occurrence += 1
                if span is None:
                    span = _nearest_word(doc, m)
                if span is None:
                    continue
                parsed = parse_contents(m.content) or {}
                kind = AnnotationKind(
                    parsed.get("kind")
                    or (
                        "comment"
                        if m.kind in ("text", "freetext") or not m.text.strip()
                        else "claim"
                    )
                )
                start, end = base + span[0], base + span[1]
                if (start, end, str(kind)) in spans:
                    unchanged += 1
                    continue
                self.highlight(
                    opened,
                    start,
                    end,
                    kind,
                    color=m.color,
                    status=ClaimStatus(parsed.get("status") or "unverified"),
                    note=str(parsed.get("note", m.content)),
                    tags=tuple(parsed.get("tags", ())),  # type: ignore[arg-type]
                    claimant=str(parsed.get("claimant", "")),
                    author=m.author,
                )
                spans.add((start, end, str(kind)))
                added += 1
        return ImportSummary(added=added, unchanged=unchanged)


def _overlaps(a, b) -> bool:
    return any(
        r.page == q.page and r.x0 < q.x1 and q.x0 < r.x1 and r.y0 < q.y1 and q.y0 < r.y1
        for r in a
        for q in b
    )


def _nearest_word(doc, markup) -> tuple[int, int] | None:
    """The page-text span of the word nearest a note's corner (notes mark no text)."""
    if not markup.rects:
        return None
    x, y = markup.rects[0].x0, markup.rects[0].y0
    best = None
    for ch in doc.page_chars(markup.page):
        r = ch.rect
        if r.x1 <= r.x0:
            continue
        d = (max(r.x0 - x, 0, x - r.x1)) ** 2 + (max(r.y0 - y, 0, y - r.y1)) ** 2
        if best is None or d < best[0]:
            best = (d, ch.offset)
    if best is None:
        return None
    text = doc.page_text(markup.page)
    start = end = best[1]
    while start > 0 and not text[start - 1].isspace():
        start -= 1
    while end < len(text) and not text[end].isspace():
        end += 1
    return (start, end) if end > start else None
