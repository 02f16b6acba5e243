"""A damaged library is detected, kept and recovered from a backup; daily backups; restoring.

Damage is made three ways: garbage bytes, a valid library cut off in the middle, and a valid
library with one page in the middle overwritten. Nothing here waits on the clock: every
"when" is passed in.
"""

from __future__ import annotations

import shutil
import sqlite3
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from conftest import SEED

from reader.cli import run as cli_run
from reader.library import Library
from reader.store.backup import (
    annotation_count,
    daily_backup,
    list_backups,
    make_backup,
    restore_backup,
)
from reader.store.db import LibraryDamaged, open_database, quick_check

T0 = datetime(2026, 3, 14, 9, 30, 0)
NOTE = "A long note that makes the library span many pages. " * 40


def add_annotations(lib: Library, count: int) -> None:
    opened = lib.open_path(SEED)
    words = [(m.start(), m.end()) for m in __import__("re").finditer(r"\w+", opened.document.text)]
    for k in range(count):
        start, end = words[(k * 37) % len(words)]
        lib.highlight(opened, start, end, note=f"{k}: {NOTE}")


def count(db_path: Path) -> int:
    return annotation_count(db_path) or 0


@pytest.fixture(scope="module")
def template(tmp_path_factory) -> Path:
    """A closed, sound library of 60 annotations (~40 pages), made once for the module."""
    path = tmp_path_factory.mktemp("template") / "library.sqlite"
    lib = Library(path)
    add_annotations(lib, 60)
    lib.close()  # the last connection checkpoints: everything is in the main file
    assert not Path(f"{path}-wal").exists()
    return path


@pytest.fixture
def lib_path(tmp_path, template) -> Path:
    path = tmp_path / "data" / "library.sqlite"
    path.parent.mkdir()
    shutil.copy(template, path)
    return path


def garbage(path: Path) -> None:
    path.write_bytes(b"this is not a database, only some bytes " * 200)


def truncated(path: Path) -> None:
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])


def corrupted_page(path: Path) -> None:
    data = bytearray(path.read_bytes())
    page = int.from_bytes(data[16:18], "big")
    pages = len(data) // page
    assert pages > 20
    middle = pages // 2
    data[middle * page : (middle + 1) * page] = b"\x5a" * page
    path.write_bytes(bytes(data))


DAMAGE = [garbage, truncated, corrupted_page]


# -- detecting ------------------------------------------------------------------------------------


def test_a_sound_library_passes_the_quick_check(lib_path):
    db = open_database(lib_path)
    assert quick_check(db) == []
    db.close()


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_quick_check_finds_the_damage_and_touches_nothing(lib_path, damage):
    damage(lib_path)
    before = lib_path.read_bytes()
    with pytest.raises(LibraryDamaged) as caught:
        Library(lib_path)
    message = str(caught.value)
    assert str(lib_path) in message and "is damaged" in message
    assert "\n" not in message
    assert lib_path.read_bytes() == before


def test_only_the_quick_check_sees_a_bad_page_in_the_middle(lib_path):
    corrupted_page(lib_path)
    db = open_database(lib_path, check=False)  # the schema and header are fine …
    db.close()
    with pytest.raises(LibraryDamaged, match="is damaged"):  # … the check reads every page
        open_database(lib_path)


def test_a_check_made_ahead_counts_only_while_the_file_is_unchanged(lib_path):
    """The app checks on a thread while it imports Qt; opening then skips a second check —
    unless the file changed in between."""
    from reader.store.db import check_file

    check_file(lib_path, remember=True)
    corrupted_page(lib_path)
    with pytest.raises(LibraryDamaged):
        open_database(lib_path)
    with pytest.raises(LibraryDamaged):
        check_file(lib_path)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_cli_prints_one_error_line_and_leaves_the_file(lib_path, damage, capsys):
    damage(lib_path)
    before = lib_path.read_bytes()
    assert cli_run(["--db", str(lib_path), "list"]) == 1
    out, err = capsys.readouterr()
    assert out == ""
    lines = err.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("error: The library ")
    assert str(lib_path) in lines[0] and "is damaged" in lines[0]
    assert lib_path.read_bytes() == before
    assert sorted(p.name for p in lib_path.parent.iterdir()) == ["library.sqlite"]


