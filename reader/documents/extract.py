"""A saved web page → its article body (an HTML fragment) and metadata.

readability-lxml reads every page: measured on pages with ground truth it is the most precise
of the Python extractors, and it is fast once the page is parsed only once. trafilatura is
imported and run only when readability seems to have kept too little of the page's prose
(it picked one sub-container of the article, or the page is not one article); then its result
is used in two general ways:

* undershoot — when readability kept only a small part of what trafilatura found and all of that
  part is inside trafilatura's result, trafilatura's body is used instead;
* recovery — a block trafilatura found *between* two blocks both extractors agree on, but that
  readability dropped, is put back in place (never before the first or after the last agreed
  block: that is where comments, newsletter boxes and related links live).

On every page what is page furniture by its markup (comment sections, schema.org `Comment`, ARIA
landmarks that are not the main content, share bars and related lists that are mostly links)
is removed: structural signals, no words of any language.

Metadata comes from the page's own JSON-LD and tags (reader.documents.page_meta); the date
search of htmldate runs only when the page declares no date.

No network access: nothing here fetches a URL; the URL only absolutises links.
"""

from __future__ import annotations

import functools
import logging
import re
import unicodedata
import warnings
from collections import Counter
from copy import deepcopy

import lxml.etree
import lxml.html

from reader.documents.furniture import remove_furniture
from reader.documents.page_meta import read_page_metadata, search_date
from reader.model import Metadata

log = logging.getLogger(__name__)

# Readability kept less than this share of trafilatura's tokens, all of them also in trafilatura's.
_UNDERSHOOT_RATIO = 0.5
_UNDERSHOOT_CONTAINED = 0.95
# trafilatura is asked only when readability's text is less than this share of the page's prose
# (paragraph text outside navigation, low in links); measured on the corpus and the development
# half of the extraction pages, readability's recall falls short only below it.
_SUSPECT_SHARE = 0.6
# A trafilatura block counts as "present" in readability's output above this token coverage.
_PRESENT = 0.8
# Block-level tags of the fragments both extractors return.
_BLOCK_TAGS = frozenset(
    "p h1 h2 h3 h4 h5 h6 li pre blockquote td th caption figcaption dd dt div section "
    "article table ul ol dl figure".split()
)
_LINK_DENSITY = 0.5
_LEAF_ANCHOR_STOP = frozenset("li td th tr tbody thead tfoot caption dd dt".split())
_WORD = re.compile(r"[^\W_]+")
# Scripts written without spaces between words (Lao and Thai; kana and CJK ideographs).
_UNSPACED = re.compile("[\u0e00-\u0eff\u3040-\u9fff]")


def extract_article(html: str, url: str = "") -> tuple[str, Metadata]:
    """The article body of `html` as an HTML fragment (``<div>…</div>``) and its metadata.

    Returns an empty fragment when neither extractor finds any text; the caller decides what
    that means for the user.
    """
    root = _parse_page(html)
    if root is None:
        return "", Metadata()
    metadata = read_page_metadata(root, url)
    # readability's parse drops hidden elements from `root` in place: what is left is the page
    # a reader sees, which is also what trafilatura and the caption recovery look at.
    r_body, r_title = _readability(root, url)
    body = r_body
    if _kept_too_little(r_body, root):
        t_body = _trafilatura(root, url)
        body = _combine(r_body, t_body)
    elif body is None:
        body = lxml.html.fragment_fromstring("<div></div>")
    else:
        _whole_tables(body, root)
    remove_furniture(body)
    _clean(body)
    fragment = lxml.html.tostring(body, encoding="unicode") if len(body) or body.text else ""
    if not metadata.title:
        metadata = _replace(metadata, title=" ".join(r_title.split()) or _page_title(root))
    if not metadata.published:
        metadata = _replace(metadata, published=search_date(root))
    return fragment, metadata


def _replace(metadata: Metadata, **changes: str) -> Metadata:
    from dataclasses import replace

    return replace(metadata, **changes)


