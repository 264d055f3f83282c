"""Complaints (监督一点通): villagers file and follow at the door; offices sign for, reply, send back
and re-dispatch; township staff moderate and edit routing. Views: parse, authorize, call the domain."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import bp
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.complaints import (
    ComplaintIn,
    ComplaintListIn,
    ComplaintOptionsOut,
    ComplaintOut,
    ComplaintPageOut,
    ComplaintPublicOut,
    ConfirmIn,
    HandlerComplaintOut,
    MergeIn,
    NoteIn,
    PublicResolvedOut,
    PublicSummaryIn,
    RatingIn,
    ReasonIn,
    RecategoriseIn,
    RedispatchIn,
    RoutingRuleIn,
    RoutingRuleOut,
    TransferIn,
)
from app.domain import authz, household_codes
from app.domain.complaints import cases, filer_view, officer_view, options, public_view, routing
from app.extensions import db, get_redis
from app.models import Complaint, Township, WxUser
from app.wechat.current import wechat

_ERRORS = ["invalid_transition", "case_changed"]


# ---- villagers ----
@bp.get("/complaint-options")
@endpoint(
    tags=["villager"],
    summary="反映问题的可选项：类别（按受理渠道分组）、可反映的职务、描述字数",
    auth=None,
    response=ComplaintOptionsOut(),
)
def complaint_options():
    return options.filing_options()


@bp.post("/h/<code>/complaints")
@endpoint(
    tags=["villager"],
    summary="从门牌码反映问题（监督一点通）",
    auth="wx",
    body=ComplaintIn(),
    response=ComplaintOut(),
    status=201,
    errors=[
        "household_code_void",
        "unknown_category",
        "unknown_role",
        "contact_name_required",
        "rate_limited",
        "content_refused",
        "content_check_unavailable",
        "request_id_reused",
        "too_many_photos",
        "duplicate_photos",
        "photo_not_found",
        "photo_refused",
        "photo_already_attached",
    ],
)
def file_complaint(code: str, body):
    household = household_codes.resolve_or_void(code)
    complaint, _created = cases.file(
        db.session.get_one(WxUser, current_actor().id),
        household,
        cases.Filing(**body),
        wechat=wechat(),
        redis=get_redis(),
    )
    return filer_view.project(complaint)


@bp.get("/me/complaints")
@endpoint(tags=["villager"], summary="我反映的问题", auth="wx", response=ComplaintOut(many=True))
def my_complaints():
    return filer_view.project_all(
        db.session.scalars(
            select(Complaint)
            .options(selectinload(Complaint.events), selectinload(Complaint.photos))
            .where(Complaint.filed_by_user_id == current_actor().id)
            .order_by(Complaint.filed_at.desc())
        )
    )


@bp.get("/me/complaints/<int:complaint_id>")
@endpoint(tags=["villager"], summary="我反映的问题：办理进度", auth="wx", response=ComplaintOut())
def my_complaint(complaint_id: int):
    return filer_view.project(cases.own(current_actor().id, complaint_id))


@bp.post("/me/complaints/<int:complaint_id>/confirm")
@endpoint(
    tags=["villager"],
    summary="确认已解决，或反馈未解决（重新办理）",
    auth="wx",
    body=ConfirmIn(),
    response=ComplaintOut(),
    errors=_ERRORS,
)
def confirm_complaint(complaint_id: int, body):
    return filer_view.project(
        cases.confirm(current_actor().id, complaint_id, solved=body["solved"], note=body.get("note"))
    )


@bp.post("/me/complaints/<int:complaint_id>/rating")
@endpoint(
    tags=["villager"],
    summary="办结后评价",
    auth="wx",
    body=RatingIn(),
    response=ComplaintOut(),
    errors=["not_closed", "already_rated"],
)
def rate_complaint(complaint_id: int, body):
    return filer_view.project(cases.rate(current_actor().id, complaint_id, body["stars"], body.get("comment")))


@bp.get("/me/complaints/<int:complaint_id>/merged-into")
@endpoint(
    tags=["villager"],
    summary="已合并的反映：继续查看合并后案件的公开进度",
    auth="wx",
    response=ComplaintPublicOut(),
    errors=["not_merged"],
    description="A case closed as a duplicate (resolution `merged`) is worked in the case it went into. Its "
    "villager follows that case here: its public timeline only (no description, no identities), "
    "following later merges to the case that carries on.",
)
def my_complaint_merged_into(complaint_id: int):
    return public_view.project(cases.merged_into(current_actor().id, complaint_id))


@bp.get("/h/<code>/resolved-complaints")
@endpoint(
    tags=["villager"],
    summary="本村已解决的问题（公开：编号、类别、日期和承办部门撰写的公开摘要）",
    auth=None,
    response=PublicResolvedOut(many=True),
    errors=["household_code_void"],
    description="Never a case about a named person; never the villager's notes or the reply to them.",
)
def resolved_in_village(code: str):
    household = household_codes.resolve_or_void(code)
    return cases.public_resolved(household.village_id)


# ---- handling offices ----
@bp.get("/complaints")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="我的待办（分派给本岗位的案件）",
    query=ComplaintListIn(),
    response=ComplaintPageOut(),
)
def inbox(query):
    actor = current_actor()
    items, total = desk(actor, query)
    return {"items": officer_view.for_actor(actor, items), "total": total}


def desk(actor: authz.Actor, query: dict) -> tuple[list[Complaint], int]:
    """The office's desk for a ComplaintListIn query (the API's inbox and the console's 案件 page)."""
    return cases.inbox(
        actor,
        status=query.get("status"),
        village_id=query.get("village_id"),
        category=query.get("category"),
        page=query["page"],
        per_page=query["per_page"],
    )


