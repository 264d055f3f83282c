"""The four-platform connector (基层治理四平台): a township that runs its own four-platform system has
the cases on its dispatch desk delivered there, and the platform reports back.

Outbound. When a case lands on the township dispatch desk (filed, released from moderation, sent
back, re-dispatched, reopened: any event leaving it `assigned` or `returned` with the township
dispatch as handler) and the township's platform is enabled, `on_case_event` (subscribed to case
events by the app factory) writes a delivery row in the same transaction as the case change (an
outbox) and records the intent of its job. The job (app.jobs.platform.deliver) claims the delivery
with a conditional UPDATE (`claim`), commits, POSTs the signed body, and records the outcome
(`record_outcome`) with another conditional UPDATE: sent; or try again after an exponential
backoff; or failed with a reason (a 4xx other than 408/429, or too many attempts). A failed delivery
leaves the case where it always was: in the township's own inbox. The minute sweep re-enqueues
pending deliveries whose time has come (their scheduled job may have been lost with Redis).

What leaves Mingjing: the case (reference, category, lane, description, village, times). Never the
complainant of an anonymous case: no name, phone, household, account or location (a door's
coordinates name the household). A real-name complainant agreed to be contacted by the office
handling the case, which is what the platform is: their name, phone and location go with it.
Cases about a named cadre are never delivered: the platform dispatches onwards, beyond Mingjing's
conflict-of-interest rule, so those stay in the township's own inbox.

Inbound. The platform posts signed status updates (`signed_update`, `apply_update`): acknowledged
(the delivery), signed for, replied (the reply is the public note the villager reads), returned
(退单, with a reason: back to the township's own inbox for a person to re-dispatch, never bounced
back to the platform). Each is an ordinary case transition, recorded as done by "镇四平台".
"""

from __future__ import annotations

import json
import secrets
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import cast
from urllib.parse import urlsplit

from flask import current_app
from redis import Redis
from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from app import transaction
from app.clock import to_shanghai, utcnow
from app.domain import authz
from app.domain.complaints import cases
from app.domain.complaints.categories import CATEGORIES
from app.domain.complaints.officer_view import OfficerDelivery, project, project_event
from app.domain.complaints.routing import HANDLER_LABELS, TOWNSHIP_DISPATCH
from app.errors import AppError
from app.extensions import db
from app.fourplatform import signing
from app.models import Complaint, ComplaintEvent, PlatformConfig, PlatformDelivery, Township

PLATFORM_LABEL = HANDLER_LABELS[TOWNSHIP_DISPATCH]  # "镇四平台", as the case's history shows it
# A case waits on the dispatch desk in these states; signed, replied or closed, someone works it.
ON_THE_DESK = ("assigned", "returned")
UPDATE_STATUSES = ("acknowledged", "signed", "replied", "returned")
STILL_IN_INBOX = "案件留在本镇街待办中办理"


# ---- configuration (township administrators) ----


def live_config(township_id: int | None) -> PlatformConfig | None:
    if township_id is None:
        return None
    return db.session.scalar(
        select(PlatformConfig).where(PlatformConfig.township_id == township_id, PlatformConfig.replaced_at.is_(None))
    )


def history(township_id: int) -> list[PlatformConfig]:
    """Every configuration the township has had, newest first (the live one, if any, first)."""
    return list(
        db.session.scalars(
            select(PlatformConfig).where(PlatformConfig.township_id == township_id).order_by(PlatformConfig.id.desc())
        )
    )


def _url_error(message: str) -> AppError:
    return AppError("platform_url_invalid", message, kind="unprocessable", fields={"endpoint_url": [message]})


def valid_url(raw: str) -> str:
    """An http(s) address the connector can POST to, or a clear error saying what is wrong."""
    value = raw.strip()
    if not value:
        raise _url_error("请填写四平台接收地址")
    if len(value) > 500:
        raise _url_error("地址过长（最多 500 个字符）")
    if any(c.isspace() for c in value):
        raise _url_error("地址中不能有空格")
    parts = urlsplit(value)
    if parts.scheme.lower() not in ("http", "https"):
        raise _url_error("地址须以 http:// 或 https:// 开头")
    if not parts.hostname:
        raise _url_error("地址缺少主机名")
    if parts.username is not None or parts.password is not None:
        raise _url_error("地址中不能包含用户名或密码，请把凭据填在共享密钥中")
    if parts.fragment:
        raise _url_error("地址中不能有 # 片段")
    try:
        parts.port  # noqa: B018 - raises on a port that is not a number from 0 to 65535
    except ValueError:
        raise _url_error("端口号不正确") from None
    return value


