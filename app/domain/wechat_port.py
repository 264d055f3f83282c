"""What the domain needs from WeChat, and nothing of how it is reached (the adapter over wechatpy in
app/wechat implements it; the domain imports this module only, so it never loads an HTTP client).

Login (code → openid) and the text check are answers the domain waits for inside a request; the
messages and media checks that go out after commit are the jobs' business (app/jobs).
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Protocol

# --------------------------------------------------------------------------- errors


class WeChatError(Exception):
    """Any failed WeChat call. ``errcode`` is WeChat's code, or None for transport-level failures."""

    def __init__(self, errcode: int | None, errmsg: str) -> None:
        super().__init__(errcode, errmsg)
        self.errcode = errcode
        self.errmsg = errmsg

    def __str__(self) -> str:
        return f"WeChat error {self.errcode}: {self.errmsg}"


class WeChatCodeInvalid(WeChatError):
    """The wx.login code is invalid, already used, or belongs to a user WeChat flags as risky."""


class WeChatUnavailable(WeChatError):
    """WeChat could not be reached or answered garbage (network, timeout, HTTP 5xx, non-JSON, -1)."""


class WeChatNoAnswer(WeChatUnavailable):
    """The request went out but no answer came back (read timeout, answer cut off): WeChat may have
    acted on it. Retrying is fine for reads, not for what must happen at most once (a message)."""


class WeChatNoSubscribeCredit(WeChatError):
    """The user has no subscribe-message credit left for this template (43101)."""


class WeChatTemplateInvalid(WeChatError):
    """Template id or data rejected by WeChat (47003)."""


# --------------------------------------------------------------------------- values


@dataclass(frozen=True)
class WxSession:
    openid: str
    session_key: str
    unionid: str | None


@dataclass(frozen=True)
class TextCheck:
    suggest: str  # 'pass' | 'review' | 'risky'
    label: int
    trace_id: str | None


# Max length (characters) of a subscribe-message value by field type, i.e. the key without its
# trailing digits ("thing1" -> "thing"). Types not listed (time, date, amount, ...) have fixed formats
# and are passed through unchanged.
SUBSCRIBE_FIELD_LIMITS: dict[str, int] = {
    "thing": 20,
    "phrase": 5,
    "name": 10,
    "character_string": 32,
    "number": 32,
    "letter": 32,
}

_FIELD_KEY = re.compile(r"^([a-z_]+?)\d*$")


def truncate_subscribe_fields(data: Mapping[str, Any]) -> dict[str, str]:
    """Return ``{field: str(value)}`` with each value cut to its field type's WeChat limit.

    WeChat rejects the whole message (47003) when one value is too long, so truncating is better
    than failing. ``thing`` values (free text) end in "…" when cut; the other types have restricted
    alphabets (digits, letters, pure Chinese) where an ellipsis would itself be invalid.
    Values may also be given already wrapped as ``{"value": v}``.
    """
    out: dict[str, str] = {}
    for key, raw in data.items():
        if isinstance(raw, Mapping):
            raw = raw.get("value", "")
        value = "" if raw is None else str(raw)
        match = _FIELD_KEY.match(key)
        field_type = match.group(1) if match else key
        limit = SUBSCRIBE_FIELD_LIMITS.get(field_type)
        if limit is not None and len(value) > limit:
            value = value[: limit - 1] + "…" if field_type == "thing" else value[:limit]
        out[key] = value
    return out


class WeChat(Protocol):
    """The synchronous calls the domain makes (app.wechat.WeChatAdapter is the one implementation)."""

    def code_to_session(self, code: str) -> WxSession: ...

    def check_text(self, content: str, openid: str, scene: int = 2) -> TextCheck: ...
