"""Opening a saved page reaches nothing outside it (issue "Reliability and safety", point 5).

* zero network requests: a local HTTP server counts every request the saved pages could cause
  (images, scripts, style sheets, frames, CSS url() and @import, srcset, posters, objects, meta
  refresh, <base>, prefetch hints), opened through `open_document` and through the real window;
* no script runs: what a page's scripts would write never appears in the text or on screen;
* no file outside the page is read: `file://` and `../` references to a secret next to the page
  and to /etc/passwd are neither opened by Python (audit hook) nor loaded by the view
  (`ArticleView.loadResource` recorded), and their content appears nowhere.
"""

from __future__ import annotations

import sys
import threading
import urllib.request
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

ARTICLE = (
    "<h1>Council approves the budget</h1>"
    "<p>The city council approved a budget of 4.2 million euros on Tuesday, a rise of 12 percent "
    "on last year, according to the minutes published on the council's website.</p>"
    "<p>The mayor said the money would pay for three new schools and the repair of the old "
    "bridge, which engineers had described as unsafe in a report last spring.</p>"
)
MARKER = "SCRIPT-RAN-7f3a"
SECRET = "SECRET-CONTENT-91c2"

# -- counting server -------------------------------------------------------------------------


class _Counter(BaseHTTPRequestHandler):
    requests: list[str] = []
    lock = threading.Lock()

    def _count(self) -> None:
        with self.lock:
            self.requests.append(f"{self.command} {self.path}")
        body = b"body{color:red}" if self.path.endswith(".css") else b"x"
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_OPTIONS = _count  # noqa: N815 - http.server's names

    def log_message(self, format, *args):  # noqa: A002 - keep the test output clean
        pass


@pytest.fixture
def server():
    _Counter.requests = []
    httpd = ThreadingHTTPServer(("127.0.0.1", 0), _Counter)
    thread = threading.Thread(target=httpd.serve_forever, daemon=True)
    thread.start()
    yield httpd, _Counter.requests
    httpd.shutdown()
    httpd.server_close()
    thread.join()


def _pages(base: str) -> dict[str, str]:
    """name → the <head> and <body> extras of a saved page that would reach `base`."""
    return {
        "img": ("", f'<img src="{base}/img.png" alt="chart">'),
        "script-src": ("", f'<script src="{base}/app.js"></script>'),
        "stylesheet": (f'<link rel="stylesheet" href="{base}/style.css">', ""),
        "iframe": ("", f'<iframe src="{base}/frame.html"></iframe>'),
        "css-url": (
            f"<style>body {{ background: url('{base}/bg.png') }}</style>",
            f'<p style="background-image:url({base}/inline.png)">Styled.</p>',
        ),
        "css-import": (f'<style>@import url("{base}/imported.css");</style>', ""),
        "srcset": (
            "",
            f'<img src="data:," srcset="{base}/a.png 1x, {base}/b.png 2x">'
            f'<picture><source srcset="{base}/c.webp"><img src="{base}/d.png"></picture>',
        ),
        "video-poster": (
            "",
            f'<video poster="{base}/poster.jpg" src="{base}/v.mp4"><track src="{base}/t.vtt">'
            f'</video><audio src="{base}/a.mp3"></audio>',
        ),
        "object": (
            "",
            f'<object data="{base}/o.swf"></object><embed src="{base}/e.swf">',
        ),
        "meta-refresh": (f'<meta http-equiv="refresh" content="0; url={base}/refresh">', ""),
        "base-href": (f'<base href="{base}/">', '<img src="relative.png">'),
        "hints": (
            f'<link rel="prefetch" href="{base}/prefetch"><link rel="preload" href="{base}/pre" '
            f'as="image"><link rel="icon" href="{base}/favicon.ico">'
            f'<link rel="dns-prefetch" href="{base}/dns">',
            f'<a href="{base}/link">a link nobody clicked</a>',
        ),
        "svg": ("", f'<svg><image href="{base}/svg.png"/><use href="{base}/s.svg#x"/></svg>'),
    }


def _write_pages(folder: Path, base: str) -> list[Path]:
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, (head, body) in _pages(base).items():
        path = folder / f"{name}.html"
        path.write_text(
            f"<!doctype html><html><head><meta charset='utf-8'><title>Budget</title>{head}"
            f"</head><body><article>{ARTICLE}{body}</article></body></html>",
            encoding="utf-8",
        )
        paths.append(path)
    return paths


def _settle(qtbot) -> None:
    """Let everything queued run, then give late work a few hundred ms to show up."""
    from PySide6.QtCore import QCoreApplication

    QCoreApplication.sendPostedEvents()
    QCoreApplication.processEvents()
    qtbot.wait(300)  # "nothing more happens": not a synchronisation, a quiet period


def test_the_counter_counts(server):
    """The server does count what reaches it (so a 0 below means something)."""
    httpd, requests = server
    port = httpd.server_address[1]
    urllib.request.urlopen(f"http://127.0.0.1:{port}/probe", timeout=10).read()
    assert requests == ["GET /probe"]


def test_open_document_makes_no_request(server, tmp_path):
    from reader.documents import open_document

    httpd, requests = server
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    pages = _write_pages(tmp_path / "pages", base)
    for path in pages:
        doc = open_document(path)
        assert "4.2 million euros" in doc.text, path.name
    assert requests == []


def test_window_makes_no_request(server, tmp_path, window, qtbot):
    from reader.ui.article_view import ArticleView

    httpd, requests = server
    base = f"http://127.0.0.1:{httpd.server_address[1]}"
    pages = _write_pages(tmp_path / "pages", base)
    for path in pages:
        tab = window.open_document(str(path))
        assert tab is not None, window.last_error
        assert isinstance(tab.view, ArticleView)
        assert "4.2 million euros" in tab.view.toPlainText()
    _settle(qtbot)
    assert window.tabs.count() == len(pages)
    assert requests == []


