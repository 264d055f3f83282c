"""What happens when a clock runs out. Called by the per-case RQ job and by the minute sweep; both
may run for the same case at the same time, and each step is a versioned conditional update (cases'
`_step`), so it happens once: the loser sees the new version and does nothing.

    reminder time  → "reminded": the handling office is told the due time is near (once per clock)
    sign / handle / escalated clock out →
        village office      → "escalated" to the township (discipline office or dispatcher, per lane)
        township office     → "escalated" to the county discipline commission
        county (top)        → "overdue": stays red until someone acts
    follow-up out (villager never confirmed) → closed, resolution "not_confirmed" (not "solved")
    waiting out (villager never answered)    → "resumed": back to the office with its clock running
"""

from __future__ import annotations

from datetime import datetime
from typing import Required, TypedDict, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from app.clock import SHANGHAI, utcnow
from app.domain import authz, workdays
from app.domain.complaints import access, cases
from app.domain.complaints.categories import DISCIPLINE
from app.domain.complaints.routing import COUNTY, HANDLER_LABELS, TOWNSHIP_DISCIPLINE, TOWNSHIP_DISPATCH, VILLAGE_ROLE
from app.domain.deadlines import clocks
from app.errors import AppError
from app.extensions import db
from app.models import Complaint, Question, QuestionEscalation

SYSTEM = cases.By("系统督办")


class _Office(TypedDict, total=False):
    """The handler columns of the office a case escalates to."""

    handler_kind: Required[str]
    handler_role: None
    handler_village_id: None
    handler_grid_id: None
    handler_township_id: int
    handler_county_id: int


def _next_office(complaint: Complaint) -> _Office | None:
    """The office one level above the current handler, or None at the top."""
    if complaint.handler_kind == VILLAGE_ROLE:
        kind = TOWNSHIP_DISCIPLINE if complaint.lane == DISCIPLINE else TOWNSHIP_DISPATCH
        return {
            "handler_kind": kind,
            "handler_role": None,
            "handler_village_id": None,
            "handler_grid_id": None,
            "handler_township_id": complaint.township_id,
        }
    if complaint.handler_kind in (TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE):
        return {
            "handler_kind": COUNTY,
            "handler_role": None,
            "handler_village_id": None,
            "handler_county_id": complaint.county_id,
        }
    return None


def advance(complaint: Complaint) -> str | None:
    """Take the step that is due on this case, if any. Returns the kind of step taken."""
    step = due_step(complaint)
    return step.kind if step is not None and cases.apply([step]) else None


def due_step(complaint: Complaint) -> cases.Step | None:
    """The step that is due on this case now, planned (see cases.plan), or None. "Now" is the unit of
    work's one instant (app.clock): what the step stamps and the clock it starts agree."""
    now = utcnow()
    if complaint.next_check_at is None or complaint.next_check_at > now:
        return None
    status = complaint.status
    try:
        if complaint.due_at is not None and complaint.due_at <= now:
            return _due(complaint, status, now)
        if complaint.remind_at is not None and complaint.reminded_at is None and complaint.remind_at <= now:
            assert complaint.due_at is not None  # a reminder time is only ever set from a due time
            return cases.plan(
                complaint,
                "reminded",
                (status,),
                status,
                SYSTEM,
                reminded_at=now,
                internal_note=f"办理时限将到：{_local(complaint.due_at)}",
            )
    except AppError as exc:
        if exc.code == "invalid_transition":  # the case moved on since it was read
            return None
        raise
    return None


def _local(moment: datetime) -> str:
    return f"{moment.astimezone(SHANGHAI):%Y-%m-%d %H:%M}"


def _due(complaint: Complaint, status: str, now: datetime) -> cases.Step:
    step = complaint.clock_step
    if step == "follow_up":
        return cases.plan(
            complaint,
            "unconfirmed",
            ("replied",),
            "closed",
            SYSTEM,
            public_note="村民未在期限内确认，案件办结（未确认解决）",
            resolution="not_confirmed",
            closed_at=now,
        )
    if step == "waiting":
        return cases.plan(complaint, "resumed", ("waiting",), "signed", SYSTEM, public_note="补充期限已过，恢复办理")
    office = _next_office(complaint)
    if office is None:
        return cases.plan(
            complaint,
            "overdue",
            (status,),
            status,
            SYSTEM,
            overdue_since=now,
            was_late=True,
            internal_note="已逾期，无更高一级可提级",
        )
    label = HANDLER_LABELS[office["handler_kind"]]
    assert complaint.due_at is not None  # _due is called only once the due time has passed
    return cases.plan(
        complaint,
        "escalated",
        (status,),
        "assigned",
        SYSTEM,
        public_note=f"逾期未办结，已提级由{label}督办",
        internal_note=f"{'签收' if step == 'sign' else '办理'}时限已过（{_local(complaint.due_at)}）",
        escalation_level=complaint.escalation_level + 1,
        escalated_at=now,
        overdue_since=now,
        was_late=True,
        assigned_at=now,
        signed_at=None,
        **office,
    )


def recompute_open(actor: authz.Actor, township_id: int, lane: str) -> list[int]:
    """After a policy change: the running clocks it shortens get their due times anew (same clock
    start, same pauses; a longer policy leaves them alone, see policy.governing). Never the county's
    cases, never a case about the person who changed the policy. Conditional on the version, like
    every change of a case. Returns the ids of the cases changed."""
    changed = []
    for complaint in db.session.scalars(
        select(Complaint).where(
            Complaint.township_id == township_id,
            Complaint.lane == lane,
            Complaint.status.in_(clocks.OPEN_STATES),
            Complaint.handler_kind != COUNTY,
            access.not_about(actor),
        )
    ):
        values = cases._clock(complaint, "recomputed", complaint.status, complaint.status, {})
        if all(getattr(complaint, name) == value for name, value in values.items()):
            continue  # not shortened: untouched (no new version, no new job)
        # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
        result = cast(
            CursorResult[()],
            db.session.execute(
                update(Complaint)
                .where(Complaint.id == complaint.id, Complaint.version == complaint.version)
                .values(version=complaint.version + 1, **values)
                .execution_options(synchronize_session=False)
            ),
        )
        if result.rowcount == 1:
            changed.append(complaint.id)
            db.session.refresh(complaint)
            cases._schedule_check(complaint)
    return changed


# ---- disclosure questions (质询): unanswered past the reply period → township, then county ----

QUESTION_TOP_LEVEL = 2  # 1 the township, 2 the county


def advance_question(question: Question, now: datetime, escalate_working_days: int = 5) -> int | None:
    """Raise an unanswered question one level; returns the new level, or None if nothing was due."""
    if question.answered_at is not None or question.next_check_at is None or question.next_check_at > now:
        return None
    level = question.escalation_level + 1
    next_check = workdays.add_working_days(now, escalate_working_days) if level < QUESTION_TOP_LEVEL else None
    result = cast(
        CursorResult[()],  # an UPDATE without RETURNING; Session.execute is typed as returning Result
        db.session.execute(
            update(Question)
            .where(
                Question.id == question.id,
                Question.escalation_level == question.escalation_level,
                Question.answered_at.is_(None),
            )
            .values(escalation_level=level, next_check_at=next_check)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        return None
    db.session.add(QuestionEscalation(question_id=question.id, level=level, created_at=now))
    db.session.flush()
    return level
