"""Pasted references → Source, duplicate keys and the one-line reference, all offline."""

from __future__ import annotations

import pytest

from reader.citations import (
    UNREADABLE,
    ReferenceError,
    duplicate_keys,
    format_reference,
    normalize_doi,
    normalize_isbn,
    normalize_url,
    parse_reference,
    partial_date,
    short_reference,
)
from reader.model import Source

# --- BibTeX ----------------------------------------------------------------------------------

SCHOLAR_ARTICLE = r"""@article{muller2020uber,
  title={{\"U}ber die {COVID}-19-Pandemie in {\"O}sterreich: eine {Kohortenstudie}},
  author={M{\"u}ller, J{\'o}zsef and Anne-Marie Smith and {World Health Organization} and
          van der Berg, Jan and others},
  journal={Wiener klinische Wochenschrift},
  volume={132},
  number={5},
  pages={1--10},
  year={2020},
  month=mar,
  publisher={Springer},
  doi={10.1007/S00508-020-01234-5}
}"""


def test_bibtex_scholar_article_with_accents_and_corporate_author() -> None:
    source = parse_reference(SCHOLAR_ARTICLE)
    assert source.type == "article-journal"
    assert source.title == "Über die COVID-19-Pandemie in Österreich: eine Kohortenstudie"
    assert source.authors == (
        "Müller, József",
        "Smith, Anne-Marie",
        "World Health Organization",
        "van der Berg, Jan",
    )
    assert source.container_title == "Wiener klinische Wochenschrift"
    assert source.publisher == "Springer"
    assert source.issued == "2020-03"
    assert source.doi == "10.1007/s00508-020-01234-5"


def test_bibtex_book_with_isbn_and_quoted_fields() -> None:
    source = parse_reference(
        """@book{kahneman2011thinking,
          author = "Kahneman, Daniel",
          title = "Thinking, Fast and Slow",
          publisher = "Farrar, Straus and Giroux",
          address = "New York",
          year = 2011,
          isbn = "978-0-374-27563-1"
        }"""
    )
    assert source.type == "book"
    assert source.title == "Thinking, Fast and Slow"
    assert source.authors == ("Kahneman, Daniel",)
    assert source.publisher == "Farrar, Straus and Giroux"
    assert source.issued == "2011"
    assert source.isbn == "9780374275631"


def test_bibtex_techreport_online_and_misc() -> None:
    report = parse_reference(
        r"""@techreport{spencer2024,
          author = {Spencer, Merianne R. and Garnett, Matthew F. and Mini{\~n}o, Arialdi M.},
          title = {Drug overdose deaths in the {United States}, 2002--2022},
          institution = {National Center for Health Statistics},
          type = {{NCHS} Data Brief}, number = {491},
          date = {2024-03},
          doi = {10.15620/cdc:135849},
          urldate = {2026-11-29}
        }"""
    )
    assert report.type == "report"
    assert report.authors[2] == "Miniño, Arialdi M."
    assert report.title == "Drug overdose deaths in the United States, 2002–2022"
    assert report.publisher == "National Center for Health Statistics"
    assert report.issued == "2024-03"
    assert report.accessed == "2026-11-29"

    online = parse_reference(
        r"""@online{who2023, author = {{World Health Organization}},
        title = {Obesity and overweight}, year = 2023, month = {May}, day = 1,
        url = {https://www.who.int/news-room/fact-sheets/detail/obesity\_and\_overweight}}"""
    )
    assert online.type == "webpage"
    assert online.authors == ("World Health Organization",)
    assert online.issued == "2023-05-01"
    assert online.url == "https://www.who.int/news-room/fact-sheets/detail/obesity_and_overweight"

    misc = parse_reference(
        r"""@misc{ipcc, title = {Climate Change 2023: Synthesis Report},
        organization = {IPCC}, howpublished = {\url{https://www.ipcc.ch/report/ar6/syr/}},
        year = {2023}, note = {Accessed via the IPCC site}}"""
    )
    assert misc.type == "webpage"
    assert misc.url == "https://www.ipcc.ch/report/ar6/syr/"
    assert misc.publisher == "IPCC"
    assert misc.note == "Accessed via the IPCC site"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ("@article{x, title={Unfinished}", "it ends before its closing brace"),
        ("@article{x title={a}}", "expected comma after entry key"),
        ("@article{x, title={a}, title={b}}", "it has the field title more than once"),
        ("@article{a, title={A}}\n@book{b, title={B}}", "holds 2 entries"),
    ],
)
def test_malformed_bibtex_says_why(text: str, why: str) -> None:
    with pytest.raises(ReferenceError) as info:
        parse_reference(text)
    message = str(info.value)
    assert "BibTeX" in message and why in message
    assert message.endswith(".") and "\n" not in message


