"""Temporal expressions in article text, normalised against the publication date.

`timexes(text, dct)` finds the date expressions an English news article writes —
absolute ("16 June 2021", "June 16", "in 1998", "May 2010", "the 1990s"),
relative ("on Friday", "yesterday", "late last week", "last month", "35 years
ago", "early this year") and vague ("now", "recently") — and gives each a
TimeML-style value ("2021-06-16", "2021-06", "2021", "2021-W28", "2012-SU",
"2013-Q1", "199", "PAST_REF").

Extents follow TimeML: prepositions stay out ("on Friday" → "Friday"),
determiners and modifiers stay in ("the last week", "early December", "late
last July").

Underspecified expressions are anchored on the publication date (`dct`), and
the direction comes from the tense around them: "told reporters on Friday" is
the last Friday (the dct itself when it is a Friday), "will fly … March 20" the
next March 20. With no tense cue, the candidate nearest the dct wins — which is
also what a proposal reads as ("talks on Friday or on Monday", written on a
Saturday: the day before and the day after next).

Without a dct only expressions that write their year are returned.

Speed and hostile input: one precompiled alternation scans the text once (no
per-token Python loop); every quantifier is bounded; a match whose arithmetic
fails (February 30, a dct near year 1 or 9999) is dropped, never raised.

Granularity is the unit of `value`: "day", "week" (also weekends,
"2021-W28-WE"), "month" (also seasons "2012-SU" and quarters "2013-Q1", which
span months), "year" (also decades "199" and centuries "19": the value is a
year prefix), "vague" (PAST_REF / PRESENT_REF / FUTURE_REF).
"""

from __future__ import annotations

import bisect
import datetime
import re
from collections.abc import Callable
from dataclasses import dataclass

from dateline.dates import MONTHS
from dateline.text import split_sentences

__all__ = ["Timex", "timexes", "referenced_days"]

GRANULARITIES = ("day", "week", "month", "year", "vague")


@dataclass(slots=True, frozen=True)
class Timex:
    start: int  # character offsets into the text
    end: int
    text: str  # as written
    value: str  # TimeML-style value
    granularity: str  # "day" | "week" | "month" | "year" | "vague"
    day: datetime.date | None  # the day when granularity == "day", else None


# --------------------------------------------------------------------------- #
# Vocabulary
# --------------------------------------------------------------------------- #
_MONTH_FULL = "January|February|March|April|May|June|July|August|September|October|November|December"
# Abbreviations only count next to a day or a year ("Aug. 4", "Sept 2019").
_MONTH_ABBR = r"(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?"
_MONTH_ANY = rf"(?:{_MONTH_FULL}|{_MONTH_ABBR})"
_WEEKDAY = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_WEEKDAYS = {w: i for i, w in enumerate(_WEEKDAY.lower().split("|"))}
_DAYNUM = r"(?:[12]\d|3[01]|0?[1-9])(?:st|nd|rd|th)?(?![\d:])"
_YEAR4 = r"(?:1[0-9]\d\d|20\d\d)(?!\d)"
_PART = r"(?:\s(?:morning|afternoon|evening|night))?"
# Modifiers TimeML keeps inside the extent (mod="START"/"MID"/"END").
_MOD = (
    r"(?:(?:[Ee]arly|[Ll]ate|[Mm]id|[Tt]he\s(?:end|beginning|start|middle)\sof(?:\sthe)?)"
    r"[\s-]{1,2})?"
)
_REL = r"(?:[Tt]his|[Ll]ast|[Nn]ext|[Tt]he\slast|[Tt]he\sprevious|[Tt]he\snext|[Tt]he\scurrent)"
_NUMWORDS = {
    "a": 1,
    "an": 1,
    "one": 1,
    "two": 2,
    "three": 3,
    "four": 4,
    "five": 5,
    "six": 6,
    "seven": 7,
    "eight": 8,
    "nine": 9,
    "ten": 10,
    "eleven": 11,
    "twelve": 12,
    "fifteen": 15,
    "twenty": 20,
    "thirty": 30,
    "forty": 40,
    "fifty": 50,
    "hundred": 100,
}
_VAGUE_QTY = ("few", "several", "some", "many", "couple")
_SEASONS = {"spring": "SP", "summer": "SU", "autumn": "FA", "fall": "FA", "winter": "WI"}
_SEASON_START = {"SP": 3, "SU": 6, "FA": 9, "WI": 12}
_ORDINALS = {"first": 1, "1st": 1, "second": 2, "2nd": 2, "third": 3, "3rd": 3, "fourth": 4, "4th": 4, "final": 4}
_CENTURY_WORDS = {"nineteenth": 19, "twentieth": 20, "twenty-first": 21, "eighteenth": 18}

