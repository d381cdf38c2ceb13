"""The pipeline: read → clean → date → extract → dedup → cluster → store, in batches.

`parse_batch` is a pure function of a batch of `Raw` inputs (cleaning, dating,
sentences and the days they refer to, the duplicate fingerprint, the story
features, and one `nlp.pipe` pass for entities and quotes), so it maps unchanged
onto processes (`executor.py` says where batches run). Only the main process reads files and touches the store:
it checks each batch against the duplicate index and the stories kept in the
store, then writes the batch, all in one transaction. It keeps at most a few batches in flight, so memory stays flat
however large the corpus is.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

import numpy as np

from . import clean, cluster, dates, dedup, extract, language, read, source, text, timex
from . import executor as executors
from .models import Article, Raw, Reject
from .store import Store

BATCH = 64
PRELOAD = ("dateline.pipeline", "dateline.extract")  # what each worker process imports once, up front


@dataclass(slots=True)
class Report:
    """What an ingest did. read = stored + unchanged + rejected, always."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: int = 0
    duplicates: int = 0  # stored articles found to duplicate another
    reasons: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        return {
            "read": self.read,
            "stored": self.stored,
            "unchanged": self.unchanged,
            "rejected": self.rejected,
            "duplicates": self.duplicates,
            "rejects_by_reason": dict(sorted(self.reasons.items())),
        }

    def reject(self, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason.split(" (")[0]] += 1


@dataclass(slots=True)
class Parsed:
    """An article with the duplicate fingerprint of its text, ready for the corpus-wide stages."""

    article: Article
    shingles: np.ndarray
    keys: list[int]
    vector: dict[str, float]  # story features
    spans: list[tuple[int, int]]  # sentences, as character spans of the text
    days: list[tuple[int, date]]  # (sentence, day it refers to), relative to the date it was parsed with
    dated_with: date | None  # the publication date `days` were resolved against
    extraction: extract.Extraction | None = None  # entities and quotes (set for the batch, see parse_batch)


def parse(raw: Raw, today: date | None = None) -> Parsed | Reject:
    """Clean, date and fingerprint one input. Never raises: an input it cannot handle becomes a Reject."""
    article = clean_and_date(raw, today or date.today())
    if isinstance(article, Reject):
        return article
    try:
        spans = text.split_sentences(article.text)
        days = timex.referenced_days(article.text, article.published, spans)
        return Parsed(
            article, *dedup.fingerprint(article.text), cluster.features(article), spans, days, article.published
        )
    except Exception as error:
        return _failed(raw, error)


def clean_and_date(raw: Raw, today: date) -> Article | Reject:
    """One input as an article, or the reason it is none. Never raises."""
    try:
        return _article(raw, today)
    except Exception as error:
        return _failed(raw, error)


def _failed(raw: Raw, error: Exception) -> Reject:
    """A bug must cost one article, not the batch; the reason says so."""
    return Reject(raw.path, raw.line, f"could not be processed ({type(error).__name__}: {error})"[:300])


def _article(raw: Raw, today: date) -> Article | Reject:
    if raw.kind == "html":
        page = clean.clean_html(raw.content, raw.url)
        evidence = page.text
    else:
        page = clean.clean_text(raw.content, raw.title)
        evidence = raw.content
    if not page.text.strip():
        return Reject(raw.path, raw.line, "empty after cleaning: no article text found")
    url = raw.url or page.url or (source.article_url(raw.content) if raw.kind == "text" else None)
    dated = dates.publication_date(
        text=evidence,
        body=page.text,
        url=url,
        path=raw.path,
        html=raw.content if raw.kind == "html" else None,
        given=raw.published,
        today=today,
    )
    return Article(
        id=raw.id,
        external_id=raw.external_id,
        path=raw.path,
        line=raw.line,
        url=url,
        source=source.outlet(given=raw.source, sitename=page.sitename, text=evidence, url=url),
        title=raw.title or page.title,
        language=page.language or language.language(page.text),
        published=dated.date,
        published_source=dated.source,
        modified=None,
        text=page.text,
    )


