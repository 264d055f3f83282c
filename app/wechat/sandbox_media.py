"""The sandbox's image check (mediaCheckAsync v2) and the push that answers it, like WeChat:

``POST /wxa/media_check_async`` (valid ``access_token``; body ``{"media_url", "media_type": 2,
"version": 2, "scene": 1-4, "openid"}``) answers ``{"errcode": 0, "trace_id"}`` at once and records the
check. The verdict comes later, as a ``wxa_media_check`` event POSTed to the **push target**, signed
with its token (and, with an EncodingAESKey, encrypted: safe mode), JSON data format — see
:mod:`app.wechat.push` for the format. Before judging, the sandbox downloads ``media_url`` as WeChat
would; an image it cannot download gets no verdict.

Verdict: the ``suggest`` given to the control endpoint below, else by the picture: its top-left
pixel pure red → ``risky``, pure yellow → ``review``, anything else → ``pass``.

Control endpoints (not WeChat's):

* ``POST /_sandbox/push-target`` ``{"url", "token", "aes_key"?, "auto"?, "media_origin"?}``: where
  and how to push. With ``auto`` the sandbox judges and pushes by itself about a second after each
  request, retrying a push that was not answered ``success`` twice, as WeChat does. ``media_origin``
  (e.g. ``http://127.0.0.1:5000``) replaces the scheme and host of media URLs when downloading, for a
  demo whose public origin does not point at this machine.
* ``GET /_sandbox/media-checks``: the checks requested, with what happened to each.
* ``POST /_sandbox/media-checks/<trace_id>/push`` ``{"suggest"?}``: download, judge and push now;
  answers the download and the push target's answer (status and body).
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import secrets
import struct
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, cast
from urllib.parse import urlsplit, urlunsplit

import requests
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from flask import Flask, jsonify, request
from flask.typing import ResponseReturnValue

_LABELS = {"pass": 100, "review": 21000, "risky": 20002}  # 20002: pornography, a typical image label


@dataclass
class PushTarget:
    url: str
    token: str
    aes_key: str | None = None
    auto: bool = False
    media_origin: str | None = None


@dataclass
class MediaState:
    appid: str
    target: PushTarget | None = None
    initial_target: PushTarget | None = None  # as started; a reset comes back to it
    lock: threading.Lock = field(default_factory=threading.Lock)
    checks: dict[str, dict[str, Any]] = field(default_factory=dict)

    def reset(self) -> None:
        with self.lock:
            self.target = self.initial_target
            self.checks.clear()


def _signature(token: str, *parts: str) -> str:
    # Written here rather than imported from the app: the sandbox is the referee.
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def _encrypt(aes_key: str, appid: str, text: str) -> str:
    key = base64.b64decode(aes_key + "=")
    message = text.encode()
    plain = secrets.token_bytes(16) + struct.pack(">I", len(message)) + message + appid.encode()
    pad = 32 - len(plain) % 32
    plain += bytes([pad]) * pad
    encryptor = Cipher(algorithms.AES(key), modes.CBC(key[:16])).encryptor()
    return base64.b64encode(encryptor.update(plain) + encryptor.finalize()).decode()


def _judge(data: bytes) -> str | None:
    """The verdict on downloaded bytes, or None when they are not a picture."""
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(data)) as image:
            # an RGB image's pixel is (r, g, b); Pillow types getpixel for every mode at once
            r, g, b = cast(tuple[int, int, int], image.convert("RGB").getpixel((0, 0)))
    except (UnidentifiedImageError, OSError, ValueError):
        return None
    if r > 220 and g < 40 and b < 40:
        return "risky"
    if r > 220 and g > 220 and b < 40:
        return "review"
    return "pass"


def _download_url(media_url: str, media_origin: str | None) -> str:
    if not media_origin:
        return media_url
    origin, url = urlsplit(media_origin), urlsplit(media_url)
    return urlunsplit((origin.scheme, origin.netloc, url.path, url.query, ""))


def _push(state: MediaState, target: PushTarget, check: dict[str, Any], suggest: str) -> dict[str, Any]:
    label = _LABELS[suggest]
    event = {
        "ToUserName": "gh_sandbox00000",
        "FromUserName": "sandbox-push",
        "CreateTime": int(time.time()),
        "MsgType": "event",
        "Event": "wxa_media_check",
        "appid": state.appid,
        "trace_id": check["trace_id"],
        "version": 2,
        "result": {"suggest": suggest, "label": label},
        "detail": [{"strategy": "content_model", "errcode": 0, "suggest": suggest, "label": label, "prob": 90}],
    }
    timestamp, nonce = str(int(time.time())), str(secrets.randbelow(10**10))
    params = {"signature": _signature(target.token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce}
    body = json.dumps(event, ensure_ascii=False)
    if target.aes_key:
        encrypted = _encrypt(target.aes_key, state.appid, body)
        params.update(encrypt_type="aes", msg_signature=_signature(target.token, timestamp, nonce, encrypted))
        body = json.dumps({"ToUserName": event["ToUserName"], "Encrypt": encrypted})
    try:
        answer = requests.post(
            target.url, params=params, data=body.encode(), timeout=10, headers={"Content-Type": "application/json"}
        )
        result = {"status": answer.status_code, "body": answer.text[:1000]}
    except requests.RequestException as exc:
        result = {"status": None, "body": f"{type(exc).__name__}: {exc}"[:300]}
    with state.lock:
        check["pushes"].append({"suggest": suggest, **result})
    return result


def _download(check: dict[str, Any], target: PushTarget) -> tuple[dict[str, Any], bytes | None]:
    try:
        got = requests.get(_download_url(check["media_url"], target.media_origin), timeout=10)
    except requests.RequestException as exc:
        return {"ok": False, "status": None, "error": type(exc).__name__}, None
    if got.status_code != 200:
        return {"ok": False, "status": got.status_code}, None
    return {
        "ok": True,
        "status": 200,
        "bytes": len(got.content),
        "sha256": hashlib.sha256(got.content).hexdigest(),
        "content_type": got.headers.get("Content-Type"),
    }, got.content


def _judge_and_push(
    state: MediaState, target: PushTarget, check: dict[str, Any], suggest: str | None, attempts: int = 1
) -> dict[str, Any]:
    fetched, data = _download(check, target)
    with state.lock:
        check["downloads"].append(fetched)
    verdict = _judge(data) if data is not None else None
    if verdict is None:
        return {"download": fetched, "push": None}
    pushed: dict[str, Any] = {}
    for attempt in range(attempts):
        if attempt:
            time.sleep(1)
        pushed = _push(state, target, check, suggest or verdict)
        if pushed["status"] == 200 and pushed["body"] == "success":
            break
    return {"download": fetched, "push": pushed}


def install_media_check(
    app: Flask,
    appid: str,
    require_token: Callable[[], ResponseReturnValue | None],
    error: Callable[[int, str], ResponseReturnValue],
    target: PushTarget | None = None,
) -> MediaState:
    state = MediaState(appid=appid, target=target, initial_target=target)

    @app.post("/wxa/media_check_async")
    def media_check_async() -> ResponseReturnValue:
        if (problem := require_token()) is not None:
            return problem
        body = request.get_json(force=True, silent=True)
        if not isinstance(body, dict) or body.get("version") != 2 or body.get("scene") not in (1, 2, 3, 4):
            return error(47001, "data format error")
        media_url, openid = body.get("media_url"), body.get("openid")
        if (
            not isinstance(media_url, str)
            or not media_url.startswith(("http://", "https://"))
            or body.get("media_type") not in (1, 2)
            or not isinstance(openid, str)
            or not openid
        ):
            return error(47001, "data format error")
        trace_id = f"{secrets.token_hex(4)}-{secrets.token_hex(4)}-{secrets.token_hex(4)}"
        check = {
            "trace_id": trace_id,
            "media_url": media_url,
            "media_type": body["media_type"],
            "openid": openid,
            "scene": body["scene"],
            "requested_at": time.time(),
            "downloads": [],
            "pushes": [],
        }
        with state.lock:
            state.checks[trace_id] = check
            current = state.target
        if current is not None and current.auto:

            def later() -> None:
                time.sleep(1)
                _judge_and_push(state, current, check, None, attempts=3)

            threading.Thread(target=later, daemon=True).start()
        return jsonify({"errcode": 0, "errmsg": "ok", "trace_id": trace_id})

    @app.post("/_sandbox/push-target")
    def push_target() -> ResponseReturnValue:
        body = request.get_json(force=True, silent=True) or {}
        if not isinstance(body.get("url"), str) or not isinstance(body.get("token"), str):
            return jsonify({"ok": False, "error": "url and token are required"}), 400
        with state.lock:
            state.target = PushTarget(
                url=body["url"],
                token=body["token"],
                aes_key=body.get("aes_key") or None,
                auto=bool(body.get("auto")),
                media_origin=body.get("media_origin") or None,
            )
        return jsonify({"ok": True})

    @app.get("/_sandbox/media-checks")
    def media_checks() -> ResponseReturnValue:
        with state.lock:
            return jsonify({"checks": [dict(c) for c in state.checks.values()]})

    @app.post("/_sandbox/media-checks/<trace_id>/push")
    def push_now(trace_id: str) -> ResponseReturnValue:
        body = request.get_json(force=True, silent=True) or {}
        suggest = body.get("suggest")
        with state.lock:
            check, current = state.checks.get(trace_id), state.target
        if check is None:
            return jsonify({"ok": False, "error": "unknown trace_id"}), 404
        if current is None:
            return jsonify({"ok": False, "error": "no push target: POST /_sandbox/push-target first"}), 409
        if suggest is not None and suggest not in _LABELS:
            return jsonify({"ok": False, "error": "suggest is pass, review or risky"}), 400
        return jsonify({"ok": True, **_judge_and_push(state, current, check, suggest)})

    return state
