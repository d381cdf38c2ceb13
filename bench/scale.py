"""Queries on a million articles: a SYNTHETIC database made by replicating a stored t17-dev database.

    .venv/bin/python bench/scale.py --base T17.db [--articles 1000000] [--db /tmp/scale.db] [--keep]
                                    [--timeout 120]

--base is a database ingested from ../shared/data/t17-dev (bench/ceiling.py --db writes one).
The big database is built at the SQL level: copy k of every stored row (articles, sentences,
the days they refer to, the per-day counts, mentions, quotes, duplicates, stories, story members) gets new ids
(`ID:k`) and every date shifted by k × SHIFT days, until --articles articles are stored. The
full-text index and the per-day totals are filled by the store's own triggers. It is synthetic: the same texts over
and over, so word statistics are flat and stories repeat; the ingest-side indexes (LSH bands,
shingles, story terms) are not replicated, so they are not in the size per article.

Then the same operations are timed on the base (2k) and on the big database (1M): `dateline
timeline QUERY` (QUERY chosen so that it selects ~10k articles at 1M), the same query limited
to one copy's dates (a fixed-size selection: it costs the same at 2k and 1M, or not),
`dateline timeline` over everything, `dateline search`, `/api/articles` pages and
`/api/timeline` (the FastAPI app in-process, through httpx). A command slower than --timeout
is reported as such. The big database is deleted afterwards unless --keep.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from dateline.store import Store  # noqa: E402

CLI = Path(sys.executable).with_name("dateline")
SHIFT = 1200  # days between copies: longer than t17-dev's span, so copies never share a day

# Per table: its columns, with SQL expressions for those that change per copy (:k is the copy).
SUFFIX = "{c} || ':' || :k"
SHIFTED = "date({c}, '+' || (:k * " + str(SHIFT) + ") || ' days')"
CHANGED = {
    "articles": {
        "id": SUFFIX,
        "external_id": SUFFIX,
        "published": SHIFTED,
        "modified": SHIFTED,
        "duplicate_of": SUFFIX,
        "story": SUFFIX,
    },
    "sentences": {"article": SUFFIX},
    "sentence_dates": {"article": SUFFIX, "day": SHIFTED},
    "article_days": {"article": SUFFIX, "day": SHIFTED},  # the store's triggers sum them into `days`
    "mentions": {"article": SUFFIX},
    "quotes": {"article": SUFFIX},
    "notes": {"article": SUFFIX},
    "duplicates": {"article": SUFFIX, "canonical": SUFFIX},
    "stories": {"id": SUFFIX, "first": SHIFTED, "last": SHIFTED},
    "story_members": {
        "article": SUFFIX,
        "story": SUFFIX,
        "canonical": SUFFIX,
        "published": SHIFTED,
        "seq": "seq + :k * 10000000",
    },
    "story_redirects": {"old": SUFFIX, "new": SUFFIX},
}


def build(base: str, target: str, articles: int) -> int:
    """Copy `base` to `target`, then add shifted copies of its rows until `articles` are stored."""
    Store(base).close()  # migrated first: the copies are made of what the current schema keeps
    shutil.copyfile(base, target)
    db = sqlite3.connect(target, isolation_level=None)
    db.execute("PRAGMA journal_mode=OFF")
    db.execute("PRAGMA synchronous=OFF")
    db.execute("ATTACH ? AS src", (base,))
    per_copy = db.execute("SELECT count(*) FROM src.articles").fetchone()[0]
    copies = -(-articles // per_copy)
    tables = [t for t in CHANGED if db.execute("SELECT 1 FROM src.sqlite_master WHERE name = ?", (t,)).fetchone()]
    statements = {}
    for table in tables:
        columns = [row[1] for row in db.execute(f"PRAGMA src.table_info({table})")]
        exprs = [CHANGED[table].get(c, "{c}").format(c=c) for c in columns]
        statements[table] = (
            f"INSERT INTO main.{table} ({', '.join(columns)}) SELECT {', '.join(exprs)} FROM src.{table}"
        )
    start = time.perf_counter()
    for k in range(1, copies):
        db.execute("BEGIN")
        for table in tables:
            sql = statements[table]
            if table == "articles" and k == copies - 1:  # the last copy fills up to exactly `articles`
                sql += " ORDER BY rowid LIMIT :n"
            if table == "article_days" and k == copies - 1:  # day counts of the articles copied only
                sql += " WHERE article || ':' || :k IN (SELECT id FROM main.articles)"
            db.execute(sql, {"k": k, "n": articles - k * per_copy})
        db.execute("COMMIT")
        if k % 20 == 0:
            print(f"  copy {k}/{copies - 1}, {time.perf_counter() - start:.0f} s", file=sys.stderr)
    db.execute("DETACH src")
    db.execute("ANALYZE")
    total = db.execute("SELECT count(*) FROM articles").fetchone()[0]
    db.close()
    return total


def query_selecting(base: str, wanted: int, copies: float) -> tuple[str, int]:
    """A word whose articles in the base, times the copies, come nearest `wanted`."""
    db = sqlite3.connect(base)
    db.execute("CREATE VIRTUAL TABLE temp.vocab USING fts5vocab(main, articles_fts, 'row')")
    per_base = max(1, round(wanted / copies))
    word, count = db.execute(
        "SELECT term, doc FROM temp.vocab WHERE length(term) > 4 AND term GLOB '[a-z]*' "
        "ORDER BY abs(doc - ?), term LIMIT 1",
        (per_base,),
    ).fetchone()
    db.close()
    return word, count


def timed(args: list[str], timeout: float) -> str:
    start = time.perf_counter()
    try:
        subprocess.run(args, check=True, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, timeout=timeout)
    except subprocess.TimeoutExpired:
        return f"> {timeout:.0f} s"
    return f"{time.perf_counter() - start:.2f} s"


def api_times(db: str, query: str, timeout: float, window: tuple[str, str] | None = None) -> dict[str, str]:
    """/api/articles pages and /api/timeline through the app in-process (start-up timed separately).
    A timeline is timed on its first request (made, unless it is the opening view the server made as
    it started) and again (the server keeps it): "first / kept"."""
    import httpx

    from dateline.api import create_app

    out = {}
    start = time.perf_counter()
    app = create_app(db)
    out["API start-up"] = f"{time.perf_counter() - start:.2f} s"
    for thread in app.state.warming:  # the page's opening timeline, made in the background
        thread.join(timeout)
    out["opening view ready (made in the background)"] = f"{time.perf_counter() - start:.2f} s after start"
    transport = httpx.ASGITransport(app=app)
    pages = [
        ("/api/articles page 1", "/api/articles?page=1&size=50"),
        ("/api/articles page 100", "/api/articles?page=100&size=50"),
        (f"/api/articles?q={query} page 1", f"/api/articles?q={query}&page=1&size=50"),
        (f"/api/articles?q={query} page 20", f"/api/articles?q={query}&page=20&size=50"),
    ]
    timelines = [
        ("/api/timeline (the page's opening view: all, 2 a day)", "/api/timeline?sentences_per_date=2"),
        (f"/api/timeline?q={query}", f"/api/timeline?q={query}"),
    ]
    if window:
        timelines.append(
            (f"/api/timeline?q={query} one copy's dates", f"/api/timeline?q={query}&from={window[0]}&to={window[1]}")
        )

    async def get(client: httpx.AsyncClient, url: str) -> float:
        begin = time.perf_counter()
        response = await client.get(url, timeout=timeout)
        response.raise_for_status()
        return time.perf_counter() - begin

    async def run() -> None:
        async with httpx.AsyncClient(transport=transport, base_url="http://127.0.0.1") as client:
            for label, url in pages:
                times = [await get(client, url) for _ in range(3)]
                out[label] = f"{statistics.median(times) * 1000:.0f} ms"
            for label, url in timelines:
                first = await get(client, url)
                kept = await get(client, url)
                out[label] = f"{first * 1000:.0f} / {kept * 1000:.0f} ms"

    import asyncio

    asyncio.run(run())
    return out


def api_in_subprocess(db: str, query: str, timeout: float, window: tuple[str, str]) -> dict[str, str]:
    """`api_times` in a child process: a slow timeline must not hold this process, nor take its memory."""
    code = f"import json, sys; sys.path.insert(0, {str(ROOT / 'bench')!r}); import scale; "
    code += f"print(json.dumps(scale.api_times({db!r}, {query!r}, {timeout!r}, {window!r})))"
    try:
        done = subprocess.run(
            [sys.executable, "-c", code], capture_output=True, text=True, timeout=timeout * 3, check=True
        )
    except subprocess.TimeoutExpired:
        return {"API": f"> {timeout * 3:.0f} s (API not measured)"}
    except subprocess.CalledProcessError as error:
        return {"API": f"failed: {error.stderr.strip().splitlines()[-1] if error.stderr.strip() else error}"}
    return json.loads(done.stdout.strip().splitlines()[-1])


def measure(db: str, query: str, window: tuple[str, str], timeout: float) -> dict[str, str]:
    cli = [str(CLI)]
    out = {
        f"timeline {query}": timed(cli + ["timeline", "--db", db, "--json", query], timeout),
        f"timeline {query} --from {window[0]} --to {window[1]}": timed(
            cli + ["timeline", "--db", db, "--json", query, "--from", window[0], "--to", window[1]], timeout
        ),
        "timeline (all)": timed(cli + ["timeline", "--db", db, "--json"], timeout),
        f"search {query}": timed(cli + ["search", "--db", db, "--json", query], timeout),
    }
    out.update(api_in_subprocess(db, query, timeout, window))
    db_conn = sqlite3.connect(db)
    n = db_conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    selected = db_conn.execute("SELECT count(*) FROM articles_fts WHERE articles_fts MATCH ?", (query,)).fetchone()[0]
    db_conn.close()
    out["articles"] = f"{n:,}"
    out[f"articles matching {query}"] = f"{selected:,}"
    out["bytes per article"] = f"{os.path.getsize(db) / n:,.0f}"
    return out


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--base", required=True, help="a database ingested from t17-dev")
    parser.add_argument("--articles", type=int, default=1_000_000)
    parser.add_argument("--db", default=str(Path(tempfile.gettempdir()) / "dateline-scale.db"))
    parser.add_argument("--keep", action="store_true", help="keep the big database afterwards")
    parser.add_argument("--reuse", action="store_true", help="measure an existing --db instead of building it")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    free = shutil.disk_usage(Path(args.db).parent).free
    print(f"free disk at {Path(args.db).parent}: {free / 1e9:.0f} GB", file=sys.stderr)
    base_conn = sqlite3.connect(args.base)
    per_copy = base_conn.execute("SELECT count(*) FROM articles").fetchone()[0]
    first, last = base_conn.execute("SELECT min(published), max(published) FROM articles").fetchone()
    base_conn.close()
    query, in_base = query_selecting(args.base, 10_000, args.articles / per_copy)
    print(f"query {query!r}: {in_base} articles in the base", file=sys.stderr)
    try:
        start = time.perf_counter()
        if args.reuse and Path(args.db).exists():
            total = sqlite3.connect(args.db).execute("SELECT count(*) FROM articles").fetchone()[0]
        else:
            total = build(args.base, args.db, args.articles)
        built = time.perf_counter() - start
        print(f"built SYNTHETIC database {args.db}: {total:,} articles in {built:.0f} s", file=sys.stderr)
        small = measure(args.base, query, (first, last), args.timeout)
        big = measure(args.db, query, (first, last), args.timeout)
    finally:
        if not (args.keep or args.reuse):
            for suffix in ("", "-wal", "-shm"):
                Path(args.db + suffix).unlink(missing_ok=True)
    print(
        f"SYNTHETIC database: t17-dev ({per_copy:,} articles) replicated to {total:,} with shifted dates "
        f"(built in {built:.0f} s)"
    )
    print("| operation | target | t17-dev (2k) | synthetic (1M) |")
    print("|---|---|---:|---:|")
    targets = {
        "timeline": "≤ 1 s",
        "/api": "≤ 200 ms",
        "timeline (all)": "≤ 3 s",
        "/api/timeline": "first ≤ 1 s (a query) / kept ≤ 200 ms",
        "/api/timeline (": "≤ 200 ms (made as the server starts)",
        "opening view": "≤ 3 s (all)",
    }
    for label in small:
        target = next((v for k, v in sorted(targets.items(), key=lambda kv: -len(kv[0])) if label.startswith(k)), "")
        print(f"| {label} | {target} | {small[label]} | {big.get(label, '')} |")


if __name__ == "__main__":
    main()
