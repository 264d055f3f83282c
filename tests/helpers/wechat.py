"""Looking at what the app holds while it asks WeChat."""

from __future__ import annotations

from app.extensions import db
from app.wechat.adapter import WeChatAdapter


def transaction_open_at_each_call(monkeypatch, method: str) -> list[bool]:
    """Wrap WeChatAdapter.<method> (still the real adapter and sandbox): the list fills, call by call,
    with whether the app's database session was in a transaction when WeChat was asked."""
    seen: list[bool] = []
    real = getattr(WeChatAdapter, method)

    def watched(self, *args, **kwargs):
        seen.append(db.session().in_transaction())
        return real(self, *args, **kwargs)

    monkeypatch.setattr(WeChatAdapter, method, watched)
    return seen
