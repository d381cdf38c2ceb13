"""Roles: what a person is called besides their name ("Kremlin spokesman", "Russia's ambassador to the US").

A role is read from a title before a name or an apposition after it; later, a role
noun ("the ambassador", "the Russian envoy") names the one person holding that role.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

from .lexicons import PHRASE_WORDS, lexicon
from .names import normalise

if TYPE_CHECKING:
    from .entities import ArticleEntities

# the small words a title may hold inside ("Ambassador to the US") but never starts or ends with
_TITLE_INNER = {"of", "to", "the", "for", "on", "in"}
_APPOSITION = re.compile(
    r",\s+((?:the|a|an|[A-Z][\w.]*(?:['’]s)?)\s+(?:[\w.'’-]+\s+){0,6}?[\w-]+"
    r"(?:\s+(?:of|to|for|at|in)\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})?)\s*[,.;]"
)


def role_head(phrase: str) -> str | None:
    """The role noun a phrase ends in ("the Russian ambassador to the US" → "ambassador"), by the last match."""
    words = normalise(phrase).split()
    heads = lexicon()["roles"]
    for i in range(len(words) - 1, -1, -1):
        pair = " ".join(words[i : i + 2])
        if pair in heads:
            return heads[pair]
        if words[i] in heads:
            return heads[words[i]]
    return None


def add_roles(ents: ArticleEntities) -> None:
    """Titles written before a person's name ("Kremlin spokesman Dmitry Peskov") or as an apposition
    after it ("Anatoly Antonov, Russia's ambassador to the US,") become the person's roles."""
    for mention in ents.mentions:
        entity = ents.entities[mention.entity]
        if entity.type != "person":
            continue
        for role in (title_before(ents.text, mention.start), apposition_after(ents.text, mention.end)):
            if role and role not in entity.roles:
                entity.roles.append(role)


def title_before(text: str, start: int) -> str | None:
    """The title right before a name, on its line: capitalised words, role nouns and their small words."""
    window = text[max(0, start - 120) : start]
    window = window[window.rfind("\n") + 1 :]
    if not window.endswith((" ", "\u00a0")):
        return None
    picked: list[str] = []
    for word in reversed(re.findall(r"\S+", window)):
        bare = word.strip()
        # punctuation ends the title, except in initials ("U.S.")
        if re.search(r"[,;:.!?\"“”()]$", bare) and not re.fullmatch(r"(?:[A-Z]\.)+|U\.S\.|U\.K\.", bare):
            break
        lower = bare.lower()
        if lower == "and":
            break
        if not (bare[:1].isupper() or lower in _TITLE_INNER or lower in lexicon()["roles"] or lower in PHRASE_WORDS):
            break
        picked.append(bare)
        if len(picked) > 10:
            break
    picked.reverse()
    while picked and picked[0].lower() in _TITLE_INNER | {"and", "a", "an"}:
        picked = picked[1:]
    phrase = " ".join(picked)
    if not phrase or role_head(phrase) is None:
        return None
    # the role ends with its head noun or a "to/of the X" complement; never with a bare preposition
    phrase = re.sub(r"\s+(?:of|to|the|for|on|in|and)$", "", phrase)
    return phrase if role_head(phrase) else None


def apposition_after(text: str, end: int) -> str | None:
    """The apposition right after a name (", the Russian ambassador to the US,"), when its head is a role noun."""
    m = _APPOSITION.match(text[end : end + 160])
    if not m:
        return None
    phrase = m.group(1)
    words = normalise(phrase).split()
    # the head (last word before any complement) must be a role noun: "a longtime critic" is not a role here
    head = re.split(r"\s+(?:of|to|for|at|in)\s+", phrase)[0]
    if not words or role_head(head.split()[-1]) is None:
        return None
    return re.sub(r"^(?:the|a|an)\s+", "", phrase)


# --- role nouns → the person holding the role --------------------------------------------------


def role_mentions(ents: ArticleEntities) -> None:
    """ "the ambassador", "the diplomat", "the Russian envoy" → the person holding that role here."""
    role_nouns = sorted(lexicon()["roles"], key=len, reverse=True)
    pattern = re.compile(
        r"\b[Tt]he\s+((?:(?:former|then|new|[A-Z][\w.]*(?:-[A-Z]\w*)?)\s+){0,3}("
        + "|".join(re.escape(r) for r in role_nouns)
        + r"))\b(?!\s+(?:of|to|for)\b)(?!['’]s)"
    )
    taken = [(m.start, m.end) for m in ents.mentions]
    for m in pattern.finditer(ents.text):
        if any(s < m.end() and m.start() < e for s, e in taken):
            continue
        if ents.text[m.end() : m.end() + 1] == "s":  # "the ambassadors": a plural is nobody in particular
            continue
        if re.match(r"\s+[A-Z][a-z]", ents.text[m.end() : m.end() + 40]):
            continue  # "the Ambassador Anatoly ..." is a title, handled above
        index = role_holder(ents, m.group(1), m.start())
        if index is not None:
            ents.mention(m.start(), m.end(), index)


def role_holder(ents: ArticleEntities, noun_phrase: str, offset: int) -> int | None:
    """The person a role noun at `offset` refers to: the only holder, named before it, or else the holder
    named most recently before it."""
    holders = _holders(ents, noun_phrase)
    if not holders:
        return None
    if len(holders) == 1:
        first = min(x.start for x in ents.mentions if x.entity == holders[0])
        return holders[0] if first < offset else None
    before = [x for x in ents.mentions if x.entity in holders and x.start < offset]
    return max(before, key=lambda x: x.start).entity if before else None


def _holders(ents: ArticleEntities, noun_phrase: str) -> list[int]:
    """Persons whose role fits a role noun phrase ("the diplomat", "the Russian president")."""
    head = role_head(noun_phrase)
    if head is None:
        return []
    nations = set(_countries(noun_phrase))
    return [
        i
        for i, entity in enumerate(ents.entities)
        if entity.type == "person" and any(_role_fits(role, head, nations) for role in entity.roles)
    ]


def _role_fits(role: str, head: str, nations: set[str]) -> bool:
    """Same head noun and, when both name a nation, the role's own nation — the one it names first
    ("Russian Ambassador to the US" is Russian)."""
    if role_head(role) != head:
        return False
    first = next(_countries(role), None)
    return not nations or first is None or first in nations


def _countries(phrase: str) -> Iterator[str]:
    """The countries a phrase names (by demonym or place alias), in order."""
    lex = lexicon()
    for word in re.findall(r"[A-Za-z.]+(?:['’]s)?", phrase):
        w = normalise(word)
        country = lex["demonyms"].get(w) or lex["place_alias"].get(w) or lex["place_alias"].get(word.lower())
        if country:
            yield country
