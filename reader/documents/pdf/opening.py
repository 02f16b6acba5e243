"""Opening a paged file: which format it is, whether it is safe to hand to MuPDF (zip bombs,
page trees that lie), its password, and MuPDF's handle on it."""

from __future__ import annotations

import zipfile
from pathlib import Path

import pymupdf

from reader.documents.base import DocumentError, PasswordRequired
from reader.documents.pdf.context import MUPDF_LOCK, load_page
from reader.model import KIND_BY_SUFFIX, DocumentKind

# A zip container (EPUB, XPS, CBZ, zipped FB2) whose entries unpack to more than this, at more
# than _MAX_ZIP_RATIO times the file's size, is a zip bomb: MuPDF would inflate it all into memory.
_MAX_ZIP_UNPACKED = 64 * 1024 * 1024
_MAX_ZIP_RATIO = 100
_ZIP_KINDS = (DocumentKind.EPUB, DocumentKind.XPS, DocumentKind.CBZ, DocumentKind.FB2)
# A page needs at least an object of ~40 bytes: a page tree claiming more pages than that
# allows (2,147,483,647 from a 1 KB file) is lying, and MuPDF would walk or allocate for it.
_MIN_PAGE_BYTES = 40

_FILETYPES = {
    DocumentKind.PDF: "pdf",
    DocumentKind.EPUB: "epub",
    DocumentKind.XPS: "xps",
    DocumentKind.FB2: "fb2",
    DocumentKind.MOBI: "mobi",
    DocumentKind.CBZ: "cbz",
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
    by_name = KIND_BY_SUFFIX.get(path.suffix.lower())
    return by_name if by_name is not None and by_name.paged else None


def check_zip_size(path: Path, size: int) -> None:
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


def check_file(path: Path) -> tuple[DocumentKind, int]:
    """The paged kind of the file and its size in bytes; DocumentError with one sentence for a
    file that is missing, a folder, empty, no paged document, or a zip bomb."""
    name = path.name
    if not path.exists():
        raise DocumentError(f"{name} cannot be opened: the file does not exist.")
    if path.is_dir():
        raise DocumentError(f"{name} cannot be opened: it is a folder, not a file.")
    try:
        size = path.stat().st_size
    except OSError as err:
        raise DocumentError(f"{name} cannot be opened: {err.strerror or err}.") from None
    if size == 0:
        raise DocumentError(f"{name} cannot be read: the file is empty.")
    kind = sniff_kind(path)
    if kind is None:
        raise DocumentError(
            f"{name} is not a document Claim Reader can open as pages "
            "(PDF, EPUB, XPS, FB2, MOBI or CBZ)."
        )
    if kind in _ZIP_KINDS:
        check_zip_size(path, size)
    return kind, size


def open_handle(path: Path, kind: DocumentKind, password: str | None) -> pymupdf.Document:
    """MuPDF's handle on the file, authenticated; DocumentError (PasswordRequired when the
    password is missing or wrong) with one sentence."""
    name = path.name
    with MUPDF_LOCK:
        try:
            doc = pymupdf.open(path, filetype=_FILETYPES[kind])
        except pymupdf.EmptyFileError:
            raise DocumentError(f"{name} cannot be read: the file is empty.") from None
        except (pymupdf.FileNotFoundError, FileNotFoundError):
            raise DocumentError(f"{name} cannot be opened: the file does not exist.") from None
        except PermissionError:
            raise DocumentError(f"{name} cannot be opened: permission denied.") from None
        except Exception:  # noqa: BLE001 - MuPDF raises plain RuntimeErrors for bad data
            raise DocumentError(
                f"{name} cannot be read: it is not a valid {kind.value.upper()} file "
                "or it is damaged."
            ) from None
        if doc.needs_pass:
            if not password:
                doc.close()
                raise PasswordRequired(f"{name} is encrypted; enter its password.")
            if not doc.authenticate(password):
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


def count_pages(doc: pymupdf.Document, name: str, size: int) -> int:
    """The document's page count once its page tree is believable and a page loads; else the
    handle is closed and DocumentError says why in one sentence."""
    try:
        count = doc.page_count
    except Exception:  # noqa: BLE001 - MuPDF refuses a page tree it cannot count
        doc.close()
        raise DocumentError(
            f"{name} cannot be read: its list of pages is damaged or made to mislead."
        ) from None
    if doc.is_pdf and count > max(1, size // _MIN_PAGE_BYTES):
        doc.close()
        raise DocumentError(
            f"{name} cannot be read: it claims {count:,} pages, more than a file of "
            f"{size:,} bytes can hold (its list of pages is damaged or made to mislead)."
        )
    if count == 0:
        doc.close()
        raise DocumentError(f"{name} cannot be read: it has no pages (the file is damaged).")
    with MUPDF_LOCK:
        # Stops at the first page that loads: one call for any file that is not damaged.
        readable = any(load_page(doc, i, name) is not None for i in range(count))
    if not readable:
        doc.close()
        raise DocumentError(
            f"{name} cannot be read: none of its pages can be loaded (the file is damaged)."
        )
    return count
