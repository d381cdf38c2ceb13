"""Timeline latency: `dateline timeline` over a whole Timeline17 dev database, start-up included.

    .venv/bin/python bench/latency.py [--db FILE] [--runs 5]

Without --db it ingests ../shared/data/t17-dev into a temporary database first (a few
minutes). Reports the median and worst wall time of the whole command (process start,
imports, query, JSON on stdout) and of `Corpus.timeline` in a warm process (what the
HTTP API pays per request), for the whole database and for a few queries.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
DATA = ROOT.parent / "shared" / "data" / "t17-dev"
CLI = Path(sys.executable).with_name("dateline")
QUERIES = [None, "oil spill", "Obama", '"swine flu"', "Haiti earthquake"]


def command(db: str, query: str | None) -> float:
    args = [str(CLI), "timeline", "--db", db, "--json"] + ([query] if query else [])
    start = time.perf_counter()
    subprocess.run(args, check=True, stdout=subprocess.DEVNULL)
    return time.perf_counter() - start


def warm(db: str, query: str | None, runs: int) -> list[float]:
    sys.path.insert(0, str(ROOT / "src"))
    import dateline

    with dateline.open(db) as corpus:
        corpus.timeline(query)  # page cache and module imports out of the way
        out = []
        for _ in range(runs):
            start = time.perf_counter()
            corpus.timeline(query)
            out.append(time.perf_counter() - start)
    return out


def t17_database() -> str:
    """A fresh database of t17-dev, made by the command line, in a temporary folder."""
    db = str(Path(tempfile.mkdtemp(prefix="dateline-t17-")) / "t17.db")
    print(f"ingesting {DATA} into {db}", file=sys.stderr)
    subprocess.run([str(CLI), "ingest", str(DATA), "--db", db, "--workers", "2"], check=True, stdout=subprocess.DEVNULL)
    return db


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    db = args.db or t17_database()
    print("| query | whole command, median (max) | warm `Corpus.timeline`, median (max) |")
    print("|---|---|---|")
    for query in QUERIES:
        cold = [command(db, query) for _ in range(args.runs)]
        hot = warm(db, query, args.runs)
        print(
            f"| {query or '(all articles)'} | {statistics.median(cold):.2f} s ({max(cold):.2f}) "
            f"| {statistics.median(hot):.2f} s ({max(hot):.2f}) |"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
