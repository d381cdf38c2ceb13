"""Duplicate detection: exact copies, near copies and containment (trimmed copies).

How it works, in the order an article meets it:

1. `fingerprint(text)` (pure, cheap, run in the worker processes) normalises the
   text (NFKC, case, quote styles, "U.S." = "US", whitespace), hashes every word
   with a vectorised polynomial hash (for ASCII and typographic text straight from
   the bytes, without building the normalised string), and returns the sorted set
   of 64-bit hashes of its word 5-grams ("shingles") plus the LSH band keys of a
   one-permutation MinHash signature of that set (`signature`: the smallest shingle
   in each of 128 bins, one binary search over the sorted set).
2. `Deduper.check` asks the `Index` which articles share band keys (and, from a
   `CountingIndex`, how many and how large they are), drops the candidates whose
   count is implausible for a duplicate of their size (`plausible`), verifies the
   rest on the real shingle sets (resemblance = Jaccard, containment =
   |A∩B| / |smaller|), joins the article to the group(s) it matches and records
   everything in the index. No all-pairs comparison ever happens.

Why bands of two rows: a trimmed copy that keeps 70 % of an article half as long
as the original has a Jaccard resemblance of only 0.3 with it, so the usual
Jaccard-tuned banding (e.g. 16 × 8 rows) would miss it. With 64 bands of 2 rows a
pair collides with probability 1 - (1 - J²)^64: 0.998 at J = 0.3, and more than
1 - 1e-6 from J = 0.45 on. The price is many same-topic candidates (J ≈ 0.1 still
collides half the time), which the screening removes: a pair's sizes say how
resemblant it must at least be to be a duplicate (0.54 for equal sizes, 0.3 when
one is twice the other), and a pair of that resemblance shares Binomial(64, J²)
keys, so a candidate sharing far fewer is skipped (at most a 1e-4 chance of losing
a duplicate at the very threshold). On same-topic news this cuts the candidates
verified per article from ~25 to ~1.

Groups are the connected components of the "is a duplicate of" relation, and
every member points straight at the group's canonical, the best member by
`better`. Both are independent of the order in which articles arrive.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from itertools import chain
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
    return np.random.Generator(np.random.PCG64(seed)).integers(0, 2**64 - 1, size=count, dtype=np.uint64, endpoint=True)


_SHINGLE_MUL = _constants(20210317, SHINGLE_WORDS) | _U64(1)
_BAND_SALT = _constants(20210320, NUM_PERM // BAND_ROWS)
_BIN_STARTS = np.arange(NUM_PERM, dtype=np.uint64) << _U64(64 - NUM_PERM.bit_length() + 1)
PROBE_TRIES = 64  # densification probes per empty bin before falling back to the next non-empty one
_PROBES = np.random.Generator(np.random.PCG64(20210716)).integers(0, NUM_PERM, size=(NUM_PERM, PROBE_TRIES))
_CHAR_BASE = 0x9E3779B97F4A7C15  # odd, so it has an inverse modulo 2^64
_CHAR_BASE_INV = pow(_CHAR_BASE, -1, 1 << 64)


def _powers(base: int, count: int) -> np.ndarray:
    """base^0 .. base^(count-1) modulo 2^64."""
    out = np.full(count, base, dtype=np.uint64)
    out[0] = 1
    return np.cumprod(out)


_TABLE = 1 << 16  # texts up to this many characters use the precomputed powers
_POWERS = _powers(_CHAR_BASE, _TABLE)
_INVERSES = _powers(_CHAR_BASE_INV, _TABLE)

# "U.S." = "US" (a dot followed by one letter and a dot goes), "don’t" = "don't" = "dont" (an
# apostrophe or quote mark before a word character goes: elsewhere it would only separate words).
# Both patterns start with a character class, which keeps the regex scan fast.
_INNER = re.compile(r"['’‘`´](?=\w)|\.(?=\w\.)")
_WORD = re.compile(r"[^\W_]+")
# The same split for ASCII text, five times faster than the regex: every non-alphanumeric is a space.
_ASCII_SPACES = str.maketrans({c: " " for c in range(128) if not chr(c).isalnum()})
# The byte tables of the ASCII path: `_INNER`'s marks, \w, and casefold + `_ASCII_SPACES` with 0 for a space.
_ASCII_MARKS = bytes(chr(c) in "'`." for c in range(256))
_ASCII_WORDCHAR = np.array([c < 128 and (chr(c).isalnum() or c == 95) for c in range(256)])
_ASCII_CODES = bytes(ord(chr(c).lower()) if c < 128 and chr(c).isalnum() else 0 for c in range(256))
# str.split()'s whitespace among ASCII characters → 0, everything else → 1 (for counting words).
_SPACE_MARKS = bytes(0 if chr(c).isspace() else 1 for c in range(256))
# Typography that NFKC + casefold leave as (or turn into) separators — curly apostrophes
# turn into "'", an ellipsis into three dots, as NFKC does — so text made of ASCII and these
# takes the byte path with the same result.
_TYPOGRAPHY = str.maketrans(
    {
        "’": "'",
        "‘": "'",
        "“": " ",
        "”": " ",
        "–": " ",
        "—": " ",
        "…": "...",
        "\u00a0": " ",
        "«": " ",
        "»": " ",
        "•": " ",
    }
)


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


class CountingIndex(Index, Protocol):
    """An `Index` that can also say how many band keys each candidate shares, and its size.

    Optional: `Deduper` uses `shared` when the index has it, and then verifies only the
    candidates whose shared-key count is plausible for a duplicate of their size (see
    `plausible`); over a plain `Index` it verifies every candidate.
    """

    def shared(self, keys: Sequence[int]) -> dict[str, tuple[int, int]]:
        """{id: (how many of `keys` it shares, how many shingles it has)} for the indexed articles sharing any."""
        ...


class MemoryIndex:
    """Dict-based `CountingIndex` for tests and the bench.

    A band key maps to the first article filed under it; the rare later ones go to
    `_more`. Most keys belong to one article only, so filing an article is a couple of
    dict operations in C rather than a Python loop over its keys.
    """

    def __init__(self) -> None:
        self._first: dict[int, str] = {}
        self._more: dict[int, set[str]] = {}
        self._keys: dict[str, list[int]] = {}
        self._shingles: dict[str, np.ndarray] = {}
        self._pointers: dict[str, Match] = {}
        self._members: dict[str, set[str]] = {}

    def __len__(self) -> int:
        return len(self._shingles)

    def candidates(self, keys: Sequence[int]) -> set[str]:
        found = set(filter(None, map(self._first.get, keys)))
        found.update(chain.from_iterable(filter(None, map(self._more.get, keys))))
        return found

    def shared(self, keys: Sequence[int]) -> dict[str, tuple[int, int]]:
        firsts = list(filter(None, map(self._first.get, keys)))
        extras = list(filter(None, map(self._more.get, keys))) if self._more else None
        if not firsts:
            return {}
        counts = Counter(firsts)
        if extras:
            counts.update(chain.from_iterable(extras))
        sizes = self._shingles
        return {article_id: (count, sizes[article_id].size) for article_id, count in counts.items()}

    def add(self, article_id: str, keys: Sequence[int], shingles: np.ndarray) -> None:
        if article_id in self._keys:
            self._remove(article_id)
        filed = dict.fromkeys(keys, article_id)
        self._keys[article_id] = list(filed)
        taken = filed.keys() & self._first.keys()
        for key in taken:
            del filed[key]
            self._more.setdefault(key, set()).add(article_id)
        self._first.update(filed)
        self._shingles[article_id] = shingles

    def _remove(self, article_id: str) -> None:
        for key in self._keys.pop(article_id):
            more = self._more.get(key)
            if self._first[key] == article_id:
                if more:
                    self._first[key] = more.pop()  # any one: candidates are a set either way
                else:
                    del self._first[key]
            elif more is not None:
                more.discard(article_id)
            if more is not None and not more:
                del self._more[key]

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


def _run_hashes(codes: np.ndarray) -> np.ndarray:
    """One 64-bit hash per run of non-zero codes (a word; 0 separates words), all at once.

    A polynomial hash over the code points, from prefix sums (arithmetic modulo 2^64:
    numpy's uint64 wraps), so no Python loop runs per word: sum_{i in word} c_i base^(end-1-i),
    which does not depend on where the word stands in the text, plus the word's length.
    """
    n = codes.size
    if n <= _TABLE:
        powers, inverse = _POWERS[:n], _INVERSES[:n]
    else:
        powers, inverse = _powers(_CHAR_BASE, n), _powers(_CHAR_BASE_INV, n)
    inside = np.zeros(n + 2, dtype=np.bool_)
    np.not_equal(codes, 0, out=inside[1:-1])
    edges = np.flatnonzero(inside[1:] != inside[:-1])
    starts, ends = edges[0::2], edges[1::2]
    prefix = np.zeros(n + 1, dtype=np.uint64)
    np.cumsum(np.multiply(codes, inverse, dtype=np.uint64), out=prefix[1:])
    return _mix((prefix[ends] - prefix[starts]) * powers[ends - 1] + (ends - starts).astype(np.uint64))


def word_hashes(text: str) -> np.ndarray:
    """One 64-bit hash per word of `normalise(text)`, in order (what shingles are made of).

    ASCII text, and text whose only other characters are typographic quotes, dashes,
    ellipses and no-break spaces (which normalise to separators or, for curly
    apostrophes, to "'"), skips building the normalised string: the inner marks go
    with an ASCII regex, then one byte table lower-cases letters and turns every
    other character into a 0 separator. Anything else is normalised with Unicode rules.
    """
    if not text.isascii():
        plain = text.translate(_TYPOGRAPHY)
        if not plain.isascii():
            words = normalise(text)
            codes = np.frombuffer(words.encode("utf-32-le"), dtype=np.uint32).copy()
            codes[codes == 32] = 0
            return _run_hashes(codes)
        text = plain
    raw = text.encode("ascii")
    codes = np.frombuffer(raw.translate(_ASCII_CODES), dtype=np.uint8)
    # `_INNER` deletes single characters chosen by what follows them in the original text,
    # so its deletions are positions: ' and ` before a word character, a dot before one and a dot.
    padded = np.frombuffer(raw + b"  ", dtype=np.uint8)
    at = np.flatnonzero(np.frombuffer(raw.translate(_ASCII_MARKS), dtype=np.bool_))
    if at.size:
        mark = padded[at]
        drop = _ASCII_WORDCHAR[padded[at + 1]] & ((mark != 46) | (padded[at + 2] == 46))
        if drop.any():
            keep = np.ones(codes.size, dtype=np.bool_)
            keep[at[drop]] = False
            codes = codes[keep]
    return _run_hashes(codes)


def _unique(values: np.ndarray) -> np.ndarray:
    """Sorted unique values (np.unique is ten times slower on uint64, since numpy 2 hashes)."""
    values = np.sort(values)
    if values.size < 2:
        return values
    keep = np.empty(values.size, dtype=np.bool_)
    keep[0] = True
    np.not_equal(values[1:], values[:-1], out=keep[1:])
    return values[keep]


def shingle_hashes(text: str) -> np.ndarray:
    """Sorted unique 64-bit hashes of the text's overlapping word 5-grams (one shingle if shorter)."""
    words = word_hashes(text)
    if words.size == 0:
        return words
    width = min(SHINGLE_WORDS, words.size)
    count = words.size - width + 1
    combined = words[:count] * _SHINGLE_MUL[0]
    for j in range(1, width):
        combined += words[j : j + count] * _SHINGLE_MUL[j]
    combined += _U64(width)
    return _unique(_mix(combined))


def signature(shingles: np.ndarray) -> np.ndarray:
    """One-permutation MinHash of a sorted shingle set: NUM_PERM uint64 values.

    The top 7 bits of a shingle hash pick its bin and the value is the hash itself,
    so the signature is the smallest shingle of each bin — on a sorted array, the
    first of each bin, found by one binary search (not NUM_PERM passes over the set).
    Two sets agree on a bin with probability their Jaccard resemblance. An empty bin
    borrows the value of the first non-empty bin on its own fixed pseudo-random probe
    sequence (optimal densification, Shrivastava 2017), which keeps that probability.
    """
    n = shingles.size
    starts = np.searchsorted(shingles, _BIN_STARTS)
    values = shingles[np.minimum(starts, n - 1)]
    full = np.empty(NUM_PERM, dtype=np.bool_)
    np.less(starts[:-1], starts[1:], out=full[:-1])
    full[-1] = starts[-1] < n
    if full.all():
        return values
    empty = np.flatnonzero(~full)
    probes = _PROBES[empty]
    hits = full[probes]
    first = hits.argmax(axis=1)
    source = probes[np.arange(empty.size), first]
    missed = ~hits[np.arange(empty.size), first]
    if missed.any():  # no luck in PROBE_TRIES probes (tiny sets): the next non-empty bin round the ring
        nonempty = np.flatnonzero(full)
        after = np.searchsorted(nonempty, empty[missed]) % nonempty.size
        source[missed] = nonempty[after]
    values[empty] = values[source]
    return values


def band_keys(signature: np.ndarray) -> list[int]:
    """One signed 64-bit key per band of BAND_ROWS bins (signed: SQLite INTEGER holds it as is)."""
    rows = signature.reshape(-1, BAND_ROWS)
    key = _BAND_SALT
    for j in range(BAND_ROWS):
        key = _mix(key ^ rows[:, j])
    return key.view(np.int64).tolist()


def fingerprint(text: str) -> tuple[np.ndarray, list[int]]:
    """(sorted unique shingle hashes, LSH band keys). Pure and picklable: runs in worker processes."""
    shingles = shingle_hashes(text)
    if shingles.size == 0:
        return shingles, []
    return shingles, band_keys(signature(shingles))


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


def required_resemblance(size_a: int, size_b: int) -> float:
    """The smallest Jaccard resemblance two sets of these sizes can have and still be duplicates.

    Containment c of the smaller set (n shingles) in the larger (m) means a
    resemblance of c·n / (n + m - c·n); below MIN_CONTAINED only near copies count.
    """
    smaller, larger = (size_a, size_b) if size_a <= size_b else (size_b, size_a)
    if smaller < MIN_CONTAINED:
        return NEAR
    return CONTAINED * smaller / (smaller + larger - CONTAINED * smaller)


def _plausible_resemblance(bands: int, miss: float) -> list[float]:
    """For each count k of shared band keys, the largest resemblance J with P(at most k shared) ≥ miss.

    A band of BAND_ROWS bins agrees with probability J^BAND_ROWS, so the number of shared
    keys is Binomial(bands, J^BAND_ROWS). A candidate sharing k keys whose sizes demand a
    resemblance above entry k would be a duplicate that shares so few keys less than
    `miss` of the time: it is not worth verifying.
    """
    grid = np.linspace(0.0, 1.0, 4001)
    q = np.clip(grid**BAND_ROWS, 0.0, 1.0 - 1e-15)
    pmf = (1.0 - q) ** bands
    cdf = pmf.copy()
    out = []
    for k in range(bands + 1):
        out.append(float(grid[np.flatnonzero(cdf >= miss)].max()) if k < bands else 1.0)
        pmf = pmf * (bands - k) / (k + 1) * q / (1.0 - q)
        cdf = cdf + pmf
    return out


MISS = 1e-4  # chance that screening drops a duplicate at the very edge of the thresholds
_PLAUSIBLE = _plausible_resemblance(NUM_PERM // BAND_ROWS, MISS)


SCREEN_FROM = 32  # smaller sets are always verified: mostly borrowed bins make their counts lumpier


def plausible(shared_keys: int, size_a: int, size_b: int) -> bool:
    """Can two sets of these sizes sharing this many band keys be duplicates (bar a MISS chance)?"""
    if min(size_a, size_b) < SCREEN_FROM:
        return True
    return required_resemblance(size_a, size_b) <= _PLAUSIBLE[min(shared_keys, len(_PLAUSIBLE) - 1)]


def verify(shingles: np.ndarray, ids: Sequence[str], index: Index) -> list[str]:
    """The candidate ids that really are duplicates of `shingles` (exact verification)."""
    return list(_verify(shingles, ids, index))


def _verify(shingles: np.ndarray, ids: Sequence[str], index: Index) -> dict[str, tuple[str, float]]:
    """{candidate id: (kind, score)} for the candidates that really are duplicates of `shingles`."""
    stored = [(article_id, index.shingles(article_id)) for article_id in ids]
    stored = [(article_id, other) for article_id, other in stored if other is not None and other.size]
    if not stored or shingles.size == 0:
        return {}
    if len(stored) <= 4:  # the usual case after screening: compare directly
        found = ((article_id, compare(shingles, other)) for article_id, other in stored)
        return {article_id: result for article_id, result in found if result is not None}
    # A first pass with a 2^16-bit table of the new article's shingles (their low bits are
    # random): it counts every shared shingle, and a few others, so it never drops a duplicate.
    table = np.zeros(1 << 16, dtype=np.bool_)
    table[(shingles & _U64(0xFFFF)).astype(np.intp)] = True
    sizes = np.array([other.size for _, other in stored])
    values = np.concatenate([other for _, other in stored])
    hits = table[(values & _U64(0xFFFF)).astype(np.intp)].astype(np.int64)
    common = np.add.reduceat(hits, np.concatenate(([0], np.cumsum(sizes)[:-1])))
    found = {}
    for (article_id, other), shared, size in zip(stored, common.tolist(), sizes.tolist()):
        if shared >= min(NEAR, CONTAINED) * min(size, shingles.size):
            result = compare(shingles, other)
            if result is not None:
                found[article_id] = result
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


def _word_count(text: str) -> int:
    """len(text.split()), without building the words (ASCII: count the starts of non-space runs)."""
    if not text.isascii():
        return len(text.split())
    marks = text.encode("ascii").translate(_SPACE_MARKS)
    return marks.count(b"\0\1") + marks.startswith(b"\1")


def _completeness(article: Article) -> int:
    """Length class in steps of 10 % of words: a few words of boilerplate do not make a copy more complete."""
    words = _word_count(article.text)
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
        self._shared = getattr(index, "shared", None)  # a CountingIndex lets candidates be screened
        self._last: tuple | None = None  # (article id, keys, shingles, verified ids) of the last needs()
        self._ranks: dict[tuple, tuple] = {}  # the text-only part of `_rank`, which costs a split of the text

    def needs(self, keys: Sequence[int], article_id: str | None = None, shingles: np.ndarray | None = None) -> set[str]:
        """Ids whose `Article` records `check` may need: the canonicals of the candidates' groups.

        Given the article's `shingles` too, the candidates are verified here (and the
        result is kept for the `check` that follows), so only the canonicals of real
        duplicates are asked for — usually none — instead of those of every candidate.
        """
        if shingles is None:
            ids = self.index.candidates(keys)
            ids.discard(article_id)
        else:
            ids = self._verified(keys, article_id, shingles)
        return {_root(self.index, candidate) for candidate in ids}

    def _candidates(self, keys: Sequence[int], article_id: str | None, size: int) -> list[str]:
        """Candidate ids worth verifying, sorted: over a CountingIndex, only the plausible ones."""
        if self._shared is None:
            found = self.index.candidates(keys)
            found.discard(article_id)
            return sorted(found)
        return sorted(
            candidate
            for candidate, (count, other) in self._shared(keys).items()
            if candidate != article_id and plausible(count, size, other)
        )

    def _verified(
        self, keys: Sequence[int], article_id: str | None, shingles: np.ndarray
    ) -> dict[str, tuple[str, float]]:
        last = self._last
        if last is not None and last[0] == article_id and last[2] is shingles and last[1] == keys:
            return last[3]
        found = _verify(shingles, self._candidates(keys, article_id, shingles.size), self.index)
        self._last = (article_id, list(keys), shingles, found)
        return found

    def check(
        self, article: Article, shingles: np.ndarray, keys: Sequence[int], others: Mapping[str, Article]
    ) -> Verdict:
        """Verify the candidates, record the article in the index, and say what changed.

        `others` must hold the `Article` of every id that `needs(keys, article.id)` returned
        (more is fine). The index is updated here; the caller mirrors the verdict into
        its own records (`duplicate_of`).
        """
        index = self.index
        verified = self._verified(keys, article.id, shingles)
        linked = {_root(index, candidate) for candidate in verified}
        self._last = None  # the index changes below
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

        winner, best = article, self._rank(article)
        for root in sorted(linked):
            rank = self._rank(others[root])
            if rank < best:
                winner, best = others[root], rank

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
        elif winner.id in verified:  # compared already
            own = Match(winner.id, *verified[winner.id])
        else:
            own = self._match(winner.id, winner_shingles, shingles)
        if own != previous:
            index.point(article.id, own)
        repointed.sort(key=lambda item: item[0])
        return Verdict(own, repointed)

    def _rank(self, article: Article) -> tuple:
        """`_rank(article)`, with its text-only part remembered (a bounded cache: ids recur in groups)."""
        key = (article.id, len(article.text), article.source)
        fixed = self._ranks.get(key)
        if fixed is None:
            if len(self._ranks) >= 65536:
                self._ranks.clear()
            fixed = self._ranks[key] = (not is_original(article), -_completeness(article))
        return (*fixed, article.published or date.max, -len(article.text), article.id)

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
