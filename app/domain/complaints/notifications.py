"""WeChat subscribe messages (订阅消息) about complaints: who is told what, and the outbox that sends
each message at most once.

Every step of a case publishes its event (app.domain.events; the app factory subscribes `record`),
with the case as it is after the step. `record` decides who is told, writes one outbox row per person
(unique per event and person, so at most one message per event and person) and records the intent
of the send, enqueued after the commit.

Who is told what — the event kinds (and to_status) other modules record are the contract:
* the villager who filed: 'signed' and 'escalated' (case_progress), 'replied' (case_replied), and
  every event whose to_status is 'closed' — 'confirmed', 'rejected', 'merged'… (case_closed);
* the handling office: every event whose to_status is 'assigned' — 'filed' (not held), 'released',
  'redispatched', 'reopened', 'escalated', 'transferred', 'recategorised' (case_assigned) — and
  'reminded', a deadline reminder (case_reminder). An office is told through the WeChat users
  holding its role now; console accounts have no openid (their console inbox is their notification);
* the village's supervision liaison (监察联络员), copied on the discipline lane: 'filed' (not held) and
  'released', when the copy becomes theirs to read (case_assigned, marked 抄送);
* never a person the complaint is about (ComplaintSubject), whatever role they hold, and never the
  person who took the step (a villager who confirms "solved" is not told the case is closed).

Sending (app.jobs.notifications: `deliver`, run by the RQ job `send_notification`, one job per row and
attempt, with this module's rules `claim`, `message`, `finish`, `unavailable`): the job claims the row with a conditional UPDATE (pending → sending WHERE attempts = the
attempt before its own) and commits the claim before calling WeChat, so two jobs never both send and
a crash never leaves a row that looks unsent. Outcomes:
* sent;
* no_credit — 43101, the user has no credit for this template (not granted, or used up): recorded,
  never retried;
* failed — WeChat refused: 47003 (template or data invalid) or any other error code, permanent; or
  WeChat unreachable (connection refused, HTTP 5xx, "system busy") MAX_ATTEMPTS times — between
  attempts the row goes back to pending with backoff (30 s, 1, 2, 4 min);
* unknown — the request went out and no answer came back (read timeout), or the worker died after
  its claim (found 'sending' after STUCK_AFTER by the sweep). The message may have reached the user
  and a message is sent at most once, so it is not sent again.
The minute sweep (app.jobs.notifications.sweep, with `close_stuck` and `overdue`) re-enqueues pending rows whose job was lost (scheduled jobs live only in
Redis; a job still queued behind a backlog is not lost and gets no second copy) and closes stuck ones
as unknown.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast

from flask import current_app
from sqlalchemy import ColumnElement, Update, select, update
from sqlalchemy.engine import CursorResult

from app import transaction
from app.clock import to_shanghai, utcnow
from app.domain import authz
from app.domain.complaints.categories import name_of
from app.domain.complaints.officer_view import OfficerCase, OfficerEvent, OfficerNotification, project, project_event
from app.domain.complaints.routing import (
    COUNTY,
    OFFICE_ROLES,
    TOWNSHIP_DISCIPLINE,
    TOWNSHIP_DISPATCH,
    VILLAGE_ROLE,
    office_terms,
)
from app.domain.wechat_port import truncate_subscribe_fields
from app.extensions import db
from app.models import Complaint, ComplaintEvent, ComplaintSubject, Notification, Role, RoleAssignment, WxUser

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
FIRST_BACKOFF = timedelta(seconds=30)  # doubled after each failed attempt
LOST_AFTER = timedelta(minutes=2)  # pending and due this long ago: its job was lost
STUCK_AFTER = timedelta(minutes=10)  # 'sending' this long: the worker died (a send times out in seconds)
SWEEP_BATCH = 200

# Mini-program pages a message opens (the mini-program's page list must have them).
VILLAGER_PAGE = "pages/my-complaint/my-complaint?id={id}"
HANDLER_PAGE = "pages/inbox-case/inbox-case?id={id}"


@dataclass(frozen=True)
class Template:
    """A subscribe-message template as the code fills it; its id comes from config WECHAT_TEMPLATES."""

    key: str
    title: str  # the title to pick in WeChat's template library
    audience: str  # villager | handler
    fields: tuple[tuple[str, str], ...]  # (field key, meaning), in the order WeChat shows them
    request_when: str  # when the mini-program asks the user for it (wx.requestSubscribeMessage)


_HEAD = (("character_string1", "受理编号"), ("thing2", "反映类别"))
TEMPLATES: dict[str, Template] = {
    t.key: t
    for t in (
        Template(
            "case_progress",
            "办理进度通知",
            "villager",
            (*_HEAD, ("phrase3", "办理状态"), ("thing4", "办理说明"), ("time5", "更新时间")),
            "提交反映时（与答复、办结通知一起请求）；点“未解决”重新办理时再次请求",
        ),
        Template(
            "case_replied",
            "答复通知",
            "villager",
            (*_HEAD, ("thing3", "答复内容"), ("thing4", "答复单位"), ("time5", "答复时间")),
            "提交反映时；点“未解决”重新办理时再次请求",
        ),
        Template(
            "case_closed",
            "办结通知",
            "villager",
            (*_HEAD, ("phrase3", "办结结果"), ("thing4", "说明"), ("time5", "办结时间")),
            "提交反映时；点“未解决”重新办理时再次请求",
        ),
        Template(
            "case_assigned",
            "待办案件通知",
            "handler",
            (*_HEAD, ("thing3", "事项说明"), ("time4", "分派时间")),
            "干部在待办中点“签收”“答复”时（与期限提醒一起请求），每次同意可收到一条",
        ),
        Template(
            "case_reminder",
            "办理期限提醒",
            "handler",
            (*_HEAD, ("thing3", "提醒内容"), ("time4", "提醒时间")),
            "干部在待办中点“签收”“答复”时",
        ),
    )
}


def configured_templates() -> list[dict[str, str]]:
    """The templates that have an id here, for the mini-program to request (wx.requestSubscribeMessage)."""
    ids = current_app.config["WECHAT_TEMPLATES"]
    return [
        {
            "key": t.key,
            "template_id": ids[t.key],
            "title": t.title,
            "audience": t.audience,
            "request_when": t.request_when,
        }
        for t in TEMPLATES.values()
        if ids.get(t.key)
    ]


_PROGRESS = {"signed": ("已签收", "办理单位已签收"), "escalated": ("已升级", "已转上级办理")}  # (phrase3, note)
_CLOSED_RESULTS = {"solved": "已解决", "rejected": "不予受理", "merged": "已合并"}  # anything else: 已办结
_ASSIGNED_NOTES = {
    "reopened": "村民反馈未解决，请重新办理",
    "escalated": "超期升级，请及时签收办理",
    "redispatched": "镇四平台分派，请及时签收",
    "transferred": "转办案件，请及时签收",
    "recategorised": "改类转办，请及时签收",
}


# ---- who is told what ----


def _when(moment: datetime) -> str:
    """WeChat's `time` format, in Shanghai time: 2026年3月2日 09:00."""
    local = to_shanghai(moment)
    return f"{local.year}年{local.month}月{local.day}日 {local:%H:%M}"


