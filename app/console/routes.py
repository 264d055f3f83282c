"""Wiring the console into the app: cookie sessions and CSRF, its pages (importing the view modules
registers them on the blueprint), its one error page, its security headers; `/` and `/admin` lead to it."""

from __future__ import annotations

from typing import Any

from flask import Flask, Response, make_response, redirect, render_template, request
from flask_wtf.csrf import CSRFError

from app.console import (  # noqa: F401  (pages register on import)
    board,
    bp,
    complaints,
    disclosures,
    households,
    invitations,
    login,
    rules,
    session,
    statistics,
    stickers,
)
from app.error_handlers import answer_errors_as_pages, error_response

# Console pages load scripts, styles and images from the app alone (a test fails on any other host).
CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; object-src 'none'; "
    "base-uri 'none'; frame-ancestors 'none'; form-action 'self'"
)
TITLES = {400: "提交的内容有误", 401: "请先登录", 403: "没有权限", 404: "没有找到", 429: "操作过于频繁"}


def _error_page(status: int, code: str, message: str, fields: dict[str, Any] | None) -> Response:
    """The console's one error page: every failure under /console (404, 403, CSRF, 500...) in this shape."""
    title = TITLES.get(status, "请求没有完成" if status < 500 else "系统暂时出错了")
    return make_response(
        render_template("console/error.html", status=status, code=code, title=title, message=message, fields=fields)
    )


def _csrf_refused(exc: CSRFError):
    return error_response(400, "csrf_failed", "页面已过期或来源不明，请返回刷新页面后再提交")


def _headers(response: Response) -> Response:
    if session.is_console_path(request.path):
        response.headers["Content-Security-Policy"] = CSP
        response.headers["X-Content-Type-Options"] = "nosniff"
        response.headers["X-Frame-Options"] = "DENY"
        response.headers["Referrer-Policy"] = "same-origin"
        response.headers.setdefault("Cache-Control", "no-store")  # pages show cases: never cached
    return response


def _to_console():
    return redirect(session.PREFIX + "/", 302)


def init_app(app: Flask) -> None:
    from app.api import bp as api_bp

    session.init_app(app)
    session.csrf.exempt(api_bp)  # bearer tokens only, never the cookie: see app/console/session.py
    app.register_blueprint(bp)
    app.register_error_handler(CSRFError, _csrf_refused)
    answer_errors_as_pages(app, session.PREFIX, _error_page)
    app.after_request(_headers)
    app.add_url_rule("/", "root", _to_console)
    app.add_url_rule("/admin", "admin", _to_console)
