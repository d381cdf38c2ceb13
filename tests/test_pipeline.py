"""pipeline.py + corpus.py: counts add up, idempotence, determinism, resumability — over random corpora."""

from __future__ import annotations

import json
import tempfile
from datetime import date
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import dateline
from conftest import article_html, article_text, db_snapshot, jsonl, write, write_gzip
from dateline import pipeline
from dateline.models import Article, Raw, Reject

TODAY = date(2024, 6, 1)

# --- a random corpus -----------------------------------------------------------

KINDS = (
    "txt",
    "html",
    "json",
    "jsonl",
    "jsonl_gz",
    "html_gz",
    "empty",
    "blank",
    "binary",
    "bad_json",
    "bad_jsonl",
    "short",
    "unsupported",
    "truncated_gz",
    "utf16",
    "latin1",
)


def make_file(folder: Path, index: int, kind: str, n: int) -> Path:
    """One input of the given kind; `n` varies its content."""
    name = f"f{index:02d}"
    if kind == "txt":
        return write(folder / f"{name}.txt", article_text(n))
    if kind == "html":
        return write(folder / f"{name}.html", article_html(n))
    if kind == "json":
        return write(
            folder / f"{name}.json",
            json.dumps(
                {
                    "maintext": article_text(n, title=False),
                    "title": f"Update {n}",
                    "url": f"https://example.org/{index}/{n}",
                    "date_publish": "2021-03-29 10:00:00",
                    "source_domain": "bbc.co.uk",
                }
            ),
        )
    if kind in ("jsonl", "jsonl_gz"):
        body = jsonl(
            [
                {"id": f"{index}-{n}-a", "text": article_text(n)},
                "{broken",
                {"id": f"{index}-{n}-c", "html": article_html(n + 1)},
                {"title": "no text"},
            ]
        )
        if kind == "jsonl_gz":
            return write_gzip(folder / f"{name}.jsonl.gz", body)
        return write(folder / f"{name}.jsonl", body)
    if kind == "html_gz":
        return write_gzip(folder / f"{name}.html.gz", article_html(n))
    if kind == "empty":
        return write(folder / f"{name}.txt", b"")
    if kind == "blank":
        return write(folder / f"{name}.html", b"   \n\n  ")
    if kind == "binary":
        return write(folder / f"{name}.txt", bytes((n * 7 + i) % 256 for i in range(2048)))
    if kind == "bad_json":
        return write(folder / f"{name}.json", "{not: json" if n % 2 else "[1, 2, 3]")
    if kind == "bad_jsonl":
        return write(folder / f"{name}.jsonl", jsonl(["{nope", "[]", {"text": ""}]))
    if kind == "short":
        return write(folder / f"{name}.txt", f"ok {n}")
    if kind == "unsupported":
        return write(folder / f"{name}.pdf", b"%PDF-1.4 not really")
    if kind == "truncated_gz":
        return write_gzip(folder / f"{name}.html.gz", article_html(n) * 3, truncate=25)
    if kind == "utf16":
        return write(folder / f"{name}.txt", article_text(n).encode("utf-16"))
    if kind == "latin1":
        return write(folder / f"{name}.txt", (article_text(n) + "Le café reste ouvert.\n").encode("latin-1"))
    raise AssertionError(kind)


corpora = st.lists(
    st.tuples(st.sampled_from(KINDS), st.integers(0, 50), st.sampled_from(["", "a", "a/b", "z"])),
    min_size=0,
    max_size=8,
)


def build(root: Path, spec: list[tuple[str, int, str]]) -> list[Path]:
    root.mkdir(parents=True, exist_ok=True)
    return [make_file(root / sub, i, kind, n) for i, (kind, n, sub) in enumerate(spec)]


def ingest(db: Path, paths: list[Path], workers: int = 1) -> pipeline.Report:
    with dateline.open(db) as corpus:
        return pipeline.ingest(corpus.store, [str(p) for p in paths], workers=workers, today=TODAY)


