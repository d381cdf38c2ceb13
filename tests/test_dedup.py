"""Duplicate detection: seeds, kinds, canonical choice, order independence."""

from __future__ import annotations

import random
from datetime import date

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from conftest import require_shared
from dateline import dedup
from dateline.dedup import Deduper, Match, MemoryIndex, better, compare, dedupe, fingerprint, normalise
from dateline.models import Article

# Sentences of three unrelated made-up articles, long enough for containment.
STORIES = [
    [
        f"The harbour authority in port town {n} said on Monday that channel {n} would reopen after {n + 3} days of dredging work."
        for n in range(12)
    ],
    [
        f"Farmers in valley {n} reported that the spring harvest of crop {n} was {n + 10} percent larger than the year before."
        for n in range(12)
    ],
    [
        f"The city council of district {n} voted {n + 5} to {n} on Tuesday to extend the tram line by {n + 2} kilometres."
        for n in range(12)
    ],
]


def make(article_id: str, text: str, *, source: str | None = None, published: date | None = None) -> Article:
    return Article.of_text(article_id, text, path=f"{article_id}.txt", source=source, published=published)


def groups_of(index: MemoryIndex) -> set[frozenset[str]]:
    return {frozenset([canonical, *members]) for canonical, members in index.groups().items()}


@pytest.fixture(scope="module")
def seeds() -> dict[str, Article]:
    files = sorted(require_shared().glob("*.txt"))
    assert len(files) == 5, files
    return {
        f.name[:3]: make(
            f.name[:3], f.read_text(encoding="utf-8"), published=date(2021, 7, 13) if f.name.startswith("002") else None
        )
        for f in files
    }


def test_seed_001_is_a_trimmed_copy_of_002(seeds):
    matches = dedupe(seeds.values())
    assert set(matches) == {"001"}, "only 001 is a duplicate; 000, 003 and 004 stand alone"
    assert matches["001"].canonical == "002"
    assert matches["001"].kind in ("containment", "near")
    assert matches["001"].score >= 0.9


@pytest.mark.parametrize("order", [["001", "002"], ["002", "001"]])
def test_seed_canonical_is_002_whatever_the_order(seeds, order):
    matches = dedupe([seeds[name] for name in order])
    assert matches == {"001": Match("002", "containment", matches["001"].score)}


def test_same_event_seeds_are_not_duplicates(seeds):
    a, _ = fingerprint(seeds["003"].text)
    b, _ = fingerprint(seeds["004"].text)
    assert compare(a, b) is None
    assert dedupe([seeds["003"], seeds["004"], seeds["000"]]) == {}


def test_normalise_folds_abbreviations_quotes_and_whitespace():
    assert normalise("The “U.S.”  said:\n‘don’t’") == normalise('the US said: "don\'t"') == "the us said dont"


def test_exact_copy_with_other_whitespace_and_quotes():
    text = " ".join(STORIES[0]).replace("said", '"said"')
    copy = text.replace('"said"', "“said”").replace(" ", "  \n ")
    matches = dedupe([make("a", text, published=date(2021, 1, 1)), make("b", copy, published=date(2021, 1, 2))])
    assert matches == {"b": Match("a", "exact", 1.0)}


def test_shuffled_sentences_are_not_an_exact_duplicate():
    sentences = list(STORIES[1])
    shuffled = sentences[:]
    random.Random(3).shuffle(shuffled)
    a, _ = fingerprint(" ".join(sentences))
    b, _ = fingerprint(" ".join(shuffled))
    found = compare(a, b)
    assert found is None or found[0] != "exact"


def test_trimmed_copy_is_containment_and_the_full_text_is_canonical():
    full = " ".join(STORIES[2])
    trimmed = " ".join(s for i, s in enumerate(STORIES[2]) if i % 2 == 0)  # half the sentences
    matches = dedupe([make("trimmed", trimmed), make("full", full)])
    assert set(matches) == {"trimmed"}
    assert matches["trimmed"].canonical == "full"
    assert matches["trimmed"].kind == "containment"
    assert matches["trimmed"].score > 0.9


def test_a_better_canonical_arriving_later_takes_over_and_is_reported():
    full = " ".join(STORIES[0])
    trimmed = " ".join(STORIES[0][:8])
    index = MemoryIndex()
    deduper = Deduper(index)
    records = {"t1": make("t1", trimmed), "t2": make("t2", trimmed + " Read more."), "full": make("full", full)}
    verdicts = {}
    for article_id in ("t1", "t2", "full"):
        shingles, keys = fingerprint(records[article_id].text)
        needed = deduper.needs(keys, article_id)
        verdicts[article_id] = deduper.check(records[article_id], shingles, keys, {i: records[i] for i in needed})
    assert verdicts["t1"].match is None
    # t2 is as complete (same 10 % class), undated like t1, and longer: it takes over, and says so.
    assert verdicts["t2"].match is None
    assert [(i, m.canonical, m.kind) for i, m in verdicts["t2"].repointed] == [("t1", "t2", "near")]
    final = verdicts["full"]
    assert final.match is None  # the newcomer is the canonical now
    assert {article_id for article_id, _ in final.repointed} == {"t1", "t2"}
    assert all(match is not None and match.canonical == "full" for _, match in final.repointed)
    assert index.group("full") == ["t1", "t2"]


