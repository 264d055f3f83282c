"""Fixtures: app, client, database (SQLite by default, PostgreSQL when TEST_DATABASE_URL is set),
real Redis, the loopback WeChat sandbox, the fake four-platform system, a controlled clock, and login
helpers.

scripts/test runs the suite twice: once on SQLite, once on a PostgreSQL database it creates and drops.
"""

from __future__ import annotations

import os
import signal
import threading
from dataclasses import dataclass
from datetime import UTC, datetime

import pytest
import time_machine
from flask import Flask
from redis import Redis
from sqlalchemy import make_url
from werkzeug.serving import make_server

from app import create_app
from app.config import SANDBOX_APPID, SANDBOX_SECRET
from app.extensions import db, dispose_engines
from tests.helpers.app_config import TEST_REDIS_URL, app_config, empty_all_tables

# Fixtures shared by several test modules, each in a module of tests/fixtures/.
pytest_plugins = [
    "tests.fixtures.browser",
    "tests.fixtures.complaints",
    "tests.fixtures.console",
    "tests.fixtures.console_pages",
    "tests.fixtures.disclosures",
    "tests.fixtures.jobs",
    "tests.fixtures.openapi_walk",
]


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


class FakePlatform:
    """The project's fake four-platform system (app/fourplatform/fake.py) on a loopback port that
    survives stop() / start(): stopped, deliveries get "connection refused"."""

    SECRET = "fake-platform-shared-secret-0001"

    def __init__(self) -> None:
        from app.fourplatform.fake import create_fake_platform

        self.app = create_fake_platform(self.SECRET)
        self.server = None
        self.port = 0
        self.start()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/"

    @property
    def cases_url(self) -> str:
        return self.url + "cases"

    def start(self) -> None:
        self.server = make_server("127.0.0.1", self.port, self.app, threaded=True)
        self.port = self.server.server_port
        threading.Thread(target=self.server.serve_forever, daemon=True).start()

    def stop(self) -> None:
        if self.server is not None:
            self.server.shutdown()
            self.server.server_close()
            self.server = None

    def _call(self, method: str, path: str, **kw):
        import requests

        response = requests.request(method, self.url + path, timeout=15, **kw)
        response.raise_for_status()
        return response.json()

    def mode(self, mode: str) -> None:
        self._call("POST", "_fake/mode", json={"mode": mode})

    def receipts(self) -> list[dict]:
        return self._call("GET", "_fake/receipts")["receipts"]

    def stats(self) -> dict:
        return self._call("GET", "_fake/stats")

    def callback(self, url: str) -> None:
        self._call("POST", "_fake/config", json={"callback_url": url})

    def update(self, **update) -> dict:
        """Have the platform post a signed status update to its callback URL; Mingjing's answer."""
        return self._call("POST", "_fake/updates", json=update)


@pytest.fixture
def four_platform():
    """A fake four-platform system (基层治理四平台), fresh for each test, over real HTTP."""
    fake = FakePlatform()
    yield fake
    fake.stop()


@pytest.fixture
def live_url(app):
    """The test app served over real HTTP on a loopback port (for callers outside the process's
    test client, such as the fake platform posting status updates back)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


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

    app = create_app(app_config(database_url, wechat_sandbox.url))
    with app.app_context():
        upgrade()
        db.engine.dispose()
    return database_url


@pytest.fixture
def redis_client():
    client = Redis.from_url(TEST_REDIS_URL)
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def app(migrated_database, wechat_sandbox, redis_client):
    app = create_app(app_config(migrated_database, wechat_sandbox.url))
    with app.app_context():
        yield app
        db.session.remove()
        empty_all_tables()
        dispose_engines()
    wechat_sandbox.reset()


@pytest.fixture(autouse=True)
def _process_signal_handlers_restored():
    """An in-process RQ worker (SimpleWorker.work) installs its SIGTERM/SIGINT handlers in the test
    process and leaves them there. Every process forked afterwards inherits them (the sticker sheet's
    render pool), and RQ's handler does not exit on SIGTERM: Pool.terminate() then waits forever for a
    worker that will not die, and the suite hangs. Each test gets the handlers back as they were."""
    saved = {sig: signal.getsignal(sig) for sig in (signal.SIGTERM, signal.SIGINT)}
    yield
    for sig, handler in saved.items():
        signal.signal(sig, handler)


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def clock():
    """A controlled clock: starts at a fixed instant and moves only when told (clock.shift(...))."""
    with time_machine.travel(datetime(2026, 3, 2, 1, 0, tzinfo=UTC), tick=False) as traveller:
        yield traveller
