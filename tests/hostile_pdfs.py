"""Writers of PDFs made to hurt (issue 10): each small on disk, each ruinous if read naively.

Made by the tests, never stored. Each returns the path it wrote. PyMuPDF builds the objects
where it can; where a PDF must lie (a page count, a loop), the raw syntax is written.
"""

from __future__ import annotations

import base64
import zlib
from pathlib import Path

import pymupdf

_TEXT = "Readable words on an ordinary page of this document."


def _with_ordinary_page(doc: pymupdf.Document) -> None:
    page = doc.new_page(width=300, height=200)
    page.insert_text((20, 40), _TEXT, fontsize=9)


def _set_xobjects(doc: pymupdf.Document, page: pymupdf.Page, entries: str) -> None:
    """Give the page's resources the XObject dictionary `entries` (they may be indirect)."""
    kind, value = doc.xref_get_key(page.xref, "Resources")
    if kind == "xref":
        doc.xref_set_key(int(value.split()[0]), "XObject", entries)
    else:
        doc.xref_set_key(page.xref, "Resources/XObject", entries)


def append_content(doc: pymupdf.Document, page: pymupdf.Page, xref: int) -> None:
    """Draw the content stream `xref` after what the page already draws."""
    kind, value = doc.xref_get_key(page.xref, "Contents")
    old = value.strip("[] ") if kind == "array" else value
    doc.xref_set_key(page.xref, "Contents", f"[{old} {xref} 0 R]")


def nested_forms(path: Path, *, fan_out: int = 10, depth: int = 9) -> Path:
    """A page that draws a form that draws the next form `fan_out` times, `depth` levels
    deep: fan_out**depth leaf drawings from a file of a few KB."""
    doc = pymupdf.open()
    _with_ordinary_page(doc)
    page = doc.new_page(width=300, height=200)
    page.insert_text((20, 40), "The page of nested drawings.", fontsize=9)
    child = 0
    for level in range(depth):
        xref = doc.get_new_xref()
        if level == 0:
            body, resources = b"0 0 1 1 re f", "<< >>"
        else:
            body = b" ".join(b"q 0.5 0 0 0.5 1 1 cm /F Do Q" for _ in range(fan_out))
            resources = f"<< /XObject << /F {child} 0 R >> >>"
        doc.update_object(
            xref,
            f"<< /Type /XObject /Subtype /Form /BBox [0 0 10 10] /Resources {resources} >>",
        )
        doc.update_stream(xref, body)
        child = xref
    _set_xobjects(doc, page, f"<< /Top {child} 0 R >>")
    content = doc.get_new_xref()
    doc.update_object(content, "<< >>")
    doc.update_stream(content, b"q 20 0 0 20 10 10 cm /Top Do Q")
    append_content(doc, page, content)
    doc.save(path)
    doc.close()
    return path


