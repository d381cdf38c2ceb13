"""Duplicates and stories through the whole pipeline: order, batch size and re-ingesting don't change them."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dateline
from conftest import SEEDS, require_shared


def trimmed(text: str, keep_every: int = 2) -> str:
    """A syndicated copy that dropped some paragraphs."""
    paragraphs = [p for p in text.split("\n\n") if p.strip()]
    return "\n\n".join(p for i, p in enumerate(paragraphs) if i % keep_every == 0 or len(paragraphs) < 4)


@pytest.fixture(scope="module")
def corpus_files(tmp_path_factory) -> list[Path]:
    require_shared()
    root = tmp_path_factory.mktemp("stages")
    files = []
    for seed in sorted(SEEDS.glob("*.txt")):
        target = root / seed.name
        shutil.copy(seed, target)
        files.append(target)
    text = (SEEDS / "000_21f6d3115ffebdbf.txt").read_text(encoding="utf-8")
    copy = root / "repost_000.txt"
    copy.write_text(trimmed(text), encoding="utf-8")
    exact = root / "mirror_003.txt"
    exact.write_text((SEEDS / "003_a563e6cb8a91dae6.txt").read_text(encoding="utf-8"), encoding="utf-8")
    return files + [copy, exact]


def partition(corpus: dateline.Corpus, key: str) -> set[frozenset[str]]:
    names = {a.id: Path(a.path).name for a in corpus.articles()}
    if key == "dupes":
        return {frozenset([names[g["canonical"]]] + [names[d["id"]] for d in g["duplicates"]]) for g in corpus.dupes()}
    return {frozenset(names[i] for i in s["articles"]) for s in corpus.stories()}


def ingest(db: Path, files: list[Path], batch_size: int, one_by_one: bool) -> dateline.Corpus:
    corpus = dateline.open(db)
    if one_by_one:
        for path in files:
            corpus.ingest([path], batch_size=batch_size)
    else:
        corpus.ingest(files, batch_size=batch_size)
    return corpus


def test_duplicate_groups_and_stories_on_the_seeds(tmp_path, corpus_files):
    corpus = ingest(tmp_path / "a.db", corpus_files, 64, one_by_one=False)
    assert partition(corpus, "dupes") == {
        frozenset({"001_3d05aca15ffa9414.txt", "002_b3154753fd7f3c6d.txt"}),
        frozenset({"000_21f6d3115ffebdbf.txt", "repost_000.txt"}),
        frozenset({"003_a563e6cb8a91dae6.txt", "mirror_003.txt"}),
    }
    stories = partition(corpus, "stories")
    assert {"003_a563e6cb8a91dae6.txt", "004_4a5570c54cc0b3ec.txt", "mirror_003.txt"} in stories
    assert {"001_3d05aca15ffa9414.txt", "002_b3154753fd7f3c6d.txt"} in stories


def test_every_duplicate_points_at_a_canonical_that_is_not_a_duplicate(tmp_path, corpus_files):
    corpus = ingest(tmp_path / "a.db", list(reversed(corpus_files)), 1, one_by_one=True)
    articles = {a.id: a for a in corpus.articles()}
    copies = [a for a in articles.values() if a.duplicate_of]
    assert copies
    for article in copies:
        assert articles[article.duplicate_of].duplicate_of is None
        assert article.story == articles[article.duplicate_of].story  # a copy is in its canonical's story


def test_exact_copy_is_exact_and_shuffled_sentences_are_not(tmp_path, corpus_files):
    corpus = ingest(tmp_path / "a.db", corpus_files, 64, one_by_one=False)
    kinds = {Path(a.path).name: a for a in corpus.articles()}
    group = next(
        g for g in corpus.dupes() if kinds["mirror_003.txt"].id in {g["canonical"], *(d["id"] for d in g["duplicates"])}
    )
    assert {d["kind"] for d in group["duplicates"]} == {"exact"}
    text = (SEEDS / "000_21f6d3115ffebdbf.txt").read_text(encoding="utf-8")
    sentences = [s for s in text.replace("\n", " ").split(". ") if s.strip()]
    shuffled = tmp_path / "shuffled" / "shuffled_000.txt"
    shuffled.parent.mkdir()
    shuffled.write_text(". ".join(sentences[::-1]), encoding="utf-8")
    corpus.ingest([shuffled])
    copy = next(a for a in corpus.articles() if Path(a.path).name == "shuffled_000.txt")
    pointer = next((d for g in corpus.dupes() for d in g["duplicates"] if d["id"] == copy.id), None)
    assert pointer is None or pointer["kind"] != "exact"


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(order=st.permutations(range(7)), batch_size=st.sampled_from([1, 2, 64]), one_by_one=st.booleans())
def test_order_and_batch_size_do_not_change_duplicate_groups(
    tmp_path_factory, corpus_files, order, batch_size, one_by_one
):
    reference = partition(ingest(tmp_path_factory.mktemp("ref") / "r.db", corpus_files, 64, False), "dupes")
    files = [corpus_files[i] for i in order]
    corpus = ingest(tmp_path_factory.mktemp("run") / "x.db", files, batch_size, one_by_one)
    assert partition(corpus, "dupes") == reference


def test_ingesting_twice_changes_no_group_or_story(tmp_path, corpus_files):
    corpus = ingest(tmp_path / "a.db", corpus_files, 64, one_by_one=False)
    before = (partition(corpus, "dupes"), partition(corpus, "stories"), [a.to_dict() for a in corpus.articles()])
    report = corpus.ingest(corpus_files)
    assert report.stored == 0 and report.unchanged == len(corpus_files)
    after = (partition(corpus, "dupes"), partition(corpus, "stories"), [a.to_dict() for a in corpus.articles()])
    assert before == after
