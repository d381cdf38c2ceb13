"""Train the line classifier of `dateline.clean` (boilerplate vs article line).

Data: ../shared/data/extraction-dev (ScrapingHub article-extraction benchmark, dev part):
each page flattened to text, and the article body it should give. A line is labelled
"article" when most of its words sit in 4-word shingles that the true body contains —
so short subheadings inside the article count as article, while a "World" between
menu items does not. Only the weights (no text) are written to
src/dateline/weights/lines.json. The seeds are golden tests and are never used here.

Needs numpy + scikit-learn (training only; inference in dateline.clean is pure Python).

    .venv/bin/python bench/train_lines.py            # fit on all pages, write weights, print CV
"""

from __future__ import annotations

import json
import random
import re
import sys
from collections.abc import Iterator, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from dateline import clean  # noqa: E402
from dateline import weights as shipped  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "extraction-dev"
ECB = ROOT.parent / "shared" / "data" / "ecbplus-dev"
THRESHOLD, INSIDE = 0.5, 0.5  # chosen by cross-validation (bench/extraction.py)
C = 0.05  # strong L2: a few dozen features, a few hundred pages — keep weights small and general
_TOKEN_RE = re.compile(r"\w+")


def load_pages(data: Path = DATA) -> Iterator[tuple[str, str, str]]:
    """(key, flattened text, true article body) for each benchmark page, in key order."""
    truth = json.loads((data / "ground-truth.json").read_text(encoding="utf-8"))
    for key in sorted(truth):
        text = (data / "flattened" / f"{key}.txt").read_text(encoding="utf-8", errors="replace")
        yield key, text, truth[key].get("articleBody") or ""


def _shingles(tokens: Sequence[str], n: int = 4) -> set[tuple[str, ...]]:
    return {tuple(tokens[i : i + n]) for i in range(len(tokens) - n + 1)}


def label_lines(lines: Sequence[str], body: str) -> list[int]:
    """1 for lines whose tokens are mostly covered by shingles of the true body.

    Coverage is measured on the page's whole token stream, so a short line is judged with
    its neighbours' words around it (as the benchmark's shingles see it).
    """
    truth = _shingles(_TOKEN_RE.findall(body))
    stream: list[str] = []
    owner: list[int] = []
    for i, line in enumerate(lines):
        tokens = _TOKEN_RE.findall(line)
        stream.extend(tokens)
        owner.extend([i] * len(tokens))
    covered = [False] * len(stream)
    for j in range(len(stream) - 3):
        if tuple(stream[j : j + 4]) in truth:
            for k in range(j, j + 4):
                covered[k] = True
    hits = [0] * len(lines)
    counts = [0] * len(lines)
    for j, i in enumerate(owner):
        counts[i] += 1
        hits[i] += covered[j]
    return [int(c > 0 and h / c >= 0.5) for h, c in zip(hits, counts)]


Page = tuple[list[list[float]], list[int], list[float], list[int]]  # features, labels, weights, lengths


def page_matrix(text: str, body: str) -> Page:
    """Features, labels, sample weights and lengths of the lines of one page."""
    lines, before, after = clean._split_lines(text)
    features = clean.line_features(lines, before, after)
    labels = label_lines(lines, body)
    lengths = [min(len(line), 2000) for line in lines]
    return features, labels, [float(n) for n in lengths], lengths


def fit_linear(
    rows: Sequence[tuple[list[list[float]], list[int], list[float]]], names: Sequence[str], c: float = C
) -> dict:
    """Standardised L2 logistic regression; lines weighted by sqrt(length) so that prose
    lines (which carry the shingles) count more than one-word menu items, but not linearly."""
    import numpy as np
    from sklearn.linear_model import LogisticRegression

    x = np.array([f for feats, _, _ in rows for f in feats], dtype=float)
    y = np.array([label for _, labels, _ in rows for label in labels], dtype=int)
    w = np.sqrt(np.array([v for _, _, weights in rows for v in weights], dtype=float))
    mean = x.mean(axis=0)
    scale = x.std(axis=0)
    scale[scale == 0] = 1.0
    model = LogisticRegression(C=c, max_iter=2000)
    model.fit((x - mean) / scale, y, sample_weight=w / w.mean())
    return {
        "features": list(names),
        "mean": [round(float(v), 6) for v in mean],
        "scale": [round(float(v), 6) for v in scale],
        "coef": [round(float(v), 6) for v in model.coef_[0]],
        "intercept": round(float(model.intercept_[0]), 6),
    }


