"""Annotated PDF export and reading markup out of PDFs (reader.exchange.pdf_export)."""

from __future__ import annotations

import hashlib
import subprocess
from pathlib import Path

import pymupdf
import pytest

from reader.documents.geometry import range_rects
from reader.documents.pdf import open_paged
from reader.exchange.pdf_export import (
    PdfExportError,
    PdfMarkup,
    PdfPasswordError,
    export_annotated_pdf,
    parse_contents,
    read_pdf_annotations,
)
from reader.model import (
    AnchorState,
    Annotation,
    AnnotationKind,
    ClaimStatus,
    PageRect,
    TextAnchor,
)

CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
PDF = CORPUS / "pdf"
FOUR_PAGES = PDF / "pdflatex-4-pages.pdf"


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _words(s: str) -> str:
    return " ".join(s.split())


def _annotation(doc, ident: str, start: int, end: int, *, rects: bool = True, **kw) -> Annotation:
    first, boxes = range_rects(doc, start, end)
    anchor = TextAnchor(doc.text[start:end], "", "", start, end, kw.pop("state", AnchorState.EXACT))
    return Annotation(
        id=ident,
        document_id=1,
        version_id=1,
        anchor=anchor,
        page=first,
        rects=boxes if rects else (),
        **kw,
    )


def _span(doc, quote: str, after: int = 0) -> tuple[int, int]:
    start = doc.text.index(quote, after)
    return start, start + len(quote)


@pytest.fixture(scope="module")
def four_pages():
    doc = open_paged(FOUR_PAGES)
    yield doc
    doc.close()


@pytest.fixture
def three(four_pages) -> list[Annotation]:
    doc = four_pages
    one = _span(doc, "Hello, here is some text without a meaning.")
    two = _span(doc, "printed text\nwill look like")
    # The last line of page 1, its page number, and the first words of page 2.
    page2 = doc.page_text_offset(1)
    cross = _span(doc, "you will get no\n1\n\ninformation. Really?", page2 - 200)
    assert doc.page_at_offset(cross[0]) == 0 and doc.page_at_offset(cross[1] - 1) == 1
    return [
        _annotation(
            doc,
            "a1",
            *one,
            kind=AnnotationKind.CLAIM,
            status=ClaimStatus.DISPUTED,
            color="#ff0000",
            note="Dubious — “quoted” ≠ ünïcödé\nsecond line ✓",
            author="Zoë Ørsted",
            created_at="2026-11-29T14:03:00Z",
            updated_at="2026-11-30T08:00:00Z",
        ),
        _annotation(
            doc,
            "b2",
            *two,
            kind=AnnotationKind.EVIDENCE,
            color="#00ff00",
            note="line one\nline two\n\nline four",
            author="Ann",
        ),
        _annotation(
            doc,
            "c3",
            *cross,
            kind=AnnotationKind.QUESTION,
            color="#0000ff",
            note="Across the break 日本語",
            author="Bob",
            claimant="Someone",
            tags=("x", "y"),
        ),
    ]


def test_export_writes_standard_highlights(tmp_path, three):
    before = _sha(FOUR_PAGES)
    out = tmp_path / "out.pdf"
    assert export_annotated_pdf(FOUR_PAGES, out, three) == (3, 0)
    assert _sha(FOUR_PAGES) == before
    assert not (tmp_path / "out.pdf.part").exists()

    doc = pymupdf.open(out)
    by_name: dict[str, list[dict]] = {}
    for page in doc:
        for annot in page.annots():
            verts = annot.vertices
            quads = [pymupdf.Quad(*verts[i : i + 4]) for i in range(0, len(verts), 4)]
            by_name.setdefault(annot.info["id"], []).append(
                {
                    "type": annot.type[1],
                    "stroke": tuple(round(c, 3) for c in annot.colors["stroke"]),
                    "opacity": annot.opacity,
                    "info": annot.info,
                    "text": " ".join(page.get_textbox(q.rect) for q in quads),
                }
            )
    doc.close()
    assert sorted(by_name) == ["a1", "b2", "c3"]
    assert [len(v) for _, v in sorted(by_name.items())] == [1, 1, 2]  # one part per page
    colours = {"a1": (1, 0, 0), "b2": (0, 1, 0), "c3": (0, 0, 1)}
    for ann in three:
        parts = by_name[ann.id]
        for part in parts:
            assert part["type"] == "Highlight"
            assert part["stroke"] == colours[ann.id]
            assert part["opacity"] == pytest.approx(0.4, abs=0.01)
            info = part["info"]
            assert info["title"] == ann.author
            assert info["subject"] == str(ann.kind)
            assert info["content"].endswith(ann.note)
        assert _words(" ".join(p["text"] for p in parts)) == _words(ann.anchor.quote)
    first = by_name["a1"][0]["info"]
    assert first["content"].startswith("[claim · disputed] Dubious")
    assert first["creationDate"] == "D:20261129140300Z"
    assert first["modDate"] == "D:20261130080000Z"
    assert by_name["b2"][0]["info"]["content"] == "[evidence] line one\nline two\n\nline four"
    assert parse_contents(by_name["c3"][0]["info"]["content"]) == {
        "kind": AnnotationKind.QUESTION,
        "status": ClaimStatus.UNVERIFIED,
        "claimant": "Someone",
        "tags": ("x", "y"),
        "note": "Across the break 日本語",
    }

    run = subprocess.run(["pdftotext", str(out), "-"], capture_output=True, timeout=60)
    assert run.returncode == 0, run.stderr
    assert b"Hello, here is some text" in run.stdout


