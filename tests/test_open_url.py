"""Open URL in the real window against a real HTTP server on 127.0.0.1 (no other network)."""

from __future__ import annotations

import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from conftest import CORPUS

PAGE = (CORPUS / "html" / "readability" / "bbc-1" / "source.html").read_bytes()


class Handler(BaseHTTPRequestHandler):
    release = threading.Event()

    def log_message(self, *args) -> None:
        pass

    def do_GET(self) -> None:  # noqa: N802 - http.server API
        if self.path == "/article":
            self._send(200, PAGE, "text/html; charset=utf-8")
        elif self.path == "/slow":
            # Answers only when the test ends: the client must give up on its own.
            self.release.wait(10)
            self._send(200, PAGE, "text/html")
        elif self.path == "/huge":
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(10**10))
            self.end_headers()
        else:
            self._send(404, b"<h1>Not found</h1>", "text/html")

    def _send(self, status: int, body: bytes, ctype: str) -> None:
        try:
            self.send_response(status)
            self.send_header("Content-Type", ctype)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except (BrokenPipeError, ConnectionResetError):
            pass


@pytest.fixture
def server():
    Handler.release.clear()
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{httpd.server_address[1]}"
    Handler.release.set()
    httpd.shutdown()
    httpd.server_close()


@pytest.fixture
def library(library_path: Path):
    from reader.library import Library

    lib = Library(library_path, fetch_timeout=1.0)
    yield lib
    lib.close()


def test_open_url_from_start_page_shows_article_and_keeps_snapshot(window, server, qtbot):
    url = f"{server}/article"
    window.start_page.url_edit.setText(url)
    with qtbot.waitSignal(window.document_opened, timeout=10000) as blocker:
        window.start_page.url_button.click()
    tab = blocker.args[0]
    assert "Brazil" in tab.view.toPlainText() or len(tab.view.toPlainText()) > 1000
    rec = tab.opened.record
    assert rec.source == url
    snapshot = window.library.saved_snapshot(url)
    assert snapshot is not None and snapshot.read_bytes() == PAGE
    # Offline later: the recent entry opens from the snapshot without the server.
    window.tabs.close_current()
    Handler.release.set()
    window.open_recent(url)
    # a big page: a worker reads it
    qtbot.waitUntil(lambda: window.tabs.count() == 1, timeout=60000)
    assert window.current_tab().opened.document.sha256 == rec.sha256


@pytest.mark.parametrize(
    "path, needle",
    [("/missing", "404"), ("/slow", "did not answer within"), ("/huge", "larger than")],
)
def test_open_url_failures_say_one_sentence(window, server, qtbot, path, needle):
    with qtbot.waitSignal(window.error_shown, timeout=10000) as blocker:
        window.open_document(f"{server}{path}")
    message = blocker.args[0]
    assert needle in message
    assert "\n" not in message
    assert window.tabs.count() == 0
    assert window.library.recent() == []  # nothing recorded for a failed download
    # The app keeps working.
    with qtbot.waitSignal(window.document_opened, timeout=10000):
        window.open_document(f"{server}/article")


def test_open_url_cancel(window, server, qtbot):
    with qtbot.waitSignal(window.error_shown, timeout=10000) as blocker:
        window.open_document(f"{server}/slow")
        assert window.opener.fetch_cancel.isVisible()
        window.opener.fetch_cancel.click()
    assert "cancel" in blocker.args[0].lower()
    assert not window.opener.fetch_cancel.isVisible()


def test_a_cancelled_download_is_cancelled_not_a_failure_the_saved_copy_stands_in_for(
    library, server
):
    """A URL the library saved: stopping its fetch raises Cancelled (the window says nothing
    failed), it does not quietly show the saved copy as a failed fetch would."""
    from reader.library import Cancelled

    url = f"{server}/article"
    assert library.open_url(url).notice == ""
    assert library.saved_snapshot(url) is not None
    cancel = threading.Event()
    cancel.set()
    with pytest.raises(Cancelled, match=r"^Download cancelled\.$"):
        library.open_url(url, cancel=cancel)
    # The saved copy is still there for an offline opening.
    assert library.open_url(url, offline_first=True).record.source == url
