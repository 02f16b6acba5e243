"""Published fact-checks in: `import` takes ClaimReview JSON-LD in each form it is published
in, keeps each review by its url, and "seen before" (`claim-reader similar`) finds it with its
rating. Run as a user would: the real command line on a real library file."""

from __future__ import annotations

import json
import sqlite3
import subprocess
import sys

import pytest
from conftest import ROOT, SEED


def run(db, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(ROOT / "main.py"), "--db", str(db), *args],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=ROOT,
    )


def review(url: str, claim: str, rating: str = "False", value: int | None = 1, **extra) -> dict:
    rated: dict = {"@type": "Rating", "alternateName": rating}
    if value is not None:
        rated.update(ratingValue=value, bestRating=5, worstRating=1)
    return {
        "@type": "ClaimReview",
        "url": url,
        "claimReviewed": claim,
        "author": {"@type": "Organization", "name": "Example Fact Check"},
        "datePublished": "2024-03-05",
        "reviewRating": rated,
        "itemReviewed": {
            "@type": "Claim",
            "author": {"@type": "Person", "name": "A. Senator"},
            "datePublished": "2024-03-01",
            "appearance": [{"@type": "CreativeWork", "url": "https://news.example/speech"}],
        },
        **extra,
    }


TOLL = review(
    "https://factcheck.example/opioid-toll",
    "The CDC says 79,770 people died from opioids in 2022.",
    "True",
    5,
)
FIRST = review(
    "https://factcheck.example/first-country",
    "In 2019 China became the first country to ban all fentanyl-related substances.",
    "Mostly true",
    4,
)
SHARE = review(
    "https://factcheck.example/share",
    "The U.S. has 5 percent of the world's population but uses 80 percent of its opioids.",
    "Misleading",
    2,
)


def forms() -> dict[str, object]:
    ctx = "https://schema.org"
    return {
        "one review": {"@context": ctx, **TOLL},
        "a list": [{"@context": ctx, **TOLL}, {"@context": ctx, **FIRST}],
        "@graph": {"@context": ctx, "@graph": [TOLL, FIRST, SHARE]},
        "DataFeed": {
            "@context": ctx,
            "@type": "DataFeed",
            "name": "Example Fact Check feed",
            "dataFeedElement": [
                {"@type": "DataFeedItem", "dateCreated": "2024-03-05", "item": [TOLL, FIRST]},
                {"@type": "DataFeedItem", "item": SHARE},
            ],
        },
    }


EXPECTED = {"one review": 1, "a list": 2, "@graph": 3, "DataFeed": 3}


def fact_checks(db) -> list[tuple]:
    with sqlite3.connect(db) as conn:
        return conn.execute(
            "SELECT url, claim, rating, rating_value, reviewer, published, claimant, appearance, "
            "claim_date FROM fact_checks ORDER BY url"
        ).fetchall()


@pytest.mark.parametrize("form", list(EXPECTED))
def test_each_published_form_is_imported_and_found_with_its_rating(tmp_path, form):
    db = tmp_path / "library.sqlite"
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(forms()[form]), encoding="utf-8")
    result = run(db, "import", str(feed))
    assert result.returncode == 0, result.stderr
    assert result.stdout.strip() == f"added {EXPECTED[form]}, updated 0, unchanged 0"
    rows = {r[0]: r for r in fact_checks(db)}
    assert rows["https://factcheck.example/opioid-toll"] == (
        "https://factcheck.example/opioid-toll",
        "The CDC says 79,770 people died from opioids in 2022.",
        "True",
        5.0,
        "Example Fact Check",
        "2024-03-05",
        "A. Senator",
        "https://news.example/speech",
        "2024-03-01",
    )
    found = run(
        db,
        "similar",
        "Data from the CDC showed that the death toll from opioids surged to 79,770 in 2022.",
        "--json",
    )
    assert found.returncode == 0, found.stderr
    matches = json.loads(found.stdout)
    assert matches[0]["url"] == "https://factcheck.example/opioid-toll"
    assert matches[0]["rating"] == "True"
    assert matches[0]["document"] == "Example Fact Check"
    assert list(matches[0]) == ["url", "quote", "rating", "document", "score"]
    assert 0 < matches[0]["score"] <= 1


