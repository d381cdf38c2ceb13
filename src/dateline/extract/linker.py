"""The main-process side: corpus-wide canonical entities.

`Linker(registry).link(extraction)` turns each article's entity keys into
corpus-wide ones (a surname-only "Antonov" joins the one "Anatoly Antonov" the
corpus knows) and keeps the entity records in a `Registry` (the store in
production, `MemoryRegistry` — beside it here — in tests and the bench).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from typing import Protocol, runtime_checkable

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


@runtime_checkable
class BatchRegistry(Registry, Protocol):
    """A `Registry` that also reads and writes many records in one go (the store): `Linker.link_batch`
    then costs a few round trips a batch instead of a few per mention."""

    def get_many(self, keys: Sequence[str]) -> dict[str, EntityRecord]:
        """The records with these keys that exist."""
        ...

    def full_names_many(self, type: str, surnames: Sequence[str]) -> dict[str, list[EntityRecord]]:
        """`full_names` for each of `surnames` (every surname a key; lists sorted by key)."""
        ...

    def save_many(self, records: Sequence[EntityRecord]) -> None:
        """`save` for each record."""
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


class _Overlay:
    """The registry as one batch of articles changes it: the records the batch needs are read in two
    queries, changes are kept here, and written in one go by `flush`. Linking article after article
    over it gives what linking them one by one against the registry gives: each sees the records the
    articles before it left."""

    def __init__(self, registry: Registry, extractions: Sequence[Extraction]):
        self.registry = registry
        self.records: dict[str, EntityRecord | None] = {}
        self.changed: dict[str, EntityRecord] = {}
        self.surnames: dict[tuple[str, str], dict[str, EntityRecord]] = {}
        entities = [entity for extraction in extractions for entity in extraction.entities]
        keys = sorted({entity.key for entity in entities})
        # Surname-only persons look up full names; full names are added to those lists: both read here.
        surnames = sorted({e.surname for e in entities if e.type == "person" and e.surname})
        if isinstance(registry, _BATCHED):
            found = registry.get_many(keys)
            self.records.update((key, found.get(key)) for key in keys)
            for surname, records in registry.full_names_many("person", surnames).items():
                self._known(("person", surname), records)

    def _known(self, name: tuple[str, str], records: list[EntityRecord]) -> None:
        self.surnames[name] = {record.key: record for record in records}
        for record in records:
            self.records.setdefault(record.key, record)

    def get(self, key: str) -> EntityRecord | None:
        if key not in self.records:
            self.records[key] = self.registry.get(key)
        return self.records[key]

    def save(self, record: EntityRecord) -> None:
        self.records[record.key] = self.changed[record.key] = record
        if record.full and record.surname:
            name = (record.type, record.surname)
            if name not in self.surnames:
                self.full_names(*name)
            self.surnames[name][record.key] = record

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:  # noqa: A002 — the protocol's name
        name = (type, surname)
        if name not in self.surnames:
            self._known(name, self.registry.full_names(type, surname))
        return [record for _, record in sorted(self.surnames[name].items())]

    def flush(self) -> None:
        records = [self.changed[key] for key in sorted(self.changed)]
        if isinstance(self.registry, _BATCHED):
            self.registry.save_many(records)
        else:
            for record in records:
                self.registry.save(record)


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

    def link_batch(self, extractions: Sequence[Extraction]) -> list[dict[int, str]]:
        """`link` for each extraction in order, with the registry read and written once for the batch."""
        overlay = _Overlay(self.registry, extractions)
        linked = [Linker(overlay).link(extraction) for extraction in extractions]
        overlay.flush()
        return linked

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


_BATCHED = BatchRegistry


def link_all(extractions: Iterable[Extraction], registry: Registry | None = None) -> Registry:
    """Link a stream of extractions (tests, the bench, small corpora)."""
    registry = registry if registry is not None else MemoryRegistry()
    linker = Linker(registry)
    for extraction in extractions:
        linker.link(extraction)
    return registry
