"""Publication-date rules added with the cross-validation (bench/dates.py): whose date is it?

The fixtures are small pages written for these tests."""

from __future__ import annotations

import datetime

from dateline.dates import Dated, Evidence, candidates, clue_text, find_dates, publication_date

D = datetime.date
TODAY = D(2024, 6, 1)


def evidence(*, text: str = "", html: str | None = None, url: str | None = None) -> Evidence:
    return Evidence.build(text=text, body=None, url=url, path=None, html=html, given=None, today=TODAY)


# --------------------------------------------------------------------------- the page's own address
def test_url_in_text_that_spells_the_headline_is_the_page_address() -> None:
    text = (
        "Council approves new bridge over the river\n\nShare this story\n\n"
        "https://example.com/local/2021/03/17/council-approves-new-bridge-over-the-river/\n\n"
        "The council voted on Wednesday to build the bridge."
    )
    assert publication_date(text=text, today=TODAY) == Dated(D(2021, 3, 17), "url")


def test_url_in_text_linking_elsewhere_is_not_a_date() -> None:
    text = (
        "Council approves new bridge over the river\n\nSources:\n\n"
        "https://other.example.net/2018/02/11/tencent-opens-research-lab/\n\n"
        "The council voted on Wednesday to build the bridge."
    )
    assert publication_date(text=text, today=TODAY) == Dated(None, None)


def test_url_in_text_equal_to_the_given_address_counts() -> None:
    own = "https://example.com/p/2020/05/04/x1"
    text = f"Short title\n\nPermalink: {own}\n\nBody without any date."
    ev = evidence(text=text, url=own)
    assert {c.why for c in candidates(ev) if c.source == "url"} == {"url", "url in text"}


def test_canonical_link_is_the_page_address_but_a_link_in_the_body_is_not() -> None:
    html = (
        "<html><head><title>Quiet week at the harbour</title>"
        '<link rel="canonical" href="https://example.com/2022/09/05/quiet-week-at-the-harbour">'
        "</head><body><h1>Quiet week at the harbour</h1><p>Nothing happened.</p>"
        '<p><a href="https://example.com/2019/01/02/older-story">An older story</a></p>'
        "</body></html>"
    )
    ev = evidence(html=html)
    assert ev.own_urls == ["https://example.com/2022/09/05/quiet-week-at-the-harbour"]
    urls = [c for c in candidates(ev) if c.source == "url"]
    assert [c.date for c in urls] == [D(2022, 9, 5)]


# --------------------------------------------------------------------------- other things on the page
def test_dates_in_sidebars_and_related_lists_are_marked() -> None:
    html = (
        "<html><head><title>Local choir wins national prize</title></head><body>"
        "<h1>Local choir wins national prize</h1><p>12.05.2021</p><p>The choir sang well.</p>"
        '<div class="related-posts"><p>11.05.2021</p><p>Another story</p></div>'
        "<aside><p>10.05.2021</p></aside><footer><p>09.05.2021</p></footer></body></html>"
    )
    ev = evidence(html=html)
    marked = {line for (_, line), aside in zip(ev.lines, ev.aside) if aside}
    assert marked == {"11.05.2021", "Another story", "10.05.2021", "09.05.2021"}
    why = {c.date: c.why for c in clue_text(ev)}
    assert "aside" not in why[D(2021, 5, 12)]
    assert all("aside" in why[D(2021, 5, d)] for d in (9, 10, 11))


def test_a_teaser_above_the_article_does_not_beat_the_byline() -> None:
    html = (
        "<html><head><title>Local choir wins national prize</title></head><body>"
        '<div class="teaser"><p>Earlier: Choir rehearses in the town hall</p><p>02.05.2021</p></div>'
        "<h1>Local choir wins national prize</h1><p>By Kim Lee</p><p>12.05.2021</p>"
        "<p>The choir sang well and won the prize.</p></body></html>"
    )
    assert publication_date(text="The choir sang well.", html=html, today=TODAY).date == D(2021, 5, 12)


def test_a_comment_count_in_the_byline_is_not_noise_but_an_event_is() -> None:
    text = (
        "Local choir wins national prize\n\n12. März 2021 | 3 Kommentare\n\n"
        "Die nächste Veranstaltung am 20.05.2021 findet im Rathaus statt."
    )
    why = {c.date: c.why for c in clue_text(evidence(text=text))}
    assert "noise" not in why[D(2021, 3, 12)]
    assert "noise" in why[D(2021, 5, 20)]
    assert publication_date(text=text, today=TODAY).date == D(2021, 3, 12)


def test_weak_label_names_a_byline_without_raising_its_score() -> None:
    text = "Headline of a small story\n\nam 12.05.2020 von Kim\n\nBody text."
    (c,) = [c for c in clue_text(evidence(text=text))]
    assert c.source == "header" and "label" in c.why
    assert "label" not in {name for name, _ in c.features}


# --------------------------------------------------------------------------- reading the numbers
def test_day_first_follows_the_page_metadata() -> None:
    # An English page writes 08/11/2023; its metadata says 8 November: the page writes day first.
    html = (
        "<html><head><title>The council and the budget</title>"
        '<meta property="article:published_time" content="2023-11-08T20:26:00Z"></head>'
        "<body><h1>The council and the budget</h1><p>08/11/2023 | 20:26</p>"
        "<p>The council and the mayor met to talk about the budget for the year.</p></body></html>"
    )
    ev = evidence(html=html)
    assert ev.day_first
    assert publication_date(text="", html=html, today=TODAY).date == D(2023, 11, 8)


def test_dates_glued_together_are_read_apart() -> None:
    # WordPress prints published and modified side by side; flattening glues them.
    got = [h.date for h in find_dates("15/01/201614/01/2016 and 19.06.201620.06.2016", day_first=True, today=TODAY)]
    assert got[0] == D(2016, 1, 15) and D(2016, 6, 19) in got


def test_german_abbreviated_maerz() -> None:
    assert [h.date for h in find_dates("Aktualisiert am 06. Mär. 2023", day_first=True, today=TODAY)] == [D(2023, 3, 6)]


# --------------------------------------------------------------------------- datelines
def test_yearless_dateline_takes_the_year_of_the_same_day_written_in_full() -> None:
    # The story mentions a 2022 championship; the byline shows the day with its year.
    text = (
        "Championships moved to July | Sports\n\nApril 8, 2020 10:15 AM\n\n"
        "KUALA LUMPUR, April 8 — The 2022 championships will be held in July, the organisers said."
    )
    (dateline,) = [c for c in candidates(evidence(text=text)) if c.source == "dateline"]
    assert dateline.date == D(2020, 4, 8)
    assert publication_date(text=text, today=TODAY).date == D(2020, 4, 8)


def test_the_dateline_line_is_one_voice() -> None:
    text = "Paris, 3 March 2020 (AFP) - Le gouvernement a annoncé mardi..."
    assert not list(clue_text(evidence(text=text)))
    assert publication_date(text=text, today=TODAY) == Dated(D(2020, 3, 3), "dateline")