def _page_title(root: lxml.html.HtmlElement) -> str:
    el = root.find(".//title")
    return " ".join(el.text_content().split()) if el is not None else ""


def _parse_page(html: str) -> lxml.html.HtmlElement | None:
    from readability.htmls import build_doc

    try:
        root, _encoding = build_doc(html)
    except (lxml.etree.ParserError, ValueError):
        return None
    return root


# --- the two extractors ----------------------------------------------------------------------


def _readability(root: lxml.html.HtmlElement, url: str) -> tuple[lxml.html.HtmlElement | None, str]:
    try:
        document = _readability_class()
    except ImportError:  # pragma: no cover - a declared dependency
        return None, ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=DeprecationWarning)
            doc = document(root, url=url or None)
            title = doc.short_title() or ""
            summary = doc.summary(html_partial=True)
    except Exception as exc:  # readability raises bare Exceptions and lxml errors on odd pages
        log.info("readability found nothing: %s", exc)
        return None, ""
    body = _parse_fragment(summary)
    return body, title.strip()


# readability-lxml's `clean(text)` leaves text outside whitespace runs alone and maps each run on
# its own: a run of 255 or more becomes one space, one holding a newline becomes "\n", in any other
# run a tab becomes a space and each stretch of two or more spaces and tabs one space; then the
# ends are stripped. Its first pattern, ``\s{255,}``, is tried at every character of every
# shorter run (quadratic in the run's length) and made most of readability's time on large pages.
# The functions below give the same results in linear time.
_CLEAN_RUN = re.compile(r"\s{2,}|\t")
_SPACE_RUN = re.compile(r"\s{2,}")
_TAB_SPACE = re.compile(r"\t|[ \t]{2,}")
_READABILITY_CLEAN = (
    (None, r"\s{255,}", " " * 255, r"\s*\n\s*", "\n", r"\t|[ \t]{2,}", " "),
    ("re", "sub", "strip"),
)


def _clean_run(match: re.Match[str]) -> str:
    run = match.group()
    if len(run) >= 255:
        return " "
    if "\n" in run:
        return "\n"
    return _TAB_SPACE.sub(" ", run)


def _readability_clean(text: str) -> str:
    """readability's `clean`, in linear time."""
    return _CLEAN_RUN.sub(_clean_run, text.strip())


def _text_length(el: lxml.html.HtmlElement) -> int:
    """readability's ``text_length(el)``: the length of the cleaned text, not building it."""
    text = (el.text_content() or "").strip()
    n = len(text)
    for match in _SPACE_RUN.finditer(text):
        run = match.group()
        if len(run) >= 255 or "\n" in run:
            n -= len(run) - 1
        else:
            n -= len(run) - len(_TAB_SPACE.sub(" ", run))
    return n


@functools.cache
def _readability_class() -> type:
    """readability's `Document`, parsing the page once and measuring text in linear time.

    The results are readability's own: `summary` and `short_title` each start from a fresh copy
    of one parse (readability parses and cleans the page again for every call and retry), and
    `get_link_density` and `clean` compute what readability's do. `clean` is replaced in
    readability's module only if it is the function described above (the same code).
    """
    import readability.readability as impl
    from readability.htmls import build_doc

    # On a page it cannot summarise readability logs a traceback at ERROR and then raises;
    # `_readability` catches that and logs it at INFO. Unconfigured (the CLI), logging would
    # print the traceback on stderr, where only one `error:` line may appear.
    logging.getLogger(impl.__name__).setLevel(logging.CRITICAL)

    code = impl.clean.__code__
    if (code.co_consts, code.co_names) == _READABILITY_CLEAN:
        impl.clean = _readability_clean

    class _Document(impl.Document):
        _parsed: lxml.html.HtmlElement | None = None

        def _parse(self, input):  # noqa: A002 - readability's signature
            if self._parsed is None:
                if isinstance(input, str):
                    doc, encoding = build_doc(input)
                    self.encoding = encoding
                else:
                    doc = input
                # readability's cleaner removes <style> elements, but first scans their CSS
                # for links to rewrite (slow on the large inline style sheets of news sites).
                for style in doc.iter("style"):
                    style.text = None
                self._parsed = super()._parse(doc)
            return deepcopy(self._parsed)

        def get_link_density(self, elem):
            link_length = sum(_text_length(a) for a in elem.findall(".//a"))
            return float(link_length) / max(_text_length(elem), 1)

    return _Document


