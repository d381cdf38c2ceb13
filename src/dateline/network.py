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
from typing import Any, TextIO
from xml.sax.saxutils import escape, quoteattr

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


class _Spell:
    """A first and a last day, from the `days` a node or an edge keeps in order."""

    __slots__ = ()
    days: list[str]

    @property
    def first(self) -> str | None:
        return self.days[0] if self.days else None

    @property
    def last(self) -> str | None:
        return self.days[-1] if self.days else None


@dataclass(slots=True)
class Node(_Spell):
    id: str
    name: str
    type: str
    aliases: list[str]
    mentions: int
    articles: int
    days: list[str]  # the days the articles naming it appeared, each once, in order

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
class Edge(_Spell):
    source: str
    target: str
    weight: int  # sentences naming both
    article_weight: int  # articles naming both, anywhere
    days: list[str]  # the days the sentences naming both appeared
    evidence: list[tuple[str, int]]  # the first sentences naming both, as (article, position)
    sentences: list[dict[str, Any]] = field(default_factory=list)  # the evidence's text, when attached

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


# --- writing: each format streams to a text file ---------------------------------------------


def write_json(network: Network, out: TextIO) -> None:
    json.dump(network.to_json(), out, ensure_ascii=False, indent=1)
    out.write("\n")


GEXF = "http://gexf.net/1.3"
VIZ = "http://gexf.net/1.3/viz"
GEXF_NODE_ATTRIBUTES = (("type", "string"), ("aliases", "string"), ("mentions", "integer"), ("articles", "integer"),
                        ("first", "string"), ("last", "string"))  # fmt: skip
GEXF_EDGE_ATTRIBUTES = (("article_weight", "integer"), ("first", "string"), ("last", "string"))


def write_gexf(network: Network, out: TextIO) -> None:
    """GEXF 1.3 in dynamic mode: every node and edge has spells, the runs of days it appeared on."""
    xml = _Xml(out)
    xml.open("gexf", {"xmlns": GEXF, "xmlns:viz": VIZ, "version": "1.3"})
    xml.open("meta")
    xml.leaf("creator", text="dateline")
    xml.leaf("description", text=_describe(network))
    xml.close("meta")
    xml.open("graph", {"mode": "dynamic", "defaultedgetype": "undirected", "timeformat": "date",
                       "timerepresentation": "interval"})  # fmt: skip
    for kind, names in (("node", GEXF_NODE_ATTRIBUTES), ("edge", GEXF_EDGE_ATTRIBUTES)):
        xml.open("attributes", {"class": kind, "mode": "static"})
        for name, type_ in names:
            xml.leaf("attribute", {"id": name, "title": name, "type": type_})
        xml.close("attributes")
    xml.open("nodes")
    for node in network.nodes:
        xml.open("node", {"id": node.id, "label": node.name})
        _attvalues(
            xml, {**node.to_json(), "aliases": json.dumps(node.aliases, ensure_ascii=False)}, GEXF_NODE_ATTRIBUTES
        )
        _spells(xml, node.days)
        r, g, b = COLOURS.get(node.type, OTHER_COLOUR)
        xml.leaf("viz:color", {"r": r, "g": g, "b": b})
        xml.leaf("viz:size", {"value": f"{_size(node.mentions):.2f}"})
        xml.close("node")
    xml.close("nodes")
    xml.open("edges")
    for number, edge in enumerate(network.edges):
        xml.open("edge", {"id": number, "source": edge.source, "target": edge.target, "weight": edge.weight})
        _attvalues(xml, edge.to_json(), GEXF_EDGE_ATTRIBUTES)
        _spells(xml, edge.days)
        xml.close("edge")
    xml.close("edges")
    xml.close("graph")
    xml.close("gexf")


def _attvalues(xml: _Xml, values: dict, names: tuple[tuple[str, str], ...]) -> None:
    xml.open("attvalues")
    for name, _ in names:
        if values.get(name) is not None:
            xml.leaf("attvalue", {"for": name, "value": values[name]})
    xml.close("attvalues")


def _spells(xml: _Xml, days: list[str]) -> None:
    if not days:
        return
    xml.open("spells")
    for first, last in runs(days):
        xml.leaf("spell", {"start": first, "end": last})
    xml.close("spells")


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
GRAPHML_NODE_KEYS = (("name", "string"), ("type", "string"), ("aliases", "string"), ("mentions", "int"),
                     ("articles", "int"), ("first", "string"), ("last", "string"))  # fmt: skip
GRAPHML_EDGE_KEYS = (("weight", "int"), ("article_weight", "int"), ("first", "string"), ("last", "string"))