# One alternation, most specific branch first: at a given position the first branch
# that matches wins, so "March 22, 2013" must be tried before "March 22" before "March".
_PATTERN = re.compile(
    "|".join(
        [
            # 2013-03-22
            r"(?P<iso>(?<![\d-])(?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)(?![\d-]))",
            # 03/22/2013 (English: month first unless impossible)
            r"(?P<num>(?<![\d/])(?P<num_a>[01]?\d)/(?P<num_b>[0-3]?\d)/(?P<num_y>(?:19|20)\d\d)(?![\d/]))",
            # Friday, March 22, 2013 / March 22, 2013 / Mar. 22 / March 22
            rf"(?P<mdy>(?:(?:{_WEEKDAY})\s?,?\s)?{_MOD}(?P<mdy_m>{_MONTH_ANY})\s(?P<mdy_d>{_DAYNUM})"
            rf"(?:\s?,?\s(?P<mdy_y>{_YEAR4}))?)",
            # Friday 22 March 2013 / 16 June / the 16th of June
            rf"(?P<dmy>(?:(?:{_WEEKDAY})\s?,?\s)?(?:the\s)?(?P<dmy_d>{_DAYNUM})\s(?:of\s)?"
            rf"(?P<dmy_m>{_MONTH_ANY})(?:\s?,?\s(?P<dmy_y>{_YEAR4}))?(?![\w]))",
            # May 2010 / March of 2013 / late last July / early December / this June
            rf"(?P<my>{_MOD}(?P<my_rel>(?:[Tt]his|[Ll]ast|[Nn]ext)\s)?(?P<my_m>{_MONTH_FULL}|"
            rf"{_MONTH_ABBR}(?=,?\s(?:of\s)?{_YEAR4}))(?:,?\s(?:of\s)?(?P<my_y>{_YEAR4}))?(?!\w))",
            # last Friday / Friday / Friday night
            rf"(?P<wd>(?P<wd_rel>(?:[Ll]ast|[Nn]ext|[Tt]his|[Pp]ast)\s)?(?P<wd_w>{_WEEKDAY})(?!\w){_PART})",
            # yesterday / today / tomorrow / tonight / last night / this morning
            r"(?P<dayword>(?:[Tt]he\sday\sbefore\s|[Tt]he\sday\safter\s)?"
            r"(?P<dayword_w>[Yy]esterday|[Tt]oday|[Tt]omorrow|[Tt]onight)(?!\w)" + _PART + ")",
            r"(?P<daypart>(?P<daypart_rel>[Ll]ast|[Tt]his)\s(?:night|morning|afternoon|evening)(?!\w))",
            # last week / this month / early this year / the last week / late last week / this fiscal year
            rf"(?P<rel>{_MOD}(?:(?:[Ee]arlier|[Ll]ater)\s)?(?P<rel_r>{_REL})\s(?:fiscal\s|calendar\s)?"
            r"(?P<rel_u>week(?:end)?|month|year|quarter|decade|century)(?!\w))",
            # the end of the year / the end of year (no "this"/"last": the year around the dct)
            r"(?P<edge>[Tt]he\s(?P<edge_w>end|beginning|start|middle)\sof\s(?:the\s)?"
            r"(?P<edge_u>year|month|week)(?!\w)(?!\sof\b)(?!\s(?:before|after|ago|earlier)\b))",
            # six years ago / a few days ago / 35 years ago
            r"(?P<ago>(?P<ago_n>\d{1,4}|[Aa]n?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|"
            r"[Ee]ight|[Nn]ine|[Tt]en|[Ee]leven|[Tt]welve|[Ff]ifteen|[Tt]wenty|[Tt]hirty|[Ff]orty|"
            r"[Ff]ifty|(?:a\s)?[Hh]undred|(?:a\s)?[Ff]ew|[Ss]everal|[Ss]ome|[Mm]any|a\scouple\sof)"
            r"\s(?P<ago_u>day|week|month|year|decade)s?\sago(?!\w))",
            # last summer / the summer of 2012 / this winter / early spring 2020
            r"(?P<season>" + _MOD + r"(?P<season_rel>(?:[Tt]his|[Ll]ast|[Nn]ext|[Tt]he)\s)?"
            r"(?P<season_w>[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|[Ww]inter)(?!\w)"
            r"(?:,?\s(?:of\s)?(?:(?P<season_y>" + _YEAR4 + r")|(?P<season_this>this\syear|last\syear)))?)",
            # the first quarter (of 2013) / Q1 2013
            r"(?P<quarter>(?:[Tt]he\s)?(?P<quarter_o>first|second|third|fourth|1st|2nd|3rd|4th|final)"
            r"\squarter(?!\w)(?:\sof\s(?:(?P<quarter_y>" + _YEAR4 + r")|(?P<quarter_this>this\syear|last\syear)))?)",
            r"(?P<qshort>(?<!\w)Q(?P<qshort_n>[1-4])\s(?P<qshort_y>" + _YEAR4 + r"))",
            # the 1990s / the '90s / mid-1990s
            r"(?P<decade>(?:[Tt]he\s)?" + _MOD + r"(?P<decade_y>(?:1[5-9]|20)\d)0s(?!\w))",
            r"(?P<decade2>(?:[Tt]he\s)?" + _MOD + r"'(?P<decade2_y>\d)0s(?!\w))",
            # the 20th century / the twentieth century
            r"(?P<century>(?:[Tt]he\s)?" + _MOD + r"(?P<century_n>1[0-9]|2[01]|nineteenth|twentieth|twenty-first|"
            r"eighteenth)(?:st|nd|rd|th)?[\s-][Cc]entury(?!\w))",
            # now / currently / recently / the future
            r"(?P<vague>(?<!\w)(?:[Nn]ow|[Cc]urrently|[Nn]owadays|[Rr]ecently|[Tt]he\spast(?!\s\w)|[Tt]he\sfuture(?!\s\w)|"
            r"[Aa]t\spresent|[Aa]t\sthe\smoment|[Tt]hese\sdays)(?!\w))",
            # 2010 / fiscal 2013 / 1957-58
            r"(?P<year>(?<![\w$€£.,/:#+])(?:(?:[Ff]iscal|FY)\s?)?(?P<year_y>1[5-9]\d\d|20\d\d)(?![\w%])"
            r"(?![.,]\d)(?:[-–](?P<year_2>\d\d)(?![\w%-]))?)",
        ]
    )
)

