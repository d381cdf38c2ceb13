"""`dateline network`: who appears with whom, checked against SQL over the database, read back by
networkx (GEXF 1.3 with spells, GraphML), on the sample corpus and on the seeds."""

from __future__ import annotations

import csv
import io
import json
import sqlite3
from collections import Counter
from itertools import combinations
from pathlib import Path

import networkx as nx
import pytest
from fastapi.testclient import TestClient

import dateline
from dateline import network
from dateline.api import create_app


def expected_ties(db: Path) -> tuple[Counter, Counter, dict]:
    """Sentence and article co-occurrence counts and days, computed independently with SQL over canonicals."""
    con = sqlite3.connect(db)
    rows = con.execute(
        "SELECT DISTINCT m.article, a.published, m.sentence, m.entity FROM mentions m JOIN articles a ON a.id = m.article "
        "WHERE a.duplicate_of IS NULL"
    ).fetchall()
    con.close()
    sentences: dict[tuple, set] = {}
    articles: dict[str, set] = {}
    published = {}
    for article, day, sentence, entity in rows:
        sentences.setdefault((article, sentence), set()).add(entity)
        articles.setdefault(article, set()).add(entity)
        published[article] = day
    weight, together, days = Counter(), Counter(), {}
    for (article, _), named in sentences.items():
        for pair in combinations(sorted(named), 2):
            weight[pair] += 1
            days.setdefault(pair, set()).add(published[article])
    for named in articles.values():
        for pair in combinations(sorted(named), 2):
            together[pair] += 1
    return weight, together, days


@pytest.fixture(scope="module")
def sample_network(sample) -> network.Network:
    with dateline.open(sample.db) as corpus:
        return corpus.network()


def edge(made: network.Network, a: str, b: str) -> network.Edge:
    names = {node.id: node.name for node in made.nodes}
    found = [e for e in made.edges if {names[e.source], names[e.target]} == {a, b}]
    assert len(found) == 1, f"no single tie {a} — {b}"
    return found[0]


def test_weights_and_days_agree_with_the_database(sample, sample_network):
    weight, together, days = expected_ties(sample.db)
    assert {(e.source, e.target): e.weight for e in sample_network.edges} == dict(weight)
    for e in sample_network.edges:
        assert e.article_weight == together[(e.source, e.target)]
        assert e.days == sorted(d for d in days[(e.source, e.target)] if d)
        assert e.first == e.days[0] and e.last == e.days[-1]


def test_nodes_carry_counts_aliases_and_days(sample, sample_network):
    con = sqlite3.connect(sample.db)
    nassar = next(n for n in sample_network.nodes if n.name == "Karim Nassar")
    mentions, articles = con.execute(
        "SELECT count(*), count(DISTINCT m.article) FROM mentions m JOIN articles a ON a.id = m.article "
        "WHERE m.entity = ? AND a.duplicate_of IS NULL",
        (nassar.id,),
    ).fetchone()
    con.close()
    assert (nassar.mentions, nassar.articles) == (mentions, articles)
    assert nassar.type == "person" and "the director" in nassar.aliases  # aliases merged: one node
    assert nassar.first == nassar.last == "2021-03-30"
    ids = {node.id for node in sample_network.nodes}
    assert {e.source for e in sample_network.edges} | {e.target for e in sample_network.edges} == ids


def test_the_sample_ties_people_to_their_company_on_the_right_day(sample_network):
    tie = edge(sample_network, "Karim Nassar", "Canal Towage Company")
    assert tie.days == ["2021-03-30"]
    authority = edge(sample_network, "Suez Canal Authority", "Suez Canal")
    assert authority.first == "2021-03-23" and authority.weight >= 2


def test_copies_do_not_strengthen_a_tie(sample, sample_network):
    """The sample's copies (hw-0329 and the blog's word-for-word copy, …) name the same entities as their
    canonicals: they count once, as the timeline folds them."""
    con = sqlite3.connect(sample.db)
    in_copy = {
        row[0]
        for row in con.execute(
            "SELECT m.entity FROM mentions m JOIN articles a ON a.id = m.article WHERE a.duplicate_of IS NOT NULL"
        )
    }
    counts = {
        key: con.execute(
            "SELECT count(DISTINCT m.article), count(DISTINCT CASE WHEN a.duplicate_of IS NULL THEN m.article END) "
            "FROM mentions m JOIN articles a ON a.id = m.article WHERE m.entity = ?",
            (key,),
        ).fetchone()
        for key in in_copy
    }
    con.close()
    nodes = {node.id: node for node in sample_network.nodes}
    assert in_copy & nodes.keys(), "the copy names entities with ties"
    for key in in_copy & nodes.keys():
        every, canonical = counts[key]
        assert nodes[key].articles == canonical < every


