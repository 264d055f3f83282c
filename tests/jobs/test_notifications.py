"""Sending subscribe messages through a real RQ worker on a real Redis to the WeChat sandbox over HTTP:
each notification goes out at most once, whatever runs twice, is lost, stalls or fails."""

from __future__ import annotations

import socket
import threading
import time
from datetime import timedelta

from rq.job import Job
from sqlalchemy import update

from app.clock import utcnow
from app.domain.complaints import notifications
from app.extensions import db
from app.jobs import notifications as sending
from app.jobs import queue
from app.jobs.notifications import send_notification
from app.models import Notification
from app.wechat import WeChatAdapter
from app.wechat.current import wechat
from tests.helpers.jobs import run_queued_jobs


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _wechat_at(app, **config) -> None:
    """Reconfigure how the app reaches WeChat (the adapter is rebuilt on next use)."""
    app.config.update(config)
    app.extensions.pop("wechat", None)


def _row(notification_id: int) -> Notification:
    db.session.expire_all()
    return db.session.get(Notification, notification_id)


def test_two_jobs_for_one_notification_send_one_message(owed, wechat_sandbox):
    row = owed()
    q = queue()
    assert q.job_ids == [f"notification-{row.id}-1"]
    duplicate = q.enqueue(send_notification, row.id, 1)  # RQ may run a job twice; here it surely does
    original = q.fetch_job(f"notification-{row.id}-1")
    run_queued_jobs()
    assert sorted([original.return_value(), duplicate.return_value()], key=str) == [None, "sent"]
    again = q.enqueue(send_notification, row.id, 1)
    run_queued_jobs()
    assert again.return_value() is None
    assert len(wechat_sandbox.messages()) == 1
    assert (_row(row.id).state, _row(row.id).attempts) == ("sent", 1)


def test_a_second_worker_leaves_a_send_in_flight_alone(app, owed, wechat_sandbox):
    row = owed(director_identity="slow-eve")  # the sandbox holds its answer 2 s: the send stays in flight
    queue().empty()
    outcome = {}

    def first_worker() -> None:
        with app.app_context():
            outcome["first"] = sending.deliver(row.id, 1, wechat())

    worker = threading.Thread(target=first_worker)
    worker.start()
    deadline = time.monotonic() + 5
    while not wechat_sandbox.messages() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert _row(row.id).state == "sending"
    assert sending.deliver(row.id, 1, wechat()) is None  # the second worker: nothing to claim
    worker.join(10)
    assert outcome == {"first": "sent"} and _row(row.id).state == "sent"
    assert len(wechat_sandbox.messages()) == 1


def test_wechat_unreachable_is_retried_later_then_sent(app, owed, wechat_sandbox):
    row = owed()
    reachable = app.config["WECHAT_API_BASE"]
    _wechat_at(app, WECHAT_API_BASE=f"http://127.0.0.1:{_closed_port()}/")
    run_queued_jobs()
    first = _row(row.id)
    assert (first.state, first.attempts) == ("pending", 1) and "ConnectionError" in first.last_error
    assert round((first.next_attempt_at - first.claimed_at).total_seconds()) == 30
    q = queue()
    retry_id = f"notification-{row.id}-2"
    assert _scheduled_notifications(q) == [retry_id]
    # WeChat is back; the retry falls due (moved to the queue instead of waiting 30 s)
    _wechat_at(app, WECHAT_API_BASE=reachable)
    retry = Job.fetch(retry_id, connection=q.connection)
    q.scheduled_job_registry.remove(retry)
    q.enqueue_job(retry)
    run_queued_jobs()
    assert retry.return_value() == "sent"
    assert (_row(row.id).state, _row(row.id).attempts) == ("sent", 2)
    assert len(wechat_sandbox.messages()) == 1