# Prepositions and modifiers that make a bare month or a bare year read as a date.
_DATE_PREP = frozenset(
    "in on since until till by through throughout from of during before after between and or to "
    "early late mid last next this every each around about circa than for at".split()
)
_YEAR_NOT_BEFORE = re.compile(
    r"\s?(?:percent|per\scent|people|persons|men|women|children|troops|soldiers|votes|members|"
    r"employees|workers|jobs|cases|deaths|homes|houses|students|dollars|euros|pounds|tons|tonnes|"
    r"km|miles|meters|metres|feet|hours|GMT|UTC|BST|EST|hrs|ET\b|units|cars|vehicles|barrels|"
    r"points|seats|acres|square|sq|rpm|calories|yards)\b"
)
_NAME_MONTHS = frozenset(("May", "March", "April", "June", "August"))
# --------------------------------------------------------------------------- #
# Tense: which way an underspecified date points
# --------------------------------------------------------------------------- #
_IRREGULAR_PAST = (
    "said|told|was|were|had|did|met|held|took|left|made|went|came|gave|began|saw|found|got|spoke|"
    "wrote|sent|won|lost|paid|sold|fell|rose|led|brought|bought|thought|felt|kept|heard|ran|"
    "struck|broke|chose|drove|flew|grew|hit|hung|knew|laid|meant|put|read|rang|sat|set|shot|"
    "shut|stood|stole|swore|taught|threw|tore|understood|woke|wore|became|ago|earlier|last|"
    "previously|former|yesterday|already|once"
)
_CUE = re.compile(
    r"(?<![\w'])(?:(?P<fut>(?i:will|shall|won't|wo\sn't|'ll|would|going\sto|plans?\sto|planning\sto|"
    r"intends?\sto|expects?\sto|expected|scheduled|slated|"
    r"is\sdue|are\sdue|to\sbe\sheld|upcoming|next|coming|tomorrow|later|ahead|future|"
    r"postponed\s(?:until|to|till)|set\sto|planned))"
    r"|(?P<irr>could|might|may|can|should|must|if|If|(?i:to)\s(?!(?:the|a|an|his|her|its|their|our|my|your|this|that|these|those|it|him|"
    r"them|us|me|date|which|whom)\b)[a-z]{2,}(?<![^s]s)(?![\w]))"
    r"|(?P<past>(?i:"
    + _IRREGULAR_PAST
    + r"|been)|(?<!\bbe\s)(?<!\bis\s)(?<!\bare\s)(?<!\bbeen\s)(?<!\bbeing\s)(?!(?i:need|feed|speed|seed|breed|bed|red|shed|"
    r"hundred|indeed|proceed|exceed|succeed|embed|sacred)\b)[A-Za-z][a-z]+ed))(?![\w'])|(?P<fut2>(?<=\w)['’]ll\b)"
)
_WINDOW = 90  # characters of context read on either side for a tense cue
_CLAUSE_END = re.compile(r"[.!?;]\s|\n")

