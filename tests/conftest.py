"""Fixtures: app, client, database (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set),
real Redis, the loopback WeChat sandbox, a controlled clock, and login helpers.

scripts/test runs the suite twice: once on SQLite, once on a PostgreSQL database it creates and drops.
"""
from __future__ import annotations

import os
import threading
from dataclasses import dataclass
from datetime import datetime, timezone

import pytest
import time_machine
from flask import Flask
from redis import Redis
from sqlalchemy import make_url, text
from werkzeug.serving import make_server

from app import create_app
from app.config import SANDBOX_APPID, SANDBOX_SECRET
from app.extensions import db, dispose_engines

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


@dataclass
class Sandbox:
    url: str
    app: Flask

    def reset(self) -> None:
        import requests

        requests.post(self.url + "_sandbox/reset", timeout=5).raise_for_status()

    def messages(self) -> list[dict]:
        """Subscribe messages the sandbox accepted, oldest first."""
        import requests

        return requests.get(self.url + "_sandbox/messages", timeout=5).json()["messages"]

    def stats(self) -> dict[str, int]:
        import requests

        return requests.get(self.url + "_sandbox/stats", timeout=5).json()


@pytest.fixture(scope="session")
def wechat_sandbox():
    """The project's WeChat sandbox on a free loopback port, over real HTTP."""
    from app.wechat.sandbox import create_sandbox_app

    sandbox_app = create_sandbox_app(appid=SANDBOX_APPID, secret=SANDBOX_SECRET)
    server = make_server("127.0.0.1", 0, sandbox_app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield Sandbox(url=f"http://127.0.0.1:{server.server_port}/", app=sandbox_app)
    server.shutdown()


@pytest.fixture(scope="session")
def database_url(tmp_path_factory) -> str:
    url = os.environ.get("TEST_DATABASE_URL")
    if not url:
        return f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.sqlite3'}"
    name = make_url(url).database or ""
    if "test" not in name:
        raise pytest.UsageError(f"TEST_DATABASE_URL must name a throw-away test database, got {name!r}")
    return url


@pytest.fixture(scope="session")
def migrated_database(database_url, wechat_sandbox):
    """Bring the empty test database to the migrations' head once per run."""
    from flask_migrate import upgrade

    app = create_app(_test_config(database_url, wechat_sandbox))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


def _test_config(database_url: str, sandbox: Sandbox) -> dict:
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://"):]
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": TEST_REDIS_URL,
        "RQ_QUEUE": "mingjing-test",
        "WECHAT_API_BASE": sandbox.url,
        "WECHAT_APPID": SANDBOX_APPID,
        "WECHAT_SECRET": SANDBOX_SECRET,
        "PUBLIC_BASE_URL": "https://mj.test",
    }


@pytest.fixture
def redis_client():
    client = Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def app(migrated_database, wechat_sandbox, redis_client):
    app = create_app(_test_config(migrated_database, wechat_sandbox))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_all_tables()
        dispose_engines()
    wechat_sandbox.reset()


def _empty_all_tables() -> None:
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def clock():
    """A controlled clock: starts at a fixed instant and moves only when told (clock.shift(...))."""
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=timezone.utc), tick=False) as traveller:
        yield traveller