PROPERTY = settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture]
)


@PROPERTY
@given(spec=corpora)
def test_counts_add_up_and_every_file_is_accounted_for(spec):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "corpus"
        files = build(root, spec)
        report = ingest(Path(scratch) / "t.db", [root])
        assert report.read == report.stored + report.unchanged + report.rejected
        assert report.rejected == sum(report.reasons.values())
        articles, rejects = db_snapshot(Path(scratch) / "t.db")
        assert len(articles) == report.stored
        accounted = {row[2] for row in articles} | {row[0] for row in rejects}
        assert {str(f) for f in files} <= accounted
        assert all(row[2].strip() for row in rejects)  # every reject has a reason
        if not files:
            assert report.to_dict() == {
                "read": 0,
                "stored": 0,
                "unchanged": 0,
                "rejected": 0,
                "duplicates": 0,
                "rejects_by_reason": {},
            }


@PROPERTY
@given(spec=corpora)
def test_ingesting_twice_changes_nothing(spec):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "corpus"
        build(root, spec)
        db = Path(scratch) / "t.db"
        first = ingest(db, [root])
        before = db_snapshot(db)
        second = ingest(db, [root])
        assert second.stored == 0
        assert second.unchanged == first.stored + first.unchanged
        assert second.rejected == first.rejected
        assert second.read == first.read
        assert db_snapshot(db) == before


@PROPERTY
@given(spec=corpora)
def test_parse_is_deterministic_and_matches_ingest(spec):
    with tempfile.TemporaryDirectory() as scratch:
        root = Path(scratch) / "corpus"
        build(root, spec)
        once = list(pipeline.records([str(root)], today=TODAY))
        again = list(pipeline.records([str(root)], today=TODAY))
        assert once == again
        report = ingest(Path(scratch) / "t.db", [root])
        assert sum(isinstance(r, Article) for r in once) == report.stored + report.unchanged
        assert sum(isinstance(r, Reject) for r in once) == report.rejected


def test_workers_give_the_same_database(tmp_path):
    spec = [(kind, i * 3, sub) for i, (kind, sub) in enumerate(zip(KINDS * 5, ["", "a", "a/b", "z"] * 20))]
    root = tmp_path / "corpus"
    build(root, spec)
    assert len(spec) > pipeline.BATCH  # more than one batch, so batches really run in parallel
    one = ingest(tmp_path / "one.db", [root], workers=1)
    two = ingest(tmp_path / "two.db", [root], workers=2)
    assert one.to_dict() == two.to_dict()
    assert db_snapshot(tmp_path / "one.db") == db_snapshot(tmp_path / "two.db")
    assert one.stored > 0 and one.rejected > 0


def test_an_interrupted_ingest_resumes_to_the_same_state(tmp_path):
    root = tmp_path / "corpus"
    for i in range(pipeline.BATCH * 2 + 5):
        write(root / f"{i:03d}.txt", article_text(i) if i % 10 else b"")
    whole = ingest(tmp_path / "whole.db", [root])

    class Killed(Exception):
        pass

    def die_after_first_batch(report):
        raise Killed

    with dateline.open(tmp_path / "killed.db") as corpus:
        with pytest.raises(Killed):
            pipeline.ingest(corpus.store, [str(root)], today=TODAY, progress=die_after_first_batch)
        counts = corpus.store.articles.counts()
        assert 0 < counts["articles"] + counts["rejects"] <= pipeline.BATCH
    resumed = ingest(tmp_path / "killed.db", [root])
    assert resumed.read == whole.read
    assert resumed.stored + resumed.unchanged == whole.stored
    assert db_snapshot(tmp_path / "killed.db") == db_snapshot(tmp_path / "whole.db")


