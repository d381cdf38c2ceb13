"""The day store: per-day counts kept at ingest, and timelines made from them equal to timelines made
from every sentence (what `Corpus.timeline` did before the store kept the counts)."""

from __future__ import annotations

import shutil
import sqlite3
from datetime import date

import pytest

import dateline
from dateline import timeline
from dateline.store import days as day_store


def every_sentence(corpus: dateline.Corpus, query: str | None) -> list[timeline.Sentence]:
    """The candidate pool the timeline used to build: every sentence of every selected canonical."""
    store = corpus.store
    ids = None
    selected, named = corpus._selection(query)
    if selected is not None:
        matched = set(store.articles.match(selected))
        if named:
            matched.update(store.entities.articles_naming(named))
        ids = store.duplicates.canonicals(matched)
    copies = store.duplicates.copy_articles(ids)
    spans = store.articles.all_sentences(ids)
    pool = []
    for article in store.articles.select(ids=ids) if ids is not None else store.articles.select():
        if article.duplicate_of:
            continue
        carried = [{"article": c.id, "source": c.source, "url": c.url} for c in copies.get(article.id, [])]
        for position, (first, last, named_days) in enumerate(spans.get(article.id, ())):
            pool.append(
                timeline.Sentence(
                    article.text[first:last],
                    article.id,
                    article.source,
                    article.url,
                    article.title,
                    article.published,
                    named_days,
                    position,
                    carried,
                    None,
                    article.story,
                )
            )
    return pool


def counts_from_scratch(db: sqlite3.Connection) -> list[tuple]:
    """The `days` table as a fresh fill would make it (zero rows aside)."""
    return db.execute(
        "SELECT day, sum(kind = 0), sum(kind = 1), sum(kind = 2), sum(kind = 3), sum(sentences) "
        "FROM article_days GROUP BY day ORDER BY day"
    ).fetchall()


@pytest.fixture(scope="module")
def corpus(sample):
    with dateline.open(sample.db) as opened:
        yield opened


@pytest.mark.parametrize("query", [None, "Antonov", "ambassador", "harbour OR channel", "zzzyxqw"])
@pytest.mark.parametrize("max_dates", [None, 3, 50])
@pytest.mark.parametrize("small", [True, False])
def test_timeline_from_day_counts_equals_timeline_from_every_sentence(corpus, query, max_dates, small, monkeypatch):
    monkeypatch.setattr(day_store.Selection, "SMALL", 10_000 if small else 0)
    pool = every_sentence(corpus, query)
    expected = timeline.summarise(pool, query or "", max_dates=max_dates, per_date=2)
    got = corpus.timeline(query, max_dates=max_dates, per_date=2)
    assert [e.to_json() | {"quotes": []} for e in got.entries] == [e.to_json() for e in expected.entries]


@pytest.mark.parametrize("query", [None, "Antonov", "harbour OR channel OR ambassador"])
@pytest.mark.parametrize("small", [True, False])
def test_a_date_range_is_pushed_into_the_selection_and_counts_and_changes_nothing(corpus, query, small, monkeypatch):
    monkeypatch.setattr(day_store.Selection, "SMALL", 10_000 if small else 0)  # both ways of reading sentences
    pool = every_sentence(corpus, query)
    whole = timeline.summarise(every_sentence(corpus, None), max_dates=100)
    assert len(whole.entries) >= 3
    for start, end in [(whole.entries[1].date, whole.entries[-2].date), (whole.entries[2].date, whole.entries[2].date)]:
        expected = timeline.summarise(pool, query or "", start=start, end=end, max_dates=50)
        got = corpus.timeline(query, start=start, end=end, max_dates=50)
        assert [e.to_json() | {"quotes": []} for e in got.entries] == [e.to_json() for e in expected.entries]
        assert all(start <= e.date <= end for e in got.entries)


def test_kept_counts_equal_counts_filled_from_scratch(sample, tmp_path):
    """Ingest keeps `days` by triggers as articles, duplicates and inferred dates are written; a
    fresh fill of the same database (the schema-8 migration) gives the same counts."""
    db = tmp_path / "copy.db"
    shutil.copyfile(sample.db, db)
    connection = sqlite3.connect(db)
    kept = connection.execute(
        "SELECT day, published, later, earlier, same, sentences FROM days "
        "WHERE published + later + earlier + same > 0 ORDER BY day"
    ).fetchall()
    rows = connection.execute("SELECT * FROM article_days ORDER BY article, day, kind").fetchall()
    connection.execute("DROP TABLE days")
    connection.execute("DROP TABLE article_days")
    day_store.fill(connection)
    assert connection.execute("SELECT * FROM article_days ORDER BY article, day, kind").fetchall() == rows
    assert counts_from_scratch(connection) == kept
    assert kept, "the sample corpus names days"
    connection.close()


def test_refresh_follows_a_new_duplicate_and_a_new_date(sample, tmp_path):
    db = tmp_path / "copy.db"
    shutil.copyfile(sample.db, db)
    with dateline.open(db) as corpus:
        store = corpus.store
        first, second = [a for a in corpus.articles() if not a.duplicate_of and a.published][:2]
        from dateline.dedup import Match

        with store.transaction():
            store.duplicates.point(second.id, Match(first.id, "near", 0.9))
            store.articles.set_published(first.id, date(1999, 1, 2), "inferred")
        assert not store.db.execute("SELECT 1 FROM article_days WHERE article = ?", (second.id,)).fetchall()
        assert store.db.execute(
            "SELECT day FROM article_days WHERE article = ? AND kind = 0", (first.id,)
        ).fetchall() == [("1999-01-02",)]
        kept = store.db.execute(
            "SELECT day, published, later, earlier, same, sentences FROM days "
            "WHERE published + later + earlier + same > 0 ORDER BY day"
        ).fetchall()
        assert counts_from_scratch(store.db) == kept
