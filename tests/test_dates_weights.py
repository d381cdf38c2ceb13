"""The publication-date weights: the code's defaults are the shipped file, and every feature a
clue emits has a weight there."""

from __future__ import annotations

import datetime
import json

import pytest

from dateline import dates, weights
from dateline.dates import DEFAULT_WEIGHTS, Evidence, Weights, candidates, choose, publication_date

D = datetime.date
TODAY = D(2024, 6, 1)

PAGE = """<html><head><title>A headline about the harbour works | Example News</title>
<link rel="canonical" href="https://news.example.org/2021/03/17/a-headline-about-the-harbour-works/">
<meta property="article:published_time" content="2021-03-17T08:00:00+01:00">
<meta property="article:modified_time" content="2021-03-19T10:00:00+01:00">
</head><body><h1>A headline about the harbour works</h1>
<p class="byline">By Ann Writer, 17.03.2021 08:00</p>
<p>Updated: 19.03.2021</p><p>The works start on 1 April 2021, the council said.</p>
<aside><ul><li>Older story, 02.02.2020</li><li>Another one, 03.03.2020</li></ul></aside>
</body></html>"""

TEXT = """A headline about the harbour works | Example News

A headline about the harbour works

Published: 17 March 2021

https://news.example.org/2021/03/17/a-headline-about-the-harbour-works/

WASHINGTON, March 16 (Reuters) - The works start on 1 April 2021, the council said."""


def test_defaults_are_the_shipped_weights() -> None:
    shipped = {k: v for k, v in weights.load("dates").items() if not k.startswith("_")}
    assert Weights().as_dict() == shipped
    assert Weights.load() == Weights() == DEFAULT_WEIGHTS
    assert set(Weights.names()) == set(shipped)


def test_shipped_file_is_plain_numbers() -> None:
    raw = json.loads(weights.path("dates").read_text(encoding="utf-8"))
    assert all(isinstance(v, float | int) for k, v in raw.items() if not k.startswith("_"))


@pytest.mark.parametrize("html, text", [(PAGE, ""), (None, TEXT)])
def test_every_feature_and_support_has_a_weight(html: str | None, text: str) -> None:
    ev = Evidence.build(text=text, body=None, url=None, path=None, html=html, given=None, today=TODAY)
    cands = candidates(ev)
    assert cands
    names = set(Weights.names())
    for c in cands:
        assert {name for name, _ in c.features} <= names, c
        assert c.support is None or c.support in names, c


def test_candidates_do_not_depend_on_weights() -> None:
    # The benchmark reads each page once and tries weights on the candidates: a candidate
    # carries features, and only choose() applies weights.
    ev = Evidence.build(text=TEXT, body=None, url=None, path=None, html=None, given=None, today=TODAY)
    first = candidates(ev)
    ev2 = Evidence.build(text=TEXT, body=None, url=None, path=None, html=None, given=None, today=TODAY)
    assert candidates(ev2) == first
    assert choose(first) == choose(first, DEFAULT_WEIGHTS.as_dict())


def test_weights_change_the_choice() -> None:
    text = (
        "Headline of the article goes here\n\nUpdated: 14 May 2020 10:00\n"
        "Published: 12 May 2020 08:00\n\nBody text follows here."
    )
    assert publication_date(text=text, today=TODAY).date == D(2020, 5, 12)
    flipped = DEFAULT_WEIGHTS.replace(published=0.0, updated=20.0)
    assert publication_date(text=text, today=TODAY, weights=flipped).date == D(2020, 5, 14)


def test_min_text_score_decides_between_a_weak_date_and_none() -> None:
    text = (
        "Headline\n\nThe long report says that on 3 March 2019 a great many things happened in the "
        "city and in the region, and that more is planned for the years to come."
    )
    assert publication_date(text=text, today=TODAY).date is None
    eager = DEFAULT_WEIGHTS.replace(min_text_score=-100.0)
    assert publication_date(text=text, today=TODAY, weights=eager).date == D(2019, 3, 3)


def test_module_default_weights_are_used_without_argument() -> None:
    assert dates._DEFAULT_W == DEFAULT_WEIGHTS.as_dict()