def test_reimporting_updates_by_url_and_never_duplicates(tmp_path):
    db = tmp_path / "library.sqlite"
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(forms()["DataFeed"]), encoding="utf-8")
    assert run(db, "import", str(feed)).stdout.strip() == "added 3, updated 0, unchanged 0"
    assert run(db, "import", str(feed)).stdout.strip() == "added 0, updated 0, unchanged 3"
    rerated = {**FIRST, "reviewRating": {"@type": "Rating", "alternateName": "False"}}
    newer = {"@context": "https://schema.org", "@graph": [TOLL, rerated]}
    feed.write_text(json.dumps(newer), encoding="utf-8")
    assert run(db, "import", str(feed)).stdout.strip() == "added 0, updated 1, unchanged 1"
    rows = fact_checks(db)
    assert len(rows) == 3
    assert {r[0]: r[2] for r in rows}["https://factcheck.example/first-country"] == "False"


def test_our_own_claimreview_export_comes_back_as_fact_checks(tmp_path):
    db, other = tmp_path / "a.sqlite", tmp_path / "b.sqlite"
    quote = "the death toll from opioids surged to 79,770 in 2022"
    made = run(db, "annotate", str(SEED), "--quote", quote, "--status", "supported")
    assert made.returncode == 0, made.stderr
    out = tmp_path / "reviews.json"
    exported = run(
        db, "export", "--all", "--format", "claimreview", "--review-url",
        "https://checks.example/fentanyl", "--org", "Example Checks", "-o", str(out),
    )  # fmt: skip
    assert exported.returncode == 0, exported.stderr
    assert run(other, "import", str(out)).stdout.strip() == "added 1, updated 0, unchanged 0"
    found = run(other, "similar", "Opioid deaths reached 79,770 in 2022.", "--json")
    found = json.loads(found.stdout)
    assert [m["rating"] for m in found] == ["supported"]
    assert found[0]["url"].startswith("https://checks.example/fentanyl#claim-")


BAD = {
    "not ClaimReview": (
        {"@context": "https://schema.org", "@type": "DataFeed", "dataFeedElement": []},
        "there is no ClaimReview in it",
    ),
    "no claimReviewed": (
        {"@context": "https://schema.org", "@graph": [TOLL, {**FIRST, "claimReviewed": ""}]},
        "review 2: the ClaimReview has no claimReviewed",
    ),
    "no url": (
        [TOLL, {k: v for k, v in SHARE.items() if k != "url"}],
        "review 2: the ClaimReview has no url",
    ),
}


@pytest.mark.parametrize("case", [*BAD, "malformed JSON", "huge file"])
def test_bad_input_is_one_sentence_and_changes_nothing(tmp_path, case):
    db = tmp_path / "library.sqlite"
    good = tmp_path / "good.json"
    good.write_text(json.dumps({"@context": "https://schema.org", **SHARE}), encoding="utf-8")
    assert run(db, "import", str(good)).returncode == 0
    before = fact_checks(db)
    bad = tmp_path / "bad.json"
    if case == "malformed JSON":
        bad.write_text('{"@context": "https://schema.org", "@type": "ClaimReview", "url": ', "utf8")
        expected = "not valid JSON"
    elif case == "huge file":
        with bad.open("w", encoding="utf-8") as out:
            out.write('{"@type": "ClaimReview", "claimReviewed": "')
            out.truncate(260 * 2**20)  # sparse: the size is what is refused
        expected = "MB"
    else:
        data, expected = BAD[case]
        bad.write_text(json.dumps(data), encoding="utf-8")
    result = run(db, "import", str(bad))
    assert result.returncode == 1
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("error: "), result.stderr
    assert expected in lines[0]
    assert "Traceback" not in result.stderr
    assert fact_checks(db) == before


def test_similar_says_nothing_when_nothing_is_close(tmp_path):
    db = tmp_path / "library.sqlite"
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(forms()["@graph"]), encoding="utf-8")
    assert run(db, "import", str(feed)).returncode == 0
    # Shares words and the year, but is about India: not the same claim.
    text = "In 2019 India became the first country to ban all fentanyl-related substances."
    found = run(db, "similar", text, "--json")
    assert found.returncode == 0 and json.loads(found.stdout) == []
    plain = run(db, "similar", text)
    assert plain.returncode == 0 and plain.stdout == ""


