"""The paged backend against the real corpus: every PDF opens or fails with one sentence."""

from __future__ import annotations

import csv
import hashlib
import zipfile
from pathlib import Path

import pytest

from reader.documents.base import DocumentError, PagedBackend, PasswordRequired
from reader.documents.pdf import PdfDocument, open_paged
from reader.model import DocumentKind

PDF_DIR = Path(__file__).resolve().parents[2] / "shared" / "corpus" / "pdf"


def _manifest() -> dict[str, dict[str, str]]:
    with (PDF_DIR / "manifest.tsv").open(encoding="utf-8", newline="") as fh:
        return {row["file"]: row for row in csv.DictReader(fh, delimiter="\t")}


MANIFEST = _manifest()
PASSWORD = "openpassword"
ENCRYPTED = "libreoffice-writer-password.pdf"
BROKEN = "unreadablemetadata.pdf"
TEXTLESS = [
    "imagemagick-images.pdf",
    "imagemagick-CCITTFaxDecode.pdf",
    "grayscale-image.pdf",
    "cmyk-image.pdf",
]


def corpus(name: str) -> Path:
    return PDF_DIR / name


@pytest.fixture(scope="module")
def geotopo():
    doc = open_paged(corpus("GeoTopo-komprimiert.pdf"))
    yield doc
    doc.close()


def _one_sentence(message: str) -> None:
    assert message.endswith(".")
    assert "\n" not in message
    assert "Traceback" not in message


# -- every file in the corpus ------------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_corpus_file_opens_or_fails_with_a_sentence(name: str) -> None:
    path = corpus(name)
    row = MANIFEST[name]
    if name == ENCRYPTED:
        with pytest.raises(PasswordRequired) as err:
            open_paged(path)
        assert not err.value.wrong_password
        assert "encrypted" in str(err.value) and "password" in str(err.value)
        _one_sentence(str(err.value))
        doc = open_paged(path, PASSWORD)
    elif name == BROKEN:
        with pytest.raises(DocumentError) as err:
            open_paged(path)
        message = str(err.value)
        _one_sentence(message)
        assert name in message and "no pages" in message and "damaged" in message
        return
    else:
        doc = open_paged(path)
    with doc:
        assert isinstance(doc, PagedBackend)
        assert doc.kind is DocumentKind.PDF
        assert doc.page_count == int(row["pages"])
        assert doc.sha256 == row["sha256"] == hashlib.sha256(path.read_bytes()).hexdigest()
        assert doc.metadata.title  # falls back to the file name
        assert doc.source == str(path)
        text = doc.text
        assert text == doc.text  # deterministic
        if row["text_chars_all_pages"]:  # empty for the encrypted file: not measured
            assert bool(text.strip()) == (int(row["text_chars_all_pages"]) > 0)
        for page in range(doc.page_count):
            w, h = doc.page_size(page)
            assert w > 0 and h > 0
            page_text = doc.page_text(page)
            start = doc.page_text_offset(page)
            assert text[start : start + len(page_text)] == page_text


def test_wrong_password_says_so() -> None:
    with pytest.raises(PasswordRequired) as err:
        open_paged(corpus(ENCRYPTED), "not-the-password")
    assert err.value.wrong_password
    assert "wrong" in str(err.value)
    _one_sentence(str(err.value))


def test_encrypted_with_password_reads_text() -> None:
    with open_paged(corpus(ENCRYPTED), PASSWORD) as doc:
        assert "Lorem" in doc.text or len(doc.text) > 100


def test_missing_file_and_non_document(tmp_path: Path) -> None:
    with pytest.raises(DocumentError, match="does not exist"):
        open_paged(tmp_path / "nope.pdf")
    junk = tmp_path / "junk.pdf"
    junk.write_text("this is not a PDF at all")
    with pytest.raises(DocumentError) as err:
        open_paged(junk)
    _one_sentence(str(err.value))
    bad_pdf = tmp_path / "bad.pdf"
    bad_pdf.write_bytes(b"%PDF-1.4\nthis is garbage\n")
    with pytest.raises(DocumentError) as err:
        open_paged(bad_pdf)
    _one_sentence(str(err.value))
    empty = tmp_path / "empty.pdf"
    empty.write_bytes(b"")
    with pytest.raises(DocumentError, match="empty"):
        open_paged(empty)


