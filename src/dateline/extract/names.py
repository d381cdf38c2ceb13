"""Names as written → comparable forms: accents and case folded, titles and suffixes off, given names and surname.

Every key the extractor and the linker make goes through `normalise`, so two
spellings of one name ("François Hollande", "Francois Hollande") meet.
"""

from __future__ import annotations

import re
import unicodedata

from .lexicons import TITLES


def normalise(name: str) -> str:
    """Accents off, case folded, punctuation out: the comparable form of a name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’]s\b", "", text)
    text = re.sub(r"[^\w\s-]", " ", text).replace("-", " ")
    return " ".join(text.split())


def strip_span(text: str, start: int, end: int) -> tuple[int, int]:
    """Drop a leading "the", a trailing possessive and stray punctuation from an entity span."""
    while start < end and not text[start].isalnum():
        start += 1
    while end > start and not (text[end - 1].isalnum() or text[end - 1] == "."):
        end -= 1
    if re.match(r"(?i)the\s", text[start:end]):
        start += 4
    m = re.search(r"['’]s?$", text[start:end])
    if m and end - start > 3:
        end = start + m.start()
    return start, end


def name_parts(name: str) -> tuple[list[str], str]:
    """(given-name tokens, surname) of a person's name, titles dropped."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    while words and normalise(words[0]).rstrip(".") in TITLES and len(words) > 1:
        words = words[1:]
    while len(words) > 1 and normalise(words[-1]) in {"jr", "sr", "ii", "iii"}:
        words = words[:-1]
    if not words:
        return [], ""
    if words[0].islower():  # "bin Salman": a particle, no given name
        return [], normalise(" ".join(words))
    surname = normalise(words[-1])
    # "bin Salman", "de Gaulle": the particle belongs to the surname
    if len(words) > 2 and words[-2].islower():
        surname = normalise(" ".join(words[-2:]))
        words = words[:-1]
    return words[:-1], surname


def initials(given: list[str]) -> str:
    """Initials of the given names: "a" for ["Anatoly"], "ai" for ["A.I."] or ["AI"]."""
    out = ""
    for word in given:
        parts = [p for p in re.split(r"[.\s]+", word) if p]
        if len(parts) > 1 or word.endswith(".") or (len(word) <= 2 and word.isupper()):
            out += "".join(p[0].lower() for p in parts)
        else:
            out += word[0].lower()
    return out


def is_initials(given: list[str]) -> bool:
    """Are the given names only initials ("A.I.", "J")? Then the name cannot anchor a full-name key."""
    return bool(given) and all(re.fullmatch(r"(?:[A-Z]\.){1,3}|[A-Z]{1,2}", g) for g in given)


def display_name(name: str) -> str:
    """A name as shown: as written, leading titles off ("Ambassador Antonov" → "Antonov")."""
    words = name.split()
    while len(words) > 1 and normalise(words[0]).rstrip(".") in TITLES:
        words = words[1:]
    return " ".join(words)
