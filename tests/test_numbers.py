"""Figures of a claim against its evidence quote: the seed article's sentences and one case
for every number form. The worst error is "agree" where the figures differ."""

import csv
import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from reader.numbers import compare, export_cell

SEED = (
    Path(__file__).resolve().parents[2] / "shared" / "corpus" / "seed" / "000_d286d3589c386401.txt"
)


def _seed_sentence(fragment: str) -> str:
    text = " ".join(SEED.read_text(encoding="utf-8").split())
    start = text.index(fragment)
    begin = text.rfind(". ", 0, start) + 2
    return text[begin : text.index(".", start + len(fragment)) + 1]


def test_the_seed_death_toll_agrees_with_the_same_figure_and_differs_from_another():
    claim = _seed_sentence("79,770 in 2022")
    assert compare(claim, "Deaths involving opioids: 79,770 in 2022.").verdict == "agree"
    check = compare(claim, "The CDC counted 81,806 opioid deaths in 2022.")
    assert check.cell() == "differ: 79,770 vs 81,806"
    assert compare(claim, "Opioid deaths reached 79,770 in 2021.").cell() == "differ: 2022 vs 2021"


def test_the_seed_percentages_are_read_in_every_spelling():
    claim = _seed_sentence("5 percent")
    assert compare(claim, "about 5 per cent of people but 80% of the opioids").verdict == "agree"
    assert compare(claim, "4 per cent of people and 80 percent of opioids").verdict == "differ"


def test_the_seed_multiplier_and_years():
    claim = _seed_sentence("roughly quadrupled")
    assert compare(claim, "deaths rose four times over the last 10 years").verdict == "agree"
    assert compare(claim, "deaths doubled over the last 10 years").verdict == "differ"
    first = _seed_sentence("As early as 2019")
    assert compare(first, "In April 2019 China scheduled the class.").verdict == "agree"
    assert compare(first, "China scheduled the class in 2020.").cell() == "differ: 2019 vs 2020"


# (claim, evidence, verdict): each form agrees with itself and differs from a near miss.
CASES = [
    ("five people died", "5 people died", "agree"),
    ("five people died", "six people died", "differ"),
    ("twenty-five cases", "25 cases", "agree"),
    ("1,200 cases", "1200 cases", "agree"),
    ("1,200 cases", "1,300 cases", "differ"),
    ("3.5 million people", "3,480,000 people", "agree"),
    ("3.5 million people", "3.7 million people", "differ"),
    ("4 million people", "3.6 million people", "differ"),
    ("a budget of $4.5 billion", "$4.5bn was spent", "agree"),
    ("a budget of $4.5 billion", "$4.6bn was spent", "differ"),
    ("€5 million", "$5 million", "differ"),
    ("40 percent of voters", "40% of voters", "agree"),
    ("40 per cent of voters", "41% of voters", "differ"),
    ("one in five adults", "20% of adults", "agree"),
    ("one in five adults", "1 in 4 adults", "differ"),
    ("two-thirds of voters", "67 percent of voters", "agree"),
    ("two-thirds of voters", "60 percent of voters", "differ"),
    ("half of them", "50% of them", "agree"),
    ("people aged 18-45", "people aged 18 to 45", "agree"),
    ("people aged 18-45", "people aged 18-44", "differ"),
    ("in 2022", "in 2021", "differ"),
    ("on March 3, 2021", "on 3 March 2021", "agree"),
    ("on March 3, 2021", "on 4 March 2021", "differ"),
    ("a 12 km road", "a 12 miles road", "differ"),
    ("a 12 km road", "a 12 km road", "agree"),
    ("about 80,000 deaths", "79,770 deaths", "agree"),
    ("about 80,000 deaths", "70,000 deaths", "differ"),
    ("more than 40 percent", "43%", "agree"),
    ("more than 40 percent", "38%", "differ"),
    ("under 20 cases", "25 cases", "differ"),
    ("under 20 cases", "17 cases", "agree"),
    ("nearly 100 cases", "104 cases", "differ"),
    ("tens of thousands marched", "79,770 marched", "agree"),
    ("tens of thousands marched", "900 marched", "differ"),
    ("no figure at all", "nothing either", "none"),
    ("no figure here", "but 5% here", "none"),
]


