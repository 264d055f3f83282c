"""GET /healthz: the state of each real part. 200 only when all are up."""
from __future__ import annotations

from flask import Blueprint, current_app, jsonify
from rq import Worker
from rq.cron import CronScheduler
from rq.scheduler import RQScheduler
from sqlalchemy import text

from app.api.endpoint import endpoint
from app.api.schemas import HealthOut
from app.extensions import db, get_redis
from app.jobs import queue

bp = Blueprint("health", __name__)


def _check(fn) -> dict:
    try:
        detail = fn()
        return {"ok": True, "detail": detail}
    except Exception as exc:  # a health check reports every failure, it does not raise
        return {"ok": False, "detail": f"{type(exc).__name__}: {exc}"[:300]}


def _database() -> str:
    db.session.execute(text("SELECT 1"))
    return db.engine.dialect.name


def _redis() -> str:
    get_redis().ping()
    return "PONG"


def _worker() -> str:
    workers = Worker.all(queue=queue())
    if not workers:
        raise RuntimeError("no RQ worker is listening on the queue")
    return f"{len(workers)} worker(s)"


def _scheduler() -> str:
    redis = get_redis()
    name = current_app.config["RQ_QUEUE"]
    if not redis.exists(RQScheduler.get_locking_key(name)):
        raise RuntimeError("no RQ scheduler holds the queue's lock")
    if not CronScheduler.all(redis):
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
@endpoint(tags=["system"], summary="健康检查：数据库、Redis、任务进程、调度器", auth=None, response=HealthOut())
def healthz():
    report = health_report()
    db.session.rollback()
    response = jsonify(HealthOut().dump(report))
    response.status_code = 200 if report["ok"] else 503
    return response
