"""Loopback sandbox of WeChat's server API, for tests, local development and offline demos.

Run it with ``python -m app.wechat.sandbox --port 5010`` and point ``WECHAT_API_BASE`` at
``http://127.0.0.1:5010/``. It answers like api.weixin.qq.com (HTTP 200, JSON, ``errcode``/``errmsg``
on errors) for the endpoints the project uses; state lives in memory and is lost on restart.

Credentials: appid ``wxsandbox0000000000``, secret ``sandbox-secret`` (``SANDBOX_APPID`` /
``SANDBOX_SECRET``). A wrong appid answers 40013, a wrong secret 40125.

Login codes (``GET /sns/jscode2session``):

* A code is ``<identity>`` or ``<identity>.<nonce>``; identity and nonce are 1-40 characters from
  ``A-Z a-z 0-9 _ -``. The nonce only makes codes distinct: ``alice.1`` and ``alice.2`` log in the
  same user.
* openid = ``"sbx-" + identity``, unionid = ``"sbxu-" + identity``; session_key is a fresh random
  base64 16-byte key on every login.
* Each code works once; reusing it answers 40163 "code been used".
* A code not of that form, or whose identity starts with ``invalid``, answers 40029 "invalid code";
  an identity starting with ``risky`` answers 40226 "high risk user"; an empty code 41008.
* The access_token that wechatpy appends to this call is ignored, as WeChat does.

Other endpoints need a valid ``access_token`` query parameter (40001 unknown, 42001 expired, 41001
missing). Tokens come from ``GET /cgi-bin/token`` (always a new token) or ``POST
/cgi-bin/stable_token`` (returns the current token until it expires, a new one with
``force_refresh: true``, which invalidates the previous one as WeChat does).

Text check (``POST /wxa/msg_sec_check``, version 2): content containing ``【违规】`` or ``赌博`` is
``risky``, content containing ``【审核】`` is ``review``, anything else ``pass``. The check of text
by an openid starting ``sbx-slow`` is answered only after ``SLOW_ANSWER_SECONDS`` (a slow WeChat).

Subscribe messages (``POST /cgi-bin/message/subscribe/send``): a touser starting ``sbx-nocredit``
(i.e. identity ``nocredit...``) answers 43101; missing fields or a value over its type's length
limit answers 47003; accepted messages are recorded. A touser starting ``sbx-slow`` is recorded
(the message goes out) and answered only after ``SLOW_ANSWER_SECONDS``: a client with a shorter
timeout sees a lost answer to a message that was in fact sent.

URL Links (``POST /wxa/generate_urllink``, as WeChat answers it since April 2022): ``path`` a page
path without a query (else 40165), ``query`` at most 1024 characters of WeChat's alphabet (else
40212), ``expire_type`` 1 with ``expire_interval`` days or 0 with ``expire_time`` (a Unix time), the
validity cut to 30 days as WeChat does; ``is_expire`` is ignored (every link expires). Answers
``url_link`` ``https://wxaurl.cn/<random>``; the links made are listed by ``GET
/_sandbox/url-links``. ``POST /_sandbox/url-link-mode {"mode": "quota"}`` makes the call answer
45009 (daily quota reached), ``"slow"`` answer after ``SLOW_ANSWER_SECONDS``, ``"up"`` normally.

Control endpoints (not WeChat's): ``GET /_sandbox/health``, ``POST /_sandbox/expire-tokens`` (body
``{"stale": true}`` additionally keeps handing out the expired token from stable_token without
force_refresh, to prove a client force-refreshes), ``GET /_sandbox/messages``, ``GET
/_sandbox/stats``, ``POST /_sandbox/reset``.

Image check (``POST /wxa/media_check_async``) and the ``wxa_media_check`` push that answers it: see
:mod:`app.wechat.sandbox_media` (verdicts by the picture or by a control endpoint).
"""

from __future__ import annotations

import argparse
import base64
import re
import secrets
import threading
import time
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

from app.wechat.sandbox_media import PushTarget, install_media_check

__all__ = ["SANDBOX_APPID", "SANDBOX_SECRET", "create_sandbox_app", "serve"]

SANDBOX_APPID = "wxsandbox0000000000"
SANDBOX_SECRET = "sandbox-secret"

_CODE = re.compile(r"^(?P<identity>[A-Za-z0-9_-]{1,40})(?:\.[A-Za-z0-9_-]{1,40})?$")

# WeChat's documented value limits for subscribe-message fields (characters), by key type prefix.
# Kept separate from the adapter's truncation table on purpose: the sandbox is the referee.
_FIELD_LIMITS = {
    "thing": 20,
    "phrase": 5,
    "name": 10,
    "character_string": 32,
    "number": 32,
    "letter": 32,
    "symbol": 5,
    "car_number": 8,
    "phone_number": 17,
}
_FIELD_KEY = re.compile(r"^([a-z_]+?)\d*$")