def test_mupdf_stays_quiet_on_stderr(capfd: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(DocumentError):
        open_paged(corpus(BROKEN))
    with open_paged(corpus("imagemagick-images.pdf")) as doc:
        doc.render(0, 0.5)
    out, err = capfd.readouterr()
    assert err == "" and out == ""


# -- text layer ------------------------------------------------------------------------------


@pytest.mark.parametrize("name", TEXTLESS)
def test_textless_pages_report_no_text_layer(name: str) -> None:
    with open_paged(corpus(name)) as doc:
        for page in range(doc.page_count):
            assert not doc.has_text_layer(page)
            assert doc.page_chars(page) == []
            assert doc.page_text(page) == ""


@pytest.mark.parametrize(
    "name",
    [
        "GeoTopo-komprimiert.pdf",
        "multicolumn.pdf",
        "habibi.pdf",
        "habibi-rotated.pdf",
        "minimal-document.pdf",
        "pdflatex-4-pages.pdf",
        "google-doc-document.pdf",
    ],
)
def test_page_chars_align_with_page_text(name: str) -> None:
    with open_paged(corpus(name)) as doc:
        for page in range(doc.page_count):
            text = doc.page_text(page)
            chars = doc.page_chars(page)
            assert len(chars) == len(text)
            assert [c.offset for c in chars] == list(range(len(text)))
            assert doc.has_text_layer(page) == bool(text)
            pw, ph = doc.page_size(page)
            for i, ch in enumerate(chars):
                r = ch.rect
                if text[i] == "\n":
                    assert r.x0 == r.x1 == r.y0 == r.y1 == 0
                else:
                    # boxes are on the page as displayed (after rotation)
                    assert -1 <= r.x0 <= r.x1 <= pw + 1, (page, i, r)
                    assert -1 <= r.y0 <= r.y1 <= ph + 1, (page, i, r)
            # no line starts or ends with whitespace; no empty lines
            for line in text.split("\n"):
                assert line and line == line.strip()


def test_document_text_joins_pages_with_a_blank_line(geotopo: PdfDocument) -> None:
    text = geotopo.text
    assert text == "\n\n".join(geotopo.page_text(p) for p in range(geotopo.page_count))
    assert geotopo.page_text_offset(0) == 0
    p5 = geotopo.page_text_offset(5)
    assert text[p5 - 2 : p5] == "\n\n"
    assert geotopo.page_at_offset(p5) == 5
    assert geotopo.page_at_offset(p5 - 1) == 4


def test_multicolumn_reads_column_by_column() -> None:
    with open_paged(corpus("multicolumn.pdf")) as doc:
        text = doc.page_text(0)
    left_column_end = text.index("Nulla malesuada porttitor diam")
    right_column_start = text.index("pellentesque ante. Phasellus adipiscing")
    assert text.index("Lorem ipsum dolor sit amet, consectetuer") < left_column_end
    assert left_column_end < right_column_start


def test_arabic_text_is_logical_order() -> None:
    with open_paged(corpus("habibi.pdf")) as doc:
        text = doc.text
    assert "حَبيبي" in text
    assert "habibi" in text


def test_rotated_pages_sizes_render_and_text() -> None:
    with open_paged(corpus("habibi-rotated.pdf")) as doc:
        expected_rotation = [90, 180, 270, 0]
        for page, rot in enumerate(expected_rotation):
            assert doc.page_rotation(page) == rot
            w, h = doc.page_size(page)
            if rot in (90, 270):
                assert w > h
            else:
                assert h > w
            rw, rh, stride, samples = doc.render(page, 0.5)
            assert (rw, rh) == (round(w * 0.5), round(h * 0.5)) or (
                abs(rw - w * 0.5) <= 1 and abs(rh - h * 0.5) <= 1
            )
            assert stride >= rw * 3
            assert len(samples) == stride * rh
            assert "habibi" in doc.page_text(page)
        # the same word sits at a different place on each rotated page
        boxes = set()
        for page in range(4):
            hit = doc.search_page(page, "habibi")
            assert len(hit) == 1
            r = hit[0][0]
            boxes.add((round(r.x0), round(r.y0)))
            w, h = doc.page_size(page)
            assert 0 <= r.x0 < r.x1 <= w and 0 <= r.y0 < r.y1 <= h
        assert len(boxes) == 4


def test_render_size_and_format() -> None:
    with open_paged(corpus("minimal-document.pdf")) as doc:
        w, h = doc.page_size(0)
        rw, rh, stride, samples = doc.render(0, 2.0)
        assert abs(rw - w * 2) <= 1 and abs(rh - h * 2) <= 1
        assert len(samples) == stride * rh
        # a white page with black text: mostly white, some dark
        assert samples[:3] == b"\xff\xff\xff"
        assert min(samples) < 100


@pytest.mark.parametrize(
    "name",
    [
        "GeoTopo-komprimiert.pdf",  # text, figures
        "habibi-rotated.pdf",  # /Rotate 90, 180, 270, 0
        "annotated_pdf.pdf",  # annotations are drawn
        "libreoffice-form.pdf",  # form fields are drawn
        "cmyk-image.pdf",  # colour conversion
        "google-doc-document.pdf",
    ],
)
def test_render_gives_exactly_the_pixels_of_get_pixmap(name: str) -> None:
    """The backend runs the page straight into MuPDF's draw device (no display list, no copy
    of the samples): what the user sees must be what pymupdf's get_pixmap draws."""
    import pymupdf

    with open_paged(corpus(name)) as doc, pymupdf.open(corpus(name)) as ref:
        for page in range(min(4, doc.page_count)):
            for scale in (0.5, 1.3333, 2.6667):
                w, h, stride, samples = doc.render(page, scale)
                pix = ref[page].get_pixmap(matrix=pymupdf.Matrix(scale, scale))
                assert (w, h, stride) == (pix.width, pix.height, pix.stride)
                assert bytes(samples) == pix.samples, (name, page, scale)


def test_rendered_samples_stay_valid_while_referenced() -> None:
    """The samples are MuPDF's own memory, lent without a copy: they must stay readable and
    unchanged for as long as they are referenced, whatever is rendered or closed after."""
    import gc

    doc = open_paged(corpus("GeoTopo-komprimiert.pdf"))
    w, h, stride, samples = doc.render(3, 1.0)
    expected = bytes(samples)
    part = samples[stride * 10 : stride * 11]  # a view of one row keeps the memory too
    del samples
    gc.collect()
    for page in range(10):
        doc.render(page, 1.0)
    doc.close()
    gc.collect()
    assert bytes(part) == expected[stride * 10 : stride * 11]
    assert part.readonly
    with pytest.raises(TypeError):
        part[0] = 0


# -- outline, links, search --------------------------------------------------------------------


def test_geotopo_outline(geotopo: PdfDocument) -> None:
    items = geotopo.outline()
    assert len(items) == 35
    first = items[0]
    assert first.title == "1 Topologische Grundbegriffe"
    assert (first.level, first.page) == (1, 5)
    assert items[1].title == "1.1 Topologische Räume" and items[1].level == 2
    for item in items:
        assert 0 <= item.page < geotopo.page_count
        assert 0 <= item.y <= geotopo.page_size(item.page)[1]
    # "1.2 Metrische Räume" on page 10: the heading's text is near the outline's y
    item = next(i for i in items if i.title == "1.2 Metrische Räume")
    hits = geotopo.search_page(item.page, "Metrische Räume")
    assert hits
    assert any(abs(rects[0].y0 - item.y) < 30 for rects in hits)


def test_pdflatex_outline_links() -> None:
    with open_paged(corpus("pdflatex-outline.pdf")) as doc:
        links = doc.page_links(0)
        assert len(links) == 9
        assert all(link.page >= 0 and not link.uri for link in links)
        first = links[0]
        assert first.page == 1
        # it points at the "1 Foo" heading at the top of page 2
        heading = doc.search_page(1, "Foo")[0][0]
        assert abs(heading.y0 - first.y) < 5
        assert doc.outline()[0].title == "Foo" and doc.outline()[0].page == 1
        assert abs(doc.outline()[0].y - first.y) < 1


def test_external_link() -> None:
    with open_paged(corpus("libre-office-link.pdf")) as doc:
        links = doc.page_links(0)
        assert [link.uri for link in links] == ["https://martin-thoma.com/"]
        assert links[0].page == -1
        r = links[0].rect
        assert r.x1 > r.x0 and r.y1 > r.y0


def test_geotopo_has_its_links(geotopo: PdfDocument) -> None:
    total = sum(len(geotopo.page_links(p)) for p in range(geotopo.page_count))
    assert total >= 500


def test_search_finds_words(geotopo: PdfDocument) -> None:
    hits = geotopo.search_page(5, "topologische")
    assert hits  # case-insensitive
    text = geotopo.page_text(5).lower()
    assert len(hits) == text.count("topologische")
    with open_paged(corpus("minimal-document.pdf")) as doc:
        # a needle spanning a line break (any whitespace matches)
        text = doc.page_text(0)
        first_break = text.index("\n")
        before = text[:first_break].split()[-1]
        after = text[first_break + 1 :].split()[0]
        hits = doc.search_page(0, f"{before} {after}")
        assert len(hits) >= 1 and len(hits[0]) == 2  # one rect per line
        assert doc.search_page(0, "no such phrase anywhere") == []
        assert doc.search_page(0, "   ") == []


def test_clone_is_an_independent_handle() -> None:
    doc = open_paged(corpus("pdflatex-4-pages.pdf"))
    other = doc.clone()
    doc.close()
    assert other.render(1, 0.25)[0] > 0
    assert other.page_text(1)
    other.close()


# -- other formats MuPDF reads -----------------------------------------------------------------


def _png_bytes() -> bytes:
    import pymupdf

    pix = pymupdf.Pixmap(pymupdf.csRGB, pymupdf.IRect(0, 0, 40, 60), False)
    pix.clear_with(180)
    return pix.tobytes("png")


def _write_epub(path: Path) -> None:
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("mimetype", "application/epub+zip", compress_type=zipfile.ZIP_STORED)
        zf.writestr(
            "META-INF/container.xml",
            '<?xml version="1.0"?><container version="1.0" '
            'xmlns="urn:oasis:names:tc:opendocument:xmlns:container"><rootfiles>'
            '<rootfile full-path="OEBPS/content.opf" '
            'media-type="application/oebps-package+xml"/></rootfiles></container>',
        )
        zf.writestr(
            "OEBPS/content.opf",
            '<?xml version="1.0"?><package xmlns="http://www.idpf.org/2007/opf" version="2.0" '
            'unique-identifier="id"><metadata xmlns:dc="http://purl.org/dc/elements/1.1/">'
            "<dc:title>Tiny Book</dc:title><dc:creator>Ann Author</dc:creator>"
            '<dc:identifier id="id">x</dc:identifier></metadata><manifest>'
            '<item id="c1" href="c1.xhtml" media-type="application/xhtml+xml"/></manifest>'
            '<spine><itemref idref="c1"/></spine></package>',
        )
        zf.writestr(
            "OEBPS/c1.xhtml",
            '<?xml version="1.0"?><html xmlns="http://www.w3.org/1999/xhtml"><head>'
            "<title>C1</title></head><body><h1>Chapter One</h1>"
            "<p>The quick brown fox jumps over the lazy dog.</p></body></html>",
        )


def test_epub_opens_as_epub(tmp_path: Path) -> None:
    path = tmp_path / "book.epub"
    _write_epub(path)
    with open_paged(path) as doc:
        assert doc.kind is DocumentKind.EPUB
        assert doc.metadata.title == "Tiny Book"
        assert doc.metadata.author == "Ann Author"
        assert "The quick brown fox jumps over the lazy dog." in doc.text
        assert len(doc.page_chars(0)) == len(doc.page_text(0))
        w, h, _stride, _samples = doc.render(0, 0.5)
        assert w > 0 and h > 0


def test_cbz_opens_as_cbz(tmp_path: Path) -> None:
    path = tmp_path / "comic.cbz"
    with zipfile.ZipFile(path, "w") as zf:
        zf.writestr("001.png", _png_bytes())
        zf.writestr("002.png", _png_bytes())
    with open_paged(path) as doc:
        assert doc.kind is DocumentKind.CBZ
        assert doc.page_count == 2
        assert doc.metadata.title == "comic"
        assert not doc.has_text_layer(0)
        assert doc.render(1, 1.0)[0] > 0


def test_fb2_opens_as_fb2(tmp_path: Path) -> None:
    path = tmp_path / "tale.fb2"
    path.write_text(
        '<?xml version="1.0" encoding="utf-8"?>'
        '<FictionBook xmlns="http://www.gribuser.ru/xml/fictionbook/2.0"><description>'
        "<title-info><book-title>Fb Book</book-title></title-info></description>"
        "<body><section><title><p>Part</p></title><p>Hello from FictionBook.</p>"
        "</section></body></FictionBook>",
        encoding="utf-8",
    )
    with open_paged(path) as doc:
        assert doc.kind is DocumentKind.FB2
        assert "Hello from FictionBook." in doc.text
        assert doc.outline()[0].title == "Part"


def test_pdf_converted_from_epub_is_a_pdf(tmp_path: Path) -> None:
    import pymupdf

    epub = tmp_path / "book.epub"
    _write_epub(epub)
    src = pymupdf.open(epub)
    pdf = tmp_path / "book.pdf"
    pdf.write_bytes(src.convert_to_pdf())
    src.close()
    with open_paged(pdf) as doc:
        assert doc.kind is DocumentKind.PDF
        assert "quick brown fox" in doc.text


def test_render_from_another_thread_while_reading_text() -> None:
    import threading

    doc = open_paged(corpus("GeoTopo-komprimiert.pdf"))
    sizes: list[tuple[int, int]] = []
    errors: list[BaseException] = []

    def render_pages() -> None:
        try:
            for page in range(10):
                w, h, _stride, _samples = doc.render(page, 0.5)
                sizes.append((w, h))
        except BaseException as err:  # noqa: BLE001 - reported below
            errors.append(err)

    worker = threading.Thread(target=render_pages)
    worker.start()
    texts = [doc.page_text(p) for p in range(10, 40)]
    worker.join(timeout=60)
    doc.close()
    assert not errors
    assert len(sizes) == 10 and all(w > 0 and h > 0 for w, h in sizes)
    assert all(isinstance(t, str) for t in texts)
