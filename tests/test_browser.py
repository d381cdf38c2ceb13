"""The web page in a real browser: Debian's Chromium driven by Playwright, against `dateline serve`.

The database is the bundled sample corpus (docs/sample-corpus.md), whose Maritime Ledger article has
`<script>alert(1)</script>` in its title, plus one more hostile article whose title is an HTML payload
and whose address is a `javascript:` URL: the page must show them as text everywhere and never run them. Playwright's own browser download cannot work here,
so the test uses /usr/bin/chromium (installed when missing and running as root; `make test` does
that first). It runs with the rest of the suite; it is skipped only when Chromium is missing and
cannot be installed because we are not root.
"""

from __future__ import annotations

import json
import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect, sync_playwright

import dateline.corpus

CHROMIUM = Path("/usr/bin/chromium")
# no sandbox: tests run as root in containers; the rest keeps Chromium from calling home
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOT_COPY = Path("/tmp/dateline-screenshot.png")

XSS_TITLE = "<img src=x onerror=alert(1)>"
SAMPLE_TITLE = "Egypt seizes Ever Given over $916m claim <script>alert(1)</script>"  # the sample's own
# A page that shows code: the cleaner drops lines of markup from plain text, but text that an
# HTML page escapes (&lt;script&gt;) is the page's prose and arrives in the article as "<script>".
HOSTILE = {
    "id": "hostile-1",
    "url": "javascript:alert(2)",
    "source": "Hostile Daily",
    "title": XSS_TITLE,
    "published": "2021-07-20",
    "html": (
        "<html><head><title>&lt;img src=x onerror=alert(1)&gt;</title></head><body><article>"
        "<h1>&lt;img src=x onerror=alert(1)&gt;</h1>"
        "<p>ISMAILIA, July 20. Karim Nassar, the director of Canal Towage Company, said on Tuesday that "
        "the company's tugs would take part in the widening of the southern section of the canal.</p>"
        "<p>Nassar told reporters that the code &lt;script&gt;alert(3)&lt;/script&gt; had been found in "
        "the company's web page on Tuesday afternoon.</p>"
        "<p>The director said the company had received no answer to its questions about the attack.</p>"
        "</article></body></html>"
    ),
}
TIMEOUT_MS = 20_000


def chromium() -> Path:
    """Debian's Chromium, installed when missing and we may; skip only when we may not."""
    if CHROMIUM.exists():
        return CHROMIUM
    if os.geteuid() != 0:
        pytest.skip(f"{CHROMIUM} is missing and installing it needs root: apt-get install chromium")
    install = subprocess.run(
        "apt-get update -q && apt-get install -y -q chromium", shell=True, capture_output=True, text=True
    )
    if install.returncode != 0 or not CHROMIUM.exists():
        pytest.fail(f"could not install chromium: {install.stdout[-2000:]}{install.stderr[-2000:]}")
    return CHROMIUM


@pytest.fixture(scope="module")
def hostile_db(tmp_path_factory, sample) -> Path:
    folder = tmp_path_factory.mktemp("browser")
    extra = folder / "extra" / "hostile.jsonl"
    extra.parent.mkdir()
    extra.write_text(json.dumps(HOSTILE) + "\n", encoding="utf-8")
    db = sample.copy_to(folder)  # the sample, ingested once per session
    with dateline.corpus.open(db) as corpus:
        report = corpus.ingest([extra.parent])
    assert report.rejected == 0 and report.stored == 1
    return db


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def dateline_command() -> list[str]:
    script = shutil.which("dateline") or shutil.which("dateline", path=str(Path(sys.executable).parent))
    return [script] if script else [sys.executable, "-m", "dateline.cli"]


