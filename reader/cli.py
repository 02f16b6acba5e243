"""Headless commands. No Qt here: `claim-reader extract …` must work without a display."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from reader.documents import DocumentError, PasswordRequired, open_document
from reader.model import AnnotationKind, ClaimStatus, Stance
from reader.text_shortening import shorten

COMMANDS = (
    "extract",
    "annotate",
    "list",
    "sets",
    "export",
    "import",
    "export-pdf",
    "update",
    "history",
    "serve",
    "compare-numbers",
    "similar",
    "claims",
)


class _Parser(argparse.ArgumentParser):
    def error(
        self, message: str
    ) -> None:  # usage errors exit 2 with one line, as the contract says
        self.print_usage(sys.stderr)
        print(f"error: {message}", file=sys.stderr)
        raise SystemExit(2)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="claim-reader", description="Claim Reader command line.")
    parser.add_argument("--db", help="library file (default: $CLAIM_READER_DB or the data folder)")
    sub = parser.add_subparsers(dest="command", required=True, parser_class=_Parser)
    extract = sub.add_parser("extract", help="print a document's normalized text")
    extract.add_argument("file")
    extract.add_argument("--json", action="store_true", help="print metadata and text as JSON")
    extract.add_argument("--password", help="password of an encrypted PDF")
    annotate = sub.add_parser("annotate", help="add an annotation on a quote; prints its id")
    annotate.add_argument("file")
    annotate.add_argument("--quote", required=True, help="the exact text to annotate")
    annotate.add_argument("--occurrence", type=_positive, default=1, metavar="N")
    annotate.add_argument("--kind", choices=[k.value for k in AnnotationKind], default="claim")
    annotate.add_argument("--status", choices=[s.value for s in ClaimStatus], default="unverified")
    annotate.add_argument("--note", default="")
    annotate.add_argument("--tag", action="append", default=[], metavar="T")
    annotate.add_argument("--claimant", default="")
    annotate.add_argument("--password", help="password of an encrypted PDF")
    annotate.add_argument("--set", action="append", default=[], metavar="NAME")
    annotate.add_argument("--cite", metavar="REF")
    annotate.add_argument("--stance", choices=["supports", "refutes", "context"])
    annotate.add_argument("--locator")
    annotate.add_argument("--evidence-quote", metavar="T")
    listing = sub.add_parser("list", help="list annotations")
    listing.add_argument("--document", metavar="FILE")
    listing.add_argument("--set", metavar="NAME")
    listing.add_argument("--json", action="store_true")
    listing.add_argument("--password", help="password of an encrypted PDF")
    sets = sub.add_parser("sets", help="list annotation sets with counts")
    sets.add_argument("--json", action="store_true")
    export = sub.add_parser("export", help="write annotations as CSV, W3C JSON, Markdown, …")
    scope = export.add_mutually_exclusive_group()
    scope.add_argument("--set", metavar="NAME", help="the annotations of one set")
    scope.add_argument("--document", metavar="FILE", help="the annotations of one document")
    scope.add_argument("--all", action="store_true", help="every annotation (the default)")
    export.add_argument(
        "--format", choices=["csv", "json", "md", "claimreview", "hypothesis"], default="csv"
    )
    export.add_argument("--excel", action="store_true", help="CSV with a BOM, for Excel")
    export.add_argument("--author", metavar="NAME", help="only what NAME made or changed")
    export.add_argument("-o", "--output", metavar="OUT", help="file to write (default: stdout)")
    export.add_argument("--password", help="password of an encrypted PDF (--document)")
    export.add_argument(
        "--review-url", metavar="URL", default="", help="claimreview: the published fact-check"
    )
    export.add_argument(
        "--org", metavar="NAME", default="", help="claimreview: the reviewing organisation"
    )
    export.add_argument(
        "--org-url", metavar="URL", default="", help="claimreview: the organisation's site"
    )
    export_pdf = sub.add_parser(
        "export-pdf", help="a copy of a PDF with every highlight as a PDF highlight annotation"
    )
    export_pdf.add_argument("file")
    export_pdf.add_argument("-o", "--output", required=True, metavar="OUT.pdf")
    export_pdf.add_argument("--password", help="password of an encrypted PDF")
    importing = sub.add_parser(
        "import",
        help="merge a CSV, W3C JSON or Hypothesis export, a Zotero library, or another "
        "Claim Reader library file",
    )
    importing.add_argument("file")
    importing.add_argument(
        "--attachment",
        action="append",
        default=[],
        metavar="KEY",
        help="Zotero: only this PDF attachment (its item key); repeatable (default: all)",
    )
    update = sub.add_parser("update", help="change an annotation (one transaction)")
    update.add_argument("id")
    update.add_argument("--status", choices=[s.value for s in ClaimStatus])
    update.add_argument("--note")
    update.add_argument("--claimant")
    update.add_argument("--kind", choices=[k.value for k in AnnotationKind])
    update.add_argument(
        "--tag", action="append", metavar="T", help="the annotation's tags (replace its own)"
    )
    history = sub.add_parser("history", help="who changed an annotation, what and when")
    history.add_argument("id")
    history.add_argument("--json", action="store_true")
    serve = sub.add_parser("serve", help="the library read-only in the browser (Datasette)")
    serve.add_argument("--host", default="127.0.0.1")
    serve.add_argument("--port", type=_port, default=8001)
    serve.add_argument("--password", help="required to see any page (needed off loopback)")
    numbers = sub.add_parser(
        "compare-numbers", help="the figures of a claim checked against its evidence quote"
    )
    numbers.add_argument("claim")
    numbers.add_argument("evidence")
    numbers.add_argument("--json", action="store_true")
    similar = sub.add_parser("similar", help="earlier claims and fact-checks making this claim")
    similar.add_argument("text")
    similar.add_argument("--json", action="store_true")
    similar.add_argument("--limit", type=_positive, default=10)
    claims = sub.add_parser("claims", help="the sentences of a document worth checking")
    claims.add_argument("file")
    claims.add_argument("--json", action="store_true")
    claims.add_argument("--password", help="password of an encrypted PDF")
    return parser


def cmd_similar(args: argparse.Namespace) -> int:
    library = _library(args)
    try:
        found = library.seen_before.matches(args.text, limit=args.limit)
    finally:
        library.close()
    if args.json:
        sys.stdout.write(json.dumps([m.as_json() for m in found], ensure_ascii=False) + "\n")
    for m in [] if args.json else found:
        verdict = m.fact_check.rating if m.fact_check else m.status
        print(f"{m.score:.2f}  {verdict or '-'}  {m.document}  {m.target}\n      {m.quote}")
    return 0


def cmd_claims(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reader.documents.bounded import run_bounded

    name = args.file if "://" in args.file else Path(args.file).name
    found = run_bounded(lambda: _claims_of(args), name)  # a hostile file costs a sentence
    if args.json:
        sys.stdout.write(json.dumps([c for c, _ in found], ensure_ascii=False, indent=2) + "\n")
    for c, page in [] if args.json else found:
        where = f"p. {page + 1}" if page is not None else f"@{c['start']}"
        text = " ".join(c["text"].split())
        text = text if len(text) <= 80 else text[:79] + "…"
        print(f"{where:<8} {c['score']:.2f}  {','.join(c['reasons']):<30} {text}")
    return 0


def _claims_of(args: argparse.Namespace) -> list[tuple[dict[str, object], int | None]]:
    from bisect import bisect_right

    from reader.claims import candidates

    payload = _extracted(args, with_pages=True)
    starts = payload["page_starts"]
    return [
        (c.as_json(), bisect_right(starts, c.start) - 1 if starts else None)
        for c in candidates(payload["text"])
    ]


def cmd_compare_numbers(args: argparse.Namespace) -> int:
    from reader.numbers import compare

    check = compare(args.claim, args.evidence)
    if args.json:
        sys.stdout.write(json.dumps(check.as_json(), ensure_ascii=False) + "\n")
    else:
        print(check.cell())
        for pair in check.pairs:
            print(f"  {pair.verdict}: {pair.claim} vs {pair.evidence}")
    return 0


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a whole number") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a port number") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is 0 to 65535")
    return value


def _library(args: argparse.Namespace):
    from reader.library import Library
    from reader.paths import library_path

    return Library(library_path(args.db))


def cmd_annotate(args: argparse.Namespace) -> int:
    citing = [
        flag
        for flag, value in (
            ("--stance", args.stance),
            ("--locator", args.locator),
            ("--evidence-quote", args.evidence_quote),
        )
        if value
    ]
    if citing and not args.cite:
        raise DocumentError(f"{citing[0]} describes a citation: give the source with --cite.")
    source = None
    if args.cite:
        from reader.citations import ReferenceError, parse_reference

        try:
            source = parse_reference(args.cite)
        except ReferenceError as exc:
            raise DocumentError(f"--cite: {exc}") from None
    library = _library(args)
    try:
        # A web address is fetched as the window does (the snapshot kept beside the library).
        opened = library.open(args.file, args.password)
        library.read_scanned_pages(opened)  # anchors need the pages' text
        library.reanchor(opened)
        start, end = library.find_quote(opened, args.quote, args.occurrence)
        # The annotation and its citation are one change: both are saved, or neither.
        with library.transaction():
            annotation = library.highlight(
                opened,
                start,
                end,
                AnnotationKind(args.kind),
                status=ClaimStatus(args.status),
                note=args.note,
                tags=tuple(args.tag),
                claimant=args.claimant,
            )
            for name in args.set:
                library.add_to_set(library.ensure_set(name).id, [annotation.id])
            if source is not None:
                stored = library.add_source(source)
                library.cite(
                    annotation.id,
                    stored.id,
                    Stance(args.stance or "supports"),
                    locator=args.locator or "",
                    evidence_quote=args.evidence_quote or "",
                )
    finally:
        library.close()
    print(annotation.id)
    return 0


def cmd_list(args: argparse.Namespace) -> int:
    library = _library(args)
    try:
        if args.document:
            opened = library.open_path(args.document, args.password)
            library.read_scanned_pages(opened)  # anchors need the pages' text
            annotations = library.annotations(opened)
        else:
            annotations = library.all_annotations()
        if args.set:
            chosen = library.set_named(args.set)
            if chosen is None:
                raise DocumentError(f'There is no set named "{args.set}".')
            members = set(library.set_members(chosen.id))
            annotations = [a for a in annotations if a.id in members]
        # A few queries for the whole listing, never one per annotation: `list` stays linear.
        documents = {i: library.document_by_id(i) for i in {a.document_id for a in annotations}}
        citations = library.citations_by_annotation()
        sets = library.set_names_by_annotation()
    finally:
        library.close()
    rows = [_listing(a, documents[a.document_id], citations, sets) for a in annotations]
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    for row in rows:
        where = f"p. {row['page']}" if row["page"] else f"@{row['start']}"
        quote = shorten(row["quote"], 70)
        print(
            f"{row['id']}  {row['anchor_state']:<6}  {row['kind']:<8}  {row['status']:<12}  "
            f"{row['document_title'][:30]:<30}  {where:<8}  {quote}"
        )
    return 0


def cmd_export_pdf(args: argparse.Namespace) -> int:
    from pathlib import Path

    library = _library(args)
    try:
        opened = library.open_path(args.file, args.password)
        library.read_scanned_pages(opened)  # anchors need the pages' text
        if Path(args.output).resolve() == Path(opened.record.source).resolve():
            raise DocumentError("The annotated copy must not overwrite the original PDF.")
        written, skipped = library.export_pdf(opened, args.output, args.password)
    finally:
        library.close()
    note = f" ({skipped} orphaned, not placed)" if skipped else ""
    print(f"wrote {written} highlights to {args.output}{note}")
    return 0


def cmd_sets(args: argparse.Namespace) -> int:
    library = _library(args)
    try:
        found = library.sets()
    finally:
        library.close()
    if args.json:
        payload = [{"name": s.name, "count": s.count, "created_at": s.created_at} for s in found]
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        for s in found:
            print(f"{s.count:>6}  {s.name}")
    return 0


def _citations(cited) -> list[dict[str, object]]:
    out = []
    for c, source in cited:
        out.append(
            {
                "id": c.id,
                "stance": str(c.stance),
                "locator": c.locator,
                "evidence_quote": c.evidence_quote,
                "source_title": source.title if source else "",
                "source_authors": list(source.authors) if source else [],
                "source_date": source.issued if source else "",
                "source_url": source.url if source else "",
                "source_doi": source.doi if source else "",
            }
        )
    return out


def _listing(a, record, citations, sets) -> dict[str, object]:
    # Runs once per annotation of the library: enum values, not str() calls; no empty lists
    # built through a function call.
    anchor = a.anchor
    cited = citations.get(a.id)
    return {
        "id": a.id,
        "anchor_state": anchor.state.value,
        "start": anchor.start,
        "end": anchor.end,
        "quote": anchor.quote,
        "page": a.page + 1 if a.page >= 0 else None,
        "kind": a.kind.value,
        "status": a.status.value,
        "note": a.note,
        "tags": list(a.tags),
        "sets": sets.get(a.id, []),
        "citations": _citations(cited) if cited else [],
        "claimant": a.claimant,
        "color": a.color,
        "document_sha256": record.sha256 if record else "",
        "document_title": record.title if record else "",
        "created_at": a.created_at,
        "updated_at": a.updated_at,
    }


def cmd_export(args: argparse.Namespace) -> int:
    import io
    from dataclasses import replace

    from reader.model import ExportScope

    library = _library(args)
    try:
        if args.document:
            # Opening re-anchors the document's annotations against its current bytes first.
            opened = library.open_path(args.document, args.password)
            library.read_scanned_pages(opened)  # anchors need the pages' text
            library.reanchor(opened)
            scope = ExportScope("document", opened.document.sha256)
        elif args.set:
            scope = ExportScope("set", args.set)
        else:
            scope = ExportScope("all")
        if args.author:
            scope = replace(scope, author=" ".join(args.author.split()))
        review = {"review_url": args.review_url, "org": args.org, "org_url": args.org_url}
        if args.format != "claimreview" and any(review.values()):
            raise DocumentError("--review-url, --org and --org-url go with --format claimreview.")
        if args.output:
            library.export(args.output, args.format, scope, excel=args.excel, **review)
        else:
            out = io.TextIOWrapper(sys.stdout.buffer, encoding="utf-8", newline="")
            try:
                library.export(out, args.format, scope, excel=args.excel, **review)
            finally:
                out.flush()
                out.detach()
    finally:
        library.close()
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    library = _library(args)
    try:
        if args.attachment:
            summary = library.import_zotero_file(args.file, set(args.attachment))
        else:
            summary = library.import_file(args.file)
    finally:
        library.close()
    print(summary)
    if summary.missing:
        # Said, not failed: what could be imported was. The pages named are to be opened (or
        # downloaded) first; importing the same file again then brings their annotations.
        for where in summary.missing:
            print(
                f"missing: {where} is not in the library; open it and import again", file=sys.stderr
            )
        if not (summary.added or summary.updated or summary.unchanged):
            print("error: none of the annotated pages is in the library.", file=sys.stderr)
            return 1
    return 0


def cmd_update(args: argparse.Namespace) -> int:
    changes: dict[str, object] = {}
    if args.status is not None:
        changes["status"] = ClaimStatus(args.status)
    if args.note is not None:
        changes["note"] = args.note
    if args.claimant is not None:
        changes["claimant"] = args.claimant
    if args.kind is not None:
        changes["kind"] = AnnotationKind(args.kind)
    if args.tag is not None:
        changes["tags"] = tuple(args.tag)
    library = _library(args)
    try:
        updated = library.update_by_id(args.id, **changes)
    finally:
        library.close()
    print(updated.id)
    return 0


def cmd_history(args: argparse.Namespace) -> int:
    library = _library(args)
    try:
        entries = library.history(args.id)
    finally:
        library.close()
    rows = [
        {"time": e.time, "author": e.author, "field": e.field, "old": e.old, "new": e.new}
        for e in entries
    ]
    if args.json:
        sys.stdout.write(json.dumps(rows, ensure_ascii=False, indent=2) + "\n")
        return 0
    for row in rows:
        change = " → ".join(
            " ".join(str(v).split()) if v is not None else "∅" for v in (row["old"], row["new"])
        )
        print(f"{row['time']}  {row['author'] or '?'}  {row['field']}: {change}")
    return 0


def cmd_serve(args: argparse.Namespace) -> int:
    from reader.paths import library_path
    from reader.serving import serve

    return serve(library_path(args.db), host=args.host, port=args.port, password=args.password)


def _fetched_document(url: str, password: str | None, folder: str):
    """A web address fetched as the window fetches it, opened from a file in `folder`."""
    from pathlib import Path

    from reader.documents import kind_for_mime
    from reader.documents.fetch import fetch_url, normalize_url

    fetched = fetch_url(normalize_url(url))
    kind = kind_for_mime(fetched.content_type)
    suffix = {"pdf": ".pdf", "epub": ".epub", "text": ".txt", "markdown": ".md"}.get(
        str(kind), ".html"
    )
    target = Path(folder) / f"fetched{suffix}"
    target.write_bytes(fetched.data)
    return open_document(target, password, source=url, url=fetched.url)


def cmd_extract(args: argparse.Namespace) -> int:
    from pathlib import Path

    from reader.documents.bounded import run_bounded

    # Read in a child process with a memory and a time budget: a file made to hurt costs a
    # sentence, not minutes and gigabytes.
    name = args.file if "://" in args.file else Path(args.file).name
    payload = run_bounded(lambda: _extracted(args), name)
    if payload.pop("too_complex"):
        pages = ", ".join(str(p + 1) for p in payload["too_complex_pages"][:10])
        print(
            f"note: {name}: page(s) {pages} are too complex to read within the budget; "
            "their text is left out.",
            file=sys.stderr,
        )
    payload.pop("too_complex_pages")
    if args.json:
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        text = payload["text"]
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def _extracted(args: argparse.Namespace, with_pages: bool = False) -> dict[str, object]:
    """What `extract` prints, read from the file or the fetched web address."""
    import tempfile
    from pathlib import Path

    from reader.documents.bounded import alive
    from reader.documents.urls import looks_like_url

    with tempfile.TemporaryDirectory(prefix="claim-reader-extract-") as folder:
        if looks_like_url(args.file) and not Path(args.file).exists():
            doc = _fetched_document(args.file, args.password, folder)
        else:
            doc = open_document(args.file, args.password)
        if doc.kind.paged:
            scanned = doc.pages_needing_ocr()
            if scanned:
                # Each page read is progress: the child's deadline is per step.
                read, _unreadable = doc.read_ocr(scanned, progress=lambda *_: alive())
                doc.adopt_ocr(read)
        text = doc.text
        heavy = list(getattr(doc, "too_complex_pages", list)())
        if heavy and len(heavy) == doc.page_count:
            raise DocumentError(
                f"{Path(args.file).name} cannot be read: every page is too complex to read "
                "within the budget (only a damaged or malicious file is)."
            )
        payload: dict[str, object] = {}
        if with_pages:  # where each page's text starts, for the candidates' locations
            paged = doc.kind.paged
            payload["page_starts"] = (
                [doc.page_text_offset(p) for p in range(doc.page_count)] if paged else []
            )
        return payload | {
            "sha256": doc.sha256,
            "kind": str(doc.kind),
            "title": doc.metadata.title,
            "author": doc.metadata.author,
            "published": doc.metadata.published,
            "pages": doc.page_count,
            "text": text,
            "too_complex": bool(heavy),
            "too_complex_pages": heavy,
        }


def run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    handlers = {
        "extract": cmd_extract,
        "annotate": cmd_annotate,
        "list": cmd_list,
        "sets": cmd_sets,
        "export": cmd_export,
        "import": cmd_import,
        "export-pdf": cmd_export_pdf,
        "update": cmd_update,
        "history": cmd_history,
        "serve": cmd_serve,
        "compare-numbers": cmd_compare_numbers,
        "similar": cmd_similar,
        "claims": cmd_claims,
    }
    try:
        return handlers[args.command](args)
    except PasswordRequired as exc:
        if exc.wrong_password:
            print(f"error: {exc}", file=sys.stderr)
        else:
            print(f"error: {exc} Pass it with --password.", file=sys.stderr)
        return 1
    except DocumentError as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    except BrokenPipeError:
        return 0
    except Exception as exc:  # the library file itself (damaged, locked, unwritable)
        from reader.paths import LibraryPathError
        from reader.store.db import LibraryError  # damaged, or locked / unreadable

        if isinstance(exc, LibraryError | LibraryPathError | OSError):
            print(f"error: {exc}", file=sys.stderr)
            return 1
        raise


def main(argv: Sequence[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv)
