"""Timeline summarisation: which dates matter, and which sentences say what happened on them.

Pure and SQL-free: the caller (the store) hands in candidate sentences, already
restricted to the articles the query selected, with syndicated copies folded
into `carried_by`. Two steps, after DATEWISE (Gholipour Ghalandari & Ifrim 2020):

1. **Date selection.** A date matters when the corpus talks about it: articles
   published that day, and — the stronger signal — articles elsewhere that refer
   back (or forward) to it. Each date gets a handful of counts of distinct articles
   (one long article is one voice, however often it names its day), smoothed over
   adjacent days and scaled to the corpus; a linear scorer ranks them. Its weights
   are chosen by `bench/tls.py` on Timeline17 dev topics from a few candidate
   rankers and stored in `weights/timeline.json`: the shipped one counts the
   articles naming a day, those written after it twice, and those published on it
   a little — over a long span, a burst of publication outweighed the days later
   articles keep coming back to.
2. **Sentence selection.** For each chosen date, the candidates are sentences
   that refer to that day and lead sentences of articles published that day (and,
   with `pub_lag`, the next day: reports of yesterday's events). Those far from
   what both kinds share are cut at the knee of their similarities (DATEWISE's
   PM-mean collector); the rest are ranked by closeness to the date's TF-IDF
   centroid, relevance to the query, and concreteness (a finished sentence, not
   a caption, a quote or a question), with an MMR penalty against sentences
   already chosen for other dates; a sentence speaks for one date only. With a
   query, a lead speaks for its day only if it names the query's words
   (DATEWISE's keyword filter, for leads only; a date is never dropped for it).

Speed: one pass over all sentences counts dates (cheap integer work); term
vectors are built only for the candidates of the chosen dates. Ingest may store
`terms(text)` per sentence (a space-joined string is enough) and pass it as
`Sentence.tokens` to skip tokenising at query time.
"""

from __future__ import annotations

import functools
import json
import math
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import islice
from typing import Any

from . import weights
from .text import STOP_WORDS, stem

DEFAULT_MAX_DATES = 20  # DESIGN.md: "at most 20" when the evidence decides
DEFAULT_MIN_SUPPORT = 2  # DESIGN.md: "every date backed by at least 2 sentences"

# Date features, in the order the weights use them. Every count is of distinct articles (or
# outlets), never of sentences: one long article (a live blog, a programme listing naming its own
# day thirty times) is one voice. Counts are log-scaled and divided by their maximum over the
# candidate dates, so a weight means the same on 5 or 5,000 articles.
DATE_FEATURES = (
    "pub_articles",  # articles published on the date
    "ref_articles",  # articles naming the date
    "ref_later",  # articles published after the date that name it (looking back)
    "ref_earlier",  # articles published before the date that name it (announcements)
    "ref_same",  # articles published on the date that name it
    "ref_sources",  # outlets naming the date
    "next_pub",  # articles published the day after (reports of yesterday's events)
    "near_ref",  # articles naming the adjacent days (smoothing)
    "near_pub",  # articles published on the adjacent days (smoothing)
)

# The shipped parameters (`weights/timeline.json`):
#   date_weights  one weight per DATE_FEATURES name; date_bias their intercept
#   lead          sentences of an article published on a date that speak for that date
#   pub_lag       also let lead sentences of articles published up to this many days later speak
#   knee          keep only a date's candidates close to both its kinds of evidence (DATEWISE)
#   sentence      weights of the sentence scorer: closeness to the date's centroid, to the query,
#                 naming the day, being a lead, being a quote or a question, a fragment (no closing
#                 punctuation: a caption, a heading, a byline), too short or long, and the MMR
#                 redundancy penalty
#   min_tokens, max_tokens   the lengths a candidate sentence may have
#   query_filter  with a query, a lead speaks for its day only if it names the query's words
DEFAULT_PARAMS: dict[str, Any] = {k: v for k, v in weights.load("timeline").items() if not k.startswith("_")}


