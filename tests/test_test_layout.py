"""The tests' own layout, read with `ast` over every module under tests/: a test module never imports
another test module (or a conftest) — what several need is a fixture in tests/fixtures/ (registered in
tests/conftest.py) or a helper in tests/helpers/ or tests/factories.py; and a fixture name means one
thing: defined twice, it must be the same fixture (otherwise a test silently gets whichever is nearer)."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

TESTS = Path(__file__).resolve().parent


def _modules(root: Path) -> dict[str, ast.Module]:
    return {
        str(p.relative_to(root.parent)): ast.parse(p.read_text(encoding="utf-8"), str(p))
        for p in sorted(root.rglob("*.py"))
    }


def _is_test_module(dotted: str) -> bool:
    last = dotted.rsplit(".", 1)[-1]
    return last.startswith("test_") or last == "conftest"


def imports_of_test_modules(root: Path) -> list[str]:
    """Every import, anywhere under root, of a test module or a conftest ("path:line module")."""
    found = []
    for path, tree in _modules(root).items():
        package = Path(path).parent.as_posix().replace("/", ".")
        for node in ast.walk(tree):
            targets: list[str] = []
            if isinstance(node, ast.Import):
                targets = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    parts = package.split(".")
                    base = ".".join(parts[: len(parts) - node.level + 1] + ([base] if base else []))
                targets = [base] + [f"{base}.{alias.name}" for alias in node.names]
            hits = [t for t in targets if t.split(".")[0] == root.name and _is_test_module(t)]
            if hits:
                found.append(f"{path}:{node.lineno} {hits[0]}")
    return found


def _fixture_name(node: ast.FunctionDef | ast.AsyncFunctionDef) -> str | None:
    for decorator in node.decorator_list:
        call = decorator if isinstance(decorator, ast.Call) else None
        target = call.func if call else decorator
        if ast.unparse(target) in ("pytest.fixture", "fixture"):
            for keyword in call.keywords if call else []:
                if keyword.arg == "name" and isinstance(keyword.value, ast.Constant):
                    return str(keyword.value.value)
            return node.name
    return None


def fixtures_with_two_meanings(root: Path) -> dict[str, list[str]]:
    """Fixture names defined more than once with different bodies: {name: ["path:line", ...]}."""
    bodies: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    for path, tree in _modules(root).items():
        for node in ast.walk(tree):
            if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef) and (name := _fixture_name(node)):
                bodies[name][ast.dump(node, include_attributes=False)].append(f"{path}:{node.lineno}")
    return {
        name: [where for places in variants.values() for where in places]
        for name, variants in bodies.items()
        if len(variants) > 1
    }


def test_no_test_module_imports_another():
    assert imports_of_test_modules(TESTS) == []


def test_each_fixture_name_has_one_meaning():
    assert fixtures_with_two_meanings(TESTS) == {}


def test_the_checks_see_what_they_forbid(tmp_path):
    """The two checks on a small tree that breaks both rules the ways this suite used to."""
    tree = tmp_path / "tests"
    (tree / "api").mkdir(parents=True)
    (tree / "__init__.py").write_text("")
    (tree / "api" / "__init__.py").write_text("")
    (tree / "api" / "test_a.py").write_text(
        "import pytest\n\n@pytest.fixture\ndef world(app):\n    return {'village': 1}\n\n"
        "def _file(client):\n    return client\n"
    )
    (tree / "api" / "test_b.py").write_text(
        "from tests.api.test_a import _file, world\nfrom . import test_a\nfrom .test_a import world as w2\n"
        "from tests.conftest import _config\n"
    )
    (tree / "api" / "test_c.py").write_text(
        "import pytest\n\n@pytest.fixture()\ndef world(app, client):\n    return {'township': 2}\n\n"
        "@pytest.fixture(name='village')\ndef _village_fixture():\n    return 1\n"
    )
    (tree / "api" / "test_d.py").write_text(
        "import pytest\n\n@pytest.fixture(name='village')\ndef _village_fixture():\n    return 2\n"
    )
    assert imports_of_test_modules(tree) == [
        "tests/api/test_b.py:1 tests.api.test_a",
        "tests/api/test_b.py:2 tests.api.test_a",
        "tests/api/test_b.py:3 tests.api.test_a",
        "tests/api/test_b.py:4 tests.conftest",
    ]
    assert fixtures_with_two_meanings(tree) == {
        "world": ["tests/api/test_a.py:4", "tests/api/test_c.py:4"],
        "village": ["tests/api/test_c.py:8", "tests/api/test_d.py:4"],
    }
