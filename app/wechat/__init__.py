"""WeChat integration: the adapter over wechatpy (the sandbox server lives in app.wechat.sandbox)."""

from app.wechat.adapter import (
    SUBSCRIBE_FIELD_LIMITS,
    TextCheck,
    WeChatAdapter,
    WeChatCodeInvalid,
    WeChatError,
    WeChatNoAnswer,
    WeChatNoSubscribeCredit,
    WeChatTemplateInvalid,
    WeChatUnavailable,
    WxSession,
    truncate_subscribe_fields,
)

__all__ = [
    "SUBSCRIBE_FIELD_LIMITS",
    "TextCheck",
    "WeChatAdapter",
    "WeChatCodeInvalid",
    "WeChatError",
    "WeChatNoAnswer",
    "WeChatNoSubscribeCredit",
    "WeChatTemplateInvalid",
    "WeChatUnavailable",
    "WxSession",
    "truncate_subscribe_fields",
]
