"""`dateline export`: every table in every format, read back (DuckDB, pyarrow, the csv module) and
compared with the database, for the whole corpus and for a selection; the CLI, the zip of the API."""

from __future__ import annotations

import csv
import importlib.util
import io
import json
import sqlite3
import zipfile
from datetime import date, timedelta
from pathlib import Path

import duckdb
import pyarrow.parquet as pq
import pytest
from fastapi.testclient import TestClient

import dateline
from dateline import export as tables
from dateline.api import create_app
from dateline.store.exports import ExportStore

FORMATS = tables.FORMATS


def read_back(folder: Path, table: str, fmt: str) -> list[dict]:
    """A written table as dicts, through a reader that is not ours: DuckDB for every format."""
    path = str(folder / f"{table}.{fmt}")
    reader = {
        "parquet": "read_parquet(?)",
        "jsonl": "read_json(?, format='newline_delimited', columns={cols})",
        "csv": "read_csv(?, header=true, all_varchar=true)",
    }[fmt]
    if fmt == "jsonl":  # typed from the documented columns, not guessed from the first rows
        kinds = {
            "text": "VARCHAR",
            "int": "BIGINT",
            "float": "DOUBLE",
            "date": "DATE",
            "days": "DATE[]",
            "texts": "VARCHAR[]",
        }
        columns = {name: kinds[kind] for name, kind in tables.COLUMNS[table]}
        reader = reader.format(cols="{" + ", ".join(f"'{n}': '{t}'" for n, t in columns.items()) + "}")
    relation = duckdb.execute(f"SELECT * FROM {reader}", [path])
    names = [d[0] for d in relation.description]
    return [dict(zip(names, row)) for row in relation.fetchall()]


def normal(table: str, row: dict, fmt: str) -> dict:
    """A row read back as the database has it: days as ISO text, lists as lists, CSV cells typed."""
    out = {}
    for name, kind in tables.COLUMNS[table]:
        value = row[name]
        if fmt == "csv":
            value = _from_csv(value, kind)
        if isinstance(value, date):
            value = value.isoformat()
        if kind == "days":
            value = [d.isoformat() if isinstance(d, date) else d for d in value]
        out[name] = value
    return out


def _from_csv(value: str | None, kind: str):
    if value is None or value == "":
        return [] if kind in ("days", "texts") else None
    if kind in ("days", "texts"):
        return json.loads(value)
    return {"int": int, "float": float}.get(kind, str)(value)


def database_rows(db: Path, ids: set[str] | None = None) -> dict[str, list[dict]]:
    """What the export should hold, straight from SQLite (a reader independent of store/exports.py)."""
    con = sqlite3.connect(db)
    keep = (lambda article: article in ids) if ids is not None else (lambda article: True)
    articles = {
        row[0]: row
        for row in con.execute(
            "SELECT id, external_id, path, line, url, source, title, language, published, published_source, modified, "
            "duplicate_of, story, text FROM articles"
        )
        if keep(row[0])
    }
    days: dict[tuple[str, int], list[str]] = {}
    for article, position, day in con.execute("SELECT article, position, day FROM sentence_dates ORDER BY day"):
        days.setdefault((article, position), []).append(day)
    names = [n for n, _ in tables.COLUMNS["articles"]]
    out: dict[str, list[dict]] = {"articles": [dict(zip(names, row)) for row in articles.values()]}
    out["sentences"] = [
        {
            "article": a,
            "position": p,
            "start": s,
            "end": e,
            "text": articles[a][13][s:e],
            "days": days.get((a, p), []),
        }
        for a, p, s, e in con.execute("SELECT article, position, start, end FROM sentences")
        if a in articles
    ]
    out["mentions"] = [
        dict(zip(["article", "sentence", "start", "end", "entity", "text"], row))
        for row in con.execute("SELECT article, sentence, start, end, entity, text FROM mentions")
        if row[0] in articles
    ]
    out["quotes"] = [
        dict(zip([n for n, _ in tables.COLUMNS["quotes"]], row))
        for row in con.execute(
            "SELECT article, position, sentence, start, end, kind, text, speaker_key, speaker, speaker_as_written "
            "FROM quotes"
        )
        if row[0] in articles
    ]
    out["duplicates"] = [
        {"canonical": c, "copy": a, "kind": k, "score": s}
        for a, c, k, s in con.execute("SELECT article, canonical, kind, score FROM duplicates")
        if a in articles
    ]
    stories = {row["story"] for row in out["articles"] if row["story"]}
    out["stories"] = [
        {
            "id": i,
            "label": state["label"],
            "first": first,
            "last": last,
            "articles": len(state["articles"]),
            "outlets": state["outlets"],
        }
        for i, raw, first, last in con.execute("SELECT id, state, first, last FROM stories")
        if i in stories
        for state in [json.loads(raw)]
    ]
    named: dict[str, list] = {}
    for m in out["mentions"]:
        named.setdefault(m["entity"], []).append(m["article"])
    speakers = {q["speaker"] for q in out["quotes"] if q["speaker"]}
    out["entities"] = [
        {
            "id": key,
            "name": name,
            "type": kind,
            "aliases": json.loads(aliases),
            "roles": json.loads(roles),
            "mentions": len(named.get(key, [])),
            "articles": len(set(named.get(key, []))),
        }
        for key, name, kind, aliases, roles in con.execute("SELECT key, name, type, aliases, roles FROM entities")
        if key in named or key in speakers
    ]
    con.close()
    return out


