"""三务公开: per village the statutory calendar (due / late / missing), the reach of each published item
(the share of households that opened it), public questions unanswered with their due dates, and the
held questions the township releases or rejects. The API's domain throughout: the calendar and its
warnings (app.domain.disclosures.calendar), reach (…reach, over "household.read"), questions and
their moderation (…questions, "question.moderate"), shown through the questions' projection (never
who asked)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime

from flask import current_app, make_response, render_template, request, url_for
from sqlalchemy import select

from app.api.endpoint import load_input
from app.api.schemas.complaints import ReasonIn
from app.api.schemas.disclosures import CalendarIn
from app.clock import to_shanghai, utcnow
from app.console import bp
from app.console.actions import act, in_sight
from app.console.pages import form_input, page, viewer
from app.domain import authz
from app.domain.deadlines import monitoring
from app.domain.disclosures import calendar, question_view, questions, reach
from app.errors import AppError
from app.extensions import db
from app.models import Disclosure, DisclosureVersion, Township, Village

CALENDAR_STATUSES = {"overdue": "逾期未公开", "due": "待公开", "published_late": "逾期公开", "on_time": "按时公开"}
CATEGORY_LABELS = {"party": "党务", "village": "村务", "finance": "财务"}
FREQUENCY_LABELS = {"monthly": "每月", "quarterly": "每季度", "immediate": "即时"}
QUESTION_STATUSES = {
    "open": "待答复",
    "overdue": "逾期未答复",
    "answered": "已答复",
    "held": "待审核",
    "rejected": "未通过",
}
LEVEL_LABELS = {0: "", 1: "已提级至镇", 2: "已提级至县"}


def _titles(disclosure_ids: Iterable[int]) -> dict[int, str]:
    """The published title of each disclosure (what villagers read)."""
    ids = set(disclosure_ids)
    if not ids:
        return {}
    rows = db.session.execute(
        select(Disclosure.id, DisclosureVersion.title)
        .join(DisclosureVersion, DisclosureVersion.id == Disclosure.published_version_id)
        .where(Disclosure.id.in_(ids))
    )
    return dict(rows.all())


def _overview(*, status: int = 200, error: AppError | None = None, failed_question: int | None = None):
    actor, now = viewer(), utcnow()
    villages = in_sight("disclosure.monitor", Village, Village.township_id, Village.code)
    townships = in_sight("township.read", Township, Township.code)
    held = [(t, question_view.project_all(questions.held_in_township(actor, t.id), now)) for t in townships]
    overdue = question_view.project_all(monitoring.overdue_questions(actor, now), now)
    shown = [q for _t, items in held for q in items] + overdue
    html = render_template(
        "console/disclosures.html",
        warnings=calendar.warnings(actor, villages, now=now),
        held=[(t, items) for t, items in held if items],
        may_moderate=bool(actor.roles() & set(authz.roles_with("question.moderate"))),
        overdue=overdue,
        titles=_titles(q.disclosure_id for q in shown),
        village_names={v.id: v.name for v in villages},
        levels=LEVEL_LABELS,
        error=error,
        failed_question=failed_question,
        form=request.form if error else {},
    )
    return make_response(html, status)


@bp.get("/disclosures")
@page
def disclosures():
    return _overview()


def _since_choices(now: datetime) -> list[date]:
    """Where a calendar may start: the first of January of the last years, as far back as the API's
    calendar goes (calendar.earliest_since)."""
    today = to_shanghai(now).date()
    earliest = calendar.earliest_since(today)
    return [date(year, 1, 1) for year in range(today.year, earliest.year - 1, -1) if date(year, 1, 1) >= earliest]


@bp.get("/disclosures/villages/<int:village_id>")
@page
def village_disclosures(village_id: int):
    actor, now = viewer(), utcnow()
    village = authz.get_or_404(actor, "disclosure.monitor", Village, village_id)
    since = request.args.get("since", "").strip()
    query = load_input(CalendarIn(), {"since": since} if since else {})  # the API's calendar query
    rows = calendar.recent(village, now=now, since=query.get("since"))
    wanted = request.args.get("status") if request.args.get("status") in CALENDAR_STATUSES else None
    published = list(
        db.session.scalars(
            select(Disclosure)
            .where(Disclosure.village_id == village.id, Disclosure.published_version_id.is_not(None))
            .order_by(Disclosure.first_published_at.desc())
        )
    )
    reached = reach.reach_of(actor, published)
    summary = reach.village_summary(actor, village.id)
    shown = question_view.project_all(questions.village_questions(village.id), now)
    return render_template(
        "console/village_disclosures.html",
        village=village,
        rows=[r for r in rows if wanted in (None, "", r.status)],
        status_choices=[
            (key, f"{label}（{sum(r.status == key for r in rows)}）") for key, label in CALENDAR_STATUSES.items()
        ],
        wanted=wanted or "",
        since=query.get("since"),
        since_choices=[(start.isoformat(), f"{start.year}年{start.month}月起") for start in _since_choices(now)],
        statuses=CALENDAR_STATUSES,
        categories=CATEGORY_LABELS,
        frequencies=FREQUENCY_LABELS,
        published=[(d, reached[d.id]) for d in published],
        summary=summary,
        unanswered=[q for q in shown if q.status in ("open", "overdue")],
        answered=[q for q in shown if q.status == "answered"],
        titles=_titles(q.disclosure_id for q in shown),
        question_statuses=QUESTION_STATUSES,
        levels=LEVEL_LABELS,
    )


@bp.post("/disclosure-questions/<int:question_id>/release")
@page
def release_question(question_id: int):
    """审核通过: public from now on, its reply period starting now (the API's questions.release)."""
    days = current_app.config["QUESTION_REPLY_DAYS"]
    return act(
        lambda: questions.release(viewer(), question_id, reply_days=days),
        done=f"质询已审核通过并公开，村里须在 {days} 天内答复",
        back=url_for("console.disclosures"),
        failed=lambda exc: _overview(status=exc.status, error=exc, failed_question=question_id),
    )


@bp.post("/disclosure-questions/<int:question_id>/reject")
@page
def reject_question(question_id: int):
    """审核不通过: never shown, the reason kept (the API's questions.reject)."""
    return act(
        lambda: questions.reject(viewer(), question_id, form_input(ReasonIn())["reason"]),
        done="质询未通过审核，不予公开",
        back=url_for("console.disclosures"),
        failed=lambda exc: _overview(status=exc.status, error=exc, failed_question=question_id),
    )
