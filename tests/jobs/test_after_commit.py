"""Jobs that read rows are enqueued only once those rows are committed: the domain records intents
(app.transaction.intend), app.jobs.intents enqueues them after the commit."""

from __future__ import annotations

import ast
from pathlib import Path

from app import transaction
from app.extensions import db
from app.jobs import queue
from app.jobs.registry import JOBS
from tests import factories as f


def test_enqueued_only_after_commit_and_dropped_on_rollback(app):
    q = queue()
    f.wx_user()
    transaction.intend(db.session(), "sessions.purge_stale", job_id="kept")
    assert q.count == 0  # not yet: the transaction is open
    db.session.commit()
    assert q.job_ids == ["kept"]

    f.wx_user()
    transaction.intend(db.session(), "sessions.purge_stale", job_id="dropped")
    db.session.rollback()
    db.session.commit()  # a later commit does not resurrect it
    assert q.job_ids == ["kept"]


def test_every_intended_job_is_in_the_registry():
    """Every job name the code intends (a literal, or a module constant) maps to a job function."""
    root = Path(__file__).resolve().parents[2] / "app"
    named = set()
    for path in root.rglob("*.py"):
        tree = ast.parse(path.read_text(encoding="utf-8"))
        constants = {
            t.id: n.value.value
            for n in ast.walk(tree)
            if isinstance(n, ast.Assign) and isinstance(n.value, ast.Constant) and isinstance(n.value.value, str)
            for t in n.targets
            if isinstance(t, ast.Name)
        }
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", None)) == "intend":
                job = node.args[1]
                named.add(job.value if isinstance(job, ast.Constant) else constants[job.id])
    assert len(named) >= 5, named
    assert named <= set(JOBS), named - set(JOBS)
    assert all(callable(fn) for fn in JOBS.values())