def test_the_gui_refuses_a_damaged_library_when_nobody_can_answer(lib_path, tmp_path):
    """`--screenshot` runs unattended: one error line, exit 1, the file as it was."""
    import subprocess
    import sys

    from conftest import ROOT

    garbage(lib_path)
    before = lib_path.read_bytes()
    out = tmp_path / "shot.png"
    result = subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(lib_path), "--screenshot", str(out)],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
        env={**__import__("os").environ, "QT_QPA_PLATFORM": "offscreen"},
    )
    assert result.returncode == 1
    assert result.stderr.startswith("error: The library ") and result.stderr.count("\n") == 1
    assert lib_path.read_bytes() == before and not out.exists()


def test_a_locked_library_is_not_called_damaged(lib_path):
    holder = sqlite3.connect(lib_path, isolation_level=None)
    holder.execute("PRAGMA journal_mode = DELETE")
    holder.execute("BEGIN EXCLUSIVE")
    try:
        db = sqlite3.connect(lib_path)
        db.execute("PRAGMA busy_timeout = 0")
        from reader.store.db import is_damage

        with pytest.raises(sqlite3.OperationalError) as caught:
            db.execute("PRAGMA quick_check").fetchall()
        assert not is_damage(caught.value)
        db.close()
    finally:
        holder.rollback()
        holder.close()


# -- the start-up path ------------------------------------------------------------------------


class Answers:
    def __init__(self, *answers: str) -> None:
        self.answers = list(answers)
        self.asked: list[tuple[str, object]] = []
        self.told: list[str] = []

    def ask(self, sentence: str, newest) -> str:
        self.asked.append((sentence, newest))
        return self.answers.pop(0)

    def tell(self, sentence: str) -> None:
        self.told.append(sentence)


@pytest.mark.parametrize("damage", DAMAGE, ids=lambda f: f.__name__)
def test_start_keeps_the_damaged_file_and_restores_the_newest_backup(lib_path, damage):
    from reader.app import start_library

    make_backup(lib_path, now=T0 - timedelta(days=2))  # older: 60 annotations
    lib = Library(lib_path)
    add_annotations(lib, 5)
    lib.close()
    make_backup(lib_path, now=T0 - timedelta(days=1))  # newest: 65
    damage(lib_path)
    damaged_bytes = lib_path.read_bytes()

    answers = Answers("restore")
    lib = start_library(lib_path, ask=answers.ask, tell=answers.tell, now=T0)
    try:
        assert lib is not None
        assert lib.repo.db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 65
    finally:
        lib.close()
    sentence, offered = answers.asked[0]
    assert "is damaged" in sentence and str(lib_path) in sentence
    assert offered.created == T0 - timedelta(days=1)
    kept = lib_path.with_name("library.sqlite.damaged-20260314-093000")
    assert kept.read_bytes() == damaged_bytes  # kept, renamed, byte for byte
    assert answers.told == []
    assert len(list_backups(lib_path)) == 2  # backups are never used up


def test_start_quit_changes_nothing_and_empty_starts_empty(lib_path):
    from reader.app import start_library

    make_backup(lib_path, now=T0 - timedelta(days=1))
    corrupted_page(lib_path)
    before = lib_path.read_bytes()
    answers = Answers("quit")
    assert start_library(lib_path, ask=answers.ask, tell=answers.tell, now=T0) is None
    assert lib_path.read_bytes() == before
    assert not list(lib_path.parent.glob("*.damaged-*"))

    answers = Answers("empty")
    lib = start_library(lib_path, ask=answers.ask, tell=answers.tell, now=T0)
    assert lib is not None
    assert lib.repo.db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 0
    lib.close()
    assert lib_path.with_name("library.sqlite.damaged-20260314-093000").read_bytes() == before


