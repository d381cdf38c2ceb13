"""The client ceiling: articles/s of the client's own stages, with the parsing done elsewhere.

    .venv/bin/python bench/ceiling.py [--data DIR] [--cache FILE] [--db FILE] [--profile N] [--check FILE]

Parses t17-dev once with `pipeline.parse_batch` (single process; the parsed batches are
pickled to --cache, so later runs skip it), then times only what the client does per batch
into a fresh database: fresh-check, fold (duplicates), group (stories), articles.write and
annotate (sentences, days, entities, quotes, full-text index). That rate is the most any
cluster of parsing workers can deliver. --profile N prints cProfile's top N functions (CPU time).
--check FILE writes a digest of the database contents (articles, duplicates, stories,
entities, quotes, timeline JSON) to FILE, or compares against FILE when it exists, so a
faster client can be shown to store exactly the same thing.
"""

from __future__ import annotations

import argparse
import cProfile
import hashlib
import json
import pickle
import pstats
import sys
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dateline import extract, pipeline, read  # noqa: E402
from dateline.models import Raw, Reject  # noqa: E402
from dateline.store import Store  # noqa: E402

DATA = ROOT.parent / "shared" / "data" / "t17-dev"
TODAY = date(2026, 12, 4)  # fixed, so that cached parses and digests stay comparable


def parse_all(data: Path, cache: Path) -> list[tuple[list, list]]:
    """Every batch as (batch of Raw|Reject, its parsed items), from the cache when there is one."""
    if cache.exists():
        with cache.open("rb") as handle:
            return pickle.load(handle)
    out = []
    start = time.perf_counter()
    for batch in pipeline.batches(read.read([str(data)])):
        out.append((batch, pipeline.parse_batch(batch, TODAY)))
        print(f"parsed {sum(len(b) for b, _ in out)} inputs, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    with cache.open("wb") as handle:
        pickle.dump(out, handle, protocol=pickle.HIGHEST_PROTOCOL)
    return out


STAGES: dict[str, float] = defaultdict(float)  # CPU seconds per client stage over the run (a negligible-overhead timer)


@contextmanager
def stage(name: str) -> Iterator[None]:
    start = time.process_time()
    yield
    STAGES[name] += time.process_time() - start


def client(store: Store, parsed_batches: list[tuple[list, list]]) -> int:
    """What `pipeline.ingest` does in the client for each batch, parsing aside. Returns articles stored."""
    from dateline import cluster, dedup

    deduper, clusterer = dedup.Deduper(store.duplicates), cluster.Clusterer(store.stories)
    linker = extract.Linker(store.entities)
    total = 0
    for batch, parsed in parsed_batches:
        with stage("fresh-check"):
            known = store.articles.known(r.id for r in batch if isinstance(r, Raw))
        batch = [r for r in batch if not (isinstance(r, Raw) and r.id in known)]
        fresh_ids = {r.id for r in batch if isinstance(r, Raw)}
        rejects = [r for r in batch if isinstance(r, Reject)] + [r for r in parsed if isinstance(r, Reject)]
        fresh = [p for p in parsed if isinstance(p, pipeline.Parsed) and p.article.id in fresh_ids]
        with store.transaction():
            with stage("fold (duplicates)"):
                pipeline.fold(store, deduper, fresh)
            with stage("group (stories)"):
                pipeline.group(store, clusterer, fresh)
            with stage("write (articles, full-text index)"):
                stored, _ = store.articles.write([p.article for p in fresh], rejects)
            with stage("annotate (sentences, days, entities, quotes)"):
                pipeline.annotate(store, linker, fresh)
        total += stored
    return total


def digest(db: str) -> dict[str, str]:
    """A hash per kind of stored result, from the public API (what a user sees)."""
    import dateline

    with dateline.open(db) as corpus:
        parts = {
            "articles": list(corpus.articles()),
            "duplicates": list(corpus.dupes()),
            "stories": list(corpus.stories()),
            "entities": list(corpus.entities()),
            "quotes": list(corpus.quotes()),
            "timeline": corpus.timeline(None).to_json(),
            "timeline Obama": corpus.timeline("Obama").to_json(),
            "timeline oil spill": corpus.timeline("oil spill").to_json(),
        }
    return {name: hashlib.sha256(repr(value).encode()).hexdigest()[:16] for name, value in parts.items()}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--cache", type=Path, default=Path(tempfile.gettempdir()) / "dateline-ceiling.pickle")
    parser.add_argument("--db", help="database to write (default: a temporary file; must not exist)")
    parser.add_argument("--profile", type=int, default=0, help="print cProfile's top N functions")
    parser.add_argument("--check", type=Path, help="digest file: write it, or compare with it")
    args = parser.parse_args()
    if not args.data.exists():
        sys.exit(f"{args.data}: not found (the Timeline17 dev set lives in ../shared/data)")
    batches = parse_all(args.data, args.cache)
    articles = sum(1 for _, parsed in batches for p in parsed if isinstance(p, pipeline.Parsed))
    with tempfile.TemporaryDirectory() as tmp:
        db = args.db or str(Path(tmp) / "ceiling.db")
        if Path(db).exists():
            sys.exit(f"--db {db}: exists; the ceiling is measured into a fresh database")
        store = Store(db)
        profiler = cProfile.Profile(time.process_time) if args.profile else None  # CPU time: the machine is shared
        start, cpu = time.perf_counter(), time.process_time()
        if profiler:
            profiler.enable()
        stored = client(store, batches)
        if profiler:
            profiler.disable()
        seconds, cpu = time.perf_counter() - start, time.process_time() - cpu
        store.close()
        # CPU seconds too: on a shared machine they move less than wall-clock seconds.
        print("| stage | articles | seconds | articles/s | CPU seconds | articles/CPU-s |")
        print("|---|---:|---:|---:|---:|---:|")
        print(
            f"| client (fresh-check, fold, group, write, annotate) | {stored} of {articles} | {seconds:.2f} | "
            f"{stored / seconds:.0f} | {cpu:.2f} | {stored / cpu:.0f} |"
        )
        STAGES["the rest (commits, the loop)"] = cpu - sum(STAGES.values())
        for name, seconds in STAGES.items():
            print(f"| {name} | | | | {seconds:.2f} | {stored / seconds:.0f} |")
        if profiler:
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("cumulative").print_stats(args.profile)
            pstats.Stats(profiler, stream=sys.stderr).sort_stats("tottime").print_stats(args.profile)
        if args.check:
            found = digest(db)
            if args.check.exists():
                expected = json.loads(args.check.read_text())
                diff = {k for k in expected if expected[k] != found.get(k)}
                print(f"check against {args.check}: " + ("identical" if not diff else f"DIFFERS in {sorted(diff)}"))
                if diff:
                    sys.exit(1)
            else:
                args.check.write_text(json.dumps(found, indent=1))
                print(f"digest written to {args.check}")


if __name__ == "__main__":
    main()
