"""What the window says above a document whose text is not what was asked for."""

from __future__ import annotations

import subprocess

import pytest
from conftest import CORPUS
from test_no_article import INDEX_PAGE

JAPANESE = CORPUS / "html" / "readability" / "hukumusume" / "source.html"
CHINESE = CORPUS / "html" / "readability" / "qq" / "source.html"
ENGLISH = CORPUS / "html" / "readability" / "bbc-1" / "source.html"


def _fontconfig_has(lang: str) -> bool:
    out = subprocess.run(["fc-list", f":lang={lang}"], capture_output=True, text=True)
    return bool(out.stdout.strip())


@pytest.mark.parametrize(
    ("page", "lang", "script"), [(JAPANESE, "ja", "Japanese"), (CHINESE, "zh", "Chinese")]
)
def test_missing_font_names_the_package(window, qtbot, page, lang, script) -> None:
    tab = window.open_document(str(page), background=False)
    notice = tab.notice
    if _fontconfig_has(lang):  # a font is installed: the text shows, nothing to say
        assert not notice.isVisibleTo(window)
    else:
        assert notice.isVisibleTo(window)
        assert notice.text() == (
            f"No installed font shows {script} text, so it appears as boxes: install the "
            "fonts-noto-cjk package (Debian and Ubuntu) and reopen the document."
        )


def test_page_without_article_says_so(window, qtbot, tmp_path) -> None:
    page = tmp_path / "sections.html"
    page.write_text(INDEX_PAGE, encoding="utf-8")
    tab = window.open_document(str(page))
    assert tab.notice.isVisibleTo(window)
    assert tab.notice.text().startswith("This page has no article")
    assert "Parliament votes on the budget tonight" in tab.opened.document.text


def test_ordinary_article_has_no_notice(window, qtbot) -> None:
    tab = window.open_document(str(ENGLISH), background=False)
    assert not tab.notice.isVisibleTo(window)