def parse_batch(batch: list[Raw | Reject], today: date) -> list[Parsed | Reject]:
    """Parse a batch's inputs (its rejects stay behind), then run the language layer over its
    articles in one `nlp.pipe` pass."""
    parsed = [parse(raw, today) for raw in batch if isinstance(raw, Raw)]
    articles = [p for p in parsed if isinstance(p, Parsed)]
    for item, extraction in zip(articles, extract.extract_batch([p.article for p in articles])):
        item.extraction = extraction
    return parsed


def batches(records: Iterable[Raw | Reject], size: int = BATCH) -> Iterator[list[Raw | Reject]]:
    batch: list[Raw | Reject] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def records(
    paths: Iterable[str],
    *,
    workers: int | None = None,
    max_bytes: int = read.MAX_BYTES,
    today: date | None = None,
    scheduler: str | None = None,
) -> Iterator[Article | Reject]:
    """Read, clean and date, storing nothing: what `dateline parse` shows. No language layer:
    nothing shown needs it, and it would cost a full NER pass."""
    today = today or date.today()
    with executors.start(workers, ("dateline.pipeline",), scheduler) as executor:
        for batch, articles in executor.map(clean_batch, batches(read.read(paths, max_bytes)), today):
            yield from articles
            yield from (r for r in batch if isinstance(r, Reject))


def clean_batch(batch: list[Raw | Reject], today: date) -> list[Article | Reject]:
    """A batch's inputs cleaned and dated (its rejects stay behind)."""
    return [clean_and_date(raw, today) for raw in batch if isinstance(raw, Raw)]


def ingest(
    store: Store,
    paths: Iterable[str],
    *,
    workers: int | None = None,
    max_bytes: int = read.MAX_BYTES,
    today: date | None = None,
    progress: Callable[[Report], None] | None = None,
    on_file: Callable[[object], None] | None = None,
    batch_size: int = BATCH,
    scheduler: str | None = None,
) -> Report:
    """Run the pipeline over `paths` into `store`. Inputs already stored are skipped unparsed.

    `scheduler`: a Dask scheduler's address, or "local", runs the per-article work on that
    cluster (`executor.start`); None = $DATELINE_SCHEDULER, else the local pool of `workers`."""
    today = today or date.today()
    report = Report()

    def fresh(batch: list[Raw | Reject]) -> list[Raw | Reject]:
        known = store.articles.known(r.id for r in batch if isinstance(r, Raw))
        skipped = sum(1 for r in batch if isinstance(r, Raw) and r.id in known)
        report.read += skipped
        report.unchanged += skipped
        return [r for r in batch if not (isinstance(r, Raw) and r.id in known)]

    deduper, clusterer = dedup.Deduper(store.duplicates), cluster.Clusterer(store.stories)
    linker = extract.Linker(store.entities)
    with executors.start(workers, PRELOAD, scheduler) as executor:
        todo = (fresh(batch) for batch in batches(read.read(paths, max_bytes, on_file=on_file), batch_size))
        for batch, parsed in executor.map(parse_batch, todo, today):
            rejects = [r for r in batch if isinstance(r, Reject)] + [r for r in parsed if isinstance(r, Reject)]
            fresh_articles = [p for p in parsed if isinstance(p, Parsed)]
            with store.transaction():
                report.duplicates += fold(store, deduper, fresh_articles)
                group(store, clusterer, fresh_articles)
                stored, unchanged = store.articles.write([p.article for p in fresh_articles], rejects)
                annotate(store, linker, fresh_articles)
            report.read += len(batch)
            report.stored += stored
            report.unchanged += unchanged  # the same input twice in one run
            for reject in rejects:
                report.reject(reject.reason)
            if progress:
                progress(report)
    return report


