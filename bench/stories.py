"""Story clustering benchmark: ours vs TF-IDF + agglomerative clustering, same run.

Quality: BCubed precision/recall/F1 on ECB+ dev (../shared/data/ecbplus-dev).
Gold story = the topic folder (`<T>ecb` and `<T>ecbplus` are different events);
folder and file names are never features. Articles with empty text (52) are
left out. ECB+ has no dates, so our clusterer runs in its undated mode
(`published=None`: candidates come from the inverted index over all stories).
Leave-topics-out, nested: 5 folds over topics (topic number mod 5); on each fold
our threshold and neighbour count (grid) and the baseline's distance threshold
are tuned on the other 4/5 of the topics (best BCubed F1; ours as the mean over 2
arrival orders), then applied to the held-out topics; figures are pooled over all
held-out articles. Ours streams the articles in the pipeline's batches (a later
batch may re-cluster, and move, earlier articles; the figure is the state at the
end), so it is run on 5 random orders (seeded) and reported as mean [min–max];
the baseline is order-free. The dev-fit row tunes on all 35 topics and scores
them (in-sample), printed beside the cross-validated figure.

Throughput and stability: Timeline17 dev (`*/InputDocs/<date>/*.txt`, folder =
date), in date order, at 1× and 4× (four copies with distinct ids, copy k
moved k×2 years later so it is new news, not a re-run); sensitivity = BCubed
F1 agreement between the partition of the reference run (the pipeline's batch,
date order) and runs with other batch sizes / shuffled order within each day.

Background IDF: the clusterer ships document frequencies estimated from a
different corpus (Timeline17 dev, never ECB+), so held-out ECB+ topics do not
leak into them. `--write-background` rebuilds that table in
`src/dateline/weights/background.json` (terms only, with the median over the 4 T17
topics of the fraction of articles containing them; no text).

Run from the project root: .venv/bin/python bench/stories.py [--quick] [--write-background]
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import time
from collections import defaultdict
from dataclasses import asdict, replace
from datetime import date, timedelta
from pathlib import Path

import numpy as np
from sklearn.cluster import AgglomerativeClustering
from sklearn.feature_extraction.text import TfidfVectorizer

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))
from dateline import pipeline, weights  # noqa: E402
from dateline.cluster import DEFAULT_PARAMS, Clusterer, MemoryState, Params, features  # noqa: E402
from dateline.models import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "data"
ECB = DATA / "ecbplus-dev"
T17 = DATA / "t17-dev"
FOLDS = 5
ORDERS = 5


def article(uid: str, title: str | None, text: str, published: date | None = None) -> Article:
    return Article.of_text(
        uid, text, path="", title=title, published=published, published_source="path" if published else None
    )


# ----------------------------------------------------------------------------- data


def load_ecb() -> tuple[list[Article], dict[str, str], dict[str, int], int]:
    """Articles (undated), gold story per article, topic per article, number left out."""
    articles, gold, topic, empty = [], {}, {}, 0
    for folder in sorted(ECB.iterdir(), key=lambda p: p.name):
        for path in sorted(folder.glob("*.json")):
            record = json.loads(path.read_text("utf-8"))
            if not record["text"].strip():
                empty += 1
                continue
            # The id hashes the content: file names carry the answer.
            uid = hashlib.sha256((record["title"] + "\0" + record["text"]).encode()).hexdigest()[:16]
            if uid in gold:
                continue
            articles.append(article(uid, record["title"], record["text"]))
            gold[uid] = folder.name
            topic[uid] = int("".join(c for c in folder.name if c.isdigit()))
    return articles, gold, topic, empty


def load_t17() -> list[Article]:
    out = []
    for path in sorted(T17.glob("*/InputDocs/*/*.txt")):
        lines = [line.strip() for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip()]
        if not lines:
            continue  # the pipeline rejects these ("empty after cleaning")
        uid = hashlib.sha256(str(path.relative_to(T17)).encode()).hexdigest()[:16]
        out.append(article(uid, None, "\n".join(lines), date.fromisoformat(path.parent.name)))
    out.sort(key=lambda a: (a.published, a.id))
    return out


# ----------------------------------------------------------------------------- scoring


def bcubed(pred: dict[str, str], gold: dict[str, str]) -> tuple[float, float, float]:
    pred_members, gold_members = defaultdict(set), defaultdict(set)
    for item in gold:
        pred_members[pred[item]].add(item)
        gold_members[gold[item]].add(item)
    p = r = 0.0
    for item in gold:
        both = len(pred_members[pred[item]] & gold_members[gold[item]])
        p += both / len(pred_members[pred[item]])
        r += both / len(gold_members[gold[item]])
    p, r = p / len(gold), r / len(gold)
    return p, r, 2 * p * r / (p + r) if p + r else 0.0


# ----------------------------------------------------------------------------- systems


def ours(
    articles: list[Article], params: Params, vectors: dict[str, dict], batch: int = pipeline.BATCH
) -> dict[str, str]:
    """Each article's story as the state ends (a later batch may move an earlier article)."""
    state = MemoryState()
    clusterer = Clusterer(state, params)
    for i in range(0, len(articles), batch):
        chunk = [replace(a) for a in articles[i : i + batch]]
        clusterer.assign_batch([(a, vectors[a.id]) for a in chunk])
    return {a.id: state.member(a.id).story for a in articles}


