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
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from redis import Redis
from sqlalchemy import Table, Update, bindparam, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload
from sqlalchemy.orm.attributes import set_committed_value

from app import transaction
from app.clock import to_shanghai, utcnow
from app.domain import authz, content, events, ratelimit
from app.domain.complaints import photos
from app.domain.complaints.categories import CATEGORIES, lane_of, name_of
from app.domain.complaints.routing import (
    COUNTY,
    HANDLER_LABELS,
    OFFICE_ROLES,
    RULE_TARGETS,
    TOWNSHIP_DISCIPLINE,
    TOWNSHIP_DISPATCH,
    VILLAGE_ROLE,
    Route,
    holds_office,
    route,
    village_cadre_role,
    village_office,
)
from app.domain.deadlines import clocks, policy
from app.domain.disclosures.masking import mask
from app.domain.wechat_port import WeChat
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

# Filings a day. A household's bound members (村民 of the household) each have their own allowance at
# their door, which nobody else's filings touch; anyone else filing from a door they saw (a stranger)
# is limited per person (over all doors) and, with all other strangers, per door.
MEMBER_LIMIT = ratelimit.Limit("complaint-member", 5, 24 * 3600)
STRANGER_LIMIT = ratelimit.Limit("complaint-stranger", 5, 24 * 3600)
DOOR_STRANGERS_LIMIT = ratelimit.Limit("complaint-door-strangers", 5, 24 * 3600)

# Roles a villager may name as the subject ("about") of a complaint.
ABOUT_ROLES = VILLAGE_CADRE_ROLES | {
    Role.SUPERVISION_MEMBER,
    Role.SUPERVISION_LIAISON,
    Role.TOWNSHIP_DISCIPLINE,
    Role.TOWNSHIP_ASSETS,
    Role.TOWNSHIP_DISPATCHER,
    Role.TOWNSHIP_LEADER,
}


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
    photo_ids: Sequence[int] = ()  # uploaded beforehand (POST /complaint-photos), 0–9


def file(user: WxUser, household: Household, filing: Filing, *, wechat: WeChat, redis: Redis) -> tuple[Complaint, bool]:
    """File a complaint from a door. Returns (case, created); a replay of the same request id returns
    the case it created the first time."""
    replay = _replay(user, household, filing)
    if replay is not None:
        return replay, False
    about_level = _about_level(filing)
    photos.check_attachable(user.id, list(filing.photo_ids))
    with _take_allowance(user, household, redis) as taken:
        # WeChat is asked before anything is written, with no transaction open (content.check_text).
        verdict = content.check_text(wechat, filing.description, user.openid, field="description")
        complaint, created = _write(user, household, filing, verdict, about_level)
        if not created:
            taken.give_back()  # the same request twice at once: one filing
    return complaint, created


def file_authored(user: WxUser, household: Household, filing: Filing, *, held: bool = False) -> Complaint:
    """A filing whose text the project wrote itself (the demo county, app.seed), so neither WeChat's
    text check nor the filer's daily allowance applies; `held` files it as one the check sent to
    review. Everything else is `file`'s: validation, routing, subjects, photos, history, clock."""
    replay = _replay(user, household, filing)
    if replay is not None:
        return replay
    about_level = _about_level(filing)
    photos.check_attachable(user.id, list(filing.photo_ids))
    return _write(user, household, filing, "review" if held else "pass", about_level)[0]


def _about_level(filing: Filing) -> str | None:
    """The filing's category and contact checked; the level of the office it is about, if any."""
    if filing.category not in CATEGORIES:
        raise AppError(
            "unknown_category", "没有这个反映类别", kind="unprocessable", fields={"category": ["不是可选的值"]}
        )
    if not filing.anonymous and not filing.contact_name:
        raise AppError(
            "contact_name_required", "实名反映请填写姓名", kind="unprocessable", fields={"contact_name": ["必填"]}
        )
    if filing.about_role is None:
        return None
    role = Role(filing.about_role) if filing.about_role in {r.value for r in ABOUT_ROLES} else None
    if role is None:
        raise AppError("unknown_role", "没有这个职务", kind="unprocessable", fields={"about_role": ["不是可选的值"]})
    return "township" if role.level == Level.TOWNSHIP else "village"