# --- DOIs ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "10.1038/s41586-020-2649-2",
        "10.1038/S41586-020-2649-2",
        "doi:10.1038/s41586-020-2649-2",
        "DOI: 10.1038/S41586-020-2649-2",
        "https://doi.org/10.1038/s41586-020-2649-2",
        "http://dx.doi.org/10.1038/s41586-020-2649-2",
        "https://doi.org/10.1038%2Fs41586-020-2649-2",
        "10.1038/s41586-020-2649-2.",
        "  <https://doi.org/10.1038/s41586-020-2649-2>,  ",
    ],
)
def test_doi_forms(text: str) -> None:
    source = parse_reference(text)
    assert source.type == "article-journal"
    assert source.doi == "10.1038/s41586-020-2649-2"
    assert source.url == "https://doi.org/10.1038/s41586-020-2649-2"
    assert source.title == ""


def test_doi_with_parentheses_keeps_them() -> None:
    assert normalize_doi("(doi:10.1016/S0140-6736(20)30183-5).") == (
        "10.1016/s0140-6736(20)30183-5"
    )
    assert normalize_doi("not a doi") == ""
    assert normalize_doi("") == ""


# --- ISBNs -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["978-0-306-40615-7", "9780306406157", "ISBN 978-0-306-40615-7", "0-306-40615-2",
     "ISBN-10: 0 306 40615 2", "isbn 0306406152"],
)  # fmt: skip
def test_isbn_forms(text: str) -> None:
    source = parse_reference(text)
    assert source.type == "book"
    assert source.isbn == "9780306406157"


def test_isbn_10_with_x_check_digit() -> None:
    assert parse_reference("0-8044-2957-X").isbn == "9780804429573"


@pytest.mark.parametrize("text", ["978-0-306-40615-8", "0-306-40615-3", "ISBN 0306406153"])
def test_isbn_with_bad_check_digit_is_refused(text: str) -> None:
    with pytest.raises(ReferenceError, match="check digit is wrong"):
        parse_reference(text)


def test_normalize_isbn() -> None:
    assert normalize_isbn("ISBN 0-306-40615-2") == "9780306406157"
    assert normalize_isbn("978-0-306-40615-8") == ""
    assert normalize_isbn("") == ""


# --- CSL-JSON --------------------------------------------------------------------------------


def test_csl_json_literal_author_and_year_only() -> None:
    source = parse_reference(
        """{"type": "report", "title": "World health statistics 2022",
            "author": [{"literal": "World Health Organization"}],
            "publisher": "World Health Organization",
            "issued": {"date-parts": [[2022]]},
            "ISBN": "978-92-4-005114-0",
            "URL": "https://www.who.int/publications/i/item/9789240051157"}"""
    )
    assert source.type == "report"
    assert source.authors == ("World Health Organization",)
    assert source.issued == "2022"
    assert source.isbn == "9789240051140"
    assert source.url.startswith("https://www.who.int/")


def test_csl_json_list_with_raw_date_and_people() -> None:
    source = parse_reference(
        """[{"type": "article-journal",
             "title": "Array programming with NumPy",
             "author": [{"family": "Harris", "given": "Charles R."},
                        {"family": "Millman", "given": "K. Jarrod"}],
             "container-title": "Nature",
             "issued": {"raw": "16 September 2020"},
             "accessed": {"date-parts": [[2026, 11, 29]]},
             "DOI": "10.1038/S41586-020-2649-2"}]"""
    )
    assert source.authors == ("Harris, Charles R.", "Millman, K. Jarrod")
    assert source.container_title == "Nature"
    assert source.issued == "2020-09-16"
    assert source.accessed == "2026-11-29"
    assert source.doi == "10.1038/s41586-020-2649-2"


@pytest.mark.parametrize(
    ("text", "why"),
    [
        ('{"title": "x",', "This CSL-JSON could not be read"),
        ('{"foo": 1}', "not a CSL-JSON item"),
        ('[{"title": "a"}, {"title": "b"}]', "holds 2 items"),
    ],
)
def test_malformed_csl_json(text: str, why: str) -> None:
    with pytest.raises(ReferenceError, match=why):
        parse_reference(text)


# --- RIS -------------------------------------------------------------------------------------

RIS_ARTICLE = """TY  - JOUR
AU  - Harris, Charles R.
AU  - Millman, K. Jarrod
TI  - Array programming with NumPy
JO  - Nature
VL  - 585
SP  - 357
EP  - 362
PY  - 2020/09/16/
DO  - 10.1038/s41586-020-2649-2
UR  - https://www.nature.com/articles/s41586-020-2649-2
SN  - 0028-0836
N1  - Open access
ER  -
"""

