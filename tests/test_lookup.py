"""Online look-ups against a local HTTP server: Crossref-like JSON and a web page; no internet."""

from __future__ import annotations

import datetime as dt
import json
import threading
import time
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from reader.lookup import LookupFailed, lookup_doi, lookup_url, merge_filled
from reader.model import Source

CROSSREF_WORK = {
    "status": "ok",
    "message-type": "work",
    "message": {
        "DOI": "10.1038/s41586-020-2649-2",
        "type": "journal-article",
        "title": ["Array programming with <i>NumPy</i>"],
        "author": [
            {"given": "Charles R.", "family": "Harris", "sequence": "first"},
            {"given": "K. Jarrod", "family": "Millman", "sequence": "additional"},
            {"name": "The NumPy Developers", "sequence": "additional"},
        ],
        "container-title": ["Nature"],
        "publisher": "Springer Science and Business Media LLC",
        "issued": {"date-parts": [[2020, 9, 16]]},
        "URL": "https://doi.org/10.1038/s41586-020-2649-2",
    },
}

CROSSREF_BOOK = {
    "status": "ok",
    "message": {
        "DOI": "10.1007/978-3-030-12345-6",
        "type": "monograph",
        "title": ["Fact-Checking"],
        "subtitle": ["A Handbook"],
        "editor": [{"given": "Ada", "family": "Lovelace"}],
        "publisher": "Springer",
        "issued": {"date-parts": [[2019]]},
        "ISBN": ["3-030-12345-X", "9780306406157"],
    },
}

ARTICLE_HTML = """<!DOCTYPE html>
<html lang="en"><head>
<meta charset="utf-8">
<title>Overdose deaths fell in 2023 | The Example Times</title>
<meta property="og:title" content="Overdose deaths fell in 2023">
<meta property="og:site_name" content="The Example Times">
<meta name="author" content="Jane Müller">
<meta property="article:published_time" content="2024-03-05T10:00:00Z">
</head><body>
<header><nav><a href="/">Home</a> <a href="/news">News</a></nav></header>
<article>
<h1>Overdose deaths fell in 2023</h1>
<p>Drug overdose deaths in the United States fell last year for the first time in five years,
according to provisional figures published by the Centers for Disease Control and Prevention
on Wednesday. The agency counted roughly 107,500 deaths, a drop of about three percent.</p>
<p>Public health researchers cautioned that the numbers remain close to record highs and that
the decline was uneven across states, with some western states still reporting increases in
deaths involving fentanyl and methamphetamine.</p>
<p>The figures are provisional and may be revised as death certificates are completed, the
agency said in a statement accompanying the release of the data.</p>
</article>
<footer>© The Example Times</footer>
</body></html>
"""


class _Handler(BaseHTTPRequestHandler):
    release: threading.Event  # set on the server class by the fixture

    def log_message(self, format: str, *args: object) -> None:  # noqa: A002 - stdlib signature
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self) -> None:  # noqa: N802 - stdlib name
        path = self.path
        try:
            if path == "/works/10.1038/s41586-020-2649-2":
                self._send(200, json.dumps(CROSSREF_WORK).encode(), "application/json")
            elif path == "/works/10.1007/978-3-030-12345-6":
                self._send(200, json.dumps(CROSSREF_BOOK).encode(), "application/json")
            elif path == "/works/10.5555/broken":
                self._send(200, b"<html>Service Unavailable</html>", "text/html")
            elif path == "/works/10.5555/empty":
                self._send(200, b'{"status": "ok"}', "application/json")
            elif path == "/works/10.5555/slow":
                type(self).release.wait(10)  # far longer than the client's timeout
                self._send(200, b"{}", "application/json")
            elif path == "/article.html":
                self._send(200, ARTICLE_HTML.encode("utf-8"), "text/html; charset=utf-8")
            elif path == "/redirect":
                self.send_response(302)
                self.send_header("Location", "/article.html")
                self.send_header("Content-Length", "0")
                self.end_headers()
            elif path == "/report.pdf":
                self._send(200, b"%PDF-1.7\n", "application/pdf")
            else:
                self._send(404, b'{"message": "Resource not found."}', "application/json")
        except OSError:  # the client gave up (the slow endpoint): nothing left to say
            pass


