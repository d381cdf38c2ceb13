"""Story clustering: incremental, time-aware, re-clustered in bounded windows.

A story is a set of articles about one real-world event. Articles arrive in batches (pipeline
order). For each batch the clusterer gathers a *window*: the stories that could hold one of the
batch's articles — stories whose dates touch the article's and that share one of its top terms
(an inverted index kept by the `State`) — with their most recent members, at most
`window_articles` articles in all. It clusters that window afresh and maps the clusters back
onto the story ids they overlap most: a story keeps its id and grows, or loses members to
another story (a split), or is absorbed by one (a merge: the absorbed id then redirects to the
story that took its articles, so `articles --story OLD` still finds them). Nothing is compared
with the whole corpus: a batch costs at most `window_articles`² similarities.

Why a window and not a single pass: an online clusterer decides once, with a story as it was
when the article arrived; two events of one kind (two navy rescues in the Gulf of Aden, two
players on injured reserve) fuse through an early wrong join and never come apart. Clustering
the window again revises yesterday's decisions with today's articles: it is what batch
clustering does (the benchmark's baseline), one neighbourhood at a time.

Similarity: cosine of TF-IDF vectors, relative to each article's neighbourhood — divided by the
geometric mean of the two articles' similarities to their `neighbours`-th most similar article
in the window (local scaling, Zelnik-Manor & Perona 2004). Where many articles are about the
same kind of event the bar rises, where few are it falls: what tells two rescues apart is that
each article is closer to its own event's reports than to the other's, not an absolute level of
shared words. A plain-cosine floor (`min_similarity`) keeps articles apart when the window is
too small to have neighbours. Clusters are formed by average linkage: two merge, best pair
first, while the mean scaled similarity over their pairs is at least `threshold` and the mean
cosine at least `min_similarity`. Only pairs of articles within `window_days` of each other
count (an undated article pairs with any, at a discount `mixed_weight` when the other is dated):
a story may run for weeks, each article is judged by the members near it in time.

Representation: TF-IDF over content words plus named entities. Without an NLP model,
capitalised word sequences stand in for entities ("Anatoly Antonov", "Geneva"); they are added
as extra terms, so names weigh more than common words. Titles and leads weigh more than the rest
of the body. `features` is a pure function of one article (it runs in worker processes); IDF is
applied only when comparing, from document frequencies the `State` keeps incrementally (stored
member vectors never carry stale weights). Those counts start from a shipped background table
(document frequencies from another corpus, worth `background_documents` articles): a short
stream alone gives a flat IDF, in which "said"-like words weigh as much as the names that tell
two events apart.

Dates flow through stories: an undated article that names a weekday ("Earlier on Saturday") gets
the nearest such weekday on or after its story's first date, within 7 days (`infer_date`), with
provenance "inferred".
"""

from __future__ import annotations

import functools
import hashlib
import heapq
import itertools
import logging
import math
import operator
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields, replace
from datetime import date, timedelta
from typing import Protocol

import numpy as np

from . import weights
from .models import Article
from .text import STOP_WORDS, singular

Vector = dict[str, float]
logger = logging.getLogger(__name__)

# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True, slots=True)
class Params:
    """Clustering settings; the defaults are the shipped `weights/cluster.json` (a test checks)."""

    threshold: float = 0.75  # mean neighbour-scaled similarity two clusters need to merge
    neighbours: int = 8  # an article's similarities are scaled by its similarity to its k-th nearest article
    sparse_scale: float = 0.4  # the scale of an article with fewer than k articles to compare with
    min_similarity: float = 0.1  # and the mean plain cosine must reach this, whatever the scale
    window_days: int = 7  # only articles this close in time are compared; a dated article sees stories this close
    title_weight: float = 3.0  # a title word counts this many body words
    lead_weight: float = 2.0  # so does a word of the lead
    lead_chars: int = 400  # the lead: the body's first sentences up to about this many characters
    entity_weight: float = 2.0  # weight of a capitalised sequence, on top of its words
    number_weight: float = 1.0  # years, tolls, magnitudes: they tell two similar events apart
    query_terms: int = 20  # an article looks up candidate stories by its top terms
    index_terms: int = 20  # a story is indexed under its top terms
    centroid_terms: int = 300  # a centroid keeps its heaviest terms only (bounded memory and cost)
    vector_terms: int = 100  # so does an article's vector (by the background IDF; it is stored with the member)
    max_candidates: int = 50  # candidate stories looked up for one article, at most
    window_batch: int = 16  # a batch is re-clustered this many articles at a time, each with its own window
    window_articles: int = 400  # articles in one window, at most (its new articles included)
    story_articles: int = 50  # a candidate story brings its most recent members, at most this many
    mixed_weight: float = 0.73  # similarity factor when one article is dated and the other not: no window helps
    background_documents: float = 1000.0  # weight, in articles, of the shipped background document frequencies

    @classmethod
    def load(cls) -> Params:
        """The settings shipped with the package (`weights/cluster.json`)."""
        return cls(**weights.load("cluster"))

    @staticmethod
    def background() -> dict[str, float]:
        """Shipped background document frequencies {term: fraction of articles}, from another corpus.

        IDF counted only from the stream is flat while the stream is short (every
        word is in one or two articles), so common words weigh as much as names;
        this prior, worth `background_documents` articles, fixes that from the start.
        """
        return {t: float(v) for t, v in weights.load("background")["df"].items()}

    def replace(self, **changes: object) -> Params:
        return Params(**{**asdict(self), **changes})


# --------------------------------------------------------------------------- features

# Beyond the function words, the words of reporting itself and of the calendar: every story has
# them, so they would join stories that share nothing else.
_STOPWORDS = STOP_WORDS | frozenset(
    """
ago almost although among another may might since aren't around cannot couldn't didn't doesn't don't either else even ever
every get gets got hadn't hasn't haven't he'd he'll he's here's how's however i'd i'll i'm i've isn't it's
last least less let's like made make many much must mustn't near neither never new next one others otherwise
ought ourselves per perhaps put rather really saying see seen several shall shan't she'd she'll she's
shouldn't still that's themselves there's they'd they'll they're they've though thus toward towards two upon
us use used via wasn't way we'd we'll we're we've well weren't what's when's where's whether who's whose
why's within without won't wouldn't yet you'd you'll you're you've yourselves
told tell tells according reported report reports news today yesterday tomorrow week weeks year years month
months day days time times monday tuesday wednesday thursday friday saturday sunday dr st
""".split()
)

