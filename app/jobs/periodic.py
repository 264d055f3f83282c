"""Jobs that run on a clock, enqueued by the cron scheduler that the worker command starts."""

from __future__ import annotations

from collections.abc import Callable

from app.jobs.sessions import purge_stale_sessions
from app.jobs.sweep import sweep_deadlines, sweep_others

# (job function, interval in seconds or the config key holding it)
PERIODIC: list[tuple[Callable[[], object], int | str]] = [
    (purge_stale_sessions, 3600),
    # whatever a job missed: deadlines (on the deadline queue), and deliveries, notifications, photos
    (sweep_deadlines, "SWEEP_INTERVAL_SECONDS"),
    (sweep_others, "SWEEP_INTERVAL_SECONDS"),
]


def schedule(config) -> list[tuple[Callable[[], object], int]]:
    return [(func, config[every] if isinstance(every, str) else every) for func, every in PERIODIC]
