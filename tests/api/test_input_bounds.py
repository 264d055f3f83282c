"""The requests of issue 12 item 10 that answered 500 (or did far too much work), one by one over
HTTP; test_input_walk.py walks the whole class over the OpenAPI document."""

from __future__ import annotations

import json
import secrets
import time

import pytest

from app.clock import utcnow
from app.domain import household_codes as hc
from app.domain.disclosures import catalogue
from app.extensions import db
from app.fourplatform import signing
from app.models import Role
from app.wechat.push import sign
from tests import factories as f
from tests.connector import file_case, township_with_platform
from tests.helpers.errors import assert_error_shape


@pytest.fixture
def bounds_world(app, client):
    village = f.village()
    catalogue.ensure_default_catalogue(village.township)
    home = f.household(village)
    code = hc.ensure_codes([home])[home.id]
    villager = f.villager(home)
    leader = f.township_staff(Role.TOWNSHIP_LEADER, village.township)
    db.session.commit()
    return {
        "village": village,
        "code": code,
        "me": f.login_wx(client, villager),
        "leader": f.login_console(client, leader),
        "leader_account": leader,
    }


def _json(client, method: str, path: str, token: str | None, raw: str):
    """Send `raw` as the JSON body exactly (escapes such as \\ud800 and tokens such as 1e400 intact)."""
    return client.open(
        path,
        method=method,
        data=raw.encode(),
        content_type="application/json",
        headers=f.bearer(token) if token else {},
    )


def _fields(response, status: int = 422, code: str = "validation_error") -> dict:
    return assert_error_shape(response, status, code).get("fields", {})


def test_integers_beyond_the_database_range_in_query_strings_and_bodies(client, bounds_world):
    leader = f.bearer(bounds_world["leader"])
    village_id = bounds_world["village"].id
    assert _fields(client.get("/api/v1/complaints?village_id=2147483648", headers=leader)) == {
        "village_id": ["应在 -2147483648 到 2147483647 之间"]
    }
    assert "village_id" in _fields(client.get("/api/v1/complaints?village_id=-2147483649", headers=leader))
    assert "village_id" in _fields(client.get(f"/api/v1/monitoring/complaints?village_id={2**63}", headers=leader))
    assert "grid_id" in _fields(
        client.get(f"/api/v1/villages/{village_id}/households?grid_id=2147483648", headers=leader)
    )
    invitation = {"role": "village_secretary", "holder_name": "王五", "village_id": 2**31}
    assert "village_id" in _fields(client.post("/api/v1/invitations", headers=leader, json=invitation))
    assert _fields(
        _json(client, "POST", "/api/v1/sticker-sheets", bounds_world["leader"], '{"village_id": 1e400}')
    ) == {"village_id": ["数值超出范围"]}
    assert "household_ids" in _fields(
        client.post(
            "/api/v1/sticker-sheets", headers=leader, json={"village_id": village_id, "household_ids": [-(2**63)]}
        )
    )
    # the database's own bounds pass the schema and are nobody's row
    assert client.get("/api/v1/complaints?village_id=2147483647", headers=leader).status_code in (200, 404)


def test_nul_control_characters_and_lone_surrogates_are_refused_by_name(client, bounds_world):
    login = "/api/v1/auth/console-login"
    assert _fields(_json(client, "POST", login, None, '{"username": "qingshan\\u0000", "password": "x"}')) == {
        "username": ["不能包含换行、制表符等控制字符"]
    }
    assert _fields(_json(client, "POST", login, None, '{"username": "a", "password": "\\ud800"}')) == {
        "password": ["含有无效的字符编码"]
    }
    assert "code" in _fields(_json(client, "POST", "/api/v1/auth/wx-login", None, '{"code": "x\\udfff"}'))
    # an unknown field named with a lone surrogate is named back, printably
    assert _fields(_json(client, "POST", login, None, '{"username": "a", "password": "b", "\\ud800": 1}')) == {
        "\\ud800": ["不支持的字段"]
    }
    # nested and list items too
    leader = bounds_world["leader"]
    assert _fields(client.get("/api/v1/complaints?category=%00", headers=f.bearer(leader))) == {
        "category": ["不能包含换行、制表符等控制字符"]
    }

    file = f"/api/v1/h/{bounds_world['code']}/complaints"

    def complaint(**fields_):
        body = {
            "client_request_id": secrets.token_hex(8),
            "category": "dispute",
            "anonymous": True,
            "description": "邻居家的围墙占了公共通道，多次协商无果。",
            **fields_,
        }
        return client.post(
            file, headers=f.bearer(bounds_world["me"]), data=json.dumps(body), content_type="application/json"
        )

    assert _fields(complaint(description="围墙\u0000占了公共通道")) == {"description": ["不能包含控制字符"]}
    assert _fields(complaint(description="围墙\ud800占了公共通道")) == {"description": ["含有无效的字符编码"]}
    assert _fields(complaint(anonymous=False, contact_name="张\n三", contact_phone="13800000000")) == {
        "contact_name": ["不能包含换行、制表符等控制字符"]
    }
    # multi-line text keeps its line breaks
    filed = complaint(description="围墙占了公共通道。\r\n多次协商无果。\t请处理。")
    assert filed.status_code == 201, filed.get_json()
    assert filed.get_json()["description"] == "围墙占了公共通道。\r\n多次协商无果。\t请处理。"


