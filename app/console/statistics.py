"""统计: per village and per month — cases filed, the on-time rate, the median time to sign and to reply,
escalations, the villagers' rating and the reach of disclosures — as tables and charts (Apache ECharts,
served from app/static/vendor, drawn by app/static/console/charts.js from the page's JSON), and for
the county a table comparing its townships. Every figure is app.domain.statistics', taken over what
the viewer may see."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import make_response, render_template

from app.api.schemas.statistics import StatisticsIn
from app.clock import to_shanghai, utcnow
from app.console import bp
from app.console.pages import page, query_input, viewer
from app.domain import statistics
from app.domain.statistics import Figures, Report
from app.errors import AppError

DEFAULT_MONTHS = 12
CHOICE_MONTHS = 60


def _month(text: str | None) -> date | None:
    return date(int(text[:4]), int(text[5:7]), 1) if text else None


def _months_back(month: date, count: int) -> date:
    index = month.year * 12 + month.month - 1 - count
    return date(index // 12, index % 12 + 1, 1)


def _pct(value: float | None) -> float | None:
    return round(value * 100, 1) if value is not None else None


def _hours(value: float | None) -> float | None:
    return round(value, 1) if value is not None else None


def _series(figures: list[Figures]) -> dict[str, list[Any]]:
    """One list per figure, in the order of `figures` (a chart's x axis)."""
    return {
        "filed": [f.filed for f in figures],
        "closed": [f.closed for f in figures],
        "escalated": [f.escalated for f in figures],
        "on_time_rate": [_pct(f.on_time_rate) for f in figures],
        "median_sign_hours": [_hours(f.median_sign_hours) for f in figures],
        "median_reply_hours": [_hours(f.median_reply_hours) for f in figures],
        "rating": [round(f.rating, 2) if f.rating is not None else None for f in figures],
        "reach": [_pct(f.reach) for f in figures],
    }


def chart_data(report: Report) -> dict[str, Any]:
    """What the charts draw: the months, and the villages (or, for the county, the townships)."""
    if len(report.townships) > 1:
        places = [(name, report.by_township[t]) for t, name in report.townships]
    else:
        places = [(v.name, report.by_village[v.id]) for v in report.villages]
    return {
        "months": report.months,
        "by_month": _series([report.by_month[m] for m in report.months]),
        "places": [name for name, _ in places],
        "place_kind": "镇（街道）" if len(report.townships) > 1 else "村（社区）",
        "by_place": _series([f for _, f in places]),
    }


@bp.app_template_filter("percent")
def _percent(value: float | None) -> str:
    return "—" if value is None else f"{value * 100:.1f}%"


@bp.app_template_filter("duration")
def _duration(hours: float | None) -> str:
    """Hours as people read a time to act: hours under two days, days above."""
    if hours is None:
        return "—"
    return f"{hours:.1f} 小时" if hours < 48 else f"{hours / 24:.1f} 天"


@bp.get("/statistics")
@page
def statistics_page():
    actor = viewer()
    this_month = to_shanghai(utcnow()).date().replace(day=1)
    query = query_input(StatisticsIn())
    first = _month(query.get("since")) or _months_back(this_month, DEFAULT_MONTHS - 1)
    last = _month(query.get("until")) or this_month
    village_choices = [(v.id, v.name) for v in statistics.visible_villages(actor)]
    form = {"since": f"{first:%Y-%m}", "until": f"{last:%Y-%m}", "village_id": query.get("village_id")}
    # the months to choose from: five years back, newest first (typed in the address, any month works)
    choices = list(reversed(statistics.months_between(_months_back(this_month, CHOICE_MONTHS - 1), this_month)))
    try:
        report = statistics.report(actor, first=first, last=last, village_id=query.get("village_id"))
    except AppError as exc:
        if exc.kind == "not_found":
            raise  # a village out of sight: the console's 404, like absent
        html = render_template(
            "console/statistics.html",
            report=None,
            error=exc,
            village_choices=village_choices,
            form=form,
            month_choices=choices,
        )
        return make_response(html, exc.status)
    return render_template(
        "console/statistics.html",
        report=report,
        charts=chart_data(report),
        village_choices=village_choices,
        form=form,
        month_choices=choices,
        error=None,
    )
