"""Jobs run for real through RQ on a real Redis; running one twice changes nothing more."""

from __future__ import annotations

from datetime import timedelta

from rq import SimpleWorker

from app.clock import utcnow
from app.extensions import db
from app.jobs import queue
from app.jobs.sessions import purge_stale_sessions
from app.models import AuthSession
from tests import factories as f


def _session(user, *, expires_in: timedelta, revoked_ago: timedelta | None = None) -> AuthSession:
    now = utcnow()
    row = AuthSession(
        token_hash=f"{user.id}-{expires_in}-{revoked_ago}".ljust(64, "x")[:64],
        user_id=user.id,
        created_at=now - timedelta(days=60),
        expires_at=now + expires_in,
        revoked_at=now - revoked_ago if revoked_ago else None,
    )
    db.session.add(row)
    return row


def test_purge_through_a_real_worker_is_idempotent(app):
    # Real time: RQ sets Redis expiries from the wall clock, so a frozen clock would expire results at once.
    user = f.wx_user()
    keep_live = _session(user, expires_in=timedelta(days=10))
    keep_recent = _session(user, expires_in=timedelta(days=-5))
    _session(user, expires_in=timedelta(days=-40))
    _session(user, expires_in=timedelta(days=5), revoked_ago=timedelta(days=45))
    db.session.commit()

    q = queue()
    first = q.enqueue(purge_stale_sessions)
    second = q.enqueue(purge_stale_sessions)
    SimpleWorker([q], connection=q.connection).work(burst=True)

    assert first.get_status() == "finished" and first.return_value() == 2
    assert second.get_status() == "finished" and second.return_value() == 0
    db.session.expire_all()
    assert {s.id for s in db.session.query(AuthSession)} == {keep_live.id, keep_recent.id}