PAST, FUTURE, NEUTRAL = -1, 1, 0


def _tense(text: str, start: int, end: int) -> int:
    """The direction of the nearest tense cue: left of the expression first, else right."""
    lo = max(0, start - _WINDOW)
    left = text[lo:start]
    cut = None
    for cut in _CLAUSE_END.finditer(left):
        pass
    if cut is not None:
        left = left[cut.end() :]
    last = None
    future_seen = False
    for last in _CUE.finditer(left):
        future_seen = future_seen or last.lastgroup in ("fut", "fut2")
    if last is not None and last.lastgroup == "irr" and future_seen:
        return FUTURE  # "is expected to take place on March 10"
    if last is None:
        right = text[end : end + _WINDOW]
        stop = _CLAUSE_END.search(right)
        if stop:
            right = right[: stop.start()]
        last = _CUE.search(right)
    if last is None or last.lastgroup == "irr":
        return NEUTRAL
    return FUTURE if last.lastgroup in ("fut", "fut2") else PAST


# --------------------------------------------------------------------------- #
# Anchoring
# --------------------------------------------------------------------------- #
def _pick(cands: list, dct_key, direction: int, key: Callable) -> object:
    """The candidate nearest the dct in the direction asked (inclusive); nearest if neutral."""
    if direction == PAST:
        ok = [c for c in cands if key(c) <= dct_key]
        if ok:
            return max(ok, key=key)
    elif direction == FUTURE:
        ok = [c for c in cands if key(c) >= dct_key]
        if ok:
            return min(ok, key=key)

    def distance(c):  # ties go to the past: news reports more than it announces
        k = key(c)
        return (abs(k - dct_key), k > dct_key)

    return min(cands, key=distance)


def _month_day(month: int, day: int, dct: datetime.date, direction: int) -> datetime.date | None:
    cands = []
    for year in (dct.year - 1, dct.year, dct.year + 1):
        try:
            cands.append(datetime.date(year, month, day))
        except ValueError:  # February 29 in a common year, out-of-range years
            continue
    if not cands:
        return None
    return _pick(cands, dct.toordinal(), direction, lambda d: d.toordinal())


def _month_index(year: int, month: int) -> int:
    return year * 12 + month - 1


def _month(month: int, dct: datetime.date, direction: int) -> tuple[int, int]:
    now = _month_index(dct.year, dct.month)
    cands = [_month_index(y, month) for y in (dct.year - 1, dct.year, dct.year + 1)]
    best = _pick(cands, now, direction, lambda k: k)
    return divmod(best, 12)[0], best % 12 + 1


def _weekday(wd: int, dct: datetime.date, direction: int) -> datetime.date:
    back = (dct.weekday() - wd) % 7
    past = dct - datetime.timedelta(days=back)
    future = dct + datetime.timedelta(days=(wd - dct.weekday()) % 7)
    if direction == PAST:
        return past
    if direction == FUTURE:
        return future
    return past if back <= 3 else future  # nearest; 3 days either way: the past


def _week_value(d: datetime.date) -> str:
    year, week, _ = d.isocalendar()
    return f"{year}-W{week:02d}"


def _add_months(year: int, month: int, n: int) -> tuple[int, int]:
    y, m = divmod(_month_index(year, month) + n, 12)
    return y, m + 1


