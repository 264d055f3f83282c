"""The one source of "now". Always timezone-aware UTC; tests move it with time-machine.

`utcnow()` is the instant of the current unit of work, not a fresh reading of the clock: every call in
one database transaction returns the same instant (the first call takes it), so two instants written
or compared in one transaction can never disagree because the clock moved between them (an
escalation stamped at one instant and its new clock started a few milliseconds later). A unit of work
spanning several transactions that already decided its instant (a sweep passing `now` to its
sweepers) pins it with `at(now)`. `wall_clock()` is the real time, for what measures real time
outside any transaction (nothing in app/domain or app/jobs needs it).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from datetime import UTC, datetime
from typing import overload
from zoneinfo import ZoneInfo

from sqlalchemy import event
from sqlalchemy.orm import Session

SHANGHAI = ZoneInfo("Asia/Shanghai")

_PINNED: ContextVar[datetime | None] = ContextVar("mingjing_pinned_now", default=None)
_KEY = "mingjing.now"  # session.info: (the root transaction, its instant)


def wall_clock() -> datetime:
    return datetime.now(UTC)


def utcnow() -> datetime:
    """The instant of the current unit of work: pinned by `at(...)`, else the current database
    transaction's (asking begins the transaction if none is running: the instant belongs to the work
    about to be done), else, outside an application, the wall clock."""
    pinned = _PINNED.get()
    if pinned is not None:
        return pinned
    session = _session()
    if session is None:
        return wall_clock()
    transaction = session.get_transaction()
    if transaction is None:
        transaction = session.begin()
    held = session.info.get(_KEY)
    if held is not None and held[0] is transaction:
        return held[1]
    moment = wall_clock()
    session.info[_KEY] = (transaction, moment)
    return moment


def _session():
    from flask import has_app_context

    if not has_app_context():
        return None
    from app.extensions import db

    return db.session()


@event.listens_for(Session, "after_transaction_end")
def forget_transaction_now(session, transaction) -> None:
    """When a root transaction ends, its instant goes with it (a savepoint's end changes nothing)."""
    if transaction.parent is None:
        session.info.pop(_KEY, None)


@contextmanager
def at(moment: datetime) -> Iterator[datetime]:
    """Every `utcnow()` inside is `moment` (in UTC, like every `utcnow()`: what is stamped and hashed
    with it must read the same once stored), whatever transactions begin and end meanwhile."""
    if moment.tzinfo is None:
        raise ValueError("a naive instant: give app.clock.at an aware one")
    moment = moment.astimezone(UTC)
    token = _PINNED.set(moment)
    try:
        yield moment
    finally:
        _PINNED.reset(token)


@overload
def to_shanghai(value: datetime) -> datetime: ...
@overload
def to_shanghai(value: None) -> None: ...
@overload
def to_shanghai(value: datetime | None) -> datetime | None: ...
def to_shanghai(value: datetime | None) -> datetime | None:
    """Times are UTC inside; people see Asia/Shanghai at the edges."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(SHANGHAI)
