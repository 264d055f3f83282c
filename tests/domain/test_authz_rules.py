"""Authorization rules are registered explicitly, once, by the app factory (issue 13 item 4), and every
action the code asks about has a rule or a PERMISSIONS entry: an action nobody declared would fail
only when someone first asks it."""

from __future__ import annotations

import ast
import re
from pathlib import Path

from app.domain import authz
from app.domain.complaints import access

APP = Path(__file__).resolve().parents[2] / "app"
ACTION = re.compile(r"^[a-z_]+\.[a-z_]+$")


def _actions_asked() -> set[str]:
    """String literals passed to authz's functions, and to every function of app/ that takes an
    `action` and passes it on (cases._reroutable…), anywhere in app/."""
    trees = [ast.parse(path.read_text(encoding="utf-8")) for path in APP.rglob("*.py")]
    askers = {
        node.name
        for tree in trees
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and any(a.arg == "action" for a in node.args.args)
    }
    assert {"require", "can", "get_or_404", "scoped", "count", "count_by", "roles_with"} <= askers
    found = set()
    for tree in trees:
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) in askers:
                found.update(
                    arg.value
                    for arg in (*node.args, *(k.value for k in node.keywords))
                    if isinstance(arg, ast.Constant) and isinstance(arg.value, str) and ACTION.match(arg.value)
                )
    return found


def test_every_action_used_has_a_rule_or_a_permission(app):
    asked = _actions_asked()
    assert len(asked) >= 15, sorted(asked)
    assert asked <= set(authz.PERMISSIONS) | set(authz._RULES), sorted(
        asked - set(authz.PERMISSIONS) - set(authz._RULES)
    )


def test_the_complaint_rules_are_registered_by_the_factory_not_by_an_import(app):
    assert set(access.RULES) <= set(authz._RULES)
    assert not set(access.RULES) & set(authz.PERMISSIONS)  # one meaning per action
    before = dict(authz._RULES)
    access.register_rules()  # again: the same rules, nothing added
    assert before == authz._RULES
    source = (APP / "domain" / "complaints" / "access.py").read_text(encoding="utf-8")
    module_level_calls = [n for n in ast.parse(source).body if isinstance(n, (ast.Expr, ast.For))]
    assert module_level_calls == [] or all(
        isinstance(n, ast.Expr) and isinstance(n.value, ast.Constant) for n in module_level_calls
    )  # the docstring only
