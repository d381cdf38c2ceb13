"""An article's entities: spaCy's spans → repaired spans → entities with aliases and mentions.

`build_entities` runs the steps in order; each is a function below. A wrong merge
is worse than a missed one, so every alias rule is conservative: a surname joins a
full name only when exactly one person of the article carries it.
"""

from __future__ import annotations

import bisect
import re
from collections.abc import Callable
from dataclasses import dataclass, field

from . import roles
from .lexicons import lexicon
from .names import display_name, initials, is_initials, name_parts, normalise, strip_span
from .records import Entity, Mention

# spaCy's labels → ours; every other label (dates, money, works of art …) is left out
TYPES = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place", "NORP": "group"}

Span = tuple[int, int, str]  # (start, end, type)


def sentence_of(starts: list[int], offset: int) -> int:
    """Index of the sentence (by its start offsets) that holds `offset`."""
    return max(0, bisect.bisect_right(starts, offset) - 1)


@dataclass
class ArticleEntities:
    """An article's entities and their mentions, as the steps below build them and quote finding reads them."""

    text: str
    sentences: list[tuple[int, int]]
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    by_key: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.sentences = self.sentences or [(0, len(self.text))]
        self.starts = [s for s, _ in self.sentences]

    def add(self, key: str, name: str, kind: str, **extra) -> int:
        """Index of the entity with this key, made (with this name and type) if the article has none yet."""
        if key in self.by_key:
            return self.by_key[key]
        self.entities.append(Entity(key=key, name=name, type=kind, **extra))
        self.by_key[key] = len(self.entities) - 1
        return self.by_key[key]

    def mention(self, start: int, end: int, index: int) -> None:
        """Record that entity `index` is named at start:end (and what was written there, as an alias)."""
        written = self.text[start:end]
        entity = self.entities[index]
        if written not in entity.aliases:
            entity.aliases.append(written)
        self.mentions.append(Mention(written, start, end, sentence_of(self.starts, start), index))

    def type_of(self, mention: Mention) -> str:
        return self.entities[mention.entity].type

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]

    def org_by_noun(self, noun: str, offset: int) -> int | None:
        """ "the embassy" → the most recent organisation with "Embassy" in its name."""
        noun = noun.lower()
        best = None
        for mention in self.mentions:
            entity = self.entities[mention.entity]
            if mention.start < offset and entity.type == "organisation" and noun in normalise(entity.name).split():
                best = mention.entity
        return best


def build_entities(text: str, sentences: list[tuple[int, int]], spans: list[Span]) -> ArticleEntities:
    """Entities and mentions of one article from spaCy's (start, end, label) spans; mentions in text order."""
    ents = ArticleEntities(text, sentences)
    repaired = repair_spans(text, spans)
    # full names first, so that "Antonov" before "Anatoly Antonov" still finds him
    full = _full_names(ents, repaired)
    for s, e, kind in sorted(repaired):
        index = RESOLVERS[kind](ents, s, e, full)
        if index is not None:
            ents.mention(s, e, index)
    _surname_mentions(ents, full)
    roles.add_roles(ents)
    roles.role_mentions(ents)
    ents.mentions.sort(key=lambda m: (m.start, m.end))
    return ents


# --- repairing the small model's spans ---------------------------------------------------------


def repair_spans(text: str, spans: list[tuple[int, int, str]]) -> list[Span]:
    """Fix the small model's usual slips: "the US Anatoly Antonov" (ORG) is a place and a person;
    "Antonov" tagged ORG where the article names Anatoly Antonov is a person."""
    out: list[Span] = []
    person_surnames = {name_parts(text[s:e])[1] for s, e, label in spans if label == "PERSON"}
    for s, e, label in spans:
        s, e = strip_span(text, s, e)
        if e <= s or not any(c.isalpha() for c in text[s:e]):
            continue
        kind = TYPES[label]
        if kind != "person" and len(text[s:e].split()) >= 3:
            split = _place_then_person(text, s, e, person_surnames)
            out.extend(split or [(s, e, kind)])
            continue
        if kind == "person":
            person_surnames.add(name_parts(text[s:e])[1])
        out.append((s, e, kind))
    return sorted({(s, e, _retyped(text, s, e, kind, person_surnames)) for s, e, kind in out})


