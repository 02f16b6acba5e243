"""An article's blocks as a QTextDocument: headings, lists, tables, quotes, links and emphasis.

Built block by block, remembering where each block's text starts, so that a position in the
document maps exactly to an offset in the article's normalized text (the view's job).
"""

from __future__ import annotations

from PySide6.QtCore import QObject
from PySide6.QtGui import (
    QFont,
    QPalette,
    QTextBlockFormat,
    QTextCharFormat,
    QTextCursor,
    QTextDocument,
    QTextFrameFormat,
    QTextListFormat,
    QTextTableFormat,
)

from reader.documents.base import ArticleBackend
from reader.model import Block

HEADING_SCALE = {1: 1.8, 2: 1.5, 3: 1.3, 4: 1.15, 5: 1.05, 6: 1.0}


class ArticleDocumentBuilder:
    """Builds the document of one article at one text size, in the view's font and palette."""

    def __init__(
        self,
        document_backend: ArticleBackend,
        blocks: list[Block],
        font: QFont,
        size: float,
        palette: QPalette,
    ) -> None:
        self.document_backend = document_backend
        self.blocks = blocks
        self._font = font
        self._size = size
        self._palette = palette

    def _font_size(self) -> float:
        return self._size

    def build(self, parent: QObject | None = None) -> tuple[QTextDocument, list[int]]:
        """The document, and the QTextDocument position where each block's text starts."""
        doc = QTextDocument(parent)
        doc.setUndoRedoEnabled(False)
        font = QFont(self._font)
        font.setPointSizeF(self._font_size())
        doc.setDefaultFont(font)
        doc.setDocumentMargin(24)
        cursor = QTextCursor(doc)
        self._insert_header(cursor)
        starts: list[int] = []
        lists: dict[int, object] = {}
        tables: dict[int, object] = {}
        first = True
        for block in self.blocks:
            if block.kind in ("td", "th"):
                starts.append(self._insert_cell(cursor, block, tables, first))
                first = False
                continue
            if tables:
                cursor.movePosition(QTextCursor.MoveOperation.End)
                tables.clear()
            bfmt, cfmt = self._formats(block)
            cursor.insertBlock(bfmt, cfmt)
            first = False
            if block.kind == "li":
                lists = {d: lst for d, lst in lists.items() if d <= block.depth}
                current = lists.get(block.depth)
                if current is None:
                    lfmt = QTextListFormat()
                    ordered = block.ordinal[:1].isdigit()
                    lfmt.setStyle(
                        QTextListFormat.Style.ListDecimal
                        if ordered
                        else QTextListFormat.Style.ListDisc
                    )
                    lfmt.setIndent(block.depth + 1)
                    lists[block.depth] = cursor.createList(lfmt)
                else:
                    current.add(cursor.block())  # type: ignore[attr-defined]
            else:
                lists = {}
            starts.append(cursor.position())
            _insert_text(cursor, block.text, bfmt, cfmt)
            self._apply_spans(cursor, starts[-1], block)
        return doc, starts

    def _insert_header(self, cursor: QTextCursor) -> None:
        meta = self.document_backend.metadata
        title_fmt = QTextCharFormat()
        title_fmt.setFontPointSize(self._font_size() * 1.9)
        title_fmt.setFontWeight(QFont.Weight.Bold)
        bfmt = QTextBlockFormat()
        bfmt.setBottomMargin(6)
        cursor.setBlockFormat(bfmt)
        cursor.insertText(meta.title or self.document_backend.source, title_fmt)
        byline = " · ".join(p for p in (meta.author, meta.published[:10], meta.site) if p)
        if byline:
            muted = QTextCharFormat()
            muted.setForeground(self._palette.color(QPalette.ColorRole.PlaceholderText))
            muted.setFontPointSize(self._font_size() * 0.9)
            cursor.insertBlock(QTextBlockFormat(), muted)
            cursor.insertText(byline, muted)
        rule = QTextBlockFormat()
        rule.setBottomMargin(12)
        cursor.insertBlock(rule, QTextCharFormat())
        cursor.insertHtml("<hr/>")

    def _formats(self, block: Block) -> tuple[QTextBlockFormat, QTextCharFormat]:
        bfmt = QTextBlockFormat()
        cfmt = QTextCharFormat()
        cfmt.setFontPointSize(self._font_size())
        bfmt.setBottomMargin(self._font_size() * 0.8)
        bfmt.setLineHeight(140, QTextBlockFormat.LineHeightTypes.ProportionalHeight.value)
        kind = block.kind
        if kind.startswith("h") and kind[1:].isdigit():
            level = int(kind[1:])
            bfmt.setHeadingLevel(level)
            bfmt.setTopMargin(self._font_size() * 0.8)
            cfmt.setFontPointSize(self._font_size() * HEADING_SCALE.get(level, 1.0))
            cfmt.setFontWeight(QFont.Weight.Bold)
        elif kind == "quote":
            bfmt.setLeftMargin(24 * (block.depth + 1))
            cfmt.setFontItalic(True)
        elif kind == "pre":
            cfmt.setFontFamilies(["monospace"])
            cfmt.setFontFixedPitch(True)
            cfmt.setFontPointSize(self._font_size() * 0.85)
            bfmt.setNonBreakableLines(True)
        elif kind == "caption":
            cfmt.setFontItalic(True)
            cfmt.setFontPointSize(self._font_size() * 0.9)
        elif kind == "li":
            bfmt.setBottomMargin(self._font_size() * 0.3)
        return bfmt, cfmt

    def _insert_cell(self, cursor: QTextCursor, block: Block, tables: dict, first: bool) -> int:
        table = tables.get(block.table)
        if table is None:
            rows = 1 + max(b.row for b in self.blocks if b.table == block.table and b.row >= 0)
            cols = 1 + max(b.col for b in self.blocks if b.table == block.table and b.col >= 0)
            tfmt = QTextTableFormat()
            tfmt.setCellPadding(4)
            tfmt.setCellSpacing(0)
            tfmt.setBorder(0.5)
            tfmt.setBorderStyle(QTextFrameFormat.BorderStyle.BorderStyle_Solid)
            cursor.movePosition(QTextCursor.MoveOperation.End)
            cursor.insertBlock()
            table = cursor.insertTable(rows, cols, tfmt)
            tables.clear()
            tables[block.table] = table
        cell = table.cellAt(block.row, block.col)
        cell_cursor = cell.firstCursorPosition()
        cfmt = QTextCharFormat()
        cfmt.setFontPointSize(self._font_size() * 0.95)
        if block.kind == "th":
            cfmt.setFontWeight(QFont.Weight.Bold)
        start = cell_cursor.position()
        cell_cursor.insertText(block.text, cfmt)
        self._apply_spans(cell_cursor, start, block)
        return start

    def _apply_spans(self, cursor: QTextCursor, start: int, block: Block) -> None:
        for span in block.spans:
            fmt = QTextCharFormat()
            if span.style == "a":
                fmt.setAnchor(True)
                fmt.setAnchorHref(span.href)
                fmt.setForeground(self._palette.color(QPalette.ColorRole.Link))
                fmt.setFontUnderline(True)
                fmt.setToolTip(span.href)
            elif span.style == "b":
                fmt.setFontWeight(QFont.Weight.Bold)
            elif span.style == "i":
                fmt.setFontItalic(True)
            elif span.style == "code":
                fmt.setFontFamilies(["monospace"])
            else:
                continue
            c = QTextCursor(cursor.document())
            c.setPosition(start + span.start)
            c.setPosition(start + span.end, QTextCursor.MoveMode.KeepAnchor)
            c.mergeCharFormat(fmt)