_WORD = re.compile(r"[A-Za-z][A-Za-z'’\-]*[A-Za-z]|[A-Za-z]|\d+(?:[.,]\d+)*")
_SENTENCE_END = re.compile(r"[.!?]['\"”’]?\s")


def _add_terms(counts: dict[str, float], text: str, weight: float, params: Params) -> None:
    tokens = [(m.group(), m.start()) for m in _WORD.finditer(text)]
    entity: list[str] = []
    previous_end = -1

    def flush() -> None:
        while entity and entity[0].lower() in _STOPWORDS:  # "The Kremlin" → "Kremlin"
            entity.pop(0)
        if entity:
            counts["@" + "_".join(w.lower() for w in entity)] += weight * params.entity_weight
        entity.clear()

    for token, start in tokens:
        if token[0].isdigit():
            flush()
            if len(token) >= 2:
                counts["#" + token.replace(",", "")] += weight * params.number_weight
            continue
        lower = token.lower().replace("’", "'")
        if lower.endswith("'s"):
            lower = lower[:-2]
        # A capitalised word continues an entity only if nothing but a space separates them.
        capitalised = token[0].isupper() and not (token.isupper() and len(token) > 4)
        if capitalised:
            if entity and text[previous_end:start].strip():
                flush()
            entity.append(token.rstrip("'’s") if token.endswith(("'s", "’s")) else token)
        else:
            flush()
        previous_end = start + len(token)
        if len(lower) < 2 or lower in _STOPWORDS:
            continue
        counts[singular(lower)] += weight
    flush()


def _lead(text: str, chars: int) -> int:
    """Where the lead ends: the first sentence end after `chars` characters (or the text's end)."""
    if len(text) <= chars:
        return len(text)
    match = _SENTENCE_END.search(text, chars)
    return match.end() if match and match.end() < chars * 2 else chars


def features(article: Article, params: Params | None = None) -> Vector:
    """The article's weighted term frequencies (sublinear), before IDF. Pure: runs in worker processes."""
    params = params or DEFAULT_PARAMS
    counts: dict[str, float] = defaultdict(float)
    text = article.text or ""
    title = (article.title or "").strip()
    if title and text.startswith(title):  # a title repeated as the first line must not count twice
        text = text[len(title) :]
    if title:
        words = re.findall(r"[A-Za-z]+", title)
        if len(words) >= 4 and sum(w[0].isupper() for w in words) > 0.6 * len(words):
            title = title.lower()  # Title Case: its capitals say nothing about names
        _add_terms(counts, title, params.title_weight, params)
    cut = _lead(text, params.lead_chars)
    _add_terms(counts, text[:cut], params.lead_weight, params)
    _add_terms(counts, text[cut:], 1.0, params)
    tf = {t: (1.0 + math.log(c)) if c > 1.0 else c for t, c in counts.items()}
    if len(tf) > params.vector_terms:  # the heaviest terms by the background IDF: bounded storage and cost
        prior = params.background_documents
        background = _background() if prior else {}
        weight = {t: v * _idf(prior, prior * background.get(t, 0.0)) for t, v in tf.items()}
        tf = {t: tf[t] for t in sorted(weight, key=lambda t: (-weight[t], t))[: params.vector_terms]}
    # Rounded: stored member vectors then read back exactly as the clusterer computed them.
    return {t: round(tf[t], 4) for t in sorted(tf)}


@functools.cache
def _background() -> dict[str, float]:
    return Params.background()


# --------------------------------------------------------------------------- dates

_WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
_DAY = r"(Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)"
# Phrases that place the article's own day: "Earlier on Saturday", "later Saturday", "on Friday morning".
_SAME_DAY = re.compile(
    rf"\b(?:[Ee]arlier|[Ll]ater)(?: on| this)? {_DAY}\b|\b{_DAY} (?:morning|afternoon|evening|night)\b"
)
_ANY_DAY = re.compile(rf"\b{_DAY}\b")


def weekday_clue(text: str) -> int | None:
    """The weekday (0 = Monday) the text says it was written on, or None.

    A same-day phrase ("Earlier on Saturday") wins; otherwise a text that names
    exactly one weekday is taken to mean that day; several and no clue: None.
    """
    days = {(a or b).lower() for a, b in _SAME_DAY.findall(text)}
    if len(days) != 1:
        days = {d.lower() for d in _ANY_DAY.findall(text)} if not days else set()
    return _WEEKDAYS.index(days.pop()) if len(days) == 1 else None


def resolve_weekday(weekday: int, story_first: date) -> date:
    """The nearest `weekday` on or after `story_first` (at most 6 days later)."""
    return story_first + timedelta(days=(weekday - story_first.weekday()) % 7)


def infer_date(article_text: str, story_first: date) -> date | None:
    """An undated article's date from its story: the weekday it names, on or after the story's first date."""
    weekday = weekday_clue(article_text)
    return None if weekday is None else resolve_weekday(weekday, story_first)


# --------------------------------------------------------------------------- state


def story_id(first_article: str) -> str:
    """Deterministic: a hash of the article that opened the story."""
    return hashlib.sha256(b"story\0" + first_article.encode()).hexdigest()[:16]


@dataclass(slots=True)
class Member:
    """An article's place in a story, with what re-clustering and the story's summary need."""

    id: str
    story: str
    seq: int  # when it joined (the clusterer's clock): "most recent members" are the highest
    vector: Vector = field(default_factory=dict)  # its features; empty for a copy (it follows `canonical`)
    canonical: str | None = None  # set for a duplicate: it is in its canonical's story, always
    published: date | None = None  # its own date (never an inferred one)
    source: str | None = None
    title: str = ""
    clue: int | None = None  # for an undated article, the weekday it names


