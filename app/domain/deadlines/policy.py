"""Deadline policies as data: per township and lane, with history (deactivate, never delete).

Defaults (domain notes, "Deadlines"): service lane — sign for within 1 working day, reply within 7;
discipline lane — tell accepted within 15 days, handle within 60. Both: a reminder one working day
before a due time; five more working days after an escalation → one level up again; the villager has
7 working days to confirm a reply before the case closes as "not confirmed".

Which policy a clock runs under (so nobody can stall a clock already running, least of all their own):
  * a clock runs under the policy in force when it started (when the case reached its office); a
    later change can only SHORTEN it, never lengthen it — a new, longer policy governs the cases
    that reach an office after it;
  * cases handled by the county (about township staff, or escalated to the top) run under the
    built-in defaults: a township's policy never governs the county's clock on it;
  * re-saving the live policy unchanged changes nothing; every change keeps who and when, old and new
    (the history lists every row with who made it and who replaced it).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, fields
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select

from app import transaction
from app.clock import utcnow
from app.domain import authz, workdays
from app.domain.complaints.categories import DISCIPLINE, SERVICE
from app.domain.complaints.routing import COUNTY
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
    SERVICE: Policy(sign=Clock(1, "working_days"), handle=Clock(7, "working_days"), follow_up=Clock(7, "working_days")),
    DISCIPLINE: Policy(sign=Clock(15, "days"), handle=Clock(60, "days"), follow_up=Clock(7, "working_days")),
}
LANES = tuple(DEFAULTS)


def _from_row(row: DeadlinePolicy) -> Policy:
    return Policy(
        sign=Clock(row.sign_amount, row.sign_unit),
        handle=Clock(row.handle_amount, row.handle_unit),
        follow_up=Clock(row.follow_up_amount, row.follow_up_unit),
        remind_working_days=row.remind_working_days,
        escalate_working_days=row.escalate_working_days,
        policy_id=row.id,
    )


def live_row(township_id: int, lane: str) -> DeadlinePolicy | None:
    return db.session.scalar(
        select(DeadlinePolicy).where(
            DeadlinePolicy.township_id == township_id,
            DeadlinePolicy.lane == lane,
            DeadlinePolicy.deactivated_at.is_(None),
        )
    )


def policy_for(township_id: int, lane: str) -> Policy:
    """The live policy."""
    rows = _history(township_id, lane)
    return next((p for _, ended, p in rows if ended is None), DEFAULTS[lane])


def _history(township_id: int, lane: str) -> list[tuple[datetime, datetime | None, Policy]]:
    """(in force from, until, policy) of every policy the township has had for the lane, oldest
    first; read once per transaction (a sweep escalating a batch asks for it per case)."""

    def load() -> list[tuple[datetime, datetime | None, Policy]]:
        return [
            (row.created_at, row.deactivated_at, _from_row(row))
            for row in db.session.scalars(
                select(DeadlinePolicy)
                .where(DeadlinePolicy.township_id == township_id, DeadlinePolicy.lane == lane)
                .order_by(DeadlinePolicy.id)
            )
        ]

    rows: list[tuple[datetime, datetime | None, Policy]] = transaction.memo(
        db.session(), ("deadline_policies", township_id, lane), load
    )
    return rows


def governing(case: Mapping[str, Any]) -> Callable[[datetime], tuple[Policy, ...]]:
    """For a case (its columns as they will be), the policies a clock started at a given instant runs
    under: the one in force then, and every one made live since (the earliest due time wins, so a
    later policy can shorten a running clock, never lengthen it). The county's cases: the defaults."""
    lane = case["lane"]
    if case["handler_kind"] == COUNTY:
        return lambda start: (DEFAULTS[lane],)

    def since(start: datetime) -> tuple[Policy, ...]:
        rows = _history(case["township_id"], lane)
        in_force = next(
            (p for began, ended, p in rows if began <= start and (ended is None or ended > start)), DEFAULTS[lane]
        )
        return (in_force, *(p for began, _, p in rows if began > start))

    return since


