"""Opening a file while the app runs hands it to the running window (one window per library).

The end-to-end tests start `main.py FILE` as a user's file manager would, while the real window
of this test process listens: the new process must end by itself (a second window would run
until killed) and the file must show up as a tab of the running window.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import CORPUS, ROOT, SEED

from reader.app import listen_for_documents
from reader.ui.single_instance import InstanceServer, hand_over, server_name

PDF = CORPUS / "pdf" / "pdflatex-4-pages.pdf"


def start_app(library_path: Path, *args: str, cwd: Path, home: Path) -> subprocess.Popen[str]:
    env = {
        **os.environ,
        "QT_QPA_PLATFORM": "offscreen",
        "CLAIM_READER_NO_BACKUP": "1",
        # should the hand-over fail, the window it starts must not touch the user's settings
        "HOME": str(home),
        "XDG_CONFIG_HOME": str(home / "config"),
        "XDG_DATA_HOME": str(home / "data"),
    }
    return subprocess.Popen(
        [sys.executable, str(ROOT / "main.py"), "--db", str(library_path), *args],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=cwd,
        env=env,
    )


def finish(qtbot, proc: subprocess.Popen[str]) -> tuple[int, str, str]:
    """Wait for `proc` while this window's event loop runs (it must answer the hand-over)."""
    try:
        qtbot.waitUntil(lambda: proc.poll() is not None, timeout=60000)
    finally:
        if proc.poll() is None:  # it started a window of its own: the hand-over failed
            proc.kill()
    out, err = proc.communicate(timeout=30)
    return proc.returncode, out, err


def tab_sources(window) -> list[str]:
    """What the window shows, as resolved paths (the library records files resolved: the
    corpus may be reached through a symbolic link)."""
    return [str(Path(tab.opened.record.source).resolve()) for tab in window.open_tabs()]


@pytest.fixture
def listening(window, library):
    server = listen_for_documents(window, server_name(library.db_path))
    assert server is not None
    yield window
    server.close()


def test_a_file_opened_while_the_app_runs_goes_to_the_running_window(
    qtbot, listening, library, tmp_path
) -> None:
    window = listening
    # A relative path, from another working folder: the running window must get it right.
    proc = start_app(
        library.db_path,
        os.path.relpath(SEED, SEED.parent.parent),
        cwd=SEED.parent.parent,
        home=tmp_path,
    )
    code, out, err = finish(qtbot, proc)
    assert code == 0, err
    assert "Traceback" not in err and "error" not in err.lower()
    qtbot.waitUntil(lambda: str(SEED.resolve()) in tab_sources(window), timeout=20000)
    assert "79,770" in window.current_tab().opened.document.text

    # Two at once, one of them a PDF: both open, the last one current.
    proc = start_app(library.db_path, str(SEED), str(PDF), cwd=tmp_path, home=tmp_path)
    code, _out, err = finish(qtbot, proc)
    assert code == 0, err
    qtbot.waitUntil(lambda: str(PDF.resolve()) in tab_sources(window), timeout=20000)
    assert tab_sources(window).count(str(SEED.resolve())) == 1  # switched to, not opened twice
    assert window.current_tab().opened.record.source == str(PDF.resolve())


def test_a_missing_file_is_reported_by_the_running_window(
    qtbot, listening, library, tmp_path
) -> None:
    window = listening
    missing = tmp_path / "gone.pdf"
    proc = start_app(library.db_path, str(missing), cwd=tmp_path, home=tmp_path)
    code, _out, err = finish(qtbot, proc)
    assert code == 0, err
    qtbot.waitUntil(lambda: window.last_error is not None, timeout=20000)
    assert "gone.pdf" in window.last_error and "does not exist" in window.last_error
    assert tab_sources(window) == []


