"""Duplicate detection: exact copies, near copies and containment (trimmed copies).

How it works, in the order an article meets it:

1. `fingerprint(text)` (pure, cheap, run in the worker processes) normalises the
   text (NFKC, case, quote styles, "U.S." = "US", whitespace), hashes every word
   with a vectorised polynomial hash, and returns the sorted set of 64-bit
   hashes of its word 5-grams ("shingles") plus the LSH band keys of a MinHash
   signature of that set.
2. `Deduper.check` looks the band keys up in the `Index` (candidates), verifies
   every candidate on the real shingle sets (resemblance = Jaccard, containment
   = |A∩B| / |smaller|), joins the article to the group(s) it matches and
   records everything in the index. No all-pairs comparison ever happens.

Why bands of two rows: a trimmed copy that keeps half of an article has a
Jaccard resemblance of only ~0.5 with it (less after edits), so the usual
Jaccard-tuned banding (e.g. 16 × 8 rows) would miss it. With 64 bands of 2
rows a pair collides with probability 1 - (1 - J²)^64: 0.93 at J = 0.2, 0.998 at
J = 0.3, and more than 1 - 1e-6 from J = 0.45 on, while pairs of unrelated
articles (J ≈ 0) almost never collide. False candidates are cheap, because
verification is exact.

Groups are the connected components of the "is a duplicate of" relation, and
every member points straight at the group's canonical, the best member by
`better`. Both are independent of the order in which articles arrive.
"""
from __future__ import annotations

import math
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from typing import Protocol

import numpy as np

from dateline.models import Article
from dateline.source import wire_tag

SHINGLE_WORDS = 5  # words per shingle: long enough to be specific, short enough to survive edits
NUM_PERM = 128  # MinHash permutations
BAND_ROWS = 2  # rows per LSH band (see the module docstring)
NEAR = 0.7  # resemblance from which two texts are near copies
CONTAINED = 0.7  # share of the smaller text's shingles found in the larger one
MIN_CONTAINED = 15  # a text with fewer shingles (≈ 20 words) is only ever an exact or near copy
KINDS = ("exact", "near", "containment")

_MASK64 = (1 << 64) - 1
_U64 = np.uint64


def _constants(seed: int, count: int) -> np.ndarray:
    """Fixed pseudo-random 64-bit constants (determinism: same seed, same hashes everywhere)."""
    return np.random.Generator(np.random.PCG64(seed)).integers(0, 2**64 - 1, size=count, dtype=np.uint64,
                                                               endpoint=True)


