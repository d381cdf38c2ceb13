"""Story clustering: online, time-aware, incremental.

A story is a set of articles about one real-world event. Articles arrive one at
a time (in pipeline order); each is compared only with the few stories that
could hold it — stories whose dates touch a window around the article's date
and that share one of its top terms (an inverted index kept by the `State`) —
and joins the most similar one above a threshold, or opens a new story. Nothing
is ever compared with the whole corpus.

Representation: TF-IDF over content words plus named entities. Without an NLP
model, capitalised word sequences stand in for entities ("Anatoly Antonov",
"Geneva"); they are added as extra terms, so names weigh more than common
words. Titles and leads weigh more than the rest of the body. `features` is a
pure function of one article (it runs in worker processes); IDF is applied
only when comparing, from document frequencies the `State` keeps
incrementally, so a story's centroid (a sum of its articles' unit term
vectors) never carries stale weights. Those counts start from a shipped
background table (document frequencies from another corpus, worth
`background_documents` articles): a short stream alone gives a flat IDF, in
which "said"-like words weigh as much as the names that tell two events apart.

Dates flow through stories: an undated article that names a weekday ("Earlier
on Saturday") gets the nearest such weekday on or after its story's first
date, within 7 days (`infer_date`), with provenance "inferred".
"""

from __future__ import annotations

import hashlib
import math
import re
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import date, timedelta
from typing import Protocol

from . import weights
from .models import Article
from .text import STOP_WORDS, singular

Vector = dict[str, float]

# --------------------------------------------------------------------------- parameters


@dataclass(frozen=True, slots=True)
class Params:
    """Clustering settings; the defaults are the shipped `weights/cluster.json` (a test checks)."""

    threshold: float = 0.275  # cosine similarity an article needs to join a story
    window_days: int = 7  # a dated article sees stories whose [first, last] is within this many days
    title_weight: float = 3.0  # a title word counts this many body words
    lead_weight: float = 2.0  # so does a word of the lead
    lead_chars: int = 400  # the lead: the body's first sentences up to about this many characters
    entity_weight: float = 2.0  # weight of a capitalised sequence, on top of its words
    number_weight: float = 1.0  # years, tolls, magnitudes: they tell two similar events apart
    query_terms: int = 20  # an article looks up candidate stories by its top terms
    index_terms: int = 20  # a story is indexed under its top terms
    centroid_terms: int = 300  # a centroid keeps its heaviest terms only (bounded memory and cost)
    max_candidates: int = 50  # stories compared with one article, at most
    mixed_threshold: float = 0.375  # the bar when only one side (article or story) has a date: no window helps
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
    return {t: (1.0 + math.log(c)) if c > 1.0 else c for t, c in sorted(counts.items())}


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
class StoryState:
    id: str
    centroid: Vector = field(default_factory=dict)  # sum of member unit term vectors (no IDF)
    articles: list[str] = field(default_factory=list)  # duplicates included
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
    """Where stories and document frequencies live (memory for tests, SQLite in the store)."""

    def active(self, start: date | None, end: date | None, terms: Sequence[str], limit: int) -> list[StoryState]:
        """Up to `limit` stories that share one of `terms` in their `.terms`, most shared terms first,
        then most recently updated (`.updated`), then id. With a window, only stories whose
        [first, last] touches [start, end], plus stories without any date."""
        ...

    def get(self, story: str) -> StoryState | None: ...

    def save(self, story: StoryState) -> None: ...

    def sequence(self) -> int:
        """The highest `.updated` saved so far, so a new Clusterer continues the clock."""
        ...

    def add_document(self, terms: Iterable[str]) -> None:
        """Count one more article containing each of `terms` (once each)."""
        ...

    def document_frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        """(articles counted so far, {term: articles containing it}) — missing terms are 0."""
        ...


