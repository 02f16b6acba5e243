"""Candidate claims: the seed article's checkable sentences are proposed with the right reasons;
opinion, questions, predictions and boilerplate are not; other languages get no garbage; the
CLI prints the contract's JSON."""

import json
import subprocess
import sys

import pytest
from conftest import CORPUS, SEED

from reader.claims import REASONS, candidates, sentence_spans
from reader.documents import open_document


@pytest.fixture(scope="module")
def seed_text() -> str:
    return open_document(SEED).text  # the normalized text, as the window and the CLI see it


@pytest.fixture(scope="module")
def seed_candidates(seed_text):
    return candidates(seed_text)


def _proposed(found, fragment: str):
    hits = [c for c in found if fragment in c.text]
    assert hits, f"no candidate holds {fragment!r}"
    return hits[0]


@pytest.mark.parametrize(
    ("fragments", "reasons"),
    [
        (["79,770 in 2022"], {"figure", "date"}),
        (["5 percent", "80 percent"], {"figure"}),
        (["roughly quadrupled over the last 10 years"], {"figure", "comparison", "attribution"}),
        (["As early as 2019", "the first country in the world"], {"date", "first"}),
        (["aged 18-45, said the DEA"], {"figure", "attribution"}),
    ],
)
def test_the_seed_articles_figures_are_proposed_with_their_reasons(
    seed_text, seed_candidates, fragments, reasons
):
    candidate = _proposed(seed_candidates, fragments[0])
    for fragment in fragments[1:]:
        assert fragment in candidate.text  # one whole sentence, not a piece of it
    assert reasons <= set(candidate.reasons)
    assert seed_text[candidate.start : candidate.end] == candidate.text
    assert candidate.text[0].isupper() and candidate.text.endswith(".")
    assert 0.0 <= candidate.score <= 1.0


def test_the_seed_articles_boilerplate_is_not_proposed(seed_candidates):
    texts = " ".join(c.text for c in seed_candidates)
    for boilerplate in (
        "cookies",  # the site's notice
        "CHOOSE YOUR LANGUAGE",  # navigation
        "hotline",  # the site's furniture
        "Homeless people are seen",  # a photo caption (its credit "/CFP" ends the line)
        "/CFP",
        "We need to act together",  # an exhortation, quoted
    ):
        assert boilerplate not in texts


def test_every_reason_given_is_one_the_docs_explain(seed_candidates):
    assert {r for c in seed_candidates for r in c.reasons} <= set(REASONS)


NOT_CLAIMS = [
    # opinion
    "I think this is a terrible policy and the minister should resign.",
    "This is a disgrace, frankly, and we deserve better leadership.",
    "In my opinion the new stadium is a wonderful addition to the city.",
    # questions
    "How many people died of overdoses in 2022?",
    "Did the government really cut 40 percent of the budget?",
    # predictions
    "Overdose deaths will double by 2030, experts say.",
    "The economy is expected to grow 3 percent next year.",
    "Prices could rise by 5 percent before the end of the year.",
    "He is confident the nuclear deal will be passed by Congress.",  # a passive is no past
    # exhortation and courtesy
    "We must act now to stop this crisis.",
    "Thank you all for being here tonight, ladies and gentlemen.",
    # boilerplate: notices, menus, bylines, captions of one word, sharing buttons
    "By continuing to browse our site you agree to our use of cookies.",
    "Sign up for our newsletter to get the latest news.",
    "By Jane Doe and John Smith",
    "Reuters",
    "Photo: Getty Images",
    "Share this article",
    "Advertisement",
    "© 2024 Example News. All rights reserved.",
    "HOME NEWS SPORT WEATHER",
]


@pytest.mark.parametrize("sentence", NOT_CLAIMS)
def test_opinion_questions_predictions_and_boilerplate_are_not_proposed(sentence):
    assert candidates(sentence) == []