def _take_allowance(user: WxUser, household: Household, redis: Redis) -> ratelimit.Taken:
    """Count the filing against the filer's allowance (given back if the filing fails)."""
    member = (
        db.session.scalar(
            select(RoleAssignment.id)
            .where(
                RoleAssignment.role == Role.VILLAGER.value,
                RoleAssignment.user_id == user.id,
                RoleAssignment.household_id == household.id,
                authz.term_running(),
            )
            .limit(1)
        )
        is not None
    )
    if member:
        return ratelimit.take(
            redis,
            [(MEMBER_LIMIT, f"household:{household.id}:user:{user.id}")],
            "今天反映的次数已达上限，请明天再试或拨打监督电话",
        )
    return ratelimit.take(
        redis,
        [(STRANGER_LIMIT, f"user:{user.id}"), (DOOR_STRANGERS_LIMIT, f"household:{household.id}")],
        "今天从这个门牌反映的次数已达上限，请明天再试或拨打监督电话",
    )


def _write(
    user: WxUser, household: Household, filing: Filing, verdict: str, about_level: str | None
) -> tuple[Complaint, bool]:
    village = household.village
    now = utcnow()
    target = route(village, filing.category, about_level, grid_id=household.grid_id)
    complaint = Complaint(
        reference=_reference(now),
        client_request_id=filing.client_request_id,
        county_id=village.township.county_id,
        township_id=village.township_id,
        village_id=village.id,
        household_id=household.id,
        filed_by_user_id=user.id,
        anonymous=filing.anonymous,
        contact_name=None if filing.anonymous else filing.contact_name,
        contact_phone=None if filing.anonymous else filing.contact_phone,
        category=filing.category,
        lane=lane_of(filing.category),
        description=filing.description,
        latitude=filing.latitude,
        longitude=filing.longitude,
        about_role=filing.about_role,
        about_level=about_level,
        status="held" if verdict == "review" else "assigned",
        moderation="held" if verdict == "review" else "clear",
        filed_at=now,
        version=1,
    )
    _apply_route(complaint, target)
    if verdict != "review":
        complaint.assigned_at = now
    for name, value in _clock(complaint, "filed", None, complaint.status, {}).items():
        setattr(complaint, name, value)
    try:
        with db.session.begin_nested():  # the same request twice at once (a double tap): the unique key decides
            db.session.add(complaint)
    except IntegrityError:
        replay = _replay(user, household, filing)
        if replay is None:
            raise
        return replay, False
    if filing.about_role is not None:
        _record_subjects(complaint, Role(filing.about_role))
    photos.attach(complaint, user.id, list(filing.photo_ids))
    _event(
        complaint,
        "filed",
        None,
        complaint.status,
        "村民",
        user_id=user.id,
        public_note="已提交，等待审核" if verdict == "review" else f"已提交，转{target.label}办理",
        internal_note=target.note,
    )
    _schedule_check(complaint)
    return complaint, True


def _replay(user: WxUser, household: Household, filing: Filing) -> Complaint | None:
    """The case this request id already filed, if any (the same filing sent again)."""
    replay = db.session.scalar(
        select(Complaint).where(
            Complaint.filed_by_user_id == user.id, Complaint.client_request_id == filing.client_request_id
        )
    )
    if replay is not None and (replay.household_id != household.id or replay.description != filing.description):
        raise AppError("request_id_reused", "该请求编号已用于另一条反映", kind="conflict")
    return replay


def _reference(now: datetime) -> str:
    return f"TS-{to_shanghai(now):%Y%m%d}-{secrets.token_hex(5).upper()}"  # 40 bits: no collision in a day


def _route_values(target: Route) -> dict[str, object]:
    """The case's columns saying who holds it, for a route."""
    return {
        "handler_kind": target.kind,
        "handler_role": target.role.value if target.role else None,
        "handler_village_id": target.village_id,
        "handler_grid_id": target.grid_id,
        "handler_township_id": target.township_id,
        "handler_county_id": target.county_id,
        "copy_liaison": target.copy_liaison,
        "routing_rule_id": target.rule_id,
        "routing_fallback": target.fallback,
    }


def _apply_route(complaint: Complaint, target: Route) -> None:
    for column, value in _route_values(target).items():
        setattr(complaint, column, value)


def _record_subjects(complaint: Complaint, role: Role) -> None:
    """Everyone holding the named role over this village (or its township) right now."""
    where = (
        RoleAssignment.township_id == complaint.township_id
        if role.level == Level.TOWNSHIP
        else RoleAssignment.village_id == complaint.village_id
    )
    for term in db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.role == role.value, where, authz.term_running())
    ):
        db.session.add(
            ComplaintSubject(
                complaint_id=complaint.id, user_id=term.user_id, console_account_id=term.console_account_id
            )
        )
    db.session.flush()


