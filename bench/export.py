"""Export speed and peak memory, and the entity network's size and time, on a t17-dev database.

    .venv/bin/python bench/export.py --db T17.db [--copies 10] [--big /tmp/dateline-export-big.db] [--reuse]

--db is a database ingested from ../shared/data/t17-dev (`dateline ingest ../shared/data/t17-dev
--db T17.db`). Each measurement runs in a fresh process, so its peak RSS (ru_maxrss) is its own:
`dateline export` in each format, the network, and — the reference, in the same run — the same
Parquet files written the obvious way (each table read whole with fetchall, one Arrow table,
`pyarrow.parquet.write_table`), plus a process that only opens the corpus (the floor).

Flat memory: the same runs on a SYNTHETIC database of --copies copies of t17-dev (every row of the
exported tables copied with new ids, dates shifted by k × 1,200 days): ten times the rows should
cost ten times the time and about the same memory. The big database is built once (--reuse keeps
an existing one) and deleted afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

SHIFT = 1200  # days between copies: longer than t17-dev's span
# What the export reads, per table: the columns whose values change per copy (:k is the copy).
COPIED = {
    "articles": {"id", "external_id", "duplicate_of", "story", "published", "modified"},
    "sentences": {"article"},
    "sentence_dates": {"article", "day"},
    "mentions": {"article"},
    "quotes": {"article"},
    "duplicates": {"article", "canonical"},
    "stories": {"id", "first", "last"},
}
DATES = {"published", "modified", "day", "first", "last"}


# --- the synthetic database ---------------------------------------------------------------


def build(base: str, target: str, copies: int) -> None:
    """`copies` copies of the exported tables of `base` (the first is base itself), in a fresh database."""
    from dateline.store import Store

    Path(target).unlink(missing_ok=True)
    Store(target).close()  # the schema, with the full-text triggers
    con = sqlite3.connect(target)
    con.execute("ATTACH DATABASE ? AS base", (base,))
    for k in range(copies):
        for table, changed in COPIED.items():
            columns = [row[1] for row in con.execute(f"PRAGMA base.table_info({table})")]
            values = [_copied(c, k) if c in changed else c for c in columns]
            con.execute(
                f"INSERT INTO main.{table} ({', '.join(columns)}) SELECT {', '.join(values)} FROM base.{table}",
                {"k": k},
            )
        con.commit()
    con.execute("INSERT OR IGNORE INTO main.entities SELECT * FROM base.entities")
    con.commit()
    con.close()


def _copied(column: str, k: int) -> str:
    if column in DATES:
        return f"date({column}, '+' || (:k * {SHIFT}) || ' days')"
    return f"CASE WHEN :k = 0 THEN {column} ELSE {column} || ':' || :k END"


# --- one measurement, in a child process ----------------------------------------------------


def child(args: argparse.Namespace) -> None:
    """Run one measurement and print {"seconds", "rows", "bytes", "peak_mb", ...} as JSON."""
    import dateline

    started = time.perf_counter()
    out: dict = {}
    with dateline.open(args.db) as corpus:
        if args.what in ("open", "open-arrow"):
            corpus.store.articles.counts()
            if args.what == "open-arrow":
                import pyarrow.parquet  # noqa: F401 — what Parquet costs before a row is written
        elif args.what == "network":
            made = corpus.network()
            out.update(nodes=len(made.nodes), edges=len(made.edges))
        elif args.what == "naive":
            out.update(naive_parquet(corpus, Path(args.out)))
        else:
            done = corpus.export(args.out, format=args.what)
            out["rows"] = sum(table["rows"] for table in done.tables.values())
    out["seconds"] = time.perf_counter() - started
    if args.out and Path(args.out).is_dir():
        out["bytes"] = sum(p.stat().st_size for p in Path(args.out).iterdir())
    out["peak_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
    print(json.dumps(out))


def naive_parquet(corpus, folder: Path) -> dict:
    """The reference: each table read whole, then written as one Arrow table."""
    import pyarrow as pa
    import pyarrow.parquet as pq

    from dateline import export
    from dateline.store.exports import ExportStore

    folder.mkdir(parents=True, exist_ok=True)
    source = ExportStore(corpus.store)
    rows = 0
    with source.snapshot():
        source.select()
        for table in export.TABLES:
            everything = [export._values(table)(row) for chunk in source.rows(table) for row in chunk]
            schema = export.parquet_schema(table)
            columns = list(zip(*everything)) or [[] for _ in schema]
            arrays = [export._arrow(pa, tuple(values), field.type) for values, field in zip(columns, schema)]
            pq.write_table(pa.Table.from_arrays(arrays, schema=schema), folder / f"{table}.parquet", compression="zstd")
            rows += len(everything)
    return {"rows": rows}


def measure(db: str, what: str) -> dict:
    out = tempfile.mkdtemp(prefix="dateline-export-bench-")
    try:
        done = subprocess.run(
            [sys.executable, __file__, "--child", what, "--db", db, "--out", str(Path(out) / "tables")],
            capture_output=True,
            text=True,
            check=True,
        )
        return json.loads(done.stdout.strip().splitlines()[-1])
    finally:
        shutil.rmtree(out, ignore_errors=True)


# --- the table ----------------------------------------------------------------------------

RUNS = (
    ("open", "open the corpus only (the floor)"),
    ("open-arrow", "open the corpus and import pyarrow (the Parquet floor)"),
    ("parquet", "dateline export --format parquet"),
    ("jsonl", "dateline export --format jsonl"),
    ("csv", "dateline export --format csv"),
    ("naive", "reference: whole tables in memory → Parquet"),
    ("network", "dateline network (all articles)"),
)


def report(dbs: dict[str, str]) -> None:
    results = {label: {what: measure(db, what) for what, _ in RUNS} for label, db in dbs.items()}
    labels = list(dbs)
    print("| run | " + " | ".join(f"{label}: rows | s | rows/s | peak RSS MB" for label in labels) + " |")
    print("|---|" + "---:|---:|---:|---:|" * len(labels))
    for what, name in RUNS:
        cells = []
        for label in labels:
            r = results[label][what]
            rows = r.get("rows") or (f"{r['nodes']} nodes, {r['edges']} edges" if "nodes" in r else "")
            rate = f"{r['rows'] / r['seconds']:,.0f}" if r.get("rows") else ""
            cells += [
                f"{rows:,}" if isinstance(rows, int) else rows,
                f"{r['seconds']:.1f}",
                rate,
                f"{r['peak_mb']:.0f}",
            ]
        print(f"| {name} | " + " | ".join(cells) + " |")
    print()
    for label in labels:
        sizes = {what: results[label][what].get("bytes", 0) / 1e6 for what in ("parquet", "jsonl", "csv")}
        print(f"{label}: files {', '.join(f'{k} {v:.0f} MB' for k, v in sizes.items())}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--db", required=True, help="a database ingested from t17-dev")
    parser.add_argument("--copies", type=int, default=10, help="copies of t17-dev in the synthetic database (0: none)")
    parser.add_argument("--big", default=str(Path(tempfile.gettempdir()) / "dateline-export-big.db"))
    parser.add_argument("--reuse", action="store_true", help="use an existing --big database")
    parser.add_argument("--keep", action="store_true", help="keep the --big database")
    parser.add_argument("--child", help=argparse.SUPPRESS)
    parser.add_argument("--out", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        args.what = args.child
        child(args)
        return
    if not Path(args.db).is_file():
        parser.error(f"--db {args.db}: no such database (ingest ../shared/data/t17-dev into it first)")
    dbs = {"t17-dev": args.db}
    if args.copies > 1:
        if not (args.reuse and Path(args.big).is_file()):
            started = time.perf_counter()
            build(args.db, args.big, args.copies)
            print(f"built {args.big} ({args.copies} copies) in {time.perf_counter() - started:.0f} s", file=sys.stderr)
        dbs[f"synthetic ×{args.copies}"] = args.big
    try:
        report(dbs)
    finally:
        if args.copies > 1 and not args.keep:
            for suffix in ("", "-wal", "-shm"):
                Path(args.big + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
