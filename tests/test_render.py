"""Timeline output: every format parses, keeps provenance, and escapes hostile text."""

from __future__ import annotations

import csv
import io
import json
from datetime import date

import pytest

from dateline import render
from dateline.timeline import Chosen, Entry, Timeline

HOSTILE = "<script>alert(1)</script><img src=x onerror=alert(2)>"


@pytest.fixture
def timeline() -> Timeline:
    return Timeline(
        "Antonov",
        [
            Entry(
                date(2021, 3, 20),
                [
                    Chosen(
                        f"The ambassador flew to Moscow {HOSTILE}.",
                        "a1",
                        "Sputnik",
                        "javascript:alert(3)",
                        f"Title {HOSTILE}",
                        "referenced",
                        [{"article": "a2", "source": f"Mirror {HOSTILE}", "url": None}],
                    )
                ],
                [
                    {
                        "text": f"We said {HOSTILE}",
                        "kind": "direct",
                        "speaker": f"Anatoly {HOSTILE}",
                        "article": "a1",
                        "source": "Sputnik",
                    }
                ],
            ),
            Entry(
                date(2021, 7, 13),
                [
                    Chosen(
                        "Antonov spoke at Monterey.",
                        "b1",
                        "TASS",
                        "https://tass.com/x",
                        "Envoy",
                        "reported",
                        [],
                        None,
                        date(2021, 7, 14),
                    )
                ],
            ),
        ],
    )


def test_json_is_the_design_shape(timeline):
    data = json.loads(render.to_json(timeline))
    assert set(data) == {"query", "entries"}
    sentence = data["entries"][0]["sentences"][0]
    assert set(sentence) == {
        "text",
        "article",
        "source",
        "url",
        "title",
        "date_source",
        "carried_by",
        "story",
        "published",
    }
    assert data["entries"][0]["quotes"][0]["speaker"] == f"Anatoly {HOSTILE}"
    assert data["entries"][1]["quotes"] == []
    assert sentence["carried_by"] == [{"article": "a2", "source": f"Mirror {HOSTILE}", "url": None}]
    assert [e["date"] for e in data["entries"]] == ["2021-03-20", "2021-07-13"]


def test_csv_parses_with_one_row_a_sentence(timeline):
    rows = list(csv.DictReader(io.StringIO(render.to_csv(timeline))))
    assert [(r["date"], r["article"], r["date_source"], r["published"]) for r in rows] == [
        ("2021-03-20", "a1", "referenced", ""),
        ("2021-07-13", "b1", "reported", "2021-07-14"),
    ]
    assert rows[0]["carried_by"] == "a2"


def test_html_escapes_every_scraped_string_and_links_only_http(timeline):
    page = render.to_html(timeline)
    assert "<script>" not in page and "<img" not in page
    assert "&lt;script&gt;" in page
    assert "javascript:" not in page  # an unsafe URL is shown as text, never linked
    assert "href='https://tass.com/x'" in page
    assert "Content-Security-Policy" in page
    assert "Said that day" in page and "We said &lt;script&gt;" in page  # the person's quotes, escaped


def test_markdown_neutralises_markup(timeline):
    text = render.to_markdown(timeline)
    assert "<script>" not in text
    assert "## 2021-03-20" in text and "[TASS](https://tass.com/x)" in text
    assert "We said \\<script\\>" in text
    assert "(reported 2021-07-14)" in text  # a next-day report says so


def test_every_format_says_how_a_sentence_got_its_date(timeline):
    for text in (render.to_markdown(timeline), render.to_html(timeline), render.to_timelinejs(timeline)):
        assert "reported 2021-07-14" in text and "refers to this day" in text


def test_timelinejs_has_the_documented_shape(timeline):
    data = json.loads(render.to_timelinejs(timeline))
    assert set(data) == {"title", "events"}
    event = data["events"][0]
    assert event["start_date"] == {"year": 2021, "month": 3, "day": 20}
    assert set(event["text"]) == {"headline", "text"}
    assert "<script>" not in json.dumps(data)
    assert len({e["unique_id"] for e in data["events"]}) == len(data["events"])