def annotate(store: Store, linker: extract.Linker, batch: list[Parsed]) -> None:
    """Store each new article's sentences, the days they refer to, its entities and quotes."""
    done, todo = set(), []
    for item in batch:
        if item.article.id in done:  # the same input twice in one batch
            continue
        done.add(item.article.id)
        if item.article.published != item.dated_with:  # inferred since: "on Saturday" moves with it
            item.days = timex.referenced_days(item.article.text, item.article.published, item.spans)
        todo.append(item)
    # A few statements for the whole batch, not a few per article (or per mention): the client's rate
    # is the ceiling of any cluster. Linking stays in input order, so the entities are the same.
    store.articles.write_all_sentences([(item.article.id, item.spans, item.days) for item in todo])
    extracted = [item for item in todo if item.extraction is not None]
    keys = linker.link_batch([item.extraction for item in extracted])
    store.entities.write_extractions([(i.article.id, i.extraction, k) for i, k in zip(extracted, keys)])


def fold(store: Store, deduper: dedup.Deduper, batch: list[Parsed]) -> int:
    """Check a batch against the duplicate index (and itself), in input order.

    Sets each article's `duplicate_of`, re-points earlier articles when a better
    canonical arrives, and lets an undated copy inherit its canonical's date.
    Returns how many articles of the batch are duplicates.
    """
    pending = {p.article.id: p.article for p in batch}
    for item in batch:
        article = item.article
        needed = deduper.needs(item.keys, article.id, item.shingles)
        others = {i: pending[i] for i in needed if i in pending}
        if needed - others.keys():
            others.update((a.id, a) for a in store.articles.select(ids=needed - others.keys()))
        verdict = deduper.check(article, item.shingles, item.keys, others)
        article.duplicate_of = verdict.match.canonical if verdict.match else None
        for member, match in verdict.repointed:
            if member in pending:
                pending[member].duplicate_of = match.canonical
            inherit_date(store, pending, member, match.canonical)
        if verdict.match:
            inherit_date(store, pending, article.id, verdict.match.canonical)
    return sum(1 for p in batch if p.article.duplicate_of)


def inherit_date(store: Store, pending: dict[str, Article], copy_id: str, canonical_id: str) -> None:
    """An undated copy was published when its canonical was, as far as anyone can tell."""
    copy = pending.get(copy_id) or store.articles.get(copy_id)
    canonical = pending.get(canonical_id) or store.articles.get(canonical_id)
    if copy is None or canonical is None or copy.published or not canonical.published:
        return
    if copy_id in pending:
        copy.published, copy.published_source = canonical.published, "inferred"
    else:
        redate(store, copy_id, canonical.published)


def group(store: Store, clusterer: cluster.Clusterer, batch: list[Parsed]) -> None:
    """Put each article of a batch (already folded) into a story; a duplicate joins its canonical's.

    Undated articles may get a date from their story (`inferred`), now or when a
    later batch dates the story. The batch re-clusters the stories it touches, so articles
    stored earlier may change story: their `story` follows.
    """
    clusterer.assign_batch([(p.article, p.vector) for p in batch if not p.article.duplicate_of])
    pending = {p.article.id: p.article for p in batch}
    for item in batch:
        article = item.article
        if not article.duplicate_of:
            continue
        canonical = pending.get(article.duplicate_of) or store.articles.get(article.duplicate_of)
        if canonical is not None and canonical.story and store.stories.get(canonical.story):
            clusterer.assign_to(canonical.story, article)
        else:  # a canonical from before stories were kept
            clusterer.assign(article, item.vector)
    moved = clusterer.take_moved()
    for article_id in moved.keys() & pending.keys():
        pending[article_id].story = moved.pop(article_id)
    store.stories.relink(moved)
    for article_id, day in clusterer.take_inferred().items():
        if article_id in pending:
            pending[article_id].published, pending[article_id].published_source = day, "inferred"
        else:
            redate(store, article_id, day)


def redate(store: Store, article_id: str, day: date) -> None:
    """A stored article learns its date (`inferred`): the days its sentences refer to move with it."""
    store.articles.set_published(article_id, day, "inferred")
    article = store.articles.get(article_id)
    if article is not None:
        spans = [(start, end) for start, end, _ in store.articles.sentences(article_id)]
        store.articles.write_sentences(article_id, spans, timex.referenced_days(article.text, day, spans))