# ---------------------------------------------------------------------------------------
# Records


@dataclass(slots=True)
class Sentence:
    """A candidate sentence and where it comes from.

    `dates` are the days the sentence refers to (day-granularity temporal expressions,
    resolved against the article's publication date). `tokens`, if given, are
    `terms(text)` precomputed at ingest; otherwise they are computed on demand, and
    only for the sentences that become candidates.
    """

    text: str
    article: str
    source: str | None
    url: str | None
    title: str | None
    published: date | None
    dates: Sequence[date] = ()
    position: int = 0  # 0-based index of the sentence in its article
    carried_by: Sequence[Mapping[str, Any]] = ()  # other outlets carrying the same article
    tokens: Sequence[str] | None = None
    story: str | None = None  # the story of the sentence's article


@dataclass(slots=True)
class Chosen:
    text: str
    article: str
    source: str | None
    url: str | None
    title: str | None
    # "published": its article appeared that day; "referenced": the sentence names the day;
    # "reported": a lead of an article that appeared later (`published` says when).
    date_source: str
    carried_by: list[dict[str, Any]] = field(default_factory=list)
    story: str | None = None
    # The article's own date.
    published: date | None = None

    def to_json(self) -> dict[str, Any]:
        return {
            "text": self.text,
            "article": self.article,
            "source": self.source,
            "url": self.url,
            "title": self.title,
            "date_source": self.date_source,
            "carried_by": [
                {"article": c.get("article"), "source": c.get("source"), "url": c.get("url")} for c in self.carried_by
            ],
            "story": self.story,
            "published": self.published.isoformat() if self.published else None,
        }


@dataclass(slots=True)
class Entry:
    date: date
    sentences: list[Chosen]
    # What the query's person said in articles of that day: {"text", "kind", "speaker", "article", "source"}.
    quotes: list[dict[str, Any]] = field(default_factory=list)

    def to_json(self) -> dict[str, Any]:
        return {
            "date": self.date.isoformat(),
            "sentences": [s.to_json() for s in self.sentences],
            "quotes": [dict(q) for q in self.quotes],
        }


@dataclass(slots=True)
class Timeline:
    query: str
    entries: list[Entry]

    def to_json(self) -> dict[str, Any]:
        return {"query": self.query, "entries": [e.to_json() for e in self.entries]}


# ---------------------------------------------------------------------------------------
# Terms

_WORD = re.compile(r"[^\W_]+(?:['’][^\W_]+)*", re.UNICODE)


@functools.lru_cache(maxsize=1 << 16)
def _term(word: str) -> str | None:
    """The term a lower-cased word counts as, or None for stop words (cached: vocabularies are small)."""
    w = word.replace("’", "'")
    if "'" in w:
        w = w.split("'", 1)[0]
    if len(w) < 2 or w in STOP_WORDS:
        return None
    return stem(w)


def terms(text: str) -> tuple[str, ...]:
    """Content terms of a text: lower-cased words without stop words, lightly stemmed."""
    return tuple(t for t in map(_term, _WORD.findall(text.lower())) if t is not None)


# ---------------------------------------------------------------------------------------
# Parameters


def load_params(path: str | None = None) -> dict[str, Any]:
    """The shipped parameters, overlaid with the JSON file at `path` when given."""
    if path is None:
        return json.loads(json.dumps(DEFAULT_PARAMS))
    with open(path, encoding="utf-8") as f:
        return merge_params(DEFAULT_PARAMS, json.load(f))


def merge_params(base: Mapping[str, Any], override: Mapping[str, Any] | None) -> dict[str, Any]:
    out = json.loads(json.dumps(base))
    for key, value in (override or {}).items():
        if key.startswith("_"):
            continue
        if isinstance(value, Mapping) and isinstance(out.get(key), dict):
            out[key].update(value)
        else:
            out[key] = value
    return out


