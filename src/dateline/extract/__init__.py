"""Entities (people, organisations, places, groups) with their aliases, and quotes with their speakers.

Two halves, like dedup and cluster:

* `extract_batch(articles)` is pure and runs in the workers: one batched spaCy
  pass (tok2vec + ner only — no parser, no tagger: the rules only need entity
  spans and the text) and rule-based quote finding. It returns plain, picklable
  `Extraction`s whose entities carry an article-local canonical key.
* `Linker(registry).link(extraction)` runs in the main process: it turns those
  keys into corpus-wide ones (a surname-only "Antonov" joins the one "Anatoly
  Antonov" the corpus knows) and keeps the entity records in a `Registry`
  (the store in production, `MemoryRegistry` in tests and the bench).

Sentence indices are those of `text.split_sentences(article.text)` — the spans
the store already keeps — so every mention and quote links to a stored sentence.
A wrong merge is worse than a missed one: every alias rule is conservative.

The modules, in the order an article goes through them:

    batch.py        the spaCy model and pass; one article's extraction
    entities.py     spaCy spans → repaired spans → entities and mentions   (names.py: name normalisation,
                    roles.py: titles and role nouns)
    quotes.py       quotation marks → direct quotes; split quotes joined
    attribution.py  who said a quotation: the strategies, in the order tried
    cues.py         speech cues and who speaks them;  phrases.py  the speaker phrase next to a cue
    speakers.py     a speaker phrase → an entity (names, pronouns, role and organisation nouns)
    reported.py     reported speech ("Antonov said that …")
    linker.py       the corpus-wide keys (main process), the Registry protocol and its in-memory double
    lexicons.py     every word list, and the tuned tables of weights/extract.json
    records.py      the records handed back;  context.py  what the quote steps share for one article
"""

from __future__ import annotations

from .batch import BATCH, MAX_CHARS, MODEL, NER_PIPES, extract, extract_batch, extract_doc, load, skip_reason
from .entities import TYPES
from .linker import Linker, MemoryRegistry, Registry, link_all
from .names import normalise
from .quotes import quote_spans
from .records import Entity, Extraction, Mention, Quote

__all__ = [
    "BATCH",
    "MAX_CHARS",
    "MODEL",
    "NER_PIPES",
    "TYPES",
    "Entity",
    "Extraction",
    "Linker",
    "MemoryRegistry",
    "Mention",
    "Quote",
    "Registry",
    "extract",
    "extract_batch",
    "extract_doc",
    "link_all",
    "load",
    "normalise",
    "quote_spans",
    "skip_reason",
]