def shuffled(articles: list[Article], seed: int) -> list[Article]:
    order = list(articles)
    random.Random(seed).shuffle(order)
    return order


class Baseline:
    """TF-IDF (title + text, English stop words, sublinear tf) + agglomerative, cosine, average linkage."""

    def __init__(self, articles: list[Article]) -> None:
        texts = [f"{a.title or ''}\n{a.text}" for a in articles]
        self.ids = [a.id for a in articles]
        self.matrix = TfidfVectorizer(stop_words="english", sublinear_tf=True).fit_transform(texts).toarray()

    def run(self, threshold: float) -> dict[str, str]:
        model = AgglomerativeClustering(
            n_clusters=None, metric="cosine", linkage="average", distance_threshold=threshold, compute_full_tree=True
        )
        labels = model.fit_predict(self.matrix)
        return {i: str(label) for i, label in zip(self.ids, labels)}


def tune(run, grid, gold) -> tuple[float, float]:
    """(best threshold, its F1); ties → the smaller threshold."""
    best = (-1.0, 0.0)
    for t in grid:
        f1 = run(t)
        f1 = f1 if isinstance(f1, float) else bcubed(f1, gold)[2]
        if f1 > best[0] + 1e-12:
            best = (f1, t)
    return best[1], best[0]


# ----------------------------------------------------------------------------- benchmark


def tune_ours(train: list[Article], gold: dict[str, str], vectors: dict[str, dict], grid, orders: int):
    """(best params, their F1): mean BCubed F1 over `orders` arrival orders, so that the choice does not
    fit one order; ties → the earlier grid point."""
    best = (-1.0, DEFAULT_PARAMS)
    for threshold, neighbours in grid:
        params = DEFAULT_PARAMS.replace(threshold=threshold, neighbours=neighbours)
        f1 = float(np.mean([bcubed(ours(shuffled(train, 100 + s), params, vectors), gold)[2] for s in range(orders)]))
        if f1 > best[0] + 1e-12:
            best = (f1, params)
    return best[1], best[0]