# ---------------------------------------------------------------------------------------
# Date selection


@dataclass(slots=True)
class _DateStats:
    pub_articles: set = field(default_factory=set)
    ref_later: set = field(default_factory=set)  # the articles, each once
    ref_earlier: set = field(default_factory=set)
    ref_same: set = field(default_factory=set)
    ref_sources: set = field(default_factory=set)
    support: set = field(default_factory=set)  # distinct sentence texts backing the date

    @property
    def ref_articles(self) -> set:
        return self.ref_later | self.ref_earlier | self.ref_same


def date_statistics(sentences: Sequence[Sentence]) -> dict[date, _DateStats]:
    stats: dict[date, _DateStats] = defaultdict(_DateStats)
    for s in sentences:
        pub = s.published
        if pub is not None:
            st = stats[pub]
            st.pub_articles.add(s.article)
            st.support.add(s.text)
        if not s.dates:  # most sentences name no day
            continue
        for d in set(s.dates):
            st = stats[d]
            if pub is None or pub == d:
                st.ref_same.add(s.article)
            elif pub > d:
                st.ref_later.add(s.article)
            else:
                st.ref_earlier.add(s.article)
            st.ref_sources.add(s.source or s.article)
            st.support.add(s.text)
    return stats


# A day's counts, as date selection uses them: (day, published, referring, later, earlier, same,
# sources, support), the day a `date` or an ISO string (or rows of an int64 array with the day as
# its ordinal, in day order: what the store hands out), each count of distinct articles (outlets for
# `sources`); `support` counts the distinct sentence texts backing the day, or bounds them from above
# (the store's counts: `choose_dates` then checks the days it keeps).
DayRow = tuple[Any, int, int, int, int, int, int, int]


def day_counts(stats: Mapping[date, _DateStats]) -> list[DayRow]:
    """`date_statistics` as counts, one row per day."""
    return [
        (
            d,
            len(st.pub_articles),
            len(st.ref_articles),
            len(st.ref_later),
            len(st.ref_earlier),
            len(st.ref_same),
            len(st.ref_sources),
            len(st.support),
        )
        for d, st in stats.items()
    ]


def rank_days(
    rows: Sequence[DayRow],
    *,
    start: date | None = None,
    end: date | None = None,
    params: Mapping[str, Any] | None = None,
) -> Iterator[tuple[date, float, int]]:
    """The days in [start, end], best first: (date, score, support). Lazy: a million-article corpus
    has hundreds of thousands of days and a timeline wants twenty.

    Each day is scored by `DATE_FEATURES`: its own counts and its neighbours' (rows outside
    [start, end] count as neighbours), each log-scaled and divided by its maximum over the days in
    range, weighted and summed. Vectorised, with the same float operations in the same order as
    a loop over the days would do them, so the ranking does not depend on the corpus's size.
    """
    import numpy as np  # here, so that a query that makes no timeline starts without it

    p = params if params is not None else DEFAULT_PARAMS
    if not len(rows):
        return iter(())
    if isinstance(rows, np.ndarray):  # the store's: day ordinals in the first column, in order
        ordinals, counts = rows[:, 0], rows[:, 1:]
    else:
        ordinals = np.array([_ordinal(row[0]) for row in rows], dtype=np.int64)
        counts = np.array([row[1:] for row in rows], dtype=np.int64)
        order = np.argsort(ordinals, kind="stable")
        ordinals, counts = ordinals[order], counts[order]
    pub, ref, later, earlier, same, sources, support = counts.T

    def neighbour(offset: int) -> tuple[np.ndarray, np.ndarray]:
        """Where each day's neighbour at `offset` is in the rows, and whether it is there at all."""
        at = np.minimum(np.searchsorted(ordinals, ordinals + offset), len(ordinals) - 1)
        return at, ordinals[at] == ordinals + offset

    (before, has_before), (after, has_after) = neighbour(-1), neighbour(1)
    next_pub = np.where(has_after, pub[after], 0)
    columns = (
        pub,
        ref,
        later,
        earlier,
        same,
        sources,
        next_pub,
        np.where(has_before, ref[before], 0) + np.where(has_after, ref[after], 0),
        np.where(has_before, pub[before], 0) + next_pub,
    )
    keep = np.ones(len(ordinals), dtype=bool)
    if start is not None:
        keep &= ordinals >= start.toordinal()
    if end is not None:
        keep &= ordinals <= end.toordinal()
    if not keep.any():
        return iter(())
    weights = [float(p["date_weights"].get(name, 0.0)) for name in DATE_FEATURES]
    score = np.zeros(int(keep.sum()))
    for weight, column in zip(weights, columns):
        score = score + weight * _scaled(column[keep])  # as sum() would: left to right, from 0
    score = float(p.get("date_bias", 0.0)) + score
    kept, backing = ordinals[keep], support[keep]
    ranked = np.lexsort((kept, -score))
    return ((date.fromordinal(int(kept[i])), float(score[i]), int(backing[i])) for i in ranked)