def _event(
    complaint: Complaint,
    kind: str,
    from_status: str | None,
    to_status: str,
    actor_label: str,
    *,
    user_id: int | None = None,
    console_account_id: int | None = None,
    public_note: str | None = None,
    internal_note: str | None = None,
) -> ComplaintEvent:
    event = ComplaintEvent(
        complaint_id=complaint.id,
        kind=kind,
        from_status=from_status,
        to_status=to_status,
        actor_label=actor_label,
        actor_user_id=user_id,
        actor_console_account_id=console_account_id,
        public_note=public_note,
        internal_note=internal_note,
        created_at=utcnow(),
    )
    db.session.add(event)
    # Subscribers (registered by the app factory: the four-platform connector, subscribe messages)
    # record their rows and intents in this same transaction.
    events.publish(complaint, event)
    return event


# ---- transitions ----


def _office_label(actor: authz.Actor, complaint: Complaint) -> str:
    if complaint.handler_kind == VILLAGE_ROLE:
        assert complaint.handler_role is not None  # a case held by a village office names the role
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


@dataclass
class Step:
    """A transition decided but not yet written: the case, its event, the columns to set."""

    complaint: Complaint
    kind: str
    before: str
    to_status: str
    by: By
    public_note: str | None
    internal_note: str | None
    values: dict[str, object]


# How high each kind of office stands, and the lowest a case may be held at given whom it is about: a
# complaint about a cadre never reaches the cadre's own unit or anyone below it — it goes one level up
# (a village cadre's case to the township, a township officer's to the county) and no later step, by
# anyone, brings it back down (domain.md; 检举控告工作规则: never to the person or unit complained about).
_OFFICE_LEVEL = {VILLAGE_ROLE: 0, TOWNSHIP_DISPATCH: 1, TOWNSHIP_DISCIPLINE: 1, COUNTY: 2}
_LOWEST_FOR_ABOUT = {None: 0, "village": 1, "township": 2}
CONFLICT_MESSAGE = "反映干部的案件不能交给其所在单位或下级办理"


def may_hold(complaint: Complaint, handler_kind: str) -> bool:
    """Whether an office of `handler_kind` may hold this case, by whom it is about."""
    return _OFFICE_LEVEL[handler_kind] >= _LOWEST_FOR_ABOUT[complaint.about_level]


def plan(
    complaint: Complaint,
    kind: str,
    allowed_from: tuple[str, ...],
    to_status: str,
    by: By,
    *,
    public_note: str | None = None,
    internal_note: str | None = None,
    **values: object,
) -> Step:
    """Check a transition is allowed from the case's state and work out its columns, its deadline
    clock included. Nothing is written yet."""
    before = complaint.status
    if before not in allowed_from:
        raise AppError("invalid_transition", "案件当前状态下不能进行此操作", kind="conflict")
    handler_kind = values.get("handler_kind")
    if isinstance(handler_kind, str) and not may_hold(complaint, handler_kind):
        raise AppError("conflict_of_interest", CONFLICT_MESSAGE, kind="unprocessable")
    values.update(_clock(complaint, kind, before, to_status, values))
    values.update(status=to_status, version=complaint.version + 1)
    return Step(complaint, kind, before, to_status, by, public_note, internal_note, values)


def _step(
    complaint: Complaint,
    kind: str,
    allowed_from: tuple[str, ...],
    to_status: str,
    by: By,
    *,
    public_note: str | None = None,
    internal_note: str | None = None,
    **values: object,
) -> Complaint:
    """The one way a case changes state, with its event and its recomputed deadline clock:
    conditional on the version the caller read."""
    step = plan(
        complaint, kind, allowed_from, to_status, by, public_note=public_note, internal_note=internal_note, **values
    )
    if not apply([step]):
        raise AppError("case_changed", "案件刚刚被他人处理，请刷新后重试", kind="conflict")
    return complaint


def apply(steps: list[Step]) -> list[Step]:
    """Write planned steps, each conditional on the version its case was read at; returns those that
    won (a case someone else changed meanwhile is left alone). Steps that set the same columns go
    in one executemany round trip (the sweep escalating a batch); if any of those lost a race, that
    group is rolled back to its savepoint and written one by one, so each step is still all or nothing."""
    table = cast(Table, Complaint.__table__)  # Core UPDATEs: the ORM's bulk-update machinery costs more than the query
    groups: dict[tuple[str, ...], list[Step]] = {}
    for step in steps:
        groups.setdefault(tuple(sorted(step.values)), []).append(step)
    won: list[Step] = []
    for columns, group in groups.items():
        statement = (
            update(table)
            .where(table.c.id == bindparam("_id"), table.c.version == bindparam("_seen"))
            .values({name: bindparam(name) for name in columns})
        )
        rows = [{**step.values, "_id": step.complaint.id, "_seen": step.complaint.version} for step in group]
        if len(group) == 1:
            winners = group if _updated(statement, rows[0]) == 1 else []
        else:
            savepoint = db.session.begin_nested()
            if _updated(statement, rows) == len(group):
                savepoint.commit()
                winners = group
            else:
                savepoint.rollback()
                # rows is made from group, one for one
                winners = [step for step, row in zip(group, rows, strict=True) if _updated(statement, row) == 1]
        for step in winners:
            _record(step)
        won += winners
    return won


