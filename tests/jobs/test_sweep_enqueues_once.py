"""A sweep enqueues only what is lost, never a second copy of a job still queued behind a backlog (or
running on a live worker): the notification sweep and the four-platform delivery sweep, on real Redis."""

from __future__ import annotations

from datetime import timedelta

import pytest
from rq.job import Job, JobStatus

from app.clock import utcnow
from app.domain.complaints import notifications
from app.extensions import db
from app.jobs import job_pending, liveness, queue_for
from app.jobs import notifications as sending
from app.jobs.notifications import send_notification
from app.jobs.platform import deliver
from app.jobs.sweep import sweep
from tests.connector import deliveries, file_case, run_worker, township_with_platform
from tests.helpers.jobs import run_queued_jobs

LOST = notifications.LOST_AFTER + timedelta(seconds=1)


def _taken_by(job_id: str, worker_name: str) -> None:
    """As a worker does when it dequeues the job and starts it."""
    job = Job.fetch(job_id, connection=queue_for(send_notification).connection)
    queue_for(send_notification).remove(job)
    job.worker_name = worker_name
    job.set_status(JobStatus.STARTED)
    job.save()


def test_the_notification_sweep_enqueues_nothing_twice(owed, wechat_sandbox):
    row = owed()
    q = queue_for(send_notification)
    first = f"notification-{row.id}-1"
    assert q.job_ids == [first]
    # its job waits behind a backlog longer than LOST_AFTER, sweep after sweep: no copy is added
    now = utcnow()
    for n in range(1, 4):
        assert sending.sweep(now + n * LOST) == 0
    assert q.job_ids == [first]

    q.empty()  # now it is lost (Redis restarted without persistence): once, and only once, again
    assert sending.sweep(now + 4 * LOST) == 1
    assert sending.sweep(now + 5 * LOST) == 0
    assert q.job_ids == [first]
    run_queued_jobs()
    assert len(wechat_sandbox.messages()) == 1


@pytest.mark.parametrize("worker_alive", [True, False])
def test_a_job_started_by_a_dead_worker_is_lost_by_a_live_one_is_not(owed, redis_client, worker_alive):
    row = owed()
    job_id = f"notification-{row.id}-1"
    _taken_by(job_id, "w1")
    if worker_alive:
        liveness.Beacon(liveness.WORKER, "w1", ttl=60, ns=liveness.namespace()).beat(redis_client)
    assert job_pending(job_id) is worker_alive
    assert sending.sweep(utcnow() + LOST) == (0 if worker_alive else 1)
    assert queue_for(send_notification).job_ids == ([] if worker_alive else [job_id])


def test_the_delivery_sweep_enqueues_nothing_twice(client, four_platform, redis_client, clock):
    w = township_with_platform(client, four_platform)
    file_case(client, w)
    q = queue_for(deliver)
    [queued] = q.job_ids  # the delivery's job, behind a backlog
    for _ in range(3):
        clock.shift(60)
        assert sweep()["platform_deliveries"] == 0
    assert q.job_ids == [queued]

    q.empty()  # lost: enqueued again, once
    assert sweep()["platform_deliveries"] == 1
    clock.shift(60)
    assert sweep()["platform_deliveries"] == 0
    assert q.job_ids == [queued]
    run_worker()
    db.session.expire_all()
    assert len(four_platform.receipts()) == 1 and deliveries(client, w)[0]["state"] == "sent"
