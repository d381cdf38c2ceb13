"""Publication-date stage: seed goldens, one test per date form, property tests."""

from __future__ import annotations

import datetime
import time

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import seed_path
from dateline.dates import Dated, find_dates, parse_date, publication_date

D = datetime.date
TODAY = D(2024, 6, 1)


def seed(prefix: str) -> str:
    return seed_path(prefix).read_text(encoding="utf-8")


# --------------------------------------------------------------------------- seeds
def test_seed_000_yearless_tass_dateline_gets_2018_from_friday_and_text() -> None:
    got = publication_date(text=seed("000"), path="seeds/000_21f6d3115ffebdbf.txt")
    assert got == Dated(D(2018, 12, 28), "dateline")


def test_seed_000_with_real_today() -> None:
    # The year choice must not drift as years pass: the text pins 2018.
    assert publication_date(text=seed("000")).date == D(2018, 12, 28)


def test_seed_002_repost_header_and_dateline_agree() -> None:
    got = publication_date(text=seed("002"))
    assert got.date == D(2021, 7, 13)
    assert got.source in ("dateline", "header")


def test_seed_003_date_from_url_written_in_text() -> None:
    assert publication_date(text=seed("003")) == Dated(D(2021, 3, 17), "url")


@pytest.mark.parametrize("prefix", ["001", "004"])
def test_seeds_without_own_date_get_none(prefix: str) -> None:
    # Weekdays alone and event dates in the body ("on March 20") are not publication dates.
    assert publication_date(text=seed(prefix)) == Dated(None, None)


# --------------------------------------------------------------------------- datelines
def test_dateline_with_year() -> None:
    text = "Title\n\nLONDON, March 3, 2019 (Reuters) - Britain said on Sunday that..."
    assert publication_date(text=text, today=TODAY) == Dated(D(2019, 3, 3), "dateline")


def test_dateline_day_first_agency_in_parentheses() -> None:
    text = "Paris, 3 March 2020 (AFP) - Le gouvernement a annoncé mardi..."
    assert publication_date(text=text, today=TODAY) == Dated(D(2020, 3, 3), "dateline")


def test_yearless_dateline_weekday_picks_the_year() -> None:
    # 2 March was a Monday in 2020 and a Tuesday in 2021; "on Monday" + 2020 mentioned.
    text = "MOSCOW, March 2. /TASS/. The minister said on Monday that the 2020 budget would be revised."
    assert publication_date(text=text, today=TODAY) == Dated(D(2020, 3, 2), "dateline")


def test_yearless_dateline_never_in_the_future() -> None:
    text = "WASHINGTON, December 28. /TASS/. The ambassador told reporters on Friday..."
    got = publication_date(text=text, today=D(2024, 6, 1))
    assert got.source == "dateline"
    assert got.date is not None and got.date <= D(2024, 6, 1)
    assert got.date.month == 12 and got.date.day == 28
    assert got.date.weekday() == 4  # Friday, as the story says


# --------------------------------------------------------------------------- headers
def test_repost_header_numeric_us_date_with_time() -> None:
    text = "ID :\n603416\nTue, 07/13/2021 - 11:47\nAuther :\n\nSome headline here for the story"
    assert publication_date(text=text, today=TODAY) == Dated(D(2021, 7, 13), "header")


def test_published_label_english() -> None:
    text = "A headline about things\n\nBy Jane Doe\nPublished: 12 May 2020\n\nThe body " * 1
    assert publication_date(text=text, today=TODAY) == Dated(D(2020, 5, 12), "header")


def test_german_label_and_month_name() -> None:
    text = (
        "Die 25 erfolgreichsten Schauspieler | Popkultur.de\n\nMenü\n\n"
        "Die 25 erfolgreichsten Schauspieler\n\nVeröffentlicht am: 5. Juni 2023\nVon\nLisa\n\n"
        "Über die Jahre hinweg haben Schauspieler am 12. März 2021 viel erreicht."
    )
    assert publication_date(text=text, today=TODAY) == Dated(D(2023, 6, 5), "header")


