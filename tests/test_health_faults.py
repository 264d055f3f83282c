"""GET /healthz tells the truth within a heartbeat, with real worker processes (`flask --app wsgi worker`)
and real Redis: Redis losing its data, the worker SIGKILLed and restarted at once, the RQ scheduler
process killed alone."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time

from rq import Worker as RQWorker
from rq.scheduler import RQScheduler

from app.jobs import liveness, worker_queues
from tests.processes import kill_tree, wait, worker, worker_env

BEAT = 2  # WORKER_HEARTBEAT_SECONDS for these workers


def _status(client) -> int:
    return client.get("/healthz").status_code


def _holders(redis) -> dict[str, str | None]:
    return {q.name: liveness.lock_holder(redis, RQScheduler.get_locking_key(q.name)) for q in worker_queues()}


def _scheduler_pid(redis, holder: str) -> int | None:
    raw = redis.get(f"mingjing:live:mingjing-test:{liveness.SCHEDULER}:{holder}")
    return json.loads(raw)["pid"] if raw else None


def _env(migrated_database, wechat_sandbox) -> dict:
    return worker_env(migrated_database, wechat_sandbox.url, WORKER_HEARTBEAT_SECONDS=BEAT)


def test_redis_losing_its_data_is_healthy_again_within_one_heartbeat(
    app, client, redis_client, migrated_database, wechat_sandbox
):
    with worker(_env(migrated_database, wechat_sandbox)):
        assert wait(lambda: _status(client) == 200, timeout=60), client.get("/healthz").get_json()
        for _ in range(3):  # whenever in the beat it happens
            redis_client.flushdb()
            lost = time.monotonic()
            assert wait(lambda: _status(client) == 200, timeout=BEAT + 3), client.get("/healthz").get_json()
            assert time.monotonic() - lost <= BEAT + 1.5
            time.sleep(0.7)
        # RQ's own registry (`rq info`) knows both workers again too
        assert wait(lambda: len(RQWorker.all(connection=redis_client)) == 2, timeout=BEAT + 1)


def test_sigkilled_worker_is_503_at_once_and_a_restart_brings_the_scheduler_back_at_once(
    app, client, redis_client, migrated_database, wechat_sandbox
):
    env = _env(migrated_database, wechat_sandbox)
    with worker(env) as first:
        assert wait(lambda: _status(client) == 200, timeout=60), client.get("/healthz").get_json()
        dead = _holders(redis_client)
        kill_tree(first.pid)
        first.wait(10)
    # nothing alive: 503, though the dead scheduler's lock and RQ's record of the worker remain
    body = client.get("/healthz").get_json()
    assert not body["ok"] and not body["worker"]["ok"] and not body["scheduler"]["ok"], body
    assert _holders(redis_client) == dead and RQWorker.all(connection=redis_client)
    time.sleep(BEAT)
    assert _status(client) == 503

    with worker(env):  # restarted within seconds: the lock would live on for a minute
        started = time.monotonic()
        assert wait(
            lambda: all(
                h and h not in dead.values() and liveness.alive_one(redis_client, liveness.SCHEDULER, h)
                for h in _holders(redis_client).values()
            ),
            timeout=30,
        ), _holders(redis_client)
        assert wait(lambda: _status(client) == 200, timeout=30), client.get("/healthz").get_json()
        assert time.monotonic() - started <= 15  # the worker's start-up (~5 s here) and a beat, not a minute


def test_a_killed_scheduler_is_started_again_within_a_heartbeat(
    app, client, redis_client, migrated_database, wechat_sandbox
):
    with worker(_env(migrated_database, wechat_sandbox)) as proc:
        assert wait(lambda: _status(client) == 200, timeout=60), client.get("/healthz").get_json()
        [holder] = set(_holders(redis_client).values())
        # the worker beats for its scheduler when it takes the lock, until the forked process beats itself
        pid = wait(
            lambda: (
                _scheduler_pid(redis_client, holder) not in (None, proc.pid) and _scheduler_pid(redis_client, holder)
            ),
            timeout=5,
        )
        os.kill(pid, signal.SIGKILL)
        killed = time.monotonic()
        assert wait(lambda: _scheduler_pid(redis_client, holder) not in (None, pid), timeout=BEAT + 5)
        assert time.monotonic() - killed <= BEAT + 2
        assert wait(lambda: _status(client) == 200, timeout=BEAT + 1), client.get("/healthz").get_json()


def test_the_worker_commands_processes_end_with_it(app, client, migrated_database, wechat_sandbox):
    """Its deadline worker, scheduler and cron end when it is SIGKILLed alone: a restart must not find
    them running beside the new ones."""
    with worker(_env(migrated_database, wechat_sandbox)) as proc:
        assert wait(lambda: _status(client) == 200, timeout=60), client.get("/healthz").get_json()
        children = [
            int(pid)
            for pid in subprocess.run(["pgrep", "-P", str(proc.pid)], capture_output=True, text=True).stdout.split()
        ]
        assert len(children) >= 3  # the deadline worker, the cron scheduler, the RQ scheduler (and a horse)
        os.kill(proc.pid, signal.SIGKILL)
        proc.wait(10)
        assert wait(lambda: not any(liveness._pid_exists(pid) for pid in children), timeout=30)
        assert _status(client) == 503


def test_a_process_elsewhere_counts_until_its_liveness_expires(app, redis_client):
    """Another host's pid cannot be checked: its liveness key's TTL decides."""
    beacon = liveness.Beacon(liveness.WORKER, "elsewhere", ttl=1, ns=liveness.namespace(), queues=["q"])
    beacon.beat(redis_client)
    redis_client.set(beacon.key, json.dumps({"host": "another-host", "pid": 1, "queues": ["q"]}), ex=1)
    assert list(liveness.alive(redis_client, liveness.WORKER)) == ["elsewhere"]
    assert wait(lambda: not liveness.alive(redis_client, liveness.WORKER), timeout=3)
    # on this host, a pid that is gone is dead at once
    beacon.beat(redis_client)
    redis_client.set(beacon.key, json.dumps({"host": liveness.HOST, "pid": 2**22 + 1, "queues": ["q"]}), ex=60)
    assert liveness.alive(redis_client, liveness.WORKER) == {}
