"""Real job processes for tests: `flask --app wsgi worker` started as its own process group (the
worker, its deadline worker, its schedulers and work horses), killed at the end."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

from tests.helpers.app_config import TEST_REDIS_URL

ROOT = Path(__file__).resolve().parents[1]


def worker_env(database_url: str, sandbox_url: str, **extra) -> dict:
    url = database_url.replace("postgresql://", "postgresql+psycopg://", 1)
    env = {
        **os.environ,
        "DATABASE_URL": url,
        "REDIS_URL": TEST_REDIS_URL,
        "RQ_QUEUE": "mingjing-test",
        "WECHAT_API_BASE": sandbox_url,
        "PUBLIC_BASE_URL": "https://mj.test",
    }  # no credentials: the sandbox's
    for name in ("WECHAT_APPID", "WECHAT_SECRET", "WECHAT_TEMPLATES"):
        env.pop(name, None)
    env.update({k: str(v) for k, v in extra.items()})
    return env


@contextmanager
def worker(env: dict, *args: str):
    """A real worker process group (the worker, its work horses and its cron), killed at the end."""
    proc = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "worker", *args],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        start_new_session=True,
    )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            kill_tree(proc.pid)
        proc.wait(10)


def kill_tree(pid: int) -> None:
    """SIGKILL a worker and its work horses (RQ starts each horse in a session of its own). Each is
    stopped first, so it cannot start a child (a scheduler it restarts) while its children die."""
    try:
        os.kill(pid, signal.SIGSTOP)
    except ProcessLookupError:
        return
    children = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    for child in children:
        kill_tree(int(child))
    try:
        os.kill(pid, signal.SIGKILL)
    except ProcessLookupError:
        return
    # SIGKILL is delivered, not done: on a loaded machine the process may run on for a moment, so
    # wait until it is gone or a zombie (what the health check counts as dead)
    wait(lambda: _dead(pid), timeout=10, step=0.02)


def _dead(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().rsplit(")", 1)[1].split()[0] in ("Z", "X")
    except OSError:
        return True


def wait(predicate, timeout: float, step: float = 0.1):
    end = time.monotonic() + timeout
    while time.monotonic() < end:
        value = predicate()
        if value:
            return value
        time.sleep(step)
    return predicate()
