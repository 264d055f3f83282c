"""Logging in and out of the console: the same login as the API's (app.domain.auth.console_login:
password, lockout per username and per address), its session token kept in the console's cookie."""

from __future__ import annotations

from flask import make_response, redirect, render_template, request, session, url_for

from app.api.auth import log_in_console_account
from app.api.schemas.auth import ConsoleLoginIn
from app.console import bp
from app.console.pages import TOKEN_KEY, form_input, page, safe_next, signed_in
from app.domain import auth
from app.errors import AppError
from app.extensions import db


def _login_page(*, status: int = 200, error: str | None = None, username: str = ""):
    next_path = safe_next(request.values.get("next"))
    page_html = render_template("console/login.html", error=error, username=username, next_path=next_path)
    return make_response(page_html, status)


@bp.get("/login")
def login():
    try:
        already = signed_in() is not None
    finally:
        db.session.rollback()  # read only
    if already:
        return redirect(safe_next(request.args.get("next")) or url_for("console.board"), 303)
    return _login_page()


@bp.post("/login")
def login_submit():
    try:
        _account, issued = log_in_console_account(form_input(ConsoleLoginIn()))
        db.session.commit()
    except AppError as exc:
        db.session.rollback()
        message = "请填写用户名和密码" if exc.code == "validation_error" else exc.message
        response = _login_page(status=exc.status, error=message, username=request.form.get("username", "")[:64])
        if exc.retry_after:
            response.headers["Retry-After"] = str(exc.retry_after)
        return response
    except BaseException:
        db.session.rollback()
        raise
    session.clear()  # a fresh session (and CSRF secret) for this account: nothing carried over
    session[TOKEN_KEY] = issued.token
    session.permanent = True
    return redirect(safe_next(request.form.get("next")) or url_for("console.board"), 303)


@bp.post("/logout")
@page
def logout():
    token = session.get(TOKEN_KEY)
    if isinstance(token, str):
        auth.revoke_session(token)
    session.clear()
    return redirect(url_for("console.login"), 303)
