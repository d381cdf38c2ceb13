"""Publication-date inference with provenance.

`publication_date()` gathers *candidates* from independent clues (a scraper-given
field, the page's own metadata and address, htmldate, a wire dateline, a
byline/label header, the file path, dates written near the top of the text) and
returns the best together with where it came from. Every clue is a small function
in `CLUES`; adding a clue never touches the others.

Why candidates and scores rather than "first clue that fires": pages carry many
dates (today's date in the site header, "updated" stamps, comment dates, related
stories, copyright years). The publication date is the one with the best
*context* — a "Published" label, a short byline line right below the title, a
wire dateline, the page's own metadata — so context decides, not order alone.

A candidate carries *features* (what its context is), not a score: the score is
the weighted sum of its features under `Weights`, the tuned numbers shipped in
`weights/dates.json`. So the benchmark can read every page once and then try
weights by cross-validation without reading a page again (bench/dates.py).

Whose date is it? A date belongs to the article when it comes from the page's own
metadata (meta tags, JSON-LD, its canonical address) or from a byline by the
title; dates of other things on the page — links to other articles, related-item
lists, comments, "updated" stamps, event dates in the prose — are weighed down.

Hostile input: all scanning is bounded (`_HEAD_CHARS`, `_MAX_LINE`, `_MAX_HTML`),
every regex is linear (no nested quantifiers) and no clue may raise.
"""

from __future__ import annotations

import bisect
import datetime
import email.utils
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

from . import weights as _weights

__all__ = ["Dated", "Weights", "DEFAULT_WEIGHTS", "publication_date", "parse_date"]

# Sources a Dated can carry, as in models.DATE_SOURCES.
SOURCES = ("dateline", "header", "meta", "url", "path", "text")

# The publication date lives near the top (byline) of a page: scanning a bounded
# head keeps flattened pages far above 500 pages/s and keeps us away from
# comment sections and "related stories" lists at the bottom.
_HEAD_CHARS = 24_000
_MAX_LINE = 600  # longer lines are prose; only their start can hold a dateline
_MIN_YEAR = 1980  # older "publication dates" on the web are nearly always noise


@dataclass(slots=True, frozen=True)
class Dated:
    date: datetime.date | None
    source: str | None  # "dateline" | "header" | "meta" | "url" | "path" | "text"; None when no date


@dataclass(slots=True, frozen=True)
class Weights:
    """The tuned numbers: one weight per candidate feature, and the decision threshold.

    The defaults are the shipped `weights/dates.json` (a test checks); bench/dates.py
    chooses them by cross-validation by page and prints how. A candidate's score is
    the sum of weight × feature value; a date's total is its best candidate's score
    plus, for each other source naming the same date, the largest `*_support` of that
    source's candidates (agreement)."""

    # Clues other than the text; *_support is what each adds to another source's candidate
    # for the same date.
    given: float = 100.0  # the scraper's own date field
    path: float = 60.0  # a date folder in the file path
    path_support: float = 6.0
    url: float = 10.0  # the article's own address: given, canonical link, og:url
    url_support: float = 6.0
    url_text: float = 40.0  # the page's own address printed in the text ("Get short URL")
    url_text_kchar: float = -1.0  # per 1,000 characters down the page (at most 10)
    dateline: float = 15.0  # "PLACE, Month D -"
    dateline_agency: float = 20.0  # "PLACE, Month D /TASS/": an agency named
    dateline_support: float = 6.0
    htmldate: float = 10.0  # htmldate's answer (metadata, markup, extensive search)
    htmldate_support: float = 15.0
    declared: float = 15.0  # the page declares datePublished / article:published_time
    declared_support: float = 15.0
    byline_support: float = 4.0  # a byline-like text date agreeing with another clue
    # A date written in the text: a base, then its context.
    text_base: float = 10.0
    updated: float = 0.0  # labelled "updated", "aktualisiert": never "published", htmldate never confirms it
    published: float = 6.0  # labelled "published", "veröffentlicht", ...
    published_many: float = 4.0  # ... but the label stands before many dates (a teaser list)
    noise: float = -10.0  # an event, a deadline, a range, an access date, a reply in a comment thread
    short: float = 6.0  # a short line: a byline (≤ 6 other words)
    medium: float = 2.0  # 7-14 other words
    long: float = -4.0  # inside prose: an event date
    time: float = 3.0  # a clock time next to it
    at_title: float = 6.0  # within 12 lines below the headline
    at_title_dist: float = -0.4  # per line below the headline
    above_near: float = 2.0  # up to 6 lines above the headline
    above_far: float = -3.0  # further above: the site's clock, teasers
    below_far: float = -1.0  # per 15 lines further than 12 below the headline (at most 8)
    no_title_pos: float = -6.0  # no headline found: times the share of the page above it
    rank: float = -0.35  # per earlier date on the page (at most 12)
    list: float = -1.0  # per other date within 6 lines (2 or more; at most 4)
    aside: float = -8.0  # in a sidebar, navigation, footer, related-articles or comment block
    min_text_score: float = 6.0  # text dates scoring below this are not candidates at all

    @classmethod
    def load(cls) -> Weights:
        """The shipped weights (`weights/dates.json`)."""
        shipped = _weights.load("dates")
        return cls(**{k: float(v) for k, v in shipped.items() if not k.startswith("_")})

    def as_dict(self) -> dict[str, float]:
        return asdict(self)

    def replace(self, **changes: float) -> Weights:
        return replace(self, **changes)

    @classmethod
    def names(cls) -> tuple[str, ...]:
        return tuple(f.name for f in fields(cls))


DEFAULT_WEIGHTS = Weights.load()
_DEFAULT_W = DEFAULT_WEIGHTS.as_dict()

Features = tuple[tuple[str, float], ...]


@dataclass(slots=True, frozen=True)
class Candidate:
    """One piece of evidence: a date, where it came from (`source`, as Dated says it), the clue
    that found it, and its context as `features` (weight name → value).

    `support` names the weight this candidate adds to another source's candidate for the
    same date; candidates of the same source never support each other."""

    date: datetime.date
    source: str
    clue: str
    features: Features
    why: str = ""
    support: str | None = None

    def score(self, w: Mapping[str, float] = _DEFAULT_W) -> float:
        # Rounded so that ties do not depend on the order the terms are added in.
        return round(sum(w[name] * value for name, value in self.features), 9)


