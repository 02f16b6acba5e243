"""Killed at any moment, the library stays whole and keeps every change it reported.

`claim-reader annotate` prints an annotation's id only after it is committed, so any id a
process managed to print before SIGKILL must be in the library afterwards, and the file must
pass SQLite's integrity check whatever moment the kill hit (opening, migrating, writing,
committing). The same holds for a real window: tests/kill_gui_session.py builds Library +
MainWindow, selects passages with the mouse, triggers the window's highlight action and edits
notes in the editor dock, printing each id (and each editor save) once the action has returned;
it is SIGKILLed while it does so. The kill moments come from a seeded random.Random, so a
failure can be replayed.
"""

from __future__ import annotations

import json
import os
import random
import re
import signal
import sqlite3
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
CORPUS = Path(__file__).resolve().parents[2] / "shared" / "corpus"
SEED = CORPUS / "seed" / "000_d286d3589c386401.txt"

pytestmark = pytest.mark.skipif(sys.platform == "win32", reason="SIGKILL is POSIX")

UUID = re.compile(r"^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$", re.M)
KILLS = 50  # the issue asks for at least 50 SIGKILLs
# Only a safety bound: the kill moments follow what the runs show (see below), so about half
# the processes are killed whatever the machine's speed, and ~100 suffice.
MAX_PROCESSES = 600
PARALLEL = 2
MAX_DELAY = 0.6


def seed_quotes(rng: random.Random, count: int) -> list[str]:
    """Short passages that occur in the seed document's normalized text."""
    from reader.documents import open_document

    text = open_document(SEED).text
    quotes: list[str] = []
    while len(quotes) < count:
        start = rng.randrange(0, len(text) - 60)
        quote = text[start : start + rng.randint(8, 40)].strip()
        if len(quote) >= 5 and "\n" not in quote:
            quotes.append(quote)
    return quotes


def start_annotate(db: Path, quote: str) -> subprocess.Popen[str]:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            str(db),
            "annotate",
            str(SEED),
            f"--quote={quote}",
        ],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
    )


def kill_at(proc: subprocess.Popen[str], deadline: float) -> bool:
    """SIGKILL `proc` at `deadline` (time.monotonic()) unless it has ended; True if killed."""
    try:
        proc.wait(timeout=max(0.0, deadline - time.monotonic()))
        return False
    except subprocess.TimeoutExpired:
        proc.send_signal(signal.SIGKILL)
        proc.wait(timeout=30)
        # It may have ended on its own between the timeout and the signal.
        return proc.returncode == -signal.SIGKILL


def check_library(db: Path, reported: list[str]) -> None:
    if not db.exists():  # every process so far died before creating the file
        assert not reported
        return
    conn = sqlite3.connect(f"{db.as_uri()}?mode=rw", uri=True)
    try:
        assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
        assert conn.execute("PRAGMA foreign_key_check").fetchall() == []
        tables = {row[0] for row in conn.execute("SELECT name FROM sqlite_master")}
        if "annotations" not in tables:  # every process so far died before the schema existed
            assert not reported
            return
        conn.execute("INSERT INTO annotations_fts(annotations_fts) VALUES ('integrity-check')")
        stored = {row[0] for row in conn.execute("SELECT id FROM annotations")}
    finally:
        conn.close()
    missing = [i for i in reported if i not in stored]
    assert not missing, f"{len(missing)} reported ids lost: {missing[:3]}"


def test_sigkilled_annotate_processes_never_lose_a_reported_id(tmp_path: Path) -> None:
    rng = random.Random(20260601)
    db = tmp_path / "data" / "library.sqlite"
    quotes = seed_quotes(rng, MAX_PROCESSES + PARALLEL)
    reported: list[str] = []
    killed = finished = 0
    failures: list[str] = []
    # Calibrate: how long two annotate processes side by side take here, so the kill moments
    # cover a whole run (start-up, opening, migrating, writing, committing, printing) whatever
    # the machine's speed.
    began = time.monotonic()
    pair = [start_annotate(db, quote) for quote in quotes[:PARALLEL]]
    for proc in pair:
        out, err = proc.communicate(timeout=60)
        assert proc.returncode == 0, err
        reported.extend(UUID.findall(out))
    # Kill moments spread over about one run, so roughly half the processes die part-way;
    # batches go on until 50 have been killed, whatever the machine's speed. The span follows
    # what the rounds show, not what the first pair took: a round where every process was
    # killed makes it longer, one where none was makes it shorter (a machine that gets busier
    # or quieter part-way cannot starve either outcome).
    span = max(MAX_DELAY, 1.0 * (time.monotonic() - began))
    batch = PARALLEL
    while (killed < KILLS or finished < 3) and batch < MAX_PROCESSES:
        batch += PARALLEL
        running = []
        for quote in quotes[batch - PARALLEL : batch]:
            started = time.monotonic()
            running.append((start_annotate(db, quote), started + rng.uniform(0.0, span)))
        killed_now = 0
        for index, (proc, deadline) in enumerate(running):
            try:
                was_killed = kill_at(proc, deadline)
                out, err = proc.communicate(timeout=30)
            except BaseException:
                for other, _ in running[index:]:  # never leave a process behind
                    other.kill()
                    other.communicate()
                raise
            ids = UUID.findall(out)
            reported.extend(ids)
            if was_killed:
                killed += 1
                killed_now += 1
                assert proc.returncode == -signal.SIGKILL
            else:
                finished += 1
                # One that ran to the end succeeded, even with another writer beside it.
                if proc.returncode != 0 or len(ids) != 1 or "Traceback" in err:
                    failures.append(f"rc={proc.returncode} out={out!r} err={err[-400:]!r}")
        check_library(db, reported)  # whole after every round, not only at the end
        if killed_now == PARALLEL:
            span *= 1.25
        elif killed_now == 0:
            span *= 0.8
    assert not failures, failures
    print(f"{killed} killed, {finished} finished, {len(reported)} ids reported")
    assert killed >= KILLS, f"only {killed} of {batch} were killed: the delays are too long"
    assert finished >= 3, f"only {finished} of {batch} finished: the delays are too short"
    check_library(db, reported)
    # And the library still works: a new annotation goes in and is listed.
    done = subprocess.run(
        [
            sys.executable,
            str(ROOT / "main.py"),
            "--db",
            str(db),
            "annotate",
            str(SEED),
            "--quote",
            "fentanyl",
        ],
        capture_output=True,
        text=True,
        timeout=60,
        cwd=ROOT,
    )
    assert done.returncode == 0, done.stderr
    reported.append(done.stdout.strip())
    check_library(db, reported)