class MemoryState:
    """State in memory, indexed by (term, week) so that lookups stay bounded as the corpus grows."""

    WEEK = 7

    def __init__(self) -> None:
        self.stories: dict[str, StoryState] = {}
        self.df: dict[str, int] = defaultdict(int)
        self.documents = 0
        self._undated: dict[str, set[str]] = defaultdict(set)  # term → stories without dates
        self._dated: dict[tuple[str, int], set[str]] = defaultdict(set)  # (term, week) → stories
        self._all: dict[str, set[str]] = defaultdict(set)  # term → every story (undated lookups)
        self._keys: dict[str, tuple[list[str], list[tuple[str, int]]]] = {}

    def _weeks(self, story: StoryState) -> range:
        return range(story.first.toordinal() // self.WEEK, story.last.toordinal() // self.WEEK + 1)

    def save(self, story: StoryState) -> None:
        old_terms, old_keys = self._keys.pop(story.id, ([], []))
        for term in old_terms:
            self._undated[term].discard(story.id)
            self._all[term].discard(story.id)
        for key in old_keys:
            self._dated[key].discard(story.id)
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
        self.stories[story.id] = story

    def get(self, story: str) -> StoryState | None:
        return self.stories.get(story)

    def sequence(self) -> int:
        return max((story.updated for story in self.stories.values()), default=0)

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

    def add_document(self, terms: Iterable[str]) -> None:
        self.documents += 1
        for term in set(terms):
            self.df[term] += 1

    def document_frequency(self, terms: Iterable[str]) -> tuple[int, dict[str, int]]:
        return self.documents, {t: self.df.get(t, 0) for t in terms}


# --------------------------------------------------------------------------- clustering


def _idf(n: float, df: float) -> float:
    return math.log((1 + n) / (1 + df)) + 1.0  # smoothed, as scikit-learn's default


def _unit(vector: Vector) -> Vector:
    norm = math.sqrt(sum(v * v for v in vector.values())) or 1.0
    return {t: v / norm for t, v in vector.items()}


class Clusterer:
    """Assigns articles to stories, one at a time, keeping everything it needs in `state`.

    `assign(article, vector)` sets `article.story` (and, for an undated article
    whose story gives it a date, `article.published` and `published_source =
    "inferred"`) and returns the story id. Articles assigned earlier can gain an
    inferred date later (an earlier-dated article joins their story):
    `take_inferred()` hands those out.
    """

    def __init__(self, state: State, params: Params | None = None) -> None:
        self.state = state
        self.params = params or DEFAULT_PARAMS
        self._sequence = state.sequence()
        self._inferred: dict[str, date] = {}
        self._background = Params.background() if self.params.background_documents > 0 else {}

    # -- public

    def assign(self, article: Article, vector: Vector | None = None) -> str:
        if vector is None:
            vector = features(article, self.params)
        self.state.add_document(vector)
        return self._assign(article, vector)

    def _assign(self, article: Article, vector: Vector) -> str:
        story, _score = self.best(article, vector)
        if story is None:
            story = StoryState(id=story_id(article.id))
        self._join(story, article, vector)
        return story.id

    def assign_to(self, story: str, article: Article) -> str:
        """Add a duplicate to its canonical's story: listed with its outlet and date, centroid untouched."""
        state = self.state.get(story)
        if state is None:
            raise KeyError(f"story {story!r} is not in the state: assign the canonical article first")
        self._join(state, article, None)
        return state.id

    def best(self, article: Article, vector: Vector) -> tuple[StoryState | None, float]:
        """The most similar candidate story at or above the threshold (None if there is none), and its score."""
        p = self.params
        when = article.published
        start = end = None
        if when is not None:
            start, end = when - timedelta(days=p.window_days), when + timedelta(days=p.window_days)
        n, df = self.state.document_frequency(vector)
        weighted = _unit({t: v * self._idf(t, n, df) for t, v in vector.items()})
        query = sorted(weighted, key=lambda t: (-weighted[t], t))[: p.query_terms]
        candidates = self.state.active(start, end, query, p.max_candidates)
        if not candidates:
            return None, 0.0
        extra = {t for s in candidates for t in s.centroid if t not in df}
        if extra:
            df.update(self.state.document_frequency(extra)[1])
        best, chosen, top = -1.0, None, 0.0
        for story in sorted(candidates, key=lambda s: s.id):  # ties go to the smallest id, whatever the order
            score = self._cosine(weighted, story.centroid, n, df)
            top = max(top, score)
            # Dated article and undated story (or the reverse): the time window cannot tell an event from
            # another one of its kind months apart (same people, same places), so the bar is higher.
            bar = p.threshold if (when is None) == (story.first is None) else max(p.threshold, p.mixed_threshold)
            if score >= bar and score > best:
                best, chosen = score, story
        if chosen is None:
            return None, top
        return chosen, best

    def assign_batch(self, batch: Sequence[tuple[Article, Vector | None]]) -> list[str]:
        """Assign a batch as the pipeline sees it: document frequencies of the whole batch first
        (one store round-trip), then each article in order. Duplicates go through `assign_to`."""
        vectors = [v if v is not None else features(a, self.params) for a, v in batch]
        for vector in vectors:
            self.state.add_document(vector)
        return [self._assign(a, v) for (a, _), v in zip(batch, vectors)]

    def take_inferred(self) -> dict[str, date]:
        """Articles assigned earlier whose date their story now gives: {article id: date}. Clears the list."""
        out, self._inferred = self._inferred, {}
        return dict(sorted(out.items()))

    # -- internals

    def _idf(self, term: str, n: int, df: dict[str, int]) -> float:
        """IDF from the stream's counts plus the background prior (`background_documents` articles)."""
        prior = self.params.background_documents
        if not prior:
            return _idf(n, df.get(term, 0))
        return _idf(n + prior, df.get(term, 0) + prior * self._background.get(term, 0.0))

    def _cosine(self, weighted: Vector, centroid: Vector, n: int, df: dict[str, int]) -> float:
        norm = 0.0
        dot = 0.0
        for term, value in centroid.items():
            w = value * self._idf(term, n, df)
            norm += w * w
            a = weighted.get(term)
            if a is not None:
                dot += a * w
        return dot / math.sqrt(norm) if norm else 0.0

    def _join(self, story: StoryState, article: Article, vector: Vector | None) -> None:
        p = self.params
        self._sequence += 1
        story.updated = self._sequence
        if article.id not in story.articles:
            story.articles.append(article.id)
        if article.source and article.source not in story.outlets:
            story.outlets = sorted({*story.outlets, article.source})
        if vector is not None:
            story.size += 1
            for term, value in _unit(vector).items():
                story.centroid[term] = story.centroid.get(term, 0.0) + value
            n, df = self.state.document_frequency(story.centroid)
            weight = {t: v * self._idf(t, n, df) for t, v in story.centroid.items()}
            ranked = sorted(weight, key=lambda t: (-weight[t], t))
            if len(ranked) > p.centroid_terms:
                story.centroid = {t: story.centroid[t] for t in ranked[: p.centroid_terms]}
            story.terms = sorted(ranked[: p.index_terms])
            self._relabel(story, article, weight)
        elif not story.label and article.title:
            story.label, story.label_article = article.title.strip(), article.id
        own = article.published if article.published_source != "inferred" else None
        if own is not None:
            story.first = own if story.first is None else min(story.first, own)
            story.last_published = own if story.last_published is None else max(story.last_published, own)
        elif article.published is None:
            clue = weekday_clue(article.text or "")
            if clue is not None:
                story.clues[article.id] = clue
        self._resolve(story, article)
        article.story = story.id
        self.state.save(story)

    def _relabel(self, story: StoryState, article: Article, weight: Vector) -> None:
        """Keep as label the title closest to the centroid (compared with the current label only: O(1))."""
        title = (article.title or "").strip()
        if not title:
            return
        if not story.label:
            story.label, story.label_article = title, article.id
            return
        norm = math.sqrt(sum(w * w for w in weight.values())) or 1.0

        def score(text: str) -> float:
            counts: dict[str, float] = defaultdict(float)
            _add_terms(counts, text, 1.0, self.params)
            unit = _unit(counts)
            return sum(v * weight.get(t, 0.0) for t, v in unit.items()) / norm

        new, old = score(title), score(story.label)
        if (new, story.label) > (old, title):  # ties: the alphabetically first title, whatever the order
            story.label, story.label_article = title, article.id

    def _resolve(self, story: StoryState, article: Article) -> None:
        """Give undated members the date their weekday clue names, now that the story may have a first date."""
        if story.first is None:
            return
        inferred = {a: resolve_weekday(w, story.first) for a, w in story.clues.items()}
        for member, when in inferred.items():
            if member == article.id:
                article.published, article.published_source = when, "inferred"
            elif story.inferred.get(member) != when:
                self._inferred[member] = when
        story.inferred = inferred
        candidates = [d for d in (story.last_published, *inferred.values()) if d is not None]
        story.last = max(candidates) if candidates else story.first


DEFAULT_PARAMS = Params.load()


def cluster(
    articles: Iterable[Article], params: Params | None = None, state: State | None = None
) -> dict[str, list[str]]:
    """Cluster articles in the given order: {story id: [article ids]}. Duplicates join their canonical's story."""
    clusterer = Clusterer(state or MemoryState(), params)
    story_of: dict[str, str] = {}
    for article in articles:
        if article.duplicate_of and article.duplicate_of in story_of:
            story_of[article.id] = clusterer.assign_to(story_of[article.duplicate_of], article)
        else:
            story_of[article.id] = clusterer.assign(article)
    out: dict[str, list[str]] = defaultdict(list)
    for article_id, sid in story_of.items():
        out[sid].append(article_id)
    return dict(out)
