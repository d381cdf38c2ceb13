"""The Python API: a `Corpus` is a dateline database. The command line is a thin layer over it."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterable, Iterator
from datetime import date
from itertools import islice
from pathlib import Path
from typing import TYPE_CHECKING

from . import export, network, read, render, timeline
from .models import Article, Reject
from .store import Store
from .store.exports import ExportStore

if TYPE_CHECKING:  # the pipeline (spaCy, trafilatura) loads on first ingest: queries start fast
    from .cluster import StoryState
    from .models import EntityRecord
    from .pipeline import Report

DEFAULT_DB = "dateline.db"


def default_db() -> str:
    return os.environ.get("DATELINE_DB") or DEFAULT_DB


def open(path: str | os.PathLike | None = None) -> Corpus:  # noqa: A001 — mirrors `dateline.open`
    """Open (creating if needed) a dateline database: `path`, else $DATELINE_DB, else ./dateline.db."""
    return Corpus(Store(path or default_db()))


class Timeline(timeline.Timeline):
    """What `Corpus.timeline` returns: the timeline's records, and them rendered."""

    __slots__ = ()

    def to_markdown(self) -> str:
        return render.to_markdown(self)

    def to_html(self) -> str:
        return render.to_html(self)


class Corpus:
    def __init__(self, store: Store):
        self.store = store

    @property
    def path(self) -> str:
        return self.store.path

    def close(self) -> None:
        self.store.close()

    def __enter__(self) -> Corpus:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def ingest(
        self,
        paths: Iterable[str | os.PathLike],
        *,
        workers: int | None = None,
        max_bytes: int = read.MAX_BYTES,
        progress: Callable[[Report], None] | None = None,
        on_file: Callable[[Path], None] | None = None,
        batch_size: int | None = None,
        scheduler: str | None = None,
    ) -> Report:
        """Read, clean, date and store everything below `paths`. Idempotent.

        `workers`: processes for the per-article work; None or 0 = `executor.default_workers()`.
        `scheduler`: run that work on a Dask cluster instead: "tcp://HOST:8786", or "local" for a
        LocalCluster of `workers` processes; None = $DATELINE_SCHEDULER, else the local pool.
        Raises `executor.SchedulerError` when the scheduler cannot be used."""
        from . import pipeline

        paths = [str(p) for p in paths]
        existing(paths)
        return pipeline.ingest(
            self.store,
            paths,
            workers=workers,
            max_bytes=max_bytes,
            progress=progress,
            on_file=on_file,
            batch_size=batch_size or pipeline.BATCH,
            scheduler=scheduler,
        )

    def articles(
        self, *, source: str | None = None, start: date | None = None, end: date | None = None, story: str | None = None
    ) -> Iterator[Article]:
        story = self._story(story)
        for article in self.store.articles.select(source=source, start=start, end=end):
            if story is None or article.story == story:
                yield article

    def _story(self, story: str | None) -> str | None:
        """The story an id names now: a story merged into another redirects to it."""
        return (self.store.stories.resolve(story) or story) if story else story

    def article(self, article_id: str) -> Article | None:
        return self.store.articles.get(article_id)

    def search(self, query: str, limit: int = 50) -> list[dict]:
        return [
            {
                "id": a.id,
                "title": a.title,
                "source": a.source,
                "published": a.published.isoformat() if a.published else None,
                "snippet": snippet,
                "score": score,
            }
            for a, snippet, score in self.store.articles.search(query, limit)
        ]

    def dupes(self) -> Iterator[dict]:
        """Duplicate groups: each canonical with the copies that point to it."""
        for canonical, members in self.store.duplicates.groups():
            yield {
                "canonical": canonical,
                "duplicates": [{"id": i, "kind": kind, "score": round(score, 4)} for i, kind, score in members],
            }

    def stories(self) -> Iterator[dict]:
        """Stories, oldest first: label, articles (duplicates included), outlets, first and last date."""
        return map(story_record, self.store.stories.all())

    def timeline(
        self,
        query: str | None = None,
        *,
        start: date | None = None,
        end: date | None = None,
        max_dates: int | None = None,
        per_date: int = 1,
    ) -> Timeline:
        """What happened when, for the articles the query selects (all when empty), duplicates folded.

        Each copy's outlet is listed in `carried_by` of its canonical's sentences. Days are ranked
        from the counts the store keeps per day (`store.days`), and sentences are read for the
        chosen days only: the cost follows the selection and the timeline, not the corpus.
        """
        timeline.check_arguments(max_dates, per_date, start, end)
        params = timeline.DEFAULT_PARAMS
        sources = bool(params["date_weights"].get("ref_sources"))  # a pass over the rows: only when it counts
        selected, named = self._selection(query)
        days = self.store.days
        with days.selection(selected, named, start, end, int(params["pub_lag"])) as selection:
            counts = [] if selection is not None and selection.empty else days.counts(selection, start, end, sources)
            ranked = timeline.rank_days(counts, start=start, end=end, params=params)
            chosen = timeline.choose_dates(
                ranked, max_dates, lambda day: days.supported(day, selection, timeline.DEFAULT_MIN_SUPPORT)
            )
            rows = days.sentences(chosen, selection, int(params["lead"]), int(params["pub_lag"]))
        copies = self.store.duplicates.copies_of(sorted({row[0][0] for row in rows}))
        pool = [
            timeline.Sentence(
                text, aid, source, url, title, _day(published), named_days, position, copies.get(aid, []), None, story
            )
            for (aid, source, url, title, published, story, _, _), position, text, named_days in rows
        ]
        result = timeline.select_sentences(pool, chosen, query or "", per_date=per_date, params=params)
        if named:
            self._attach_quotes(result, named)
        return Timeline(result.query, result.entries)

    def _attach_quotes(self, result: timeline.Timeline, speakers: list[str], per_date: int = 5) -> None:
        """Give each date what the query's person said in articles published that day (copies once)."""
        by_day = {entry.date.isoformat(): entry for entry in result.entries}
        seen: set[tuple[str, str]] = set()
        for quote in self.store.entities.quotes(speakers, published=sorted(by_day)):
            entry = by_day.get(quote["published"])
            key = (quote["published"], " ".join(quote["text"].lower().split()))
            if entry is None or key in seen or len(entry.quotes) >= per_date:
                continue
            seen.add(key)
            entry.quotes.append({k: quote[k] for k in ("text", "kind", "speaker", "article", "source")})

    def entities(self) -> Iterator[dict]:
        """People, organisations and places, most-mentioned first, with every alias and role."""
        return map(entity_record, self.store.entities.all())

    def quotes(self, speaker: str | None = None) -> Iterator[dict]:
        """Who said what, oldest first; `speaker` matches any alias of the speaker."""
        keys = None
        if speaker is not None:
            keys = [record.key for record in self.store.entities.named(speaker)]
        for quote in self.store.entities.quotes(keys):
            quote.pop("speaker_id")
            yield quote

    def enrich(self, article: Article) -> dict:
        """An article record with the entities it names and the days it refers to."""
        row = article.to_dict()
        row["entities"] = self.store.entities.names_in(article.id)
        row["dates_referenced"] = self.store.articles.days_referenced(article.id)
        return row

    def rejects(self) -> Iterator[Reject]:
        return self.store.articles.rejects()

    # --- pages and details for the HTTP API -------------------------------------

    def article_page(
        self,
        query: str | None = None,
        *,
        entity: str | None = None,
        source: str | None = None,
        story: str | None = None,
        start: date | None = None,
        end: date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[Article], int]:
        """A page of the articles `query` selects as the timeline does (all when empty), and their number.

        `entity` keeps those naming that entity (any alias). Duplicates are listed: each is an article.
        """
        query, named = self._selection(query)
        keys = None if entity is None else [record.key for record in self.store.entities.named(entity)]
        return self.store.articles.page(
            query=query,
            named=named,
            entities=keys,
            source=source,
            story=self._story(story),
            start=start,
            end=end,
            offset=offset,
            limit=limit,
        )

    def attention(self, query: str | None = None, *, start: date | None = None, end: date | None = None) -> list[dict]:
        """Articles published per day per outlet among those `query` selects; copies count for their own outlet."""
        query, named = self._selection(query)
        return [
            {"date": day, "source": source, "articles": count}
            for day, source, count in self.store.articles.attention(query=query, named=named, start=start, end=end)
        ]

    def _selection(self, query: str | None) -> tuple[str | None, list[str]]:
        """The timeline's selection: the full-text query, and the entities named by it (for their aliases)."""
        if not query or not query.strip():
            return None, []
        return query, [record.key for record in self.store.entities.named(query.strip().strip('"'))]

    def details(self, article_id: str) -> dict | None:
        """Everything about one article: its record, story, duplicate group, entities, days and quotes."""
        article = self.store.articles.get(article_id)
        if article is None:
            return None
        row = self.enrich(article)
        story = self.store.stories.get(article.story) if article.story else None
        row["story"] = {"id": story.id, "label": story.label} if story else None
        row["duplicates"] = self._group(article)
        row["quotes"] = self.store.entities.quotes_in(article.id)
        return row

    def _group(self, article: Article) -> list[dict]:
        """A canonical's copies; for a copy, its canonical (kind "canonical") and the other copies."""

        def copies(canonical: str) -> list[dict]:
            return [
                {"id": i, "source": source, "url": url, "kind": kind, "score": round(score, 4)}
                for i, source, url, kind, score in self.store.duplicates.copies(canonical)
                if i != article.id
            ]

        if not article.duplicate_of:
            return copies(article.id)
        canonical = self.store.articles.get(article.duplicate_of)
        head = (
            [{"id": canonical.id, "source": canonical.source, "url": canonical.url, "kind": "canonical", "score": None}]
            if canonical
            else []
        )
        return head + copies(article.duplicate_of)

    def story_page(
        self, *, start: date | None = None, end: date | None = None, offset: int = 0, limit: int = 50
    ) -> tuple[list[dict], int]:
        """A page of the stories overlapping [start, end], oldest first, and their number."""
        stories, total = self.store.stories.page(start, end, offset, limit)
        return [story_record(story) for story in stories], total

    def quote_page(
        self,
        speaker: str | None = None,
        *,
        query: str | None = None,
        start: date | None = None,
        end: date | None = None,
        offset: int = 0,
        limit: int = 50,
    ) -> tuple[list[dict], int]:
        """A page of quotes (this speaker's, any alias; from the articles `query` selects), oldest first,
        and their number."""
        keys = None if speaker is None else [record.key for record in self.store.entities.named(speaker)]
        query, named = self._selection(query)
        return self.store.entities.quote_page(keys, start, end, offset, limit, query=query, named=named)

    def entities_starting(self, prefix: str, limit: int = 10) -> list[dict]:
        """For autocomplete: entities with an alias word starting with `prefix`; the most-mentioned when empty."""
        if not prefix.strip():
            return list(islice(self.entities(), limit))
        return [entity_record(record) for record in self.store.entities.starting(prefix, limit)]

    # --- exports and the entity network ---------------------------------------------------

    def export(
        self,
        folder: str | os.PathLike,
        query: str | None = None,
        *,
        start: date | None = None,
        end: date | None = None,
        format: str = "parquet",  # noqa: A002 — the CLI's name
        on_table: Callable[[str, int], None] | None = None,
    ) -> export.Export:
        """The articles `query` selects as the timeline does (all when empty), published in [start, end],
        and what hangs off them (sentences, entities, mentions, quotes, stories, duplicates): one file per
        table in `folder`, plus manifest.json. Columns: docs/export.md."""
        if format not in export.FORMATS:
            raise ValueError(f"format {format}: choose one of {', '.join(export.FORMATS)}")
        selected, named = self._selection(query)
        source = ExportStore(self.store)
        with source.snapshot():
            source.select(query=selected, named=named, start=start, end=end)
            return export.export(source, Path(folder), format, export.selection(query, start, end), on_table)

    def network(
        self,
        query: str | None = None,
        *,
        start: date | None = None,
        end: date | None = None,
        min_weight: int = 1,
        max_nodes: int | None = None,
        sentences: bool = False,
    ) -> network.Network:
        """Who appears with whom in the articles `query` selects (copies left out), published in [start, end].

        `sentences`: each edge carries the text of the first sentences naming both, with their articles."""
        if min_weight < 1:
            raise ValueError(f"min_weight {min_weight}: must be 1 or more")
        selected, named = self._selection(query)
        source = ExportStore(self.store)
        with source.snapshot():
            source.select(query=selected, named=named, start=start, end=end, canonical=True)
            made = network.build(
                lambda: (row for chunk in source.mentions() for row in chunk),
                source.entities,
                query=query,
                start=start,
                end=end,
                min_weight=min_weight,
                max_nodes=max_nodes,
            )
            if sentences:
                self._attach_sentences(made, source)
        return made

    @staticmethod
    def _attach_sentences(made: network.Network, source: ExportStore) -> None:
        """Each edge's evidence as text, with the article it is in (for the page's edge details)."""
        found = source.sentences([place for edge in made.edges for place in edge.evidence])
        for edge in made.edges:
            for article, position in edge.evidence:
                if (article, position) in found:
                    text, title, outlet, url, published = found[(article, position)]
                    edge.sentences.append(
                        {
                            "text": text,
                            "article": article,
                            "title": title,
                            "source": outlet,
                            "url": url,
                            "published": published,
                        }
                    )


