"""Deliveries to the township's four-platform system (基层治理四平台): one attempt per job; the domain
schedules the next one with backoff, and the minute sweep re-enqueues what a lost job left behind.
The HTTP request itself is made here (app.fourplatform.client), once the claim is committed."""

from __future__ import annotations

from datetime import datetime

from app.clock import utcnow
from app.domain.complaints import platform
from app.extensions import db
from app.fourplatform import client
from app.jobs import enqueue_unless_pending, in_app_context


@in_app_context
def deliver(delivery_id: int) -> str | None:
    """Attempt delivery `delivery_id` if it is due. Safe to run twice: the attempt is claimed by a
    conditional update, so a second run finds it taken (or done) and sends nothing."""
    claimed = platform.claim(delivery_id)
    db.session.commit()  # the claim is visible to everyone before the request leaves
    if claimed is None:
        return platform.state(delivery_id)
    outcome = client.post(
        claimed.url, claimed.secret, claimed.body, key=claimed.key, now=utcnow().timestamp(), timeout=claimed.timeout
    )
    platform.record_outcome(claimed, delivered=outcome.delivered, retryable=outcome.retryable, error=outcome.error)
    db.session.commit()
    return platform.state(delivery_id)


def sweep_deliveries(now: datetime) -> int:
    """Sweeper: pending deliveries due by `now` get their job again when RQ's copy is gone (not when it
    is still queued behind a backlog, or running)."""
    return sum(
        enqueue_unless_pending(deliver, delivery_id, job_id=platform.job_id(delivery_id, attempts + 1))
        for delivery_id, attempts in platform.due(now)
    )
