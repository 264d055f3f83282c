"""RQ jobs: plain functions taking ids, each safe to run twice (the second run changes nothing).

Jobs run inside an application context: the worker command pushes one, and `in_app_context`
builds one in processes that have none (e.g. a bare `rq worker`).

Two queues: deadline work (`@deadline_work`: the per-case checks and the deadline sweep) goes to a
queue of its own, which every worker serves first and one worker serves alone, so an escalation
never waits behind bulk work (sticker sheets, notifications, deliveries) on the other.
"""

from __future__ import annotations

import logging

from flask import current_app
from rq import Queue, Retry
from rq.exceptions import NoSuchJobError
from rq.job import Job, JobStatus

from app.extensions import get_redis
from app.process import in_app_context  # noqa: F401  (the jobs' decorator)

logger = logging.getLogger(__name__)

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


def job_options(*, retry: Retry | None = None, timeout: int | None = None):
    """A job function's own RQ options, used wherever it is enqueued: `retry` a failed run (the
    database briefly unreachable), `timeout` in seconds for long work (RQ's default is 180)."""

    def mark(fn):
        fn.rq_retry, fn.rq_timeout = retry, timeout
        return fn

    return mark


def queue_for(func) -> Queue:
    """The queue `func`'s jobs go to."""
    return queue(getattr(func, "rq_queue_kind", BULK))


def enqueue_options(func) -> dict:
    return {"retry": getattr(func, "rq_retry", None), "job_timeout": getattr(func, "rq_timeout", None)}


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
    if status != JobStatus.STARTED or not job.worker_name:
        return False
    return liveness.alive_one(connection, liveness.WORKER, job.worker_name)


def enqueue_unless_pending(func, *args, job_id: str) -> bool:
    """Enqueue `func(*args)` now as job `job_id`, unless that job is already on its way (see
    `job_pending`). Returns whether it was enqueued. The sweeps' way back from a database truth."""
    q = queue_for(func)
    if job_pending(job_id, q.connection):
        return False
    q.enqueue(func, *args, job_id=job_id, **enqueue_options(func))
    return True
