"""Same claim means same meaning: paraphrases with the same figures match; sentences sharing
words or numbers but about another place, subject, time or direction, or predictions, do not.
The seed article's own sentences are the claims; the other side of each pair is hand-made."""

from __future__ import annotations

import re

import pytest
from conftest import SEED

from reader.similar import PREFILTER, THRESHOLD, compare, fts_query, rank


def seed_sentences() -> list[str]:
    # A full stop after a capital ("U.S.") does not end a sentence.
    text = SEED.read_text(encoding="utf-8")
    return [
        s.strip()
        for line in text.splitlines()
        for s in re.split(r"(?<=[a-z0-9)\"”][.!?])\s+(?=[A-Z\"“])", line)
        if s.strip()
    ]


def seed_sentence(words: str) -> str:
    """The seed article's sentence holding `words` (so the tests use its real wording)."""
    for sentence in seed_sentences():
        if words in sentence:
            return sentence.strip()
    raise AssertionError(f"{words!r} is not in the seed article")


TOLL = "79,770 in 2022"
SHARE = "5 percent of the world's population while consuming 80 percent"
QUADRUPLED = "roughly quadrupled over the last 10 years"
FIRST = "As early as 2019"

PARAPHRASES = [
    (TOLL, "According to the CDC, 79,770 people died of opioid overdoses in 2022."),
    (TOLL, "The CDC recorded 79,770 opioid deaths in the United States in 2022."),
    (TOLL, "In 2022 opioids killed 79,770 people, CDC data show."),
    (TOLL, "Opioid deaths surged to about 80,000 in 2022."),
    (QUADRUPLED, "U.S. overdose deaths have roughly quadrupled in a decade."),
    (QUADRUPLED, "Overdose deaths in America have risen four times over the past 10 years."),
    (SHARE, "The United States has 5% of the world's population but consumes 80% of its opioids."),
    (SHARE, "Americans are 5 percent of the world's people yet use 80 percent of its opioids."),
    (FIRST, "In 2019 China became the first country to ban all fentanyl-related substances."),
    (FIRST, "China was the first country in the world to schedule all fentanyl-related "
            "substances, in 2019."),
    ("aged 18-45", "Fentanyl is the leading cause of death for Americans aged 18 to 45."),
    ("has not seized any fentanyl", "Since September 2019 the United States has not seized "
     "any fentanyl or fentanyl analogues originating from China."),
]  # fmt: skip

NOT_THE_SAME = [
    # other figures
    (TOLL, "The death toll from opioids surged to 81,806 in 2022.", "other figures"),
    (TOLL, "The death toll from opioids surged to 107,000 in 2022.", "other figures"),
    (SHARE, "The U.S. has 5 percent of the world's population but consumes 30 percent of "
            "its oil.", "other figures"),
    (QUADRUPLED, "U.S. overdose deaths have roughly doubled over the last 10 years.",
     "other figures"),
    # another time
    (TOLL, "The death toll from opioids surged to 79,770 in 2021.", "other figures"),
    (FIRST, "In 2021 China became the first country to ban all fentanyl-related substances.",
     "other figures"),
    (QUADRUPLED, "U.S. overdose deaths have roughly quadrupled over the last 20 years.",
     "other figures"),
    # another country or city
    (QUADRUPLED, "Canadian overdose deaths have roughly quadrupled over the last 10 years.",
     "another place"),
    (SHARE, "Canada has 5 percent of the world's population while consuming 80 percent of the "
            "world's opioids.", "another place"),
    (FIRST, "In 2019 India became the first country to ban all fentanyl-related substances.",
     "another place"),
    ("aged 18-45", "Fentanyl is the leading cause of death in Mexico for people aged 18-45.",
     "another place"),
    # another subject
    (TOLL, "Gun deaths rose to 79,770 in 2022.", "another subject"),
    (QUADRUPLED, "U.S. traffic deaths have roughly quadrupled over the last 10 years.",
     "another subject"),
    ("aged 18-45", "Alcohol is the leading cause of death in the U.S. for people aged 18-45.",
     "another subject"),
    # a prediction
    (TOLL, "The death toll from opioids will surge to 79,770 in 2022.", "a prediction"),
    (QUADRUPLED, "U.S. overdose deaths will quadruple over the next 10 years.", "a prediction"),
    (FIRST, "China is expected to become the first country to ban all fentanyl-related "
            "substances in 2019.", "a prediction"),
    # the opposite, or a denial
    (TOLL, "The death toll from opioids fell to 79,770 in 2022.", "the opposite direction"),
    ("has not seized any fentanyl", "The United States has seized fentanyl originating from "
     "China since September 2019.", "one denies the other"),
]  # fmt: skip


