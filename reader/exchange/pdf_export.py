"""Annotated PDF: our highlights written into a copy of the PDF, and markup read out of a PDF.

`export_annotated_pdf` writes one standard /Highlight annotation per annotation (one per page it
covers; the parts share the annotation's /NM), coloured like the highlight, with the note as
/Contents under a readable first line (``[claim · disputed] note…``), the author as /T, the kind
as /Subj and the annotation's dates as /CreationDate and /M. The source file is never written to:
the copy goes to ``OUT.part`` first and is renamed over OUT once complete.

`read_pdf_annotations` reads the markup other programs (and we) left in a PDF, including
annotations stored as direct objects in /Annots, which `Page.annots()` does not list.

Turning a `PdfMarkup` into one of our annotations is the library's job (this module may import
only pymupdf and reader.model): find `markup.text` in the document's normalized text with
``reader.anchoring.find_quote`` (it matches the quote's words across any run of whitespace, so
the "\\n" between the lines of `text` match the line breaks of the normalized text); for several
hits, prefer the one whose ``reader.documents.geometry.range_rects`` overlap `markup.rects`.
Markup without text (ink, sticky notes) has no anchor in the text; its `rects` and `page` say
where it is. `parse_contents` splits a /Contents we wrote back into kind, status and note.

Coordinates: every `PageRect` here is in points from the top-left of the page *as displayed*
(after its /Rotate), like everything `reader.documents.pdf` hands out; PDF annotation geometry
lives in the unrotated page, so rectangles go through ``page.derotation_matrix`` on the way in
and ``page.rotation_matrix`` on the way out.

Threads: MuPDF is not thread-safe and this module cannot take ``reader.documents.pdf``'s lock
(the layers keep reader.exchange and reader.documents apart); call it from one thread at a time,
or from the thread that owns the document lock.
"""

from __future__ import annotations

import contextlib
import os
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path

import pymupdf

from reader.model import (
    DEFAULT_COLORS,
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    PageRect,
)

__all__ = [
    "HIGHLIGHT_OPACITY",
    "PdfExportError",
    "PdfMarkup",
    "PdfPasswordError",
    "export_annotated_pdf",
    "format_contents",
    "parse_contents",
    "read_pdf_annotations",
]

# MuPDF prints repairs and syntax warnings to stderr; the CLI must stay clean.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

HIGHLIGHT_OPACITY = 0.4

# The same text extraction as reader.documents.pdf (ligatures expanded, whitespace as spaces).
_TEXT_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP

# Annotation types that are not markup a reader left: form fields, links, the popup windows
# that belong to another annotation.
_NOT_MARKUP = {"link", "widget", "popup"}
_TEXT_MARKUP = {"highlight", "underline", "strikeout", "squiggly"}

_SEP = " · "

# A character belongs to a quad when its centre lies this far inside (points): more than the
# hundredth of a point rectangles are rounded to, far less than half a glyph.
_EDGE = 0.1


class PdfExportError(Exception):
    """The PDF cannot be read or written; `str(err)` is one sentence fit for the user."""


class PdfPasswordError(PdfExportError):
    """The PDF is encrypted and no password or a wrong one was given."""

    def __init__(self, message: str, *, wrong_password: bool = False) -> None:
        super().__init__(message)
        self.wrong_password = wrong_password


@dataclass(frozen=True)
class PdfMarkup:
    """One annotation found in a PDF.

    `page` is the 0-based page of its first part; `rects` are in displayed coordinates, one per
    quad for text markup (highlight, underline, strikeout, squiggly), else the annotation's
    rectangle; parts on several pages that share a non-empty /NM (as we write them) are one
    markup. `text` is the page text under the quads, one line of text per "\\n"-separated line
    ("" for markup that marks no text); `created`/`modified` are ISO 8601 ("" when absent).
    """

    page: int
    kind: str  # "highlight" | "underline" | "strikeout" | "squiggly" | "text" | "freetext" | …
    rects: tuple[PageRect, ...]
    text: str = ""
    content: str = ""
    author: str = ""
    color: str = ""  # "#rrggbb" or ""
    created: str = ""
    modified: str = ""
    name: str = ""  # /NM


