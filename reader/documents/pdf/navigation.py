"""Where a document leads: its outline (bookmarks) and the links on its pages.

Every target is a page and a y in displayed points on it (top-left origin, after /Rotate).
"""

from __future__ import annotations

from collections.abc import Callable

import pymupdf

from reader.documents.base import Link, Rect
from reader.documents.pdf.context import MUPDF_LOCK, load_page, log
from reader.documents.pdf.metadata import clean
from reader.model import OutlineItem

# Entries read from an outline at most (a looping outline has no end).
_MAX_OUTLINE = 1_000_000

Sizes = dict[int, tuple[float, float]]


def read_outline(
    doc: pymupdf.Document, page_count: int, name: str, sizes: Sizes, closed: Callable[[], bool]
) -> list[OutlineItem]:
    """The bookmarks in reading order (as many as could be read of a damaged outline).

    MuPDF's outline is walked once, each entry's target taken as MuPDF resolved it (page,
    point): linear in the entries. (PyMuPDF's get_toc(simple=False) resolves every destination
    again, which grows with the square of the outline: 100,000 entries took 31 s; this takes
    ~1 s.) The MuPDF lock is taken per entry, so renders go in between; the walk stops once
    `closed()` says the document was closed. The size of each page an entry points into is
    recorded in `sizes`.
    """
    walk = _OutlineWalk(doc, page_count, name, sizes)
    try:
        walk.run(closed)
    except Exception:  # noqa: BLE001 - a broken outline is no (more) outline
        log.info("the outline of %s is damaged", name)
    return walk.items


class _OutlineWalk:
    def __init__(self, doc: pymupdf.Document, page_count: int, name: str, sizes: Sizes) -> None:
        self._doc = doc
        self._page_count = page_count
        self._name = name
        self._sizes = sizes
        self._rotations: dict[int, pymupdf.Matrix | None] = {}
        self.items: list[OutlineItem] = []

    def run(self, closed: Callable[[], bool]) -> None:
        """Preorder walk; the MuPDF lock is taken per entry, so renders go in between."""
        with MUPDF_LOCK:
            # The root owns the whole tree (the entries are borrowed views of it), so it is
            # held until the walk ends. A document without outline has an empty root, whose
            # `next` PyMuPDF would follow into a null pointer.
            root = self._doc.outline
            if root is None or not root.this.m_internal:
                return
            stack: list[tuple[pymupdf.Outline | None, int]] = [(root, 1)]
        seen = 0
        while stack:
            with MUPDF_LOCK:
                if closed():
                    break
                node, level = stack.pop()
                if node is None:
                    continue
                seen += 1
                if seen > _MAX_OUTLINE:  # a looping outline would go on for ever
                    break
                self._entry(node, level, stack)
        with MUPDF_LOCK:
            del stack, root

    def _entry(
        self,
        node: pymupdf.Outline,
        level: int,
        stack: list[tuple[pymupdf.Outline | None, int]],
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
            rotations = self._rotations
            if page not in rotations:
                pg = load_page(self._doc, page, self._name)
                rotations[page] = None if pg is None else pg.rotation_matrix
                if pg is not None:
                    self._sizes.setdefault(page, (float(pg.rect.width), float(pg.rect.height)))
            rot = rotations[page]
            if rot is not None:
                pt = pymupdf.Point(node.x, node.y) * rot
                y = max(0.0, min(float(pt.y), self._sizes[page][1]))
        self.items.append(OutlineItem(level, clean(node.title), page, y))


def read_links(doc: pymupdf.Document, page: int, page_count: int, name: str) -> list[Link]:
    """The links on `page`: to a page of this document, or to a URI (call under the lock)."""
    links: list[Link] = []
    pg = load_page(doc, page, name)
    try:
        found = pg.get_links() if pg is not None else []
    except Exception:  # noqa: BLE001 - damaged link annotations are no links
        log.info("links of page %d of %s unreadable", page, name)
        found = []
    for ln in found:
        r = ln.get("from")
        if r is None:
            continue
        rect = Rect(float(r.x0), float(r.y0), float(r.x1), float(r.y1))
        kind = ln.get("kind")
        target = ln.get("page", -1)
        if kind in (pymupdf.LINK_GOTO, pymupdf.LINK_NAMED) and isinstance(target, int):
            if 0 <= target < page_count:
                links.append(Link(rect, target, _dest_y(doc, target, ln.get("to"), name)))
        elif kind == pymupdf.LINK_URI and ln.get("uri"):
            uri = str(ln["uri"])
            if uri.startswith("#"):  # same-document fragment MuPDF could not resolve
                continue
            links.append(Link(rect, uri=uri))
    return links


def _dest_y(doc: pymupdf.Document, page: int, to: object, name: str) -> float:
    """A destination point of a link on `page` (in range) → y in displayed points."""
    if not isinstance(to, pymupdf.Point):
        return 0.0
    if to.x == 0 and to.y == 0:  # no position given: the top of the page
        return 0.0
    pg = load_page(doc, page, name)
    if pg is None:
        return 0.0
    if doc.is_pdf:  # PDF destinations are in PDF space (bottom-up, unrotated)
        pt = to * pg.transformation_matrix * pg.rotation_matrix
    else:
        pt = to * pg.rotation_matrix
    height = float(pg.rect.height)
    return max(0.0, min(float(pt.y), height))