def test_wechat_unreachable_is_given_up_after_the_last_attempt(app, owed, redis_client):
    row = owed()
    queue().empty()
    down = WeChatAdapter(appid="wx", secret="s", api_base=f"http://127.0.0.1:{_closed_port()}/", redis=redis_client)
    waits = []
    for attempt in range(1, notifications.MAX_ATTEMPTS + 1):
        assert sending.deliver(row.id, attempt, down) == ("pending" if attempt < 5 else "failed")
        current = _row(row.id)
        if current.state == "pending":
            waits.append((current.next_attempt_at - current.claimed_at).total_seconds())
    assert [round(w) for w in waits] == [30, 60, 120, 240]
    final = _row(row.id)
    assert (final.state, final.attempts) == ("failed", 5) and final.last_error.startswith("gave up after 5 attempts")
    assert sorted(_scheduled_notifications(queue())) == [f"notification-{row.id}-{n}" for n in (2, 3, 4, 5)]
    assert sending.deliver(row.id, 6, down) is None


def test_template_or_data_refused_is_failed_for_good(owed, wechat_sandbox):
    row = owed()
    db.session.execute(
        update(Notification).where(Notification.id == row.id).values(data={**row.data, "thing3": ""})
    )  # WeChat answers 47003 to an empty value
    db.session.commit()
    run_queued_jobs()
    failed = _row(row.id)
    assert (failed.state, failed.attempts) == ("failed", 1) and "47003" in failed.last_error
    assert sending.sweep(utcnow() + timedelta(days=1)) == 0
    run_queued_jobs()
    assert wechat_sandbox.messages() == [] and wechat_sandbox.stats()["subscribe_send_calls"] == 1


def test_an_answer_lost_after_sending_is_unknown_and_not_sent_again(app, owed, wechat_sandbox):
    # The sandbox takes a message for an sbx-slow… user, then answers after 2 s: past our timeout.
    row = owed(director_identity="slow-dan")
    _wechat_at(app, WECHAT_TIMEOUT=0.5)
    run_queued_jobs()
    lost = _row(row.id)
    assert (lost.state, lost.attempts) == ("unknown", 1) and "may have been sent" in lost.last_error
    assert sending.sweep(utcnow() + timedelta(hours=1)) == 0
    run_queued_jobs()
    assert [m["touser"] for m in wechat_sandbox.messages()] == ["sbx-slow-dan"]  # it did go out, once


def test_a_lost_job_is_picked_up_by_the_sweep(owed, wechat_sandbox):
    row = owed()
    q = queue()
    q.empty()  # Redis restarted without persistence: the job is gone, the row is not
    now = utcnow()
    assert sending.sweep(now) == 0  # not overdue yet: its job may simply be waiting
    later = now + notifications.LOST_AFTER + timedelta(seconds=1)
    assert sending.sweep(later) == 1
    assert sending.sweep(later) == 0  # re-enqueued once, not every sweep
    assert len(q.job_ids) == 1
    run_queued_jobs()
    assert _row(row.id).state == "sent" and len(wechat_sandbox.messages()) == 1
    assert sending.sweep(later + timedelta(hours=1)) == 0


def test_a_send_stuck_in_a_dead_worker_is_unknown_never_resent(owed, wechat_sandbox):
    row = owed()
    claimed_at = utcnow()
    # A worker claimed it, then was killed before it could record what WeChat said.
    db.session.execute(
        update(Notification).where(Notification.id == row.id).values(state="sending", attempts=1, claimed_at=claimed_at)
    )
    db.session.commit()
    assert sending.sweep(claimed_at + notifications.STUCK_AFTER - timedelta(seconds=1)) == 0
    assert sending.sweep(claimed_at + notifications.STUCK_AFTER + timedelta(seconds=1)) == 1
    stuck = _row(row.id)
    assert stuck.state == "unknown" and "not sent again" in stuck.last_error
    run_queued_jobs()  # the original job finds nothing to claim
    assert _row(row.id).state == "unknown" and wechat_sandbox.messages() == []


def _scheduled_notifications(q) -> list[str]:
    """Scheduled retries of notifications (the cases' own deadline checks share the registry)."""
    return [job_id for job_id in q.scheduled_job_registry.get_job_ids() if job_id.startswith("notification-")]
