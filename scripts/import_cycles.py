#!/usr/bin/env python3
"""List the import cycles among the ``protocols`` modules, read from the source with ``ast``.

    .venv/bin/python scripts/import_cycles.py            # this checkout's src/
    .venv/bin/python scripts/import_cycles.py OTHER/src  # another tree (say, an older commit's)

An import is counted at one of three levels:

- **module**: runs when the module is imported (its top level, outside ``if TYPE_CHECKING:``);
- **function**: a deferred import inside a function or method: runs when that is called;
- **type**: inside ``if TYPE_CHECKING:``, read only by the type checker.

A cycle is a group of modules that reach each other through imports (a strongly connected
component of the import graph). The script prints the cycles at the module level, then those
that also need function-level imports (run-time cycles), then those that need type-only ones.
Importing ``a.b.c`` also runs ``a/__init__`` and ``a/b/__init__``; those implicit edges to a
parent package are not counted (a package's ``__init__`` that gathers its submodules would
otherwise always be a cycle). The exit status is 1 when there is a module-level cycle.
"""

from __future__ import annotations

import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path

PACKAGE = "protocols"
LEVELS = ("module", "function", "type")
SRC = Path(__file__).resolve().parent.parent / "src"


@dataclass(frozen=True)
class Edge:
    """``source`` imports ``target`` at ``level`` (line ``line`` of the source file)."""

    source: str
    target: str
    level: str
    line: int


def module_names(src: Path) -> dict[str, Path]:
    """Every module of the package under ``src``: dotted name → file."""
    found: dict[str, Path] = {}
    for file in sorted((src / PACKAGE).rglob("*.py")):
        parts = list(file.relative_to(src).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = file
    return found


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING")


def _imports(tree: ast.AST, level: str = "module") -> Iterator[tuple[ast.Import | ast.ImportFrom, str]]:
    """Every import statement under ``tree`` with the level it runs at."""
    for node in ast.iter_child_nodes(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, level
        elif isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), "type")
            for child in node.orelse:
                yield from _imports(ast.Module(body=[child], type_ignores=[]), level)
        elif isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
            yield from _imports(node, "type" if level == "type" else "function")
        else:
            yield from _imports(node, level)


def _targets(node: ast.Import | ast.ImportFrom, name: str, is_package: bool, known: set[str]) -> Iterator[str]:
    """The package modules an import statement in module ``name`` loads."""
    if isinstance(node, ast.Import):
        yield from (alias.name for alias in node.names if alias.name in known)
        return
    base = node.module or ""
    if node.level:
        anchor = name.split(".") if is_package else name.split(".")[:-1]
        anchor = anchor[: len(anchor) - node.level + 1]
        base = ".".join([*anchor, base] if base else anchor)
    for alias in node.names:
        submodule = f"{base}.{alias.name}"
        if submodule in known:
            yield submodule
        elif base in known:
            yield base


def import_edges(src: Path = SRC) -> list[Edge]:
    """Every import from one package module to another, with its level."""
    modules = module_names(src)
    known = set(modules)
    edges: list[Edge] = []
    for name, file in modules.items():
        tree = ast.parse(file.read_text(encoding="utf-8"), str(file))
        for node, level in _imports(tree):
            for target in _targets(node, name, file.name == "__init__.py", known):
                if target != name:
                    edges.append(Edge(name, target, level, node.lineno))
    return edges


def cycles(edges: Iterable[Edge], levels: Iterable[str]) -> list[list[str]]:
    """The groups of modules that import each other through edges at ``levels`` (Tarjan's algorithm)."""
    wanted = set(levels)
    graph: dict[str, set[str]] = {}
    for edge in edges:
        if edge.level in wanted:
            graph.setdefault(edge.source, set()).add(edge.target)
            graph.setdefault(edge.target, set())
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        for target in sorted(graph[node]):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group: list[str] = []
            while not group or group[-1] != node:
                group.append(stack.pop())
            if len(group) > 1:
                found.append(sorted(group))

    sys.setrecursionlimit(max(sys.getrecursionlimit(), 10 * len(graph) + 100))
    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(found)


def _shown(group: list[str], edges: list[Edge], levels: tuple[str, ...]) -> str:
    members = set(group)
    inside = sorted({(e.source, e.target, e.level, e.line) for e in edges
                     if e.source in members and e.target in members and e.level in levels})
    lines = [f"  {' , '.join(group)}"]
    lines += [f"    {source} -> {target} ({level}, line {line})" for source, target, level, line in inside]
    return "\n".join(lines)


def report(src: Path = SRC) -> tuple[str, int]:
    """The printed report and the number of module-level cycles."""
    edges = import_edges(src)
    out: list[str] = []
    module_level = cycles(edges, ("module",))
    previous: list[list[str]] = module_level
    for title, levels in (("module level (run when imported)", ("module",)),
                          ("run time (module and function level)", ("module", "function")),
                          ("with type-checking imports too", LEVELS)):
        groups = cycles(edges, levels)
        new = groups if levels == ("module",) else [g for g in groups if g not in previous]
        previous = groups
        out.append(f"{title}: {len(groups)} cycle(s)" + ("" if levels == ("module",) else f", {len(new)} new"))
        out.extend(_shown(group, edges, levels) for group in new)
    return "\n".join(out), len(module_level)


def main(argv: list[str]) -> int:
    text, module_level = report(Path(argv[0]) if argv else SRC)
    print(text)
    return 1 if module_level else 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