# --------------------------------------------------------------------------- #
# Builders: one per branch; each returns (value, granularity, day) or None.
# --------------------------------------------------------------------------- #
Built = tuple[str, str, "datetime.date | None"] | None


def _day(d: datetime.date) -> Built:
    return d.isoformat(), "day", d


def _b_iso(m, text, dct) -> Built:
    return _day(datetime.date(int(m["iso_y"]), int(m["iso_m"]), int(m["iso_d"])))


def _b_num(m, text, dct) -> Built:
    a, b, y = int(m["num_a"]), int(m["num_b"]), int(m["num_y"])
    month, day = (b, a) if a > 12 else (a, b)
    return _day(datetime.date(y, month, day))


def _month_number(word: str) -> int:
    return MONTHS[word.rstrip(".").lower()]


def _day_number(s: str) -> int:
    return int(s.rstrip("stndrh"))


def _b_date(m, text, dct, p: str) -> Built:
    month, day, year = _month_number(m[p + "_m"]), _day_number(m[p + "_d"]), m[p + "_y"]
    if year:
        return _day(datetime.date(int(year), month, day))
    if dct is None:
        return None
    datetime.date(2000, month, day)  # raises on "June 31": not a date
    d = _month_day(month, day, dct, _tense(text, m.start(), m.end()))
    return _day(d) if d else None


def _b_my(m, text, dct) -> Built:
    word = m["my_m"]
    month = _month_number(word)
    if m["my_y"]:
        return f"{int(m['my_y']):04d}-{month:02d}", "month", None
    if dct is None:
        return None
    rel = (m["my_rel"] or "").strip().lower()
    if not rel and not _bare_month_ok(text, m.start("my_m"), m.end("my_m"), word, m.start() != m.start("my_m")):
        return None
    now = _month_index(dct.year, dct.month)
    if rel == "this":
        y, mo = dct.year, month
    elif rel == "last":  # the most recent one before the current month
        k = max(_month_index(y, month) for y in (dct.year - 1, dct.year) if _month_index(y, month) < now)
        y, mo = divmod(k, 12)[0], month
    elif rel == "next":
        k = min(_month_index(y, month) for y in (dct.year, dct.year + 1) if _month_index(y, month) > now)
        y, mo = divmod(k, 12)[0], month
    else:
        y, mo = _month(month, dct, _tense(text, m.start(), m.end()))
    return f"{y:04d}-{mo:02d}", "month", None


_WORD_BEFORE = re.compile(r"([A-Za-z]+)[\s-]{1,2}$")
_WORD_AFTER = re.compile(r"^\s([A-Za-z]+)")


def _bare_month_ok(text: str, start: int, end: int, word: str, modified: bool) -> bool:
    """'in May' is a month; 'Theresa May', 'May I', 'April Ryan' are not."""
    if modified:
        return True
    before = _WORD_BEFORE.search(text, max(0, start - 20), start)
    if before and before[1].lower() in _DATE_PREP:
        return True
    if word not in _NAME_MONTHS:
        return True
    if before is None:  # sentence start or after punctuation
        return False
    if before[1][0].isupper():
        return False
    after = _WORD_AFTER.search(text[end : end + 20])
    return not (after and after[1][0].isupper())


def _b_wd(m, text, dct) -> Built:
    if dct is None:
        return None
    wd = _WEEKDAYS[m["wd_w"].lower()]
    rel = (m["wd_rel"] or "").strip().lower()
    if rel in ("last", "past"):  # strictly before today
        d = _weekday(wd, dct - datetime.timedelta(days=1), PAST)
    elif rel == "next":  # strictly after today
        d = _weekday(wd, dct + datetime.timedelta(days=1), FUTURE)
    elif rel == "this":
        d = _weekday(wd, dct, NEUTRAL)
    else:
        d = _weekday(wd, dct, _tense(text, m.start(), m.end()))
    return _day(d)


_DAYWORD = {"yesterday": -1, "today": 0, "tomorrow": 1, "tonight": 0}


def _b_dayword(m, text, dct) -> Built:
    if dct is None:
        return None
    offset = _DAYWORD[m["dayword_w"].lower()]
    low = m[0].lower()
    if low.startswith("the day before"):
        offset -= 1
    elif low.startswith("the day after"):
        offset += 1
    return _day(dct + datetime.timedelta(days=offset))


