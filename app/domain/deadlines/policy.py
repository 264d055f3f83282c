"""Deadline policies as data: per township and lane, with history (deactivate, never delete).

Defaults (domain notes, "Deadlines"): service lane — sign for within 1 working day, reply within 7;
discipline lane — tell accepted within 15 days, handle within 60. Both: a reminder one working day
before a due time; five more working days after an escalation → one level up again; the villager has
7 working days to confirm a reply before the case closes as "not confirmed".
"""
from __future__ import annotations

from dataclasses import dataclass, fields
from datetime import datetime, timedelta

from sqlalchemy import select

from app import transaction
from app.clock import utcnow
from app.domain import authz, workdays
from app.domain.complaints.categories import DISCIPLINE, SERVICE
from app.errors import AppError
from app.extensions import db
from app.models import DeadlinePolicy, Township
from app.models.deadlines import UNITS

UNIT_LABELS = {"working_days": "个工作日", "days": "天", "hours": "小时"}


@dataclass(frozen=True)
class Clock:
    amount: int
    unit: str  # working_days | days | hours

    def seconds(self) -> float:
        return self.amount * (3600 if self.unit == "hours" else workdays.DAY)

    def deadline(self, start: datetime, paused: float = 0.0) -> datetime:
        """The due time of a clock started at `start` that stood still for `paused` seconds (of
        working time for working-day clocks, of plain time otherwise)."""
        if self.unit == "working_days":
            return workdays.add_working_seconds(start, self.seconds() + paused)
        return start + timedelta(seconds=self.seconds() + paused)

    def measure(self, start: datetime, end: datetime) -> float:
        """How much of this clock's time passes between two instants."""
        if self.unit == "working_days":
            return workdays.working_seconds(start, end)
        return max((end - start).total_seconds(), 0.0)

    def __str__(self) -> str:
        return f"{self.amount}{UNIT_LABELS[self.unit]}"


@dataclass(frozen=True)
class Policy:
    sign: Clock
    handle: Clock
    follow_up: Clock
    remind_working_days: int = 1
    escalate_working_days: int = 5
    policy_id: int | None = None  # None: the built-in default

    @property
    def escalate(self) -> Clock:
        return Clock(self.escalate_working_days, "working_days")


DEFAULTS: dict[str, Policy] = {
    SERVICE: Policy(sign=Clock(1, "working_days"), handle=Clock(7, "working_days"),
                    follow_up=Clock(7, "working_days")),
    DISCIPLINE: Policy(sign=Clock(15, "days"), handle=Clock(60, "days"), follow_up=Clock(7, "working_days")),
}
LANES = tuple(DEFAULTS)


def _from_row(row: DeadlinePolicy) -> Policy:
    return Policy(sign=Clock(row.sign_amount, row.sign_unit), handle=Clock(row.handle_amount, row.handle_unit),
                  follow_up=Clock(row.follow_up_amount, row.follow_up_unit),
                  remind_working_days=row.remind_working_days, escalate_working_days=row.escalate_working_days,
                  policy_id=row.id)


def live_row(township_id: int, lane: str) -> DeadlinePolicy | None:
    return db.session.scalar(select(DeadlinePolicy).where(
        DeadlinePolicy.township_id == township_id, DeadlinePolicy.lane == lane, DeadlinePolicy.deactivated_at.is_(None)))


def policy_for(township_id: int, lane: str) -> Policy:
    """The live policy, read once per transaction (a sweep escalating a batch asks for it per case)."""
    def load() -> Policy:
        row = live_row(township_id, lane)
        return _from_row(row) if row is not None else DEFAULTS[lane]

    return transaction.memo(db.session(), ("deadline_policy", township_id, lane), load)


def policies(township_id: int) -> dict[str, Policy]:
    return {lane: policy_for(township_id, lane) for lane in LANES}


def history(township_id: int) -> list[DeadlinePolicy]:
    return list(db.session.scalars(select(DeadlinePolicy).where(DeadlinePolicy.township_id == township_id)
                                   .order_by(DeadlinePolicy.lane, DeadlinePolicy.id)))


def _clock(value: dict, field: str) -> Clock:
    amount, unit = value.get("amount"), value.get("unit")
    if unit not in UNITS:
        raise AppError("unknown_unit", "时限单位只能是工作日、天或小时", kind="unprocessable",
                       fields={field: ["单位不是可选的值"]})
    limit = {"working_days": 120, "days": 180, "hours": 720}[unit]
    if not isinstance(amount, int) or not 1 <= amount <= limit:
        raise AppError("invalid_amount", f"时限应在 1 到 {limit}{UNIT_LABELS[unit]}之间", kind="unprocessable",
                       fields={field: [f"应在 1 到 {limit} 之间"]})
    return Clock(amount, unit)


def set_policy(actor: authz.Actor, township: Township, lane: str, *, sign: dict, handle: dict, follow_up: dict,
               remind_working_days: int, escalate_working_days: int) -> DeadlinePolicy:
    """Replace the live policy of (township, lane); the old one is kept, deactivated. The caller
    recomputes the due times of the open cases it governs (see escalation.recompute_open)."""
    authz.require(actor, "complaint.route", township)
    if lane not in LANES:
        raise AppError("unknown_lane", "没有这个办理渠道", kind="unprocessable", fields={"lane": ["不是可选的值"]})
    clocks = {name: _clock(value, name) for name, value in
              (("sign", sign), ("handle", handle), ("follow_up", follow_up))}
    if clocks["sign"].seconds() > clocks["handle"].seconds():
        raise AppError("sign_after_handle", "签收时限不能长于办理时限", kind="unprocessable",
                       fields={"sign": ["长于办理时限"]})
    for name, value in (("remind_working_days", remind_working_days), ("escalate_working_days", escalate_working_days)):
        if not 1 <= value <= 30:
            raise AppError("invalid_amount", "提醒和再次提级的时限应在 1 到 30 个工作日之间", kind="unprocessable",
                           fields={name: ["应在 1 到 30 之间"]})
    now = utcnow()
    old = live_row(township.id, lane)
    if old is not None:
        old.deactivated_at, old.deactivated_by_console_account_id = now, actor.console_account_id
        db.session.flush()
    row = DeadlinePolicy(township_id=township.id, lane=lane, created_at=now,
                         created_by_console_account_id=actor.console_account_id,
                         remind_working_days=remind_working_days, escalate_working_days=escalate_working_days,
                         **{f"{name}_{part.name}": getattr(clock, part.name)
                            for name, clock in clocks.items() for part in fields(Clock)})
    db.session.add(row)
    db.session.flush()
    transaction.forget(db.session())
    return row