def _valid_secret(secret: str) -> str:
    if not (16 <= len(secret) <= 128) or not all("!" <= c <= "~" for c in secret):
        message = "共享密钥应为 16 到 128 个字母、数字或英文符号（不含空格）"
        raise AppError("platform_secret_invalid", message, kind="unprocessable", fields={"secret": [message]})
    return secret


def configure(
    actor: authz.Actor, township: Township, *, endpoint_url: str | None, enabled: bool, secret: str | None = None
) -> PlatformConfig:
    """Replace the township's configuration. `secret` None keeps the current one; enabling needs an
    address and a secret. The old row is kept (replaced_at) without its secret."""
    authz.require(actor, "complaint.route", township)
    url = valid_url(endpoint_url) if endpoint_url is not None else None
    current = live_config(township.id)
    now = utcnow()
    new_secret: str | None
    changed_at: datetime | None
    if secret is not None:
        new_secret, changed_at = _valid_secret(secret), now
    else:
        new_secret = current.secret if current else None
        changed_at = current.secret_changed_at if current else None
    if enabled and url is None:
        raise AppError(
            "platform_url_required",
            "启用对接前请填写四平台接收地址",
            kind="unprocessable",
            fields={"endpoint_url": ["必填"]},
        )
    if enabled and new_secret is None:
        raise AppError(
            "platform_secret_required", "启用对接前请设置共享密钥", kind="unprocessable", fields={"secret": ["必填"]}
        )
    if current is not None:
        replaced = db.session.execute(
            update(PlatformConfig)
            .where(PlatformConfig.id == current.id, PlatformConfig.replaced_at.is_(None))
            .values(replaced_at=now, secret=None)
            .execution_options(synchronize_session=False)
        )
        # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
        if cast(CursorResult[()], replaced).rowcount != 1:
            raise AppError("platform_config_changed", "对接配置刚刚被他人修改，请刷新后重试", kind="conflict")
        db.session.flush()
    config = PlatformConfig(
        township_id=township.id,
        endpoint_url=url,
        secret=new_secret,
        secret_changed_at=changed_at,
        enabled=enabled,
        created_at=now,
        created_by_console_account_id=actor.console_account_id,
    )
    db.session.add(config)
    db.session.flush()
    transaction.forget(db.session())
    return config


def deliveries(township_id: int, state: str | None = None, limit: int = 100) -> list[PlatformDelivery]:
    query = (
        select(PlatformDelivery)
        .options(selectinload(PlatformDelivery.complaint))
        .where(PlatformDelivery.township_id == township_id)
    )
    if state is not None:
        query = query.where(PlatformDelivery.state == state)
    return list(db.session.scalars(query.order_by(PlatformDelivery.id.desc()).limit(limit)))


def of_case(complaint_id: int) -> list[OfficerDelivery]:
    """A case's deliveries to the platform, oldest first, as officers see them (the caller has checked
    that the viewer may read the case)."""
    rows = db.session.scalars(
        select(PlatformDelivery).where(PlatformDelivery.complaint_id == complaint_id).order_by(PlatformDelivery.id)
    )
    return [OfficerDelivery(row) for row in rows]


# ---- outbound: the outbox ----


def _from_platform(event: ComplaintEvent) -> bool:
    """The platform's own step (its 退单 above all): never delivered back to it."""
    return (
        event.actor_label == PLATFORM_LABEL and event.actor_user_id is None and event.actor_console_account_id is None
    )


def _on_the_desk(complaint: Complaint, township_id: int | None) -> bool:
    return (
        complaint.handler_kind == TOWNSHIP_DISPATCH
        and complaint.handler_township_id == township_id
        and complaint.status in ON_THE_DESK
        and complaint.moderation == "clear"
    )