# ---------------------------------------------------------------------------------- contents


def format_contents(annotation: Annotation) -> str:
    """The /Contents we write: ``[kind · status · claimant: … · tags: …] note``.

    The status appears for claims only; claimant and tags only when set.
    """
    head = [str(annotation.kind)]
    if annotation.kind == AnnotationKind.CLAIM:
        head.append(str(annotation.status))
    if annotation.claimant:
        head.append(f"claimant: {_one_line(annotation.claimant)}")
    if annotation.tags:
        head.append("tags: " + ", ".join(_one_line(t) for t in annotation.tags))
    first = "[" + _SEP.join(head) + "]"
    return f"{first} {annotation.note}" if annotation.note else first


def parse_contents(content: str) -> dict[str, object] | None:
    """The parts of a /Contents written by `format_contents`, or None for anything else.

    Returns ``{"kind", "status", "claimant", "tags", "note"}`` (kind and status as the model's
    enums; status UNVERIFIED for non-claims; tags a tuple).
    """
    m = re.match(r"\[([^\]\n]*)\](?: |$)", content)
    if not m:
        return None
    parts = m.group(1).split(_SEP)
    try:
        kind = AnnotationKind(parts[0])
    except ValueError:
        return None
    result: dict[str, object] = {
        "kind": kind,
        "status": ClaimStatus.UNVERIFIED,
        "claimant": "",
        "tags": (),
        "note": content[m.end() :],
    }
    for part in parts[1:]:
        if part.startswith("claimant: "):
            result["claimant"] = part[len("claimant: ") :]
        elif part.startswith("tags: "):
            result["tags"] = tuple(t.strip() for t in part[len("tags: ") :].split(",") if t.strip())
        else:
            try:
                result["status"] = ClaimStatus(part)
            except ValueError:
                return None
    return result


def _one_line(s: str) -> str:
    return " ".join(s.replace("]", ")").replace("[", "(").split())


# ------------------------------------------------------------------------------------ dates


def _pdf_date(iso: str) -> str:
    """ISO 8601 (``2026-11-29T14:03:00Z``) → PDF date (``D:20261129140300Z``); now if empty."""
    when: datetime | None = None
    if iso:
        with contextlib.suppress(ValueError):
            when = datetime.fromisoformat(iso.strip())
    if when is None:
        when = datetime.now(UTC).replace(microsecond=0)
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    when = when.astimezone(UTC)
    return when.strftime("D:%Y%m%d%H%M%SZ")


_PDF_DATE = re.compile(
    r"\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?(\d{2})?(\d{2})?(\d{2})?"
    r"\s*(?:([Zz])|([+-])(\d{2})'?(?:(\d{2})'?)?)?"
)


def _iso_date(pdf_date: str) -> str:
    """PDF date → ISO 8601 (UTC with ``Z`` when the date says its zone), or ""."""
    m = _PDF_DATE.match(pdf_date or "")
    if not m:
        return ""
    year, month, day, hour, minute, second, zulu, sign, tzh, tzm = m.groups()
    try:
        when = datetime(
            int(year),
            int(month or 1),
            int(day or 1),
            int(hour or 0),
            int(minute or 0),
            int(second or 0),
        )
    except ValueError:
        return ""
    if zulu or sign:
        offset = timedelta(hours=int(tzh or 0), minutes=int(tzm or 0))
        tz = timezone(-offset if sign == "-" else offset)
        when = when.replace(tzinfo=tz).astimezone(UTC)
        return when.strftime("%Y-%m-%dT%H:%M:%SZ")
    return when.strftime("%Y-%m-%dT%H:%M:%S")


# ----------------------------------------------------------------------------------- colours


