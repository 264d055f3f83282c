"""Extensions live at module level and are bound in create_app (init_app pattern)."""

from __future__ import annotations

import functools
import os

from flask import Flask, current_app
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from redis import Redis
from sqlalchemy import create_engine
from sqlalchemy.exc import OperationalError

from app import transaction  # noqa: F401  (registers the after-commit hooks)
from app.models.base import Base
from app.pg_read import ThreadConnections

db = SQLAlchemy(model_class=Base)
migrate = Migrate()


def get_redis() -> Redis:
    """One Redis client per app (and per process: it is rebuilt after a fork)."""
    # current_app is typed as the Flask object it stands for, not as the proxy it is
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    pid = os.getpid()
    client = app.extensions.get("redis")
    if client is None or app.extensions.get("redis_pid") != pid:
        client = Redis.from_url(app.config["REDIS_URL"], socket_timeout=5, socket_connect_timeout=2)
        app.extensions["redis"] = client
        app.extensions["redis_pid"] = pid
    return client


def _read_engine():
    # current_app is typed as the Flask object it stands for, not as the proxy it is
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    pid = os.getpid()
    engine = app.extensions.get("read_engine")
    if engine is None or app.extensions.get("read_engine_pid") != pid:
        engine = create_engine(db.engine.url, isolation_level="AUTOCOMMIT", pool_size=5, max_overflow=10)
        app.extensions["read_engine"] = engine
        app.extensions["read_engine_pid"] = pid
    return engine


_INHERITED: list[ThreadConnections] = []


def _thread_connections() -> ThreadConnections | None:
    """This app's per-thread PostgreSQL connections for read_one (None on another database)."""
    # current_app is typed as the Flask object it stands for, not as the proxy it is
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    connections = app.extensions.get("pg_read")
    if connections is None or connections.pid != os.getpid():
        if connections is not None:  # made before a fork: the parent's; never closed (nor collected) here
            _INHERITED.append(connections)
        engine = db.engine
        if engine.dialect.driver != "psycopg":
            return None
        connections = app.extensions["pg_read"] = ThreadConnections(engine.dialect.create_connect_args(engine.url))
    return connections


@functools.cache
def _compiled(statement, dialect) -> tuple[str, tuple[str, ...] | None]:
    compiled = statement.compile(dialect=dialect)
    return compiled.string, tuple(compiled.positiontup) if compiled.positional else None


def read_one(statement, params: dict):
    """First row of a single-statement read, for the hottest paths only (the door-code landing).

    It sees only committed data; never write with it. On PostgreSQL it runs on a connection of the
    calling thread's own, prepared once (app.pg_read: one round trip, a few microseconds of Python).
    Elsewhere (SQLite in tests and development) it runs on a raw driver connection from a small
    pool of its own, in autocommit mode and without the main engine's pre-ping. Either way a
    connection that died since its last use (the database restarted) is dropped and the read tried
    once more on a fresh one.
    """
    connections = _thread_connections()
    if connections is not None:
        return connections.read_one(statement, params)
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
    """Close every connection of this app (the main engine's and read_one's)."""
    db.engine.dispose()
    engine = current_app.extensions.pop("read_engine", None)
    if engine is not None:
        engine.dispose()
    connections = current_app.extensions.pop("pg_read", None)
    if connections is not None:
        connections.close()