def _text(value: str | None, fallback: str) -> str:
    """One line (WeChat shows a value on one line and refuses an empty one)."""
    return " ".join((value or "").split()) or fallback


def _message(
    key: str, complaint: Complaint | OfficerCase, event: ComplaintEvent | OfficerEvent, *middle: str
) -> tuple[str, dict[str, str]]:
    values = (complaint.reference, name_of(complaint.category), *middle, _when(event.created_at))
    fields = TEMPLATES[key].fields
    assert len(values) == len(fields), key
    return key, {field: value for (field, _label), value in zip(fields, values, strict=True)}


def villager_message(complaint: Complaint, event: ComplaintEvent) -> tuple[str, dict[str, str]] | None:
    """What the villager who filed is told of this step, if anything."""
    if event.to_status == "closed":
        return _message(
            "case_closed",
            complaint,
            event,
            _CLOSED_RESULTS.get(complaint.resolution or "", "已办结"),
            _text(event.public_note, "案件已办结"),
        )
    if event.kind == "replied":
        return _message(
            "case_replied",
            complaint,
            event,
            _text(event.public_note, "已答复，请查看"),
            _text(event.actor_label, "办理单位"),
        )
    if event.kind in _PROGRESS:
        status, note = _PROGRESS[event.kind]
        return _message("case_progress", complaint, event, status, _text(event.public_note, note))
    return None


def handler_message(complaint: OfficerCase, event: OfficerEvent) -> tuple[str, dict[str, str]] | None:
    """What the handling office is told of this step, if anything."""
    if event.kind == "reminded":
        return _message(
            "case_reminder",
            complaint,
            event,
            _text(event.internal_note or event.public_note, "办理期限将到，请尽快办理"),
        )
    if event.to_status == "assigned":
        return _message("case_assigned", complaint, event, _ASSIGNED_NOTES.get(event.kind, "新反映待办理，请及时签收"))
    return None


_COPY_NOTE = "抄送：纪检监察类反映，请知悉"
_COPY_KINDS = ("filed", "released")  # when the copy reaches the liaison: filed clear, or let through moderation


