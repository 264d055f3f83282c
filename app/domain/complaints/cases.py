"""A complaint's life: filing at the door, moderation, and every transition of the case.

Public states (what the villager follows):
    held → assigned → signed → replied → closed
                 ↖ returned (退单, waiting for the township to re-dispatch)
    replied → (villager: not solved) → assigned again (reopened)
"Closed" and "solved" differ: `resolution` says how a closed case ended (solved, rejected...).

Every transition is one conditional UPDATE on (id, version): two people (or a replayed request)
acting on the same case cannot both succeed; the loser gets a clear conflict and nothing is written.
"""
from __future__ import annotations

import secrets
from dataclasses import dataclass

from redis import Redis
from sqlalchemy import select, update

from app.clock import to_shanghai, utcnow
from app.domain import authz, content, ratelimit
from app.domain.complaints import access  # noqa: F401  (registers the complaint scopes)
from app.domain.complaints import notifications
from app.domain.complaints.categories import CATEGORIES, lane_of
from app.domain.complaints.routing import (
    HANDLER_LABELS,
    OFFICE_ROLES,
    TOWNSHIP_DISCIPLINE,
    TOWNSHIP_DISPATCH,
    VILLAGE_ROLE,
    Route,
    route,
    village_cadre_role,
)
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import (
    ROLE_LABELS,
    VILLAGE_CADRE_ROLES,
    Complaint,
    ComplaintEvent,
    ComplaintSubject,
    Household,
    Level,
    Role,
    RoleAssignment,
    WxUser,
)

USER_LIMIT = ratelimit.Limit("complaint-user", 5, 24 * 3600)
HOUSEHOLD_LIMIT = ratelimit.Limit("complaint-household", 10, 24 * 3600)

# Roles a villager may name as the subject ("about") of a complaint.
ABOUT_ROLES = VILLAGE_CADRE_ROLES | {Role.SUPERVISION_MEMBER, Role.SUPERVISION_LIAISON, Role.TOWNSHIP_DISCIPLINE,
                                     Role.TOWNSHIP_ASSETS, Role.TOWNSHIP_DISPATCHER, Role.TOWNSHIP_LEADER}

@dataclass(frozen=True)
class Filing:
    category: str
    description: str
    anonymous: bool
    client_request_id: str
    contact_name: str | None = None
    contact_phone: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    about_role: str | None = None


def file(user: WxUser, household: Household, filing: Filing, *, wechat, redis: Redis) -> tuple[Complaint, bool]:
    """File a complaint from a door. Returns (case, created); a replay of the same request id returns
    the case it created the first time."""
    replay = db.session.scalar(select(Complaint).where(Complaint.filed_by_user_id == user.id,
                                                       Complaint.client_request_id == filing.client_request_id))
    if replay is not None:
        if replay.household_id != household.id or replay.description != filing.description:
            raise AppError("request_id_reused", "该请求编号已用于另一条反映", kind="conflict")
        return replay, False
    if filing.category not in CATEGORIES:
        raise AppError("unknown_category", "没有这个反映类别", kind="unprocessable", fields={"category": ["不是可选的值"]})
    if not filing.anonymous and not filing.contact_name:
        raise AppError("contact_name_required", "实名反映请填写姓名", kind="unprocessable", fields={"contact_name": ["必填"]})
    about_level = None
    if filing.about_role is not None:
        role = Role(filing.about_role) if filing.about_role in {r.value for r in ABOUT_ROLES} else None
        if role is None:
            raise AppError("unknown_role", "没有这个职务", kind="unprocessable", fields={"about_role": ["不是可选的值"]})
        about_level = "township" if role.level == Level.TOWNSHIP else "village"
    ratelimit.check(redis, USER_LIMIT, f"user:{user.id}", "今天反映的次数已达上限，请明天再试或拨打监督电话")
    ratelimit.check(redis, HOUSEHOLD_LIMIT, f"household:{household.id}", "本户今天反映的次数已达上限，请明天再试")
    verdict = content.check_text(wechat, filing.description, user.openid, field="description")

    village = household.village
    now = utcnow()
    target = route(village, filing.category, about_level)
    complaint = Complaint(
        reference=_reference(now), client_request_id=filing.client_request_id,
        county_id=village.township.county_id, township_id=village.township_id, village_id=village.id,
        household_id=household.id, filed_by_user_id=user.id, anonymous=filing.anonymous,
        contact_name=None if filing.anonymous else filing.contact_name,
        contact_phone=None if filing.anonymous else filing.contact_phone,
        category=filing.category, lane=lane_of(filing.category), description=filing.description,
        latitude=filing.latitude, longitude=filing.longitude, about_role=filing.about_role, about_level=about_level,
        status="held" if verdict == "review" else "assigned", moderation="held" if verdict == "review" else "clear",
        filed_at=now, version=1)
    _apply_route(complaint, target)
    if verdict != "review":
        complaint.assigned_at = now
    db.session.add(complaint)
    db.session.flush()
    if filing.about_role is not None:
        _record_subjects(complaint, Role(filing.about_role))
    _event(complaint, "filed", None, complaint.status, "村民", user_id=user.id,
           public_note="已提交，等待审核" if verdict == "review" else f"已提交，转{target.label}办理",
           internal_note=target.note)
    ratelimit.record(redis, USER_LIMIT, f"user:{user.id}")
    ratelimit.record(redis, HOUSEHOLD_LIMIT, f"household:{household.id}")
    return complaint, True


