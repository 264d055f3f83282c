"""Sessions and logins. Knows nothing of HTTP: callers pass what they read from the request.

Tokens are opaque random strings handed to the client once; only their SHA-256 is stored, so a
database leak gives no usable token. Sessions expire and can be revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta

from redis import Redis
from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from app.clock import utcnow
from app.domain import ratelimit
from app.domain.authz import Actor, load_grants
from app.domain.wechat_port import WeChat, WeChatCodeInvalid, WeChatError, WeChatUnavailable
from app.errors import AppError, Unauthenticated
from app.extensions import db
from app.models import AuthSession, ConsoleAccount, WxUser

# A fixed hash checked when the username is unknown, so timing does not reveal which usernames exist.
_DUMMY_HASH = generate_password_hash("not-a-real-password")


def hash_token(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def new_token() -> tuple[str, str]:
    token = secrets.token_urlsafe(32)
    return token, hash_token(token)


@dataclass(frozen=True)
class IssuedSession:
    token: str
    expires_at: datetime


def open_session(
    *, user: WxUser | None = None, account: ConsoleAccount | None = None, ttl_seconds: int
) -> IssuedSession:
    token, digest = new_token()
    now = utcnow()
    expires_at = now + timedelta(seconds=ttl_seconds)
    db.session.add(
        AuthSession(
            token_hash=digest,
            user_id=user.id if user else None,
            console_account_id=account.id if account else None,
            created_at=now,
            expires_at=expires_at,
        )
    )
    return IssuedSession(token, expires_at)


def actor_for_token(token: str | None) -> Actor:
    """Resolve a bearer token to an Actor with the roles running now, or raise Unauthenticated."""
    if not token:
        raise Unauthenticated()
    row = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(token)))
    if row is None or row.revoked_at is not None:
        raise Unauthenticated("invalid_token", "登录已失效，请重新登录")
    if row.expires_at <= utcnow():
        raise Unauthenticated("token_expired", "登录已过期，请重新登录")
    if row.user_id is not None:
        return Actor("wx", row.user_id, load_grants(user_id=row.user_id))
    account = db.session.get(ConsoleAccount, row.console_account_id)
    if account is None or not account.is_active:
        raise Unauthenticated("account_disabled", "该账号已停用")
    return Actor("console", account.id, load_grants(console_account_id=account.id))


def revoke_session(token: str) -> None:
    row = db.session.scalar(select(AuthSession).where(AuthSession.token_hash == hash_token(token)))
    if row is not None and row.revoked_at is None:
        row.revoked_at = utcnow()


def wechat_login(wechat: WeChat, code: str, *, ttl_seconds: int) -> tuple[WxUser, IssuedSession]:
    """code from wx.login → code2session → upsert the user by openid → our own session."""
    try:
        wx = wechat.code_to_session(code)
    except WeChatCodeInvalid as exc:
        raise AppError(
            "wechat_code_invalid", "微信登录凭证无效或已使用，请重新进入小程序", kind="unauthenticated"
        ) from exc
    except WeChatUnavailable as exc:
        raise AppError("wechat_unavailable", "微信服务暂时不可用，请稍后再试", kind="upstream") from exc
    except WeChatError as exc:
        raise AppError("wechat_error", "微信登录失败，请稍后再试", kind="upstream") from exc

    user = db.session.scalar(select(WxUser).where(WxUser.openid == wx.openid))
    now = utcnow()
    if user is None:
        user = WxUser(openid=wx.openid, created_at=now)
        db.session.add(user)
    user.session_key = wx.session_key  # server-side only
    if wx.unionid:
        user.unionid = wx.unionid
    user.last_login_at = now
    db.session.flush()
    return user, open_session(user=user, ttl_seconds=ttl_seconds)


def console_login(
    redis: Redis,
    username: str,
    password: str,
    *,
    client_ip: str,
    max_failures: int,
    window_seconds: int,
    ttl_seconds: int,
) -> tuple[ConsoleAccount, IssuedSession]:
    """Password login for township and county staff, limited per username and per client address.

    The attempt is counted before the password is checked (ratelimit.take), so concurrent attempts
    get no more password checks than the limit; a right password gives its hits back (only failures
    count) and clears the username's failures."""
    username = username.strip().lower()
    limit = ratelimit.Limit("console-login-fail", max_failures, window_seconds)
    ip_limit = ratelimit.Limit("console-login-fail-ip", max_failures * 4, window_seconds)
    taken = ratelimit.take(redis, [(limit, username), (ip_limit, client_ip)], "登录失败次数过多，请稍后再试")

    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    ok = check_password_hash(account.password_hash if account else _DUMMY_HASH, password)
    if not ok or account is None:
        raise AppError("bad_credentials", "用户名或密码错误", kind="unauthenticated")
    taken.give_back()
    if not account.is_active:
        raise AppError("account_disabled", "该账号已停用", kind="forbidden")
    ratelimit.reset(redis, limit, username)
    account.last_login_at = utcnow()
    return account, open_session(account=account, ttl_seconds=ttl_seconds)


def set_password(account: ConsoleAccount, password: str) -> None:
    if len(password) < 8:
        raise AppError("weak_password", "密码至少 8 位", kind="unprocessable", fields={"password": ["密码至少 8 位"]})
    account.password_hash = generate_password_hash(password)
