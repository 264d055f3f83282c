"""RQ jobs: plain functions taking ids, each safe to run twice (the second run changes nothing).

Jobs run inside an application context: the worker command pushes one, and `in_app_context`
builds one in processes that have none (e.g. a bare `rq worker`).

Two queues: deadline work (`@deadline_work`: the per-case checks and the deadline sweep) goes to a
queue of its own, which every worker serves first and one worker serves alone, so an escalation
never waits behind bulk work (sticker sheets, notifications, deliveries) on the other.
"""
from __future__ import annotations

import functools
import logging
from datetime import datetime

from flask import current_app, has_app_context
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus
from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import db, get_redis
from app.transaction import after_commit

logger = logging.getLogger(__name__)

_app = None


def _process_app():
    global _app
    if _app is None:
        from app import create_app

        _app = create_app()
    return _app


def in_app_context(fn):
    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        if has_app_context():
            return fn(*args, **kwargs)
        with _process_app().app_context():
            return fn(*args, **kwargs)

    return wrapper


BULK, DEADLINES = "bulk", "deadlines"


def queue_name(kind: str = BULK) -> str:
    """RQ_QUEUE for bulk work; RQ_QUEUE-deadlines for deadline work."""
    base = current_app.config["RQ_QUEUE"]
    return base if kind == BULK else f"{base}-{kind}"


def queue(kind: str = BULK) -> Queue:
    return Queue(queue_name(kind), connection=get_redis())


def worker_queues() -> list[Queue]:
    """The queues a worker serves, in the order it serves them: deadline work first."""
    return [queue(DEADLINES), queue(BULK)]


def deadline_work(fn):
    """Mark a job function as deadline work: it is enqueued on the deadline queue."""
    fn.rq_queue_kind = DEADLINES
    return fn


def queue_for(func) -> Queue:
    """The queue `func`'s jobs go to (a function given by its dotted name is bulk work)."""
    return queue(getattr(func, "rq_queue_kind", BULK))


_WAITING = (JobStatus.QUEUED, JobStatus.SCHEDULED, JobStatus.DEFERRED)


def job_pending(job_id: str, connection=None) -> bool:
    """Whether RQ still holds job `job_id` to run: queued, scheduled, deferred, or started by a worker
    that is alive. A sweep enqueues a job again only when this is False, so a backlog does not make
    it add the same job every minute, and a job lost with Redis or with a dead worker is replaced."""
    from app.jobs import liveness

    connection = connection or get_redis()
    try:
        job = Job.fetch(job_id, connection=connection)
    except NoSuchJobError:
        return False
    status = job.get_status(refresh=False)
    if status in _WAITING:
        return True
    return status == JobStatus.STARTED and bool(job.worker_name) and liveness.alive_one(
        connection, liveness.WORKER, job.worker_name)


def enqueue_unless_pending(func, *args, job_id: str, retry: Retry | None = None) -> bool:
    """Enqueue `func(*args)` now as job `job_id`, unless that job is already on its way (see
    `job_pending`). Returns whether it was enqueued."""
    q = queue_for(func)
    if job_pending(job_id, q.connection):
        return False
    q.enqueue(func, *args, job_id=job_id, retry=retry)
    return True


def enqueue_after_commit(func, *args, job_id: str | None = None, at: datetime | None = None,
                         retry: Retry | None = None) -> None:
    """Enqueue `func(*args)` once the current transaction commits, never before: the job reads rows
    this transaction writes. `at` (aware UTC) schedules it instead; `retry` retries a failed run
    (the database briefly unreachable). All the jobs of one transaction go to Redis in one pipeline.
    A failure to enqueue (Redis down) is logged and lost on purpose: the database row is the source
    of truth and the periodic sweep finds whatever a job should have done."""
    session = db.session()
    pending = session.info.get(_PENDING)
    if pending is None:
        pending = session.info[_PENDING] = []
        connection = get_redis()  # bound now, while the app context is certainly here
        after_commit(session, lambda: _enqueue_all(connection, session.info.pop(_PENDING, pending)))
    pending.append((queue_for(func), func, args, job_id, at, retry))


_PENDING = "mingjing.jobs_after_commit"


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _enqueue_all(connection, pending: list) -> None:
    """One pipeline for the lot; if it fails, each job on its own, so one bad job loses no other."""
    try:
        with connection.pipeline() as pipe:
            for q, func, args, job_id, at, retry in pending:
                _enqueue(q, func, args, job_id, at, retry, pipe)
            pipe.execute()
        return
    except Exception:  # noqa: BLE001 - retried one by one below
        logger.warning("enqueueing %d jobs in one pipeline failed; trying one by one", len(pending), exc_info=True)
    for q, func, args, job_id, at, retry in pending:
        try:
            _enqueue(q, func, args, job_id, at, retry, None)
        except Exception:  # noqa: BLE001 - the sweep finds what this job would have done
            logger.exception("could not enqueue %s %s", getattr(func, "__name__", func), job_id)


def _enqueue(q: Queue, func, args, job_id, at, retry, pipe) -> None:
    if at is None:
        q.enqueue(func, *args, job_id=job_id, retry=retry, pipeline=pipe)
    else:
        q.enqueue_at(at, func, *args, job_id=job_id, retry=retry, pipeline=pipe)
