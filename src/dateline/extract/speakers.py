"""A speaker phrase → the entity it names ("the ambassador" → Anatoly Antonov, "he" → the last speaker).

`resolve` asks the resolvers in `RESOLVERS`, in order. A resolver answers
(index, name) — (None, None) is an answer too: "nobody we know", and stops the
search — or None: "not my kind of phrase", and the next one is asked.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field

from .context import Context
from .lexicons import LEADING_CLAUSE, PRONOUNS, lexicon
from .names import normalise
from .phrases import subject_in
from .records import Mention
from .roles import role_head, role_holder

Answer = tuple[int | None, str | None]  # (entity index, canonical name)

_STRICT_POSSESSIVE = re.compile(r"['’]s\b")  # "Antonov's" names a possessor (here "Jones'" does not)
_HEAD_END = re.compile(r"\s+(?:in|of|at|for|to|on)\s+")  # "the embassy in Washington": the head is before "in"


@dataclass
class _Phrase:
    """A speaker phrase and what every resolver looks at in it."""

    ctx: Context
    start: int
    end: int
    text: str = field(init=False)
    lower: str = field(init=False)
    inside: list[Mention] = field(init=False)  # the mentions within the phrase
    head: str = field(init=False)  # the phrase up to a prepositional complement
    head_words: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.text = self.ctx.text[self.start : self.end]
        self.lower = self.text.lower().strip()
        self.inside = self.ctx.entities.mentions_in(self.start, self.end)
        self.head = _HEAD_END.split(self.text)[0]
        self.head_words = normalise(self.head).split()


def resolve(ctx: Context, start: int, end: int) -> Answer:
    """Speaker phrase → (entity index, canonical name); (None, None) when it names nobody known."""
    phrase = _Phrase(ctx, start, end)
    for resolver in RESOLVERS:
        answer = resolver(ctx, phrase)
        if answer is not None:
            return answer
    return None, None


def _named_person(ctx: Context, phrase: _Phrase) -> Answer | None:
    """The last person named in the phrase ("Russian Ambassador Anatoly Antonov"), not as a possessor."""
    persons = [
        m
        for m in phrase.inside
        if ctx.type_of(m) == "person" and not _STRICT_POSSESSIVE.match(ctx.text[m.end : m.end + 2])
    ]
    if not persons:  # "FranÃ§ois Hollande": the phrase stopped inside a name the model tagged whole
        persons = [
            m
            for m in ctx.entities.mentions
            if m.start < phrase.start < m.end and m.end == phrase.end and ctx.type_of(m) == "person"
        ]
    if persons:
        return persons[-1].entity, ctx.name_of(persons[-1].entity)
    return None


def _pronoun(ctx: Context, phrase: _Phrase) -> Answer | None:
    if phrase.lower not in PRONOUNS:
        return None
    index = pronoun_referent(ctx, phrase.lower, phrase.start)
    return index, ctx.name_of(index) if index is not None else None


def _organisation_noun(ctx: Context, phrase: _Phrase) -> Answer | None:
    """ "the embassy", "the ministry": the organisation named in the phrase, else the latest one of that noun."""
    if not phrase.head_words or phrase.head_words[-1] not in lexicon()["org_nouns"]:
        return None
    named = [m for m in phrase.inside if ctx.type_of(m) == "organisation" and m.start < phrase.start + len(phrase.head)]
    if named:
        return named[-1].entity, ctx.name_of(named[-1].entity)
    index = ctx.entities.org_by_noun(phrase.head_words[-1], phrase.start)
    if index is not None:
        return index, ctx.name_of(index)
    if phrase.lower.startswith("the ") and len(phrase.head_words) >= 3:
        # "the Russian embassy in the US": a name in itself, and an organisation of the article from now on
        name = " ".join(w.capitalize() if w.islower() else w for w in phrase.head.split()[1:])
        return ctx.entities.add("organisation:" + normalise(name), name, "organisation"), name
    return None, None


def _role_noun(ctx: Context, phrase: _Phrase) -> Answer | None:
    """ "the ambassador": the person holding the role here."""
    if role_head(phrase.head) is None:
        return None
    index = role_holder(ctx.entities, phrase.head, phrase.start)
    if index is not None:
        return index, ctx.name_of(index)
    if not any(ctx.type_of(m) == "organisation" for m in phrase.inside):
        return None, None  # "the Republican presidential nominee" is a person, never the group "Republican"
    return None


def _other_named(ctx: Context, phrase: _Phrase) -> Answer | None:
    """The last organisation, group or place named in the phrase ("the Kremlin", "Moscow")."""
    others = [m for m in phrase.inside if ctx.type_of(m) in ("organisation", "group", "place")]
    if others:
        return others[-1].entity, ctx.name_of(others[-1].entity)
    return None


# how a speaker phrase is resolved, in the order tried
RESOLVERS: tuple[Callable[[Context, _Phrase], Answer | None], ...] = (
    _named_person,
    _pronoun,
    _organisation_noun,
    _role_noun,
    _other_named,
)


# --- pronouns ----------------------------------------------------------------------------------


def pronoun_referent(ctx: Context, pronoun: str, offset: int) -> int | None:
    """The most recent speaker nearby, else the most recent person named outside a quote."""
    kind = PRONOUNS[pronoun]
    if kind == "person":
        subject = _subject_of_sentence(ctx, offset)
        if subject is not None:
            return subject
    speaker = _recent_speaker(ctx, kind, offset)
    if speaker is not None or kind == "any":
        return speaker
    return _last_named(ctx, kind, offset)


def _subject_of_sentence(ctx: Context, offset: int) -> int | None:
    """ "Ban Ki-moon condemned what he called …": a person named earlier in the same sentence, as a subject;
    "Though she called it …, Clinton restricted …": a pronoun in a leading clause points forward."""
    s_start, s_end = ctx.sentences[ctx.sentence_of(offset)]
    subject = subject_in(ctx, s_start, offset, "person")
    if subject is not None:
        return subject.entity
    if LEADING_CLAUSE.fullmatch(ctx.text[s_start:offset]):
        comma = ctx.text.find(",", offset, s_end)
        subject = subject_in(ctx, comma, s_end, "person") if comma != -1 else None
        if subject is not None and subject.start - comma < 4:
            return subject.entity
    return None


def _recent_speaker(ctx: Context, kind: str, offset: int) -> int | None:
    """The latest speaker of this kind before `offset`, within the three sentences before it."""
    floor = ctx.sentences[max(0, ctx.sentence_of(offset) - 3)][0]
    for at, index in reversed(ctx.speakers):
        if at < floor:
            break
        if at < offset and (kind == "any" or ctx.entities.entities[index].type == kind):
            return index
    return None


def _last_named(ctx: Context, kind: str, offset: int) -> int | None:
    """The latest entity of this kind named before `offset`, outside quotes and not as a possessor."""
    for mention in reversed(ctx.entities.mentions):
        if mention.start >= offset or ctx.type_of(mention) != kind:
            continue
        if ctx.in_quote(mention.start) or _STRICT_POSSESSIVE.match(ctx.text[mention.end : mention.end + 2]):
            continue
        return mention.entity
    return None
