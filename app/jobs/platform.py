"""Deliveries to the township's four-platform system (基层治理四平台): one attempt per job; the domain
schedules the next one with backoff, and the minute sweep re-enqueues what a lost job left behind."""
from __future__ import annotations

from datetime import datetime

from app.jobs import enqueue_unless_pending, in_app_context


def job_id(delivery_id: int, attempt_number: int) -> str:
    """One id per (delivery, attempt): a re-enqueue by the sweep replaces the lost job, not adds to it."""
    return f"platform-delivery-{delivery_id}-{attempt_number}"


@in_app_context
def deliver(delivery_id: int) -> str | None:
    """Attempt delivery `delivery_id` if it is due. Safe to run twice: the attempt is claimed by a
    conditional update, so a second run finds it taken (or done) and sends nothing."""
    from app.domain.complaints import platform

    return platform.attempt(delivery_id)


def sweep_deliveries(now: datetime) -> int:
    """Sweeper: pending deliveries due by `now` get their job again when RQ's copy is gone (not when it
    is still queued behind a backlog, or running)."""
    from app.domain.complaints import platform

    return sum(enqueue_unless_pending(deliver, delivery_id, job_id=job_id(delivery_id, attempts + 1))
               for delivery_id, attempts in platform.due(now))
