"""A loopback fake of a township's four-platform system (基层治理四平台), for tests, local development
and demos; the connector talks to it over real HTTP exactly as to a real platform.

Run it with ``flask --app wsgi four-platform-fake --port 5020 --secret <the township's secret>
--callback-url <the township's inbound_url>``, then set the township's platform to
``http://127.0.0.1:5020/cases`` with the same secret.

* ``POST /cases`` receives a delivery: the signature (``signing.verify`` with the fake's secret) and
  timestamp are checked (401 otherwise), ``Idempotency-Key`` is required (400); a key seen before is
  answered 200 ``{"received": true, "duplicate": true}`` and not recorded again.
* Modes (``POST /_fake/mode {"mode": ...}``): ``up`` (default); ``down`` answers 503 to every
  delivery, as a platform in maintenance; ``reject`` answers 422, as a platform refusing the case.
  Stopping the server altogether (connection refused) is the fixture's business.
* ``POST /_fake/updates {"case", "status", "text"?, "reason"?, "delivery"?}`` signs that status
  update with the fake's secret and posts it to the callback URL (Mingjing's inbound endpoint);
  answers ``{"status": <Mingjing's HTTP status>, "body": <its JSON>}``.
* ``GET /_fake/receipts`` (deliveries recorded, in order, with the raw body), ``GET /_fake/stats``
  (received, duplicates, refused, down), ``POST /_fake/config {"secret"?, "callback_url"?}``,
  ``POST /_fake/reset``, ``GET /_fake/health``.
State lives in memory and is lost on restart.
"""

from __future__ import annotations

import json
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import requests
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from app.fourplatform import signing

__all__ = ["create_fake_platform", "serve"]

_STATE_KEY = "four_platform_fake"
MODES = ("up", "down", "reject")


@dataclass
class _State:
    secret: str
    callback_url: str | None
    mode: str = "up"
    lock: threading.Lock = field(default_factory=threading.Lock)
    receipts: list[dict[str, Any]] = field(default_factory=list)
    keys: set[str] = field(default_factory=set)
    stats: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.mode = "up"
        self.receipts.clear()
        self.keys.clear()
        self.stats.clear()


def _json_body() -> dict[str, Any]:
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else {}


def create_fake_platform(secret: str, callback_url: str | None = None) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    state = _State(secret=secret, callback_url=callback_url)
    app.extensions[_STATE_KEY] = state

    @app.post("/cases")
    def receive() -> ResponseReturnValue:
        raw = request.get_data(cache=True)
        with state.lock:
            mode, secret_now = state.mode, state.secret
        if mode == "down":
            with state.lock:
                state.stats["down"] += 1
            return jsonify({"error": "platform under maintenance"}), 503
        try:
            signing.verify(
                secret_now,
                request.headers.get(signing.TIMESTAMP_HEADER),
                request.headers.get(signing.SIGNATURE_HEADER),
                raw,
                now=time.time(),
            )
        except signing.SignatureError as exc:
            with state.lock:
                state.stats["refused"] += 1
            return jsonify({"error": exc.code}), 401
        key = request.headers.get(signing.IDEMPOTENCY_HEADER)
        if not key:
            return jsonify({"error": "Idempotency-Key required"}), 400
        if mode == "reject":
            with state.lock:
                state.stats["rejected"] += 1
            return jsonify({"error": "case refused"}), 422
        with state.lock:
            if key in state.keys:
                state.stats["duplicates"] += 1
                return jsonify({"received": True, "duplicate": True})
            state.keys.add(key)
            state.stats["received"] += 1
            state.receipts.append(
                {"key": key, "raw": raw.decode(), "body": json.loads(raw), "received_at": time.time()}
            )
        return jsonify({"received": True, "duplicate": False})

    @app.post("/_fake/updates")
    def post_update() -> ResponseReturnValue:
        update = {k: v for k, v in _json_body().items() if k in ("case", "status", "text", "reason", "delivery")}
        with state.lock:
            target, secret_now = state.callback_url, state.secret
        if not target:
            return jsonify({"error": "no callback_url configured"}), 409
        body = json.dumps(update, ensure_ascii=False).encode()
        try:
            response = requests.post(
                target, data=body, timeout=10, headers=signing.signed_headers(secret_now, body, now=time.time())
            )
        except requests.RequestException as exc:
            return jsonify({"error": f"callback failed: {type(exc).__name__}"}), 502
        try:
            answer = response.json()
        except ValueError:
            answer = None
        return jsonify({"status": response.status_code, "body": answer})

    @app.post("/_fake/mode")
    def set_mode() -> ResponseReturnValue:
        mode = _json_body().get("mode")
        if mode not in MODES:
            return jsonify({"error": f"mode must be one of {', '.join(MODES)}"}), 400
        with state.lock:
            state.mode = mode
        return jsonify({"mode": mode})

    @app.post("/_fake/config")
    def configure() -> ResponseReturnValue:
        body = _json_body()
        with state.lock:
            if isinstance(body.get("secret"), str):
                state.secret = body["secret"]
            if "callback_url" in body:
                state.callback_url = body["callback_url"]
        return jsonify({"ok": True})

    @app.get("/_fake/receipts")
    def receipts() -> ResponseReturnValue:
        with state.lock:
            return jsonify({"receipts": list(state.receipts)})

    @app.get("/_fake/stats")
    def stats() -> ResponseReturnValue:
        with state.lock:
            return jsonify(
                {k: state.stats[k] for k in ("received", "duplicates", "refused", "rejected", "down")}
                | {"mode": state.mode}
            )

    @app.post("/_fake/reset")
    def reset() -> ResponseReturnValue:
        with state.lock:
            state.reset()
        return jsonify({"ok": True})

    @app.get("/_fake/health")
    def health() -> ResponseReturnValue:
        return jsonify({"ok": True})

    return app


def serve(host: str, port: int, *, secret: str, callback_url: str | None = None) -> None:
    """Run the fake with werkzeug's threaded server."""
    from werkzeug.serving import run_simple

    run_simple(host, port, create_fake_platform(secret, callback_url), threaded=True)