def _rgb(color: str) -> tuple[float, float, float] | None:
    m = re.fullmatch(r"#?([0-9a-fA-F]{6})", (color or "").strip())
    if not m:
        return None
    v = int(m.group(1), 16)
    return ((v >> 16) & 255) / 255, ((v >> 8) & 255) / 255, (v & 255) / 255


def _hex(components: Sequence[float] | None) -> str:
    if not components:
        return ""
    c = [min(1.0, max(0.0, float(x))) for x in components]
    if len(c) == 1:
        r = g = b = c[0]
    elif len(c) == 3:
        r, g, b = c
    elif len(c) == 4:  # CMYK
        k = c[3]
        r, g, b = ((1 - c[0]) * (1 - k), (1 - c[1]) * (1 - k), (1 - c[2]) * (1 - k))
    else:
        return ""
    return "#" + "".join(f"{round(v * 255):02x}" for v in (r, g, b))


# ----------------------------------------------------------------------------------- opening


def _open(src: Path, password: str | None) -> pymupdf.Document:
    name = src.name
    if not src.is_file():
        raise PdfExportError(f"{name} cannot be opened: the file does not exist.")
    try:
        doc = pymupdf.open(src, filetype="pdf")
    except Exception:  # noqa: BLE001 - MuPDF raises plain RuntimeErrors for bad data
        raise PdfExportError(
            f"{name} cannot be read: it is not a valid PDF file or it is damaged."
        ) from None
    if not doc.is_pdf:
        doc.close()
        raise PdfExportError(f"{name} is not a PDF.")
    if doc.needs_pass:
        if not password:
            doc.close()
            raise PdfPasswordError(f"{name} is encrypted; give its password.")
        if not doc.authenticate(password):
            doc.close()
            raise PdfPasswordError(
                f"The password for {name} is wrong; give the right one.", wrong_password=True
            )
    if doc.page_count == 0:
        doc.close()
        raise PdfExportError(f"{name} cannot be read: it has no pages (the file is damaged).")
    return doc


# ------------------------------------------------------------------------------------ export


def export_annotated_pdf(
    src: Path,
    out: Path,
    annotations: Sequence[Annotation],
    *,
    password: str | None = None,
    rects_for: Callable[[Annotation], Sequence[PageRect]] | None = None,
) -> tuple[int, int]:
    """Write a copy of `src` to `out` with each annotation as a PDF highlight; (written, skipped).

    Skipped: orphans, annotations without rectangles (when `rects_for` is None or gives none)
    and annotations whose rectangles lie on pages the file does not have. `rects_for` computes
    the rectangles of an annotation that has none stored; the library passes
    ``lambda a: reader.documents.geometry.range_rects(doc, a.anchor.start, a.anchor.end)[1]``
    on the document opened with ``reader.documents.pdf.open_paged`` (this module may not import
    reader.documents).

    An encrypted `src` is opened with `password` and the copy keeps its encryption. `src` is
    never modified; `out` appears only complete (written to ``out.part``, then renamed). Raises
    PdfExportError (PdfPasswordError for a missing or wrong password) with one sentence.
    """
    src, out = Path(src), Path(out)
    if out.exists() and src.exists() and os.path.samefile(src, out):
        raise PdfExportError(f"{out.name} is the file being exported; choose another name.")
    doc = _open(src, password)
    written = skipped = 0
    try:
        for annotation in annotations:
            if annotation.anchor.state == AnchorState.ORPHAN:
                skipped += 1
                continue
            rects = tuple(annotation.rects)
            if not rects and rects_for is not None:
                rects = tuple(rects_for(annotation))
            rects = tuple(r for r in rects if r.x1 > r.x0 and r.y1 > r.y0)
            if not rects or any(not 0 <= r.page < doc.page_count for r in rects):
                skipped += 1
                continue
            _write_highlight(doc, annotation, rects)
            written += 1
        part = out.with_name(out.name + ".part")
        try:
            doc.save(
                part,
                garbage=3,
                deflate=True,
                encryption=pymupdf.PDF_ENCRYPT_KEEP,
            )
            os.replace(part, out)
        except Exception as err:
            with contextlib.suppress(OSError):
                part.unlink()
            reason = err.strerror if isinstance(err, OSError) and err.strerror else str(err)
            raise PdfExportError(f"{out.name} cannot be written: {reason}.") from None
    finally:
        doc.close()
    return written, skipped


