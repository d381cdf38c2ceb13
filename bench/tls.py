"""Timeline-summarisation benchmark: dateline.timeline on the Timeline17 dev topics, news-tls protocol.

    .venv/bin/python bench/tls.py [--data DIR] [--rouge perl|reimpl] [--train] [--systems ...]

Data: ../shared/data/t17-dev. Outlet folders are grouped into topics by the prefix before
`_` (bpoil, H1N1, haiti, MJ); every topic's articles are merged and each reference
timeline of the topic is one test case. Protocol (Gholipour Ghalandari & Ifrim 2020,
github.com/complementizer/news-tls): N = the reference's number of dates, K = its average
sentences per date rounded, articles clipped to the reference's first and last date. Scores
come from `tilse` (Martschat & Markert): concat, agreement and align+ m:1 ROUGE-1/2 and date
F1, precision and recall averaged over timelines, then F.

What runs: `timeline.summarise` on the benchmark's own sentences (one a line, PTB-tokenised),
with referenced days from `dateline.timex` — not the ingest pipeline (cleaning, sentence
splitting, duplicate folding and the store's full-text selection are not exercised).

Two runs of every system:
  no query     every article of the topic (the news-tls setting)
  query        the topic's words as the query (QUERIES, news-tls's keywords): only articles
               with one of the words, as the store's full-text match selects them, and the
               query handed to `summarise`, as `dateline timeline QUERY` does
Systems, all in the same run:
  random     N random publication dates, first sentence(s) of that day's articles
  pubcount   the N days with most articles, lead sentences
  shipped    dateline.timeline with weights/timeline.json (fitted on all four dev topics)
  loto       every tuned setting chosen on the other three topics (leave one topic out)
Tuning (reimplemented ROUGE, cached per setting and timeline), in three stages, each on the
training topics only and starting from HAND_SET (the values before anything was fitted): the
date ranker from DATE_GRID, then the sentence settings from SENTENCE_GRID, then the query
settings from QUERY_GRID on the query runs. --train rewrites src/dateline/weights/timeline.json
from the fit on all four topics.

Deps (not in the project): pip install --no-deps tilse==0.2.1 && pip install scipy nltk.
The Perl ROUGE-1.5.5 that tilse ships needs: apt-get install -y libxml-parser-perl libwww-perl.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import re
import sys
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dateline import timeline as tlm  # noqa: E402
from dateline import weights  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "t17-dev"
WEIGHTS = weights.path("timeline")

PUBLISHED = {  # whole Timeline17 (all nine topics), as published
    "DATEWISE": {"align_r1": 0.120, "align_r2": 0.035, "date_f1": 0.544},
    "SUnSET": {"align_r1": 0.136, "align_r2": 0.044, "date_f1": 0.576},
}
METRICS = ["concat_r1", "concat_r2", "agree_r1", "agree_r2", "align_r1", "align_r2", "date_f1"]
# The topic words news-tls gives each Timeline17 topic, as a full-text query.
QUERIES = {
    "bpoil": "bp OR oil OR spill",
    "H1N1": "h1n1 OR swine OR flu",
    "haiti": "haiti OR quake OR earthquake",
    "MJ": "michael OR jackson",
}
# Timelines printed one by one: long spans with many candidate days (the error class of the
# unseen Timeline17 topics: wars and crises over months to years).
LONG = (
    "MJ_bbc/bbc.co.uk.txt",
    "bpoil_guardian/guardian.txt",
    "bpoil_reuters/rbpoil.txt",
    "bpoil_washingtonpost/washingtonpost.txt",
)


# ---------------------------------------------------------------------------------------
# Referenced days: dateline.timex when it exists, else a stand-in for PTB-tokenised news

try:  # pragma: no cover - depends on the other engineer's module
    from dateline import timex as _timex  # type: ignore

    def referenced_days(lines: list[str], dct: dt.date) -> list[list[dt.date]]:
        text = "\n".join(lines)
        out: list[list[dt.date]] = [[] for _ in lines]
        spans, start = [], 0
        for line in lines:  # one sentence a line: the spans are the lines
            spans.append((start, start + len(line)))
            start += len(line) + 1
        for i, d in _timex.referenced_days(text, dct, sentences=spans):
            if 0 <= i < len(lines) and d not in out[i]:
                out[i].append(d)
        return out

    TIMEX = "dateline.timex"
except ImportError:
    _timex = None
    TIMEX = "bench stand-in (regex)"

    _MONTHS = {
        m: i + 1
        for i, m in enumerate(
            "january february march april may june july august september october november december".split()
        )
    }
    _MONTHS.update({m[:3]: i for m, i in list(_MONTHS.items())})
    _MONTHS["sept"] = 9
    _MON = (
        r"(january|february|march|april|may|june|july|august|september|october|november|december|"
        r"jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec)\.?"
    )
    _MD = re.compile(r"\b" + _MON + r" (\d{1,2})(?:st|nd|rd|th)?\b(?: ,? ?(\d{4})\b)?", re.I)
    _DM = re.compile(r"\b(\d{1,2})(?:st|nd|rd|th)? (?:of )?" + _MON + r"(?: ,? ?(\d{4})\b)?", re.I)
    _WD = {w: i for i, w in enumerate("monday tuesday wednesday thursday friday saturday sunday".split())}
    _WDRE = re.compile(
        r"\b(last |next |this |on |since |until |by )?(monday|tuesday|wednesday|thursday|"
        r"friday|saturday|sunday)\b",
        re.I,
    )
    _REL = re.compile(
        r"\b(yesterday|today|tonight|last night|this morning|this afternoon|"
        r"this evening|tomorrow)\b",
        re.I,
    )
    _FUTURE = re.compile(r"\b(will|'ll|shall|expected to|plans? to|is to|are to|due to)\b", re.I)

    def _mk(y: int, m: int, d: int) -> dt.date | None:
        try:
            return dt.date(y, m, d)
        except ValueError:
            return None

    def _near_year(m: int, d: int, dct: dt.date) -> dt.date | None:
        best = None
        for y in (dct.year - 1, dct.year, dct.year + 1):
            c = _mk(y, m, d)
            if c and (best is None or abs((c - dct).days) < abs((best - dct).days)):
                best = c
        return best

    def _sentence_days(s: str, dct: dt.date) -> list[dt.date]:
        out: list[dt.date] = []
        spans = []
        for rx, order in ((_MD, "md"), (_DM, "dm")):
            for m in rx.finditer(s):
                if any(a < m.end() and m.start() < b for a, b in spans):
                    continue
                if order == "md":
                    mon, day, year = m.group(1), m.group(2), m.group(3)
                else:
                    day, mon, year = m.group(1), m.group(2), m.group(3)
                if mon.lower() == "may" and order == "md" and not year and int(day) > 31:
                    continue
                mo = _MONTHS[mon.lower().rstrip(".")]
                d = _mk(int(year), mo, int(day)) if year else _near_year(mo, int(day), dct)
                if d:
                    spans.append((m.start(), m.end()))
                    out.append(d)
        future = bool(_FUTURE.search(s))
        for m in _WDRE.finditer(s):
            if any(a <= m.start() < b for a, b in spans):
                continue
            mod = (m.group(1) or "").strip().lower()
            target = _WD[m.group(2).lower()]
            delta = (dct.weekday() - target) % 7
            if mod == "next" or (future and mod != "last" and mod != "since"):
                ahead = (target - dct.weekday()) % 7 or 7
                out.append(dct + dt.timedelta(days=ahead))
            else:
                if mod == "last" and delta == 0:
                    delta = 7
                out.append(dct - dt.timedelta(days=delta))
        for m in _REL.finditer(s):
            w = m.group(1).lower()
            if w in ("yesterday", "last night"):
                out.append(dct - dt.timedelta(days=1))
            elif w == "tomorrow":
                out.append(dct + dt.timedelta(days=1))
            else:
                out.append(dct)
        seen: list[dt.date] = []
        for d in out:
            if d not in seen:
                seen.append(d)
        return seen

    def referenced_days(lines: list[str], dct: dt.date) -> list[list[dt.date]]:
        return [_sentence_days(s, dct) for s in lines]


# ---------------------------------------------------------------------------------------
# Data


def load_topics(data: Path):
    """{topic: {"sentences": [Sentence...], "timelines": [(name, {date: [sents]})]}}."""
    groups: dict[str, list[Path]] = defaultdict(list)
    for d in sorted(p for p in data.iterdir() if p.is_dir()):
        groups[d.name.split("_", 1)[0]].append(d)
    topics = {}
    for topic, dirs in sorted(groups.items()):
        sents: list[tlm.Sentence] = []
        tls = []
        for d in dirs:
            outlet = d.name.split("_", 1)[1] if "_" in d.name else d.name
            for day_dir in sorted((d / "InputDocs").iterdir()):
                if not day_dir.is_dir():
                    continue
                pub = dt.date.fromisoformat(day_dir.name)
                for f in sorted(day_dir.iterdir()):
                    if not f.name.endswith(".txt"):
                        continue
                    lines = [ln.strip() for ln in f.read_text("utf-8", errors="replace").splitlines()]
                    lines = [ln for ln in lines if ln]
                    refs = referenced_days(lines, pub)
                    aid = f"{d.name}/{day_dir.name}/{f.name}"
                    for i, (ln, ds) in enumerate(zip(lines, refs)):
                        sents.append(
                            tlm.Sentence(
                                text=ln,
                                article=aid,
                                source=outlet,
                                url=None,
                                title=None,
                                published=pub,
                                dates=tuple(ds),
                                position=i,
                                tokens=tlm.terms(ln),
                            )
                        )
            for tf in sorted((d / "timelines").glob("*.txt")):
                tls.append((f"{d.name}/{tf.name}", parse_timeline(tf)))
        topics[topic] = {"sentences": sents, "timelines": tls}
    return topics


def parse_timeline(path: Path) -> dict[dt.date, list[str]]:
    out: dict[dt.date, list[str]] = {}
    cur = None
    for ln in path.read_text("utf-8", errors="replace").splitlines():
        ln = ln.strip()
        if not ln:
            continue
        if set(ln) == {"-"}:
            cur = None
            continue
        if cur is None and re.fullmatch(r"\d{4}-\d{2}-\d{2}", ln):
            cur = dt.date.fromisoformat(ln)
            out.setdefault(cur, [])
            continue
        if cur is not None:
            out[cur].append(ln)
    return {d: s for d, s in out.items() if s}


def clip(sents, start, end):
    return [s for s in sents if s.published is not None and start <= s.published <= end]


# ---------------------------------------------------------------------------------------
# Systems


def sys_ours(pool, n, k, start, end, params, query=""):
    tl = tlm.summarise(pool, query, max_dates=n, per_date=k, start=start, end=end, params=params)
    return {e.date: [c.text for c in e.sentences] for e in tl.entries}


def _lead_by_day(pool):
    by_day: dict[dt.date, dict[str, list]] = defaultdict(lambda: defaultdict(list))
    for s in pool:
        by_day[s.published][s.article].append(s)
    return by_day


def _lead_sentences(articles: dict[str, list], k: int) -> list[str]:
    out = []
    for aid in sorted(articles):
        first = min(articles[aid], key=lambda s: s.position)
        out.append(first.text)
        if len(out) == k:
            break
    return out


def sys_random(pool, n, k, seed):
    by_day = _lead_by_day(pool)
    days = sorted(by_day)
    rng = random.Random(seed)
    picked = rng.sample(days, min(n, len(days)))
    return {d: _lead_sentences(by_day[d], k) for d in picked}


def sys_pubcount(pool, n, k):
    by_day = _lead_by_day(pool)
    days = sorted(by_day, key=lambda d: (-len(by_day[d]), d))[:n]
    return {d: _lead_sentences(by_day[d], k) for d in days}


def select(sentences, query: str):
    """The articles a full-text query for any of the words selects (the store's FTS match, approximated)."""
    words = set(tlm.terms(query))
    keep = {s.article for s in sentences if words.intersection(s.tokens)}
    return [s for s in sentences if s.article in keep]


# ---------------------------------------------------------------------------------------
# What tuning may choose from

# Every setting a grid below varies, as it was before anything was chosen on data: the date
# weights were set by hand (sentence counts then, article counts now), the sentence settings
# too, and the query counted in the sentence score with no filter.
HAND_SET = {
    "date_weights": {
        "pub_articles": 0.6,
        "ref_articles": 0.8,
        "ref_later": 1.0,
        "ref_earlier": 0.3,
        "ref_same": 0.3,
        "ref_sources": 0.3,
        "next_pub": 0.3,
        "near_ref": 0.2,
        "near_pub": 0.1,
    },
    "lead": 5,
    "pub_lag": 0,
    "max_tokens": 45,
    "knee": True,
    "query_filter": False,
    "sentence": {"lead": 0.15, "long": 0.1, "referenced": 0.15, "query": 0.5},
}
_ZERO = {name: 0.0 for name in tlm.DATE_FEATURES}
_REFS = {**_ZERO, "ref_articles": 1.0, "ref_later": 1.0}
# Date rankers: the hand-set mix of publication and reference counts, and rankers led by the
# articles that refer to a day (DATEWISE's strongest signal), those written later counted twice.
DATE_GRID = [
    {},  # the hand-set weights
    {"date_weights": {**_ZERO, "ref_articles": 1.0}},
    {"date_weights": _REFS},
    {"date_weights": {**_REFS, "pub_articles": 0.3}},
    {"date_weights": {**_REFS, "ref_sources": 0.3}},
]
# Sentence settings: `lead` = how many leading sentences of an article speak for its
# publication date, `pub_lag` = whether next-day articles' leads also speak for the day before
# (DATEWISE's pub_end), weights of the sentence scorer as in dateline.timeline.DEFAULT_PARAMS.
SENTENCE_GRID = [
    {},  # the hand-set values
    {"pub_lag": 1, "lead": 2, "max_tokens": 30, "sentence": {"long": 0.3, "referenced": -0.1}},
    {"pub_lag": 1, "lead": 6, "knee": False, "sentence": {"lead": 0.0, "long": 0.3}},
    *(
        {"pub_lag": 1, "lead": lead, "max_tokens": longest, "sentence": {"lead": 0.0, "long": 0.3, "referenced": ref}}
        for lead in (6, 10)
        for longest in (30, 45)
        for ref in (0.15, -0.1)
    ),
]
# Query settings, tried on the query runs only (without a query they change nothing): how much a
# sentence naming the query's words gains, and whether a date's sentences are chosen among those
# naming them when there are any (DATEWISE keeps only those and drops a date where none does;
# here the date stays, so that a person's timeline keeps the days the text says "the ambassador").
QUERY_GRID = [
    {"query_filter": flt, "sentence": {"query": weight}} for flt in (False, True) for weight in (0.5, 0.25, 0.1, 0.0)
]


# ---------------------------------------------------------------------------------------
# Scoring


class Scorer:
    def __init__(self, mode: str):
        from tilse.evaluation import rouge

        self.ev = rouge.TimelineRougeEvaluator(
            measures=["rouge_1", "rouge_2"], rouge_computation="original" if mode == "perl" else "reimpl"
        )

    def score(self, pred: dict, ref: dict) -> dict[str, tuple[float, float]]:
        from tilse.data.timelines import GroundTruth, Timeline

        to_dt = lambda m: {dt.datetime(d.year, d.month, d.day): s for d, s in m.items() if s}  # noqa: E731
        p, g = Timeline(to_dt(pred)), GroundTruth([Timeline(to_dt(ref))])
        out = {}
        for name, fn in (
            ("concat", self.ev.evaluate_concat),
            ("agree", self.ev.evaluate_agreement),
            ("align", self.ev.evaluate_align_date_content_costs_many_to_one),
        ):
            r = fn(p, g)
            out[f"{name}_r1"] = (r["rouge_1"]["precision"], r["rouge_1"]["recall"])
            out[f"{name}_r2"] = (r["rouge_2"]["precision"], r["rouge_2"]["recall"])
        pd, rd = set(pred), set(ref)
        shared = len(pd & rd)
        out["date_f1"] = (shared / len(pd) if pd else 0.0, shared / len(rd) if rd else 0.0)
        return out


def average(results: list[dict]) -> dict[str, float]:
    out = {}
    for m in METRICS:
        p = sum(r[m][0] for r in results) / len(results)
        r_ = sum(r[m][1] for r in results) / len(results)
        out[m] = 2 * p * r_ / (p + r_) if p + r_ else 0.0
    return out


def objective(avg: dict[str, float]) -> float:
    # ROUGE-2 is 3-4x smaller than ROUGE-1: weighted so both count alike.
    return avg["align_r1"] + avg["concat_r1"] + 3 * (avg["align_r2"] + avg["concat_r2"])


# ---------------------------------------------------------------------------------------
# Tuning


class Tuner:
    """Scores of settings on timelines (reimplemented ROUGE), each computed once."""

    def __init__(self, cases):
        self.cases = cases  # [(topic, name, ref, n, k, start, end, {mode: (pool, query)})]
        self.scorer = Scorer("reimpl")
        self.cache: dict[tuple[str, str, str], dict] = {}

    def scores(self, params, topics, mode):
        key = json.dumps(params, sort_keys=True)
        out = []
        for topic, name, ref, n, k, start, end, pools in self.cases:
            if topic not in topics:
                continue
            if (key, name, mode) not in self.cache:
                pool, query = pools[mode]
                pred = sys_ours(pool, n, k, start, end, params, query)
                self.cache[key, name, mode] = self.scorer.score(pred, ref)
            out.append(self.cache[key, name, mode])
        return out

    def best(self, base, grid, topics, mode):
        """The grid point that scores best on `topics` (the first of equals: grids start from the simplest)."""
        best, best_val = grid[0], -1.0
        for cand in grid:
            val = objective(average(self.scores(tlm.merge_params(base, cand), topics, mode)))
            if val > best_val + 1e-9:
                best, best_val = cand, val
        return best

    def fit(self, base, topics):
        """Settings chosen on `topics` only: date ranker, then sentences, then the query settings."""
        dates = self.best(base, DATE_GRID, topics, "no query")
        base = tlm.merge_params(base, dates)
        sentences = self.best(base, SENTENCE_GRID, topics, "no query")
        base = tlm.merge_params(base, sentences)
        query = self.best(base, QUERY_GRID, topics, "query")
        return tlm.merge_params(base, query), {"dates": dates, "sentences": sentences, "query": query}


# ---------------------------------------------------------------------------------------


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=DATA)
    ap.add_argument("--rouge", choices=["perl", "reimpl"], default="perl")
    ap.add_argument("--train", action="store_true", help="rewrite weights/timeline.json from all dev topics")
    ap.add_argument("--systems", default="random,pubcount,shipped,loto")
    ap.add_argument("--modes", default="no query,query")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2

    t0 = time.time()
    topics = load_topics(args.data)
    n_sent = sum(len(t["sentences"]) for t in topics.values())
    print(
        f"loaded {len(topics)} topics, {n_sent} sentences, "
        f"{sum(len(t['timelines']) for t in topics.values())} timelines in {time.time() - t0:.1f}s; "
        f"referenced days: {TIMEX}",
        file=sys.stderr,
    )
    cases = []
    for topic, t in topics.items():
        for name, ref in t["timelines"]:
            start, end = min(ref), max(ref)
            pool = clip(t["sentences"], start, end)
            k = round(sum(len(v) for v in ref.values()) / len(ref))
            pools = {"no query": (pool, ""), "query": (select(pool, QUERIES[topic]), QUERIES[topic])}
            cases.append((topic, name, ref, len(ref), k, start, end, pools))

    systems = args.systems.split(",")
    modes = args.modes.split(",")
    base = tlm.merge_params(tlm.DEFAULT_PARAMS, HAND_SET)
    tuner = Tuner(cases)
    if args.train:
        trained, chosen = tuner.fit(base, set(topics))
        note = weights.load("timeline")["_note"]
        WEIGHTS.write_text(json.dumps({"_note": note, **trained}, indent=1) + "\n")
        print(f"wrote {WEIGHTS}: {json.dumps(chosen)}", file=sys.stderr)
    shipped = tlm.load_params(str(WEIGHTS))
    held_out = {}
    if "loto" in systems:
        for topic in topics:
            held_out[topic], chosen = tuner.fit(base, set(topics) - {topic})
            print(f"loto {topic}: {json.dumps(chosen)}", file=sys.stderr)

    scorer = Scorer(args.rouge)
    results = {m: {s: defaultdict(list) for s in systems} for m in modes}
    timing = []
    for ti, (topic, name, ref, n, k, start, end, pools) in enumerate(cases):
        for mode in modes:
            pool, query = pools[mode]
            for s in systems:
                t1 = time.time()
                if s == "random":
                    pred = sys_random(pool, n, k, seed=ti)
                elif s == "pubcount":
                    pred = sys_pubcount(pool, n, k)
                else:
                    pred = sys_ours(pool, n, k, start, end, shipped if s == "shipped" else held_out[topic], query)
                    timing.append((len(pool), time.time() - t1))
                sc = scorer.score(pred, ref)
                for group in ("ALL", topic, name):
                    results[mode][s][group].append(sc)
        print(f"  {topic} {name}: N={n} K={k} sentences={len(pools['no query'][0])}", file=sys.stderr)

    label = "Perl ROUGE-1.5.5" if args.rouge == "perl" else "tilse reimpl"
    groups = ["ALL"] + sorted(topics) + [name for name in LONG if any(c[1] == name for c in cases)]
    for mode in modes:
        print(f"\n## Timeline17 dev, news-tls protocol, {mode}, ROUGE = {label} (referenced days: {TIMEX})\n")
        print("| system | topic / timeline | " + " | ".join(METRICS) + " |")
        print("|" + "---|" * (len(METRICS) + 2))
        for group in groups:
            for s in systems:
                avg = average(results[mode][s][group])
                print(f"| {s} | {group} | " + " | ".join(f"{avg[x]:.3f}" for x in METRICS) + " |")
        for name, fig in PUBLISHED.items():
            print(
                f"| {name} (published, all of T17) | T17 | "
                + " | ".join(f"{fig[x]:.3f}" if x in fig else "—" for x in METRICS)
                + " |"
            )
    if timing:
        big = max(timing, key=lambda t: t[1])
        print(
            f"\nsummarise time: max {big[1] * 1000:.0f} ms on {big[0]} sentences; "
            f"mean {1000 * sum(t for _, t in timing) / len(timing):.0f} ms"
        )
    print(f"\nshipped: {json.dumps({k: v for k, v in shipped.items() if k != 'sentence'})}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
