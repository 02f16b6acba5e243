"""fetch_url against a real HTTP server on the loopback interface: no internet needed."""

from __future__ import annotations

import gzip
import shutil
import socket
import ssl
import subprocess
import threading
import time
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from reader.documents.base import Cancelled, DocumentError
from reader.documents.fetch import Fetched, fetch_url, looks_like_url, normalize_url

PAGE = "<!doctype html><html><head><title>Café</title></head><body>Grüße</body></html>"


@dataclass
class Server:
    base: str  # http://127.0.0.1:PORT
    host: str  # 127.0.0.1:PORT, as the error messages name it
    stop: threading.Event  # set at teardown: slow handlers give up
    cancel: threading.Event  # the /cancel-me handler sets it after its first bytes
    seen: dict[str, str]  # request headers of the last request


class Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # for chunked bodies; every answer closes the connection
    server: ThreadingHTTPServer

    def log_message(self, format: str, *args: object) -> None:  # silence
        pass

    def _send(self, status: int, body: bytes, headers: dict[str, str] | None = None) -> None:
        self.send_response(status)
        for key, value in (headers or {}).items():
            self.send_header(key, value)
        if "Content-Length" not in (headers or {}):
            self.send_header("Content-Length", str(len(body)))
        self.send_header("Connection", "close")
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:
        self.close_connection = True
        state: Server = self.server.state  # type: ignore[attr-defined]
        state.seen.clear()
        state.seen.update({k.lower(): v for k, v in self.headers.items()})
        path = self.path
        try:
            if path == "/page.html":
                self._send(200, PAGE.encode(), {"Content-Type": 'Text/HTML; Charset="UTF-8"'})
            elif path == "/bare":
                self.send_response(200)
                self.send_header("Content-Length", "3")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"abc")
            elif path == "/missing":
                self._send(404, b"nope", {"Content-Type": "text/plain"})
            elif path == "/teapot":
                self._send(418, b"", {})
            elif path == "/slow":
                state.stop.wait(3)
                self._send(200, b"late", {"Content-Type": "text/plain"})
            elif path == "/trickle":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.flush()
                while not state.stop.wait(0.2):
                    self.wfile.write(b"x")
                    self.wfile.flush()
            elif path == "/trickle-headers":
                self.wfile.write(b"HTTP/1.1 200 OK\r\n")
                self.wfile.flush()
                while not state.stop.wait(0.1):
                    self.wfile.write(b"X-Slow: y\r\n")
                    self.wfile.flush()
            elif path == "/cancel-me":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Connection", "close")
                self.end_headers()
                self.wfile.write(b"first bytes")
                self.wfile.flush()
                state.cancel.set()
                state.stop.wait(3)
            elif path == "/big":
                self._send(200, b"y" * 5000, {"Content-Type": "application/pdf"})
            elif path == "/huge":
                self._send(200, b"%PDF-", {"Content-Length": str(30 * 1024 * 1024)})
            elif path == "/big-chunked":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                for _ in range(50):
                    self.wfile.write(b"64\r\n" + b"z" * 100 + b"\r\n")
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/chunked":
                self.send_response(200)
                self.send_header("Content-Type", "text/plain; charset=iso-8859-1")
                self.send_header("Transfer-Encoding", "chunked")
                self.send_header("Connection", "close")
                self.end_headers()
                for part in (b"hello ", b"chunked ", b"world"):
                    self.wfile.write(b"%x\r\n%s\r\n" % (len(part), part))
                self.wfile.write(b"0\r\n\r\n")
            elif path == "/gzip":
                body = gzip.compress(PAGE.encode())
                headers = {"Content-Type": "text/html", "Content-Encoding": "gzip"}
                self._send(200, body, headers)
            elif path == "/deflate-raw":
                packer = zlib.compressobj(wbits=-zlib.MAX_WBITS)
                body = packer.compress(PAGE.encode()) + packer.flush()
                self._send(200, body, {"Content-Type": "text/html", "Content-Encoding": "deflate"})
            elif path == "/gzip-bomb":
                body = gzip.compress(b"\0" * 200_000)
                self._send(200, body, {"Content-Type": "text/plain", "Content-Encoding": "gzip"})
            elif path == "/brotli":
                self._send(200, b"??", {"Content-Type": "text/plain", "Content-Encoding": "br"})
            elif path.startswith("/redirect/"):
                n = int(path.rsplit("/", 1)[1])
                target = "/page.html" if n == 0 else f"/redirect/{n - 1}"
                self._send(302, b"", {"Location": target})
            elif path == "/loop":
                self._send(301, b"", {"Location": f"{state.base}/loop"})
            elif path == "/to-file":
                self._send(302, b"", {"Location": "file:///etc/passwd"})
            elif path == "/no-location":
                self._send(302, b"", {})
            elif path == "/hang-up":
                pass  # close without a status line
            elif path.startswith("/echo"):
                self._send(200, path.encode(), {"Content-Type": "text/plain"})
            else:
                self._send(500, b"unknown endpoint", {})
        except OSError:
            pass  # the client gave up: fine


