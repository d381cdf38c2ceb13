"""A hostile corpus, generated here, through the command line: it runs, counts add up, nothing is lost."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from dateline import read


@pytest.fixture(scope="module")
def hostile(tmp_path_factory):
    """Every kind of bad input next to a few good ones. Returns (root, {relative path: expectation})."""
    from conftest import article_html, article_text, jsonl, write, write_gzip, write_warc

    root = tmp_path_factory.mktemp("hostile") / "corpus"
    expect: dict[str, str] = {}  # "stored", or a substring of the reject reason

    def add(name: str, data, outcome: str, gz: bool = False, truncate: int | None = None) -> None:
        if gz:
            write_gzip(root / name, data, truncate=truncate)
        else:
            write(root / name, data)
        expect[name] = outcome

    add("good/a.txt", article_text(1), "stored")
    add("good/b.html", article_html(2), "stored")
    add("empty.txt", b"", "empty file")
    add("blank.html", b" \n \n", "empty file")
    add("binary.txt", bytes(range(256)) * 64, "binary data")
    add("image.html", b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR" + bytes(4096), "binary data")
    add("latin1.txt", (article_text(3) + "Le café était fermé.\n").encode("latin-1"), "stored")
    add("utf16.txt", article_text(4).encode("utf-16"), "stored")
    add("utf16-nobom.txt", article_text(5).encode("utf-16-le"), "stored")
    text = article_text(6)
    add("nul.txt", text[:50] + "\x00\x00" + text[50:], "stored")
    add("huge.txt", b"x" * (20 * 1024 * 1024), "larger than the size limit")  # one 20 MB line
    add("truncated.html.gz", article_html(7) * 20, "truncated gzip", gz=True, truncate=30)
    add(
        "feed.jsonl",
        jsonl(
            [
                {"id": "ok", "text": article_text(8)},
                "{oops",
                "[]",
                {"title": "no text"},
                {"id": "ok2", "html": article_html(9)},
            ]
        ),
        "stored",
    )
    add("deep/er/and/deeper/d.txt", article_text(10), "stored")
    add(
        "script.html",
        "<html><head><title><script>alert('x')</script> Channel news</title></head><body>"
        "<article><h1>Channel <script>alert(1)</script> news</h1>"
        + "".join(f"<p>{line}</p>" for line in article_text(11, 4, title=False).split("\n\n"))
        + "</article></body></html>",
        "stored",
    )
    add(".DS_Store", b"\x00\x00\x00\x01Bud1" + bytes(64), "not a supported file type")
    add("notes.pdf", b"%PDF-1.4", "not a supported file type")
    add("list.json", "[1, 2]", "not a JSON object")
    write_warc(root / "crawl.warc.gz", [("https://www.bbc.co.uk/news/1", article_html(12), "text/html")], compress=True)
    expect["crawl.warc.gz"] = "stored"
    os.symlink(root, root / "deep" / "loop")  # deep/loop -> the root: must not recurse forever
    return root, expect


@pytest.fixture(scope="module")
def ingested(hostile, tmp_path_factory):
    from typer.testing import CliRunner

    from dateline.cli import app

    root, _ = hostile
    db = tmp_path_factory.mktemp("hostile-db") / "h.db"
    runner = CliRunner()
    first = runner.invoke(app, ["ingest", str(root), "--db", str(db), "--workers", "1", "--json"])
    second = runner.invoke(app, ["ingest", str(root), "--db", str(db), "--workers", "1", "--json"])
    articles = runner.invoke(app, ["articles", "--db", str(db), "--json"])
    rejects = runner.invoke(app, ["rejects", "--db", str(db), "--json"])
    return first, second, articles, rejects


def test_ingest_runs_and_counts_add_up(ingested):
    first, second, _, _ = ingested
    for result in (first, second):
        assert result.exit_code == 0, result.output
        assert "Traceback" not in result.output
    report = json.loads(first.stdout)
    assert report["read"] == report["stored"] + report["unchanged"] + report["rejected"]
    again = json.loads(second.stdout)
    assert again["stored"] == 0 and again["unchanged"] == report["stored"] + report["unchanged"]
    assert again["rejected"] == report["rejected"]


def test_every_file_is_accounted_for(hostile, ingested):
    root, expect = hostile
    _, _, articles, rejects = ingested
    stored = {Path(a["path"]).relative_to(root).as_posix() for a in json.loads(articles.stdout)}
    rejected: dict[str, list[str]] = {}
    for row in json.loads(rejects.stdout):
        assert row["reason"].strip(), row
        rejected.setdefault(Path(row["path"]).relative_to(root).as_posix(), []).append(row["reason"])
    walked = {p.relative_to(root).as_posix() for p, _ in read.walk([root])}
    assert walked == set(expect)  # the symlink loop added nothing
    assert walked <= stored | set(rejected)
    for name, outcome in expect.items():
        if outcome == "stored":
            assert name in stored, (name, rejected.get(name))
        else:
            assert name in rejected, name
            assert any(outcome in reason for reason in rejected[name]), (name, rejected[name])


def test_bad_jsonl_lines_rejected_alone(hostile, ingested):
    root, _ = hostile
    _, _, articles, rejects = ingested
    lines = {row["line"] for row in json.loads(rejects.stdout) if row["path"].endswith("feed.jsonl")}
    assert lines == {2, 3, 4}
    ids = {a["external_id"] for a in json.loads(articles.stdout) if a["path"].endswith("feed.jsonl")}
    assert ids == {"ok", "ok2"}


def test_hostile_text_is_stored_clean(hostile, ingested):
    _, _, articles, _ = ingested
    rows = {Path(a["path"]).name: a for a in json.loads(articles.stdout)}
    assert "\x00" not in rows["nul.txt"]["text"]
    assert "café" in rows["latin1.txt"]["text"]
    assert "harbour" in rows["utf16-nobom.txt"]["text"].lower()
    script = rows["script.html"]
    # Markup never survives into stored fields: they are plain text, escaped by whoever renders them.
    assert "<script" not in script["text"]
    assert script["title"] and "<script" not in script["title"] and "Channel" in script["title"]


def test_json_outputs_are_pure_json(ingested):
    _, _, articles, rejects = ingested
    assert isinstance(json.loads(articles.stdout), list)
    assert isinstance(json.loads(rejects.stdout), list)
