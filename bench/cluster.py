"""Ingest on a Dask LocalCluster vs the local process pool, and memory as the corpus grows (issue 14).

Each run is a fresh process ingesting Timeline17 (../shared/data/t17-dev) into a fresh
database: the process pool (`--workers N`; one worker runs inline in the main process) and
`--scheduler local` (a LocalCluster of N single-threaded worker processes; the client reads,
ships batches and runs the corpus-wide stages), with 1 and 2 workers. The growth run ingests
`--copies` copies of the corpus (own folder names, hence own ids) on the LocalCluster and
records, every ~1,000 articles, the client's RSS and the largest worker's, now and at peak
(workers are sampled from /proc every 0.2 s, so a spike shorter than that can be missed).

    .venv/bin/python bench/cluster.py [--data ../shared/data/t17-dev] [--copies 4] [--runs pool1,pool2,dask1,dask2,growth]
        [--every 1000] [--log runs.jsonl]
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from ingest import PROCESSES  # bench/ is on the path when a bench script runs

ROOT = Path(__file__).resolve().parents[1]
DATA = ROOT.parent / "shared" / "data" / "t17-dev"

RUN = (
    PROCESSES
    + r"""
import json, os, resource, sys, threading, time
import dateline

state = {"worker_now": 0.0, "worker_peak": 0.0}
cpu = {}  # descendant pid -> CPU seconds last seen (a wall-clock rate is noise on a shared machine; CPU is less so)
done = threading.Event()

def cpu_seconds(pid):
    try:
        with open(f"/proc/{pid}/stat") as handle:
            fields = handle.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    except (OSError, IndexError, ValueError):
        return None

def sample():  # pool and LocalCluster workers are descendants: getrusage cannot see them
    while not done.wait(0.2):
        pids = descendants(os.getpid())
        now = max((rss_mb(pid) for pid in pids), default=0.0)
        state["worker_now"] = now
        state["worker_peak"] = max(state["worker_peak"], now)
        for pid in pids:
            seconds = cpu_seconds(pid)
            if seconds is not None:
                cpu[pid] = seconds

threading.Thread(target=sample, daemon=True).start()
db, workers, scheduler, *paths = sys.argv[1:]
every = int(os.environ.get("BENCH_EVERY", "1000"))
checkpoints, next_mark = [], every
start = time.perf_counter()

def progress(report):
    global next_mark
    if report.read >= next_mark:
        next_mark += every
        checkpoints.append({"read": report.read, "seconds": round(time.perf_counter() - start, 1),
                            "client_now": round(rss_mb()), "client_peak": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
                            "worker_now": round(state["worker_now"]), "worker_peak": round(state["worker_peak"])})
        if os.environ.get("BENCH_LOG"):  # as it goes: a long run cut short still says how far it got
            with open(os.environ["BENCH_LOG"], "a") as log:
                log.write(json.dumps({"checkpoint": checkpoints[-1], "db": db}) + "\n")

with dateline.open(db) as corpus:
    report = corpus.ingest(paths, workers=int(workers), scheduler=scheduler or "", progress=progress)
seconds = time.perf_counter() - start
done.set()
own = resource.getrusage(resource.RUSAGE_SELF)
print(json.dumps({"seconds": seconds, "report": report.to_dict(), "checkpoints": checkpoints,
                  "cpu_client": own.ru_utime + own.ru_stime, "cpu_workers": sum(cpu.values()),
                  "rss_main": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_worker": state["worker_peak"]}))
"""
)

RUNS = {  # name: (label, workers, scheduler, copies?)
    "pool1": ("process pool (inline)", 1, "", False),
    "pool2": ("process pool", 2, "", False),
    "dask1": ("Dask LocalCluster", 1, "local", False),
    "dask2": ("Dask LocalCluster", 2, "local", False),
    "growth": ("Dask LocalCluster, growth", 2, "local", True),
    "growth-pool": ("process pool, growth", 2, "", True),
}


def run(args: list[str], log: Path | None, every: int) -> dict:
    env = dict(os.environ, BENCH_EVERY=str(every), BENCH_LOG=str(log or ""))
    done = subprocess.run([sys.executable, "-c", RUN, *args], capture_output=True, text=True, env=env)
    if done.returncode:
        sys.exit(f"a run failed:\n{done.stderr[-3000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


def copies(data: Path, n: int, work: Path) -> str:
    """One folder holding n copies of the corpus: paths below it differ, so each copy has its own ids."""
    root = work / f"{n}x"
    for i in range(n):
        shutil.copytree(data, root / f"copy{i}")
    return str(root)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--copies", type=int, default=4, help="corpus copies of the growth run (default 4)")
    parser.add_argument(
        "--runs", default=",".join(RUNS), help=f"which runs, comma-separated (default {','.join(RUNS)})"
    )
    parser.add_argument("--log", type=Path, help="also append each run's JSON (and its checkpoints as they come) here")
    parser.add_argument("--every", type=int, default=1000, help="articles between RSS checkpoints (default 1000)")
    args = parser.parse_args()
    if not args.data.is_dir():
        sys.exit(f"{args.data}: not found (the shared data folder must sit beside the project)")
    names = [name.strip() for name in args.runs.split(",") if name.strip()]
    unknown = [name for name in names if name not in RUNS]
    if unknown:
        sys.exit(f"--runs {','.join(unknown)}: unknown (choose from {','.join(RUNS)})")
    rows = []
    with tempfile.TemporaryDirectory(prefix="dateline-cluster-") as tmp:
        work = Path(tmp)
        one = copies(args.data, 1, work)
        for name in names:
            label, workers, scheduler, grow = RUNS[name]
            paths = copies(args.data, args.copies, work) if grow else one
            result = run([str(work / f"{name}.db"), str(workers), scheduler, paths], args.log, args.every)
            result.update(name=name, label=label + (f" {args.copies}x" if grow else " 1x"), workers=workers)
            rows.append(result)
            if args.log:
                with args.log.open("a") as log:
                    log.write(json.dumps(result) + "\n")
            print(f"{name}: {result['report']['read']} read in {result['seconds']:.0f} s", file=sys.stderr, flush=True)
    print_table(rows)


def print_table(rows: list[dict]) -> None:
    print(
        "| run | workers | read | stored | articles/s | CPU s/article (client + workers) | client peak MB | largest worker peak MB |"
    )
    print("|---|---|---|---|---|---|---|---|")
    for row in rows:
        report = row["report"]
        rate = report["read"] / row["seconds"]
        worker = f"{row['rss_worker']:.0f}" if row["rss_worker"] else "– (inline)"
        per = (row.get("cpu_client", 0) + row.get("cpu_workers", 0)) / max(1, report["read"])
        split = f"{row.get('cpu_client', 0) / max(1, report['read']):.3f} + {row.get('cpu_workers', 0) / max(1, report['read']):.3f}"
        print(
            f"| {row['label']} | {row['workers']} | {report['read']} | {report['stored']} | {rate:.1f} "
            f"| {per:.3f} ({split}) | {row['rss_main']:.0f} | {worker} |"
        )
    for row in rows:
        if row["checkpoints"]:
            print(f"\n{row['label']}, {row['workers']} workers — RSS as the corpus grows (MB):\n")
            print("| articles read | seconds | client now | client peak | largest worker now | worker peak so far |")
            print("|---|---|---|---|---|---|")
            for mark in row["checkpoints"]:
                print(
                    f"| {mark['read']} | {mark['seconds']} | {mark['client_now']} | {mark['client_peak']} "
                    f"| {mark['worker_now']} | {mark['worker_peak']} |"
                )


if __name__ == "__main__":
    main()
