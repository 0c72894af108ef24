"""The layering holds: no import cycle anywhere, and no app imports what it must not know.

Read from the source with `ast` (nothing is imported), so a lazy import inside a function
counts like any other: a cycle hidden in a function body is still a cycle. The rules are those
of docs/architecture.md; the checker is tried on a small tree of its own first, so a test that
finds nothing cannot be a checker that finds nothing.
"""

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
APPS = ("aiom", "actions", "analyzers", "integrations", "audit", "assistant", "followups")
#: aiom's own modules that assemble the product (URLs, pages that show every app, the demo):
#: they may import any app. The rest of aiom is the core every app stands on.
AIOM_SHELL = ("aiom.urls", "aiom.views", "aiom.selectors", "aiom.celery", "aiom.management")
#: app → the apps it may import (besides itself).
ALLOWED = {
    "aiom": set(),
    "audit": {"aiom"},
    "integrations": {"aiom"},
    "actions": {"aiom", "audit", "integrations"},
    "analyzers": {"aiom", "audit", "integrations", "actions"},
    "assistant": {"aiom", "audit", "integrations", "actions", "analyzers"},
    "followups": {"aiom", "audit", "integrations", "actions", "analyzers"},
}


def modules_of(root: Path, apps=APPS) -> dict[str, Path]:
    """Every module of the apps, by dotted name (migrations left out: they are history)."""
    found = {}
    for app in apps:
        for path in sorted((root / app).rglob("*.py")):
            if "migrations" in path.relative_to(root).parts:
                continue
            parts = path.relative_to(root).with_suffix("").parts
            found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def imports_of(name: str, path: Path, known: dict[str, Path]) -> set[str]:
    """The project modules `name` imports anywhere in its body (not under TYPE_CHECKING)."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    targets = set()
    for node in _walk_without_type_checking(ast.parse(path.read_text(), str(path))):
        if isinstance(node, ast.Import):
            candidates = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([node.module] if node.module else [])])
            # `from package import module` imports the module; `from module import name`, the module.
            candidates = [f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base for alias in node.names]
        else:
            continue
        for candidate in candidates:
            while candidate and candidate not in known:
                candidate = candidate.rpartition(".")[0]
            if candidate and candidate != name:
                targets.add(candidate)
    return targets


def _walk_without_type_checking(tree: ast.AST):
    stack = [tree]
    while stack:
        node = stack.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if isinstance(child, ast.If) and "TYPE_CHECKING" in ast.unparse(child.test):
                stack.extend(child.orelse)
                continue
            stack.append(child)


def graph_of(root: Path, apps=APPS) -> dict[str, set[str]]:
    known = modules_of(root, apps)
    return {name: imports_of(name, path, known) for name, path in known.items()}


def cycles_in(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan), each sorted."""
    index, low, on_stack, stack, groups = {}, {}, set(), [], []

    def visit(node):
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
        if low[node] == index[node]:
            group = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                group.append(member)
                if member == node:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return sorted(groups)


def forbidden_edges(graph: dict[str, set[str]]) -> list[str]:
    edges = []
    for source, targets in sorted(graph.items()):
        app = source.split(".")[0]
        if app == "aiom" and source.startswith(AIOM_SHELL):
            continue
        for target in sorted(targets):
            other = target.split(".")[0]
            if other != app and other not in ALLOWED[app]:
                edges.append(f"{source} → {target}")
    return edges


# ---------------------------------------------------------------------------------------------


def test_the_project_has_no_import_cycle():
    assert cycles_in(graph_of(ROOT)) == []


def test_no_app_imports_what_it_must_not_know():
    assert forbidden_edges(graph_of(ROOT)) == []


def test_the_graph_sees_the_project():
    graph = graph_of(ROOT)
    assert "actions.protocol" in graph["actions.services"]
    assert "actions.types" in graph["actions.protocol"]
    assert "integrations.odoo.client" in graph["integrations.odoo.connections"]


@pytest.fixture
def tiny_tree(tmp_path):
    def write(module: str, source: str):
        path = tmp_path.joinpath(*module.split(".")).with_suffix(".py")
        path.parent.mkdir(parents=True, exist_ok=True)
        for parent in [path.parent, *path.parent.parents]:
            if parent == tmp_path:
                break
            (parent / "__init__.py").touch()
        path.write_text(source)
    return tmp_path, write


def test_the_checker_finds_a_cycle_even_through_a_function_body(tiny_tree):
    root, write = tiny_tree
    write("actions.a", "from . import b\n")
    write("actions.b", "def later():\n    from actions.c import thing\n")
    write("actions.c", "from .a import x\n")
    write("actions.d", "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from actions import a\n")
    assert cycles_in(graph_of(root, apps=("actions",))) == [["actions.a", "actions.b", "actions.c"]]


def test_the_checker_finds_a_forbidden_edge(tiny_tree):
    root, write = tiny_tree
    write("integrations.llm", "from actions.protocol import X\n")
    write("actions.protocol", "X = 1\n")
    write("audit.services", "import integrations.llm\n")
    write("aiom.urls", "from actions import protocol\n")
    graph = graph_of(root, apps=("aiom", "actions", "integrations", "audit"))
    assert forbidden_edges(graph) == ["audit.services → integrations.llm", "integrations.llm → actions.protocol"]
