"""GET /h/<code> for any camera, its JSON twin for the mini-program, and binding a villager."""

from __future__ import annotations

from unittest import mock

from sqlalchemy.exc import OperationalError

from app.domain import household_codes as hc
from app.extensions import db
from app.models import Role
from tests import factories as f


def _home_with_code():
    home = f.household()
    code = hc.ensure_codes([home])[home.id]
    db.session.commit()
    return home, code


def test_landing_page_shows_the_village_not_the_head_of_household(client):
    home, code = _home_with_code()
    page = client.get(f"/h/{code}")
    assert page.status_code == 200 and page.mimetype == "text/html"
    text = page.get_data(as_text=True)
    assert home.village.name in text and home.village.township.name in text
    assert home.head_name not in text  # the page is public
    assert "微信" in text and hc.grouped(code) in text


def test_revoked_and_unknown_codes_look_the_same(client):
    home, code = _home_with_code()
    hc.revoke(home, "遗失")
    db.session.commit()
    revoked = client.get(f"/h/{code}")
    unknown = client.get(f"/h/{hc.new_code()}")
    garbage = client.get("/h/%3Cscript%3E")
    assert revoked.status_code == unknown.status_code == garbage.status_code == 404
    assert unknown.get_data() == garbage.get_data()  # a revoked one also names its township's phone
    assert "此二维码已作废或不存在，请联系村委会" in revoked.get_data(as_text=True)

    api_revoked = client.get(f"/api/v1/h/{code}")
    api_unknown = client.get(f"/api/v1/h/{hc.new_code()}")
    assert api_revoked.status_code == api_unknown.status_code == 404
    assert api_revoked.get_json() == api_unknown.get_json()
    assert api_revoked.get_json()["error"]["code"] == "household_code_void"


def test_wechat_verification_file_is_served_under_the_prefix(app, client, tmp_path):
    folder = tmp_path / "instance"
    (folder / "wechat-verify").mkdir(parents=True)
    (folder / "wechat-verify" / "Ab12Cd34.txt").write_text("4f5e6d")
    app.instance_path = str(folder)
    response = client.get("/h/Ab12Cd34.txt")
    assert response.status_code == 200 and response.get_data(as_text=True) == "4f5e6d"
    assert client.get("/h/Missing99.txt").status_code == 404


def test_api_landing_and_binding(client):
    home, code = _home_with_code()
    landing = client.get(f"/api/v1/h/{hc.grouped(code).lower()}")
    assert landing.status_code == 200
    body = landing.get_json()
    assert body["village"]["name"] == home.village.name and body["household"]["number"] == home.number
    assert "head_name" not in body["household"] and "address" not in body["household"]

    token = f.login_wx(client, "door-scanner")
    bound = client.post(f"/api/v1/h/{code}/bind", headers=f.bearer(token))
    assert bound.status_code == 201 and bound.get_json()["household_id"] == home.id
    again = client.post(f"/api/v1/h/{code}/bind", headers=f.bearer(token))
    assert again.get_json()["id"] == bound.get_json()["id"]  # no second term
    me = client.get("/api/v1/me", headers=f.bearer(token)).get_json()
    assert [r["role"] for r in me["roles"]] == ["villager"]
    assert client.get(f"/api/v1/households/{home.id}", headers=f.bearer(token)).status_code == 200

    other_home, other_code = _home_with_code()
    client.post(f"/api/v1/h/{other_code}/bind", headers=f.bearer(token))
    roles = client.get("/api/v1/me", headers=f.bearer(token)).get_json()["roles"]
    assert [r["household_id"] for r in roles] == [other_home.id]  # moved: one household at a time
    assert client.post("/api/v1/h/NOTACODE/bind", headers=f.bearer(token)).status_code == 404
    assert client.post(f"/api/v1/h/{code}/bind").status_code == 401


def test_township_staff_reissue_and_revoke_within_their_township(client):
    township = f.township()
    home = f.household(f.village(township))
    outside = f.household()
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, township))
    first = client.post(
        f"/api/v1/households/{home.id}/code/reissue", headers=f.bearer(staff), json={"reason": "首次发放"}
    )
    assert first.status_code == 201
    first_code = first.get_json()["code"]
    assert first.get_json()["url"] == f"https://mj.test/h/{first_code.replace('-', '')}"
    second = client.post(
        f"/api/v1/households/{home.id}/code/reissue", headers=f.bearer(staff), json={"reason": "门牌损毁"}
    ).get_json()["code"]
    assert client.get(f"/h/{first_code}").status_code == 404
    assert client.get(f"/h/{second}").status_code == 200
    revoked = client.post(
        f"/api/v1/households/{home.id}/code/revoke", headers=f.bearer(staff), json={"reason": "住户迁出"}
    )
    assert revoked.status_code == 200 and revoked.get_json()["revoked_at"]
    assert client.get(f"/h/{second}").status_code == 404
    none_left = client.post(
        f"/api/v1/households/{home.id}/code/revoke", headers=f.bearer(staff), json={"reason": "再次"}
    )
    assert none_left.status_code == 409 and none_left.get_json()["error"]["code"] == "no_active_code"
    assert (
        client.post(
            f"/api/v1/households/{outside.id}/code/reissue", headers=f.bearer(staff), json={"reason": "越权"}
        ).status_code
        == 404
    )


def test_the_landing_fast_path_answers_as_the_route_does_and_hands_everything_else_to_the_app(app, client):
    """GET /api/v1/h/<code> is answered ahead of Flask's dispatch (DoorLandingFastPath); the route
    behind it gives the same bytes, and void codes, query strings and outages go through the app."""
    from app.api.stickers import DoorLandingFastPath, household_landing

    assert isinstance(app.wsgi_app, DoorLandingFastPath)
    _home, code = _home_with_code()
    fast = client.get(f"/api/v1/h/{code}")
    with app.test_request_context():
        slow = household_landing(code=code)
    assert fast.status_code == 200 and fast.mimetype == "application/json"
    assert fast.data == slow.get_data()
    # a query string or a void code: the app's route, with the one error shape
    assert client.get(f"/api/v1/h/{code}?x=1").get_json() == fast.get_json()
    void = client.get("/api/v1/h/NOTACODE")
    assert void.status_code == 404 and void.get_json()["error"]["code"] == "household_code_void"

    # the database unreachable (its driver refusing, as when the server is down): the fast path steps
    # aside and the app answers 503 in its shape, never 500
    def refuse(*args, **kwargs):
        raise OperationalError("SELECT", {}, ConnectionRefusedError("connection refused"))

    with mock.patch("app.domain.household_codes.read_one", side_effect=refuse):
        down = client.get(f"/api/v1/h/{code}")
    assert down.status_code == 503 and down.get_json()["error"]["code"] == "service_unavailable"
