"""WeChat's message push (消息推送) to the mini-program's server: how we know a push is WeChat's.

Configured in the mini-program admin console (开发管理 → 消息推送): URL, Token, EncodingAESKey,
encryption mode and data format. We take data format **JSON**, in plaintext mode (明文模式) or,
recommended, safe mode (安全模式; compatibility mode works the same way: its encrypted copy is used).

* Every request carries ``signature``, ``timestamp`` and ``nonce`` in the query string:
  ``signature = sha1(sorted([token, timestamp, nonce]) joined)``.
* The URL check when the admin saves the configuration is a GET with an ``echostr`` to hand back.
* Safe mode adds ``encrypt_type=aes`` and ``msg_signature = sha1(sorted([token, timestamp, nonce,
  Encrypt]) joined)``; the body is ``{"ToUserName", "Encrypt"}``, ``Encrypt`` being
  base64(AES-256-CBC(random 16 bytes + big-endian length + message + appid)) with key
  base64(EncodingAESKey + "=") and IV its first 16 bytes.

The plaintext signature does not cover the body, so besides the signature: the timestamp must be
recent (``MAX_AGE_SECONDS``) and the caller remembers the (timestamp, nonce) of accepted pushes so a
captured query string cannot carry a second, forged body. With an EncodingAESKey configured, only
encrypted pushes are accepted. No Flask here; the view turns :class:`PushRejected` into the API's
error shape.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
import struct
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from wechatpy.crypto import PrpCrypto
from wechatpy.exceptions import InvalidAppIdException

__all__ = ["MAX_AGE_SECONDS", "PushConfig", "PushRejected", "open_push", "sign", "verify_url"]

MAX_AGE_SECONDS = 600  # WeChat retries within seconds; anything older is a replay or a broken clock
_TIMESTAMP = re.compile(r"[0-9]{1,12}")  # Unix seconds (str.isdigit() takes "²" and 5,000 digits: int() does not)


class PushRejected(Exception):
    def __init__(self, code: str, message: str, kind: str = "forbidden") -> None:
        super().__init__(code, message)
        self.code, self.message, self.kind = code, message, kind


@dataclass(frozen=True)
class PushConfig:
    token: str
    aes_key: str | None  # the 43-character EncodingAESKey; None: plaintext mode
    appid: str

    def key_bytes(self) -> bytes:
        try:
            key = base64.b64decode((self.aes_key or "") + "=", validate=True)
        except binascii.Error:
            key = b""
        if len(key) != 32:
            raise PushRejected("push_not_configured", "消息推送的 EncodingAESKey 配置有误", kind="unavailable")
        return key


def sign(token: str, *parts: str) -> str:
    """WeChat's push signature: sha1 of the token and the parts, sorted and joined."""
    return hashlib.sha1("".join(sorted([token, *parts])).encode()).hexdigest()


def _fresh_timestamp(args: Mapping[str, str], now: float) -> str:
    timestamp = args.get("timestamp", "")
    if not _TIMESTAMP.fullmatch(timestamp) or abs(now - int(timestamp)) > MAX_AGE_SECONDS:
        raise PushRejected("push_stale", "推送的时间戳无效或已过期")
    return timestamp


def _check(expected: str, given: str | None) -> None:
    if not given or not hmac.compare_digest(expected, given):
        raise PushRejected("push_signature_invalid", "推送签名校验失败")


def verify_url(config: PushConfig, args: Mapping[str, str], now: float) -> str:
    """The GET check WeChat makes when the push URL is saved: return the echostr to hand back."""
    timestamp = _fresh_timestamp(args, now)
    _check(sign(config.token, timestamp, args.get("nonce", "")), args.get("signature"))
    return args.get("echostr", "")


def open_push(config: PushConfig, args: Mapping[str, str], body: bytes, now: float) -> dict[str, Any]:
    """Verify a pushed message and return it as a dict, decrypted when it came encrypted."""
    timestamp = _fresh_timestamp(args, now)
    nonce = args.get("nonce", "")
    _check(sign(config.token, timestamp, nonce), args.get("signature"))
    try:
        envelope = json.loads(body)
    except (ValueError, RecursionError):
        envelope = None
    if not isinstance(envelope, dict):
        raise PushRejected(
            "push_malformed", "推送内容不是 JSON 对象（请在小程序后台选择 JSON 数据格式）", kind="invalid"
        )
    if args.get("encrypt_type") == "aes" or config.aes_key:
        if args.get("encrypt_type") != "aes" or not isinstance(envelope.get("Encrypt"), str):
            raise PushRejected("push_encryption_required", "只接受安全模式（加密）的推送")
        _check(sign(config.token, timestamp, nonce, envelope["Encrypt"]), args.get("msg_signature"))
        envelope = _decrypt(config, envelope["Encrypt"])
    elif envelope.get("appid") not in (None, config.appid):
        raise PushRejected("push_wrong_app", "推送不属于本小程序")
    return envelope


def _decrypt(config: PushConfig, encrypted: str) -> dict[str, Any]:
    try:
        text = PrpCrypto(config.key_bytes()).decrypt(encrypted, config.appid)
        message = json.loads(text)
    except InvalidAppIdException as exc:
        raise PushRejected("push_wrong_app", "推送不属于本小程序") from exc
    except (ValueError, IndexError, struct.error) as exc:  # authentic but undecipherable: a key mismatch
        raise PushRejected("push_malformed", "推送内容无法解密，请核对 EncodingAESKey", kind="invalid") from exc
    if not isinstance(message, dict):
        raise PushRejected("push_malformed", "推送内容不是 JSON 对象", kind="invalid")
    return message