@pytest.mark.parametrize(("words", "other"), PARAPHRASES)
def test_a_paraphrase_with_the_same_figures_is_the_same_claim(words, other):
    result = compare(seed_sentence(words), other)
    assert result.same, (result, other)
    assert compare(other, seed_sentence(words)).same  # either way round


@pytest.mark.parametrize(("words", "other", "reason"), NOT_THE_SAME)
def test_shared_words_or_numbers_about_something_else_are_not(words, other, reason):
    result = compare(seed_sentence(words), other)
    assert not result.same, (result, other)
    assert result.reason == reason
    assert not compare(other, seed_sentence(words)).same


def test_hand_made_cases_without_the_seed():
    same = [
        ("Homelessness in San Francisco doubled since 2019.",
         "Since 2019 the number of homeless people in San Francisco has doubled."),
        ("Unemployment in Spain fell to 11.6 percent in 2024.",
         "Spain's jobless rate dropped to 11.6% in 2024."),
        ("The city of Chicago recorded 617 homicides in 2023.",
         "Chicago had 617 homicides in 2023."),
    ]  # fmt: skip
    different = [
        ("Homelessness in San Francisco doubled since 2019.",
         "Homelessness in Los Angeles doubled since 2019."),
        ("Unemployment in Spain fell to 11.6 percent in 2024.",
         "Unemployment in Spain fell to 11.6 percent in 2023."),
        ("Unemployment in Spain fell to 11.6 percent in 2024.",
         "Unemployment in Spain rose to 11.6 percent in 2024."),
        ("Unemployment in Spain fell to 11.6 percent in 2024.",
         "Unemployment in Spain will fall to 11.6 percent in 2024."),
        ("Unemployment in Spain fell to 11.6 percent in 2024.",
         "Unemployment in Portugal fell to 11.6 percent in 2024."),
        ("Unemployment in Spain fell to 11.6 percent in 2024.",
         "Inflation in Spain fell to 11.6 percent in 2024."),
        ("The city of Chicago recorded 617 homicides in 2023.",
         "The city of Chicago recorded 617 homicides in 2013."),
    ]  # fmt: skip
    for a, b in same:
        assert compare(a, b).same, (a, b, compare(a, b))
    for a, b in different:
        assert not compare(a, b).same, (a, b, compare(a, b))


def test_the_seed_articles_sentences_do_not_match_each_other():
    # They share "fentanyl", "China", "U.S." and many figures, yet no two make one claim.
    sentences = [s for s in seed_sentences() if len(s) > 40]
    assert len(sentences) > 20
    for i, a in enumerate(sentences):
        for b in sentences[i + 1 :]:
            assert not compare(a, b).same, (a, b)


def test_a_sentence_is_the_same_claim_as_itself_with_the_top_score():
    sentence = seed_sentence(TOLL)
    assert compare(sentence, sentence).score == 1.0


def test_rank_returns_only_close_ones_best_first_and_nothing_when_none_is_close():
    claim = seed_sentence(TOLL)
    candidates = [
        ("paraphrase", "According to the CDC, 79,770 people died of opioid overdoses in 2022."),
        ("other year", "The death toll from opioids surged to 79,770 in 2021."),
        ("exact", claim),
        ("unrelated", "The two sides agreed to strengthen dialogue on drug control."),
    ]
    found = rank(claim, candidates)
    assert [r.item for r in found] == ["exact", "paraphrase"]
    assert all(r.score >= THRESHOLD for r in found)
    assert rank("The weather in Paris was sunny on Monday.", candidates) == []


