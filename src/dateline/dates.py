"""Publication-date inference with provenance.

`publication_date()` gathers *candidates* from independent clues (a scraper-given
field, HTML metadata, a wire dateline, a byline/label header, a URL, the file
path, dates written near the top of the text), scores each one, and returns the
best together with where it came from. Every clue is a small function in
`CLUES`; adding a clue never touches the others.

Why candidates and scores rather than "first clue that fires": pages carry many
dates (today's date in the site header, "updated" stamps, comment dates, related
stories, copyright years). The publication date is the one with the best
*context* — a "Published" label, a short byline line right below the title, a
wire dateline — so context decides, not order alone.

Hostile input: all scanning is bounded (`_HEAD_CHARS`, `_MAX_LINE`), every
regex is linear (no nested quantifiers) and no clue may raise.
"""
from __future__ import annotations

import datetime
import email.utils
import re
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field

__all__ = ["Dated", "publication_date", "parse_date"]

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
class Candidate:
    """One piece of evidence: a date, where it came from, and how much we trust it."""

    date: datetime.date
    source: str
    score: float
    why: str = ""


# --------------------------------------------------------------------------- #
# Month names. Multilingual with a German focus; abbreviations included.
# --------------------------------------------------------------------------- #
_MONTH_WORDS: dict[int, tuple[str, ...]] = {
    1: ("january", "jan", "januar", "jänner", "jaenner", "janvier", "janv", "enero", "ene",
        "gennaio", "gen", "janeiro", "januari", "styczeń", "stycznia", "leden", "ledna"),
    2: ("february", "feb", "febr", "februar", "feber", "février", "fevrier", "févr", "fevr", "fév",
        "febrero", "febbraio", "fevereiro", "fev", "februari", "luty", "lutego"),
    3: ("march", "mar", "märz", "maerz", "mrz", "mars", "marzo", "março", "marco", "maart", "mrt",
        "marca", "marzec"),
    4: ("april", "apr", "avril", "avr", "abril", "abr", "aprile", "kwiecień", "kwietnia"),
    5: ("may", "mai", "mayo", "maggio", "mag", "maio", "mei", "maj", "maja"),
    6: ("june", "jun", "juni", "juin", "junio", "giugno", "giu", "junho", "czerwiec", "czerwca"),
    7: ("july", "jul", "juli", "juillet", "juil", "julio", "luglio", "lug", "julho", "lipiec",
        "lipca"),
    8: ("august", "aug", "août", "aout", "agosto", "ago", "augustus", "sierpień", "sierpnia"),
    9: ("september", "sep", "sept", "septembre", "septiembre", "setiembre", "settembre", "set",
        "setembro", "wrzesień", "września"),
    10: ("october", "oct", "oktober", "okt", "octobre", "octubre", "ottobre", "ott", "outubro",
         "out", "październik", "października"),
    11: ("november", "nov", "novembre", "noviembre", "novembro", "listopad", "listopada"),
    12: ("december", "dec", "dezember", "dez", "décembre", "decembre", "déc", "diciembre", "dic",
         "dicembre", "dezembro", "grudzień", "grudnia"),
}
MONTHS: dict[str, int] = {w: m for m, words in _MONTH_WORDS.items() for w in words}
# Longest first so "september" wins over "sep".
_MONTH_RE = "|".join(sorted((re.escape(w) for w in MONTHS), key=len, reverse=True))

_WEEKDAYS: dict[str, int] = {
    "monday": 0, "tuesday": 1, "wednesday": 2, "thursday": 3, "friday": 4, "saturday": 5,
    "sunday": 6,
}
_WEEKDAY_ABBR = (r"(?:mon|tue|tues|wed|thu|thur|thurs|fri|sat|sun|montag|dienstag|mittwoch|"
                 r"donnerstag|freitag|samstag|sonnabend|sonntag|mo|di|mi|do|fr|sa|so|"
                 r"lundi|mardi|mercredi|jeudi|vendredi|samedi|dimanche|lunes|martes|"
                 r"miércoles|jueves|viernes|sábado|domingo|monday|tuesday|wednesday|"
                 r"thursday|friday|saturday|sunday)")

