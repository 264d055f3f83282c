"""Township and county monitoring (督办): overdue and at-risk cases, per-village on-time rates, and
the Excel export of a filtered list. Scope comes from the one authorization layer
("complaint.monitor": never a case the viewer is the subject of)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from sqlalchemy import ColumnElement, ScalarSelect, and_, case, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute

from app.clock import to_shanghai
from app.domain import authz
from app.domain.complaints.categories import CATEGORIES
from app.domain.complaints.officer_view import OfficerCase, project
from app.domain.complaints.routing import handler_label
from app.extensions import db
from app.models import Complaint, Question, Village

OPEN = ("assigned", "returned", "signed", "waiting", "replied")
VIEWS = ("overdue", "at_risk", "open", "all")
COLOURS = ("red", "yellow", "green")
MIN_CASES_FOR_RATE = 5  # fewer closed cases than this: no rate (a village with 1 late case is not "0%")


@dataclass(frozen=True)
class Filters:
    """What the monitoring list shows, and in which order: the API's list, the console's board and the
    Excel export of either take the same Filters, so an export holds exactly the rows filtered."""

    view: str = "overdue"  # overdue: red or yellow and open; at_risk: reminder time passed, not yet due
    village_id: int | None = None
    category: str | None = None
    lane: str | None = None  # discipline | service
    status: str | None = None  # assigned | returned | signed | waiting | replied | closed
    colour: str | None = None
    escalation_level: int | None = None  # 0 as routed, 1 township, 2 county
    min_age_days: int | None = None  # filed at least this many days ago
    order: str = "due"  # a key of ORDERS


MONITOR = "complaint.monitor"  # never a case the viewer is the subject of; the dispatcher: the service lane
STATUSES = ("assigned", "returned", "signed", "waiting", "replied", "closed")


_VILLAGE_NAME = select(Village.name).where(Village.id == Complaint.village_id).correlate(Complaint).scalar_subquery()
_DUE = (Complaint.due_at.is_(None), Complaint.due_at)  # soonest due first, no clock last
# ORDER BY of each order a list may take; the id last, so pages never overlap or skip a row.
# red first, then yellow, then on course, then closed
_URGENCY = case({"red": 0, "yellow": 1, "green": 3}, value=Complaint.colour, else_=2)
_ORDER_BY: dict[str, tuple[ColumnElement[Any] | InstrumentedAttribute[Any] | ScalarSelect[Any], ...]] = {
    "urgent": (_URGENCY, *_DUE, Complaint.id),
    "-urgent": (_URGENCY.desc(), *_DUE, Complaint.id),
    "due": (*_DUE, Complaint.id),
    "-due": (Complaint.due_at.is_(None), Complaint.due_at.desc(), Complaint.id.desc()),
    "filed": (Complaint.filed_at, Complaint.id),  # oldest first
    "-filed": (Complaint.filed_at.desc(), Complaint.id.desc()),
    "level": (Complaint.escalation_level.desc(), *_DUE, Complaint.id),
    "-level": (Complaint.escalation_level, *_DUE, Complaint.id),
    "village": (_VILLAGE_NAME, *_DUE, Complaint.id),
    "-village": (_VILLAGE_NAME.desc(), *_DUE, Complaint.id),
}
ORDERS = tuple(_ORDER_BY)


def _where(filters: Filters, now: datetime) -> list[ColumnElement[bool]]:
    """The filters; the viewer's scope is added by each query (authz.count / authz.scoped)."""
    C = Complaint
    where = [C.moderation == "clear"]
    if filters.view == "overdue":
        where.append(and_(C.status.in_(OPEN), C.colour.is_not(None)))
    elif filters.view == "at_risk":
        where.append(
            and_(
                C.status.in_(OPEN),
                C.colour.is_(None),
                C.clock_step.in_(("sign", "handle", "escalated")),
                or_(C.reminded_at.is_not(None), C.remind_at <= now),
                C.due_at > now,
            )
        )
    elif filters.view == "open":
        where.append(C.status.in_(OPEN))
    for name in ("village_id", "category", "lane", "status", "colour", "escalation_level"):
        value = getattr(filters, name)
        if value is not None:
            where.append(getattr(C, name) == value)
    if filters.min_age_days is not None:
        where.append(C.filed_at <= now - timedelta(days=filters.min_age_days))
    return where


