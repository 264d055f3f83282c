"""Deadlines and monitoring (时限与督办): township policies, the villager's supplement while the
office waits, and the township/county monitoring list, on-time rates and Excel export."""

from __future__ import annotations

from flask import Response

from app.api import bp, files
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.complaints import ComplaintOut, HandlerComplaintOut, NoteIn
from app.api.schemas.deadlines import (
    DeadlinePoliciesOut,
    DeadlinePolicyIn,
    MonitoredPageOut,
    MonitorIn,
    OverdueQuestionOut,
    PolicyChangeOut,
    QuestionMonitorIn,
    RatesIn,
    VillageRateOut,
)
from app.clock import to_shanghai, utcnow
from app.domain import authz
from app.domain.complaints import cases, filer_view, officer_view
from app.domain.deadlines import escalation, monitoring, policy
from app.models import Complaint, Township

_ERRORS = ["invalid_transition", "case_changed"]
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


# ---- waiting for the villager: the office's clock stands still ----
@bp.post("/complaints/<int:complaint_id>/ask")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="请反映人补充情况（等待期间办理时限暂停）",
    body=NoteIn(),
    response=HandlerComplaintOut(),
    errors=_ERRORS,
)
def ask_villager(complaint_id: int, body):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.ask_villager(actor, complaint_id, body["text"]))


@bp.post("/me/complaints/<int:complaint_id>/supply")
@endpoint(
    tags=["villager"],
    summary="补充情况（回复承办部门的询问）",
    auth="wx",
    body=NoteIn(),
    response=ComplaintOut(),
    errors=_ERRORS,
)
def supply(complaint_id: int, body):
    return filer_view.project(cases.supply(current_actor().id, complaint_id, body["text"]))


# ---- policies ----
@bp.get("/townships/<int:township_id>/deadline-policies")
@endpoint(tags=["township", "county"], summary="办理时限（现行与历史）", auth="console", response=DeadlinePoliciesOut())
def list_policies(township_id: int):
    authz.get_or_404(current_actor(), "deadline_policy.read", Township, township_id)
    return {"live": policy.policies(township_id), "history": policy.history(township_id)}


@bp.put("/townships/<int:township_id>/deadline-policies/<lane>")
@endpoint(
    tags=["township", "county"],
    summary="设置办理时限（旧规定停用保留；新规定适用于此后到达承办部门的案件，在办案件的时限只会缩短）",
    auth="console",
    body=DeadlinePolicyIn(),
    response=PolicyChangeOut(),
    errors=["unknown_lane", "lane_not_yours", "unknown_unit", "invalid_amount", "sign_after_handle"],
    description="The discipline lane is set by the township discipline office (or the county), the service "
    "lane by the township leader or dispatcher (or the county). A clock already running keeps the policy it started under unless the new one is shorter. "
    "Saving the live policy unchanged writes nothing (`changed` false). Cases handled by the "
    "county and cases about the caller are never touched. `recomputed` counts only the cases "
    "the caller may read.",
)
def set_policy(township_id: int, lane: str, body):
    return change_policy(current_actor(), township_id, lane, body)


def change_policy(actor: authz.Actor, township_id: int, lane: str, body: dict) -> dict:
    """Set a lane's policy and shorten the running clocks it shortens (the API's PUT and the console's
    form): {"policy", "changed", "recomputed" (counted over the cases the caller may read)}."""
    township = authz.get_or_404(actor, "deadline_policy.read", Township, township_id)
    row, changed = policy.set_policy(actor, township, lane, **body)
    shortened = escalation.recompute_open(actor, township.id, lane) if changed else []
    return {
        "policy": row,
        "changed": changed,
        "recomputed": authz.count(actor, "complaint.read", Complaint, Complaint.id.in_(shortened)),
    }


# ---- monitoring ----
FILTERS = ("view", "village_id", "category", "lane", "status", "colour", "escalation_level", "min_age_days")


def monitor_filters(query: dict) -> monitoring.Filters:
    """The monitoring filters of a MonitorIn query (the API's list and export, the console's board)."""
    return monitoring.Filters(**{k: query[k] for k in FILTERS if k in query}, order=query.get("sort", "due"))


@bp.get("/monitoring/complaints")
@endpoint(
    tags=["township", "county"],
    summary="督办：逾期与临期案件（红黄绿预警）",
    auth="console",
    query=MonitorIn(),
    response=MonitoredPageOut(),
)
def monitored(query):
    items, total = monitoring.cases(
        current_actor(), monitor_filters(query), utcnow(), page=query["page"], per_page=query["per_page"]
    )
    return {"items": items, "total": total}


@bp.get("/monitoring/complaints.xlsx")
@endpoint(
    tags=["township", "county"],
    summary="督办清单导出（Excel，筛选条件同列表）",
    auth="console",
    query=MonitorIn(),
    produces=XLSX,
)
def monitored_xlsx(query):
    return monitoring_workbook(current_actor(), query)


def monitoring_workbook(actor: authz.Actor, query: dict) -> Response:
    """The filtered monitoring list as an Excel download (the API's export and the console's board)."""
    now = utcnow()
    data = monitoring.export_xlsx(actor, monitor_filters(query), now)
    name = f"dubanqingdan-{to_shanghai(now):%Y%m%d-%H%M}.xlsx"
    return Response(data, mimetype=XLSX, headers={"Content-Disposition": files.content_disposition(name)})


@bp.get("/monitoring/on-time-rates")
@endpoint(
    tags=["township", "county"],
    summary="各村按时办结率（办结案件不足 min_cases 件的不计算）",
    auth="console",
    query=RatesIn(),
    response=VillageRateOut(many=True),
)
def on_time_rates(query):
    return monitoring.on_time_rates(current_actor(), min_cases=query["min_cases"])


@bp.get("/monitoring/questions")
@endpoint(
    tags=["township", "county"],
    summary="逾期未答复的质询",
    auth="console",
    query=QuestionMonitorIn(),
    response=OverdueQuestionOut(many=True),
)
def overdue_questions(query):
    return monitoring.overdue_questions(current_actor(), utcnow(), query.get("village_id"))
