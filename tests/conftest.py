"""Shared fixtures: corpus builders, WARC writing, a CLI runner, the sample corpus and ../shared.

Helpers that hypothesis tests need are plain functions exposed through
session-scoped fixtures, so they never trip hypothesis' function-scoped
fixture health check.
"""

from __future__ import annotations

import gzip
import io
import json
import os
import sqlite3
from collections.abc import Iterable, Sequence
from pathlib import Path

import pytest
from typer.testing import CliRunner

# ../shared (beside the clone) holds the seed corpus and the benchmark data; it exists only on the
# project's machines. Tests that need it skip, all with the one reason below, when it is absent;
# DATELINE_SHARED points elsewhere (DATELINE_SHARED=/nonexistent pytest = a clean clone).
SHARED = Path(os.environ.get("DATELINE_SHARED") or Path(__file__).resolve().parents[2] / "shared")
SEEDS = SHARED / "seeds"
DATA = SHARED / "data"
# The bundled sample corpus (docs/sample-corpus.md): what the suite runs on everywhere.
SAMPLE = Path(__file__).resolve().parents[1] / "src" / "dateline" / "sample"


def shared_missing(folder: Path = SEEDS) -> str | None:
    """The skip reason when `folder` (../shared/seeds by default) is absent, else None."""
    if folder.is_dir() and any(folder.iterdir()):
        return None
    return (
        f"../shared not found at {SHARED if not SHARED.is_dir() else folder}: "
        "seed and benchmark tests need it (set DATELINE_SHARED)"
    )


def require_shared(folder: Path = SEEDS) -> Path:
    """Skip the calling test (or fixture) when ../shared is absent; else return `folder`."""
    reason = shared_missing(folder)
    if reason:
        pytest.skip(reason)
    return folder


def seed_path(prefix: str) -> Path:
    """../shared/seeds/<prefix>_*.txt; skips without ../shared, fails if ../shared lacks that seed."""
    found = sorted(require_shared().glob(f"{prefix}_*.txt"))
    assert found, f"seed {prefix} missing from {SEEDS}"
    return found[0]


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "shared: needs ../shared (seeds or benchmark data); skipped, with one reason, when it is absent"
    )


def pytest_runtest_setup(item: pytest.Item) -> None:
    if item.get_closest_marker("shared"):
        require_shared()


# Sentences that read like news so that the cleaner keeps them as body text.
SENTENCES = (
    "The harbour authority said on Monday that the northern channel would reopen to cargo traffic after three days of dredging work.",
    "Officials told reporters that ships waiting at anchor would be allowed through in the order they arrived at the port.",
    "The closure had delayed more than forty vessels, according to figures published by the port operator on its website.",
    "A spokesman for the shipping association said its members had lost several million dollars while the channel was shut.",
    "Engineers from the regional water board inspected the sea wall on Sunday and found no damage that would need urgent repair.",
    "The mayor thanked the dredging crews for working through the weekend and promised a full review of the maintenance schedule.",
)


def article_text(n: int, sentences: int = 3, title: bool = True) -> str:
    """A small plain-text news article, distinct for every `n`."""
    body = [f"Report number {n} from the harbour desk: " + SENTENCES[n % len(SENTENCES)]]
    body += [SENTENCES[(n + i) % len(SENTENCES)] for i in range(1, sentences)]
    head = f"Harbour channel update number {n} for shipping crews\n\n" if title else ""
    return head + "\n\n".join(body) + "\n"


def article_html(n: int, title: str | None = None) -> str:
    title = title or f"Harbour channel update number {n}"
    paragraphs = "".join(f"<p>{line}</p>" for line in article_text(n, 4, title=False).split("\n\n"))
    return (
        f"<!DOCTYPE html><html><head><meta charset='utf-8'><title>{title}</title></head>"
        f"<body><nav><a href='/'>Home</a></nav><article><h1>{title}</h1>{paragraphs}</article>"
        "<footer>Contact us</footer></body></html>"
    )


def write(path: Path, data: bytes | str) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    if isinstance(data, str):
        data = data.encode("utf-8")
    path.write_bytes(data)
    return path


def write_gzip(path: Path, data: bytes | str, truncate: int | None = None) -> Path:
    """A gzip file; `truncate` cuts that many bytes off its end (a download that stopped early)."""
    if isinstance(data, str):
        data = data.encode("utf-8")
    packed = gzip.compress(data, mtime=0)
    if truncate:
        packed = packed[:-truncate]
    return write(path, packed)


def jsonl(objects: Iterable[object | str]) -> str:
    """JSON Lines; a str item is written as-is (a broken line)."""
    return "".join((o if isinstance(o, str) else json.dumps(o)) + "\n" for o in objects)