def _updated(statement: Update, params: dict[str, object] | list[dict[str, object]]) -> int:
    """The rows an UPDATE matched (for an executemany, in all)."""
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
    return cast(CursorResult[()], db.session.execute(statement, params)).rowcount


def _record(step: Step) -> None:
    # The row now holds exactly what we wrote: set it on the object instead of reading it back.
    for name, value in step.values.items():
        set_committed_value(step.complaint, name, value)
    _event(
        step.complaint,
        step.kind,
        step.before,
        step.to_status,
        step.by.label,
        user_id=step.by.user_id,
        console_account_id=step.by.console_account_id,
        public_note=step.public_note,
        internal_note=step.internal_note,
    )
    _schedule_check(step.complaint)


_CLOCK_INPUTS = (
    "id",
    "lane",
    "township_id",
    "handler_kind",
    "clock_started_at",
    "due_at",
    "reminded_at",
    "overdue_since",
    "was_late",
    "replied_at",
    "escalated_at",
)


def _clock(
    complaint: Complaint, kind: str, before: str | None, to_status: str, values: dict[str, object]
) -> dict[str, datetime | str | None]:
    case = {name: getattr(complaint, name) for name in _CLOCK_INPUTS} | values | {"status": to_status}
    return clocks.clock_values(case, kind, before, utcnow(), policy.governing(case))


def _schedule_check(complaint: Complaint) -> None:
    """The fast path of the deadline machinery: a job at the case's next check. The sweep is the
    guarantee; a job of an older version finds nothing to do."""
    if complaint.next_check_at is None:
        return
    transaction.intend(
        db.session(),
        "deadlines.check_complaint",
        complaint.id,
        job_id=f"complaint-{complaint.id}-v{complaint.version}",
        at=complaint.next_check_at,
    )


# The states each office step starts from (what `_step` enforces), also read to offer a step only
# where it can be taken (`steps_open_to`).
SIGNABLE = ("assigned",)
REPLYABLE = ("signed",)
ASKABLE = ("signed",)
RETURNABLE = ("assigned", "signed")
REDISPATCHABLE = ("returned", "assigned", "signed")
MODERATABLE = ("held",)
REROUTABLE = ("assigned", "signed", "returned")  # an office is still working on it
MERGEABLE = REROUTABLE + ("replied",)  # a duplicate may also be waiting for its villager's answer


def _handled(actor: authz.Actor, complaint_id: int) -> Complaint:
    complaint: Complaint = authz.get_or_404(actor, "complaint.handle", Complaint, complaint_id)
    return complaint


def sign_for(actor: authz.Actor, complaint_id: int) -> Complaint:
    """签收: the handler office takes the case."""
    complaint = _handled(actor, complaint_id)
    return _sign(complaint, _by(actor, _office_label(actor, complaint)))


def reply(actor: authz.Actor, complaint_id: int, text: str) -> Complaint:
    complaint = _handled(actor, complaint_id)
    return _reply(complaint, _by(actor, _office_label(actor, complaint)), text)


def ask_villager(actor: authz.Actor, complaint_id: int, question: str) -> Complaint:
    """The office needs more from the villager (补充材料): its clock stands still until they answer."""
    complaint = _handled(actor, complaint_id)
    return _step(
        complaint, "asked", ASKABLE, "waiting", _by(actor, _office_label(actor, complaint)), public_note=question
    )


def send_back(actor: authz.Actor, complaint_id: int, reason: str) -> Complaint:
    """退单: not ours. The case waits for the township dispatcher to send it on."""
    complaint = _handled(actor, complaint_id)
    return _send_back(complaint, _by(actor, _office_label(actor, complaint)), reason)


def _sign(complaint: Complaint, by: By, allowed_from: tuple[str, ...] = SIGNABLE) -> Complaint:
    return _step(complaint, "signed", allowed_from, "signed", by, public_note=f"{by.label}已签收", signed_at=utcnow())


def _reply(complaint: Complaint, by: By, text: str) -> Complaint:
    return _step(complaint, "replied", REPLYABLE, "replied", by, public_note=text, replied_at=utcnow())


def _send_back(complaint: Complaint, by: By, reason: str) -> Complaint:
    return _step(
        complaint,
        "returned",
        RETURNABLE,
        "returned",
        by,
        public_note="已退回镇四平台重新分派",
        internal_note=reason,
        handler_kind=TOWNSHIP_DISPATCH,
        handler_role=None,
        handler_village_id=None,
        handler_grid_id=None,
        handler_township_id=complaint.township_id,
        signed_at=None,
    )


