"""Deadline enforcement under faults, with real worker processes (`flask --app wsgi worker`), real
Redis and PostgreSQL: Redis flushed (every scheduled job lost), a worker SIGKILLed in the middle of an
escalation, workers and sweeps racing, the database unreachable for a moment.

PostgreSQL only: worker processes share the database with the test, and the SIGKILL test holds a
table lock to catch the worker mid-escalation — neither is something SQLite does."""

from __future__ import annotations

import os
import select as selectmodule
import socket
import threading
import time

import psycopg
import pytest
from sqlalchemy import make_url, select

from app.extensions import db
from app.jobs import queue
from app.jobs.deadlines import check_complaint
from app.jobs.sweep import sweep
from app.models import Complaint, ComplaintEvent, Notification
from tests.helpers.jobs import escalation_counts
from tests.processes import kill_tree as _kill_tree
from tests.processes import wait as _wait
from tests.processes import worker
from tests.processes import worker_env as _worker_env

pytestmark = pytest.mark.skipif(
    not os.environ.get("TEST_DATABASE_URL"),
    reason="needs PostgreSQL shared with worker processes (scripts/test runs it)",
)


def _pg_conninfo(url: str) -> dict:
    u = make_url(url)
    return {"host": u.host or "127.0.0.1", "port": u.port or 5432, "dbname": u.database, "user": u.username}


def test_flushed_redis_every_overdue_case_still_escalates_within_two_sweeps(
    app, due_cases, wechat_sandbox, migrated_database
):
    ids = due_cases(6)
    queue().connection.flushdb()  # every scheduled per-case job is gone
    interval = 2
    env = _worker_env(migrated_database, wechat_sandbox.url, SWEEP_INTERVAL_SECONDS=interval)
    with worker(env):
        started = time.monotonic()
        done = _wait(lambda: len(escalation_counts(ids)) == len(ids), timeout=30)
        took = time.monotonic() - started
    assert done, f"escalated {len(escalation_counts(ids))} of {len(ids)}"
    assert set(escalation_counts(ids).values()) == {1}
    # within two sweep intervals of the worker being up (it takes a few seconds to start here)
    assert took <= 2 * interval + 8, took


def test_sigkill_in_the_middle_of_an_escalation_leaves_exactly_one(app, due_cases, wechat_sandbox, migrated_database):
    [cid] = due_cases(1)
    queue().connection.flushdb()
    queue().enqueue(check_complaint, cid)
    conninfo = _pg_conninfo(migrated_database)
    with psycopg.connect(**conninfo) as blocker:
        # The worker's escalation will update the case, then wait here to write its event.
        blocker.execute("LOCK TABLE complaint_event IN SHARE ROW EXCLUSIVE MODE")
        env = _worker_env(migrated_database, wechat_sandbox.url)
        with worker(env, "--burst", "--no-cron") as proc, psycopg.connect(**conninfo, autocommit=True) as watch:
            waiting = _wait(
                lambda: watch.execute(
                    "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND query ILIKE "
                    "'INSERT INTO complaint_event%%'"
                ).fetchone()[0],
                timeout=30,
            )
            assert waiting, "the worker never reached the escalation"
            _kill_tree(proc.pid)  # mid-escalation: the case row updated, not committed
        blocker.rollback()
    assert escalation_counts([cid]) == {}  # nothing half-written
    _wait(
        lambda: (
            psycopg.connect(**conninfo, autocommit=True)
            .execute("SELECT count(*) = 0 FROM pg_stat_activity WHERE wait_event_type = 'Lock'")
            .fetchone()[0]
        ),
        timeout=10,
    )
    sweep()
    sweep()
    assert escalation_counts([cid]) == {cid: 1}
    assert db.session.get(Complaint, cid).escalation_level == 1
    # ... and one notification: the villager is told once, by a real worker
    owed = db.session.scalars(
        select(Notification)
        .join(ComplaintEvent, ComplaintEvent.id == Notification.event_id)
        .where(ComplaintEvent.complaint_id == cid, ComplaintEvent.kind == "escalated")
    ).all()
    assert [(n.template_key, n.state) for n in owed] == [("case_progress", "pending")]
    with worker(_worker_env(migrated_database, wechat_sandbox.url), "--burst", "--no-cron") as proc:
        proc.wait(60)
    told = [m for m in wechat_sandbox.messages() if m.get("template_id") == "sbx-tmpl-case_progress"]
    assert len(told) == 1