def test_the_calendar_looks_back_at_most_five_years_and_not_ahead(client, clock, bounds_world):
    calendar = f"/api/v1/villages/{bounds_world['village'].id}/calendar"
    leader = f.bearer(bounds_world["leader"])  # today is 2026-03-02 in Shanghai
    for since in ("9999-12-31", "0001-01-01", "2021-02-28", "2026-03-03"):
        assert _fields(client.get(f"{calendar}?since={since}", headers=leader)) == {
            "since": ["应在 2021-03-01 到 2026-03-02 之间"]
        }, since
    started = time.monotonic()
    oldest = client.get(f"{calendar}?since=2021-03-01", headers=leader)
    assert oldest.status_code == 200 and len(oldest.get_json()) < 1000
    assert time.monotonic() - started < 2
    assert client.get(f"{calendar}?since=2026-03-02", headers=leader).status_code == 200


def test_text_in_paths_and_the_bearer_token(client, bounds_world):
    assert_error_shape(client.get("/api/v1/complaint-photos/wechat-fetch/%00"), 404, "not_found")
    assert_error_shape(client.get("/api/v1/complaint-photos/wechat-fetch/a%00b"), 404, "not_found")
    assert_error_shape(client.post("/api/v1/h/%00/bind", headers=f.bearer(bounds_world["me"])), 404, "not_found")
    assert client.get("/h/%00").status_code == 404
    for token in ("\u0000" * 8, "x" * 5000, "é" * 10):
        assert_error_shape(client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}), 401)
    # an id beyond int4 is 404 whatever the method, even where the path has a route for another one
    for method in ("GET", "POST"):
        response = client.open(
            "/api/v1/townships/2147483648/complaint-routes",
            method=method,
            headers=f.bearer(bounds_world["leader"]),
            json={},
        )
        assert_error_shape(response, 404, "not_found")


def _push(client, token: str, body: dict | str, **query):
    timestamp, nonce = query.pop("timestamp", str(int(time.time()))), secrets.token_hex(5)
    signed = {"signature": sign(token, timestamp, nonce), "timestamp": timestamp, "nonce": nonce, **query}
    return client.post(
        "/api/v1/wechat/push",
        query_string=signed,
        data=body if isinstance(body, str) else json.dumps(body),
        content_type="application/json",
    )


def test_wechat_push_with_odd_timestamps_or_unstorable_content(app, client):
    app.config["WECHAT_PUSH_AES_KEY"] = ""  # plaintext mode: the body is read as it comes
    token, appid = app.config["WECHAT_PUSH_TOKEN"], app.config["WECHAT_APPID"]
    event = {"MsgType": "event", "Event": "wxa_media_check", "appid": appid, "trace_id": "t", "result": {}}
    for timestamp in ("²", "9" * 5000, "1e3", " 1"):
        assert_error_shape(_push(client, token, event, timestamp=timestamp), 403, "push_stale")
    for bad in ({"trace_id": "trace\u0000"}, {"trace_id": "\ud800"}, {"\u0000": 1}):
        assert_error_shape(_push(client, token, {**event, **bad}), 400, "push_malformed")
    raw = json.dumps(event)[:-1] + ', "label": 1e400}'
    assert_error_shape(_push(client, token, raw), 400, "push_malformed")
    raw = json.dumps(event)[:-1] + ', "label": NaN}'
    assert_error_shape(_push(client, token, raw), 400, "push_malformed")


def test_platform_update_with_text_the_database_cannot_store(client, four_platform):
    w = township_with_platform(client, four_platform)
    case = file_case(client, w)
    for bad in (
        {"case": "\u0000"},
        {"case": "\ud800"},
        {"delivery": "key\u0000"},
        {"status": "replied", "text": "已处理\u0000"},
    ):
        data = json.dumps({"case": case["reference"], "status": "signed", **bad}).encode()
        headers = signing.signed_headers(four_platform.SECRET, data, now=utcnow().timestamp())
        response = client.post(f"/api/v1/townships/{w['township'].id}/platform/updates", data=data, headers=headers)
        assert set(_fields(response)) == set(bad) - {"status"}, bad
