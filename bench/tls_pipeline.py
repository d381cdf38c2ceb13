"""Timelines through the whole product: `dateline ingest` of each Timeline17 dev topic, then
`Corpus.timeline` (what `dateline timeline [QUERY] --from --to` runs), scored as bench/tls.py.

    .venv/bin/python bench/tls_pipeline.py [--data DIR] [--work DIR] [--workers 1] [--rouge perl|reimpl]

bench/tls.py runs `timeline.summarise` on the benchmark's own pre-split sentences, for tuning.
This one measures what a user gets: the raw files are read, cleaned, dated (the folder name is
the publication day, as the pipeline reads it from the path), split into sentences, their days
resolved, duplicates folded and the query matched by the store's full-text index. One database
per topic (every outlet folder of the topic), built once in --work and reused. Protocol as in
bench/tls.py (news-tls: N = the reference's dates, K = its mean sentences per date, the
reference's first and last date as --from/--to). Baselines from the same databases, same run:
the N days with most (canonical) articles and their lead sentences, and N random days.
Nothing is tuned here: the shipped weights run as they are.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))
sys.path.insert(0, str(ROOT / "bench"))

import dateline  # noqa: E402
import tls  # noqa: E402
from dateline import timeline as tlm  # noqa: E402

SYSTEMS = ("random", "pubcount", "ours")


def topic_dirs(data: Path) -> dict[str, list[Path]]:
    groups: dict[str, list[Path]] = defaultdict(list)
    for d in sorted(p for p in data.iterdir() if p.is_dir()):
        groups[d.name.split("_", 1)[0]].append(d)
    return dict(groups)


def build(topic: str, dirs: list[Path], work: Path, workers: int) -> Path:
    """The topic's database, ingested by the pipeline (reused when it is there)."""
    db = work / f"{topic}.db"
    if db.exists():
        return db
    t0 = time.time()
    with dateline.open(db) as corpus:
        report = corpus.ingest([d / "InputDocs" for d in dirs], workers=workers)
    print(
        f"{topic}: ingested {report.read} files, {report.stored} stored, {report.duplicates} duplicates, "
        f"{report.rejected} rejected in {time.time() - t0:.0f} s",
        file=sys.stderr,
    )
    return db


def stored_pool(corpus) -> list[tlm.Sentence]:
    """Every canonical article's stored sentences (what the baselines pick leads from)."""
    store = corpus.store
    spans = store.articles.all_sentences(None)
    pool = []
    for article in store.articles.select():
        if article.duplicate_of or article.published is None:
            continue
        for position, (first, last, days) in enumerate(spans.get(article.id, ())):
            text = article.text[first:last]
            pool.append(
                tlm.Sentence(
                    text,
                    article.id,
                    article.source,
                    None,
                    None,
                    article.published,
                    days,
                    position,
                    tokens=tlm.terms(text),
                )
            )
    return pool


def ours(corpus, query: str, n: int, k: int, start, end) -> dict:
    result = corpus.timeline(query or None, start=start, end=end, max_dates=n, per_date=k)
    return {e.date: [s.text for s in e.sentences] for e in result.entries}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--data", type=Path, default=tls.DATA)
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "dateline-tls-pipeline")
    ap.add_argument("--workers", type=int, default=1)
    ap.add_argument("--rouge", choices=["perl", "reimpl"], default="perl")
    args = ap.parse_args()
    if not args.data.is_dir():
        print(f"no data at {args.data}", file=sys.stderr)
        return 2
    args.work.mkdir(parents=True, exist_ok=True)
    scorer = tls.Scorer(args.rouge)
    modes = ("no query", "query")
    results = {m: {s: defaultdict(list) for s in SYSTEMS} for m in modes}
    timing: list[float] = []
    for topic, dirs in topic_dirs(args.data).items():
        db = build(topic, dirs, args.work, args.workers)
        with dateline.open(db) as corpus:
            pool = stored_pool(corpus)
            for d in dirs:
                for tf in sorted((d / "timelines").glob("*.txt")):
                    name, ref = f"{d.name}/{tf.name}", tls.parse_timeline(tf)
                    start, end = min(ref), max(ref)
                    n, k = len(ref), round(sum(len(v) for v in ref.values()) / len(ref))
                    clipped = tls.clip(pool, start, end)
                    for mode in modes:
                        query = tls.QUERIES[topic] if mode == "query" else ""
                        base = tls.select(clipped, query) if query else clipped
                        t1 = time.time()
                        predictions = {
                            "random": tls.sys_random(base, n, k, seed=len(name)),
                            "pubcount": tls.sys_pubcount(base, n, k),
                            "ours": ours(corpus, query, n, k, start, end),
                        }
                        timing.append(time.time() - t1)
                        for system, pred in predictions.items():
                            score = scorer.score(pred, ref)
                            for group in ("ALL", topic, name):
                                results[mode][system][group].append(score)
                    print(f"  {name}: N={n} K={k}", file=sys.stderr)

    label = "Perl ROUGE-1.5.5" if args.rouge == "perl" else "tilse reimpl"
    groups = [g for g in results["no query"]["ours"] if g == "ALL" or "/" not in g]
    groups += [name for name in tls.LONG if name in results["no query"]["ours"]]
    for mode in modes:
        print(f"\n## Timeline17 dev through the pipeline, {mode}, ROUGE = {label}\n")
        print("| system | topic / timeline | " + " | ".join(tls.METRICS) + " |")
        print("|" + "---|" * (len(tls.METRICS) + 2))
        for group in groups:
            for system in SYSTEMS:
                avg = tls.average(results[mode][system][group])
                print(f"| {system} | {group} | " + " | ".join(f"{avg[x]:.3f}" for x in tls.METRICS) + " |")
        for name, fig in tls.PUBLISHED.items():
            cells = " | ".join(f"{fig[x]:.3f}" if x in fig else "—" for x in tls.METRICS)
            print(f"| {name} (published, all of T17) | T17 | {cells} |")
    print(f"\ntimeline + baselines per case: max {max(timing):.2f} s, mean {sum(timing) / len(timing):.2f} s")
    return 0


if __name__ == "__main__":
    sys.exit(main())
