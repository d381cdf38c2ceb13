"""The word lists entity and quote finding go by: the tuned tables of `weights/extract.json` and the speech cues.

`lexicon()` holds what is tuned (places and their aliases, demonyms, capitals,
role nouns, organisation nouns); everything else here is closed-class English
(speech verbs, pronouns, determiners, the words that end a speaker phrase),
kept beside it so that a reader finds every word list in one place.
"""

from __future__ import annotations

import functools
import re

from .. import weights


@functools.lru_cache(maxsize=1)
def lexicon() -> dict:
    """`weights/extract.json`, plus `place_alias` (every written form of a place → its canonical name).

    Loaded once per process: every caller shares (and must not change) this one dict.
    """
    data = weights.load("extract")
    data["place_alias"] = {v: k for k, vs in data["places"].items() for v in vs}
    return data


# --- speech cues -------------------------------------------------------------------------------

# Finite forms take a subject; participles ("adding that") borrow the clause's speaker.
FINITE = (
    "said says told tells added adds noted notes stressed stresses stated states explained explains "
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
    "reads sang sings say tell add note argue insist warn explain stress contend maintain"
).split()
PARTICIPLE = (
    "saying adding noting stressing stating explaining writing asking arguing claiming insisting "
    "declaring announcing warning suggesting replying responding remarking emphasizing "
    "emphasising commenting acknowledging admitting conceding tweeting urging predicting promising "
    "vowing complaining concluding confirming denying maintaining calling describing pointing "
    "telling cautioning reiterating underlining highlighting"
).split()
CUES = set(FINITE) | set(PARTICIPLE)
CUE_RE = re.compile(r"\b(" + "|".join(sorted(CUES, key=len, reverse=True)) + r")\b")
# the cues that introduce reported speech ("Antonov said that …"); "called it" or "asked" do not
REPORTED_CUES = {
    "said",
    "says",
    "told",
    "tells",
    "added",
    "adds",
    "noted",
    "notes",
    "stressed",
    "stresses",
    "stated",
    "states",
    "explained",
    "explains",
    "argued",
    "argues",
    "claimed",
    "claims",
    "insisted",
    "insists",
    "announced",
    "announces",
    "warned",
    "warns",
    "emphasized",
    "emphasised",
    "acknowledged",
    "admitted",
    "confirmed",
    "suggested",
    "suggests",
    "wrote",
    "writes",
    "reported",
    "reports",
    "predicted",
    "believes",
    "predicts",
    "alleged",
    "reiterated",
    "recalled",
    "continued",
    "asserted",
    "contended",
    "maintained",
    "concluded",
    "testified",
}
# third-person forms that are as often plural nouns ("late-night tweets", "the claims"): a cue only after a speaker
NOUNISH = {
    "tweets",
    "posts",
    "calls",
    "claims",
    "reports",
    "comments",
    "remarks",
    "notes",
    "points",
    "charges",
    "counters",
    "promises",
    "vows",
    "states",
    "replies",
    "highlights",
    "laments",
    "muses",
    "boasts",
}

# --- the words of a speaker phrase -------------------------------------------------------------