def _place_then_person(text: str, s: int, e: int, person_surnames: set[str]) -> list[Span] | None:
    """A place alias followed by two capitalised words, the last one a person's surname here:
    "United States Anatoly Antonov" → the place and the person (the surname joins `person_surnames`)."""
    words = text[s:e].split()
    head, tail = " ".join(words[:-2]), words[-2:]
    if (
        normalise(head) in lexicon()["place_alias"]
        and all(w[:1].isupper() for w in tail)
        and normalise(tail[-1]) in person_surnames
    ):
        split = s + text[s:e].index(tail[0], len(head))
        person_surnames.add(normalise(tail[-1]))
        return [(s, s + len(head), "place"), (split, e, "person")]
    return None


def _retyped(text: str, s: int, e: int, kind: str, person_surnames: set[str]) -> str:
    """A one-word organisation, place or group that is a person's surname in this article (and no place's
    name) is that person."""
    word = normalise(text[s:e])
    if (
        kind in ("organisation", "place", "group")
        and " " not in text[s:e].strip()
        and word in person_surnames
        and word not in lexicon()["place_alias"]
    ):
        return "person"
    return kind


# --- spans → entities, one resolver per type ---------------------------------------------------


def _full_names(ents: ArticleEntities, spans: list[Span]) -> dict[str, int]:
    """The persons named in full (given names, not just initials), by key: the anchors surnames join."""
    full: dict[str, int] = {}
    for s, e, kind in spans:
        if kind != "person":
            continue
        given, surname = name_parts(ents.text[s:e])
        if given and not is_initials(given):
            key = "person:" + normalise(" ".join(given + [surname]))
            full[key] = ents.add(
                key, display_name(ents.text[s:e]), "person", surname=surname, initials=initials(given), full=True
            )
    return full


def _person(ents: ArticleEntities, s: int, e: int, full: dict[str, int]) -> int | None:
    """A full name is its own key; a surname (with or without initials) joins the one full name that fits."""
    name = ents.text[s:e]
    given, surname = name_parts(name)
    if not surname:
        return None
    if given and not is_initials(given):
        return full["person:" + normalise(" ".join(given + [surname]))]
    known = initials(given) if given else ""
    candidates = [
        i
        for i in full.values()
        if ents.entities[i].surname == surname and (not known or ents.entities[i].initials.startswith(known[:1]))
    ]
    if len(candidates) == 1:
        return candidates[0]
    if not given:
        first = _by_first_name(ents, name, surname, full)
        if first is not None:
            return first
    # ambiguous or unknown: an entity of its own, keyed by what is known
    key = "person:" + (known + " " if known else "") + surname
    return ents.add(key, name if given else display_name(name), "person", surname=surname, initials=known, full=False)


def _by_first_name(ents: ArticleEntities, name: str, surname: str, full: dict[str, int]) -> int | None:
    """ "Hillary" for the one Hillary Clinton, when no one is surnamed Hillary."""
    firsts = [i for i in full.values() if normalise(name) == normalise(ents.entities[i].name.split()[0])]
    if len(firsts) == 1 and not any(ents.entities[i].surname == surname for i in full.values()):
        return firsts[0]
    return None


def _place(ents: ArticleEntities, s: int, e: int, full: dict[str, int]) -> int:
    """A place's aliases meet in its canonical name; a capital standing for its government is the country."""
    name = ents.text[s:e]
    norm = normalise(name)
    lex = lexicon()
    canonical = lex["place_alias"].get(norm) or lex["place_alias"].get(name.lower())
    if canonical is None and norm in lex["capitals"] and _metonymy(ents.text, s, e):
        canonical = lex["capitals"][norm]
    if canonical:
        return ents.add("place:" + normalise(canonical), canonical, "place")
    return ents.add("place:" + norm, name, "place")


