"""Jobs that read rows are enqueued only once those rows are committed."""
from __future__ import annotations

from app.extensions import db
from app.jobs import enqueue_after_commit, queue
from app.jobs.sessions import purge_stale_sessions
from tests import factories as f


def test_enqueued_only_after_commit_and_dropped_on_rollback(app):
    q = queue()
    f.wx_user()
    enqueue_after_commit(purge_stale_sessions, job_id="kept")
    assert q.count == 0  # not yet: the transaction is open
    db.session.commit()
    assert q.job_ids == ["kept"]

    f.wx_user()
    enqueue_after_commit(purge_stale_sessions, job_id="dropped")
    db.session.rollback()
    db.session.commit()  # a later commit does not resurrect it
    assert q.job_ids == ["kept"]