def _trafilatura(root: lxml.html.HtmlElement, url: str) -> lxml.html.HtmlElement | None:
    """trafilatura's body of the page (its metadata search is not run: we have ours)."""
    try:
        import trafilatura
    except ImportError:  # pragma: no cover - a declared dependency
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", category=DeprecationWarning)
            out = trafilatura.extract(
                deepcopy(root),  # trafilatura prunes the tree it is given
                url=url or None,
                output_format="html",
                with_metadata=False,
                include_comments=False,
                include_tables=True,
                include_links=True,
                include_formatting=True,
                include_images=False,
            )
    except Exception as exc:  # trafilatura is defensive, but a parser error must not escape
        log.info("trafilatura found nothing: %s", exc)
        return None
    if not out:
        return None
    try:
        page = lxml.html.document_fromstring(out)
    except (lxml.etree.ParserError, ValueError):
        return None
    body = page.find("body")
    if body is None:
        return None
    body.tag = "div"
    return body


def _parse_fragment(markup: str) -> lxml.html.HtmlElement | None:
    if not markup or not markup.strip():
        return None
    try:
        root = lxml.html.fragment_fromstring(markup, create_parent="div")
    except (lxml.etree.ParserError, ValueError, AssertionError):
        # lxml asserts there is exactly one <body>; readability returns a whole page with none
        # when the saved page ends inside its <head> (a truncated download).
        return None
    return root


# --- when to ask trafilatura -----------------------------------------------------------------

_PROSE_TAGS = ("p", "pre", "blockquote", "li", "td", "dd")
_NOT_PROSE = frozenset("nav footer aside header form script style noscript template".split())


def _kept_too_little(r_body: lxml.html.HtmlElement | None, root: lxml.html.HtmlElement) -> bool:
    """readability's text is a small share of the page's prose (or there is none)."""
    n_r = len(word_tokens(_text(r_body))) if r_body is not None else 0
    if n_r == 0:
        return True
    return n_r < _SUSPECT_SHARE * _prose_tokens(root)


def _prose_tokens(root: lxml.html.HtmlElement) -> int:
    """Tokens of the page's paragraphs, list items and cells that are not navigation.

    Counted once per text: a paragraph inside a list item or a cell is counted with its
    container; paragraphs that are mostly link text (menus, teasers) are not counted.
    """
    n = 0
    for el in root.iter(*_PROSE_TAGS):
        if any(a.tag in _NOT_PROSE or a.tag in _PROSE_TAGS for a in el.iterancestors()):
            continue
        text = el.text_content()
        if not text.strip() or _mostly_links(el):
            continue
        n += len(word_tokens(text))
    return n


# --- combining -------------------------------------------------------------------------------


def word_tokens(text: str) -> list[str]:
    """Words, casefolded; characters of scripts written without spaces count one by one."""
    text = unicodedata.normalize("NFKC", text).casefold()
    if text.isascii() or not _UNSPACED.search(text):
        return _WORD.findall(text)
    out: list[str] = []
    for run in _WORD.findall(text):
        if run.isascii() or len(run) <= 3 or not _unspaced(run):
            out.append(run)
        else:
            out.extend(run)
    return out


def _unspaced(run: str) -> bool:
    return _UNSPACED.search(run) is not None


def _text(el: lxml.html.HtmlElement) -> str:
    return el.text_content() if el is not None else ""


