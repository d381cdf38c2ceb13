"""`dateline demo` on the bundled sample corpus: everything is stored, dated and reported."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from dateline.cli import app

runner = CliRunner()


def test_demo_ingests_the_sample_and_writes_an_escaped_report(tmp_path):
    db, report = tmp_path / "demo.db", tmp_path / "report.html"
    result = runner.invoke(app, ["demo", "--db", str(db), "--report", str(report)])
    assert result.exit_code == 0, result.output
    assert "read 34 = stored 34 + unchanged 0 + rejected 0" in result.stdout
    articles = json.loads(runner.invoke(app, ["articles", "--db", str(db), "--json"]).stdout)
    assert len(articles) == 34
    assert all(a["published"] for a in articles if a["language"] == "en" and "undated" not in a["path"])
    assert all(a["published"] <= "2021-12-31" for a in articles if a["published"])  # never the wrong year
    dupes = json.loads(runner.invoke(app, ["dupes", "--db", str(db), "--json"]).stdout)
    assert len(dupes) >= 2
    page = report.read_text(encoding="utf-8")
    assert "<script>" not in page and "<time datetime='2021-03-23'>" in page
    hostile = next(a for a in articles if "maritime-ledger" in a["path"])
    assert "<script>" in hostile["title"]  # kept as data, escaped on output
    assert hostile["published"] == "2021-04-13"  # the declared publication date, not the modified one
