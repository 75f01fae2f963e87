"""Which package may import which, and no import cycle inside a package (house style rule 1).

Every module under our packages is parsed with `ast`, so imports inside functions and under
``if TYPE_CHECKING:`` count too: an import moved into a function still ties the two modules together.
"""
from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("geo", "db", "relay", "dashboard", "settings", "noblindspot")
# package -> the packages of ours it may import (besides itself)
ALLOWED = {
    "geo": set(),
    "settings": {"geo"},
    "db": {"geo"},
    "relay": {"geo", "db", "settings"},
    "dashboard": {"geo", "db", "relay", "settings"},
    "noblindspot": {"geo", "db", "relay", "settings"},
}


def module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def modules() -> dict[str, Path]:
    found = {}
    for package in PACKAGES:
        for path in sorted((ROOT / package).rglob("*.py")):
            found[module_name(path)] = path
    return found


def imported_names(path: Path, name: str) -> Iterator[str]:
    """Every module name this file imports, wherever the import statement sits."""
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), filename=str(path))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = name.split(".") if is_package else name.split(".")[:-1]
                base = base[: len(base) - (node.level - 1)]
                target = ".".join([*base, node.module] if node.module else base)
            else:
                target = node.module or ""
            yield target
            yield from (f"{target}.{alias.name}" for alias in node.names)   # `from db import feeds`


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of ours it imports (only names that are modules)."""
    known = modules()
    graph = {}
    for name, path in known.items():
        graph[name] = {target for target in imported_names(path, name) if target in known and target != name}
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[set[str]]:
    """Tarjan's algorithm: the components with more than one module are the cycles."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[set[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for succ in graph.get(node, ()):
            if succ not in index:
                visit(succ)
                low[node] = min(low[node], low[succ])
            elif succ in on_stack:
                low[node] = min(low[node], index[succ])
        if low[node] == index[node]:
            component = set()
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.add(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(component)

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def cycles_within(package: str) -> list[set[str]]:
    graph = import_graph()
    inside = {name: {t for t in targets if t.split(".")[0] == package}
              for name, targets in graph.items() if name.split(".")[0] == package}
    return strongly_connected(inside)


def test_the_graph_sees_function_level_imports():
    # relay.__main__ imports relay.api only inside build(): the parser must see it
    assert "relay.api" in import_graph()["relay.__main__"]


def test_cycle_finder_finds_a_cycle_and_passes_a_chain():
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [{"a", "b", "c"}]
    assert strongly_connected({"a": {"b"}, "b": {"c"}, "c": set()}) == []


def test_each_package_imports_only_the_packages_below_it():
    wrong = []
    for name, path in modules().items():
        package = name.split(".")[0]
        for target in imported_names(path, name):
            other = target.split(".")[0]
            if other in PACKAGES and other != package and other not in ALLOWED[package]:
                wrong.append(f"{path.relative_to(ROOT)} imports {target}")
    assert sorted(set(wrong)) == []


@pytest.mark.parametrize("package", ["geo", "db", "relay", "settings", "noblindspot"])
def test_no_import_cycle_inside(package):
    assert cycles_within(package) == []


def test_no_import_cycle_inside_the_dashboard():
    assert cycles_within("dashboard") == []


def test_the_dashboard_holds_no_sql():
    """Queries live in db/; only dashboard/deps.py touches SQLAlchemy (to build the session factory)."""
    offenders = []
    for path in sorted((ROOT / "dashboard").rglob("*.py")):
        if path.name == "deps.py":
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            names = ([a.name for a in node.names] if isinstance(node, ast.Import)
                     else [node.module or ""] if isinstance(node, ast.ImportFrom) else [])
            offenders += [f"{path.relative_to(ROOT)}: {n}" for n in names if n.split(".")[0] == "sqlalchemy"]
    assert offenders == []


def test_only_db_feeds_touches_the_feed_and_relay_node_tables():
    """One owner for the feed table: db/models.py defines the classes, db/feeds.py alone uses them."""
    owners = {"db.models", "db.feeds"}
    offenders = []
    for name, path in modules().items():
        if name in owners:
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module == "db.models":
                offenders += [f"{path.relative_to(ROOT)} imports {a.name}" for a in node.names
                              if a.name in ("Feed", "RelayNode")]
    assert offenders == []


def test_the_owner_rule_sees_a_feed_import(tmp_path):
    # the check above reads ImportFrom nodes; make sure such a line parses the way it expects
    tree = ast.parse("from db.models import Camera, Feed\n")
    found = [a.name for node in ast.walk(tree) if isinstance(node, ast.ImportFrom) for a in node.names]
    assert "Feed" in found