def _combine(
    r_body: lxml.html.HtmlElement | None, t_body: lxml.html.HtmlElement | None
) -> lxml.html.HtmlElement:
    r_tokens = Counter(word_tokens(_text(r_body)))
    t_tokens = Counter(word_tokens(_text(t_body)))
    n_r, n_t = r_tokens.total(), t_tokens.total()
    if n_r == 0:
        return t_body if t_body is not None else lxml.html.fragment_fromstring("<div></div>")
    assert r_body is not None
    if n_t == 0:
        return r_body
    shared = _shared(t_tokens, r_tokens)
    if n_r < _UNDERSHOOT_RATIO * n_t and shared >= _UNDERSHOOT_CONTAINED * n_r:
        log.debug("readability undershoot (%d of %d tokens): using trafilatura", n_r, n_t)
        assert t_body is not None
        return t_body
    assert t_body is not None
    _recover(r_body, t_body, r_tokens)
    _fuller_tables(r_body, t_body)
    return r_body


def _shared(small: Counter[str], big: Counter[str]) -> int:
    """The size of the multiset intersection; iterates over `small` only."""
    get = big.get
    return sum(min(n, get(w, 0)) for w, n in small.items())


def _recover(
    r_body: lxml.html.HtmlElement, t_body: lxml.html.HtmlElement, r_all: Counter[str]
) -> None:
    """Insert trafilatura's blocks that readability dropped between two blocks both kept."""
    t_children = [el for el in t_body if isinstance(el.tag, str)]
    t_toks = [Counter(word_tokens(_text(el))) for el in t_children]
    present = [
        toks.total() == 0 or _shared(toks, r_all) >= _PRESENT * toks.total() for toks in t_toks
    ]
    if all(present) or not any(present):
        return
    first = present.index(True)
    last = len(present) - 1 - present[::-1].index(True)
    index = _BlockIndex(r_body)
    anchor: lxml.html.HtmlElement | None = None
    for i in range(first, last + 1):
        el = t_children[i]
        if present[i]:
            found = index.anchor(t_toks[i])
            if found is not None:
                anchor = found
            continue
        if anchor is None or not t_toks[i] or _mostly_links(el):
            continue
        new = deepcopy(el)
        new.tail = None
        anchor.addnext(new)
        anchor = new


def _fuller_tables(r_body: lxml.html.HtmlElement, t_body: lxml.html.HtmlElement) -> None:
    """Where both kept a table and trafilatura's holds all of readability's and more, use it.

    readability drops cells whose class looks like page furniture ("header_cell"), which can
    cost a table its header row.
    """
    r_tables = [(el, Counter(word_tokens(_text(el)))) for el in r_body.iter("table")]
    if not r_tables:
        return
    for t_table in list(t_body.iter("table")):
        t_toks = Counter(word_tokens(_text(t_table)))
        n_t = t_toks.total()
        for i, (r_table, r_toks) in enumerate(r_tables):
            n_r = r_toks.total()
            if n_r == 0 or n_t <= n_r or r_table.getparent() is None:
                continue
            shared = _shared(r_toks, t_toks)
            if shared >= _UNDERSHOOT_CONTAINED * n_r and shared >= _PRESENT * n_r:
                new = deepcopy(t_table)
                new.tail = r_table.tail
                r_table.getparent().replace(r_table, new)
                r_tables[i] = (new, t_toks)
                break


# A table of the page replaces readability's copy when it holds at most this many times its words.
_TABLE_GROWTH = 2.0


def _whole_tables(r_body: lxml.html.HtmlElement, root: lxml.html.HtmlElement) -> None:
    """readability's tables, as the page has them.

    readability drops cells whose class looks like page furniture ("header_cell"), which can
    cost a table its header row or a column. A data table of the page (no table inside it)
    that holds all of a kept table's words, and not many more, is put in its place.
    """
    r_tables = [(el, Counter(word_tokens(_text(el)))) for el in r_body.iter("table")]
    if not r_tables:
        return
    page_tables = [
        (el, Counter(word_tokens(_text(el))))
        for el in root.iter("table")
        if el.find(".//table") is None
    ]
    for r_table, r_toks in r_tables:
        n_r = r_toks.total()
        if n_r == 0 or r_table.getparent() is None:
            continue
        for p_table, p_toks in page_tables:
            n_p = p_toks.total()
            if n_p <= n_r or n_p > _TABLE_GROWTH * n_r:
                continue
            if _shared(r_toks, p_toks) >= _UNDERSHOOT_CONTAINED * n_r:
                new = deepcopy(p_table)
                new.tail = r_table.tail
                r_table.getparent().replace(r_table, new)
                break


