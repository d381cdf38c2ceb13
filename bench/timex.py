"""Temporal-expression benchmark: dateline.timex vs dateparser, one run, one table.

Data: ../shared/data/timex-dev (TempEval-3 platinum TimeML, read in place). The text
is the <TEXT> element with every tag stripped; offsets are into that stripped text;
the document date is the <DCT> value.

    .venv/bin/python bench/timex.py [--data DIR] [--no-dateparser]

Scoring (DATE expressions only):
- gold = TIMEX3 type="DATE"; TIME/DURATION/SET are counted, not scored. A prediction
  that overlaps only a TIME/DURATION/SET expression is neither right nor wrong
  ("Saturday" inside "15:00 GMT Saturday"), the same rule for both systems.
- strict extent: same start and end; relaxed extent: any overlap (one-to-one).
- value accuracy: share of relaxed-matched pairs whose value is equal.
- value F1: a prediction is right when it overlaps a gold DATE with an equal value.
- dateparser: search_dates with RELATIVE_BASE = DCT; its value is the parsed day
  (YYYY-MM-DD), as a day-only normaliser would store it.
"""

from __future__ import annotations

import argparse
import datetime
import re
import sys
import time
import warnings
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dateline.timex import timexes  # noqa: E402

DEFAULT_DATA = ROOT.parent / "shared" / "data" / "timex-dev"
_TAG = re.compile(r"<(/?)(\w+)([^>]*)>")
_ATTR = re.compile(r'(\w+)="([^"]*)"')


class Doc:
    def __init__(self, name: str, text: str, dct: datetime.date, gold: list[tuple[int, int, str, str]]):
        self.name, self.text, self.dct, self.gold = name, text, dct, gold


def load(path: Path) -> Doc:
    raw = path.read_text(encoding="utf-8")
    dct_m = re.search(r"<DCT>.*?value=\"(\d{4}-\d\d-\d\d)", raw, re.S)
    dct = datetime.date.fromisoformat(dct_m[1])
    body = raw[raw.index("<TEXT>") + len("<TEXT>") : raw.index("</TEXT>")]
    parts: list[str] = []
    pos = 0
    length = 0
    gold: list[tuple[int, int, str, str]] = []
    open_timex: tuple[int, dict[str, str]] | None = None
    for m in _TAG.finditer(body):
        chunk = body[pos : m.start()]
        parts.append(chunk)
        length += len(chunk)
        pos = m.end()
        if m[2] != "TIMEX3":
            continue
        if m[1] == "":
            open_timex = (length, dict(_ATTR.findall(m[3])))
        elif open_timex is not None:
            start, attrs = open_timex
            gold.append((start, length, attrs.get("type", ""), attrs.get("value", "")))
            open_timex = None
    parts.append(body[pos:])
    return Doc(path.stem, "".join(parts), dct, gold)


def ours(doc: Doc) -> list[tuple[int, int, str]]:
    return [(t.start, t.end, t.value) for t in timexes(doc.text, doc.dct)]


def dateparser_system(doc: Doc) -> list[tuple[int, int, str]]:
    from dateparser.search import search_dates

    base = datetime.datetime.combine(doc.dct, datetime.time(12))
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        found = search_dates(doc.text, languages=["en"], settings={"RELATIVE_BASE": base}) or []
    out = []
    cursor = 0
    for substring, when in found:
        at = doc.text.find(substring, cursor)
        if at < 0:
            at = doc.text.find(substring)
            if at < 0:
                continue
        else:
            cursor = at + len(substring)
        out.append((at, at + len(substring), when.date().isoformat()))
    return out


def overlaps(a: tuple, b: tuple) -> bool:
    return a[0] < b[1] and b[0] < a[1]


