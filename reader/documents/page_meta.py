"""Title, byline, date, site and language of a web page from its own markup.

What the page declares about itself is read first, in this order: schema.org JSON-LD (the
article object), Open Graph / Dublin Core / article <meta> tags, microdata (`itemprop`),
then structural hints in the body (`rel="author"`, a `<time>` element). Only when none of these
gives a date is htmldate's quick search run (it is the one expensive step). No words of any
language are looked for: only markup.
"""

from __future__ import annotations

import json
import logging
import re
import warnings
from urllib.parse import urlsplit

import lxml.html

from reader.model import Metadata

log = logging.getLogger(__name__)

# schema.org types whose object describes the page's article.
_ARTICLE_TYPES = frozenset(
    "article newsarticle reportagenewsarticle analysisnewsarticle opinionnewsarticle "
    "backgroundnewsarticle reviewnewsarticle blogposting socialmediaposting liveblogposting "
    "scholarlyarticle techarticle report webpage medicalwebpage claimreview review "
    "discussionforumposting qapage howto recipe".split()
)
# In the order Readability.js (Firefox Reader View) trusts them.
_TITLE_KEYS = (
    "dc.title",
    "dcterms.title",
    "og:title",
    "twitter:title",
    "parsely-title",
    "citation_title",
)
_AUTHOR_KEYS = (
    "dc.creator",
    "dcterms.creator",
    "author",
    "parsely-author",
    "article:author",
    "sailthru.author",
    "byl",
    "citation_author",
)
_DATE_KEYS = (
    "article:published_time",
    "og:published_time",
    "published_time",
    "datepublished",
    "dc.date.issued",
    "dcterms.issued",
    "dc.date",
    "dcterms.date",
    "date",
    "pubdate",
    "publishdate",
    "publish-date",
    "parsely-pub-date",
    "sailthru.date",
    "citation_date",
    "citation_publication_date",
    "article.published",
)
_ISO = re.compile(r"\s*(\d{4})(?:-(\d{1,2}))?(?:-(\d{1,2}))?")
_MAX_BYLINE = 120
_CDATA = re.compile(r"^(?://\s*)?<!\[CDATA\[|(?://\s*)?\]\]>$")


def read_page_metadata(root: lxml.html.HtmlElement, url: str = "") -> Metadata:
    """Everything the page says about itself; empty fields where it says nothing."""
    meta = _meta_tags(root)
    ld = _json_ld(root, _page_title(root))
    # Without a declared title the caller shortens the <title> (readability's short title).
    title = ld.get("title") or next((meta[k] for k in _TITLE_KEYS if meta.get(k)), "")
    author = ld.get("author") or _meta_author(meta) or _microdata_author(root)
    published = _iso_date(ld.get("published", "")) or next(
        (d for d in (_iso_date(meta.get(k, "")) for k in _DATE_KEYS) if d), ""
    )
    if not published:
        published = _time_element(root)
    page_url = url or meta.get("og:url", "") or _canonical(root)
    site = ld.get("site") or meta.get("og:site_name", "") or meta.get("application-name", "")
    if not site and page_url:
        site = urlsplit(page_url).hostname or ""
    return Metadata(
        title=_squash(title),
        author=_squash(author),
        published=published,
        site=_squash(site),
        url=page_url.strip(),
        language=_language(root, meta),
    )


def search_date(html_root: lxml.html.HtmlElement) -> str:
    """htmldate's quick search (no extensive search): the expensive fallback for the date."""
    try:
        from htmldate import find_date

        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            found = find_date(html_root, extensive_search=False, original_date=True)
    except Exception:  # htmldate is a guesser; its failure only means "no date"
        return ""
    return _iso_date(found or "")


def _squash(text: str) -> str:
    return " ".join((text or "").split())


def _iso_date(value: str) -> str:
    match = _ISO.match(value or "")
    if not match:
        return ""
    year, month, day = match.groups()
    if not 1000 < int(year) < 2200:
        return ""
    parts = [year]
    if month and 1 <= int(month) <= 12:
        parts.append(f"{int(month):02d}")
        if day and 1 <= int(day) <= 31:
            parts.append(f"{int(day):02d}")
    return "-".join(parts)


def _meta_tags(root: lxml.html.HtmlElement) -> dict[str, str]:
    out: dict[str, str] = {}
    authors: dict[str, list[str]] = {}
    for el in root.iter("meta"):
        key = (el.get("property") or el.get("name") or el.get("itemprop") or "").strip().lower()
        equiv = (el.get("http-equiv") or "").strip().lower()
        content = (el.get("content") or "").strip()
        if not content:
            continue
        if equiv == "content-language":
            out.setdefault("content-language", content.split(",")[0])
        elif key in _AUTHOR_KEYS:
            if not content.startswith(("http://", "https://")):  # article:author is often a URL
                authors.setdefault(key, []).append(content)
        elif key:
            out.setdefault(key, content)
    # The most trusted kind of author tag; several of that kind are several authors.
    for key in _AUTHOR_KEYS:
        if key in authors:
            out["@authors"] = "; ".join(dict.fromkeys(_squash(a) for a in authors[key]))
            break
    return out


