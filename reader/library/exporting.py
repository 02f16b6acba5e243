"""Export: CSV, W3C JSON, Markdown, ClaimReview and Hypothesis JSON written from the
library (reader.exchange does the formats), a file at a time, never half-written."""

from __future__ import annotations

import hashlib
import threading
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import TextIO

from reader.documents import DocumentError
from reader.documents.base import Cancelled
from reader.library.core import LibraryCore
from reader.model import ExportRecord, ExportScope


class Exporting(LibraryCore):
    """The annotations of a scope (set, document, all) written in one of `EXPORT_FORMATS`."""

    EXPORT_FORMATS = ("csv", "json", "md", "claimreview", "hypothesis")

    def _export_scope(self, scope: ExportScope) -> tuple[str, int]:
        if scope.kind == "set":
            found = self.set_named(scope.value)
            if found is None:
                raise DocumentError(f'There is no set named "{scope.value}".')
            return "set", found.id
        if scope.kind == "document":
            record = self.repo.document_by_sha(scope.value.strip().lower())
            if record is None:
                raise DocumentError(
                    "That document is not in the library: open it and annotate it first."
                )
            return "document", record.id
        if scope.kind == "all":
            return "all", 0
        raise DocumentError(f'"{scope.kind}" is not an export scope: use set, document or all.')

    def export_records(
        self,
        scope: ExportScope = ExportScope(),  # noqa: B008 - frozen, so a safe default
    ) -> Iterator[ExportRecord]:
        """The annotations in `scope` by document, then start, each with its document, its
        citations (and their sources) and its sets; fetched a batch at a time.

        A record's ``document.sha256`` is that of the version the anchor refers to.
        """
        kind, key = self._export_scope(scope)
        return self._exchange_store().records(kind, key, author=scope.author)

    def export(
        self,
        target: str | Path | TextIO,
        fmt: str = "csv",
        scope: ExportScope = ExportScope(),  # noqa: B008 - frozen, so a safe default
        *,
        excel: bool = False,
        progress: Callable[[int, int], None] | None = None,
        cancel: threading.Event | None = None,
        review_url: str = "",
        org: str = "",
        org_url: str = "",
    ) -> int:
        """Write the annotations in `scope` as csv, json (W3C), md, claimreview or hypothesis.

        ClaimReview takes the published fact-check's URL (`review_url`) and the reviewing
        organisation (`org`, `org_url`); the organisation given is remembered in the library's
        settings and used when none is given.

        A path is written through a temporary file renamed into place when complete, so it is
        never half-written; a stream is written as it goes. `progress(done, total)` counts
        annotations; setting `cancel` stops with Cancelled("Export cancelled.") and leaves
        no file. Returns the number written (ClaimReview: reviews).
        """
        fmt = fmt.strip().lower()
        if fmt not in self.EXPORT_FORMATS:
            raise DocumentError(
                f'"{fmt}" is not an export format: use csv, json, md, claimreview or hypothesis.'
            )
        kind, key = self._export_scope(scope)
        store = self._exchange_store()
        total = store.count(kind, key, scope.author)
        review = {"review_url": review_url, "org": org, "org_url": org_url}
        if fmt == "claimreview":
            review = self._review_settings(review)
        write = _export_writer(
            fmt, excel, total, _Locator(store, self.repo.version_text_by_sha), review
        )
        records = _watched(store.records(kind, key, author=scope.author), total, progress, cancel)
        if isinstance(target, str | Path):
            return _write_atomically(Path(target), lambda out: write(records, out))
        return write(records, target)

    REVIEW_SETTINGS = ("org", "org_url")

    def review_settings(self) -> dict[str, str]:
        """The reviewing organisation ClaimReview exports name (as last given)."""
        return {key: self.repo.setting(f"claimreview.{key}") for key in self.REVIEW_SETTINGS}

    def _review_settings(self, given: dict[str, str]) -> dict[str, str]:
        """`given` with the remembered organisation filled in; a new one given is remembered."""
        from reader.documents.urls import looks_like_url

        for key in ("review_url", "org_url"):
            value = given.get(key, "").strip()
            if value and not (looks_like_url(value) and value.lower().startswith("http")):
                flag = "--" + key.replace("_", "-")
                raise DocumentError(f"{flag} {value!r} is not a web address (http:// or https://).")
        stored = self.review_settings()
        merged = dict(given)
        for key in self.REVIEW_SETTINGS:
            value = " ".join(given.get(key, "").split())
            if value and value != stored[key]:
                self.repo.set_setting(f"claimreview.{key}", value)
            merged[key] = value or stored[key]
        # Google's required fields: the fact-check's own page, and who reviewed.
        if not merged.get("review_url", "").strip():
            raise DocumentError(
                "ClaimReview needs the published fact-check's address: give --review-url URL."
            )
        if not merged.get("org"):
            raise DocumentError(
                "ClaimReview needs the reviewing organisation: give --org NAME (and --org-url URL)."
            )
        return merged


def _export_writer(fmt: str, excel: bool, total: int, texts: _Locator, review: dict[str, str]):
    """write(records, out) -> int for a format; md and claimreview are imported when used."""
    if fmt == "csv":
        from reader.exchange.csv_format import write_csv

        return lambda records, out: write_csv(records, out, excel=excel, locate=texts)
    if fmt == "json":
        from reader.exchange.webanno import write_webanno

        return lambda records, out: write_webanno(
            records, out, total=total, source_span=texts.source_span
        )
    if fmt == "hypothesis":
        from reader.exchange.hypothesis import write_hypothesis

        return lambda records, out: write_hypothesis(
            records, out, source_span=texts.source_span, pdf_fingerprint=texts.pdf_fingerprint
        )
    try:
        if fmt == "md":
            from reader.exchange.markdown import write_markdown

            return lambda records, out: write_markdown(records, out, locate=texts)
        from reader.exchange.claimreview import write_claimreview
    except ImportError as exc:  # pragma: no cover - a partial installation
        raise DocumentError(f"The {fmt} export is not available ({exc}).") from None
    return lambda records, out: write_claimreview(
        records,
        out,
        publisher=review.get("org", ""),
        url=review.get("review_url", ""),
        publisher_url=review.get("org_url", ""),
    )


