"""cli.py through Typer's runner: output shapes, $DATELINE_DB, and errors without tracebacks."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

import pytest

ARTICLE_FIELDS = {
    "id",
    "external_id",
    "path",
    "url",
    "source",
    "title",
    "language",
    "published",
    "published_source",
    "modified",
    "text",
    "duplicate_of",
    "story",
    "entities",
    "dates_referenced",
}


def run(runner, app, *args, env=None):
    result = runner.invoke(app, [str(a) for a in args], env=env)
    assert "Traceback" not in result.output, result.output
    return result


def no_traceback(result) -> None:
    assert "Traceback" not in result.output
    assert result.exception is None or isinstance(result.exception, SystemExit), repr(result.exception)


@pytest.fixture
def ingested(runner, cli_app, small_corpus, db):
    result = run(runner, cli_app, "ingest", small_corpus, "--db", db, "--workers", 1, "--json")
    assert result.exit_code == 0, result.output
    return db


def test_ingest_json_report(runner, cli_app, small_corpus, db):
    result = run(runner, cli_app, "ingest", small_corpus, "--db", db, "--workers", 1, "--json")
    assert result.exit_code == 0, result.output
    report = json.loads(result.stdout)
    assert set(report) == {"read", "stored", "unchanged", "rejected", "duplicates", "rejects_by_reason"}
    assert report["read"] == report["stored"] + report["unchanged"] + report["rejected"]
    assert report["stored"] >= 4
    assert report["rejected"] == sum(report["rejects_by_reason"].values()) >= 3
    assert "empty file" in report["rejects_by_reason"]
    again = json.loads(run(runner, cli_app, "ingest", small_corpus, "--db", db, "--workers", 1, "--json").stdout)
    assert again["stored"] == 0 and again["unchanged"] == report["stored"]


def test_ingest_plain_report(runner, cli_app, small_corpus, db):
    result = run(runner, cli_app, "ingest", small_corpus, "--db", db, "--workers", 1)
    assert result.exit_code == 0
    assert result.stdout.startswith("read ")
    assert "= stored" in result.stdout and "rejected" in result.stdout
    assert "see why with: dateline rejects" in result.stderr


def test_articles_json(runner, cli_app, ingested):
    result = run(runner, cli_app, "articles", "--db", ingested, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert isinstance(rows, list) and len(rows) >= 4
    for row in rows:
        assert set(row) == ARTICLE_FIELDS
        assert row["text"]
        assert row["published"] is None or len(row["published"]) == 10
    dated = [r["published"] for r in rows if r["published"]]
    assert dated == sorted(dated)
    guardian = [r for r in rows if r["external_id"] == "d1"]
    assert guardian and guardian[0]["source"] == "The Guardian" and guardian[0]["published"] == "2021-03-29"


def test_articles_empty_json_is_an_empty_array(runner, cli_app, db):
    result = run(runner, cli_app, "articles", "--db", db, "--json")
    assert result.exit_code == 0 and json.loads(result.stdout) == []


def test_articles_jsonl(runner, cli_app, ingested):
    as_json = json.loads(run(runner, cli_app, "articles", "--db", ingested, "--json").stdout)
    result = run(runner, cli_app, "articles", "--db", ingested, "--jsonl")
    lines = result.stdout.splitlines()
    assert len(lines) == len(as_json)
    assert [json.loads(line) for line in lines] == as_json


def test_articles_csv(runner, cli_app, ingested):
    result = run(runner, cli_app, "articles", "--db", ingested, "--csv")
    assert result.exit_code == 0
    rows = list(csv.DictReader(io.StringIO(result.stdout)))
    header = result.stdout.splitlines()[0].split(",")
    assert set(header) == ARTICLE_FIELDS
    assert len(rows) == len(json.loads(run(runner, cli_app, "articles", "--db", ingested, "--json").stdout))


def test_articles_filters(runner, cli_app, ingested):
    rows = json.loads(
        run(
            runner, cli_app, "articles", "--db", ingested, "--json", "--from", "2021-03-01", "--to", "2021-03-31"
        ).stdout
    )
    # d3 shares d1's text, so it may carry d1's date, but only as an inference
    assert [r["external_id"] for r in rows if r["published_source"] != "inferred"] == ["d1"]
    rows = json.loads(run(runner, cli_app, "articles", "--db", ingested, "--json", "--source", "the guardian").stdout)
    assert [r["external_id"] for r in rows] == ["d1"]
    rows = json.loads(run(runner, cli_app, "articles", "--db", ingested, "--json", "--story", "nope").stdout)
    assert rows == []


def test_articles_table(runner, cli_app, ingested):
    result = run(runner, cli_app, "articles", "--db", ingested)
    assert result.exit_code == 0
    assert "published" in result.stdout and "title" in result.stdout


def test_search_json(runner, cli_app, ingested):
    result = run(runner, cli_app, "search", "harbour", "--db", ingested, "--json")
    assert result.exit_code == 0
    hits = json.loads(result.stdout)
    assert hits
    for hit in hits:
        assert set(hit) == {"id", "title", "source", "published", "snippet", "score"}
    assert json.loads(run(runner, cli_app, "search", "zzzznothing", "--db", ingested, "--json").stdout) == []
    assert (
        len(json.loads(run(runner, cli_app, "search", "harbour", "--db", ingested, "--json", "--limit", 1).stdout)) == 1
    )


def test_rejects_json(runner, cli_app, ingested, small_corpus):
    result = run(runner, cli_app, "rejects", "--db", ingested, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)
    assert all(set(r) == {"path", "line", "reason"} and r["reason"] for r in rows)
    by_path = {(Path(r["path"]).name, r["line"]): r["reason"] for r in rows}
    assert by_path[("empty.txt", None)] == "empty file"
    assert by_path[(".DS_Store", None)].startswith("not a supported file type")
    assert by_path[("d.jsonl", 2)].startswith("invalid JSON")


def test_parse_json(runner, cli_app, small_corpus):
    result = run(runner, cli_app, "parse", small_corpus, "--json")
    assert result.exit_code == 0
    rows = json.loads(result.stdout)  # stdout holds the array only; rejects went to stderr
    assert len(rows) >= 4
    assert all(set(r) == ARTICLE_FIELDS - {"duplicate_of", "story", "entities", "dates_referenced"} for r in rows)
    # One reject a line, each whole (not wrapped to the console width), so they can be grepped.
    lines = result.stderr.splitlines()
    assert lines and all(line.startswith("rejected ") for line in lines), result.stderr
    assert any(line.endswith("empty.txt: empty file") for line in lines)
    assert any("d.jsonl:2: invalid JSON" in line for line in lines)


def test_parse_jsonl(runner, cli_app, small_corpus):
    result = run(runner, cli_app, "parse", small_corpus, "--jsonl")
    rows = [json.loads(line) for line in result.stdout.splitlines()]
    assert rows == json.loads(run(runner, cli_app, "parse", small_corpus, "--json").stdout)


def test_dateline_db_environment_variable(runner, cli_app, small_corpus, tmp_path):
    env_db = tmp_path / "from-env.db"
    result = run(runner, cli_app, "ingest", small_corpus, "--workers", 1, "--json", env={"DATELINE_DB": str(env_db)})
    assert result.exit_code == 0
    assert env_db.exists()
    stored = json.loads(result.stdout)["stored"]
    rows = json.loads(run(runner, cli_app, "articles", "--json", env={"DATELINE_DB": str(env_db)}).stdout)
    assert len(rows) == stored
    # --db wins over the environment
    other = tmp_path / "other.db"
    rows = json.loads(
        run(runner, cli_app, "articles", "--json", "--db", other, env={"DATELINE_DB": str(env_db)}).stdout
    )
    assert rows == []


# --- errors ------------------------------------------------------------------


def test_bad_date(runner, cli_app, db):
    result = run(runner, cli_app, "articles", "--db", db, "--from", "2021-13-01")
    assert result.exit_code == 2
    assert "--from 2021-13-01: not a date (YYYY-MM-DD)" in result.output
    no_traceback(result)
    result = run(runner, cli_app, "articles", "--db", db, "--to", "yesterday")
    assert result.exit_code == 2 and "--to yesterday: not a date (YYYY-MM-DD)" in result.output


def test_from_after_to(runner, cli_app, db):
    result = run(runner, cli_app, "articles", "--db", db, "--from", "2021-07-13", "--to", "2021-03-17")
    assert result.exit_code == 2
    assert "--from 2021-07-13 is after --to 2021-03-17" in result.output


@pytest.mark.parametrize("command", [["articles"], ["rejects"], ["search", "x"]])
def test_two_format_flags(runner, cli_app, db, command):
    result = run(runner, cli_app, *command, "--db", db, "--json", "--csv")
    assert result.exit_code == 2
    assert "choose one output format, not --json and --csv" in result.output
    assert result.stdout == ""


def test_two_format_flags_on_parse(runner, cli_app, small_corpus):
    result = run(runner, cli_app, "parse", small_corpus, "--json", "--jsonl")
    assert result.exit_code == 2 and "choose one output format" in result.output


@pytest.mark.parametrize("command", ["ingest", "parse"])
def test_missing_path(runner, cli_app, tmp_path, db, command):
    missing = tmp_path / "no-such-folder"
    args = [command, missing] + (["--db", db] if command == "ingest" else [])
    result = run(runner, cli_app, *args)
    assert result.exit_code == 2
    assert f"{missing}: no such file or folder" in result.output
    no_traceback(result)
    assert not db.exists()  # nothing was created for a command that could not run


@pytest.mark.parametrize("where", ["under-a-file", "a-folder"])
def test_unwritable_database(runner, cli_app, small_corpus, tmp_path, where):
    blocker = tmp_path / "blocker"
    blocker.write_text("a regular file")
    db = blocker / "x.db" if where == "under-a-file" else tmp_path
    result = run(runner, cli_app, "ingest", small_corpus, "--db", db, "--workers", 1)
    assert result.exit_code == 1
    no_traceback(result)
    message = [line for line in result.output.splitlines() if line.strip()]
    assert len(message) == 1, result.output
    assert "cannot use database" in message[0] and str(db) in message[0]
    for command in (["articles"], ["rejects"], ["search", "x"]):
        result = run(runner, cli_app, *command, "--db", db)
        assert result.exit_code == 1 and "cannot use database" in result.output


@pytest.mark.parametrize("query", ['"unbalanced', "U.S.", "AND"])
def test_bad_search_query(runner, cli_app, ingested, query):
    result = run(runner, cli_app, "search", query, "--db", ingested, "--json")
    assert result.exit_code == 2
    assert "cannot search for" in result.output
    assert result.stdout == ""
    no_traceback(result)


@pytest.mark.parametrize(
    "args, message",
    [
        (["--workers", "-1"], "--workers -1: must be 1 or more"),
        (["--max-mb", "0"], "--max-mb 0.0: must be more than 0"),
    ],
)
def test_bad_ingest_options(runner, cli_app, small_corpus, db, args, message):
    result = run(runner, cli_app, "ingest", small_corpus, "--db", db, *args)
    assert result.exit_code == 2 and message in result.output


def test_bad_limit(runner, cli_app, db):
    result = run(runner, cli_app, "search", "x", "--db", db, "--limit", "0")
    assert result.exit_code == 2 and "--limit 0: must be 1 or more" in result.output


def test_max_mb_rejects_large_files(runner, cli_app, tmp_path, helpers, db):
    helpers.write(tmp_path / "c" / "big.txt", helpers.article_text(1) * 2000)
    helpers.write(tmp_path / "c" / "small.txt", helpers.article_text(2))
    report = json.loads(
        run(runner, cli_app, "ingest", tmp_path / "c", "--db", db, "--workers", 1, "--max-mb", "0.1", "--json").stdout
    )
    assert report["stored"] == 1 and report["rejected"] == 1
    (reason,) = report["rejects_by_reason"]
    assert reason.startswith("larger than the size limit")


def test_no_arguments_shows_help(runner, cli_app):
    result = runner.invoke(cli_app, [])
    assert "ingest" in result.output and "articles" in result.output
