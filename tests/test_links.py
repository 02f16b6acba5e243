"""A link clicked in an article opens in the browser once, and only a web or mail link does.

Both views only report a link (`link_activated`, the PDF view's in test_pdf_view.py); the
window opens it. The browser is Qt's own URL handler hook (QDesktopServices.setUrlHandler),
so nothing leaves the machine.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from conftest import open_and_wait
from PySide6.QtCore import QObject, Qt, QUrl, Slot
from PySide6.QtGui import QDesktopServices, QTextCursor

PAGE = (
    "<html><head><title>Budget</title></head><body><article><h1>Council approves the budget</h1>"
    "<p>The city council approved a budget of 4.2 million euros on Tuesday, a rise of 12 percent "
    'on last year, according to <a href="{href}">the minutes of the council</a> published '
    "on its website.</p><p>The mayor said the money would pay for three new schools and the "
    "repair of the old bridge, which engineers had described as unsafe last spring.</p>"
    "</article></body></html>"
)


class _Browser(QObject):
    """Stands in for the desktop's browser: records every URL Qt would open."""

    def __init__(self) -> None:
        super().__init__()
        self.opened: list[str] = []

    @Slot(QUrl)
    def open(self, url: QUrl) -> None:
        self.opened.append(url.toString())


@pytest.fixture
def browser():
    handler = _Browser()
    schemes = ("http", "https", "mailto", "file", "javascript")
    for scheme in schemes:
        QDesktopServices.setUrlHandler(scheme, handler, "open")
    yield handler
    for scheme in schemes:
        QDesktopServices.unsetUrlHandler(scheme)


def _click_words(qtbot, view, words: str, *, on_link: bool = True) -> None:
    found = view.document().find(words)
    assert not found.isNull(), words
    cursor = QTextCursor(view.document())
    cursor.setPosition((found.selectionStart() + found.selectionEnd()) // 2)
    view.ensureCursorVisible()
    pos = view.cursorRect(cursor).center()
    if on_link:
        assert view.anchorAt(pos), "the click lands on the link"
    qtbot.mouseClick(view.viewport(), Qt.MouseButton.LeftButton, pos=pos)


def _open_page(window, qtbot, tmp_path: Path, href: str):
    page = tmp_path / "budget.html"
    page.write_text(PAGE.format(href=href), encoding="utf-8")
    tab = open_and_wait(window, qtbot, page)
    assert tab is not None, window.last_error
    return tab.view


def test_a_web_link_in_an_article_opens_in_the_browser_once(
    window, qtbot, tmp_path, browser
) -> None:
    view = _open_page(window, qtbot, tmp_path, "https://example.org/minutes")
    with qtbot.waitSignal(view.link_activated) as blocker:
        _click_words(qtbot, view, "minutes of the council")
    assert blocker.args == ["https://example.org/minutes"]
    assert browser.opened == ["https://example.org/minutes"]


@pytest.mark.parametrize("href", ["javascript:alert(1)", "file:///etc/passwd"])
def test_a_script_or_file_link_in_an_article_opens_nothing(
    window, qtbot, tmp_path, browser, href
) -> None:
    view = _open_page(window, qtbot, tmp_path, href)
    # The article may keep such a link or drop it when it is read: either way nothing opens.
    _click_words(qtbot, view, "minutes of the council", on_link=False)
    assert browser.opened == []