def policies(township_id: int) -> dict[str, Policy]:
    return {lane: policy_for(township_id, lane) for lane in LANES}


def history(township_id: int) -> list[DeadlinePolicy]:
    return list(
        db.session.scalars(
            select(DeadlinePolicy)
            .where(DeadlinePolicy.township_id == township_id)
            .order_by(DeadlinePolicy.lane, DeadlinePolicy.id)
        )
    )


def _clock(value: Mapping[str, object], field: str) -> Clock:
    amount, unit = value.get("amount"), value.get("unit")
    if not isinstance(unit, str) or unit not in UNITS:
        raise AppError(
            "unknown_unit", "时限单位只能是工作日、天或小时", kind="unprocessable", fields={field: ["单位不是可选的值"]}
        )
    limit = {"working_days": 120, "days": 180, "hours": 720}[unit]
    if not isinstance(amount, int) or not 1 <= amount <= limit:
        raise AppError(
            "invalid_amount",
            f"时限应在 1 到 {limit}{UNIT_LABELS[unit]}之间",
            kind="unprocessable",
            fields={field: [f"应在 1 到 {limit} 之间"]},
        )
    return Clock(amount, unit)


def set_policy(
    actor: authz.Actor,
    township: Township,
    lane: str,
    *,
    sign: Mapping[str, object],
    handle: Mapping[str, object],
    follow_up: Mapping[str, object],
    remind_working_days: int,
    escalate_working_days: int,
) -> tuple[DeadlinePolicy | None, bool]:
    """Replace the live policy of (township, lane); the old one is kept, deactivated. Returns the live
    row and whether anything changed: the live policy (or the default) saved again unchanged writes
    nothing. The caller then shortens the running clocks the new policy shortens
    (escalation.recompute_open)."""
    if lane not in LANES:
        raise AppError("unknown_lane", "没有这个办理渠道", kind="unprocessable", fields={"lane": ["不是可选的值"]})
    if not authz.can(actor, f"deadline_policy.{lane}", township):
        raise AppError(
            "lane_not_yours", "您的岗位无权设置该渠道的办理时限（纪检监察类由镇纪委或县纪委监委设置）", kind="forbidden"
        )
    clocks = {
        name: _clock(value, name) for name, value in (("sign", sign), ("handle", handle), ("follow_up", follow_up))
    }
    if clocks["sign"].seconds() > clocks["handle"].seconds():
        raise AppError(
            "sign_after_handle", "签收时限不能长于办理时限", kind="unprocessable", fields={"sign": ["长于办理时限"]}
        )
    for name, value in (("remind_working_days", remind_working_days), ("escalate_working_days", escalate_working_days)):
        if not 1 <= value <= 30:
            raise AppError(
                "invalid_amount",
                "提醒和再次提级的时限应在 1 到 30 个工作日之间",
                kind="unprocessable",
                fields={name: ["应在 1 到 30 之间"]},
            )
    old = live_row(township.id, lane)
    wanted = Policy(
        **clocks,
        remind_working_days=remind_working_days,
        escalate_working_days=escalate_working_days,
        policy_id=old.id if old is not None else None,
    )
    if wanted == (_from_row(old) if old is not None else DEFAULTS[lane]):
        return old, False
    now = utcnow()
    if old is not None:
        old.deactivated_at, old.deactivated_by_console_account_id = now, actor.console_account_id
        db.session.flush()
    row = DeadlinePolicy(
        township_id=township.id,
        lane=lane,
        created_at=now,
        created_by_console_account_id=actor.console_account_id,
        remind_working_days=remind_working_days,
        escalate_working_days=escalate_working_days,
        **{
            f"{name}_{part.name}": getattr(clock, part.name) for name, clock in clocks.items() for part in fields(Clock)
        },
    )
    db.session.add(row)
    db.session.flush()
    transaction.forget(db.session())
    return row, True