@pytest.mark.parametrize(
    ("rating", "value", "status"),
    [
        ("False", None, "refuted"),
        ("Pants on Fire!", None, "refuted"),
        ("Mostly False", None, "misleading"),
        ("Half True", None, "misleading"),
        ("Missing context", None, "misleading"),
        ("Mixture", None, "disputed"),
        ("Unproven", None, "unverifiable"),
        ("Mostly true", None, "supported"),
        ("True", None, "supported"),
        ("refuted", None, "refuted"),  # our own export's status word
        ("", 1, "refuted"),
        ("", 2, "misleading"),
        ("", 3, "disputed"),
        ("", 5, "supported"),
        ("Wibble", None, None),
    ],
)
def test_a_rating_means_the_status_copying_the_verdict_gives(rating, value, status):
    from reader.exchange.claimreview_in import status_of
    from reader.model import FactCheck

    check = FactCheck(
        url="https://x.example/",
        claim="c",
        rating=rating,
        rating_value=value,
        best_rating=5 if value is not None else None,
        worst_rating=1 if value is not None else None,
    )
    found = status_of(check)
    assert (found.value if found else None) == status


def test_similar_finds_an_earlier_claim_with_its_status_and_document(tmp_path):
    db = tmp_path / "library.sqlite"
    quote = "As early as 2019, China officially scheduled all fentanyl-related substances"
    made = run(db, "annotate", str(SEED), "--quote", quote, "--status", "disputed")
    assert made.returncode == 0, made.stderr
    claim_id = made.stdout.strip()
    text = "In 2019 China became the first country to ban all fentanyl-related substances."
    found = run(db, "similar", text, "--json", "--limit", "3")
    assert found.returncode == 0, found.stderr
    matches = json.loads(found.stdout)
    assert [list(m) for m in matches] == [["id", "quote", "status", "document", "score"]]
    assert matches[0]["id"] == claim_id and matches[0]["status"] == "disputed"
    assert matches[0]["quote"] == quote
    assert matches[0]["document"]  # the seed article's title
    plain = run(db, "similar", text)
    assert "disputed" in plain.stdout and claim_id in plain.stdout
    assert json.loads(run(db, "similar", text.replace("China", "India"), "--json").stdout) == []


def test_merging_a_colleagues_library_brings_their_fact_checks_once(tmp_path):
    mine, theirs = tmp_path / "mine.sqlite", tmp_path / "theirs.sqlite"
    feed = tmp_path / "feed.json"
    feed.write_text(json.dumps(forms()["@graph"]), encoding="utf-8")
    assert run(theirs, "import", str(feed)).returncode == 0
    assert run(mine, "sets").returncode == 0  # an empty library of my own
    for _ in range(2):
        merged = run(mine, "import", str(theirs))
        assert merged.returncode == 0, merged.stderr
    assert fact_checks(mine) == fact_checks(theirs)
    found = json.loads(
        run(mine, "similar", "Opioid deaths reached 79,770 in 2022.", "--json").stdout
    )
    assert [m["url"] for m in found] == ["https://factcheck.example/opioid-toll"]


def test_same_claim_links_travel_in_the_json_export_and_come_back(tmp_path):
    from reader.library import Library
    from reader.model import ExportScope

    mine = Library(tmp_path / "mine.sqlite")
    opened = mine.open_path(SEED)
    text = opened.document.text
    spans = [text.index(q) for q in ("the death toll from opioids", "As early as 2019")]
    first, second = (mine.highlight(opened, s, s + 27) for s in spans)
    mine.seen_before.link(first.id, f"urn:uuid:{second.id}")
    mine.seen_before.link(first.id, "https://factcheck.example/opioid-toll")
    out = tmp_path / "export.json"
    with out.open("w", encoding="utf-8") as stream:
        mine.export(stream, "json", ExportScope())
    mine.close()
    theirs = Library(tmp_path / "theirs.sqlite")
    try:
        assert str(theirs.import_file(out)) == "added 2, updated 0, unchanged 0"
        assert sorted(theirs.seen_before.links(first.id)) == sorted(
            [f"urn:uuid:{second.id}", "https://factcheck.example/opioid-toll"]
        )
        assert theirs.seen_before.links(second.id) == [f"urn:uuid:{first.id}"]
        assert str(theirs.import_file(out)) == "added 0, updated 0, unchanged 2"
    finally:
        theirs.close()