def test_start_without_backups_offers_only_an_empty_library(lib_path):
    from reader.app import start_library

    garbage(lib_path)
    answers = Answers("empty")
    lib = start_library(lib_path, ask=answers.ask, tell=answers.tell, now=T0)
    assert answers.asked[0][1] is None
    assert lib is not None
    lib.close()


def test_a_damaged_backup_is_reported_and_the_next_one_offered(lib_path):
    from reader.app import start_library

    make_backup(lib_path, now=T0 - timedelta(days=2))
    bad = make_backup(lib_path, now=T0 - timedelta(days=1))
    corrupted_page(bad)
    corrupted_page(lib_path)
    answers = Answers("restore", "restore")
    lib = start_library(lib_path, ask=answers.ask, tell=answers.tell, now=T0)
    assert lib is not None
    assert lib.repo.db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 60
    lib.close()
    assert len(answers.told) == 1 and "cannot be used" in answers.told[0]
    assert [a[1].created.day for a in answers.asked] == [13, 12]
    assert len(list(lib_path.parent.glob("library.sqlite.damaged-*"))) == 1


def test_the_damaged_files_wal_and_shm_move_with_it(lib_path):
    from reader.store.backup import set_aside_damaged

    Path(f"{lib_path}-wal").write_bytes(b"wal")
    Path(f"{lib_path}-shm").write_bytes(b"shm")
    kept = set_aside_damaged(lib_path, now=T0)
    assert kept is not None
    assert kept.name == "library.sqlite.damaged-20260314-093000"
    assert Path(f"{kept}-wal").read_bytes() == b"wal"
    assert Path(f"{kept}-shm").read_bytes() == b"shm"
    assert not lib_path.exists() and not Path(f"{lib_path}-wal").exists()


# -- daily backups --------------------------------------------------------------------------------


def test_backup_is_a_complete_plain_copy_even_while_the_library_is_open(lib_path):
    lib = Library(lib_path)
    add_annotations(lib, 3)  # still in the WAL
    path = make_backup(lib_path, now=T0)
    lib.close()
    assert path == lib_path.parent / "backups" / "library-20260314-093000.sqlite"
    assert count(path) == 63
    conn = sqlite3.connect(path)
    assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    conn.close()
    assert not list(path.parent.glob("*.part"))


def test_daily_backup_once_a_day(lib_path):
    from reader.app import run_daily_backup

    first = run_daily_backup(lib_path, now=T0)
    assert first is not None
    assert run_daily_backup(lib_path, now=T0 + timedelta(hours=14)) is None  # same day
    assert len(list_backups(lib_path)) == 1
    later = run_daily_backup(lib_path, now=T0 + timedelta(hours=24, seconds=1))
    assert later is not None and later != first
    assert len(list_backups(lib_path)) == 2


def test_only_the_newest_seven_backups_are_kept(lib_path):
    folder = lib_path.parent / "backups"
    folder.mkdir()
    fakes = [folder / f"library-202603{day:02d}-080000.sqlite" for day in range(1, 10)]
    for fake in fakes:
        fake.write_bytes(b"an old backup")
    (folder / "my-notes.txt").write_text("not a backup")
    made = daily_backup(lib_path, now=T0)
    left = [b.path for b in list_backups(lib_path)]
    assert left == [made, *reversed(fakes[-6:])]
    assert (folder / "my-notes.txt").exists()
    assert not any(f.exists() for f in fakes[:3])


def test_the_daily_backup_runs_after_the_window_is_up(qtbot, lib_path):
    from reader.app import schedule_daily_backup

    started = schedule_daily_backup(lib_path, delay_ms=0)
    assert started == []  # nothing before the event loop runs
    qtbot.waitUntil(lambda: bool(started), timeout=5000)
    started[0].join(10)
    assert len(list_backups(lib_path)) == 1


# -- restoring ------------------------------------------------------------------------------------


