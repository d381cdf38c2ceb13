"""`dateline timeline` over the seeds: the contract's dates, provenance and formats."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from conftest import SEEDS, require_shared
from dateline.cli import app

runner = CliRunner()


@pytest.fixture(scope="module")
def db(tmp_path_factory):
    require_shared()
    path = tmp_path_factory.mktemp("tl") / "seeds.db"
    result = runner.invoke(app, ["ingest", str(SEEDS), "--db", str(path), "--workers", "1"])
    assert result.exit_code == 0, result.output
    return str(path)


def test_antonov_timeline_has_the_seed_dates(db):
    result = runner.invoke(app, ["timeline", "Antonov", "--db", db, "--json"])
    assert result.exit_code == 0, result.output
    data = json.loads(result.stdout)
    dates = [e["date"] for e in data["entries"]]
    for day in ("2018-12-28", "2021-03-17", "2021-03-20", "2021-06-16", "2021-07-13"):
        assert day in dates
    summit = next(e for e in data["entries"] if e["date"] == "2021-06-16")
    assert all(s["date_source"] == "referenced" for s in summit["sentences"])
    assert any("June 16" in s["text"] for s in summit["sentences"])
    for entry in data["entries"]:
        for sentence in entry["sentences"]:
            assert sentence["article"] and sentence["date_source"] in ("published", "referenced", "reported")


def test_geneva_sentence_is_carried_by_the_trimmed_copy(db):
    data = json.loads(runner.invoke(app, ["timeline", "Antonov", "--db", db, "--json"]).stdout)
    july = next(e for e in data["entries"] if e["date"] == "2021-07-13")
    assert any(s["carried_by"] for s in july["sentences"])  # 001, the copy of 002


def test_the_persons_quotes_sit_on_their_dates(db):
    data = json.loads(runner.invoke(app, ["timeline", "Antonov", "--db", db, "--json"]).stdout)
    quotes = {e["date"]: e["quotes"] for e in data["entries"]}
    assert any("illusions" in q["text"] for q in quotes["2021-07-13"])  # Monterey, 002 and its copy once
    assert len({q["text"] for q in quotes["2021-07-13"]}) == len(quotes["2021-07-13"])
    assert all(q["speaker"] == "Anatoly Antonov" for day in quotes.values() for q in day)
    everyone = json.loads(runner.invoke(app, ["timeline", "--db", db, "--json"]).stdout)
    assert all(e["quotes"] == [] for e in everyone["entries"])  # no person asked for, no quotes


def test_bounds_and_counts(db):
    data = json.loads(
        runner.invoke(
            app,
            [
                "timeline",
                "--db",
                db,
                "--json",
                "--from",
                "2021-01-01",
                "--to",
                "2021-03-31",
                "--max-dates",
                "2",
                "--sentences-per-date",
                "2",
            ],
        ).stdout
    )
    assert len(data["entries"]) <= 2
    assert all("2021-01-01" <= e["date"] <= "2021-03-31" for e in data["entries"])
    assert all(len(e["sentences"]) <= 2 for e in data["entries"])


@pytest.mark.parametrize("fmt", ["md", "csv", "html", "timelinejs", "json"])
def test_formats_write_files(db, tmp_path, fmt):
    target = tmp_path / f"out.{fmt}"
    result = runner.invoke(app, ["timeline", "Antonov", "--db", db, "--format", fmt, "-o", str(target)])
    assert result.exit_code == 0, result.output
    assert target.read_text(encoding="utf-8").strip()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--from", "2021-13-01"], "--from 2021-13-01: not a date (YYYY-MM-DD)"),
        (["--format", "pdf"], "--format pdf: choose one of"),
        (["--max-dates", "0"], "--max-dates 0: must be 1 or more"),
        (["--from", "2021-05-01", "--to", "2021-01-01"], "is after --to"),
    ],
)
def test_bad_arguments_name_the_mistake(db, args, message):
    result = runner.invoke(app, ["timeline", "Antonov", "--db", db, *args])
    assert result.exit_code == 2
    assert message in result.output
