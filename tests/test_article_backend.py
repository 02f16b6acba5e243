"""The article backend: saved pages, plain text and Markdown → blocks with consistent offsets."""

from __future__ import annotations

import random
import subprocess
import sys
from pathlib import Path

import pytest

from reader.documents.article import ArticleDocument, load_article
from reader.documents.base import DocumentError
from reader.documents.blocks import blocks_from_html, blocks_from_text, join_blocks
from reader.documents.decode import decode_html, decode_text
from reader.model import DocumentKind

ROOT = Path(__file__).resolve().parents[1]
CORPUS = ROOT.parent / "shared" / "corpus"
READABILITY = CORPUS / "html" / "readability"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"
needs_corpus = pytest.mark.skipif(not CORPUS.is_dir(), reason=f"no shared corpus at {CORPUS}")


def _assert_consistent(doc: ArticleDocument) -> None:
    text = doc.text
    assert text == join_blocks(doc.blocks)
    offset = 0
    for block in doc.blocks:
        offset += len(block.sep)
        assert block.start == offset
        assert text[block.start : block.start + len(block.text)] == block.text
        assert block.text and block.text == block.text.strip()
        if block.kind != "pre":
            assert "  " not in block.text and "\n" not in block.text
        for span in block.spans:
            assert 0 <= span.start < span.end <= len(block.text)
        offset += len(block.text)
    assert offset == len(text)


@pytest.fixture(scope="module")
def pages() -> dict[str, ArticleDocument]:
    names = ["bbc-1", "keep-tabular-data", "lemonde-1", "ietf-1", "qq", "medium-1"]
    return {
        name: load_article(
            (READABILITY / name / "source.html").read_bytes(),
            DocumentKind.HTML,
            str(READABILITY / name / "source.html"),
            url=f"https://example.org/{name}/article.html",
        )
        for name in names
    }


@needs_corpus
def test_corpus_pages_blocks_and_offsets(pages: dict[str, ArticleDocument]) -> None:
    for name, doc in pages.items():
        assert doc.blocks, name
        assert doc.page_count == 0
        assert doc.kind is DocumentKind.HTML
        _assert_consistent(doc)


@needs_corpus
def test_corpus_pages_keep_structure(pages: dict[str, ArticleDocument]) -> None:
    kinds = {name: {b.kind for b in doc.blocks} for name, doc in pages.items()}
    assert "h2" in kinds["lemonde-1"]
    assert "li" in kinds["medium-1"] and "li" in kinds["bbc-1"]
    assert "pre" in kinds["ietf-1"]
    assert {"td", "th"} & kinds["keep-tabular-data"]
    for block in pages["medium-1"].blocks:
        if block.kind == "li":
            assert block.ordinal and block.ordinal not in block.text
    cells = [b for b in pages["keep-tabular-data"].blocks if b.kind in ("td", "th")]
    assert all(b.table >= 0 and b.row >= 0 and b.col >= 0 for b in cells)
    assert any(b.sep == "\t" for b in cells) and any(b.sep == "\n" for b in cells)
    links = [s for doc in pages.values() for b in doc.blocks for s in b.spans if s.style == "a"]
    assert links and all(s.href.startswith(("http://", "https://", "mailto:")) for s in links)


@needs_corpus
def test_corpus_pages_have_metadata(pages: dict[str, ArticleDocument]) -> None:
    assert pages["lemonde-1"].metadata.title.startswith("Le projet de loi sur le renseignement")
    assert pages["lemonde-1"].metadata.language == "fr"
    assert pages["bbc-1"].metadata.published == "2015-07-24"
    assert "DeepMind" in pages["qq"].metadata.title


@needs_corpus
def test_qq_declares_gb2312_but_is_utf8() -> None:
    data = (READABILITY / "qq" / "source.html").read_bytes()
    assert b"gb2312" in data[:4096].lower()
    assert "DeepMind新电脑已可利用记忆自学" in decode_html(data)
    assert "DeepMind新电脑已可利用记忆自学" in decode_html(data, declared="gb2312")


