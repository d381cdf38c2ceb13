"""Golden tests over the five seed articles: what "right" means (DESIGN.md, "The seed corpus")."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest

import dateline


@pytest.fixture(scope="module")
def seeds(tmp_path_factory):
    from conftest import SEEDS, require_shared

    require_shared()
    assert len(list(SEEDS.glob("*.txt"))) == 5
    db = tmp_path_factory.mktemp("seeds") / "seeds.db"
    with dateline.open(db) as corpus:
        report = corpus.ingest([SEEDS], workers=1)
        articles = {a.external_id[:3]: a for a in corpus.articles()}
        rejects = list(corpus.rejects())
    return report, articles, rejects


def article(seeds, number: str):
    _, articles, rejects = seeds
    assert number in articles, f"seed {number} was not stored; rejects: {rejects}"
    return articles[number]


def test_all_five_stored_none_rejected(seeds):
    report, articles, rejects = seeds
    assert rejects == []
    assert (report.read, report.stored, report.rejected) == (5, 5, 0)
    assert sorted(articles) == ["000", "001", "002", "003", "004"]


def test_ids_are_stable(seeds, tmp_path):
    from conftest import SEEDS

    _, articles, _ = seeds
    with dateline.open(tmp_path / "again.db") as corpus:
        corpus.ingest([SEEDS], workers=1)
        again = {a.external_id[:3]: a.id for a in corpus.articles()}
    assert again == {number: a.id for number, a in articles.items()}


@pytest.mark.parametrize("number, expected", [("000", "TASS"), ("002", "TASS"), ("003", "Sputnik"), ("004", "Sputnik")])
def test_sources(seeds, number, expected):
    assert article(seeds, number).source == expected


@pytest.mark.parametrize(
    "number, expected, provenance",
    [
        ("000", date(2018, 12, 28), "dateline"),
        ("002", date(2021, 7, 13), None),
        ("003", date(2021, 3, 17), "url"),
        ("001", date(2021, 7, 13), "inferred"),  # a trimmed copy of 002: its canonical's date
        ("004", date(2021, 3, 20), "inferred"),  # "Earlier on Saturday", in the story of 003 (2021-03-17)
    ],
)
def test_publication_dates(seeds, number, expected, provenance):
    found = article(seeds, number)
    assert found.published == expected
    if expected is None:
        assert found.published_source is None
    else:
        assert found.published_source in dateline.models.DATE_SOURCES
    if provenance:
        assert found.published_source == provenance


@pytest.mark.parametrize(
    "number, title",
    [
        ("000", "2018 year of missed of opportunities in Russian-US relations — Russian ambassador"),
        ("001", "Envoy: Russia has no illusions on breakthroughs in ties with U.S. after Geneva summit"),
        ("002", "Russia has no illusions on breakthroughs in ties with US after Geneva summit — envoy"),
        ("003", "Russian Ambassador to US to Fly to Moscow March 20 for Talks on Relations With Washington"),
        ("004", "Russian Ambassador to US Says a Lot of Work Needs to Be Done Concerning Bilateral Relations"),
    ],
)
def test_titles(seeds, number, title):
    assert article(seeds, number).title == title


@pytest.mark.parametrize(
    "number, gone",
    [
        ("000", ["All news", "© Alexander Shcherbak"]),
        ("002", ["Auther", "ID :", "Tue, 07/13/2021 - 11:47"]),
        (
            "003",
            [
                "[ad_1]",
                "[ad_2]",
                "Leave a Reply",
                "Forgot password",
                "logo.png",
                "Get short URL",
                "Source link",
                "Add to Collection",
            ],
        ),
        ("004", ["\nDiscuss"]),
    ],
)
def test_boilerplate_removed(seeds, number, gone):
    text = article(seeds, number).text
    for phrase in gone:
        assert phrase not in text, f"{phrase!r} left in seed {number}"


@pytest.mark.parametrize(
    "number, kept",
    [
        ("000", "2018 became the year of missed opportunities"),
        ("001", "cherish illusions on pivotal breakthroughs"),
        ("002", "held talks in Geneva on June 16"),
        ("003", "Ryabkov told Sputnik"),
        ("004", "very bad statements"),
    ],
)
def test_body_sentences_kept(seeds, number, kept):
    assert kept in article(seeds, number).text


def test_title_not_repeated_in_text(seeds):
    found = article(seeds, "001")
    assert not found.text.startswith(found.title)


def test_seeds_are_english(seeds):
    _, articles, _ = seeds
    assert {a.language for a in articles.values()} == {"en"}


def test_seeds_through_the_cli(runner, cli_app, seeds_dir, tmp_path):
    db = tmp_path / "cli.db"
    result = runner.invoke(cli_app, ["ingest", str(seeds_dir), "--db", str(db), "--workers", "1", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.stdout)["read"] == 5
    hits = json.loads(runner.invoke(cli_app, ["search", "Antonov", "--db", str(db), "--json"]).stdout)
    assert len(hits) == 5  # every seed names Antonov
    assert all("[Antonov]" in h["snippet"] or "Antonov" in (h["title"] or "") for h in hits)
    rows = json.loads(runner.invoke(cli_app, ["articles", "--db", str(db), "--json", "--source", "TASS"]).stdout)
    assert {Path(r["path"]).name[:3] for r in rows} <= {"000", "001", "002"}