# Multiply-add permutations of the 32-bit space (the top half of each shingle hash, which is
# already well mixed): odd multipliers make each a bijection. 32 bits halve the memory traffic of
# the shingles × permutations product, the bulk of the work, at a negligible collision cost.
_PERM_A = (_constants(20210713, NUM_PERM) >> _U64(32)).astype(np.uint32) | np.uint32(1)
_PERM_B = _constants(20181228, NUM_PERM).astype(np.uint32)
_SHINGLE_MUL = _constants(20210317, SHINGLE_WORDS) | _U64(1)
_BAND_SALT = _constants(20210320, NUM_PERM // BAND_ROWS)
_CHAR_BASE = 0x9E3779B97F4A7C15  # odd, so it has an inverse modulo 2^64
_CHAR_BASE_INV = pow(_CHAR_BASE, -1, 1 << 64)

# "U.S." = "US" (a dot followed by one letter and a dot goes), "don’t" = "don't" = "dont" (an
# apostrophe or quote mark before a word character goes: elsewhere it would only separate words).
# Both patterns start with a character class, which keeps the regex scan fast.
_INNER = re.compile(r"['’‘`´](?=\w)|\.(?=\w\.)")
_WORD = re.compile(r"[^\W_]+")
# The same split for ASCII text, five times faster than the regex: every non-alphanumeric is a space.
_ASCII_SPACES = str.maketrans({c: " " for c in range(128) if not chr(c).isalnum()})


# --- the index ----------------------------------------------------------------------------------

class Index(Protocol):
    """Where the duplicate index lives (SQLite in production, memory in tests and the bench).

    It holds, per indexed article, its LSH band keys, its sorted shingle hashes and
    its duplicate pointer (canonical id, kind, score), absent for a canonical or
    unique article. All writes come from `Deduper.check`.
    """

    def candidates(self, keys: Sequence[int]) -> set[str]:
        """Ids of indexed articles sharing at least one band key."""
        ...

    def add(self, article_id: str, keys: Sequence[int], shingles: np.ndarray) -> None:
        """Index an article (idempotent: adding the same id again replaces its entry)."""
        ...

    def shingles(self, article_id: str) -> np.ndarray | None:
        """The stored sorted uint64 shingle hashes, None if the article is not indexed."""
        ...

    def pointer(self, article_id: str) -> Match | None:
        """The article's duplicate pointer; None when it is a canonical, unique, or not indexed."""
        ...

    def point(self, article_id: str, match: Match | None) -> None:
        """Set (or with None, clear) an article's duplicate pointer."""
        ...

    def group(self, canonical_id: str) -> list[str]:
        """Ids of the duplicates currently pointing at this canonical, sorted."""
        ...


class MemoryIndex:
    """Dict-based `Index` for tests and the bench."""

    def __init__(self) -> None:
        self._buckets: dict[int, set[str]] = {}
        self._keys: dict[str, list[int]] = {}
        self._shingles: dict[str, np.ndarray] = {}
        self._pointers: dict[str, Match] = {}
        self._members: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._shingles)

    def candidates(self, keys: Sequence[int]) -> set[str]:
        found: set[str] = set()
        for key in keys:
            bucket = self._buckets.get(key)
            if bucket:
                found |= bucket
        return found

    def add(self, article_id: str, keys: Sequence[int], shingles: np.ndarray) -> None:
        for key in self._keys.pop(article_id, ()):
            self._buckets[key].discard(article_id)
        self._keys[article_id] = list(keys)
        for key in keys:
            self._buckets.setdefault(key, set()).add(article_id)
        self._shingles[article_id] = shingles

    def shingles(self, article_id: str) -> np.ndarray | None:
        return self._shingles.get(article_id)

    def pointer(self, article_id: str) -> Match | None:
        return self._pointers.get(article_id)

    def point(self, article_id: str, match: Match | None) -> None:
        old = self._pointers.pop(article_id, None)
        if old is not None:
            self._members[old.canonical].discard(article_id)
            if not self._members[old.canonical]:
                del self._members[old.canonical]
        if match is not None:
            self._pointers[article_id] = match
            self._members.setdefault(match.canonical, set()).add(article_id)

    def group(self, canonical_id: str) -> list[str]:
        return sorted(self._members.get(canonical_id, ()))

    def groups(self) -> dict[str, list[str]]:
        """Every canonical with its duplicates (for tests and the bench)."""
        return {canonical: sorted(members) for canonical, members in sorted(self._members.items())}


# --- records ------------------------------------------------------------------------------------

@dataclass(slots=True, frozen=True)
class Match:
    canonical: str  # id of the article this one duplicates (a canonical, never itself a duplicate)
    kind: str  # "exact" | "near" | "containment"
    score: float  # 0..1: resemblance for exact/near, containment for containment


@dataclass(slots=True)
class Verdict:
    """What `Deduper.check` decided for one new article.

    `match` is the newcomer's own pointer (None: it is unique or the canonical of
    its group). `repointed` lists the other articles whose pointer changed, in id
    order, each with its new `Match` (the old canonical included) — this happens
    when the newcomer is a better canonical than the old one, or when it joins
    groups into one. An article that is already canonical stays so, so no entry
    ever clears a pointer.
    """

    match: Match | None
    repointed: list[tuple[str, Match]] = field(default_factory=list)


# --- fingerprints -------------------------------------------------------------------------------