@pytest.fixture
def server() -> Iterator[Server]:
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    port = httpd.server_address[1]
    state = Server(
        base=f"http://127.0.0.1:{port}",
        host=f"127.0.0.1:{port}",
        stop=threading.Event(),
        cancel=threading.Event(),
        seen={},
    )
    httpd.state = state  # type: ignore[attr-defined]
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield state
    finally:
        state.stop.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


def _error(url: str, **kwargs: object) -> str:
    with pytest.raises(DocumentError) as info:
        fetch_url(url, **kwargs)  # type: ignore[arg-type]
    # A download the user stopped says so by its type (no caller reads the words for it);
    # a failure is never taken for one.
    cancel = kwargs.get("cancel")
    assert isinstance(info.value, Cancelled) == (cancel is not None and cancel.is_set())  # type: ignore[attr-defined]
    return str(info.value)


# -- success ----------------------------------------------------------------------------------


def test_html_page(server: Server) -> None:
    got = fetch_url(server.base + "/page.html")
    assert got == Fetched(
        url=server.base + "/page.html",
        content_type="text/html",
        charset="utf-8",
        data=PAGE.encode(),
    )
    assert server.seen["user-agent"] == "ClaimReader/0.1"
    assert "gzip" in server.seen["accept-encoding"]


def test_no_content_type(server: Server) -> None:
    got = fetch_url(server.base + "/bare")
    assert (got.content_type, got.charset, got.data) == ("", None, b"abc")


def test_chunked_body(server: Server) -> None:
    got = fetch_url(server.base + "/chunked")
    assert got.data == b"hello chunked world"
    assert (got.content_type, got.charset) == ("text/plain", "iso-8859-1")


@pytest.mark.parametrize("path", ["/gzip", "/deflate-raw"])
def test_compressed_body_is_unpacked(server: Server, path: str) -> None:
    assert fetch_url(server.base + path).data == PAGE.encode()


def test_path_with_spaces_and_non_ascii_is_escaped(server: Server) -> None:
    got = fetch_url(server.base + "/echo/a b/ü?q=x y")
    assert got.data == b"/echo/a%20b/%C3%BC?q=x%20y"


def test_redirect_chain_within_cap(server: Server) -> None:
    got = fetch_url(server.base + "/redirect/4#frag", max_redirects=5)
    assert got.url == server.base + "/page.html#frag"
    assert got.data == PAGE.encode()


# -- failures: what the user reads -------------------------------------------------------------


def test_404(server: Server) -> None:
    assert _error(server.base + "/missing") == f"{server.host} answered 404 Not Found."


def test_other_status(server: Server) -> None:
    assert _error(server.base + "/teapot") == f"{server.host} answered 418 I'm a Teapot."


def test_server_that_does_not_answer_in_time(server: Server) -> None:
    start = time.monotonic()
    message = _error(server.base + "/slow", timeout=0.5)
    assert time.monotonic() - start < 1.5
    assert message == f"{server.host} did not answer within 0.5 seconds."


def test_trickling_body_stops_at_the_overall_timeout(server: Server) -> None:
    start = time.monotonic()
    message = _error(server.base + "/trickle", timeout=0.5)
    assert time.monotonic() - start < 1.5
    assert message == (f"{server.host} did not finish sending the document within 0.5 seconds.")


def test_trickling_headers_stop_at_the_overall_timeout(server: Server) -> None:
    start = time.monotonic()
    message = _error(server.base + "/trickle-headers", timeout=0.5)
    assert time.monotonic() - start < 1.5
    assert message == f"{server.host} did not answer within 0.5 seconds."


def test_too_large_by_content_length(server: Server) -> None:
    message = _error(server.base + "/big", max_bytes=1024)
    assert message == (
        f"The document at {server.host} is larger than 1 KB, the most Claim Reader will download."
    )


def test_too_large_while_streaming_chunks(server: Server) -> None:
    message = _error(server.base + "/big-chunked", max_bytes=1000)
    assert message == (
        f"The document at {server.host} is larger than 1000 bytes, "
        "the most Claim Reader will download."
    )


def test_default_size_limit_is_phrased_in_megabytes(server: Server) -> None:
    # The server announces 30 MB and sends almost nothing: refused before any download.
    assert _error(server.base + "/huge") == (
        f"The document at {server.host} is larger than 25 MB, the most Claim Reader will download."
    )


def test_compressed_bomb_is_capped_after_unpacking(server: Server) -> None:
    message = _error(server.base + "/gzip-bomb", max_bytes=10_000)
    assert message.startswith(f"The document at {server.host} is larger than 9.8 KB")