def write_warc(
    path: Path, pages: Sequence[tuple[str, str, str]], compress: bool = False, with_requests: bool = True
) -> Path:
    """A WARC of (url, body, content type) response records, each after a request record."""
    from warcio.statusandheaders import StatusAndHeaders
    from warcio.warcwriter import WARCWriter

    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "wb") as handle:
        writer = WARCWriter(handle, gzip=compress)
        for url, body, content_type in pages:
            if with_requests:
                request = StatusAndHeaders("GET / HTTP/1.1", [("Host", "example.org")], is_http_request=True)
                writer.write_record(writer.create_warc_record(url, "request", http_headers=request))
            headers = StatusAndHeaders("200 OK", [("Content-Type", content_type)], protocol="HTTP/1.1")
            payload = io.BytesIO(body.encode("utf-8"))
            writer.write_record(writer.create_warc_record(url, "response", payload=payload, http_headers=headers))
    return path


def db_snapshot(db: str | Path) -> tuple[list[tuple], list[tuple]]:
    """Everything stored (articles, rejects), in a stable order, read through a separate connection."""
    with sqlite3.connect(str(db)) as connection:
        articles = connection.execute("SELECT * FROM articles ORDER BY id").fetchall()
        rejects = connection.execute("SELECT * FROM rejects ORDER BY path, line").fetchall()
    connection.close()
    return articles, rejects


class Helpers:
    """Namespace handed to tests: `helpers.article_text(3)`, `helpers.write_warc(...)`."""

    article_text = staticmethod(article_text)
    article_html = staticmethod(article_html)
    write = staticmethod(write)
    write_gzip = staticmethod(write_gzip)
    jsonl = staticmethod(jsonl)
    write_warc = staticmethod(write_warc)
    db_snapshot = staticmethod(db_snapshot)
    SENTENCES = SENTENCES


@pytest.fixture(scope="session")
def helpers() -> type[Helpers]:
    return Helpers


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def cli_app():
    from dateline.cli import app

    return app


@pytest.fixture
def db(tmp_path: Path) -> Path:
    return tmp_path / "test.db"


@pytest.fixture
def small_corpus(tmp_path: Path) -> Path:
    """A folder with one of each kind of good input and a few bad ones."""
    root = tmp_path / "corpus"
    write(root / "wire" / "a.txt", article_text(1))
    write(root / "wire" / "b.txt", article_text(2))
    write(root / "pages" / "c.html", article_html(3))
    write(
        root / "exports" / "d.jsonl",
        jsonl(
            [
                {
                    "id": "d1",
                    "url": "https://www.theguardian.com/world/d1",
                    "title": "Channel reopens",
                    "text": article_text(4, title=False),
                    "published": "2021-03-29",
                },
                "{not json",
                {"id": "d3", "source": "Reuters", "text": article_text(5, title=False)},
            ]
        ),
    )
    write(root / "junk" / "empty.txt", b"")
    write(root / "junk" / ".DS_Store", b"\x00\x00\x00\x01Bud1\x00\x00")
    return root


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return require_shared(SEEDS)


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """../shared/data (benchmark and dev sets), or a skip with the one reason."""
    return require_shared(DATA)


class SampleCorpus:
    """The bundled sample corpus, ingested once per session (tests/test_sample.py and friends).

    `db` is a finished database nobody writes to again: copy it (`copy_to`) to change it.
    Articles are keyed by `external_id` (the file stem, the JSONL id, `<warc stem>:<n>`).
    """

    def __init__(self, db: Path, report, articles: dict, rejects: list) -> None:
        self.db, self.report, self.articles, self.rejects = db, report, articles, rejects

    def __getitem__(self, external_id: str):
        return self.articles[external_id]

    def id(self, external_id: str) -> str:
        return self.articles[external_id].id

    def name(self, article_id: str) -> str:
        """The external id of the article with this id."""
        return next(key for key, article in self.articles.items() if article.id == article_id)

    def copy_to(self, folder: Path) -> Path:
        target = folder / "sample.db"
        target.write_bytes(self.db.read_bytes())
        return target


@pytest.fixture(scope="session")
def sample(tmp_path_factory: pytest.TempPathFactory) -> SampleCorpus:
    import dateline

    db = tmp_path_factory.mktemp("sample") / "sample.db"
    with dateline.open(db) as corpus:
        report = corpus.ingest([SAMPLE], workers=1)
        articles = {article.external_id: article for article in corpus.articles()}
        rejects = list(corpus.rejects())
    assert len(articles) == report.stored, "two sample articles share an external id"
    return SampleCorpus(db, report, articles, rejects)
