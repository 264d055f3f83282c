"""One error shape for every failure, and no 500 for any bad input on any endpoint."""

from __future__ import annotations

import re

import pytest

from app.models import Role
from tests import factories as f
from tests.helpers.errors import assert_error_shape


def test_bad_json(client):
    response = client.post("/api/v1/auth/wx-login", data="{not json", content_type="application/json")
    assert_error_shape(response, 400, "invalid_json")


def test_json_that_is_not_an_object(client):
    response = client.post("/api/v1/auth/wx-login", json=["code"])
    assert_error_shape(response, 400, "invalid_json")


def test_missing_field_wrong_type_and_unknown_field(client):
    missing = assert_error_shape(client.post("/api/v1/auth/wx-login", json={}), 422, "validation_error")
    assert missing["fields"] == {"code": ["必填"]}
    wrong = assert_error_shape(client.post("/api/v1/auth/wx-login", json={"code": 12}), 422)
    assert wrong["fields"] == {"code": ["应为文本"]}
    unknown = assert_error_shape(client.post("/api/v1/auth/wx-login", json={"code": "a", "x": 1}), 422)
    assert unknown["fields"] == {"x": ["不支持的字段"]}
    too_long = assert_error_shape(client.post("/api/v1/auth/wx-login", json={"code": "a" * 500}), 422)
    assert too_long["fields"]["code"] == ["长度应在 1 到 128 之间"]


def test_oversized_body(client):
    response = client.post("/api/v1/auth/wx-login", data="x" * (2 * 1024 * 1024), content_type="application/json")
    assert_error_shape(response, 413, "payload_too_large")


def test_unknown_route_and_wrong_method(client):
    assert_error_shape(client.get("/api/v1/nothing-here"), 404, "not_found")
    wrong = client.get("/api/v1/auth/wx-login")
    assert_error_shape(wrong, 405, "method_not_allowed")
    assert "POST" in wrong.headers["Allow"]


def test_bad_query_parameters(client):
    township = f.township()
    village = f.village(township)
    token = f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, township))
    response = client.get(
        f"/api/v1/villages/{village.id}/households?per_page=100000&page=0&grid_id=x", headers=f.bearer(token)
    )
    error = assert_error_shape(response, 422, "validation_error")
    assert error["fields"] == {
        "page": ["应在 1 到 100000 之间"],
        "per_page": ["应在 1 到 200 之间"],
        "grid_id": ["应为整数"],
    }
    unknown = client.get(f"/api/v1/villages/{village.id}/households?sort=evil", headers=f.bearer(token))
    assert assert_error_shape(unknown, 422)["fields"] == {"sort": ["不支持的字段"]}


def test_internal_errors_keep_the_shape(app, client):
    @app.get("/boom")
    def boom():
        raise RuntimeError("kaboom")

    response = client.get("/boom")
    error = assert_error_shape(response, 500, "internal_error")
    assert "kaboom" not in response.get_data(as_text=True)
    assert error["message"]


BAD_BODIES = [
    ("data", b"\xff\xfe\x00garbage", "application/json"),
    ("data", b"null", "application/json"),
    ("data", b"[1,2,3]", "application/json"),
    ("data", b'"a string"', "application/json"),
    ("data", b"1e999999", "application/json"),
    ("data", b'{"a":' * 5000, "application/json"),
    (
        "json",
        {
            "code": None,
            "username": [],
            "password": {},
            "token": 1.5,
            "role": "x" * 10000,
            "holder_name": "",
            "village_id": "abc",
            "township_id": -1,
            "reason": None,
        },
        None,
    ),
    ("json", {"village_id": 2**70, "page": 2**70}, None),
    ("data", b"code=abc", "application/x-www-form-urlencoded"),
]


@pytest.mark.parametrize("kind,payload,content_type", BAD_BODIES, ids=[f"body{i}" for i in range(len(BAD_BODIES))])
def test_no_endpoint_answers_500_to_bad_input(app, client, kind, payload, content_type):
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, f.township()))
    villager = f.login_wx(client, "any-villager")
    rules = [r for r in app.url_map.iter_rules() if r.rule.startswith("/api/v1")]
    assert rules
    for rule in rules:
        path = re.sub(r"<(?:\w+:)?\w+>", "1", rule.rule)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            for token in (None, villager, staff):
                headers = f.bearer(token) if token else {}
                kwargs = {"json": payload} if kind == "json" else {"data": payload, "content_type": content_type}
                if method == "GET":
                    response = client.get(path + "?page=abc&per_page=-1&grid_id=x&include_ended=maybe", headers=headers)
                else:
                    response = client.open(path, method=method, headers=headers, **kwargs)
                assert response.status_code < 500, (method, path, response.get_data(as_text=True)[:300])
                if response.status_code >= 400:
                    assert_error_shape(response)


def test_ids_beyond_the_database_range_are_not_found(client):
    token = f.login_wx(client, f.wx_user())
    for path in ("/api/v1/me/complaints/99999999999999999999", "/api/v1/complaint-photos/2147483648/image"):
        assert_error_shape(client.get(path, headers=f.bearer(token)), 404, "not_found")
