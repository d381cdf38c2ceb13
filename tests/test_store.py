"""store.py: WAL, schema version, idempotent writes, FTS search, rejects, whole batches."""
from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from dateline.models import Article, Reject
from dateline.store import SCHEMA_VERSION, QueryError, Store, StoreError


def article(n: int, **changes) -> Article:
    fields = dict(
        id=f"{n:016x}", external_id=f"ext-{n}", path=f"/corpus/{n}.txt", url=f"https://example.org/{n}",
        source="TASS", title=f"Ambassador number {n} speaks", language="en",
        published=date(2021, 3, n % 28 + 1), published_source="dateline", modified=None,
        text=f"Article {n}: the harbour reopened after dredging, officials said on Monday.",
    )
    fields.update(changes)
    return Article(**fields)


@pytest.fixture
def store(tmp_path):
    opened = Store(tmp_path / "store.db")
    yield opened
    opened.close()


def test_wal_mode_and_schema_version(store):
    assert store.db.execute("PRAGMA journal_mode").fetchone()[0].lower() == "wal"
    assert store.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    tables = {row[0] for row in store.db.execute("SELECT name FROM sqlite_master")}
    assert {"articles", "rejects", "articles_fts"} <= tables


def test_reopening_keeps_data_and_version(tmp_path):
    path = tmp_path / "again.db"
    first = Store(path)
    first.write([article(1)], [])
    first.close()
    second = Store(path)
    try:
        assert second.counts() == {"articles": 1, "rejects": 0}
        assert second.db.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION
    finally:
        second.close()


def test_newer_schema_is_refused(tmp_path):
    path = tmp_path / "future.db"
    with sqlite3.connect(path) as connection:
        connection.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    connection.close()
    with pytest.raises(StoreError, match="newer dateline"):
        Store(path)


def test_creates_missing_parent_folders(tmp_path):
    path = tmp_path / "a" / "b" / "c.db"
    Store(path).close()
    assert path.exists()


def test_unusable_path_raises_store_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("a regular file, not a folder")
    with pytest.raises(StoreError, match="cannot use database"):
        Store(blocker / "x.db")
    with pytest.raises(StoreError, match="cannot use database"):
        Store(tmp_path)  # a folder is not a database


def test_write_is_idempotent(store):
    batch = [article(1), article(2), article(3)]
    assert store.write(batch, [Reject("/corpus/bad.txt", None, "empty file")]) == (3, 0)
    before = list(store.articles())
    assert store.write(batch, [Reject("/corpus/bad.txt", None, "empty file")]) == (0, 3)
    assert list(store.articles()) == before
    assert store.counts() == {"articles": 3, "rejects": 1}


def test_same_id_twice_in_one_batch(store):
    assert store.write([article(1), article(1)], []) == (1, 1)


def test_round_trip(store):
    original = article(7, published=None, published_source=None, url=None, title=None,
                       modified=date(2022, 1, 2), duplicate_of="00000000000000aa", story="s1", line=4)
    store.write([original], [])
    assert store.article(original.id) == original
    assert store.article("missing") is None


def test_articles_order_and_filters(store):
    store.write([article(5, published=date(2021, 7, 13)), article(6, published=None, published_source=None),
                 article(7, published=date(2018, 12, 28), source="Sputnik")], [])
    assert [a.external_id for a in store.articles()] == ["ext-7", "ext-5", "ext-6"]  # undated last
    assert [a.external_id for a in store.articles(source="sputnik")] == ["ext-7"]
    assert [a.external_id for a in store.articles(start=date(2019, 1, 1))] == ["ext-5"]
    assert [a.external_id for a in store.articles(end=date(2019, 1, 1))] == ["ext-7"]
    assert [a.external_id for a in store.articles(ids=[article(6).id])] == ["ext-6"]


def test_search_finds_title_and_text(store):
    store.write([article(1, title="Antonov recalled to Moscow", text="The envoy flies on Saturday."),
                 article(2, title="Harbour news", text="Dredging crews reopened the channel; Antonov was not there."),
                 article(3, title="Weather", text="Rain is expected over the weekend.")], [])
    hits = store.search("Antonov")
    assert [a.external_id for a, _, _ in hits] == ["ext-1", "ext-2"]  # the title match ranks first
    assert all(0 <= score <= 1 for _, _, score in hits)
    assert hits[0][2] >= hits[1][2]
    assert "[Antonov]" in hits[1][1]  # snippet marks the match
    assert [a.external_id for a, _, _ in store.search("dredging")] == ["ext-2"]
    assert store.search("dredg*")[0][0].external_id == "ext-2"
    assert store.search("nothingmatches") == []
    assert len(store.search("Antonov", limit=1)) == 1


def test_search_folds_diacritics(store):
    store.write([article(1, text="The café reopened after the naïve plan failed.")], [])
    assert [a.external_id for a, _, _ in store.search("cafe")] == ["ext-1"]


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "U.S.", "(", "title:"])
def test_bad_fts_query_raises_query_error(store, query):
    store.write([article(1)], [])
    with pytest.raises(QueryError, match="cannot search for"):
        store.search(query)


def test_rejects_are_upserted_by_path_and_line(store):
    store.write([], [Reject("/c/a.jsonl", 3, "invalid JSON"), Reject("/c/b.txt", None, "empty file")])
    store.write([], [Reject("/c/a.jsonl", 3, "invalid JSON: again"), Reject("/c/b.txt", None, "empty file")])
    assert list(store.rejects()) == [Reject("/c/a.jsonl", 3, "invalid JSON: again"),
                                     Reject("/c/b.txt", None, "empty file")]
    assert store.counts()["rejects"] == 2


def test_known(store):
    store.write([article(i) for i in range(3)], [])
    ids = [article(i).id for i in range(1200)]  # more than one IN (...) chunk
    assert store.known(ids) == {article(i).id for i in range(3)}


def test_crash_mid_batch_leaves_no_partial_batch(tmp_path):
    path = tmp_path / "crash.db"
    store = Store(path)
    store.write([article(1)], [])

    def exploding():
        yield article(2)
        yield article(3)
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError, match="worker died"):
        store.write(exploding(), [Reject("/c/x.txt", None, "empty file")])
    # Nothing of the failed batch, neither on disk nor on this connection...
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    other.close()
    assert not store.db.in_transaction
    assert store.counts() == {"articles": 1, "rejects": 0}
    # ...and the store still works: the next batch commits on its own.
    assert store.write([article(4)], []) == (1, 0)
    store.close()
    with sqlite3.connect(path) as other:
        assert sorted(r[0] for r in other.execute("SELECT external_id FROM articles")) == ["ext-1", "ext-4"]
    other.close()


def test_constraint_failure_rolls_back_and_raises_store_error(store):
    broken = article(2, text=None)  # text is NOT NULL
    with pytest.raises(StoreError, match="cannot write"):
        store.write([article(1), broken], [])
    assert not store.db.in_transaction
    assert store.counts() == {"articles": 0, "rejects": 0}


def test_fts_follows_updates_and_deletes(store):
    """The triggers keep the index in step with the table (a future re-clean updates rows)."""
    store.write([article(1, text="alpha words")], [])
    store.db.execute("UPDATE articles SET text = 'beta words' WHERE id = ?", (article(1).id,))
    assert store.search("alpha") == [] and len(store.search("beta")) == 1
    store.db.execute("DELETE FROM articles")
    assert store.search("beta") == []