def test_min_weight_and_max_nodes(sample):
    with dateline.open(sample.db) as corpus:
        heavy = corpus.network(min_weight=2)
        top = corpus.network(max_nodes=5)
    assert heavy.edges and all(e.weight >= 2 for e in heavy.edges)
    assert {n.id for n in heavy.nodes} == {e.source for e in heavy.edges} | {e.target for e in heavy.edges}
    assert len(top.nodes) == 5 and all({e.source, e.target} <= {n.id for n in top.nodes} for e in top.edges)
    assert [n.mentions for n in top.nodes] == sorted((n.mentions for n in top.nodes), reverse=True)


def test_a_query_and_a_date_range_select_the_articles(sample):
    with dateline.open(sample.db) as corpus:
        towage = corpus.network("Nassar")
        july = corpus.network(start=dateline.corpus.date(2021, 7, 1))
    assert any(n.name == "Canal Towage Company" for n in towage.nodes)
    assert all(d >= "2021-07-01" for e in july.edges for d in e.days) and july.edges


def test_networkx_reads_the_gexf_with_spells(sample_network, tmp_path):
    path = tmp_path / "net.gexf"
    path.write_text(network.to_gexf(sample_network), encoding="utf-8")
    graph = nx.read_gexf(path)
    assert graph.graph["mode"] == "dynamic"
    assert graph.number_of_nodes() == len(sample_network.nodes)
    assert graph.number_of_edges() == len(sample_network.edges)
    nassar = next(n for n in sample_network.nodes if n.name == "Karim Nassar")
    data = graph.nodes[nassar.id]
    assert data["label"] == "Karim Nassar" and data["mentions"] == nassar.mentions
    assert json.loads(data["aliases"]) == nassar.aliases
    assert data["spells"] == [("2021-03-30", "2021-03-30")]
    tie = edge(sample_network, "Suez Canal Authority", "Suez Canal")
    read = graph.edges[tie.source, tie.target]
    assert read["weight"] == tie.weight and read["article_weight"] == tie.article_weight
    assert read["spells"][0][0] == tie.first and read["spells"][-1][1] == tie.last


def test_networkx_reads_the_graphml(sample_network, tmp_path):
    path = tmp_path / "net.graphml"
    path.write_text(network.to_graphml(sample_network), encoding="utf-8")
    graph = nx.read_graphml(path)
    assert (graph.number_of_nodes(), graph.number_of_edges()) == (len(sample_network.nodes), len(sample_network.edges))
    for e in sample_network.edges:
        assert graph.edges[e.source, e.target]["weight"] == e.weight
        assert graph.edges[e.source, e.target]["first"] == e.first
    node = sample_network.nodes[0]
    assert graph.nodes[node.id]["name"] == node.name and graph.nodes[node.id]["mentions"] == node.mentions


def test_runs_of_days_become_one_spell():
    assert network.runs(["2021-03-29", "2021-03-30", "2021-03-31", "2021-04-02"]) == [
        ("2021-03-29", "2021-03-31"),
        ("2021-04-02", "2021-04-02"),
    ]


def test_hostile_names_stay_text_in_xml(tmp_path):
    """Entity names come from scraped text: markup and control characters must not break or enter the XML."""
    rows = [("a1", "2021-01-02", 0, "person:x"), ("a1", "2021-01-02", 0, "org:<script>&")]
    names = {
        "person:x": ("</label><script>alert(1)</script>", "person", '["x"]'),
        "org:<script>&": ('A & B "Co"\x0b', "organisation", "[]"),
    }
    made = network.build(lambda: iter(rows), lambda keys: {k: names[k] for k in keys})
    for writer, reader in ((network.to_gexf, nx.read_gexf), (network.to_graphml, nx.read_graphml)):
        path = tmp_path / "hostile.xml"
        path.write_text(writer(made), encoding="utf-8")
        assert "<script>" not in path.read_text(encoding="utf-8")
        graph = reader(path)
        labels = {data.get("label") or data.get("name") for _, data in graph.nodes(data=True)}
        assert labels == {"</label><script>alert(1)</script>", 'A & B "Co"'}


def test_cli_network_formats(sample, tmp_path, runner, cli_app):
    db = ["--db", str(sample.db)]
    as_json = runner.invoke(cli_app, ["network", *db, "--format", "json", "--min-weight", "2"])
    assert as_json.exit_code == 0, as_json.output
    made = json.loads(as_json.stdout)
    assert set(made) == {"query", "from", "to", "nodes", "links"} and made["links"]
    assert all(link["weight"] >= 2 for link in made["links"])
    assert set(made["nodes"][0]) == {"id", "name", "type", "aliases", "mentions", "articles", "first", "last"}
    written = runner.invoke(cli_app, ["network", *db, "--format", "csv", "-o", str(tmp_path / "ties.csv")])
    assert written.exit_code == 0, written.output
    edges = list(csv.DictReader(io.StringIO((tmp_path / "ties.csv").read_text(encoding="utf-8"))))
    nodes = list(csv.DictReader(io.StringIO((tmp_path / "ties.nodes.csv").read_text(encoding="utf-8"))))
    assert list(edges[0]) == list(network.EDGE_COLUMNS) and list(nodes[0]) == list(network.NODE_COLUMNS)
    assert {e["source"] for e in edges} | {e["target"] for e in edges} == {n["id"] for n in nodes}
    gexf = runner.invoke(cli_app, ["network", *db])
    assert gexf.exit_code == 0 and gexf.stdout.startswith('<?xml version="1.0" encoding="UTF-8"?>\n<gexf')
    for args, message in (
        (["--format", "dot"], "--format dot: choose one of gexf, graphml, json, csv"),
        (["--min-weight", "0"], "--min-weight 0: must be 1 or more"),
        (["--to", "2021-02-30"], "--to 2021-02-30: not a date (YYYY-MM-DD)"),
        (["--from", "2021-05-01", "--to", "2021-04-01"], "--from 2021-05-01 is after --to 2021-04-01"),
    ):
        refused = runner.invoke(cli_app, ["network", *db, *args])
        assert refused.exit_code == 2 and message in refused.output, refused.output


