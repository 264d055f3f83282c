"""Township and county monitoring (督办): overdue and at-risk cases, per-village on-time rates, and
the Excel export of a filtered list. Scope comes from the one authorization layer
("complaint.monitor": never a case the viewer is the subject of)."""

from __future__ import annotations

import io
from dataclasses import dataclass
from datetime import datetime, timedelta

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font, PatternFill
from sqlalchemy import ColumnElement, and_, func, or_, select

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
    view: str = "overdue"  # overdue: red or yellow and open; at_risk: reminder time passed, not yet due
    village_id: int | None = None
    category: str | None = None
    colour: str | None = None
    min_age_days: int | None = None  # filed at least this many days ago


MONITOR = "complaint.monitor"  # never a case the viewer is the subject of; the dispatcher: the service lane


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
    if filters.village_id is not None:
        where.append(C.village_id == filters.village_id)
    if filters.category is not None:
        where.append(C.category == filters.category)
    if filters.colour is not None:
        where.append(C.colour == filters.colour)
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
        .order_by(Complaint.due_at.is_(None), Complaint.due_at, Complaint.id)
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return [project(c) for c in items], total


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
        .order_by(Complaint.due_at.is_(None), Complaint.due_at, Complaint.id)
        .limit(EXPORT_LIMIT)
        .execution_options(yield_per=500)
    )
    for row, village_name in db.session.execute(query):
        c = project(row)  # the export is an officers' output like any other
        colour = c.colour
        values = [
            c.reference,
            village_name,
            CATEGORIES[c.category].name,
            STATUS_NAMES[c.status],
            COLOUR_NAMES[colour],
            handler_label(c),
            LEVEL_NAMES.get(c.escalation_level, f"{c.escalation_level}级"),
            _stamp(c.due_at),
            _stamp(c.filed_at),
            (now - c.filed_at).days,
        ]
        cells = [WriteOnlyCell(sheet, value=value) for value in values]
        if colour in _FILLS:
            cells[4].fill = PatternFill("solid", fgColor=_FILLS[colour])
            cells[4].font = Font(bold=True)
        sheet.append(cells)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()