RIS_REPORT = """TY  - RPRT
A1  - Spencer, Merianne R.
A1  - Garnett, Matthew F.
T1  - Drug overdose deaths in the United States, 2002–2022
T2  - NCHS Data Brief No. 491
PB  - National Center for Health Statistics
Y1  - 2024///
SN  - 978-0-306-40615-7
ER  -
"""


def test_ris_journal_article() -> None:
    source = parse_reference(RIS_ARTICLE)
    assert source.type == "article-journal"
    assert source.authors == ("Harris, Charles R.", "Millman, K. Jarrod")
    assert source.title == "Array programming with NumPy"
    assert source.container_title == "Nature"
    assert source.issued == "2020-09-16"
    assert source.doi == "10.1038/s41586-020-2649-2"
    assert source.url == "https://www.nature.com/articles/s41586-020-2649-2"
    assert source.isbn == ""  # the SN is an ISSN
    assert source.note == "Open access"


def test_ris_report_with_year_only_and_isbn() -> None:
    source = parse_reference(RIS_REPORT)
    assert source.type == "report"
    assert source.authors == ("Spencer, Merianne R.", "Garnett, Matthew F.")
    assert source.container_title == "NCHS Data Brief No. 491"
    assert source.publisher == "National Center for Health Statistics"
    assert source.issued == "2024"
    assert source.isbn == "9780306406157"


def test_ris_pasted_with_collapsed_spaces_and_no_end() -> None:
    source = parse_reference("TY - NEWS\nTI - Headline\nDA - 2023/05/01\n")
    assert source.type == "article-newspaper"
    assert source.title == "Headline"
    assert source.issued == "2023-05-01"


def test_ris_with_two_records_is_refused() -> None:
    with pytest.raises(ReferenceError, match="RIS text holds 2 records"):
        parse_reference(RIS_ARTICLE + RIS_REPORT)


# --- URLs and duplicates ---------------------------------------------------------------------


def test_url_is_a_webpage() -> None:
    source = parse_reference("https://www.cdc.gov/nchs/products/databriefs/db491.htm")
    assert source == Source(
        type="webpage", url="https://www.cdc.gov/nchs/products/databriefs/db491.htm"
    )


@pytest.mark.parametrize(
    "url",
    [
        "https://www.example.com/news/story/?utm_source=twitter&utm_medium=social&id=7&a=1",
        "HTTPS://Example.COM:443/news/story?a=1&id=7#comments",
        "https://example.com/news/story?fbclid=IwAR0&id=7&a=1&gclid=abc",
        "https://example.com/news/story/?a=1&id=7&mc_cid=x&_ga=2.1",
    ],
)
def test_normalize_url_for_duplicates(url: str) -> None:
    assert normalize_url(url) == "https://example.com/news/story?a=1&id=7"


def test_normalize_url_keeps_what_matters() -> None:
    assert normalize_url("http://example.com:8080/a") == "http://example.com:8080/a"
    assert normalize_url("https://example.com/A/b") == "https://example.com/A/b"  # paths keep case
    assert normalize_url("https://example.com/") == "https://example.com"
    assert normalize_url("https://example.com/?q=") == "https://example.com?q="


def test_duplicate_keys() -> None:
    source = Source(
        doi="DOI:10.1038/S41586-020-2649-2",
        isbn="0-306-40615-2",
        url="https://www.nature.com/articles/s41586-020-2649-2/?utm_campaign=x",
    )
    assert duplicate_keys(source) == (
        "doi:10.1038/s41586-020-2649-2",
        "isbn:9780306406157",
        "url:https://nature.com/articles/s41586-020-2649-2",
    )
    assert duplicate_keys(Source()) == ()
    # A doi.org address is the DOI itself.
    assert duplicate_keys(Source(url="https://doi.org/10.1038/S41586-020-2649-2")) == (
        "doi:10.1038/s41586-020-2649-2",
    )
    a = parse_reference("https://doi.org/10.1038/s41586-020-2649-2")
    b = parse_reference("DOI: 10.1038/S41586-020-2649-2.")
    assert duplicate_keys(a) == duplicate_keys(b)


# --- dates -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "iso"),
    [
        ("2022", "2022"),
        ("2022-03", "2022-03"),
        ("March 2022", "2022-03"),
        ("Mar. 2022", "2022-03"),
        ("2022-3-5", "2022-03-05"),
        ("2022/03/05", "2022-03-05"),
        ("2022/03/05/", "2022-03-05"),
        ("5 March 2022", "2022-03-05"),
        ("March 5, 2022", "2022-03-05"),
        ("2022-03-05T14:03:00Z", "2022-03-05"),
        ("2022-02-30", "2022-02"),
        ("Spring 2021", "2021"),
        ("", ""),
        ("sometime", ""),
    ],
)
def test_partial_date(text: str, iso: str) -> None:
    assert partial_date(text) == iso


