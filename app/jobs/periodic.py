"""Jobs that run on a clock, enqueued by the cron scheduler that the worker command starts."""
from __future__ import annotations

from app.jobs.sessions import purge_stale_sessions

# (job function, interval in seconds)
PERIODIC = [
    (purge_stale_sessions, 3600),
]