@dataclass(slots=True)
class StoryState:
    id: str
    centroid: Vector = field(default_factory=dict)  # sum of member unit term vectors (no IDF)
    articles: list[str] = field(default_factory=list)  # duplicates included, in the order they joined
    first: date | None = None  # earliest date of a member (inferred dates never move it)
    last: date | None = None  # latest date of a member, inferred dates included
    label: str = ""
    label_article: str | None = None
    outlets: list[str] = field(default_factory=list)
    terms: list[str] = field(default_factory=list)  # the story's top terms: index it under these
    size: int = 0  # members that shaped the centroid (duplicates do not)
    updated: int = 0  # sequence number of the last change, for "recently updated"
    last_published: date | None = None  # latest own (not inferred) date of a member
    clues: dict[str, int] = field(default_factory=dict)  # undated member → weekday it names
    inferred: dict[str, date] = field(default_factory=dict)  # undated member → date from its clue

    def to_json(self) -> dict:
        data = {f.name: getattr(self, f.name) for f in fields(self)}
        for key in ("first", "last", "last_published"):
            data[key] = data[key].isoformat() if data[key] else None
        data["inferred"] = {k: v.isoformat() for k, v in self.inferred.items()}
        data["centroid"] = {k: round(v, 6) for k, v in self.centroid.items()}
        return data

    @classmethod
    def from_json(cls, data: dict) -> StoryState:
        data = dict(data)
        for key in ("first", "last", "last_published"):
            data[key] = date.fromisoformat(data[key]) if data.get(key) else None
        data["inferred"] = {k: date.fromisoformat(v) for k, v in data.get("inferred", {}).items()}
        return cls(**data)