def liaison_message(complaint: OfficerCase, event: OfficerEvent) -> tuple[str, dict[str, str]] | None:
    """What the village's supervision liaison is told: a case copied to them (access: complaint.copy)."""
    if complaint.copy_liaison and event.kind in _COPY_KINDS and event.to_status == "assigned":
        return _message("case_assigned", complaint, event, _COPY_NOTE)
    return None


def audience(notification: Notification) -> str:
    """Who a notification went to, as a kind: villager (the filer), handler (the office), liaison (the copy)."""
    template = TEMPLATES.get(notification.template_key)
    if template is None or template.audience == "handler":
        return "liaison" if (notification.data or {}).get("thing3") == _COPY_NOTE else "handler"
    return template.audience


def of_case(complaint_id: int) -> list[OfficerNotification]:
    """The notifications a case owed, oldest first, as officers see them: template, audience and course,
    never the recipient (the caller has checked that the viewer may read the case)."""
    rows = db.session.scalars(
        select(Notification).where(Notification.complaint_id == complaint_id).order_by(Notification.id)
    )
    return [OfficerNotification(row, audience(row)) for row in rows]


def liaisons(complaint: Complaint) -> set[int]:
    """WeChat users holding the village's supervision-liaison role right now."""
    return set(
        db.session.scalars(
            select(RoleAssignment.user_id).where(
                RoleAssignment.role == Role.SUPERVISION_LIAISON.value,
                RoleAssignment.village_id == complaint.village_id,
                RoleAssignment.user_id.is_not(None),
                authz.term_running(),
            )
        )
    )


def office_holders(complaint: Complaint) -> set[int]:
    """WeChat users holding the handling office's role right now (console accounts have no openid)."""
    kind = complaint.handler_kind
    where: Sequence[ColumnElement[bool]]
    if kind == VILLAGE_ROLE:
        # a case held by a village office names the role and the village
        assert complaint.handler_role is not None and complaint.handler_village_id is not None
        where = office_terms(Role(complaint.handler_role), complaint.handler_village_id, complaint.handler_grid_id)
    elif kind in (TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE):
        where = (
            RoleAssignment.role == OFFICE_ROLES[kind].value,
            RoleAssignment.township_id == complaint.handler_township_id,
        )
    elif kind == COUNTY:
        where = (
            RoleAssignment.role == OFFICE_ROLES[kind].value,
            RoleAssignment.county_id == complaint.handler_county_id,
        )
    else:
        return set()
    return set(
        db.session.scalars(
            select(RoleAssignment.user_id).where(*where, RoleAssignment.user_id.is_not(None), authz.term_running())
        )
    )


def _subjects(complaint_id: int) -> set[int]:
    return set(
        db.session.scalars(
            select(ComplaintSubject.user_id).where(
                ComplaintSubject.complaint_id == complaint_id, ComplaintSubject.user_id.is_not(None)
            )
        )
    )


def record(complaint: Complaint, event: ComplaintEvent) -> list[Notification]:
    """Write the notifications this step owes (none for most steps) and send them after the commit."""
    owed: dict[int, tuple[str, dict[str, str], str]] = {}
    if (message := villager_message(complaint, event)) is not None:
        owed[complaint.filed_by_user_id] = (*message, VILLAGER_PAGE.format(id=complaint.id))
    # Officers are told from the officers' projection of the case (officer_view): never who filed it.
    case, step = project(complaint, handling=True), project_event(event)
    if (message := handler_message(case, step)) is not None:
        for user_id in sorted(office_holders(complaint)):
            owed.setdefault(user_id, (*message, HANDLER_PAGE.format(id=complaint.id)))
    if (message := liaison_message(project(complaint), step)) is not None:
        for user_id in sorted(liaisons(complaint)):
            owed.setdefault(user_id, (*message, HANDLER_PAGE.format(id=complaint.id)))
    if not owed:
        return []
    never = _subjects(complaint.id) | {event.actor_user_id}
    templates = current_app.config["WECHAT_TEMPLATES"]
    db.session.flush()  # the event's id
    rows = []
    for user_id, (key, data, page) in owed.items():
        if user_id in never:
            continue
        if not templates.get(key):
            logger.warning("no WeChat template id configured for %s: nobody is told of event %s", key, event.id)
            continue
        rows.append(
            Notification(
                complaint_id=complaint.id,
                event_id=event.id,
                recipient_user_id=user_id,
                template_key=key,
                data=truncate_subscribe_fields(data),
                page=page,
                state="pending",
                attempts=0,
                next_attempt_at=event.created_at,
                created_at=event.created_at,
            )
        )
    db.session.add_all(rows)
    db.session.flush()
    for row in rows:
        _enqueue(row.id, 1)
    return rows


# ---- sending: the rules of each attempt (the sender, app.jobs.notifications, calls WeChat and commits) ----