def key_of(table: str, row: dict) -> tuple:
    return tuple(str(row[name]) for name, _ in tables.COLUMNS[table][:4])


@pytest.fixture(scope="module")
def exported(sample, tmp_path_factory) -> dict[str, Path]:
    """The whole sample corpus exported once in each format."""
    folders = {}
    with dateline.open(sample.db) as corpus:
        for fmt in FORMATS:
            folders[fmt] = tmp_path_factory.mktemp(f"export-{fmt}")
            corpus.export(folders[fmt], format=fmt)
    return folders


@pytest.mark.parametrize("fmt", FORMATS)
def test_every_table_reads_back_equal_to_the_database(sample, exported, fmt):
    expected = database_rows(sample.db)
    manifest = tables.read_manifest(exported[fmt])
    assert manifest["schema"] == tables.SCHEMA and manifest["format"] == fmt
    for table in tables.TABLES:
        rows = [normal(table, row, fmt) for row in read_back(exported[fmt], table, fmt)]
        assert len(rows) == len(expected[table]) == manifest["tables"][table]["rows"], table
        assert sorted(rows, key=lambda r: key_of(table, r)) == sorted(
            expected[table], key=lambda r: key_of(table, r)
        ), table


def test_the_sample_corpus_has_something_in_every_table(exported):
    counts = {name: table["rows"] for name, table in tables.read_manifest(exported["jsonl"])["tables"].items()}
    assert counts["articles"] == 34 and counts["duplicates"] == 4
    assert all(counts[name] > 0 for name in tables.TABLES), counts


def test_parquet_types_and_schema_version(exported):
    schema = pq.read_schema(exported["parquet"] / "sentences.parquet")
    assert schema.metadata[b"dateline.schema"] == str(tables.SCHEMA).encode()
    assert str(schema.field("days").type) == "list<element: date32[day]>"
    articles = pq.read_table(exported["parquet"] / "articles.parquet")
    assert str(articles.schema.field("published").type) == "date32[day]"
    assert [name for name, _ in tables.COLUMNS["articles"]] == articles.column_names


def test_a_query_exports_the_matching_articles_and_what_hangs_off_them(sample, tmp_path):
    with dateline.open(sample.db) as corpus:
        found, total = corpus.article_page("Nassar", limit=200)
        corpus.export(tmp_path, "Nassar", format="jsonl")
    ids = {a.id for a in found}
    assert 0 < total < 34
    expected = database_rows(sample.db, ids)
    for table in tables.TABLES:
        rows = [normal(table, row, "jsonl") for row in read_back(tmp_path, table, "jsonl")]
        assert len(rows) == len(expected[table]), table
    assert {row["id"] for row in read_back(tmp_path, "articles", "jsonl")} == ids
    assert tables.read_manifest(tmp_path)["selection"] == {"query": "Nassar", "from": None, "to": None}