def test_wire_original_beats_a_longer_repost():
    original = make("o", "MOSCOW, July 13. /TASS/. " + " ".join(STORIES[1]), source="TASS", published=date(2021, 7, 13))
    repost = make(
        "r", original.text + " Share this article. Follow us.", source="Reposter", published=date(2021, 7, 13)
    )
    assert better(original, repost) and not better(repost, original)
    assert dedupe([repost, original])["r"].canonical == "o"


def test_fingerprint_is_deterministic_and_sorted():
    text = " ".join(STORIES[0])
    a, keys_a = fingerprint(text)
    b, keys_b = fingerprint(text)
    assert np.array_equal(a, b) and keys_a == keys_b
    assert a.dtype == np.uint64 and np.all(a[1:] > a[:-1])
    assert len(keys_a) == dedup.NUM_PERM // dedup.BAND_ROWS
    assert all(-(2**63) <= key < 2**63 for key in keys_a)
    assert fingerprint("")[0].size == 0 and fingerprint("")[1] == []


def _corpus() -> list[Article]:
    """Three originals with trimmed, edited and exact copies, plus an unrelated article."""
    rng = random.Random(11)
    out = []
    for s, sentences in enumerate(STORIES):
        out.append(make(f"s{s}", " ".join(sentences), published=date(2021, 1, 1 + s)))
        out.append(make(f"s{s}-exact", " ".join(sentences) + "\n", published=date(2021, 1, 2 + s)))
        kept = [x for i, x in enumerate(sentences) if i not in rng.sample(range(12), 4)]
        out.append(make(f"s{s}-trim", " ".join(kept), published=date(2021, 1, 2 + s)))
        edited = " ".join(sentences).replace("said", "told reporters", 1)
        out.append(make(f"s{s}-edit", edited, published=date(2021, 1, 3 + s)))
    out.append(make("alone", "A completely different short notice about a library opening its doors on Sunday."))
    return out


EXPECTED = {frozenset({f"s{s}", f"s{s}-exact", f"s{s}-trim", f"s{s}-edit"}) for s in range(3)}


@settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(order=st.permutations(range(13)), cuts=st.lists(st.integers(0, 13), max_size=4))
def test_groups_do_not_depend_on_order_or_batches(order, cuts):
    articles = [_corpus()[i] for i in order]
    index = MemoryIndex()
    deduper = Deduper(index)
    records: dict[str, Article] = {}
    bounds = sorted({0, len(articles), *cuts})
    for start, end in zip(bounds, bounds[1:]):  # batches: fingerprints first, then checks in order
        batch = articles[start:end]
        prints = [fingerprint(article.text) for article in batch]
        for article, (shingles, keys) in zip(batch, prints):
            records[article.id] = article
            needed = deduper.needs(keys, article.id)
            deduper.check(article, shingles, keys, {i: records[i] for i in needed})
    assert groups_of(index) == EXPECTED
    canonicals = set(index.groups())
    assert canonicals == {"s0", "s1", "s2"}  # the full, earliest originals
    for canonical, members in index.groups().items():
        assert index.pointer(canonical) is None  # a canonical is never itself a duplicate
        for member in members:
            assert index.pointer(member).canonical == canonical
    assert index.pointer("alone") is None


def test_every_duplicate_points_at_a_canonical_that_is_not_a_duplicate():
    matches = dedupe(_corpus())
    assert matches
    for match in matches.values():
        assert match.canonical not in matches
        assert match.kind in dedup.KINDS and 0 <= match.score <= 1


def test_check_asks_for_the_records_it_needs():
    index = MemoryIndex()
    deduper = Deduper(index)
    first = make("a", " ".join(STORIES[0]))
    shingles, keys = fingerprint(first.text)
    deduper.check(first, shingles, keys, {})
    second = make("b", first.text)
    shingles, keys = fingerprint(second.text)
    assert deduper.needs(keys, "b") == {"a"}
    with pytest.raises(KeyError, match="needs"):
        deduper.check(second, shingles, keys, {})
    assert index.shingles("b") is None  # nothing was written


# --- speed work: the fast paths must give the same answers as the plain definitions ----------------


