"""The entity store: the corpus-wide entity registry (`extract.Registry`), where each entity is named,
and who said what."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from datetime import date
from typing import TYPE_CHECKING

from ..models import EntityRecord
from .database import Table, _among, _between, _chunks, _loads, _marks, _selection, _where

if TYPE_CHECKING:
    from ..extract import Extraction

ENTITY_COLUMNS = "key, name, type, aliases, roles, article_count, surname, initials, full"
QUOTE_COLUMNS = ("text", "kind", "speaker", "speaker_as_written", "article", "source", "published", "sentence")
_QUOTE_SELECT = (
    "SELECT q.text, q.kind, q.speaker, q.speaker_as_written, q.article, a.source, a.published, q.sentence_text"
)
_QUOTE_ORDER = " ORDER BY a.published IS NULL, a.published, q.article, q.position"


# json.dumps(..., ensure_ascii=False), without building an encoder per call: a batch
# writes tens of thousands of records, two lists each (most of them empty or short).
_dumps = json.JSONEncoder(ensure_ascii=False).encode


def _list(text: str) -> list:
    return [] if text == "[]" else _loads(text)


def _list_text(values: list) -> str:
    return "[]" if not values else _dumps(values)


def _entity(row: tuple | None) -> EntityRecord | None:
    if row is None:
        return None
    key, name, kind, aliases, roles, count, surname, initials, full = row
    return EntityRecord(key, name, kind, _list(aliases), _list(roles), count, surname, initials, bool(full))


def _entity_row(record: EntityRecord) -> tuple:
    return (
        record.key,
        record.name,
        record.type,
        _list_text(record.aliases),
        _list_text(record.roles),
        record.article_count,
        record.surname,
        record.initials,
        int(record.full),
    )


class EntityStore(Table):
    """Entities with their aliases and roles, their mentions, and the quotes (with the notes on
    articles extraction skipped). The in-memory double of the registry is `extract.MemoryRegistry`."""

    # --- the registry (extract.Registry) ---------------------------------

    def get(self, key: str) -> EntityRecord | None:
        return _entity(self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE key = ?", (key,)).fetchone())

    def save(self, record: EntityRecord) -> None:
        self.save_many([record])

    def get_many(self, keys: Sequence[str]) -> dict[str, EntityRecord]:
        found: dict[str, EntityRecord] = {}
        for chunk in _chunks(list(keys)):
            rows = self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities WHERE key IN ({_marks(chunk)})", chunk)
            found.update((record.key, record) for record in map(_entity, rows))
        return found

    def save_many(self, records: Sequence[EntityRecord]) -> None:
        self.db.executemany(
            f"INSERT OR REPLACE INTO entities ({ENTITY_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [_entity_row(record) for record in records],
        )

    def full_names_many(self, type: str, surnames: Sequence[str]) -> dict[str, list[EntityRecord]]:  # noqa: A002
        found: dict[str, list[EntityRecord]] = {surname: [] for surname in surnames}
        for chunk in _chunks(list(surnames)):
            rows = self.db.execute(
                f"SELECT {ENTITY_COLUMNS} FROM entities WHERE type = ? AND surname IN ({_marks(chunk)}) AND full = 1 "
                "ORDER BY key",
                [type, *chunk],
            )
            for record in map(_entity, rows):
                found[record.surname].append(record)
        return found

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:  # noqa: A002 — the protocol's name
        rows = self.db.execute(
            f"SELECT {ENTITY_COLUMNS} FROM entities WHERE type = ? AND surname = ? AND full = 1 ORDER BY key",
            (type, surname),
        )
        return [_entity(row) for row in rows]

    # --- an article's entities and quotes --------------------------------

    def write_extraction(self, article_id: str, extraction: Extraction, keys: dict[int, str]) -> None:
        """An article's mentions (`keys`: each entity's corpus key, by index) and quotes, replacing what was there."""
        self.write_extractions([(article_id, extraction, keys)])

    def write_extractions(self, extracted: Sequence[tuple[str, Extraction, dict[int, str]]]) -> None:
        """`write_extraction` for many articles, in a few statements."""
        ids = [(article_id,) for article_id, _, _ in extracted]
        self.db.executemany("DELETE FROM mentions WHERE article = ?", ids)
        self.db.executemany("DELETE FROM quotes WHERE article = ?", ids)
        self.db.executemany(
            "INSERT OR IGNORE INTO mentions (article, entity, start, end, sentence, text) VALUES (?, ?, ?, ?, ?, ?)",
            [
                (article_id, keys[m.entity], m.start, m.end, m.sentence, m.text)
                for article_id, extraction, keys in extracted
                for m in extraction.mentions
            ],
        )
        self.db.executemany(
            "INSERT INTO quotes (article, position, text, kind, speaker, speaker_as_written, speaker_key, sentence, "
            "sentence_text, start, end) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (
                    article_id,
                    i,
                    q.text,
                    q.kind,
                    q.speaker,
                    q.speaker_as_written,
                    q.speaker_key,
                    q.sentence,
                    q.sentence_text,
                    q.start,
                    q.end,
                )
                for article_id, extraction, _ in extracted
                for i, q in enumerate(extraction.quotes)
            ],
        )
        self.db.executemany(
            "INSERT OR REPLACE INTO notes (article, note) VALUES (?, ?)",
            [(article_id, extraction.skipped) for article_id, extraction, _ in extracted if extraction.skipped],
        )

    def names_in(self, article_id: str) -> list[str]:
        """The names of the entities an article names, sorted."""
        return [
            row[0]
            for row in self.db.execute(
                "SELECT DISTINCT e.name FROM mentions m JOIN entities e ON e.key = m.entity WHERE m.article = ? "
                "ORDER BY e.name",
                (article_id,),
            )
        ]

    def quotes_in(self, article_id: str) -> list[dict]:
        """One article's quotes in the order they appear."""
        rows = self.db.execute(
            "SELECT text, kind, speaker, sentence_text FROM quotes WHERE article = ? ORDER BY position", (article_id,)
        )
        return [
            {"text": text, "kind": kind, "speaker": speaker, "sentence": sentence}
            for text, kind, speaker, sentence in rows
        ]

    # --- reading ---------------------------------------------------------

    def all(self) -> Iterator[EntityRecord]:
        """Every entity, most-mentioned first."""
        for row in self.db.execute(f"SELECT {ENTITY_COLUMNS} FROM entities ORDER BY article_count DESC, key"):
            yield _entity(row)

    def named(self, name: str) -> list[EntityRecord]:
        """Entities one of whose aliases (or name) is `name`, or contains it as a word (case-insensitive)."""
        needle = name.strip().casefold()
        word = re.compile(rf"(?<!\w){re.escape(needle)}(?!\w)")
        return [
            record
            for record in self._containing(needle)
            if any(word.search(n.casefold()) for n in (record.name, *record.aliases))
        ]

    def starting(self, prefix: str, limit: int) -> list[EntityRecord]:
        """Entities with a word of an alias (or of the name) starting with `prefix`, most-mentioned first."""
        needle = prefix.strip().casefold()
        word_start = re.compile(rf"(?<!\w){re.escape(needle)}")
        found = []
        for record in self._containing(needle):
            if any(word_start.search(n.casefold()) for n in (record.name, *record.aliases)):
                found.append(record)
                if len(found) >= limit:
                    break
        return found

    def _containing(self, needle: str) -> Iterator[EntityRecord]:
        """Entities an alias (or the name) of which contains `needle` (casefolded), most-mentioned first;
        none for an empty needle."""
        if not needle:
            return
        pattern = "%" + needle.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_") + "%"
        rows = self.db.execute(
            f"SELECT {ENTITY_COLUMNS} FROM entities WHERE lower(aliases) LIKE ? ESCAPE '\\' "
            "OR lower(name) LIKE ? ESCAPE '\\' ORDER BY article_count DESC, key",
            (pattern, pattern),
        )
        yield from map(_entity, rows)

    def articles_naming(self, keys: Sequence[str]) -> list[str]:
        """Ids of the articles that name one of these entities, sorted."""
        keys = list(keys)
        return [
            row[0]
            for row in self.db.execute(
                f"SELECT DISTINCT article FROM mentions WHERE entity IN ({_marks(keys)}) ORDER BY article", keys
            )
        ]

    def quotes(
        self, speaker_keys: Sequence[str] | None = None, published: Sequence[str] | None = None
    ) -> Iterator[dict]:
        """Quotes with their article's source and date, oldest first; only these speakers' and from
        articles published on these days (ISO) when given."""
        clause, params = _where(
            _among("q.speaker_key", None if speaker_keys is None else list(speaker_keys)),
            _among("a.published", None if published is None else list(published)),
        )
        for row in self.db.execute(
            f"{_QUOTE_SELECT}, q.speaker_key FROM quotes q JOIN articles a ON a.id = q.article{clause}{_QUOTE_ORDER}",
            params,
        ):
            yield {**dict(zip(QUOTE_COLUMNS, row)), "speaker_id": row[-1]}

    def quote_page(
        self,
        speaker_keys: Sequence[str] | None,
        start: date | None,
        end: date | None,
        offset: int = 0,
        limit: int = 50,
        *,
        query: str | None = None,
        named: Sequence[str] = (),
    ) -> tuple[list[dict], int]:
        """One page of quotes (these speakers' when given; from the articles `query` selects, as
        `ArticleStore.page` does, when given), oldest first, and how many there are in all."""
        clause, params = _where(
            _selection(query, named, "q.article"),
            _among("q.speaker_key", speaker_keys),
            *_between("a.published", start, end),
        )
        joined = "FROM quotes q JOIN articles a ON a.id = q.article" + clause
        total = self._select(f"SELECT count(*) {joined}", params, query)[0][0]
        rows = self._select(f"{_QUOTE_SELECT} {joined}{_QUOTE_ORDER} LIMIT ? OFFSET ?", [*params, limit, offset], query)
        return [dict(zip(QUOTE_COLUMNS, row)) for row in rows], total