_Y = r"((?:19|20)\d\d)"
_FLAGS = re.IGNORECASE


def _make(year: int, month: int, day: int) -> datetime.date | None:
    if year < _MIN_YEAR or year > 2100:
        return None
    try:
        return datetime.date(year, month, day)
    except ValueError:
        return None


def _two_digit_year(yy: int, today: datetime.date) -> int:
    """'23' is 2023 unless that is in the future, then 1923+100 rules give 19xx."""
    year = 2000 + yy
    return year if year <= today.year else 1900 + yy


# A "date form" turns a regex match into a date. `day_first` settles 03/04/2021.
DateBuilder = Callable[[re.Match[str], bool, datetime.date], "datetime.date | None"]


def _b_ymd(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[1]), int(m[2]), int(m[3]))


def _b_dmy(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[3]), int(m[2]), int(m[1]))


def _b_dmyy(m: re.Match[str], _df: bool, today: datetime.date) -> datetime.date | None:
    return _make(_two_digit_year(int(m[3]), today), int(m[2]), int(m[1]))


def _b_slash(m: re.Match[str], day_first: bool, today: datetime.date) -> datetime.date | None:
    a, b = int(m[1]), int(m[2])
    year = int(m[3]) if len(m[3]) == 4 else _two_digit_year(int(m[3]), today)
    if a > 12:  # unambiguous day-first
        return _make(year, b, a)
    if b > 12:  # unambiguous month-first
        return _make(year, a, b)
    return _make(year, b, a) if day_first else _make(year, a, b)


def _b_d_month_y(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[3]), MONTHS[m[2].lower()], int(m[1]))


def _b_month_d_y(m: re.Match[str], _df: bool, _t: datetime.date) -> datetime.date | None:
    return _make(int(m[3]), MONTHS[m[1].lower()], int(m[2]))


# Each entry: compiled pattern, builder. All patterns are linear-time.
DATE_FORMS: list[tuple[re.Pattern[str], DateBuilder]] = [
    # 2021-07-13, 2021/07/13, 2021.07.13 (also ISO with time)
    (re.compile(r"(?<![\d.\-/])" + _Y + r"([-/.])(\d{1,2})\2(\d{1,2})(?![\d])"),
     lambda m, df, t: _make(int(m[1]), int(m[3]), int(m[4]))),
    # 13.07.2021 / 13. 07. 2021 (German, and most of Europe)
    (re.compile(r"(?<![\d.])(\d{1,2})\.\s?(\d{1,2})\.\s?" + _Y + r"(?!\d)"), _b_dmy),
    # 13.07.21 — only with two-digit day and month, to keep version numbers out
    (re.compile(r"(?<![\d.])(\d\d)\.(\d\d)\.(\d\d)(?![\d.])"), _b_dmyy),
    # 07/13/2021, 13/07/2021, 13-07-2021
    (re.compile(r"(?<![\d/\-])(\d{1,2})([/\-])(\d{1,2})\2((?:19|20)\d\d)(?!\d)"),
     lambda m, df, t: _b_slash_generic(int(m[1]), int(m[3]), int(m[4]), df or m[2] == "-")),
    # 13 July 2021, 5. Juni 2023, 3 de marzo de 2021, 1er mars 2021, 13th of July, 2021
    (re.compile(r"(?<![\d.])(\d{1,2})(?:\.|st|nd|rd|th|er|º|°)?\s{0,3}(?:de\s+|of\s+)?"
                r"(" + _MONTH_RE + r")\.?,?\s{0,3}(?:de\s+|del\s+)?" + _Y + r"(?!\d)", _FLAGS),
     _b_d_month_y),
    # July 13, 2021 / Jul. 13 2021 / Juli 13, 2021
    (re.compile(r"(?<![^\W\d_])(" + _MONTH_RE + r")\.?\s{1,3}(\d{1,2})(?:st|nd|rd|th)?,?\s{1,3}"
                + _Y + r"(?!\d)", _FLAGS), _b_month_d_y),
    # 2021年7月13日 (Chinese/Japanese) and 2021년 7월 13일 (Korean)
    (re.compile(_Y + r"\s?[年년]\s?(\d{1,2})\s?[月월]\s?(\d{1,2})\s?[日일]"), _b_ymd),
]


