"""The villager landing (扫门牌码) is the most frequent request of the product: every scan of every
door. The door code is looked up in the database on every request, one indexed query (a revoked code
stops working at once; each door is scanned too rarely for a copy of it to pay). What the landing
shows of the village (name, township, the five latest published disclosures) is the same for every
door of the village, and is kept as the schema's JSON per village *revision*: in each process, and
in Redis so that the processes make it once between them.

`village.public_revision` is read by the same query as the code and bumped (`touch_village`) in the
transaction that changes what the landing shows. A copy is therefore never served for a revision it
was not made at or after, with no invalidation messages between processes: the database is the one
source of truth. Copies also expire after `TTL` seconds, which bounds what a change made outside the
domain functions (a village renamed in the database) leaves stale. Without Redis, each process
makes its own copies.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections import OrderedDict
from collections.abc import Callable

from flask import current_app
from redis.exceptions import RedisError
from sqlalchemy import update

from app.extensions import db, get_redis
from app.models import Village

logger = logging.getLogger(__name__)

TTL = 600.0
MAX_VILLAGES = 5000  # per process; a county has a few hundred villages, a province ~20,000


class _Copies:
    """This app's copies: village id → (revision, made at, JSON). Kept on the app, so every app
    (one per process in production, one per test) has its own."""

    def __init__(self) -> None:
        self.items: OrderedDict[int, tuple[int, float, str]] = OrderedDict()
        self.lock = threading.Lock()


def _copies() -> _Copies:
    extensions = current_app.extensions
    copies: _Copies | None = extensions.get("mingjing.landing")
    if copies is None:
        copies = extensions.setdefault("mingjing.landing", _Copies())
    return copies


def village_part(village_id: int, revision: int, compute: Callable[[], str], *, stamp: object = "") -> str:
    """The village part of the landing at `revision` (or later): this process's copy, the shared
    copy in Redis, or `compute()`. `stamp` (the village's creation time) keeps copies made for
    another database that reused the same ids (a re-created demo or test database) apart."""
    copies = _copies()
    now = time.monotonic()
    copy = copies.items.get(village_id)
    if copy is not None and copy[0] >= revision and now - copy[1] < TTL:
        return copy[2]
    value = _shared(f"{village_id}:{revision}:{stamp}", compute)
    with copies.lock:
        current = copies.items.get(village_id)
        if current is None or current[0] <= revision:  # never replace a newer revision's copy
            copies.items[village_id] = (revision, now, value)
            copies.items.move_to_end(village_id)
            while len(copies.items) > MAX_VILLAGES:
                copies.items.popitem(last=False)
    return value


def _shared(name: str, compute: Callable[[], str]) -> str:
    key = f"mingjing:landing:village:{name}"
    redis = get_redis()
    try:
        hit = redis.get(key)
    except RedisError:
        logger.warning("Redis unavailable: landing copy made by this process alone", exc_info=True)
        return compute()
    if hit is not None:
        return hit.decode() if isinstance(hit, bytes) else hit  # bytes: the client does not decode
    value = compute()
    with contextlib.suppress(RedisError):
        redis.set(key, value, ex=int(TTL))
    return value


def touch_village(village_id: int) -> None:
    """What villagers see of this village changed: every process's copy is stale once this commits."""
    db.session.execute(
        update(Village).where(Village.id == village_id).values(public_revision=Village.public_revision + 1)
    )
