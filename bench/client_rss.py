"""The client's RSS and glibc heap over a whole-pipeline ingest, with nothing else in its process.

bench/cluster.py's growth run samples the workers from a thread of the client process, reading
/proc every 0.2 s for the whole run; that thread's allocations are in the client's RSS too. This
run has no such thread: it ingests `--copies` copies of t17-dev (own folder names, hence own ids;
every copy after the first is exact duplicates of the first) on the process pool and prints, every
`--every` articles, the client's RSS, glibc's heap (mallinfo2: in use and free) and SQLite's own
count of its memory — Python's own objects are traced flat (tracemalloc) in a separate probe, see
RESULTS.md.

    .venv/bin/python bench/client_rss.py [--data ../shared/data/t17-dev] [--copies 9] [--every 2000] [--workers 2] [--trim]
"""

from __future__ import annotations

import argparse
import ctypes
import sys
import tempfile
from datetime import date
from pathlib import Path

from client_memory import rss_mb  # bench/ is on the path when a bench script runs
from cluster import DATA, copies
from dateline import pipeline
from dateline.store import Store


class MallInfo2(ctypes.Structure):
    """glibc's `struct mallinfo2` (malloc.h): `arena` is the heap, `uordblks` in use, `fordblks` free."""

    _fields_ = [
        (name, ctypes.c_size_t)
        for name in "arena ordblks smblks hblks hblkhd usmblks fsmblks uordblks fordblks keepcost".split()
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--copies", type=int, default=9)
    parser.add_argument("--every", type=int, default=2000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--trim", action="store_true", help="call glibc's malloc_trim(0) after every batch (a probe)")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: not found (the shared data folder must sit beside the project)")
    libc = ctypes.CDLL("libc.so.6")
    libc.mallinfo2.restype = MallInfo2
    sqlite = ctypes.CDLL("libsqlite3.so.0")  # the library Python's sqlite3 uses: its own count of its memory
    sqlite.sqlite3_memory_used.restype = ctypes.c_int64
    print("| articles read | client RSS MB | glibc heap MB (in use / free) | SQLite's memory MB |")
    print("|---:|---:|---|---:|")
    mark = [args.every]

    def progress(report: pipeline.Report) -> None:
        if args.trim:
            libc.malloc_trim(0)
        if report.read >= mark[0]:
            mark[0] += args.every
            heap = libc.mallinfo2()
            print(
                f"| {report.read:,} | {rss_mb():.0f} | {heap.arena / 2**20:.0f} "
                f"({heap.uordblks / 2**20:.0f} / {heap.fordblks / 2**20:.0f}) | "
                f"{sqlite.sqlite3_memory_used() / 2**20:.1f} |",
                flush=True,
            )

    with tempfile.TemporaryDirectory(prefix="dateline-rss-") as tmp:
        paths = copies(args.data, args.copies, Path(tmp))
        report = pipeline.ingest(
            Store(str(Path(tmp) / "rss.db")), [paths], workers=args.workers, today=date(2026, 12, 5), progress=progress
        )
        print(f"\n{report.read:,} read, {report.stored:,} stored; client RSS at the end {rss_mb():.0f} MB")


if __name__ == "__main__":
    main()