SCRIPT_PAGE = f"""<!doctype html><html><head><meta charset="utf-8"><title>Budget</title>
<script>document.title = "{MARKER}"; document.write("<p>{MARKER} write</p>");</script>
</head><body onload="document.body.innerHTML = '{MARKER} onload'"><article>{ARTICLE}
<script>document.querySelector("article").insertAdjacentHTML("beforeend", "<p>{MARKER}</p>");
</script><img src="data:," onerror="document.body.append('{MARKER} onerror')">
<noscript>Scripts are off.</noscript><template><p>{MARKER} template</p></template>
</article></body></html>"""


def test_scripts_never_run(tmp_path, window, qtbot):
    from reader.documents import open_document

    page = tmp_path / "script.html"
    page.write_text(SCRIPT_PAGE, encoding="utf-8")
    doc = open_document(page)
    assert "4.2 million euros" in doc.text
    assert MARKER not in doc.text
    assert MARKER not in doc.metadata.title
    tab = window.open_document(str(page))
    assert tab is not None, window.last_error
    _settle(qtbot)
    shown = tab.view.toPlainText()
    assert "4.2 million euros" in shown
    assert MARKER not in shown
    assert MARKER not in tab.view.toHtml()
    assert MARKER not in window.windowTitle()


@pytest.fixture
def secret_page(tmp_path) -> tuple[Path, Path]:
    secret = tmp_path / "secret.txt"
    secret.write_text(f"{SECRET}\n", encoding="utf-8")
    (tmp_path / "secret.html").write_text(f"<p>{SECRET} in a page</p>", encoding="utf-8")
    (tmp_path / "secret.css").write_text(f'body::after {{ content: "{SECRET}" }}', "utf-8")
    folder = tmp_path / "saved"
    folder.mkdir()
    refs = [
        '<img src="../secret.txt" alt="">',
        f'<img src="{secret.as_uri()}" alt="">',
        '<img src="file:///etc/passwd" alt="">',
        '<iframe src="../secret.html"></iframe>',
        f'<iframe src="{(tmp_path / "secret.html").as_uri()}"></iframe>',
        '<iframe src="file:///etc/passwd"></iframe>',
        '<object data="../secret.txt"></object>',
        '<embed src="file:///etc/passwd">',
        f"<p style=\"background:url('{secret.as_uri()}')\">Styled.</p>",
    ]
    head = (
        '<link rel="stylesheet" href="../secret.css">'
        '<link rel="stylesheet" href="file:///etc/passwd">'
        '<style>@import "../secret.css";</style>'
    )
    page = folder / "page.html"
    page.write_text(
        f"<!doctype html><html><head><meta charset='utf-8'><title>Budget</title>{head}</head>"
        f"<body><article>{ARTICLE}{''.join(refs)}</article></body></html>",
        encoding="utf-8",
    )
    return page, secret


_OPENED: list[str] | None = None


def _audit(event: str, args: tuple) -> None:
    if _OPENED is not None and event == "open" and isinstance(args[0], str | bytes | Path):
        _OPENED.append(str(args[0]))


sys.addaudithook(_audit)  # inert unless a test sets _OPENED (audit hooks cannot be removed)


@pytest.fixture
def opened_files():
    global _OPENED
    _OPENED = []
    yield _OPENED
    _OPENED = None


def _first_line(path: str) -> str:
    try:
        return Path(path).read_text().splitlines()[0]
    except (OSError, IndexError):
        return "root:x:0:0"


PASSWD = _first_line("/etc/passwd")  # read here, before any test watches what is opened


def test_references_outside_the_page_are_not_read(secret_page, opened_files):
    from reader.documents import open_document

    page, secret = secret_page
    passwd = PASSWD
    doc = open_document(page)
    assert "4.2 million euros" in doc.text
    assert SECRET not in doc.text
    assert passwd not in doc.text
    reads = [p for p in opened_files if "secret" in p or p == "/etc/passwd"]
    assert reads == []
    assert str(page) in opened_files  # the hook does see what is opened


def test_view_never_loads_a_resource(secret_page, window, qtbot, monkeypatch, opened_files):
    from PySide6.QtGui import QTextDocument

    from reader.ui.article_view import ArticleView

    page, secret = secret_page
    calls: list[tuple[int, str, object]] = []
    original = ArticleView.loadResource

    def recording(self, type_, name):
        result = original(self, type_, name)
        calls.append((type_, name.toString(), result))
        return result

    monkeypatch.setattr(ArticleView, "loadResource", recording)
    tab = window.open_document(str(page))
    assert tab is not None, window.last_error
    _settle(qtbot)
    view = tab.view
    assert isinstance(view, ArticleView)
    shown = view.toPlainText()
    assert "4.2 million euros" in shown
    assert SECRET not in shown
    assert PASSWD not in shown
    # Nothing in the built document refers to a resource (no images, no style sheets) …
    html = view.document().toHtml()
    assert "secret" not in html and "passwd" not in html
    # … and asking the view for the secret straight away loads nothing.
    from PySide6.QtCore import QUrl

    for url in (secret.as_uri(), "../secret.txt", "file:///etc/passwd"):
        for kind in (QTextDocument.ResourceType.ImageResource,
                     QTextDocument.ResourceType.StyleSheetResource,
                     QTextDocument.ResourceType.HtmlResource):  # fmt: skip
            assert view.loadResource(int(kind.value), QUrl(url)) is None
    assert all(result is None for _, _, result in calls)
    assert [p for p in opened_files if "secret" in p or p == "/etc/passwd"] == []
