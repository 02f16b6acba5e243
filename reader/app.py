"""Composition root: parses the command line, builds Library + MainWindow, runs Qt.

Headless commands are handed to `reader.cli` before anything imports Qt, so they stay fast and
work without a display.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence
from pathlib import Path

log = logging.getLogger("reader")


def _split_global(argv: list[str]) -> tuple[str | None, list[str]]:
    """Pull the global `--db PATH` out of argv, wherever it stands before a command."""
    db: str | None = None
    rest: list[str] = []
    it = iter(range(len(argv)))
    for i in it:
        arg = argv[i]
        if arg == "--db" and i + 1 < len(argv):
            db = argv[i + 1]
            next(it, None)
        elif arg.startswith("--db="):
            db = arg.split("=", 1)[1]
        else:
            rest.append(arg)
    return db, rest


def _first_positional(argv: list[str]) -> str | None:
    skip = False
    for arg in argv:
        if skip:
            skip = False
            continue
        if arg in ("--screenshot", "--size"):
            skip = True
            continue
        if not arg.startswith("-"):
            return arg
    return None


def _gui_parser() -> argparse.ArgumentParser:
    from reader.cli import _Parser

    parser = _Parser(
        prog="claim-reader",
        description="Claim Reader: highlight the claims in what you read and attach sources. "
        "Commands: extract (see `claim-reader extract -h`).",
    )
    parser.add_argument("documents", nargs="*", metavar="FILE_OR_URL")
    parser.add_argument("--db", help="library file")
    parser.add_argument("--screenshot", metavar="OUT.png", help="render the window to PNG and exit")
    parser.add_argument("--size", default="1280x800", metavar="WxH", help="window size")
    return parser


def _parse_size(text: str) -> tuple[int, int]:
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        w = h = 0
    if not (200 <= w <= 10000 and 200 <= h <= 10000):
        print(
            f"error: --size takes WIDTHxHEIGHT between 200x200 and 10000x10000, not {text!r}",
            file=sys.stderr,
        )
        raise SystemExit(2)
    return w, h


def main(argv: Sequence[str] | None = None) -> int:
    args_list = list(sys.argv[1:] if argv is None else argv)
    db_arg, rest = _split_global(args_list)
    from reader.cli import COMMANDS

    if _first_positional(rest) in COMMANDS:
        from reader.cli import run

        return run(args_list)

    args = _gui_parser().parse_args(rest)
    size = _parse_size(args.size)
    logging.basicConfig(level=logging.WARNING, format="%(levelname)s %(name)s: %(message)s")

    from reader.library import Library, LibraryDamaged
    from reader.paths import library_path

    db_path = library_path(db_arg or args.db)
    try:
        library = Library(db_path)
    except LibraryDamaged as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return run_gui(library, args.documents, screenshot=args.screenshot, size=size)


def run_gui(
    library: object,
    documents: Sequence[str],
    *,
    screenshot: str | None = None,
    size: tuple[int, int] = (1280, 800),
) -> int:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reader.ui.main_window import MainWindow

    app = QApplication.instance() or QApplication([sys.argv[0]])
    app.setApplicationName("Claim Reader")
    app.setOrganizationName("claim-reader")
    app.setDesktopFileName("claim-reader")
    window = MainWindow(library)  # type: ignore[arg-type]
    window.resize(*size)
    window.show()
    for doc in documents:
        window.open_document(doc, background=screenshot is None)
    if os.environ.get("CLAIM_READER_EXIT_AFTER_FIRST_PAINT"):
        # For `make bench`: process start → first page painted, measured from outside.
        view = window.current_view()
        if view is not None and hasattr(view, "first_page_painted"):
            view.first_page_painted.connect(app.quit)
        else:
            QTimer.singleShot(0, app.quit)
    if screenshot:
        ok = window.render_to_png(Path(screenshot))
        window.close()
        if not ok:
            print(f"error: could not write {screenshot}", file=sys.stderr)
            return 1
        return 0
    return app.exec()
