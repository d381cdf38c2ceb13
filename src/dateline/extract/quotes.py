"""Direct quotes: the words between quotation marks, attributed (see attribution.py), split quotes joined.

`find_quotes` runs the steps in order: find the quotations, attribute each
(attribution never resolves a speaker, so it reads a fixed state), join the parts
of one quotation, resolve each speaker to an entity (in text order: "he" refers
back to the speakers resolved before it), then add reported speech.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .attribution import SPEAKER_AFTER, attribute, window
from .context import Context
from .cues import Cue
from .entities import ArticleEntities
from .lexicons import CUE_RE, DETERMINERS, QUOTE_CHARS, TIME_WORDS
from .names import display_name, normalise
from .phrases import is_possessor_at
from .records import Quote
from .reported import reported_quotes
from .speakers import resolve

Span = tuple[int, int]

_NAME_AS_WRITTEN = re.compile(r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}")
_FRAGMENT_GAP = re.compile(r"[\s,”\"’]*(?:and|or|,)[\s“\"‘]*")  # “Miss Piggy” and “Miss Housekeeping”


def find_quotes(entities: ArticleEntities, article: str) -> list[Quote]:
    """The article's direct and reported quotes, by position (a direct quote before a reported one)."""
    ctx = Context(entities, article, quote_spans(entities.text))
    attributed = [(span, *attribute(ctx, window(ctx, *span))) for span in ctx.quotes]
    quotes: list[Quote] = []
    for group in merge_split_quotes(ctx, attributed):
        if _not_words(ctx.text, group.spans):
            continue
        quote = direct_quote(ctx, group.spans, group.cue)
        if quote is not None:
            quotes.append(quote)
    quotes.extend(reported_quotes(ctx))
    quotes.sort(key=lambda q: (q.spans[0][0], q.kind))
    return quotes


def quote_spans(text: str) -> list[Span]:
    """(start, end) of the words inside each pair of double quotation marks, straight or curly.

    A paragraph that ends inside a quote continues it when the next paragraph opens
    with a quotation mark (the newspaper convention for multi-paragraph quotes);
    otherwise the unclosed mark is dropped. Quotes nested in a quote are part of it.
    """
    out: list[Span] = []
    open_at: int | None = None
    style = ""
    i, n = 0, len(text)
    while i < n:
        c = text[i]
        if c == "\n":
            if open_at is not None:
                j = i
                while j < n and text[j].isspace():
                    j += 1
                nxt = text[j : j + 1]
                if not ((style == "curly" and nxt == "“") or (style == "straight" and nxt == '"')):
                    open_at = None
                else:
                    i = j + 1  # the reopening mark of a continued paragraph
                    continue
        elif c in "“«„":
            if open_at is None:
                open_at, style = i + 1, "curly"
        elif c in "”»":
            if open_at is not None and style == "curly":
                if text[open_at:i].strip():
                    out.append((open_at, i))
                open_at = None
        elif c == '"':
            if open_at is None:
                open_at, style = i + 1, "straight"
            elif style == "straight":
                if text[open_at:i].strip():
                    out.append((open_at, i))
                open_at = None
        i += 1
    return [_trim(text, s, e) for s, e in out]


def _trim(text: str, s: int, e: int) -> Span:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1] in " \t\n,":
        e -= 1
    return s, e


# --- one quotation in several parts ------------------------------------------------------------


@dataclass
class _Group:
    """The parts of one quotation, with the cue that speaks it and the strategy that found it."""

    spans: list[Span]
    cue: Cue | None
    how: str


def merge_split_quotes(ctx: Context, attributed: list[tuple[Span, Cue | None, str]]) -> list[_Group]:
    """Join the parts of one quotation; a quote without a cue continues the previous speaker's quote when it
    follows it closely."""
    groups: list[_Group] = []
    for span, cue, how in attributed:
        last = groups[-1] if groups else None
        if last is None:
            groups.append(_Group([span], cue, how))
            continue
        gap = ctx.text[last.spans[-1][1] : span[0]]
        if _split_around_cue(last, span, cue, gap):
            last.spans.append(span)
        elif _fragments(last, cue, gap):
            last.spans.append(span)
            if last.cue is None:
                last.cue, last.how = cue, how
        elif cue is None and last.cue is not None and _continues(ctx, last.spans[-1], span, gap):
            groups.append(_Group([span], last.cue, "continued"))
        else:
            groups.append(_Group([span], cue, how))
    return groups


