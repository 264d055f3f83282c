"""The import graph of app/, read with the standard library's ast (issue 13): the domain knows nothing
of HTTP, jobs or outbound clients, and no module imports, even inside a function, a module that imports
it back (a lazy import that only breaks a cycle at run time is still a cycle)."""

from __future__ import annotations

import ast
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
APP = ROOT / "app"

# What a module under app/domain may not import (the module itself or anything below it).
DOMAIN_FORBIDDEN = (
    "app.jobs",
    "app.api",
    "app.web",
    "app.cli",
    "flask.request",
    "requests",
    "httpx",
    "urllib3",
    "urllib.request",
    "http.client",
    "app.fourplatform.client",
    "app.wechat.adapter",
    "app.wechat.current",
    "wechatpy",
)


def _modules() -> dict[str, Path]:
    found = {}
    for path in APP.rglob("*.py"):
        parts = list(path.relative_to(ROOT).with_suffix("").parts)
        if parts[-1] == "__init__":
            parts.pop()
        found[".".join(parts)] = path
    return found


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """Every module `name` imports, anywhere in its text (functions included). `from a import b` is an
    import of a.b when that is a module, else of a; `from flask import request` counts as flask.request."""
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    out: set[str] = set()
    tree = ast.parse(path.read_text(encoding="utf-8"))
    for block in ast.walk(tree):  # `if TYPE_CHECKING:` imports never run: only the type checker reads them
        if isinstance(block, ast.If) and ast.unparse(block.test) in ("TYPE_CHECKING", "typing.TYPE_CHECKING"):
            block.body = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            out.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join(anchor + ([base] if base else []))
            for alias in node.names:
                full = f"{base}.{alias.name}"
                if full in modules or (not base.startswith("app") and base == "flask" and alias.name == "request"):
                    out.add(full)
                else:
                    out.add(base)
    return out


def _graph() -> dict[str, set[str]]:
    modules = _modules()
    return {name: _imports(name, path, modules) for name, path in modules.items()}


def _within(name: str, prefix: str) -> bool:
    return name == prefix or name.startswith(prefix + ".")


def _loads(graph: dict[str, set[str]], start: str) -> dict[str, str | None]:
    """Every module that importing `start` loads, each with the module that imported it (None for
    `start`): imports of imports, and the packages above each (importing a.b.c runs a.b's __init__).
    The root package `app` (the application factory, which wires everything) is not followed: every
    module has it above itself."""
    came_from: dict[str, str | None] = {start: None}
    todo = [start]
    while todo:
        module = todo.pop()
        for target in sorted(graph.get(module, ())):
            parts = target.split(".")
            for loaded in [".".join(parts[:i]) for i in range(2, len(parts))] + [target]:
                if loaded != "app" and loaded not in came_from:
                    came_from[loaded] = module
                    if loaded in graph:
                        todo.append(loaded)
    return came_from


def _chain(came_from: dict[str, str | None], module: str) -> str:
    links = [module]
    while (before := came_from[links[-1]]) is not None:
        links.append(before)
    return " <- ".join(links)


def test_the_domain_loads_no_jobs_views_requests_or_outbound_clients():
    """Not only what a domain module imports itself: whatever its imports load in turn (the domain
    once imported the app.wechat package for its exception types, which loaded wechatpy)."""
    graph = _graph()
    bad = set()
    for module in graph:
        if not _within(module, "app.domain"):
            continue
        came_from = _loads(graph, module)
        for loaded in came_from:
            if any(_within(loaded, forbidden) for forbidden in DOMAIN_FORBIDDEN):
                bad.add(_chain(came_from, loaded))
    assert sorted(bad) == []


def test_the_load_scan_follows_imports_and_packages():
    graph = {
        "app.domain.a": {"app.tools.b"},
        "app.tools": {"app"},
        "app.tools.b": {"app.wechat.c"},
        "app.wechat": {"app.wechat.adapter"},
        "app.wechat.c": set(),
        "app.wechat.adapter": {"wechatpy"},
    }
    came_from = _loads(graph, "app.domain.a")
    assert "app" not in came_from
    assert (
        _chain(came_from, "wechatpy") == "wechatpy <- app.wechat.adapter <- app.wechat <- app.tools.b <- app.domain.a"
    )


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in graph:
                continue
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_cycle_among_app_modules():
    graph = {name: {t for t in targets if t != name} for name, targets in _graph().items()}
    assert _cycles(graph) == []


def test_the_scan_sees_lazy_imports_and_cycles(tmp_path):
    """The scan itself: an import inside a function is an edge, `from flask import request` is
    flask.request, a type-checking import is none, and a two-module loop is a cycle."""
    module = tmp_path / "m.py"
    module.write_text(
        "from typing import TYPE_CHECKING\nfrom flask import request, current_app\n"
        "if TYPE_CHECKING:\n    from app.api import schemas\n"
        "def later():\n    from app.jobs import deadlines\n    from . import sibling\n",
        encoding="utf-8",
    )
    found = _imports("app.domain.m", module, {"app.jobs", "app.jobs.deadlines", "app.domain.sibling"})
    assert found == {"typing", "flask.request", "flask", "app.jobs.deadlines", "app.domain.sibling"}
    assert _cycles({"a": {"b"}, "b": {"a"}, "c": {"a"}}) == [["a", "b"]]


def test_the_domain_never_commits():
    """The unit of work is the caller's (the endpoint wrapper, a job, a sweep, a command): a domain
    function commits nothing (a savepoint it opened itself it may release)."""
    commits = []
    for name, path in _modules().items():
        if not _within(name, "app.domain"):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "commit"
                and "session" in ast.unparse(node.func.value)
            ):
                commits.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert commits == []


def test_importing_the_domain_registers_nothing():
    """Rules, placements and subscribers are told to the domain by the app factory (_wire_domain), in
    one place: a bare call at a domain module's top level (e.g. authz.register_…, events.subscribe)
    would be a registration made by whoever imports it first."""
    calls = []
    for name, path in _modules().items():
        if _within(name, "app.domain"):
            for node in ast.parse(path.read_text(encoding="utf-8")).body:
                if isinstance(node, ast.Expr) and isinstance(node.value, ast.Call):
                    calls.append(f"{name}:{node.lineno} {ast.unparse(node)}")
    assert calls == []
