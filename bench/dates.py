"""Publication-date benchmark: dateline.dates vs htmldate vs dateparser, one run, one table.

Data: ../shared/data/dates-dev (htmldate's evaluation pages, BBAW + Media Cloud 2020).
The page is the only input: url.json is never passed to anyone.

    .venv/bin/python bench/dates.py [--data DIR] [--no-dateparser] [--limit N]

Scoring (as in baselines.json): exact day against truth.json; no answer counts as
wrong for accuracy; coverage = share of pages answered; precision = correct / answered.
"""
from __future__ import annotations

import argparse
import datetime
import gzip
import html as html_lib
import json
import signal
import sys
import time
import warnings
from collections import Counter, defaultdict
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dateline.dates import publication_date  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "dates-dev"
DATEPARSER_CHARS = 20_000  # dateparser reads the same head of the page we do
DATEPARSER_SECONDS = 2  # per-page cap; a page that hits it counts as unanswered


def decode(raw: bytes) -> str:
    """Page bytes → text: UTF-8 when it is, else charset detection."""
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    from charset_normalizer import from_bytes

    best = from_bytes(raw).best()
    return str(best) if best is not None else raw.decode("latin-1")


def load(data: Path, limit: int | None) -> tuple[dict[str, str], list[str]]:
    truth: dict[str, str] = json.loads((data / "truth.json").read_text())
    keys = sorted(truth)[:limit] if limit else sorted(truth)
    return truth, keys


# --------------------------------------------------------------------------- #
# Methods. Each returns (predictions {key: "YYYY-MM-DD"|None}, sources, seconds).
# --------------------------------------------------------------------------- #
def ours_html(data: Path, keys: list[str], today: datetime.date):
    import trafilatura

    preds, sources, spent = {}, {}, 0.0
    for key in keys:
        page = decode(gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes()))
        text = trafilatura.extract(page) or ""  # what the clean stage hands over (not timed)
        t0 = time.perf_counter()
        dated = publication_date(text=text, html=page, today=today)
        spent += time.perf_counter() - t0
        preds[key] = dated.date.isoformat() if dated.date else None
        sources[key] = dated.source
    return preds, sources, spent


def ours_text(data: Path, keys: list[str], today: datetime.date):
    texts = {k: (data / "flattened" / f"{k}.txt").read_text(encoding="utf-8") for k in keys}
    preds, sources = {}, {}
    t0 = time.perf_counter()
    for key in keys:
        dated = publication_date(text=texts[key], today=today)
        preds[key] = dated.date.isoformat() if dated.date else None
        sources[key] = dated.source
    return preds, sources, time.perf_counter() - t0


def htmldate_html(data: Path, keys: list[str], today: datetime.date):
    from htmldate import find_date

    preds = {}
    t0 = time.perf_counter()
    for key in keys:
        raw = gzip.decompress((data / "html" / f"{key}.html.gz").read_bytes())
        try:  # htmldate's own loader decodes the bytes
            preds[key] = find_date(raw, extensive_search=True, original_date=True)
        except Exception:
            preds[key] = None
    return preds, {}, time.perf_counter() - t0


def htmldate_text(data: Path, keys: list[str], today: datetime.date):
    from htmldate import find_date

    preds = {}
    t0 = time.perf_counter()
    for key in keys:
        text = (data / "flattened" / f"{key}.txt").read_text(encoding="utf-8")
        wrapped = f"<html><body><pre>{html_lib.escape(text)}</pre></body></html>"
        try:
            preds[key] = find_date(wrapped, extensive_search=True, original_date=True)
        except Exception:
            preds[key] = None
    return preds, {}, time.perf_counter() - t0


class _Timeout(Exception):
    pass


def _alarm(_signum, _frame):
    raise _Timeout


