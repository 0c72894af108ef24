"""The sandbox stays out of AIOM: only its own management command imports it, and it imports
nothing of AIOM's, so production never runs the imitation and the imitation never depends on
what it is used to test. Read with the import-graph checker of tests/test_import_graph.py."""

from tests.test_import_graph import ROOT, graph_of

SANDBOX = "integrations.odoo.sandbox"
MAY_IMPORT_IT = (SANDBOX, "integrations.management.commands.odoo_sandbox")


def test_only_the_sandbox_command_imports_the_sandbox():
    graph = graph_of(ROOT)
    importers = sorted(source for source, targets in graph.items()
                       if not source.startswith(MAY_IMPORT_IT) and any(target.startswith(SANDBOX) for target in targets))
    assert importers == []
    assert f"{SANDBOX}.server" in graph["integrations.management.commands.odoo_sandbox"]  # the checker sees imports


def test_the_sandbox_imports_only_itself():
    graph = graph_of(ROOT)
    modules = [name for name in graph if name.startswith(SANDBOX)]
    assert f"{SANDBOX}.web" in modules and f"{SANDBOX}.calls" in modules
    outside = sorted(f"{name} → {target}" for name in modules for target in graph[name] if not target.startswith(SANDBOX))
    assert outside == []