def cases(
    actor: authz.Actor, filters: Filters, now: datetime, *, page: int = 1, per_page: int = 50
) -> tuple[list[OfficerCase], int]:
    """The filtered list, as officers see cases (officer_view: never who filed them)."""
    where = _where(filters, now)
    total = authz.count(actor, MONITOR, Complaint, *where)
    items = db.session.scalars(
        select(Complaint)
        .where(authz.scoped(actor, MONITOR, Complaint), *where)
        .order_by(*_ORDER_BY[filters.order])
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [project(c) for c in items], total


@dataclass(frozen=True)
class VillageCount:
    """The filtered list counted for one village: per lane, the red, the yellow and all."""

    village_id: int
    lanes: dict[str, dict[str, int]]  # lane → {"red": n, "yellow": n, "total": n}
    total: int


def counts(actor: authz.Actor, filters: Filters, now: datetime) -> list[VillageCount]:
    """How many of the filtered list each village has, per lane and colour (over what the viewer may
    see, like every figure: authz.count_grouped)."""
    C = Complaint
    keys = (C.village_id, C.lane, cast("ColumnElement[str | None]", C.colour))  # the hybrid's SQL side
    grouped = authz.count_grouped(actor, MONITOR, C, keys, *_where(filters, now))
    villages: dict[int, dict[str, dict[str, int]]] = {}
    for (village_id, lane, colour), n in grouped.items():
        lane_counts = villages.setdefault(village_id, {}).setdefault(lane, {"red": 0, "yellow": 0, "total": 0})
        lane_counts["total"] += n
        if colour in ("red", "yellow"):
            lane_counts[colour] += n
    return [
        VillageCount(village_id, lanes, sum(c["total"] for c in lanes.values()))
        for village_id, lanes in sorted(villages.items())
    ]


@dataclass(frozen=True)
class VillageRate:
    village_id: int
    village_name: str
    closed: int
    on_time: int
    open_overdue: int
    rate: float | None  # on time / closed; None under the minimum number of closed cases


def on_time_rates(actor: authz.Actor, *, min_cases: int = MIN_CASES_FOR_RATE) -> list[VillageRate]:
    """Per village: cases closed (with their frozen on-time/late outcome) and open overdue ones. A rate
    is given only over at least `min_cases` closed cases."""
    C = Complaint
    closed = func.count(C.id).filter(C.deadline_outcome.is_not(None))
    on_time = func.count(C.id).filter(C.deadline_outcome == "on_time")
    overdue = func.count(C.id).filter(C.status.in_(OPEN), C.colour.in_(("red", "yellow")))
    rows = db.session.execute(
        select(C.village_id, Village.name, closed, on_time, overdue)
        .join(Village, Village.id == C.village_id)
        .where(authz.scoped(actor, MONITOR, C), C.moderation == "clear")
        .group_by(C.village_id, Village.name)
        .order_by(Village.name)
    ).all()
    return [VillageRate(*row, rate=round(row[3] / row[2], 4) if row[2] >= min_cases else None) for row in rows]


def overdue_questions(actor: authz.Actor, now: datetime, village_id: int | None = None) -> list[Question]:
    """Disclosure questions past their reply period and unanswered, with the level they reached."""
    villages = select(Village.id).where(authz.scoped(actor, "disclosure.monitor", Village))
    where = [
        Question.village_id.in_(villages),
        Question.answered_at.is_(None),
        Question.moderation == "visible",
        Question.due_at <= now,
    ]
    if village_id is not None:
        where.append(Question.village_id == village_id)
    return list(db.session.scalars(select(Question).where(*where).order_by(Question.due_at)))


# ---- Excel export ----

COLUMNS = ("编号", "村", "类别", "状态", "预警", "承办", "提级", "应办时限", "反映时间", "已历天数")
STATUS_NAMES = {
    "held": "待审核",
    "assigned": "待签收",
    "returned": "已退单",
    "signed": "办理中",
    "waiting": "待补充",
    "replied": "已答复",
    "closed": "已办结",
}
COLOUR_NAMES = {"red": "红", "yellow": "黄", "green": "绿", None: ""}
LEVEL_NAMES = {0: "", 1: "已提级至镇", 2: "已提级至县"}
_FILLS = {"red": "FFC7CE", "yellow": "FFEB9C", "green": "C6EFCE"}
EXPORT_LIMIT = 20_000


def _stamp(value: datetime | None) -> str:
    return f"{to_shanghai(value):%Y-%m-%d %H:%M}" if value else ""


def row_values(c: OfficerCase, village_name: str, now: datetime) -> dict[str, str | int]:
    """One case as a row of the list, by column (COLUMNS): the export's cells and the board's cells."""
    return dict(
        zip(
            COLUMNS,
            (
                c.reference,
                village_name,
                CATEGORIES[c.category].name,
                STATUS_NAMES[c.status],
                COLOUR_NAMES[c.colour],
                handler_label(c),
                LEVEL_NAMES.get(c.escalation_level, f"{c.escalation_level}级"),
                _stamp(c.due_at),
                _stamp(c.filed_at),
                (now - c.filed_at).days,
            ),
            strict=True,
        )
    )


def export_xlsx(actor: authz.Actor, filters: Filters, now: datetime) -> bytes:
    """The filtered list as a workbook (write-only mode: memory stays flat for large lists)."""
    where = [authz.scoped(actor, MONITOR, Complaint), *_where(filters, now)]
    book = Workbook(write_only=True)
    sheet = book.create_sheet("督办清单")
    sheet.append(list(COLUMNS))
    # the village's name joined in: only the villages on the list, read with it
    query = (
        select(Complaint, Village.name)
        .join(Village, Village.id == Complaint.village_id)
        .where(*where)
        .order_by(*_ORDER_BY[filters.order])
        .limit(EXPORT_LIMIT)
        .execution_options(yield_per=500)
    )
    for row, village_name in db.session.execute(query):
        c = project(row)  # the export is an officers' output like any other
        values = list(row_values(c, village_name, now).values())
        cells = [WriteOnlyCell(sheet, value=value) for value in values]
        if c.colour in _FILLS:
            cells[4].fill = PatternFill("solid", fgColor=_FILLS[c.colour])
            cells[4].font = Font(bold=True)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