def _ordinal(day: date | str) -> int:
    return (date.fromisoformat(day) if isinstance(day, str) else day).toordinal()


def _scaled(column: Any) -> Any:
    """log1p of each count over log1p of the largest (1 when all are 0), with math.log1p's values."""
    import numpy as np

    if not len(column):
        return column.astype(float)
    top = int(column.max())
    if top < 1 << 16:  # counts are small: a table of every value up to the largest
        logs = np.array([math.log1p(v) for v in range(top + 1)])
        return logs[column] / (logs[top] or 1.0)
    values, inverse = np.unique(column, return_inverse=True)
    logs = np.array([math.log1p(int(v)) for v in values])
    return logs[inverse.reshape(-1)] / (math.log1p(int(values[-1])) or 1.0)


def rank_dates(
    sentences: Sequence[Sentence],
    *,
    start: date | None = None,
    end: date | None = None,
    params: Mapping[str, Any] | None = None,
) -> list[tuple[date, float, int]]:
    """Candidate dates, best first: (date, score, support = distinct sentences backing it)."""
    return list(rank_days(day_counts(date_statistics(sentences)), start=start, end=end, params=params))


def choose_dates(
    ranked: Iterable[tuple[date, float, int]],
    max_dates: int | None,
    supported: Callable[[date], bool] | None = None,
) -> list[date]:
    """The dates a timeline shows, best first: the first `max_dates`, or with None every date backed
    by at least 2 distinct sentences, at most 20. `supported(day)` checks a day whose support is
    only bounded from above (the store's counts), and is asked only about the days that may be kept."""
    if max_dates is not None:
        return [d for d, _, _ in islice(ranked, max_dates)]
    chosen = []
    for d, _, support in ranked:
        if support >= DEFAULT_MIN_SUPPORT and (supported is None or supported(d)):
            chosen.append(d)
            if len(chosen) >= DEFAULT_MAX_DATES:
                break
    return chosen


# ---------------------------------------------------------------------------------------
# Sentence selection

_QUOTE_START = re.compile(r"^\s*(?:``|[\"“‘']|-\s)")
_QUOTE_CHARS = re.compile(r"``|''|[\"“”]")
_ENDS = re.compile(r"""[.!?]['"’”)\s]*$|''\s*$""")  # a finished sentence, not a caption or heading


def _vector(tokens: Sequence[str], idf: Mapping[str, float]) -> dict[str, float]:
    vec = {t: (1.0 + math.log(c)) * idf.get(t, 0.0) for t, c in Counter(tokens).items()}
    norm = math.hypot(*vec.values())
    if norm == 0.0:
        return {}
    return {t: v / norm for t, v in vec.items()}


def _dot(a: Mapping[str, float], b: Mapping[str, float]) -> float:
    if len(a) > len(b):
        a, b = b, a
    return sum(v * b.get(t, 0.0) for t, v in a.items())