def test_a_date_range_exports_the_articles_published_in_it(sample, tmp_path):
    start, end = date(2021, 3, 29), date(2021, 3, 31)
    with dateline.open(sample.db) as corpus:
        corpus.export(tmp_path, start=start, end=end, format="parquet")
        inside = {a.id for a in corpus.articles(start=start, end=end)}
    articles = pq.read_table(tmp_path / "articles.parquet").to_pylist()
    assert {a["id"] for a in articles} == inside and inside
    assert all(start <= a["published"] <= end for a in articles)
    mentions = pq.read_table(tmp_path / "mentions.parquet").to_pylist()
    assert {m["article"] for m in mentions} <= inside
    copies = pq.read_table(tmp_path / "duplicates.parquet").to_pylist()
    assert {d["copy"] for d in copies} <= inside


def test_tables_are_written_in_chunks(sample, tmp_path, monkeypatch):
    """Streaming: the store hands over `size` rows at a time; Parquet row groups gather chunks up to a
    byte budget (one chunk each when the budget is tiny, the whole sample table in one by default)."""
    with dateline.open(sample.db) as corpus:
        source = ExportStore(corpus.store)
        with source.snapshot():
            source.select()
            chunks = [list(map(tables._values("sentences"), c)) for c in source.rows("sentences", size=50)]
            assert max(map(len, chunks)) == 50 and sum(map(len, chunks)) == source.count("sentences")
    assert tables.write_parquet(tmp_path / "one.parquet", "sentences", iter(chunks)) == sum(map(len, chunks))
    assert pq.ParquetFile(tmp_path / "one.parquet").num_row_groups == 1
    monkeypatch.setattr(tables, "ROW_GROUP_BYTES", 1)
    tables.write_parquet(tmp_path / "many.parquet", "sentences", iter(chunks))
    assert pq.ParquetFile(tmp_path / "many.parquet").num_row_groups == len(chunks) > 1
    assert pq.read_table(tmp_path / "many.parquet").equals(pq.read_table(tmp_path / "one.parquet"))


def test_long_text_has_no_parquet_statistics(exported):
    """The writer would keep each row group's min and max text (whole articles) in memory until the end."""
    meta = pq.ParquetFile(exported["parquet"] / "articles.parquet").metadata.row_group(0)
    names = [meta.column(i).path_in_schema for i in range(meta.num_columns)]
    assert meta.column(names.index("text")).statistics is None
    assert meta.column(names.index("published")).statistics is not None


def test_cli_export_prints_the_tables_and_refuses_mistakes(sample, tmp_path, runner, cli_app):
    result = runner.invoke(
        cli_app, ["export", str(tmp_path / "out"), "--db", str(sample.db), "--format", "csv", "--json"]
    )
    assert result.exit_code == 0, result.output
    manifest = json.loads(result.stdout)
    assert manifest["tables"]["articles"]["rows"] == 34
    with open(tmp_path / "out" / "articles.csv", newline="", encoding="utf-8") as handle:
        assert sum(1 for _ in csv.DictReader(handle)) == 34
    bad = runner.invoke(cli_app, ["export", str(tmp_path / "x"), "--db", str(sample.db), "--format", "xlsx"])
    assert bad.exit_code == 2 and "--format xlsx: choose one of parquet, jsonl, csv" in bad.output
    bad = runner.invoke(cli_app, ["export", str(tmp_path / "x"), "--db", str(sample.db), "--from", "2021-13-01"])
    assert bad.exit_code == 2 and "--from 2021-13-01: not a date (YYYY-MM-DD)" in bad.output
    (tmp_path / "file").write_text("")
    bad = runner.invoke(cli_app, ["export", str(tmp_path / "file"), "--db", str(sample.db)])
    assert bad.exit_code == 2 and "exists and is not a folder" in bad.output
    bad = runner.invoke(cli_app, ["export", str(tmp_path / "y"), "AND", "--db", str(sample.db)])
    assert bad.exit_code == 2 and "cannot search for 'AND'" in bad.output


