"""Jobs that run on a clock, enqueued by the cron scheduler that the worker command starts."""
from __future__ import annotations

from app.jobs.sessions import purge_stale_sessions
from app.jobs.sweep import sweep

# (job function, interval in seconds)
PERIODIC = [
    (purge_stale_sessions, 3600),
    (sweep, 60),  # deadlines, deliveries, notifications: whatever a scheduled job missed
]
