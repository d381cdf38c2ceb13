"""Source: which outlet published an article.

Evidence, strongest first: what the scraper recorded, the page's own metadata,
a wire dateline in the text ("/TASS/", "(Reuters)"), the article's URL, URLs
written in the text, and a credit line naming an outlet the body also names.
"""

from __future__ import annotations

import re
from collections import Counter
from urllib.parse import urlsplit

# Domains whose outlet name cannot be derived from the domain itself.
KNOWN = {
    "apnews": "AP",
    "nytimes": "The New York Times",
    "washingtonpost": "The Washington Post",
    "theguardian": "The Guardian",
    "guardian": "The Guardian",
    "foxnews": "Fox News",
    "aljazeera": "Al Jazeera",
    "sputniknews": "Sputnik",
    "wsj": "The Wall Street Journal",
    "ft": "Financial Times",
    "dw": "DW",
    "rt": "RT",
    "npr": "NPR",
    "cbsnews": "CBS News",
    "nbcnews": "NBC News",
    "abcnews": "ABC News",
    "usatoday": "USA Today",
    "latimes": "Los Angeles Times",
    "politico": "Politico",
    "bloomberg": "Bloomberg",
    "spiegel": "Der Spiegel",
    "lemonde": "Le Monde",
}
# Second-level labels that are not the outlet (bbc.co.uk → bbc).
GENERIC_LABELS = {"co", "com", "org", "net", "ac", "gov", "edu", "news"}

# "WASHINGTON, December 28. /TASS/." and "LONDON (Reuters) -" near the top of a wire story.
SLASH_TAG = re.compile(r"^[A-Z][A-Za-z .'-]{1,40},[^\n/]{1,30}?\s/([A-Z][A-Za-z-]{1,20})/", re.M)
PAREN_TAG = re.compile(r"^[A-Z][A-Za-z0-9 .,'-]{1,40}\(([A-Z][A-Za-z-]{1,20})\)\s*[-–—]", re.M)
URL = re.compile(r"https?://[^\s<>\"')\]]+")
CREDIT = re.compile(r"^©?\s*(?:[^/\n]{0,60}/)?([A-Z][\w.-]*(?: [A-Z][\w.-]*){0,2})\s*$")


def outlet(
    *, given: str | None = None, sitename: str | None = None, text: str = "", url: str | None = None
) -> str | None:
    for found in (
        _name(given),
        _name(sitename),
        wire_tag(text),
        from_url(url),
        from_text_urls(text),
        from_credit(text),
    ):
        if found:
            return found
    return None


def _name(value: str | None) -> str | None:
    """A recorded source may be a domain ("bbc.co.uk") or a name ("BBC News")."""
    if not value or not value.strip():
        return None
    value = value.strip()
    if re.fullmatch(r"(?:www\.)?[\w-]+(?:\.[\w-]+)+", value):
        return from_domain(value) or value
    return value[:100]


def wire_tag(text: str) -> str | None:
    head = text[:3000]
    for pattern in (SLASH_TAG, PAREN_TAG):
        match = pattern.search(head)
        if match:
            tag = match.group(1)
            return tag if tag.isupper() else tag[0].upper() + tag[1:]
    return None


def from_url(url: str | None) -> str | None:
    if not url:
        return None
    try:
        host = urlsplit(url.strip()).hostname
    except ValueError:
        return None
    return from_domain(host) if host else None


def from_domain(host: str) -> str | None:
    labels = [label for label in host.lower().split(".") if label]
    if len(labels) < 2 or labels[-1].isdigit():
        return None
    labels = labels[:-1]  # the top-level domain
    while len(labels) > 1 and labels[-1] in GENERIC_LABELS:
        labels = labels[:-1]
    label = labels[-1]
    if label in KNOWN:
        return KNOWN[label]
    if "-" in label:  # example-news → Example News
        return " ".join(word.upper() if len(word) <= 3 else word.capitalize() for word in label.split("-") if word)
    if label.endswith("news") and len(label) >= 8:  # sputniknews → Sputnik
        label = label[:-4]
    return label.upper() if len(label) <= 4 else label.capitalize()


def from_text_urls(text: str) -> str | None:
    """The domain most URLs in a flattened page point to is usually the page's own."""
    hosts = Counter()
    for match in URL.finditer(text[:20000]):
        name = from_url(match.group(0))
        if name:
            hosts[name] += 1
    if not hosts:
        return None
    return sorted(hosts.items(), key=lambda item: (-item[1], item[0]))[0][0]


def from_credit(text: str) -> str | None:
    """A short standalone name line (a logo's alt text, a photo credit) that the body names too."""
    lines = [line.strip() for line in text[:5000].splitlines()]
    body = text
    for line in lines:
        if not line or len(line) > 40 or line.endswith((".", "?", "!", ":")):
            continue
        match = CREDIT.match(line)
        if not match:
            continue
        first = match.group(1).split()[0]
        # The body speaks to or through it ("told Sputnik", "shared with Sputnik"): an outlet,
        # not a section label such as "World".
        if re.search(rf"\b(?:told|with|to|by|from|via) {re.escape(first)}\b(?! [A-Z])", body):
            return first
    return None


MEDIA = re.compile(r"\.(?:png|jpe?g|gif|svg|webp|ico|css|js)(?:\?|$)", re.I)


def article_url(text: str) -> str | None:
    """A flattened page often keeps its own address on a line of its own: a URL with a slug path."""
    for line in text[:5000].splitlines():
        line = line.strip()
        if not URL.fullmatch(line) or MEDIA.search(line):
            continue
        path = urlsplit(line).path
        if "-" in path and len(path) > 20:  # /world/2021...-ambassador-to-fly/: an article, not a logo
            return line
    return None
