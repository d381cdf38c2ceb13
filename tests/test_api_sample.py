"""The HTTP API of `dateline serve` (docs/api.md) over the bundled sample corpus, in any clone.

test_api.py runs on the seeds (../shared); this file covers the same endpoints on the sample, and
collects again, over the sample's database, the tests of test_api.py that hold for any corpus
(bad input, headers, hosts, the page): see the import below.
"""

from __future__ import annotations

import csv
import io
import json
import threading

import pytest
from fastapi.testclient import TestClient

import dateline
from dateline import api
from test_api import (  # noqa: F401 (collected here too: they use this module's fixtures below)
    ask_a_real_server,
    test_an_unexpected_failure_is_json_with_the_headers,
    test_bad_input_is_a_4xx_json_message,
    test_export_file_name_keeps_nothing_odd_from_the_query,
    test_hostile_text_comes_back_verbatim_as_json,
    test_ingest_is_disabled_without_a_token,
    test_only_the_allowed_hosts_are_answered,
    test_page_and_static_files,
    test_security_headers_everywhere_and_no_cors,
    test_timeline_bounds,
    test_wrong_method,
)

LIST_FIELDS = {"id", "title", "source", "published", "published_source", "url", "story", "duplicate_of", "language"}
HOSTILE_TITLE = "Egypt seizes Ever Given over $916m claim <script>alert(1)</script>"
TIMELINE_DATES = ("2021-03-23", "2021-03-24", "2021-03-27", "2021-03-29", "2021-04-03", "2021-07-04", "2021-07-07")


@pytest.fixture(scope="module")
def seeds_db(sample) -> str:
    """The sample's database, under the name the tests imported from test_api.py ask for."""
    return str(sample.db)


@pytest.fixture(scope="module")
def corpus(sample):
    with dateline.open(sample.db) as opened:
        yield opened


@pytest.fixture(scope="module")
def client(sample):
    with TestClient(api.create_app(str(sample.db))) as test_client:
        yield test_client


def ok(client: TestClient, url: str, **params) -> dict:
    response = client.get(url, params=params)
    assert response.status_code == 200, response.text
    return response.json()


def ids(sample, *names: str) -> set[str]:
    return {sample.id(name) for name in names}


# --- timeline ---------------------------------------------------------------------------------


def test_timeline_is_the_python_apis(client, corpus, sample):
    data = ok(client, "/api/timeline", q="Ever Given")
    days = [entry["date"] for entry in data["entries"]]
    for day in TIMELINE_DATES:
        assert day in days
    assert data == json.loads(json.dumps(corpus.timeline("Ever Given").to_json()))
    for entry in data["entries"]:
        assert all(s["story"] == sample.articles[sample.name(s["article"])].story for s in entry["sentences"])
    wide = ok(client, "/api/timeline", q="Ever Given", sentences_per_date=5)
    march24 = next(e for e in wide["entries"] if e["date"] == "2021-03-24")
    assert any(
        c["article"] == sample.id("canalbulletin-603917") for s in march24["sentences"] for c in s["carried_by"]
    )  # the trimmed repost, folded into its original's sentence


@pytest.mark.parametrize(
    "fmt, media, check",
    [
        ("json", "application/json", lambda body: json.loads(body)["query"] == "Ever Given"),
        ("md", "text/markdown", lambda body: body.startswith("# Timeline: Ever Given") and "2021-07-07" in body),
        ("html", "text/html", lambda body: "<ol class='timeline'>" in body and "<script" not in body),
        ("timelinejs", "application/json", lambda body: len(json.loads(body)["events"]) >= len(TIMELINE_DATES)),
    ],
)
def test_timeline_exports(client, fmt, media, check):
    response = client.get("/api/timeline/export", params={"format": fmt, "q": "Ever Given"})
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith(media)
    assert response.headers["content-disposition"].startswith('attachment; filename="timeline-ever-given.')
    assert check(response.text)


