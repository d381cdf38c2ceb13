"""Story clustering: the seed stories, dates flowing through stories, determinism, order."""

from __future__ import annotations

import json
import pickle
from dataclasses import replace
from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from conftest import seed_path
from dateline.cluster import Clusterer, MemoryState, Params, StoryState, cluster, features, infer_date, weekday_clue
from dateline.models import Article

PUBLISHED = {"000": date(2018, 12, 28), "001": None, "002": date(2021, 7, 13), "003": date(2021, 3, 17), "004": None}
OUTLETS = {"000": "TASS", "001": "repost", "002": "TASS", "003": "Sputnik", "004": "Sputnik"}
EXPECTED = {frozenset({"000"}), frozenset({"001", "002"}), frozenset({"003", "004"})}


def seed_article(number: str) -> Article:
    """A seed as a cleaner might leave it: short lines (menus, credits, markers) dropped, title = first line."""
    path = seed_path(number)
    lines = [line.strip() for line in path.read_text("utf-8").splitlines()]
    lines = [line for line in lines if len(line.split()) >= 6]
    return Article(
        id=number,
        external_id=path.stem,
        path=str(path),
        url=None,
        source=OUTLETS[number],
        title=lines[0],
        language="en",
        published=PUBLISHED[number],
        published_source="text" if PUBLISHED[number] else None,
        modified=None,
        text="\n".join(lines[1:]),
    )


@pytest.fixture(scope="module")
def seeds() -> list[Article]:
    return [seed_article(n) for n in sorted(PUBLISHED)]


def partition(stories: dict[str, list[str]]) -> set[frozenset[str]]:
    return {frozenset(members) for members in stories.values()}


def fresh(articles: list[Article]) -> list[Article]:
    return [replace(a) for a in articles]  # assign() writes story/date into the article


def test_seed_stories(seeds):
    assert partition(cluster(fresh(seeds))) == EXPECTED


def test_story_fields_and_inferred_date(seeds):
    state = MemoryState()
    clusterer = Clusterer(state)
    articles = fresh(seeds)
    ids = {a.id: clusterer.assign(a, features(a)) for a in articles}
    assert all(a.story == ids[a.id] for a in articles)
    recalled = state.get(ids["003"])
    assert recalled.articles == ["003", "004"]
    assert recalled.first == date(2021, 3, 17) and recalled.last == date(2021, 3, 20)
    assert recalled.outlets == ["Sputnik"]
    assert recalled.label in {articles[3].title, articles[4].title}
    by_id = {a.id: a for a in articles}
    assert by_id["004"].published == date(2021, 3, 20) and by_id["004"].published_source == "inferred"
    # 001 names no weekday: it stays undated (its date comes from dedup, not from the story).
    assert by_id["001"].published is None
    geneva = state.get(ids["002"])
    assert (geneva.first, geneva.last) == (date(2021, 7, 13), date(2021, 7, 13))
    assert geneva.outlets == ["TASS", "repost"]


def test_date_flows_back_when_the_dated_article_comes_later(seeds):
    clusterer = Clusterer(MemoryState())
    undated, dated = fresh([seeds[4], seeds[3]])
    clusterer.assign(undated)
    assert undated.published is None
    clusterer.assign(dated)
    assert dated.story == undated.story
    assert clusterer.take_inferred() == {"004": date(2021, 3, 20)}
    assert clusterer.take_inferred() == {}


def test_infer_date(seeds):
    assert infer_date(seeds[4].text, date(2021, 3, 17)) == date(2021, 3, 20)
    assert infer_date("Earlier on Saturday, the minister resigned.", date(2021, 3, 20)) == date(2021, 3, 20)
    assert infer_date("The minister resigned on Monday.", date(2021, 3, 17)) == date(2021, 3, 22)
    assert infer_date("The minister resigned after a long debate.", date(2021, 3, 17)) is None
    assert infer_date("Talks on Monday, a vote on Friday.", date(2021, 3, 17)) is None  # ambiguous
    assert weekday_clue("") is None


def test_deterministic(seeds):
    first = cluster(fresh(seeds))
    second = cluster(fresh(seeds))
    assert first == second
    assert features(seeds[0]) == features(seeds[0])
    assert pickle.loads(pickle.dumps(features)) is features  # runs in worker processes


