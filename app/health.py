"""GET /healthz: the state of each real part. 200 only when all are up."""

from __future__ import annotations

from flask import Blueprint
from rq.scheduler import RQScheduler
from sqlalchemy import text

from app.api.endpoint import WithStatus, endpoint
from app.api.schemas.health import HealthOut
from app.extensions import db, get_redis
from app.jobs import liveness, worker_queues

bp = Blueprint("health", __name__)


def _check(fn) -> dict:
    try:
        detail = fn()
        return {"ok": True, "detail": detail}
    except Exception as exc:  # noqa: BLE001 - a health check reports every failure, it does not raise
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:300]}


def _database() -> str:
    db.session.execute(text("SELECT 1"))
    return db.engine.dialect.name


def _redis() -> str:
    get_redis().ping()
    return "PONG"


# Workers and schedulers are counted by their liveness keys (app.jobs.liveness), rewritten every
# heartbeat and expiring a few beats after the last: RQ's own records outlive a dead process by
# minutes and are lost for good when Redis loses its data.


def _worker() -> str:
    workers = liveness.alive(get_redis(), liveness.WORKER)
    for q in worker_queues():
        if not any(q.name in w["queues"] for w in workers.values()):
            raise RuntimeError(f"no live RQ worker serves the queue {q.name}")
    return f"{len(workers)} worker(s)"


def _scheduler() -> str:
    redis = get_redis()
    for q in worker_queues():
        holder = liveness.lock_holder(redis, RQScheduler.get_locking_key(q.name))
        if holder is None:
            raise RuntimeError(f"no RQ scheduler holds the lock of the queue {q.name}")
        if not liveness.alive_one(redis, liveness.SCHEDULER, holder):
            raise RuntimeError(f"the RQ scheduler holding the lock of the queue {q.name} is dead")
    if not liveness.alive(redis, liveness.CRON):
        raise RuntimeError("no periodic (cron) scheduler is running")
    return "running"


def health_report() -> dict:
    parts = {
        "database": _check(_database),
        "redis": _check(_redis),
        "worker": _check(_worker),
        "scheduler": _check(_scheduler),
    }
    return {"ok": all(p["ok"] for p in parts.values()), **parts}


@bp.get("/healthz")
@endpoint(
    tags=["system"],
    summary="健康检查：数据库、Redis、任务进程、调度器",
    auth=None,
    response=HealthOut(),
    other_statuses=(503,),
)
def healthz():
    report = health_report()
    db.session.rollback()
    return report if report["ok"] else WithStatus(report, 503)