GUI_DRIVER = Path(__file__).resolve().with_name("kill_gui_session.py")
GUI_KILLS = 15  # the issue asks for at least 12 kills of a real window
GUI_MAX_DELAY = 0.4  # seconds after a reported highlight: within the next one or two
EDITED = re.compile(r"^edited (\S+) (\{.*\})$", re.M)


def start_gui_session(db: Path, seed: int, env: dict[str, str], steps: int = 0):
    return subprocess.Popen(
        [sys.executable, str(GUI_DRIVER), str(db), str(SEED), str(seed), str(steps)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env=env,
    )


def stored_fields(db: Path) -> dict[str, dict[str, str]]:
    """Every annotation's note and status, by id."""
    if not db.exists():
        return {}
    conn = sqlite3.connect(f"{db.as_uri()}?mode=ro", uri=True)
    try:
        rows = conn.execute("SELECT id, note, status FROM annotations").fetchall()
    except sqlite3.OperationalError:  # no schema yet
        return {}
    finally:
        conn.close()
    return {i: {"note": note, "status": status} for i, note, status in rows}


def test_sigkilled_gui_session_never_loses_a_reported_annotation(tmp_path: Path) -> None:
    """A real window (tests/kill_gui_session.py) drags over words, triggers its highlight
    action and edits notes in the editor dock, driven by Qt's event loop, and is SIGKILLed
    part-way; every highlight it reported, and every editor save it reported, is stored."""
    rng = random.Random(20260602)
    db = tmp_path / "data" / "library.sqlite"
    db.parent.mkdir()
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CLAIM_READER_NO_BACKUP": "1",
        "XDG_CONFIG_HOME": str(tmp_path / "config"),  # nothing of the user's is touched
    }
    reported: list[str] = []
    edits: dict[str, dict[str, str]] = {}  # id -> the fields its last reported save stored
    per_run: list[int] = []
    for run in range(GUI_KILLS + 1):
        last = run == GUI_KILLS  # the last session is not killed: it makes 3 and closes
        seed = rng.randrange(2**32)
        # The kill waits for events, not for time: the session's `wait_for`-th reported
        # highlight (none every fifth run: killed while it makes its first), then a random
        # moment of the next one. A busy machine makes the session slower, not the test wrong.
        wait_for = 0 if run % 5 == 4 else rng.randint(1, 4)
        delay = rng.uniform(0.0, GUI_MAX_DELAY)
        stored_before = len(stored_fields(db))
        proc = start_gui_session(db, seed, env, steps=3 if last else 0)
        watchdog = threading.Timer(120, proc.kill)  # a hung session fails, never hangs
        watchdog.start()
        try:
            assert proc.stdout is not None
            ready = proc.stdout.readline()
            seen: list[str] = []
            was_killed = False
            if not last and ready.startswith("ready "):  # kill while it is highlighting
                while len(UUID.findall("".join(seen))) < wait_for:
                    line = proc.stdout.readline()
                    if not line:
                        break  # it ended: the assertions below say how
                    seen.append(line)
                was_killed = kill_at(proc, time.monotonic() + delay)
            out, err = proc.communicate(timeout=60)
            out = "".join(seen) + out
        finally:
            watchdog.cancel()
            if proc.poll() is None:  # never leave a window behind
                proc.kill()
                proc.communicate()
        replay = (
            f"run {run}, seed {seed}, killed {delay:.2f} s after highlight {wait_for} was reported"
        )
        assert "Traceback" not in err, f"{replay}:\n{err}"
        # The window showed every annotation stored before it started.
        assert ready == f"ready {stored_before}\n", f"{replay}: {ready!r} {err[-2000:]}"
        if last:
            assert proc.returncode == 0, f"{replay}: rc={proc.returncode} {err[-2000:]}"
        else:
            assert was_killed, f"{replay}: the session ended by itself: {err[-2000:]}"
        ids = UUID.findall(out)
        assert len(set(ids)) == len(ids) and not set(ids) & set(reported), replay
        reported.extend(ids)
        per_run.append(len(ids))
        for annotation_id, changes in EDITED.findall(out):
            assert annotation_id in ids, f"{replay}: edited {annotation_id} before reporting it"
            edits.setdefault(annotation_id, {}).update(json.loads(changes))
        check_library(db, reported)
        stored = stored_fields(db)
        for annotation_id, fields in edits.items():
            have = {name: stored[annotation_id][name] for name in fields}
            assert have == fields, f"{replay}: a reported save of {annotation_id} was lost"
    print(f"{GUI_KILLS} windows killed, ids reported per run {per_run}, {len(edits)} edited")
    assert per_run[-1] == 3
    # Most kills landed while highlights were being made, not before the first one.
    assert sum(1 for n in per_run[:-1] if n > 0) >= GUI_KILLS * 2 // 3, per_run
    assert edits, "no editor save was reported: the editing path was not exercised"