@dataclass(slots=True)
class _Candidate:
    sentence: Sentence
    date_source: str
    tokens: tuple[str, ...]
    carried_by: list[dict[str, Any]]
    key: str  # the words of its text: the same sentence from any article has the same key
    vec: dict[str, float] = field(default_factory=dict)


def _collect(
    sentences: Sequence[Sentence], chosen_dates: Sequence[date], lead: int, pub_lag: int
) -> dict[date, list[_Candidate]]:
    wanted = set(chosen_dates)
    seen: dict[int, tuple[str, tuple[str, ...]]] = {}  # id(sentence) -> (fold key, terms): one regex pass
    out: dict[date, dict[str, _Candidate]] = {d: {} for d in chosen_dates}

    def add(d: date, s: Sentence, source: str) -> None:
        known = seen.get(id(s))
        if known is None:
            words = _WORD.findall(s.text.lower())
            toks = tuple(s.tokens) if s.tokens is not None else tuple(t for t in map(_term, words) if t)
            known = seen[id(s)] = (" ".join(words), toks)
        key, toks = known
        bucket = out[d]
        have = bucket.get(key)
        if have is not None:
            # The same sentence from another article: one entry, the others carry it.
            if have.sentence.article != s.article and not any(c.get("article") == s.article for c in have.carried_by):
                have.carried_by.append({"article": s.article, "source": s.source, "url": s.url})
                have.carried_by.extend(
                    dict(c)
                    for c in s.carried_by
                    if not any(h.get("article") == c.get("article") for h in have.carried_by)
                )
            if source == "referenced":
                have.date_source = "referenced"
            return
        bucket[key] = _Candidate(s, source, toks, [dict(c) for c in s.carried_by], key)

    for s in sentences:
        if s.dates:
            for d in sorted({d for d in s.dates if d in wanted}):
                add(d, s, "referenced")
            continue  # a sentence naming a day speaks for that day, not its publication date
        if s.published is None or s.position >= lead:
            continue
        for lag in range(pub_lag + 1):  # a later article's lead reports what happened before it appeared
            d = s.published - timedelta(days=lag)
            if d in wanted:
                add(d, s, "reported" if lag else "published")
    return {d: list(bucket.values()) for d, bucket in out.items()}


def _on_topic(cands: list[_Candidate]) -> list[_Candidate]:
    """Keep the candidates close to what both kinds of evidence say about the date (DATEWISE's PM-mean).

    The date's vector keeps only the terms that sentences referring to the date and sentences
    published on it share, each side averaged; candidates are cut at the knee of their
    similarities to it. A date with little of either kind of evidence keeps all its candidates.
    """
    ref = [c for c in cands if c.date_source == "referenced"]
    pub = [c for c in cands if c.date_source != "referenced"]
    if len(ref) < 3 or len(pub) < 3:  # the shared terms of one or two sentences say little
        return cands
    sums = []
    for side in (ref, pub):
        total: dict[str, float] = defaultdict(float)
        for c in side:
            for t, v in c.vec.items():
                total[t] += v / len(side)
        sums.append(total)
    day = {t: v + sums[1][t] for t, v in sums[0].items() if t in sums[1]}
    norm = math.sqrt(sum(v * v for v in day.values())) or 1.0
    sims = [_dot(c.vec, day) / norm for c in cands]
    ordered = sorted(sims, reverse=True)
    cut = ordered[_knee(ordered)]
    kept = [c for c, sim in zip(cands, sims) if sim > 0 and sim >= cut]
    return kept or cands


def _knee(values: Sequence[float]) -> int:
    """Index of the point of a descending curve farthest from the line joining its ends."""
    n = len(values)
    if n < 3:
        return n - 1
    x1, y1 = n - 1, values[-1] - values[0]
    length = math.hypot(x1, y1) or 1.0
    best, best_i = -1.0, n - 1
    for i, v in enumerate(values):
        dist = abs(x1 * (v - values[0]) - y1 * i) / length
        if dist > best:
            best, best_i = dist, i
    return best_i


