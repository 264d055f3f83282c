"""Login, logout, who am I, and accepting a cadre invitation."""

from __future__ import annotations

from flask import current_app, request

from app.api import bp
from app.api.endpoint import bearer_token, current_actor, endpoint
from app.api.schemas.auth import ConsoleLoginIn, InvitationAcceptIn, MeOut, SessionOut, WxLoginIn
from app.api.schemas.roles import RoleOut
from app.domain import auth, roles
from app.domain.people import describe
from app.extensions import db, get_redis
from app.models import ConsoleAccount, WxUser
from app.wechat.current import wechat


@bp.post("/auth/wx-login")
@endpoint(
    tags=["villager", "cadre"],
    summary="微信登录：wx.login 的 code 换取会话令牌",
    auth=None,
    body=WxLoginIn(),
    response=SessionOut(),
    errors=["wechat_code_invalid", "wechat_unavailable"],
)
def wx_login(body):
    user, issued = auth.wechat_login(wechat(), body["code"], ttl_seconds=current_app.config["SESSION_TTL_SECONDS"])
    return {"token": issued.token, "expires_at": issued.expires_at, "me": describe(user=user)}


@bp.post("/auth/console-login")
@endpoint(
    tags=["township", "county"],
    summary="工作台账号密码登录（限制失败次数）",
    auth=None,
    body=ConsoleLoginIn(),
    response=SessionOut(),
    errors=["bad_credentials", "rate_limited"],
)
def console_login(body):
    account, issued = log_in_console_account(body)
    return {"token": issued.token, "expires_at": issued.expires_at, "me": describe(account=account)}


def log_in_console_account(body: dict) -> tuple[ConsoleAccount, auth.IssuedSession]:
    """A console login from this request (the API's and the web console's): the same limits, one lockout."""
    cfg = current_app.config
    return auth.console_login(
        get_redis(),
        body["username"],
        body["password"],
        client_ip=request.remote_addr or "unknown",
        max_failures=cfg["LOGIN_MAX_FAILURES"],
        window_seconds=cfg["LOGIN_FAILURE_WINDOW_SECONDS"],
        ttl_seconds=cfg["CONSOLE_SESSION_TTL_SECONDS"],
    )


@bp.post("/auth/logout")
@endpoint(tags=["villager", "cadre", "township", "county"], summary="退出登录（吊销当前令牌）")
def logout():
    token = bearer_token()
    if token is not None:  # always, once authenticated: the endpoint checked this very token
        auth.revoke_session(token)


@bp.get("/me")
@endpoint(tags=["villager", "cadre", "township", "county"], summary="当前用户及其在任角色", response=MeOut())
def me():
    actor = current_actor()
    return describe(actor=actor)


@bp.post("/auth/invitations/accept")
@endpoint(
    tags=["cadre"],
    summary="村干部扫描邀请二维码，绑定微信身份与职务",
    auth="wx",
    body=InvitationAcceptIn(),
    response=RoleOut(),
    status=201,
    errors=["invitation_invalid", "invitation_used", "invitation_expired"],
)
def accept_invitation(body):
    user = db.session.get_one(WxUser, current_actor().id)
    return roles.accept_invitation(user, body["token"])
