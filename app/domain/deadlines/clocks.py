"""The clock of a case, recomputed on every transition from the state the case is entering.

    assigned / returned  → "sign"      the office must sign for it (or the dispatcher re-dispatch it)
    signed               → "handle"    reply due, counted from the assignment, paused while waiting
    after an escalation  → "escalated" the new office has N more working days before the next level
    waiting              → "waiting"   the villager was asked for more; the office's clock stands still
    replied              → "follow_up" the villager's time to confirm; then the case closes unconfirmed
    held / closed        → no clock    (closing freezes on-time or late)

A new clock starts whenever a case reaches an office (filing, release, re-dispatch, transfer,
escalation, reopening): a reopened case is not instantly overdue. `next_check_at` is the one instant
the sweep looks at: the reminder if not yet sent, else the due time; nothing once the last level is
overdue (it stays red until someone acts).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import or_, select

from app.domain import workdays
from app.domain.deadlines.policy import Clock, Policy
from app.extensions import db
from app.models import ComplaintEvent

OFFICE_STATES = ("assigned", "returned", "signed")
OPEN_STATES = (*OFFICE_STATES, "waiting", "replied")
# steps that leave the clock running: the sweep's, and a policy change recomputing due times
SAME_CLOCK_KINDS = ("reminded", "overdue", "recomputed")

_CLEAR = {"clock_step": None, "due_at": None, "remind_at": None, "next_check_at": None}


def waiting_spans(complaint_id: int, since: datetime, now: datetime) -> list[tuple[datetime, datetime]]:
    """The spans the case spent waiting for the villager since `since`, from its history."""
    events = db.session.execute(
        select(ComplaintEvent.created_at, ComplaintEvent.from_status, ComplaintEvent.to_status)
        .where(
            ComplaintEvent.complaint_id == complaint_id,
            ComplaintEvent.created_at >= since,
            or_(ComplaintEvent.to_status == "waiting", ComplaintEvent.from_status == "waiting"),
        )
        .order_by(ComplaintEvent.id)
    ).all()
    spans, waiting_from = [], None
    for at, from_status, to_status in events:
        if to_status == "waiting" and from_status != "waiting":
            waiting_from = at
        elif from_status == "waiting" and waiting_from is not None:
            spans.append((waiting_from, at))
            waiting_from = None
    if waiting_from is not None:  # leaving "waiting" right now
        spans.append((waiting_from, now))
    return spans


def _reminder(clock: Clock, start: datetime, paused: float, due: datetime, policy: Policy) -> datetime:
    """One reminder before the due time: `remind_working_days` ahead of it, or halfway for short clocks."""
    lead = min(policy.remind_working_days * workdays.DAY, clock.seconds() / 2)
    if clock.unit == "working_days":
        return workdays.add_working_seconds(start, paused + clock.seconds() - lead)
    return due - timedelta(seconds=lead)


def clock_values(
    case: Mapping[str, Any],
    kind: str,
    before: str | None,
    now: datetime,
    governing: Callable[[datetime], Sequence[Policy]],
) -> dict[str, datetime | str | None]:
    """The clock columns of a case entering `case["status"]` through a step of `kind` from `before`.
    `case` holds the case's columns as they will be after the step; `governing(start)` gives the
    policies a clock started at `start` runs under (policy.governing): the earliest due time wins."""
    status = case["status"]
    if status == "closed":
        if case["clock_started_at"] is None:  # never reached an office (refused at moderation)
            return {**_CLEAR, "deadline_outcome": None}
        return {**_CLEAR, "deadline_outcome": "late" if case["was_late"] else "on_time"}
    if status not in OPEN_STATES:  # held for moderation: the office has not got it yet
        return {**_CLEAR, "clock_started_at": None, "reminded_at": None}
    new_clock = status in ("assigned", "returned") and kind not in SAME_CLOCK_KINDS
    start = now if new_clock else (case["clock_started_at"] or now)
    values: dict[str, datetime | str | None] = {"clock_started_at": start}
    if new_clock:
        values["reminded_at"] = None
        values["overdue_since"] = case["overdue_since"] if kind == "escalated" else None
    overdue = values.get("overdue_since", case["overdue_since"])
    policies = governing(start)
    due: datetime | None
    if status == "replied":
        due = min(policy.follow_up.deadline(case["replied_at"] or now) for policy in policies)
        return {**values, "clock_step": "follow_up", "due_at": due, "remind_at": None, "next_check_at": due}
    if status == "waiting":
        due = (
            case["due_at"]
            if before == "waiting" and case["due_at"]
            else min(policy.follow_up.deadline(now) for policy in policies)
        )
        return {**values, "clock_step": "waiting", "due_at": due, "remind_at": None, "next_check_at": due}
    escalated_at = case["escalated_at"]
    if escalated_at is not None and escalated_at >= start:
        step = "escalated"
    elif status == "signed":
        step = "handle"
    else:
        step = "sign"
    spans = waiting_spans(case["id"], start, now) if status == "signed" and case["id"] else []
    due = None
    for candidate in policies:
        clock = candidate.escalate if step == "escalated" else getattr(candidate, step)
        paused = sum(clock.measure(a, b) for a, b in spans)
        candidate_due = clock.deadline(start, paused)
        if due is None or candidate_due < due:
            due, chosen = candidate_due, (clock, paused, candidate)
    assert due is not None  # `governing` gives at least the policy in force
    clock, paused, policy = chosen
    remind = _reminder(clock, start, paused, due, policy)
    reminded = values.get("reminded_at", case["reminded_at"])
    if overdue is not None and due <= overdue:
        next_check = None  # this clock already ran out at the top level: red until someone acts
    elif reminded is None and remind < due:
        next_check = remind
    else:
        next_check = due
    return {**values, "clock_step": step, "due_at": due, "remind_at": remind, "next_check_at": next_check}
