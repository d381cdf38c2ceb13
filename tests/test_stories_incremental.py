"""Stories across batches and ingests: windows re-clustered, ids kept or redirected, determinism,
idempotence, a killed ingest resumed, and the SQLite state answering as the memory one."""

from __future__ import annotations

import sqlite3
from collections import Counter
from dataclasses import replace
from datetime import date
from pathlib import Path

import numpy as np
import pytest

import dateline
from conftest import SAMPLE, jsonl, write
from dateline import pipeline
from dateline.cluster import Clusterer, Member, MemoryState, StoryState, average_linkage, cluster, features
from dateline.models import Article
from dateline.store import Store

TODAY = date(2024, 6, 1)

# --- two stories that a later batch shows to be one ----------------------------------------------

# Two reports of one wildfire that share few words, then three that tell it with the words of both.
FIRST = "Crews battled a brush fire near Bakersfield as evacuation orders spread across Kern County ranches."
SECOND = "The Tehachapi blaze destroyed forty homes overnight and the governor declared an emergency for Tehachapi."
BRIDGES = [
    "A brush fire near Bakersfield grew into the Tehachapi blaze; forty homes were destroyed and the governor "
    "declared an emergency as evacuation orders spread across Kern County.",
    "Evacuation orders spread across Kern County as the Tehachapi blaze, a brush fire that began near Bakersfield, "
    "destroyed forty homes; the governor declared an emergency.",
    "The governor declared an emergency after the Tehachapi blaze destroyed forty homes; crews battled the brush "
    "fire near Bakersfield while evacuation orders spread across Kern County.",
]


def article(uid: str, text: str, title: str | None = None, published: date | None = None) -> Article:
    return Article(
        id=uid,
        external_id=uid,
        path="",
        url=None,
        source="Wire",
        title=title,
        language="en",
        published=published,
        published_source="text" if published else None,
        modified=None,
        text=text,
    )


def fire(day: date | None = date(2024, 7, 2)) -> tuple[list[Article], list[Article]]:
    """(first batch: the two reports, second batch: the three that join them)."""
    return (
        [article("first", FIRST, published=day), article("second", SECOND, published=day)],
        [article(f"bridge-{i}", text, published=day) for i, text in enumerate(BRIDGES)],
    )


def stories_of(state, ids) -> dict[str, str]:
    return {i: state.member(i).story for i in ids}


@pytest.mark.parametrize("make_state", [MemoryState, lambda: Store(":memory:").stories], ids=["memory", "sqlite"])
def test_a_later_batch_merges_two_stories_and_the_old_id_redirects(make_state):
    state = make_state()
    clusterer = Clusterer(state)
    first, later = fire()
    clusterer.assign_batch([(a, None) for a in first])
    before = stories_of(state, ["first", "second"])
    assert before["first"] != before["second"]  # too little in common, alone
    assert clusterer.take_moved() == {}
    clusterer.assign_batch([(a, None) for a in later])
    after = stories_of(state, ["first", "second", *(a.id for a in later)])
    assert len(set(after.values())) == 1
    survivor = after["first"]
    retired = ({*before.values()} - {survivor}).pop()
    assert survivor in before.values()  # an existing id stays
    assert state.get(retired) is None and state.resolve(retired) == survivor == state.resolve(survivor)
    moved = clusterer.take_moved()
    assert moved == {a: survivor for a, s in before.items() if s == retired}
    story = state.get(survivor)
    assert sorted(story.articles) == sorted(after) and story.size == 5
    assert all(a.story == survivor for a in later)


def test_redirects_follow_a_chain_of_merges():
    state = MemoryState()
    for sid in ("a", "b", "c"):
        state.save(StoryState(sid))
    state.retire("a", "b")
    state.retire("b", "c")
    assert state.resolve("a") == state.resolve("b") == state.resolve("c") == "c"
    assert state.resolve("unknown") is None


def test_a_copy_moves_with_its_canonical():
    state = MemoryState()
    clusterer = Clusterer(state)
    first, later = fire()
    clusterer.assign_batch([(a, None) for a in first])
    copy = replace(first[1], id="copy", source="Repost", duplicate_of="second")
    clusterer.assign_to(first[1].story, copy)
    clusterer.assign_batch([(a, None) for a in later])
    assert state.member("copy").story == state.member("second").story == state.member("first").story
    story = state.get(state.member("first").story)
    assert "copy" in story.articles and story.outlets == ["Repost", "Wire"] and story.size == 5


