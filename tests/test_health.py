"""GET /healthz against the real parts: 503 until a worker and its schedulers run, 200 with them."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_health_reports_each_part_and_503_without_a_worker(client):
    response = client.get("/healthz")
    body = response.get_json()
    assert response.status_code == 503
    assert body["database"]["ok"] and body["redis"]["ok"]
    assert not body["worker"]["ok"] and not body["scheduler"]["ok"]
    assert body["ok"] is False


def test_health_is_503_when_redis_is_unreachable(app, client):
    from app.extensions import get_redis

    app.config["REDIS_URL"] = "redis://127.0.0.1:1/0"
    app.extensions.pop("redis", None)
    get_redis()
    body = client.get("/healthz").get_json()
    assert body["redis"]["ok"] is False and body["database"]["ok"] is True


def test_health_is_200_with_the_worker_command_running(app, client, migrated_database):
    env = {
        **os.environ,
        "DATABASE_URL": migrated_database,
        "REDIS_URL": app.config["REDIS_URL"],
        "RQ_QUEUE": app.config["RQ_QUEUE"],
        "FLASK_APP": "wsgi",
    }
    worker = subprocess.Popen(
        [sys.executable, "-m", "flask", "worker"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 45
        body = None
        while time.monotonic() < deadline:
            response = client.get("/healthz")
            body = response.get_json()
            if response.status_code == 200:
                break
            time.sleep(0.5)
        assert body and body["ok"], body
        assert body["worker"]["ok"] and body["scheduler"]["ok"]
    finally:
        os.killpg(worker.pid, signal.SIGTERM)
        try:
            worker.wait(20)
        except subprocess.TimeoutExpired:
            os.killpg(worker.pid, signal.SIGKILL)
            worker.wait()