_STATE_KEY = "wechat_sandbox"

# What urllink.generate accepts in `query`: digits, letters and !#$&'()*+,/:;=?@-._~%, at most 1024.
_URL_LINK_QUERY = re.compile(r"^[0-9A-Za-z!#$&'()*+,/:;=?@\-._~%]{0,1024}$")
_URL_LINK_PATH = re.compile(r"^[A-Za-z0-9_\-/]{1,200}$")
URL_LINK_MAX_DAYS = 30

# How long a subscribe message to (or a text check for) an ``sbx-slow…`` user waits before it is answered.
SLOW_ANSWER_SECONDS = 2.0


@dataclass
class _Token:
    value: str
    expires_at: float
    expired: bool = False  # expired early by the control endpoint (answers 42001)
    revoked: bool = False  # replaced by a force refresh (answers 40001)


@dataclass
class _State:
    appid: str
    secret: str
    token_ttl: int
    lock: threading.Lock = field(default_factory=threading.Lock)
    tokens: dict[str, _Token] = field(default_factory=dict)
    stable: str | None = None  # the token stable_token hands out without force_refresh
    stale_stable: bool = False  # keep handing out `stable` even when it is no longer valid
    used_codes: set[str] = field(default_factory=set)
    messages: list[dict[str, Any]] = field(default_factory=list)
    url_links: list[dict[str, Any]] = field(default_factory=list)
    url_link_mode: str = "up"  # up | quota | slow
    stats: Counter[str] = field(default_factory=Counter)

    def reset(self) -> None:
        self.url_links.clear()
        self.url_link_mode = "up"
        self.tokens.clear()
        self.stable = None
        self.stale_stable = False
        self.used_codes.clear()
        self.messages.clear()
        self.stats.clear()

    def issue_token(self) -> _Token:
        token = _Token(value="sbxtoken-" + secrets.token_urlsafe(48), expires_at=time.time() + self.token_ttl)
        self.tokens[token.value] = token
        self.stats["tokens_issued"] += 1
        return token

    def token_error(self, value: str | None) -> tuple[int, str] | None:
        if not value:
            return 41001, "access_token missing"
        token = self.tokens.get(value)
        if token is None or token.revoked:
            return 40001, "invalid credential, access_token is invalid or not latest"
        if token.expired or token.expires_at <= time.time():
            return 42001, "access_token expired"
        return None


def _ok(**payload: Any) -> ResponseReturnValue:
    return jsonify({"errcode": 0, "errmsg": "ok", **payload})


def _err(errcode: int, errmsg: str) -> ResponseReturnValue:
    # WeChat answers errors with HTTP 200 and appends a request id to errmsg.
    return jsonify({"errcode": errcode, "errmsg": f"{errmsg} rid: {secrets.token_hex(12)}"})


def _json_body() -> dict[str, Any] | None:
    body = request.get_json(force=True, silent=True)
    return body if isinstance(body, dict) else None


def _field_error(data: Any) -> str | None:
    """Why subscribe-message ``data`` is invalid, or None when WeChat would accept it."""
    if not isinstance(data, dict) or not data:
        return "argument invalid! data is empty"
    for key, item in data.items():
        value = item.get("value") if isinstance(item, dict) else None
        if not isinstance(value, str) or not value:
            return f"argument invalid! data.{key}.value is empty"
        match = _FIELD_KEY.match(key)
        limit = _FIELD_LIMITS.get(match.group(1)) if match else None
        if limit is not None and len(value) > limit:
            return f"argument invalid! data.{key}.value invalid"
    return None