CLAIMS = [
    ("Unemployment fell to 3.5 percent in 2019, the lowest rate in 50 years.", "figure"),
    ("The Senate voted 52 to 48 to repeal the law.", "legal"),
    ("The minister said the programme had cost £2 billion.", "attribution"),
    ("The flooding was caused by a failed dam upstream.", "causal"),
    ("Sales of electric cars more than doubled last year.", "comparison"),
    # A prediction someone made is a fact about what they said.
    ("Officials said the death toll would pass 1,000.", "attribution"),
]


@pytest.mark.parametrize(("sentence", "reason"), CLAIMS)
def test_checkable_sentences_are_proposed(sentence, reason):
    [candidate] = candidates(sentence)
    assert reason in candidate.reasons
    assert (candidate.start, candidate.end) == (0, len(sentence))


def test_a_pdfs_heading_lines_are_not_glued_to_its_first_sentence():
    text = open_document(CORPUS / "pdf" / "multicolumn.pdf").text
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert "Two-Column Document with Lorem Ipsum" in spans  # a line of its own
    assert not any(c.text.startswith("Two-Column") for c in candidates(text))


def test_other_languages_get_their_statistics_and_no_garbage():
    # German: an amount of money is a statistic in any language.
    heise = open_document(CORPUS / "html" / "readability" / "heise" / "source.html").text
    [money] = [c for c in candidates(heise) if "50 Euro" in c.text]
    assert money.reasons == ("figure",)
    # Russian recipes: quantities in instructions are not claims.
    recipes = open_document(CORPUS / "text" / "aeb-3c6d3381.txt").text
    assert not any("желтка" in c.text or "порции" in c.text for c in candidates(recipes))
    # Japanese navigation and a Korean gossip page: nothing.
    nav = open_document(CORPUS / "html" / "readability" / "hukumusume" / "source.html").text
    assert candidates(nav) == []
    assert candidates(open_document(CORPUS / "text" / "aeb-0ec95c72.txt").text) == []


def test_chinese_full_stops_end_sentences():
    text = "据统计，2022年共有79770人死亡。这是一个很好的问题。"
    spans = [text[s:e] for s, e in sentence_spans(text)]
    assert spans == ["据统计，2022年共有79770人死亡。", "这是一个很好的问题。"]


def _cli(*args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, timeout=120
    )


def test_cli_json_is_the_contracts_list(seed_text, seed_candidates):
    done = _cli("claims", str(SEED), "--json")
    assert done.returncode == 0, done.stderr
    rows = json.loads(done.stdout)
    assert len(rows) == len(seed_candidates)
    for row in rows:
        assert set(row) == {"start", "end", "text", "score", "reasons"}
        assert seed_text[row["start"] : row["end"]] == row["text"]
        assert isinstance(row["score"], float) and 0 <= row["score"] <= 1
        assert row["reasons"] and all(r in REASONS for r in row["reasons"])
    assert any("79,770 in 2022" in r["text"] for r in rows)


def test_cli_lines_give_the_place_score_reasons_and_sentence():
    done = _cli("claims", str(SEED))
    assert done.returncode == 0, done.stderr
    line = next(ln for ln in done.stdout.splitlines() if "Data from the U.S." in ln)
    where, score, reasons, *_ = line.split()
    assert where.startswith("@") and 0 < float(score) <= 1
    assert {"figure", "date"} <= set(reasons.split(","))
    # A PDF's candidates are located by page (the German lecture notes' price is on page 2).
    pdf = _cli("claims", str(CORPUS / "pdf" / "GeoTopo-komprimiert.pdf"))
    assert pdf.returncode == 0, pdf.stderr
    assert any(ln.startswith("p. 2 ") and "10 Euro" in ln for ln in pdf.stdout.splitlines())
    # … and a page of blind text ("Hello, here is some text without a meaning") has none.
    blind = _cli("claims", str(CORPUS / "pdf" / "pdflatex-4-pages.pdf"))
    assert blind.returncode == 0 and blind.stdout == "", blind.stderr


def test_cli_errors_are_one_line(tmp_path):
    done = _cli("claims", str(tmp_path / "missing.pdf"))
    assert done.returncode == 1
    assert done.stderr.startswith("error: ") and len(done.stderr.strip().splitlines()) == 1
    assert done.stdout == ""