def on_case_event(complaint: Complaint, event: ComplaintEvent) -> PlatformDelivery | None:
    """Called for every case event (the one hook in cases._event): deliver the case to the township's
    platform when it has just landed on the dispatch desk and the platform is enabled."""
    if (
        event.to_status not in ON_THE_DESK
        or complaint.about_level is not None
        or _from_platform(event)
        or not _on_the_desk(complaint, complaint.handler_township_id)
    ):
        return None
    config = transaction.memo(
        db.session(),
        ("platform_config", complaint.handler_township_id),
        lambda: live_config(complaint.handler_township_id),
    )
    if config is None or not config.enabled:
        return None
    now = utcnow()
    # An older delivery still waiting to go out describes a step the case has moved past.
    db.session.execute(
        update(PlatformDelivery)
        .where(PlatformDelivery.complaint_id == complaint.id, PlatformDelivery.state == "pending")
        .values(
            state="failed",
            failure_code="superseded",
            failure_reason="案件有了新进展，已由新的推送取代",
            failed_at=now,
            next_attempt_at=None,
        )
        .execution_options(synchronize_session=False)
    )
    db.session.flush()  # the event's id
    key = secrets.token_hex(16)
    delivery = PlatformDelivery(
        key=key,
        complaint_id=complaint.id,
        township_id=config.township_id,
        event_id=event.id,
        event_kind=event.kind,
        body=_body(complaint, event, key),
        state="pending",
        attempts=0,
        next_attempt_at=now,
        created_at=now,
    )
    db.session.add(delivery)
    db.session.flush()
    _schedule(delivery.id, 1)
    return delivery


def _iso(moment: datetime | None) -> str | None:
    return to_shanghai(moment).isoformat() if moment else None