@pytest.fixture(scope="module")
def server(hostile_db):
    port = free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATELINE_TOKEN", "DATELINE_DB")}
    process = subprocess.Popen(
        [*dateline_command(), "serve", "--db", str(hostile_db), "--port", str(port)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
        env=env,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        wait_until_answers(url + "/api/stories", process)
        yield url
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def wait_until_answers(url: str, process: subprocess.Popen, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"dateline serve exited with {process.returncode}: {process.stderr.read()}")
        try:
            with urllib.request.urlopen(url, timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    raise AssertionError(f"dateline serve did not answer {url} within {timeout} s")


@pytest.fixture
def page(server):
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(chromium()), args=CHROMIUM_ARGS)
        try:
            context = browser.new_context(viewport={"width": 1366, "height": 900})
            context.set_default_timeout(TIMEOUT_MS)
            yield context.new_page()
        finally:
            browser.close()


def watch(page: Page) -> dict[str, list[str]]:
    """What must stay empty: dialogs (an alert() from scraped text), script errors, CSP refusals."""
    seen: dict[str, list[str]] = {"dialogs": [], "errors": [], "console": [], "elsewhere": []}

    def on_dialog(dialog):
        seen["dialogs"].append(dialog.message)
        dialog.dismiss()

    page.on("dialog", on_dialog)
    page.on("pageerror", lambda error: seen["errors"].append(str(error)))
    # the page works offline: every request goes to the dateline server (data: URLs never hit the network)
    page.on(
        "request",
        lambda request: request.url.startswith(("http://127.0.0.1:", "data:")) or seen["elsewhere"].append(request.url),
    )
    page.on("console", lambda message: message.type == "error" and seen["console"].append(message.text))
    return seen


def timeline_box(page: Page, day: str):
    """The timeline's box for `day`, scrolled into the rows' view as a reader would: vis scrolls its
    rows itself (and draws only rows near the view), so Playwright's own scrolling cannot reach it."""
    box = page.locator("#timeline .vis-item.vis-box").filter(has=page.locator(f"time[datetime='{day}']")).first
    page.locator("#timeline .vis-item.vis-box").first.wait_for()
    rows = page.locator("#timeline .vis-panel.vis-center")
    rows.hover()
    for _ in range(10):  # to the top first
        page.mouse.wheel(0, -400)
    for _ in range(40):
        page.wait_for_timeout(60)
        view, found = rows.bounding_box(), box.bounding_box() if box.count() else None
        if found and found["y"] >= view["y"] and found["y"] + 60 <= view["y"] + view["height"]:
            return box
        page.mouse.wheel(0, 120)
    return box


def api_json(server: str, path: str) -> dict:
    with urllib.request.urlopen(server + path, timeout=10) as response:
        return json.load(response)


def test_the_page_searches_shows_the_timeline_and_articles_and_keeps_hostile_text_inert(page, server, tmp_path, sample):
    seen = watch(page)
    page.goto(server + "/")
    article = page.locator("#article")

    # an empty query is the whole database, loaded on open
    expect(page.locator("#timeline .vis-item.vis-box").first).to_be_visible()
    expect(page.locator("#summary")).to_contain_text("whole database")

    # the hostile titles are literal text in the list, the timeline and the article view
    expect(page.locator("#articles .title", has_text=SAMPLE_TITLE)).to_have_text(SAMPLE_TITLE)
    page.locator("#articles .row", has_text=SAMPLE_TITLE).click()
    expect(article.locator(".headline")).to_have_text(SAMPLE_TITLE)
    expect(article.locator(".meta time").first).to_have_text("2021-04-13")
    expect(page.locator("#articles .title", has_text=XSS_TITLE)).to_have_text(XSS_TITLE)
    expect(page.locator("#timeline .group-label", has_text=XSS_TITLE)).to_have_text(XSS_TITLE)
    hostile_box = timeline_box(page, "2021-07-20")
    expect(hostile_box).to_contain_text("Hostile Daily")
    hostile_box.locator(".sentence").first.click()
    expect(article.locator(".headline")).to_have_text(XSS_TITLE)
    expect(article.locator(".body")).to_contain_text("<script>alert(3)</script>")
    # a javascript: address is shown as text, never made a link
    expect(article.locator(".meta", has_text="not a web link")).to_contain_text("javascript:alert(2)")
    assert article.locator("a[href^='javascript']").count() == 0

    # an undated copy says where its date came from and lists every outlet that carried the text
    copy = page.locator("#articles .row", has=page.locator(".badge", has_text="copy")).filter(
        has_text="Ever Given leaves the Suez Canal after compensation deal"
    )
    expect(copy).to_have_count(1)
    copy.click()
    expect(article.locator(".provenance")).to_have_text("inferred from a copy or its story")
    expect(article.locator(".carriers")).to_contain_text("the original")
    expect(article.locator(".carriers")).to_contain_text("HW")

    # autocomplete offers the entity, then the search draws its timeline
    page.locator("#q").press_sequentially("Rabie", delay=40)
    suggestion = page.locator("#suggestions [role=option]").first
    expect(suggestion).to_be_visible()
    expect(suggestion.locator(".name")).to_have_text("Osama Rabie")
    page.locator("#q").press("Enter")
    expect(page.locator("#summary")).to_contain_text("“Rabie”")
    expect(page).to_have_url(server + "/?q=Rabie")

    for day in ("2021-03-27", "2021-03-29", "2021-04-01"):
        expect(timeline_box(page, day)).to_be_visible()
    # groups are stories, labelled with the story's label
    label = api_json(server, f"/api/articles/{sample.id('portside-0401-compensation-claim')}")["story"]["label"]
    expect(page.locator("#timeline .group-label", has_text=label)).to_have_count(1)
    # the attention chart has bars, the side panel quotes and stories, the exports follow the query
    expect(page.locator("#attention rect.vis-bar").first).to_be_attached()
    expect(page.locator("#quotes .quote").first).to_be_visible()
    expect(page.locator("#quotes")).to_contain_text("Osama Rabie")
    expect(page.locator("#stories")).to_contain_text(label)
    expect(page.locator("#export-csv")).to_have_attribute("href", "/api/timeline/export?format=csv&q=Rabie")

    # a timeline sentence opens its article: text, the sentence marked, quotes, date provenance, outlets
    box = timeline_box(page, "2021-04-01")
    sentence = box.locator(".sentence .text").first.inner_text()
    box.locator(".sentence").first.click()
    expect(article.locator(".headline")).to_have_text(
        "Suez Canal Authority says it may seek around $1 billion in compensation"
    )
    expect(article.locator(".body")).to_contain_text("CAIRO, April 1 (Portside)")
    expect(article.locator(".body mark.chosen").first).to_be_visible()
    # one sentence may be marked in pieces, around the quote inside it
    assert sentence.rstrip("…")[:60] in "".join(article.locator(".body mark.chosen").all_inner_texts())
    expect(article.locator(".body mark.quote[title='quote: Osama Rabie']").first).to_be_visible()
    expect(article.locator(".meta time")).to_have_text("2021-04-01")
    expect(article.locator(".provenance")).to_have_text("from the dateline")
    expect(article.locator(".carriers")).to_contain_text("Portside")
    page.screenshot(path=str(tmp_path / "page.png"), full_page=True)

    # errors from the API are shown, not swallowed
    page.goto(server + "/?q=Rabie&from=2021-13-01")
    expect(page.locator("#message")).to_be_visible()
    expect(page.locator("#message")).to_contain_text("from 2021-13-01: not a date (YYYY-MM-DD)")
    expect(page.locator("#timeline-note")).to_have_text("No timeline: see the message above.")
    expect(page.locator("#network-note")).to_have_text("No network: see the message above.")

    page.wait_for_timeout(300)  # time for an injected onerror handler to have fired
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("a[href^='javascript']").count() == 0
    assert page.locator("script:not([src])").count() == 0
    assert seen["dialogs"] == []
    assert seen["elsewhere"] == []
    assert seen["errors"] == []
    # the 400 above is the only console error: no CSP refusals, no missing files
    assert [text for text in seen["console"] if "400" not in text] == []
    shutil.copyfile(tmp_path / "page.png", SCREENSHOT_COPY)


def test_the_page_fits_a_phone(page, server, tmp_path):
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(server + "/?q=Rabie")
    expect(page.locator("#timeline .vis-item.vis-box").first).to_be_visible()
    # one column: nothing wider than the screen, the side panel below the article view
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    article, side = page.locator("#article").bounding_box(), page.locator(".side").bounding_box()
    assert side["y"] >= article["y"] + article["height"]
    # the timeline's height is reserved before its data arrives: no layout shift
    assert page.locator(".timeline-box").bounding_box()["height"] > 300
    page.screenshot(path=str(tmp_path / "phone.png"), full_page=False)


NETWORK_SCREENSHOT_COPY = Path("/tmp/dateline-network.png")


def point_on(page: Page, source: str, target: str | None = None) -> dict[str, float]:
    """Where an entity (or the middle of a tie) is drawn on the network's canvas, in page coordinates."""
    return page.evaluate(
        """([source, target]) => {
          const view = window.datelineNetwork;
          const ids = target ? [source, target] : [source];
          const at = ids.map((id) => view.canvasToDOM(view.getPositions([id])[id]));
          const box = document.getElementById("network").getBoundingClientRect();
          return { x: box.left + at.reduce((s, p) => s + p.x, 0) / at.length,
                   y: box.top + at.reduce((s, p) => s + p.y, 0) / at.length };
        }""",
        [source, target],
    )


def laid_out(page: Page) -> None:
    """Wait until the network stands still (physics off once laid out). Polled from here: the page's CSP
    forbids the eval() that wait_for_function needs."""
    still = "() => Boolean(window.datelineNetwork && !window.datelineNetwork.physics.options.enabled)"
    for _ in range(200):
        if page.evaluate(still):
            return
        page.wait_for_timeout(100)
    raise AssertionError("the network did not settle within 20 s")


def test_the_network_shows_who_appears_with_whom_and_keeps_hostile_text_inert(page, server, tmp_path):
    seen = watch(page)
    page.set_viewport_size({"width": 1366, "height": 1000})
    page.goto(server + "/")
    section = page.locator(".network-section")
    expect(page.locator("#ties .row").first).to_be_visible()
    made = api_json(server, "/api/network")
    expect(page.locator("#network-summary")).to_have_text(f"{len(made['nodes'])} entities, {len(made['links'])} ties")
    section.scroll_into_view_if_needed()
    laid_out(page)

    # sized by mentions, coloured by type: what vis-network was given is what the API says
    drawn = page.evaluate(
        "() => window.datelineNetwork.body.data.nodes.get().map((n) => [n.id, n.value, n.color.background])"
    )
    colours = {"person": "#1f77b4", "organisation": "#ff7f0e", "place": "#2ca02c", "group": "#9467bd"}
    assert sorted(drawn) == sorted([n["id"], n["mentions"], colours.get(n["type"], "#7f7f7f")] for n in made["nodes"])
    big, small = made["nodes"][0], made["nodes"][-1]
    sizes = page.evaluate(
        "(ids) => ids.map((id) => window.datelineNetwork.body.nodes[id].options.size)", [big["id"], small["id"]]
    )
    assert big["mentions"] > small["mentions"] and sizes[0] > sizes[1]
    expect(page.locator("#network-legend")).to_contain_text("organisation")

    # hovering a tie shows the sentences behind it; the sample's hostile title stays text
    hostile_tie = next(link for link in made["links"] if any(s["title"] == SAMPLE_TITLE for s in link["sentences"]))
    spot = point_on(page, hostile_tie["source"], hostile_tie["target"])
    page.mouse.move(spot["x"], spot["y"])
    tie = page.locator("#tie")
    expect(tie.locator(".title", has_text=SAMPLE_TITLE)).to_have_text(SAMPLE_TITLE)
    expect(tie.locator("h3")).to_contain_text(" — ")

    # the strongest ties are listed too (keyboard and screen readers): the first one's sentences
    first = made["links"][0]
    page.locator("#ties .row").first.focus()
    expect(tie.locator(".tie-sentences .text").first).to_have_text(first["sentences"][0]["text"])
    page.screenshot(path=str(tmp_path / "network.png"), clip=section.bounding_box())

    # the hostile article ties Karim Nassar to his company on its own day; its title is text
    page.goto(server + "/?q=Nassar")
    expect(page.locator("#summary")).to_contain_text("“Nassar”")
    laid_out(page)
    section.scroll_into_view_if_needed()
    spot = point_on(page, "person:karim nassar", "organisation:canal towage company")
    page.mouse.move(spot["x"], spot["y"])
    expect(tie.locator("h3")).to_have_text("Canal Towage Company — Karim Nassar")
    expect(tie).to_contain_text("2021-03-30 – 2021-07-20")
    hostile = tie.locator(".row", has_text="Hostile Daily")
    expect(hostile.locator(".title")).to_have_text(XSS_TITLE)
    hostile.click()  # a sentence opens its article
    expect(page.locator("#article .headline")).to_have_text(XSS_TITLE)

    # clicking an entity runs its timeline (over the same days)
    section.scroll_into_view_if_needed()
    spot = point_on(page, "organisation:canal towage company")
    page.mouse.click(spot["x"], spot["y"])
    expect(page).to_have_url(server + "/?q=Canal+Towage+Company")
    expect(page.locator("#summary")).to_contain_text("“Canal Towage Company”")
    expect(page.locator("#q")).to_have_value("Canal Towage Company")

    # the tables export follows the search
    expect(page.locator("#export-tables")).to_have_attribute(
        "href", "/api/export?format=parquet&q=Canal+Towage+Company"
    )

    page.wait_for_timeout(300)  # time for an injected onerror handler to have fired
    assert page.locator("img[src=x]").count() == 0
    assert page.locator("script:not([src])").count() == 0
    assert seen == {"dialogs": [], "errors": [], "console": [], "elsewhere": []}
    shutil.copyfile(tmp_path / "network.png", NETWORK_SCREENSHOT_COPY)
