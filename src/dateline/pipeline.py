"""The pipeline: read → clean → date → store, in batches, on a bounded process pool.

`parse` is a pure function of one `Raw`, so it maps unchanged onto processes
(and later onto a cluster). Only the main process reads files and writes the
store, and it keeps at most a few batches in flight, so memory stays flat
however large the corpus is.
"""
from __future__ import annotations

import multiprocessing
import os
from collections import Counter, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from datetime import date

from . import clean, dates, language, read, source
from .models import Article, Raw, Reject
from .store import Store

BATCH = 64
IN_FLIGHT_PER_WORKER = 2


@dataclass(slots=True)
class Report:
    """What an ingest did. read = stored + unchanged + rejected, always."""

    read: int = 0
    stored: int = 0
    unchanged: int = 0
    rejected: int = 0
    reasons: Counter = field(default_factory=Counter)

    def to_dict(self) -> dict:
        return {"read": self.read, "stored": self.stored, "unchanged": self.unchanged,
                "rejected": self.rejected, "rejects_by_reason": dict(sorted(self.reasons.items()))}

    def reject(self, reason: str) -> None:
        self.rejected += 1
        self.reasons[reason.split(" (")[0]] += 1


def parse(raw: Raw, today: date | None = None) -> Article | Reject:
    """Clean and date one input. Never raises: an input it cannot handle becomes a Reject."""
    try:
        return _parse(raw, today or date.today())
    except Exception as error:  # a bug must cost one article, not the batch; the reason says so
        return Reject(raw.path, raw.line, f"could not be processed ({type(error).__name__}: {error})"[:300])


def _parse(raw: Raw, today: date) -> Article | Reject:
    if raw.kind == "html":
        page = clean.clean_html(raw.content, raw.url)
        evidence = page.text
    else:
        page = clean.clean_text(raw.content, raw.title)
        evidence = raw.content
    if not page.text.strip():
        return Reject(raw.path, raw.line, "empty after cleaning: no article text found")
    url = raw.url or page.url or (source.article_url(raw.content) if raw.kind == "text" else None)
    dated = dates.publication_date(text=evidence, body=page.text, url=url, path=raw.path,
                                   html=raw.content if raw.kind == "html" else None,
                                   given=raw.published, today=today)
    return Article(
        id=raw.id, external_id=raw.external_id, path=raw.path, line=raw.line, url=url,
        source=source.outlet(given=raw.source, sitename=page.sitename, text=evidence, url=url),
        title=raw.title or page.title, language=page.language or language.language(page.text),
        published=dated.date, published_source=dated.source, modified=None, text=page.text,
    )


def parse_batch(batch: list[Raw], today: date) -> list[Article | Reject]:
    return [parse(raw, today) for raw in batch]


def batches(records: Iterable[Raw | Reject], size: int = BATCH) -> Iterator[list[Raw | Reject]]:
    batch: list[Raw | Reject] = []
    for record in records:
        batch.append(record)
        if len(batch) >= size:
            yield batch
            batch = []
    if batch:
        yield batch


def records(paths: Iterable[str], *, workers: int = 1, max_bytes: int = read.MAX_BYTES,
            today: date | None = None) -> Iterator[Article | Reject]:
    """Read, clean and date, storing nothing: what `dateline parse` shows."""
    today = today or date.today()
    with Workers(workers) as pool:
        for batch, parsed in pool.map(batches(read.read(paths, max_bytes)), today):
            yield from parsed
            yield from (r for r in batch if isinstance(r, Reject))


def ingest(store: Store, paths: Iterable[str], *, workers: int = 1, max_bytes: int = read.MAX_BYTES,
           today: date | None = None, progress: Callable[[Report], None] | None = None,
           on_file: Callable[[object], None] | None = None) -> Report:
    """Run the pipeline over `paths` into `store`. Inputs already stored are skipped unparsed."""
    today = today or date.today()
    report = Report()

    def fresh(batch: list[Raw | Reject]) -> list[Raw | Reject]:
        known = store.known(r.id for r in batch if isinstance(r, Raw))
        report.unchanged += sum(1 for r in batch if isinstance(r, Raw) and r.id in known)
        report.read += sum(1 for r in batch if isinstance(r, Raw) and r.id in known)
        return [r for r in batch if not (isinstance(r, Raw) and r.id in known)]

    with Workers(workers) as pool:
        todo = (fresh(batch) for batch in batches(read.read(paths, max_bytes, on_file=on_file)))
        for batch, parsed in pool.map(todo, today):
            rejects = [r for r in batch if isinstance(r, Reject)] + [r for r in parsed if isinstance(r, Reject)]
            articles = [a for a in parsed if isinstance(a, Article)]
            stored, unchanged = store.write(articles, rejects)
            report.read += len(batch)
            report.stored += stored
            report.unchanged += unchanged  # the same input twice in one run
            for reject in rejects:
                report.reject(reject.reason)
            if progress:
                progress(report)
    return report


class Workers:
    """Parse batches in order on `n` processes (or inline for n = 1), a bounded number in flight."""

    def __init__(self, n: int):
        self.n = max(1, n)
        self.pool = None

    def __enter__(self) -> Workers:
        if self.n > 1:
            context = multiprocessing.get_context("forkserver")
            context.set_forkserver_preload(["dateline.pipeline"])
            self.pool = context.Pool(self.n)
        return self

    def __exit__(self, *exc) -> None:
        if self.pool is not None:
            self.pool.terminate()
            self.pool.join()

    def map(self, todo: Iterable[list[Raw | Reject]], today: date
            ) -> Iterator[tuple[list[Raw | Reject], list[Article | Reject]]]:
        """Yield (batch, parsed raws of the batch) in input order."""
        if self.pool is None:
            for batch in todo:
                yield batch, parse_batch([r for r in batch if isinstance(r, Raw)], today)
            return
        pending: deque = deque()
        for batch in todo:
            raws = [r for r in batch if isinstance(r, Raw)]
            pending.append((batch, self.pool.apply_async(parse_batch, (raws, today))))
            if len(pending) >= self.n * IN_FLIGHT_PER_WORKER:
                done, result = pending.popleft()
                yield done, result.get()
        while pending:
            done, result = pending.popleft()
            yield done, result.get()


def default_workers() -> int:
    return min(2, os.cpu_count() or 1)