def _dateparser_one(path: str) -> str | None:
    """First hit whose own words name its year (1980-2029), as in baselines.json."""
    import re

    from dateparser.search import search_dates

    text = Path(path).read_text(encoding="utf-8")[:DATEPARSER_CHARS]
    signal.signal(signal.SIGALRM, _alarm)
    signal.alarm(DATEPARSER_SECONDS)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            hits = search_dates(text, settings={"STRICT_PARSING": True,
                                                "PREFER_DATES_FROM": "past"}) or []
    except _Timeout:
        return None
    except Exception:
        return None
    finally:
        signal.alarm(0)
    for words, when in hits:
        if re.search(r"(?<!\d)(?:19[89]\d|20[0-2]\d)(?!\d)", words) and 1980 <= when.year <= 2029:
            return when.date().isoformat()
    return None


def dateparser_text(data: Path, keys: list[str], today: datetime.date):
    paths = [str(data / "flattened" / f"{k}.txt") for k in keys]
    t0 = time.perf_counter()
    with ProcessPoolExecutor() as pool:  # it is slow: use the cores, report wall time
        results = list(pool.map(_dateparser_one, paths, chunksize=8))
    return dict(zip(keys, results)), {}, time.perf_counter() - t0


# --------------------------------------------------------------------------- #
def score(preds: dict[str, str | None], truth: dict[str, str], keys: list[str]) -> dict:
    answered = sum(1 for k in keys if preds.get(k))
    correct = sum(1 for k in keys if preds.get(k) == truth[k])
    n = len(keys)
    return {"accuracy": correct / n, "coverage": answered / n,
            "precision": correct / answered if answered else 0.0, "correct": correct,
            "answered": answered, "pages": n}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--no-dateparser", action="store_true", help="skip the slow dateparser baseline")
    ap.add_argument("--limit", type=int, default=None, help="first N pages only (smoke runs)")
    args = ap.parse_args()
    if not (args.data / "truth.json").exists():
        sys.exit(f"--data {args.data}: no truth.json there (expected ../shared/data/dates-dev)")
    truth, keys = load(args.data, args.limit)
    today = datetime.date.today()

    methods = [
        ("dateline (ours)", "html", ours_html),
        ("htmldate 1.11.0 extensive", "html", htmldate_html),
        ("dateline (ours)", "text", ours_text),
        ("htmldate 1.11.0 extensive", "text", htmldate_text),
    ]
    if not args.no_dateparser:
        methods.append(("dateparser 1.5.0 first dated hit", "text", dateparser_text))

    rows, by_source = [], {}
    for name, kind, fn in methods:
        print(f"running {name} on {kind} ...", file=sys.stderr)
        preds, sources, seconds = fn(args.data, keys, today)
        rows.append((name, kind, score(preds, truth, keys), seconds))
        if sources:
            groups: dict[str | None, list[str]] = defaultdict(list)
            for k in keys:
                groups[sources[k]].append(k)
            by_source[kind] = {src: score(preds, truth, ks) for src, ks in groups.items()}

    n = len(keys)
    print(f"\nPublication date, exact day — {n} pages of {args.data.name} "
          f"(page only, no URL; today={today.isoformat()})\n")
    print(f"{'method':34} {'input':5} {'accuracy':>8} {'coverage':>8} {'precision':>9} "
          f"{'pages/s':>9}")
    print("-" * 78)
    for name, kind, s, seconds in rows:
        rate = n / seconds if seconds else float("inf")
        print(f"{name:34} {kind:5} {s['accuracy']:8.3f} {s['coverage']:8.3f} {s['precision']:9.3f} "
              f"{rate:9.0f}")
    for kind, groups in by_source.items():
        print(f"\n  ours on {kind}, by published_source:")
        print(f"  {'source':10} {'pages':>6} {'share':>6} {'correct':>8} {'precision':>9}")
        for src, s in sorted(groups.items(), key=lambda kv: -kv[1]["pages"]):
            label = src or "(none)"
            prec = s["correct"] / s["pages"] if s["pages"] else 0.0
            print(f"  {label:10} {s['pages']:6d} {s['pages'] / n:6.1%} {s['correct']:8d} {prec:9.3f}")
    print("\nours on html: htmldate's date is one clue (agreement with the page's byline "
          "decides); 'text' timing excludes file reading, 'html' timing excludes trafilatura; "
          f"dateparser: first {DATEPARSER_CHARS} chars, {DATEPARSER_SECONDS}s cap per page, "
          "all cores, wall time.")


if __name__ == "__main__":
    main()
