"""The import contract (issue 15): ``core`` imports no domain app, and the domain apps
depend on each other without a cycle — or the edge that closes one is listed below with
its reason. Every import counts, at module level or inside a function: an import inside a
function is still a dependency, only a later one.

Read statically (``ast``), so it costs no import and fails on the line that breaks it."""

from __future__ import annotations

import ast
import pathlib
from collections import defaultdict

ROOT = pathlib.Path(__file__).resolve().parents[2]  # the zhaoshang package
# Packages that are not apps: test support, translations, templates, static files.
NOT_APPS = {"testing", "locale", "templates", "static"}

# Edges (importer, imported) that close a cycle, each with the reason it stays. The
# contract fails when one disappears (delete it here) or a new cycle appears.
CYCLE_EXCEPTIONS: dict[tuple[str, str], str] = {
    ("enterprises", "projects"): (
        "the enterprise's page lists its projects; projects hang off enterprises, so the "
        "page is the one place the lower app reads the higher one"
    ),
    ("enterprises", "complaints"): (
        "the enterprise's page shows the complaints it lodged, so a cadre sees on one page "
        "how the district has treated the enterprise"
    ),
    ("enterprises", "inspections"): (
        "the enterprise's page shows the inspection visits it received (禁止乱检查), beside "
        "its complaints"
    ),
    ("service", "meetings"): (
        "a leader's instruction on a receipt (批示) becomes a supervised action item (督办) "
        "through the meetings service, while meetings puts the problem list on its agendas"
    ),
}


def apps() -> list[str]:
    return sorted(
        p.name
        for p in ROOT.iterdir()
        if p.is_dir() and (p / "__init__.py").exists() and p.name not in NOT_APPS
    )


def _imported_modules(tree: ast.AST):
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module == "zhaoshang":
                yield from (f"zhaoshang.{a.name}" for a in node.names)
            else:
                yield node.module
        elif isinstance(node, ast.Import):
            yield from (a.name for a in node.names)


def dependencies() -> dict[str, dict[str, list[str]]]:
    """{app: {imported app: [files that import it]}} over the apps' code (not their tests
    or migrations)."""
    names = set(apps())
    graph: dict[str, dict[str, list[str]]] = {app: defaultdict(list) for app in names}
    for app in names:
        for path in (ROOT / app).rglob("*.py"):
            parts = path.relative_to(ROOT / app).parts
            if "tests" in parts or "migrations" in parts:
                continue
            for module in _imported_modules(ast.parse(path.read_text(encoding="utf-8"))):
                bits = module.split(".")
                if bits[0] == "zhaoshang" and len(bits) > 1 and bits[1] in names - {app}:
                    graph[app][bits[1]].append(str(path.relative_to(ROOT)))
    return graph


def _cycle(graph: dict[str, set[str]]) -> list[str] | None:
    """One cycle of ``graph`` as a list of apps, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node):
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


def test_core_imports_no_domain_app():
    imported = dependencies()["core"]
    assert not imported, "core imports domain apps: " + "; ".join(
        f"{app} (in {', '.join(sorted(set(files)))})" for app, files in sorted(imported.items())
    )


def test_apps_form_no_cycle_beyond_the_listed_exceptions():
    graph = {app: set(deps) for app, deps in dependencies().items()}
    for importer, imported in CYCLE_EXCEPTIONS:
        graph[importer].discard(imported)
    cycle = _cycle(graph)
    assert cycle is None, "import cycle: " + " -> ".join(cycle)


def test_every_listed_exception_is_still_needed():
    graph = dependencies()
    stale = [edge for edge in CYCLE_EXCEPTIONS if edge[1] not in graph[edge[0]]]
    assert not stale, f"no longer imported, delete from CYCLE_EXCEPTIONS: {stale}"
    for edge, reason in CYCLE_EXCEPTIONS.items():
        assert len(reason) > 20, f"{edge} needs its reason"


# A module is read in one sitting: none over about 600 lines (migrations aside). A family
# of services, views or tests that grows past it becomes a package of its own files.
MAX_MODULE_LINES = 650
# Modules allowed over the cap while they are shrunk, each with its present length (it may
# only shrink; delete its line once it is under the cap). None at present.
STILL_LONG: dict[str, int] = {}


def test_no_module_is_longer_than_a_sitting():
    long = {
        str(path.relative_to(ROOT)): n
        for path in ROOT.rglob("*.py")
        if "migrations" not in path.parts
        and (n := len(path.read_text(encoding="utf-8").splitlines())) > MAX_MODULE_LINES
    }
    grown = {p: n for p, n in long.items() if n > STILL_LONG.get(p, MAX_MODULE_LINES)}
    assert not grown, f"modules over {MAX_MODULE_LINES} lines (or grown): {grown}"
    shrunk = [p for p in STILL_LONG if p not in long]
    assert not shrunk, f"under the cap now, delete from STILL_LONG: {shrunk}"


def test_the_contract_sees_imports_inside_functions(tmp_path):
    tree = ast.parse("def f():\n    from zhaoshang.projects.models import Project\n")
    assert list(_imported_modules(tree)) == ["zhaoshang.projects.models"]