@pytest.mark.parametrize(("claim", "evidence", "verdict"), CASES)
def test_every_number_form(claim, evidence, verdict):
    assert compare(claim, evidence).verdict == verdict


def test_an_exact_claim_is_not_confirmed_by_a_vague_or_bounded_evidence():
    # The evidence is consistent with the claim but does not state its figure.
    assert compare("79,770 deaths", "about 80,000 deaths").verdict == "none"
    assert compare("45% of voters", "more than 40% of voters").verdict == "none"


def test_never_agree_where_a_figure_differs():
    for claim, evidence, verdict in CASES:
        if verdict == "differ":
            assert compare(claim, evidence).verdict != "agree", (claim, evidence)


def test_identifiers_and_words_are_not_figures():
    assert compare("COVID-19 spread", "COVID-19 spread").verdict == "none"
    assert compare("no one knows", "one of them").verdict == "none"


def test_the_export_cell_is_empty_without_evidence_figures():
    assert export_cell("79,770 in 2022", "") == ""
    assert export_cell("79,770 in 2022", "a quote with no figures") == ""
    assert export_cell("no figures", "79,770 in 2022") == "none"
    assert export_cell("79,770 in 2022", "81,806 in 2022") == "differ: 79,770 vs 81,806"


def _cli(*args):
    return subprocess.run(
        [sys.executable, "-m", "reader", *args], capture_output=True, text=True, timeout=60
    )


def test_compare_numbers_command_prints_the_contracts_json():
    done = _cli("compare-numbers", "surged to 79,770 in 2022", "81,806 deaths in 2022", "--json")
    assert done.returncode == 0, done.stderr
    out = json.loads(done.stdout)
    assert out["verdict"] == "differ"
    assert {"claim": "79,770", "evidence": "81,806", "verdict": "differ"} in out["pairs"]
    plain = _cli("compare-numbers", "5 percent", "5%")
    assert plain.stdout.splitlines()[0] == "agree"


def test_the_csv_export_has_the_number_check_after_source_isbn(tmp_path):
    db = tmp_path / "lib.sqlite"
    doc = str(SEED)
    added = _cli(
        "--db", str(db), "annotate", doc, "--quote", "79,770 in 2022",
        "--cite", "https://www.cdc.gov/nchs/", "--evidence-quote", "81,806 deaths in 2022",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    first = _cli("--db", str(db), "export", "--all")
    rows = list(csv.DictReader(io.StringIO(first.stdout)))
    assert list(rows[0])[-2:] == ["source_isbn", "number_check"]
    assert rows[0]["number_check"] == "differ: 79,770 vs 81,806"
    # Derived, so import ignores it, and export → import → export is byte-identical.
    exported = tmp_path / "out.csv"
    exported.write_text(first.stdout, encoding="utf-8", newline="")
    other = tmp_path / "other.sqlite"
    assert _cli("--db", str(other), "import", str(exported)).returncode == 0
    # The ¶ location comes from the document's kept text: this library must open it once.
    assert _cli("--db", str(other), "list", "--document", doc).returncode == 0
    assert _cli("--db", str(other), "export", "--all").stdout == first.stdout


def test_json_and_markdown_exports_carry_the_number_check(tmp_path):
    db = tmp_path / "lib.sqlite"
    added = _cli(
        "--db", str(db), "annotate", str(SEED), "--quote", "79,770 in 2022",
        "--cite", "https://www.cdc.gov/nchs/", "--evidence-quote", "81,806 deaths in 2022",
    )  # fmt: skip
    assert added.returncode == 0, added.stderr
    exported = _cli("--db", str(db), "export", "--all", "--format", "json")
    assert '"numberCheck": "differ: 79,770 vs 81,806"' in exported.stdout
    context = (Path(__file__).parents[1] / "reader" / "exchange" / "claimreader.jsonld").read_text()
    assert '"numberCheck"' in context
    report = _cli("--db", str(db), "export", "--all", "--format", "md").stdout
    assert "Numbers checked: differ: 79,770 vs 81,806" in report