@pytest.mark.parametrize("words", [TOLL, SHARE, QUADRUPLED, FIRST, "aged 18-45"])
@pytest.mark.parametrize("threshold", [THRESHOLD, 0.3])
def test_rank_keeps_what_compare_keeps_whether_or_not_the_figures_decide_alone(
    words, threshold
):
    # rank decides a candidate on its figures alone when they conflict or none agree (such a
    # pair scores at most 0.55): the pairs it keeps, and their scores, are compare's, also
    # below that score, where the figures alone decide nothing.
    claim = seed_sentence(words)
    others = [o for w, o in PARAPHRASES if w == words]
    others += [o for w, o, _r in NOT_THE_SAME if w == words]
    others += [
        "Opioid deaths surged in the United States, the CDC said.",
        "The death toll from opioids surged.",
        "China was the first country to schedule all fentanyl-related substances.",
        "Americans use most of the world's opioids.",
    ]
    # No more than rank compares in full, so that its rapidfuzz prefilter leaves all in.
    candidates = list(enumerate(others[:PREFILTER]))
    expected = [
        (k, compare(claim, other).score)
        for k, other in candidates
        if compare(claim, other).score >= threshold
    ]
    found = rank(claim, candidates, limit=len(candidates), threshold=threshold)
    assert sorted((r.item, r.score) for r in found) == sorted(expected)
    assert [r.score for r in found] == sorted((r.score for r in found), reverse=True)
    assert found, "some candidate makes the claim"


def test_the_fast_twins_of_the_patterns_find_what_the_patterns_find():
    # parse matches ASCII text, lowered, with case-sensitive twins that first look at the
    # letter a match begins with: every word of the patterns, in its forms, and every
    # sentence of the corpus must give the same matches either way.
    from conftest import CORPUS

    from reader import similar

    texts = [s for path in sorted((CORPUS / "text").glob("aeb-*.txt")) + [SEED]
             for s in path.read_text(encoding="utf-8").splitlines()]  # fmt: skip
    for original, twin in similar._LOWER.items():
        words = set(re.findall(r"[a-z][a-z' .]*", original.pattern))
        forms = [w + end for w in words for end in ("", "s", "es", "ed", "ing", "ion", "'t")]
        samples = [f"x {f} y" for f in forms] + [f"{f}." for f in forms] + texts
        for text in (t.lower() for t in samples if t.isascii()):
            expected = [(m.span(), m.lastindex) for m in original.finditer(text)]
            assert [(m.span(), m.lastindex) for m in twin.finditer(text)] == expected, text


def test_the_full_text_query_finds_stems_places_and_figures():
    query = fts_query(seed_sentence(TOLL))
    assert '"opioid"*' in query
    assert '"79 770"' in query and '"2022"' in query
    assert fts_query("") == ""


def test_no_two_sentences_of_the_corpus_articles_are_taken_for_one_claim():
    # 278 real sentences (news in English, Russian, Japanese, a fact-check, the seed): any two
    # different ones share words and figures often, but none makes the other's claim.
    from conftest import CORPUS

    sentences = []
    for path in sorted((CORPUS / "text").glob("aeb-*.txt")) + [SEED]:
        for line in path.read_text(encoding="utf-8").splitlines():
            for s in re.split(r"(?<=[a-z0-9)][.!?])\s+(?=[A-Z])", line):
                if 40 < len(s) < 400 and re.search("[a-zA-Z]{4}", s):
                    sentences.append(s.strip())
    assert len(sentences) > 200
    same = [
        (a, b)
        for i, a in enumerate(sentences)
        for b in sentences[i + 1 :]
        if a != b and compare(a, b).same
    ]
    assert same == []


def test_a_question_is_not_the_statement():
    claim = "The United States imposed tariffs on Chinese imports in 2018."
    assert compare(claim, "The U.S. imposed tariffs on Chinese imports in 2018.").same
    assert compare(
        claim, "Did the United States impose tariffs on Chinese imports in 2018?"
    ).reason == ("a question")