# Qt lays out one paragraph in worse than linear time: a 2 MB single-line text took 4 s to
# show, 20 MB over 30 s, with the window frozen. A paragraph longer than this is shown as
# several blocks, each break put in place of a space: a block separator is one position in a
# QTextDocument, as the space was, so positions and normalized-text offsets stay in step.
_LONG_PARAGRAPH = 20_000
_PIECE = 5_000


def _insert_text(
    cursor: QTextCursor, text: str, bfmt: QTextBlockFormat, cfmt: QTextCharFormat
) -> None:
    if len(text) <= _LONG_PARAGRAPH:
        cursor.insertText(text, cfmt)
        return
    follow = QTextBlockFormat(bfmt)
    follow.setTopMargin(0)  # the pieces read as one paragraph
    at = 0
    while len(text) - at > _PIECE:
        cut = text.find(" ", at + _PIECE, at + 2 * _PIECE)
        if cut < 0:
            cut = text.rfind(" ", at + 1, at + _PIECE)
        if cut < 0:  # no space to put a break in place of: one long piece
            break
        cursor.insertText(text[at:cut], cfmt)
        joined = QTextBlockFormat(cursor.blockFormat())
        joined.setBottomMargin(0)
        cursor.setBlockFormat(joined)
        cursor.insertBlock(follow, cfmt)
        at = cut + 1
    cursor.insertText(text[at:], cfmt)
