"""Tests for dateline.clean: golden seeds, single heuristics, properties, hostile input."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import seed_path
from dateline import clean
from dateline.clean import Cleaned, clean_html, clean_text


def _seed(prefix: str) -> Cleaned:
    return clean_text(seed_path(prefix).read_text(encoding="utf-8"))


def _lines(text: str) -> set[str]:
    return {line.strip() for line in text.splitlines() if line.strip()}


# --- golden: the seeds ----------------------------------------------------------------

SEED_TITLES = {
    "000": "2018 year of missed of opportunities in Russian-US relations — Russian ambassador",
    "001": "Envoy: Russia has no illusions on breakthroughs in ties with U.S. after Geneva summit",
    "002": "Russia has no illusions on breakthroughs in ties with US after Geneva summit — envoy",
    "003": "Russian Ambassador to US to Fly to Moscow March 20 for Talks on Relations With Washington",
    "004": "Russian Ambassador to US Says a Lot of Work Needs to Be Done Concerning Bilateral Relations",
}


@pytest.mark.parametrize("prefix,title", sorted(SEED_TITLES.items()))
def test_seed_titles(prefix: str, title: str) -> None:
    assert _seed(prefix).title == title


@pytest.mark.parametrize("prefix", sorted(SEED_TITLES))
def test_seed_title_not_repeated_in_body(prefix: str) -> None:
    cleaned = _seed(prefix)
    assert cleaned.text
    assert cleaned.title not in cleaned.text.split("\n\n")


def test_seed_003_spam_site_furniture_removed() -> None:
    text = _seed("003").text
    for junk in (
        "[ad_1]",
        "[ad_2]",
        "Leave a Reply",
        "Forgot password",
        "logo.png",
        "Source link",
        "Add to Collection",
    ):
        assert junk not in text, junk
    assert "Ryabkov told Sputnik" in text


def test_seed_000_section_label_and_photo_credit_removed() -> None:
    text = _seed("000").text
    paragraphs = text.split("\n\n")
    assert "All news" not in paragraphs
    assert not any("© Alexander Shcherbak" in p for p in paragraphs)
    assert "2018 became the year of missed opportunities" in text


def test_seed_002_repost_header_removed_long_line_kept() -> None:
    text = _seed("002").text
    assert "Auther" not in text
    assert "ID :" not in text
    assert "held talks in Geneva on June 16" in text


def test_seed_004_labels_removed_quote_kept() -> None:
    text = _seed("004").text
    paragraphs = text.split("\n\n")
    assert "very bad statements" in text
    for label in ("World", "Sputnik", "Discuss"):
        assert label not in paragraphs, label


def test_seed_001_body_kept() -> None:
    assert "cherish illusions on pivotal breakthroughs" in _seed("001").text


# --- single heuristics ------------------------------------------------------------------


def test_sentence_line_allows_closing_quotes_and_ptb_quotes() -> None:
    assert clean._is_sentence_line('He said "no."')
    assert clean._is_sentence_line("It 's over . ''")
    assert not clean._is_sentence_line("Read more")


def test_bare_url_is_detected_but_prose_with_url_is_not() -> None:
    assert clean._is_bare_url("https://cdn.example.com/i/logo.png")
    assert clean._is_bare_url("www.example.org/page")
    assert not clean._is_bare_url("See https://example.com for the full report.")


def test_markup_and_script_lines_are_detected() -> None:
    assert clean._is_markup_or_code("<script>alert(1)</script>")
    assert clean._is_markup_or_code("var x = document.cookie;")
    assert not clean._is_markup_or_code("The minister said 3 < 4 was never in doubt.")


def test_headline_like() -> None:
    assert clean._is_headline_like("Russia has no illusions on breakthroughs in ties with US")
    assert not clean._is_headline_like("World")  # a label, too short
    assert not clean._is_headline_like("The minister resigned on Tuesday after the vote.")  # a sentence
    assert not clean._is_headline_like("Tue, 07/13/2021 - 11:47")  # a date stamp


def test_labels_trimmed_at_edges_only_when_not_sentences() -> None:
    lines = ["World", "A long sentence of the article body goes here.", "Discuss"]
    assert clean._trim_labels(lines, [True, True, True]) == [False, True, False]


def test_title_repeats_dropped_only_at_top() -> None:
    paragraphs = ["Big News Today", "Big news today!", "Body text.", "Big News Today"]
    assert clean._drop_title_repeats(paragraphs, "Big News Today") == ["Body text.", "Big News Today"]


def test_given_title_is_kept_and_removed_from_body_top() -> None:
    body = "The council voted on Monday to close the bridge for repairs, officials said."
    text = f"Bridge to close\n\n{body}\n\nThe work will take three months, the council added."
    cleaned = clean_text(text, title="Bridge to close")
    assert cleaned.title == "Bridge to close"
    assert cleaned.text.split("\n\n")[0] == body


def test_repeated_body_sentences_are_kept() -> None:
    sentence = "The company said profits rose by a third in the second quarter of the year."
    text = "\n\n".join([sentence, "Analysts had expected a smaller rise, according to a survey.", sentence])
    assert clean_text(text).text.split("\n\n").count(sentence) == 2


def test_clean_text_is_deterministic_and_independent_of_other_articles() -> None:
    a = "Officials said the storm would reach the coast by Friday evening.\n\nResidents were told to leave."
    b = "Home\nNews\nSport\nThe match ended in a draw after a late goal, the club said."
    first = clean_text(a)
    clean_text(b)
    assert clean_text(a) == first


def test_already_clean_sentences_survive() -> None:
    sentences = [
        "The virus has killed at least 60 people in Mexico .",
        "It 's difficult to look on the bright side at the moment . ''",
        "Time for a ban .",
        "Officials said more cases were being tested in New York and California .",
    ]
    assert clean_text("\n".join(sentences)).text.split("\n\n") == sentences


def test_model_weights_match_feature_names() -> None:
    model = clean._default_model()
    assert len(model.lines.coef) == len(clean.FEATURE_NAMES)
    assert any(model.lines.coef)
    assert model.stack is not None and len(model.stack.coef) == len(clean.STACK_NAMES)


# --- properties -------------------------------------------------------------------------

_line = st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=80)


@settings(max_examples=200, deadline=None)
@given(st.lists(_line, max_size=30), st.sampled_from(["\n", "\n\n", "\r\n"]))
def test_every_output_paragraph_is_a_stripped_input_line(lines: list[str], sep: str) -> None:
    text = sep.join(lines)
    cleaned = clean_text(text)
    allowed = {line.strip() for line in text.splitlines()}
    for paragraph in cleaned.text.split("\n\n") if cleaned.text else []:
        assert paragraph in allowed
    if cleaned.title is not None:
        assert cleaned.title in allowed


# --- hostile input ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   \n\t\n  ",
        "\x00\x00\x00",
        "abc\x00def\nghi",
        "\n" * 10_000,
        "<script>alert('x')</script>",
        "\ud800 lone surrogate",
    ],
)
def test_hostile_text_does_not_crash(text: str) -> None:
    cleaned = clean_text(text)
    assert isinstance(cleaned.text, str)
    assert "\x00" not in cleaned.text
    assert "<script>" not in cleaned.text


def test_empty_input_gives_empty_text() -> None:
    assert clean_text("").text == ""
    assert clean_text(" \n \n").text == ""
    assert clean_html("").text == ""


def test_huge_single_line_is_kept_and_fast() -> None:
    import time

    sentence = "The government said on Tuesday that the talks would continue next week. "
    text = sentence * (20_000_000 // len(sentence))
    start = time.perf_counter()
    cleaned = clean_text(text)
    assert time.perf_counter() - start < 10
    assert cleaned.text == text.strip()


def test_script_page_does_not_leak_script() -> None:
    body = " ".join(["The city council approved the new budget on Monday after a long debate."] * 6)
    html = (
        "<html><head><title>Budget approved</title><script>var secret = 'LEAKED_TOKEN';</script></head>"
        f"<body><article><h1>Budget approved</h1><p>{body}</p><script>document.write('LEAKED_TOKEN')</script>"
        f"<p>{body}</p></article></body></html>"
    )
    cleaned = clean_html(html)
    assert "LEAKED_TOKEN" not in cleaned.text
    assert "city council approved" in cleaned.text


def test_clean_html_metadata() -> None:
    body = " ".join(["Rescue teams reached the village late on Sunday, local officials said."] * 6)
    html = (
        '<html lang="en"><head><title>Village reached - Example News</title>'
        '<meta property="og:site_name" content="Example News">'
        '<link rel="canonical" href="https://news.example.com/village"></head>'
        f"<body><article><h1>Village reached</h1><p>{body}</p><p>{body}</p></article></body></html>"
    )
    cleaned = clean_html(html)
    assert cleaned.sitename == "Example News"
    assert cleaned.url == "https://news.example.com/village"
    assert "Rescue teams reached the village" in cleaned.text
    assert "<" not in cleaned.text


def test_clean_html_hostile_does_not_crash() -> None:
    for html in ("<", "<html>\x00</html>", "<<<>>>" * 1000, "<p>" * 5000):
        assert isinstance(clean_html(html).text, str)
