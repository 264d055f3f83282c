"""Statistics (统计): per village and per month, over what the viewer may see.

For the cases filed in a month (a cohort by filing month, Asia/Shanghai, so a month's figures never
drift once its cases are closed: the on-time outcome is frozen at closing):
  * filed — cases that passed moderation (held and rejected texts are not cases yet);
  * on time — of those closed, the share whose outcome was on time (`deadline_outcome`);
  * median time to sign / to reply — hours from filing to the first 签收 / the first 答复;
  * escalated — cases that climbed at least one level (超期提级);
  * rating — the villagers' mean rating (1–5) of the rated ones.
And for the disclosures first published in a month: their reach, the households that opened them out
of the village's households (the share over all of them together).

Every figure is taken over the viewer's scope, in the query: the cases of the monitoring scope
("complaint.monitor": the township's own villages, the dispatcher's service lane, the county all, and
never a case the viewer is the subject of — cases about township staff are the county's alone), the
disclosures of "disclosure.monitor", the households of "household.read" (app.domain.disclosures.reach).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import UTC, date, datetime
from statistics import median

from sqlalchemy import ScalarSelect, exists, func, select

from app.clock import SHANGHAI, to_shanghai
from app.domain import authz
from app.domain.disclosures import reach
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import Complaint, ComplaintEvent, Disclosure, Household, Township, Village

MONITOR = "complaint.monitor"
MAX_MONTHS = 24  # one request reads at most two years of cases
HOUR = 3600.0


@dataclass
class Figures:
    """The figures of one cell (a village's month, a village, a month, a township, everything)."""

    filed: int = 0
    closed: int = 0  # closed with a frozen on-time / late outcome
    on_time: int = 0
    escalated: int = 0
    rated: int = 0
    rating_total: int = 0
    published: int = 0  # disclosures first published
    reached: int = 0  # households that opened them (one per household and disclosure)
    reachable: int = 0  # households of their villages (once per disclosure)
    sign_hours: list[float] = field(default_factory=list, repr=False)
    reply_hours: list[float] = field(default_factory=list, repr=False)

    def add(self, other: Figures) -> None:
        for name in COUNTS:
            setattr(self, name, getattr(self, name) + getattr(other, name))
        self.sign_hours.extend(other.sign_hours)
        self.reply_hours.extend(other.reply_hours)

    @property
    def on_time_rate(self) -> float | None:
        """On time / closed; None when nothing closed (never "0 %" over no case)."""
        return self.on_time / self.closed if self.closed else None

    @property
    def median_sign_hours(self) -> float | None:
        return median(self.sign_hours) if self.sign_hours else None

    @property
    def median_reply_hours(self) -> float | None:
        return median(self.reply_hours) if self.reply_hours else None

    @property
    def rating(self) -> float | None:
        return self.rating_total / self.rated if self.rated else None

    @property
    def reach(self) -> float | None:
        return self.reached / self.reachable if self.reachable else None


COUNTS = ("filed", "closed", "on_time", "escalated", "rated", "rating_total", "published", "reached", "reachable")


@dataclass(frozen=True)
class Place:
    id: int
    name: str
    township_id: int


@dataclass
class Report:
    months: list[str]  # "2026-03", oldest first
    villages: list[Place]
    townships: list[tuple[int, str]]
    cells: dict[tuple[int, str], Figures]  # (village id, month) → figures
    by_village: dict[int, Figures] = field(default_factory=dict)
    by_month: dict[str, Figures] = field(default_factory=dict)
    by_township: dict[int, Figures] = field(default_factory=dict)
    total: Figures = field(default_factory=Figures)

    def __post_init__(self) -> None:
        township_of = {v.id: v.township_id for v in self.villages}
        for v in self.villages:
            self.by_village[v.id] = Figures()
        for t, _name in self.townships:
            self.by_township[t] = Figures()
        for m in self.months:
            self.by_month[m] = Figures()
        for (village_id, month), figures in self.cells.items():
            for total in (
                self.by_village[village_id],
                self.by_month[month],
                self.by_township[township_of[village_id]],
                self.total,
            ):
                total.add(figures)

    def cell(self, village_id: int, month: str) -> Figures:
        return self.cells.get((village_id, month)) or Figures()


def month_label(moment: datetime) -> str:
    return f"{to_shanghai(moment):%Y-%m}"


def months_between(first: date, last: date) -> list[str]:
    """The months from `first`'s to `last`'s, both included ("2026-01", …)."""
    out, (year, month) = [], (first.year, first.month)
    while (year, month) <= (last.year, last.month):
        out.append(f"{year:04d}-{month:02d}")
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return out


def _month_start(year: int, month: int) -> datetime:
    """The first instant of a Shanghai month, in UTC."""
    return datetime(year, month, 1, tzinfo=SHANGHAI).astimezone(UTC)


def period(first: date, last: date) -> tuple[list[str], datetime, datetime]:
    """The months of a period and its [start, end) in UTC; a clear error for a period out of order
    or longer than MAX_MONTHS."""
    if (last.year, last.month) < (first.year, first.month):
        raise AppError(
            "period_invalid", "结束月份不能早于开始月份", kind="unprocessable", fields={"until": ["早于开始月份"]}
        )
    months = months_between(first, last)
    if len(months) > MAX_MONTHS:
        message = f"一次最多统计 {MAX_MONTHS} 个月"
        raise AppError("period_invalid", message, kind="unprocessable", fields={"since": [message]})
    end_year, end_month = (last.year + 1, 1) if last.month == 12 else (last.year, last.month + 1)
    return months, _month_start(first.year, first.month), _month_start(end_year, end_month)


def visible_villages(actor: authz.Actor, village_id: int | None = None) -> list[Place]:
    """The villages the viewer may read (one, when asked: out of scope answers 404 like absent)."""
    where = [authz.scoped(actor, "village.read", Village)]
    if village_id is not None:
        where.append(Village.id == village_id)
    rows = db.session.execute(
        select(Village.id, Village.name, Village.township_id).where(*where).order_by(Village.code)
    ).all()
    if village_id is not None and not rows:
        raise NotFound()
    return [Place(*row) for row in rows]


def _first(kind: str) -> ScalarSelect[datetime]:
    """The time of the case's first event of a kind, as a column of the case's row."""
    return (
        select(func.min(ComplaintEvent.created_at))
        .where(ComplaintEvent.complaint_id == Complaint.id, ComplaintEvent.kind == kind)
        .correlate(Complaint)
        .scalar_subquery()
    )


def _case_figures(
    actor: authz.Actor, village_ids: list[int], start: datetime, end: datetime
) -> Iterable[tuple[int, str, Figures]]:
    escalated = exists(
        select(ComplaintEvent.id).where(ComplaintEvent.complaint_id == Complaint.id, ComplaintEvent.kind == "escalated")
    )
    rows = db.session.execute(
        select(
            Complaint.village_id,
            Complaint.filed_at,
            Complaint.deadline_outcome,
            Complaint.rating,
            _first("signed"),
            _first("replied"),
            escalated,
        ).where(
            authz.scoped(actor, MONITOR, Complaint),  # the viewer's cases: never one about them
            Complaint.moderation == "clear",
            Complaint.village_id.in_(village_ids),
            Complaint.filed_at >= start,
            Complaint.filed_at < end,
        )
    )
    for village_id, filed_at, outcome, rating, signed_at, replied_at, was_escalated in rows:
        figures = Figures(filed=1, escalated=int(bool(was_escalated)))
        if outcome is not None:
            figures.closed, figures.on_time = 1, int(outcome == "on_time")
        if rating is not None:
            figures.rated, figures.rating_total = 1, rating
        if signed_at is not None:
            figures.sign_hours.append((signed_at - filed_at).total_seconds() / HOUR)
        if replied_at is not None:
            figures.reply_hours.append((replied_at - filed_at).total_seconds() / HOUR)
        yield village_id, month_label(filed_at), figures


def _reach_figures(
    actor: authz.Actor, village_ids: list[int], start: datetime, end: datetime
) -> Iterable[tuple[int, str, Figures]]:
    disclosures = list(
        db.session.scalars(
            select(Disclosure).where(
                authz.scoped(actor, "disclosure.monitor", Disclosure),
                Disclosure.village_id.in_(village_ids),
                Disclosure.first_published_at >= start,
                Disclosure.first_published_at < end,
            )
        )
    )
    if not disclosures:
        return
    reached = reach.reach_of(actor, disclosures)
    households = authz.count_by(
        actor,
        "household.read",
        Household,
        Household.village_id,
        Household.village_id.in_({d.village_id for d in disclosures}),
    )
    for d in disclosures:
        assert d.first_published_at is not None  # selected by it
        figures = Figures(published=1, reached=reached[d.id], reachable=households.get(d.village_id, 0))
        yield d.village_id, month_label(d.first_published_at), figures


def report(actor: authz.Actor, *, first: date, last: date, village_id: int | None = None) -> Report:
    """The figures of the months from `first` to `last` (both included) for the viewer's villages
    (or one of them), per village and month, with their totals per village, month and township."""
    months, start, end = period(first, last)
    villages = visible_villages(actor, village_id)
    village_ids = [v.id for v in villages]
    cells: dict[tuple[int, str], Figures] = {}
    if village_ids:
        for source in (_case_figures, _reach_figures):
            for vid, month, figures in source(actor, village_ids, start, end):
                cells.setdefault((vid, month), Figures()).add(figures)
    township_ids = sorted({v.township_id for v in villages})
    townships = (
        db.session.execute(
            select(Township.id, Township.name).where(Township.id.in_(township_ids)).order_by(Township.code)
        ).all()
        if township_ids
        else []
    )
    return Report(months, villages, [(t, name) for t, name in townships], cells)
