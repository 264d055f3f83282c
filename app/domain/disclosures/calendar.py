"""The statutory calendar: for each village, which required disclosures are due, late or missing."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from sqlalchemy import select

from app.clock import to_shanghai
from app.domain import authz
from app.domain.disclosures import periods
from app.domain.disclosures import questions as _questions  # noqa: F401  (places Question for authz)
from app.extensions import db
from app.models import Disclosure, Frequency, ItemType, Question, Village

# How far back one request may look: a village committee's term, and a bounded amount of work.
MAX_YEARS_BACK = 5


def earliest_since(today: date) -> date:
    """The earliest first day a calendar may start from on `today`."""
    return date(today.year - MAX_YEARS_BACK, today.month, 1)


@dataclass(frozen=True)
class CalendarRow:
    item_type: ItemType
    period: str
    due: date
    status: str  # on_time | published_late | due (not yet past the deadline) | overdue (missing, past it)
    published_on: date | None


def village_calendar(village: Village, *, today: date, since: date) -> list[CalendarRow]:
    """Rows for every monthly and quarterly item whose period ended between `since` and `today`,
    and for immediate items that were disclosed (late if published after their window)."""
    item_types = db.session.scalars(
        select(ItemType)
        .where(ItemType.township_id == village.township_id, ItemType.active.is_(True))
        .order_by(ItemType.id)
    ).all()
    published = {
        (d.item_type_id, d.period): d
        for d in db.session.scalars(select(Disclosure).where(Disclosure.village_id == village.id))
    }
    rows: list[CalendarRow] = []
    for item in item_types:
        frequency = Frequency(item.frequency)
        if frequency is Frequency.IMMEDIATE:
            candidates = [
                periods.parse(frequency, d.period)
                for (tid, _), d in published.items()
                if tid == item.id and d.period >= since.isoformat()
            ]
        else:
            candidates = periods.periods_between(frequency, since, today)
        for period in candidates:
            due = periods.due_date(frequency, period)
            disclosure = published.get((item.id, period.label))
            first = disclosure.first_published_at if disclosure else None
            on = to_shanghai(first).date() if first else None
            if on is not None:
                status = "on_time" if on <= due else "published_late"
            else:
                status = "due" if today <= due else "overdue"
            rows.append(CalendarRow(item, period.label, due, status, on))
    rows.sort(key=lambda r: (r.due, r.item_type.id))
    return rows


def recent(village: Village, *, now: datetime, since: date | None = None) -> list[CalendarRow]:
    """The village's calendar as officers open it: from `since` (a year back by default) to today."""
    today = to_shanghai(now).date()
    return village_calendar(village, today=today, since=since or today - timedelta(days=365))


@dataclass(frozen=True)
class VillageWarning:
    """What a village owes: required disclosures missing past their deadline, published late, and
    public questions unanswered past their reply period."""

    village: Village
    overdue: int
    published_late: int
    overdue_questions: int


def warnings(actor: authz.Actor, villages: Sequence[Village], *, now: datetime) -> list[VillageWarning]:
    """Each village's warnings over the past year (questions counted over what the viewer may see)."""
    late_questions = authz.count_by(
        actor,
        "disclosure.monitor",
        Question,
        Question.village_id,
        Question.village_id.in_([v.id for v in villages]),
        Question.moderation == "visible",
        Question.answered_at.is_(None),
        Question.due_at < now,
    )
    out = []
    for village in villages:
        rows = recent(village, now=now)
        out.append(
            VillageWarning(
                village,
                overdue=sum(r.status == "overdue" for r in rows),
                published_late=sum(r.status == "published_late" for r in rows),
                overdue_questions=late_questions.get(village.id, 0),
            )
        )
    return out
