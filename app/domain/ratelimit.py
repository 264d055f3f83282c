"""Fixed-window counters in Redis: the one rate limiter (logins now, complaint filing later)."""
from __future__ import annotations

from dataclasses import dataclass

from redis import Redis

from app.errors import AppError

PREFIX = "mingjing:rl:"


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "console-login-fail"
    max_hits: int
    window_seconds: int


def _key(limit: Limit, subject: str) -> str:
    return f"{PREFIX}{limit.name}:{subject}"


def hits(redis: Redis, limit: Limit, subject: str) -> tuple[int, int]:
    """(hits in the running window, seconds until it resets)."""
    pipe = redis.pipeline()
    pipe.get(_key(limit, subject))
    pipe.ttl(_key(limit, subject))
    count, ttl = pipe.execute()
    return int(count or 0), max(int(ttl), 0) if ttl is not None else 0


def record(redis: Redis, limit: Limit, subject: str) -> int:
    """Count one hit; the window starts with the first hit."""
    key = _key(limit, subject)
    pipe = redis.pipeline()
    pipe.incr(key)
    pipe.expire(key, limit.window_seconds, nx=True)
    count, _ = pipe.execute()
    return int(count)


def check(redis: Redis, limit: Limit, subject: str, message: str) -> None:
    """Raise rate_limited when the window is full (without counting this attempt)."""
    count, ttl = hits(redis, limit, subject)
    if count >= limit.max_hits:
        raise AppError("rate_limited", message, kind="rate_limited", retry_after=max(ttl, 1))


def reset(redis: Redis, limit: Limit, subject: str) -> None:
    redis.delete(_key(limit, subject))