def act_for_office(complaint: Complaint, by: By, action: str, text: str | None = None) -> Complaint:
    """A handling office working outside Mingjing (the township's four-platform system, reporting
    through the signed connector) takes a step on a case it holds; the caller has checked that it
    holds it. A returned case waits on the township's dispatch desk, which is the platform: it may
    sign for it directly."""
    if action == "signed":
        return _sign(complaint, by, ("assigned", "returned"))
    if action == "replied":
        return _reply(complaint, by, text or "")
    if action == "returned":
        return _send_back(complaint, by, text or "")
    raise ValueError(action)


def redispatch(actor: authz.Actor, complaint_id: int, *, target: str, role: str | None, reason: str) -> Complaint:
    """The township dispatcher sends a returned (or its own) case to another office of the township."""
    complaint = _handled(actor, complaint_id)
    if Role.TOWNSHIP_DISPATCHER not in actor.roles():
        raise AppError("dispatcher_only", "只有镇四平台调度员可以重新分派", kind="forbidden")
    destination = _township_destination(complaint, target, role)
    return _step(
        complaint,
        "redispatched",
        REDISPATCHABLE,
        "assigned",
        _by(actor, HANDLER_LABELS[TOWNSHIP_DISPATCH]),
        public_note=f"已转{destination.label}办理",
        internal_note=reason,
        assigned_at=utcnow(),
        signed_at=None,
        **_route_values(destination),
    )


def release(actor: authz.Actor, complaint_id: int) -> Complaint:
    """Moderation: a held complaint is fine after all; it goes to its handler."""
    complaint = authz.get_or_404(actor, "complaint.moderate", Complaint, complaint_id)
    return _step(
        complaint,
        "released",
        MODERATABLE,
        "assigned",
        _by(actor, "审核"),
        public_note="审核通过，已转办",
        moderation="clear",
        assigned_at=utcnow(),
    )


def reject(actor: authz.Actor, complaint_id: int, reason: str) -> Complaint:
    complaint = authz.get_or_404(actor, "complaint.moderate", Complaint, complaint_id)
    return _step(
        complaint,
        "rejected",
        MODERATABLE,
        "closed",
        _by(actor, "审核"),
        public_note=reason,
        moderation="rejected",
        resolution="rejected",
        closed_at=utcnow(),
    )


# ---- re-routing by the township: transfer (转办), recategorise (改类), merge as duplicate (合并) ----


def _require_open(complaint: Complaint, allowed_from: tuple[str, ...]) -> None:
    """Clear refusals for the states a re-routing step cannot start from (checked again by `_step`)."""
    if complaint.resolution == "merged":
        raise AppError("already_merged", "该反映已与其他反映合并办理，不能再操作", kind="conflict")
    if complaint.status == "closed":
        raise AppError("case_closed", "案件已办结，不能再转办、改类或合并", kind="conflict")
    if complaint.status == "held":
        raise AppError("invalid_transition", "案件待审核，审核通过后才能办理", kind="conflict")
    if complaint.status not in allowed_from:
        raise AppError("invalid_transition", "案件当前状态下不能进行此操作", kind="conflict")


def _reroutable(
    actor: authz.Actor, complaint_id: int, action: str, allowed_from: tuple[str, ...], refusal: AppError
) -> Complaint:
    """A case the actor can read (else 404, as for any case out of sight), open, and theirs to re-route."""
    complaint: Complaint = authz.get_or_404(actor, "complaint.read", Complaint, complaint_id)
    _require_open(complaint, allowed_from)
    if not authz.can(actor, action, complaint):
        raise refusal
    return complaint


def _acting_office(actor: authz.Actor, complaint: Complaint) -> str:
    """The office taking a re-routing step: the handler's, or the township dispatcher acting over a
    village office's case."""
    holds = any(
        holds_office(g, complaint.handler_role, complaint.handler_village_id, complaint.handler_grid_id)
        for g in actor.grants
    )
    if complaint.handler_kind == VILLAGE_ROLE and not holds:
        return Role.TOWNSHIP_DISPATCHER.label
    return _office_label(actor, complaint)


def _holds_it(complaint: Complaint, values: dict[str, object]) -> bool:
    return all(
        getattr(complaint, column) == values[column]
        for column in (
            "handler_kind",
            "handler_role",
            "handler_village_id",
            "handler_grid_id",
            "handler_township_id",
            "handler_county_id",
        )
    )