@pytest.fixture
def server() -> Iterator[str]:
    release = threading.Event()
    handler = type("Handler", (_Handler,), {"release": release})
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    httpd.daemon_threads = True
    thread = threading.Thread(target=httpd.serve_forever, args=(0.05,), daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{httpd.server_address[1]}"
    finally:
        release.set()
        httpd.shutdown()
        httpd.server_close()
        thread.join(5)


# --- DOIs ------------------------------------------------------------------------------------


def test_lookup_doi_reads_crossref(server: str) -> None:
    source = lookup_doi("https://doi.org/10.1038/S41586-020-2649-2", base_url=server, timeout=5)
    assert source.type == "article-journal"
    assert source.title == "Array programming with NumPy"
    assert source.authors == ("Harris, Charles R.", "Millman, K. Jarrod", "The NumPy Developers")
    assert source.container_title == "Nature"
    assert source.publisher == "Springer Science and Business Media LLC"
    assert source.issued == "2020-09-16"
    assert source.doi == "10.1038/s41586-020-2649-2"
    assert source.url == "https://doi.org/10.1038/s41586-020-2649-2"
    assert source.accessed == ""


def test_lookup_doi_book_with_subtitle_editor_and_isbn(server: str) -> None:
    source = lookup_doi("10.1007/978-3-030-12345-6", base_url=server + "/", timeout=5)
    assert source.type == "book"
    assert source.title == "Fact-Checking: A Handbook"
    assert source.authors == ("Lovelace, Ada",)
    assert source.issued == "2019"
    assert source.isbn == "9780306406157"  # the first ISBN has a bad check digit
    assert source.url == "https://doi.org/10.1007/978-3-030-12345-6"


def test_unknown_doi(server: str) -> None:
    with pytest.raises(LookupFailed) as info:
        lookup_doi("10.5555/nothing-here", base_url=server, timeout=5)
    assert str(info.value) == (
        "Could not look up 10.5555/nothing-here: Crossref does not know this DOI."
    )


def test_slow_crossref_times_out(server: str) -> None:
    started = time.monotonic()
    with pytest.raises(LookupFailed) as info:
        lookup_doi("10.5555/slow", base_url=server, timeout=0.5)
    assert time.monotonic() - started < 4
    message = str(info.value)
    assert message.startswith("Could not look up 10.5555/slow: ")
    assert "0.5 seconds" in message and message.endswith(".")


@pytest.mark.parametrize(
    ("doi", "why"),
    [
        ("10.5555/broken", "Crossref sent an answer that is not valid JSON."),
        ("10.5555/empty", "Crossref's answer holds no record."),
    ],
)
def test_bad_crossref_answers(server: str, doi: str, why: str) -> None:
    with pytest.raises(LookupFailed) as info:
        lookup_doi(doi, base_url=server, timeout=5)
    assert str(info.value) == f"Could not look up {doi}: {why}"


def test_offline_and_not_a_doi() -> None:
    with socket_closed_port() as port:
        with pytest.raises(LookupFailed) as info:
            lookup_doi("10.5555/x", base_url=f"http://127.0.0.1:{port}", timeout=2)
    assert str(info.value).startswith("Could not look up 10.5555/x: could not connect to ")
    with pytest.raises(LookupFailed, match="it is not a DOI"):
        lookup_doi("hello")


class socket_closed_port:  # noqa: N801 - reads like a context manager function
    """A localhost port nobody listens on."""

    def __enter__(self) -> int:
        import socket

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        port = self.sock.getsockname()[1]
        self.sock.close()
        return port

    def __exit__(self, *exc: object) -> None:
        pass


# --- URLs ------------------------------------------------------------------------------------


def test_lookup_url_reads_page_metadata(server: str) -> None:
    source = lookup_url(server + "/redirect", timeout=5)
    assert source.type == "webpage"
    assert source.title == "Overdose deaths fell in 2023"
    assert source.authors == ("Jane Müller",)
    assert source.container_title == "The Example Times"
    assert source.issued == "2024-03-05"
    assert source.url == server + "/article.html"  # where the redirect led
    assert source.accessed == dt.date.today().isoformat()


def test_lookup_url_failures(server: str) -> None:
    with pytest.raises(LookupFailed) as info:
        lookup_url(server + "/gone", timeout=5)
    port = server.rsplit(":", 1)[1]
    assert str(info.value) == (
        f"Could not look up {server}/gone: 127.0.0.1:{port} answered 404 Not Found."
    )
    with pytest.raises(LookupFailed, match=r"it is not a web page \(application/pdf\)\."):
        lookup_url(server + "/report.pdf", timeout=5)
    with pytest.raises(LookupFailed, match="only http and https"):
        lookup_url("ftp://example.com/x", timeout=5)


# --- merging ---------------------------------------------------------------------------------


def test_merge_filled_keeps_user_edits() -> None:
    current = Source(
        id=7,
        type="report",
        title="My own title",
        authors=("CDC",),
        issued="",
        doi="10.15620/cdc:135849",
        note="checked by hand",
        created_at="2026-11-29T14:03:00Z",
    )
    found = Source(
        id=99,
        type="article-journal",
        title="Drug overdose deaths in the United States, 2002–2022",
        authors=("Spencer, Merianne R.",),
        container_title="NCHS Data Brief",
        publisher="National Center for Health Statistics",
        issued="2024-03",
        doi="10.15620/cdc:135849",
        url="https://doi.org/10.15620/cdc:135849",
        created_at="",
    )
    merged = merge_filled(current, found)
    assert merged.id == 7 and merged.created_at == "2026-11-29T14:03:00Z"
    assert merged.type == "report"
    assert merged.title == "My own title"
    assert merged.authors == ("CDC",)
    assert merged.note == "checked by hand"
    assert merged.container_title == "NCHS Data Brief"
    assert merged.publisher == "National Center for Health Statistics"
    assert merged.issued == "2024-03"
    assert merged.url == "https://doi.org/10.15620/cdc:135849"


def test_merge_filled_replaces_the_guessed_type_of_a_bare_identifier() -> None:
    pasted = Source(type="article-journal", doi="10.1007/978-3-030-12345-6")
    merged = merge_filled(pasted, Source(type="book", title="Fact-Checking"))
    assert merged.type == "book" and merged.title == "Fact-Checking"
    assert merge_filled(pasted, Source()) == pasted