def _static_score(c: _Candidate, query_terms: frozenset[str], p: Mapping[str, Any]) -> float:
    w = p["sentence"]
    score = 0.0
    if query_terms and w["query"]:
        hit = len(query_terms.intersection(c.tokens))
        title_hit = len(query_terms.intersection(terms(c.sentence.title or ""))) if not hit else 0
        score += w["query"] * (hit + 0.3 * title_hit) / len(query_terms)
    if c.date_source == "referenced":
        score += w["referenced"]
    score += w["lead"] / (1.0 + c.sentence.position)
    text = c.sentence.text
    if _QUOTE_START.match(text) or len(_QUOTE_CHARS.findall(text)) >= 4:
        score -= w["quote"]
    if text.rstrip().endswith("?"):
        score -= w["question"]
    if not _ENDS.search(text):
        score -= w["fragment"]
    n = len(c.tokens)
    if n < p["min_tokens"]:
        score -= w["short"]
    elif n > p["max_tokens"]:
        score -= w["long"]
    return score


def summarise(
    sentences: Iterable[Sentence],
    query: str = "",
    *,
    max_dates: int | None = None,
    per_date: int = 1,
    start: date | None = None,
    end: date | None = None,
    params: Mapping[str, Any] | None = None,
) -> Timeline:
    """Pick the dates the corpus says most about and, for each, the sentences that say what happened.

    `max_dates=None` keeps every date backed by at least 2 distinct sentences, at most 20,
    best first. Entries come out in chronological order; the result is deterministic.
    """
    check_arguments(max_dates, per_date, start, end)
    p = merge_params(DEFAULT_PARAMS, params) if params is not None else DEFAULT_PARAMS
    pool = sentences if isinstance(sentences, list) else list(sentences)
    ranked = rank_days(day_counts(date_statistics(pool)), start=start, end=end, params=p)
    return select_sentences(pool, choose_dates(ranked, max_dates), query, per_date=per_date, params=p)


def check_arguments(max_dates: int | None, per_date: int, start: date | None, end: date | None) -> None:
    """What `summarise` refuses, said before any work is done."""
    if max_dates is not None and max_dates < 0:
        raise ValueError(f"max_dates={max_dates}: must be 0 or more (None = decided by the evidence)")
    if per_date < 1:
        raise ValueError(f"per_date={per_date}: must be at least 1")
    if start is not None and end is not None and start > end:
        raise ValueError(f"start {start} is after end {end}: swap them")