def test_same_input_same_stories_same_ids_in_memory_and_in_sqlite():
    runs = []
    for state in (MemoryState(), MemoryState(), Store(":memory:").stories):
        clusterer = Clusterer(state)
        first, later = fire()
        for batch in (first, later):
            clusterer.assign_batch([(a, None) for a in batch])
        ids = ["first", "second", *(a.id for a in later)]
        runs.append((stories_of(state, ids), {i: state.get(s).to_json() for i, s in stories_of(state, ids).items()}))
    assert runs[0] == runs[1] == runs[2]


def test_far_apart_in_time_no_bridge_joins_them():
    state = MemoryState()
    clusterer = Clusterer(state)
    first, later = fire(date(2024, 7, 2))
    clusterer.assign_batch([(a, None) for a in first])
    clusterer.assign_batch([(replace(a, published=date(2024, 9, 2)), None) for a in later])  # two months on
    stories = stories_of(state, ["first", "second", *(a.id for a in later)])
    assert stories["first"] not in {stories[a.id] for a in later}
    assert len({stories[a.id] for a in later}) == 1


def test_the_clock_and_the_stories_survive_a_new_clusterer():
    """A later ingest opens a new Clusterer on the same state: it continues, never reuses a number."""
    state = MemoryState()
    first, later = fire()
    Clusterer(state).assign_batch([(a, None) for a in first])
    clock = state.sequence()
    Clusterer(state).assign_batch([(a, None) for a in later])
    assert min(state.member(a.id).seq for a in later) > clock


# --- average linkage ----------------------------------------------------------------------------


def naive_average_linkage(sim: np.ndarray, threshold: float) -> list[set[int]]:
    clusters = [{i} for i in range(len(sim))]
    while True:
        best, pair = -1.0, None
        for x in range(len(clusters)):
            for y in range(x + 1, len(clusters)):
                mean = np.mean([sim[i, j] for i in clusters[x] for j in clusters[y]])
                if mean > best:
                    best, pair = mean, (x, y)
        if pair is None or best < threshold:
            return clusters
        x, y = pair
        clusters[x] |= clusters.pop(y)


@pytest.mark.parametrize("seed", range(5))
def test_average_linkage_by_components_is_average_linkage(seed):
    rng = np.random.default_rng(seed)
    points = rng.normal(size=(40, 5)) + np.repeat(rng.normal(scale=3, size=(8, 5)), 5, axis=0)
    points /= np.linalg.norm(points, axis=1, keepdims=True)
    sim = points @ points.T
    valid = ~np.eye(40, dtype=bool)
    labels = average_linkage(sim, sim, valid, 0.6, 0.0)
    ours = {}
    for row, label in enumerate(labels):
        ours.setdefault(label, set()).add(row)
    assert sorted(map(sorted, ours.values())) == sorted(map(sorted, naive_average_linkage(sim, 0.6)))


def test_average_linkage_needs_both_bars_and_a_valid_pair():
    sim = np.array([[0, 0.9, 0.1], [0.9, 0, 0.1], [0.1, 0.1, 0]])
    valid = ~np.eye(3, dtype=bool)
    assert average_linkage(sim, sim, valid, 0.5, 0.0) == [0, 0, 2]
    assert average_linkage(sim * 10, sim, valid, 0.5, 0.95) == [0, 1, 2]  # the plain floor holds them apart
    assert average_linkage(sim, sim, np.zeros((3, 3), dtype=bool), 0.5, 0.0) == [0, 1, 2]


# --- the SQLite state answers as the memory one -------------------------------------------------


