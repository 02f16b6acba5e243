"""Headless commands. No Qt here: `claim-reader extract …` must work without a display."""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Sequence

from reader.documents import DocumentError, PasswordRequired, open_document

COMMANDS = ("extract",)


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
    return parser


def cmd_extract(args: argparse.Namespace) -> int:
    doc = open_document(args.file, args.password)
    text = doc.text
    if args.json:
        payload = {
            "sha256": doc.sha256,
            "kind": str(doc.kind),
            "title": doc.metadata.title,
            "author": doc.metadata.author,
            "published": doc.metadata.published,
            "pages": doc.page_count,
            "text": text,
        }
        sys.stdout.write(json.dumps(payload, ensure_ascii=False, indent=2) + "\n")
    else:
        sys.stdout.write(text if text.endswith("\n") else text + "\n")
    return 0


def run(argv: Sequence[str]) -> int:
    args = build_parser().parse_args(list(argv))
    handlers = {"extract": cmd_extract}
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


def main(argv: Sequence[str] | None = None) -> int:
    return run(sys.argv[1:] if argv is None else argv)
