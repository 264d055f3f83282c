"""Extensions live at module level and are bound in create_app (init_app pattern)."""
from __future__ import annotations

import functools
import os

from flask import current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from app import transaction  # noqa: F401  (registers the after-commit hooks)
from app.models.base import Base

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def get_redis() -> Redis:
    """One Redis client per app (and per process: it is rebuilt after a fork)."""
    app = current_app._get_current_object()
    pid = os.getpid()
    client = app.extensions.get("redis")
    if client is None or app.extensions.get("redis_pid") != pid:
        client = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)
        app.extensions["redis"] = client
        app.extensions["redis_pid"] = pid
    return client


def _read_engine():
    app = current_app._get_current_object()
    pid = os.getpid()
    engine = app.extensions.get("read_engine")
    if engine is None or app.extensions.get("read_engine_pid") != pid:
        engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10)
        app.extensions["read_engine"] = engine
        app.extensions["read_engine_pid"] = pid
    return engine


@functools.cache
def _compiled(statement, dialect) -> tuple[str, tuple[str, ...] | None]:
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup) if compiled.positional else None


def read_one(statement, params: dict):
    """First row of a single-statement read, for the hottest paths only (the door-code landing).

    Runs on a raw driver connection from a small pool of its own, in autocommit mode and without
    the main engine's pre-ping: one round trip instead of four (ping, BEGIN, query, ROLLBACK), and
    none of the ORM's per-call work; the statement is compiled once per dialect. It sees only
    committed data; never write with it. A connection that died since its last use (the database
    restarted) is dropped and the read tried once more on a fresh one.
    """
    engine = _read_engine()
    sql, order = _compiled(statement, engine.dialect)
    args = tuple(params[name] for name in order) if order is not None else params
    for attempt in (1, 2):
        connection = engine.raw_connection()
        try:
            cursor = connection.cursor()
            cursor.execute(sql, args)
            row = cursor.fetchone()
            cursor.close()
            return row
        except engine.dialect.loaded_dbapi.OperationalError as exc:
            connection.invalidate()  # never back to the pool
            if attempt == 2:
                raise OperationalError(sql, args, exc) from exc
        finally:
            connection.close()


def dispose_engines() -> None:
    """Close every pooled connection of this app (the main engine's and the fast-read pool's)."""
    db.engine.dispose()
    engine = current_app.extensions.pop("read_engine", None)
    if engine is not None:
        engine.dispose()