def _mostly_links(el: lxml.html.HtmlElement) -> bool:
    """Navigation, not prose: most of the block's text is link text."""
    total = len(_text(el).strip())
    linked = sum(len(_text(a).strip()) for a in el.iter("a"))
    return total > 0 and linked > _LINK_DENSITY * total


class _BlockIndex:
    """readability's blocks (as they are now), searchable by the tokens they hold.

    `anchor(toks)` is the smallest block holding at least `_PRESENT` of `toks` (on ties the
    later one in the page), lifted to a safe insertion point. An inverted index (token → blocks)
    limits the exact comparison to blocks that hold at least one of the query's rarest tokens:
    a block without any of them misses more than ``1 - _PRESENT`` of the query and cannot hold
    enough of it.
    """

    def __init__(self, r_body: lxml.html.HtmlElement) -> None:
        self.blocks: list[lxml.html.HtmlElement] = []
        self.counts: list[Counter[str]] = []
        self.sizes: list[int] = []
        self.postings: dict[str, list[int]] = {}
        for el in r_body.iter():
            if not (isinstance(el.tag, str) and el.tag in _BLOCK_TAGS) or el is r_body:
                continue
            toks = Counter(word_tokens(_text(el)))
            i = len(self.blocks)
            self.blocks.append(el)
            self.counts.append(toks)
            self.sizes.append(toks.total())
            for w in toks:
                self.postings.setdefault(w, []).append(i)

    def anchor(self, toks: Counter[str]) -> lxml.html.HtmlElement | None:
        total = toks.total()
        if total == 0:
            return None
        need = _PRESENT * total
        # The rarest tokens of the query until what they weigh is more than the query may miss.
        by_rarity = sorted(toks, key=lambda w: len(self.postings.get(w, ())))
        candidates: set[int] = set()
        missable = total - need
        weight = 0
        for w in by_rarity:
            candidates.update(self.postings.get(w, ()))
            weight += toks[w]
            if weight > missable:
                break
        sizes, counts = self.sizes, self.counts
        # Smallest first; on equal size the later block in the page first.
        for i in sorted(candidates, key=lambda i: (sizes[i], -i)):
            if sizes[i] >= need and _shared(toks, counts[i]) >= need:
                return _lift(self.blocks[i])
        return None


def _lift(el: lxml.html.HtmlElement) -> lxml.html.HtmlElement:
    """Climb out of list items and table parts, where a new block cannot be inserted."""
    while el.tag in _LEAF_ANCHOR_STOP and el.getparent() is not None:
        el = el.getparent()
    return el


# --- cleaning --------------------------------------------------------------------------------

_DROP_TAGS = frozenset(
    "script style noscript template iframe frame frameset object embed applet form input "
    "button select textarea option label nav aside footer svg canvas video audio "
    "source track picture img map area link meta base head title dialog menu".split()
)


def _clean(body: lxml.html.HtmlElement) -> None:
    """Drop what an article view never shows, and elements left without any text."""
    for el in list(body.iter()):
        if el is body:
            continue
        if el.getparent() is None:  # inside a subtree already dropped
            continue
        if (
            not isinstance(el.tag, str)  # comments, processing instructions
            or el.tag in _DROP_TAGS
            or el.get("hidden") is not None
            or el.get("aria-hidden") == "true"
        ):
            el.drop_tree()
    for el in reversed(list(body.iter())):
        if el is body or not isinstance(el.tag, str):
            continue
        if el.tag in ("br", "hr") or el.getparent() is None:
            continue
        if not any(part.strip() for part in el.itertext()):  # no text, stopping at the first
            el.drop_tree()