def test_story_store_members_copies_and_redirects_as_the_memory_state():
    store = Store(":memory:")
    memory = MemoryState()
    members = [
        Member("a1", "s1", 3, {"fire": 1.0}, None, date(2024, 7, 2), "Wire", "Fire", None),
        Member("a2", "s1", 5, {"fire": 1.0, "#40": 2.0}, None, None, "Post", "Fire grows", 1),
        Member("c1", "s1", 6, {}, "a1", None, "Repost", "Fire", None),
        Member("b1", "s2", 4, {"quake": 1.3}, None, date(2024, 7, 3), None, "", None),
    ]
    for state in (store.stories, memory):
        state.save(StoryState("s1", updated=2))
        state.save(StoryState("s2", updated=1))
        state.save_members(members)
    for state in (store.stories, memory):
        assert state.member("a2") == replace(members[1], vector={}) and state.member("nope") is None
        assert [m.id for m in state.members("s1")] == ["c1", "a2", "a1"]  # most recent first, copies too
        assert state.members("s1", 1, vectors=True) == [members[1]]  # the most recent with features
        assert [m.id for m in state.copies(["a1", "b1"])] == ["c1"]
        assert state.sequence() == 6
    for state in (store.stories, memory):
        state.save_members([replace(members[3], story="s1")])
        state.retire("s2", "s1")
        assert state.get("s2") is None and state.resolve("s2") == "s1" and state.resolve("s1") == "s1"
        assert {m.id for m in state.members("s1")} == {"a1", "a2", "c1", "b1"}
        state.save(StoryState("s3", updated=7))
        state.retire("s3", None)  # nowhere to go: dropped, its id names nothing
        assert state.get("s3") is None and state.resolve("s3") is None and state.resolve("s2") == "s1"


def test_schema_7_gives_stories_of_an_older_database_their_members(tmp_path):
    db = tmp_path / "old.db"
    store = Store(db)
    with store.transaction():
        store.articles.write(
            [
                replace(article("x", "Earlier on Saturday the ship sailed.", "Ship sails"), story="s1"),
                replace(article("y", "The ship sailed.", "Ship", date(2021, 3, 17)), story="s1"),
            ],
            [],
        )
    store.close()
    with sqlite3.connect(db) as old:  # as schema 6 left it: no members, no redirects (nor schema 8's days)
        old.execute("DROP TABLE story_members")
        old.execute("DROP TABLE story_redirects")
        old.execute("DROP TABLE article_days")
        old.execute("DROP TABLE days")
        old.execute("DROP INDEX articles_order")
        old.execute("PRAGMA user_version = 6")
    old.close()
    store = Store(db)
    x, y = store.stories.member("x"), store.stories.member("y")
    assert (x.story, x.vector, x.published, x.clue, x.title) == ("s1", {}, None, 5, "Ship sails")
    assert (y.published, y.clue) == (date(2021, 3, 17), None)
    assert store.stories.members("s1", 10, vectors=True) == []  # listed and dated, never re-clustered
    store.close()


# --- the pipeline: later ingests, redirects, idempotence, a killed ingest --------------------------


def fire_inputs(folder: Path) -> tuple[Path, Path]:
    first, later = fire()
    one = write(
        folder / "one" / "first.jsonl", jsonl([{"id": a.id, "text": a.text, "published": "2024-07-02"} for a in first])
    )
    two = write(
        folder / "two" / "later.jsonl", jsonl([{"id": a.id, "text": a.text, "published": "2024-07-02"} for a in later])
    )
    return one, two


def test_a_later_ingest_merges_stories_and_the_old_id_still_finds_its_articles(tmp_path):
    one, two = fire_inputs(tmp_path)
    with dateline.open(tmp_path / "fire.db") as corpus:
        corpus.ingest([str(one)], workers=1)
        before = {a.external_id: a.story for a in corpus.articles()}
        assert len(set(before.values())) == 2
        corpus.ingest([str(two)], workers=1)
        after = {a.external_id: a.story for a in corpus.articles()}
        assert len(set(after.values())) == 1
        survivor = after["first"]
        (retired,) = set(before.values()) - {survivor}
        stories = list(corpus.stories())
        assert [s["id"] for s in stories] == [survivor] and sorted(stories[0]["articles"]) == sorted(
            a.id for a in corpus.articles()
        )
        assert {a.external_id for a in corpus.articles(story=retired)} == set(after)  # the old id redirects
        page, total = corpus.article_page(story=retired)
        assert total == 5 and {a.story for a in page} == {survivor}
        again = corpus.ingest([str(one), str(two)], workers=1)
        assert (again.stored, again.unchanged) == (0, 5)
        assert {a.external_id: a.story for a in corpus.articles()} == after