@bp.get("/complaints/<int:complaint_id>")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="案件详情（反映人联系方式仅对承办部门可见）",
    response=HandlerComplaintOut(),
)
def complaint_detail(complaint_id: int):
    actor = current_actor()
    return officer_view.seen_by(actor, authz.get_or_404(actor, "complaint.read", Complaint, complaint_id))


@bp.post("/complaints/<int:complaint_id>/sign")
@endpoint(tags=["cadre", "township", "county"], summary="签收", response=HandlerComplaintOut(), errors=_ERRORS)
def sign_complaint(complaint_id: int):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.sign_for(actor, complaint_id))


@bp.post("/complaints/<int:complaint_id>/reply")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="答复村民（公开给反映人）",
    body=NoteIn(),
    response=HandlerComplaintOut(),
    errors=_ERRORS,
)
def reply_complaint(complaint_id: int, body):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.reply(actor, complaint_id, body["text"]))


@bp.put("/complaints/<int:complaint_id>/public-summary")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="填写公开摘要（本村已解决问题公开列表显示的内容）",
    body=PublicSummaryIn(),
    response=HandlerComplaintOut(),
    errors=["not_publishable", "invalid_text"],
)
def set_public_summary(complaint_id: int, body):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.set_public_summary(actor, complaint_id, body["text"]))


@bp.post("/complaints/<int:complaint_id>/send-back")
@endpoint(
    tags=["cadre", "township"],
    summary="退单（非本岗位职责，退回镇四平台）",
    body=ReasonIn(),
    response=HandlerComplaintOut(),
    errors=_ERRORS,
)
def send_back_complaint(complaint_id: int, body):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.send_back(actor, complaint_id, body["reason"]))


@bp.post("/complaints/<int:complaint_id>/redispatch")
@endpoint(
    tags=["township"],
    summary="重新分派（镇四平台）",
    auth="console",
    body=RedispatchIn(),
    response=HandlerComplaintOut(),
    errors=_ERRORS + ["dispatcher_only", "conflict_of_interest", "unknown_role", "unknown_target", "role_vacant"],
)
def redispatch_complaint(complaint_id: int, body):
    actor = current_actor()
    complaint = cases.redispatch(
        actor, complaint_id, target=body["target"], role=body.get("role"), reason=body["reason"]
    )
    return officer_view.seen_by(actor, complaint)


_REROUTING_ERRORS = _ERRORS + ["case_closed", "already_merged"]