def _township_destination(complaint: Complaint, target: str, role: str | None) -> Route:
    """An office of the case's township chosen by a person, with the conflict-of-interest rule."""
    if target not in RULE_TARGETS:
        raise AppError("unknown_target", "没有这个接收方", kind="unprocessable", fields={"target": ["不是可选的值"]})
    if not may_hold(complaint, target):
        raise AppError(
            "conflict_of_interest",
            CONFLICT_MESSAGE,
            kind="unprocessable",
            fields={"target": ["不能交给该接收方"]},
        )
    cadre, grid_id = None, None
    if target == VILLAGE_ROLE:
        cadre = village_cadre_role(role)
        held, grid_id = village_office(cadre, complaint.village_id, complaint.household.grid_id)
        if not held:
            raise AppError(
                "role_vacant",
                f"本村暂无{cadre.label}在任，不能转给该职务",
                kind="unprocessable",
                fields={"role": ["暂无人在任"]},
            )
    return Route(
        target,
        cadre,
        complaint.village_id if cadre else None,
        complaint.township_id,
        complaint.county_id,
        complaint.copy_liaison,
        None,
        grid_id=grid_id,
    )


def transfer(
    actor: authz.Actor, complaint_id: int, *, target: str, role: str | None, reason: str, public_note: str | None = None
) -> Complaint:
    """转办: the township dispatcher (over its own and the village offices' cases) or the township office
    holding the case sends an open case to another office of the township. The reason stays internal;
    the villager reads the public note. A case about a cadre never goes down to the village."""
    complaint = _reroutable(
        actor,
        complaint_id,
        "complaint.transfer",
        REROUTABLE,
        AppError("transfer_not_allowed", "只有镇四平台或承办案件的镇街部门可以转办", kind="forbidden"),
    )
    destination = _township_destination(complaint, target, role)
    values = _route_values(destination)
    if _holds_it(complaint, values):
        raise AppError("same_handler", f"案件已在{destination.label}办理", kind="conflict")
    return _step(
        complaint,
        "transferred",
        REROUTABLE,
        "assigned",
        _by(actor, _acting_office(actor, complaint)),
        public_note=public_note or f"已转{destination.label}办理",
        internal_note=reason,
        assigned_at=utcnow(),
        signed_at=None,
        **values,
    )


def recategorise(actor: authz.Actor, complaint_id: int, *, category: str, reason: str) -> Complaint:
    """改类: the handling office (or the township dispatcher) corrects the category. The lane may change,
    so the case is routed again by the rules (a case about a cadre still goes above them); the
    villager reads what changed."""
    complaint = _reroutable(
        actor,
        complaint_id,
        "complaint.recategorise",
        REROUTABLE,
        AppError("recategorise_not_allowed", "只有承办部门或镇四平台可以修改类别", kind="forbidden"),
    )
    if category not in CATEGORIES:
        raise AppError(
            "unknown_category", "没有这个反映类别", kind="unprocessable", fields={"category": ["不是可选的值"]}
        )
    if category == complaint.category:
        raise AppError("same_category", f"案件已是“{name_of(category)}”类", kind="conflict")
    by = _by(actor, _acting_office(actor, complaint))
    target = route(complaint.village, category, complaint.about_level, grid_id=complaint.household.grid_id)
    values = _route_values(target)
    note = f"问题类别由“{name_of(complaint.category)}”改为“{name_of(category)}”"
    to_status = complaint.status
    if not _holds_it(complaint, values):
        to_status, note = "assigned", f"{note}，转{target.label}办理"
        values.update(assigned_at=utcnow(), signed_at=None)
    internal = f"{target.note}；{reason}" if target.note else reason
    return _step(
        complaint,
        "recategorised",
        REROUTABLE,
        to_status,
        by,
        public_note=note,
        internal_note=internal[:500],
        category=category,
        lane=lane_of(category),
        **values,
    )