def _b_slash_generic(a: int, b: int, year: int, day_first: bool) -> datetime.date | None:
    if a > 12:
        return _make(year, b, a)
    if b > 12:
        return _make(year, a, b)
    return _make(year, b, a) if day_first else _make(year, a, b)


@dataclass(slots=True, frozen=True)
class DateHit:
    start: int
    end: int
    date: datetime.date


def find_dates(s: str, *, day_first: bool, today: datetime.date) -> list[DateHit]:
    """Every full date (day, month, year) written in `s`, in order, overlaps removed."""
    hits: list[DateHit] = []
    for pattern, build in DATE_FORMS:
        for m in pattern.finditer(s):
            d = build(m, day_first, today)
            if d is not None:
                hits.append(DateHit(m.start(), m.end(), d))
    hits.sort(key=lambda h: (h.start, -(h.end - h.start)))
    kept: list[DateHit] = []
    last_end = -1
    for h in hits:
        if h.start >= last_end:
            kept.append(h)
            last_end = h.end
    return kept


def _guess_day_first(s: str) -> bool:
    """Most of the world writes 03/04/2021 day first; US English writes it month first.

    Settle it from unambiguous numeric dates in the page, else from whether the page
    reads as English (the one big month-first language)."""
    votes = 0
    for m in re.finditer(r"(?<![\d/])(\d{1,2})/(\d{1,2})/(?:19|20)\d\d", s[:_HEAD_CHARS]):
        a, b = int(m[1]), int(m[2])
        if a > 12 >= b:
            votes += 1
        elif b > 12 >= a:
            votes -= 1
    if votes:
        return votes > 0
    sample = s[:6000].lower()
    english = len(re.findall(r"\b(?:the|and|of|to|is|with)\b", sample))
    other = len(re.findall(r"\b(?:der|die|und|das|le|la|les|et|el|los|y|il|di|het|een)\b", sample))
    return english <= other


def parse_date(value: str, *, today: datetime.date | None = None,
               day_first: bool = False) -> datetime.date | None:
    """Lenient parse of one date string (ISO, RFC 2822, numeric, month names, epoch)."""
    today = today or datetime.date.today()
    value = (value or "").strip()[:200]
    if not value:
        return None
    if re.fullmatch(r"\d{9,10}(?:\.\d+)?", value):  # Unix seconds, as some scrapers write
        try:
            return datetime.datetime.fromtimestamp(float(value), datetime.timezone.utc).date()
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

    @classmethod
    def build(cls, **kw: object) -> "Evidence":
        ev = cls(**kw)  # type: ignore[arg-type]
        ev.head = _clean(ev.text[:_HEAD_CHARS])
        ev.day_first = _guess_day_first(ev.head)
        offset = 0
        for line in ev.head.split("\n"):
            ev.lines.append((offset, line[:_MAX_LINE]))
            offset += len(line) + 1
        return ev


def _clean(s: str) -> str:
    # NULs and other C0 controls break nothing in `re`, but they split words.
    return s.replace("\x00", " ").replace("\r\n", "\n").replace("\r", "\n").replace("\xa0", " ")


Clue = Callable[[Evidence], Iterable[Candidate]]


# --------------------------------------------------------------------------- #
# Clue: a date the scraper supplied
# --------------------------------------------------------------------------- #
def clue_given(ev: Evidence) -> Iterator[Candidate]:
    if ev.given:
        d = parse_date(str(ev.given), today=ev.today)
        if d:
            yield Candidate(d, "meta", 100.0, "given")


# --------------------------------------------------------------------------- #
# Clue: the file path (Timeline17 keeps articles in InputDocs/2010-05-24/x.txt)
# --------------------------------------------------------------------------- #
_PATH_DATE = re.compile(r"(?:^|[/\\_\-])((?:19|20)\d\d)[-_]?(0[1-9]|1[0-2])[-_]?(0[1-9]|[12]\d|3[01])"
                        r"(?=$|[/\\_\-.])")