def _meta_author(meta: dict[str, str]) -> str:
    return meta.get("@authors", "")


def _microdata_author(root: lxml.html.HtmlElement) -> str:
    """A byline the page marks up: itemprop="author" or rel="author" (short text only)."""
    for el in root.iter():
        if not isinstance(el.tag, str):
            continue
        prop = (el.get("itemprop") or "").split()
        rel = (el.get("rel") or "").split()
        names = f"{el.get('class') or ''} {el.get('id') or ''}".lower()
        if "author" not in prop and "author" not in rel and "byline" not in names:
            continue
        name = el.find('.//*[@itemprop="name"]')
        text = _squash((name if name is not None else el).text_content())
        if text and len(text) <= _MAX_BYLINE:
            return text
    return ""


def _time_element(root: lxml.html.HtmlElement) -> str:
    for el in root.iter("time"):
        if el.get("pubdate") is not None or "datePublished" in (el.get("itemprop") or ""):
            found = _iso_date(el.get("datetime") or el.text_content())
            if found:
                return found
    return ""


def _canonical(root: lxml.html.HtmlElement) -> str:
    for link in root.iter("link"):
        if "canonical" in (link.get("rel") or "").lower().split() and link.get("href"):
            return link.get("href", "")
    return ""


def _language(root: lxml.html.HtmlElement, meta: dict[str, str]) -> str:
    lang = root.get("lang") or root.get("{http://www.w3.org/XML/1998/namespace}lang") or ""
    lang = lang or meta.get("content-language", "") or meta.get("og:locale", "")
    return lang.strip().replace("_", "-")


# --- JSON-LD ---------------------------------------------------------------------------------


def _page_title(root: lxml.html.HtmlElement) -> str:
    el = root.find(".//title")
    return _squash(el.text_content()) if el is not None else ""


def _json_ld(root: lxml.html.HtmlElement, page_title: str) -> dict[str, str]:
    """headline, author, datePublished and publisher of the page's article object."""
    for script in root.iter("script"):
        if (script.get("type") or "").strip().lower() != "application/ld+json":
            continue
        # Some sites wrap the JSON in a CDATA section (kept as text by the HTML parser).
        raw = _CDATA.sub("", (script.text or "").strip())
        if not raw:
            continue
        try:
            data = json.loads(raw)
        except ValueError:
            continue
        for obj in _objects(data):
            if _is_article(obj):
                return _article_fields(obj, page_title)
    return {}


def _objects(data: object, depth: int = 0):
    """Every JSON object in `data` that has an @type, outermost first (bounded depth)."""
    if depth > 4:
        return
    if isinstance(data, list):
        for item in data:
            yield from _objects(item, depth + 1)
    elif isinstance(data, dict):
        if "@type" in data:
            yield data
        for key in ("@graph", "mainEntity", "mainEntityOfPage", "itemListElement"):
            if key in data:
                yield from _objects(data[key], depth + 1)


def _is_article(obj: dict) -> bool:
    types = obj.get("@type")
    names = types if isinstance(types, list) else [types]
    wanted = any(isinstance(t, str) and t.lower() in _ARTICLE_TYPES for t in names)
    return wanted and bool(obj.get("headline") or obj.get("datePublished") or obj.get("author"))


def _article_fields(obj: dict, page_title: str) -> dict[str, str]:
    out: dict[str, str] = {}
    titles = [t for t in (obj.get("name"), obj.get("headline")) if isinstance(t, str) and t]
    if titles:
        # Some sites put a description in one of them (Wikipedia's headline is the kind of
        # article): the one closer to the page's <title> is the title.
        out["title"] = max(titles, key=lambda t: _overlap(t, page_title))
    names = [n for n in _names(obj.get("author")) if n]
    if names:
        out["author"] = "; ".join(dict.fromkeys(_squash(n) for n in names))
    if isinstance(obj.get("datePublished"), str):
        out["published"] = obj["datePublished"]
    publisher = _names(obj.get("publisher"))
    if publisher:
        out["site"] = publisher[0]
    return out


def _overlap(a: str, b: str) -> float:
    words_a, words_b = set(a.casefold().split()), set(b.casefold().split())
    return len(words_a & words_b) / max(len(words_a), 1)


def _names(value: object) -> list[str]:
    if isinstance(value, str):
        return [] if value.startswith(("http://", "https://")) else [value]
    if isinstance(value, dict):
        name = value.get("name")
        return [name] if isinstance(name, str) else []
    if isinstance(value, list):
        return [n for item in value[:20] for n in _names(item)]
    return []
