"""Reported speech: "Antonov said (that) …", "…, said Caddell.", "According to X, …" in sentences with no
direct quote. One reported quote a sentence at most: the first cue whose clause can be cut out."""

from __future__ import annotations

import re
from collections.abc import Callable

from .context import Context
from .cues import Cue, find_cues
from .lexicons import REPORTED_CUES
from .records import Quote
from .speakers import resolve

Span = tuple[int, int]

# a speaker that names no entity still counts when it is a generic source ("officials said") or capitalised
_GENERIC_SOURCE = re.compile(
    r"\b(?:source|sources|official|officials|spokes\w+|aides?|people|statement|report)\b", re.I
)
# what may follow an inverted cue at the end of its sentence ("…, Antonov said on Tuesday.")
_AFTER_INVERTED = re.compile(
    r"\s*(?:on|in|at|during|last|this|earlier|later|yesterday|today|"
    r"tuesday|monday|wednesday|thursday|friday|saturday|sunday|"
    r"to|,|in a|according)\b",
    re.I,
)
_TOLD = {"told", "tells"}
# how the reported clause opens after "said" / "told reporters", in the order tried; None: after any cue
_CLAUSE_OPENINGS: tuple[tuple[re.Pattern, set[str] | None], ...] = (
    # "said (on Tuesday) that …"
    (re.compile(r"\s*(?:(?:on|in|at|last|this|earlier|later|during)\s+[\w\s,'’-]{0,40}?\s+)?that\s+"), None),
    # "told reporters that …"
    (re.compile(r"\s*[\w\s'’.-]{1,40}?\s+that\s+"), _TOLD),
    # "told reporters the …"
    (re.compile(r"\s*[\w\s'’.-]{1,40}?\s+(?:that\s+)?(?=(?:the|a|an|he|she|they|it|we|i|[A-Z])\b)"), _TOLD),
    # "said the …", "said he …"
    (re.compile(r"\s+(?=(?:the|a|an|he|she|they|it|we|I|there|this|[A-Z]\w+)\s)"), None),
)


def reported_quotes(ctx: Context) -> list[Quote]:
    """Reported speech of every sentence without a direct quote (those speak for themselves)."""
    out = []
    for i, (s, e) in enumerate(ctx.sentences):
        if any(ms < e and s < me for ms, me in ctx.marks):
            continue
        for cue in find_cues(ctx, s, e, []):
            quote = _reported(ctx, cue, i)
            if quote is not None:
                out.append(quote)
                break
    return out


def _reported(ctx: Context, cue: Cue, i: int) -> Quote | None:
    """The reported quote of sentence `i` by this cue, if it introduces reported speech that can be cut out."""
    if cue.phrase is None or (cue.verb not in REPORTED_CUES and cue.verb != "according to"):
        return None
    text = ctx.text
    s, e = ctx.sentences[i]
    content = _content(ctx, cue, s, e)
    if content is None:
        return None
    cs, ce = content
    if len(text[cs:ce].split()) < 4:
        return None
    index, name = resolve(ctx, cue.phrase_start, cue.phrase_end)
    if index is None and not _GENERIC_SOURCE.search(cue.phrase or "") and not (cue.phrase or "")[:1].isupper():
        return None
    if index is not None:
        ctx.spoke(cue.phrase_start, index)
    return Quote(
        text=re.sub(r"\s+", " ", text[cs:ce]).strip(),
        kind="reported",
        speaker=name,
        speaker_as_written=cue.phrase,
        speaker_entity=index,
        speaker_span=(cue.phrase_start, cue.phrase_end),
        spans=[(cs, ce)],
        sentence=i,
        sentence_text=text[s:e].strip(),
        sentence_start=s,
        sentence_end=e,
        article=ctx.article,
    )


def _content(ctx: Context, cue: Cue, s: int, e: int) -> Span | None:
    """The reported clause of sentence s:e, by where the cue stands in it."""
    end = e
    while end > s and ctx.text[end - 1] in " .\n\t":
        end -= 1
    return _content_by_shape(ctx.text, cue, s)(ctx.text, cue, s, end)


def _content_by_shape(text: str, cue: Cue, s: int) -> Callable[[str, Cue, int, int], Span | None]:
    """Where the clause is: after "according to X," or before ", according to X"; before an inverted cue or
    a speaker after a comma ("…, Antonov said"); else after the cue."""
    if cue.verb == "according to":
        return _according_to_content
    if cue.phrase_start > cue.start or (cue.phrase_start > s + 3 and re.search(r",\s*$", text[s : cue.phrase_start])):
        return _inverted_content
    return _clause_after_content


def _according_to_content(text: str, cue: Cue, s: int, end: int) -> Span | None:
    if cue.start - s > 3:  # "…, according to X."
        return _trim_content(text, s, cue.start)
    rest = re.match(r"[^,]*,\s*", text[cue.phrase_end : end])  # "According to X, …"
    if not rest:
        return None
    return _trim_content(text, cue.phrase_end + rest.end(), end)


def _inverted_content(text: str, cue: Cue, s: int, end: int) -> Span | None:
    """ "…, Antonov said." / "…, said Caddell.": the clause before the comma, if nothing but a time follows."""
    m = re.search(r",\s*$", text[s : min(cue.start, cue.phrase_start)])
    if not m:
        return None
    tail = text[max(cue.end, cue.phrase_end) : end]
    if tail.strip() and not _AFTER_INVERTED.match(tail):
        return None
    return _trim_content(text, s, s + m.start())


def _clause_after_content(text: str, cue: Cue, s: int, end: int) -> Span | None:
    """ "Antonov said (that) …" / "told reporters (that) …": the clause after the cue."""
    rest = text[cue.end : end]
    for opening, verbs in _CLAUSE_OPENINGS:
        if verbs is None or cue.verb in verbs:
            m = opening.match(rest)
            if m is not None:
                return _trim_content(text, cue.end + m.end(), end)
    return None


def _trim_content(text: str, s: int, e: int) -> Span | None:
    while s < e and text[s] in " ,;:—–-\n":
        s += 1
    while e > s and text[e - 1] in " ,;:—–-.\n":
        e -= 1
    return (s, e) if e > s else None
