"""Shortening a text for a message, a list cell or a title: the one helper every layer uses.

Qt-free and dependency-free, so the documents, exchange formats, library and GUI share it.
"""

from __future__ import annotations

ELLIPSIS = "…"


def shorten(
    text: str | None,
    width: int,
    *,
    collapse: bool = True,
    at_word: int | None = None,
    trim: str = "",
) -> str:
    """`text` as is when it has at most `width` characters, else cut and ended with "…".

    - `collapse`: runs of whitespace (line breaks included) become one space first, and the
      ends are stripped: a quote or a cell value shown on one line.
    - A plain cut keeps `width - 1` characters, so the result fits in `width` (a message or
      a table cell). With `at_word`, the first `width` characters are cut back to their last
      space when that keeps at least `at_word` of them (a title or quote reads better ending
      on a whole word), then "…" is added after them.
    - `trim`: characters taken off the end of the cut before the "…" (" ,;:." after a word,
      " " so that no space is left before it).
    """
    text = text or ""
    if collapse:
        text = " ".join(text.split())
    if len(text) <= width:
        return text
    if at_word is None:
        return text[: width - 1].rstrip(trim) + ELLIPSIS
    cut = text[:width]
    space = cut.rfind(" ")
    if space >= max(at_word, 1):
        cut = cut[:space]
    return cut.rstrip(trim) + ELLIPSIS