def job_id(notification_id: int, attempt: int) -> str:
    """One id per (row, attempt): the sweep can tell whether that attempt's job is still on its way."""
    return f"notification-{notification_id}-{attempt}"


def _enqueue(notification_id: int, attempt: int, *, at: datetime | None = None) -> None:
    transaction.intend(
        db.session(), "notifications.send", notification_id, attempt, job_id=job_id(notification_id, attempt), at=at
    )


@dataclass(frozen=True)
class Message:
    """A claimed attempt: what the sender sends to whom."""

    openid: str
    template_id: str
    data: dict[str, str]
    page: str


def claim(notification_id: int, attempt: int) -> bool:
    """Take attempt number `attempt` (from 1): pending → sending, only from the attempt before it, so
    two jobs never both send. The caller commits the claim before anything is sent."""
    return (
        _updated(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.state == "pending",
                Notification.attempts == attempt - 1,
            )
            .values(state="sending", attempts=attempt, claimed_at=utcnow(), next_attempt_at=None)
            .execution_options(synchronize_session=False)
        )
        == 1
    )


def _updated(statement: Update) -> int:
    """The rows an UPDATE matched."""
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
    return cast(CursorResult[()], db.session.execute(statement)).rowcount


def message(notification_id: int, attempt: int) -> Message | str:
    """What a claimed attempt sends, or the state it was finished in when it must not be sent."""
    row = db.session.get_one(Notification, notification_id)  # claimed: the row exists
    if row.recipient_user_id in _subjects(row.complaint_id):  # subjects recorded since: still never
        return finish(notification_id, attempt, "failed", "recipient is a subject of the complaint")
    template_id = current_app.config["WECHAT_TEMPLATES"].get(row.template_key)
    if not template_id:
        return finish(notification_id, attempt, "failed", f"no template id configured for {row.template_key}")
    openid = db.session.scalars(select(WxUser.openid).where(WxUser.id == row.recipient_user_id)).one()
    return Message(openid, template_id, dict(row.data), row.page)


def _settle(notification_id: int, attempt: int, **values: object) -> bool:
    """Record the outcome of this job's own attempt (nothing if the sweep has already settled it)."""
    matched = _updated(
        update(Notification)
        .where(Notification.id == notification_id, Notification.state == "sending", Notification.attempts == attempt)
        .values(**values)
        .execution_options(synchronize_session=False)
    )
    return matched == 1


def finish(notification_id: int, attempt: int, state: str, reason: str | None = None) -> str:
    _settle(notification_id, attempt, state=state, finished_at=utcnow(), last_error=reason and reason[:200])
    return state


def unavailable(notification_id: int, attempt: int, reason: str) -> str:
    """WeChat could not be reached: try again after a backoff, or give up after MAX_ATTEMPTS."""
    if attempt >= MAX_ATTEMPTS:
        return finish(notification_id, attempt, "failed", f"gave up after {attempt} attempts: {reason}")
    due = utcnow() + FIRST_BACKOFF * 2 ** (attempt - 1)
    if _settle(notification_id, attempt, state="pending", next_attempt_at=due, last_error=reason[:200]):
        _enqueue(notification_id, attempt + 1, at=due)
    return "pending"


def close_stuck(now: datetime) -> int:
    """Sends claimed STUCK_AFTER ago and never settled (the worker died): 'unknown', never resent."""
    return _updated(
        update(Notification)
        .where(Notification.state == "sending", Notification.claimed_at < now - STUCK_AFTER)
        .values(
            state="unknown",
            finished_at=now,
            last_error="the worker stopped during the send; not sent again (at most once)",
        )
        .execution_options(synchronize_session=False)
    )


def overdue(now: datetime) -> list[tuple[int, int]]:
    """(row id, attempts so far) of pending rows whose job is overdue by LOST_AFTER, each marked
    (next_attempt_at = now, conditional on what was read, so a concurrent sweep takes it once) and
    so looked at again only LOST_AFTER later."""
    lost = db.session.execute(
        select(Notification.id, Notification.attempts, Notification.next_attempt_at)
        .where(Notification.state == "pending", Notification.next_attempt_at <= now - LOST_AFTER)
        .order_by(Notification.next_attempt_at)
        .limit(SWEEP_BATCH)
    ).all()
    taken = []
    for notification_id, attempts, due in lost:
        moved = _updated(
            update(Notification)
            .where(
                Notification.id == notification_id,
                Notification.state == "pending",
                Notification.attempts == attempts,
                Notification.next_attempt_at == due,
            )
            .values(next_attempt_at=now)
            .execution_options(synchronize_session=False)
        )
        if moved:
            taken.append((notification_id, attempts))
    return taken
