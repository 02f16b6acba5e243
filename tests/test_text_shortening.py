"""The one text-shortening helper, as each place that shows a shortened text uses it."""

from __future__ import annotations

from reader.text_shortening import shorten


def test_a_short_text_is_shown_whole_and_on_one_line():
    assert shorten("  seventy  thousand\n deaths ", 60) == "seventy thousand deaths"
    assert shorten(None, 60) == ""
    assert shorten("a" * 60, 60) == "a" * 60


def test_a_plain_cut_fits_the_width_with_its_ellipsis():
    cut = shorten("word " * 30, 40)
    assert len(cut) == 40 and cut.endswith("…")
    assert cut == ("word " * 30)[:39] + "…"


def test_an_address_keeps_its_characters_as_they_are():
    url = "https://example.com/a%20b?q=" + "x" * 300
    shown = shorten(url, 200, collapse=False)
    assert len(shown) == 200 and shown.startswith(url[:199]) and shown.endswith("…")
    assert shorten("http://exa mple.com/", 200, collapse=False) == "http://exa mple.com/"


def test_a_quote_cut_at_a_word_without_trailing_punctuation():
    quote = "Overdose deaths rose to 79,770 in 2022, according to provisional data, " * 3
    shown = shorten(quote, 100, at_word=50, trim=" ,;:.")
    assert shown.endswith("…") and not shown[:-1].endswith((" ", ",", ";", ":", "."))
    assert quote.startswith(shown[:-1]) and len(shown) <= 101
    assert quote[len(shown) - 1] in " ,"  # ended on a whole word


def test_one_long_word_is_cut_where_the_width_ends():
    title = "Pneumonoultramicroscopicsilicovolcanoconiosis" * 6
    assert shorten(title, 200, collapse=False, at_word=1) == title[:200] + "…"


def test_trim_leaves_no_space_before_the_ellipsis():
    assert shorten("alpha beta gamma", 7, trim=" ") == "alpha…"
    assert shorten("alpha beta gamma", 7) == "alpha …"