def test_german_numeric_dd_mm_yyyy() -> None:
    text = "Nachrichten\n\nStand: 24.01.2022 13:45 Uhr\n\nDie Bundesregierung hat beschlossen..."
    assert publication_date(text=text, today=TODAY).date == D(2022, 1, 24)


def test_french_date() -> None:
    text = "Le Monde\n\nPublié le 3 mars 2021 à 10h12\n\nLe gouvernement a annoncé..."
    assert publication_date(text=text, today=TODAY) == Dated(D(2021, 3, 3), "header")


def test_spanish_date() -> None:
    text = "El País\n\nPublicado el 3 de marzo de 2021\n\nEl Gobierno anunció..."
    assert publication_date(text=text, today=TODAY).date == D(2021, 3, 3)


def test_updated_not_preferred_over_published() -> None:
    text = (
        "Headline of the article goes here\n\nUpdated: 14 May 2020 10:00\n"
        "Published: 12 May 2020 08:00\n\nBody text follows here."
    )
    assert publication_date(text=text, today=TODAY).date == D(2020, 5, 12)


def test_german_aktualisiert_not_preferred_over_erstellt() -> None:
    text = "Schlagzeile\n\nAktualisiert am 14.05.2020\nErstellt am 12.05.2020\n\nText"
    assert publication_date(text=text, today=TODAY).date == D(2020, 5, 12)


def test_updated_alone_is_still_an_answer() -> None:
    # When "updated" is the only date shown, it is the best evidence there is.
    text = "A recipe headline\n\nBy Betty Kitchens\n\nUpdated June 13, 2019\n\nIngredients"
    assert publication_date(text=text, today=TODAY).date == D(2019, 6, 13)


def test_copyright_year_is_not_a_date() -> None:
    text = "Headline\n\nSome body text without dates.\n\n© 2021 Example Media. All rights reserved."
    assert publication_date(text=text, today=TODAY) == Dated(None, None)


# --------------------------------------------------------------------------- url / path / meta
@pytest.mark.parametrize(
    "url, expected",
    [
        ("https://sputniknews.com/world/202103171082376402-russian-ambassador/", D(2021, 3, 17)),
        ("https://example.com/2021/03/17/some-story/", D(2021, 3, 17)),
        ("https://example.com/news/2021-03-17-some-story", D(2021, 3, 17)),
        ("https://example.com/news/story-20210317.html", D(2021, 3, 17)),
    ],
)
def test_url_forms(url: str, expected: datetime.date) -> None:
    assert publication_date(text="no date in this text", url=url, today=TODAY) == Dated(expected, "url")


def test_image_url_in_text_is_not_the_article_url() -> None:
    text = "Headline\n\nhttps://cdn.example.com/2020/01/15/photo.jpg\n\nBody without dates."
    assert publication_date(text=text, today=TODAY) == Dated(None, None)


def test_path_folder_date() -> None:
    got = publication_date(text="No date here.", path="bpoil_bbc/InputDocs/2010-05-24/x.htm.txt", today=TODAY)
    assert got == Dated(D(2010, 5, 24), "path")


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2021-07-13T11:47:00Z", D(2021, 7, 13)),
        ("2021-07-13 11:47:00", D(2021, 7, 13)),
        ("Tue, 13 Jul 2021 11:47:00 GMT", D(2021, 7, 13)),
        ("13.07.2021", D(2021, 7, 13)),
        ("July 13, 2021", D(2021, 7, 13)),
        ("20210713", D(2021, 7, 13)),
    ],
)
def test_given_is_meta_and_parsed_leniently(value: str, expected: datetime.date) -> None:
    assert publication_date(text="x", given=value, today=TODAY) == Dated(expected, "meta")


def test_given_garbage_falls_back_to_text() -> None:
    got = publication_date(text="Headline\n\nPublished: 12 May 2020\n\nBody", given="n/a", today=TODAY)
    assert got == Dated(D(2020, 5, 12), "header")