def test_api_export_is_a_zip_of_the_tables(sample):
    client = TestClient(create_app(str(sample.db)))
    answer = client.get("/api/export", params={"format": "jsonl", "q": "Nassar"})
    assert answer.status_code == 200 and answer.headers["content-type"] == "application/zip"
    assert 'filename="dateline-nassar-jsonl.zip"' in answer.headers["content-disposition"]
    packed = zipfile.ZipFile(io.BytesIO(answer.content))
    assert sorted(packed.namelist()) == sorted([f"{t}.jsonl" for t in tables.TABLES] + ["manifest.json"])
    manifest = json.loads(packed.read("manifest.json"))
    lines = packed.read("articles.jsonl").decode().splitlines()
    assert len(lines) == manifest["tables"]["articles"]["rows"] > 0
    parquet = client.get("/api/export")
    assert parquet.status_code == 200
    assert (
        pq.read_table(io.BytesIO(zipfile.ZipFile(io.BytesIO(parquet.content)).read("articles.parquet"))).num_rows == 34
    )
    for query, message in (
        ({"format": "xml"}, "format xml: choose one of parquet, jsonl, csv"),
        ({"from": "2021-13-01"}, "from 2021-13-01: not a date (YYYY-MM-DD)"),
    ):
        refused = client.get("/api/export", params=query)
        assert refused.status_code == 400 and refused.json()["error"] == message


def test_the_benchmarks_synthetic_copies_export_k_times_the_rows(sample, tmp_path):
    """bench/export.py's synthetic database: k copies of what the export reads, each exported in full."""
    spec = importlib.util.spec_from_file_location("export_bench", Path(__file__).parents[1] / "bench" / "export.py")
    bench = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(bench)
    big = tmp_path / "big.db"
    bench.build(str(sample.db), str(big), 3)
    with dateline.open(sample.db) as corpus:
        once = corpus.export(tmp_path / "once", format="jsonl").tables
    with dateline.open(big) as corpus:
        thrice = corpus.export(tmp_path / "thrice", format="jsonl").tables
        assert {a.published for a in corpus.articles()} >= {date(2021, 3, 23), date(2021, 3, 23) + timedelta(days=2400)}
    for table in tables.TABLES:
        expected = once[table]["rows"] * (1 if table == "entities" else 3)
        assert thrice[table]["rows"] == expected, table


def test_docs_document_every_column():
    """docs/export.md has a table per exported table naming each column, in order."""
    import re

    docs = (Path(__file__).parents[1] / "docs" / "export.md").read_text(encoding="utf-8")
    assert f"### Schema version {tables.SCHEMA}" in docs
    for table, columns in tables.COLUMNS.items():
        section = docs.split(f"**{table}**", 1)[1].split("\n\n", 2)[1]
        documented = [
            name for cell in re.findall(r"^\| (`[^|]+`) \|", section, re.M) for name in re.findall(r"`(\w+)`", cell)
        ]
        assert documented == [name for name, _ in columns], table


@pytest.mark.shared
def test_seeds_export_for_antonov(seeds_dir, tmp_path):
    db = tmp_path / "seeds.db"
    with dateline.open(db) as corpus:
        corpus.ingest([seeds_dir], workers=1)
        corpus.export(tmp_path / "out", "Antonov", start=date(2021, 1, 1), format="parquet")
    articles = pq.read_table(tmp_path / "out" / "articles.parquet").to_pylist()
    assert sorted(a["published"].isoformat() for a in articles) == [
        "2021-03-17",
        "2021-03-20",
        "2021-07-13",
        "2021-07-13",
    ]
    quotes = pq.read_table(tmp_path / "out" / "quotes.parquet").to_pylist()
    assert "Anatoly Antonov" in {q["speaker_name"] for q in quotes}
    antonov = [
        e for e in pq.read_table(tmp_path / "out" / "entities.parquet").to_pylist() if e["name"] == "Anatoly Antonov"
    ]
    assert len(antonov) == 1 and "the ambassador" in antonov[0]["aliases"] and antonov[0]["articles"] == 4
    copies = pq.read_table(tmp_path / "out" / "duplicates.parquet").to_pylist()
    assert len(copies) == 1 and copies[0]["kind"] == "containment"
    sentences = pq.read_table(tmp_path / "out" / "sentences.parquet").to_pylist()
    assert any(date(2021, 6, 16) in s["days"] for s in sentences)  # the Geneva summit, named in the text