def _write_highlight(
    doc: pymupdf.Document, annotation: Annotation, rects: tuple[PageRect, ...]
) -> None:
    color = _rgb(annotation.color) or _rgb(DEFAULT_COLORS.get(annotation.kind, "#f5c542"))
    contents = format_contents(annotation)
    created = _pdf_date(annotation.created_at)
    modified = _pdf_date(annotation.updated_at or annotation.created_at)
    pages: dict[int, list[PageRect]] = {}
    for r in rects:
        pages.setdefault(r.page, []).append(r)
    for number, page_rects in pages.items():
        page = doc[number]
        derotate = page.derotation_matrix
        quads = []
        for r in page_rects:
            # The corners as displayed, in reading order, so the quad keeps the text's
            # direction on a rotated page (ul → ur runs along the line).
            corners = [pymupdf.Point(x, y) * derotate for x, y in _corners(r)]
            quads.append(pymupdf.Quad(*corners))
        annot = page.add_highlight_annot(quads=quads)
        if annot is None:
            raise PdfExportError(f"page {number + 1} of the PDF cannot take annotations.")
        annot.set_colors(stroke=color)
        annot.set_info(
            content=contents,
            title=annotation.author,
            subject=str(annotation.kind),
            creationDate=created,
            modDate=modified,
        )
        annot.set_opacity(HIGHLIGHT_OPACITY)
        annot.update(opacity=HIGHLIGHT_OPACITY)
        # After update(): /NM identifies the annotation (unique per page, as the spec asks).
        doc.xref_set_key(annot.xref, "NM", pymupdf.get_pdf_str(annotation.id))


def _corners(r: PageRect) -> tuple[tuple[float, float], ...]:
    return (r.x0, r.y0), (r.x1, r.y0), (r.x0, r.y1), (r.x1, r.y1)


# ------------------------------------------------------------------------------------- read


def read_pdf_annotations(src: Path, *, password: str | None = None) -> list[PdfMarkup]:
    """Every markup annotation in the PDF (not links, form fields or popups), in page order.

    Finds annotations both through the page's /Annots references (`Page.annots()`) and through
    MuPDF's annotation chain (`first_annot` … `next`), which also holds annotations stored as
    direct objects; duplicates (same xref, or same type, rectangle and contents) are dropped.
    """
    doc = _open(Path(src), password)
    try:
        found: list[PdfMarkup] = []
        for page in doc:
            found.extend(_page_markup(page))
    finally:
        doc.close()
    return _merge_parts(found)


def _page_annots(page: pymupdf.Page) -> list[pymupdf.Annot]:
    annots: list[pymupdf.Annot] = []
    seen: set[object] = set()

    def add(annot: pymupdf.Annot) -> None:
        xref = annot.xref
        r = annot.rect
        key: object = (
            xref
            if xref > 0
            else (
                annot.type[0],
                round(r.x0, 2),
                round(r.y0, 2),
                round(r.x1, 2),
                round(r.y1, 2),
                annot.info.get("content", ""),
            )
        )
        if key in seen:
            return
        seen.add(key)
        annots.append(annot)

    annot = page.first_annot
    while annot is not None:
        add(annot)
        annot = annot.next
    for annot in page.annots():
        add(annot)
    return annots


