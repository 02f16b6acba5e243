"""Paged documents through PyMuPDF: PDF, and EPUB, XPS, FB2, MOBI and CBZ.

The only module (with ``reader.exchange.pdf_export``) that imports pymupdf.

Coordinates: every rectangle and point this module hands out is in points, top-left origin, on
the page *as displayed* (after its /Rotate), the same space `page_size` and `render` use.

Normalized text rule (deterministic for the same bytes and the same PyMuPDF version):
  * a page's text layer is MuPDF's structured text with ligatures expanded, whitespace
    characters turned into spaces, no dehyphenation, in MuPDF's own block order (content-stream
    order, which keeps the columns of a multi-column page apart; sorting by position would
    interleave them);
  * every text line is stripped of leading and trailing whitespace and dropped if then empty;
  * the lines of a page are joined by "\\n" (also between blocks);
  * the pages are joined by "\\n\\n".
So `page_chars(p)[i]` is the box of `page_text(p)[i]`, the "\\n" separators get an empty box,
and `text[page_text_offset(p) + i] == page_text(p)[i]`.

MuPDF keeps one global context and is not thread-safe: every call into it from this module
holds the module lock `_MUPDF_LOCK`, so a `PdfDocument` may be used from a render thread and
the UI thread at once (the calls are serialised; PyMuPDF holds the GIL while it renders anyway).
"""

from __future__ import annotations

import base64
import ctypes
import functools
import hashlib
import logging
import re
import threading
import zipfile
import zlib
from bisect import bisect_right
from pathlib import Path

import pymupdf

from reader.documents.base import (
    TOO_COMPLEX,
    Char,
    DocumentError,
    Link,
    PageTooComplex,
    PasswordRequired,
    Rect,
)
from reader.model import DocumentKind, Metadata, OutlineItem

__all__ = ["TOO_COMPLEX", "PageTooComplex", "PdfDocument", "open_paged", "sniff_kind"]

_MUPDF_LOCK = threading.RLock()

log = logging.getLogger(__name__)

# A zip container (EPUB, XPS, CBZ, zipped FB2) whose entries unpack to more than this, at more
# than _MAX_ZIP_RATIO times the file's size, is a zip bomb: MuPDF would inflate it all into memory.
_MAX_ZIP_UNPACKED = 64 * 1024 * 1024
_MAX_ZIP_RATIO = 100
_ZIP_KINDS = (DocumentKind.EPUB, DocumentKind.XPS, DocumentKind.CBZ, DocumentKind.FB2)
# The page size MuPDF falls back to for a page it cannot load (US Letter, in points).
_FALLBACK_SIZE = (612.0, 792.0)

# MuPDF prints repairs and syntax warnings to stderr; the CLI must stay clean. They remain
# readable through pymupdf.TOOLS.mupdf_warnings() for debugging.
pymupdf.TOOLS.mupdf_display_errors(False)
pymupdf.TOOLS.mupdf_display_warnings(False)

# Ligatures expanded, whitespace normalised to spaces, no images, no dehyphenation; clip to the
# media box so text outside the visible page does not become "text" nobody can see.
_TEXT_FLAGS = pymupdf.TEXT_MEDIABOX_CLIP

_NO_RECT = Rect(0.0, 0.0, 0.0, 0.0)
# Scanned pages are read in every language whose Tesseract data is installed (English first;
# others: tesseract-ocr-LANG, see README), at most this many (each one more costs time), from
# a page image made at the resolution Tesseract reads best at.
_MAX_OCR_LANGUAGES = 3
OCR_DPI = 300
_NO_TESSERACT = (
    "Text cannot be read from scanned pages: Tesseract OCR is not installed "
    "(Debian: tesseract-ocr tesseract-ocr-eng)."
)

# What one page may ask of MuPDF, weighed from its dictionaries before MuPDF interprets it
# (a page over budget would take minutes and gigabytes: 10 nested forms drawn 10 times each,
# 9 levels deep, are a billion drawings from a 3 KB file). Far above real pages: a dense map
# or a 600 dpi A3 scan is a few MB of content and ~70 M pixels.
PAGE_CONTENT_BUDGET = 64 * 1024 * 1024  # bytes of content run, each form counted per use
PAGE_FORM_BUDGET = 200_000  # form drawings, nested ones multiplied out
PAGE_PIXEL_BUDGET = 150_000_000  # pixels of the images the page draws, decoded

# A page needs at least an object of ~40 bytes: a page tree claiming more pages than that
# allows (2,147,483,647 from a 1 KB file) is lying, and MuPDF would walk or allocate for it.
_MIN_PAGE_BYTES = 40
# Entries read from an outline at most (a looping outline has no end).
_MAX_OUTLINE = 1_000_000
_NAMED_XOBJECT = re.compile(rb"/([^\s/<>\[\]()]+)\s*(\d+)\s+\d+\s+R")
_DO = re.compile(rb"/([^\s/<>\[\]()%{}]+)\s*Do(?![A-Za-z0-9])")


