"""What drawing a page would ask of MuPDF, weighed from the PDF's objects before MuPDF
interprets it; a page over budget gives no text and is drawn as a placeholder."""

from __future__ import annotations

import base64
import re
import zlib

import pymupdf

# What one page may ask of MuPDF, weighed from its dictionaries before MuPDF interprets it
# (a page over budget would take minutes and gigabytes: 10 nested forms drawn 10 times each,
# 9 levels deep, are a billion drawings from a 3 KB file). Far above real pages: a dense map
# or a 600 dpi A3 scan is a few MB of content and ~70 M pixels.
PAGE_CONTENT_BUDGET = 64 * 1024 * 1024  # bytes of content run, each form counted per use
PAGE_FORM_BUDGET = 200_000  # form drawings, nested ones multiplied out
PAGE_PIXEL_BUDGET = 150_000_000  # pixels of the images the page draws, decoded

_NAMED_XOBJECT = re.compile(rb"/([^\s/<>\[\]()]+)\s*(\d+)\s+\d+\s+R")
_DO = re.compile(rb"/([^\s/<>\[\]()%{}]+)\s*Do(?![A-Za-z0-9])")


class PageWeigher:
    """Weighs pages from the PDF's objects alone (the content is inflated with a cap, never
    interpreted): content bytes run and form drawings, nested forms multiplied by how often
    they are drawn, and the pixels of the distinct images drawn (MuPDF decodes an image once
    however often it is drawn). Call under the MuPDF lock."""

    def __init__(self, doc: pymupdf.Document) -> None:
        self._doc = doc
        # xref → (content bytes run, form drawings, the images it draws)
        self._weights: dict[int, tuple[int, int, frozenset[int]]] = {}
        self._pixels: dict[int, int] = {}  # image xref → width × height
        self._decoded: dict[int, bytes] = {}  # streams decoded while weighed, until used
        self._busy: set[int] = set()  # forms being weighed (a form that draws itself)

    def over_budget(self, page: int) -> str:
        """Why `page` is over budget ("" when it is not)."""
        doc = self._doc
        try:
            xref = doc.page_xref(page)
        except Exception:  # noqa: BLE001 - an unloadable page is handled where it is loaded
            return ""
        self._decoded.clear()
        try:
            size = 0
            for content in self._contents(xref):
                size += self._stream_size(content, PAGE_CONTENT_BUDGET - size)
                if size > PAGE_CONTENT_BUDGET:
                    return "its drawing instructions are too long"
            data = b"".join(self._inflated(x) for x in self._contents(xref))
            used, forms, images = self._draws(data, self._xobjects(self._resources(xref)))
        except _OverBudget as why:
            return str(why)
        except Exception:  # noqa: BLE001 - unreadable objects: MuPDF decides what to show
            return ""
        finally:
            self._decoded.clear()
        if size + used > PAGE_CONTENT_BUDGET:
            return "its drawings repeat each other too many times"
        if forms > PAGE_FORM_BUDGET:
            return "its drawings are nested too deeply"
        if sum(self._pixels[i] for i in images) > PAGE_PIXEL_BUDGET:
            return "its pictures are too large"
        return ""

    def _draws(self, content: bytes, named: dict[bytes, int]) -> tuple[int, int, frozenset[int]]:
        used = forms = 0
        images: set[int] = set()
        merged: set[int] = set()  # the image sets already taken (a form drawn 1,000 times)
        for name in _DO.findall(content):
            xref = named.get(name)
            if xref is None:
                continue
            b, f, drawn = self._xobject(xref)
            used, forms = used + b, forms + f
            if used > PAGE_CONTENT_BUDGET or forms > PAGE_FORM_BUDGET:
                raise _OverBudget(
                    "its drawings are nested too deeply"
                    if forms > PAGE_FORM_BUDGET
                    else "its drawings repeat each other too many times"
                )
            if drawn and xref not in merged:
                merged.add(xref)
                images |= drawn
        return used, forms, frozenset(images)

    def _xobject(self, xref: int) -> tuple[int, int, frozenset[int]]:
        known = self._weights.get(xref)
        if known is not None:
            return known
        doc = self._doc
        subtype = doc.xref_get_key(xref, "Subtype")[1]
        weight: tuple[int, int, frozenset[int]] = (0, 0, frozenset())
        if subtype == "/Image":
            width = _int(doc.xref_get_key(xref, "Width")[1])
            height = _int(doc.xref_get_key(xref, "Height")[1])
            self._pixels[xref] = width * height
            weight = (0, 0, frozenset((xref,)))
        elif subtype == "/Form" and xref not in self._busy:
            self._busy.add(xref)
            try:
                size = self._stream_size(xref)
                if size > PAGE_CONTENT_BUDGET:
                    raise _OverBudget("its drawing instructions are too long")
                used, forms, images = self._draws(
                    self._inflated(xref), self._xobjects(self._resources(xref))
                )
                weight = (size + used, 1 + forms, images)
            finally:
                self._busy.discard(xref)
        self._weights[xref] = weight
        return weight

    def _contents(self, page_xref: int) -> list[int]:
        kind, value = self._doc.xref_get_key(page_xref, "Contents")
        if kind == "xref" and self._doc.xref_is_stream(int(value.split()[0])):
            return [int(value.split()[0])]
        if kind in ("xref", "array"):
            return [int(n) for n in re.findall(r"(\d+)\s+\d+\s+R", value)]
        return []

    def _resources(self, xref: int) -> str:
        """The resources dictionary of a page or form, as PDF source (inherited ones too)."""
        doc = self._doc
        for _ in range(64):  # up the page tree; a looping tree ends here
            kind, value = doc.xref_get_key(xref, "Resources")
            if kind == "xref":
                return doc.xref_object(int(value.split()[0]), compressed=True)
            if kind == "dict":
                return value
            kind, parent = doc.xref_get_key(xref, "Parent")
            if kind != "xref":
                return ""
            xref = int(parent.split()[0])
        return ""

    def _xobjects(self, resources: str) -> dict[bytes, int]:
        match = re.search(r"/XObject\s*(\d+)\s+\d+\s+R", resources)
        if match:
            source = self._doc.xref_object(int(match.group(1)), compressed=True)
        else:
            match = re.search(r"/XObject\s*<<(.*?)>>", resources, re.S)
            source = match.group(1) if match else ""
        return {m.group(1): int(m.group(2)) for m in _NAMED_XOBJECT.finditer(source.encode())}

    def _stream_size(self, xref: int, limit: int = PAGE_CONTENT_BUDGET) -> int:
        """The decoded size of a stream, up to a little past `limit`: the text filters are
        undone, Flate is inflated in pieces and never kept whole past the limit. A stream
        decoded whole within the limit is kept for `_inflated` (decoded once, not twice)."""
        if not self._doc.xref_is_stream(xref):
            return 0
        data = self._doc.xref_stream_raw(xref) or b""
        filters = re.findall(r"/(\w+)", self._doc.xref_get_key(xref, "Filter")[1])
        ours = self._doc.xref_get_key(xref, "DecodeParms")[0] == "null"  # no predictor
        for i, name in enumerate(filters):
            if name in ("ASCIIHexDecode", "AHx"):
                data = bytes.fromhex(re.sub(rb"[^0-9A-Fa-f]", b"", data.split(b">")[0]).decode())
            elif name in ("ASCII85Decode", "A85"):
                body = re.sub(rb"\s", b"", data.split(b"~>")[0]).removeprefix(b"<~")
                data = base64.a85decode(body)
            elif name in ("FlateDecode", "Fl") and i == len(filters) - 1:
                size, whole = _inflate(data, limit)
                if whole is not None and ours:
                    self._decoded[xref] = whole
                return size
            else:
                # LZW, RunLength, a Flate that is not last, images' filters: MuPDF decodes
                # them itself; the encoded size is what is weighed (extract's child process
                # bounds what this misses).
                return len(data)
        if ours:
            self._decoded[xref] = data
        return len(data)

    def _inflated(self, xref: int) -> bytes:
        """A stream's decoded bytes (called once its size is known to be within budget)."""
        known = self._decoded.pop(xref, None)
        if known is not None:
            return known
        if not self._doc.xref_is_stream(xref):
            return b""
        return self._doc.xref_stream(xref) or b""


class _OverBudget(Exception):
    pass


def _inflate(data: bytes, limit: int) -> tuple[int, bytes | None]:
    """How many bytes `data` inflates to (counting past `limit` by at most one MB), and the
    bytes themselves when they came out whole within the limit."""
    unpack = zlib.decompressobj()
    size, rest, pieces = 0, data, []
    while rest and size <= limit:
        piece = unpack.decompress(rest, 1 << 20)
        size += len(piece)
        pieces.append(piece)
        rest = unpack.unconsumed_tail
        if unpack.eof:
            break
    return size, (b"".join(pieces) if size <= limit and not rest else None)


def _int(value: str) -> int:
    try:
        return max(0, int(float(value)))
    except ValueError:
        return 0