def create_sandbox_app(
    appid: str = SANDBOX_APPID,
    secret: str = SANDBOX_SECRET,
    token_ttl: int = 7200,
    push_target: PushTarget | None = None,
) -> Flask:
    app = Flask(__name__)
    app.json.ensure_ascii = False  # type: ignore[attr-defined]
    state = _State(appid=appid, secret=secret, token_ttl=token_ttl)
    app.extensions[_STATE_KEY] = state

    def credentials_error(got_appid: Any, got_secret: Any) -> ResponseReturnValue | None:
        if got_appid != state.appid:
            return _err(40013, "invalid appid")
        if got_secret != state.secret:
            return _err(40125, "invalid appsecret")
        return None

    def require_token() -> ResponseReturnValue | None:
        with state.lock:
            problem = state.token_error(request.args.get("access_token"))
        return _err(*problem) if problem else None

    media = install_media_check(app, appid, require_token, _err, push_target)

    # ---------------------------------------------------------------- tokens

    @app.get("/cgi-bin/token")
    def token() -> ResponseReturnValue:
        args = request.args
        if args.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if (error := credentials_error(args.get("appid"), args.get("secret"))) is not None:
            return error
        with state.lock:
            state.stats["token_requests"] += 1
            issued = state.issue_token()
        return jsonify({"access_token": issued.value, "expires_in": state.token_ttl})

    @app.post("/cgi-bin/stable_token")
    def stable_token() -> ResponseReturnValue:
        body = _json_body()
        if body is None:
            return _err(47001, "data format error")
        if body.get("grant_type") != "client_credential":
            return _err(40002, "invalid grant_type")
        if (error := credentials_error(body.get("appid"), body.get("secret"))) is not None:
            return error
        force = body.get("force_refresh") is True
        with state.lock:
            state.stats["stable_token_requests"] += 1
            current = state.tokens.get(state.stable) if state.stable else None
            if force:
                state.stats["force_refresh_requests"] += 1
                if current is not None:
                    current.revoked = True
                current = None
                state.stale_stable = False
            elif current is not None and not state.stale_stable and state.token_error(current.value):
                current = None
            if current is None:
                current = state.issue_token()
                state.stable = current.value
            expires_in = max(int(current.expires_at - time.time()), 0)
        return jsonify({"access_token": current.value, "expires_in": expires_in})

    # ---------------------------------------------------------------- login

    @app.get("/sns/jscode2session")
    def jscode2session() -> ResponseReturnValue:
        args = request.args
        with state.lock:
            state.stats["jscode2session_calls"] += 1
        if (error := credentials_error(args.get("appid"), args.get("secret"))) is not None:
            return error
        if args.get("grant_type") != "authorization_code":
            return _err(40002, "invalid grant_type")
        code = args.get("js_code", "")
        if not code:
            return _err(41008, "missing code")
        match = _CODE.match(code)
        if match is None or match["identity"].startswith("invalid"):
            return _err(40029, "invalid code")
        identity = match["identity"]
        if identity.startswith("risky"):
            return _err(40226, "high risk user")
        with state.lock:
            if code in state.used_codes:
                return _err(40163, "code been used")
            state.used_codes.add(code)
        # Like WeChat: success carries no errcode.
        return jsonify(
            {
                "openid": "sbx-" + identity,
                "unionid": "sbxu-" + identity,
                "session_key": base64.b64encode(secrets.token_bytes(16)).decode(),
            }
        )

    # ---------------------------------------------------------------- content security

    @app.post("/wxa/msg_sec_check")
    def msg_sec_check() -> ResponseReturnValue:
        with state.lock:
            state.stats["msg_sec_check_calls"] += 1
        if (error := require_token()) is not None:
            return error
        body = _json_body()
        if body is None or body.get("version") != 2 or body.get("scene") not in (1, 2, 3, 4):
            return _err(47001, "data format error")
        content, openid = body.get("content"), body.get("openid")
        if not isinstance(content, str) or not content or not isinstance(openid, str) or not openid:
            return _err(47001, "data format error")
        if openid.startswith("sbx-slow"):  # a slow WeChat: what is the caller holding meanwhile?
            time.sleep(SLOW_ANSWER_SECONDS)
        keyword = next((k for k in ("【违规】", "赌博") if k in content), None)
        if keyword is not None:
            suggest, label = "risky", 20006 if keyword == "赌博" else 21000
        elif "【审核】" in content:
            suggest, label, keyword = "review", 21000, "【审核】"
        else:
            suggest, label = "pass", 100
        detail: list[dict[str, Any]] = [
            {"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}
        ]
        if keyword is not None:
            detail.append(
                {
                    "strategy": "keyword",
                    "errcode": 0,
                    "suggest": suggest,
                    "label": label,
                    "level": 20,
                    "keyword": keyword,
                }
            )
        return _ok(result={"suggest": suggest, "label": label}, detail=detail, trace_id=secrets.token_hex(16))

    # ---------------------------------------------------------------- subscribe messages

    @app.post("/cgi-bin/message/subscribe/send")
    def subscribe_send() -> ResponseReturnValue:
        with state.lock:
            state.stats["subscribe_send_calls"] += 1
        if (error := require_token()) is not None:
            return error
        body = _json_body()
        if body is None:
            return _err(47001, "data format error")
        touser, template_id = body.get("touser"), body.get("template_id")
        if not touser or not template_id or "data" not in body:
            return _err(47003, "argument invalid! touser, template_id and data are required")
        if str(touser).startswith("sbx-nocredit"):
            return _err(43101, "user refuse to accept the msg")
        if (problem := _field_error(body["data"])) is not None:
            return _err(47003, problem)
        msgid = secrets.randbelow(10**18)
        with state.lock:
            state.messages.append(
                {
                    "msgid": msgid,
                    "touser": touser,
                    "template_id": template_id,
                    "page": body.get("page"),
                    "data": body["data"],
                    "sent_at": time.time(),
                }
            )
        if str(touser).startswith("sbx-slow"):
            time.sleep(SLOW_ANSWER_SECONDS)
        return _ok(msgid=msgid)

    # ---------------------------------------------------------------- URL Link

    @app.post("/wxa/generate_urllink")
    def generate_urllink() -> ResponseReturnValue:
        with state.lock:
            state.stats["generate_urllink_calls"] += 1
            mode = state.url_link_mode
        if (error := require_token()) is not None:
            return error
        body = _json_body()
        if body is None:
            return _err(47001, "data format error")
        path, query = body.get("path", ""), body.get("query", "")
        if not isinstance(path, str) or (path and not _URL_LINK_PATH.match(path)):
            return _err(40165, "invalid weapp pagepath")
        if not isinstance(query, str) or not _URL_LINK_QUERY.match(query):
            return _err(40212, "invalid query")
        if "cloud_base" in body and not isinstance(body["cloud_base"], dict):
            return _err(47001, "data format error")
        now = time.time()
        longest = now + URL_LINK_MAX_DAYS * 86400
        expire_type = body.get("expire_type", 0)
        if expire_type == 1:
            days = body.get("expire_interval")
            if not isinstance(days, int) or isinstance(days, bool) or days < 1:
                return _err(85401, "expire_interval invalid")
            expires_at = min(now + days * 86400, longest)  # more than 30 days is cut to 30, as WeChat does
        elif expire_type == 0:
            at = body.get("expire_time")
            if not isinstance(at, int) or isinstance(at, bool) or at <= now:
                return _err(85401, "expire_time invalid")
            expires_at = min(float(at), longest)
        else:
            return _err(47001, "data format error")
        if mode == "quota":
            return _err(45009, "reach max api daily quota limit")
        if mode == "slow":
            time.sleep(SLOW_ANSWER_SECONDS)
        link = "https://wxaurl.cn/" + secrets.token_urlsafe(9).replace("-", "x").replace("_", "y")
        with state.lock:
            state.url_links.append({"url_link": link, "path": path, "query": query, "expires_at": expires_at})
        return _ok(url_link=link)

    # ---------------------------------------------------------------- control (sandbox only)

    @app.get("/_sandbox/health")
    def health() -> ResponseReturnValue:
        return jsonify({"ok": True})

    @app.post("/_sandbox/expire-tokens")
    def expire_tokens() -> ResponseReturnValue:
        body = _json_body() or {}
        with state.lock:
            for issued in state.tokens.values():
                issued.expired = True
            state.stale_stable = bool(body.get("stale"))
            count = len(state.tokens)
        return jsonify({"ok": True, "expired": count})

    @app.get("/_sandbox/messages")
    def messages() -> ResponseReturnValue:
        with state.lock:
            return jsonify({"messages": list(state.messages)})

    @app.get("/_sandbox/url-links")
    def url_links() -> ResponseReturnValue:
        with state.lock:
            return jsonify({"url_links": list(state.url_links)})

    @app.post("/_sandbox/url-link-mode")
    def url_link_mode() -> ResponseReturnValue:
        mode = (_json_body() or {}).get("mode")
        if mode not in ("up", "quota", "slow"):
            return jsonify({"ok": False, "error": "mode: up | quota | slow"}), 400
        with state.lock:
            state.url_link_mode = mode
        return jsonify({"ok": True, "mode": mode})

    @app.get("/_sandbox/stats")
    def stats() -> ResponseReturnValue:
        keys = (
            "tokens_issued",
            "token_requests",
            "stable_token_requests",
            "force_refresh_requests",
            "jscode2session_calls",
            "msg_sec_check_calls",
            "subscribe_send_calls",
            "generate_urllink_calls",
        )
        with state.lock:
            return jsonify({key: state.stats[key] for key in keys})

    @app.post("/_sandbox/reset")
    def reset() -> ResponseReturnValue:
        with state.lock:
            state.reset()
        media.reset()
        return jsonify({"ok": True})

    return app


def serve(host: str = "127.0.0.1", port: int = 5010, **kw: Any) -> None:
    """Run the sandbox with werkzeug's threaded server; ``kw`` goes to :func:`create_sandbox_app`."""
    from werkzeug.serving import run_simple

    run_simple(host, port, create_sandbox_app(**kw), threaded=True)


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description="Loopback sandbox of WeChat's server API.")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=5010)
    parser.add_argument("--appid", default=SANDBOX_APPID)
    parser.add_argument("--secret", default=SANDBOX_SECRET)
    parser.add_argument("--token-ttl", type=int, default=7200)
    args = parser.parse_args(argv)
    serve(args.host, args.port, appid=args.appid, secret=args.secret, token_ttl=args.token_ttl)


if __name__ == "__main__":
    main()