def _b_daypart(m, text, dct) -> Built:
    if dct is None:
        return None
    offset = -1 if (m["daypart_rel"].lower() == "last" and m[0].lower().endswith("night")) else 0
    return _day(dct + datetime.timedelta(days=offset))


def _rel_step(rel: str) -> int:
    rel = rel.lower().replace("the ", "").strip()
    return {"this": 0, "current": 0, "last": -1, "previous": -1, "next": 1}[rel]


def _b_rel(m, text, dct) -> Built:
    if dct is None:
        return None
    step = _rel_step(m["rel_r"])
    unit = m["rel_u"]
    if unit == "week":
        return _week_value(dct + datetime.timedelta(weeks=step)), "week", None
    if unit == "weekend":
        return _week_value(dct + datetime.timedelta(weeks=step)) + "-WE", "week", None
    if unit == "month":
        y, mo = _add_months(dct.year, dct.month, step)
        return f"{y:04d}-{mo:02d}", "month", None
    if unit == "year":
        return f"{dct.year + step:04d}", "year", None
    if unit == "quarter":
        q = (dct.month - 1) // 3 + step
        y, q = dct.year + q // 4, q % 4
        return f"{y:04d}-Q{q + 1}", "month", None
    if unit == "decade":
        return f"{dct.year // 10 + step:03d}", "year", None
    return f"{dct.year // 100 + step:02d}", "year", None  # century


def _b_edge(m, text, dct) -> Built:
    if dct is None:
        return None
    unit, edge = m["edge_u"], m["edge_w"]
    direction = _tense(text, m.start(), m.end())
    if unit == "year":
        # Reported in the past, "the end of the year" is one that has ended: last year's.
        year = dct.year - 1 if (edge == "end" and direction == PAST) else dct.year
        return f"{year:04d}", "year", None
    if unit == "month":
        y, mo = _add_months(dct.year, dct.month, -1 if (edge == "end" and direction == PAST) else 0)
        return f"{y:04d}-{mo:02d}", "month", None
    return _week_value(dct), "week", None


def _b_ago(m, text, dct) -> Built:
    if dct is None:
        return None
    n_word = m["ago_n"].lower()
    if any(q in n_word for q in _VAGUE_QTY):
        return "PAST_REF", "vague", None
    n = int(n_word) if n_word.isdigit() else _NUMWORDS.get(n_word.replace("a ", ""), None)
    if n is None:
        return "PAST_REF", "vague", None
    unit = m["ago_u"]
    if unit == "day":
        return _day(dct - datetime.timedelta(days=n))
    if unit == "week":
        return _week_value(dct - datetime.timedelta(weeks=n)), "week", None
    if unit == "month":
        y, mo = _add_months(dct.year, dct.month, -n)
        return f"{y:04d}-{mo:02d}", "month", None
    years = n * (10 if unit == "decade" else 1)
    if dct.year - years < 1:
        return None
    return f"{dct.year - years:04d}", "year", None


