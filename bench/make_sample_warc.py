"""Write src/dateline/sample/archive/gulf-maritime-crawl.warc.gz.

Run once with the project venv:  .venv/bin/python bench/make_sample_warc.py
The output is deterministic (fixed record ids, dates and gzip headers), so
re-running it reproduces the same bytes. Not part of the installed package.
"""

from __future__ import annotations

import uuid
from io import BytesIO
from pathlib import Path

from warcio.statusandheaders import StatusAndHeaders
from warcio.warcwriter import WARCWriter

OUT = Path(__file__).resolve().parents[1] / "src/dateline/sample/archive/gulf-maritime-crawl.warc.gz"
NS = uuid.UUID("6f1c2f0e-5d2b-4c33-9d4e-2b8f0b7f2a10")

REFLOAT = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ever Given pulled free as Suez Canal reopens - Gulf Maritime News</title>
<meta property="og:site_name" content="Gulf Maritime News">
<meta property="og:title" content="Ever Given pulled free as Suez Canal reopens">
<meta property="article:published_time" content="2021-03-29T17:45:00+02:00">
<link rel="canonical" href="https://gulfmaritime.test/news/ever-given-pulled-free-as-suez-canal-reopens">
<script src="https://gulfmaritime.test/static/ads.js"></script>
</head>
<body>
<div class="cookies">We use cookies to give you the best experience. <a href="/cookies">Find out more</a> <button>Got it</button></div>
<header><a href="/" class="brand">Gulf Maritime News</a>
<nav><a href="/news">News</a> <a href="/ports">Ports</a> <a href="/offshore">Offshore</a> <a href="/people">People</a> <a href="/jobs">Jobs</a></nav></header>
<main>
<article>
<h1>Ever Given pulled free as Suez Canal reopens</h1>
<p class="meta">Gulf Maritime News desk | <time datetime="2021-03-29T17:45:00+02:00">29 March 2021</time></p>
<p>The container ship Ever Given was refloated on Monday and towed away from the bank of the Suez Canal, ending a six-day blockage that had left hundreds of ships waiting and disrupted trade between Asia and Europe.</p>
<p>The Suez Canal Authority said tugs had first freed the ship's stern before dawn, helped by a spring tide, and that the bow came free in the afternoon after further dredging. Crews then steered the 400-metre ship towards the Great Bitter Lake, where it will be inspected.</p>
<p>Traffic through the canal restarted on Monday evening. The authority said it would run convoys around the clock to clear the backlog, which stood at more than 400 vessels.</p>
<p>Salvage teams from the Netherlands worked alongside the canal authority's own tugs and dredgers. The authority said no containers had to be removed from the ship.</p>
<p>The cause of the grounding, which the authority has linked to strong winds but has not ruled out other factors, will be the subject of an investigation.</p>
</article>
<section class="related"><h2>Related</h2><ul>
<li><a href="/news/suez-blockage-day-five">Suez blockage: day five</a></li>
<li><a href="/ports/red-sea-anchorages-fill-up">Red Sea anchorages fill up</a></li>
</ul></section>
</main>
<footer><p>&copy; 2021 Gulf Maritime News | <a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></p></footer>
</body>
</html>
"""

DEPARTURE = """<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>Ever Given leaves Great Bitter Lake after deal with canal authority - Gulf Maritime News</title>
<meta property="og:site_name" content="Gulf Maritime News">
<meta name="date" content="2021-07-07">
<link rel="canonical" href="https://gulfmaritime.test/news/ever-given-leaves-great-bitter-lake">
</head>
<body>
<div class="cookies">We use cookies to give you the best experience. <a href="/cookies">Find out more</a> <button>Got it</button></div>
<header><a href="/" class="brand">Gulf Maritime News</a>
<nav><a href="/news">News</a> <a href="/ports">Ports</a> <a href="/offshore">Offshore</a> <a href="/people">People</a> <a href="/jobs">Jobs</a></nav></header>
<main>
<article>
<h1>Ever Given leaves Great Bitter Lake after deal with canal authority</h1>
<p class="meta">Gulf Maritime News desk | <time datetime="2021-07-07">7 July 2021</time></p>
<p>The Ever Given resumed its voyage on Wednesday after more than three months at anchor in the Great Bitter Lake, following a settlement between the Suez Canal Authority and the ship's owners and insurers.</p>
<p>The agreement was signed at a ceremony at the authority's headquarters in Ismailia. The authority did not reveal the amount of compensation but said it would receive a new tug as part of the deal.</p>
<p>The ship had been held since April, when an Egyptian court ordered its seizure over the authority's claim for damages. A court lifted the order on Sunday.</p>
<p>Escorted by tugs, the ship sailed north through the canal towards Port Said. It is expected in Rotterdam later this month.</p>
</article>
<section class="related"><h2>Related</h2><ul>
<li><a href="/news/ever-given-pulled-free-as-suez-canal-reopens">Ever Given pulled free as Suez Canal reopens</a></li>
<li><a href="/news/canal-widening-plan">Egypt approves plan to widen canal's southern section</a></li>
</ul></section>
</main>
<footer><p>&copy; 2021 Gulf Maritime News | <a href="/privacy">Privacy</a> | <a href="/terms">Terms</a></p></footer>
</body>
</html>
"""

PAGES = [
    (
        "https://gulfmaritime.test/news/ever-given-pulled-free-as-suez-canal-reopens",
        "2021-03-30T06:14:09Z",
        "Tue, 30 Mar 2021 06:14:09 GMT",
        REFLOAT,
    ),
    (
        "https://gulfmaritime.test/news/ever-given-leaves-great-bitter-lake",
        "2021-07-08T09:01:33Z",
        "Thu, 08 Jul 2021 09:01:33 GMT",
        DEPARTURE,
    ),
]


def record_id(name: str) -> str:
    return f"<urn:uuid:{uuid.uuid5(NS, name)}>"


def main() -> None:
    OUT.parent.mkdir(parents=True, exist_ok=True)
    with OUT.open("wb") as fh:
        writer = WARCWriter(fh, gzip=True)
        fields = (
            b"software: dateline sample generator\r\n"
            b"format: WARC File Format 1.0\r\n"
            b"description: Sample crawl for the dateline bundled corpus (fictional outlet)\r\n"
        )
        info = writer.create_warc_record(
            "",
            "warcinfo",
            payload=BytesIO(fields),
            length=len(fields),
            warc_content_type="application/warc-fields",
            warc_headers_dict={
                "WARC-Record-ID": record_id("warcinfo"),
                "WARC-Date": "2021-03-30T06:14:00Z",
                "WARC-Filename": OUT.name,
            },
        )
        writer.write_record(info)
        for url, warc_date, http_date, html in PAGES:
            body = html.encode("utf-8")
            http_headers = StatusAndHeaders(
                "200 OK",
                [
                    ("Content-Type", "text/html; charset=utf-8"),
                    ("Content-Length", str(len(body))),
                    ("Date", http_date),
                    ("Server", "nginx"),
                ],
                protocol="HTTP/1.1",
            )
            rec = writer.create_warc_record(
                url,
                "response",
                payload=BytesIO(body),
                http_headers=http_headers,
                warc_headers_dict={"WARC-Record-ID": record_id(url), "WARC-Date": warc_date},
            )
            writer.write_record(rec)


if __name__ == "__main__":
    main()