# --------------------------------------------------------------------------- #
# Month names. Multilingual with a German focus; abbreviations included.
# --------------------------------------------------------------------------- #
# fmt: off
_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    # en, de, fr, es, it, pt, nl, pl, sv/da/no, ro, tr, hu, cs, hr, id, ru, uk, ar, hi
    1: ("january", "jan", "januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene",
        "gennaio", "gen", "janeiro", "januari", "styczeń", "stycznia", "ianuarie", "ocak",
        "január", "ledna", "leden", "siječnja", "siječanj", "januára", "января", "январь",
        "січня", "يناير", "كانون الثاني", "जनवरी"),
    2: ("february", "feb", "febr", "februar", "feber", "février", "fevrier", "févr", "fevr", "fév",
        "febrero", "febbraio", "fevereiro", "fev", "februari", "luty", "lutego", "februarie",
        "şubat", "subat", "február", "února", "únor", "veljače", "veljača", "февраля", "февраль",
        "лютого", "فبراير", "شباط", "फरवरी", "फ़रवरी"),
    3: ("march", "mar", "märz", "mär", "maerz", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt",
        "marca", "marzec", "martie", "mart", "március", "března", "březen", "ožujka", "ožujak",
        "maret", "марта", "март", "березня", "مارس", "آذار", "मार्च"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwiecień", "kwietnia",
        "aprilie", "nisan", "április", "dubna", "duben", "travnja", "travanj", "апреля", "апрель",
        "квітня", "أبريل", "ابريل", "نيسان", "अप्रैल"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "maja", "mayıs", "mayis",
        "május", "května", "květen", "svibnja", "svibanj", "мая", "май", "травня", "مايو",
        "أيار", "मई"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwiec", "czerwca",
        "iunie", "haziran", "június", "června", "červen", "lipnja", "lipanj", "июня", "июнь",
        "червня", "يونيو", "حزيران", "जून"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipiec",
        "lipca", "iulie", "temmuz", "július", "července", "červenec", "srpnja", "srpanj", "июля",
        "июль", "липня", "يوليو", "تموز", "जुलाई"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "sierpień", "sierpnia",
        "augusti", "ağustos", "agustos", "augusztus", "srpna", "srpen", "kolovoza", "kolovoz",
        "agustus", "августа", "август", "серпня", "أغسطس", "اغسطس", "آب", "अगस्त"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set",
        "setembro", "wrzesień", "września", "septembrie", "eylül", "eylul", "szeptember", "září",
        "rujna", "rujan", "сентября", "сентябрь", "вересня", "سبتمبر", "أيلول", "सितंबर",
        "सितम्बर"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro",
         "out", "październik", "października", "octombrie", "ekim", "október", "října", "říjen",
         "октября", "октябрь", "жовтня", "أكتوبر", "اكتوبر", "تشرين الأول",
         "अक्टूबर", "अक्तूबर"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopad", "noiembrie",
         "kasım", "kasim", "listopadu", "studenoga", "studeni", "ноября", "ноябрь",
         "листопада", "نوفمبر", "تشرين الثاني", "नवंबर", "नवम्बर"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic",
         "dicembre", "dezembro", "grudzień", "grudnia", "decembrie", "aralık", "aralik",
         "prosince", "prosinec", "prosinca", "desember", "desember", "декабря", "декабрь",
         "грудня", "ديسمبر", "كانون الأول", "दिसंबर", "दिसम्बर"),
}
# fmt: on
MONTHS: dict[str, int] = {w: m for m, words in _MONTH_WORDS.items() for w in words}
# Longest first so "september" wins over "sep".
_MONTH_RE = "|".join(sorted((re.escape(w) for w in MONTHS), key=len, reverse=True))

_WEEKDAYS: dict[str, int] = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}
_WEEKDAY_ABBR = (
    r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|montag|dienstag|mittwoch|"
    r"donnerstag|freitag|samstag|sonnabend|sonntag|mo|di|mi|do|fr|sa|so|"
    r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|"
    r"miércoles|jueves|viernes|sábado|domingo|monday|tuesday|wednesday|"
    r"thursday|friday|saturday|sunday)"
)

_Y = r"((?:19|20)\d\d)"
# After a year: no digit, except where flattening glued the next date on
# ("19. Juni 201619. Juni 2016" — WordPress prints published and modified side by side).
_YEAR_END = r"(?:(?!\d)|(?=\d{1,2}[.\s]))"
# The same for numeric dates: "15/01/201614/01/2016", "19.06.201620.06.2016".
_NUM_YEAR_END = r"(?:(?!\d)|(?=\d{1,2}[./\-]\d))"
_FLAGS = re.IGNORECASE


def _make(year: int, month: int, day: int) -> datetime.date | None:
    if year < _MIN_YEAR or year > 2100:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _two_digit_year(yy: int, today: datetime.date) -> int:
    """'23' is 2023 unless 2023 is still to come, then it is 1923."""
    year = 2000 + yy
    return year if year <= today.year else 1900 + yy


# A "date form" turns a regex match into a date. `day_first` settles 03/04/2021.
# A builder may return (date, start) when the date begins before the match (see
# _b_month_d_y).
DateBuilder = Callable[[re.Match[str], bool, datetime.date], "datetime.date | tuple[datetime.date, int] | None"]


def _b_ymd(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[1]), int(m[2]), int(m[3]))


def _b_dmy(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    # 01.21.2020 exists (US sites with dots): swap only when day-first is impossible.
    a, b = int(m[1]), int(m[2])
    return _make(int(m[3]), b, a) if b <= 12 else _make(int(m[3]), a, b)


def _b_dmyy(m: re.Match[str], _df: bool, today: datetime.date) -> datetime.date | None:
    return _make(_two_digit_year(int(m[3]), today), int(m[2]), int(m[1]))


def _b_slash(m: re.Match[str], day_first: bool, _t: datetime.date) -> datetime.date | None:
    a, b, year = int(m[1]), int(m[3]), int(m[4])
    if a > 12:  # unambiguous
        return _make(year, b, a)
    if b > 12:
        return _make(year, a, b)
    # 13-07-2021 with dashes is day-first everywhere; slashes depend on the page.
    return _make(year, b, a) if (day_first or m[2] == "-") else _make(year, a, b)


def _b_d_month_y(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[3]), MONTHS[m[2].lower()], int(m[1]))


_MONTH_BEFORE = re.compile(r"([^\W\d_]{3,12})\.?\s{1,3}$")