def test_timeline_export_csv_parses(client, corpus):
    response = client.get("/api/timeline/export", params={"format": "csv", "q": "Ever Given"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="timeline-ever-given.csv"'
    rows = list(csv.DictReader(io.StringIO(response.text)))
    expected = corpus.timeline("Ever Given")
    assert len(rows) == sum(len(e.sentences) for e in expected.entries) >= len(TIMELINE_DATES)
    assert {row["date"] for row in rows} == {e.date.isoformat() for e in expected.entries}
    assert all(row["text"] and row["article"] for row in rows)


def test_the_whole_timeline_escapes_the_hostile_title(client):
    response = client.get("/api/timeline/export", params={"format": "html"})
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="timeline-all.html"'
    assert "<script" not in response.text and "alert(1)" in response.text  # there, as text


# --- articles -----------------------------------------------------------------------------------


def test_articles_page_through_everything_oldest_first(client, corpus):
    expected = [a.id for a in corpus.articles()]
    first = ok(client, "/api/articles", size=10)
    assert first["total"] == len(expected) == 34
    assert first["next"] == "/api/articles?size=10&page=2"
    assert all(set(item) == LIST_FIELDS for item in first["items"])
    seen, url = [], "/api/articles?size=10"
    while url:
        page = ok(client, url)
        assert page["total"] == 34
        seen += [item["id"] for item in page["items"]]
        url = page["next"]
    assert seen == expected
    published = [a.published for a in corpus.articles()]
    assert published == sorted(published)
    assert ok(client, "/api/articles", size=10, page=9) == {"items": [], "total": 34, "next": None}


def test_articles_filters(client, sample):
    grounding = ok(client, "/api/articles", **{"from": "2021-03-23", "to": "2021-03-24"})
    assert grounding["total"] == 7 and {a["published"] for a in grounding["items"]} == {"2021-03-23", "2021-03-24"}
    portside = ok(client, "/api/articles", source="portside")  # case-insensitive
    assert {a["source"] for a in portside["items"]} == {"Portside"}
    assert portside["total"] == sum(a.source == "Portside" for a in sample.articles.values()) == 6
    departure = sample["hw-0707-ever-given-departs"].story
    listed = ok(client, "/api/articles", story=departure)["items"]
    assert {a["id"] for a in listed} == {a.id for a in sample.articles.values() if a.story == departure}
    assert sample.id("canal-digest-ever-given-leaves") in {a["id"] for a in listed}  # copies are listed too
    assert [a["id"] for a in ok(client, "/api/articles", entity="Nassar")["items"]] == [
        sample.id("hw-site-0330-tug-crews")
    ]
    assert ok(client, "/api/articles", entity="Nobody Atall")["total"] == 0
    # q selects as the timeline does: the full-text match plus the articles naming the entity
    rabie = {a["id"] for a in ok(client, "/api/articles", q="Rabie")["items"]}
    assert (
        ids(
            sample,
            "portside-0327-sca-chief-briefing",
            "suez-briefing-no-date",
            "portside-0401-compensation-claim",
            "hw-0329-ever-given-refloated",
        )
        <= rabie
    )
    hw = ok(client, "/api/articles", q="Ever Given", source="HW")
    assert hw["total"] == sum(a.source == "HW" for a in sample.articles.values())


def test_article_view_of_a_canonical_and_of_its_copy(client, sample):
    original, copy = sample.id("hw-0324-tugs-and-dredgers"), sample.id("canalbulletin-603917")
    view = ok(client, f"/api/articles/{original}")
    assert (view["source"], view["published"], view["published_source"]) == ("HW", "2021-03-24", "dateline")
    assert view["text"].startswith("ISMAILIA, March 24. /HW/.")
    assert view["story"] == {"id": sample["hw-0324-tugs-and-dredgers"].story, "label": view["story"]["label"]}
    assert view["story"]["label"]
    assert view["duplicates"] == [
        {"id": copy, "source": "HW", "url": None, "kind": "containment", "score": pytest.approx(0.97, abs=0.03)}
    ]
    assert {"Suez Canal Authority", "Bernhard Schulte Shipmanagement"} <= set(view["entities"])
    assert view["quotes"] and all(set(q) == {"text", "kind", "speaker", "sentence"} for q in view["quotes"])
    assert any(q["kind"] == "direct" and "Every hour the ship stays there" in q["text"] for q in view["quotes"])
    assert ok(client, f"/api/articles/{copy}")["duplicates"] == [
        {"id": original, "source": "HW", "url": None, "kind": "canonical", "score": None}
    ]
    impounded = ok(client, f"/api/articles/{sample.id('hw-0413-ever-given-impounded')}")
    assert {"2021-04-12", "2021-03-29"} <= set(impounded["dates_referenced"])  # the court order, the refloating


def test_an_undated_article_says_where_its_date_came_from(client, sample):
    view = ok(client, f"/api/articles/{sample.id('suez-briefing-no-date')}")
    assert (view["published"], view["published_source"], view["source"]) == ("2021-03-27", "inferred", None)
    assert view["duplicates"] == []


def test_a_hostile_title_comes_back_verbatim_as_json(client, sample):
    response = client.get(f"/api/articles/{sample.id('maritime-ledger-egypt-seizes-ever-given')}")
    assert response.headers["content-type"] == "application/json"
    assert response.json()["title"] == HOSTILE_TITLE  # escaping is the page's job
    listed = ok(client, "/api/articles", **{"from": "2021-04-13", "to": "2021-04-13"})["items"]
    assert HOSTILE_TITLE in {a["title"] for a in listed}


# --- stories, entities, quotes, attention, search ----------------------------------------------------


def test_stories(client, corpus):
    expected = list(corpus.stories())
    everything = ok(client, "/api/stories")
    assert everything["total"] == len(expected) >= 4 and everything["next"] is None
    assert everything["items"] == expected
    assert [s["first"] for s in everything["items"]] == sorted(s["first"] for s in expected)
    assert set(everything["items"][0]) == {"id", "label", "articles", "outlets", "first", "last"}
    # in range when [first, last] overlaps [from, to]: only the July story(ies) cover 5–6 July
    july = ok(client, "/api/stories", **{"from": "2021-07-05", "to": "2021-07-06"})["items"]
    assert july and all(s["first"] <= "2021-07-06" and s["last"] >= "2021-07-05" for s in july)
    assert all(s["first"] >= "2021-07-01" for s in july)
    paged = ok(client, "/api/stories", size=1, page=2)
    assert paged["total"] == len(expected) and paged["next"] == "/api/stories?size=1&page=3"


def test_entities_autocomplete(client):
    found = ok(client, "/api/entities", q="nass")["items"]
    assert found[0]["name"] == "Karim Nassar"
    assert {"id", "name", "type", "aliases", "article_count"} <= set(found[0])
    assert ok(client, "/api/entities", q="KARIM")["items"][0]["name"] == "Karim Nassar"
    assert ok(client, "/api/entities", q="rab")["items"][0]["name"] == "Osama Rabie"
    top = ok(client, "/api/entities", limit=3)["items"]
    assert len(top) == 3 and top[0]["name"] == "Suez Canal Authority"
    assert top[0]["article_count"] >= top[1]["article_count"] >= top[2]["article_count"]
    assert ok(client, "/api/entities", q="zzzz")["items"] == []


def test_quotes(client, sample):
    everything = ok(client, "/api/quotes", size=200)
    assert everything["total"] == len(everything["items"]) > 50
    assert set(everything["items"][0]) == {
        "text",
        "kind",
        "speaker",
        "speaker_as_written",
        "article",
        "source",
        "published",
        "sentence",
    }
    assert {q["kind"] for q in everything["items"]} == {"direct", "reported"}
    nassar = ok(client, "/api/quotes", speaker="Nassar", size=200)["items"]
    assert len(nassar) == 4 and {q["speaker"] for q in nassar} == {"Karim Nassar"}
    assert {q["article"] for q in nassar} == {sample.id("hw-site-0330-tug-crews")}
    july = ok(client, "/api/quotes", **{"from": "2021-07-01", "to": "2021-07-31", "size": 200})["items"]
    assert july and all(q["published"].startswith("2021-07") for q in july)
    first = ok(client, "/api/quotes", size=1)
    assert first["next"] == "/api/quotes?size=1&page=2" and first["total"] == everything["total"]


def test_quotes_about_a_topic(client, corpus):
    topic = ok(client, "/api/quotes", q="compensation", size=200)
    chosen = {a.id for a in corpus.articles() if "compensation" in a.text.lower() or "compensation" in a.title.lower()}
    assert topic["items"] and {q["article"] for q in topic["items"]} <= chosen
    assert topic["total"] < ok(client, "/api/quotes", size=200)["total"]  # a selection, not everything
    both = ok(client, "/api/quotes", q="compensation", speaker="Rabie", size=200)
    assert both["items"] and {q["speaker"] for q in both["items"]} == {"Osama Rabie"}
    assert both["total"] < topic["total"]
    assert ok(client, "/api/quotes", q="compensation", speaker="Nassar")["total"] == 0  # both conditions hold


def test_attention_counts_each_outlets_articles(client):
    days = ok(client, "/api/attention", q="Ever Given")["days"]
    assert sum(d["articles"] for d in days) == 34  # every article is dated; copies count under their outlet
    assert {"date": "2021-03-29", "source": "HW", "articles": 2} in days  # hw-0329 and the blog copy
    assert any(d["date"] == "2021-07-07" and d["source"] is None for d in days)  # the digest, dated by its original
    assert days == sorted(days, key=lambda d: (d["date"], d["source"] or ""))
    assert ok(client, "/api/attention", q="Nassar")["days"] == [{"date": "2021-03-30", "source": "HW", "articles": 1}]
    april = ok(client, "/api/attention", q="Ever Given", **{"from": "2021-04-01", "to": "2021-04-30"})["days"]
    assert {d["date"] for d in april} == {"2021-04-01", "2021-04-03", "2021-04-13"}


def test_search(client, sample):
    items = ok(client, "/api/search", q="Nassar", limit=5)["items"]
    assert [i["id"] for i in items] == [sample.id("hw-site-0330-tug-crews")]
    assert set(items[0]) == {"id", "title", "source", "published", "snippet", "score"}
    assert "[Nassar]" in items[0]["snippet"]


# --- the server --------------------------------------------------------------------------------


def test_dateline_serve_really_serves_the_sample(sample):
    status, data, policy = ask_a_real_server(sample.db, "api/timeline?q=Ever%20Given")
    assert status == 200 and policy == api.CSP
    assert {e["date"] for e in data["entries"]} >= set(TIMELINE_DATES)


def test_the_opening_view_is_made_in_the_background_and_once(seeds_db, monkeypatch):
    made: list[tuple] = []
    slow = threading.Event()
    make = api._timeline

    def counting(corpus, key):
        made.append(key)
        slow.wait(5)  # a million-article corpus: requests arrive while it is being made
        return make(corpus, key)

    monkeypatch.setattr(api, "_timeline", counting)
    app = api.create_app(seeds_db)  # returns at once: the opening view is made in a thread
    with TestClient(app) as client:
        answers: list[dict] = []
        asking = [
            threading.Thread(target=lambda: answers.append(client.get("/api/timeline?sentences_per_date=2").json()))
            for _ in range(3)
        ]
        for thread in asking:
            thread.start()
        slow.set()
        for thread in [*asking, *app.state.warming]:
            thread.join(30)
        assert made == [api.OPENING_TIMELINE]  # made once, by the warm-up, for all three requests
        assert len(answers) == 3 and answers[0] == answers[1] == answers[2] and answers[0]["entries"]
        assert answers[0] == client.get("/api/timeline", params={"sentences_per_date": 2}).json() and len(made) == 1
