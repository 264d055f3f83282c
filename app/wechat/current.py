"""The app's configured WeChat adapter (sandbox when no real credentials are set)."""

from __future__ import annotations

from flask import Flask, current_app

from app.extensions import get_redis
from app.wechat.adapter import WeChatAdapter


def wechat() -> WeChatAdapter:
    # current_app is typed as the Flask object it stands for, not as the proxy it is
    app: Flask = current_app._get_current_object()  # type: ignore[attr-defined]
    adapter = app.extensions.get("wechat")
    if adapter is None:
        adapter = WeChatAdapter.from_config(app.config, get_redis())
        app.extensions["wechat"] = adapter
    return adapter