def test_report_groups_reasons_without_details(tmp_path, helpers):
    write(tmp_path / "c" / "a.json", "{bad")
    write(tmp_path / "c" / "b.json", "[]")
    write(tmp_path / "c" / "c.pdf", "x")
    report = ingest(tmp_path / "t.db", [tmp_path / "c"])
    assert report.to_dict() == {
        "read": 3,
        "stored": 0,
        "unchanged": 0,
        "rejected": 3,
        "duplicates": 0,
        "rejects_by_reason": {
            "invalid JSON: Expecting property name enclosed in double quotes at line 1 column 2": 1,
            "not a JSON object": 1,
            "not a supported file type": 1,
        },
    }


def test_parse_never_raises(monkeypatch):
    from dateline import clean

    def broken(*args, **kwargs):
        raise RuntimeError("cleaner bug")

    monkeypatch.setattr(clean, "clean_text", broken)
    raw = Raw("/c/a.txt", None, "a.txt", "a", "text", article_text(1))
    result = pipeline.parse(raw, TODAY)
    assert isinstance(result, Reject)
    assert result.reason == "could not be processed (RuntimeError: cleaner bug)"
    assert (result.path, result.line) == ("/c/a.txt", None)


def test_parse_builds_an_article_from_a_scraper_record():
    raw = Raw(
        "/c/feed.jsonl",
        3,
        "https://www.theguardian.com/world/x",
        "x",
        "text",
        article_text(1, title=False),
        url="https://www.theguardian.com/world/x",
        source=None,
        title="Channel reopens",
        published="2021-03-29",
    )
    parsed = pipeline.parse(raw, TODAY)
    assert isinstance(parsed, pipeline.Parsed), parsed
    result = parsed.article
    assert len(parsed.keys) == 64 and len(parsed.shingles) > 0
    assert result.id == raw.id and result.line == 3 and result.external_id == "x"
    assert result.source == "The Guardian"
    assert result.title == "Channel reopens"
    assert result.published == date(2021, 3, 29)
    assert result.language == "en"
    assert "northern channel" in result.text or "harbour" in result.text


def test_empty_after_cleaning_is_a_reject():
    result = pipeline.parse(Raw("/c/a.html", None, "a.html", "a", "html", "<html><body></body></html>"), TODAY)
    assert isinstance(result, Reject) and result.reason.startswith("empty after cleaning")


def test_corpus_api(tmp_path, small_corpus):
    db = tmp_path / "api.db"
    with dateline.open(db) as corpus:
        report = corpus.ingest([small_corpus])
        assert corpus.path == str(db)
        stored = list(corpus.articles())
        assert len(stored) == report.stored
        assert all(isinstance(a, Article) for a in stored)
        assert corpus.article(stored[0].id) == stored[0]
        assert {r.reason.split(" (")[0] for r in corpus.rejects()} >= {"empty file", "not a supported file type"}
        assert [r["id"] for r in corpus.search("harbour")]
        assert set(corpus.search("harbour")[0]) == {"id", "title", "source", "published", "snippet", "score"}
        with pytest.raises(FileNotFoundError, match="no such file or folder"):
            corpus.ingest([tmp_path / "missing"])
    with pytest.raises(FileNotFoundError):
        dateline.parse([tmp_path / "missing"])
    parsed = list(dateline.parse([small_corpus]))
    assert sum(isinstance(r, Article) for r in parsed) == report.stored


def test_default_database_comes_from_the_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("DATELINE_DB", str(tmp_path / "env.db"))
    with dateline.open() as corpus:
        assert corpus.path == str(tmp_path / "env.db")
    assert (tmp_path / "env.db").exists()
    monkeypatch.delenv("DATELINE_DB")
    monkeypatch.chdir(tmp_path)
    with dateline.open() as corpus:
        assert corpus.path == "dateline.db"
    assert (tmp_path / "dateline.db").exists()


def test_same_file_named_twice_is_unchanged_not_double_stored(tmp_path):
    path = write(tmp_path / "c" / "a.txt", article_text(1))
    report = ingest(tmp_path / "t.db", [path, path])
    assert (report.read, report.stored, report.unchanged, report.rejected) == (2, 1, 1, 0)
