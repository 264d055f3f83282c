"""Factories for territory and people, and login helpers that go through the real endpoints."""

from __future__ import annotations

import itertools
import secrets

from werkzeug.security import generate_password_hash

from app.domain import roles
from app.extensions import db
from app.models import ConsoleAccount, County, Grid, Household, Role, Township, Village, WxUser

_seq = itertools.count(1)
PASSWORD = "correct-horse-battery"
# Hashing is deliberately slow; tests share one hash of PASSWORD.
_PASSWORD_HASH = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")


def county(name: str = "清溪县") -> County:
    n = next(_seq)
    row = County(code=f"33{n:04d}", name=name)
    db.session.add(row)
    db.session.flush()
    return row


def township(parent: County | None = None, name: str | None = None) -> Township:
    parent = parent or county()
    n = next(_seq)
    row = Township(
        county_id=parent.id,
        code=f"{parent.code}{n:03d}"[-9:],
        name=name or f"第{n}镇",
        supervision_phone="0571-12345678",
    )
    db.session.add(row)
    db.session.flush()
    return row


def village(parent: Township | None = None, name: str | None = None, grids: int = 2) -> Village:
    parent = parent or township()
    n = next(_seq)
    row = Village(township_id=parent.id, code=f"{parent.code}{n:03d}"[-12:], name=name or f"第{n}村")
    db.session.add(row)
    db.session.flush()
    for number in range(1, grids + 1):
        db.session.add(Grid(village_id=row.id, number=number, name=f"第{number}网格"))
    db.session.flush()
    return row


def household(parent: Village | None = None, number: str | None = None) -> Household:
    parent = parent or village()
    n = next(_seq)
    grid = parent.grids[0] if parent.grids else None
    row = Household(
        village_id=parent.id,
        grid_id=grid.id if grid else None,
        number=number or f"{n:04d}",
        address=f"{parent.name}{n}号",
        head_name=f"户主{n}",
    )
    db.session.add(row)
    db.session.flush()
    return row


def wx_user(identity: str | None = None) -> WxUser:
    """A WeChat user whose openid the sandbox gives for codes of `identity` (see login_wx)."""
    identity = identity or f"user{next(_seq)}"
    row = WxUser(openid=f"sbx-{identity}")
    db.session.add(row)
    db.session.flush()
    return row


def console_account(username: str | None = None) -> ConsoleAccount:
    row = ConsoleAccount(
        username=username or f"staff{next(_seq)}", display_name="工作人员", password_hash=_PASSWORD_HASH
    )
    db.session.add(row)
    db.session.flush()
    return row


def villager(home: Household, identity: str | None = None) -> WxUser:
    user = wx_user(identity)
    roles.assign(Role.VILLAGER, user=user, household=home)
    return user


def cadre(role: Role, where: Village, identity: str | None = None) -> WxUser:
    user = wx_user(identity)
    roles.assign(role, user=user, village=where, holder_name="干部")
    return user


def township_staff(role: Role, where: Township, username: str | None = None) -> ConsoleAccount:
    account = console_account(username)
    roles.assign(role, account=account, township=where, holder_name="镇干部")
    return account


def county_staff(where: County, username: str | None = None) -> ConsoleAccount:
    account = console_account(username)
    roles.assign(Role.COUNTY_STAFF, account=account, county_id=where.id, holder_name="县干部")
    return account


def login_wx(client, user_or_identity) -> str:
    """Log in through POST /auth/wx-login with a fresh sandbox code; returns the bearer token."""
    identity = (
        user_or_identity.openid.removeprefix("sbx-") if isinstance(user_or_identity, WxUser) else user_or_identity
    )
    db.session.commit()
    response = client.post("/api/v1/auth/wx-login", json={"code": f"{identity}.{secrets.token_hex(4)}"})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def login_console(client, account: ConsoleAccount, password: str = PASSWORD) -> str:
    db.session.commit()
    response = client.post("/api/v1/auth/console-login", json={"username": account.username, "password": password})
    assert response.status_code == 200, response.get_json()
    return response.get_json()["token"]


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}
