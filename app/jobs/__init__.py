"""RQ jobs: plain functions taking ids, each safe to run twice (the second run changes nothing).

Jobs run inside an application context: the worker command pushes one, and `in_app_context`
builds one in processes that have none (e.g. a bare `rq worker`).
"""
from __future__ import annotations

import functools
import logging
from datetime import datetime

from flask import current_app, has_app_context
from rq import Queue, Retry
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


def queue() -> Queue:
    return Queue(current_app.config["RQ_QUEUE"], connection=get_redis())


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
        q = queue()  # bound now, while the app context is certainly here
        after_commit(session, lambda: _enqueue_all(q, session.info.pop(_PENDING, pending)))
    pending.append((func, args, job_id, at, retry))


_PENDING = "mingjing.jobs_after_commit"


@event.listens_for(Session, "after_soft_rollback")
def _drop_pending(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:
        session.info.pop(_PENDING, None)


def _enqueue_all(q: Queue, pending: list) -> None:
    """One pipeline for the lot; if it fails, each job on its own, so one bad job loses no other."""
    try:
        with q.connection.pipeline() as pipe:
            for func, args, job_id, at, retry in pending:
                _enqueue(q, func, args, job_id, at, retry, pipe)
            pipe.execute()
        return
    except Exception:  # noqa: BLE001 - retried one by one below
        logger.warning("enqueueing %d jobs in one pipeline failed; trying one by one", len(pending), exc_info=True)
    for func, args, job_id, at, retry in pending:
        try:
            _enqueue(q, func, args, job_id, at, retry, None)
        except Exception:  # noqa: BLE001 - the sweep finds what this job would have done
            logger.exception("could not enqueue %s %s", getattr(func, "__name__", func), job_id)


def _enqueue(q: Queue, func, args, job_id, at, retry, pipe) -> None:
    if at is None:
        q.enqueue(func, *args, job_id=job_id, retry=retry, pipeline=pipe)
    else:
        q.enqueue_at(at, func, *args, job_id=job_id, retry=retry, pipeline=pipe)
