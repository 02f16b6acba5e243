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
    parser.add_argument(
        "--new-window",
        action="store_true",
        help="open a window of its own even when Claim Reader already runs on this library "
        "(by default the documents are handed to the running window)",
    )
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

    from reader.paths import LibraryPathError, instance_name, library_path
    from reader.store.db import LibraryDamaged, LibraryError, check_file, preflight

    try:
        db_path = library_path(db_arg if db_arg is not None else args.db)
        preflight(db_path)  # a folder, a loop, a read-only place …: said before anything
    except (LibraryPathError, LibraryError) as exc:
        return refuse_library(str(exc), dialog=not args.screenshot)
    # The quick check reads the whole library (~0.1-0.25 s for 100,000 annotations). It runs
    # on a thread, on its own read-only connection, while this thread imports the library
    # code, Qt and the window (~0.25-0.4 s); SQLite releases the GIL while it reads. Library()
    # then skips the check if the file is unchanged since. Nothing writes before it is done.
    checking = _Background(lambda: check_file(db_path, remember=True))
    instance = None if args.screenshot else instance_name(db_path)
    if instance is not None and args.documents and not args.new_window:
        from reader.ui.single_instance import hand_over

        if hand_over(instance, [_absolute(target) for target in args.documents]):
            return 0  # the running window opens them (the read-only check just stops)
    from PySide6.QtWidgets import QApplication

    import reader.ui.main_window  # noqa: F401 - imported now, in parallel with the check
    from reader.library import Library

    try:
        checking.result()
        library = Library(db_path)
    except LibraryDamaged as exc:
        if args.screenshot:  # nobody is there to answer
            print(f"error: {exc}", file=sys.stderr)
            return 1
        _application(QApplication)
        from reader.ui.recovery import ask_damaged_dialog, inform_dialog

        library = start_library(
            db_path,
            first_error=exc,
            ask=ask_damaged_dialog,
            tell=lambda text: inform_dialog(text, error=True),
        )
        if library is None:
            return 1
    except LibraryError as exc:
        return refuse_library(str(exc), dialog=not args.screenshot)
    return run_gui(
        library,
        args.documents,
        screenshot=args.screenshot,
        size=size,
        backup=not args.screenshot,
        instance=instance,
    )


def refuse_library(sentence: str, *, dialog: bool) -> int:
    """A library that cannot be used: the sentence on stderr and, for a person at the
    window (not a --screenshot run), in a dialog too, since a desktop launch has no terminal."""
    print(f"error: {sentence}", file=sys.stderr)
    if dialog:
        from PySide6.QtWidgets import QApplication

        from reader.ui.recovery import inform_dialog

        _application(QApplication)
        inform_dialog(sentence, error=True)
    return 1


def _absolute(target: str) -> str:
    """A path as the running window must see it (it has another working folder); URLs as
    they are. A missing file stays a path: the window says it does not exist."""
    from reader.library import is_url

    path = Path(target).expanduser()
    if is_url(target) and not path.exists():
        return target
    return str(path.absolute())


class _Background:
    """Run `fn` on a thread now; `result()` waits for it and returns its value or raises."""

    def __init__(self, fn) -> None:
        import threading

        self._fn = fn
        self._value = None
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="open-library", daemon=True)
        self._thread.start()

    def _run(self) -> None:
        try:
            self._value = self._fn()
        except BaseException as exc:  # handed over to result()
            self._error = exc

    def result(self):
        self._thread.join()
        if self._error is not None:
            raise self._error
        return self._value


