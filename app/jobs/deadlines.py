"""Deadline jobs: the per-case check scheduled at its next due instant (the fast path) and the
sweeper that finds whatever such jobs missed (the guarantee). Both call the same domain step."""

from __future__ import annotations

from datetime import datetime

from rq import Retry
from sqlalchemy import select, tuple_

from app.domain.complaints import cases
from app.domain.deadlines import escalation
from app.extensions import db
from app.jobs import deadline_work, in_app_context, job_options
from app.models import Complaint, Question

BATCH = 200  # cases per transaction: a failure loses one batch's work until the next sweep, no more
# A check that fails (the database unreachable for a moment) runs again soon; the sweep covers the rest.
RETRY = Retry(max=4, interval=[2, 10, 30, 120])


@deadline_work
@job_options(retry=RETRY)
@in_app_context
def check_complaint(complaint_id: int) -> str | None:
    """Take the deadline step due on one case now, if any (safe to run any number of times)."""
    complaint = db.session.get(Complaint, complaint_id)
    if complaint is None:
        return None
    done = escalation.advance(complaint)
    db.session.commit()
    return done


def sweep_complaints(now: datetime) -> int:
    """Every case whose next check has come: cost follows the number due (partial index on
    next_check_at), not the number open. Run by the sweep with the clock pinned at `now`."""
    done, after = 0, None
    while True:
        # keyset over (next_check_at, id): the partial index answers it, and a case whose step could
        # not be taken (someone else took it) is not read again in this sweep
        query = select(Complaint).where(Complaint.next_check_at <= now)
        if after is not None:
            query = query.where(tuple_(Complaint.next_check_at, Complaint.id) > after)
        batch = list(db.session.scalars(query.order_by(Complaint.next_check_at, Complaint.id).limit(BATCH)))
        if not batch:
            return done
        after = (batch[-1].next_check_at, batch[-1].id)
        with db.session.no_autoflush:  # the batch's events go in as one multi-row INSERT at commit
            steps = [step for step in (escalation.due_step(c) for c in batch) if step is not None]
            done += len(cases.apply(steps))
        db.session.commit()


def sweep_questions(now: datetime) -> int:
    done, last_id = 0, 0
    while True:
        batch = list(
            db.session.scalars(
                select(Question)
                .where(Question.next_check_at <= now, Question.answered_at.is_(None), Question.id > last_id)
                .order_by(Question.id)
                .limit(BATCH)
            )
        )
        if not batch:
            return done
        for question in batch:
            done += escalation.advance_question(question, now) is not None
        last_id = batch[-1].id
        db.session.commit()
