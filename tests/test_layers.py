"""Imports run one way: front ends → corpus → pipeline → store → stages → models, no cycles."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import dateline

PACKAGE = Path(dateline.__file__).parent

LAYERS = [
    {"__init__", "cli", "api", "server"},  # front ends
    {"corpus"},
    {"pipeline", "render", "export", "network"},
    {"store", "executor"},
    {"read", "clean", "dates", "timex", "dedup", "cluster", "extract", "timeline", "source", "language"},
    {"models", "text", "weights", "params"},
]
LAYER = {name: i for i, names in enumerate(LAYERS) for name in names}


def top(module: Path) -> str:
    """The concept a file belongs to: its module, or its package below dateline/."""
    parts = module.relative_to(PACKAGE).with_suffix("").parts
    return parts[0]


def imported(tree: ast.AST, module: Path) -> set[str]:
    """Top-level dateline modules a file imports at run time (TYPE_CHECKING blocks excluded)."""
    skip = {
        id(n)
        for node in ast.walk(tree)
        if isinstance(node, ast.If) and getattr(node.test, "id", None) == "TYPE_CHECKING"
        for n in ast.walk(node)
    }
    depth = len(module.relative_to(PACKAGE).parts)  # 1 for dateline/x.py, 2 for dateline/pkg/x.py
    names: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skip:
            continue
        if isinstance(node, ast.ImportFrom):
            if node.level:  # relative: climb to dateline/, then the first part is the concept
                rest = (node.module or "").split(".") if node.module else []
                if node.level == depth:  # from . import x / from .x import y, at dateline/ itself
                    names.update([rest[0]] if rest else [a.name for a in node.names])
                elif node.level < depth:  # inside a package: its own modules
                    names.add(top(module))
            elif node.module and node.module.split(".")[0] == "dateline":
                rest = node.module.split(".")[1:]
                names.update([rest[0]] if rest else [a.name for a in node.names])
        elif isinstance(node, ast.Import):
            names.update(
                a.name.split(".")[1] for a in node.names if a.name.startswith("dateline.") and a.name.count(".") >= 1
            )
    return names - {top(module)}


def graph() -> dict[str, set[str]]:
    edges: dict[str, set[str]] = defaultdict(set)
    for path in PACKAGE.rglob("*.py"):
        edges[top(path)] |= imported(ast.parse(path.read_text("utf-8")), path)
    return edges


def test_every_module_has_a_layer():
    assert set(graph()) <= set(LAYER), f"give these a layer in LAYERS: {sorted(set(graph()) - set(LAYER))}"


def test_imports_never_go_up():
    upward = sorted((a, b) for a, bs in graph().items() for b in bs if b in LAYER and LAYER[b] < LAYER[a])
    assert upward == []


def test_no_import_cycles():
    edges = graph()
    state: dict[str, int] = {}

    def visit(node: str, path: list[str]) -> list[str] | None:
        state[node] = 1
        for nxt in sorted(edges.get(node, ())):
            if state.get(nxt) == 1:
                return path + [node, nxt]
            if nxt not in state and (cycle := visit(nxt, path + [node])):
                return cycle
        state[node] = 2
        return None

    cycles = [c for n in sorted(edges) if n not in state and (c := visit(n, []))]
    assert cycles == []