def normalise(text: str) -> str:
    """Lower-case words separated by single spaces; punctuation, quote styles and inner dots gone."""
    if text.isascii():
        return " ".join(_INNER.sub("", text.casefold()).translate(_ASCII_SPACES).split())
    text = _INNER.sub("", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(_WORD.findall(text))


def _mix(x: np.ndarray) -> np.ndarray:
    """splitmix64's finaliser: spreads every input bit over the whole 64-bit word."""
    x = x ^ (x >> _U64(30))
    x = x * _U64(0xBF58476D1CE4E5B9)
    x = x ^ (x >> _U64(27))
    x = x * _U64(0x94D049BB133111EB)
    return x ^ (x >> _U64(31))


def _word_hashes(words: str) -> np.ndarray:
    """One 64-bit hash per word of a normalised text, computed for all words at once.

    A polynomial hash over the code points, from prefix sums (arithmetic modulo 2^64:
    numpy's uint64 wraps), so no Python loop runs per word.
    """
    if not words:
        return np.empty(0, dtype=np.uint64)
    codes = np.frombuffer(words.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    n = codes.size
    powers = np.full(n, _CHAR_BASE, dtype=np.uint64)
    powers[0] = 1
    powers = np.cumprod(powers)  # base^i
    inverse = np.full(n, _CHAR_BASE_INV, dtype=np.uint64)
    inverse[0] = 1
    inverse = np.cumprod(inverse)  # base^-i
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(codes * inverse, out=prefix[1:])
    spaces = np.flatnonzero(codes == 32)
    starts = np.concatenate(([0], spaces + 1))
    ends = np.concatenate((spaces, [n]))
    # sum_{i in word} c_i base^(end-1-i): independent of where the word stands in the text.
    return _mix((prefix[ends] - prefix[starts]) * powers[ends - 1] + (ends - starts).astype(np.uint64))


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's overlapping word 5-grams (one shingle if shorter)."""
    words = _word_hashes(normalise(text))
    if words.size == 0:
        return words
    width = min(SHINGLE_WORDS, words.size)
    count = words.size - width + 1
    combined = np.zeros(count, dtype=np.uint64)
    for j in range(width):
        combined += words[j:j + count] * _SHINGLE_MUL[j]
    return np.unique(_mix(combined + _U64(width)))


def minhash(shingles: np.ndarray, chunk: int = 4096) -> np.ndarray:
    """MinHash signature (NUM_PERM uint32 minima) of a shingle set, vectorised over permutations × shingles."""
    signature = np.full(NUM_PERM, np.iinfo(np.uint32).max, dtype=np.uint32)
    values = (shingles >> _U64(32)).astype(np.uint32)
    for start in range(0, values.size, chunk):  # chunks bound the temporary array (128 × 4096 × 4 bytes)
        block = np.multiply.outer(_PERM_A, values[start:start + chunk])
        block += _PERM_B[:, None]
        np.minimum(signature, block.min(axis=1), out=signature)
    return signature


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band (signed: SQLite INTEGER holds it as is)."""
    rows = signature.reshape(-1, BAND_ROWS)
    key = _BAND_SALT.copy()
    for j in range(BAND_ROWS):
        key = _mix(key ^ rows[:, j].astype(np.uint64))
    return key.view(np.int64).tolist()


def fingerprint(text: str) -> tuple[np.ndarray, list[int]]:
    """(sorted unique shingle hashes, LSH band keys). Pure and picklable: runs in worker processes."""
    shingles = shingle_hashes(text)
    if shingles.size == 0:
        return shingles, []
    return shingles, band_keys(minhash(shingles))


# --- verification -------------------------------------------------------------------------------

def overlap(a: np.ndarray, b: np.ndarray) -> int:
    """|a ∩ b| for two sorted unique arrays."""
    if a.size > b.size:
        a, b = b, a
    if a.size == 0:
        return 0
    at = np.searchsorted(b, a)
    at[at == b.size] = 0
    return int(np.count_nonzero(b[at] == a))


def verify(shingles: np.ndarray, ids: Sequence[str], index: Index) -> list[str]:
    """The candidate ids that really are duplicates of `shingles`, all verified in one vectorised pass."""
    stored = [(article_id, index.shingles(article_id)) for article_id in ids]
    stored = [(article_id, other) for article_id, other in stored if other is not None and other.size]
    if not stored or shingles.size == 0:
        return []
    # A first pass with a 2^16-bit table of the new article's shingles (their low bits are
    # random): it counts every shared shingle, and a few others, so it never drops a duplicate.
    table = np.zeros(1 << 16, dtype=np.bool_)
    table[(shingles & _U64(0xFFFF)).astype(np.intp)] = True
    sizes = np.array([other.size for _, other in stored])
    values = np.concatenate([other for _, other in stored])
    hits = table[(values & _U64(0xFFFF)).astype(np.intp)].astype(np.int64)
    common = np.add.reduceat(hits, np.concatenate(([0], np.cumsum(sizes)[:-1])))
    found = []
    for (article_id, other), shared, size in zip(stored, common.tolist(), sizes.tolist()):
        smaller = min(size, shingles.size)
        if shared >= min(NEAR, CONTAINED) * smaller and compare(shingles, other) is not None:
            found.append(article_id)
    return found


def compare(a: np.ndarray, b: np.ndarray, linked: bool = False) -> tuple[str, float] | None:
    """Kind and score of a duplicate pair of shingle sets, or None if they are not duplicates.

    Exact = identical shingle sets: the 5-word windows run across sentence ends, so
    equal sets mean the same normalised text (a shuffled copy is not exact).
    `linked` is for a member re-pointed at a new canonical that it reaches only
    through another member: it always gets a kind, with the score it really has.
    """
    if a.size == 0 or b.size == 0:
        return None
    common = overlap(a, b)
    union = a.size + b.size - common
    resemblance = common / union
    if common == a.size == b.size:
        return "exact", 1.0
    if resemblance >= NEAR:
        return "near", round(resemblance, 4)
    smaller = min(a.size, b.size)
    containment = common / smaller
    if (containment >= CONTAINED and smaller >= MIN_CONTAINED) or linked:
        return "containment", round(containment, 4)
    return None


# --- canonical choice ---------------------------------------------------------------------------

def _squash(name: str | None) -> str:
    return re.sub(r"[\W_]+", "", name or "").casefold()


def is_original(article: Article) -> bool:
    """A wire dateline ("WASHINGTON, July 13. /TASS/.", "LONDON (Reuters) -") naming the article's own source."""
    tag = _squash(wire_tag(article.text))
    source = _squash(article.source)
    return bool(tag) and bool(source) and (tag == source or source.startswith(tag))


def _completeness(article: Article) -> int:
    """Length class in steps of 10 % of words: a few words of boilerplate do not make a copy more complete."""
    words = len(article.text.split())
    return int(math.log(words) / math.log(1.1)) if words else -1


def _rank(article: Article) -> tuple:
    published = article.published or date.max
    return (not is_original(article), -_completeness(article), published, -len(article.text), article.id)


def better(a: Article, b: Article) -> bool:
    """Is `a` a better canonical than `b`?

    In order: the original outlet (its source is the agency of its own wire
    dateline); the most complete text (word count, in 10 % classes); the earliest
    publication date (unknown dates last); the longest text; the smaller id. A
    strict total order, so the canonical of a group does not depend on arrival order.
    """
    return _rank(a) < _rank(b)


# --- the deduper --------------------------------------------------------------------------------

class Deduper:
    """Checks new articles against an `Index`, incrementally, and keeps its groups consistent."""

    def __init__(self, index: Index) -> None:
        self.index = index

    def needs(self, keys: Sequence[int], article_id: str | None = None) -> set[str]:
        """Ids whose `Article` records `check` may need: the canonicals of the candidates' groups."""
        found = set()
        for candidate in self.index.candidates(keys):
            if candidate != article_id:
                found.add(_root(self.index, candidate))
        return found

    def check(self, article: Article, shingles: np.ndarray, keys: Sequence[int],
              others: Mapping[str, Article]) -> Verdict:
        """Verify the candidates, record the article in the index, and say what changed.

        `others` must hold the `Article` of every id that `needs(keys, article.id)` returned
        (more is fine). The index is updated here; the caller mirrors the verdict into
        its own records (`duplicate_of`).
        """
        index = self.index
        ids = sorted(index.candidates(keys) - {article.id})
        linked = {_root(index, candidate) for candidate in verify(shingles, ids, index)}
        linked.discard(article.id)  # re-checking a canonical: its own members are not new links
        missing = sorted(linked - others.keys())
        if missing:  # before anything is written, so the index stays consistent
            raise KeyError(f"check() needs the Article records of {missing}: pass those of needs(keys, id)")
        index.add(article.id, keys, shingles)
        previous = index.pointer(article.id)
        if not linked:
            if previous is not None:
                index.point(article.id, None)
            return Verdict(None)

        winner = article
        for root in sorted(linked):
            if better(others[root], winner):
                winner = others[root]

        winner_shingles = shingles if winner is article else index.shingles(winner.id)
        repointed: list[tuple[str, Match]] = []
        for root in sorted(linked):
            if root == winner.id:
                continue
            for member in [root, *index.group(root)]:
                if member == article.id:
                    continue
                new = self._match(winner.id, winner_shingles, index.shingles(member))
                index.point(member, new)
                repointed.append((member, new))
        if winner is article:
            own = None
        else:
            own = self._match(winner.id, winner_shingles, shingles)
        if own != previous:
            index.point(article.id, own)
        repointed.sort(key=lambda item: item[0])
        return Verdict(own, repointed)

    @staticmethod
    def _match(canonical: str, canonical_shingles: np.ndarray | None, shingles: np.ndarray | None) -> Match:
        found = None
        if canonical_shingles is not None and shingles is not None:
            found = compare(shingles, canonical_shingles, linked=True)
        kind, score = found or ("containment", 0.0)
        return Match(canonical, kind, score)


def _root(index: Index, article_id: str) -> str:
    pointer = index.pointer(article_id)
    return pointer.canonical if pointer else article_id


def dedupe(articles: Iterable[Article], index: Index | None = None) -> dict[str, Match]:
    """Run a collection through a fresh (or given) index: {duplicate id: Match}. For tests and scripts."""
    index = index if index is not None else MemoryIndex()
    deduper = Deduper(index)
    records: dict[str, Article] = {}
    for article in articles:
        shingles, keys = fingerprint(article.text)
        records[article.id] = article
        deduper.check(article, shingles, keys, records)
    pointers = {article_id: index.pointer(article_id) for article_id in sorted(records)}
    return {article_id: match for article_id, match in pointers.items() if match is not None}