# between a subject and its cue verb ("Morial forcefully told"): skipped, never part of the speaker
ADVERBS = {
    "also",
    "later",
    "then",
    "has",
    "had",
    "have",
    "previously",
    "once",
    "recently",
    "again",
    "would",
    "will",
    "reportedly",
    "further",
    "separately",
    "earlier",
    "often",
    "repeatedly",
    "publicly",
    "privately",
    "simply",
    "just",
    "firmly",
    "flatly",
    "bluntly",
    "quickly",
    "has also",
    "had also",
    "not",
    "never",
    "told",
}
# a pronoun speaker and the kind of entity it can stand for
PRONOUNS = {"he": "person", "she": "person", "they": "any", "it": "organisation", "we": "any", "i": "person"}
# a speaker phrase never reaches over one of these
BOUNDARY_WORDS = {
    "that",
    "and",
    "but",
    "which",
    "who",
    "whom",
    "when",
    "as",
    "while",
    "because",
    "if",
    "after",
    "before",
    "than",
    "so",
    "where",
    "although",
    "though",
    "since",
    "whether",
    "what",
    "how",
    "why",
    "or",
    "nor",
    "yet",
    "once",
    "until",
    "unless",
    "whereas",
    "said",
    "says",
}
# lower-case words that may stand inside a speaker phrase or a title ("the former deputy press secretary")
PHRASE_WORDS = {
    "the",
    "a",
    "an",
    "of",
    "to",
    "for",
    "in",
    "at",
    "on",
    "and",
    "with",
    "from",
    "his",
    "her",
    "their",
    "its",
    "former",
    "senior",
    "top",
    "deputy",
    "chief",
    "press",
    "campaign",
    "foreign",
    "national",
    "security",
    "state",
    "white",
    "house",
    "one",
    "two",
    "several",
    "many",
    "some",
    "other",
    "another",
    "both",
    "these",
    "those",
    "this",
    "spokesman",
    "spokeswoman",
}
# lower-case nouns that may stand in a subject before its cue ("sources familiar with the matter said")
SUBJECT_NOUNS = {
    "sources",
    "source",
    "officials",
    "official",
    "aides",
    "aide",
    "people",
    "reporters",
    "experts",
    "analysts",
    "critics",
    "supporters",
    "voters",
    "democrats",
    "republicans",
    "statement",
    "report",
    "poll",
    "survey",
    "spokesperson",
    "spokesman",
    "spokeswoman",
    "representative",
    "member",
    "members",
    "person",
    "familiar",
    "matter",
    "white",
    "house",
    "department",
}
# lower-case nouns that may stand in an inverted speaker ("said officials")
INVERTED_SPEAKER_NOUNS = {"sources", "source", "officials", "official", "spokesperson"}
# lower-case heads that make a phrase a speaker even before a noun-like cue ("officials tweets" is not a noun)
SPEAKER_HEADS = {"officials", "official", "sources", "source", "aides", "aide", "people", "spokesperson"}
DETERMINERS = {"the", "a", "an", "his", "her", "their", "its", "our", "my", "your", "this", "that", "one"}
TITLES = {
    "mr",
    "mrs",
    "ms",
    "miss",
    "dr",
    "prof",
    "sir",
    "sen",
    "rep",
    "gov",
    "gen",
    "col",
    "lt",
    "sgt",
    "president",
    "senator",
    "governor",
    "minister",
    "ambassador",
    "secretary",
    "mayor",
    "judge",
    "rev",
    "pope",
    "king",
    "queen",
    "prince",
    "princess",
    "lord",
    "lady",
    "gen.",
    "adm",
    "capt",
}

QUOTE_CHARS = '"“”«»„'  # quotation marks, straight and curly

# --- word lists as patterns --------------------------------------------------------------------

# "…," he said Tuesday: a day or a time, never a speaker
TIME_WORDS = re.compile(
    r"(?i)(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday|today|tonight|"
    r"yesterday|earlier|later|recently|january|february|march|april|may|june|july|august|"
    r"september|october|november|december|last|this|next|(?:on|in|at)\s.*)(?:\s.*)?"
)
# the sentence splitter stops after some titles and initials ("Del.", "Rev.", "J."): the sentence goes on
TITLE_END = re.compile(
    r"\b(?:Del|Rev|Sen|Rep|Reps|Sens|Gov|Gen|Lt|Col|Sgt|Capt|Cmdr|Adm|Dr|Mr|Mrs|Ms|Prof|Maj|"
    r"Cpl|Pvt|Supt|Det|Atty|Amb|Sec|Msgr|Fr|Hon|Ald|Insp|[A-Z])\.\s*$"
)
# a name right after a preposition is an object ("passion for Hillary Clinton"), not a subject
OBJECT_BEFORE = re.compile(
    r"\b(?i:for|of|to|with|against|about|by|from|on|at|in|among|than|like|toward|towards|"
    r"over|into|onto|upon|between|without|after|before|behind|versus|vs\.|and|or)\s+"
    r"(?:(?i:the|a|an)\s+)?(?:[A-Z][\w.’'-]*\s+){0,4}$"
)
# a pronoun in a leading clause points forward ("Though she called it …, Clinton …")
LEADING_CLAUSE = re.compile(
    r"[\s\"“”]*(?:Though|Although|While|When|After|Before|As|Because|If|Since|Once|"
    r"Even though|Even as|Whether)\s+"
)