@bp.post("/complaints/<int:complaint_id>/transfer")
@endpoint(
    tags=["township"],
    summary="转办（镇四平台或承办的镇街部门转给本镇另一部门）",
    auth="console",
    body=TransferIn(),
    response=HandlerComplaintOut(),
    errors=_REROUTING_ERRORS
    + ["transfer_not_allowed", "conflict_of_interest", "unknown_role", "unknown_target", "role_vacant", "same_handler"],
)
def transfer_complaint(complaint_id: int, body):
    actor = current_actor()
    complaint = cases.transfer(
        actor,
        complaint_id,
        target=body["target"],
        role=body.get("role"),
        reason=body["reason"],
        public_note=body.get("public_note"),
    )
    return officer_view.seen_by(actor, complaint)


@bp.post("/complaints/<int:complaint_id>/recategorise")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="改类（按新类别重新分派，村民可见改动）",
    body=RecategoriseIn(),
    response=HandlerComplaintOut(),
    errors=_REROUTING_ERRORS + ["recategorise_not_allowed", "unknown_category", "same_category"],
)
def recategorise_complaint(complaint_id: int, body):
    actor = current_actor()
    complaint = cases.recategorise(actor, complaint_id, category=body["category"], reason=body["reason"])
    return officer_view.seen_by(actor, complaint)


@bp.post("/complaints/<int:complaint_id>/merge")
@endpoint(
    tags=["township"],
    summary="合并重复反映（本案办结，并入同村另一条未办结的反映）",
    auth="console",
    body=MergeIn(),
    response=HandlerComplaintOut(),
    errors=_REROUTING_ERRORS
    + [
        "merge_not_allowed",
        "merge_into_self",
        "merge_target_not_found",
        "merge_target_closed",
        "merge_across_villages",
        "merge_different_subject",
    ],
)
def merge_complaint(complaint_id: int, body):
    actor = current_actor()
    complaint = cases.merge(actor, complaint_id, into_id=body["into_id"], reason=body["reason"])
    return officer_view.seen_by(actor, complaint)


@bp.post("/complaints/<int:complaint_id>/release")
@endpoint(
    tags=["township", "county"],
    summary="审核通过（内容待人工审核的案件）",
    auth="console",
    response=HandlerComplaintOut(),
    errors=_ERRORS,
)
def release_complaint(complaint_id: int):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.release(actor, complaint_id))


@bp.post("/complaints/<int:complaint_id>/reject")
@endpoint(
    tags=["township", "county"],
    summary="审核不通过（说明理由，反映人可见）",
    auth="console",
    body=ReasonIn(),
    response=HandlerComplaintOut(),
    errors=_ERRORS,
)
def reject_complaint(complaint_id: int, body):
    actor = current_actor()
    return officer_view.seen_by(actor, cases.reject(actor, complaint_id, body["reason"]))


# ---- routing rules ----
@bp.get("/townships/<int:township_id>/complaint-routes")
@endpoint(
    tags=["township", "county"],
    summary="反映问题的分派规则：每个类别的默认规则（default）、本镇街设置的规则及已停用的历史",
    auth="console",
    response=RoutingRuleOut(many=True),
    description="Every category has its built-in default as a row (`default` true, `id` null), in force unless a "
    "live township-wide rule replaces it; discipline categories are fixed to the township discipline office. "
    "`in_force` tells which rows routing follows now.",
)
def list_routes(township_id: int):
    authz.get_or_404(current_actor(), "complaint.route", Township, township_id)
    return routing.rule_table(township_id, include_inactive=True)


@bp.post("/townships/<int:township_id>/complaint-routes")
@endpoint(
    tags=["township", "county"],
    summary="设置分派规则（旧规则停用保留）",
    auth="console",
    body=RoutingRuleIn(),
    response=RoutingRuleOut(),
    status=201,
    errors=["unknown_category", "discipline_route_fixed", "unknown_target", "unknown_role", "village_not_in_township"],
)
def set_route(township_id: int, body):
    township = authz.get_or_404(current_actor(), "complaint.route", Township, township_id)
    return routing.set_rule(current_actor(), township, **body)  # RoutingRuleIn's fields are set_rule's
