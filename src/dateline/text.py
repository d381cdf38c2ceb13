"""Text helpers the stages share, one copy each: sentence splitting, stop words, stemming."""
from __future__ import annotations

import re

_SENTENCE_END = re.compile(r"(?<=[.!?])[\"'”’)\]]{0,2}\s{1,20}(?=[\"'“‘(\[]{0,2}[A-Z0-9])|\n\s{0,20}")
_ABBREV = re.compile(
    r"(?:\b(?:Mr|Mrs|Ms|Dr|Prof|Sen|Rep|Gov|Gen|Col|Lt|Sgt|St|Jr|Sr|Inc|Corp|Co|Ltd|No|vs|"
    r"Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec|U\.S|U\.K|U\.N|a\.m|p\.m)|\b[A-Z])\.$")


def split_sentences(text: str) -> list[tuple[int, int]]:
    """Sentence spans by simple rules: end punctuation before a capital, or a line break."""
    if not isinstance(text, str) or not text:
        return []
    spans: list[tuple[int, int]] = []
    start = 0
    for m in _SENTENCE_END.finditer(text):
        end = m.start()
        if "\n" not in m[0] and text[end - 1:end] == "." and _ABBREV.search(text, max(0, end - 6), end):
            continue
        if text[start:end].strip():
            spans.append((start, end))
        start = m.end()
    if text[start:].strip():
        spans.append((start, len(text)))
    return spans
