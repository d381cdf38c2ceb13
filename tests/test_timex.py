"""Temporal expressions: seeds, each expression family, tense direction, no-dct, hostile input."""

from __future__ import annotations

import datetime

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import seed_path
from dateline.text import split_sentences
from dateline.timex import Timex, referenced_days, timexes

D = datetime.date


def values(text: str, dct: D | None) -> dict[str, str]:
    return {t.text: t.value for t in timexes(text, dct)}


def seed(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


def found(text: str, dct: D, needle: str) -> list[Timex]:
    return [t for t in timexes(text, dct) if t.text == needle]


# --------------------------------------------------------------------------- #
# Seeds
# --------------------------------------------------------------------------- #
def test_seed_002_geneva_summit_and_consultations():
    text = seed("002")
    dct = D(2021, 7, 13)
    june16 = found(text, dct, "June 16")
    assert len(june16) == 2 and all(t.day == D(2021, 6, 16) for t in june16)
    assert [t.day for t in found(text, dct, "July 9")] == [D(2021, 7, 9)]
    assert [t.value for t in found(text, dct, "2020")] == ["2020"]
    assert [t.value for t in found(text, dct, "35 years ago")] == ["1986"]
    assert found(text, dct, "Late last week")[0].value == "2021-W27"
    assert found(text, dct, "a few days ago")[0].value == "PAST_REF"
    days = {d for _, d in referenced_days(text, dct)}
    assert {D(2021, 6, 16), D(2021, 7, 9)} <= days


def test_seed_002_sentence_of_the_summit():
    text = seed("002")
    spans = split_sentences(text)
    refs = referenced_days(text, D(2021, 7, 13))
    summit = [i for i, d in refs if d == D(2021, 6, 16)]
    assert summit
    a, b = spans[summit[0]]
    assert "June 16" in text[a:b] and "Geneva" in text[a:b]


def test_seed_003_flight_and_weekdays():
    text = seed("003")
    dct = D(2021, 3, 17)
    assert {t.day for t in found(text, dct, "March 20")} == {D(2021, 3, 20)}
    assert found(text, dct, "Wednesday")[0].day == D(2021, 3, 17)
    assert found(text, dct, "Tuesday")[0].day == D(2021, 3, 16)
    assert "2020" in {t.value for t in timexes(text, dct)}


def test_seed_004_saturday_friday_monday():
    text = seed("004")
    dct = D(2021, 3, 20)
    v = [(t.text, t.value) for t in timexes(text, dct)]
    assert ("1998", "1998") in v
    assert ("Saturday", "2021-03-20") in v
    fridays = [t.day for t in found(text, dct, "Friday")]
    assert fridays == [D(2021, 3, 19), D(2021, 3, 19)]  # the proposal, then "Biden said Friday"
    assert [t.day for t in found(text, dct, "Monday")] == [D(2021, 3, 22)]


def test_seed_000_year_end_remarks():
    text = seed("000")
    dct = D(2018, 12, 28)
    v = values(text, dct)
    assert v["Friday"] == "2018-12-28"
    assert v["June"] == "2018-06" and v["August"] == "2018-08" and v["October"] == "2018-10"
    assert v["2019"] == "2019"
    assert v["this year"] == "2018"


# --------------------------------------------------------------------------- #
# Families
# --------------------------------------------------------------------------- #
DCT = D(2013, 3, 22)  # a Friday


@pytest.mark.parametrize(
    "text, expr, value, granularity",
    [
        ("It was signed on March 22, 2013 in Rome.", "March 22, 2013", "2013-03-22", "day"),
        ("It was signed on 16 June 2021 in Rome.", "16 June 2021", "2021-06-16", "day"),
        ("Filed 2013-03-21 by staff.", "2013-03-21", "2013-03-21", "day"),
        ("Posted 07/13/2021 - 11:47", "07/13/2021", "2021-07-13", "day"),
        ("The raid in May 2010 was condemned.", "May 2010", "2010-05", "month"),
        ("Prices rose in 1998.", "1998", "1998", "year"),
        ("The pandemic of 2009-2010 killed many.", "2010", "2010", "year"),
        ("The expedition of 1957-58 crossed Antarctica.", "58", "1958", "year"),
        ("Deaths were reported in the last week, he said.", "the last week", "2013-W11", "week"),
        ("He visited Israel this week.", "this week", "2013-W12", "week"),
        ("He was elected last year.", "last year", "2012", "year"),
        ("This year, four women lead panels.", "This year", "2013", "year"),
        ("It saved money this fiscal year.", "this fiscal year", "2013", "year"),
        ("Sales fell last month.", "last month", "2013-02", "month"),
        ("Talks resume next week.", "next week", "2013-W13", "week"),
        ("It started early this year.", "early this year", "2013", "year"),
        ("He was reported missing late last July.", "late last July", "2012-07", "month"),
        ("He was accused of faking his death last summer.", "last summer", "2012-SU", "month"),
        ("When I started six years ago, it was rare.", "six years ago", "2007", "year"),
        ("Officials said it yesterday.", "yesterday", "2013-03-21", "day"),
        ("It opens tomorrow.", "tomorrow", "2013-03-23", "day"),
        ("Women now lead nine committees.", "now", "PRESENT_REF", "vague"),
        ("It is currently for sale.", "currently", "PRESENT_REF", "vague"),
        ("It was one of the great explorations of the 20th Century.", "the 20th Century", "19", "year"),
        ("Music of the 1990s returned.", "the 1990s", "199", "year"),
        ("Profits rose in the first quarter of 2012.", "the first quarter of 2012", "2012-Q1", "month"),
    ],
)
def test_families(text, expr, value, granularity):
    hits = found(text, DCT, expr)
    assert hits, f"{expr!r} not found in {timexes(text, DCT)}"
    t = hits[0]
    assert (t.value, t.granularity) == (value, granularity)
    assert text[t.start : t.end] == expr
    assert (t.day is not None) == (granularity == "day")


def test_extent_leaves_preposition_out():
    t = timexes("The FAA on Friday announced closures.", DCT)
    assert [(x.text, x.value) for x in t] == [("Friday", "2013-03-22")]


def test_weekday_part_of_day():
    t = timexes("He arrived on Thursday evening.", DCT)
    assert t[0].text == "Thursday evening" and t[0].day == D(2013, 3, 21)


def test_not_dates():
    text = (
        "Theresa May said the US may roll out sanctions. Maybe. The 2+2 format. "
        "About 2010 people came. Call 555-2010. April Ryan asked. Protesters march."
    )
    assert values(text, DCT) == {}


# --------------------------------------------------------------------------- #
# Direction from tense
# --------------------------------------------------------------------------- #
def test_past_tense_weekday_is_the_previous_one():
    dct = D(2018, 12, 29)  # Saturday
    assert found("Antonov told reporters on Friday.", dct, "Friday")[0].day == D(2018, 12, 28)
    assert found("He met them on Monday.", dct, "Monday")[0].day == D(2018, 12, 24)


def test_future_tense_weekday_is_the_next_one():
    dct = D(2018, 12, 29)  # Saturday
    assert found("He will meet them on Friday.", dct, "Friday")[0].day == D(2019, 1, 4)
    assert found("They are expected to vote on Monday.", dct, "Monday")[0].day == D(2018, 12, 31)


def test_same_weekday_as_dct_is_the_dct():
    assert found("He said on Friday that it ended.", DCT, "Friday")[0].day == DCT
    assert found("He will speak on Friday.", DCT, "Friday")[0].day == DCT


def test_last_and_next_weekday_are_strict():
    assert found("He left last Friday.", DCT, "last Friday")[0].day == D(2013, 3, 15)
    assert found("He leaves next Friday.", DCT, "next Friday")[0].day == D(2013, 3, 29)


def test_month_day_direction():
    dct = D(2021, 3, 17)
    assert found("He will fly to Moscow on March 20.", dct, "March 20")[0].day == D(2021, 3, 20)
    assert found("He flew to Moscow on March 20.", dct, "March 20")[0].day == D(2020, 3, 20)
    assert found("Talks were held on March 10.", dct, "March 10")[0].day == D(2021, 3, 10)
    assert found("The vote is expected to take place on March 10.", dct, "March 10")[0].day == D(2022, 3, 10)
    # no cue: the nearest one
    assert found("The deadline: December 28.", D(2019, 1, 3), "December 28")[0].day == D(2018, 12, 28)


def test_month_direction():
    assert found("He was fired from his job in July.", DCT, "July")[0].value == "2012-07"
    assert found("The book is due to be published in May.", DCT, "May")[0].value == "2013-05"
    assert found("The program will run through June.", DCT, "June")[0].value == "2013-06"


def test_end_of_year_reported_in_the_past_is_last_year():
    assert found("The flu peaked by the end of the year.", DCT, "the end of the year")[0].value == "2012"
    assert found("It will end by the end of the year.", DCT, "the end of the year")[0].value == "2013"


# --------------------------------------------------------------------------- #
# No dct
# --------------------------------------------------------------------------- #
def test_without_dct_only_explicit_years():
    text = (
        "On Friday he said that on June 16, 2021 and in 1998, and last year, yesterday, "
        "in May 2010 and on June 16 things happened, now."
    )
    got = [(t.text, t.value) for t in timexes(text, None)]
    assert got == [("June 16, 2021", "2021-06-16"), ("1998", "1998"), ("May 2010", "2010-05")]


# --------------------------------------------------------------------------- #
# Referenced days
# --------------------------------------------------------------------------- #
def test_referenced_days_with_given_sentences():
    text = "Talks were held on June 16. Nothing happened. Consultations on July 9 followed."
    spans = [(0, 27), (28, 45), (46, len(text))]
    assert referenced_days(text, D(2021, 7, 13), spans) == [(0, D(2021, 6, 16)), (2, D(2021, 7, 9))]
    assert referenced_days(text, D(2021, 7, 13)) == [(0, D(2021, 6, 16)), (2, D(2021, 7, 9))]


def test_referenced_days_skips_coarser_granularity():
    assert referenced_days("In June 2020 and in 2019, prices rose.", D(2021, 1, 1)) == []


def test_split_sentences_keeps_abbreviations():
    text = "The U.S. envoy met Mr. Smith on Friday. He left."
    assert len(split_sentences(text)) == 2


# --------------------------------------------------------------------------- #
# Properties
# --------------------------------------------------------------------------- #
_WORDS = st.sampled_from(
    [
        "on",
        "Friday",
        "June",
        "16",
        "2021",
        "last",
        "week",
        "year",
        "the",
        "end",
        "of",
        "ago",
        "35",
        "years",
        "a",
        "few",
        "days",
        "said",
        "will",
        "May",
        "March",
        "1957-58",
        "20th",
        "century",
        "Q1",
        "'90s",
        "now",
        "yesterday",
        "summer",
        "first",
        "quarter",
        ",",
        ".",
        "\n",
        "99999",
        "0",
        "31",
        "February",
        "29",
        "Feb.",
        "early",
        "mid-",
        "this",
        "next",
        "-",
        "/",
        "07/13/2021",
        "2013-02-30",
        "fiscal",
    ]
)
_DCTS = st.one_of(st.none(), st.dates(min_value=D(1, 1, 1), max_value=D(9999, 12, 31)))


def _check(text: str, dct: D | None) -> None:
    result = timexes(text, dct)
    last_end = -1
    for t in result:
        assert isinstance(t, Timex)
        assert 0 <= t.start < t.end <= len(text)
        assert text[t.start : t.end] == t.text
        assert t.start >= last_end or t.text.isdigit()  # "1957-58" yields two adjacent
        last_end = t.end
        assert t.granularity in ("day", "week", "month", "year", "vague")
        if t.granularity == "day":
            assert isinstance(t.day, D) and t.value == t.day.isoformat()
        else:
            assert t.day is None
    for i, d in referenced_days(text, dct):
        assert isinstance(i, int) and isinstance(d, D)


@settings(max_examples=300, deadline=None)
@given(st.lists(_WORDS, max_size=40).map(" ".join), _DCTS)
def test_never_raises_on_date_like_text(text, dct):
    _check(text, dct)


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300), _DCTS)
def test_never_raises_on_any_text(text, dct):
    _check(text, dct)


def test_hostile_arguments():
    assert timexes(None, DCT) == []  # type: ignore[arg-type]
    assert timexes("", DCT) == []
    assert timexes("on Friday", "2021-01-01") == []  # type: ignore[arg-type]  # not a date: no dct
    assert all(t.day >= D(1, 1, 1) for t in timexes("on Friday", D(1, 1, 1)))  # no overflow
    assert timexes("on Friday", D(9999, 12, 31))  # no overflow
    big = "Talks were held on June 16, 2021. " * 20000 + "(" * 10000 + "2021" * 5000
    assert timexes(big, DCT)


def test_deterministic():
    text = seed("002")
    assert timexes(text, D(2021, 7, 13)) == timexes(text, D(2021, 7, 13))