def _organisation(ents: ArticleEntities, s: int, e: int, full: dict[str, int]) -> int:
    name = ents.text[s:e]
    norm = normalise(name)
    if norm in lexicon()["place_alias"]:  # "the US" tagged ORG is still the country
        canonical = lexicon()["place_alias"][norm]
        return ents.add("place:" + normalise(canonical), canonical, "place")
    if norm == "washington" and _metonymy(ents.text, s, e):
        return ents.add("place:united states", "United States", "place")
    acronym = _acronym(ents, name)
    if acronym is not None:
        return acronym
    return ents.add("organisation:" + norm, name, "organisation")


def _group(ents: ArticleEntities, s: int, e: int, full: dict[str, int]) -> int:
    name = ents.text[s:e]
    return ents.add("group:" + normalise(name), name, "group")


RESOLVERS: dict[str, Callable[[ArticleEntities, int, int, dict[str, int]], int | None]] = {
    "person": _person,
    "place": _place,
    "organisation": _organisation,
    "group": _group,
}


def _acronym(ents: ArticleEntities, name: str) -> int | None:
    """ "FBI" after "Federal Bureau of Investigation" (and the other way round), in one article only."""

    def letters(full: str) -> str:
        return "".join(w[0] for w in full.split() if w[:1].isupper())

    for i, entity in enumerate(ents.entities):
        if entity.type != "organisation":
            continue
        if name.isupper() and 2 <= len(name) <= 6 and letters(entity.name) == name:
            return i
        if entity.name.isupper() and 2 <= len(entity.name) <= 6 and letters(name) == entity.name:
            return i
    return None


_GOVERNMENT_VERBS = re.compile(
    r"\s+(?:has|had|is|was|will|would|wants|said|says|believes|recalled|imposed|expelled|"
    r"announced|accused|demanded|rejected|must|should|could|does|did|insists|hopes|refused|"
    r"continues|threatened|warned|responded|sees|seeks|considers|needs)\b"
)


def _metonymy(text: str, s: int, e: int) -> bool:
    """Is this capital the government ("Washington's sanctions", "relations with Washington")?
    Only on clear signals; "in Washington" stays a city."""
    after = text[e : e + 40]
    before = text[max(0, s - 40) : s]
    if re.match(r",?\s*(?:D\.?C\.?|state)\b", after):
        return False
    if re.match(r"['’]s\b", after) or _GOVERNMENT_VERBS.match(after):
        return True
    return bool(
        re.search(r"\b(?:with|between|against|by|of|and)\s+$", before)
        and not re.search(r"\b(?:in|to|from|at)\s+$", before)
    )


# --- bare surnames the model missed ------------------------------------------------------------


def _surname_mentions(ents: ArticleEntities, full: dict[str, int]) -> None:
    """The small model misses many bare surnames ("Scott beamed", "Ham also noted"): a capitalised word that
    is the surname of exactly one person named in full in this article is that person."""
    owners: dict[str, list[int]] = {}
    for index in full.values():
        owners.setdefault(ents.entities[index].surname or "", []).append(index)
    taken = sorted((m.start, m.end) for m in ents.mentions)
    starts = [t[0] for t in taken]
    for surname, indices in owners.items():
        if len(indices) != 1 or len(surname) < 3 or " " in surname:
            continue
        written = next((w for w in ents.entities[indices[0]].name.split()[::-1] if normalise(w) == surname), None)
        if not written or not written[:1].isupper():
            continue
        for m in re.finditer(r"(?<![\w.’'-])" + re.escape(written) + r"(?![\w’'-]*\w)", ents.text):
            i = bisect.bisect_right(starts, m.start()) - 1
            if i >= 0 and taken[i][1] > m.start() or i + 1 < len(taken) and taken[i + 1][0] < m.end():
                continue  # already part of a mention
            if _in_other_name(ents.text, m.start(), m.end()):
                continue
            ents.mention(m.start(), m.end(), indices[0])


def _in_other_name(text: str, start: int, end: int) -> bool:
    """Is this word part of some other name ("Walter Scott", "Scott Walker")? A capital before it does not
    count when it opens a sentence."""
    before = text[max(0, start - 30) : start]
    previous = re.search(r"(^|[.!?\n\"“”]\s*|\s)([A-Z][\w.’'-]*)\s+$", before)
    return bool(previous and not previous.group(1).strip(" ") or re.match(r"[ \t]+[A-Z]", text[end : end + 30]))
