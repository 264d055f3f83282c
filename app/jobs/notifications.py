"""Subscribe messages about complaints are sent here, on the worker, one job per notification and
attempt; the rules of each attempt (who, what, which outcome means what) are the domain's
(app.domain.complaints.notifications). This module talks to WeChat and commits."""

from __future__ import annotations

from datetime import datetime

from app.domain.complaints import notifications
from app.extensions import db
from app.jobs import enqueue_unless_pending, in_app_context
from app.wechat import WeChatAdapter, WeChatError, WeChatNoAnswer, WeChatNoSubscribeCredit, WeChatUnavailable
from app.wechat.current import wechat


@in_app_context
def send_notification(notification_id: int, attempt: int) -> str | None:
    """Make attempt `attempt` at sending notification `notification_id` (safe to run twice: only the
    job that claims the row sends). Returns the state the row was left in, None if there was nothing
    for this job to do."""
    return deliver(notification_id, attempt, wechat())


def deliver(notification_id: int, attempt: int, client: WeChatAdapter) -> str | None:
    """Make attempt number `attempt` (from 1) at sending one notification. Returns the state it left the
    row in, or None when this attempt is not there to make (another job made it, or the row is done)."""
    claimed = notifications.claim(notification_id, attempt)
    db.session.commit()  # the claim is visible, and survives a crash, before anything is sent
    if not claimed:
        return None
    message = notifications.message(notification_id, attempt)
    db.session.commit()  # no transaction held open during the call
    if isinstance(message, str):
        return message
    try:
        client.send_subscribe_message(message.openid, message.template_id, message.data, page=message.page)
    except WeChatNoSubscribeCredit as exc:
        state = notifications.finish(notification_id, attempt, "no_credit", str(exc))
    except WeChatNoAnswer as exc:
        state = notifications.finish(notification_id, attempt, "unknown", f"no answer, may have been sent: {exc}")
    except WeChatUnavailable as exc:
        state = notifications.unavailable(notification_id, attempt, str(exc))
    except WeChatError as exc:  # 47003 and every other refusal: sending again would be refused again
        state = notifications.finish(notification_id, attempt, "failed", str(exc))
    except Exception as exc:
        # Not a WeChat answer: where it broke is unknown, so is whether the message went out.
        db.session.rollback()
        notifications.finish(notification_id, attempt, "unknown", f"{type(exc).__name__}: {exc}")
        db.session.commit()
        raise
    else:
        state = notifications.finish(notification_id, attempt, "sent")
    db.session.commit()
    return state


def sweep(now: datetime) -> int:
    """The sweep's part: stuck sends become 'unknown' (never resent); pending rows whose job is overdue
    by LOST_AFTER get a new job for the same attempt, unless that job is still queued (behind a
    backlog) or running (the claim keeps a late original harmless)."""
    stuck = notifications.close_stuck(now)
    db.session.commit()
    overdue = notifications.overdue(now)
    db.session.commit()
    return stuck + sum(
        enqueue_unless_pending(
            send_notification, notification_id, attempts + 1, job_id=notifications.job_id(notification_id, attempts + 1)
        )
        for notification_id, attempts in overdue
    )