def write_graphml(network: Network, out: TextIO) -> None:
    """GraphML, undirected; aliases as a JSON array, days as ISO dates; keys n_* for nodes, e_* for edges."""
    xml = _Xml(out)
    xml.open("graphml", {"xmlns": GRAPHML})
    for kind, keys in (("node", GRAPHML_NODE_KEYS), ("edge", GRAPHML_EDGE_KEYS)):
        for name, type_ in keys:
            xml.leaf("key", {"id": f"{kind[0]}_{name}", "for": kind, "attr.name": name, "attr.type": type_})
    xml.open("graph", {"id": "dateline", "edgedefault": "undirected"})
    for node in network.nodes:
        xml.open("node", {"id": node.id})
        _data(xml, "n", {**node.to_json(), "aliases": json.dumps(node.aliases, ensure_ascii=False)}, GRAPHML_NODE_KEYS)
        xml.close("node")
    for edge in network.edges:
        xml.open("edge", {"source": edge.source, "target": edge.target})
        _data(xml, "e", edge.to_json(), GRAPHML_EDGE_KEYS)
        xml.close("edge")
    xml.close("graph")
    xml.close("graphml")


def _data(xml: _Xml, prefix: str, values: dict, keys: tuple[tuple[str, str], ...]) -> None:
    for name, _ in keys:
        if values.get(name) is not None:
            xml.leaf("data", {"key": f"{prefix}_{name}"}, text=values[name])


class _Xml:
    """XML written as it goes (a network of 70,000 ties is no tree in memory), one element a line.

    Every attribute and text is escaped here, and stripped of what XML 1.0 cannot hold: names and
    sentences are scraped text."""

    def __init__(self, out: TextIO):
        self.out, self.depth = out, 0
        out.write('<?xml version="1.0" encoding="UTF-8"?>\n')

    def open(self, tag: str, attributes: dict[str, object] | None = None) -> None:
        self.out.write(f"{' ' * self.depth}<{tag}{_attributes(attributes)}>\n")
        self.depth += 1

    def close(self, tag: str) -> None:
        self.depth -= 1
        self.out.write(f"{' ' * self.depth}</{tag}>\n")

    def leaf(self, tag: str, attributes: dict[str, object] | None = None, text: object = None) -> None:
        body = "/>" if text is None else f">{escape(_clean(str(text)))}</{tag}>"
        self.out.write(f"{' ' * self.depth}<{tag}{_attributes(attributes)}{body}\n")


def _attributes(attributes: dict[str, object] | None) -> str:
    return "".join(f" {name}={quoteattr(_clean(str(value)))}" for name, value in (attributes or {}).items())


NODE_COLUMNS = ("id", "name", "type", "aliases", "mentions", "articles", "first", "last")
EDGE_COLUMNS = ("source", "target", "source_name", "target_name", "weight", "article_weight", "first", "last")


def write_csv(network: Network, out: TextIO) -> None:
    """The edge list (Gephi's "Edges table" import), each end named."""
    names = {node.id: node.name for node in network.nodes}
    writer = csv.writer(out)
    writer.writerow(EDGE_COLUMNS)
    for edge in network.edges:
        writer.writerow(
            [edge.source, edge.target, names[edge.source], names[edge.target], edge.weight, edge.article_weight,
             edge.first or "", edge.last or ""]
        )  # fmt: skip


def write_nodes_csv(network: Network, out: TextIO) -> None:
    """The node list (Gephi's "Nodes table" import); aliases as a JSON array."""
    writer = csv.writer(out)
    writer.writerow(NODE_COLUMNS)
    for node in network.nodes:
        record = {**node.to_json(), "aliases": json.dumps(node.aliases, ensure_ascii=False)}
        writer.writerow(["" if record[c] is None else record[c] for c in NODE_COLUMNS])


WRITERS: dict[str, Callable[[Network, TextIO], None]] = {
    "gexf": write_gexf,
    "graphml": write_graphml,
    "json": write_json,
    "csv": write_csv,
}


def text(network: Network, fmt: str) -> str:
    """The network in one format, as a string (for a small network: the writers stream to files)."""
    buffer = io.StringIO(newline="")
    WRITERS[fmt](network, buffer)
    return buffer.getvalue()


def to_gexf(network: Network) -> str:
    return text(network, "gexf")


def to_graphml(network: Network) -> str:
    return text(network, "graphml")


def _describe(network: Network) -> str:
    parts = [f"query {network.query!r}" if network.query else "all articles"]
    if network.start or network.end:
        parts.append(f"from {network.start or '…'} to {network.end or '…'}")
    return "dateline entity co-occurrence network: " + ", ".join(parts)


_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _clean(value: str) -> str:
    """Text XML 1.0 can hold: scraped names may carry control characters."""
    return _NOT_XML.sub("", value)