class _PageWeigher:
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


# Rendering goes one level below pymupdf's Page.get_pixmap, to MuPDF's own calls (the SWIG
# bindings pymupdf is built on), to skip a display list and a copy of every page's pixels.
_mupdf = pymupdf.mupdf
_NO_SEPS = _mupdf.FzSeparations()


def _pixmap_samples(pix: object, size: int) -> memoryview:
    """A read-only byte view of a MuPDF pixmap's samples that owns the pixmap (no copy).

    MuPDF's memoryview of the samples does not keep the pixmap alive; this ctypes array over
    the same memory holds a reference to it, and every memoryview of the array holds the
    array, so the pixels stay valid exactly as long as someone can read them.
    """
    array = (ctypes.c_ubyte * size).from_address(_mupdf.fz_pixmap_samples_int(pix))
    array._pixmap = pix  # type: ignore[attr-defined]  # the owner of the memory
    return memoryview(array).cast("B").toreadonly()


_FILETYPES = {
    DocumentKind.PDF: "pdf",
    DocumentKind.EPUB: "epub",
    DocumentKind.XPS: "xps",
    DocumentKind.FB2: "fb2",
    DocumentKind.MOBI: "mobi",
    DocumentKind.CBZ: "cbz",
}
_EXTENSIONS = {
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
}
_IMAGE_SUFFIXES = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".webp", ".jxr")


def sniff_kind(path: str | Path) -> DocumentKind | None:
    """The paged kind of the file by its content (extension as a tie-break), or None."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
    except OSError:
        return None
    if b"%PDF-" in head:
        return DocumentKind.PDF
    if head[60:68] in (b"BOOKMOBI", b"TEXtREAd"):
        return DocumentKind.MOBI
    if head.startswith(b"PK\x03\x04"):
        return _sniff_zip(path)
    lowered = head.lower()
    if b"<fictionbook" in lowered:
        return DocumentKind.FB2
    return None


def _sniff_zip(path: Path) -> DocumentKind | None:
    try:
        with zipfile.ZipFile(path) as zf:
            names = zf.namelist()
            if "mimetype" in names and zf.read("mimetype").strip() == b"application/epub+zip":
                return DocumentKind.EPUB
            lowered = [n.lower() for n in names]
            if any(n.endswith(".fdseq") for n in lowered) or any(
                "fixeddocumentsequence" in n for n in lowered
            ):
                return DocumentKind.XPS
            if "meta-inf/container.xml" in lowered:
                return DocumentKind.EPUB
            if any(n.endswith(".fb2") for n in lowered):
                return DocumentKind.FB2
            if names and any(n.endswith(_IMAGE_SUFFIXES) for n in lowered):
                return DocumentKind.CBZ
    except (OSError, zipfile.BadZipFile, KeyError):
        return None
    return _EXTENSIONS.get(path.suffix.lower())


def _iso_date(pdf_date: str) -> str:
    """PDF date ``D:20220403180542+02'00'`` → ISO 8601 date (possibly partial), else ""."""
    m = re.match(r"\s*(?:D:)?(\d{4})(\d{2})?(\d{2})?", pdf_date or "")
    if not m:
        return ""
    year, month, day = m.groups()
    if not 1000 <= int(year) <= 9999:
        return ""
    parts = [year]
    if month and 1 <= int(month) <= 12:
        parts.append(month)
        if day and 1 <= int(day) <= 31:
            parts.append(day)
    return "-".join(parts)


def _clean(value: object) -> str:
    """A metadata string without control characters (NULs are common) and runs of spaces."""
    text = "".join(c if c.isprintable() else " " for c in str(value or ""))
    return " ".join(text.split())


def _check_zip_size(path: Path, size: int) -> None:
    """Refuse a zip container whose entries unpack to far more than the file (a zip bomb)."""
    try:
        with zipfile.ZipFile(path) as zf:
            unpacked = sum(max(0, info.file_size) for info in zf.infolist())
    except (OSError, zipfile.BadZipFile, ValueError):
        return  # not a readable zip (or an FB2 that is not zipped): MuPDF will say what it is
    if unpacked > _MAX_ZIP_UNPACKED and unpacked > _MAX_ZIP_RATIO * size:
        raise DocumentError(
            f"{path.name} cannot be opened: it unpacks to {unpacked // (1024 * 1024):,} MB "
            f"from {max(1, size // 1024):,} KB, which only a damaged or malicious file does."
        )


_FILE_ID = re.compile(r"\[\s*<([0-9A-Fa-f\s]*)>")
_NO_ID = "0" * 32


def pdf_fingerprint(path: str | Path) -> str:
    """The PDF's fingerprint as PDF.js computes it (and Hypothesis names a local PDF by, as
    ``urn:x-pdf:<fingerprint>``): the first file identifier of the trailer when it is 16
    bytes, in lowercase hex; else the MD5 of the file's first 1024 bytes. "" if unreadable."""
    path = Path(path)
    try:
        with path.open("rb") as fh:
            head = fh.read(1024)
        doc = pymupdf.open(path)
    except (OSError, RuntimeError, ValueError):
        return ""
    try:
        kind, value = doc.xref_get_key(-1, "ID")
    except (RuntimeError, ValueError):
        kind, value = "null", ""
    finally:
        doc.close()
    found = _FILE_ID.match(value) if kind == "array" else None
    if found is not None:
        first = "".join(found.group(1).split()).lower()
        if len(first) == 32 and first != _NO_ID:
            return first
    return hashlib.md5(head).hexdigest()


