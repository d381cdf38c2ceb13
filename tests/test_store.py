"""The store: WAL, schema version, idempotent writes, FTS search, rejects, whole batches; one store per concept."""

from __future__ import annotations

import sqlite3
from datetime import date

import pytest

from dateline.models import Article, Reject
from dateline.store import SCHEMA_VERSION, QueryError, Store, StoreError


def article(n: int, **changes) -> Article:
    fields = dict(
        id=f"{n:016x}",
        external_id=f"ext-{n}",
        path=f"/corpus/{n}.txt",
        url=f"https://example.org/{n}",
        source="TASS",
        title=f"Ambassador number {n} speaks",
        language="en",
        published=date(2021, 3, n % 28 + 1),
        published_source="dateline",
        modified=None,
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
    first.articles.write([article(1)], [])
    first.close()
    second = Store(path)
    try:
        assert second.articles.counts() == {"articles": 1, "rejects": 0}
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
    assert store.articles.write(batch, [Reject("/corpus/bad.txt", None, "empty file")]) == (3, 0)
    before = list(store.articles.select())
    assert store.articles.write(batch, [Reject("/corpus/bad.txt", None, "empty file")]) == (0, 3)
    assert list(store.articles.select()) == before
    assert store.articles.counts() == {"articles": 3, "rejects": 1}


def test_same_id_twice_in_one_batch(store):
    assert store.articles.write([article(1), article(1)], []) == (1, 1)


def test_round_trip(store):
    original = article(
        7,
        published=None,
        published_source=None,
        url=None,
        title=None,
        modified=date(2022, 1, 2),
        duplicate_of="00000000000000aa",
        story="s1",
        line=4,
    )
    store.articles.write([original], [])
    assert store.articles.get(original.id) == original
    assert store.articles.get("missing") is None


def test_articles_order_and_filters(store):
    store.articles.write(
        [
            article(5, published=date(2021, 7, 13)),
            article(6, published=None, published_source=None),
            article(7, published=date(2018, 12, 28), source="Sputnik"),
        ],
        [],
    )
    assert [a.external_id for a in store.articles.select()] == ["ext-7", "ext-5", "ext-6"]  # undated last
    assert [a.external_id for a in store.articles.select(source="sputnik")] == ["ext-7"]
    assert [a.external_id for a in store.articles.select(start=date(2019, 1, 1))] == ["ext-5"]
    assert [a.external_id for a in store.articles.select(end=date(2019, 1, 1))] == ["ext-7"]
    assert [a.external_id for a in store.articles.select(ids=[article(6).id])] == ["ext-6"]


def test_search_finds_title_and_text(store):
    store.articles.write(
        [
            article(1, title="Antonov recalled to Moscow", text="The envoy flies on Saturday."),
            article(2, title="Harbour news", text="Dredging crews reopened the channel; Antonov was not there."),
            article(3, title="Weather", text="Rain is expected over the weekend."),
        ],
        [],
    )
    hits = store.articles.search("Antonov")
    assert [a.external_id for a, _, _ in hits] == ["ext-1", "ext-2"]  # the title match ranks first
    assert all(0 <= score <= 1 for _, _, score in hits)
    assert hits[0][2] >= hits[1][2]
    assert "[Antonov]" in hits[1][1]  # snippet marks the match
    assert [a.external_id for a, _, _ in store.articles.search("dredging")] == ["ext-2"]
    assert store.articles.search("dredg*")[0][0].external_id == "ext-2"
    assert store.articles.search("nothingmatches") == []
    assert len(store.articles.search("Antonov", limit=1)) == 1


def test_search_folds_diacritics(store):
    store.articles.write([article(1, text="The café reopened after the naïve plan failed.")], [])
    assert [a.external_id for a, _, _ in store.articles.search("cafe")] == ["ext-1"]


@pytest.mark.parametrize("query", ['"unbalanced', "AND", "U.S.", "(", "title:"])
def test_bad_fts_query_raises_query_error(store, query):
    store.articles.write([article(1)], [])
    with pytest.raises(QueryError, match="cannot search for"):
        store.articles.search(query)


def test_rejects_are_upserted_by_path_and_line(store):
    store.articles.write([], [Reject("/c/a.jsonl", 3, "invalid JSON"), Reject("/c/b.txt", None, "empty file")])
    store.articles.write([], [Reject("/c/a.jsonl", 3, "invalid JSON: again"), Reject("/c/b.txt", None, "empty file")])
    assert list(store.articles.rejects()) == [
        Reject("/c/a.jsonl", 3, "invalid JSON: again"),
        Reject("/c/b.txt", None, "empty file"),
    ]
    assert store.articles.counts()["rejects"] == 2


def test_known(store):
    store.articles.write([article(i) for i in range(3)], [])
    ids = [article(i).id for i in range(1200)]  # more than one IN (...) chunk
    assert store.articles.known(ids) == {article(i).id for i in range(3)}


def test_crash_mid_batch_leaves_no_partial_batch(tmp_path):
    path = tmp_path / "crash.db"
    store = Store(path)
    store.articles.write([article(1)], [])

    def exploding():
        yield article(2)
        yield article(3)
        raise RuntimeError("worker died")

    with pytest.raises(RuntimeError, match="worker died"):
        store.articles.write(exploding(), [Reject("/c/x.txt", None, "empty file")])
    # Nothing of the failed batch, neither on disk nor on this connection...
    with sqlite3.connect(path) as other:
        assert other.execute("SELECT count(*) FROM articles").fetchone()[0] == 1
    other.close()
    assert not store.db.in_transaction
    assert store.articles.counts() == {"articles": 1, "rejects": 0}
    # ...and the store still works: the next batch commits on its own.
    assert store.articles.write([article(4)], []) == (1, 0)
    store.close()
    with sqlite3.connect(path) as other:
        assert sorted(r[0] for r in other.execute("SELECT external_id FROM articles")) == ["ext-1", "ext-4"]
    other.close()


def test_constraint_failure_rolls_back_and_raises_store_error(store):
    broken = article(2, text=None)  # text is NOT NULL
    with pytest.raises(StoreError, match="cannot write"):
        store.articles.write([article(1), broken], [])
    assert not store.db.in_transaction
    assert store.articles.counts() == {"articles": 0, "rejects": 0}


def test_fts_follows_updates_and_deletes(store):
    """The triggers keep the index in step with the table (a future re-clean updates rows)."""
    store.articles.write([article(1, text="alpha words")], [])
    store.db.execute("UPDATE articles SET text = 'beta words' WHERE id = ?", (article(1).id,))
    assert store.articles.search("alpha") == [] and len(store.articles.search("beta")) == 1
    store.db.execute("DELETE FROM articles")
    assert store.articles.search("beta") == []


# --- one store per concept, each answering as its in-memory double does -------------------------


def test_concept_stores_share_the_one_connection(store):
    assert all(part.db is store.db for part in (store.articles, store.duplicates, store.stories, store.entities))
    with store.transaction():
        store.articles.write([article(1)], [])
        assert store.db.in_transaction  # the article store's own transaction joined this one
    assert store.articles.counts()["articles"] == 1


def test_duplicate_store_answers_as_the_memory_index(store):
    import numpy as np

    from dateline.dedup import Match, MemoryIndex

    memory = MemoryIndex()
    for index in (store.duplicates, memory):
        index.add("a", [1, 2, 3], np.array([10, 20, 30], dtype=np.uint64))
        index.add("b", [3, 4], np.array([20, 40], dtype=np.uint64))
        index.add("c", [5], np.array([50], dtype=np.uint64))
        index.point("b", Match("a", "near", 0.8))
        index.point("c", Match("a", "containment", 0.9))
        index.point("c", None)
    for keys in ([1], [3], [3, 4, 5], [9]):
        assert store.duplicates.candidates(keys) == memory.candidates(keys)
        assert store.duplicates.shared(keys) == memory.shared(keys)
    assert list(store.duplicates.shingles("b")) == list(memory.shingles("b")) == [20, 40]
    assert store.duplicates.shingles("x") is None and memory.shingles("x") is None
    assert store.duplicates.pointer("b") == memory.pointer("b") == Match("a", "near", 0.8)
    assert store.duplicates.pointer("c") is None and memory.pointer("c") is None
    assert store.duplicates.group("a") == memory.group("a") == ["b"]


def test_story_store_answers_as_the_memory_state(store):
    from dateline.cluster import MemoryState, StoryState

    memory = MemoryState()
    stories = [
        StoryState("s1", terms=["canal", "ship"], first=date(2021, 3, 23), last=date(2021, 3, 29), updated=1),
        StoryState("s2", terms=["ship", "envoy"], first=date(2021, 6, 1), last=date(2021, 6, 2), updated=2),
        StoryState("s3", terms=["envoy"], updated=3),
    ]
    for state in (store.stories, memory):
        for story in stories:
            state.save(story)
        state.add_document(["canal", "ship", "ship"])
        state.add_document(["ship"])
    assert store.stories.get("s2") == memory.get("s2") == stories[1]
    assert store.stories.get("nope") is None
    assert store.stories.sequence() == memory.sequence() == 3
    for window in ((None, None), (date(2021, 3, 25), date(2021, 3, 26)), (date(2021, 6, 1), date(2021, 6, 30))):
        for terms in (["ship"], ["envoy", "ship"], ["canal"], []):
            assert [s.id for s in store.stories.active(*window, terms, 10)] == [
                s.id for s in memory.active(*window, terms, 10)
            ], (window, terms)
    assert (
        store.stories.document_frequency(["ship", "canal", "gone"])
        == memory.document_frequency(["ship", "canal", "gone"])
        == (2, {"ship": 2, "canal": 1, "gone": 0})
    )
    assert [s.id for s in store.stories.all()] == ["s1", "s2", "s3"]  # oldest first, undated last
    assert [s.id for s in store.stories.page(date(2021, 3, 29), None)[0]] == ["s1", "s2"]


def test_entity_store_answers_as_the_memory_registry(store):
    from dateline.extract import MemoryRegistry
    from dateline.models import EntityRecord

    memory = MemoryRegistry()
    records = [
        EntityRecord(
            "person:anatoly antonov",
            "Anatoly Antonov",
            "person",
            ["Anatoly Antonov", "Antonov"],
            ["ambassador"],
            3,
            "antonov",
            "a",
            True,
        ),
        EntityRecord("person:antonov", "Antonov", "person", ["Antonov"], [], 1, "antonov", "", False),
        EntityRecord("organisation:100% fund", "100% Fund", "organisation", ["100% Fund", "the_fund"], [], 2),
    ]
    for registry in (store.entities, memory):
        for record in records:
            registry.save(record)
    assert store.entities.get("person:antonov") == memory.get("person:antonov") == records[1]
    assert store.entities.get("nobody") is None and memory.get("nobody") is None
    assert store.entities.full_names("person", "antonov") == memory.full_names("person", "antonov") == [records[0]]
    assert [r.key for r in store.entities.all()] == [records[0].key, records[2].key, records[1].key]
    assert [r.key for r in store.entities.named("antonov")] == [records[0].key, records[1].key]
    assert [r.key for r in store.entities.named("anton")] == []  # a whole word, not part of one
    assert [r.key for r in store.entities.named("100%")] == [records[2].key]  # LIKE's wildcards are literal
    assert store.entities.named("_") == [] and store.entities.named("  ") == []
    assert [r.key for r in store.entities.starting("anto", 1)] == [records[0].key]
    assert store.entities.starting("", 5) == []