def merge(actor: authz.Actor, complaint_id: int, *, into_id: int, reason: str) -> Complaint:
    """合并: a duplicate closes (resolution "merged", `merged_into_id` set) into another open case of the
    same village, which carries on. Its villager follows the surviving case's public timeline
    (`merged_into`). Both cases change version in the same transaction, locked in id order, so two
    merges at once cannot deadlock and a case cannot close while something merges into it."""
    refusal = AppError("merge_not_allowed", "只有镇四平台或承办案件的镇街部门可以合并", kind="forbidden")
    duplicate = _reroutable(actor, complaint_id, "complaint.transfer", MERGEABLE, refusal)
    if into_id == duplicate.id:
        raise AppError(
            "merge_into_self", "不能把反映合并到它自己", kind="unprocessable", fields={"into_id": ["不能是本案"]}
        )
    survivor = db.session.scalar(
        select(Complaint).where(Complaint.id == into_id, authz.scoped(actor, "complaint.transfer", Complaint))
    )
    if survivor is None:
        raise AppError(
            "merge_target_not_found",
            "找不到要合并到的反映，或无权操作该反映",
            kind="unprocessable",
            fields={"into_id": ["不存在或无权操作"]},
        )
    if survivor.status == "closed":
        raise AppError("merge_target_closed", "要合并到的反映已办结，不能合并", kind="conflict")
    if survivor.village_id != duplicate.village_id:
        raise AppError(
            "merge_across_villages",
            "只能合并同一个村的反映",
            kind="unprocessable",
            fields={"into_id": ["不是同一个村的反映"]},
        )
    if (survivor.about_role, survivor.about_level) != (duplicate.about_role, duplicate.about_level):
        raise AppError(
            "merge_different_subject",
            "两条反映的反映对象不同，不能合并",
            kind="unprocessable",
            fields={"into_id": ["反映对象不同"]},
        )

    def close_duplicate() -> None:
        _step(
            duplicate,
            "merged",
            MERGEABLE,
            "closed",
            _by(actor, _acting_office(actor, duplicate)),
            public_note=f"与反映相同问题的 {survivor.reference} 合并办理，办理进度请看该反映",
            internal_note=reason,
            resolution="merged",
            merged_into_id=survivor.id,
            closed_at=utcnow(),
        )

    def note_survivor() -> None:
        _step(
            survivor,
            "merged_in",
            (survivor.status,),
            survivor.status,
            _by(actor, _acting_office(actor, survivor)),
            public_note="有反映相同问题的案件并入本案，一并办理",
            internal_note=f"并入 {duplicate.reference}：{reason}"[:500],
        )

    for _, step in sorted(((duplicate.id, close_duplicate), (survivor.id, note_survivor)), key=lambda s: s[0]):
        step()
    return duplicate