def test_decode_declared_legacy_charsets() -> None:
    chinese = (
        "<html><head><meta charset='gb2312'></head><body><p>中国政府一贯坚持严格的禁毒政策</p>"
    )
    assert decode_html(chinese.encode("gb18030")) == chinese
    assert decode_html(chinese.encode("gb18030"), declared="GBK") == chinese
    french = "<p>Le café était très chaud — « déjà vu »</p>"
    assert decode_html(french.encode("cp1252"), declared="iso-8859-1") == french
    meta = f'<meta http-equiv="Content-Type" content="text/html; charset=ISO-8859-1">{french}'
    assert decode_html(meta.encode("cp1252")) == meta


def test_decode_undeclared_legacy_charsets() -> None:
    chinese = (
        "<html><body><p>中国政府一贯坚持严格的禁毒政策，对芬太尼类物质的生产和流通实行严格管制。"
        "早在2019年，中国就正式整类列管芬太尼类物质。</p></body></html>"
    )
    assert decode_html(chinese.encode("gb18030")) == chinese
    french = (
        "<html><body><p>Le café était très chaud, et l’élève a dit « déjà vu » à la fenêtre — "
        "naïve idée.</p></body></html>"
    )
    assert decode_html(french.encode("cp1252")) == french


def test_decode_bom_and_line_ends() -> None:
    assert decode_html("<p>Grüße</p>".encode("utf-16")) == "<p>Grüße</p>"
    assert decode_html(b"\xef\xbb\xbf<p>caf\xc3\xa9</p>", declared="cp1252") == "<p>café</p>"
    assert decode_text(b"\xef\xbb\xbfone\r\ntwo\rthree\n") == "one\ntwo\nthree\n"
    assert decode_text("naïve\r\n".encode("utf-16")) == "naïve\n"


def test_decode_never_raises_on_bytes() -> None:
    noise = random.Random(7).randbytes(20000)
    assert isinstance(decode_html(noise), str)
    assert isinstance(decode_html(noise, declared="no-such-charset"), str)
    assert isinstance(decode_text(noise), str)


@needs_corpus
@pytest.mark.parametrize("path", sorted((CORPUS / "text").glob("*.txt")) + [SEED], ids=str)
def test_plain_text_keeps_paragraphs(path: Path) -> None:
    doc = load_article(path.read_bytes(), DocumentKind.TEXT, str(path))
    _assert_consistent(doc)
    raw = decode_text(path.read_bytes())
    if "\n\n" in raw.strip():
        expected = [" ".join(p.split()) for p in raw.split("\n\n") if p.strip()]
    else:
        expected = [" ".join(line.split()) for line in raw.splitlines() if line.strip()]
    assert [b.text for b in doc.blocks] == expected
    first_line = " ".join(raw.strip().splitlines()[0].split())
    # A short heading-like first line is the title; a sentence (a cookie notice, say) is not,
    # and the file name stands in.
    if len(first_line) <= 100 and not first_line.endswith((".", "!", "?", ":", ";", ",")):
        assert doc.metadata.title == first_line
    else:
        assert doc.metadata.title == path.stem


@needs_corpus
def test_seed_article_text() -> None:
    doc = load_article(SEED.read_bytes(), DocumentKind.TEXT, str(SEED))
    assert len(doc.blocks) > 10
    hits = [b for b in doc.blocks if "surged to 79,770 in 2022" in b.text]
    assert len(hits) == 1
    assert "surged to 79,770 in 2022" in doc.text


def test_blocks_from_text_rules() -> None:
    blocks = blocks_from_text("First line\nsame paragraph\n\n\nSecond   one\n")
    assert [b.text for b in blocks] == ["First line same paragraph", "Second one"]
    assert [b.text for b in blocks_from_text("a\nb\n\nc")] == ["a b", "c"]
    assert [b.text for b in blocks_from_text("a\nb\nc\n")] == ["a", "b", "c"]