def parse(
    paths: Iterable[str | os.PathLike],
    *,
    workers: int | None = None,
    max_bytes: int = read.MAX_BYTES,
    scheduler: str | None = None,
) -> Iterator[Article | Reject]:
    """Read, clean and date without storing anything (`scheduler` as for `Corpus.ingest`)."""
    from . import pipeline

    paths = [str(p) for p in paths]
    existing(paths)
    return pipeline.records(paths, workers=workers, max_bytes=max_bytes, scheduler=scheduler)


def existing(paths: list[str]) -> None:
    """Refuse, before reading anything, a path that is not there."""
    missing = [p for p in paths if not Path(p).exists()]
    if missing:
        raise FileNotFoundError(f"{missing[0]}: no such file or folder")


def _day(value: str | None) -> date | None:
    return date.fromisoformat(value) if value else None


def story_record(story: StoryState) -> dict:
    return {
        "id": story.id,
        "label": story.label,
        "articles": list(story.articles),
        "outlets": list(story.outlets),
        "first": story.first.isoformat() if story.first else None,
        "last": story.last.isoformat() if story.last else None,
    }


def entity_record(record: EntityRecord) -> dict:
    return {
        "id": record.key,
        "name": record.name,
        "type": record.type,
        "aliases": list(record.aliases),
        "roles": list(record.roles),
        "article_count": record.article_count,
    }