def test_api_network_has_the_sentences_behind_each_tie(sample):
    client = TestClient(create_app(str(sample.db)))
    answer = client.get("/api/network", params={"q": "Nassar"})
    assert answer.status_code == 200
    made = answer.json()
    names = {node["id"]: node["name"] for node in made["nodes"]}
    tie = next(
        link
        for link in made["links"]
        if {names[link["source"]], names[link["target"]]} == {"Karim Nassar", "Canal Towage Company"}
    )
    assert tie["sentences"] and all(
        {"text", "article", "title", "source", "published"} <= set(s) for s in tie["sentences"]
    )
    assert "Nassar" in tie["sentences"][0]["text"] or "director" in tie["sentences"][0]["text"]
    assert len(client.get("/api/network", params={"max_nodes": 3}).json()["nodes"]) == 3
    for query, message in (
        ({"max_nodes": 0}, "max_nodes 0: must be 1..500"),
        ({"min_weight": 0}, "min_weight 0: must be 1..1000000"),
        ({"from": "2021-13-01"}, "from 2021-13-01: not a date (YYYY-MM-DD)"),
    ):
        refused = client.get("/api/network", params=query)
        assert refused.status_code == 400 and refused.json()["error"] == message


# --- the seeds (../shared): Antonov's ties, and when --------------------------------------------


@pytest.fixture(scope="module")
def seeds_network(seeds_dir, tmp_path_factory) -> network.Network:
    db = tmp_path_factory.mktemp("seeds-network") / "seeds.db"
    with dateline.open(db) as corpus:
        corpus.ingest([seeds_dir], workers=1)
        return corpus.network()


def ties_of(made: network.Network, name: str, other: str) -> set[str]:
    """The days `name` and any entity called `other` (of whatever type) were named in one sentence."""
    names = {node.id: node.name for node in made.nodes}
    days: set[str] = set()
    for e in made.edges:
        if {names[e.source], names[e.target]} == {name, other}:
            days.update(e.days)
    return days


@pytest.mark.shared
def test_seeds_antonov_is_linked_to_biden_and_the_embassy_on_the_right_days(seeds_network):
    antonov = next(n for n in seeds_network.nodes if n.name == "Anatoly Antonov")
    assert {"Antonov", "the ambassador"} <= set(antonov.aliases)  # one node for all his names
    assert antonov.first == "2018-12-28" and antonov.last == "2021-07-13"
    # Biden is named with Antonov in the recall story: the day it broke and the day he flew.
    assert ties_of(seeds_network, "Anatoly Antonov", "Joe Biden") == {"2021-03-17", "2021-03-20"}
    # The embassy's statement on the recall (March 17) and its Facebook page after Geneva (July 13).
    assert {"2021-03-17", "2021-07-13"} <= ties_of(seeds_network, "Anatoly Antonov", "Russian Embassy")
    assert ties_of(seeds_network, "Anatoly Antonov", "Russian Embassy") <= {"2021-03-17", "2021-03-20", "2021-07-13"}


def test_one_connection_serves_timelines_exports_and_networks_in_turn(sample, tmp_path):
    """The server keeps one connection per thread: the stores' temporary tables must not collide."""
    with dateline.open(sample.db) as corpus:
        for _ in range(2):
            corpus.timeline("Nassar")
            made = corpus.network("Nassar", sentences=True)
            corpus.export(tmp_path, "Nassar", format="jsonl")
            corpus.timeline()
    assert made.edges and made.edges[0].sentences


def test_the_pages_scripts_never_write_html():
    """Scraped text reaches the page as data: our scripts build elements and set text, never HTML."""
    web = Path(network.__file__).parent / "web"
    scripts = sorted(web.glob("*.js"))
    assert {p.name for p in scripts} >= {"app.js", "common.js", "network.js"}
    for script in scripts:
        code = script.read_text(encoding="utf-8")
        for sink in ("innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"):
            assert sink not in code, f"{script.name} uses {sink}"