def _b_month_d_y(m: re.Match[str], _df: bool, _t: datetime.date) -> tuple[datetime.date, int] | None:
    """ "July 13, 2021": matched from the day on, the month word looked up behind it.

    A leading 150-way alternation tried at every character is the slowest regex
    there is; anchoring on the digits and looking back is ~10x faster."""
    start = m.start()
    behind = _MONTH_BEFORE.search(m.string, max(0, start - 16), start)
    if not behind:
        return None
    month = MONTHS.get(behind[1].lower())
    if month is None:
        return None
    d = _make(int(m[2]), month, int(m[1]))
    return (d, behind.start()) if d else None


def _b_y_month_d(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[1]), MONTHS[m[2].lower()], int(m[3]))


@dataclass(slots=True, frozen=True)
class DateForm:
    pattern: re.Pattern[str]
    build: DateBuilder
    # Characters that may not come right before a match. Checked in Python: a leading
    # lookbehind makes the regex engine ~4x slower on long texts.
    not_after: str = ""
    year_anchored: bool = True  # contains a 4-digit year: only scanned near years


DATE_FORMS: list[DateForm] = [
    # 2021-07-13, 2021/07/13, 2021.07.13 (also ISO with time)
    DateForm(
        re.compile(_Y + r"([-/.])(\d{1,2})\2(\d{1,2})(?!\d)"),
        lambda m, df, t: _make(int(m[1]), int(m[3]), int(m[4])),
        "0123456789.-/",
    ),
    # 13.07.2021 / 13. 07. 2021 (German, and most of Europe)
    DateForm(re.compile(r"(\d{1,2})\.\s?(\d{1,2})\.\s?" + _Y + _NUM_YEAR_END), _b_dmy, "0123456789."),
    # 2020. 06. 04. (Hungarian, Korean)
    DateForm(re.compile(_Y + r"\.\s(\d{1,2})\.\s?(\d{1,2})\.(?!\d)"), _b_ymd, "0123456789."),
    # 13.07.21 — only with two-digit day and month, to keep version numbers out
    DateForm(re.compile(r"(\d\d)\.(\d\d)\.(\d\d)(?![\d.])"), _b_dmyy, "0123456789.", year_anchored=False),
    # 07/13/2021, 13/07/2021, 13-07-2021, 12 / 04 / 2020
    DateForm(
        re.compile(r"(\d{1,2})\s?([/\-])\s?(\d{1,2})\s?\2\s?((?:19|20)\d\d)" + _NUM_YEAR_END), _b_slash, "0123456789/-"
    ),
    # 13 July 2021, 5. Juni 2023, 3 de marzo de 2021, 1er mars 2021, 13th of July, 2021
    DateForm(
        re.compile(
            r"(\d{1,2})(?:\.|st|nd|rd|th|er|º|°)?\s{0,3}(?:de\s+|of\s+)?"
            r"(" + _MONTH_RE + r")\.?,?\s{0,3}(?:de\s+|del\s+)?" + _Y + _YEAR_END,
            _FLAGS,
        ),
        _b_d_month_y,
        "0123456789.",
    ),
    # July 13, 2021 / Jul. 13 2021 / Juli 13, 2021
    DateForm(re.compile(r"(\d{1,2})(?:st|nd|rd|th)?,?\s{1,3}" + _Y + _YEAR_END, _FLAGS), _b_month_d_y, "0123456789"),
    # 2020. június 4. (Hungarian), 2020 March 5
    DateForm(
        re.compile(_Y + r"\.?\s{1,3}(" + _MONTH_RE + r")\.?\s{1,3}(\d{1,2})(?!\d)", _FLAGS), _b_y_month_d, "0123456789"
    ),
    # 2021年7月13日 (Chinese/Japanese) and 2021년 7월 13일 (Korean)
    DateForm(re.compile(_Y + r"\s?[年년]\s?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日일]"), _b_ymd),
]


@dataclass(slots=True, frozen=True)
class DateHit:
    start: int
    end: int
    date: datetime.date


_YEAR_ANCHOR = re.compile(r"(?:19|20)\d\d")
_WINDOW = 48  # every year-anchored form fits within this many characters around its year


def find_dates(s: str, *, day_first: bool, today: datetime.date) -> list[DateHit]:
    """Every full date (day, month, year) written in `s`, in order, overlaps removed.

    Speed: the forms run only in windows around 4-digit years, not over the whole text."""
    spans: list[tuple[int, int]] = []
    lo_cur = hi_cur = -1
    for m in _YEAR_ANCHOR.finditer(s):
        lo, hi = max(0, m.start() - _WINDOW), min(len(s), m.end() + _WINDOW)
        if lo <= hi_cur:
            hi_cur = hi
        else:
            if hi_cur >= 0:
                spans.append((lo_cur, hi_cur))
            lo_cur, hi_cur = lo, hi
    if hi_cur >= 0:
        spans.append((lo_cur, hi_cur))
    whole = [(0, len(s))]
    hits: list[DateHit] = []
    for form in DATE_FORMS:
        for lo, hi in spans if form.year_anchored else whole:
            for m in form.pattern.finditer(s, lo, hi):
                start = m.start()
                if start and s[start - 1] in form.not_after:
                    continue
                built = form.build(m, day_first, today)
                if built is None:
                    continue
                if isinstance(built, tuple):
                    built, start = built
                hits.append(DateHit(start, m.end(), built))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[DateHit] = []
    last_end = -1
    for h in hits:
        if h.start >= last_end:
            kept.append(h)
            last_end = h.end
    return kept


def _guess_day_first(s: str, anchors: set[datetime.date] | frozenset[datetime.date] = frozenset()) -> bool:
    """Most of the world writes 03/04/2021 day first; US English writes it month first.

    Settle it from numeric dates in the page that are unambiguous, or that read as a date
    the page's metadata declares (`anchors`) one way only; else from whether the page
    reads as English (the one big month-first language)."""
    votes = 0
    for m in _SLASH_DATE.finditer(s, 0, _HEAD_CHARS):
        a, b = int(m[1]), int(m[2])
        if a > 12 >= b:
            votes += 1
        elif b > 12 >= a:
            votes -= 1
        elif anchors and a != b:
            year = int(m[3])
            votes += (_make(year, b, a) in anchors) - (_make(year, a, b) in anchors)
    if votes:
        return votes > 0
    sample = s[:3000].lower()
    english = len(_ENGLISH_WORDS.findall(sample))
    other = len(_OTHER_WORDS.findall(sample))
    return english <= other


