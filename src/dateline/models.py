"""The records that flow through the pipeline.

One input becomes a `Raw` (what the reader found), then an `Article` (what the
cleaner and dater made of it), or a `Reject` (why it could not be used).
"""

from __future__ import annotations

import hashlib
from dataclasses import asdict, dataclass, field
from datetime import date
from typing import Any

# Where a publication date came from, best evidence first.
DATE_SOURCES = ("dateline", "header", "meta", "url", "path", "text", "inferred")


@dataclass(slots=True)
class Raw:
    """One input as read: a file, a JSONL line, a WARC record."""

    path: str  # the file the input came from
    line: int | None  # 1-based JSONL line or WARC record number; None for one-article files
    origin: str  # URL if known, else the input's own id, else the path below the root
    external_id: str  # the input's own id, else the file stem
    kind: str  # "text" or "html"
    content: str  # decoded text or HTML, as found
    url: str | None = None
    source: str | None = None
    title: str | None = None
    published: str | None = None  # as the scraper wrote it, unparsed

    @property
    def id(self) -> str:
        """Origin + raw content: re-reading the same input gives the same id, whatever the cleaner does."""
        digest = hashlib.sha256()
        digest.update(self.origin.encode("utf-8", "surrogatepass"))
        digest.update(b"\0")
        digest.update(self.content.encode("utf-8", "surrogatepass"))
        return digest.hexdigest()[:16]


@dataclass(slots=True)
class Reject:
    """An input that could not become an article, and why — in words a person understands."""

    path: str
    line: int | None
    reason: str


@dataclass(slots=True)
class Article:
    id: str
    external_id: str
    path: str
    url: str | None
    source: str | None
    title: str | None
    language: str | None
    published: date | None
    published_source: str | None
    modified: date | None
    text: str
    duplicate_of: str | None = None
    story: str | None = None
    line: int | None = field(default=None, repr=False)

    @classmethod
    def of_text(cls, id: str, text: str, **fields: Any) -> Article:
        """An article known by its text alone (tests, benchmarks): English, its id as external id and
        path, every other field empty unless given."""
        known = {"external_id": id, "path": id, "language": "en"}
        empty = dict.fromkeys(("url", "source", "title", "published", "published_source", "modified"))
        return cls(id=id, text=text, **{**empty, **known, **fields})

    def to_dict(self) -> dict:
        record = asdict(self)
        record.pop("line")
        for key in ("published", "modified"):
            if record[key] is not None:
                record[key] = record[key].isoformat()
        return record


@dataclass(slots=True)
class EntityRecord:
    """A corpus-wide entity, as the store keeps it."""

    key: str
    name: str
    type: str
    aliases: list[str] = field(default_factory=list)
    roles: list[str] = field(default_factory=list)
    article_count: int = 0
    surname: str | None = None
    initials: str = ""
    full: bool = False

    def to_json(self) -> dict:
        return asdict(self)
