"""Web page load: navigation to the first timeline item drawn, `dateline serve` over t17-dev.

    .venv/bin/python bench/page.py [--db FILE] [--runs 5]

Without --db it ingests ../shared/data/t17-dev into a temporary database first (a few
minutes). Starts `dateline serve` on a free port, then opens the page in headless
Chromium (Debian's, through Playwright) with a cold browser cache each run and times
navigation -> first `.vis-item` visible, for the whole database (what the page opens with)
and for typed queries. The first run starts right after the server answers, so it races the
server's own preparation of the opening timeline.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "tests"))

from latency import CLI, t17_database  # noqa: E402
from test_browser import CHROMIUM, CHROMIUM_ARGS, free_port, wait_until_answers  # noqa: E402

QUERIES = [None, "swine flu", "Obama"]


def first_item_ms(browser, url: str) -> float:
    context = browser.new_context(viewport={"width": 1366, "height": 900})  # a new context: cold cache
    try:
        page = context.new_page()
        start = time.perf_counter()
        page.goto(url)
        page.wait_for_selector(".vis-item", state="visible", timeout=30_000)
        return (time.perf_counter() - start) * 1000
    finally:
        context.close()


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--db")
    ap.add_argument("--runs", type=int, default=5)
    args = ap.parse_args()
    from playwright.sync_api import sync_playwright

    db = args.db or t17_database()
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k != "DATELINE_TOKEN"}
    server = subprocess.Popen(
        [str(CLI), "serve", "--db", db, "--port", str(port)],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    base = f"http://127.0.0.1:{port}/"
    try:
        wait_until_answers(base + "api/stories?size=1", server)
        with sync_playwright() as playwright:
            browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
            print("| query | first timeline item visible, first run | median of the rest (max) |")
            print("|---|---|---|")
            for query in QUERIES:
                url = base + (f"?q={query.replace(' ', '+')}" if query else "")
                runs = [first_item_ms(browser, url) for _ in range(args.runs)]
                rest = runs[1:] or runs
                print(
                    f"| {query or '(whole database)'} | {runs[0]:.0f} ms | "
                    f"{statistics.median(rest):.0f} ms ({max(rest):.0f}) |"
                )
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=15)
    return 0


if __name__ == "__main__":
    sys.exit(main())