def start_library(
    db_path: Path,
    *,
    ask,
    tell,
    first_error: Exception | None = None,
    now=None,
):
    """The library to start with, or None to quit — the start-up recovery of a damaged library.

    `ask(sentence, newest backup or None)` answers "restore", "empty" or "quit"; `tell(sentence)`
    reports a failure. Quit changes nothing. Otherwise the damaged file (with its -wal/-shm) is
    kept as `library.sqlite.damaged-STAMP` and either the newest sound backup is restored
    (a damaged backup is reported, and the next one offered) or an empty library started.
    `first_error`: the LibraryDamaged an earlier open already raised (skips opening again)."""
    from reader.library import Library
    from reader.store.backup import BackupError, list_backups, restore_backup, set_aside_damaged
    from reader.store.db import LibraryDamaged, LibraryError

    error = first_error
    if error is None:
        try:
            return Library(db_path)
        except LibraryDamaged as exc:
            error = exc
    kept: Path | None = None
    backups = list_backups(db_path)
    while True:
        newest = backups[0] if backups else None
        answer = ask(str(error), newest)
        if answer not in ("restore", "empty"):
            return None
        if kept is None:
            kept = set_aside_damaged(db_path, now=now)
            log.warning("kept the damaged library as %s", kept)
        if answer == "restore" and newest is not None:
            try:
                restore_backup(db_path, newest.path, now=now)
            except (LibraryError, BackupError, OSError) as exc:
                tell(f"The backup from {newest.created:%Y-%m-%d %H:%M} cannot be used: {exc}")
                error = exc
                backups = backups[1:]
                continue
        try:
            return Library(db_path)
        except LibraryError as exc:
            tell(str(exc))
            return None


def _application(qapplication_class):
    app = qapplication_class.instance() or qapplication_class([sys.argv[0]])
    app.setApplicationName("Claim Reader")
    app.setOrganizationName("claim-reader")
    app.setDesktopFileName("claim-reader")
    return app


def schedule_daily_backup(db_path: Path | None, *, delay_ms: int = 3000, now=None):
    """After `delay_ms` (so the first page is painted first), back the library up on a thread
    if the newest backup is 24 h old or there is none. Returns a list that holds the thread
    once it has started (tests join it)."""
    from PySide6.QtCore import QTimer

    started: list = []
    if db_path is None:
        return started

    def kick() -> None:
        import threading

        thread = threading.Thread(
            target=run_daily_backup, args=(db_path,), kwargs={"now": now}, name="daily-backup"
        )
        started.append(thread)
        thread.start()

    QTimer.singleShot(delay_ms, kick)
    return started


def run_daily_backup(db_path: Path, *, now=None) -> Path | None:
    """The daily backup (see reader.store.backup.daily_backup); a failure is logged, not raised."""
    from reader.store.backup import BackupError, daily_backup

    try:
        made = daily_backup(db_path, now=now)
    except BackupError as exc:
        log.warning("%s", exc)
        return None
    if made is not None:
        log.info("backed up the library to %s", made)
    return made


def run_gui(
    library: object,
    documents: Sequence[str],
    *,
    screenshot: str | None = None,
    size: tuple[int, int] = (1280, 800),
    backup: bool = False,
    instance: str | None = None,
) -> int:
    """Show the window for `library` and run Qt. `backup`: make the daily backup once the
    window is up (main() asks for it; tests that call this do not, unless they mean to).
    `instance`: the local socket name on which later starts hand their documents over."""
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication

    from reader.ui.main_window import MainWindow

    app = _application(QApplication)
    window = MainWindow(library)  # type: ignore[arg-type]
    window.resize(*size)
    window.show()
    if instance is not None:
        listen_for_documents(window, instance)
    for doc in documents:
        window.open_document(doc, background=screenshot is None)
    if not screenshot:
        # The last session's tabs open once the window is on screen (startup stays as fast).
        QTimer.singleShot(0, window.restore_session)
    if backup and not os.environ.get("CLAIM_READER_NO_BACKUP"):
        schedule_daily_backup(getattr(library, "db_path", None))
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


def listen_for_documents(window, name: str):
    """Let later starts on the same library hand their documents to `window` (see
    reader.ui.single_instance); returns the server, or None if another window has the name."""
    from reader.ui.single_instance import InstanceServer

    server = InstanceServer(name, window)
    if not server.listen():
        server.deleteLater()
        return None
    server.open_requested.connect(window.open_handed_over)
    window.instance_server = server
    return server
