"""The test app's settings and clean-up, shared by tests/conftest.py and the tests that build an app of
their own (e.g. behind a trusted proxy)."""

from __future__ import annotations

import os

from sqlalchemy import text

from app.config import SANDBOX_APPID, SANDBOX_SECRET
from app.extensions import db

TEST_REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")


def app_config(database_url: str, sandbox_url: str) -> dict:
    """The test app's settings: this database, the test Redis and queue, the WeChat sandbox at sandbox_url."""
    url = database_url
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url[len("postgresql://") :]
    return {
        "TESTING": True,
        "SQLALCHEMY_DATABASE_URI": url,
        "REDIS_URL": TEST_REDIS_URL,
        "RQ_QUEUE": "mingjing-test",
        "WECHAT_API_BASE": sandbox_url,
        "WECHAT_APPID": SANDBOX_APPID,
        "WECHAT_SECRET": SANDBOX_SECRET,
        "PUBLIC_BASE_URL": "https://mj.test",
    }


def empty_all_tables() -> None:
    """Every table emptied (identities restarted on PostgreSQL): each test starts from the migrated schema."""
    tables = list(reversed(db.metadata.sorted_tables))
    with db.engine.begin() as conn:
        if conn.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())
