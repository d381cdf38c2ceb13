"""dateline.timeline: which dates a timeline keeps — references from later articles, articles
counted once, and the query's words in the chosen sentences."""

from __future__ import annotations

import datetime as dt

from dateline.timeline import Sentence, rank_dates, summarise

D = dt.date


def sentence(text: str, article: str, published: dt.date, *, dates=(), position: int = 0, source: str = "Herald"):
    return Sentence(text, article, source, None, None, published, tuple(dates), position)


def burst_and_event() -> list[Sentence]:
    """Ten articles on one busy day that name no day, and an event day that six later articles refer back to."""
    busy, event = D(2020, 6, 10), D(2020, 4, 20)
    out = [sentence(f"Officials met again about the spill, report {i} said.", f"busy{i}", busy) for i in range(10)]
    out.append(sentence("The rig exploded in the gulf.", "first", event))
    for i in range(6):
        published = D(2020, 5, 1) + dt.timedelta(days=7 * i)
        out.append(
            sentence(
                f"Oil has leaked since the rig exploded on April 20, article {i} said.",
                f"later{i}",
                published,
                dates=[event],
            )
        )
    return out


def test_a_day_later_articles_refer_back_to_beats_a_burst_of_publication():
    ranked = [d for d, _, _ in rank_dates(burst_and_event())]
    assert ranked[0] == D(2020, 4, 20)
    assert ranked.index(D(2020, 4, 20)) < ranked.index(D(2020, 6, 10))


def test_one_long_article_naming_its_day_again_and_again_is_one_voice():
    listing, other = D(2021, 3, 5), D(2021, 3, 9)
    sents = [
        sentence(f"Programme {i} airs on 5 March.", "listing", listing, dates=[listing], position=i) for i in range(40)
    ]
    sents += [
        sentence(f"The vote took place on 9 March, outlet {i} wrote.", f"vote{i}", D(2021, 3, 10), dates=[other])
        for i in range(3)
    ]
    ranked = [d for d, _, _ in rank_dates(sents)]
    assert ranked.index(other) < ranked.index(listing)


def query_day() -> list[Sentence]:
    day, later = D(2021, 3, 17), D(2021, 3, 19)
    return [
        sentence("The weather in the capital was mild and sunny for the season.", "a", day, position=0),
        sentence("The weather in the capital stayed mild and sunny all week.", "b", day, position=0),
        sentence("Ambassador Antonov was recalled to Moscow for consultations.", "c", day, position=1),
        sentence("He is expected to fly home on Saturday, the embassy said.", "d", later, position=0),
        sentence("The ambassador's flight to Moscow was confirmed for Saturday.", "e", later, position=0),
    ]


def test_with_a_query_a_lead_speaks_for_its_day_only_if_it_names_the_query():
    params = {"query_filter": True, "sentence": {"query": 0.0}}
    tl = summarise(query_day(), "Antonov", max_dates=2, params=params)
    by_day = {e.date: e for e in tl.entries}
    assert [s.text for s in by_day[D(2021, 3, 17)].sentences] == [
        "Ambassador Antonov was recalled to Moscow for consultations."
    ]
    # No sentence of the 19th names him: the date stays, with what its articles say.
    assert D(2021, 3, 19) in by_day and by_day[D(2021, 3, 19)].sentences
    off = summarise(query_day(), "Antonov", max_dates=2, params={"query_filter": False, "sentence": {"query": 0.0}})
    assert [e.date for e in off.entries] == [e.date for e in tl.entries]


def test_with_a_query_a_sentence_naming_the_day_needs_no_query_words():
    day = D(2021, 3, 29)
    sents = [
        sentence("Ever Given traffic news: the canal queue is shrinking.", "a", day, position=0),
        sentence(
            "The ship has been held in the lake since it was refloated on March 29 after six days.",
            "b",
            D(2021, 4, 13),
            dates=[day],
            position=3,
        ),
        sentence("The ship was refloated on Monday, ending six days of blockage.", "c", D(2021, 3, 30), dates=[day]),
    ]
    params = {"query_filter": True, "sentence": {"query": 0.0}}
    tl = summarise(sents, "Ever Given", max_dates=1, per_date=3, params=params)
    chosen = {s.text: s.date_source for s in tl.entries[0].sentences}
    assert chosen["The ship was refloated on Monday, ending six days of blockage."] == "referenced"
    assert "Ever Given traffic news: the canal queue is shrinking." in chosen
