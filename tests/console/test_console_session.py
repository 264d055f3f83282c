"""Logging in and out of the console (the API's login and lockout), its cookie, CSRF on every
state-changing request, the one error page, and the API untouched by the console's cookie."""

from __future__ import annotations

from http.cookies import SimpleCookie

import pytest

from app.extensions import db
from app.models import Complaint
from tests import factories as f
from tests.helpers.console import csrf_token, fresh_request_globals


def _get(client, path, **kw):
    fresh_request_globals()
    return client.get(path, **kw)


def _post(client, path, data, **kw):
    fresh_request_globals()
    return client.post(path, data=data, **kw)


def _login_form(client, username, password, **kw):
    token = csrf_token(_get(client, "/console/login", **kw).get_data(as_text=True))
    data = {"username": username, "password": password, "csrf_token": token}
    return _post(client, "/console/login", data, **kw)


def _cookie(response) -> SimpleCookie:
    jar = SimpleCookie()
    jar.load(response.headers["Set-Cookie"])
    return jar


def test_root_and_admin_lead_to_the_console_and_the_board_to_the_login(client):
    for path in ("/", "/admin"):
        response = client.get(path)
        assert response.status_code == 302 and response.headers["Location"] == "/console/"
    response = _get(client, "/console/")
    assert response.status_code == 303 and response.headers["Location"] == "/console/login?next=/console/"
    page = _get(client, "/console/login")
    assert page.status_code == 200 and "工作台登录" in page.get_data(as_text=True)


def test_login_sets_an_httponly_lax_cookie_for_the_console_only(app, console_world):
    client = app.test_client()
    response = _login_form(client, "qingshan.dispatch", f.PASSWORD)
    assert response.status_code == 303 and response.headers["Location"] == "/console/"
    morsel = _cookie(response)["mingjing_console"]
    assert morsel["httponly"] and morsel["samesite"] == "Lax" and morsel["path"] == "/console"
    assert not morsel["secure"]  # plain http (a developer's machine)
    board = _get(client, "/console/")
    assert board.status_code == 200 and "督办看板" in board.get_data(as_text=True)
    assert "Set-Cookie" not in client.get("/api/v1/complaint-options").headers  # no session outside the console


def test_the_cookie_is_secure_over_https(app, console_world):
    client = app.test_client()
    origin = "https://console.test"
    assert _login_form(client, "qingshan.dispatch", f.PASSWORD, base_url=origin).status_code == 400  # no Referer
    response = _login_form(
        client, "qingshan.dispatch", f.PASSWORD, base_url=origin, headers={"Referer": origin + "/console/login"}
    )
    assert response.status_code == 303  # over https, CSRF also wants the same origin's Referer (browsers send it)
    assert _cookie(response)["mingjing_console"]["secure"]


def test_login_goes_back_to_the_page_asked_for_but_never_elsewhere(app, console_world):
    cid = console_world.cases["overdue"]
    for asked, lands in (
        (f"/console/complaints/{cid}", f"/console/complaints/{cid}"),
        ("//evil.test/x", "/console/"),
        ("https://evil.test/", "/console/"),
    ):
        client = app.test_client()
        token = csrf_token(_get(client, "/console/login").get_data(as_text=True))
        response = _post(
            client,
            "/console/login",
            {"username": "qingshan.dispatch", "password": f.PASSWORD, "csrf_token": token, "next": asked},
        )
        assert response.headers["Location"] == lands, asked


def test_wrong_passwords_lock_the_account_as_in_the_api(app, client, console_world):
    browser = app.test_client()
    for _ in range(5):
        response = _login_form(browser, "qingshan.leader", "wrong-password")
        assert response.status_code == 401 and "用户名或密码错误" in response.get_data(as_text=True)
    locked = _login_form(browser, "qingshan.leader", f.PASSWORD)
    assert locked.status_code == 429 and "登录失败次数过多" in locked.get_data(as_text=True)
    api = client.post("/api/v1/auth/console-login", json={"username": "qingshan.leader", "password": f.PASSWORD})
    assert api.status_code == 429  # one lockout, whichever door was knocked on
    empty = _login_form(app.test_client(), "", "")
    assert empty.status_code == 422 and "请填写用户名和密码" in empty.get_data(as_text=True)


