"""Fixed-window counters in Redis: the one rate limiter of the app (logins, filings, questions, uploads).

The one primitive is `take`: it checks every counter a request is subject to and, only when all have
room, counts the request in all of them, in ONE Lua script (atomic in Redis). Checking first and
counting afterwards let concurrent requests all pass the check before any was counted (24 parallel
wrong passwords made 6 password checks against a limit of 5); counting first makes the limit exact
however many requests arrive at once. A request that then fails for another reason (a wrong input,
a refused text, a replay) gives its hits back, so the limits count what was done, not what was tried,
where that is the rule (`Taken.give_back`, or leave a `with` block with an exception).
"""

from __future__ import annotations

from dataclasses import dataclass
from types import TracebackType

from redis import Redis

from app.errors import AppError

PREFIX = "mingjing:rl:"

# KEYS: the counters; ARGV: max hits and window seconds of each, in turn. Returns 0 when counted in
# all of them, else the (1-based) index of the first full counter and the seconds until it resets.
_TAKE = """
for i, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') >= tonumber(ARGV[2 * i - 1]) then
    return {i, redis.call('TTL', key)}
  end
end
for i, key in ipairs(KEYS) do
  redis.call('INCR', key)
  if redis.call('TTL', key) < 0 then redis.call('EXPIRE', key, ARGV[2 * i]) end
end
return {0, 0}
"""

# Give one hit back to each counter still running (never below zero, never re-creating an expired one).
_GIVE_BACK = """
for _, key in ipairs(KEYS) do
  if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
return 0
"""


@dataclass(frozen=True)
class Limit:
    name: str  # e.g. "console-login-fail"
    max_hits: int
    window_seconds: int


def _key(limit: Limit, subject: str) -> str:
    return f"{PREFIX}{limit.name}:{subject}"


@dataclass
class Taken:
    """Hits counted by `take`; as a context manager, given back if the block raises."""

    redis: Redis
    keys: list[str]

    def give_back(self) -> None:
        if self.keys:
            self.redis.eval(_GIVE_BACK, len(self.keys), *self.keys)
            self.keys = []

    def __enter__(self) -> Taken:
        return self

    def __exit__(
        self, kind: type[BaseException] | None, value: BaseException | None, traceback: TracebackType | None
    ) -> None:
        if kind is not None:
            self.give_back()


def take(redis: Redis, hits: list[tuple[Limit, str]], message: str) -> Taken:
    """Count one hit in each (limit, subject), all or none, atomically; raise rate_limited (with
    Retry-After) when any of them is full, counting nothing."""
    keys = [_key(limit, subject) for limit, subject in hits]
    args = [value for limit, _ in hits for value in (limit.max_hits, limit.window_seconds)]
    full, ttl = redis.eval(_TAKE, len(keys), *keys, *args)
    if int(full):
        raise AppError("rate_limited", message, kind="rate_limited", retry_after=max(int(ttl), 1))
    return Taken(redis, keys)


def reset(redis: Redis, limit: Limit, subject: str) -> None:
    redis.delete(_key(limit, subject))