def _body(complaint_row: Complaint, event_row: ComplaintEvent, key: str) -> str:
    """The JSON the platform receives (see the module docstring for what may leave Mingjing): made
    from the officers' projection of the case, as the office handling it (officer_view)."""
    complaint, event = project(complaint_row, handling=True), project_event(event_row)
    village = complaint.village
    township = village.township
    if complaint.reveals_complainant:
        complainant: dict[str, object] = {
            "anonymous": False,
            "name": complaint.contact_name,
            "phone": complaint.contact_phone,
            "latitude": complaint.latitude,
            "longitude": complaint.longitude,
        }
    else:
        complainant = {"anonymous": True}
    document = {
        "delivery": key,
        "event": {
            "kind": event.kind,
            "at": _iso(event.created_at),
            "note": event.public_note,
            "handler_note": event.internal_note,
        },
        "case": {
            "reference": complaint.reference,
            "category": complaint.category,
            "category_name": CATEGORIES[complaint.category].name,
            "lane": complaint.lane,
            "description": complaint.description,
            "filed_at": _iso(complaint.filed_at),
            "reopen_count": complaint.reopen_count,
            "township": {"code": township.code, "name": township.name},
            "village": {"code": village.code, "name": village.name},
        },
        "complainant": complainant,
    }
    return json.dumps(document, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


def job_id(delivery_id: int, attempt_number: int) -> str:
    """One id per (delivery, attempt): a re-enqueue by the sweep replaces the lost job, not adds to it."""
    return f"platform-delivery-{delivery_id}-{attempt_number}"


def _schedule(delivery_id: int, attempt_number: int, at: datetime | None = None) -> None:
    transaction.intend(db.session(), "platform.deliver", delivery_id, job_id=job_id(delivery_id, attempt_number), at=at)


def backoff(attempts: int) -> timedelta:
    """Wait before the next attempt after `attempts` failed ones: base, 2×base, 4×base… capped."""
    cfg = current_app.config
    seconds = cfg["PLATFORM_RETRY_BASE_SECONDS"] * 2 ** (attempts - 1)
    return timedelta(seconds=min(seconds, cfg["PLATFORM_RETRY_MAX_SECONDS"]))


def _move(delivery_id: int, seen: int, values: dict[str, object], *, due_by: datetime | None = None) -> bool:
    """One conditional step of a pending delivery: only from the attempt count the caller read
    (`seen`), so two workers (or a worker and the sweep) cannot both take it."""
    query = update(PlatformDelivery).where(
        PlatformDelivery.id == delivery_id, PlatformDelivery.state == "pending", PlatformDelivery.attempts == seen
    )
    if due_by is not None:
        query = query.where(PlatformDelivery.next_attempt_at <= due_by)
    result = db.session.execute(query.values(**values).execution_options(synchronize_session=False))
    return cast(CursorResult[()], result).rowcount == 1  # see configure


def _fail_values(now: datetime, code: str, reason: str, error: str | None = None) -> dict[str, object]:
    return {
        "state": "failed",
        "failure_code": code,
        "failure_reason": reason,
        "failed_at": now,
        "next_attempt_at": None,
        "last_error": error,
    }


def _why_not(delivery: PlatformDelivery, config: PlatformConfig | None, max_attempts: int) -> tuple[str, str] | None:
    """(failure code, reason) when a pending delivery must not be sent any more."""
    if config is None or not config.enabled:
        return "disabled", f"镇街已停用四平台对接，{STILL_IN_INBOX}"
    if not _on_the_desk(delivery.complaint, delivery.township_id):
        return "superseded", "案件已不在镇四平台待办，无需再推送"
    if delivery.attempts >= max_attempts:  # the last attempt's worker died before recording its outcome
        return "exhausted", f"已尝试 {delivery.attempts} 次仍未确认送达，{STILL_IN_INBOX}"
    return None


@dataclass(frozen=True)
class Claimed:
    """An attempt this worker has claimed: what to send, where, and the attempt's number."""

    delivery_id: int
    attempts: int
    key: str
    body: bytes
    url: str
    secret: str
    timeout: float


def claim(delivery_id: int) -> Claimed | None:
    """Claim a due delivery's next attempt, or settle it as failed when it must not be sent any more.
    The caller commits the claim before the request leaves (the sender in app.jobs.platform), so
    everyone sees it; None: nothing for this caller to send (see `state`)."""
    cfg = current_app.config
    now = utcnow()
    delivery = db.session.get(PlatformDelivery, delivery_id)
    if delivery is None:
        return None
    if delivery.state != "pending" or delivery.next_attempt_at is None or delivery.next_attempt_at > now:
        return None
    seen, delivery_key, body = delivery.attempts, delivery.key, delivery.body.encode()
    config = live_config(delivery.township_id)
    give_up = _why_not(delivery, config, cfg["PLATFORM_MAX_ATTEMPTS"])
    if give_up is not None:
        _move(delivery_id, seen, _fail_values(now, *give_up, delivery.last_error))
        return None
    # _why_not gave no reason: the config is live and enabled, and enabling needs an address and a secret
    assert config is not None and config.endpoint_url is not None and config.secret is not None
    timeout = cfg["PLATFORM_TIMEOUT_SECONDS"]
    # The claim: one more attempt, and a lease (next_attempt_at) long enough for the request to
    # finish, so nobody else starts one meanwhile; if this worker dies, the sweep retries after it.
    if not _move(
        delivery_id,
        seen,
        {"attempts": seen + 1, "last_attempt_at": now, "next_attempt_at": now + timedelta(seconds=timeout + 60)},
        due_by=now,
    ):
        return None
    return Claimed(delivery_id, seen + 1, delivery_key, body, config.endpoint_url, config.secret, timeout)


def record_outcome(claimed: Claimed, *, delivered: bool, retryable: bool, error: str | None) -> None:
    """The platform's answer to a claimed attempt: sent; or try again after a backoff (its job an
    intent); or failed with a reason. Conditional on the claim, so a late answer changes nothing."""
    cfg = current_app.config
    attempts, done = claimed.attempts, utcnow()
    retry_at = None
    values: dict[str, object]
    if delivered:
        values = {"state": "sent", "sent_at": done, "next_attempt_at": None, "last_error": None}
    elif not retryable:
        values = _fail_values(done, "rejected", f"四平台拒收（{error}），{STILL_IN_INBOX}", error)
    elif attempts >= cfg["PLATFORM_MAX_ATTEMPTS"]:
        values = _fail_values(done, "exhausted", f"已尝试 {attempts} 次仍未送达（{error}），{STILL_IN_INBOX}", error)
    else:
        retry_at = done + backoff(attempts)
        values = {"next_attempt_at": retry_at, "last_error": error}
    if _move(claimed.delivery_id, attempts, values) and retry_at is not None:
        _schedule(claimed.delivery_id, attempts + 1, at=retry_at)


def state(delivery_id: int) -> str | None:
    return db.session.scalar(select(PlatformDelivery.state).where(PlatformDelivery.id == delivery_id))


def due(now: datetime, limit: int = 200) -> list[tuple[int, int]]:
    """(delivery id, attempts so far) of pending deliveries whose next attempt is due."""
    return [
        (delivery_id, attempts)
        for delivery_id, attempts in db.session.execute(
            select(PlatformDelivery.id, PlatformDelivery.attempts)
            .where(PlatformDelivery.state == "pending", PlatformDelivery.next_attempt_at <= now)
            .order_by(PlatformDelivery.next_attempt_at)
            .limit(limit)
        )
    ]


# ---- inbound: signed status updates from the platform ----


@dataclass(frozen=True)
class Update:
    case: str  # the case reference
    status: str  # acknowledged | signed | replied | returned
    text: str | None = None  # replied: the reply the villager reads
    reason: str | None = None  # returned: why it is not the platform's
    delivery: str | None = None  # acknowledged: which delivery (its idempotency key); else the latest


@contextmanager
def signed_update(
    township_id: int, timestamp: str | None, signature: str | None, body: bytes, *, redis: Redis
) -> Iterator[PlatformConfig]:
    """Check a request claiming to come from the township's platform: its signature over the raw
    body with the township's secret, a timestamp within the window, and that this exact request was
    not seen before (replay). If the work inside fails, the request may be sent again as it is."""
    config = live_config(township_id)
    if config is None or config.secret is None:
        raise AppError("platform_not_configured", "本镇街未配置四平台对接", kind="unauthenticated")
    window = current_app.config["PLATFORM_SIGNATURE_WINDOW_SECONDS"]
    try:
        signing.verify(config.secret, timestamp, signature, body, now=utcnow().timestamp(), window=window)
    except signing.SignatureError as exc:
        raise AppError(f"platform_{exc.code}", exc.message, kind="unauthenticated") from None
    if not config.enabled:
        raise AppError("platform_disabled", "本镇街已停用四平台对接", kind="forbidden")
    seen_key = f"platform-inbound:{township_id}:{signature}"
    # Kept a little longer than the window: once it lapses, the timestamp check refuses the replay.
    if not redis.set(seen_key, "1", nx=True, ex=2 * window + 60):
        raise AppError(
            "platform_update_replayed", "该请求已经处理过，不能重复提交；如需重发请重新签名", kind="conflict"
        )
    try:
        yield config
    except BaseException:
        redis.delete(seen_key)
        raise


def apply_update(config: PlatformConfig, change: Update) -> tuple[Complaint, PlatformDelivery | None]:
    """Apply one verified status update to a case the township's platform holds."""
    if change.status not in UPDATE_STATUSES:
        raise AppError("unknown_status", "不支持的状态", kind="unprocessable", fields={"status": ["不是可选的值"]})
    complaint = db.session.scalar(select(Complaint).where(Complaint.reference == change.case))
    if complaint is None:
        raise AppError("case_not_found", "没有这个案件编号", kind="not_found")
    if complaint.township_id != config.township_id:
        raise AppError("case_of_other_township", "该案件不属于本镇街", kind="forbidden")
    query = select(PlatformDelivery).where(
        PlatformDelivery.complaint_id == complaint.id, PlatformDelivery.township_id == config.township_id
    )
    if change.delivery is not None:
        query = query.where(PlatformDelivery.key == change.delivery)
    delivery = db.session.scalar(query.order_by(PlatformDelivery.id.desc()).limit(1))
    if delivery is None and change.delivery is not None:
        raise AppError("delivery_not_found", "没有这次推送", kind="not_found")
    if delivery is None:  # never handed over (e.g. a case about a cadre): not the platform's to work
        raise AppError("case_not_with_platform", "该案件未推送给本镇四平台", kind="conflict")
    if change.status == "acknowledged":
        return complaint, _acknowledge(delivery)
    if change.status == "replied" and not change.text:
        raise AppError("text_required", "请填写答复内容", kind="unprocessable", fields={"text": ["必填"]})
    if change.status == "returned" and not change.reason:
        raise AppError("reason_required", "请填写退单理由", kind="unprocessable", fields={"reason": ["必填"]})
    if (
        complaint.handler_kind != TOWNSHIP_DISPATCH
        or complaint.handler_township_id != config.township_id
        or complaint.moderation != "clear"
    ):
        raise AppError("case_not_with_platform", "案件当前不在镇四平台办理", kind="conflict")
    cases.act_for_office(
        complaint, cases.By(PLATFORM_LABEL), change.status, change.text if change.status == "replied" else change.reason
    )
    # Working the case says the platform has it: a delivery still only "sent" is acknowledged.
    db.session.execute(
        update(PlatformDelivery)
        .where(PlatformDelivery.complaint_id == complaint.id, PlatformDelivery.state == "sent")
        .values(state="acknowledged", acknowledged_at=utcnow())
        .execution_options(synchronize_session=False)
    )
    db.session.refresh(delivery)
    return complaint, delivery


def _acknowledge(delivery: PlatformDelivery) -> PlatformDelivery:
    if delivery.state == "acknowledged":
        return delivery  # said twice: the same answer
    if delivery.state == "failed":
        raise AppError("delivery_closed", f"该推送已标记为失败，{STILL_IN_INBOX}", kind="conflict")
    result = db.session.execute(
        update(PlatformDelivery)
        .where(PlatformDelivery.id == delivery.id, PlatformDelivery.state.in_(("pending", "sent")))
        .values(state="acknowledged", acknowledged_at=utcnow(), next_attempt_at=None)
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[()], result).rowcount != 1:  # see configure
        raise AppError("delivery_changed", "推送状态刚刚变化，请重试", kind="conflict")
    db.session.refresh(delivery)
    return delivery