def clue_path(ev: Evidence) -> Iterator[Candidate]:
    if not ev.path:
        return
    # The deepest folder wins: it is the one that names this file.
    for m in reversed(list(_PATH_DATE.finditer(ev.path[-1000:]))):
        d = _make(int(m[1]), int(m[2]), int(m[3]))
        if d:
            yield Candidate(d, "path", 60.0, "path")
            return


# --------------------------------------------------------------------------- #
# Clue: a date inside the article URL, or a URL written in the text
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


def clue_url(ev: Evidence) -> Iterator[Candidate]:
    if ev.url:
        for d in url_dates(ev.url[:2000]):
            yield Candidate(d, "url", 70.0, "url")
            break
    # A URL printed near the top is usually the article's own ("Get short URL" blocks).
    for m in _URL_IN_TEXT.finditer(ev.head[:8000]):
        for d in url_dates(m.group(0)):
            yield Candidate(d, "url", 40.0 - min(m.start() / 1000, 10), "url in text")
            break


# --------------------------------------------------------------------------- #
# Clue: a wire dateline — "WASHINGTON, December 28. /TASS/", "LONDON, March 3 (Reuters) -"
# --------------------------------------------------------------------------- #
_AGENCY = (r"(?:/?\s?(?:TASS|ТАСС|AFP|AP|Reuters|dpa|APA|KNA|epd|SDA|ANSA|EFE|Xinhua|IANS|PTI|"
           r"UNI|Interfax|RIA|Sputnik|Bloomberg|UPI|AA|Yonhap|Kyodo|BelTA|Prensa Latina|"
           r"[A-Z]{2,8})\s?/?)")
_PLACE = r"(?P<place>[A-ZÀ-Ý][\w.'’\-]{1,30}(?:[ \-][A-ZÀ-Ý][\w.'’\-]{1,30}){0,3})"
_DATELINE = re.compile(
    r"^\s{0,4}" + _PLACE + r",?\s{1,3}(?:" + _WEEKDAY_ABBR + r",?\s{1,3})?"
    r"(?:(?P<m1>" + _MONTH_RE + r")\.?\s{1,3}(?P<d1>\d{1,2})|(?P<d2>\d{1,2})\.?\s{1,3}(?P<m2>" + _MONTH_RE + r"))"
    r"(?:,?\s{1,3}(?P<y>(?:19|20)\d\d))?"
    r"\s{0,3}[.,]?\s{0,3}(?:(?P<agency>[/(\[]\s?" + _AGENCY + r"[/)\]])|(?P<dash>[-–—]))",
    _FLAGS,
)


def clue_dateline(ev: Evidence) -> Iterator[Candidate]:
    sources = [ev.body[:4000]] if ev.body else []
    sources.append(ev.head[:12000])
    for src in sources:
        for line in src.split("\n")[:120]:
            m = _DATELINE.match(line[:300])
            if not m or not m["place"][0].isupper():
                continue
            month = MONTHS[(m["m1"] or m["m2"]).lower()]
            day = int(m["d1"] or m["d2"])
            if m["y"]:
                d = _make(int(m["y"]), month, day)
            else:
                d = _year_for(month, day, ev)
            if d and d <= ev.today:
                yield Candidate(d, "dateline", 80.0 if m["agency"] else 65.0, "dateline")
                return


_WEEKDAY_MENTION = re.compile(r"\b(?:on|last|this|earlier on|late on|early on)\s+"
                              r"(monday|tuesday|wednesday|thursday|friday|saturday|sunday)\b",
                              re.IGNORECASE)
_YEAR_MENTION = re.compile(r"(?<![\d.,/\-])((?:19|20)\d\d)(?![\d.,/\-]\d)")