def test_restore_keeps_the_replaced_library(lib_path):
    backup = make_backup(lib_path, now=T0 - timedelta(days=1))
    lib = Library(lib_path)
    add_annotations(lib, 4)
    lib.close()
    kept = restore_backup(lib_path, backup, now=T0)
    assert kept == lib_path.with_name("library.sqlite.before-restore-20260314-093000")
    assert count(kept) == 64
    assert count(lib_path) == 60
    lib = Library(lib_path)  # and it opens as a library again (WAL, migrations)
    lib.close()


def test_restore_from_the_file_menu(window, qtbot):
    library = window.library
    db_path = library.db_path
    add_annotations(library, 3)
    make_backup(db_path, now=T0)
    add_annotations(library, 2)
    window.open_document(str(SEED))
    offered: list = []
    told: list[str] = []
    restarted: list = []

    def choose(backups):
        offered.extend(backups)
        return backups[0]

    window.restore_from_backup.choose = choose
    window.restore_from_backup.inform = told.append
    window.restore_from_backup.warn = told.append
    window.restore_from_backup.on_restart = restarted.append
    window.action("restore_backup").trigger()

    assert [(b.created, b.annotations) for b in offered] == [(T0, 3)]
    assert len(restarted) == 1
    new = restarted[0]
    qtbot.addWidget(new)
    try:
        assert new is not window and new.isVisible()
        assert new.library is not library and new.library.db_path == db_path
        assert new.library.repo.db.execute("SELECT count(*) FROM annotations").fetchone()[0] == 3
        assert len(told) == 1 and told[0].startswith("Restored the backup from 2026-03-14 09:30")
        kept = list(db_path.parent.glob("library.sqlite.before-restore-*"))
        assert len(kept) == 1 and count(kept[0]) == 5
        assert [t.opened.record.source for t in new.open_tabs()] == [str(SEED.resolve())]
    finally:
        new.close()
        new.library.close()


def test_restore_menu_without_backups_says_so(window):
    told: list[str] = []
    window.restore_from_backup.inform = told.append
    window.restore_from_backup.choose = lambda backups: pytest.fail("nothing to choose from")
    window.action("restore_backup").trigger()
    assert len(told) == 1 and told[0].startswith("There are no backups yet")


# -- the real dialogs (answered by a click from the event loop, never left waiting) ------------


def click_later(qtbot, text: str) -> None:
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QAbstractButton, QApplication

    def click() -> None:
        dialog = QApplication.activeModalWidget()
        assert dialog is not None
        buttons = {b.text(): b for b in dialog.findChildren(QAbstractButton)}
        assert text in buttons, sorted(buttons)
        buttons[text].click()

    QTimer.singleShot(0, click)


def test_the_damaged_library_question_offers_the_newest_backup(qtbot, lib_path):
    from reader.ui.recovery import ask_damaged_dialog

    make_backup(lib_path, now=T0)
    info = list_backups(lib_path)[0]
    click_later(qtbot, "Restore the backup from 2026-03-14 09:30")
    assert ask_damaged_dialog("The library is damaged.", info) == "restore"
    click_later(qtbot, "Start with an empty library")
    assert ask_damaged_dialog("The library is damaged.", None) == "empty"
    click_later(qtbot, "Quit")
    assert ask_damaged_dialog("The library is damaged.", info) == "quit"


def test_the_backup_list_shows_date_size_and_count(qtbot, lib_path):
    from PySide6.QtCore import QTimer
    from PySide6.QtWidgets import QApplication, QListWidget

    from reader.ui.recovery import choose_backup_dialog

    make_backup(lib_path, now=T0 - timedelta(days=1))
    make_backup(lib_path, now=T0)
    backups = list_backups(lib_path, count_annotations=True)
    shown: list[str] = []

    def pick_second() -> None:
        listing = QApplication.activeModalWidget().findChild(QListWidget, "backup_list")
        shown.extend(listing.item(i).text() for i in range(listing.count()))
        listing.setCurrentRow(1)
        click_later(qtbot, "Restore")

    QTimer.singleShot(0, pick_second)
    assert choose_backup_dialog(backups) == backups[1]
    assert shown[0].startswith("2026-03-14 09:30 · ") and shown[0].endswith(" · 60 annotations")
    assert shown[1].startswith("2026-03-13 09:30 · ")
