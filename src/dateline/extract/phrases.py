"""The speaker phrase next to a speech cue: the subject before it ("the Russian ambassador said"), the
speaker after an inverted one ("…," said Caddell), and the tests of whether a phrase can speak at all."""

from __future__ import annotations

import re

from .context import Context
from .lexicons import (
    ADVERBS,
    BOUNDARY_WORDS,
    CUES,
    DETERMINERS,
    INVERTED_SPEAKER_NOUNS,
    OBJECT_BEFORE,
    PHRASE_WORDS,
    PRONOUNS,
    SPEAKER_HEADS,
    SUBJECT_NOUNS,
    TIME_WORDS,
    lexicon,
)
from .records import Mention
from .roles import role_head

Phrase = tuple[int, int]  # (start, end) in the text

_TOKEN = re.compile(r"[A-Za-z0-9À-ÿ](?:[\w.’'&-]*\w)?\.?|[^\w\s]")
# "Kerr Putney, the police chief, said": the name before the apposition is the speaker
_APPOSITIVE = re.compile(
    r"([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}),\s+(?:the|a|an|one|[A-Z][\w-]*['’]s)"
    r"\s[^,\"“”]{1,80},\s*$"
)
# what may stand between a subject and its verb: "Rep. Gwen Moore (D-Wis.) said" (party, state, age) and
# "Quina Jones, 25, said" / "Mitch McConnell, R-Ky., said" / "Bernie Sanders, who lost …, said"
_INSERTIONS = (re.compile(r"\s*\([^()\n]{1,40}\)\s*,?\s*$"), re.compile(r",\s+[^,\"“”()\n]{1,100},\s*$"))
# "said 9/11 widow Terry Strada", "said longtime aide John Smith": a few words, no clause, before a name
_FEW_WORDS = re.compile(r"\s*(?:[\w/’'.-]+\s+){0,4}")
_CLAUSE_WORD = re.compile(r"\b(?:that|to|of|and|as|when|while|after|before|in|on|at|for|with|about)\s")
_ABBREVIATION = re.compile(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.")
_POSSESSIVE = re.compile(r"['’]s?\b")
# a phrase starts (before a cue) or ends (after one) with a content word, never with these
_NOT_FIRST = {"of", "to", "for", "in", "at", "on", "and", "with", "from"}
_NOT_LAST = {"of", "to", "for", "in", "at", "on", "and", "the", "a", "with", "from"}


def phrase_before(ctx: Context, end: int, floor: int) -> Phrase | None:
    """The noun phrase that ends at `end` (the subject of a cue verb), back to a boundary."""
    appositive = _APPOSITIVE.search(ctx.text, floor, end)
    if appositive:
        return appositive.span(1)
    region = ctx.text[floor:end]
    for insertion in _INSERTIONS:  # the subject is before the insertion, if it names an actor
        m = insertion.search(region)
        if m and m.start() > 0:
            found = phrase_before(ctx, floor + m.start(), floor)
            if found and names_actor(ctx, *found):
                return found
    return _words_before(ctx, end, floor)


def _words_before(ctx: Context, end: int, floor: int) -> Phrase | None:
    """Words back from `end` while they can be part of a subject: names, role nouns, determiners, pronouns."""
    text = ctx.text
    backwards = [(m.start(), m.end()) for m in _TOKEN.finditer(text, floor, end)][::-1]
    picked: list[tuple[int, int]] = []
    for i, (s, e) in enumerate(backwards):
        word = text[s:e]
        lower = word.lower()
        if not picked and (lower in ADVERBS or word.endswith("ly") and word.islower() and len(word) > 4):
            continue  # "Morial forcefully told"
        if not word[0].isalnum():  # punctuation ends the phrase, but for a possessive's apostrophe
            if word in "’'" and picked:
                picked.append((s, e))
                continue
            break
        if lower in BOUNDARY_WORDS or lower in CUES:
            break
        if picked and word[0].islower() and not _phrase_word(lower, SUBJECT_NOUNS):
            # a lower-case word no subject holds ends the phrase, unless a determiner opens it a little further
            picked.extend(_back_to_determiner(text, backwards, i))
            break
        picked.append((s, e))
        if len(picked) >= 12:
            break
    if not picked:
        return None
    picked.reverse()
    while picked and text[picked[0][0] : picked[0][1]].lower() in _NOT_FIRST:
        picked = picked[1:]
    if not picked:
        return None
    # a pronoun stands alone: "he", never "Russia he"
    if text[picked[0][0] : picked[-1][1]].split()[-1].lower() in PRONOUNS:
        return picked[-1]
    return picked[0][0], picked[-1][1]


def _back_to_determiner(text: str, backwards: list[tuple[int, int]], i: int) -> list[tuple[int, int]]:
    """ "the band leader", "the ad's narrator", "The Republican presidential nominee": lower-case modifiers
    (up to four words) back to a determiner belong to the phrase; without a determiner, none do."""
    for j in range(i, min(i + 4, len(backwards))):
        w = text[backwards[j][0] : backwards[j][1]]
        if w.lower() in DETERMINERS:
            return backwards[i : j + 1]
        if not w[0].isalnum() or w.lower() in BOUNDARY_WORDS or w.lower() in CUES:
            return []
    return []


def phrase_after(ctx: Context, start: int, ceiling: int) -> Phrase | None:
    """The noun phrase right after an inverted cue ("said Caddell", "said the ambassador")."""
    named = _name_a_few_words_on(ctx, start, ceiling)
    if named:
        return named
    text = ctx.text
    picked: list[tuple[int, int]] = []
    for m in _TOKEN.finditer(text, start, ceiling):
        s, e = m.span()
        word = text[s:e]
        lower = word.lower()
        if not word[0].isalnum():  # as before a cue: punctuation ends it, an apostrophe does not
            if word in "’'" and picked:
                picked.append((s, e))
                continue
            break
        if lower in BOUNDARY_WORDS and picked:
            break
        if word[0].islower() and not _phrase_word(lower, INVERTED_SPEAKER_NOUNS):
            if _determiner_and_noun(text, picked, lower):
                picked.append((s, e))  # "said the ruling", "said the letter": a determiner opens a phrase
            break
        picked.append((s, e))
        if len(picked) >= 10:
            break
    while picked and text[picked[-1][0] : picked[-1][1]].lower() in _NOT_LAST:
        picked.pop()
    if not picked:
        return None
    if TIME_WORDS.fullmatch(text[picked[0][0] : picked[-1][1]].rstrip(".")):
        return None  # "…," he said Tuesday — a day, not a speaker
    end = picked[-1][1]
    last = text[picked[-1][0] : end]
    if last.endswith(".") and not _ABBREVIATION.fullmatch(last):
        end -= 1  # the sentence's full stop, not an abbreviation's
    return picked[0][0], end


def _name_a_few_words_on(ctx: Context, start: int, ceiling: int) -> Phrase | None:
    """The first person or organisation named within a few words after an inverted cue, and the words before
    it ("9/11 widow Terry Strada"), when no clause opens in between."""
    for mention in ctx.entities.mentions_in(start, min(ceiling, start + 60)):
        if ctx.type_of(mention) not in ("person", "organisation"):
            continue
        between = ctx.text[start : mention.start]
        if _FEW_WORDS.fullmatch(between) and not _CLAUSE_WORD.search(between):
            return start + len(between) - len(between.lstrip()), mention.end
        break
    return None


def _determiner_and_noun(text: str, picked: list[tuple[int, int]], lower: str) -> bool:
    """After a determiner and at most two more lower-case words (no role or organisation noun among them),
    one more lower-case word closes the phrase: "said the ruling"."""
    lex = lexicon()
    return (
        bool(picked)
        and text[picked[0][0] : picked[0][1]].lower() in DETERMINERS
        and all(
            text[a:b].islower() and text[a:b] not in lex["roles"] and text[a:b] not in lex["org_nouns"]
            for a, b in picked
        )
        and lower not in BOUNDARY_WORDS
        and lower not in CUES
        and len(picked) <= 3
    )


def _phrase_word(lower: str, nouns: set[str]) -> bool:
    """May this lower-case word stand inside a speaker phrase (besides names, which are capitalised)?"""
    lex = lexicon()
    return (
        lower in PHRASE_WORDS
        or lower in lex["roles"]
        or lower in PRONOUNS
        or lower in lex["org_nouns"]
        or lower in nouns
    )


# --- can this phrase speak? --------------------------------------------------------------------


def head_speaks(ctx: Context, start: int, end: int) -> bool:
    """Is the last word of this phrase a name, a pronoun, a role or an organisation noun?"""
    words = ctx.text[start:end].split()
    head = words[-1].strip(".,’'") if words else ""
    lower = head.lower()
    return (
        head[:1].isupper()
        or lower in PRONOUNS
        or lower in lexicon()["roles"]
        or lower in lexicon()["org_nouns"]
        or role_head(head) is not None
        or lower in SPEAKER_HEADS
    )


def names_actor(ctx: Context, start: int, end: int) -> bool:
    """Does this phrase name a person or an organisation (or a role that can speak)?"""
    for mention in ctx.entities.mentions_in(start, end):
        if ctx.type_of(mention) in ("person", "organisation"):
            return True
    phrase = ctx.text[start:end]
    return phrase.lower() in PRONOUNS or role_head(phrase) is not None


def is_possessor_at(text: str, end: int) -> bool:
    """Does a possessive follow the name that ends at `end` ("Biden's remarks", "Jones' aides")? Then the
    name is not a subject."""
    return _POSSESSIVE.match(text[end : end + 2]) is not None


def subject_in(ctx: Context, start: int, end: int, kind: str, strict: bool = False) -> Mention | None:
    """The first mention of this kind between start and end that can be a subject: outside quotes, not a
    possessor, not the object of a preposition ("passion for Hillary Clinton") — else (unless strict) the
    first one at all."""
    first = None
    for mention in ctx.entities.mentions_in(start, end):
        if ctx.type_of(mention) != kind or ctx.in_quote(mention.start):
            continue
        if first is None:
            first = mention
        if is_possessor_at(ctx.text, mention.end):
            continue
        if OBJECT_BEFORE.search(ctx.text, max(start, mention.start - 40), mention.start):
            continue
        return mention
    return None if strict else first