def _year_for(month: int, day: int, ev: Evidence) -> datetime.date | None:
    """Pick the year of a year-less dateline from evidence in the text.

    Scores each year up to today: full dates elsewhere in the text (strongest, they
    pin the era), the weekday the story says the event fell on (when the story names
    a single weekday, the dateline day is that weekday), years the text mentions.
    Never returns a date after today; without any evidence, the latest past year."""
    text = ev.head
    weekdays = {w.lower() for w in _WEEKDAY_MENTION.findall(text[:6000])}
    weekday = _WEEKDAYS[weekdays.pop()] if len(weekdays) == 1 else None
    year_counts = Counter(int(y) for y in _YEAR_MENTION.findall(text[:12000]))
    full_years = Counter(h.date.year for h in find_dates(text[:12000], day_first=ev.day_first,
                                                         today=ev.today))
    best: tuple[float, int] | None = None
    best_date: datetime.date | None = None
    for year in range(ev.today.year, max(_MIN_YEAR, ev.today.year - 40) - 1, -1):
        d = _make(year, month, day)
        if d is None or d > ev.today:
            continue
        score = 3.0 * full_years.get(year, 0) + 1.0 * min(year_counts.get(year, 0), 3)
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
    r"opublikowano|datum|date)\b", re.IGNORECASE)
_UPDATED_LABEL = re.compile(
    r"(?:updated?|last updated|modified|last modified|revised|aktualisiert|geändert|"
    r"zuletzt|überarbeitet|mis à jour|mise à jour|actualizado|actualizada|actualización|"
    r"aggiornato|bijgewerkt|zaktualizowano)\b", re.IGNORECASE)
_NOISE_LABEL = re.compile(
    r"(?:©|\(c\)|copyright|says:|sagt:|schreibt:|antworten|reply|antwort|kommentar|comment|"
    r"abgerufen|accessed|retrieved|zugriff|gesehen|stand der information|gültig|valid|"
    r"termin|veranstaltung|event|deadline|frist|bis zum|until|ab dem|from|geboren|born|"
    r"gestorben|died|uhr\s*[-–]\s*\d|\d\s*[-–]\s*\d{1,2}\.\d{1,2}\.)", re.IGNORECASE)
_TIME_NEAR = re.compile(r"\b\d{1,2}[:.h]\d\d\b(?:\s?(?:am|pm|uhr|h|Uhr|CET|CEST|MEZ|GMT|UTC|ET|EST|EDT))?",
                        re.IGNORECASE)
_WORD = re.compile(r"[^\W\d_]{2,}")


def _title_line(ev: Evidence) -> int | None:
    """Index of the line that repeats the page title (the article's H1), if any.

    Flattened pages start with the <title>; its core ("Headline | Site" → "Headline")
    reappears as the H1 where the article begins — the byline sits right there."""
    first = next(((i, l.strip()) for i, (_, l) in enumerate(ev.lines) if l.strip()), None)
    if first is None:
        return None
    i0, title = first
    core = re.split(r"\s+[|–—·:»]\s+|\s+-\s+", title)[0].strip().lower()
    if len(core) < 12:
        return None
    core = core[:60]
    for i in range(i0 + 1, min(len(ev.lines), i0 + 1500)):
        line = ev.lines[i][1].strip().lower()
        if line.startswith(core) or (len(line) >= 12 and core.startswith(line[:60]) and len(line) > 0.6 * len(core)):
            return i
    return None


