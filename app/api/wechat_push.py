"""WeChat's message push (消息推送): the URL configured in the mini-program admin console.

GET is WeChat's check of the URL; POST carries events, each verified (app.wechat.push) before it is
read. Handled: `wxa_media_check` (the image-check verdict on a complaint photo). Other events are
acknowledged and ignored. WeChat wants the body "success"; anything else makes it retry (three times),
which is what an unknown trace id should get: the request may still be committing.
"""

from __future__ import annotations

import time

from flask import current_app, make_response, request

from app.api import bp
from app.api.endpoint import endpoint, read_body
from app.clock import utcnow
from app.domain.complaints import photos
from app.domain.text import clean_json
from app.errors import AppError
from app.extensions import db, get_redis
from app.transaction import after_commit
from app.wechat.push import MAX_AGE_SECONDS, PushConfig, PushRejected, open_push, verify_url

_SEEN = "mingjing:wechat-push:seen:"


def _config() -> PushConfig:
    cfg = current_app.config
    if not cfg.get("WECHAT_PUSH_TOKEN"):
        raise AppError("push_not_configured", "未配置微信消息推送（WECHAT_PUSH_TOKEN）", kind="unavailable")
    return PushConfig(
        token=cfg["WECHAT_PUSH_TOKEN"], aes_key=cfg.get("WECHAT_PUSH_AES_KEY") or None, appid=cfg["WECHAT_APPID"]
    )


def _text(body: str):
    response = make_response(body, 200)
    response.mimetype = "text/plain"
    return response


def _rejected(exc: PushRejected) -> AppError:
    return AppError(exc.code, exc.message, kind=exc.kind)


_ERRORS = [
    "push_not_configured",
    "push_signature_invalid",
    "push_stale",
    "push_encryption_required",
    "push_malformed",
    "push_wrong_app",
]


@bp.get("/wechat/push")
@endpoint(
    tags=["system"],
    summary="微信消息推送：服务器地址校验（原样返回 echostr）",
    auth=None,
    produces="text/plain",
    errors=_ERRORS,
)
def wechat_push_check():
    try:
        return _text(verify_url(_config(), request.args, time.time()))
    except PushRejected as exc:
        raise _rejected(exc) from exc


@bp.post("/wechat/push")
@endpoint(
    tags=["system"],
    summary="微信消息推送：接收事件（图片安全检测结果 wxa_media_check）",
    auth=None,
    produces="text/plain",
    errors=_ERRORS + ["unknown_trace_id", "payload_too_large"],
)
def wechat_push():
    try:
        message = open_push(_config(), request.args, read_body(), time.time())
    except PushRejected as exc:
        raise _rejected(exc) from exc
    problem = clean_json(message)
    if problem is not None:  # authentic, yet nothing the database could store: WeChat never sends it
        raise AppError("push_malformed", f"推送内容无效（{problem}）")
    # The plaintext signature does not cover the body: a query string seen once carries nothing else.
    seen = f"{_SEEN}{request.args.get('timestamp')}:{request.args.get('nonce')}"
    redis = get_redis()
    if redis.exists(seen):
        return _text("success")  # a retry of what was applied, or a replay: nothing to do either way
    if message.get("MsgType") == "event" and message.get("Event") == "wxa_media_check":
        photos.on_media_check(message, folder=current_app.config["COMPLAINT_PHOTO_DIR"], now=utcnow())
        after_commit(db.session(), lambda: redis.set(seen, 1, ex=2 * MAX_AGE_SECONDS))
    return _text("success")