def test_two_workers_and_two_sweeps_racing_escalate_each_case_once(app, due_cases, wechat_sandbox, migrated_database):
    ids = due_cases(40)
    q = queue()
    q.connection.flushdb()
    for cid in ids:  # duplicate jobs on purpose, as RQ may run a job twice
        q.enqueue(check_complaint, cid)
        q.enqueue(check_complaint, cid)
    env = _worker_env(migrated_database, wechat_sandbox.url)
    errors = []

    def sweep_in_thread():
        try:
            with app.app_context():
                sweep()
        except Exception as exc:  # noqa: BLE001 - reported below
            errors.append(exc)

    with worker(env, "--burst", "--no-cron") as one, worker(env, "--burst", "--no-cron") as two:
        threads = [threading.Thread(target=sweep_in_thread) for _ in range(2)]
        for t in threads:
            t.start()
        for t in threads:
            t.join(60)
        one.wait(60)
        two.wait(60)
    assert not errors
    assert escalation_counts(ids) == dict.fromkeys(ids, 1)
    levels = set(db.session.scalars(select(Complaint.escalation_level).where(Complaint.id.in_(ids))))
    assert levels == {1}


class _Proxy:
    """A TCP proxy to PostgreSQL that can be taken down and up: the database "briefly unreachable"
    for the worker without touching the server everyone else uses."""

    def __init__(self, target: tuple[str, int]):
        self.target = target
        self.listener = socket.socket()
        self.listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self.listener.bind(("127.0.0.1", 0))
        self.listener.listen(64)
        self.port = self.listener.getsockname()[1]
        self.up = False
        self.links: list[socket.socket] = []
        threading.Thread(target=self._accept, daemon=True).start()

    def _accept(self):
        while True:
            try:
                client, _ = self.listener.accept()
            except OSError:
                return
            if not self.up:
                client.close()  # refused, as a down database is
                continue
            server = socket.create_connection(self.target)
            self.links += [client, server]
            threading.Thread(target=self._pipe, args=(client, server), daemon=True).start()

    @staticmethod
    def _pipe(a: socket.socket, b: socket.socket):
        try:
            while True:
                ready, _, _ = selectmodule.select([a, b], [], [], 1)
                for s in ready:
                    data = s.recv(65536)
                    if not data:
                        return
                    (b if s is a else a).sendall(data)
        except OSError:
            return
        finally:
            a.close()
            b.close()

    def close(self):
        self.listener.close()
        for s in self.links:
            s.close()


def test_database_briefly_unreachable_the_job_retries_and_nothing_is_lost(
    app, due_cases, wechat_sandbox, migrated_database
):
    [cid] = due_cases(1)
    queue().connection.flushdb()
    from app.jobs.deadlines import RETRY

    queue().enqueue(check_complaint, cid, retry=RETRY)
    u = make_url(migrated_database)
    proxy = _Proxy((u.host or "127.0.0.1", u.port or 5432))
    try:
        env = _worker_env(
            u.set(host="127.0.0.1", port=proxy.port).render_as_string(hide_password=False), wechat_sandbox.url
        )
        with worker(env, "--no-cron") as proc:
            # down: the first run fails and is scheduled again
            failed = _wait(lambda: queue().connection.zcard(f"rq:scheduled:{queue().name}") > 0, timeout=30)
            assert failed, proc.stderr.read1().decode() if proc.poll() is not None else "no retry scheduled"
            assert escalation_counts([cid]) == {}
            proxy.up = True
            assert _wait(lambda: escalation_counts([cid]) == {cid: 1}, timeout=30)
    finally:
        proxy.close()
    assert db.session.get(Complaint, cid).escalation_level == 1
