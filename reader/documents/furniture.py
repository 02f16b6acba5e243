"""Page furniture inside an extracted article body, found by its markup alone.

Extractors keep whatever sits in the container they chose; news sites put reader comments,
share bars, "related" lists, newsletter boxes and cookie notices there too. What marks them is
structure, in any language: schema.org `Comment` items, ARIA roles of regions that are not the
content, `<aside>`-like containers named for comments, sharing or recirculation by the site's
own class and id names (identifiers in the markup, not words of the page's text), and blocks
that are almost all link text. A candidate holding most of the body is never removed: that is
the article, whatever its container is called.
"""

from __future__ import annotations

import re

import lxml.html

# ARIA landmark and widget roles of regions that are not the article's content.
_FURNITURE_ROLES = frozenset(
    "complementary navigation banner contentinfo search dialog alertdialog menu menubar "
    "toolbar tablist form".split()
)
# schema.org types of reader contributions (itemtype URLs end in these).
_COMMENT_TYPES = ("/comment", "/usercomments", "/answer")
# Tokens of class / id names that name furniture. Names are split on non-letters and camel
# case, so "comment-list", "commentsSection" and "share_bar" match, "commentary" does not.
_FURNITURE_NAMES = frozenset(
    "comment comments commentlist disqus respond replies share sharing sharebar social "
    "related recirculation recirc newsletter subscribe subscription signup cookie cookies "
    "consent gdpr promo sponsored outbrain taboola advert advertisement ad ads breadcrumb "
    "breadcrumbs".split()
)
_NAME_SPLIT = re.compile(r"[^a-zA-Z]+|(?<=[a-z])(?=[A-Z])")
# A list or box whose text is more than this share link text, and short: a link farm.
_LINK_SHARE = 0.7
_LINK_BLOCK_WORDS = 200
# Never remove a candidate holding more than this share of the body's text.
_MOST_OF_BODY = 0.4


def remove_furniture(body: lxml.html.HtmlElement) -> None:
    total = len(body.text_content())
    if total == 0:
        return
    for el in list(body.iter()):
        if el is body or not isinstance(el.tag, str) or el.getparent() is None:
            continue
        if not _is_furniture(el):
            continue
        if len(el.text_content()) > _MOST_OF_BODY * total:
            continue
        el.drop_tree()


def _is_furniture(el: lxml.html.HtmlElement) -> bool:
    if (el.get("role") or "").strip().lower() in _FURNITURE_ROLES:
        return True
    itemtype = (el.get("itemtype") or "").strip().lower().rstrip("/")
    if itemtype and itemtype.endswith(_COMMENT_TYPES):
        return True
    if el.tag in ("aside", "nav"):
        return True
    if el.tag not in ("p", "h1", "h2", "h3", "h4", "h5", "h6") and _named_furniture(el):
        return True
    return el.tag in ("ul", "ol", "div", "section") and _link_farm(el)


def _named_furniture(el: lxml.html.HtmlElement) -> bool:
    names = f"{el.get('class') or ''} {el.get('id') or ''}"
    if not names.strip():
        return False
    return any(tok.lower() in _FURNITURE_NAMES for tok in _NAME_SPLIT.split(names) if tok)


def _link_farm(el: lxml.html.HtmlElement) -> bool:
    text = el.text_content()
    words = len(text.split())
    if words == 0 or words > _LINK_BLOCK_WORDS:
        return False
    links = [a for a in el.iter("a")]
    if len(links) < 3:
        return False
    linked = sum(len(a.text_content().strip()) for a in links)
    return linked > _LINK_SHARE * len(text.strip())