@functools.cache
def ocr_setup() -> tuple[str, str]:
    """Tesseract's data folder and the languages to read ("eng+deu"); DocumentError with one
    sentence when Tesseract or every language's data is missing."""
    try:
        tessdata = pymupdf.get_tessdata()
    except Exception:  # noqa: BLE001 - pymupdf raises RuntimeError when it finds none
        raise DocumentError(_NO_TESSERACT) from None
    folder = Path(tessdata) if tessdata else None
    found = sorted(p.stem for p in folder.glob("*.traineddata")) if folder else []
    languages = [lang for lang in found if lang != "osd"]
    if not languages:
        raise DocumentError(
            "Text cannot be read from scanned pages: Tesseract has no language data "
            f"in {tessdata or 'its folder'} (Debian: tesseract-ocr-eng)."
        )
    languages.sort(key=lambda lang: lang != "eng")  # English first, the rest by name
    return str(folder), "+".join(languages[:_MAX_OCR_LANGUAGES])


def open_paged(path: str | Path, password: str | None = None) -> PdfDocument:
    """Open a PDF (or EPUB, XPS, FB2, MOBI, CBZ); raise DocumentError with one sentence."""
    return PdfDocument(path, password)


def _text_of(data: dict, rot: pymupdf.Matrix, with_chars: bool) -> tuple[str, list[Char]]:
    """A page's text (and its characters' boxes) from MuPDF's structured text."""
    identity = rot == pymupdf.Identity
    parts: list[str] = []
    chars: list[Char] = []
    pos = 0  # length of "\n".join(parts)
    for block in data.get("blocks", ()):
        if block.get("type", 0) != 0:
            continue
        for line in block.get("lines", ()):
            if with_chars:
                cs = [(c["c"], c["bbox"]) for s in line["spans"] for c in s["chars"]]
                lo, hi = 0, len(cs)
                while lo < hi and cs[lo][0].isspace():
                    lo += 1
                while hi > lo and cs[hi - 1][0].isspace():
                    hi -= 1
                if lo == hi:
                    continue
                if parts:
                    chars.append(Char(pos, _NO_RECT))
                    pos += 1
                for c, bb in cs[lo:hi]:
                    if identity:
                        rect = Rect(bb[0], bb[1], bb[2], bb[3])
                    else:
                        t = pymupdf.Rect(bb) * rot
                        rect = Rect(t.x0, t.y0, t.x1, t.y1)
                    chars.append(Char(pos, rect))
                    pos += len(c)
                parts.append("".join(c for c, _ in cs[lo:hi]))
            else:
                line_text = "".join(s["text"] for s in line["spans"]).strip()
                if line_text:
                    parts.append(line_text)
    return "\n".join(parts), chars


class _PageTextLayer:
    __slots__ = ("text", "chars")

    def __init__(self, text: str, chars: list[Char] | None) -> None:
        self.text = text
        self.chars = chars