def _season_year(code: str, rel: str, dct: datetime.date, direction: int) -> int:
    # Seasons as month indices; winter starts in December of its year.
    now = _month_index(dct.year, dct.month)
    starts = [_month_index(y, _SEASON_START[code]) for y in (dct.year - 1, dct.year, dct.year + 1)]
    current = [s for s in starts if s <= now < s + 3]
    if rel == "this":
        return (current[0] // 12) if current else dct.year
    if rel == "last":
        return max(s for s in starts if s + 3 <= now) // 12
    if rel == "next":
        return min(s for s in starts if s > now) // 12
    if current:
        return current[0] // 12
    return _pick(starts, now, direction, lambda s: s) // 12


def _b_season(m, text, dct) -> Built:
    code = _SEASONS[m["season_w"].lower()]
    rel = (m["season_rel"] or "").strip().lower()
    if m["season_y"]:
        return f"{int(m['season_y']):04d}-{code}", "month", None
    if dct is None:
        return None
    if m["season_this"]:
        year = dct.year - (1 if m["season_this"].startswith("last") else 0)
        return f"{year:04d}-{code}", "month", None
    if not rel and m.start() == m.start("season_w"):
        return None  # bare "summer" / "fall": too often not a date ("the fall of the regime")
    if rel == "the" and code == "FA":
        return None
    year = _season_year(code, rel if rel != "the" else "", dct, _tense(text, m.start(), m.end()))
    return f"{year:04d}-{code}", "month", None


def _b_quarter(m, text, dct) -> Built:
    q = _ORDINALS[m["quarter_o"]]
    if m["quarter_y"]:
        return f"{int(m['quarter_y']):04d}-Q{q}", "month", None
    if dct is None:
        return None
    if m["quarter_this"]:
        year = dct.year - (1 if m["quarter_this"].startswith("last") else 0)
    else:
        # A quarter still to come but reported in the past tense is last year's.
        current = (dct.month - 1) // 3 + 1
        past = _tense(text, m.start(), m.end()) == PAST
        year = dct.year - 1 if (past and q > current) else dct.year
    return f"{year:04d}-Q{q}", "month", None


def _b_qshort(m, text, dct) -> Built:
    return f"{int(m['qshort_y']):04d}-Q{m['qshort_n']}", "month", None


def _b_decade(m, text, dct) -> Built:
    return m["decade_y"], "year", None


def _b_decade2(m, text, dct) -> Built:
    if dct is None:
        return None
    d = int(m["decade2_y"])
    # '90s is the 1990s when 2090 has not come yet
    century = dct.year // 100 if d * 10 <= dct.year % 100 else dct.year // 100 - 1
    return f"{century:02d}{d}", "year", None


def _b_century(m, text, dct) -> Built:
    n = m["century_n"].lower()
    c = _CENTURY_WORDS[n] if n in _CENTURY_WORDS else int(n)
    return f"{c - 1:02d}", "year", None


_VAGUE = {
    "now": "PRESENT_REF",
    "currently": "PRESENT_REF",
    "nowadays": "PRESENT_REF",
    "at present": "PRESENT_REF",
    "at the moment": "PRESENT_REF",
    "these days": "PRESENT_REF",
    "recently": "PAST_REF",
    "the past": "PAST_REF",
    "the future": "FUTURE_REF",
}


def _b_vague(m, text, dct) -> Built:
    if dct is None:
        return None
    low = re.sub(r"\s+", " ", m[0].lower())
    if low == "now" and _NOT_NOW.match(text, m.end()):
        return None  # "now that", "now-defunct", "just now,"… mostly still a present, but "now-" is not
    return _VAGUE[low], "vague", None


_NOT_NOW = re.compile(r"-|\s(?:that|on)\b")


def _b_year(m, text, dct) -> Built:
    start = m.start("year_y")
    if start >= 2 and text[start - 1] in "-–" and text[start - 2].isdigit():
        before = text[max(0, start - 6) : start - 1]
        if not re.search(r"(?<!\d)(?:1[5-9]|20)\d\d$", before):
            return None  # 555-2010: a phone number, not a year
    if m.start() == start and _YEAR_NOT_BEFORE.match(text, m.end("year_y")):
        return None
    return m["year_y"], "year", None


_BUILDERS: dict[str, Callable] = {
    "iso": _b_iso,
    "num": _b_num,
    "mdy": lambda m, t, d: _b_date(m, t, d, "mdy"),
    "dmy": lambda m, t, d: _b_date(m, t, d, "dmy"),
    "my": _b_my,
    "wd": _b_wd,
    "dayword": _b_dayword,
    "daypart": _b_daypart,
    "rel": _b_rel,
    "edge": _b_edge,
    "ago": _b_ago,
    "season": _b_season,
    "quarter": _b_quarter,
    "qshort": _b_qshort,
    "decade": _b_decade,
    "decade2": _b_decade2,
    "century": _b_century,
    "vague": _b_vague,
    "year": _b_year,
}
# Speed: the alternation above, tried at every character, costs ~3 µs a character.
# Instead a cheap trigger (a word every expression must contain: a month, a weekday,
# a number, "week", "ago", "now"…) finds the few places worth looking at; the words
# that may precede it ("the end of last", "a few", "early") are walked back over with
# an anchored match on the reversed text, and the full pattern is tried from the
# earliest of them. Only word starts are tried, so "Maybe" never yields "May".
_TRIGGER = re.compile(
    r"\b(?:"
    + _MONTH_FULL
    + "|"
    + _MONTH_ABBR.replace(r"\.?", "")
    + "|"
    + _WEEKDAY
    + r"|[Tt]oday|[Yy]esterday|[Tt]omorrow|[Tt]onight|[Nn]ow|[Cc]urrently|[Nn]owadays|"
    r"[Rr]ecently|present|moment|days|past|future|week|weekend|month|year|quarter|decade|"
    r"[Cc]entury|ago|night|morning|afternoon|evening|[Ss]pring|[Ss]ummer|[Aa]utumn|[Ff]all|"
    r"[Ww]inter|Q[1-4]|\d{1,4}(?:s|st|nd|rd|th)?)\b|'\d0s\b"
)
_PREFIX_WORDS = (
    "the this last next early late mid end beginning start middle of previous current earlier "
    "later fiscal calendar a an few several some many couple day before after past at these "
    "first second third fourth 1st 2nd 3rd 4th final one two three four five six seven eight "
    "nine ten eleven twelve fifteen twenty thirty forty fifty hundred days weeks months years "
    "decades day week month year decade"
).split() + list(_WEEKDAYS)
# Reversed: matched forwards on text[::-1] from the trigger, it walks back over the run
# of words that can open an expression.
_PREFIX_REV = re.compile(
    r"(?:[\s,-]{1,2}(?:"
    + "|".join(sorted((w[::-1] for w in _PREFIX_WORDS), key=len, reverse=True))
    + r"|\d{1,4})(?![\w])){1,6}",
    re.IGNORECASE,
)
_WORD_START = re.compile(r"\b\w")


def _matches(text: str) -> list[re.Match[str]]:
    """Non-overlapping matches of _PATTERN, left to right, at word starts near triggers."""
    out: list[re.Match[str]] = []
    covered = 0
    rev = None
    n = len(text)
    for trig in _TRIGGER.finditer(text):
        pos = trig.start()
        if pos < covered:
            continue
        starts = [pos]
        if pos and (text[pos - 1].isspace() or text[pos - 1] in ",-"):
            if rev is None:
                rev = text[::-1]
            run = _PREFIX_REV.match(rev, n - pos)
            if run:
                lo = max(n - run.end(), covered)
                starts = [w.start() for w in _WORD_START.finditer(text, lo, pos)] + [pos]
        for s in starts:
            m = _PATTERN.match(text, s)
            if m and m.end() > pos:
                out.append(m)
                covered = m.end()
                break
    return out


_MAX_TEXT = 2_000_000  # a news article is far shorter; beyond this we read the head only


def timexes(text: str, dct: datetime.date | None) -> list[Timex]:
    """Every date expression in `text`, in order, normalised against `dct` (see module doc)."""
    if not isinstance(text, str) or not text:
        return []
    if dct is not None and not isinstance(dct, datetime.date):
        dct = None
    if isinstance(dct, datetime.datetime):
        dct = dct.date()
    out: list[Timex] = []
    for m in _matches(text[:_MAX_TEXT]):
        start = m.start()
        kind = m.lastgroup
        try:
            built = _BUILDERS[kind](m, text, dct)
        except (ValueError, OverflowError, KeyError):
            continue
        if built is None:
            continue
        value, granularity, day = built
        if kind == "year" and m["year_2"]:
            # "1957-58": two years, two expressions, as TimeML writes them
            end1 = m.end("year_y")
            out.append(Timex(start, end1, text[start:end1], value, granularity, None))
            first = int(m["year_y"])
            second = first // 100 * 100 + int(m["year_2"])
            if second > first:
                s2, e2 = m.start("year_2"), m.end("year_2")
                out.append(Timex(s2, e2, text[s2:e2], f"{second:04d}", "year", None))
            continue
        out.append(Timex(start, m.end(), m[0], value, granularity, day))
    return out


# --------------------------------------------------------------------------- #
# Sentences and referenced days
# --------------------------------------------------------------------------- #
def referenced_days(
    text: str, dct: datetime.date | None, sentences: list[tuple[int, int]] | None = None
) -> list[tuple[int, datetime.date]]:
    """(sentence index, day) for every day-granularity expression, in text order."""
    spans = sentences if sentences is not None else split_sentences(text)
    if not spans:
        return []
    starts = [s for s, _ in spans]
    out: list[tuple[int, datetime.date]] = []
    for t in timexes(text, dct):
        if t.granularity != "day" or t.day is None:
            continue
        i = bisect.bisect_right(starts, t.start) - 1
        if i < 0 or t.start >= spans[i][1]:
            continue  # outside every given sentence
        out.append((i, t.day))
    return out