def inbox(
    actor: authz.Actor,
    *,
    status: str | None = None,
    village_id: int | None = None,
    category: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> tuple[list[Complaint], int]:
    """The office's desk (待办): cases routed to, copied to or held for the actor's office, newest
    first, one page of them and how many in all ("complaint.inbox")."""
    where = [
        column == value
        for column, value in (
            (Complaint.status, status),
            (Complaint.village_id, village_id),
            (Complaint.category, category),
        )
        if value is not None
    ]
    total = authz.count(actor, "complaint.inbox", Complaint, *where)
    items = db.session.scalars(
        select(Complaint)
        .options(selectinload(Complaint.events), selectinload(Complaint.photos), selectinload(Complaint.village))
        .where(authz.scoped(actor, "complaint.inbox", Complaint), *where)
        .order_by(Complaint.filed_at.desc(), Complaint.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(items), total


def steps_open_to(actor: authz.Actor, complaint: Complaint) -> list[str]:
    """The office steps `actor` may take on the case now, to offer them (each step checks again when
    taken): its state allows the step and the actor holds the access the step's function asks for."""
    status = complaint.status
    handles = status in SIGNABLE + REPLYABLE + REDISPATCHABLE and authz.can(actor, "complaint.handle", complaint)
    reroutes = status in MERGEABLE and complaint.resolution != "merged"
    transfers = reroutes and authz.can(actor, "complaint.transfer", complaint)
    moderates = status in MODERATABLE and authz.can(actor, "complaint.moderate", complaint)
    offered = {
        "sign": handles and status in SIGNABLE,
        "reply": handles and status in REPLYABLE,
        "ask": handles and status in ASKABLE,
        # 退单 sends a case back to the township dispatch desk: not a step for the desk itself
        "send_back": handles
        and status in RETURNABLE
        and complaint.handler_kind != TOWNSHIP_DISPATCH
        and may_hold(complaint, TOWNSHIP_DISPATCH),
        "redispatch": handles and status in REDISPATCHABLE and Role.TOWNSHIP_DISPATCHER in actor.roles(),
        "transfer": transfers and status in REROUTABLE,
        "recategorise": reroutes and status in REROUTABLE and authz.can(actor, "complaint.recategorise", complaint),
        "merge": transfers,
        "release": moderates,
        "reject": moderates,
    }
    return [step for step, ok in offered.items() if ok]


def merged_into(user_id: int, complaint_id: int) -> Complaint:
    """The case a villager's duplicate went into (following later merges): they keep following its
    public timeline there."""
    complaint = own(user_id, complaint_id)
    if complaint.merged_into_id is None:
        raise AppError("not_merged", "该反映没有与其他反映合并", kind="not_found")
    seen = {complaint.id}
    while complaint.merged_into_id is not None and complaint.merged_into_id not in seen:
        complaint = db.session.get_one(Complaint, complaint.merged_into_id)  # a foreign key: the row exists
        seen.add(complaint.id)
    return complaint


def own(user_id: int, complaint_id: int) -> Complaint:
    complaint = db.session.scalar(
        select(Complaint).where(Complaint.id == complaint_id, Complaint.filed_by_user_id == user_id)
    )
    if complaint is None:
        raise NotFound()
    return complaint


def confirm(user_id: int, complaint_id: int, *, solved: bool, note: str | None = None) -> Complaint:
    """The villager answers the reply: solved closes the case; not solved reopens it to the same office."""
    complaint = own(user_id, complaint_id)
    villager = By("村民", user_id=user_id)
    if solved:
        return _step(
            complaint,
            "confirmed",
            ("replied",),
            "closed",
            villager,
            public_note=note or "村民确认已解决",
            resolution="solved",
            closed_at=utcnow(),
        )
    return _step(
        complaint,
        "reopened",
        ("replied",),
        "assigned",
        villager,
        public_note=note or "村民反馈问题未解决，重新办理",
        reopen_count=complaint.reopen_count + 1,
        assigned_at=utcnow(),
        signed_at=None,
        replied_at=None,
    )


def supply(user_id: int, complaint_id: int, text: str) -> Complaint:
    """The villager answers the office's question: the office's clock runs again."""
    complaint = own(user_id, complaint_id)
    return _step(
        complaint,
        "supplied",
        ("waiting",),
        "signed",
        By("村民", user_id=user_id),
        public_note="村民已补充情况",
        internal_note=text,
    )


def rate(user_id: int, complaint_id: int, stars: int, comment: str | None) -> Complaint:
    complaint = own(user_id, complaint_id)
    if complaint.status != "closed":
        raise AppError("not_closed", "办结后才能评价", kind="conflict")
    if complaint.rated_at is not None:
        raise AppError("already_rated", "已经评价过了", kind="conflict")
    complaint.rating, complaint.rating_comment, complaint.rated_at = stars, comment, utcnow()
    return complaint


PUBLIC_SUMMARY_MAX = 200
# Control, format (bidi overrides…), surrogate, private-use and unassigned characters: never in public text.
_NOT_PUBLIC_TEXT = frozenset({"Cc", "Cf", "Cs", "Co", "Cn"})


def set_public_summary(actor: authz.Actor, complaint_id: int, text: str | None) -> Complaint:
    """The handling office writes what the village's public list of resolved cases shows of the case
    (None withdraws it). Written for publication: one line, bounded, ID/phone/card numbers masked as
    in disclosures. A case about a named person is never published, so it takes no summary."""
    complaint = _handled(actor, complaint_id)
    if complaint.about_role is not None or complaint.about_level is not None:
        raise AppError("not_publishable", "反映具体人员的案件不公开，不能填写公开摘要", kind="conflict")
    summary = None
    if text is not None:
        summary = " ".join(text.split())
        if any(unicodedata.category(ch) in _NOT_PUBLIC_TEXT for ch in summary):
            raise AppError(
                "invalid_text",
                "公开摘要含有不可见或控制字符",
                kind="unprocessable",
                fields={"text": ["含有不可见或控制字符"]},
            )
        if not 1 <= len(summary) <= PUBLIC_SUMMARY_MAX:
            raise AppError(
                "invalid_text",
                f"公开摘要应为 1 到 {PUBLIC_SUMMARY_MAX} 个字",
                kind="unprocessable",
                fields={"text": [f"1 到 {PUBLIC_SUMMARY_MAX} 个字"]},
            )
        summary = mask(summary)
    complaint.public_summary, complaint.public_summary_at = summary, utcnow()
    complaint.public_summary_by_user_id, complaint.public_summary_by_console_account_id = (
        actor.user_id,
        actor.console_account_id,
    )
    return complaint


def public_resolved(village_id: int, limit: int = 50) -> list[Complaint]:
    """The village's public tracking list: resolved cases, newest first. Never a case about a named
    person (an `about` role, or any recorded subject); what it shows of a case is the public schema's
    business (reference, category, dates and the office's public summary — no one's own words)."""
    about_someone = select(ComplaintSubject.id).where(ComplaintSubject.complaint_id == Complaint.id).exists()
    return list(
        db.session.scalars(
            select(Complaint)
            .where(
                Complaint.village_id == village_id,
                Complaint.status == "closed",
                Complaint.resolution == "solved",
                Complaint.moderation == "clear",
                Complaint.about_role.is_(None),
                Complaint.about_level.is_(None),
                ~about_someone,
            )
            .order_by(Complaint.closed_at.desc())
            .limit(limit)
        )
    )