def score(docs: list[Doc], preds: dict[str, list[tuple[int, int, str]]]) -> dict[str, float]:
    n_gold = n_pred = strict = relaxed = value_ok = value_tp = 0
    for doc in docs:
        gold = [g for g in doc.gold if g[2] == "DATE"]
        other = [g for g in doc.gold if g[2] != "DATE"]
        pred = [
            p for p in preds[doc.name] if any(overlaps(p, g) for g in gold) or not any(overlaps(p, o) for o in other)
        ]
        n_gold += len(gold)
        n_pred += len(pred)
        strict += sum(1 for p in pred if any(p[0] == g[0] and p[1] == g[1] for g in gold))
        # One-to-one relaxed matching, greedy in text order (prefer equal values).
        used: set[int] = set()
        used_v: set[int] = set()
        for p in pred:
            cands = [i for i, g in enumerate(gold) if i not in used and overlaps(p, g)]
            if cands:
                i = next((i for i in cands if gold[i][3] == p[2]), cands[0])
                used.add(i)
                relaxed += 1
                value_ok += gold[i][3] == p[2]
            vc = [i for i, g in enumerate(gold) if i not in used_v and overlaps(p, g) and g[3] == p[2]]
            if vc:
                used_v.add(vc[0])
                value_tp += 1

    def f1(tp: int) -> tuple[float, float, float]:
        p = tp / n_pred if n_pred else 0.0
        r = tp / n_gold if n_gold else 0.0
        return p, r, (2 * p * r / (p + r) if p + r else 0.0)

    return {
        "gold": n_gold,
        "pred": n_pred,
        "strict": strict,
        "relaxed": relaxed,
        "value_ok": value_ok,
        "value_tp": value_tp,
        "strict_f1": f1(strict)[2],
        "relaxed_f1": f1(relaxed)[2],
        "value_acc": value_ok / relaxed if relaxed else 0.0,
        "value_p": f1(value_tp)[0],
        "value_r": f1(value_tp)[1],
        "value_f1": f1(value_tp)[2],
    }


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=DEFAULT_DATA)
    ap.add_argument("--no-dateparser", action="store_true")
    ap.add_argument("--errors", action="store_true", help="list our value errors and misses")
    args = ap.parse_args()
    docs = [load(p) for p in sorted(args.data.glob("*.tml"))]
    types = Counter(g[2] for d in docs for g in d.gold)

    systems = {"dateline.timex (ours)": ours}
    if not args.no_dateparser:
        systems["dateparser 1.5.0 search_dates"] = dateparser_system
    rows = []
    for name, fn in systems.items():
        t0 = time.perf_counter()
        preds = {d.name: fn(d) for d in docs}
        elapsed = time.perf_counter() - t0
        s = score(docs, preds)
        rows.append((name, s, len(docs) / elapsed if elapsed else float("inf")))
        if args.errors and fn is ours:
            for d in docs:
                for g in d.gold:
                    if g[2] != "DATE":
                        continue
                    hit = [p for p in preds[d.name] if overlaps(p, g)]
                    got = ",".join(f"{d.text[p[0] : p[1]]!r}={p[2]}" for p in hit) or "MISSED"
                    if not hit or all(p[2] != g[3] for p in hit):
                        print(f"  {d.name}: gold {d.text[g[0] : g[1]]!r}={g[3]}  ours {got}")
                for p in preds[d.name]:
                    if not any(overlaps(p, g) for g in d.gold):
                        print(f"  {d.name}: spurious {d.text[p[0] : p[1]]!r}={p[2]}")

    print(
        f"timex-dev: {len(docs)} documents; gold TIMEX3 by type: "
        + ", ".join(f"{k} {v}" for k, v in sorted(types.items()))
        + " (DATE scored; predictions overlapping only TIME/DURATION/SET are not counted)"
    )
    header = (
        "| system | predicted | strict extent F1 | relaxed extent F1 | value acc. (of matched) "
        "| value P | value R | **value F1** | docs/s |"
    )
    print(header)
    print("|" + "---|" * 9)
    for name, s, speed in rows:
        print(
            f"| {name} | {s['pred']} | {s['strict_f1']:.3f} ({s['strict']}/{s['gold']}) "
            f"| {s['relaxed_f1']:.3f} ({s['relaxed']}/{s['gold']}) "
            f"| {s['value_acc']:.3f} ({s['value_ok']}/{s['relaxed']}) "
            f"| {s['value_p']:.3f} ({s['value_tp']}/{s['pred']}) | {s['value_r']:.3f} ({s['value_tp']}/{s['gold']}) "
            f"| **{s['value_f1']:.3f}** | {speed:,.0f} |"
        )
    print("Target: value F1 >= 0.82 (HeidelTime reference 0.78 over all of TempEval-3).")


if __name__ == "__main__":
    main()
