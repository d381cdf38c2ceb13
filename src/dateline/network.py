"""The entity network: who appears with whom, and when.

Nodes are entities (their aliases already merged by the linker: "Antonov", "Anatoly Antonov" and
"the ambassador" are one), with their mentions, the articles naming them and the days those
articles appeared. An edge joins two entities named in the same sentence: `weight` counts those
sentences, `article_weight` the articles naming both anywhere. Copies of an article are left out
(the store selects canonicals): a syndicated text does not make a tie stronger.

Written as GEXF 1.3 with time spells (Gephi's timeline plays it), GraphML (networkx, igraph),
JSON nodes/links (the web page) or CSV (an edge list, with a node list beside it).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, timedelta
from itertools import combinations, groupby
from typing import Any
from xml.etree import ElementTree as ET

FORMATS = ("gexf", "graphml", "json", "csv")
EVIDENCE = 3  # sentences kept per edge, to show what ties two entities
# Gephi colours by these; the page uses the same (web/app.js TYPE_COLOURS).
COLOURS = {
    "person": (31, 119, 180),
    "organisation": (255, 127, 14),
    "place": (44, 160, 44),
    "group": (148, 103, 189),
}
OTHER_COLOUR = (127, 127, 127)

Row = tuple[str, str | None, int, str]  # (article, published, sentence, entity), as the store reads them
Pair = tuple[str, str]


@dataclass(slots=True)
class Node:
    id: str
    name: str
    type: str
    aliases: list[str]
    mentions: int
    articles: int
    days: list[str]  # the days the articles naming it appeared, each once, in order

    @property
    def first(self) -> str | None:
        return self.days[0] if self.days else None

    @property
    def last(self) -> str | None:
        return self.days[-1] if self.days else None

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "name": self.name,
            "type": self.type,
            "aliases": self.aliases,
            "mentions": self.mentions,
            "articles": self.articles,
            "first": self.first,
            "last": self.last,
        }


@dataclass(slots=True)
class Edge:
    source: str
    target: str
    weight: int  # sentences naming both
    article_weight: int  # articles naming both, anywhere
    days: list[str]  # the days the sentences naming both appeared
    evidence: list[tuple[str, int]]  # the first sentences naming both, as (article, position)
    sentences: list[dict[str, Any]] = field(default_factory=list)  # the evidence's text, when attached

    @property
    def first(self) -> str | None:
        return self.days[0] if self.days else None

    @property
    def last(self) -> str | None:
        return self.days[-1] if self.days else None

    def to_json(self) -> dict[str, Any]:
        record = {
            "source": self.source,
            "target": self.target,
            "weight": self.weight,
            "article_weight": self.article_weight,
            "first": self.first,
            "last": self.last,
        }
        if self.sentences:
            record["sentences"] = self.sentences
        return record


@dataclass(slots=True)
class Network:
    query: str | None
    start: date | None
    end: date | None
    nodes: list[Node]
    edges: list[Edge]

    def to_json(self) -> dict[str, Any]:
        return {
            "query": self.query,
            "from": self.start.isoformat() if self.start else None,
            "to": self.end.isoformat() if self.end else None,
            "nodes": [node.to_json() for node in self.nodes],
            "links": [edge.to_json() for edge in self.edges],
        }


# --- building: two passes over the mentions ------------------------------------------------


@dataclass(slots=True)
class _Tally:
    """What the first pass counts."""

    mentions: Counter = field(default_factory=Counter)
    articles: Counter = field(default_factory=Counter)
    days: defaultdict = field(default_factory=lambda: defaultdict(set))
    weight: Counter = field(default_factory=Counter)
    pair_days: defaultdict = field(default_factory=lambda: defaultdict(set))
    evidence: defaultdict = field(default_factory=lambda: defaultdict(list))


def build(
    mentions: Callable[[], Iterable[Row]],
    entities: Callable[[list[str]], dict[str, tuple[str, str, str]]],
    *,
    query: str | None = None,
    start: date | None = None,
    end: date | None = None,
    min_weight: int = 1,
    max_nodes: int | None = None,
) -> Network:
    """The network of the mentions `mentions()` yields (called twice; article by article, sentence by sentence).

    `entities(keys)` gives {key: (name, type, aliases as JSON)}. Edges lighter than `min_weight` are
    dropped, then the entities left without an edge; `max_nodes` keeps the most-mentioned entities
    and the edges between them."""
    tally = _count(mentions())
    kept = {pair: weight for pair, weight in tally.weight.items() if weight >= min_weight}
    ids = {entity for pair in kept for entity in pair}
    if max_nodes is not None and len(ids) > max_nodes:
        ids = set(sorted(ids, key=lambda key: (-tally.mentions[key], key))[:max_nodes])
        kept = {pair: weight for pair, weight in kept.items() if pair[0] in ids and pair[1] in ids}
    together = _articles_together(mentions(), kept)
    known = entities(sorted(ids))
    nodes = [
        Node(
            key,
            known[key][0],
            known[key][1],
            json.loads(known[key][2]),
            tally.mentions[key],
            tally.articles[key],
            sorted(tally.days[key]),
        )
        for key in sorted(ids, key=lambda key: (-tally.mentions[key], key))
        if key in known
    ]
    edges = [
        Edge(a, b, weight, together[(a, b)], sorted(tally.pair_days[(a, b)]), tally.evidence[(a, b)])
        for (a, b), weight in sorted(kept.items(), key=lambda item: (-item[1], item[0]))
        if a in known and b in known
    ]
    return Network(query, start, end, nodes, edges)


def _count(rows: Iterable[Row]) -> _Tally:
    """Mentions, articles and days per entity; sentences, days and evidence per pair named together."""
    tally = _Tally()
    for (article, published), in_article in groupby(rows, key=lambda row: (row[0], row[1])):
        named: set[str] = set()
        for sentence, in_sentence in groupby(in_article, key=lambda row: row[2]):
            here = set()
            for *_, entity in in_sentence:
                tally.mentions[entity] += 1
                here.add(entity)
            named |= here
            for pair in combinations(sorted(here), 2):
                tally.weight[pair] += 1
                if published:
                    tally.pair_days[pair].add(published)
                if len(tally.evidence[pair]) < EVIDENCE:
                    tally.evidence[pair].append((article, sentence))
        for entity in named:
            tally.articles[entity] += 1
            if published:
                tally.days[entity].add(published)
    return tally


def _articles_together(rows: Iterable[Row], pairs: dict[Pair, int]) -> Counter:
    """For each pair, the articles naming both: per article, each entity's neighbours among the others
    it names (a set intersection, not every pair of the article's entities)."""
    neighbours: defaultdict[str, set[str]] = defaultdict(set)
    for a, b in pairs:
        neighbours[a].add(b)
    together: Counter = Counter()
    for _, in_article in groupby(rows, key=lambda row: row[0]):
        named = {row[3] for row in in_article}
        for entity in named & neighbours.keys():
            for other in neighbours[entity] & named:
                together[(entity, other)] += 1
    return together


# --- writing ----------------------------------------------------------------------------------


def to_json(network: Network) -> str:
    return json.dumps(network.to_json(), ensure_ascii=False, indent=1) + "\n"


GEXF = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"


def to_gexf(network: Network) -> str:
    """GEXF 1.3 in dynamic mode: every node and edge has spells, the runs of days it appeared on."""
    ET.register_namespace("", GEXF)
    ET.register_namespace("viz", VIZ)
    root = ET.Element(f"{{{GEXF}}}gexf", {"version": "1.3"})
    meta = ET.SubElement(root, f"{{{GEXF}}}meta")
    ET.SubElement(meta, f"{{{GEXF}}}creator").text = "dateline"
    ET.SubElement(meta, f"{{{GEXF}}}description").text = _clean(_describe(network))
    graph = ET.SubElement(
        root,
        f"{{{GEXF}}}graph",
        {"mode": "dynamic", "defaultedgetype": "undirected", "timeformat": "date", "timerepresentation": "interval"},
    )
    _attributes(graph, "node", [("type", "string"), ("aliases", "string"), ("mentions", "integer"),
                                ("articles", "integer"), ("first", "string"), ("last", "string")])  # fmt: skip
    _attributes(graph, "edge", [("article_weight", "integer"), ("first", "string"), ("last", "string")])
    nodes = ET.SubElement(graph, f"{{{GEXF}}}nodes")
    for node in network.nodes:
        element = ET.SubElement(nodes, f"{{{GEXF}}}node", {"id": _clean(node.id), "label": _clean(node.name)})
        _values(element, [("type", node.type), ("aliases", json.dumps(node.aliases, ensure_ascii=False)),
                          ("mentions", node.mentions), ("articles", node.articles),
                          ("first", node.first), ("last", node.last)])  # fmt: skip
        _spells(element, node.days)
        r, g, b = COLOURS.get(node.type, OTHER_COLOUR)
        ET.SubElement(element, f"{{{VIZ}}}color", {"r": str(r), "g": str(g), "b": str(b)})
        ET.SubElement(element, f"{{{VIZ}}}size", {"value": f"{_size(node.mentions):.2f}"})
    edges = ET.SubElement(graph, f"{{{GEXF}}}edges")
    for number, edge in enumerate(network.edges):
        element = ET.SubElement(
            edges,
            f"{{{GEXF}}}edge",
            {
                "id": str(number),
                "source": _clean(edge.source),
                "target": _clean(edge.target),
                "weight": str(edge.weight),
            },
        )
        _values(element, [("article_weight", edge.article_weight), ("first", edge.first), ("last", edge.last)])
        _spells(element, edge.days)
    return _xml(root)


def _attributes(graph: ET.Element, kind: str, names: list[tuple[str, str]]) -> None:
    block = ET.SubElement(graph, f"{{{GEXF}}}attributes", {"class": kind, "mode": "static"})
    for name, type_ in names:
        ET.SubElement(block, f"{{{GEXF}}}attribute", {"id": name, "title": name, "type": type_})


def _values(element: ET.Element, values: list[tuple[str, object]]) -> None:
    block = ET.SubElement(element, f"{{{GEXF}}}attvalues")
    for name, value in values:
        if value is not None:
            ET.SubElement(block, f"{{{GEXF}}}attvalue", {"for": name, "value": _clean(str(value))})


def _spells(element: ET.Element, days: list[str]) -> None:
    if not days:
        return
    block = ET.SubElement(element, f"{{{GEXF}}}spells")
    for first, last in runs(days):
        ET.SubElement(block, f"{{{GEXF}}}spell", {"start": first, "end": last})


def runs(days: list[str]) -> list[tuple[str, str]]:
    """Sorted ISO days as runs of consecutive days: a spell per run, not per day."""
    out: list[tuple[str, str]] = []
    for day in days:
        if out and date.fromisoformat(out[-1][1]) + timedelta(days=1) == date.fromisoformat(day):
            out[-1] = (out[-1][0], day)
        else:
            out.append((day, day))
    return out


def _size(mentions: int) -> float:
    """A node's size for Gephi: grows with the square root of its mentions, so the largest do not swamp."""
    return 4 + 2 * mentions**0.5


GRAPHML = "http://graphml.graphdrawing.org/xmlns"
GRAPHML_KEYS = (
    ("node", "name", "string"),
    ("node", "type", "string"),
    ("node", "aliases", "string"),
    ("node", "mentions", "int"),
    ("node", "articles", "int"),
    ("node", "first", "string"),
    ("node", "last", "string"),
    ("edge", "weight", "int"),
    ("edge", "article_weight", "int"),
    ("edge", "first", "string"),
    ("edge", "last", "string"),
)


def to_graphml(network: Network) -> str:
    """GraphML, undirected; aliases as a JSON array, days as ISO dates."""
    ET.register_namespace("", GRAPHML)
    root = ET.Element(f"{{{GRAPHML}}}graphml")
    for kind, name, type_ in GRAPHML_KEYS:
        ET.SubElement(
            root,
            f"{{{GRAPHML}}}key",
            {"id": f"{kind[0]}_{name}", "for": kind, "attr.name": name, "attr.type": type_},
        )
    graph = ET.SubElement(root, f"{{{GRAPHML}}}graph", {"id": "dateline", "edgedefault": "undirected"})
    for node in network.nodes:
        element = ET.SubElement(graph, f"{{{GRAPHML}}}node", {"id": _clean(node.id)})
        values = {**node.to_json(), "aliases": json.dumps(node.aliases, ensure_ascii=False)}
        _data(element, "n", values, ("name", "type", "aliases", "mentions", "articles", "first", "last"))
    for edge in network.edges:
        element = ET.SubElement(
            graph, f"{{{GRAPHML}}}edge", {"source": _clean(edge.source), "target": _clean(edge.target)}
        )
        _data(element, "e", edge.to_json(), ("weight", "article_weight", "first", "last"))
    return _xml(root)


def _data(element: ET.Element, prefix: str, values: dict, names: tuple[str, ...]) -> None:
    for name in names:
        if values.get(name) is not None:
            ET.SubElement(element, f"{{{GRAPHML}}}data", {"key": f"{prefix}_{name}"}).text = _clean(str(values[name]))


NODE_COLUMNS = ("id", "name", "type", "aliases", "mentions", "articles", "first", "last")
EDGE_COLUMNS = (
    "source",
    "target",
    "source_name",
    "target_name",
    "weight",
    "article_weight",
    "first",
    "last",
)


def to_csv(network: Network) -> str:
    """The edge list (Gephi's "Edges table" import), each end named."""
    names = {node.id: node.name for node in network.nodes}
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EDGE_COLUMNS)
    for edge in network.edges:
        writer.writerow(
            [edge.source, edge.target, names[edge.source], names[edge.target], edge.weight, edge.article_weight,
             edge.first or "", edge.last or ""]
        )  # fmt: skip
    return buffer.getvalue()


def nodes_csv(network: Network) -> str:
    """The node list (Gephi's "Nodes table" import); aliases as a JSON array."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(NODE_COLUMNS)
    for node in network.nodes:
        record = {**node.to_json(), "aliases": json.dumps(node.aliases, ensure_ascii=False)}
        writer.writerow(["" if record[c] is None else record[c] for c in NODE_COLUMNS])
    return buffer.getvalue()


WRITERS: dict[str, Callable[[Network], str]] = {
    "gexf": to_gexf,
    "graphml": to_graphml,
    "json": to_json,
    "csv": to_csv,
}


def _describe(network: Network) -> str:
    parts = [f"query {network.query!r}" if network.query else "all articles"]
    if network.start or network.end:
        parts.append(f"from {network.start or '…'} to {network.end or '…'}")
    return "dateline entity co-occurrence network: " + ", ".join(parts)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _clean(value: str) -> str:
    """Text XML 1.0 can hold: scraped names may carry control characters (escaping is ElementTree's job)."""
    return _NOT_XML.sub("", value)


def _xml(root: ET.Element) -> str:
    ET.indent(root, space=" ")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(root, encoding="unicode") + "\n"
