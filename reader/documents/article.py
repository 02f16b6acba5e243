"""Saved web pages, plain text and Markdown → an `ArticleDocument` made of blocks.

Importing this module is cheap: the extractors (readability-lxml, trafilatura) and markdown-it-py
are imported when a document is loaded. Loading is deterministic: the same bytes give the same
blocks and the same normalized text.
"""

from __future__ import annotations

import hashlib
import unicodedata
from dataclasses import dataclass, field
from functools import cached_property
from pathlib import PurePath

from reader.documents.base import DocumentError
from reader.documents.blocks import blocks_from_html, blocks_from_text, join_blocks
from reader.documents.decode import decode_html, decode_text
from reader.model import Block, DocumentKind, Metadata
from reader.text_shortening import shorten

_KINDS = (DocumentKind.HTML, DocumentKind.TEXT, DocumentKind.MARKDOWN)
# More than this share of control characters (or undecodable bytes) in the text: not a text file.
_MAX_BINARY_SHARE = 0.02
_SNIFF_CHARS = 65536
_MAX_TITLE = 200
_HEADINGS = frozenset(f"h{i}" for i in range(1, 7))
# Fewer words than this from the extractor: the page has no article to speak of.
_MIN_ARTICLE_WORDS = 25
_NO_ARTICLE = "This page has no article (an index or a login page), so its whole text is shown."


@dataclass(eq=False)
class ArticleDocument:
    kind: DocumentKind
    sha256: str
    metadata: Metadata
    source: str
    blocks: list[Block] = field(default_factory=list)
    # One sentence the view shows when the text is not what was asked for (no article found).
    notice: str = ""

    @cached_property
    def text(self) -> str:
        """The normalized text: the coordinate system every anchor refers to."""
        return join_blocks(self.blocks)

    @property
    def page_count(self) -> int:
        return 0


def load_article(
    data: bytes,
    kind: DocumentKind,
    source: str,
    *,
    url: str = "",
    declared_charset: str | None = None,
) -> ArticleDocument:
    """Read an HTML page, a text or a Markdown file; raise `DocumentError` if it has no text."""
    if kind not in _KINDS:
        raise ValueError(f"load_article does not read {kind} documents")
    sha256 = hashlib.sha256(data).hexdigest()
    notice = ""
    name = _display_name(source)
    if not data.strip():
        raise DocumentError(f"{name} is empty.")
    if kind is DocumentKind.HTML:
        text = decode_html(data, declared_charset)
        _check_text(text, name, "web page")
        metadata, blocks = _load_html(text, url)
        if _words(blocks) < _MIN_ARTICLE_WORDS:
            whole = _whole_page_blocks(text, url)
            if _words(whole) > _words(blocks):
                blocks = whole
                notice = _NO_ARTICLE
        if not blocks:
            raise DocumentError(f"{name} has no readable article text.")
        if not metadata.title:
            metadata = _with_title(metadata, _first_heading(blocks) or _stem(source))
    else:
        text = decode_text(data)
        _check_text(text, name, "text file")
        if kind is DocumentKind.MARKDOWN:
            blocks = blocks_from_html(_render_markdown(text), url)
            title = _first_heading(blocks) or _first_line(blocks) or _stem(source)
        else:
            blocks = blocks_from_text(text)
            first = " ".join(next((ln for ln in text.split("\n") if ln.strip()), "").split())
            # A first line reads as a title only when it is short and not a sentence; saved
            # pages often start with a cookie notice, which must not become the title.
            title = first if _title_like(first) else _stem(source)
        if not blocks:
            raise DocumentError(f"{name} has no readable text.")
        metadata = Metadata(title=title, url=url)
    return ArticleDocument(
        kind=kind,
        sha256=sha256,
        metadata=metadata,
        source=source,
        blocks=blocks,
        notice=notice if kind is DocumentKind.HTML else "",
    )


def _title_like(line: str) -> bool:
    return 0 < len(line) <= 100 and not line.endswith((".", "!", "?", ":", ";", ","))


def _load_html(html: str, url: str) -> tuple[Metadata, list[Block]]:
    from reader.documents.extract import extract_article

    fragment, metadata = extract_article(html, url)
    return metadata, blocks_from_html(fragment, url or metadata.url)


def _words(blocks: list[Block]) -> int:
    """Words, counting each character of scripts written without spaces as one."""
    from reader.documents.extract import word_tokens

    return sum(len(word_tokens(b.text)) for b in blocks)


def _whole_page_blocks(html: str, url: str) -> list[Block]:
    """Every visible text of the page, in order (what a page without an article offers)."""
    import lxml.etree
    import lxml.html

    try:
        root = lxml.html.document_fromstring(html)
    except (ValueError, lxml.etree.ParserError):
        return []
    body = root.find("body")
    if body is None:
        return []
    return blocks_from_html(lxml.html.tostring(body, encoding="unicode"), url)


def _render_markdown(text: str) -> str:
    from markdown_it import MarkdownIt

    # Raw HTML inside Markdown is shown as text, never interpreted; tables and strikethrough on.
    md = MarkdownIt("commonmark", {"html": False}).enable(["table", "strikethrough"])
    return md.render(text)


def _check_text(text: str, name: str, what: str) -> None:
    sample = text[:_SNIFF_CHARS]
    if not sample:
        return
    bad = sum(
        1
        for ch in sample
        if ch == "\ufffd" or (unicodedata.category(ch) == "Cc" and ch not in "\t\n\r\f\v")
    )
    if bad > _MAX_BINARY_SHARE * len(sample):
        raise DocumentError(f"{name} is not a {what}: it contains binary data.")


def _with_title(metadata: Metadata, title: str) -> Metadata:
    return Metadata(
        title=title,
        author=metadata.author,
        published=metadata.published,
        site=metadata.site,
        url=metadata.url,
        language=metadata.language,
    )


def _first_heading(blocks: list[Block]) -> str:
    for block in blocks:
        if block.kind in _HEADINGS:
            return _title(block.text)
    return ""


def _first_line(blocks: list[Block]) -> str:
    return _title(blocks[0].text) if blocks else ""


def _title(text: str) -> str:
    return shorten(text, _MAX_TITLE, collapse=False, at_word=1)


def _stem(source: str) -> str:
    if not source:
        return ""
    return PurePath(source.rstrip("/")).stem or source


def _display_name(source: str) -> str:
    if not source:
        return "The document"
    return PurePath(source.rstrip("/")).name or source