def fit(pages: Sequence[Page], c: float = C, inner: int = 5) -> dict:
    """Both stages. Stage 2 learns from stage-1 votes made out of fold (inner k-fold by
    page), so it sees votes as confident as they will be on unseen pages, not more."""
    lines = fit_linear([p[:3] for p in pages], clean.FEATURE_NAMES, c)
    stacked: list[tuple[list[list[float]], list[int], list[float]]] = []
    for fold in range(inner):
        train = [p[:3] for i, p in enumerate(pages) if i % inner != fold]
        model = clean._Linear.from_dict(fit_linear(train, clean.FEATURE_NAMES, c), clean.FEATURE_NAMES)
        for i in range(fold, len(pages), inner):
            features, labels, weights, lengths = pages[i]
            votes = [model.probability(f) for f in features]
            stacked.append((clean.stacked_features(votes, lengths), labels, weights))
    stack = fit_linear(stacked, clean.STACK_NAMES, c)
    return {
        "lines": lines,
        "stack": stack,
        "threshold": THRESHOLD,
        "inside": INSIDE,
        "trained_on": "ScrapingHub article-extraction-benchmark dev pages (flattened) + ECB+ dev texts as clean articles",
        "c": c,
    }


_SENTENCE_SPLIT_RE = re.compile(r"(?:(?<=[.!?])|(?<=[.!?][\"'”’]))\s+(?=[\"“‘A-Z0-9])")


def clean_documents(data: Path = ECB) -> Iterator[str]:
    """Already clean articles (ECB+ news, another corpus than the test's): taught as all-article
    so that clean input — one paragraph or one sentence a line, with or without blank lines —
    comes through whole. Deterministic layout variety by file order."""
    paths = sorted(data.glob("*/*.json"))
    for n, path in enumerate(paths):
        doc = json.loads(path.read_text(encoding="utf-8"))
        text = (doc.get("text") or "").strip()
        if not text:
            continue
        sentences = _SENTENCE_SPLIT_RE.split(text) if n % 3 else [text]
        yield ("\n\n" if n % 2 else "\n").join(s.strip() for s in sentences if s.strip())


CLEAN_WEIGHT = 0.3  # clean articles are many and easy: they must not outvote the scraped pages


def clean_matrix(text: str) -> Page:
    lines, before, after = clean._split_lines(text)
    lengths = [min(len(line), 2000) for line in lines]
    weights = [CLEAN_WEIGHT * n for n in lengths]
    return clean.line_features(lines, before, after), [1] * len(lines), weights, lengths


def folds(keys: Sequence[str], k: int, seed: int = 13) -> list[set[str]]:
    """k page-disjoint folds, deterministic."""
    order = sorted(keys)
    random.Random(seed).shuffle(order)
    return [set(order[i::k]) for i in range(k)]


def main() -> None:
    pages = list(load_pages())
    matrices = [page_matrix(text, body) for _, text, body in pages]
    matrices += [clean_matrix(body) for _, _, body in pages]
    matrices += [clean_matrix(text) for text in clean_documents()]
    weights = fit(matrices)
    target = shipped.path("lines")
    target.write_text(json.dumps(weights, indent=1) + "\n", encoding="utf-8")
    print(f"wrote {target.relative_to(ROOT)} ({len(pages)} pages, {sum(len(m[1]) for m in matrices)} lines)")
    for stage in ("lines", "stack"):
        print(f"{stage}:")
        for name, coef in sorted(zip(weights[stage]["features"], weights[stage]["coef"]), key=lambda t: -abs(t[1])):
            print(f"  {name:<22} {coef:+.3f}")
    sys.path.insert(0, str(ROOT / "bench"))
    import extraction

    (p, r, f1), nested, _ = extraction.cross_validate()
    print(f"5-fold CV by page (clean_text, flattened): P={p:.3f} R={r:.3f} F1={f1:.3f}; nested F1={nested[2]:.3f}")


if __name__ == "__main__":
    main()
