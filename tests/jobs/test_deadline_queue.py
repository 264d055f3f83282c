"""Deadline work never waits behind bulk work: with hundreds of bulk jobs queued, a due escalation runs
first — through the per-case check the scheduler moves in, and through the minute sweep — with real
worker processes (`flask --app wsgi worker`), Redis and PostgreSQL."""

from __future__ import annotations

import importlib
import os
import pkgutil
import time

import pytest

import app.jobs as app_jobs
from app.jobs import BULK, DEADLINES, queue, queue_for, worker_queues
from app.jobs.deadlines import check_complaint
from app.jobs.notifications import send_notification
from app.jobs.periodic import PERIODIC
from tests.helpers.jobs import escalation_counts
from tests.processes import wait, worker, worker_env

needs_pg = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL shared with worker processes (scripts/test runs it)",
)

BACKLOG = 600


def _backlog() -> None:
    """Bulk work queued ahead: notifications to send (rows long gone, so each finds nothing to do)."""
    q = queue_for(send_notification)
    with q.connection.pipeline() as pipe:
        for n in range(BACKLOG):
            q.enqueue(send_notification, 10**7 + n, 1, pipeline=pipe)
        pipe.execute()
    assert q.count == BACKLOG


def test_deadline_work_has_a_queue_of_its_own(app):
    """Every job function (each runs in an app context) and every periodic job: the deadline ones on
    the deadline queue, the rest on the bulk queue; a worker serves the deadline queue first."""
    jobs = {}
    for module in pkgutil.iter_modules(app_jobs.__path__):
        loaded = importlib.import_module(f"app.jobs.{module.name}")
        jobs.update(
            {
                f"{loaded.__name__}.{name}": fn
                for name, fn in vars(loaded).items()
                if callable(fn) and getattr(fn, "__wrapped__", None) and fn.__module__ == loaded.__name__
            }
        )
    jobs.update({f"{fn.__module__}.{fn.__name__}": fn for fn, _ in PERIODIC})
    assert len(jobs) >= 8, sorted(jobs)
    on_deadline_queue = {name for name, fn in jobs.items() if queue_for(fn).name == queue(DEADLINES).name}
    assert on_deadline_queue == {"app.jobs.deadlines.check_complaint", "app.jobs.sweep.sweep_deadlines"}
    assert {queue_for(fn).name for name, fn in jobs.items() if name not in on_deadline_queue} == {queue(BULK).name}
    assert queue(DEADLINES).name != queue(BULK).name
    assert [q.name for q in worker_queues()] == [queue(DEADLINES).name, queue(BULK).name]


@needs_pg
def test_a_due_case_check_runs_before_a_backlog_of_bulk_work(app, due_cases, wechat_sandbox, migrated_database):
    [cid] = due_cases(1)  # its check is scheduled (at its due time, long past), in Redis only
    _backlog()
    with worker(worker_env(migrated_database, wechat_sandbox.url), "--no-cron"):
        assert wait(lambda: escalation_counts([cid]) == {cid: 1}, timeout=60)
        left = queue(BULK).count
    assert left >= BACKLOG // 2, f"escalated only after {BACKLOG - left} bulk jobs"


@needs_pg
def test_the_sweep_escalates_before_a_backlog_of_bulk_work(app, due_cases, wechat_sandbox, migrated_database):
    [cid] = due_cases(1)
    queue().connection.flushdb()  # its check is lost: only the sweep can find it
    _backlog()
    with worker(worker_env(migrated_database, wechat_sandbox.url, SWEEP_INTERVAL_SECONDS=2)):
        assert wait(lambda: escalation_counts([cid]) == {cid: 1}, timeout=60)
        left = queue(BULK).count
        time.sleep(6)  # three more sweeps of the bulk part are due meanwhile, all stuck behind the backlog
        waiting = [job for job in queue(BULK).get_jobs() if job.func_name == "app.jobs.sweep.sweep_others"]
    assert left >= BACKLOG // 2, f"escalated only after {BACKLOG - left} bulk jobs"
    assert len(waiting) <= 2, "a sweep still waiting when the next is due is dropped, not piled up"


@needs_pg
def test_one_worker_serves_deadline_work_first(app, due_cases, wechat_sandbox, migrated_database):
    """A single worker process (here in burst mode, with no worker of deadline work alone) takes the
    deadline queue before the bulk one."""
    [cid] = due_cases(1)
    queue().connection.flushdb()
    _backlog()
    queue_for(check_complaint).enqueue(check_complaint, cid)  # queued after the backlog
    with worker(worker_env(migrated_database, wechat_sandbox.url), "--burst", "--no-cron"):
        assert wait(lambda: escalation_counts([cid]) == {cid: 1}, timeout=60)
        left = queue(BULK).count
    assert left >= BACKLOG - 20, f"escalated only after {BACKLOG - left} bulk jobs"
