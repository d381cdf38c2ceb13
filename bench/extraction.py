"""Extraction benchmark: how much article and how little boilerplate `dateline.clean` keeps.

Scores with the ScrapingHub article-extraction-benchmark's own metric (its evaluate.py):
4-gram shingles of `\\w+` tokens (case kept, as there), per page TP/FP/FN normalised to
sum 1, precision and recall macro-averaged over pages, F1 from the macro P and R.

One table, one run:
  raw flattened text       the whole page as a naive scraper saves it (the floor)
  ours, flattened          clean_text on that text (the weights were fit on these pages)
  ours, flattened, CV      clean_text with weights fit on the other folds (held-out estimate)
  ours, nested CV          the same, with the run's threshold and inside vote also chosen on the
                           training folds (an inner CV): what tuning those two costs held out
  ours, HTML               clean_html on the page
  trafilatura reference    trafilatura 2.0.0 output shipped with the data
plus: Timeline17 sentence survival (already clean text must come through) and speed.

    .venv/bin/python bench/extraction.py [--no-cv]

Reads ../shared/data only; copies nothing into the project.
Needs numpy + scikit-learn for the CV row (the `bench` extra).
"""

from __future__ import annotations

import argparse
import dataclasses
import gzip
import json
import re
import statistics
import sys
import time
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

from dateline import clean  # noqa: E402

SHARED = ROOT.parent / "shared"
DATA = SHARED / "data" / "extraction-dev"
T17 = SHARED / "data" / "t17-dev"
SEEDS = SHARED / "seeds"
K_FOLDS = 5

TpFpFn = tuple[float, float, float]
_TOKEN_RE = re.compile(r"\w+", re.UNICODE)


# --- the benchmark's metric ------------------------------------------------------------


def _shingles(text: str, n: int = 4) -> Counter:
    tokens = _TOKEN_RE.findall(text or "")
    return Counter(tuple(tokens[i : i + n]) for i in range(max(1, len(tokens) - n + 1)) if tokens[i : i + n])


def shingle_match(true: str, pred: str) -> TpFpFn:
    """Per-page TP/FP/FN over shingle counts, normalised so long pages weigh no more."""
    t, p = _shingles(true), _shingles(pred)
    tp = fp = fn = 0.0
    for key in t.keys() | p.keys():
        a, b = t.get(key, 0), p.get(key, 0)
        tp += min(a, b)
        fp += max(0, b - a)
        fn += max(0, a - b)
    s = tp + fp + fn
    return (tp / s, fp / s, fn / s) if s else (0.0, 0.0, 0.0)