def _reference(now) -> str:
    return f"TS-{to_shanghai(now):%Y%m%d}-{secrets.token_hex(5).upper()}"  # 40 bits: no collision in a day


def _apply_route(complaint: Complaint, target: Route) -> None:
    complaint.handler_kind, complaint.handler_role = target.kind, target.role.value if target.role else None
    complaint.handler_village_id, complaint.handler_township_id = target.village_id, target.township_id
    complaint.handler_county_id, complaint.copy_liaison = target.county_id, target.copy_liaison
    complaint.routing_rule_id, complaint.routing_fallback = target.rule_id, target.fallback


def _record_subjects(complaint: Complaint, role: Role) -> None:
    """Everyone holding the named role over this village (or its township) right now."""
    where = (RoleAssignment.township_id == complaint.township_id if role.level == Level.TOWNSHIP
             else RoleAssignment.village_id == complaint.village_id)
    for term in db.session.scalars(select(RoleAssignment).where(
            RoleAssignment.role == role.value, where, authz.term_running())):
        db.session.add(ComplaintSubject(complaint_id=complaint.id, user_id=term.user_id,
                                        console_account_id=term.console_account_id))
    db.session.flush()


def _event(complaint: Complaint, kind: str, from_status: str | None, to_status: str, actor_label: str, *,
           user_id: int | None = None, console_account_id: int | None = None, public_note: str | None = None,
           internal_note: str | None = None) -> ComplaintEvent:
    event = ComplaintEvent(complaint_id=complaint.id, kind=kind, from_status=from_status, to_status=to_status,
                           actor_label=actor_label, actor_user_id=user_id, actor_console_account_id=console_account_id,
                           public_note=public_note, internal_note=internal_note, created_at=utcnow())
    db.session.add(event)
    notifications.record(complaint, event)  # WeChat subscribe messages this step owes (订阅消息)
    return event


# ---- transitions ----

def _office_label(actor: authz.Actor, complaint: Complaint) -> str:
    if complaint.handler_kind == VILLAGE_ROLE:
        return ROLE_LABELS[Role(complaint.handler_role)]
    roles = actor.roles()
    for kind, role in OFFICE_ROLES.items():
        if role in roles and complaint.handler_kind == kind:
            return role.label
    return next(iter(sorted(r.label for r in roles)), "工作人员")


@dataclass(frozen=True)
class By:
    """Who takes a step, as the case's history records it: an office label and the person."""
    label: str
    user_id: int | None = None
    console_account_id: int | None = None


def _by(actor: authz.Actor, label: str) -> By:
    return By(label, actor.user_id, actor.console_account_id)


def _step(complaint: Complaint, kind: str, allowed_from: tuple[str, ...], to_status: str, by: By, *,
          public_note: str | None = None, internal_note: str | None = None, **values) -> Complaint:
    """The one way a case changes state, with its event: conditional on the version the caller read."""
    before = complaint.status
    if before not in allowed_from:
        raise AppError("invalid_transition", "案件当前状态下不能进行此操作", kind="conflict")
    seen = complaint.version
    result = db.session.execute(
        update(Complaint).where(Complaint.id == complaint.id, Complaint.version == seen)
        .values(status=to_status, version=seen + 1, **values).execution_options(synchronize_session=False))
    if result.rowcount != 1:
        raise AppError("case_changed", "案件刚刚被他人处理，请刷新后重试", kind="conflict")
    db.session.refresh(complaint)
    _event(complaint, kind, before, to_status, by.label, user_id=by.user_id,
           console_account_id=by.console_account_id, public_note=public_note, internal_note=internal_note)
    return complaint


def _handled(actor: authz.Actor, complaint_id: int) -> Complaint:
    return authz.get_or_404(actor, "complaint.handle", Complaint, complaint_id)


def sign_for(actor: authz.Actor, complaint_id: int) -> Complaint:
    """签收: the handler office takes the case."""
    complaint = _handled(actor, complaint_id)
    label = _office_label(actor, complaint)
    return _step(complaint, "signed", ("assigned",), "signed", _by(actor, label), public_note=f"{label}已签收",
                 signed_at=utcnow())


def reply(actor: authz.Actor, complaint_id: int, text: str) -> Complaint:
    complaint = _handled(actor, complaint_id)
    return _step(complaint, "replied", ("signed",), "replied", _by(actor, _office_label(actor, complaint)),
                 public_note=text, replied_at=utcnow())