def _page_markup(page: pymupdf.Page) -> list[PdfMarkup]:
    annots = _page_annots(page)
    if not annots:
        return []
    rotate = page.rotation_matrix
    lines: list[list[tuple[str, pymupdf.Point]]] | None = None
    result: list[PdfMarkup] = []
    for annot in annots:
        kind = annot.type[1].lower()
        if kind in _NOT_MARKUP:
            continue
        info = annot.info
        quads = _quads(annot) if kind in _TEXT_MARKUP else []
        text = ""
        if quads:
            if lines is None:
                lines = _text_lines(page)
            text = _text_under(lines, [q.rect for q in quads])
            boxes = [q.rect * rotate for q in quads]
        else:
            boxes = [annot.rect * rotate]
        rects = tuple(
            PageRect(page.number, *(round(v, 2) for v in (b.x0, b.y0, b.x1, b.y1)))
            for b in (pymupdf.Rect(b).normalize() for b in boxes)
        )
        colors = annot.colors or {}
        result.append(
            PdfMarkup(
                page=page.number,
                kind=kind,
                rects=rects,
                text=text,
                content=info.get("content", "") or "",
                author=info.get("title", "") or "",
                color=_hex(colors.get("stroke")) or _hex(colors.get("fill")),
                created=_iso_date(info.get("creationDate", "")),
                modified=_iso_date(info.get("modDate", "")),
                name=info.get("id", "") or "",
            )
        )
    return result


def _quads(annot: pymupdf.Annot) -> list[pymupdf.Quad]:
    """The annotation's /QuadPoints as quads (unrotated page space), or its rect as one."""
    points = annot.vertices or []
    quads = [pymupdf.Quad(*points[i : i + 4]) for i in range(0, len(points) - len(points) % 4, 4)]
    return quads or [annot.rect.quad]


def _text_lines(page: pymupdf.Page) -> list[list[tuple[str, pymupdf.Point]]]:
    """The page's text lines in MuPDF's order: (character, centre of its box) each."""
    data = page.get_text("rawdict", flags=_TEXT_FLAGS)
    lines = []
    for block in data.get("blocks", ()):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", ()):
            chars = []
            for span in line.get("spans", ()):
                for c in span.get("chars", ()):
                    x0, y0, x1, y1 = c["bbox"]
                    chars.append((c["c"], pymupdf.Point((x0 + x1) / 2, (y0 + y1) / 2)))
            lines.append(chars)
    return lines


def _text_under(lines: list[list[tuple[str, pymupdf.Point]]], boxes: list[pymupdf.Rect]) -> str:
    """The characters whose centres lie inside one of `boxes`, a line of text per text line.

    Inside by more than `_EDGE` points: a zero-width glyph on the edge of a box (MuPDF gives
    some shaped or unmapped glyphs such boxes) belongs to no box, whatever the page's rotation
    and however the box's coordinates were rounded.
    """
    edges = [tuple(pymupdf.Rect(b).normalize()) for b in boxes]

    def inside(p: pymupdf.Point) -> bool:
        return any(
            x0 + _EDGE < p.x < x1 - _EDGE and y0 + _EDGE < p.y < y1 - _EDGE
            for x0, y0, x1, y1 in edges
        )

    out: list[str] = []
    for line in lines:
        picked = "".join(c for c, centre in line if inside(centre))
        picked = " ".join(picked.split())
        if picked:
            out.append(picked)
    return "\n".join(out)


def _merge_parts(found: list[PdfMarkup]) -> list[PdfMarkup]:
    """Join the per-page parts of one highlight (same /NM, kind and contents) into one."""
    merged: list[PdfMarkup] = []
    index: dict[tuple[str, str, str], int] = {}
    for m in found:
        key = (m.name, m.kind, m.content)
        at = index.get(key) if m.name else None
        if at is None or merged[at].page == m.page:
            if m.name:
                index[key] = len(merged)
            merged.append(m)
            continue
        first = merged[at]
        merged[at] = PdfMarkup(
            page=first.page,
            kind=first.kind,
            rects=first.rects + m.rects,
            text="\n".join(t for t in (first.text, m.text) if t),
            content=first.content,
            author=first.author,
            color=first.color,
            created=first.created,
            modified=first.modified,
            name=first.name,
        )
    return merged
