"""The minute sweep: the guarantee behind every scheduled job.

Scheduled RQ jobs live only in Redis (gone when it restarts without persistence) and RQ can run a job
twice, so a job is only the fast path. The sweep, run every minute by the cron scheduler and by
`flask --app wsgi sweep`, asks the database what is due and does it. Every sweeper does its steps as
conditional updates, so a sweep racing a job (or another sweep) changes nothing twice.

A sweeper is `fn(now) -> int` (how many things it did); it commits its own work in small batches.
It runs with the clock pinned at `now` (app.clock.at): every instant its steps write or compare is
that one, whichever batch (transaction) they fall in.

The scheduler runs it in two jobs: the deadline sweepers on the deadline queue (`sweep_deadlines`,
never behind bulk work), the others on the bulk queue (`sweep_others`).
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime

from app import clock
from app.extensions import db
from app.jobs import deadline_work, deadlines, in_app_context, notifications, stickers
from app.jobs.photos import purge_unattached_photos, recheck_pending_photos
from app.jobs.platform import sweep_deliveries

logger = logging.getLogger(__name__)

Sweeper = Callable[[datetime], int]


def sweepers() -> list[tuple[str, Sweeper]]:
    """(name, sweeper) in the order they run."""
    return [
        ("complaint_deadlines", deadlines.sweep_complaints),
        ("question_deadlines", deadlines.sweep_questions),
        ("platform_deliveries", sweep_deliveries),
        ("photo_checks", recheck_pending_photos),
        ("unfiled_photos", purge_unattached_photos),
        ("notifications", notifications.sweep),
        ("sticker_sheets", stickers.sweep_sheets),
    ]


DEADLINE_SWEEPERS = ("complaint_deadlines", "question_deadlines")


@in_app_context
def sweep() -> dict[str, int]:
    """Run every sweeper once; one failing does not stop the others (the next sweep retries it)."""
    return _run(sweepers())


@deadline_work
@in_app_context
def sweep_deadlines() -> dict[str, int]:
    return _run([(name, fn) for name, fn in sweepers() if name in DEADLINE_SWEEPERS])


@in_app_context
def sweep_others() -> dict[str, int]:
    return _run([(name, fn) for name, fn in sweepers() if name not in DEADLINE_SWEEPERS])


def _run(chosen: list[tuple[str, Sweeper]]) -> dict[str, int]:
    now = clock.wall_clock()  # the sweep's own instant, not that of a transaction left open
    done: dict[str, int] = {}
    for name, fn in chosen:
        try:
            with clock.at(now):
                done[name] = fn(now)
        except Exception:
            db.session.rollback()
            logger.exception("sweeper %s failed", name)
            done[name] = -1
    return done