def test_round_trip(tmp_path, three):
    out = tmp_path / "out.pdf"
    export_annotated_pdf(FOUR_PAGES, out, three)
    found = read_pdf_annotations(out)
    assert [m.name for m in found] == ["a1", "b2", "c3"]
    colours = {"a1": "#ff0000", "b2": "#00ff00", "c3": "#0000ff"}
    for ann, m in zip(three, found, strict=True):
        assert isinstance(m, PdfMarkup)
        assert m.kind == "highlight"
        assert m.page == ann.page
        assert _words(m.text) == _words(ann.anchor.quote)
        assert m.author == ann.author
        assert m.color == colours[ann.id]
        assert m.content.endswith(ann.note)
        assert parse_contents(m.content)["note"] == ann.note
        assert len(m.rects) == len(ann.rects)
        for got, want in zip(m.rects, ann.rects, strict=True):
            assert got.page == want.page
            assert got.x0 == pytest.approx(want.x0, abs=0.05)
            assert got.y1 == pytest.approx(want.y1, abs=0.05)
        assert m.modified  # ISO
    assert found[0].created == "2026-11-29T14:03:00Z"
    assert found[0].modified == "2026-11-30T08:00:00Z"
    assert {r.page for r in found[2].rects} == {0, 1}
    assert "information. Really?" in found[2].text


def test_empty_rects_are_computed_and_orphans_skipped(tmp_path, four_pages, three):
    doc = four_pages
    no_rects = _annotation(doc, "d4", *_span(doc, "Kjift – not at all!"), rects=False)
    orphan = _annotation(doc, "e5", 0, 5, state=AnchorState.ORPHAN)
    out = tmp_path / "out.pdf"

    def compute(a: Annotation):
        return range_rects(doc, a.anchor.start, a.anchor.end)[1]

    assert export_annotated_pdf(FOUR_PAGES, out, [*three, no_rects, orphan], rects_for=compute) == (
        4,
        1,
    )
    found = {m.name: m for m in read_pdf_annotations(out)}
    assert sorted(found) == ["a1", "b2", "c3", "d4"]
    assert found["d4"].text == "Kjift – not at all!"
    # Without a way to compute rectangles, one without is skipped too.
    assert export_annotated_pdf(FOUR_PAGES, out, [no_rects, orphan]) == (0, 2)
    # Rectangles on a page the file does not have: skipped.
    stray = Annotation("f6", 1, 1, TextAnchor("x", "", "", 0, 1), rects=(PageRect(9, 1, 1, 5, 5),))
    assert export_annotated_pdf(FOUR_PAGES, out, [stray]) == (0, 1)


def test_reads_direct_object_annotations():
    found = read_pdf_annotations(PDF / "annotated_pdf.pdf")
    by_kind = {m.kind: m for m in found}
    assert sorted(by_kind) == ["highlight", "ink", "text"]
    assert len(found) == 3
    assert by_kind["highlight"].content == "Highlight comment"
    assert by_kind["highlight"].color == "#ffff00"
    assert by_kind["highlight"].modified == "1990-04-28T00:00:00"
    assert len(by_kind["highlight"].rects) == 2
    assert by_kind["highlight"].text.strip()
    assert by_kind["ink"].content == "Hello world!"
    assert by_kind["ink"].author == "Lucas"
    assert by_kind["text"].content == "This is a text annotation."
    assert all(m.page == 0 for m in found)