def ecb_benchmark(quick: bool) -> tuple[list[tuple], list[float]]:
    articles, gold, topic, empty = load_ecb()
    vectors = {a.id: features(a) for a in articles}
    thresholds = [0.55, 0.6, 0.65, 0.7, 0.75, 0.8, 0.85] if not quick else [0.6, 0.7, 0.8]
    our_grid = [(t, k) for t in thresholds for k in ((5, 8, 12) if not quick else (8,))]
    base_grid = [round(x, 3) for x in np.arange(0.50, 1.0, 0.01 if not quick else 0.02)]
    orders = range(ORDERS if not quick else 2)
    tuning_orders = 2 if not quick else 1
    pooled_ours = {s: {} for s in orders}
    pooled_base: dict[str, str] = {}
    chosen_ours, chosen_base = [], []
    started = time.perf_counter()
    for fold in range(FOLDS):
        train = [a for a in articles if topic[a.id] % FOLDS != fold]
        test = [a for a in articles if topic[a.id] % FOLDS == fold]
        train_gold = {a.id: gold[a.id] for a in train}
        params, _ = tune_ours(train, train_gold, vectors, our_grid, tuning_orders)
        base_train = Baseline(train)
        t_base, _ = tune(base_train.run, base_grid, train_gold)
        chosen_ours.append(params)
        chosen_base.append(t_base)
        for s in orders:
            run = ours(shuffled(test, s), params, vectors)
            pooled_ours[s].update({k: f"{fold}:{v}" for k, v in run.items()})
        pooled_base.update({k: f"{fold}:{v}" for k, v in Baseline(test).run(t_base).items()})
        print(
            f"  fold {fold}: {len(test)} held-out articles, ours θ {params.threshold:g} k {params.neighbours} / "
            f"baseline {t_base} ({time.perf_counter() - started:.0f} s)",
            file=sys.stderr,
        )
    ours_scores = np.array([bcubed(pooled_ours[s], gold) for s in orders])
    base_scores = bcubed(pooled_base, gold)

    # Dev fit: all 35 topics at once, settings tuned on all of them (the shipped ones should be these).
    fit, _ = tune_ours(articles, gold, vectors, our_grid, tuning_orders)
    all_ours = np.array([bcubed(ours(shuffled(articles, s), fit, vectors), gold) for s in orders])
    shipped = np.array([bcubed(ours(shuffled(articles, s), DEFAULT_PARAMS, vectors), gold) for s in orders])
    all_t_base, _ = tune(Baseline(articles).run, base_grid, gold)
    all_base = bcubed(Baseline(articles).run(all_t_base), gold)

    # Batch size: the pipeline's batch is the reference; batch 1 re-clusters after every article.
    batch_one = np.array(
        [bcubed(ours(shuffled(articles, s), DEFAULT_PARAMS, vectors, batch=1), gold) for s in orders[:1]]
    )

    def fmt(values: np.ndarray) -> str:
        return f"{values.mean():.3f} [{values.min():.3f}–{values.max():.3f}]"

    rows = [
        ("ECB+ leave-topics-out (5 folds, nested), BCubed P", fmt(ours_scores[:, 0]), f"{base_scores[0]:.3f}"),
        ("ECB+ leave-topics-out (5 folds, nested), BCubed R", fmt(ours_scores[:, 1]), f"{base_scores[1]:.3f}"),
        ("ECB+ leave-topics-out (5 folds, nested), BCubed F1", fmt(ours_scores[:, 2]), f"{base_scores[2]:.3f}"),
        (
            "  settings chosen per fold (ours θ/k | baseline distance)",
            " ".join(f"{p.threshold:g}/{p.neighbours}" for p in chosen_ours),
            " ".join(f"{t:g}" for t in chosen_base),
        ),
        (
            f"ECB+ dev fit, all 35 topics tuned on themselves, F1 (θ {fit.threshold:g} k {fit.neighbours} / "
            f"{all_t_base:g})",
            fmt(all_ours[:, 2]),
            f"{all_base[2]:.3f}",
        ),
        (
            f"ECB+ all 35 topics, shipped settings (θ {DEFAULT_PARAMS.threshold:g} k {DEFAULT_PARAMS.neighbours}), "
            "P / R / F1",
            f"{shipped[:, 0].mean():.3f} / {shipped[:, 1].mean():.3f} / {fmt(shipped[:, 2])}",
            "",
        ),
        (f"ECB+ all 35 topics, shipped, batch 1 instead of {pipeline.BATCH}, F1", f"{batch_one[:, 2].mean():.3f}", ""),
        ("ECB+ articles scored (empty text left out)", f"{len(articles)} ({empty} out)", f"{len(articles)}"),
    ]
    return rows, chosen_base


def agreement(a: dict[str, str], b: dict[str, str]) -> float:
    return bcubed(a, b)[2]


