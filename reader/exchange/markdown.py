"""A fact-check report in Markdown: one section per document, one per annotation, a summary.

Meant to be read as it is (in a text editor) as much as rendered. Every piece of user text —
titles, quotes, notes, claimants, tags, references — goes through `escape` (or a code span),
so a note that starts with "# " or "- " or holds `<script>` cannot add headings, lists or HTML
to the report. The structure is therefore fixed: one `##` heading per document, one `###`
heading per annotation, and a final `## Summary` with a table of claims per status.

The writer streams: it holds one record at a time plus the running counts. The output depends
only on the records and the arguments; pass `generated=` to fix the one date it adds.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from typing import TextIO

from reader.citations import format_reference
from reader.model import (
    AnnotationKind,
    ClaimStatus,
    DocumentKind,
    DocumentRecord,
    ExportRecord,
    Stance,
)
from reader.numbers import export_cell
from reader.text_shortening import shorten

__all__ = ["STATUS_BADGES", "escape", "write_markdown"]

STATUS_BADGES = {
    ClaimStatus.UNVERIFIED: "❔",
    ClaimStatus.SUPPORTED: "✅",
    ClaimStatus.DISPUTED: "⚖️",
    ClaimStatus.MISLEADING: "⚠️",
    ClaimStatus.REFUTED: "❌",
    ClaimStatus.UNVERIFIABLE: "🚫",
}
_KIND_NAMES = {
    AnnotationKind.CLAIM: "Claim",
    AnnotationKind.EVIDENCE: "Evidence",
    AnnotationKind.QUESTION: "Question",
    AnnotationKind.COMMENT: "Comment",
}
_STANCE_NAMES = {
    Stance.SUPPORTS: "Supports",
    Stance.REFUTES: "Refutes",
    Stance.CONTEXT: "Context",
}
_DOCUMENT_KIND_NAMES = {
    DocumentKind.PDF: "PDF",
    DocumentKind.EPUB: "EPUB",
    DocumentKind.XPS: "XPS",
    DocumentKind.FB2: "FictionBook",
    DocumentKind.MOBI: "MOBI",
    DocumentKind.CBZ: "Comic book archive",
    DocumentKind.HTML: "Web page",
    DocumentKind.TEXT: "Plain text",
    DocumentKind.MARKDOWN: "Markdown",
}

# A line break inside a paragraph: two trailing spaces, the one hard break CommonMark and
# Python-Markdown both render (a trailing backslash shows as a literal "\\" in the latter).
_HARD_BREAK = "  "

# A quote longer than this (or spread over several lines) is shown shortened in its heading
# and in full as a blockquote below it.
LONG_QUOTE = 100

# --- escaping ---------------------------------------------------------------------------------

# Characters that mean something anywhere in a line of Markdown (CommonMark + GFM tables and
# strikethrough). Backslash-escaping any ASCII punctuation is always allowed, so this is safe.
_INLINE_SPECIAL = re.compile(r"([\\`*_\[\]<>|~#])")
# "&amp;", "&#35;": an escaped "&" keeps entity references literal.
_ENTITY = re.compile(r"&(?=#?[0-9A-Za-z]+;)")
# What turns a line into a block of its own when it starts one: list markers ("- ", "+ "),
# setext underlines and thematic breaks ("---", "==="), ordered-list numbers ("1. " / "1) ").
# "#", ">", "*", "`", "~", "<", "|" are escaped wherever they are; "-3" or "4.1%" stay as is.
_LEADING_MARKER = re.compile(r"^([-+])(?=\s|$)|^([-=])(?=[-=\s]*$)")
_LEADING_NUMBER = re.compile(r"^(\d{1,9})([.)])(?=\s|$)")
# Web links are kept clickable as autolinks (which take no escapes and allow no "<", ">", space).
_URL = re.compile(r"https?://[^\s<>`\"]+", re.IGNORECASE)
_URL_TRAILING = ".,;:!?'\"”’»"
# C0/C1 controls other than tab and newline, and other characters that end lines.
_CONTROL = re.compile(r"[\x00-\x08\x0b-\x1f\x7f-\x9f]")


def _escape_plain(text: str) -> str:
    return _ENTITY.sub(r"\\&", _INLINE_SPECIAL.sub(r"\\\1", text))


def _split_url(url: str) -> tuple[str, str]:
    """The link and the sentence punctuation (or unmatched ")") that follows it."""
    tail = ""
    while url:
        last = url[-1]
        if last in _URL_TRAILING or (last == ")" and url.count(")") > url.count("(")):
            url, tail = url[:-1], last + tail
        else:
            break
    return url, tail


def escape(text: str) -> str:
    """One line of user text as inline Markdown that shows exactly that text.

    Whitespace (newlines included) collapses to single spaces; web links become autolinks.
    """
    text = " ".join(_CONTROL.sub(" ", text).split())
    out: list[str] = []
    pos = 0
    for match in _URL.finditer(text):
        url, _tail = _split_url(match[0])  # the tail stays text
        if not re.match(r"https?://[^/]", url, re.IGNORECASE):
            continue
        out.append(_escape_plain(text[pos : match.start()]))
        out.append(f"<{url}>")
        pos = match.start() + len(url)
    out.append(_escape_plain(text[pos:]))
    line = "".join(out)
    line = _LEADING_MARKER.sub(lambda m: "\\" + m[0], line)
    return _LEADING_NUMBER.sub(r"\1\\\2", line)


def _paragraphs(text: str) -> list[list[str]]:
    """User text as paragraphs of escaped lines (blank lines separate paragraphs)."""
    paragraphs: list[list[str]] = []
    current: list[str] = []
    for raw in text.splitlines():
        line = escape(raw)
        if line:
            current.append(line)
        elif current:
            paragraphs.append(current)
            current = []
    if current:
        paragraphs.append(current)
    return paragraphs


def _text_block(text: str, label: str = "") -> list[str]:
    """User text as Markdown paragraphs, its line breaks kept (hard breaks), after `label`."""
    lines: list[str] = []
    for i, paragraph in enumerate(_paragraphs(text)):
        if lines:
            lines.append("")
        if i == 0 and label:
            paragraph = [f"{label} {paragraph[0]}", *paragraph[1:]]
        lines.extend(line + _HARD_BREAK for line in paragraph[:-1])
        lines.append(paragraph[-1])
    return lines


def _blockquote(text: str, indent: str = "") -> list[str]:
    """User text as a blockquote (each paragraph kept, line breaks kept)."""
    lines: list[str] = []
    for paragraph in _paragraphs(text):
        if lines:
            lines.append(f"{indent}>")
        lines.extend(f"{indent}> {line}{_HARD_BREAK}" for line in paragraph[:-1])
        lines.append(f"{indent}> {paragraph[-1]}")
    return lines


def _code(text: str) -> str:
    """`text` as a code span, fenced with more backticks than it holds."""
    text = " ".join(_CONTROL.sub(" ", text).split())
    if not text:
        return ""
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}"


# --- pieces of the report ---------------------------------------------------------------------


def _is_url(s: str) -> bool:
    return bool(re.match(r"https?://[^\s<>]+$", s.strip(), re.IGNORECASE))


def _document_title(document: DocumentRecord) -> str:
    title = " ".join(document.title.split())
    if title:
        return title
    source = document.source.strip().rstrip("/\\")
    name = re.split(r"[/\\]", source)[-1] if source else ""
    return name or "Untitled document"


def _document_section(document: DocumentRecord) -> list[str]:
    lines = [f"## {escape(_document_title(document))}", ""]
    fields: list[tuple[str, str]] = []
    source = document.source.strip()
    if source:
        fields.append(("Source", f"<{source}>" if _is_url(source) else _code(source)))
    try:
        kind = _DOCUMENT_KIND_NAMES[DocumentKind(document.kind)]
        paged = DocumentKind(document.kind).paged
    except ValueError:
        kind, paged = escape(str(document.kind)) or "Unknown", False
    if paged and document.pages > 0:
        kind += f", {document.pages} page" + ("s" if document.pages != 1 else "")
    fields.append(("Kind", kind))
    if document.author.strip():
        fields.append(("Author", escape(document.author)))
    if document.published.strip():
        fields.append(("Published", escape(document.published)))
    if document.sha256:
        fields.append(("SHA-256", _code(document.sha256)))
    lines.extend(f"- **{label}:** {value}" for label, value in fields)
    return lines


def _location(record: ExportRecord, locate: Callable[[ExportRecord], str] | None) -> str:
    """``p. 3``, or ``¶ 7`` (the paragraph number, as the CSV's location) when the article's
    text is at hand; else the character range."""
    a = record.annotation
    if a.page >= 0:
        return f"p. {a.page + 1} (OCR)" if record.ocr else f"p. {a.page + 1}"
    found = locate(record) if locate is not None else ""
    if found:
        return found
    return f"characters {a.anchor.start}–{a.anchor.end}"


def _kind(value: str) -> AnnotationKind | None:
    try:
        return AnnotationKind(value)
    except ValueError:
        return None


def _status(value: str) -> ClaimStatus:
    try:
        return ClaimStatus(value)
    except ValueError:
        return ClaimStatus.UNVERIFIED


def _tags(tags: Iterable[str]) -> str:
    return ", ".join(code for code in (_code(t) for t in tags) if code)


def _sources(record: ExportRecord) -> list[str]:
    if not record.citations:
        return []
    lines = ["**Sources**", ""]
    for citation, source in record.citations:
        try:
            stance = _STANCE_NAMES[Stance(citation.stance)]
        except ValueError:
            stance = escape(str(citation.stance).capitalize()) or "Cited"
        item = f"- **{stance}:** {escape(format_reference(source, isbn=False))}"
        locator = escape(citation.locator)
        if locator:
            item += f" — {locator}"
        identifiers = _identifiers(source)
        if identifiers:  # on the item's next line, a hard break away
            item += f"{_HARD_BREAK}\n  {identifiers}"
        lines.append(item)
        lines.extend(_blockquote(citation.evidence_quote, indent="  "))
        number_check = export_cell(record.annotation.anchor.quote, citation.evidence_quote)
        if number_check:
            lines.extend(["", f"  Numbers checked: {escape(number_check)}"])
    return lines


def _identifiers(source) -> str:
    """Every identifier of a source, each labelled: the reference line shows only one link."""
    found = []
    for label, value in (("DOI", source.doi), ("ISBN", source.isbn)):
        if value.strip():
            found.append(f"{label} {_code(value)}")
    for label, value in (("URL", source.url), ("Archived", source.archived_url)):
        value = value.strip()
        if value:
            found.append(f"{label} <{value}>" if _is_url(value) else f"{label} {_code(value)}")
    return " · ".join(found)


def _annotation_section(
    record: ExportRecord, locate: Callable[[ExportRecord], str] | None = None
) -> list[str]:
    a = record.annotation
    kind = _kind(a.kind)
    name = _KIND_NAMES.get(kind, escape(str(a.kind).capitalize()) or "Annotation")
    quote = " ".join(a.anchor.quote.split())
    long = len(quote) > LONG_QUOTE or "\n" in a.anchor.quote.strip()
    shown = shorten(quote, LONG_QUOTE, at_word=LONG_QUOTE // 2, trim=" ,;:.")
    lines = [f"### {name}: “{escape(shown)}”", ""]
    if long:
        lines += [*_blockquote(a.anchor.quote), ""]
    state = str(a.anchor.state)
    if kind == AnnotationKind.CLAIM:
        status = _status(a.status)
        fields = [
            ("Status", f"{STATUS_BADGES[status]} {status.value}"),
            ("Location", _location(record, locate)),
        ]
        if a.claimant.strip():
            fields.append(("Claimant", escape(a.claimant)))
        if a.tags:
            fields.append(("Tags", _tags(a.tags)))
        who = _who(record)
        if who:
            fields.append(("By", who))
        if record.sets:
            fields.append(("Sets", ", ".join(escape(s) for s in record.sets)))
        if record.same_claims:  # linked in "seen before": other claims (ids) or fact-checks
            fields.append(("Same claim as", ", ".join(_same(t) for t in record.same_claims)))
        if state != "exact":
            fields.append(("Anchor", escape(state)))
        lines += [f"- **{label}:** {value}" for label, value in fields]
    else:
        meta = [_location(record, locate)]
        if a.claimant.strip():
            meta.append(f"claimant: {escape(a.claimant)}")
        if a.tags:
            meta.append(_tags(a.tags))
        who = _who(record)
        if who:
            meta.append(f"by {who}")
        if state != "exact":
            meta.append(f"anchor: {escape(state)}")
        lines.append(" · ".join(meta))
    note = _text_block(a.note, "**Note:**")
    if note:
        lines += ["", *note]
    sources = _sources(record)
    if sources:
        lines += ["", *sources]
    return lines


def _who(record: ExportRecord) -> str:
    """Who made the annotation, and who changed it since (from its history)."""
    made = record.annotation.author.strip()
    changed = []
    for entry in record.history:
        name = entry.author.strip()
        if name and name != made and name not in changed:
            changed.append(name)
    parts = [escape(made)] if made else []
    if changed:
        parts.append("changed by " + ", ".join(escape(n) for n in changed))
    return "; ".join(parts)


def _summary(statuses: dict[ClaimStatus, int], kinds: dict[str, int], documents: int) -> list[str]:
    lines = ["## Summary", "", "| Status | Claims |", "| --- | ---: |"]
    for status in ClaimStatus:
        lines.append(f"| {STATUS_BADGES[status]} {status.value} | {statuses.get(status, 0)} |")
    lines.append(f"| **Total** | **{sum(statuses.values())}** |")
    others = [
        f"{kinds[kind.value]} {kind.value}"
        for kind in AnnotationKind
        if kind != AnnotationKind.CLAIM and kinds.get(kind.value)
    ]
    total = sum(kinds.values())
    line = f"{total} annotation{'s' if total != 1 else ''} in {documents} "
    line += f"document{'s' if documents != 1 else ''}"
    if others:
        line += f"; besides the claims: {', '.join(others)}"
    lines += ["", line + "."]
    return lines


def write_markdown(
    records: Iterable[ExportRecord],
    out: TextIO,
    *,
    title: str = "Claim check",
    generated: str | None = None,
    locate: Callable[[ExportRecord], str] | None = None,
) -> int:
    """Write the report for `records` (ordered by document, then start) to `out`.

    `generated` is the date shown under the title (default: now, UTC). Returns the number of
    annotations written.
    """
    if generated is None:
        generated = _dt.datetime.now(_dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    out.write(f"# {escape(title) or 'Claim check'}\n\n")
    out.write(f"*Generated {escape(generated)} by Claim Reader.*\n")
    statuses: dict[ClaimStatus, int] = {}
    kinds: dict[str, int] = {}
    documents = 0
    current: tuple[int, str] | None = None
    count = 0
    for record in records:
        key = (record.document.id, record.document.sha256)
        if key != current:
            current = key
            documents += 1
            out.write("\n" + "\n".join(_document_section(record.document)) + "\n")
        out.write("\n" + "\n".join(_annotation_section(record, locate)) + "\n")
        a = record.annotation
        kinds[str(a.kind)] = kinds.get(str(a.kind), 0) + 1
        if _kind(a.kind) == AnnotationKind.CLAIM:
            status = _status(a.status)
            statuses[status] = statuses.get(status, 0) + 1
        count += 1
    if not count:
        out.write("\nNo annotations.\n")
    out.write("\n" + "\n".join(_summary(statuses, kinds, documents)) + "\n")
    return count


def _same(target: str) -> str:
    if target.startswith("urn:uuid:"):
        return f"`{target}`"
    return f"<{target}>" if re.match(r"https?://\S+$", target) else escape(target)
