"""Deadline sweep at scale (issue 6): PostgreSQL with 1,000,000 open cases, 10,000 of them due.

Measures, in one run:
  idle_sweep_ms   one sweep with nothing due (median of --idle-rounds): must not grow with open cases
  escalate_s      one sweep escalating the 10,000 due cases (each a versioned update + event + job)
  escalate_cpu_s  the CPU that sweep spent: this process plus the PostgreSQL backends serving it (it
                  moves far less than the wall time when the machine is shared)
  lag_p100_s      under a running `flask --app wsgi worker` (jobs + minute sweep), the worst delay
                  from the deadline of a sample of cases to their escalation; also with Redis flushed
                  first (no per-case jobs: the sweep alone), as lag_sweep_only_p100_s
Creates and drops its own database. Last line: JSON with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import scan_bench as common

ROOT = common.ROOT
REDIS_URL = os.environ.get("BENCH_REDIS_URL", "redis://127.0.0.1:6379/9")
common.REDIS_URL = REDIS_URL
say = common.say

COMPLAINT_COLUMNS = [
    "id",
    "reference",
    "client_request_id",
    "county_id",
    "township_id",
    "village_id",
    "household_id",
    "filed_by_user_id",
    "anonymous",
    "category",
    "lane",
    "description",
    "status",
    "moderation",
    "reopen_count",
    "version",
    "handler_kind",
    "handler_role",
    "handler_village_id",
    "handler_township_id",
    "copy_liaison",
    "routing_fallback",
    "filed_at",
    "assigned_at",
    "clock_step",
    "clock_started_at",
    "due_at",
    "remind_at",
    "reminded_at",
    "next_check_at",
    "escalation_level",
    "was_late",
]


def load(dbname: str, *, cases: int, due: int, villages: int) -> None:
    now = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    with common.pg_connect(dbname) as conn:
        common.copy_rows(conn, "county", ["id", "code", "name", "created_at"], [(1, "330299", "明镜县", now)])
        common.copy_rows(
            conn,
            "township",
            ["id", "county_id", "code", "name", "kind", "created_at"],
            [(1, 1, "330299101", "青山镇", "town", now)],
        )
        common.copy_rows(
            conn,
            "village",
            ["id", "township_id", "code", "name", "kind", "created_at"],
            [(v, 1, f"330299101{v:03d}", f"第{v}村", "village", now) for v in range(1, villages + 1)],
        )
        common.copy_rows(
            conn,
            "grid",
            ["id", "village_id", "number", "name", "created_at"],
            [(v, v, 1, "第一网格", now) for v in range(1, villages + 1)],
        )
        homes = villages * 10
        common.copy_rows(
            conn,
            "household",
            ["id", "village_id", "grid_id", "number", "address", "head_name", "created_at"],
            [
                (h, (h - 1) // 10 + 1, (h - 1) // 10 + 1, f"{h:04d}", f"{h}号", "王建国", now)
                for h in range(1, homes + 1)
            ],
        )
        common.copy_rows(
            conn,
            "wx_user",
            ["id", "openid", "created_at"],
            [(u, f"bench-openid-{u}", now) for u in range(1, homes + 1)],
        )

        def rows():
            for i in range(1, cases + 1):
                h = (i - 1) % homes + 1
                v = (h - 1) // 10 + 1
                if i <= due:  # assigned two days ago, sign-for due an hour ago
                    filed, check = now - timedelta(days=2), now - timedelta(hours=1)
                    remind, reminded = now - timedelta(hours=13), now - timedelta(hours=12)
                else:  # open, with checks spread over the next weeks
                    filed = now - timedelta(minutes=i % 5000)
                    check = now + timedelta(hours=1 + i % 500)
                    remind, reminded = check, None
                yield (
                    i,
                    f"TS-BENCH-{i:010d}",
                    f"bench-{i}",
                    1,
                    1,
                    v,
                    h,
                    h,
                    True,
                    "dispute",
                    "service",
                    "邻居围墙占了公共通道",
                    "assigned",
                    "clear",
                    0,
                    1,
                    "village_role",
                    "village_director",
                    v,
                    1,
                    False,
                    False,
                    filed,
                    filed,
                    "sign",
                    filed,
                    check,
                    remind,
                    reminded,
                    check,
                    0,
                    False,
                )

        t0 = time.perf_counter()
        common.copy_rows(conn, "complaint", COMPLAINT_COLUMNS, rows())
        conn.execute("SELECT setval('complaint_id_seq', %s)", (cases,))
        conn.commit()
        say(f"loaded {cases:,} open cases ({due:,} due) in {time.perf_counter() - t0:.1f}s")
    with common.pg_connect(dbname, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE complaint")


def backends_cpu(dbname: str) -> dict[int, float]:
    """CPU seconds used so far by each PostgreSQL backend connected to `dbname`."""
    import psutil

    with common.pg_connect(dbname) as conn:
        pids = [r[0] for r in conn.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (dbname,))]
    used = {}
    for pid in pids:
        try:
            times = psutil.Process(pid).cpu_times()
            used[pid] = times.user + times.system
        except psutil.Error:
            pass
    return used


def in_app(dbname: str):
    os.environ.update(common.app_env(dbname))
    from app import create_app

    return create_app()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cases", type=int, default=1_000_000)
    parser.add_argument("--due", type=int, default=10_000)
    parser.add_argument("--villages", type=int, default=500)
    parser.add_argument("--idle-rounds", type=int, default=7)
    parser.add_argument("--sample", type=int, default=50, help="cases in the lag sample")
    parser.add_argument("--sweep-interval", type=int, default=60)
    parser.add_argument("--keep-db", action="store_true")
    args = parser.parse_args()

    dbname = f"mingjing_bench_sweep_{os.getpid()}"
    common.create_db(dbname)
    worker = None
    try:
        common.migrate(dbname)
        load(dbname, cases=args.cases, due=args.due, villages=args.villages)
        app = in_app(dbname)
        from sqlalchemy import func, select, text

        from app.clock import utcnow
        from app.domain.complaints import cases as domain_cases
        from app.extensions import db, get_redis
        from app.jobs.deadlines import sweep_complaints
        from app.models import Complaint

        with app.app_context():
            get_redis().flushdb()
            # idle: move the due ones out of the way first, so nothing is due
            db.session.execute(
                text("UPDATE complaint SET next_check_at = next_check_at + interval '30 days' WHERE id <= :due"),
                {"due": args.due},
            )
            db.session.commit()
            idle = []
            for _ in range(args.idle_rounds):
                t0 = time.perf_counter()
                assert sweep_complaints(utcnow()) == 0
                idle.append((time.perf_counter() - t0) * 1000)
            db.session.execute(
                text("UPDATE complaint SET next_check_at = next_check_at - interval '30 days' WHERE id <= :due"),
                {"due": args.due},
            )
            db.session.commit()
            plan = (
                db.session.execute(
                    text(
                        "EXPLAIN SELECT * FROM complaint WHERE next_check_at <= now() ORDER BY next_check_at, id LIMIT 200"
                    )
                )
                .scalars()
                .all()
            )
            say("sweep query plan:\n  " + "\n  ".join(plan))

            t0, cpu0, pg0 = time.perf_counter(), time.process_time(), backends_cpu(dbname)
            escalated = sweep_complaints(utcnow())
            escalate_s = time.perf_counter() - t0
            pg1 = backends_cpu(dbname)
            escalate_cpu_s = time.process_time() - cpu0 + sum(used - pg0.get(pid, 0.0) for pid, used in pg1.items())
            levels = db.session.scalar(select(func.count()).where(Complaint.escalation_level == 1))
            say(
                f"idle sweep median {statistics.median(idle):.1f} ms; escalated {escalated:,} in {escalate_s:.2f}s, "
                f"CPU {escalate_cpu_s:.2f}s (this process and its PostgreSQL backends) ({levels:,} at level 1)"
            )
            get_redis().flushdb()  # the escalations' own jobs are days away; keep the queue for the sample

        def lag_sample(with_jobs: bool) -> list[float]:
            """Make a sample due over the next seconds; measure deadline → escalated under the worker."""
            with app.app_context():
                base = utcnow() + timedelta(seconds=5)
                ids = list(
                    db.session.scalars(
                        select(Complaint.id)
                        .where(Complaint.escalation_level == 0, Complaint.id > args.due)
                        .order_by(Complaint.id)
                        .offset(1000 if with_jobs else 2000)
                        .limit(args.sample)
                    )
                )
                dues = {}
                for n, cid in enumerate(ids):
                    due = dues[cid] = base + timedelta(seconds=n % 20)
                    db.session.execute(
                        text(
                            "UPDATE complaint SET due_at = :d, next_check_at = :d, remind_at = :r, "
                            "reminded_at = :r WHERE id = :id"
                        ),
                        {
                            "d": due.replace(tzinfo=None),
                            "r": (due - timedelta(hours=1)).replace(tzinfo=None),
                            "id": cid,
                        },
                    )
                    if with_jobs:
                        domain_cases._schedule_check(db.session.get_one(Complaint, cid))
                db.session.commit()
                deadline = base + timedelta(seconds=20 + args.sweep_interval * 2 + 30)
                while utcnow() < deadline:
                    db.session.expire_all()
                    done = db.session.scalar(
                        select(func.count()).where(Complaint.id.in_(ids), Complaint.escalation_level > 0)
                    )
                    if done == len(ids):
                        break
                    time.sleep(0.5)
                escalated = dict(
                    db.session.execute(select(Complaint.id, Complaint.escalated_at).where(Complaint.id.in_(ids))).all()
                )
                return [(at - dues[cid]).total_seconds() for cid in ids if (at := escalated[cid]) is not None]

        env = common.app_env(dbname)
        env["SWEEP_INTERVAL_SECONDS"] = str(args.sweep_interval)
        # The worker writes through its own copy of the descriptor: ours can close once it started.
        with open(ROOT / ".run" / "bench-sweep-worker.log", "w") as log:
            worker = subprocess.Popen(
                [str(common.VENV_BIN / "flask"), "--app", "wsgi", "worker"],
                cwd=ROOT,
                env=env,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        time.sleep(5)
        with_jobs = lag_sample(True)
        with app.app_context():
            get_redis().delete(*get_redis().keys("rq:scheduled:*") or ["-"])
        sweep_only = lag_sample(False)
        say(
            f"lag with per-case jobs: max {max(with_jobs, default=float('nan')):.1f}s over {len(with_jobs)}; "
            f"sweep only: max {max(sweep_only, default=float('nan')):.1f}s over {len(sweep_only)}"
        )
        result = {
            "open": args.cases,
            "idle_sweep_ms": round(statistics.median(idle), 2),
            "escalated": escalated,
            "escalate_s": round(escalate_s, 2),
            "escalate_cpu_s": round(escalate_cpu_s, 2),
            "lag_p100_s": round(max(with_jobs), 2) if len(with_jobs) == args.sample else None,
            "lag_sweep_only_p100_s": round(max(sweep_only), 2) if len(sweep_only) == args.sample else None,
            "sample": args.sample,
            "sweep_interval_s": args.sweep_interval,
            "machine": f"{platform.machine()} nproc={os.cpu_count()}",
        }
    finally:
        if worker is not None and worker.poll() is None:
            os.killpg(worker.pid, 9)
        if not args.keep_db:
            common.drop_db(dbname)
    print(json.dumps(result))


if __name__ == "__main__":
    main()
