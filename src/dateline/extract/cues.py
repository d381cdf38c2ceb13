"""Speech cues ("said", "according to", "adding that") outside quotes, each with the phrase that speaks.

A finite cue takes its subject ("Antonov said") or, inverted, the phrase after it
("…," said Antonov). A participle ("…, adding that") has no subject of its own: it
borrows one, by the strategies in `BORROWED_SPEAKERS`, tried in order.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass

from .context import Context
from .lexicons import CUE_RE, DETERMINERS, FINITE, NOUNISH, PARTICIPLE, PRONOUNS
from .phrases import Phrase, head_speaks, names_actor, phrase_after, phrase_before, subject_in
from .records import Mention


@dataclass(slots=True)
class Cue:
    verb: str  # "said", "according to"; "―" for a dash signature, "" for a speaker found without a verb
    start: int
    end: int
    phrase: str | None  # the speaker as written
    phrase_start: int
    phrase_end: int

    @classmethod
    def spoken(cls, verb: str, start: int, end: int, text: str, phrase: Phrase | None) -> Cue:
        """A cue at start:end whose speaker (if any) is `phrase` of `text`."""
        if phrase is None:
            return cls(verb, start, end, None, -1, -1)
        return cls(verb, start, end, text[phrase[0] : phrase[1]], phrase[0], phrase[1])

    @classmethod
    def named(cls, mention: Mention) -> Cue:
        """No speech verb, just the speaker: a name that stands where the cue would."""
        return cls("", mention.start, mention.end, mention.text, mention.start, mention.end)

    def by(self, mention: Mention) -> Cue:
        """This cue, spoken by the one named in `mention`."""
        return Cue(self.verb, self.start, self.end, mention.text, mention.start, mention.end)


# "Biden's remarks", "the reports": a possessive or a determiner makes the cue word a noun
_NOUN_BEFORE = re.compile(
    r"(?:['’]s|\b(?:the|a|an|his|her|their|its|these|those|this|my|our|your|whose|such|"
    r"any|no|recent|earlier|public|latest|previous|his own|her own))\s+$",
    re.I,
)
# "a series of tweets", "two posts": a quantity makes an -s form a plural noun
_PLURAL_BEFORE = re.compile(r"\b(?:of|several|many|multiple|more|fewer|two|three|\d+%?)\s+(?:[A-Z][\w-]*\s+)?$")
# '…," said Caddell': a cue right after a comma, closing quotation mark or dash may put its speaker after it
_INVERTING = re.compile(r"[,”\"—–―-]\s*$")
_ACCORDING_TO = re.compile(r"\b[Aa]ccording to\s+")
_AS_PUT_IT = re.compile(r"\b[Aa]s\s+([^,;:\"“”\n]{2,80}?)\s+(?:put|puts|has put|had put)\s+it\b")


def find_cues(ctx: Context, start: int, end: int, masked: list[tuple[int, int]]) -> list[Cue]:
    """Speech cues between start and end outside `masked` (quotes), each with its subject or inverted speaker;
    by position."""
    text = ctx.text
    out = []
    for m in CUE_RE.finditer(text, start, end):
        if any(s <= m.start() < e for s, e in masked):
            continue
        verb = m.group(1)
        if _reads_as_noun(text, m.start(), verb, start):
            continue
        phrase = None
        if verb in FINITE:
            phrase = phrase_before(ctx, m.start(), start)
            if phrase and verb in NOUNISH and not head_speaks(ctx, *phrase):
                continue  # "Trump's flurry of late-night tweets": a noun, its "subject" a modifier
            if phrase is None or text[phrase[0] : phrase[1]].lower() in {"it", "they"} and verb == "called":
                # inverted: "…," said Caddell
                phrase = (
                    phrase_after(ctx, m.end(), end)
                    if _INVERTING.search(text, max(0, m.start() - 4), m.start())
                    else None
                )
        out.append(Cue.spoken(verb, m.start(), m.end(), text, phrase))
    for phrased in PHRASED_CUES:
        out.extend(phrased(ctx, start, end))
    out.sort(key=lambda c: c.start)
    return out


def _reads_as_noun(text: str, at: int, verb: str, start: int) -> bool:
    """Is the cue word at `at` a noun here ("Biden's remarks", "a series of tweets")?"""
    if _NOUN_BEFORE.search(text[max(start, at - 12) : at]):
        return True
    return verb.endswith("s") and _PLURAL_BEFORE.search(text[max(start, at - 30) : at]) is not None


def _according_to(ctx: Context, start: int, end: int) -> Iterator[Cue]:
    """ "according to X": always followed by its speaker."""
    for m in _ACCORDING_TO.finditer(ctx.text[start:end]):
        s = start + m.end()
        found = phrase_after(ctx, s, end)
        if found:
            yield Cue.spoken("according to", start + m.start(), s, ctx.text, found)


def _as_put_it(ctx: Context, start: int, end: int) -> Iterator[Cue]:
    """ "as The New Yorker put it, “the operator”": the one who put it is the speaker."""
    for m in _AS_PUT_IT.finditer(ctx.text, start, end):
        yield Cue("put it", m.end(1) + 1, m.end(), m.group(1), *m.span(1))


# cues that are phrases rather than one speech verb, each with where its speaker stands
PHRASED_CUES: tuple[Callable[[Context, int, int], Iterator[Cue]], ...] = (_according_to, _as_put_it)


def plausible_subject(ctx: Context, cue: Cue) -> bool:
    """A speaker phrase opens with a name, a determiner, a pronoun or a role — not "late-night tweets"."""
    first = (cue.phrase or " ").split()[0]
    return (
        first[:1].isupper()
        or first[:1].isdigit()
        or first.lower() in DETERMINERS
        or first.lower() in PRONOUNS
        or names_actor(ctx, cue.phrase_start, cue.phrase_end)
    )


# --- who speaks a cue --------------------------------------------------------------------------


def speaking(ctx: Context, cues: list[Cue]) -> list[Cue]:
    """The cues that have a speaker, each as spoken (a participle's borrowed from its clause), in order."""
    return [c for c in (speaker_of(ctx, cue, cues) for cue in cues) if c is not None]


def speaker_of(ctx: Context, cue: Cue, cues: list[Cue]) -> Cue | None:
    """The cue with its speaker: its own phrase, or for a participle one borrowed from the clause it hangs on."""
    if cue.phrase:
        return cue
    if cue.verb in PARTICIPLE:
        for borrow in BORROWED_SPEAKERS:
            found = borrow(ctx, cue, cues)
            if found is not None:
                return found
    return None


_PREPOSITION_BEFORE = re.compile(r"\b(?i:on|in|at|to|with|from|by|for|into|via)\s+$")


def _person_just_before(ctx: Context, cue: Cue, cues: list[Cue]) -> Cue | None:
    """ "footage of Trump saying …": the person named right before the participle (not as an object)."""
    s_start = ctx.sentences[ctx.sentence_of(cue.start)][0]
    mentions = ctx.entities.mentions_in(s_start, cue.start)
    if not mentions:
        return None
    mention = mentions[-1]
    if (
        ctx.type_of(mention) == "person"
        and not ctx.in_quote(mention.start)
        and re.fullmatch(r"[ ,]*", ctx.text[mention.end : cue.start])
        and not _PREPOSITION_BEFORE.search(ctx.text[max(0, mention.start - 8) : mention.start])
    ):
        return cue.by(mention)
    return None


def _clause_subject(ctx: Context, cue: Cue, cues: list[Cue]) -> Cue | None:
    """ "the Security Council issued a statement calling it …": the clause's subject, cue or no cue."""
    s_start = ctx.sentences[ctx.sentence_of(cue.start)][0]
    for kind in ("person", "organisation"):
        subject = subject_in(ctx, s_start, cue.start, kind, strict=True)
        if subject is not None:
            return cue.by(subject)
    return None


# where a participle cue's speaker comes from, in the order tried
BORROWED_SPEAKERS: tuple[Callable[[Context, Cue, list[Cue]], Cue | None], ...] = (
    _person_just_before,
    _clause_subject,
)
