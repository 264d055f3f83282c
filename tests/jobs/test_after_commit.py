"""Jobs that read rows are enqueued only once those rows are committed: the domain records intents
(app.transaction.intend), app.jobs.intents enqueues them after the commit."""

from __future__ import annotations

import ast
from pathlib import Path

from app import transaction
from app.extensions import db
from app.jobs import queue, queue_for
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


def test_a_savepoint_released_midway_enqueues_nothing(app):
    """SQLAlchemy calls after_commit when a savepoint is released too (begin_nested: a reach view, a
    batch of escalations): the transaction's jobs still wait for its real commit."""
    q = queue()
    ran = []
    f.wx_user()
    transaction.intend(db.session(), "sessions.purge_stale", job_id="after-the-savepoint")
    transaction.after_commit(db.session(), lambda: ran.append("after"))
    with db.session.begin_nested():
        f.wx_user()
    assert q.count == 0 and ran == []
    db.session.rollback()  # and a rollback afterwards drops them
    db.session.commit()
    assert q.count == 0 and ran == []

    transaction.intend(db.session(), "sessions.purge_stale", job_id="kept")
    with db.session.begin_nested():
        f.wx_user()
    db.session.commit()
    assert q.job_ids == ["kept"]


def test_jobs_now_and_later_go_in_one_pipeline(app, caplog):
    from datetime import UTC, datetime, timedelta

    from rq.registry import ScheduledJobRegistry

    q = queue()
    later = datetime.now(UTC) + timedelta(hours=1)
    transaction.intend(db.session(), "sessions.purge_stale", job_id="later", at=later)
    transaction.intend(db.session(), "sessions.purge_stale", job_id="now")
    f.wx_user()
    db.session.commit()
    assert q.job_ids == ["now"] and ScheduledJobRegistry(queue=q).get_job_ids() == ["later"]
    assert "one by one" not in caplog.text


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


def test_a_scheduled_job_is_never_released_before_its_time(app):
    """RQ keeps scheduled times in whole seconds, truncated: a deadline check for 09:00:00.6 would be
    released at 09:00:00, find nothing due yet, and leave the case to the minute sweep (seen as a
    51 s lag in scripts/bench/sweep). Every scheduled intent is released at or after its instant."""
    from datetime import UTC, datetime

    from rq.registry import ScheduledJobRegistry

    from app.jobs.deadlines import check_complaint
    from app.jobs.intents import not_before

    due = datetime(2026, 3, 2, 1, 0, 0, 600_000, tzinfo=UTC)
    assert not_before(due) == datetime(2026, 3, 2, 1, 0, 1, tzinfo=UTC)
    assert not_before(due.replace(microsecond=0)) == due.replace(microsecond=0)  # already whole
    assert not_before(due.replace(tzinfo=None)) == datetime(2026, 3, 2, 1, 0, 1, tzinfo=UTC)  # naive is UTC

    f.wx_user()
    transaction.intend(db.session(), "deadlines.check_complaint", 1, job_id="complaint-1-v1", at=due)
    db.session.commit()
    scheduled = ScheduledJobRegistry(queue=queue_for(check_complaint))
    released = scheduled.get_scheduled_time("complaint-1-v1")
    assert released >= due and (released - due).total_seconds() < 1