def test_screenshot_runs_on_its_own(qtbot, listening, library, tmp_path) -> None:
    """--screenshot renders its own window (a script's job), never the user's."""
    out_png = tmp_path / "shot.png"
    proc = start_app(
        library.db_path, "--screenshot", str(out_png), str(SEED), cwd=tmp_path, home=tmp_path
    )
    code, _out, err = finish(qtbot, proc)
    assert code == 0, err
    assert out_png.stat().st_size > 1000
    assert tab_sources(listening) == []


def test_each_library_has_its_own_window(tmp_path) -> None:
    a = server_name(tmp_path / "a" / "library.sqlite")
    assert a == server_name(tmp_path / "a" / ".." / "a" / "library.sqlite")
    assert a != server_name(tmp_path / "b" / "library.sqlite")
    assert len(a) < 60  # Unix socket paths are short; Qt adds the temp folder


def test_nobody_listening_means_start_a_window(tmp_path) -> None:
    assert hand_over(server_name(tmp_path / "library.sqlite"), [str(SEED)]) is False


def test_a_second_window_leaves_the_first_one_listening(qtbot, tmp_path) -> None:
    name = server_name(tmp_path / "library.sqlite")
    first, second = InstanceServer(name), InstanceServer(name)
    try:
        assert first.listen()
        assert not second.listen()  # a deliberate second window (no documents, --new-window)
        got: list[list[str]] = []
        first.open_requested.connect(got.append)
        second.open_requested.connect(lambda t: pytest.fail(f"second window got {t}"))
        targets = json.dumps(["/x/a.pdf", "https://e.org/"])
        assert client(qtbot, name, "hand_over", targets) == "True"
        assert got == [["/x/a.pdf", "https://e.org/"]]
    finally:
        first.close()
        second.close()


@pytest.mark.skipif(sys.platform == "win32", reason="Unix socket files")
def test_a_socket_left_by_a_killed_app_does_not_block_the_next_start(qtbot, tmp_path) -> None:
    from PySide6.QtCore import QDir

    name = server_name(tmp_path / "library.sqlite")
    path = Path(QDir.tempPath()) / name
    stale = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    stale.bind(str(path))  # bound, never listening: what a SIGKILLed app leaves behind
    stale.close()
    assert path.exists()
    server = InstanceServer(name)
    try:
        assert server.listen()
        got: list[list[str]] = []
        server.open_requested.connect(got.append)
        assert client(qtbot, name, "hand_over", json.dumps(["/x/a.pdf"])) == "True"
        assert got == [["/x/a.pdf"]]
    finally:
        server.close()


@pytest.mark.parametrize(
    "message",
    ["not json\n", '{"open": "a.pdf"}\n', '{"open": [1, 2]}\n', "[]\n", '{"open": [""]}\n'],
)
def test_a_malformed_request_opens_nothing(qtbot, tmp_path, message: str) -> None:
    name = server_name(tmp_path / "library.sqlite")
    server = InstanceServer(name)
    try:
        assert server.listen()
        got: list[list[str]] = []
        server.open_requested.connect(got.append)

        assert client(qtbot, name, "raw", message) == repr(b"bad\n")
        assert got == []
    finally:
        server.close()


CLIENT = """
import json, sys
from PySide6.QtNetwork import QLocalSocket
from reader.ui.single_instance import hand_over
name, how, payload = sys.argv[1], sys.argv[2], sys.argv[3]
if how == "hand_over":
    print(hand_over(name, json.loads(payload)))
else:  # raw bytes, as a confused or hostile program would send
    sock = QLocalSocket()
    sock.connectToServer(name)
    assert sock.waitForConnected(5000)
    sock.write(payload.encode())
    sock.waitForBytesWritten(5000)
    reply = b""
    while not reply.endswith(b"\\n") and sock.waitForReadyRead(5000):
        reply += bytes(sock.readAll().data())
    print(repr(reply))
"""


def client(qtbot, name: str, how: str, payload: str) -> str:
    """Run a client in a process of its own while the server's event loop runs here."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CLIENT, name, how, payload],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    code, out, err = finish(qtbot, proc)
    assert code == 0, err
    return out.strip()