def test_unknown_content_encoding(server: Server) -> None:
    assert _error(server.base + "/brotli") == (
        f"{server.host} sent the document in an encoding Claim Reader cannot read (br)."
    )


def test_too_many_redirects(server: Server) -> None:
    assert _error(server.base + "/redirect/9", max_redirects=5) == (
        f"{server.host} redirected more than 5 times, so Claim Reader gave up."
    )
    assert "redirected more than 3 times" in _error(server.base + "/loop", max_redirects=3)


def test_redirect_to_file_is_refused(server: Server) -> None:
    assert _error(server.base + "/to-file") == (
        f"{server.host} redirected to file:///etc/passwd, "
        "but only http and https addresses can be opened."
    )


def test_redirect_without_location(server: Server) -> None:
    assert _error(server.base + "/no-location") == (
        f"{server.host} answered 302 Found without saying where to go."
    )


def test_server_hangs_up(server: Server) -> None:
    assert _error(server.base + "/hang-up") == (
        f"{server.host} closed the connection without answering."
    )


def test_connection_refused() -> None:
    with socket.socket() as probe:  # a port nobody listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    assert _error(f"http://127.0.0.1:{port}/x") == (
        f"Could not connect to 127.0.0.1:{port}: the connection was refused."
    )


def test_unknown_host(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_such_host(*args: object, **kwargs: object) -> list[object]:
        raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")

    monkeypatch.setattr(socket, "getaddrinfo", no_such_host)  # no DNS traffic
    assert _error("https://no-such-host.invalid/page") == (
        "Could not connect to no-such-host.invalid: the name could not be found."
    )


def test_tls_to_a_plain_http_server(server: Server) -> None:
    message = _error(server.base.replace("http:", "https:") + "/page.html", timeout=2)
    assert message.startswith(f"A secure connection to {server.host} could not be made (")


@pytest.mark.skipif(shutil.which("openssl") is None, reason="needs the openssl tool")
def test_self_signed_certificate_is_refused(tmp_path: Path) -> None:
    cert, key = tmp_path / "cert.pem", tmp_path / "key.pem"
    subprocess.run(
        ["openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1"]
        + [
            "-nodes",
            "-keyout",
            str(key),
            "-out",
            str(cert),
            "-days",
            "1",
            "-subj",
            "/CN=localhost",
        ],
        check=True,
        capture_output=True,
    )
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    httpd.daemon_threads = True
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    httpd.socket = context.wrap_socket(httpd.socket, server_side=True)
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        port = httpd.server_address[1]
        assert _error(f"https://localhost:{port}/page.html", timeout=2) == (
            f"The security certificate of localhost:{port} is not valid (self-signed certificate)."
        )
    finally:
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


@pytest.mark.parametrize(
    "url",
    ["ftp://example.com/file.pdf", "file:///etc/passwd", "javascript:alert(1)", "mailto:a@b.c"],
)
def test_non_http_scheme(url: str) -> None:
    assert _error(url) == f"Only http and https addresses can be opened: {url}"


@pytest.mark.parametrize(
    "url", ["http://", "https:///path", "http://exa mple.com/", "http://[::1/", "http://a:99999/"]
)
def test_malformed_url(url: str) -> None:
    assert _error(url) == f"This is not a valid web address: {url}"


def test_cancel_before_start(server: Server) -> None:
    cancel = threading.Event()
    cancel.set()
    assert _error(server.base + "/page.html", cancel=cancel) == "Download cancelled."


def test_cancel_during_download(server: Server) -> None:
    start = time.monotonic()
    message = _error(server.base + "/cancel-me", timeout=5, cancel=server.cancel)
    assert message == "Download cancelled."
    assert time.monotonic() - start < 1.5


# -- recognising addresses --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "http://example.com",
        "https://example.com/a?b=c",
        "HTTPS://EXAMPLE.COM/",
        "  https://example.com/x  ",
        "www.example.com",
        "www.example.co.uk/news/2024/story.html",
        "www.example.com:8080/x",
    ],
)
def test_looks_like_url(text: str) -> None:
    assert looks_like_url(text)


@pytest.mark.parametrize(
    "text",
    [
        "",
        "report.pdf",
        "/home/me/www.example.com/page.html",
        "C:\\docs\\file.pdf",
        "ftp://example.com/x",
        "http://",
        "www.",
        "www.example",
        "see www.example.com",
        "example.com/page",
    ],
)
def test_does_not_look_like_url(text: str) -> None:
    assert not looks_like_url(text)


def test_normalize_url() -> None:
    assert normalize_url("www.example.com/a") == "https://www.example.com/a"
    assert normalize_url("  http://example.com/a ") == "http://example.com/a"
    assert normalize_url("https://www.example.com") == "https://www.example.com"
