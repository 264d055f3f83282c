"""案件: the viewer's desk (the API's inbox) and the case page — the whole timeline, photos, the
deliveries to the township's four-platform system and the notifications sent, and the steps the
viewer's office may take. The case is dumped with the API's own officer schema (HandlerComplaintOut,
from the one projection app.domain.complaints.officer_view), so the console shows exactly what the
API shows an officer, never more; every step calls the same domain function as the API's view."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import abort, current_app, flash, make_response, redirect, render_template, request, url_for
from marshmallow import Schema
from sqlalchemy import select

from app.api import files
from app.api.complaints import desk
from app.api.schemas.complaints import (
    CATEGORY_NAMES,
    ComplaintListIn,
    HandlerComplaintOut,
    MergeIn,
    NoteIn,
    ReasonIn,
    RecategoriseIn,
    RedispatchIn,
    TransferIn,
)
from app.console import bp
from app.console.board import COLOUR_LABELS, LANE_LABELS
from app.console.pages import form_input, page, query_input, viewer
from app.domain import authz
from app.domain.authz import Actor
from app.domain.complaints import cases, notifications, officer_view, photos, platform
from app.domain.complaints.routing import (
    HANDLER_LABELS,
    TOWNSHIP_DISCIPLINE,
    TOWNSHIP_DISPATCH,
    VILLAGE_ROLE,
    handler_label,
)
from app.domain.deadlines.monitoring import STATUS_NAMES
from app.errors import AppError
from app.extensions import db
from app.models import VILLAGE_CADRE_ROLES, Complaint, Role

Step = Callable[[Actor, int, dict[str, Any]], Complaint]

# step → (label, input schema, the domain function the API's view calls)
STEPS: dict[str, tuple[str, type[Schema] | None, Step]] = {
    "sign": ("签收", None, lambda a, cid, b: cases.sign_for(a, cid)),
    "reply": ("答复村民", NoteIn, lambda a, cid, b: cases.reply(a, cid, b["text"])),
    "ask": ("请反映人补充情况", NoteIn, lambda a, cid, b: cases.ask_villager(a, cid, b["text"])),
    "send_back": ("退单", ReasonIn, lambda a, cid, b: cases.send_back(a, cid, b["reason"])),
    "redispatch": (
        "分派",
        RedispatchIn,
        lambda a, cid, b: cases.redispatch(a, cid, target=b["target"], role=b.get("role"), reason=b["reason"]),
    ),
    "transfer": (
        "转办",
        TransferIn,
        lambda a, cid, b: cases.transfer(
            a, cid, target=b["target"], role=b.get("role"), reason=b["reason"], public_note=b.get("public_note")
        ),
    ),
    "recategorise": (
        "改类",
        RecategoriseIn,
        lambda a, cid, b: cases.recategorise(a, cid, category=b["category"], reason=b["reason"]),
    ),
    "merge": ("合并重复反映", MergeIn, lambda a, cid, b: cases.merge(a, cid, into_id=b["into_id"], reason=b["reason"])),
    "release": ("审核通过", None, lambda a, cid, b: cases.release(a, cid)),
    "reject": ("审核不通过", ReasonIn, lambda a, cid, b: cases.reject(a, cid, b["reason"])),
}

EVENT_LABELS = {
    "filed": "提交反映",
    "held": "待内容审核",
    "released": "审核通过",
    "rejected": "审核不通过",
    "signed": "签收",
    "replied": "答复",
    "asked": "请反映人补充",
    "supplied": "反映人补充情况",
    "resumed": "恢复计时",
    "returned": "退单",
    "redispatched": "分派",
    "transferred": "转办",
    "recategorised": "改类",
    "merged": "合并到其他反映",
    "merged_in": "其他反映并入",
    "reminded": "期限提醒",
    "overdue": "逾期",
    "escalated": "超期提级",
    "confirmed": "反映人确认",
    "reopened": "反映人反馈未解决",
    "not_confirmed": "到期未确认，办结",
    "rated": "评价",
    "acknowledged": "四平台已接收",
}
TARGETS = {
    VILLAGE_ROLE: "村干部（选择职务）",
    TOWNSHIP_DISPATCH: HANDLER_LABELS[TOWNSHIP_DISPATCH],
    TOWNSHIP_DISCIPLINE: HANDLER_LABELS[TOWNSHIP_DISCIPLINE],
}
DELIVERY_STATES = {"pending": "待推送", "sent": "已推送", "acknowledged": "四平台已接收", "failed": "推送失败"}
NOTIFICATION_STATES = {
    "pending": "待发送",
    "sending": "发送中",
    "sent": "已发送",
    "no_credit": "未发送（对方未订阅）",
    "failed": "发送失败",
    "unknown": "结果未知（不再重发）",
}
AUDIENCES = {"villager": "反映人", "handler": "承办岗位", "liaison": "监察工作联络员（抄送）"}
TEMPLATE_NAMES = {key: template.title for key, template in notifications.TEMPLATES.items()}  # 办理进度通知, 答复通知...


def _merge_candidates(actor: Actor, complaint: Complaint) -> list[Complaint]:
    """Open cases of the same village the viewer may merge this one into (the domain checks again)."""
    return list(
        db.session.scalars(
            select(Complaint)
            .where(
                authz.scoped(actor, "complaint.transfer", Complaint),
                Complaint.village_id == complaint.village_id,
                Complaint.id != complaint.id,
                Complaint.status != "closed",
            )
            .order_by(Complaint.filed_at.desc())
            .limit(50)
        )
    )


def _case_page(complaint_id: int, *, status: int = 200, error: AppError | None = None, step: str | None = None):
    actor = viewer()
    row = authz.get_or_404(actor, "complaint.read", Complaint, complaint_id)
    case = officer_view.seen_by(actor, row)
    steps = cases.steps_open_to(actor, row)
    page_html = render_template(
        "console/complaint.html",
        case=HandlerComplaintOut().dump(case),  # what the API's GET /complaints/<id> answers this viewer
        colour=case.colour,
        village_name=case.village.name,
        category_names=CATEGORY_NAMES,
        steps=steps,
        step_labels={key: label for key, (label, _schema, _act) in STEPS.items()},
        deliveries=platform.of_case(row.id),
        sent=notifications.of_case(row.id),
        merge_candidates=_merge_candidates(actor, row) if "merge" in steps else [],
        error=error,
        failed_step=step,
        form=request.form if error else {},
        event_labels=EVENT_LABELS,
        statuses=STATUS_NAMES,
        colours=COLOUR_LABELS,
        lanes=LANE_LABELS,
        targets=TARGETS,
        cadre_roles=sorted((Role(r) for r in VILLAGE_CADRE_ROLES), key=list(Role).index),
        delivery_states=DELIVERY_STATES,
        notification_states=NOTIFICATION_STATES,
        audiences=AUDIENCES,
        template_names=TEMPLATE_NAMES,
        role_labels={role.value: role.label for role in Role},
    )
    return make_response(page_html, status)


@bp.get("/complaints/<int:complaint_id>")
@page
def complaint(complaint_id: int):
    return _case_page(complaint_id)


@bp.post("/complaints/<int:complaint_id>/<step>")
@page
def complaint_step(complaint_id: int, step: str):
    if step not in STEPS:
        abort(404)
    label, schema, act = STEPS[step]
    try:
        body = form_input(schema()) if schema is not None else {}
        act(viewer(), complaint_id, body)
        db.session.commit()
    except AppError as exc:
        if exc.kind in ("not_found", "unauthenticated"):
            raise  # out of sight: the console's 404 page, exactly like a missing case
        db.session.rollback()
        return _case_page(complaint_id, status=exc.status, error=exc, step=step)
    flash(f"{label}：已完成", "success")
    return redirect(url_for("console.complaint", complaint_id=complaint_id), 303)


@bp.get("/complaint-photos/<int:photo_id>")
@page
def complaint_photo(photo_id: int):
    """A case's photo, within the case's scope (the API's photos.viewable)."""
    photo = photos.viewable(viewer(), photo_id)
    path = photos.storage_path(current_app.config["COMPLAINT_PHOTO_DIR"], photo)
    return files.download(path, media_type=photo.media_type, filename=f"photo-{photo.id}{path.suffix}", private=True)


@bp.get("/complaints")
@page
def complaints():
    """The viewer's desk: cases routed to, copied to or held for the viewer's office (the API's
    inbox, "complaint.inbox"), with a lookup by reference over every case the viewer may read."""
    actor = viewer()
    reference = request.args.get("reference", "").strip().upper()
    if reference:
        found = db.session.scalar(
            select(Complaint.id).where(
                Complaint.reference == reference[:24], authz.scoped(actor, "complaint.read", Complaint)
            )
        )
        if found is not None:
            return redirect(url_for("console.complaint", complaint_id=found), 303)
        flash(f"没有找到编号为 {reference[:24]} 的案件，或您无权查看", "error")
    query = query_input(ComplaintListIn(), per_page=25)
    items, total = desk(actor, query)
    return render_template(
        "console/complaints.html",
        items=officer_view.for_actor(actor, items),
        total=total,
        query=query,
        statuses=STATUS_NAMES,
        category_names=CATEGORY_NAMES,
        colours=COLOUR_LABELS,
        lanes=LANE_LABELS,
        pages=max(1, -(-total // query["per_page"])),
        handler=handler_label,
    )