class PdfDocument:
    """A PagedBackend over one MuPDF document handle."""

    def __init__(self, path: str | Path, password: str | None = None) -> None:
        p = Path(path)
        self.source = str(path)
        self._path = p
        name = p.name
        if not p.exists():
            raise DocumentError(f"{name} cannot be opened: the file does not exist.")
        if p.is_dir():
            raise DocumentError(f"{name} cannot be opened: it is a folder, not a file.")
        try:
            size = p.stat().st_size
        except OSError as err:
            raise DocumentError(f"{name} cannot be opened: {err.strerror or err}.") from None
        if size == 0:
            raise DocumentError(f"{name} cannot be read: the file is empty.")
        kind = sniff_kind(p)
        if kind is None:
            raise DocumentError(
                f"{name} is not a document Claim Reader can open as pages "
                "(PDF, EPUB, XPS, FB2, MOBI or CBZ)."
            )
        self.kind: DocumentKind = kind
        if kind in _ZIP_KINDS:
            _check_zip_size(p, size)
        self._password = password
        self._sha256: str | None = None
        self._metadata: Metadata | None = None
        self._text: str | None = None
        self._offsets: list[int] = []
        self._layers: dict[int, _PageTextLayer] = {}
        self._sizes: dict[int, tuple[float, float]] = {}
        self._links: dict[int, list[Link]] = {}
        self._outline: list[OutlineItem] | None = None
        self._has_text: dict[int, bool] = {}
        self._ocr: set[int] = set()  # pages whose text was read from their image
        self._closed = False
        self._doc = self._open_handle()
        self._weigher = _PageWeigher(self._doc) if self._doc.is_pdf else None
        self._weights: dict[int, str] = {}
        try:
            self._page_count = self._doc.page_count
        except Exception:  # noqa: BLE001 - MuPDF refuses a page tree it cannot count
            self._doc.close()
            raise DocumentError(
                f"{name} cannot be read: its list of pages is damaged or made to mislead."
            ) from None
        if self._doc.is_pdf and self._page_count > max(1, size // _MIN_PAGE_BYTES):
            count = self._page_count
            self._doc.close()
            raise DocumentError(
                f"{name} cannot be read: it claims {count:,} pages, more than a file of "
                f"{size:,} bytes can hold (its list of pages is damaged or made to mislead)."
            )
        if self._page_count == 0:
            self._doc.close()
            raise DocumentError(f"{name} cannot be read: it has no pages (the file is damaged).")
        with _MUPDF_LOCK:
            # Stops at the first page that loads: one call for any file that is not damaged.
            readable = any(self._load_page(i) is not None for i in range(self._page_count))
        if not readable:
            self._doc.close()
            raise DocumentError(
                f"{name} cannot be read: none of its pages can be loaded (the file is damaged)."
            )

    # -- opening -------------------------------------------------------------------------

    def _open_handle(self) -> pymupdf.Document:
        name = self._path.name
        with _MUPDF_LOCK:
            try:
                doc = pymupdf.open(self._path, filetype=_FILETYPES[self.kind])
            except pymupdf.EmptyFileError:
                raise DocumentError(f"{name} cannot be read: the file is empty.") from None
            except (pymupdf.FileNotFoundError, FileNotFoundError):
                raise DocumentError(f"{name} cannot be opened: the file does not exist.") from None
            except PermissionError:
                raise DocumentError(f"{name} cannot be opened: permission denied.") from None
            except Exception:  # noqa: BLE001 - MuPDF raises plain RuntimeErrors for bad data
                raise DocumentError(
                    f"{name} cannot be read: it is not a valid {self.kind.value.upper()} file "
                    "or it is damaged."
                ) from None
            if doc.needs_pass:
                if not self._password:
                    doc.close()
                    raise PasswordRequired(f"{name} is encrypted; enter its password.")
                if not doc.authenticate(self._password):
                    doc.close()
                    raise PasswordRequired(
                        f"The password for {name} is wrong; enter the right one.",
                        wrong_password=True,
                    )
            if not doc.is_pdf:
                try:
                    doc.layout()  # reflowable formats: MuPDF's default page size, made explicit
                except Exception:  # noqa: BLE001 - fixed-layout formats (XPS, CBZ) refuse
                    pass
            return doc

    @property
    def password(self) -> str | None:
        """The password the document was opened with (to write an annotated copy of it)."""
        return self._password

    def clone(self) -> PdfDocument:
        """A second, independent handle on the same file (e.g. for a render thread)."""
        other = PdfDocument.__new__(PdfDocument)
        other.__dict__.update(
            {
                k: v
                for k, v in self.__dict__.items()
                if k not in ("_doc", "_layers", "_links", "_has_text")
            }
        )
        other._layers = {p: self._layers[p] for p in self._ocr if p in self._layers}
        other._links = {}
        other._has_text = {p: True for p in self._ocr}
        other._sizes = dict(self._sizes)
        other._offsets = list(self._offsets)
        other._doc = other._open_handle()
        other._weigher = _PageWeigher(other._doc) if other._doc.is_pdf else None
        other._weights = self._weights  # verdicts depend on the bytes alone: shared
        return other

    # -- identity and metadata -------------------------------------------------------------

    @property
    def sha256(self) -> str:
        if self._sha256 is None:
            h = hashlib.sha256()
            with self._path.open("rb") as fh:
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    h.update(chunk)
            self._sha256 = h.hexdigest()
        return self._sha256

    @property
    def metadata(self) -> Metadata:
        if self._metadata is None:
            with _MUPDF_LOCK:
                raw = dict(self._doc.metadata or {})
            title = _clean(raw.get("title")) or self._path.stem
            self._metadata = Metadata(
                title=title,
                author=_clean(raw.get("author")),
                published=_iso_date(raw.get("creationDate") or ""),
            )
        return self._metadata

    @property
    def page_count(self) -> int:
        return self._page_count

    @property
    def is_pdf(self) -> bool:
        return self.kind is DocumentKind.PDF

    # -- geometry ----------------------------------------------------------------------------

    def _check(self, page: int) -> None:
        if self._closed:
            raise ValueError("document is closed")
        if not 0 <= page < self._page_count:
            raise IndexError(f"page {page} out of range 0..{self._page_count - 1}")

    def _load_page(self, page: int) -> pymupdf.Page | None:
        """The MuPDF page, or None if the file is too damaged to load it (call under the lock).

        A damaged page tree or page object makes that one page blank, not the whole document
        unreadable: the other pages still show and their text still anchors.
        """
        try:
            return self._doc[page]
        except Exception:  # noqa: BLE001 - MuPDF raises FzErrorFormat & co. for bad objects
            log.info("page %d of %s cannot be loaded", page, self._path.name)
            return None

    def page_size(self, page: int) -> tuple[float, float]:
        """Width and height in points of the page as displayed (after its rotation)."""
        size = self._sizes.get(page)
        if size is None:
            self._check(page)
            with _MUPDF_LOCK:
                pg = self._load_page(page)
                r = pg.rect if pg is not None else None
            size = (float(r.width), float(r.height)) if r is not None else _FALLBACK_SIZE
            self._sizes[page] = size
        return size

    def too_complex(self, page: int) -> str:
        """Why the page is over the budget MuPDF may spend on it ("" when it is not); such
        a page gives no text and is drawn as a placeholder. Deterministic for the bytes."""
        verdict = self._weights.get(page)
        if verdict is None:
            self._check(page)
            verdict = ""
            if self._weigher is not None:
                with _MUPDF_LOCK:
                    verdict = self._weigher.over_budget(page)
            if verdict:
                log.info("page %d of %s is too complex: %s", page + 1, self._path.name, verdict)
            self._weights[page] = verdict
        return verdict

    def too_complex_pages(self) -> list[int]:
        """The pages left without text because they are over budget (weighed so far)."""
        return sorted(p for p, why in self._weights.items() if why)

    def page_rotation(self, page: int) -> int:
        self._check(page)
        with _MUPDF_LOCK:
            pg = self._load_page(page)
            return int(pg.rotation) if pg is not None else 0

    # -- outline and links -------------------------------------------------------------------

    def _dest_y(self, page: int, to: object) -> float:
        """A destination point of a link/outline → y in displayed points on `page`."""
        if not isinstance(to, pymupdf.Point) or not 0 <= page < self._page_count:
            return 0.0
        if to.x == 0 and to.y == 0:  # no position given: the top of the page
            return 0.0
        pg = self._load_page(page)
        if pg is None:
            return 0.0
        if self._doc.is_pdf:  # PDF destinations are in PDF space (bottom-up, unrotated)
            pt = to * pg.transformation_matrix * pg.rotation_matrix
        else:
            pt = to * pg.rotation_matrix
        height = float(pg.rect.height)
        return max(0.0, min(float(pt.y), height))

    def outline(self) -> list[OutlineItem]:
        """The bookmarks in reading order. MuPDF's outline is walked once, each entry's target
        taken as MuPDF resolved it (page, point): linear in the entries. (PyMuPDF's
        get_toc(simple=False) resolves every destination again, which grows with the square
        of the outline: 100,000 entries took 31 s; this takes ~1 s.)"""
        if self._outline is None:
            items: list[OutlineItem] = []
            try:
                self._walk_outline(items)
            except Exception:  # noqa: BLE001 - a broken outline is no (more) outline
                log.info("the outline of %s is damaged", self._path.name)
            self._outline = items
        return list(self._outline)

    @property
    def outline_ready(self) -> bool:
        """Whether outline() answers at once (a long outline is read on a clone elsewhere)."""
        return self._outline is not None

    def adopt_outline(self, items: list[OutlineItem]) -> None:
        """Take the outline a clone read (on a worker thread)."""
        if self._outline is None:
            self._outline = list(items)

    def _walk_outline(self, items: list[OutlineItem]) -> None:
        """Preorder walk; the MuPDF lock is taken per entry, so renders go in between."""
        rotations: dict[int, pymupdf.Matrix | None] = {}
        with _MUPDF_LOCK:
            # The root owns the whole tree (the entries are borrowed views of it), so it is
            # held until the walk ends. A document without outline has an empty root, whose
            # `next` PyMuPDF would follow into a null pointer.
            root = self._doc.outline
            if root is None or not root.this.m_internal:
                return
            stack: list[tuple[pymupdf.Outline | None, int]] = [(root, 1)]
        seen = 0
        while stack:
            with _MUPDF_LOCK:
                if self._closed:
                    break
                node, level = stack.pop()
                if node is None:
                    continue
                seen += 1
                if seen > _MAX_OUTLINE:  # a looping outline would go on for ever
                    break
                self._outline_entry(node, level, stack, rotations, items)
        with _MUPDF_LOCK:
            del stack, root

    def _outline_entry(
        self,
        node: pymupdf.Outline,
        level: int,
        stack: list[tuple[pymupdf.Outline | None, int]],
        rotations: dict[int, pymupdf.Matrix | None],
        items: list[OutlineItem],
    ) -> None:
        """One entry (call under the lock): its siblings and then its children go on the
        stack; its point is MuPDF's (top-left, unrotated), turned as the page is shown."""
        stack.append((node.next, level))
        stack.append((node.down, level + 1))
        page = node.page if isinstance(node.page, int) else -1
        if not 0 <= page < self._page_count:
            page = -1
        y = 0.0
        if page >= 0 and (node.x or node.y) and node.y == node.y:  # a point, and not NaN
            if page not in rotations:
                pg = self._load_page(page)
                rotations[page] = None if pg is None else pg.rotation_matrix
                if pg is not None:
                    self._sizes.setdefault(page, (float(pg.rect.width), float(pg.rect.height)))
            rot = rotations[page]
            if rot is not None:
                pt = pymupdf.Point(node.x, node.y) * rot
                y = max(0.0, min(float(pt.y), self.page_size(page)[1]))
        items.append(OutlineItem(level, _clean(node.title), page, y))

    def page_links(self, page: int) -> list[Link]:
        cached = self._links.get(page)
        if cached is not None:
            return list(cached)
        self._check(page)
        links: list[Link] = []
        with _MUPDF_LOCK:
            pg = self._load_page(page)
            try:
                found = pg.get_links() if pg is not None else []
            except Exception:  # noqa: BLE001 - damaged link annotations are no links
                log.info("links of page %d of %s unreadable", page, self._path.name)
                found = []
            for ln in found:
                r = ln.get("from")
                if r is None:
                    continue
                rect = Rect(float(r.x0), float(r.y0), float(r.x1), float(r.y1))
                kind = ln.get("kind")
                target = ln.get("page", -1)
                if kind in (pymupdf.LINK_GOTO, pymupdf.LINK_NAMED) and isinstance(target, int):
                    if 0 <= target < self._page_count:
                        links.append(Link(rect, target, self._dest_y(target, ln.get("to"))))
                elif kind == pymupdf.LINK_URI and ln.get("uri"):
                    uri = str(ln["uri"])
                    if uri.startswith("#"):  # same-document fragment MuPDF could not resolve
                        continue
                    links.append(Link(rect, uri=uri))
        self._links[page] = links
        return list(links)

    # -- text -----------------------------------------------------------------------------------

    def _layer(self, page: int, *, with_chars: bool) -> _PageTextLayer:
        layer = self._layers.get(page)
        if layer is not None and (layer.chars is not None or not with_chars):
            return layer
        self._check(page)
        heavy = bool(self.too_complex(page))
        with _MUPDF_LOCK:
            pg = self._load_page(page)
            rot = pg.rotation_matrix if pg is not None else pymupdf.Identity
            try:
                if pg is None or heavy:
                    data = {}
                elif with_chars:
                    data = pg.get_text("rawdict", flags=_TEXT_FLAGS)
                else:
                    data = pg.get_text("dict", flags=_TEXT_FLAGS)
            except Exception:  # noqa: BLE001 - a damaged content stream: a page without text
                log.info("text of page %d of %s unreadable", page, self._path.name)
                data = {}
        text, chars = _text_of(data, rot, with_chars)
        if layer is not None and layer.text != text:
            # Never seen (both come from the same structured text); keep the text already
            # handed out as the coordinate system and give up on its boxes rather than lie.
            text = layer.text
            chars = [Char(i, _NO_RECT) for i in range(len(text))]
        layer = _PageTextLayer(text, chars if with_chars else None)
        self._layers[page] = layer
        return layer

    def page_text(self, page: int) -> str:
        return self._layer(page, with_chars=False).text

    def page_chars(self, page: int) -> list[Char]:
        """One Char per character of page_text(page), same order; separators have empty boxes."""
        chars = self._layer(page, with_chars=True).chars
        assert chars is not None
        return chars

    def has_text_layer(self, page: int) -> bool:
        known = self._has_text.get(page)
        if known is None:
            known = bool(self.page_text(page).strip())
            self._has_text[page] = known
        return known

    # -- OCR ------------------------------------------------------------------------------------

    @property
    def ocr_pages(self) -> list[int]:
        """Pages (0-based) whose text was read from their image by OCR."""
        return sorted(self._ocr)

    def pages_needing_ocr(self) -> list[int]:
        """Pages with no text layer but with an image on them: a scan or a photograph."""
        return [page for page in range(self._page_count) if self.page_needs_ocr(page)]

    def page_needs_ocr(self, page: int) -> bool:
        """A PDF page with no text layer and an image: what a scanner or a camera makes.
        (Comic books and e-books are not scans: their picture pages are left alone.)"""
        if not self.is_pdf or page in self._ocr or self.has_text_layer(page):
            return False
        if self.too_complex(page):
            return False  # rendering it for Tesseract is what the budget forbids
        with _MUPDF_LOCK:
            pg = self._load_page(page)
            if pg is None:
                return False
            try:
                return bool(pg.get_images(full=False))
            except Exception:  # noqa: BLE001 - a damaged resource dictionary: no image
                return False

    def read_ocr(
        self, pages: list[int], progress=None, cancel=None
    ) -> tuple[dict[int, dict], list[int]] | None:
        """OCR of `pages`: ({page: {"language", "text", "chars"}}, pages that could not be
        read), or None once `cancel` is set. `chars` is [[offset, x0, y0, x1, y1], ...] for
        page_chars. Raises DocumentError when Tesseract or its language data is missing."""
        tessdata, language = ocr_setup()
        read: dict[int, dict] = {}
        failed: list[int] = []
        for i, page in enumerate(pages):
            if cancel is not None and cancel.is_set():
                return None
            self._check(page)
            with _MUPDF_LOCK:
                pg = self._load_page(page)
                try:
                    if pg is None:
                        raise ValueError("page cannot be loaded")
                    textpage = pg.get_textpage_ocr(
                        flags=_TEXT_FLAGS,
                        language=language,
                        dpi=OCR_DPI,
                        full=True,
                        tessdata=tessdata,
                    )
                    data = pg.get_text("rawdict", flags=_TEXT_FLAGS, textpage=textpage)
                    rot = pg.rotation_matrix
                except Exception as err:  # noqa: BLE001 - a page MuPDF cannot render
                    log.info("OCR of page %d of %s failed: %s", page, self._path.name, err)
                    data, rot = None, None
            text, chars = _text_of(data, rot, True) if data is not None else ("", [])
            if text.strip():
                read[page] = {
                    "language": language,
                    "text": text,
                    # A tenth of a point is finer than any highlight needs, and keeps the
                    # stored boxes (JSON in the library) to ~25 bytes a character.
                    "chars": [
                        [c.offset, *(round(v, 1) for v in (r.x0, r.y0, r.x1, r.y1))]
                        for c in chars
                        for r in (c.rect,)
                    ],
                }
            else:
                failed.append(page)
            if progress is not None:
                progress(i + 1, len(pages))
        return read, failed

    def adopt_ocr(self, pages: dict[int, dict]) -> None:
        """Use OCR text (from read_ocr, here or on a clone, or kept in the library) for pages
        without a text layer. The document text is rebuilt on next use."""
        for page, got in pages.items():
            if not 0 <= page < self._page_count or self.has_text_layer(page):
                continue
            chars = [Char(int(c[0]), Rect(c[1], c[2], c[3], c[4])) for c in got["chars"]]
            self._layers[page] = _PageTextLayer(got["text"], chars)
            self._has_text[page] = True
            self._ocr.add(page)
        self._text = None
        self._offsets = []

    def _offsets_upto(self, page: int) -> list[int]:
        """Offsets of pages 0..page in the document text (computed as far as needed)."""
        offsets = self._offsets
        while len(offsets) <= page:
            prev = len(offsets) - 1
            offsets.append(0 if prev < 0 else offsets[prev] + len(self.page_text(prev)) + 2)
        return offsets

    @property
    def text(self) -> str:
        """The normalized text (computed on first use: page texts joined by a blank line)."""
        if self._text is None:
            self._offsets_upto(self._page_count - 1)
            self._text = "\n\n".join(self.page_text(p) for p in range(self._page_count))
        return self._text

    @property
    def text_ready(self) -> bool:
        return self._text is not None

    def read_page_texts(self, progress=None, cancel=None) -> list[str] | None:
        """Every page's text; meant for a clone() on a worker thread. The MuPDF lock is taken
        per page, so the UI thread's renders go in between."""
        total = self._page_count
        texts: list[str] = []
        for page in range(total):
            if cancel is not None and cancel.is_set():
                return None
            texts.append(self.page_text(page))
            if progress is not None:
                progress(page + 1, total)
        return texts

    def adopt_page_texts(self, texts: list[str]) -> None:
        if len(texts) != self._page_count:
            raise ValueError(f"{len(texts)} page texts for {self._page_count} pages")
        if self._text is not None:
            return
        # A handle cloned before OCR text was adopted read those pages as empty.
        texts = [self._layers[p].text if p in self._ocr else t for p, t in enumerate(texts)]
        for page, text in enumerate(texts):
            known = self._layers.get(page)
            if known is None:
                self._layers[page] = _PageTextLayer(text, None)
            elif known.text != text:  # never seen: both come from the same file and code
                raise ValueError(f"page {page + 1} reads differently on the second handle")
        offsets, at = [], 0
        for text in texts:
            offsets.append(at)
            at += len(text) + 2
        self._offsets = offsets
        self._text = "\n\n".join(texts)

    def page_text_offset(self, page: int) -> int:
        self._check(page)
        return self._offsets_upto(page)[page]

    def page_at_offset(self, offset: int) -> int:
        """The page whose text (or the separator after it) contains `offset`."""
        offsets = self._offsets_upto(self._page_count - 1)
        return max(0, bisect_right(offsets, offset) - 1)

    # -- search ---------------------------------------------------------------------------------

    @staticmethod
    def _fold(s: str) -> str:
        """Case- and whitespace-folded, the same length as `s` (so offsets carry over)."""
        out = []
        for c in s:
            if c.isspace():
                out.append(" ")
                continue
            low = c.lower()
            out.append(low if len(low) == 1 else c)
        return "".join(out)

    def search_text(self, page: int, needle: str) -> list[tuple[int, int]]:
        """(start, end) ranges in page_text(page) where `needle` occurs, ignoring case and
        treating any run of whitespace in the needle as one space or line break."""
        words = self._fold(needle).split()
        if not words:
            return []
        hay = self._fold(self.page_text(page))
        pattern = re.compile(r"\s+".join(re.escape(w) for w in words))
        return [(m.start(), m.end()) for m in pattern.finditer(hay) if m.end() > m.start()]

    def range_rects(self, page: int, start: int, end: int) -> list[Rect]:
        """One rectangle per text line covered by page_text(page)[start:end]."""
        chars = self.page_chars(page)
        rects: list[Rect] = []
        cur: list[float] | None = None
        for ch in chars[max(0, start) : max(0, end)]:
            r = ch.rect
            if r.x1 <= r.x0 and r.y1 <= r.y0:  # line separator
                if cur is not None:
                    rects.append(Rect(*cur))
                    cur = None
                continue
            if cur is None:
                cur = [r.x0, r.y0, r.x1, r.y1]
            else:
                cur = [min(cur[0], r.x0), min(cur[1], r.y0), max(cur[2], r.x1), max(cur[3], r.y1)]
        if cur is not None:
            rects.append(Rect(*cur))
        return rects

    def search_page(self, page: int, needle: str) -> list[list[Rect]]:
        """Rectangles of each hit of `needle` on the page (one list per hit, one rect a line)."""
        return [self.range_rects(page, s, e) for s, e in self.search_text(page, needle)]

    # -- rendering ------------------------------------------------------------------------------

    def render(self, page: int, scale: float) -> tuple[int, int, int, memoryview]:
        """(width, height, stride, RGB888 samples) of the page at `scale` pixels per point.

        The samples are MuPDF's own pixmap memory, not a copy: a read-only byte buffer that
        keeps the pixmap alive for as long as it (or a view of it) is referenced. Dropping
        it frees the pixmap outside the lock, as any pymupdf object is freed; that is safe
        because MuPDF only runs while its caller holds the GIL.

        The same pixels as ``page.get_pixmap(matrix=Matrix(scale, scale))`` (RGB, no alpha,
        white background, annotations included), but the page is run straight into the draw
        device instead of being recorded into a display list and played back: one pass less.
        """
        self._check(page)
        why = self.too_complex(page)
        if why:
            raise PageTooComplex(f"{TOO_COMPLEX} ({why}).")
        with _MUPDF_LOCK:
            pg = self._doc[page]
            fz_page = pg.this
            ctm = _mupdf.FzMatrix(scale, 0.0, 0.0, scale, 0.0, 0.0)
            bbox = _mupdf.fz_round_rect(
                _mupdf.fz_transform_rect(_mupdf.fz_bound_page(fz_page), ctm)
            )
            pix = _mupdf.fz_new_pixmap_with_bbox(_mupdf.fz_device_rgb(), bbox, _NO_SEPS, 0)
            _mupdf.fz_clear_pixmap_with_value(pix, 0xFF)
            dev = _mupdf.fz_new_draw_device(ctm, pix)
            _mupdf.fz_run_page(fz_page, dev, _mupdf.FzMatrix(), _mupdf.FzCookie())
            _mupdf.fz_close_device(dev)
            del dev, fz_page, pg
            width = _mupdf.fz_pixmap_width(pix)
            height = _mupdf.fz_pixmap_height(pix)
            stride = _mupdf.fz_pixmap_stride(pix)
            return width, height, stride, _pixmap_samples(pix, stride * height)

    def close(self) -> None:
        if not self._closed:
            self._closed = True
            with _MUPDF_LOCK:
                self._doc.close()

    def __enter__(self) -> PdfDocument:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"<PdfDocument {self.kind.value} {self._path.name!r} pages={self._page_count}>"