def test_html_metadata_is_meta() -> None:
    html = (
        '<html><head><meta property="article:published_time" content="2020-04-13T10:00:00Z">'
        "<title>Story</title></head><body><p>Nothing dated here.</p></body></html>"
    )
    assert publication_date(text="Nothing dated here.", html=html, today=TODAY) == Dated(D(2020, 4, 13), "meta")


# --------------------------------------------------------------------------- future, parsing
def test_future_dates_refused() -> None:
    text = "Headline\n\nPublished: 12 May 2030\n\nBody"
    assert publication_date(text=text, today=TODAY) == Dated(None, None)
    assert publication_date(text="x", given="2030-01-01", today=TODAY) == Dated(None, None)
    assert publication_date(text="x", url="https://e.com/2030/01/01/a", today=TODAY) == Dated(None, None)


def test_find_dates_forms() -> None:
    text = (
        "2021-07-13 | 13.07.2021 | 13 July 2021 | July 13, 2021 | 13/07/2021 | "
        "3 de marzo de 2021 | 2021年7月13日 | 3 декабря 2020"
    )
    got = [h.date for h in find_dates(text, day_first=True, today=TODAY)]
    assert got == [D(2021, 7, 13)] * 5 + [D(2021, 3, 3), D(2021, 7, 13), D(2020, 12, 3)]


def test_slash_dates_follow_page_convention() -> None:
    assert parse_date("03/04/2021", day_first=False, today=TODAY) == D(2021, 3, 4)
    assert parse_date("03/04/2021", day_first=True, today=TODAY) == D(2021, 4, 3)
    assert parse_date("13/04/2021", day_first=False, today=TODAY) == D(2021, 4, 13)  # unambiguous


def test_invalid_calendar_dates_are_ignored() -> None:
    assert parse_date("31.02.2021", today=TODAY) is None
    assert find_dates("version 1.2.3 and 99.99.2020", day_first=True, today=TODAY) == []


# --------------------------------------------------------------------------- hostile input
@pytest.mark.parametrize(
    "text", ["", "\x00" * 1000, "a" * 20_000_000, "1" * 1_000_000, "2020-" * 200_000, "\n" * 500_000]
)
def test_hostile_text_is_fast_and_safe(text: str) -> None:
    t0 = time.perf_counter()
    got = publication_date(text=text, today=TODAY)
    assert isinstance(got, Dated)
    assert got.date is None or got.date <= TODAY
    assert time.perf_counter() - t0 < 2.0


@pytest.mark.parametrize(
    "html",
    [
        "",
        "<",
        "<html><body>" + "<div>" * 50_000,
        "\x00<p>12.05.2020</p>",
        "<html><head><meta name='date' content='9999-99-99'></head></html>",
    ],
)
def test_hostile_html_never_raises(html: str) -> None:
    got = publication_date(text="", html=html, today=TODAY)
    assert got.date is None or got.date <= TODAY


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(text=st.text(max_size=3000), today=st.dates(min_value=D(1990, 1, 1), max_value=D(2100, 1, 1)))
def test_property_never_raises_never_future(text: str, today: datetime.date) -> None:
    got = publication_date(text=text, today=today)
    assert (got.date is None) == (got.source is None)
    assert got.date is None or got.date <= today


_DATEY = st.text(alphabet="0123456789./-, :JanuarMäzDecemberOkt\n", max_size=400)


@settings(max_examples=300, deadline=None)
@given(
    text=_DATEY,
    given_value=st.one_of(st.none(), _DATEY),
    url=st.one_of(st.none(), _DATEY.map(lambda s: "https://e.com/" + s)),
)
def test_property_date_like_noise(text: str, given_value: str | None, url: str | None) -> None:
    got = publication_date(text=text, given=given_value, url=url, today=TODAY)
    assert got.date is None or got.date <= TODAY
    assert got.source in (None, "dateline", "header", "meta", "url", "path", "text")