_ANY_SLASH_DATE = re.compile(r"\d/\s?\d{1,2}\s?/\s?(?:19|20)\d\d")
_ENGLISH_WORDS = re.compile(r"\b(?:the|and|of|to|is|with)\b")
_OTHER_WORDS = re.compile(r"\b(?:der|die|und|das|le|la|les|et|el|los|y|il|di|het|een)\b")
_SLASH_DATE = re.compile(r"(?<![\d/])(\d{1,2})/(\d{1,2})/((?:19|20)\d\d)")


def parse_date(value: str, *, today: datetime.date | None = None, day_first: bool = False) -> datetime.date | None:
    """Lenient parse of one date string (ISO, RFC 2822, numeric, month names, epoch)."""
    today = today or datetime.date.today()
    value = (value or "").strip()[:200]
    if not value:
        return None
    if re.fullmatch(r"\d{9,10}(?:\.\d+)?", value):  # Unix seconds, as some scrapers write
        try:
            return datetime.datetime.fromtimestamp(float(value), datetime.UTC).date()
        except (OverflowError, OSError, ValueError):
            return None
    m = re.match(r"((?:19|20)\d\d)(\d\d)(\d\d)(?:\D|$)", value)
    if m:
        d = _make(int(m[1]), int(m[2]), int(m[3]))
        if d:
            return d
    hits = find_dates(value, day_first=day_first, today=today)
    if hits:
        return hits[0].date
    try:
        parsed = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    return _make(parsed.year, parsed.month, parsed.day) if parsed else None


# --------------------------------------------------------------------------- #
# The evidence a clue can look at
# --------------------------------------------------------------------------- #
@dataclass(slots=True)
class Evidence:
    text: str
    body: str | None
    url: str | None
    path: str | None
    html: str | None
    given: str | None
    today: datetime.date
    head: str = ""
    day_first: bool = False
    lines: list[tuple[int, str]] = field(default_factory=list)  # (offset, line) of the head
    aside: list[bool] = field(default_factory=list)  # per line: inside a sidebar/related/comment block
    own_urls: list[str] = field(default_factory=list)  # the page's own address(es)
    declared: datetime.date | None = None  # the publication date the markup declares
    modified: set[datetime.date] = field(default_factory=set)  # modification dates it declares
    dateline: tuple[datetime.date, str, bool] | None = None  # see _dateline()
    dateline_read: bool = False

    @classmethod
    def build(cls, **kw: object) -> Evidence:
        ev = cls(**kw)  # type: ignore[arg-type]
        if ev.url:
            ev.own_urls.append(ev.url[:2000])
        flat = _flatten(ev.html) if ev.html else []
        if ev.html:
            _read_markup(ev)
        if flat:
            # For a page, read the byline where a reader sees it: the whole page as text
            # (extracted article text usually lost the byline on the way).
            ev.head, ev.lines, ev.aside = _head_lines(flat)
        else:
            ev.head = _clean(ev.text[:_HEAD_CHARS])
            offset = 0
            for line in ev.head.split("\n"):
                ev.lines.append((offset, line[:_MAX_LINE]))
                offset += len(line) + 1
            ev.aside = [False] * len(ev.lines)
        # Only numeric slash dates need the convention; most pages have none.
        anchors = {d for d in [ev.declared, *ev.modified, *_own_url_dates(ev)] if d}
        ev.day_first = _guess_day_first(ev.head, anchors) if _ANY_SLASH_DATE.search(ev.head) else True
        return ev


_MAX_HTML = 4_000_000
_BLOCK_TAGS = frozenset(
    "address article aside blockquote br dd div dl dt figcaption figure footer form h1 h2 h3 h4 "
    "h5 h6 header hr li main nav ol p pre section table tbody td th thead title tr ul time "
    "option button label".split()
)
_SKIP_TAGS = frozenset(("script", "style", "noscript", "template", "svg"))
# Blocks that hold other things than the article: navigation, footers, sidebars, lists of
# related or recommended articles, comment threads. Dates in them are those things' dates.
_ASIDE_TAGS = frozenset(("aside", "nav", "footer"))
_CONTAINER_TAGS = frozenset(("div", "section", "ul", "ol", "aside", "nav", "footer", "table"))
_ASIDE_CLASS = re.compile(
    r"(?:^|[\s_-])(?:related|teasers?|sidebar|widget|recommended|recommendations?|comments?|"
    r"popular|trending|most-?read|more-?stories|read-?more|newsletter|footer|nav|navigation|"
    r"menu|breadcrumbs?|archive)(?:$|[\s_-])",
    re.IGNORECASE,
)


class _Flattener(HTMLParser):
    """The page as a reader sees it: a line per block, scripts and styles dropped, and for
    each line whether it sits in a block of other things (`_ASIDE_TAGS`, `_ASIDE_CLASS`)."""

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.lines: list[tuple[str, bool]] = []
        self.current: list[str] = []
        self.current_main = False  # some of the current line lies outside any aside block
        self.size = 0
        self.skip = 0
        self.open_aside: list[str | int] | None = None  # [tag, nesting] of the open aside block

    def _break(self) -> None:
        if self.current:
            # Newlines in the markup's text count as line breaks: a line per text line keeps
            # a date on a line of its own apart from the author, the place or the prose.
            for line in "".join(self.current).split("\n"):
                line = " ".join(line.split())
                if line:
                    self.lines.append((line, not self.current_main))
            self.current = []
            self.current_main = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in _SKIP_TAGS:
            self.skip += 1
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if self.open_aside is not None:
            if tag == self.open_aside[0]:
                self.open_aside[1] += 1  # type: ignore[operator]
        elif tag in _CONTAINER_TAGS and (
            tag in _ASIDE_TAGS or any(k in ("class", "id") and v and _ASIDE_CLASS.search(v[:200]) for k, v in attrs)
        ):
            self.open_aside = [tag, 1]

    def handle_endtag(self, tag: str) -> None:
        if tag in _SKIP_TAGS:
            self.skip = max(0, self.skip - 1)
            return
        if tag in _BLOCK_TAGS:
            self._break()
        if self.open_aside is not None and tag == self.open_aside[0]:
            self.open_aside[1] -= 1  # type: ignore[operator]
            if self.open_aside[1] <= 0:
                self.open_aside = None

    def handle_data(self, data: str) -> None:
        if not self.skip and self.size < _HEAD_CHARS * 2:
            self.current.append(data)
            self.size += len(data)
            if self.open_aside is None and not data.isspace():
                self.current_main = True


