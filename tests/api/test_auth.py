"""Logins and sessions over HTTP, through wechatpy against the loopback sandbox."""

from __future__ import annotations

from datetime import timedelta

import requests

from app.extensions import db
from app.models import AuthSession, Role, WxUser
from tests import factories as f


def test_wx_login_creates_user_and_keeps_session_key_server_side(client, wechat_sandbox):
    response = client.post("/api/v1/auth/wx-login", json={"code": "wang-fang.n1"})
    assert response.status_code == 200
    body = response.get_json()
    assert body["me"]["kind"] == "wx" and body["me"]["roles"] == []
    assert "session_key" not in response.get_data(as_text=True)
    user = db.session.query(WxUser).one()
    assert user.openid == "sbx-wang-fang" and user.unionid == "sbxu-wang-fang"
    assert user.session_key  # kept on the server only
    # only the token's hash is stored
    stored = db.session.query(AuthSession).one()
    assert stored.token_hash != body["token"] and len(stored.token_hash) == 64

    me = client.get("/api/v1/me", headers=f.bearer(body["token"]))
    assert me.status_code == 200 and me.get_json()["id"] == user.id


def test_second_login_reuses_the_user(client):
    f.login_wx(client, "zhao-lei")
    f.login_wx(client, "zhao-lei")
    assert db.session.query(WxUser).count() == 1
    assert db.session.query(AuthSession).count() == 2


def test_bad_and_reused_codes_get_clear_errors(client):
    bad = client.post("/api/v1/auth/wx-login", json={"code": "invalid-code"})
    assert bad.status_code == 401
    assert bad.get_json()["error"]["code"] == "wechat_code_invalid"
    assert "微信" in bad.get_json()["error"]["message"]
    assert client.post("/api/v1/auth/wx-login", json={"code": "li-na.once"}).status_code == 200
    reused = client.post("/api/v1/auth/wx-login", json={"code": "li-na.once"})
    assert reused.status_code == 401 and reused.get_json()["error"]["code"] == "wechat_code_invalid"


def test_expired_wechat_access_token_is_refetched_and_the_login_retried(client, wechat_sandbox):
    f.login_wx(client, "first")
    issued = requests.get(wechat_sandbox.url + "_sandbox/stats", timeout=5).json()["tokens_issued"]
    requests.post(wechat_sandbox.url + "_sandbox/expire-tokens", timeout=5).raise_for_status()
    # jscode2session does not itself check the token, so prove the retry on a call that does
    from app.wechat.current import wechat

    assert wechat().check_text("你好", openid="sbx-first").suggest == "pass"
    f.login_wx(client, "second")
    stats = requests.get(wechat_sandbox.url + "_sandbox/stats", timeout=5).json()
    assert stats["tokens_issued"] == issued + 1


def test_wechat_down_is_a_clear_502(app, client):
    app.config["WECHAT_API_BASE"] = "http://127.0.0.1:9/"
    app.extensions.pop("wechat", None)
    response = client.post("/api/v1/auth/wx-login", json={"code": "someone.x"})
    assert response.status_code == 502
    assert response.get_json()["error"]["code"] == "wechat_unavailable"


def test_session_expiry_and_logout(client, clock):
    token = f.login_wx(client, "expiring")
    assert client.get("/api/v1/me", headers=f.bearer(token)).status_code == 200
    clock.shift(timedelta(days=31))
    expired = client.get("/api/v1/me", headers=f.bearer(token))
    assert expired.status_code == 401 and expired.get_json()["error"]["code"] == "token_expired"

    token = f.login_wx(client, "expiring")
    assert client.post("/api/v1/auth/logout", headers=f.bearer(token)).status_code == 204
    revoked = client.get("/api/v1/me", headers=f.bearer(token))
    assert revoked.status_code == 401 and revoked.get_json()["error"]["code"] == "invalid_token"


def test_missing_or_malformed_token(client):
    assert client.get("/api/v1/me").get_json()["error"]["code"] == "unauthenticated"
    for header in ("Bearer", "Basic abc", "Bearer not-a-token"):
        response = client.get("/api/v1/me", headers={"Authorization": header})
        assert response.status_code == 401


def test_console_login_and_rate_limit(app, client):
    account = f.township_staff(Role.TOWNSHIP_DISPATCHER, f.township())
    token = f.login_console(client, account)
    me = client.get("/api/v1/me", headers=f.bearer(token)).get_json()
    assert me["kind"] == "console" and me["roles"][0]["role"] == "township_dispatcher"

    limit = app.config["LOGIN_MAX_FAILURES"]
    for _ in range(limit):
        wrong = client.post(
            "/api/v1/auth/console-login", json={"username": account.username, "password": "wrong-password"}
        )
        assert wrong.status_code == 401 and wrong.get_json()["error"]["code"] == "bad_credentials"
    blocked = client.post("/api/v1/auth/console-login", json={"username": account.username, "password": f.PASSWORD})
    assert blocked.status_code == 429
    assert blocked.get_json()["error"]["code"] == "rate_limited"
    assert int(blocked.headers["Retry-After"]) > 0


def test_unknown_username_answers_like_a_wrong_password(client):
    response = client.post("/api/v1/auth/console-login", json={"username": "nobody", "password": "x"})
    assert response.status_code == 401 and response.get_json()["error"]["code"] == "bad_credentials"


def test_console_only_endpoint_refuses_a_wechat_session(client):
    token = f.login_wx(client, "villager-x")
    response = client.post(
        "/api/v1/invitations",
        headers=f.bearer(token),
        json={"role": "village_director", "holder_name": "张三", "village_id": 1},
    )
    assert response.status_code == 403 and response.get_json()["error"]["code"] == "wrong_account_kind"
