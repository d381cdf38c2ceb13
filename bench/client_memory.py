"""The client's RSS as the corpus grows, parsing aside (issue 14, part 3).

Feeds bench/ceiling.py's pre-parsed t17-dev batches (its --cache pickle; run ceiling.py first)
through the client's stages — duplicates, stories, store, entities — N times, each copy under
new article ids (so every copy after the first is stored as exact duplicates of the first,
as t17-dev copies in bench/ingest.py and bench/cluster.py are), and prints RSS after each copy.

    .venv/bin/python bench/client_memory.py [--copies 9] [--cache /tmp/dateline-ceiling.pickle]
"""

from __future__ import annotations

import argparse
import copy
import json
import pickle
import resource
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from dateline import cluster, dedup, extract, pipeline
from dateline.models import Reject
from dateline.store import Store


def rss_mb() -> float:
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    return 0.0


def renamed(batches: list, k: int) -> Iterator[tuple[list, list]]:
    """The batches with every article id suffixed by `k` (a deep copy: the cache stays as loaded)."""
    for batch, parsed in batches:
        batch, parsed = copy.deepcopy((batch, parsed))
        for item in parsed:
            if isinstance(item, pipeline.Parsed):
                item.article.id = f"{item.article.id}-{k}"
                if item.extraction is not None:
                    item.extraction.article = item.article.id
                    for quote in item.extraction.quotes:
                        quote.article = item.article.id
        yield batch, parsed


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "dateline-ceiling.pickle")
    args = parser.parse_args()
    if not args.cache.exists():
        sys.exit(f"{args.cache}: not found (run bench/ceiling.py first: it parses t17-dev and caches it)")
    with args.cache.open("rb") as handle:
        batches = pickle.load(handle)
    with tempfile.TemporaryDirectory() as tmp:
        store = Store(str(Path(tmp) / "client.db"))
        deduper, clusterer = dedup.Deduper(store.duplicates), cluster.Clusterer(store.stories)
        linker = extract.Linker(store.entities)
        print(json.dumps({"cache loaded, RSS MB": round(rss_mb())}), flush=True)
        stored, start = 0, time.perf_counter()
        for k in range(args.copies):
            for batch, parsed in renamed(batches, k):
                rejects = [r for r in batch if isinstance(r, Reject)] + [r for r in parsed if isinstance(r, Reject)]
                fresh = [p for p in parsed if isinstance(p, pipeline.Parsed)]
                with store.transaction():  # what pipeline.ingest does per batch
                    pipeline.fold(store, deduper, fresh)
                    pipeline.group(store, clusterer, fresh)
                    stored += store.articles.write([p.article for p in fresh], rejects)[0]
                    pipeline.annotate(store, linker, fresh)
            peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            row = {"copy": k + 1, "stored": stored, "rss_mb": round(rss_mb()), "peak_mb": round(peak)}
            print(json.dumps(row | {"seconds": round(time.perf_counter() - start)}), flush=True)
        store.close()


if __name__ == "__main__":
    main()
