"""Jobs in the test process: running what is queued, counting what the deadline jobs did."""

from __future__ import annotations

from rq import SimpleWorker
from sqlalchemy import func, select

from app.extensions import db
from app.jobs import queue
from app.models import ComplaintEvent


def run_queued_jobs() -> None:
    """Run the queued jobs in this process (a burst of an RQ SimpleWorker), failures left in RQ's registry."""
    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)


def escalation_counts(ids: list[int]) -> dict[int, int]:
    """How many times each of these complaints was escalated (ids with none are left out)."""
    db.session.expire_all()
    rows = db.session.execute(
        select(ComplaintEvent.complaint_id, func.count())
        .where(ComplaintEvent.complaint_id.in_(ids), ComplaintEvent.kind == "escalated")
        .group_by(ComplaintEvent.complaint_id)
    ).all()
    return dict(rows)