def snapshot(db: Path) -> tuple:
    """Every story-related row, in a stable order."""
    with sqlite3.connect(db) as connection:
        rows = tuple(
            connection.execute(sql).fetchall()
            for sql in (
                "SELECT id, story, published, published_source FROM articles ORDER BY id",
                "SELECT id, state FROM stories ORDER BY id",
                "SELECT * FROM story_members ORDER BY article",
                "SELECT * FROM story_redirects ORDER BY old",
                "SELECT * FROM story_terms ORDER BY term, story",
            )
        )
    connection.close()
    return rows


def ingest(db: Path, paths, **kwargs) -> pipeline.Report:
    with dateline.open(db) as corpus:
        return pipeline.ingest(corpus.store, [str(p) for p in paths], workers=1, today=TODAY, **kwargs)


def test_the_sample_in_small_batches_ingests_the_same_twice_and_resumes_after_a_kill(tmp_path):
    """Small batches make later batches re-cluster (and move) earlier articles: the end state is
    the same on a second run, unchanged by ingesting again, and reached again after a kill."""
    whole = tmp_path / "whole.db"
    ingest(whole, [SAMPLE], batch_size=4)
    reference = snapshot(whole)
    again = ingest(whole, [SAMPLE], batch_size=4)
    assert again.stored == 0 and snapshot(whole) == reference

    class Killed(Exception):
        pass

    batches = []

    def die_after_three_batches(report):
        batches.append(report.read)
        if len(batches) == 3:
            raise Killed

    killed = tmp_path / "killed.db"
    with pytest.raises(Killed):
        ingest(killed, [SAMPLE], batch_size=4, progress=die_after_three_batches)
    ingest(killed, [SAMPLE], batch_size=4)
    assert snapshot(killed) == reference
    with dateline.open(whole) as corpus:  # every article is where its story says
        by_story = {s["id"]: set(s["articles"]) for s in corpus.stories()}
        for a in corpus.articles():
            assert a.id in by_story[a.story]


def test_cluster_is_deterministic_whatever_the_state(tmp_path):
    first, later = fire()
    articles = [*first, *later, article("other", "Parliament passed the budget after a long debate on taxes.")]
    memory = cluster([replace(a) for a in articles])
    assert cluster([replace(a) for a in articles]) == memory
    assert cluster([replace(a) for a in articles], state=Store(tmp_path / "s.db").stories) == memory
    assert features(articles[0]) == features(replace(articles[0]))


# --- a state that lost a write does not end an ingest --------------------------------------------


class _Forgetful(MemoryState):
    """A state whose writes of one article's membership are lost (a crash between two statements, a
    bug elsewhere): the story that article opened has no members when it is summarised."""

    def __init__(self, lost: str):
        super().__init__()
        self.lost = lost

    def save_members(self, members):
        super().save_members(m for m in members if m.id != self.lost)


def test_a_story_left_without_members_by_a_lost_write_is_dropped_not_fatal():
    state = _Forgetful(lost="second")
    clusterer = Clusterer(state)
    first, bridges = fire()
    clusterer.assign_batch([(a, None) for a in first])  # two stories, "second"'s never gets its member
    clusterer.assign_batch([(a, None) for a in bridges])
    stories = [state.get(s) for s in {m.story for m in state.by_article.values()}]
    assert all(story is not None and story.articles for story in stories)
    assert all(state.resolve(s) is None or state.get(state.resolve(s)).articles for s in state.redirects)
    assert state.member("second") is None and {m for m in state.by_article} == {"first", *(a.id for a in bridges)}


def test_an_emptied_story_unseen_by_its_window_redirects_to_where_its_articles_are():
    state = MemoryState()
    clusterer = Clusterer(state)
    first, bridges = fire()
    clusterer.assign_batch([(a, None) for a in first])
    old = state.member("second").story
    keeper = state.member("first").story
    state.save_members([replace(state.member("second"), story=keeper)])  # moved behind the clusterer's back
    assert clusterer._heir(old, Counter()) == keeper
    state.retire(old, clusterer._heir(old, Counter()))
    assert state.resolve(old) == keeper
