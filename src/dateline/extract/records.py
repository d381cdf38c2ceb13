"""What extraction hands back: plain, picklable records (they cross from the workers to the main process)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field


@dataclass(slots=True)
class Mention:
    """One place an entity is named (or referred to by a role noun) in an article."""

    text: str  # as written
    start: int  # character offsets into article.text
    end: int
    sentence: int  # index into text.split_sentences(article.text)
    entity: int  # index into Extraction.entities


@dataclass(slots=True)
class Entity:
    """An entity as one article knows it. `key` is the article-level canonical key; `Linker` makes it corpus-wide."""

    key: str  # "person:anatoly antonov"
    name: str  # canonical display name
    type: str  # person | organisation | place | group
    aliases: list[str] = field(default_factory=list)  # every form written, first seen first
    roles: list[str] = field(default_factory=list)  # "Russian Ambassador to the US"
    surname: str | None = None  # persons: normalised last name
    initials: str = ""  # persons: initials of the given names ("a" for Anatoly, "ai" for A.I.)
    full: bool = False  # persons: given name(s) known, so the key can anchor surname-only mentions


@dataclass(slots=True)
class Quote:
    text: str  # the quoted words (direct) or the reported clause; parts of a split quote joined by " … "
    kind: str  # "direct" | "reported"
    speaker: str | None  # canonical display name, None when the speaker is unknown or generic
    speaker_as_written: str | None  # "the ambassador", "he", "a source"
    speaker_entity: int | None  # index into Extraction.entities
    speaker_span: tuple[int, int] | None  # where speaker_as_written is in article.text
    spans: list[tuple[int, int]]  # character spans of the quoted words in article.text
    sentence: int  # first sentence of the quote
    sentence_text: str  # the sentence(s) the quote is in
    sentence_start: int
    sentence_end: int
    article: str
    speaker_key: str | None = None  # corpus-wide key, set by Linker

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(slots=True)
class Extraction:
    """What `extract_batch` found in one article (or why it skipped it)."""

    article: str
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    skipped: str | None = None  # reason, e.g. "not English (de): entities and quotes are English-only"

    def to_dict(self) -> dict:
        return asdict(self)
