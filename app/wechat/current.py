"""The app's configured WeChat adapter (sandbox when no real credentials are set)."""
from __future__ import annotations

from flask import current_app

from app.extensions import get_redis
from app.wechat.adapter import WeChatAdapter


def wechat() -> WeChatAdapter:
    app = current_app._get_current_object()
    adapter = app.extensions.get("wechat")
    if adapter is None:
        adapter = WeChatAdapter.from_config(app.config, get_redis())
        app.extensions["wechat"] = adapter
    return adapter
