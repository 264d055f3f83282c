"""看板: the landing page. Open cases by deadline state (red / yellow / green), counted per village and
lane, filtered, sorted, paginated, refreshed every 30 s (htmx polls the results fragment) and exported
to Excel — the API's monitoring list (`GET /monitoring/complaints`, its filters `MonitorIn`, its domain
`app.domain.deadlines.monitoring`, scope "complaint.monitor") and its export, not a second one."""

from __future__ import annotations

import math
from typing import Any

from flask import current_app, render_template, request, url_for
from sqlalchemy import select

from app.api.deadlines import monitor_filters, monitoring_workbook
from app.api.schemas.deadlines import MonitorIn
from app.clock import utcnow
from app.console import bp
from app.console.pages import page, query_input, viewer
from app.domain import authz
from app.domain.complaints.categories import CATEGORIES, DISCIPLINE, SERVICE
from app.domain.deadlines import monitoring
from app.extensions import db
from app.models import Village

# the board opens on every open case, the most urgent first, a screenful at a time
DEFAULTS = {"view": "open", "per_page": 25, "sort": "urgent"}
LANE_LABELS = {SERVICE: "服务类", DISCIPLINE: "纪检监察类"}
VIEW_LABELS = {"open": "全部在办", "overdue": "逾期预警", "at_risk": "临近期限", "all": "全部（含办结）"}
COLOUR_LABELS = {"red": "红 · 逾期", "yellow": "黄 · 逾期在办", "green": "绿 · 已办结", None: "按期"}
LEVEL_LABELS = {0: "未提级", 1: "已提级至镇", 2: "已提级至县"}
AGE_CHOICES = (3, 7, 15, 30, 60)
SORTABLE = {"预警": "urgent", "村": "village", "提级": "level", "应办时限": "due", "反映时间": "filed"}
_FILTER_ARGS = ("view", "village_id", "category", "lane", "status", "colour", "escalation_level", "min_age_days")


def _args(**changes: Any) -> dict[str, Any]:
    """The board's current query, changed (None removes a key): every link keeps the filters."""
    args = {k: v for k, v in request.args.items() if v != ""}
    args.update(changes)
    return {k: v for k, v in args.items() if v is not None}


def _results(query: dict[str, Any]) -> dict[str, Any]:
    actor, now = viewer(), utcnow()
    filters = monitor_filters(query)
    items, total = monitoring.cases(actor, filters, now, page=query["page"], per_page=query["per_page"])
    counts = monitoring.counts(actor, filters, now)
    village_ids = {c.village_id for c in items} | {c.village_id for c in counts}
    names = dict(db.session.execute(select(Village.id, Village.name).where(Village.id.in_(village_ids))).all())
    export_args = {k: query[k] for k in _FILTER_ARGS if query.get(k) is not None}
    return {
        "rows": [(case, monitoring.row_values(case, names[case.village_id], now)) for case in items],
        "total": total,
        "counts": [(c, names[c.village_id]) for c in counts],
        "query": query,
        "pages": max(1, math.ceil(total / query["per_page"])),
        "args": _args,
        "export_url": url_for("console.board_xlsx", **export_args, sort=query["sort"]),
        "refresh_url": url_for("console.board_results", **_args()),
        "refresh_seconds": current_app.config["CONSOLE_REFRESH_SECONDS"],
        "refreshed_at": now,
        "lanes": LANE_LABELS,
        "colours": COLOUR_LABELS,
        "statuses": monitoring.STATUS_NAMES,
        "sortable": SORTABLE,
    }


@bp.get("/")
@page
def board():
    query = query_input(MonitorIn(), **DEFAULTS)
    villages = db.session.execute(
        select(Village.id, Village.name)
        .where(authz.scoped(viewer(), "village.read", Village))
        .order_by(Village.township_id, Village.code)
    ).all()
    return render_template(
        "console/board.html",
        villages=villages,
        categories=[(c.key, c.name) for c in CATEGORIES.values()],
        views=VIEW_LABELS,
        levels=LEVEL_LABELS,
        ages=[(days, f"{days} 天以上") for days in AGE_CHOICES],
        colour_choices=[(colour, COLOUR_LABELS[colour]) for colour in ("red", "yellow", "green")],
        filter_statuses={k: v for k, v in monitoring.STATUS_NAMES.items() if k in monitoring.STATUSES},
        **_results(query),
    )


@bp.get("/board/results")
@page
def board_results():
    """The results fragment the board polls (htmx): counts, table and pages under the same filters."""
    return render_template("console/_board_results.html", **_results(query_input(MonitorIn(), **DEFAULTS)))


@bp.get("/board.xlsx")
@page
def board_xlsx():
    """导出 Excel: exactly the board's filtered set (every page), in the board's order."""
    return monitoring_workbook(viewer(), query_input(MonitorIn(), **DEFAULTS))
