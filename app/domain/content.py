"""WeChat's text check (msgSecCheck v2) before anything a villager writes is kept or shown (先审后发)."""

from __future__ import annotations

import logging

from app.domain.wechat_port import WeChat, WeChatError
from app.errors import AppError
from app.extensions import db
from app.transaction import end_reads

log = logging.getLogger(__name__)


def check_text(wechat: WeChat, text: str, openid: str, *, field: str) -> str:
    """'pass' or 'review' (held for people to look at); risky text is refused with a clear message.

    Called before anything is written, and with the request's read transaction ended first: a slow
    WeChat then holds no database connection, snapshot or row lock (the writes begin afterwards)."""
    end_reads(db.session())
    try:
        verdict = wechat.check_text(text, openid=openid).suggest
    except WeChatError as exc:
        log.warning("text check unavailable: %s", exc)  # the villager is told to retry; operators need why
        raise AppError("content_check_unavailable", "内容安全检查暂时不可用，请稍后再试", kind="upstream") from exc
    if verdict == "risky":
        raise AppError(
            "content_refused",
            "内容含有不适宜的信息，请修改后再提交",
            kind="unprocessable",
            fields={field: ["内容未通过安全检查"]},
        )
    return verdict