def t17_benchmark(quick: bool, chosen_base: list[float]) -> list[tuple]:
    base = load_t17()
    if quick:
        base = base[::4]
    rows = []
    runs = {}
    for copies in (1, 4):
        corpus = [
            replace(a, id=f"{a.id}.{k}" if k else a.id, published=a.published + timedelta(days=730 * k))
            for k in range(copies)
            for a in base
        ]
        corpus.sort(key=lambda a: (a.published, a.id))
        start = time.perf_counter()
        vectors = {a.id: features(a) for a in corpus}
        featured = time.perf_counter()
        runs[copies] = ours(corpus, DEFAULT_PARAMS, vectors)
        done = time.perf_counter()
        stories = len(set(runs[copies].values()))
        rows.append(
            (
                f"T17 {copies}× ({len(corpus)} articles): articles/s features | assign | stories",
                f"{len(corpus) / (featured - start):.0f} | {len(corpus) / (done - featured):.0f} | {stories}",
                "",
            )
        )
        if copies == 1:
            start = time.perf_counter()
            bl = Baseline(corpus)
            labels = bl.run(float(np.mean(chosen_base)))
            rows[-1] = rows[-1][:2] + (
                f"{len(corpus) / (time.perf_counter() - start):.0f} (whole run) | {len(set(labels.values()))}",
            )
            reference_vectors, reference_corpus = vectors, corpus
            undated = [replace(a, published=None, published_source=None) for a in corpus]
            start = time.perf_counter()
            runs["undated"] = ours(undated, DEFAULT_PARAMS, vectors)
            rows.append(
                (
                    "T17 1×, undated mode: assign articles/s | stories",
                    f"{len(corpus) / (time.perf_counter() - start):.0f} | {len(set(runs['undated'].values()))}",
                    "",
                )
            )
    reference = runs[1]  # the pipeline's batch, date order
    for size in (1, 512):
        start = time.perf_counter()
        other = ours(reference_corpus, DEFAULT_PARAMS, reference_vectors, batch=size)
        rate = len(reference_corpus) / (time.perf_counter() - start)
        rows.append(
            (
                f"T17 1× agreement (BCubed F1) batch {pipeline.BATCH} vs {size} | articles/s",
                f"{agreement(other, reference):.3f} | {rate:.0f}",
                "",
            )
        )
    by_day = defaultdict(list)
    for a in reference_corpus:
        by_day[a.published].append(a)
    values = []
    for seed in range(3 if not quick else 1):
        order = [a for d in sorted(by_day) for a in shuffled(by_day[d], seed)]
        values.append(agreement(ours(order, DEFAULT_PARAMS, reference_vectors), reference))
    rows.append(
        (
            f"T17 1× agreement, shuffled within each day ({len(values)} seeds)",
            f"{np.mean(values):.3f} [{min(values):.3f}–{max(values):.3f}]",
            "",
        )
    )
    return rows


def write_background(min_fraction: float = 0.005) -> None:
    """Document frequencies from T17 dev into weights/background.json: median over topics, so a word that is
    common in one topic only (\"oil\" in bpoil) stays rare, and generic news words become common."""
    df: dict[str, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    counts: dict[str, int] = defaultdict(int)
    for path in sorted(T17.glob("*/InputDocs/*/*.txt")):
        text = "\n".join(
            line.strip() for line in path.read_text("utf-8", errors="replace").splitlines() if line.strip()
        )
        if not text:
            continue
        topic = path.relative_to(T17).parts[0].split("_")[0]
        counts[topic] += 1
        for term in features(article("", None, text)):
            df[topic][term] += 1
    topics = sorted(counts)
    table = {}
    for term in sorted({t for d in df.values() for t in d}):
        fractions = sorted(df[k].get(term, 0) / counts[k] for k in topics)
        mid = len(fractions) // 2
        value = fractions[mid] if len(fractions) % 2 else (fractions[mid - 1] + fractions[mid]) / 2
        if value >= min_fraction:
            table[term] = round(value, 4)
    target = weights.path("background")
    background = {
        "source": f"t17-dev, median over its {len(topics)} topics of the fraction of articles "
        f"containing the term; terms at >= {min_fraction:g} only",
        "df": table,
    }
    target.write_text(json.dumps(background, indent=1) + "\n", "utf-8")
    print(f"{len(table)} background terms written to {target}", file=sys.stderr)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="coarser grids, fewer orders, 1/4 of T17")
    parser.add_argument(
        "--write-background",
        action="store_true",
        help="rebuild the background document frequencies from T17 dev, then stop",
    )
    args = parser.parse_args()
    if args.write_background:
        write_background()
        return
    started = time.perf_counter()
    rows, chosen_base = ecb_benchmark(args.quick)
    rows += t17_benchmark(args.quick, chosen_base)
    width = max(len(r[0]) for r in rows)
    w1 = max(len(r[1]) for r in rows + [("", "ours")])
    print(f"{'measure':<{width}}  {'ours (dateline.cluster)':<{w1}}  baseline (TF-IDF + agglomerative)")
    print("-" * (width + w1 + 40))
    for name, a, b in rows:
        print(f"{name:<{width}}  {a:<{w1}}  {b}")
    print(
        f"\n(bench ran in {time.perf_counter() - started:.0f} s; shipped settings: {json.dumps(asdict(DEFAULT_PARAMS))})"
    )


if __name__ == "__main__":
    main()
