"""The SQLite store, the only part of dateline that speaks SQL (always with parameters).

WAL mode, one transaction per batch, ids that hash origin + raw content: a
killed ingest leaves whole batches behind, and running it again completes it.

A `Store` opens the database once and keeps one store per concept on that connection:

- `store.articles`: articles, rejects, sentences and the days they refer to, full-text search, pages;
- `store.duplicates`: the duplicate index (`dedup.CountingIndex`) and the duplicate groups;
- `store.stories`: the story state (`cluster.State`) and the stories;
- `store.entities`: the entity registry (`extract.Registry`), mentions and quotes;
- `store.days`: what the timeline needs per day (counts, kept at ingest) and the sentences of chosen days.

numpy, dedup and cluster are imported where the ingest side uses them, so that a query
(`dateline timeline`, the API) starts without loading them.
"""

from __future__ import annotations

from pathlib import Path

from .articles import ArticleStore
from .database import MIGRATIONS, SCHEMA_VERSION, Database, QueryError, StoreError
from .days import DayStore
from .duplicates import DuplicateStore
from .entities import EntityStore
from .stories import StoryStore

__all__ = [
    "MIGRATIONS",
    "SCHEMA_VERSION",
    "ArticleStore",
    "Database",
    "DayStore",
    "DuplicateStore",
    "EntityStore",
    "QueryError",
    "Store",
    "StoreError",
    "StoryStore",
]


class Store(Database):
    """A dateline database: its connection (`db`, `path`, `transaction()`, `close()`, `version()`)
    and a store per concept sharing it."""

    def __init__(self, path: str | Path):
        super().__init__(path)
        self.articles = ArticleStore(self)
        self.duplicates = DuplicateStore(self)
        self.stories = StoryStore(self)
        self.entities = EntityStore(self)
        self.days = DayStore(self)