def test_logout_revokes_the_session_and_an_old_cookie_is_worthless(app, console_world, console_client):
    console = console_client("qingshan.dispatch")
    stolen = console.client.get_cookie("mingjing_console", path="/console").value
    response = console.post("/console/logout")
    assert response.status_code == 303 and response.headers["Location"] == "/console/login"
    replay = app.test_client()
    replay.set_cookie("mingjing_console", stolen, path="/console")
    fresh_request_globals()
    assert replay.get("/console/").status_code == 303  # the server revoked it: back to the login


def test_a_switched_off_account_is_signed_out(console_world, console_client):
    console = console_client("qingshan.dispatch")
    console_world.accounts["qingshan.dispatch"].is_active = False
    db.session.commit()
    assert console.get("/console/").status_code == 303


def test_every_post_without_its_csrf_token_is_refused_and_writes_nothing(app, console_world, console_client):
    console = console_client("qingshan.dispatch")
    cid = console_world.cases["overdue"]
    other = console_client("qingshan.leader")  # a valid token, of another session
    for token in (None, "", other.csrf, "forged"):
        data = {"target": "village_role", "role": "village_director", "reason": "村里处理"}
        if token is not None:
            data["csrf_token"] = token
        for path in (f"/console/complaints/{cid}/redispatch", f"/console/complaints/{cid}/sign", "/console/logout"):
            response = _post(console.client, path, data)
            assert response.status_code == 400, (path, token)
            assert 'data-code="csrf_failed"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Complaint, cid).version == 1 + 1  # filed, escalated: nothing since
    assert console.get("/console/").status_code == 200  # still logged in: the logout was refused too
    assert (
        _post(
            app.test_client(), "/console/login", {"username": "qingshan.dispatch", "password": f.PASSWORD}
        ).status_code
        == 400
    )


def test_the_api_ignores_the_console_cookie(app, console_world, console_client):
    """The API is exempt from CSRF because it reads only bearer tokens: a forged cross-site request
    carrying the console's cookie is unauthenticated there."""
    console = console_client("qingshan.dispatch")
    cookie = console.client.get_cookie("mingjing_console", path="/console").value
    cid = console_world.cases["overdue"]
    for method, path, body in (
        ("post", f"/api/v1/complaints/{cid}/sign", None),
        (
            "post",
            f"/api/v1/complaints/{cid}/redispatch",
            {"target": "village_role", "role": "village_director", "reason": "x"},
        ),
        ("get", f"/api/v1/complaints/{cid}", None),
    ):
        response = getattr(app.test_client(), method)(path, json=body, headers={"Cookie": f"mingjing_console={cookie}"})
        assert response.status_code == 401, path
        assert response.get_json()["error"]["code"] == "unauthenticated"


@pytest.mark.parametrize(
    "method,path,status,code",
    [
        ("get", "/console/no-such-page", 404, "not_found"),
        ("put", "/console/login", 405, "method_not_allowed"),
        ("get", "/console/complaints/2147483647", 404, "not_found"),
        ("get", "/console/?view=everything", 422, "validation_error"),
        ("post", "/console/complaints/{cid}/fly", 404, "not_found"),
    ],
)
def test_one_error_page_for_every_console_failure(console_world, console_client, method, path, status, code):
    console = console_client("qingshan.dispatch")
    path = path.format(cid=console_world.cases["overdue"])
    response = (
        console.get(path) if method == "get" else (console.post(path) if method == "post" else console.client.put(path))
    )
    assert response.status_code == status
    assert response.mimetype == "text/html"
    html = response.get_data(as_text=True)
    assert f'data-code="{code}"' in html and 'class="card error-page"' in html and "返回看板" in html


def test_console_pages_load_nothing_from_elsewhere(console_world, console_client):
    console = console_client("qingshan.dispatch")
    for path in ("/console/", f"/console/complaints/{console_world.cases['overdue']}", "/console/complaints"):
        response = console.get(path)
        csp = response.headers["Content-Security-Policy"]
        assert "default-src 'self'" in csp and "script-src 'self'" in csp and "http" not in csp
        assert response.headers["X-Frame-Options"] == "DENY" and response.headers["Cache-Control"] == "no-store"
        html = response.get_data(as_text=True)
        assert "http://" not in html and "https://" not in html and "//cdn" not in html


def test_the_api_still_answers_json(client):
    response = client.get("/api/v1/no-such-thing")
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "not_found"