def send_back(actor: authz.Actor, complaint_id: int, reason: str) -> Complaint:
    """退单: not ours. The case waits for the township dispatcher to send it on."""
    complaint = _handled(actor, complaint_id)
    return _step(complaint, "returned", ("assigned", "signed"), "returned", _by(actor, _office_label(actor, complaint)),
                 public_note="已退回镇四平台重新分派", internal_note=reason, handler_kind=TOWNSHIP_DISPATCH,
                 handler_role=None, handler_village_id=None, handler_township_id=complaint.township_id,
                 signed_at=None)


def redispatch(actor: authz.Actor, complaint_id: int, *, target: str, role: str | None, reason: str) -> Complaint:
    """The township dispatcher sends a returned (or its own) case to another office of the township."""
    complaint = _handled(actor, complaint_id)
    if Role.TOWNSHIP_DISPATCHER not in actor.roles():
        raise AppError("dispatcher_only", "只有镇四平台调度员可以重新分派", kind="forbidden")
    if complaint.about_level is not None and target == VILLAGE_ROLE:
        raise AppError("conflict_of_interest", "反映村干部的案件不能分派到村", kind="unprocessable",
                       fields={"target": ["不能分派到村"]})
    values = {"handler_kind": target, "handler_role": None, "handler_village_id": None,
              "handler_township_id": complaint.township_id, "assigned_at": utcnow(), "signed_at": None}
    if target == VILLAGE_ROLE:
        cadre = village_cadre_role(role)
        values.update(handler_role=cadre.value, handler_village_id=complaint.village_id)
        label = cadre.label
    elif target in (TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE):
        label = HANDLER_LABELS[target]
    else:
        raise AppError("unknown_target", "没有这个接收方", kind="unprocessable", fields={"target": ["不是可选的值"]})
    return _step(complaint, "redispatched", ("returned", "assigned", "signed"), "assigned",
                 _by(actor, HANDLER_LABELS[TOWNSHIP_DISPATCH]), public_note=f"已转{label}办理", internal_note=reason,
                 **values)


def release(actor: authz.Actor, complaint_id: int) -> Complaint:
    """Moderation: a held complaint is fine after all; it goes to its handler."""
    complaint = authz.get_or_404(actor, "complaint.moderate", Complaint, complaint_id)
    return _step(complaint, "released", ("held",), "assigned", _by(actor, "审核"), public_note="审核通过，已转办",
                 moderation="clear", assigned_at=utcnow())


def reject(actor: authz.Actor, complaint_id: int, reason: str) -> Complaint:
    complaint = authz.get_or_404(actor, "complaint.moderate", Complaint, complaint_id)
    return _step(complaint, "rejected", ("held",), "closed", _by(actor, "审核"), public_note=reason,
                 moderation="rejected", resolution="rejected", closed_at=utcnow())


def own(user_id: int, complaint_id: int) -> Complaint:
    complaint = db.session.scalar(select(Complaint).where(Complaint.id == complaint_id,
                                                          Complaint.filed_by_user_id == user_id))
    if complaint is None:
        raise NotFound()
    return complaint


def confirm(user_id: int, complaint_id: int, *, solved: bool, note: str | None = None) -> Complaint:
    """The villager answers the reply: solved closes the case; not solved reopens it to the same office."""
    complaint = own(user_id, complaint_id)
    villager = By("村民", user_id=user_id)
    if solved:
        return _step(complaint, "confirmed", ("replied",), "closed", villager, public_note=note or "村民确认已解决",
                     resolution="solved", closed_at=utcnow())
    return _step(complaint, "reopened", ("replied",), "assigned", villager,
                 public_note=note or "村民反馈问题未解决，重新办理", reopen_count=complaint.reopen_count + 1,
                 assigned_at=utcnow(), signed_at=None, replied_at=None)


def rate(user_id: int, complaint_id: int, stars: int, comment: str | None) -> Complaint:
    complaint = own(user_id, complaint_id)
    if complaint.status != "closed":
        raise AppError("not_closed", "办结后才能评价", kind="conflict")
    if complaint.rated_at is not None:
        raise AppError("already_rated", "已经评价过了", kind="conflict")
    complaint.rating, complaint.rating_comment, complaint.rated_at = stars, comment, utcnow()
    return complaint


def handled_ids(actor: authz.Actor, complaint_ids: list[int]) -> set[int]:
    """Which of these cases the actor's office handles: only the handling office sees who complained."""
    if not complaint_ids:
        return set()
    return set(db.session.scalars(select(Complaint.id).where(
        Complaint.id.in_(complaint_ids), authz.scoped(actor, "complaint.handle", Complaint))))


def public_resolved(village_id: int, limit: int = 50) -> list[Complaint]:
    """The village's public tracking list: resolved cases, newest first, shown without identities."""
    return list(db.session.scalars(select(Complaint).where(
        Complaint.village_id == village_id, Complaint.status == "closed", Complaint.resolution == "solved",
        Complaint.moderation == "clear").order_by(Complaint.closed_at.desc()).limit(limit)))
