"""Configuration read from the environment, with embedded defaults that run on a fresh machine."""

from __future__ import annotations

import json
import os
from pathlib import Path

# The sandbox WeChat server (app/wechat/sandbox.py) answers as this app when no real credentials are set.
SANDBOX_APPID = "wxsandbox0000000000"
SANDBOX_SECRET = "sandbox-secret"
# ...and pushes its events (e.g. image-check verdicts) signed with this token, encrypted with this key.
SANDBOX_PUSH_TOKEN = "sandbox-push-token"
SANDBOX_PUSH_AES_KEY = "bWluZ2ppbmctc2FuZGJveC1wdXNoLWFlcy1rZXktMzI"


# Subscribe-message templates (订阅消息模板) by the key the code uses (README: "Notifications"). The sandbox
# accepts any id; with real credentials each key must be given its template id from the mini-program
# admin console: WECHAT_TEMPLATES='{"case_progress": "…", …}'. A key without an id sends nothing.
SANDBOX_TEMPLATES = {
    key: f"sbx-tmpl-{key}"
    for key in (
        "case_progress",
        "case_replied",
        "case_closed",
        "case_assigned",
        "case_reminder",
        "question_answered",
    )
}


def _templates(sandbox: bool) -> dict[str, str]:
    raw = os.environ.get("WECHAT_TEMPLATES") or "{}"
    try:
        given = json.loads(raw)
    except ValueError as exc:
        raise RuntimeError(f"WECHAT_TEMPLATES is not JSON: {exc}") from exc
    if not isinstance(given, dict) or not all(isinstance(v, str) for v in given.values()):
        raise RuntimeError('WECHAT_TEMPLATES must be a JSON object {"template key": "template id"}')
    return {**(SANDBOX_TEMPLATES if sandbox else {}), **given}


def _int(name: str, default: int) -> int:
    raw = os.environ.get(name)
    return int(raw) if raw not in (None, "") else default


def load_config(instance_path: str) -> dict:
    """Build the Flask config dict from the environment.

    DATABASE_URL defaults to a SQLite file in the instance folder (the embedded default);
    PostgreSQL is the production database.
    """
    db_url = os.environ.get("DATABASE_URL") or f"sqlite:///{Path(instance_path) / 'mingjing.sqlite3'}"
    # Heroku-style URLs name the old driver; we use psycopg 3.
    if db_url.startswith("postgres://"):
        db_url = "postgresql://" + db_url[len("postgres://") :]
    if db_url.startswith("postgresql://"):
        db_url = "postgresql+psycopg://" + db_url[len("postgresql://") :]

    appid = os.environ.get("WECHAT_APPID", "")
    secret = os.environ.get("WECHAT_SECRET", "")
    sandbox = not (appid and secret)
    sandbox_port = _int("WECHAT_SANDBOX_PORT", 5010)

    return {
        "SECRET_KEY": os.environ.get("SECRET_KEY") or "dev-only-not-secret",
        "SQLALCHEMY_DATABASE_URI": db_url,
        "SQLALCHEMY_ENGINE_OPTIONS": {"pool_pre_ping": True},
        "REDIS_URL": os.environ.get("REDIS_URL") or "redis://127.0.0.1:6379/0",
        "RQ_QUEUE": os.environ.get("RQ_QUEUE") or "mingjing",
        # The https origin printed on household stickers (一户一码).
        "PUBLIC_BASE_URL": (os.environ.get("PUBLIC_BASE_URL") or "https://mingjing.example.cn").rstrip("/"),
        "WECHAT_SANDBOX": sandbox,
        "WECHAT_APPID": SANDBOX_APPID if sandbox else appid,
        "WECHAT_SECRET": SANDBOX_SECRET if sandbox else secret,
        "WECHAT_API_BASE": os.environ.get("WECHAT_API_BASE")
        or (f"http://127.0.0.1:{sandbox_port}/" if sandbox else "https://api.weixin.qq.com/"),
        "WECHAT_TIMEOUT": float(os.environ.get("WECHAT_TIMEOUT") or 5),
        # Message push (消息推送) from WeChat: the Token and EncodingAESKey of the admin console.
        "WECHAT_PUSH_TOKEN": os.environ.get("WECHAT_PUSH_TOKEN") or (SANDBOX_PUSH_TOKEN if sandbox else ""),
        "WECHAT_PUSH_AES_KEY": os.environ.get("WECHAT_PUSH_AES_KEY") or (SANDBOX_PUSH_AES_KEY if sandbox else ""),
        # Complaint photos (cleaned images); default: the instance folder's complaint-photos/.
        "COMPLAINT_PHOTO_DIR": os.environ.get("COMPLAINT_PHOTO_DIR") or str(Path(instance_path) / "complaint-photos"),
        "WECHAT_TEMPLATES": _templates(sandbox),
        # Request bodies above these are refused with 413 before parsing: uploads, and JSON bodies.
        "MAX_CONTENT_LENGTH": _int("MAX_CONTENT_LENGTH", 12 * 1024 * 1024),
        "MAX_JSON_BYTES": _int("MAX_JSON_BYTES", 1 * 1024 * 1024),
        "SESSION_TTL_SECONDS": _int("SESSION_TTL_SECONDS", 30 * 24 * 3600),
        "CONSOLE_SESSION_TTL_SECONDS": _int("CONSOLE_SESSION_TTL_SECONDS", 12 * 3600),
        "LOGIN_MAX_FAILURES": _int("LOGIN_MAX_FAILURES", 5),
        "LOGIN_FAILURE_WINDOW_SECONDS": _int("LOGIN_FAILURE_WINDOW_SECONDS", 15 * 60),
        # Reverse proxies in front of the app whose X-Forwarded-For / -Proto are believed (werkzeug
        # ProxyFix): 0 believes none, so nobody can pick the address their login failures count against.
        "TRUSTED_PROXY_HOPS": _int("TRUSTED_PROXY_HOPS", 0),
        "INVITATION_TTL_SECONDS": _int("INVITATION_TTL_SECONDS", 7 * 24 * 3600),
        # A village must answer a public question on a disclosure within this many days (Ningbo rule).
        "QUESTION_REPLY_DAYS": _int("QUESTION_REPLY_DAYS", 20),
        # The deadline sweep (the guarantee behind the scheduled per-case jobs) runs this often.
        "SWEEP_INTERVAL_SECONDS": _int("SWEEP_INTERVAL_SECONDS", 60),
        # Job processes (workers, schedulers) beat this often; /healthz counts one dead 3 beats after its last.
        "WORKER_HEARTBEAT_SECONDS": _int("WORKER_HEARTBEAT_SECONDS", 5),
        # The four-platform connector (基层治理四平台): outbound deliveries and inbound status updates.
        "PLATFORM_TIMEOUT_SECONDS": _int("PLATFORM_TIMEOUT_SECONDS", 10),
        "PLATFORM_MAX_ATTEMPTS": _int("PLATFORM_MAX_ATTEMPTS", 8),
        "PLATFORM_RETRY_BASE_SECONDS": _int("PLATFORM_RETRY_BASE_SECONDS", 30),  # doubles each retry
        "PLATFORM_RETRY_MAX_SECONDS": _int("PLATFORM_RETRY_MAX_SECONDS", 3600),
        "PLATFORM_SIGNATURE_WINDOW_SECONDS": _int("PLATFORM_SIGNATURE_WINDOW_SECONDS", 300),
        "JSON_AS_ASCII": False,
    }
