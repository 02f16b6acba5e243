"""Comments, share bars, related lists, newsletter boxes and cookie notices placed inside a
real article's container are not part of the article; its own text stays, in order.

The furniture is marked up the way sites mark it (schema.org Comment, ARIA roles, link lists,
class names) and written in Spanish, with Spanish class names where readability's English name
patterns would not see it, so nothing here depends on English words.
"""

from __future__ import annotations

from pathlib import Path

import lxml.html
import pytest
from scoring import score

from reader.documents.article import load_article
from reader.model import DocumentKind

PAGE = Path(__file__).resolve().parents[2] / "shared/corpus/html/readability/bbc-1"

COMMENTS = """<section class="opiniones-lectores">
<h3>Opiniones (3)</h3>
<div itemscope itemtype="https://schema.org/Comment"><p>Hace una hora: No estoy de acuerdo
con nada de lo que dice este artículo, es pura propaganda.</p></div>
<div itemscope itemtype="https://schema.org/Comment"><p>Hace dos horas: Totalmente cierto, mi
vecino piensa lo mismo desde hace años.</p></div>
<div itemscope itemtype="https://schema.org/Comment"><p>Hace tres horas: ¿Alguien sabe dónde
se puede ver la entrevista completa en la televisión?</p></div>
</section>"""
SHARE = """<ul class="botones"><li><a href="/f">Compartir en Facebook</a></li>
<li><a href="/t">Compartir en Twitter</a></li><li><a href="/w">Enviar por WhatsApp</a></li></ul>"""
RELATED = """<div class="mas-noticias"><h4>Noticias relacionadas</h4><ul>
<li><a href="/1">El Senado debate una nueva ley de armas este martes</a></li>
<li><a href="/2">Cinco claves para entender el control de armas</a></li>
<li><a href="/3">Las cifras de la violencia armada en el último año</a></li></ul></div>"""
NEWSLETTER = """<div class="newsletter-signup"><p>Recibe cada mañana las noticias más
importantes en tu correo electrónico.</p><form><input name="email"><button>Suscribirme</button>
</form></div>"""
COOKIES = """<div role="dialog" class="cookie-consent"><p>Usamos galletas propias y de terceros
para mejorar tu experiencia de navegación.</p></div>"""
FURNITURE = {
    "comments": (COMMENTS, "propaganda"),
    "share bar": (SHARE, "Compartir en Facebook"),
    "related list": (RELATED, "Cinco claves para entender"),
    "newsletter": (NEWSLETTER, "Recibe cada mañana"),
    "cookie notice": (COOKIES, "galletas propias"),
}


def _truth() -> str:
    return lxml.html.fromstring((PAGE / "expected.html").read_bytes()).text_content()


def _with_furniture() -> bytes:
    """The page with all the furniture after the article's last paragraph, in its container."""
    root = lxml.html.fromstring((PAGE / "source.html").read_bytes())
    last_words = " ".join(_truth().split()[-6:])
    paragraphs = [p for p in root.iter("p") if last_words in " ".join(p.text_content().split())]
    assert paragraphs, "the article's last paragraph is not in the page"
    anchor = paragraphs[-1]
    for markup, _ in reversed(FURNITURE.values()):
        anchor.addnext(lxml.html.fragment_fromstring(markup))
    return lxml.html.tostring(root, encoding="utf-8")


@pytest.fixture(scope="module")
def article():
    if not PAGE.is_dir():
        pytest.skip(f"corpus page missing: {PAGE}")
    return load_article(_with_furniture(), DocumentKind.HTML, str(PAGE / "source.html"))


@pytest.mark.parametrize("what", sorted(FURNITURE))
def test_furniture_is_not_article_text(article, what: str) -> None:
    _markup, telltale = FURNITURE[what]
    assert telltale not in article.text, f"{what} shown as article text"


def test_article_text_is_kept_in_order(article) -> None:
    result = score(article.text, _truth())
    assert result.f1 >= 0.98, result
    truth = " ".join(_truth().split())
    first, last = " ".join(truth.split()[:8]), " ".join(truth.split()[-6:])
    text = " ".join(article.text.split())
    assert first in text and last in text
    assert text.index(first) < text.index(last)
