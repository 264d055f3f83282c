"""Who is alive among the job processes: each worker, RQ scheduler and cron scheduler writes its own
liveness key every heartbeat, with a short TTL.

RQ's own records do not tell the truth quickly enough for `/healthz`: a worker registers once at
birth (a Redis that lost its data forgets it until the worker restarts), its hash outlives it by
minutes, and a dead scheduler's lock stays for a minute. A liveness key is rewritten every beat (so
a flushed Redis is repaired within one beat) and expires `ttl` seconds after the last one (so a dead
process is gone within `ttl`). A process on this host whose pid is gone is dead at once.

Keys, under the queue name RQ_QUEUE (tests and deployments sharing a Redis stay apart):
`mingjing:live:<RQ_QUEUE>:<kind>` — a set of names, and `…:<kind>:<name>` — JSON {host, pid, queues}.
"""

from __future__ import annotations

import json
import os
import socket

from flask import current_app
from rq.scripts import release_lock

WORKER, SCHEDULER, CRON = "worker", "scheduler", "cron"
HOST = socket.gethostname()


def namespace() -> str:
    """Inside the app context; processes without one are handed it."""
    return current_app.config["RQ_QUEUE"]


def _set_key(kind: str, ns: str | None) -> str:
    return f"mingjing:live:{ns or namespace()}:{kind}"


class Beacon:
    """What one process writes every heartbeat."""

    def __init__(self, kind: str, name: str, ttl: int, ns: str, queues: list[str] | None = None):
        self.set_key = _set_key(kind, ns)
        self.key = f"{self.set_key}:{name}"
        self.name, self.ttl, self.queues = name, ttl, queues or []

    def beat(self, connection) -> None:
        """Write this process's liveness (on a pipeline too: the caller executes it)."""
        value = json.dumps({"host": HOST, "pid": os.getpid(), "queues": self.queues})
        connection.set(self.key, value, ex=self.ttl)
        connection.sadd(self.set_key, self.name)
        connection.expire(self.set_key, self.ttl)

    def end(self, connection) -> None:
        connection.delete(self.key)
        connection.srem(self.set_key, self.name)


def _is_alive(raw: bytes | None) -> dict | None:
    if raw is None:
        return None
    value = json.loads(raw)
    if value.get("host") == HOST and not _pid_exists(int(value.get("pid") or 0)):
        return None  # died without waiting for its key to expire
    return value


def _pid_exists(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:  # a zombie (killed, not yet reaped) is dead too
        with open(f"/proc/{pid}/stat", "rb") as stat:
            return stat.read().rsplit(b")", 1)[1].split()[0] != b"Z"
    except (OSError, IndexError):
        return True


def alive(connection, kind: str, ns: str | None = None) -> dict[str, dict]:
    """{name: {host, pid, queues}} of the live processes of `kind`."""
    set_key = _set_key(kind, ns)
    names = sorted(n.decode() if isinstance(n, bytes) else n for n in connection.smembers(set_key))
    if not names:
        return {}
    raws = connection.mget([f"{set_key}:{name}" for name in names])
    found = {name: _is_alive(raw) for name, raw in zip(names, raws, strict=True)}
    gone = [name for name, value in found.items() if value is None]
    if gone:
        connection.srem(set_key, *gone)
    return {name: value for name, value in found.items() if value is not None}


def alive_one(connection, kind: str, name: str, ns: str | None = None) -> bool:
    return _is_alive(connection.get(f"{_set_key(kind, ns)}:{name}")) is not None


def lock_holder(connection, lock_key: str) -> str | None:
    """The name of the RQ scheduler holding `lock_key`, if any."""
    holder = connection.get(lock_key)
    return holder.decode() if isinstance(holder, bytes) else holder


def free_lock_of_dead_holder(connection, lock_key: str, ns: str) -> bool:
    """Release an RQ scheduler lock whose holder is dead, so a live scheduler takes it now instead of
    when it expires (a minute later). Only that holder's lock is released (compare and delete)."""
    holder = lock_holder(connection, lock_key)
    if holder is None or alive_one(connection, SCHEDULER, holder, ns):
        return False
    return bool(release_lock(connection, lock_key, holder))
