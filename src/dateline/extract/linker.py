"""The main-process side: corpus-wide canonical entities.

`Linker(registry).link(extraction)` turns each article's entity keys into
corpus-wide ones (a surname-only "Antonov" joins the one "Anatoly Antonov" the
corpus knows) and keeps the entity records in a `Registry` (the store in
production, `MemoryRegistry` — beside it here — in tests and the bench).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Protocol

from ..models import EntityRecord
from .records import Entity, Extraction


class Registry(Protocol):
    """Where corpus-wide entities live (memory in tests, the store in production). All writes come from `Linker`."""

    def get(self, key: str) -> EntityRecord | None:
        """The record with this key, None if unknown."""
        ...

    def save(self, record: EntityRecord) -> None:
        """Insert or replace a record (by key); records with `full` and a `surname` must be findable by `full_names`."""
        ...

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:
        """Records of this type with this normalised surname and `full` set, sorted by key."""
        ...


class MemoryRegistry:
    """Dict-based `Registry` for tests and the bench."""

    def __init__(self) -> None:
        self.records: dict[str, EntityRecord] = {}
        self._surnames: dict[tuple[str, str], set[str]] = {}

    def get(self, key: str) -> EntityRecord | None:
        return self.records.get(key)

    def save(self, record: EntityRecord) -> None:
        self.records[record.key] = record
        if record.full and record.surname:
            self._surnames.setdefault((record.type, record.surname), set()).add(record.key)

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:
        return [self.records[k] for k in sorted(self._surnames.get((type, surname), ()))]


class Linker:
    """Gives each article's entities their corpus-wide key and keeps the records in the registry.

    Key = type + normalised full name. A surname-only (or initials + surname)
    person who is not named in full in the article joins the corpus's one full
    name with that surname (and compatible initials); with none or several, it
    keeps its own key ("person:antonov"). Call `link` once per article, in input
    order: the result depends on what the corpus already holds, deterministically.
    """

    def __init__(self, registry: Registry):
        self.registry = registry

    def key_of(self, entity: Entity) -> str:
        if entity.type == "person" and not entity.full and entity.surname:
            found = [
                r
                for r in self.registry.full_names("person", entity.surname)
                if not entity.initials or r.initials.startswith(entity.initials[:1])
            ]
            if len(found) == 1:
                return found[0].key
        return entity.key

    def link(self, extraction: Extraction) -> dict[int, str]:
        """Corpus keys of the article's entities (by index); sets `speaker_key`/`speaker` on its quotes."""
        keys: dict[int, str] = {}
        counted: set[str] = set()  # two entities of one article may share a corpus key: one article for it
        for i, entity in enumerate(extraction.entities):
            key = self.key_of(entity)
            keys[i] = key
            self._add(key, entity, count=key not in counted)
            counted.add(key)
        for quote in extraction.quotes:
            if quote.speaker_entity is not None:
                quote.speaker_key = keys[quote.speaker_entity]
                record = self.registry.get(quote.speaker_key)
                quote.speaker = record.name if record else quote.speaker  # the corpus's name for the speaker
        return keys

    def _add(self, key: str, entity: Entity, count: bool) -> None:
        """Fold what one article knows of an entity (aliases, roles, one more article) into its record."""
        record = self.registry.get(key)
        if record is None:
            record = EntityRecord(
                key=key,
                name=entity.name,
                type=entity.type,
                surname=entity.surname,
                initials=entity.initials,
                full=entity.full,
            )
        for alias in entity.aliases:
            if alias not in record.aliases:
                record.aliases.append(alias)
        for role in entity.roles:
            if role not in record.roles:
                record.roles.append(role)
        if count:
            record.article_count += 1
        self.registry.save(record)


def link_all(extractions: Iterable[Extraction], registry: Registry | None = None) -> Registry:
    """Link a stream of extractions (tests, the bench, small corpora)."""
    registry = registry if registry is not None else MemoryRegistry()
    linker = Linker(registry)
    for extraction in extractions:
        linker.link(extraction)
    return registry
