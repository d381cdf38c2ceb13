"""Text helpers the stages share, one copy each: sentence splitting, stop words, stemming."""

from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]{0,2}\s{1,20}(?=[\"'“‘(\[]{0,2}[A-Z0-9])|\n\s{0,20}")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|St|Jr|Sr|Inc|Corp|Co|Ltd|No|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|U\.S|U\.K|U\.N|a\.m|p\.m)|\b[A-Z])\.$"
)


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans by simple rules: end punctuation before a capital, or a line break."""
    if not isinstance(text, str) or not text:
        return []
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        if "\n" not in m[0] and text[end - 1 : end] == "." and _ABBREV.search(text, max(0, end - 6), end):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans


# English function words, and the pieces tokenisers leave (PTB brackets, clitics): they say
# nothing about what a text is about. Stages that weigh terms start from this list; a stage
# with its own notion of an empty word adds to it where it is defined (cluster.py).
STOP_WORDS = frozenset(
    """a about above after again against all also am an and any are as at be because been before
    being below between both but by can could did do does doing down during each few for from
    further had has have having he her here hers herself him himself his how i if in into is it its
    itself just me more most my myself no nor not now of off on once only or other our ours
    out over own said same say says she should so some such than that the their theirs them then
    there these they this those through to too under until up very was we were what when where which
    while who whom why will with would you your yours yourself
    lrb rrb lsb rsb lcb rcb s t d ll m re ve n't nt mr mrs ms""".split()
)


def singular(word: str) -> str:
    """A light plural strip: 'earthquakes' and 'earthquake' are one term ('crisis', 'virus' stay)."""
    if len(word) > 4 and word.endswith("ies"):
        return word[:-3] + "y"
    if len(word) > 3 and word.endswith("s") and not word.endswith(("ss", "us", "is")):
        return word[:-1]
    return word


def stem(word: str) -> str:
    """`singular`, and -ing/-ed folded too, so that 'talks'/'talk' and 'killed'/'kill' meet."""
    if len(word) > 5 and word.endswith("ing"):
        return word[:-3]
    if len(word) > 4 and word.endswith("ed"):
        return word[:-2]
    return singular(word)
