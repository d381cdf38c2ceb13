"""What every step of quote finding reads: the text, its sentences, the article's entities, where the
quotation marks are, and the speakers resolved so far."""

from __future__ import annotations

import bisect
from dataclasses import dataclass, field

from .entities import ArticleEntities, sentence_of
from .records import Mention


@dataclass
class Context:
    entities: ArticleEntities
    article: str  # the article's id, for the Quote records
    quotes: list[tuple[int, int]] = field(default_factory=list)  # the quoted words, see quotes.quote_spans
    # (offset, entity) of the speakers resolved so far, in text order: what a later "he said" refers back to
    speakers: list[tuple[int, int]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.text = self.entities.text
        self.sentences = self.entities.sentences
        self.starts = self.entities.starts
        self.quote_starts = [s for s, _ in self.quotes]
        self.marks = [(s - 1, e + 1) for s, e in self.quotes]  # the quotes with their quotation marks

    def sentence_of(self, offset: int) -> int:
        return sentence_of(self.starts, offset)

    def in_quote(self, offset: int) -> bool:
        i = bisect.bisect_right(self.quote_starts, offset) - 1
        return i >= 0 and offset < self.quotes[i][1]

    def type_of(self, mention: Mention) -> str:
        return self.entities.type_of(mention)

    def name_of(self, index: int) -> str:
        return self.entities.entities[index].name

    def spoke(self, offset: int, index: int) -> None:
        """Entity `index` is the speaker of a cue at `offset`."""
        bisect.insort(self.speakers, (offset, index))
