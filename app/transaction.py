"""Work that must wait for the database transaction to commit, and what is read once per transaction.

An RQ job that reads a row must be enqueued after the row is committed, and a cache entry must be
forgotten again once the change is visible to other readers. `after_commit(fn)` runs `fn` right
after the current transaction of the app's session commits, and drops it if the transaction rolls
back. Failures of `fn` are logged, not raised: the transaction has already committed.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import event
from sqlalchemy.orm import Session

logger = logging.getLogger(__name__)
_KEY = "mingjing.after_commit"


def after_commit(session: Session, fn: Callable[[], object]) -> None:
    session.info.setdefault(_KEY, []).append(fn)


@event.listens_for(Session, "after_commit")
def _run_after_commit(session: Session) -> None:
    if session.in_nested_transaction():
        return  # a savepoint was released (SQLAlchemy calls this then too): the transaction goes on
    for fn in session.info.pop(_KEY, []):
        try:
            fn()
        except Exception:
            logger.exception("after-commit action %r failed", fn)


@event.listens_for(Session, "after_soft_rollback")
def _drop_after_rollback(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_KEY, None)


# ---- no transaction held open across a call to another service ----
_WROTE = "mingjing.wrote"


@event.listens_for(Session, "after_flush")
def _note_flush(session: Session, flush_context) -> None:
    session.info[_WROTE] = True


@event.listens_for(Session, "do_orm_execute")
def _note_dml(state) -> None:
    if state.is_insert or state.is_update or state.is_delete:
        state.session.info[_WROTE] = True


@event.listens_for(Session, "after_transaction_end")
def _forget_writes(session: Session, transaction) -> None:
    if transaction.parent is None:  # the outermost transaction (a savepoint's end changes nothing)
        session.info.pop(_WROTE, None)


def end_reads(session: Session) -> None:
    """End the session's transaction before a slow outbound call (WeChat's text check), so that no
    connection, snapshot or lock is held while it waits; what follows starts a new transaction.
    The transaction must not have written: committing half a unit of work would be a bug."""
    if (
        session.new
        or session.dirty
        or session.deleted
        or session.info.get(_WROTE)
        or session.info.get(_KEY)
        or session.info.get(_INTENTS)
    ):
        raise RuntimeError("end_reads() after a write: call the outbound service before writing")
    if session.in_transaction():
        session.commit()


# ---- per-transaction memo: rules read once per transaction (a sweep batch asks per case) ----
_MEMO = "mingjing.memo"


def memo(session: Session, key: tuple, load: Callable[[], object]):
    """`load()` once per transaction for `key`; forgotten at commit or rollback (so never stale
    across transactions), and by `forget(session)` when the transaction itself changes the rule."""
    cache = session.info.setdefault(_MEMO, {})
    if key not in cache:
        cache[key] = load()
    return cache[key]


def forget(session: Session) -> None:
    session.info.pop(_MEMO, None)


@event.listens_for(Session, "after_commit")
@event.listens_for(Session, "after_rollback")
def _forget_memo(session: Session, *args) -> None:
    forget(session)


# ---- intents: the jobs this transaction asks for once it commits ----
_INTENTS = "mingjing.intents"


@dataclass(frozen=True)
class Intent:
    """A job the domain wants run after the commit: its name in app.jobs.registry, its arguments, its
    RQ job id (deterministic where a sweep must tell whether it is still on its way) and, for a job
    scheduled later, when (aware UTC). app.jobs.intents turns them into RQ jobs; the domain never
    imports app.jobs. Every intent has a database truth a sweep re-enqueues from, so one lost with
    Redis is found again."""

    job: str
    args: tuple
    job_id: str | None = None
    at: datetime | None = None


def intend(session: Session, job: str, *args, job_id: str | None = None, at: datetime | None = None) -> None:
    session.info.setdefault(_INTENTS, []).append(Intent(job, args, job_id, at))


def take_intents(session: Session) -> list[Intent]:
    """The committed transaction's intents, handed over once."""
    return session.info.pop(_INTENTS, [])


@event.listens_for(Session, "after_soft_rollback")
def _drop_intents(session: Session, previous_transaction) -> None:
    if previous_transaction.parent is None:  # the outermost transaction, not a savepoint
        session.info.pop(_INTENTS, None)