# --- display ---------------------------------------------------------------------------------


def test_format_reference_report_like_the_spec() -> None:
    source = Source(
        type="report",
        title="Drug overdose deaths in the United States, 2002–2022",
        authors=("Spencer, Merianne R.", "Garnett, Matthew F.", "Miniño, Arialdi M."),
        container_title="NCHS Data Brief No. 491",
        publisher="National Center for Health Statistics",
        issued="2024-03",
        doi="10.15620/cdc:135849",
        url="https://www.cdc.gov/nchs/products/databriefs/db491.htm",
        accessed="2026-11-29",
    )
    assert format_reference(source) == (
        'Spencer, M. R., Garnett, M. F., & Miniño, A. M. (2024). "Drug overdose deaths in the '
        'United States, 2002–2022." NCHS Data Brief No. 491. National Center for Health '
        "Statistics. https://doi.org/10.15620/cdc:135849. Accessed 2026-11-29."
    )
    assert short_reference(source) == "Spencer et al. 2024"


def test_format_reference_book_webpage_and_many_authors() -> None:
    book = Source(
        type="book",
        title="Thinking, Fast and Slow",
        authors=("Kahneman, Daniel",),
        publisher="Farrar, Straus and Giroux",
        issued="2011",
        isbn="9780374275631",
    )
    assert format_reference(book) == (
        "Kahneman, D. (2011). Thinking, Fast and Slow. Farrar, Straus and Giroux. "
        "ISBN 978-0-374-27563-1."
    )
    assert short_reference(book) == "Kahneman 2011"

    page = Source(
        type="webpage",
        title="Provisional drug overdose death counts",
        authors=("CDC",),
        container_title="Centers for Disease Control and Prevention",
        issued="2023-05-17",
        url="https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm",
        accessed="2026-11-29",
    )
    assert format_reference(page) == (
        'CDC. (2023). "Provisional drug overdose death counts." Centers for Disease Control and '
        "Prevention. https://www.cdc.gov/nchs/nvss/vsrr/drug-overdose-data.htm. "
        "Accessed 2026-11-29."
    )
    assert short_reference(page) == "CDC 2023"

    many = Source(
        type="article-journal",
        title="Array programming with NumPy",
        authors=(
            "Harris, Charles R.",
            "Millman, K. Jarrod",
            "van der Walt, Stéfan J.",
            "Gommers, Ralf",
        ),
        container_title="Nature",
        issued="2020-09",
        doi="10.1038/s41586-020-2649-2",
    )
    assert format_reference(many) == (
        'Harris, C. R., Millman, K. J., van der Walt, S. J., et al. (2020). "Array programming '
        'with NumPy." Nature. https://doi.org/10.1038/s41586-020-2649-2.'
    )
    academies = Source(
        type="report",
        title="Medications for Opioid Use Disorder Save Lives",
        authors=("National Academies of Sciences, Engineering, and Medicine",),
        issued="2019",
    )
    assert format_reference(academies) == (
        "National Academies of Sciences, Engineering, and Medicine. (2019). "
        '"Medications for Opioid Use Disorder Save Lives."'
    )
    two = Source(authors=("Harris, Charles R.", "Millman, K. Jarrod"), issued="2020")
    assert short_reference(two) == "Harris & Millman 2020"


def test_format_reference_without_author_or_date() -> None:
    source = Source(type="webpage", title="Is it true?", url="https://example.org/a")
    assert format_reference(source) == '"Is it true?" (n.d.). https://example.org/a.'
    assert short_reference(source) == "Is it true?"
    assert format_reference(Source(type="webpage")) == "(n.d.)."


def test_format_reference_is_deterministic_for_parsed_input() -> None:
    source = parse_reference(SCHOLAR_ARTICLE)
    line = format_reference(source)
    assert line == format_reference(parse_reference(SCHOLAR_ARTICLE))
    assert line.startswith("Müller, J., Smith, A.-M., World Health Organization, et al. (2020).")
    assert "https://doi.org/10.1007/s00508-020-01234-5." in line


# --- garbage ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["", "   ", "hello world", "Smith 2020 said so", "12345", "ftp://example.com/file",
     "see page 12\nand page 13"],
)  # fmt: skip
def test_garbage_is_refused_with_the_sentence(text: str) -> None:
    with pytest.raises(ReferenceError) as info:
        parse_reference(text)
    assert str(info.value) == UNREADABLE
    assert isinstance(info.value, ValueError)