def inflating_stream(path: Path, *, inflated_mb: int = 200, ascii85: bool = False) -> Path:
    """A page whose content stream inflates to `inflated_mb` MB (about 0.3 % of it on disk),
    optionally wrapped in ASCII85 too (a filter chain, [/ASCII85Decode /FlateDecode])."""
    doc = pymupdf.open()
    _with_ordinary_page(doc)
    page = doc.new_page(width=300, height=200)
    page.insert_text((20, 40), "The page with the huge drawing.", fontsize=9)
    piece = b"1 1 m 2 2 l S\n" * 4096
    packer = zlib.compressobj(9)
    chunks = [packer.compress(piece) for _ in range(inflated_mb * 1024 * 1024 // len(piece))]
    chunks.append(packer.flush())
    data = b"".join(chunks)
    if ascii85:
        data = base64.a85encode(data, adobe=True)
    xref = doc.get_new_xref()
    doc.update_object(xref, "<< >>")
    doc.update_stream(xref, data, compress=False)
    doc.xref_set_key(xref, "Filter", "[/ASCII85Decode /FlateDecode]" if ascii85 else "/FlateDecode")
    append_content(doc, page, xref)
    doc.save(path, garbage=0, deflate=False)
    doc.close()
    return path


def _zeros_deflated(size: int) -> bytes:
    """A zlib stream of `size` zero bytes, made in well under a second: one full-flushed
    deflate block of 1 MB repeated (each block stands alone), then the true checksum."""
    block = bytes(1 << 20)
    packer = zlib.compressobj(9, wbits=-15)
    piece = packer.compress(block) + packer.flush(zlib.Z_FULL_FLUSH)
    whole, rest = divmod(size, len(block))
    tail = packer.compress(bytes(rest)) + packer.flush()
    adler = 1
    for _ in range(whole):
        adler = zlib.adler32(block, adler)
    adler = zlib.adler32(bytes(rest), adler)
    return b"\x78\xda" + piece * whole + tail + adler.to_bytes(4, "big")


def huge_image(path: Path, *, side: int = 30_000) -> Path:
    """A page showing a side×side grey image (side² bytes once decoded), ~1 MB on disk."""
    doc = pymupdf.open()
    _with_ordinary_page(doc)
    page = doc.new_page(width=300, height=200)
    page.insert_text((20, 40), "The page with the huge picture.", fontsize=9)
    xref = doc.get_new_xref()
    doc.update_object(
        xref,
        f"<< /Type /XObject /Subtype /Image /Width {side} /Height {side} "
        "/ColorSpace /DeviceGray /BitsPerComponent 8 >>",
    )
    doc.update_stream(xref, _zeros_deflated(side * side), compress=False)
    doc.xref_set_key(xref, "Filter", "/FlateDecode")
    _set_xobjects(doc, page, f"<< /Im {xref} 0 R >>")
    content = doc.get_new_xref()
    doc.update_object(content, "<< >>")
    doc.update_stream(content, b"q 200 0 0 150 50 20 cm /Im Do Q")
    append_content(doc, page, content)
    doc.save(path, garbage=0, deflate=False)
    doc.close()
    return path


def long_outline(path: Path, *, chapters: int = 1_000, sections: int = 99) -> Path:
    """One page and an outline of chapters × (1 + sections) entries (100,000 by default),
    written as raw syntax: PyMuPDF's set_toc takes ~10 s for that many."""
    objects = _page_objects(2)
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count 1 >>"
    objects[0] = b"<< /Type /Catalog /Pages 2 0 R /Outlines 6 0 R >>"
    root = 6
    first_chapter = root + 1
    per_chapter = 1 + sections
    last_chapter = first_chapter + (chapters - 1) * per_chapter
    total = chapters * per_chapter
    objects.append(
        b"<< /Type /Outlines /First %d 0 R /Last %d 0 R /Count %d >>"
        % (first_chapter, last_chapter, total)
    )
    dest = b"/Dest [3 0 R /XYZ 0 150 0]"
    for c in range(chapters):
        number = first_chapter + c * per_chapter
        links = b""
        if c > 0:
            links += b" /Prev %d 0 R" % (number - per_chapter)
        if c < chapters - 1:
            links += b" /Next %d 0 R" % (number + per_chapter)
        objects.append(
            b"<< /Title (Chapter %d) /Parent %d 0 R%s /First %d 0 R /Last %d 0 R /Count -%d %s >>"
            % (c + 1, root, links, number + 1, number + sections, sections, dest)
        )
        for s in range(sections):
            own = number + 1 + s
            links = b""
            if s > 0:
                links += b" /Prev %d 0 R" % (own - 1)
            if s < sections - 1:
                links += b" /Next %d 0 R" % (own + 1)
            objects.append(
                b"<< /Title (Section %d.%d) /Parent %d 0 R%s %s >>"
                % (c + 1, s + 1, number, links, dest)
            )
    path.write_bytes(_raw_pdf(objects, 1))
    return path


def _raw_pdf(objects: list[bytes], root: int) -> bytes:
    """A PDF file of the given objects (numbered from 1) with a correct xref table."""
    out = bytearray(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, start=1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref_at = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    out += b"trailer\n<< /Size %d /Root %d 0 R >>\nstartxref\n%d\n%%%%EOF\n" % (
        len(objects) + 1,
        root,
        xref_at,
    )
    return bytes(out)


def _page_objects(kids_ref: int) -> list[bytes]:
    """Objects 1 (catalog), 3 (a page), 4 (its content) and 5 (a font); 2 is the caller's."""
    content = b"BT /F1 8 Tf 20 100 Td (" + _TEXT.encode() + b") Tj ET"
    return [
        b"<< /Type /Catalog /Pages 2 0 R >>",
        b"",
        b"<< /Type /Page /Parent %d 0 R /MediaBox [0 0 300 200] /Contents 4 0 R "
        b"/Resources << /Font << /F1 5 0 R >> >> >>" % kids_ref,
        b"<< /Length %d >>\nstream\n" % len(content) + content + b"\nendstream",
        b"<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>",
    ]


def lying_page_count(path: Path, *, count: int = 2_147_483_647) -> Path:
    """One real page under a page tree whose /Count claims `count` pages."""
    objects = _page_objects(2)
    objects[1] = b"<< /Type /Pages /Kids [3 0 R] /Count %d >>" % count
    path.write_bytes(_raw_pdf(objects, 1))
    return path


def looping_page_tree(path: Path) -> Path:
    """A page tree whose node lists itself among its kids (and a real page)."""
    objects = _page_objects(2)
    objects[1] = b"<< /Type /Pages /Kids [3 0 R 2 0 R 6 0 R] /Count 3 >>"
    objects.append(b"<< /Type /Pages /Parent 2 0 R /Kids [6 0 R 2 0 R] /Count 2 >>")
    path.write_bytes(_raw_pdf(objects, 1))
    return path