def _reference_word_hashes(text: str) -> list[int]:
    """The word hash spelled out per word in plain Python (pins the values stored in existing indexes)."""
    base, mask = 0x9E3779B97F4A7C15, (1 << 64) - 1

    def mix(x: int) -> int:
        x = ((x ^ (x >> 30)) * 0xBF58476D1CE4E5B9) & mask
        x = ((x ^ (x >> 27)) * 0x94D049BB133111EB) & mask
        return x ^ (x >> 31)

    out = []
    for word in normalise(text).split():
        h = 0
        for char in word:
            h = (h * base + ord(char)) & mask
        out.append(mix((h + len(word)) & mask))
    return out


@settings(max_examples=300, deadline=None)
@given(st.text(alphabet=st.sampled_from(list("aZ9_ .'`,-\n\t") + list("’‘“”–—…\u00a0«»•´éßİ")), max_size=40))
def test_word_hashes_equal_hashing_the_normalised_words(text):
    assert dedup.word_hashes(text).tolist() == _reference_word_hashes(text)


def test_word_hashes_on_abbreviations_and_apostrophes():
    for text in ("The U.S. and U.K. said", "don't `x' 'y a.b.c. e.g. end.", "x'.b. a'`b", "…a. x…y.", "’tis l’été"):
        assert dedup.word_hashes(text).tolist() == _reference_word_hashes(text), text


def _pair(rng: np.random.Generator, small: int, large: int, contained: float) -> tuple[np.ndarray, np.ndarray]:
    common = round(contained * small)
    values = rng.integers(0, 2**64, size=small + large - common, dtype=np.uint64)
    return np.unique(values[:small]), np.unique(np.concatenate([values[:common], values[small:]]))


@pytest.mark.parametrize("small,large", [(40, 40), (60, 120), (300, 300), (300, 600), (2000, 4000)])
def test_screening_keeps_duplicates_at_the_thresholds(small, large):
    """Containment 0.7 (the threshold) of a set in one up to twice its size: found ≥ 99 % of the time."""
    rng = np.random.default_rng(small + large)
    found = 0
    for _ in range(300):
        a, b = _pair(rng, small, large, dedup.CONTAINED)
        keys_a = set(dedup.band_keys(dedup.signature(a)))
        shared = sum(key in keys_a for key in dedup.band_keys(dedup.signature(b)))
        found += shared > 0 and dedup.plausible(shared, a.size, b.size)
    assert found >= 0.99 * 300


def test_screening_drops_same_topic_articles_that_share_one_band():
    assert not dedup.plausible(1, 500, 520)  # similar sizes need a resemblance ≥ 0.54: one shared band is not that
    assert dedup.plausible(1, 500, 1000)  # a trimmed copy of half the length may share one band only
    assert dedup.plausible(0, 20, 20)  # tiny sets are always verified


class PlainIndex:
    """An `Index` without `shared` (what store.py implements until it adds it): every candidate is verified."""

    def __init__(self) -> None:
        self.inner = MemoryIndex()

    def __getattr__(self, name):
        if name == "shared":
            raise AttributeError(name)
        return getattr(self.inner, name)


def test_counting_and_plain_indexes_find_the_same_groups():
    counting, plain = MemoryIndex(), PlainIndex()
    dedupe(_corpus(), counting)
    dedupe(_corpus(), plain)
    assert groups_of(counting) == groups_of(plain.inner) == EXPECTED


def test_needs_with_shingles_asks_only_for_real_duplicates():
    index = MemoryIndex()
    deduper = Deduper(index)
    records = {article.id: article for article in _corpus()}
    for article in records.values():
        shingles, keys = fingerprint(article.text)
        needed = deduper.needs(keys, article.id, shingles)
        deduper.check(article, shingles, keys, {i: records[i] for i in needed})
    shingles, keys = fingerprint(records["s1"].text + " A closing line.")
    assert deduper.needs(keys, "new", shingles) == {"s1"}
    shingles, keys = fingerprint(records["alone"].text)
    assert deduper.needs(keys, "alone-again", shingles) == {"alone"}
    assert deduper.needs(fingerprint("Nothing like anything indexed so far, at all, in any way.")[1], "x") == set()


def test_memory_index_re_adding_an_article_replaces_its_keys():
    index = MemoryIndex()
    a, keys_a = fingerprint(" ".join(STORIES[0]))
    b, keys_b = fingerprint(" ".join(STORIES[1]))
    index.add("x", keys_a, a)
    index.add("y", keys_a, a)
    index.add("x", keys_b, b)
    assert index.candidates(keys_a) == {"y"}
    assert index.candidates(keys_b) == {"x"}
    assert index.shared(keys_b) == {"x": (len(keys_b), b.size)}
    index.add("y", keys_b, b)
    assert index.candidates(keys_a) == set()
    assert index.shared(keys_b) == {"x": (len(keys_b), b.size), "y": (len(keys_b), b.size)}


def test_small_texts_get_a_full_signature():
    for text in ("one", "two words", "a short line of seven words here"):
        shingles, keys = fingerprint(text)
        assert len(keys) == dedup.NUM_PERM // dedup.BAND_ROWS
        assert fingerprint(text)[1] == keys