def select_sentences(
    pool: Sequence[Sentence],
    chosen_dates: Sequence[date],
    query: str = "",
    *,
    per_date: int = 1,
    params: Mapping[str, Any] | None = None,
) -> Timeline:
    """Step 2: the sentences that say what happened on each of `chosen_dates` (best first). `pool`
    needs to hold only the candidates of those dates (`_collect` says which), in the order of a
    pass over every sentence: articles oldest first, then position."""
    p = merge_params(DEFAULT_PARAMS, params) if params is not None else DEFAULT_PARAMS
    if not chosen_dates:
        return Timeline(query=query, entries=[])

    candidates = _collect(pool, chosen_dates, int(p["lead"]), int(p["pub_lag"]))

    # IDF over the candidates of the chosen dates: a topic-local vocabulary, cheap to build.
    df: dict[str, int] = defaultdict(int)
    n_docs = 0
    for cands in candidates.values():
        for c in cands:
            n_docs += 1
            for t in set(c.tokens):
                df[t] += 1
    idf = {t: math.log((1 + n_docs) / (1 + f)) + 1.0 for t, f in df.items()}
    query_terms = frozenset(terms(query))
    w = p["sentence"]
    # DATEWISE keeps only sentences naming the query's words. Here only the leads must: a lead
    # speaks for its day because it opens an article of that day, which may be about anything the
    # article also covers, while a sentence naming the date is about that day whatever words it
    # uses ("the ship was refloated on March 29" in a timeline of "Ever Given"). A date left with
    # no candidate keeps them all: the store selected its articles by the query (or by the
    # entity's aliases: "the ambassador" is Antonov).
    filtering = bool(query_terms) and bool(p.get("query_filter"))

    # Redundancy against everything already chosen, via an inverted index of the chosen
    # vectors: a candidate only meets the picks it shares terms with.
    picked_index: dict[str, list[tuple[int, float]]] = defaultdict(list)
    n_picked = 0

    def redundancy(vec: Mapping[str, float]) -> float:
        if not n_picked:
            return 0.0
        acc: dict[int, float] = defaultdict(float)
        for t, v in vec.items():
            for j, u in picked_index.get(t, ()):
                acc[j] += v * u
        return max(acc.values(), default=0.0)

    entries: list[Entry] = []
    used: set[str] = set()
    head = int(p.get("mmr_head", 50))
    for d in chosen_dates:  # best date first, so it gets first claim on its sentences
        cands = candidates.get(d) or []
        if not cands:
            continue
        for c in cands:
            c.vec = _vector(c.tokens, idf)
        if p.get("knee"):
            cands = _on_topic(cands)
        centroid: dict[str, float] = defaultdict(float)
        for c in cands:
            for t, v in c.vec.items():
                centroid[t] += v
        norm = math.sqrt(sum(v * v for v in centroid.values())) or 1.0
        centroid = {t: v / norm for t, v in centroid.items()}
        # A sentence speaks for one date only (a lead may be a candidate for its day and the day
        # before); the centroid keeps every candidate, the choice is among the unused ones.
        cands = [c for c in cands if c.key not in used]
        if not cands:
            continue
        if filtering:  # ... and, of the leads, among those naming the query (when any candidate is left)
            cands = [c for c in cands if c.date_source == "referenced" or not query_terms.isdisjoint(c.tokens)] or cands
        base = [(w["centroid"] * _dot(c.vec, centroid) + _static_score(c, query_terms, p), c) for c in cands]
        base.sort(key=lambda t: (-t[0], t[1].sentence.article, t[1].sentence.position, t[1].sentence.text))
        base = base[: max(head, per_date)]  # the MMR re-rank only needs the head of the list
        reds = [redundancy(c.vec) for _, c in base]
        chosen: list[_Candidate] = []
        taken = [False] * len(base)
        while len(chosen) < per_date and len(chosen) < len(base):
            best, best_score = -1, -math.inf
            for i, (score, c) in enumerate(base):
                if taken[i]:
                    continue
                s = score - w["redundancy"] * reds[i]
                if s > best_score:
                    best, best_score = i, s
            if best < 0:
                break
            taken[best] = True
            pick = base[best][1]
            chosen.append(pick)
            used.add(pick.key)
            for t, v in pick.vec.items():
                picked_index[t].append((n_picked, v))
            n_picked += 1
            for i, (_, c) in enumerate(base):  # only the new pick can raise a candidate's redundancy
                if not taken[i]:
                    reds[i] = max(reds[i], _dot(c.vec, pick.vec))
        chosen.sort(key=lambda c: (c.sentence.published or date.min, c.sentence.article, c.sentence.position))
        entries.append(
            Entry(
                d,
                [
                    Chosen(
                        c.sentence.text,
                        c.sentence.article,
                        c.sentence.source,
                        c.sentence.url,
                        c.sentence.title,
                        c.date_source,
                        c.carried_by,
                        c.sentence.story,
                        c.sentence.published,
                    )
                    for c in chosen
                ],
            )
        )
    entries.sort(key=lambda e: e.date)
    return Timeline(query=query, entries=entries)