def clue_text(ev: Evidence) -> Iterator[Candidate]:
    """Every full date near the top, scored by its surroundings."""
    hits = find_dates(ev.head, day_first=ev.day_first, today=ev.today)
    if not hits:
        return
    hits = [h for h in hits if h.date <= ev.today]
    if not hits:
        return
    counts = Counter(h.date for h in hits)
    title_i = _title_line(ev)
    line_starts = [o for o, _ in ev.lines]
    import bisect

    total = len(ev.head) or 1
    for rank, h in enumerate(hits[:200]):
        li = bisect.bisect_right(line_starts, h.start) - 1
        offset, line = ev.lines[li]
        before = line[max(0, h.start - offset - 60):h.start - offset]
        after = line[h.end - offset:h.end - offset + 40]
        prev_line = ev.lines[li - 1][1][-60:] if li > 0 else ""
        if not before.strip() and prev_line.strip():
            context_before = prev_line
        else:
            context_before = before
        rest = (line[:h.start - offset] + line[h.end - offset:]).strip()
        words = len(_WORD.findall(rest))
        score = 10.0
        why = []
        labelled = False
        if _UPDATED_LABEL.search(before[-40:]) or (not before.strip() and _UPDATED_LABEL.search(prev_line[-30:])):
            score -= 12
            why.append("updated")
        elif _STRONG_PUBLISHED.search(context_before[-45:]):
            score += 14
            labelled = True
            why.append("published")
        elif _PUBLISHED_LABEL.search(context_before[-30:]):
            score += 5
            labelled = True
            why.append("label")
        if _NOISE_LABEL.search(before[-40:]) or _NOISE_LABEL.search(after[:25]):
            score -= 10
            why.append("noise")
        # A byline: a short line that is mostly the date (maybe an author or a time).
        if words <= 6:
            score += 6
            why.append("short")
        elif words <= 14:
            score += 2
        else:
            score -= 4  # inside prose: an event date, not the publication date
        if _TIME_NEAR.search(after[:20]) or _TIME_NEAR.search(before[-14:]):
            score += 3
            why.append("time")
        # Position: bylines sit at the title; sidebars and comments come later.
        if title_i is not None:
            dist = li - title_i
            if 0 <= dist <= 12:
                score += 8 - 0.4 * dist
                why.append("at-title")
            elif -6 <= dist < 0:
                score += 2
            elif dist < 0:
                score -= 3  # above the headline: the site's "today" clock, teasers
            else:
                score -= min(dist / 15, 8)
        else:
            score -= 6 * (h.start / total)
        score -= min(rank, 12) * 0.35  # earlier dates are likelier bylines
        if counts[h.date] > 1:
            score += min(counts[h.date] - 1, 3) * 1.0
        source = "header" if (labelled or words <= 6) else "text"
        yield Candidate(h.date, source, score, ",".join(why))


# --------------------------------------------------------------------------- #
# Clue: HTML metadata via htmldate, plus our reading of the page
# --------------------------------------------------------------------------- #
def clue_html(ev: Evidence) -> Iterator[Candidate]:
    if not ev.html:
        return
    try:
        from htmldate import find_date  # heavy import: only when HTML is given

        found = find_date(ev.html, extensive_search=True, original_date=True,
                          max_date=ev.today.isoformat())
    except Exception:  # htmldate on hostile HTML: evidence missing, not a crash
        found = None
    if found:
        d = parse_date(found, today=ev.today)
        if d and d <= ev.today:
            yield Candidate(d, "meta", 50.0, "htmldate")


CLUES: list[Clue] = [clue_given, clue_html, clue_dateline, clue_url, clue_path, clue_text]


def candidates(ev: Evidence) -> list[Candidate]:
    out: list[Candidate] = []
    for clue in CLUES:
        try:
            out.extend(c for c in clue(ev) if c.date <= ev.today)
        except (ValueError, OverflowError, IndexError, KeyError, RecursionError):
            continue  # one broken clue must not cost the others
    return out


def choose(cands: list[Candidate]) -> Candidate | None:
    """Best candidate; agreement between independent clues adds to the score."""
    if not cands:
        return None
    support: dict[datetime.date, set[str]] = {}
    for c in cands:
        support.setdefault(c.date, set()).add(c.source)
    best = max(cands, key=lambda c: (c.score + 6.0 * (len(support[c.date]) - 1),
                                     -SOURCES.index(c.source) if c.source in SOURCES else -9,
                                     c.date))
    return best


_MIN_TEXT_SCORE = 6.0  # below this a date in the text is more likely an event than the byline


def publication_date(*, text: str, body: str | None = None, url: str | None = None,
                     path: str | None = None, html: str | None = None,
                     given: str | None = None, today: datetime.date | None = None) -> Dated:
    """The article's original publication day and where it came from (see module doc)."""
    today = today or datetime.date.today()
    ev = Evidence.build(text=text if isinstance(text, str) else "", body=body, url=url, path=path,
                        html=html, given=given, today=today)
    cands = [c for c in candidates(ev)
             if not (c.source in ("text", "header") and c.score < _MIN_TEXT_SCORE)]
    best = choose(cands)
    if best is None:
        return Dated(None, None)
    return Dated(best.date, best.source)
