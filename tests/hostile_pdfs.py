"""Writers of PDFs made to hurt (issue 10): each small on disk, each ruinous if read naively.

Made by the tests, never stored. Each returns the path it wrote. PyMuPDF builds the objects
where it can; where a PDF must lie (a page count, a loop), the raw syntax is written.
"""

from __future__ import annotations

import base64
import sys
import zlib
from pathlib import Path

import pymupdf

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))  # the project root: bench.common
from bench.common import ORDINARY_TEXT as _TEXT  # noqa: E402
from bench.common import outline_pdf as long_outline  # noqa: E402
from bench.common import page_objects as _page_objects  # noqa: E402
from bench.common import raw_pdf as _raw_pdf  # noqa: E402

__all__ = ["long_outline"]


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