def _split_around_cue(last: _Group, span: Span, cue: Cue | None, gap: str) -> bool:
    """'"…," said Caddell. "…"': one quote split around its speech verb, in one paragraph."""
    prev = last.cue
    return (
        prev is not None
        and last.how in SPEAKER_AFTER
        and "\n" not in gap
        and (cue is None or cue.start == prev.start)
        and prev.start >= last.spans[-1][1]
        and prev.end <= span[0]
    )


def _fragments(last: _Group, cue: Cue | None, gap: str) -> bool:
    """called her “Miss Piggy” and “Miss Housekeeping”: fragments of one quotation."""
    return (
        bool(_FRAGMENT_GAP.fullmatch(gap))
        and gap.count("\n") == 0
        and (cue is None or last.cue is None or cue.start == last.cue.start)
    )


def _continues(ctx: Context, prev: Span, span: Span, gap: str) -> bool:
    """Does a quote with no cue of its own go on with the previous one: nothing but marks in between, or a
    short gap (within three paragraphs) that names no other person and holds no cue?"""
    between = gap.strip(" \t\n" + QUOTE_CHARS + ".,:;—–-")
    return not between or gap.count("\n") <= 2 and len(gap) < 400 and _no_other_speaker(ctx, prev[1], span[0])


def _no_other_speaker(ctx: Context, start: int, end: int) -> bool:
    gap = ctx.text[start:end]
    if any(ctx.type_of(m) == "person" and not ctx.in_quote(m.start) for m in ctx.entities.mentions_in(start, end)):
        return False  # someone else is named between the two quotes
    return not CUE_RE.search(gap) and len(gap) < 400


def _not_words(text: str, spans: list[Span]) -> bool:
    """Scraped text keeps some markup: an attribute value (<tweet author="…" id="7782…">) or a quoted
    number is nobody's words."""
    s, e = spans[0]
    if not any(c.isalpha() for c in text[s : spans[-1][1]]):
        return True
    tag_open = text.rfind("<", max(0, s - 300), s)
    return (
        tag_open != -1
        and ">" not in text[tag_open:s]
        and re.match(r"</?[A-Za-z][\w:-]*\s", text[tag_open : tag_open + 40]) is not None
    )


# --- the record --------------------------------------------------------------------------------


def direct_quote(ctx: Context, spans: list[Span], cue: Cue | None) -> Quote | None:
    """The Quote of a quotation's parts, its speaker resolved (and remembered, for later pronouns)."""
    text = ctx.text
    index, name = resolve(ctx, cue.phrase_start, cue.phrase_end) if cue and cue.phrase else (None, None)
    if index is not None and cue.verb:
        ctx.spoke(cue.phrase_start, index)
    if name is None and cue and cue.phrase and _untagged_name(ctx, cue):
        name = display_name(cue.phrase)  # a name the model did not tag ("Hollande said")
    first = ctx.sentence_of(spans[0][0])
    last = ctx.sentence_of(max(spans[-1][1] - 1, spans[-1][0]))
    s_start, s_end = ctx.sentences[first][0], ctx.sentences[last][1]
    words = " … ".join(re.sub(r"\s+", " ", text[s:e].replace("“", "").replace("”", "").strip()) for s, e in spans)
    if not words.strip():
        return None
    return Quote(
        text=words,
        kind="direct",
        speaker=name,
        speaker_as_written=cue.phrase if cue else None,
        speaker_entity=index,
        speaker_span=(cue.phrase_start, cue.phrase_end) if cue and cue.phrase else None,
        spans=spans,
        sentence=first,
        sentence_text=text[s_start:s_end].strip(),
        sentence_start=s_start,
        sentence_end=s_end,
        article=ctx.article,
    )


def _untagged_name(ctx: Context, cue: Cue) -> bool:
    """Does the speaker phrase look like a name, though no entity: capitalised words, not a day, no
    determiner first, not a possessor?"""
    phrase = cue.phrase or ""
    return (
        bool(_NAME_AS_WRITTEN.fullmatch(phrase))
        and not TIME_WORDS.fullmatch(phrase)
        and normalise(phrase.split()[0]) not in DETERMINERS
        and not is_possessor_at(ctx.text, cue.phrase_end)
    )
