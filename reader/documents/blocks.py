"""An article body (HTML fragment) or a plain text → the blocks the article view shows.

One `Block` per paragraph on screen. The document's normalized text is
``"".join(b.sep + b.text for b in blocks)``; every block's ``start`` is its offset in that text.

Rules (the view relies on them):

* Kinds: ``h1``-``h6``, ``p``, ``li`` (``depth`` 0 for a top-level list, 1 nested …; ``ordinal``
  "1." / "a." / "•" is shown but is not part of the text; a second paragraph inside the same item
  is another ``li`` with an empty ordinal), ``quote`` (``depth`` 0 for a quote, 1 for a quote in a
  quote …), ``pre`` (newlines kept inside one block), ``td`` / ``th`` (``row``, ``col``, ``table``)
  and ``caption`` (a table's or a figure's caption).
* Separators: "\\n\\n" between blocks; inside a table "\\t" between the cells of a row and "\\n"
  between rows. Empty table cells produce no block (their neighbours keep their ``col``).
* Whitespace inside a non-``pre`` block is collapsed to single spaces and stripped; no block is
  empty. Images, media, scripts, forms and navigation produce nothing.
* Inline spans: ``a`` (with ``href`` absolutised against the page URL when known), ``b``, ``i``,
  ``code``, ``sup``, ``sub``, in the block's own offsets.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from urllib.parse import urljoin

import lxml.etree
import lxml.html

from reader.model import Block, Span

_WS = re.compile(r"\s+")
_HEADINGS = frozenset(f"h{i}" for i in range(1, 7))
_SKIP = frozenset(
    "script style noscript template iframe frame frameset object embed applet form input "
    "button select textarea option optgroup label nav aside svg canvas video audio source "
    "track picture img map area link meta base head title dialog".split()
)
_LISTS = frozenset({"ul", "ol", "menu", "dl"})
_BLOCKS = frozenset(
    "p div section article main header footer figure address center dd dt details summary "
    "fieldset hgroup body html".split()
)
_INLINE_STYLE = {
    "b": "b",
    "strong": "b",
    "i": "i",
    "em": "i",
    "cite": "i",
    "var": "i",
    "dfn": "i",
    "code": "code",
    "kbd": "code",
    "samp": "code",
    "tt": "code",
    "sup": "sup",
    "sub": "sub",
}
_BLOCK_SEP = "\n\n"


def join_blocks(blocks: list[Block]) -> str:
    """The normalized text of a document made of `blocks`."""
    return "".join(b.sep + b.text for b in blocks)


# --- plain text ------------------------------------------------------------------------------


def blocks_from_text(text: str) -> list[Block]:
    """Paragraphs split on blank lines; a text without blank lines has one paragraph a line."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    if re.search(r"\S[^\S\n]*\n[^\S\n]*\n", text):
        paragraphs = re.split(r"\n[^\S\n]*\n", text)
    else:
        paragraphs = text.split("\n")
    blocks: list[Block] = []
    offset = 0
    for para in paragraphs:
        clean = _WS.sub(" ", para).strip()
        if not clean:
            continue
        sep = _BLOCK_SEP if blocks else ""
        offset += len(sep)
        blocks.append(Block(kind="p", text=clean, start=offset, sep=sep))
        offset += len(clean)
    return blocks


# --- HTML ------------------------------------------------------------------------------------


def blocks_from_html(fragment: str, base_url: str = "") -> list[Block]:
    """The blocks of an HTML fragment (an extracted article body, or rendered Markdown)."""
    if not fragment or not fragment.strip():
        return []
    try:
        root = lxml.html.fragment_fromstring(fragment, create_parent="div")
    except (lxml.etree.ParserError, ValueError):
        return []
    builder = _Builder(base_url)
    builder.walk(root)
    builder.end_block()
    return builder.blocks


@dataclass
class _Ctx:
    kind: str = "p"
    depth: int = 0
    ordinal: str = ""
    row: int = -1
    col: int = -1
    table: int = -1
    sep: str = _BLOCK_SEP


@dataclass
class _ListState:
    ordered: bool
    counter: int = 1
    style: str = "1"
    reversed: bool = False


