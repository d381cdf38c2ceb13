"""Who said a quotation: the strategies in `STRATEGIES`, tried in order; the first that finds a speaker wins.

1. dash      “…” ― Esther Tapia                    a signature after the closing mark
2. tagged    X said … “…,” the union wrote.         a quote closed by a comma: the cue right after it, first
3. before    Antonov said: “…” / Antonov said “…”   a cue earlier in the quote's sentence
4. after     “…,” Antonov said. / “…,” said Antonov  a cue right after the closing mark
5. later     “…” to the ties, Antonov continued.     a cue later in the same sentence
6. colon     Antonov noted:  ⏎ “…”                   a cue ending the sentence before, with a colon
7. label     Peskov: ⏎ “…”                           no cue: a name alone before a colon labels the words
8. nearest   Trump attacked “the hateful …”          no cue: the subject named before it in its sentence
9. previous  …, Schiff said. “The other factor …”    no cue: the speaker of the sentence just before

The strategy's name goes with the quote as `how`: quotes.merge_split_quotes needs to
know whether the speaker stood after the quote (dash, after).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from .context import Context
from .cues import Cue, find_cues, plausible_subject, speaking
from .lexicons import QUOTE_CHARS, TITLE_END
from .phrases import subject_in
from .records import Mention

_DASH_SPEAKER = re.compile(r"[ \t\u00a0]*[―—–][ \t\u00a0]*([A-Z][\w.'’-]*(?:[ \u00a0]+[A-Z][\w.'’-]*){0,3})")
_AFTER_CLOSING = re.compile(r"[\s,.!?”\"’']*\s*")  # what may stand between a closing mark and its cue

_CLOSING_COMMA = re.compile(r"[”\"’']?,")  # women,” | women”, (the quoted words stop before both)
SPEAKER_AFTER = frozenset({"dash", "tagged", "after"})  # the strategies whose speaker stands right after the quote


@dataclass(frozen=True, slots=True)
class Window:
    """A quotation and where its speaker is looked for."""

    start: int  # the quoted words
    end: int
    floor: int  # where its sentence (or, if later, its paragraph) begins
    ceiling: int  # where the sentence after the closing mark ends, within the line


def window(ctx: Context, start: int, end: int) -> Window:
    text, sentences = ctx.text, ctx.sentences
    s_start = sentences[ctx.sentence_of(start)][0]
    para = text.rfind("\n", 0, start) + 1
    floor = max(s_start, para) if s_start <= start else para
    end_sent = ctx.sentence_of(end)
    s_end = sentences[end_sent][1]
    # "said Del." | "Stacey Plaskett …": the splitter stops at some titles; the speaker is past them
    while (
        TITLE_END.search(text, max(0, s_end - 8), s_end)
        and end_sent + 1 < len(sentences)
        and "\n" not in text[s_end : sentences[end_sent + 1][0]]
    ):
        end_sent += 1
        s_end = sentences[end_sent][1]
    nl = text.find("\n", end)
    ceiling = min(s_end if s_end > end else len(text), nl if nl != -1 else len(text))
    return Window(start, end, floor, ceiling)


def attribute(ctx: Context, w: Window) -> tuple[Cue | None, str]:
    """(the cue that speaks the quote, the name of the strategy that found it); (None, "none") if none does."""
    for name, find in STRATEGIES:
        cue = find(ctx, w)
        if cue is not None:
            return cue, name
    return None, "none"


# --- the strategies ----------------------------------------------------------------------------


def dash_signature(ctx: Context, w: Window) -> Cue | None:
    """“…” ― Esther Tapia"""
    m = _DASH_SPEAKER.match(ctx.text, w.end + 1)
    return Cue("―", m.start(), m.start() + 1, m.group(1), *m.span(1)) if m else None


def tagged(ctx: Context, w: Window) -> Cue | None:
    """ "…,” the union wrote": a comma closing the quote hands it to the cue after it, whatever cue stands
    before it in the sentence ("the impact it said Clinton would have: “…,” the union wrote")."""
    if not _CLOSING_COMMA.match(ctx.text, w.end):
        return None
    return cue_after(ctx, w)


def cue_before(ctx: Context, w: Window) -> Cue | None:
    """The last speaking cue between the sentence's start and the quote — preferring one whose subject
    names someone ("Ryan said the protests demands that …": "the protests demands" is not a speaker)."""
    found = speaking(ctx, find_cues(ctx, w.floor, w.start, ctx.marks))
    if not found:
        return None
    actors = [c for c in found if plausible_subject(ctx, c)]
    return (actors or found)[-1]


def cue_after(ctx: Context, w: Window) -> Cue | None:
    """ "…," SPEAKER VERB | "…," VERB SPEAKER: the first cue after the closing mark, if it follows closely."""
    text = ctx.text
    offset = w.end + _AFTER_CLOSING.match(text[w.end : w.ceiling]).end()
    if text[w.end : offset].count("\n"):
        return None
    if text[w.end - 1 : w.end] == "." and not re.match(r"[a-z]", text[offset : offset + 1]):
        return None  # '… "outlaw nation." Russia insisted …': a full stop ends the quote's sentence
    cues = find_cues(ctx, offset, min(w.ceiling, offset + 160), ctx.marks)
    if not cues or cues[0].phrase is None:
        return None
    cue = cues[0]
    # only its speaker phrase (and adverbs) may stand between the quote and the cue
    speaker_first = offset <= cue.phrase_start <= offset + 1 and cue.phrase_end <= cue.start
    verb_first = cue.phrase_start > cue.start and cue.start <= offset + 1
    return cue if speaker_first or verb_first else None


def cue_later(ctx: Context, w: Window) -> Cue | None:
    """ "…" to the ties, Antonov continued: the first cue with a speaker later in the same sentence."""
    if ctx.text[w.end - 1 : w.end] == ".":
        return None
    later = [c for c in find_cues(ctx, w.end, w.ceiling, ctx.marks) if c.phrase]
    return later[0] if later else None


def colon_cue(ctx: Context, w: Window) -> Cue | None:
    """ "Antonov noted:" + a quote opening the next sentence or paragraph."""
    before = ctx.text[: w.start].rstrip(' \t\n“"')
    if not before.endswith(":"):
        return None
    start = ctx.sentences[ctx.sentence_of(len(before) - 1)][0]
    para = before.rfind("\n", 0, len(before) - 1) + 1
    found = speaking(ctx, find_cues(ctx, max(start, para), len(before), ctx.marks))
    return found[-1] if found else None


def name_label(ctx: Context, w: Window) -> Cue | None:
    """ "Dmitry Peskov: “…”" — in transcripts, interviews and summaries a name (with its title) alone
    before a colon says who speaks, with no verb."""
    before = ctx.text[: w.start].rstrip(' \t\n“"')
    if not before.endswith(":"):
        return None
    line = before.rfind("\n", 0, len(before) - 1) + 1
    start = max(line, ctx.sentences[ctx.sentence_of(len(before) - 1)][0])
    label = before[start:-1]
    names = [
        m for m in ctx.entities.mentions_in(start, len(before) - 1) if ctx.type_of(m) in ("person", "organisation")
    ]
    if not names or len(label.split()) > 6 or label[names[-1].end - start :].strip():
        return None  # the label must end with the name: "Asked about Peskov:" is not Peskov speaking
    return Cue.named(names[-1])


def nearest_actor(ctx: Context, w: Window) -> Cue | None:
    """No speech verb: a quote in news is still somebody's words — the person (else organisation) named
    closest before it in its sentence ("Trump attacked “the hateful ideology …”"), never a possessor."""
    # the sentence's subject, of whatever kind: "South Korea accused the North's leader, Kim Jong Un, of …"
    subjects = [
        m
        for m in (
            subject_in(ctx, w.floor, w.start, kind, strict=True)
            for kind in ("person", "organisation", "place", "group")
        )
        if m is not None
    ]
    subjects = [m for m in subjects if _speaks_as_subject(ctx, m)]
    if subjects:
        return Cue.named(min(subjects, key=lambda m: m.start))
    for kind in ("person", "organisation"):
        best = subject_in(ctx, w.floor, w.start, kind)
        if best is not None:
            return Cue.named(best)
    return None


def _speaks_as_subject(ctx: Context, mention: Mention) -> bool:
    """A country speaks only as a subject ("Russia insisted"), a group only as a plural noun subject
    ("Democrats also blasted …"), never as the adjective of one ("the Republican nominee", "Islamic")."""
    kind = ctx.type_of(mention)
    if kind not in ("place", "group"):
        return True
    if kind == "group" and not mention.text.endswith("s"):
        return False
    return bool(re.match(r"\s+[a-z]", ctx.text[mention.end : mention.end + 3]))


def previous_sentence(ctx: Context, w: Window) -> Cue | None:
    """'…, Schiff said. "The other factor …"' — a quote that opens its sentence with no cue of its own speaks
    for the speaker of the sentence just before it (the main clause's, so the first cue with a subject)."""
    text = ctx.text
    sent_i = ctx.sentence_of(w.start)
    s_start = ctx.sentences[sent_i][0]
    if sent_i == 0 or text[s_start : w.start].strip(" \t\n" + QUOTE_CHARS):
        return None
    p_start, p_end = ctx.sentences[sent_i - 1]
    if text[p_end:s_start].count("\n") > 2:
        return None
    found = [
        c
        for c in speaking(ctx, find_cues(ctx, p_start, p_end, ctx.marks))
        if plausible_subject(ctx, c) and not ctx.in_quote(c.phrase_start)
    ]
    if found:
        return found[0]
    if "\n" in text[p_end:s_start]:
        return None
    # 'Sanders named young voters' exhaustion as a reason. "The younger people …"': the paraphrase's subject
    subject = subject_in(ctx, p_start, p_end, "person", strict=True)
    if subject is None or any(
        ctx.type_of(m) == "organisation" for m in ctx.entities.mentions_in(p_start, subject.start)
    ):
        return None
    return Cue.named(subject)


# where a quotation's speaker is looked for, in the order tried (see the module docstring)
STRATEGIES: tuple[tuple[str, Callable[[Context, Window], Cue | None]], ...] = (
    ("dash", dash_signature),
    ("tagged", tagged),
    ("before", cue_before),
    ("after", cue_after),
    ("later", cue_later),
    ("colon", colon_cue),
    ("label", name_label),
    ("nearest", nearest_actor),
    ("previous", previous_sentence),
)