def test_export_keeps_existing_direct_annotations(tmp_path, three):
    src = PDF / "annotated_pdf.pdf"
    before = _sha(src)
    out = tmp_path / "out.pdf"
    doc = open_paged(src)
    try:
        text = doc.page_text(0)
        ann = _annotation(doc, "z9", 0, len(text.split("\n")[0]), note="mine")
    finally:
        doc.close()
    assert export_annotated_pdf(src, out, [ann]) == (1, 0)
    assert _sha(src) == before
    kinds = sorted(m.kind for m in read_pdf_annotations(out))
    assert kinds == ["highlight", "highlight", "ink", "text"]


def test_rotated_pages(tmp_path):
    src = PDF / "habibi-rotated.pdf"
    doc = open_paged(src)
    try:
        rotations = [doc.page_rotation(p) for p in range(doc.page_count)]
        assert {90, 180, 270} <= set(rotations)
        anns = []
        for p in range(doc.page_count):
            start = doc.page_text_offset(p) + doc.page_text(p).index("habibi")
            anns.append(_annotation(doc, f"r{p}", start, start + 6, note=f"rotation {p}"))
    finally:
        doc.close()
    out = tmp_path / "rot.pdf"
    assert export_annotated_pdf(src, out, anns) == (len(anns), 0)
    found = read_pdf_annotations(out)
    assert [m.name for m in found] == [a.id for a in anns]
    rendered = pymupdf.open(out)
    for ann, m in zip(anns, found, strict=True):
        # MuPDF gives the "h" of this file a zero-size box, so the line rectangles (and the
        # text under them) start at the "a".
        assert m.text in ("habibi", "abibi")
        assert len(m.rects) == len(ann.rects) > 0
        for got, want in zip(m.rects, ann.rects, strict=True):
            assert got.page == want.page
            for a, b in zip(
                (got.x0, got.y0, got.x1, got.y1), (want.x0, want.y0, want.x1, want.y1), strict=True
            ):
                assert a == pytest.approx(b, abs=1.0)
        # The highlight is drawn where the reader showed it: the page as displayed is tinted
        # at the centre of the rectangle.
        r = ann.rects[0]
        pix = rendered[ann.page].get_pixmap(matrix=pymupdf.Matrix(2, 2))
        x, y = int(r.x0 + r.x1), int(r.y0 + r.y1)  # centre at scale 2
        red, green, blue = pix.pixel(x, y)
        assert blue < green <= red, (ann.page, pix.pixel(x, y))
    rendered.close()


def test_encrypted_pdf(tmp_path):
    src = PDF / "libreoffice-writer-password.pdf"
    before = _sha(src)
    doc = open_paged(src, "openpassword")
    try:
        ann = _annotation(doc, "p1", 0, 20, note="secret")
    finally:
        doc.close()
    out = tmp_path / "enc.pdf"
    with pytest.raises(PdfPasswordError) as err:
        export_annotated_pdf(src, out, [ann])
    assert not err.value.wrong_password
    with pytest.raises(PdfPasswordError) as err:
        export_annotated_pdf(src, out, [ann], password="nope")
    assert err.value.wrong_password
    assert not out.exists()

    assert export_annotated_pdf(src, out, [ann], password="openpassword") == (1, 0)
    assert _sha(src) == before
    with pytest.raises(PdfPasswordError):
        read_pdf_annotations(out)  # the copy stays encrypted
    (m,) = read_pdf_annotations(out, password="openpassword")
    assert m.name == "p1" and m.content.endswith("secret")
    assert _words(m.text) == _words(ann.anchor.quote)


def test_errors_are_one_sentence(tmp_path, three):
    with pytest.raises(PdfExportError, match="does not exist"):
        export_annotated_pdf(tmp_path / "missing.pdf", tmp_path / "o.pdf", three)
    with pytest.raises(PdfExportError, match="cannot be read"):
        read_pdf_annotations(PDF / "unreadablemetadata.pdf")
    copy = tmp_path / "copy.pdf"
    copy.write_bytes(FOUR_PAGES.read_bytes())
    with pytest.raises(PdfExportError, match="being exported"):
        export_annotated_pdf(copy, copy, three)
    with pytest.raises(PdfExportError, match="cannot be written"):
        export_annotated_pdf(FOUR_PAGES, tmp_path / "no" / "such" / "dir.pdf", three)
    assert not list((tmp_path).glob("*.part"))