@dataclass
class _Builder:
    base_url: str
    blocks: list[Block] = field(default_factory=list)
    offset: int = 0
    buf: list[str] = field(default_factory=list)
    length: int = 0
    last: str = ""  # last character in the buffer ("" when empty)
    spans: list[list] = field(default_factory=list)  # [start, end, style, href]
    ctx: _Ctx = field(default_factory=_Ctx)
    lists: list[_ListState] = field(default_factory=list)
    quote_depth: int = 0
    pre: int = 0
    in_cell: int = 0
    in_item: int = 0
    tables: int = 0
    pending_br: bool = False

    # -- text buffer --

    def add(self, text: str | None) -> None:
        if not text:
            return
        if self.pre and not self.in_cell:
            text = text.replace("\r\n", "\n").replace("\r", "\n")
        else:
            text = _WS.sub(" ", text)
            if text.startswith(" ") and (not self.last or self.last == " "):
                text = text[1:]
            if not text:
                return
            if text.strip():
                self.pending_br = False
        self.buf.append(text)
        self.length += len(text)
        self.last = text[-1]

    def space(self) -> None:
        if self.last and self.last != " " and self.last != "\n":
            self.add(" ")

    # -- blocks --

    def default_ctx(self) -> _Ctx:
        if self.in_item and self.lists:
            return _Ctx(kind="li", depth=len(self.lists) - 1)
        if self.quote_depth:
            return _Ctx(kind="quote", depth=self.quote_depth - 1)
        return _Ctx()

    def flush(self) -> bool:
        """Emit the buffered text as a block; False (and nothing emitted) when it is blank."""
        raw = "".join(self.buf)
        spans = self.spans
        carry = [span for span in spans if span[1] is None]  # still open: continue in next block
        self.buf, self.length, self.last, self.spans = [], 0, "", []
        self.pending_br = False
        if self.ctx.kind == "pre":
            lead = len(raw) - len(raw.lstrip("\n"))
            text = raw[lead:].rstrip()
        else:
            lead = len(raw) - len(raw.lstrip())
            text = raw.strip()
        if not text:
            return False
        out: list[Span] = []
        for start, end, style, href in spans:
            if end is None:
                end = len(raw)
            s, e = max(start - lead, 0), min(end - lead, len(text))
            while s < e and text[s].isspace():
                s += 1
            while e > s and text[e - 1].isspace():
                e -= 1
            span = Span(s, e, style, href)
            if s < e and span not in out:
                out.append(span)
        for span in carry:
            span[0] = 0
        self.spans = carry
        ctx = self.ctx
        sep = ctx.sep if self.blocks else ""
        self.offset += len(sep)
        self.blocks.append(
            Block(
                kind=ctx.kind,
                text=text,
                start=self.offset,
                sep=sep,
                spans=tuple(out),
                depth=ctx.depth,
                ordinal=ctx.ordinal,
                row=ctx.row,
                col=ctx.col,
                table=ctx.table,
            )
        )
        self.offset += len(text)
        return True

    def begin_block(self, ctx: _Ctx | None = None) -> None:
        """Start a new block; a generic one (ctx None) keeps a pending context (a list marker)."""
        if self.in_cell:
            self.space()
            return
        emitted = self.flush()
        if ctx is not None:
            self.ctx = ctx
        elif emitted:
            self.ctx = self.default_ctx()

    def end_block(self) -> None:
        if self.in_cell:
            self.space()
            return
        self.flush()
        self.ctx = self.default_ctx()

    # -- the walk --

    def walk(self, el: lxml.html.HtmlElement) -> None:
        tag = el.tag.lower() if isinstance(el.tag, str) else ""
        if not tag or tag in _SKIP or el.get("hidden") is not None:
            return
        if tag == "br":
            self.br()
        elif tag == "hr":
            self.end_block()
        elif tag in _HEADINGS:
            self.begin_block(_Ctx(kind=tag))
            self.children(el)
            self.end_block()
        elif tag == "pre":
            self.begin_block(_Ctx(kind="pre"))
            self.pre += 1
            self.children(el)
            self.pre -= 1
            self.end_block()
        elif tag == "blockquote":
            self.begin_block()
            self.quote_depth += 1
            if not self.in_cell:
                self.ctx = self.default_ctx()
            self.children(el)
            self.end_block()
            self.quote_depth -= 1
            if not self.in_cell:
                self.ctx = self.default_ctx()
        elif tag in _LISTS:
            self.list(el, tag)
        elif tag in ("li", "dt", "dd") and self.lists and not self.in_cell:
            self.item(el, tag)
        elif tag == "table":
            self.table(el)
        elif tag in ("figcaption", "caption"):
            self.begin_block(_Ctx(kind="caption"))
            self.children(el)
            self.end_block()
        elif tag in _BLOCKS or tag in ("li", "tr", "td", "th", "tbody", "thead", "tfoot"):
            self.begin_block()
            self.children(el)
            self.end_block()
        else:
            self.inline(el, tag)

    def children(self, el: lxml.html.HtmlElement) -> None:
        self.add(el.text)
        for child in el:
            self.walk(child)
            self.add(child.tail)

    def br(self) -> None:
        if self.pre and not self.in_cell:
            self.add("\n")
        elif self.pending_br and not self.in_cell:
            self.end_block()  # two line breaks in a row: a paragraph break
        else:
            self.space()
            self.pending_br = True

    def inline(self, el: lxml.html.HtmlElement, tag: str) -> None:
        style = _INLINE_STYLE.get(tag)
        href = ""
        if tag == "a":
            href = self.href(el.get("href"))
            style = "a" if href else None
        if style is None:
            self.children(el)
            return
        span: list = [self.length, None, style, href]
        self.spans.append(span)
        self.children(el)
        span[1] = self.length

    def href(self, value: str | None) -> str:
        value = (value or "").strip()
        if not value or value.lower().startswith(("javascript:", "data:", "vbscript:")):
            return ""
        if self.base_url:
            try:
                return urljoin(self.base_url, value)
            except ValueError:
                return value
        return value

    def list(self, el: lxml.html.HtmlElement, tag: str) -> None:
        if self.in_cell:
            self.space()
            self.children(el)
            self.space()
            return
        self.begin_block()
        ordered = tag == "ol"
        state = _ListState(ordered=ordered, style=(el.get("type") or "1"))
        if ordered:
            items = [c for c in el if isinstance(c.tag, str) and c.tag == "li"]
            state.reversed = el.get("reversed") is not None
            start = _int(el.get("start"))
            default = len(items) if state.reversed else 1
            state.counter = start if start is not None else default
        self.lists.append(state)
        saved_item = self.in_item
        self.in_item = 0
        self.ctx = self.default_ctx() if not self.buf else self.ctx
        self.children(el)
        self.end_block()
        self.in_item = saved_item
        self.lists.pop()
        self.ctx = self.default_ctx()

    def item(self, el: lxml.html.HtmlElement, tag: str) -> None:
        state = self.lists[-1]
        depth = len(self.lists) - 1
        if tag == "dt":
            self.begin_block(_Ctx(kind="p", depth=depth))
            self.children(el)
            self.end_block()
            return
        if tag == "dd":
            self.begin_block(_Ctx(kind="li", depth=depth))
            self.in_item += 1
            self.children(el)
            self.end_block()
            self.in_item -= 1
            self.ctx = self.default_ctx()
            return
        if state.ordered:
            value = _int(el.get("value"))
            if value is not None:
                state.counter = value
            marker = _ordinal(state.counter, state.style) + "."
            state.counter += -1 if state.reversed else 1
        else:
            marker = "•" if depth == 0 else ("◦" if depth == 1 else "▪")
        self.begin_block(_Ctx(kind="li", depth=depth, ordinal=marker))
        self.in_item += 1
        self.children(el)
        self.end_block()
        self.in_item -= 1
        self.ctx = self.default_ctx()

    def table(self, el: lxml.html.HtmlElement) -> None:
        if self.in_cell:
            self.space()
            self.children(el)
            self.space()
            return
        self.begin_block()
        self.flush()
        index = self.tables
        self.tables += 1
        first = True
        for caption in el.iterfind("caption"):
            self.ctx = _Ctx(kind="caption", table=index)
            self.in_cell += 1
            self.children(caption)
            self.in_cell -= 1
            if self.flush():
                first = False
        rows = [tr for tr in el.iter("tr") if _owner_table(tr) is el]
        for r, tr in enumerate(rows):
            new_row = True
            col = 0
            for cell in tr:
                if not isinstance(cell.tag, str) or cell.tag not in ("td", "th"):
                    continue
                sep = _BLOCK_SEP if first else ("\n" if new_row else "\t")
                self.ctx = _Ctx(kind=cell.tag, row=r, col=col, table=index, sep=sep)
                self.in_cell += 1
                self.children(cell)
                self.in_cell -= 1
                if self.flush():
                    first = False
                    new_row = False
                col += max(_int(cell.get("colspan")) or 1, 1)
        self.ctx = self.default_ctx()


def _owner_table(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement | None:
    parent = el.getparent()
    while parent is not None and parent.tag != "table":
        parent = parent.getparent()
    return parent


def _int(value: str | None) -> int | None:
    try:
        return int((value or "").strip())
    except ValueError:
        return None


def _ordinal(n: int, style: str) -> str:
    if style in ("a", "A") and n > 0:
        letters = ""
        while n > 0:
            n, rem = divmod(n - 1, 26)
            letters = chr(ord("a") + rem) + letters
        return letters.upper() if style == "A" else letters
    if style in ("i", "I") and 0 < n < 4000:
        numerals = (
            (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
            (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
        )  # fmt: skip
        out = ""
        for value, letters in numerals:
            while n >= value:
                out += letters
                n -= value
        return out.upper() if style == "I" else out
    return str(n)