class State(Protocol):
    """Where stories, their members and document frequencies live (memory for tests, SQLite in the store)."""

    def active(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[StoryState]:
        """Up to `limit` stories that share one of `terms` in their `.terms`, most shared terms first,
        then most recently updated (`.updated`), then id. With a window, only stories whose
        [first, last] touches [start, end], plus stories without any date."""
        ...

    def active_ids(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[str]:
        """`active`'s story ids only: the window needs no more, and parsing each state costs."""
        ...

    def get(self, story: str) -> StoryState | None: ...

    def save(self, story: StoryState) -> None: ...

    def sequence(self) -> int:
        """The highest `.updated` or member `.seq` saved so far, so a new Clusterer continues the clock."""
        ...

    def add_document(self, terms: Iterable[str]) -> None:
        """Count one more article containing each of `terms` (once each)."""
        ...

    def add_documents(self, documents: Sequence[Iterable[str]]) -> None:
        """`add_document` for each of `documents`, at once."""
        ...

    def document_frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        """(articles counted so far, {term: articles containing it}) — missing terms are 0."""
        ...

    def member(self, article: str) -> Member | None:
        """The article's membership (its vector left out), or None."""
        ...

    def members(self, story: str, limit: int | None = None, vectors: bool = False) -> list[Member]:
        """The story's members, most recent (highest `.seq`) first. `vectors`: only the articles with
        features (no copies), vectors included, at most `limit` of them; otherwise every member,
        copies included, vectors left out."""
        ...

    def save_members(self, members: Iterable[Member]) -> None: ...

    def copies(self, canonicals: Sequence[str]) -> list[Member]:
        """The members that are duplicates of one of `canonicals`, by id."""
        ...

    def retire(self, story: str, into: str | None) -> None:
        """Remove an emptied story; its id (and every id that redirected to it) now redirects to `into`
        (None: nowhere, the ids name no story any more)."""
        ...

    def resolve(self, story: str) -> str | None:
        """The live story an id names now (itself, or the story it was merged into), or None."""
        ...


class MemoryState:
    """State in memory, indexed by (term, week) so that lookups stay bounded as the corpus grows."""

    WEEK = 7

    def __init__(self) -> None:
        self.stories: dict[str, StoryState] = {}
        self.df: dict[str, int] = defaultdict(int)
        self.documents = 0
        self.by_article: dict[str, Member] = {}
        self.redirects: dict[str, str] = {}
        self._members: dict[str, set[str]] = defaultdict(set)  # story → member ids
        self._copies: dict[str, set[str]] = defaultdict(set)  # canonical → duplicate ids
        self._undated: dict[str, set[str]] = defaultdict(set)  # term → stories without dates
        self._dated: dict[tuple[str, int], set[str]] = defaultdict(set)  # (term, week) → stories
        self._all: dict[str, set[str]] = defaultdict(set)  # term → every story (undated lookups)
        self._keys: dict[str, tuple[list[str], list[tuple[str, int]]]] = {}

    def _weeks(self, story: StoryState) -> range:
        return range(story.first.toordinal() // self.WEEK, story.last.toordinal() // self.WEEK + 1)

    def _unindex(self, story: str) -> None:
        old_terms, old_keys = self._keys.pop(story, ([], []))
        for term in old_terms:
            self._undated[term].discard(story)
            self._all[term].discard(story)
        for key in old_keys:
            self._dated[key].discard(story)

    def save(self, story: StoryState) -> None:
        self._unindex(story.id)
        keys: list[tuple[str, int]] = []
        for term in story.terms:
            self._all[term].add(story.id)
            if story.first is None:
                self._undated[term].add(story.id)
            else:
                keys += [(term, week) for week in self._weeks(story)]
        for key in keys:
            self._dated[key].add(story.id)
        self._keys[story.id] = (list(story.terms), keys)
        self.stories[story.id] = StoryState.from_json(story.to_json())  # as the store keeps it (rounded)

    def get(self, story: str) -> StoryState | None:
        return self.stories.get(story)

    def sequence(self) -> int:
        stories = max((story.updated for story in self.stories.values()), default=0)
        return max(stories, max((m.seq for m in self.by_article.values()), default=0))

    def active(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[StoryState]:
        shared: dict[str, int] = defaultdict(int)
        if start is None or end is None:
            for term in terms:
                for sid in self._all.get(term, ()):
                    shared[sid] += 1
        else:
            weeks = range(start.toordinal() // self.WEEK, end.toordinal() // self.WEEK + 1)
            for term in terms:
                seen: set[str] = set(self._undated.get(term, ()))
                for week in weeks:
                    seen.update(self._dated.get((term, week), ()))
                for sid in seen:
                    story = self.stories[sid]
                    if story.first is None or (story.first <= end and story.last >= start):
                        shared[sid] += 1
        ranked = sorted(shared, key=lambda s: (-shared[s], -self.stories[s].updated, s))
        return [self.stories[s] for s in ranked[:limit]]

    def active_ids(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[str]:
        return [story.id for story in self.active(start, end, terms, limit)]

    def add_document(self, terms: Iterable[str]) -> None:
        self.documents += 1
        for term in set(terms):
            self.df[term] += 1

    def add_documents(self, documents: Sequence[Iterable[str]]) -> None:
        for terms in documents:
            self.add_document(terms)

    def document_frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        return self.documents, {t: self.df.get(t, 0) for t in terms}

    # Members are handed out as copies, as the store's are: changing one changes nothing until it is saved.

    def member(self, article: str) -> Member | None:
        found = self.by_article.get(article)
        return replace(found, vector={}) if found else None

    def members(self, story: str, limit: int | None = None, vectors: bool = False) -> list[Member]:
        found = [self.by_article[a] for a in self._members.get(story, ())]
        if vectors:
            found = [m for m in found if m.vector]
        found.sort(key=lambda m: (-m.seq, m.id))
        if not vectors:
            return [replace(m, vector={}) for m in found]
        return [replace(m) for m in (found[:limit] if limit is not None else found)]

    def save_members(self, members: Iterable[Member]) -> None:
        for member in members:
            old = self.by_article.get(member.id)
            if old is not None:
                self._members[old.story].discard(member.id)
            self.by_article[member.id] = replace(member)
            self._members[member.story].add(member.id)
            if member.canonical:
                self._copies[member.canonical].add(member.id)

    def copies(self, canonicals: Sequence[str]) -> list[Member]:
        found = {a for c in canonicals for a in self._copies.get(c, ())}
        return [replace(self.by_article[a]) for a in sorted(found)]

    def retire(self, story: str, into: str | None) -> None:
        self._unindex(story)
        self.stories.pop(story, None)
        self._members.pop(story, None)
        if into is None:
            return
        for old, new in self.redirects.items():
            if new == story:
                self.redirects[old] = into
        self.redirects[story] = into

    def resolve(self, story: str) -> str | None:
        story = self.redirects.get(story, story)
        return story if story in self.stories else None


# --------------------------------------------------------------------------- clustering


def _idf(n: float, df: float) -> float:
    return math.log((1 + n) / (1 + df)) + 1.0  # smoothed, as scikit-learn's default


def _unit(vector: Vector) -> Vector:
    values = vector.values()
    norm = math.sqrt(sum(map(operator.mul, values, values))) or 1.0  # the same sum as over v * v
    return {t: v / norm for t, v in vector.items()}


def _components(pairs: np.ndarray, n: int) -> list[list[int]]:
    """Connected components of the graph on range(n) with these edges (rows of i, j), each in
    ascending order, ordered by their smallest node (each node ends labelled with it: labels only
    fall, along edges and to their label's label, until nothing changes)."""
    labels = np.arange(n)
    if len(pairs):
        i, j = pairs[:, 0], pairs[:, 1]
        while True:
            low = np.minimum(labels[i], labels[j])
            new = labels.copy()
            np.minimum.at(new, i, low)
            np.minimum.at(new, j, low)
            while True:
                jumped = new[new]
                if np.array_equal(jumped, new):
                    break
                new = jumped
            if np.array_equal(new, labels):
                break
            labels = new
    order = np.argsort(labels, kind="stable")  # each component's nodes ascending, smallest label first
    cuts = np.flatnonzero(np.diff(labels[order])) + 1
    return [group.tolist() for group in np.split(order, cuts)]


def average_linkage(
    scaled: np.ndarray, plain: np.ndarray, valid: np.ndarray, threshold: float, floor: float
) -> list[int]:
    """Agglomerative clustering, average linkage: each row's cluster, named by its smallest row.

    Two clusters merge, best pair first, while the mean of `scaled` over their `valid` pairs is at
    least `threshold` and the mean of `plain` at least `floor`; clusters with no valid pair between
    them never merge. Merges only happen inside the components of the graph of valid pairs with
    `scaled` >= threshold (a mean reaches the bar only if one pair does), so each component is
    clustered on its own: small matrices, however large the window.
    """
    n = len(scaled)
    labels = list(range(n))
    edges = np.argwhere(np.triu(valid & (scaled >= threshold), 1))
    for component in _components(edges, n):
        if len(component) < 2:
            continue
        index = np.array(component)
        grid = np.ix_(index, index)
        count = valid[grid].astype(float)
        np.fill_diagonal(count, 0.0)
        a = np.where(count > 0, scaled[grid], 0.0)
        b = np.where(count > 0, plain[grid], 0.0)
        m = len(index)
        alive = np.ones(m, dtype=bool)
        members = [[i] for i in range(m)]

        def scores(rows: int | slice) -> np.ndarray:
            """How far the rows' clusters are over both bars with every other (>= 1: they may merge)."""
            with np.errstate(divide="ignore", invalid="ignore"):
                out = a[rows] / (count[rows] * threshold)
                if floor > 0:
                    out = np.minimum(out, b[rows] / (count[rows] * floor))
            out[(count[rows] == 0) | ~alive] = -np.inf
            return out

        score = scores(slice(None))
        np.fill_diagonal(score, -np.inf)
        while True:
            best = int(np.argmax(score))  # ties: the first pair in row order, whatever the platform
            i, j = divmod(best, m)
            if not score[i, j] >= 1.0:
                break
            i, j = min(i, j), max(i, j)
            for matrix in (a, b, count):
                matrix[i, :] += matrix[j, :]
                matrix[:, i] += matrix[:, j]
                matrix[i, i] = 0.0
            alive[j] = False
            members[i] += members[j]
            members[j] = []
            score[j, :] = score[:, j] = -np.inf
            score[i, :] = scores(i)
            score[i, i] = -np.inf
            score[:, i] = score[i, :]
        for group in members:
            if group:
                name = int(index[min(group)])
                for row in group:
                    labels[int(index[row])] = name
    return labels


def _products(rows: np.ndarray, columns: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    """The n × n matrix of dot products of sparse rows given as cells (row, column, value): each
    column's cells multiplied pairwise, summed per pair of rows. A window's rows share few terms, so
    this costs far less than the dense product over every shared term (which it equals up to
    rounding: products are summed in float64, in column order)."""
    order = np.lexsort((rows, columns))
    rows, columns, values = rows[order], columns[order], values[order].astype(float)
    starts = np.flatnonzero(np.r_[True, columns[1:] != columns[:-1]]) if len(columns) else np.zeros(0, dtype=int)
    sizes = np.diff(np.r_[starts, len(columns)])
    size_of, start_of = np.repeat(sizes, sizes), np.repeat(starts, sizes)  # per cell, its column's run
    left = np.repeat(np.arange(len(columns)), size_of)
    right = np.repeat(start_of, size_of) + (np.arange(len(left)) - np.repeat(np.cumsum(size_of) - size_of, size_of))
    pairs = rows[left] * n + rows[right]
    return np.bincount(pairs, weights=values[left] * values[right], minlength=n * n).reshape(n, n)


@dataclass(slots=True)
class _Row:
    """One article of a window: a stored member or an article of the batch."""

    member: Member
    old: str | None  # its story before this batch (None: new)
    article: Article | None = None  # the batch's article object (new rows only)


class Clusterer:
    """Puts articles into stories, a batch at a time, keeping everything it needs in `state`.

    `assign_batch(batch)` sets each article's `.story` (and, for an undated article whose story
    gives it a date, `.published` and `.published_source = "inferred"`) and returns the story ids.
    Articles assigned earlier may change story when a later batch re-clusters their window
    (`take_moved()` hands those out) or gain an inferred date (`take_inferred()`).
    """

    ARRAYS = 20000  # members' term arrays kept (~2 KB each): a few windows' worth
    TERMS = 500_000  # term ids kept before starting afresh (memory stays bounded on any stream)
    DF_TERMS = 500_000  # document frequencies kept, at most (then read afresh)
    KNOWN = 200_000  # members remembered as having all their terms' frequencies read, at most

    def __init__(self, state: State, params: Params | None = None) -> None:
        self.state = state
        self.params = params or DEFAULT_PARAMS
        self._sequence = state.sequence()
        self._inferred: dict[str, date] = {}
        self._moved: dict[str, str] = {}
        self._background = _background() if self.params.background_documents > 0 else {}
        # Document frequencies read so far, kept as the state counts: they change only when a batch's
        # articles are counted (`_count` adds them here too), and batches ask for the same terms many
        # times (each window, each story it summarises). At most `DF_TERMS` kept.
        self._df: dict[str, int] = {}
        self._documents: int | None = None
        self._known: set[str] = set()  # members all of whose terms are in `_df`
        self._idf_cache: dict[str, float] = {}
        self._idf_documents: int | None = None
        self._scalar_cache: dict[str, float] = {}
        self._scalar_documents: int | None = None
        self._term_ids: dict[str, int] = {}
        self._term_names: list[str] = []
        self._member_arrays: dict[str, tuple[np.ndarray, np.ndarray]] = {}
        self._idf_by_id = np.zeros(0)  # `_idfs` by term id, NaN where not asked yet (`_idfs_of`)
        self._idf_by_id_documents: int | None = None

    # -- public

    def assign(self, article: Article, vector: Vector | None = None) -> str:
        """A batch of one."""
        return self.assign_batch([(article, vector)])[0]

    def assign_batch(self, batch: Sequence[tuple[Article, Vector | None]]) -> list[str]:
        """Cluster a batch (originals, not copies) together with the stories it may touch.
        Document frequencies of the whole batch are counted first."""
        vectors = [v if v is not None else features(a, self.params) for a, v in batch]
        self.state.add_documents(vectors)
        self._count(vectors)
        new: dict[str, tuple[Article, Vector]] = {}
        for (article, _), vector in zip(batch, vectors):
            new.setdefault(article.id, (article, vector))  # the same input twice: one row
        todo = list(new.values())
        for start in range(0, len(todo), self.params.window_batch):
            self._cluster(todo[start : start + self.params.window_batch])
        for article_id, (article, _) in new.items():  # moved or dated by a later window of the same batch
            if article_id in self._moved:
                article.story = self._moved.pop(article_id)
            if article_id in self._inferred:
                article.published, article.published_source = self._inferred.pop(article_id), "inferred"
        for article, _ in batch:
            article.story = new[article.id][0].story
        return [article.story for article, _ in batch]

    def assign_to(self, story: str, article: Article) -> str:
        """Add a duplicate to its canonical's story: listed with its outlet and date, centroid untouched.
        It moves with its canonical from then on."""
        sid = self.state.resolve(story)
        if sid is None:
            raise KeyError(f"story {story!r} is not in the state: assign the canonical article first")
        canonical = self.state.member(article.duplicate_of) if article.duplicate_of else None
        sid = canonical.story if canonical is not None else sid  # where the canonical is now
        member = self._member(article, sid, {})
        member.canonical = article.duplicate_of or member.canonical
        self.state.save_members([member])
        self._summarise(sid, {}, [], {article.id: article})
        article.story = sid
        return sid

    def take_inferred(self) -> dict[str, date]:
        """Articles assigned earlier whose date their story now gives: {article id: date}. Clears the list."""
        out, self._inferred = self._inferred, {}
        return dict(sorted(out.items()))

    def take_moved(self) -> dict[str, str]:
        """Articles assigned earlier that a later batch put in another story: {article id: story}. Clears it."""
        out, self._moved = self._moved, {}
        return dict(sorted(out.items()))

    # -- the window

    def _cluster(self, batch: list[tuple[Article, Vector]]) -> None:
        p = self.params
        n, df = self._frequency({t for _, v in batch for t in v})
        rows = self._window(batch, n, df)
        # Members whose terms were all read before (`_known`: `df` only grows) are left out of the union.
        if len(self._known) > self.KNOWN:
            self._known = set()
        known = self._known
        fresh = [row.member.vector.keys() for row in rows if row.member.id not in known]
        vocabulary = sorted(t for t in set().union(*fresh) if t not in df)  # (set - df.keys() walks all of df)
        if vocabulary:
            df.update(self._frequency(vocabulary)[1])
        known.update(row.member.id for row in rows)
        plain, valid = self._similarities(rows, n, df)
        scale = self._scale(plain, valid)
        with np.errstate(divide="ignore", invalid="ignore"):
            scaled = plain / np.sqrt(np.outer(scale, scale))
        labels = average_linkage(scaled, plain, valid, p.threshold, p.min_similarity)
        clusters: dict[int, list[int]] = defaultdict(list)
        for row, label in enumerate(labels):
            clusters[label].append(row)
        self._apply(rows, self._name(rows, clusters))

    def _window(self, batch: list[tuple[Article, Vector]], n: int, df: dict[str, int]) -> list[_Row]:
        """The batch's articles after the stored members of the stories they may join (oldest first)."""
        p = self.params
        rank: dict[str, tuple[int, str]] = {}
        for article, vector in batch:
            when = self._own(article)
            start = end = None
            if when is not None:
                start, end = when - timedelta(days=p.window_days), when + timedelta(days=p.window_days)
            idf = self._scalar_idfs(vector, n, df)
            # (-weight, term) pairs sorted: the order of sorting the terms by that key.
            query = [t for _, t in sorted([(-(v * idf[t]), t) for t, v in vector.items()])[: p.query_terms]]
            for position, sid in enumerate(self.state.active_ids(start, end, query, p.max_candidates)):
                rank[sid] = min(rank.get(sid, (position, sid)), (position, sid))
        room = max(p.window_articles - len(batch), 0)
        members: list[Member] = []
        for sid in sorted(rank, key=lambda s: rank[s]):
            found = self.state.members(sid, p.story_articles, vectors=True)
            if len(found) <= room:
                members += found
                room -= len(found)
        members.sort(key=lambda m: (m.seq, m.id))
        rows = [_Row(m, m.story) for m in members]
        for article, vector in batch:
            self._sequence += 1
            rows.append(_Row(self._member(article, "", vector, self._sequence), None, article))
        return rows

    def _similarities(self, rows: list[_Row], n: int, df: dict[str, int]) -> tuple[np.ndarray, np.ndarray]:
        """Cosine of the rows' TF-IDF vectors, and which pairs count (dates within the window)."""
        p = self.params
        # Only terms that two rows share enter the product; the others still count in each row's norm.
        # The rows' terms as integer ids (each member's parsed once, `_arrays`), so that the cells are
        # built with array operations: the same values, in the same order, as a loop over the terms.
        if len(self._term_names) > self.TERMS:  # a long stream's vocabulary: start the ids afresh
            self._term_ids, self._term_names, self._member_arrays = {}, [], {}
            self._idf_by_id = np.zeros(0)
        arrays = [self._arrays(row.member) for row in rows]
        ids = np.concatenate([a[0] for a in arrays]) if rows else np.zeros(0, dtype=np.int64)
        values = np.concatenate([a[1] for a in arrays]) if rows else np.zeros(0)
        r = np.repeat(np.arange(len(rows)), [len(a[0]) for a in arrays])
        unique, inverse, postings = np.unique(ids, return_inverse=True, return_counts=True)
        w = values * self._idfs_of(unique, n, df)[inverse.reshape(-1)]
        shared = np.flatnonzero(postings > 1)
        names = [self._term_names[i] for i in unique[shared].tolist()]
        column_of = np.full(len(unique), -1)
        column_of[shared[sorted(range(len(shared)), key=names.__getitem__)]] = np.arange(len(shared))  # term order
        c = column_of[inverse.reshape(-1)]
        norms = np.zeros(len(rows))
        if len(w):
            np.add.at(norms, r, w * w)
        norms = np.sqrt(norms)
        kept = c >= 0
        # The unit rows' shared cells, as float32 (what a dense float32 matrix of them would hold).
        cells = (w[kept].astype(np.float32) / np.where(norms > 0, norms, 1.0)[r[kept]]).astype(np.float32)
        plain = _products(r[kept], c[kept], cells, len(rows))
        days = np.array([m.published.toordinal() if m.published else np.nan for m in (r.member for r in rows)])
        dated = ~np.isnan(days)
        with np.errstate(invalid="ignore"):
            near = np.abs(days[:, None] - days[None, :]) <= p.window_days
        valid = near | ~dated[:, None] | ~dated[None, :]
        np.fill_diagonal(valid, False)
        mixed = dated[:, None] != dated[None, :]
        plain = np.where(mixed, plain * p.mixed_weight, plain)
        return np.where(valid, plain, 0.0), valid

    def _scale(self, plain: np.ndarray, valid: np.ndarray) -> np.ndarray:
        """Each row's neighbourhood scale: its similarity to its k-th most similar valid row; a row with
        fewer than k valid rows has no neighbourhood to measure and takes `sparse_scale` instead."""
        p = self.params
        k = p.neighbours
        if len(plain) <= k:
            return np.full(len(plain), p.sparse_scale)
        kth = -np.partition(-np.where(valid, plain, -1.0), k - 1, axis=1)[:, k - 1]
        return np.where(valid.sum(axis=1) >= k, np.maximum(kth, 1e-3), p.sparse_scale)

    def _name(self, rows: list[_Row], clusters: dict[int, list[int]]) -> list[str]:
        """Each row's story id: a cluster takes the id of the old story it holds most of (each id once;
        ties: the smaller id); a cluster holding none opens a story named after its first new article
        (else its first member)."""
        pairs = []
        for label, members in clusters.items():
            counts = Counter(rows[r].old for r in members if rows[r].old is not None)
            pairs += [(-count, sid, label) for sid, count in counts.items()]
        named: dict[int, str] = {}
        taken: set[str] = set()
        for _, sid, label in sorted(pairs):
            if sid not in taken and label not in named:
                named[label], taken = sid, taken | {sid}
        out = [""] * len(rows)
        for label in sorted(clusters):
            members = clusters[label]
            sid = named.get(label)
            if sid is None:
                opener = next((r for r in members if rows[r].old is None), members[0])
                sid = story_id(rows[opener].member.id)
                while sid in taken or self.state.resolve(sid) is not None or self.state.get(sid) is not None:
                    sid = story_id(sid)  # a split-off part of a story whose opener's id is still in use
                taken.add(sid)
            for r in members:
                out[r] = sid
        return out

    def _apply(self, rows: list[_Row], ids: list[str]) -> None:
        """Write the window's new partition: members moved or added, stories summarised, emptied ones retired."""
        changed: list[Member] = []
        incoming: dict[str, list[Vector]] = defaultdict(list)
        outgoing: dict[str, list[Vector]] = defaultdict(list)
        went: dict[str, Counter] = defaultdict(Counter)  # old story → where its members went
        titles: dict[str, list[str]] = defaultdict(list)
        pending: dict[str, Article] = {}
        for row, sid in zip(rows, ids):
            titles[sid].append(row.member.title)
            if row.article is not None:
                pending[row.member.id] = row.article
                row.article.story = sid
            if row.old == sid:
                continue
            if row.old is not None:
                outgoing[row.old].append(row.member.vector)
                went[row.old][sid] += 1
                self._moved[row.member.id] = sid
            incoming[sid].append(row.member.vector)
            row.member.story = sid
            changed.append(row.member)
        moved = {r.member.id: r.member.story for r in rows if r.old is not None and r.old != r.member.story}
        for copy in self.state.copies(sorted(moved)) if moved else []:
            sid = moved[copy.canonical]
            if copy.story != sid:
                went[copy.story][sid] += 0  # listed, so that its old story is summarised; it does not vote
                copy.story = sid
                self._moved[copy.id] = sid
                changed.append(copy)
        self.state.save_members(changed)
        for sid in sorted(set(incoming) | set(outgoing) | set(went)):  # stories whose members changed
            deltas = {"+": incoming.get(sid, []), "-": outgoing.get(sid, [])}
            if not self._summarise(sid, deltas, titles.get(sid, []), pending):
                self.state.retire(sid, self._heir(sid, went[sid]))

    def _heir(self, sid: str, went: Counter) -> str | None:
        """Where an emptied story's articles are now: the story that took most of them in this window,
        else (the window did not see them leave: a state that lost a write) the story holding most of
        its former articles, else none (the story is dropped without a redirect)."""
        if not went:
            story = self.state.get(sid)
            now = (self.state.member(a) for a in (story.articles if story else []))
            went = Counter(m.story for m in now if m is not None and m.story != sid)
            if went:
                logger.warning("story %s lost its members unseen; it redirects to where they are", sid)
        return min(went.items(), key=lambda kv: (-kv[1], kv[0]))[0] if went else None

    # -- stories

    def _member(self, article: Article, story: str, vector: Vector, seq: int | None = None) -> Member:
        if seq is None:
            self._sequence += 1
            seq = self._sequence
        own = self._own(article)
        clue = weekday_clue(article.text or "") if own is None else None
        return Member(
            article.id,
            story,
            seq,
            vector,
            article.duplicate_of,
            own,
            article.source,
            (article.title or "").strip(),
            clue,
        )

    @staticmethod
    def _own(article: Article) -> date | None:
        return article.published if article.published_source != "inferred" else None

    def _summarise(
        self, sid: str, deltas: dict[str, list[Vector]], titles: list[str], pending: dict[str, Article]
    ) -> bool:
        """Rebuild a story's summary from its members (False when it has none left)."""
        p = self.params
        members = sorted(self.state.members(sid), key=lambda m: (m.seq, m.id))
        if not members:
            return False
        story = self.state.get(sid) or StoryState(id=sid)
        centroid = story.centroid
        get = centroid.get
        for vector in deltas.get("+", []):
            for term, value in _unit(vector).items():
                centroid[term] = get(term, 0.0) + value
        for vector in deltas.get("-", []):
            for term, value in _unit(vector).items():
                centroid[term] = get(term, 0.0) + -value
        story.centroid = {t: v for t, v in centroid.items() if v > 1e-9}
        weight = self._weights(story.centroid)
        # The heaviest terms only: (-weight, term) pairs in order are the terms sorted by that key
        # (nsmallest = sorted()[:k]); a story's centroid has hundreds.
        k = max(p.centroid_terms, p.index_terms)
        pairs = [(-w, t) for t, w in weight.items()]
        ranked = [t for _, t in (sorted(pairs)[:k] if len(pairs) <= 2 * k else heapq.nsmallest(k, pairs))]
        if len(weight) > p.centroid_terms:
            story.centroid = {t: story.centroid[t] for t in ranked[: p.centroid_terms]}
        story.terms = sorted(ranked[: p.index_terms])
        self._sequence += 1
        story.updated = self._sequence
        story.articles = [m.id for m in members]
        story.size = sum(1 for m in members if not m.canonical)
        story.outlets = sorted({m.source for m in members if m.source})
        own = [m.published for m in members if m.published is not None]
        story.first = min(own) if own else None
        story.last_published = max(own) if own else None
        story.clues = {m.id: m.clue for m in members if m.published is None and m.clue is not None}
        self._relabel(story, members, titles, weight)
        self._resolve(story, pending)
        self.state.save(story)
        return True

    def _weights(self, centroid: Vector) -> Vector:
        """The centroid's TF-IDF weights. When the batch's IDFs already hold every term (so their
        frequencies were read too), straight from them; else the frequencies are read and the IDFs
        computed as usual."""
        idf = self._idf_cache
        if self._documents is not None and self._documents == self._idf_documents:
            try:
                return {t: v * idf[t] for t, v in centroid.items()}
            except KeyError:
                pass
        n, df = self._frequency(centroid)
        idf = self._idfs(list(centroid), n, df)
        return {t: v * idf[t] for t, v in centroid.items()}

    def _relabel(self, story: StoryState, members: list[Member], titles: list[str], weight: Vector) -> None:
        """Keep as label the title closest to the centroid, among the current label and the titles of
        the members this batch touched (bounded work, whatever the story's size)."""
        by_title = {m.title: m.id for m in reversed(members) if m.title}  # a title's first member
        candidates = {t for t in titles if t in by_title}
        if story.label_article in {m.id for m in members} and story.label:
            candidates.add(story.label)
        if not candidates:
            first = next((m for m in members if m.title), None)
            story.label, story.label_article = (first.title, first.id) if first else ("", None)
            return
        norm = math.sqrt(sum(w * w for w in weight.values())) or 1.0

        def score(text: str) -> float:
            counts: dict[str, float] = defaultdict(float)
            _add_terms(counts, text, 1.0, self.params)
            return sum(v * weight.get(t, 0.0) for t, v in _unit(counts).items()) / norm

        best = min(candidates, key=lambda t: (-score(t), t))  # ties: the alphabetically first title
        story.label, story.label_article = best, by_title[best]

    def _resolve(self, story: StoryState, pending: dict[str, Article]) -> None:
        """Give undated members the date their weekday clue names, now that the story may have a first date."""
        inferred = (
            {a: resolve_weekday(w, story.first) for a, w in story.clues.items()} if story.first is not None else {}
        )
        for member, when in inferred.items():
            if member in pending:
                pending[member].published, pending[member].published_source = when, "inferred"
            elif story.inferred.get(member) != when:
                self._inferred[member] = when
        story.inferred = inferred
        candidates = [d for d in (story.last_published, *inferred.values()) if d is not None]
        story.last = max(candidates) if candidates else story.first

    def _arrays(self, member: Member) -> tuple[np.ndarray, np.ndarray]:
        """A member's vector as (term ids, values) in the vector's order, kept for the next windows
        (a member's vector never changes; most recently used last, at most `ARRAYS` kept)."""
        found = self._member_arrays.pop(member.id, None)
        if found is None:
            ids = [self._term_ids.get(t) for t in member.vector]
            for i, t in enumerate(member.vector):
                if ids[i] is None:
                    ids[i] = self._term_ids[t] = len(self._term_names)
                    self._term_names.append(t)
            found = (np.array(ids, dtype=np.int64), np.fromiter(member.vector.values(), float, len(member.vector)))
        self._member_arrays[member.id] = found
        if len(self._member_arrays) > self.ARRAYS:
            del self._member_arrays[next(iter(self._member_arrays))]
        return found

    def _count(self, documents: Sequence[Iterable[str]]) -> None:
        """What `state.add_documents(documents)` just counted, in the frequencies read so far."""
        if self._documents is None or len(self._df) > self.DF_TERMS:
            self._df, self._documents, self._known = {}, None, set()  # read afresh
            return
        counts: Counter = Counter()
        for terms in documents:
            counts.update(set(terms))
        df = self._df
        for term, count in counts.items():
            if term in df:
                df[term] += count
        self._documents += len(documents)

    def _frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        """`state.document_frequency`, asking the state only for terms not read since the counts changed."""
        missing = [t for t in terms if t not in self._df]
        if missing or self._documents is None:
            self._documents, found = self.state.document_frequency(missing)
            self._df.update(found)
        return self._documents, self._df  # holds at least `terms`: callers only look terms up

    def _idfs(self, terms: Sequence[str], n: int, df: dict[str, int]) -> dict[str, float]:
        """`_idf` for many terms at once: a dict holding at least `terms` (the IDFs of the batch so
        far: they change only when a batch's articles are counted, as `_frequency`'s counts)."""
        if n != self._idf_documents:
            self._idf_cache, self._idf_documents = {}, n
        missing = [t for t in terms if t not in self._idf_cache]
        if missing:
            prior = self.params.background_documents
            counts = np.fromiter(map(df.get, missing, itertools.repeat(0)), float, len(missing))
            if prior:
                counts += prior * np.fromiter(
                    map(self._background.get, missing, itertools.repeat(0.0)), float, len(missing)
                )
            values = np.log((1.0 + n + prior) / (1.0 + counts)) + 1.0
            self._idf_cache.update(zip(missing, values.tolist()))
        return self._idf_cache

    def _idfs_of(self, ids: np.ndarray, n: int, df: dict[str, int]) -> np.ndarray:
        """`_idfs` of the terms with these ids, as an array. The values are kept by id too (NaN: not
        yet), so that a window asks `_idfs` only for the terms it lacks: the terms `_idfs` has not
        seen since the counts changed are among those, in the same order, so it computes the same."""
        if n != self._idf_by_id_documents:
            self._idf_by_id, self._idf_by_id_documents = np.zeros(0), n
        if len(self._idf_by_id) < len(self._term_names):
            grown = np.full(len(self._term_names) + 1024, np.nan)
            grown[: len(self._idf_by_id)] = self._idf_by_id
            self._idf_by_id = grown
        found = self._idf_by_id[ids]
        lacking = np.flatnonzero(np.isnan(found))
        if len(lacking):
            names = [self._term_names[i] for i in ids[lacking].tolist()]
            idf = self._idfs(names, n, df)
            found[lacking] = self._idf_by_id[ids[lacking]] = np.fromiter(map(idf.__getitem__, names), float, len(names))
        return found

    def _scalar_idfs(self, terms: Iterable[str], n: int, df: dict[str, int]) -> dict[str, float]:
        """`_idf` for many terms, kept for the batch (a batch's articles share many terms; the counts are
        fixed): a dict holding at least `terms`, the same values as `_idf` term by term."""
        if n != self._scalar_documents:
            self._scalar_cache, self._scalar_documents = {}, n
        cache = self._scalar_cache
        missing = [t for t in terms if t not in cache]
        if missing:
            prior = self.params.background_documents
            if not prior:
                for t in missing:
                    cache[t] = _idf(n, df.get(t, 0))
            else:
                background, documents, log = self._background, n + prior, math.log
                for t in missing:  # _idf(n + prior, df + prior * background), inline
                    cache[t] = log((1 + documents) / (1 + (df.get(t, 0) + prior * background.get(t, 0.0)))) + 1.0
        return cache

    def _idf(self, term: str, n: int, df: dict[str, int]) -> float:
        """IDF from the stream's counts plus the background prior (`background_documents` articles)."""
        prior = self.params.background_documents
        if not prior:
            return _idf(n, df.get(term, 0))
        return _idf(n + prior, df.get(term, 0) + prior * self._background.get(term, 0.0))


DEFAULT_PARAMS = Params.load()


def cluster(
    articles: Iterable[Article], params: Params | None = None, state: State | None = None
) -> dict[str, list[str]]:
    """Cluster articles in the given order, one at a time: {story id: [article ids]}, as the state ends.
    Duplicates join their canonical's story."""
    state = state or MemoryState()
    clusterer = Clusterer(state, params)
    seen: list[str] = []
    for article in articles:
        canonical = state.member(article.duplicate_of) if article.duplicate_of else None
        if canonical is not None:
            clusterer.assign_to(canonical.story, article)
        else:
            clusterer.assign(article)
        seen.append(article.id)
    out: dict[str, list[str]] = defaultdict(list)
    for article_id in seen:
        out[state.member(article_id).story].append(article_id)
    return dict(out)
