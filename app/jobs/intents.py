"""Intents become RQ jobs once their transaction commits (never before: a job reads the rows the
transaction wrote). The domain records them (app.transaction.intend, a job name from
app.jobs.registry); this module, installed by the app factory, enqueues them.

All the jobs of one transaction go to Redis in one pipeline; if that fails, each on its own, so one
bad job loses no other. A failure to enqueue (Redis down) is logged and lost on purpose: the database
row is the source of truth and a periodic sweep finds whatever a job should have done.
"""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

from sqlalchemy import event
from sqlalchemy.orm import Session

from app.extensions import get_redis
from app.jobs import enqueue_options, queue_for
from app.jobs.registry import JOBS
from app.transaction import Intent, take_intents

logger = logging.getLogger(__name__)


def install() -> None:
    """Called by create_app: from now on every commit enqueues its intents (installed once)."""
    if not event.contains(Session, "after_commit", _after_commit):
        event.listen(Session, "after_commit", _after_commit)


def _after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (SQLAlchemy calls this then too): the transaction goes on
    intents = take_intents(session)
    if not intents:
        return
    try:
        enqueue_all(get_redis(), intents)
    except Exception:
        logger.exception("could not enqueue %d jobs after commit", len(intents))


def enqueue_all(connection, intents: list[Intent]) -> None:
    # Jobs to run now first: RQ's enqueue opens the pipeline's MULTI itself and refuses to once a
    # scheduled job (enqueue_at) has written to the pipeline, which would send every mixed batch
    # (a filing's check and its notifications) down the one-by-one path below.
    intents = sorted(intents, key=lambda intent: intent.at is not None)
    try:
        with connection.pipeline() as pipe:
            for intent in intents:
                _enqueue(intent, pipe)
            pipe.execute()
        return
    except Exception:
        logger.warning("enqueueing %d jobs in one pipeline failed; trying one by one", len(intents), exc_info=True)
    for intent in intents:
        try:
            _enqueue(intent, None)
        except Exception:
            logger.exception("could not enqueue %s %s", intent.job, intent.job_id)


def _enqueue(intent: Intent, pipe) -> None:
    func = JOBS[intent.job]
    q = queue_for(func)
    options = {"job_id": intent.job_id, "pipeline": pipe, **enqueue_options(func)}
    if intent.at is None:
        q.enqueue(func, *intent.args, **options)
    else:
        q.enqueue_at(not_before(intent.at), func, *intent.args, **options)


def not_before(moment: datetime) -> datetime:
    """The time to give RQ for a job that must not run before `moment`. RQ keeps scheduled times in
    whole seconds, truncated (a job for 09:00:00.6 is released at 09:00:00): a deadline check released
    early finds nothing due yet and the case waits for the minute sweep. So round up to the next whole
    second, in aware UTC (RQ reads a naive time as local time)."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=UTC)
    whole = moment.replace(microsecond=0)
    return whole if whole == moment else whole + timedelta(seconds=1)