def _watched(
    records: Iterator[ExportRecord],
    total: int,
    progress: Callable[[int, int], None] | None,
    cancel: threading.Event | None,
) -> Iterator[ExportRecord]:
    """The records, telling `progress` every 100 and stopping when `cancel` is set."""
    done = 0
    if progress is not None:
        progress(0, total)
    for record in records:
        if cancel is not None and cancel.is_set():
            raise Cancelled("Export cancelled.")
        yield record
        done += 1
        if progress is not None and done % 100 == 0:
            progress(done, total)
    if cancel is not None and cancel.is_set():
        raise Cancelled("Export cancelled.")
    if progress is not None and done % 100:
        progress(done, total)


def _write_atomically(target: Path, write: Callable[[TextIO], int]) -> int:
    """Write to a temporary file beside `target` and rename it into place once complete."""
    import os

    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.part")
    try:
        out = tmp.open("w", encoding="utf-8", newline="")
    except OSError as exc:
        raise DocumentError(f"{target} cannot be written: {exc.strerror or exc}.") from None
    try:
        with out:
            count = write(out)
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)
    except OSError as exc:
        tmp.unlink(missing_ok=True)
        raise DocumentError(f"{target} cannot be written: {exc.strerror or exc}.") from None
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise
    return count


def _file_sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


class _Locator:
    """The texts of the documents being exported, as the library kept them (every version it
    opened since versions keep their text):

    - called, the CSV / Markdown ``location`` of a record: ``p. N``, or ``¶ N`` when the
      article's text is at hand, "" otherwise;
    - `source_span`, where a text or Markdown file's annotation sits in the file's own
      decoded text (None when the file is not at hand).

    A file is read only for `source_span`, and only when this library opened those very bytes
    itself (it kept their text) and the file still has them: a document's file name that came
    from an imported export is a hint, never opened (it could name any file on the machine).
    """

    def __init__(self, store, text_of: Callable[[str], str | None]) -> None:
        from reader.exchange import paragraph_at

        self.store = store
        self.text_of = text_of
        self.texts: dict[str, tuple[list[int], str] | None] = {}
        self.maps: dict[str, object] = {}  # SourceMap (or None) by sha256, text files only
        self.fingerprints: dict[str, str] = {}  # PDF.js fingerprints by sha256
        self.paragraph_at = paragraph_at

    def __call__(self, record: ExportRecord) -> str:
        # `reader.exchange.location`, inlined: it runs once per exported annotation.
        page = record.annotation.page
        if page >= 0:
            return f"p. {page + 1} (OCR)" if record.ocr else f"p. {page + 1}"
        document = record.document
        if document.kind.paged:
            return ""
        known = self._texts(document.sha256)
        if known is None:
            return ""
        return f"¶ {self.paragraph_at(known[0], record.annotation.anchor.start)}"

    def source_span(self, record: ExportRecord):
        from reader.exchange.webanno import SourceSpan

        if record.document.kind.value not in ("text", "markdown"):
            return None
        sha = record.document.sha256
        known = self._texts(sha)
        if known is None:
            return None
        if sha not in self.maps:  # built on first use: CSV and Markdown need only the breaks
            if len(self.maps) >= 4:
                self.maps.clear()
            self.maps[sha] = self._source_map(sha, known[1])
        source_map = self.maps[sha]
        if source_map is None:
            return None
        anchor = record.annotation.anchor
        span = source_map.span(anchor.start, anchor.end)  # type: ignore[attr-defined]
        if span is None:
            return None
        return SourceSpan(span[0], span[1], source_map.source)  # type: ignore[attr-defined]

    def pdf_fingerprint(self, record: ExportRecord) -> str:
        """A PDF's PDF.js fingerprint, from the version's file; "" when it is not at hand."""
        from reader.documents.pdf import pdf_fingerprint

        sha = record.document.sha256
        if sha not in self.fingerprints:
            self.fingerprints[sha] = ""
            if record.document.kind.value == "pdf":
                for name in self.store.version_files(sha):
                    path = Path(name)
                    if path.is_file() and _file_sha256(path) == sha:
                        self.fingerprints[sha] = pdf_fingerprint(path)
                        break
        return self.fingerprints[sha]

    def _source_map(self, sha: str, text: str):
        from reader.documents.decode import decode_source
        from reader.documents.source_map import SourceMap

        for name in self.store.version_files(sha):
            path = Path(name)
            try:
                if not path.is_file():
                    continue
                data = path.read_bytes()
                if hashlib.sha256(data).hexdigest() == sha:
                    return SourceMap(text, decode_source(data))
            except (OSError, ValueError):
                continue
        return None

    def _texts(self, sha: str) -> tuple[list[int], str] | None:
        """The document's paragraph breaks and its normalized text, when the library kept it."""
        from reader.exchange import paragraph_breaks

        if sha not in self.texts:
            if len(self.texts) >= 4:
                self.texts.clear()
            text = self.text_of(sha)
            self.texts[sha] = None if text is None else (paragraph_breaks(text), text)
        return self.texts[sha]