def test_markdown() -> None:
    source = (
        "# Fentanyl *claims*\n\nDeaths [surged](https://cdc.gov/x) to **79,770**.\n\n"
        "1. one\n2. two\n   - nested\n\n> quoted\n\n```\ncode  line\n  two\n```\n\n"
        "| a | b |\n|---|---|\n| 1 | 2 |\n\n<script>alert(1)</script>\n"
    )
    doc = load_article(source.encode(), DocumentKind.MARKDOWN, "/tmp/notes.md")
    _assert_consistent(doc)
    assert doc.metadata.title == "Fentanyl claims"
    kinds = [(b.kind, b.text) for b in doc.blocks]
    assert kinds[:2] == [("h1", "Fentanyl claims"), ("p", "Deaths surged to 79,770.")]
    items = [b for b in doc.blocks if b.kind == "li"]
    assert [(b.text, b.ordinal, b.depth) for b in items] == [
        ("one", "1.", 0),
        ("two", "2.", 0),
        ("nested", "◦", 1),
    ]
    assert ("quote", "quoted") in kinds
    assert ("pre", "code  line\n  two") in kinds
    cells = [(b.kind, b.text, b.row, b.col, b.sep) for b in doc.blocks if b.table == 0]
    assert cells == [
        ("th", "a", 0, 0, "\n\n"),
        ("th", "b", 0, 1, "\t"),
        ("td", "1", 1, 0, "\n"),
        ("td", "2", 1, 1, "\t"),
    ]
    para = doc.blocks[1]
    styles = {(para.text[s.start : s.end], s.style, s.href) for s in para.spans}
    assert styles == {("surged", "a", "https://cdc.gov/x"), ("79,770", "b", "")}
    assert "alert(1)" in doc.text  # raw HTML in Markdown is shown as text, never run


def test_html_blocks_rules() -> None:
    html = (
        "<h2>Title</h2><p>One <a href='/a'>link</a>\n  here.<br><br>Two</p>"
        "<script>x()</script><img src='http://tracker/x.png'><nav>menu</nav>"
        "<table><tr><td>a</td><td></td><td>c</td></tr><tr><td>d</td></tr></table><p>after</p>"
    )
    blocks = blocks_from_html(html, "https://example.org/dir/page.html")
    assert join_blocks(blocks) == "Title\n\nOne link here.\n\nTwo\n\na\tc\nd\n\nafter"
    assert blocks[1].spans[0].href == "https://example.org/a"
    assert [(b.row, b.col) for b in blocks if b.kind == "td"] == [(0, 0), (0, 2), (1, 0)]


@needs_corpus
def test_deterministic() -> None:
    path = READABILITY / "guardian-1" / "source.html"
    first = load_article(path.read_bytes(), DocumentKind.HTML, str(path))
    second = load_article(path.read_bytes(), DocumentKind.HTML, str(path))
    assert first.text == second.text
    assert first.blocks == second.blocks
    assert first.metadata == second.metadata
    assert first.sha256 == second.sha256 and len(first.sha256) == 64


@pytest.mark.parametrize("kind", [DocumentKind.HTML, DocumentKind.TEXT, DocumentKind.MARKDOWN])
def test_garbage_and_empty_raise_document_error(kind: DocumentKind) -> None:
    garbage = random.Random(1).randbytes(50000)
    for data in (garbage, b"", b"  \n\n "):
        with pytest.raises(DocumentError) as info:
            load_article(data, kind, "/tmp/thing.bin")
        message = str(info.value)
        assert message.endswith(".") and "\n" not in message and "thing.bin" in message


def test_page_without_article_raises_document_error() -> None:
    page = b"<html><head><title>x</title><script>var a=1;</script></head><body><nav></nav></body>"
    with pytest.raises(DocumentError, match="no readable article text"):
        load_article(page, DocumentKind.HTML, "empty.html")


def test_import_is_cheap() -> None:
    code = (
        "import sys, reader.documents.article\n"
        "heavy = {'PySide6', 'pymupdf', 'fitz', 'trafilatura', 'readability'} & set(sys.modules)\n"
        "assert not heavy, heavy\n"
    )
    subprocess.run([sys.executable, "-c", code], check=True, cwd=ROOT)