def _flatten(html: str) -> list[tuple[str, bool]]:
    parser = _Flattener()
    try:
        parser.feed(html[:_MAX_HTML])
        parser.close()
    except Exception:  # HTMLParser on hostile markup: keep what was read
        pass
    parser._break()
    return parser.lines


def flatten_html(html: str) -> str:
    return "\n\n".join(line for line, _ in _flatten(html))


def _head_lines(flat: list[tuple[str, bool]]) -> tuple[str, list[tuple[int, str]], list[bool]]:
    """The head of a flattened page (blocks a blank line apart), its lines and their aside flags."""
    head = _clean("\n\n".join(line for line, _ in flat)[:_HEAD_CHARS])
    lines: list[tuple[int, str]] = []
    aside: list[bool] = []
    offset = 0
    for i, line in enumerate(head.split("\n")):
        lines.append((offset, line[:_MAX_LINE]))
        aside.append(i % 2 == 0 and i // 2 < len(flat) and flat[i // 2][1])
        offset += len(line) + 1
    return head, lines, aside


def _clean(s: str) -> str:
    # NULs and other C0 controls break nothing in `re`, but they split words.
    return s.replace("\x00", " ").replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")


# The page's own metadata: the publication date it declares (schema.org, Open Graph) — explicit,
# and unlike htmldate's pick never the modified date —, the modification dates it declares, and
# its own address (canonical link, og:url).
_DECLARED_NAMES = r"(?:datePublished|article:published_time|og:published_time)"
_DECLARED = re.compile(
    r"""(?:itemprop|property|name)\s*=\s*["']""" + _DECLARED_NAMES + r"""["']"""
    r"""[^>]{0,200}?(?:content|datetime)\s*=\s*["']([^"']{8,40})["']"""
    r"""|(?:content|datetime)\s*=\s*["']([^"']{8,40})["'][^>]{0,200}?"""
    r"""(?:itemprop|property|name)\s*=\s*["']""" + _DECLARED_NAMES + r"""["']"""
    r'''|"datePublished"\s*:\s*"([^"]{8,40})"''',
    re.IGNORECASE,
)
_MARKUP_TAG = re.compile(r"<(?:meta|link)\b[^<>]{0,2000}>", re.IGNORECASE)
_ATTR = re.compile(r"""([\w:.\-]+)\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+))""")
_MODIFIED_NAMES = frozenset(
    (
        "datemodified",
        "article:modified_time",
        "og:updated_time",
        "last-modified",
        "lastmod",
        "dcterms.modified",
        "dc.date.modified",
        "modified",
        "revised",
        "article:modified",
    )
)
_JSON_MODIFIED = re.compile(r'"dateModified"\s*:\s*"([^"]{8,40})"')


def _read_markup(ev: Evidence) -> None:
    html = ev.html[:_MAX_HTML] if ev.html else ""
    match = _DECLARED.search(html)
    if match:
        d = parse_date(next(g for g in match.groups() if g), today=ev.today)
        ev.declared = d if d and d <= ev.today else None
    for tag in _MARKUP_TAG.finditer(html):
        attrs = {
            m[1].lower(): (m[2] if m[2] is not None else m[3] if m[3] is not None else m[4])
            for m in _ATTR.finditer(tag.group(0))
        }
        name = (attrs.get("name") or attrs.get("property") or attrs.get("itemprop") or "").lower()
        value = attrs.get("content") or attrs.get("datetime")
        if name in _MODIFIED_NAMES and value:
            d = parse_date(value[:40], today=ev.today)
            if d:
                ev.modified.add(d)
        elif name == "og:url" and value:
            ev.own_urls.append(value[:2000])
        elif attrs.get("rel", "").lower() == "canonical" and attrs.get("href"):
            ev.own_urls.append(attrs["href"][:2000])
    for m in _JSON_MODIFIED.finditer(html, 0, 2_000_000):
        d = parse_date(m[1], today=ev.today)
        if d:
            ev.modified.add(d)


def _own_url_dates(ev: Evidence) -> list[datetime.date]:
    return [d for u in ev.own_urls for d in url_dates(u)][:1]


Clue = Callable[[Evidence], Iterable[Candidate]]


# --------------------------------------------------------------------------- #
# Clue: a date the scraper supplied
# --------------------------------------------------------------------------- #
def clue_given(ev: Evidence) -> Iterator[Candidate]:
    if ev.given:
        d = parse_date(str(ev.given), today=ev.today)
        if d:
            yield Candidate(d, "meta", "given", (("given", 1.0),), "given")


# --------------------------------------------------------------------------- #
# Clue: the file path (Timeline17 keeps articles in InputDocs/2010-05-24/x.txt)
# --------------------------------------------------------------------------- #
_PATH_DATE = re.compile(
    r"(?:^|[/\\_\-])((?:19|20)\d\d)[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])"
    r"(?=$|[/\\_\-.])"
)


def clue_path(ev: Evidence) -> Iterator[Candidate]:
    if not ev.path:
        return
    # The deepest folder wins: it is the one that names this file.
    for m in reversed(list(_PATH_DATE.finditer(ev.path[-1000:]))):
        d = _make(int(m[1]), int(m[2]), int(m[3]))
        if d:
            yield Candidate(d, "path", "path", (("path", 1.0),), "path", "path_support")
            return


# --------------------------------------------------------------------------- #
# Clue: a date inside the article's own address, or that address written in the text
# --------------------------------------------------------------------------- #
_URL_IN_TEXT = re.compile(r"https?://[^\s\"'<>]{4,400}")
_URL_DATE_FORMS: list[re.Pattern[str]] = [
    # /2021/03/17/ or /2021-03-17 or /2021_03_17
    re.compile(r"[/_\-.](?P<y>(?:19|20)\d\d)([/_\-])(?P<m>0?[1-9]|1[0-2])\2(?P<d>0?[1-9]|[12]\d|3[01])(?=\D|$)"),
    # /20210317 or /202103171082376402- (Sputnik: date then article number)
    re.compile(r"[/_\-.=](?P<y>(?:19|20)\d\d)(?P<m>0[1-9]|1[0-2])(?P<d>0[1-9]|[12]\d|3[01])(?=\d{0,12}(?:\D|$))"),
]
_IMAGE_URL = re.compile(r"\.(?:jpe?g|png|gif|webp|svg|ico|css|js)(?:\?|$)", re.IGNORECASE)


def url_dates(url: str) -> Iterator[datetime.date]:
    """Dates a URL spells out, in order. Image/asset URLs are skipped: upload dates lie."""
    if _IMAGE_URL.search(url):
        return
    for pattern in _URL_DATE_FORMS:
        for m in pattern.finditer(url):
            d = _make(int(m["y"]), int(m["m"]), int(m["d"]))
            if d:
                yield d


def _bare(url: str) -> str:
    """An address without scheme, www., query and trailing slash, for comparing two."""
    try:
        parts = urlsplit(url.strip())
    except ValueError:
        return url
    host = parts.netloc.lower().removeprefix("www.")
    return host + parts.path.rstrip("/")


_SLUG_WORD = re.compile(r"[^\W\d_]{3,}")
_URL_WORDS = frozenset(
    "www com org net html htm php aspx index news article articles story stories amp https http".split()
)


def _words5(s: str) -> set[str]:
    """Words of 3+ letters, cut to 5 letters so inflections meet ("impfungen" ~ "impfung")."""
    return {w[:5] for w in _SLUG_WORD.findall(s.lower())}


def _names_the_title(url: str, title: str) -> bool:
    """The URL's slug spells the page's headline: it is this page's address, not a link."""
    try:
        path = unquote(urlsplit(url).path)
    except ValueError:
        return False
    slug = _words5(path) - _URL_WORDS
    return len(slug) >= 2 and len(slug & _words5(title)) * 2 >= len(slug)


def clue_url(ev: Evidence) -> Iterator[Candidate]:
    # The page's own address: given with the article, or its canonical link / og:url.
    for d in _own_url_dates(ev):
        yield Candidate(d, "url", "url", (("url", 1.0),), "url", "url_support")
    # A URL printed near the top can be the article's own ("Get short URL" blocks), or a link
    # to another article: it counts only when it is the page's address or spells its headline.
    own = {_bare(u) for u in ev.own_urls}
    title = next((line for _, line in ev.lines if line.strip()), "")
    for m in _URL_IN_TEXT.finditer(ev.head[:8000]):
        url = m.group(0)
        if not (_bare(url) in own or _names_the_title(url, title)):
            continue
        for d in url_dates(url):
            yield Candidate(
                d,
                "url",
                "url",
                (("url_text", 1.0), ("url_text_kchar", min(m.start() / 1000, 10))),
                "url in text",
                "url_support",
            )
            break


# --------------------------------------------------------------------------- #
# Clue: a wire dateline — "WASHINGTON, December 28. /TASS/", "LONDON, March 3 (Reuters) -"
# --------------------------------------------------------------------------- #
_AGENCY = (
    r"(?:/?\s?(?:TASS|ТАСС|AFP|AP|Reuters|dpa|APA|KNA|epd|SDA|ANSA|EFE|Xinhua|IANS|PTI|"
    r"UNI|Interfax|RIA|Sputnik|Bloomberg|UPI|AA|Yonhap|Kyodo|BelTA|Prensa Latina|"
    r"[A-Z]{2,8})\s?/?)"
)
_PLACE = r"(?P<place>[A-ZÀ-Ý][\w.'’\-]{1,30}(?:[ \-][A-ZÀ-Ý][\w.'’\-]{1,30}){0,3})"
_DATELINE = re.compile(
    r"^\s{0,4}" + _PLACE + r",?\s{1,3}(?:" + _WEEKDAY_ABBR + r",?\s{1,3})?"
    r"(?:(?P<m1>" + _MONTH_RE + r")\.?\s{1,3}(?P<d1>\d{1,2})|(?P<d2>\d{1,2})\.?\s{1,3}(?P<m2>" + _MONTH_RE + r"))"
    r"(?:,?\s{1,3}(?P<y>(?:19|20)\d\d))?"
    r"\s{0,3}[.,]?\s{0,3}(?:(?P<agency>[/(\[]\s?" + _AGENCY + r"[/)\]])|(?P<dash>[-–—]))",
    _FLAGS,
)


def _dateline(ev: Evidence) -> tuple[datetime.date, str, bool] | None:
    """The wire dateline of the article (its date, its line, whether it names an agency), read once."""
    if ev.dateline_read:
        return ev.dateline
    ev.dateline_read = True
    sources = [ev.body[:4000]] if ev.body else []
    sources.append(ev.head[:12000])
    for src in sources:
        for line in src.split("\n")[:120]:
            m = _DATELINE.match(line[:300])
            if not m or not m["place"][0].isupper():
                continue
            month = MONTHS[(m["m1"] or m["m2"]).lower()]
            day = int(m["d1"] or m["d2"])
            d = _make(int(m["y"]), month, day) if m["y"] else _year_for(month, day, ev)
            if d and d <= ev.today:
                ev.dateline = (d, line, bool(m["agency"]))
                return ev.dateline
    return None


def clue_dateline(ev: Evidence) -> Iterator[Candidate]:
    found = _dateline(ev)
    if found:
        d, _, agency = found
        feature = "dateline_agency" if agency else "dateline"
        yield Candidate(d, "dateline", "dateline", ((feature, 1.0),), "dateline", "dateline_support")


_WEEKDAY_MENTION = re.compile(
    r"\b(?:on|last|this|earlier on|late on|early on)\s+"
    r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
    re.IGNORECASE,
)
_YEAR_MENTION = re.compile(r"(?<![\d.,/\-])((?:19|20)\d\d)(?![\d.,/\-]\d)")


def _year_for(month: int, day: int, ev: Evidence) -> datetime.date | None:
    """Pick the year of a year-less dateline from evidence in the text.

    Scores each year up to today: the same day written in full elsewhere on the page
    (a byline: decisive), other full dates (they pin the era), the first weekday the
    story names (the lead's "on Friday" is the dateline day), years the text mentions.
    Never returns a date after today; without any evidence, the latest past year."""
    text = ev.head
    # The lead reports the dateline day's news, so the first weekday named is the likeliest
    # to be the dateline's ("...passed through the canal on Saturday", later "since Monday").
    mentions = [w.lower() for w in _WEEKDAY_MENTION.findall(text[:6000])]
    weekday = _WEEKDAYS[mentions[0]] if mentions else None
    year_counts = Counter(int(y) for y in _YEAR_MENTION.findall(text[:12000]))
    full = [h.date for h in find_dates(text[:12000], day_first=ev.day_first, today=ev.today)]
    full_years = Counter(d.year for d in full)
    same_day = Counter(d.year for d in full if (d.month, d.day) == (month, day))
    best: tuple[float, int] | None = None
    best_date: datetime.date | None = None
    for year in range(ev.today.year, max(_MIN_YEAR, ev.today.year - 40) - 1, -1):
        d = _make(year, month, day)
        if d is None or d > ev.today:
            continue
        score = 3.0 * full_years.get(year, 0) + 1.0 * min(year_counts.get(year, 0), 3)
        score += 10.0 * min(same_day.get(year, 0), 2)
        if weekday is not None and d.weekday() == weekday:
            score += 2.5
        # Mentioned years that come later than `year` mean the story cannot be from then,
        # unless they are a forecast ("meet again in 2019"): a soft penalty, not a veto.
        later = sum(c for y, c in year_counts.items() if y > year + 1)
        score -= 0.5 * min(later, 4)
        key = (score, year)  # ties go to the latest year: the freshest reading
        if best is None or key > best:
            best, best_date = key, d
    return best_date


# --------------------------------------------------------------------------- #
# Clue: dates written in the text — labels, bylines, repost headers, and the rest
# --------------------------------------------------------------------------- #
_PUBLISHED_LABEL = re.compile(
    r"(?:published|publication date|posted|first published|date|released|created|written|"
    r"veröffentlicht|veroeffentlicht|erschienen|erstellt|datum|publiziert|eingestellt|"
    r"publié|publie|mis en ligne|paru|publicado|publicada|fecha|pubblicato|data|"
    r"gepubliceerd|geplaatst|opublikowano|publicat|stand|vom|von|am|le|el|il|on|den)\b"
    r"\s{0,3}(?:on|am|le|el|il|op|at|:)?\s{0,3}:?\s{0,3}$",
    re.IGNORECASE,
)
_STRONG_PUBLISHED = re.compile(
    r"(?:published|first published|posted|veröffentlicht|veroeffentlicht|erschienen|erstellt|"
    r"publiziert|publié|mis en ligne|publicado|publicada|pubblicato|gepubliceerd|geplaatst|"
    r"opublikowano|datum|date)\b",
    re.IGNORECASE,
)
_UPDATED_LABEL = re.compile(
    r"(?:updated?|last updated|modified|last modified|revised|aktualisiert|geändert|"
    r"zuletzt|überarbeitet|mis à jour|mise à jour|actualizado|actualizada|actualización|"
    r"aggiornato|bijgewerkt|zaktualizowano)\b",
    re.IGNORECASE,
)
_NOISE_LABEL = re.compile(
    r"(?:says:|sagt:|schreibt:|antworten|reply|antwort|"
    r"abgerufen|accessed|retrieved|zugriff|gesehen|stand der information|gültig|valid|"
    r"termin|veranstaltung|event|deadline|frist|bis zum|until|ab dem|from|geboren|born|"
    r"gestorben|died|uhr\s*[-–]\s*\d|\d\s*[-–]\s*\d{1,2}\.\d{1,2}\.)",
    re.IGNORECASE,
)
_TIME_NEAR = re.compile(
    r"\b\d{1,2}[:.h]\d\d\b(?:\s?(?:am|pm|uhr|h|Uhr|CET|CEST|MEZ|GMT|UTC|ET|EST|EDT))?", re.IGNORECASE
)
_WORD = re.compile(r"[^\W\d_]{2,}")


_TITLE_SEPARATORS = re.compile(r"\s+[|–—·:»/]\s+|\s+-\s+|\s*\|\s*")


def _title_line(ev: Evidence) -> int | None:
    """Index of the line that repeats the page title (the article's H1), if any.

    Flattened pages start with the <title>; its longest part ("Site: Headline | Site"
    → "Headline") reappears as the H1 where the article begins — the byline sits
    right there."""
    first = next(((i, line.strip()) for i, (_, line) in enumerate(ev.lines) if line.strip()), None)
    if first is None:
        return None
    i0, title = first
    core = max(_TITLE_SEPARATORS.split(title), key=len).strip().lower()
    if len(core) < 12:
        return None
    core = core[:50]
    for i in range(i0 + 1, min(len(ev.lines), i0 + 2000)):
        line = ev.lines[i][1]
        if len(line) < 12:
            continue
        low = line.strip().lower()
        if core in low[: len(core) + 40] and len(low) < 3 * len(core) + 60:
            return i
    return None


def _context(ev: Evidence, h: DateHit, li: int) -> tuple[str, str, str, str]:
    """Text before and after a date on its line, the previous line, and the label context."""
    offset, line = ev.lines[li]
    before = line[max(0, h.start - offset - 60) : h.start - offset]
    after = line[h.end - offset : h.end - offset + 40]
    # The previous line with text: flattened pages put blank lines between blocks.
    prev = li - 1
    while prev > 0 and li - prev < 3 and not ev.lines[prev][1].strip():
        prev -= 1
    prev_line = ev.lines[prev][1][-60:] if prev >= 0 else ""
    # "Published:" alone on its line, the date on the next one.
    context_before = prev_line if (not before.strip() and prev_line.strip()) else before
    return before, after, prev_line, context_before


def clue_text(ev: Evidence) -> Iterator[Candidate]:
    """Every full date near the top, described by its surroundings (see `Weights`)."""
    hits = find_dates(ev.head, day_first=ev.day_first, today=ev.today)
    hits = [h for h in hits if h.date <= ev.today]
    if not hits:
        return
    title_i = _title_line(ev)
    line_starts = [o for o, _ in ev.lines]
    total = len(ev.head) or 1
    hits = hits[:200]
    hit_lines = [bisect.bisect_right(line_starts, h.start) - 1 for h in hits]
    contexts = [_context(ev, h, li) for h, li in zip(hits, hit_lines)]
    # A "published" label in front of many different dates labels a teaser list, not
    # this article: then it counts for little.
    labelled_dates = {h.date for h, (_, _, _, cb) in zip(hits, contexts) if _STRONG_PUBLISHED.search(cb[-45:])}
    published = "published" if len(labelled_dates) <= 2 else "published_many"
    found = _dateline(ev)
    dateline_line = found[1][:_MAX_LINE] if found else None
    for rank, h in enumerate(hits):
        li = hit_lines[rank]
        offset, line = ev.lines[li]
        if dateline_line is not None and line == dateline_line and h.start - offset < 120:
            continue  # the date of the wire dateline is the dateline clue's: one line, one voice
        before, after, prev_line, context_before = contexts[rank]
        rest = (line[: h.start - offset] + line[h.end - offset :]).strip()
        words = len(_WORD.findall(rest))
        feats: list[tuple[str, float]] = [("text_base", 1.0)]
        why = []
        labelled = False
        if _UPDATED_LABEL.search(before[-40:]) or (not before.strip() and _UPDATED_LABEL.search(prev_line[-30:])):
            feats.append(("updated", 1.0))  # a byline still, but the original date beats it when both are there
            why.append("updated")
        elif _STRONG_PUBLISHED.search(context_before[-45:]):
            feats.append((published, 1.0))
            labelled = True
            why.append("published")
        elif _PUBLISHED_LABEL.search(context_before[-30:]):
            labelled = True  # a byline ("am", "on", "le" ...), though too common to raise its score
            why.append("label")
        if _NOISE_LABEL.search(before[-40:]) or _NOISE_LABEL.search(after[:25]):
            feats.append(("noise", 1.0))
            why.append("noise")
        # A byline: a short line that is mostly the date (maybe an author or a time).
        if words <= 6:
            feats.append(("short", 1.0))
            why.append("short")
        else:
            feats.append(("medium" if words <= 14 else "long", 1.0))
        if _TIME_NEAR.search(after[:20]) or _TIME_NEAR.search(before[-14:]):
            feats.append(("time", 1.0))
            why.append("time")
        # Position: bylines sit at the title; sidebars and comments come later.
        if title_i is not None:
            dist = li - title_i
            if 0 <= dist <= 12:
                feats += [("at_title", 1.0), ("at_title_dist", float(dist))]
                why.append("at-title")
            elif -6 <= dist < 0:
                feats.append(("above_near", 1.0))
            elif dist < 0:
                feats.append(("above_far", 1.0))
            else:
                feats.append(("below_far", min(dist / 15, 8)))
        else:
            feats.append(("no_title_pos", h.start / total))
        if rank:
            feats.append(("rank", float(min(rank, 12))))  # earlier dates are likelier bylines
        # Several different dates a few lines apart: a teaser list, an archive, a comment thread.
        near = {
            hits[j].date for j in range(max(0, rank - 4), min(len(hits), rank + 5)) if abs(hit_lines[j] - li) <= 6
        } - {h.date}
        if len(near) >= 2:
            feats.append(("list", float(min(len(near), 4))))
            why.append("list")
        if ev.aside[li]:
            feats.append(("aside", 1.0))
            why.append("aside")
        source = "header" if (labelled or words <= 6) else "text"
        yield Candidate(
            h.date, source, "text", tuple(feats), ",".join(why), "byline_support" if source == "header" else None
        )


# --------------------------------------------------------------------------- #
# Clue: htmldate (metadata, markup, extensive search) and the page's declared date
# --------------------------------------------------------------------------- #
def _htmldate(html: str, today: datetime.date) -> str | None:
    try:
        from htmldate import find_date  # heavy import: only when HTML is given

        return find_date(html[:_MAX_HTML], extensive_search=True, original_date=True, max_date=today.isoformat())
    except Exception:  # htmldate on hostile HTML: evidence missing, not a crash
        return None


def clue_html(ev: Evidence) -> Iterator[Candidate]:
    """htmldate as one voice among the clues.

    On its own it beats a weak text date; agreeing with a byline date it makes that
    date nearly certain; a strongly labelled byline ("Veröffentlicht am") can still
    overrule it — htmldate's errors are mostly modified dates and sidebars."""
    if not ev.html:
        return
    found = _htmldate(ev.html, ev.today)
    if found:
        d = parse_date(found, today=ev.today)
        if d and d <= ev.today:
            yield Candidate(d, "meta", "htmldate", (("htmldate", 1.0),), "htmldate", "htmldate_support")


def clue_declared(ev: Evidence) -> Iterator[Candidate]:
    """The first publication date the markup declares (meta tag, itemprop, JSON-LD)."""
    if ev.declared:
        yield Candidate(ev.declared, "meta", "declared", (("declared", 1.0),), "declared", "declared_support")


CLUES: list[Clue] = [clue_given, clue_declared, clue_html, clue_dateline, clue_url, clue_path, clue_text]


def candidates(ev: Evidence) -> list[Candidate]:
    """Every clue's candidates: what the page says, before any weight is applied."""
    out: list[Candidate] = []
    for clue in CLUES:
        try:
            out.extend(c for c in clue(ev) if c.date <= ev.today)
        except Exception:  # noqa: BLE001 — hostile input: one broken clue must not cost the others
            continue
    return out


def choose(cands: list[Candidate], w: Mapping[str, float] = _DEFAULT_W) -> Candidate | None:
    """Best date: its strongest candidate plus the support of other sources that agree.

    Text dates scoring below `min_text_score` are more likely events than bylines: they
    are not candidates at all."""
    scored = [(c, c.score(w)) for c in cands]
    scored = [(c, s) for c, s in scored if c.clue != "text" or s >= w["min_text_score"]]
    if not scored:
        return None
    top: dict[datetime.date, tuple[Candidate, float]] = {}
    for c, s in scored:
        if c.date not in top or s > top[c.date][1]:
            top[c.date] = (c, s)
    support: dict[datetime.date, dict[str, float]] = {}
    for c, _ in scored:
        best = top[c.date][0]
        if c.support is None or c.source == best.source:
            continue
        # htmldate's usual mistake is the modified date: it does not confirm a date labelled "updated".
        if c.clue == "htmldate" and "updated" in best.why:
            continue
        per_source = support.setdefault(c.date, {})
        per_source[c.source] = max(per_source.get(c.source, 0.0), w[c.support])

    def total(d: datetime.date) -> tuple[float, int, datetime.date]:
        best, s = top[d]
        rank = -SOURCES.index(best.source) if best.source in SOURCES else -len(SOURCES)
        return round(s + sum(support.get(d, {}).values()), 9), rank, d

    return top[max(top, key=total)][0]


def publication_date(
    *,
    text: str,
    body: str | None = None,
    url: str | None = None,
    path: str | None = None,
    html: str | None = None,
    given: str | None = None,
    today: datetime.date | None = None,
    weights: Weights | None = None,
) -> Dated:
    """The article's original publication day and where it came from (see module doc)."""
    today = today or datetime.date.today()
    ev = Evidence.build(
        text=text if isinstance(text, str) else "", body=body, url=url, path=path, html=html, given=given, today=today
    )
    best = choose(candidates(ev), weights.as_dict() if weights is not None else _DEFAULT_W)
    if best is None:
        return Dated(None, None)
    return Dated(best.date, best.source)