@pytest.mark.shared
@settings(max_examples=40, deadline=None)
@given(st.permutations(range(5)))
def test_order_does_not_change_seed_stories(order):
    articles = [seed_article(n) for n in sorted(PUBLISHED)]
    assert partition(cluster([articles[i] for i in order])) == EXPECTED


@pytest.mark.shared
@settings(max_examples=10, deadline=None)
@given(st.permutations(range(5)), st.integers(1, 5))
def test_batches_do_not_change_seed_stories(order, size):
    articles = [seed_article(n) for n in sorted(PUBLISHED)]
    articles = [articles[i] for i in order]
    clusterer = Clusterer(MemoryState())
    stories: dict[str, list[str]] = {}
    for start in range(0, 5, size):
        batch = articles[start : start + size]
        for article, sid in zip(batch, clusterer.assign_batch([(a, None) for a in batch])):
            stories.setdefault(sid, []).append(article.id)
    assert partition(stories) == EXPECTED


def test_duplicates_join_their_canonicals_story(seeds):
    state = MemoryState()
    clusterer = Clusterer(state)
    canonical = replace(seeds[0])
    sid = clusterer.assign(canonical)
    centroid = dict(state.get(sid).centroid)
    copy = replace(seeds[0], id="copy", source="Repost", duplicate_of=canonical.id)
    assert clusterer.assign_to(sid, copy) == sid == copy.story
    story = state.get(sid)
    assert story.articles == [canonical.id, "copy"] and story.outlets == ["Repost", "TASS"]
    assert story.centroid == centroid  # a copy must not pull the story towards itself
    with pytest.raises(KeyError, match="assign the canonical article first"):
        clusterer.assign_to("no-such-story", copy)


def test_time_window_keeps_same_text_apart_when_far_apart_in_time(seeds):
    early = replace(seeds[0], id="early")
    late = replace(seeds[0], id="late", published=date(2019, 6, 1))
    assert len(cluster([early, late])) == 2
    assert len(cluster([replace(early), replace(late, published=date(2018, 12, 30))])) == 1
    assert len(cluster([replace(early), replace(late, published=None)])) == 1  # undated: no window


def test_story_state_round_trips_through_json(seeds):
    state = MemoryState()
    clusterer = Clusterer(state)
    for article in fresh(seeds):
        clusterer.assign(article)
    for story in state.stories.values():
        assert StoryState.from_json(json.loads(json.dumps(story.to_json()))).to_json() == story.to_json()


def test_memory_state_candidates_respect_window_and_limit():
    state = MemoryState()
    for i, (first, last) in enumerate(
        [(date(2020, 1, 1), date(2020, 1, 3)), (date(2020, 3, 1), date(2020, 3, 1)), (None, None)]
    ):
        state.save(StoryState(id=f"s{i}", first=first, last=last, terms=["quake", "@haiti"][: 1 + i % 2], updated=i))
    window = [s.id for s in state.active(date(2019, 12, 28), date(2020, 1, 11), ["quake", "@haiti"], 10)]
    # s1 is outside the window; undated stories always qualify; ties: most recently updated first.
    assert window == ["s2", "s0"]
    assert [s.id for s in state.active(None, None, ["@haiti"], 10)] == ["s1"]
    assert len(state.active(None, None, ["quake", "@haiti"], 2)) == 2


def test_params_load_the_shipped_file():
    params = Params.load()
    assert 0.0 < params.threshold < 1.0 and params.window_days > 0


def test_background_idf_weighs_common_words_below_names():
    params = Params.load()
    background = Params.background()
    assert params.background_documents > 0 and len(background) > 1000
    assert all(0.0 < v <= 1.0 for v in background.values())
    clusterer = Clusterer(MemoryState(), params)
    # An empty stream: without the background both terms would weigh the same.
    assert clusterer._idf("people", 0, {}) < clusterer._idf("@antonov", 0, {})
    flat = Clusterer(MemoryState(), params.replace(background_documents=0.0))
    assert flat._idf("people", 0, {}) == flat._idf("@antonov", 0, {})