def _precision(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fp == 0:
        return 0.0
    return tp / (tp + fp)


def _recall(tp: float, fp: float, fn: float) -> float:
    if fp == fn == 0:
        return 1.0
    if tp == fn == 0:
        return 0.0
    return tp / (tp + fn)


def macro_prf(rows: Sequence[TpFpFn]) -> tuple[float, float, float]:
    p = statistics.mean([_precision(*r) for r in rows if r[0] + r[1] > 0] or [0.0])
    r = statistics.mean([_recall(*r) for r in rows if r[0] + r[2] > 0] or [0.0])
    return p, r, (2 * p * r / (p + r) if p + r else 0.0)


# --- data ------------------------------------------------------------------------------


def _truth() -> dict[str, str]:
    data = json.loads((DATA / "ground-truth.json").read_text(encoding="utf-8"))
    return {k: v.get("articleBody") or "" for k, v in sorted(data.items())}


def _flattened(key: str) -> str:
    return (DATA / "flattened" / f"{key}.txt").read_text(encoding="utf-8", errors="replace")


def _html(key: str) -> str:
    raw = gzip.decompress((DATA / "html" / f"{key}.html.gz").read_bytes())
    from charset_normalizer import from_bytes

    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        best = from_bytes(raw).best()
        return str(best) if best is not None else raw.decode("utf-8", "replace")


def score(truth: dict[str, str], predict: Callable[[str], str]) -> tuple[float, float, float]:
    return macro_prf([shingle_match(body, predict(key)) for key, body in truth.items()])


# --- held-out estimate -------------------------------------------------------------------


THRESHOLDS = (0.4, 0.5, 0.6)  # the run's vote to extend it; `inside` ≤ it: the vote to stay inside
INSIDES = (0.3, 0.4, 0.5)


def _settings() -> list[tuple[float, float]]:
    return [(t, i) for t in THRESHOLDS for i in INSIDES if i <= t]


class _Pages:
    """The benchmark's pages as the line classifier's training rows, built once."""

    def __init__(self) -> None:
        import train_lines

        self.fit = train_lines.fit
        self.folds = train_lines.folds
        self.truth = _truth()
        self.texts = {key: _flattened(key) for key in self.truth}
        self.matrices = {key: train_lines.page_matrix(self.texts[key], self.truth[key]) for key in self.truth}
        self.bodies = {key: train_lines.clean_matrix(self.truth[key]) for key in self.truth}
        self.others = [train_lines.clean_matrix(text) for text in train_lines.clean_documents()]

    def model(self, keys: Iterable[str]):
        """The classifier fit on these pages (and the clean articles every fit learns from)."""
        keys = list(keys)
        weights = self.fit([self.matrices[k] for k in keys] + [self.bodies[k] for k in keys] + self.others)
        return clean._model_from_dict(weights)

    def rows(self, model, keys: Iterable[str], setting: tuple[float, float] | None = None) -> dict[str, TpFpFn]:
        if setting is not None:
            model = dataclasses.replace(model, threshold=setting[0], inside=setting[1])
        return {k: shingle_match(self.truth[k], clean._clean_text_with(self.texts[k], None, model).text) for k in keys}


def cross_validate(k: int = K_FOLDS) -> tuple[tuple[float, float, float], tuple[float, float, float], list]:
    """k-fold by page, nested: (held-out P/R/F1 with the shipped threshold and inside, held-out P/R/F1 with
    both chosen on each fold's training pages by an inner (k-1)-fold CV, the settings chosen per fold)."""
    pages = _Pages()
    shipped: dict[str, TpFpFn] = {}
    nested: dict[str, TpFpFn] = {}
    chosen = []
    for held in pages.folds(list(pages.truth), k):
        train = [key for key in pages.truth if key not in held]
        inner: dict[tuple[float, float], dict[str, TpFpFn]] = {s: {} for s in _settings()}
        for inner_held in pages.folds(train, k - 1):
            model = pages.model(key for key in train if key not in inner_held)
            for setting in _settings():
                inner[setting].update(pages.rows(model, inner_held, setting))
        best = max(_settings(), key=lambda s: (macro_prf(list(inner[s].values()))[2], s == _shipped_setting()))
        chosen.append(best)
        model = pages.model(train)
        shipped.update(pages.rows(model, held))
        nested.update(pages.rows(model, held, best))
    return macro_prf([shipped[k] for k in sorted(shipped)]), macro_prf([nested[k] for k in sorted(nested)]), chosen


def _shipped_setting() -> tuple[float, float]:
    model = clean._default_model()
    return model.threshold, model.inside


# --- Timeline17: already clean text must survive --------------------------------------


def t17_survival() -> tuple[float, int, int]:
    """Share of Timeline17 sentences (one a line) that clean_text keeps in the body."""
    kept = total = files = 0
    for path in sorted(T17.glob("*/InputDocs/*/*.txt")):
        text = path.read_text(encoding="utf-8", errors="replace")
        sentences = [line.strip() for line in text.splitlines() if line.strip()]
        body = set(clean.clean_text(text).text.split("\n\n"))
        kept += sum(1 for s in sentences if s in body)
        total += len(sentences)
        files += 1
    return (kept / total if total else 0.0), total, files


def _speed(texts: Iterable[str], repeat: int = 1) -> float:
    texts = list(texts)
    start = time.perf_counter()
    for _ in range(repeat):
        for text in texts:
            clean.clean_text(text)
    return len(texts) * repeat / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--no-cv", action="store_true", help="skip the cross-validation row (needs scikit-learn)")
    args = parser.parse_args()
    truth = _truth()
    reference = json.loads((DATA / "trafilatura-reference.json").read_text(encoding="utf-8"))
    flattened = {key: _flattened(key) for key in truth}

    rows: list[tuple[str, tuple[float, float, float]]] = []
    rows.append(("raw flattened text", score(truth, lambda k: flattened[k])))
    rows.append(("ours, flattened (clean_text)", score(truth, lambda k: clean.clean_text(flattened[k]).text)))
    chosen: list = []
    if not args.no_cv:
        plain, nested, chosen = cross_validate()
        rows.append((f"ours, flattened, {K_FOLDS}-fold CV by page", plain))
        rows.append((f"ours, flattened, nested {K_FOLDS}-fold CV", nested))
    rows.append(("ours, HTML (clean_html)", score(truth, lambda k: clean.clean_html(_html(k)).text)))
    rows.append(
        ("trafilatura 2.0.0 reference, HTML", score(truth, lambda k: (reference.get(k) or {}).get("articleBody") or ""))
    )

    survival, sentences, files = t17_survival()
    seeds = [p.read_text(encoding="utf-8") for p in sorted(SEEDS.glob("*.txt"))]
    pages_per_s = _speed(flattened.values())
    seeds_per_s = _speed(seeds, repeat=200) if seeds else float("nan")
    t17_texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(T17.glob("*/InputDocs/*/*.txt"))[:500]]
    t17_per_s = _speed(t17_texts)

    print(f"extraction-dev: {len(truth)} pages; shingle F1 as in scrapinghub/article-extraction-benchmark")
    print(f"{'system':<38} {'precision':>9} {'recall':>7} {'F1':>7}")
    for name, (p, r, f1) in rows:
        print(f"{name:<38} {p:>9.3f} {r:>7.3f} {f1:>7.3f}")
    if chosen:
        print("nested CV: (threshold, inside) chosen per fold:", ", ".join(f"{t}/{i}" for t, i in chosen))
    print(f"{'t17 sentence survival (clean_text)':<38} {survival:>25.4f}   ({sentences} sentences, {files} files)")
    print(
        f"speed, clean_text: {seeds_per_s:,.0f} seed articles/s, {t17_per_s:,.0f} t17 articles/s, "
        f"{pages_per_s:,.0f} whole flattened pages/s (one core)"
    )


if __name__ == "__main__":
    main()
