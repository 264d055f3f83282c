"""The four-platform connector (基层治理四平台) over HTTP: township administrators configure it (the secret
never shown back), the platform posts signed status updates (refused when unsigned, stale, replayed,
or about a case that is not its own) and the villager follows them; anonymous complainants never
leave Mingjing."""

from __future__ import annotations

import json
from urllib.parse import urlsplit

from sqlalchemy import func, select

from app.clock import utcnow
from app.extensions import db
from app.fourplatform import signing
from app.models import ComplaintEvent, PlatformConfig, Role
from tests import factories as f
from tests.connector import deliveries, file_case, run_worker, township_with_platform


def _config_url(w) -> str:
    return f"/api/v1/townships/{w['township'].id}/platform"


def _put(client, w, token=None, **body):
    return client.put(_config_url(w), headers=f.bearer(token or w["leader_token"]), json=body)


def _signed(client, township_id: int, body: dict | bytes, *, secret: str, at: float | None = None):
    """POST a status update the way the platform does: raw body, timestamp and signature headers."""
    data = body if isinstance(body, bytes) else json.dumps(body, ensure_ascii=False).encode()
    headers = signing.signed_headers(secret, data, now=utcnow().timestamp() if at is None else at)
    return client.post(f"/api/v1/townships/{township_id}/platform/updates", data=data, headers=headers)


def _events() -> int:
    return db.session.scalar(select(func.count()).select_from(ComplaintEvent))


def _code(response) -> tuple[int, str]:
    return response.status_code, response.get_json()["error"]["code"]


# ---- configuration ----


def test_configuration_keeps_the_secret_to_itself_and_its_history(client, four_platform, clock):
    w = township_with_platform(client, four_platform, enabled=False)
    url = _config_url(w)
    shown = client.get(url, headers=f.bearer(w["dispatcher_token"]))
    assert shown.status_code == 200
    assert four_platform.SECRET not in shown.get_data(as_text=True)
    view = shown.get_json()
    assert view["inbound_url"] == f"https://mj.test/api/v1/townships/{w['township'].id}/platform/updates"
    assert view["current"]["secret_set"] is True and view["current"]["enabled"] is False
    assert view["current"]["secret_changed_at"] == "2026-03-02T09:00:00+08:00"
    assert "secret" not in view["current"]

    clock.shift(3600)
    moved = _put(client, w, endpoint_url="https://sipingtai.example.gov.cn/api/cases", enabled=True)
    assert moved.status_code == 200, moved.get_json()
    current, older = moved.get_json()["history"]
    assert moved.get_json()["current"] == current
    assert current["secret_set"] is True and current["secret_changed_at"] == "2026-03-02T09:00:00+08:00"  # kept
    assert current["endpoint_url"] == "https://sipingtai.example.gov.cn/api/cases" and current["enabled"] is True
    assert older["replaced_at"] == "2026-03-02T10:00:00+08:00" and older["secret_set"] is False
    assert current["created_by_console_account_id"] == w["leader"].id

    clock.shift(60)
    rotated = _put(client, w, endpoint_url=four_platform.cases_url, secret="another-secret-of-16+", enabled=True)
    assert rotated.status_code == 200
    assert rotated.get_json()["current"]["secret_changed_at"] == "2026-03-02T10:01:00+08:00"
    assert "another-secret-of-16+" not in rotated.get_data(as_text=True)
    # only the live configuration keeps a secret at all
    assert db.session.scalars(select(PlatformConfig.secret).order_by(PlatformConfig.id)).all() == [
        None,
        None,
        "another-secret-of-16+",
    ]


def test_configuration_refuses_bad_input_with_clear_messages(client, four_platform):
    w = township_with_platform(client, four_platform, enabled=False)
    for bad, message in (
        ("ftp://sipingtai.example.gov.cn/cases", "地址须以 http:// 或 https:// 开头"),
        ("sipingtai.example.gov.cn/cases", "地址须以 http:// 或 https:// 开头"),
        ("javascript:alert(1)", "地址须以 http:// 或 https:// 开头"),
        ("https://", "地址缺少主机名"),
        ("https://user:pw@sipingtai.example.gov.cn/", "地址中不能包含用户名或密码，请把凭据填在共享密钥中"),
        ("https://sipingtai.example.gov.cn:99999/", "端口号不正确"),
        ("https://sipingtai.example.gov.cn/a b", "地址中不能有空格"),
        ("https://sipingtai.example.gov.cn/#x", "地址中不能有 # 片段"),
        ("https://x.cn/" + "a" * 500, "地址过长（最多 500 个字符）"),
        ("", "请填写四平台接收地址"),
    ):
        refused = _put(client, w, endpoint_url=bad, enabled=True)
        assert _code(refused) == (422, "platform_url_invalid"), bad
        assert refused.get_json()["error"]["fields"] == {"endpoint_url": [message]}
    for body, code in (
        ({"endpoint_url": None, "enabled": True}, "platform_url_required"),
        ({"endpoint_url": four_platform.cases_url, "secret": "short", "enabled": True}, "platform_secret_invalid"),
        (
            {"endpoint_url": four_platform.cases_url, "secret": "含中文的密钥含中文的密钥含中文的", "enabled": True},
            "platform_secret_invalid",
        ),
        ({"endpoint_url": four_platform.cases_url, "enabled": "maybe"}, "validation_error"),
        ({"endpoint_url": four_platform.cases_url, "enabled": True, "colour": "red"}, "validation_error"),
    ):
        assert _code(_put(client, w, **body)) == (422, code), body
    assert len(client.get(_config_url(w), headers=f.bearer(w["leader_token"])).get_json()["history"]) == 1

    # a township without any secret cannot be enabled
    other = f.village().township
    leader = f.township_staff(Role.TOWNSHIP_LEADER, other)
    token = f.login_console(client, leader)
    refused = client.put(
        f"/api/v1/townships/{other.id}/platform",
        headers=f.bearer(token),
        json={"endpoint_url": four_platform.cases_url, "enabled": True},
    )
    assert _code(refused) == (422, "platform_secret_required")
    # administrators of one township see nothing of another's; other offices and villagers neither
    assert client.get(_config_url(w), headers=f.bearer(token)).status_code == 404
    assert client.get(_config_url(w) + "/deliveries", headers=f.bearer(token)).status_code == 404
    discipline = f.login_console(client, w["discipline"])
    assert client.get(_config_url(w), headers=f.bearer(discipline)).status_code == 404
    assert _code(client.get(_config_url(w), headers=f.bearer(w["me"]))) == (403, "wrong_account_kind")


# ---- what leaves Mingjing ----


def _keys(document) -> set[str]:
    if isinstance(document, dict):
        return set(document) | {k for v in document.values() for k in _keys(v)}
    if isinstance(document, list):
        return {k for v in document for k in _keys(v)}
    return set()


def test_an_anonymous_complainant_never_leaves_mingjing(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    home = w["homes"][0]
    file_case(client, w, latitude=30.271234, longitude=120.153456)
    file_case(
        client,
        w,
        anonymous=False,
        contact_name="王秀英",
        contact_phone="13800001111",
        description="我家门口的消防通道被货车堵了一个月。",
    )
    run_worker()
    anonymous, real_name = four_platform.receipts()
    assert anonymous["body"]["complainant"] == {"anonymous": True}
    assert not {
        "household",
        "household_id",
        "user",
        "user_id",
        "openid",
        "latitude",
        "longitude",
        "phone",
        "address",
        "contact_name",
        "contact_phone",
    } & _keys(anonymous["body"])
    for secret in (w["villager"].openid, home.address, home.head_name, "30.271234", "120.153456"):
        assert secret not in anonymous["raw"]
    assert anonymous["body"]["case"]["village"] == {"code": w["village"].code, "name": w["village"].name}
    # a real-name complainant agreed to be contacted by the handling office, which the platform is
    assert real_name["body"]["complainant"] == {
        "anonymous": False,
        "name": "王秀英",
        "phone": "13800001111",
        "latitude": None,
        "longitude": None,
    }
    assert w["villager"].openid not in real_name["raw"] and home.address not in real_name["raw"]


def test_a_case_about_a_cadre_is_never_delivered(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    case = file_case(
        client, w, category="dispute", about_role="village_director", description="村主任处理纠纷偏袒亲戚，请上级调查。"
    )
    discipline = f.login_console(client, w["discipline"])
    back = client.post(
        f"/api/v1/complaints/{case['id']}/send-back", headers=f.bearer(discipline), json={"reason": "请四平台协调"}
    )
    assert back.status_code == 200 and back.get_json()["status"] == "returned"
    assert deliveries(client, w) == []  # it stays in the township's own inbox, under the conflict-of-interest rule
    # and the platform cannot act on it even if it learnt the reference
    refused = _signed(
        client, w["township"].id, {"case": case["reference"], "status": "signed"}, secret=four_platform.SECRET
    )
    assert _code(refused) == (409, "case_not_with_platform")


# ---- inbound status updates ----


def _inbound(live_url: str, w) -> str:
    return live_url + urlsplit(w["inbound_url"]).path


def test_the_platform_signs_for_and_replies_and_the_villager_reads_it(client, four_platform, live_url, clock):
    w = township_with_platform(client, four_platform)
    four_platform.callback(_inbound(live_url, w))
    case = file_case(client, w)
    run_worker()
    [receipt] = four_platform.receipts()

    acknowledged = four_platform.update(case=case["reference"], status="acknowledged", delivery=receipt["key"])
    assert acknowledged == {
        "status": 200,
        "body": {
            "case": case["reference"],
            "status": "assigned",
            "delivery": {"key": receipt["key"], "state": "acknowledged"},
        },
    }
    signed = four_platform.update(case=case["reference"], status="signed")
    assert signed["status"] == 200 and signed["body"]["status"] == "signed"
    clock.shift(3600)
    text = "已联系加油站负责人，杂物今天下午清理完毕，请您查看。"
    replied = four_platform.update(case=case["reference"], status="replied", text=text)
    assert replied["status"] == 200 and replied["body"]["status"] == "replied"

    db.session.expire_all()
    mine = client.get(f"/api/v1/me/complaints/{case['id']}", headers=f.bearer(w["me"])).get_json()
    assert [(e["kind"], e["actor_label"], e["public_note"]) for e in mine["events"]] == [
        ("filed", "村民", "已提交，转镇四平台办理"),
        ("signed", "镇四平台", "镇四平台已签收"),
        ("replied", "镇四平台", text),
    ]
    assert mine["status"] == "replied"
    [delivery] = deliveries(client, w)
    assert delivery["state"] == "acknowledged" and delivery["acknowledged_at"] == "2026-03-02T09:00:00+08:00"

    # not solved: the case reopens on the dispatch desk and goes to the platform again
    reopened = client.post(
        f"/api/v1/me/complaints/{case['id']}/confirm",
        headers=f.bearer(w["me"]),
        json={"solved": False, "note": "杂物只清了一半"},
    )
    assert reopened.get_json()["status"] == "assigned"
    run_worker()
    assert [r["body"]["event"]["kind"] for r in four_platform.receipts()] == ["filed", "reopened"]
    assert four_platform.receipts()[1]["body"]["event"]["note"] == "杂物只清了一半"
    assert four_platform.update(case=case["reference"], status="signed")["status"] == 200


def test_a_return_by_the_platform_goes_to_the_township_inbox_not_back(client, four_platform, live_url, clock):
    w = township_with_platform(client, four_platform)
    four_platform.callback(_inbound(live_url, w))
    case = file_case(client, w)
    run_worker()
    returned = four_platform.update(case=case["reference"], status="returned", reason="属市场监管条线，非本平台受理")
    assert returned["status"] == 200 and returned["body"]["status"] == "returned"
    assert returned["body"]["delivery"]["state"] == "acknowledged"  # working the case says it arrived
    db.session.expire_all()
    run_worker()
    assert len(four_platform.receipts()) == 1 and len(deliveries(client, w)) == 1  # not bounced back
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(w["dispatcher_token"])).get_json()
    assert detail["status"] == "returned"
    assert detail["events"][-1]["internal_note"] == "属市场监管条线，非本平台受理"
    # a person re-dispatches it; to the platform again is a new delivery
    again = client.post(
        f"/api/v1/complaints/{case['id']}/redispatch",
        headers=f.bearer(w["dispatcher_token"]),
        json={"target": "township_dispatch", "reason": "已与市场监管所沟通，由四平台统筹"},
    )
    assert again.status_code == 200
    run_worker()
    assert [r["body"]["event"]["kind"] for r in four_platform.receipts()] == ["filed", "redispatched"]


def test_unsigned_stale_replayed_or_foreign_updates_are_refused_and_write_nothing(client, four_platform, clock):
    w = township_with_platform(client, four_platform)
    case = file_case(client, w)
    run_worker()
    township_id, secret = w["township"].id, four_platform.SECRET
    sign = {"case": case["reference"], "status": "signed"}
    before = _events()

    assert _code(_signed(client, township_id, sign, secret="not-the-township-secret")) == (
        401,
        "platform_signature_invalid",
    )
    unsigned = client.post(f"/api/v1/townships/{township_id}/platform/updates", json=sign)
    assert _code(unsigned) == (401, "platform_signature_missing")
    tampered = json.dumps(sign).encode()
    headers = signing.signed_headers(secret, tampered, now=utcnow().timestamp())
    forged = client.post(
        f"/api/v1/townships/{township_id}/platform/updates",
        headers=headers,
        data=tampered.replace(b"signed", b"replied"),
    )
    assert _code(forged) == (401, "platform_signature_invalid")
    now = utcnow().timestamp()
    for skew in (-301, 301):  # outside the five-minute window either way
        assert _code(_signed(client, township_id, sign, secret=secret, at=now + skew)) == (
            401,
            "platform_timestamp_stale",
        )
    unconfigured = f.village().township
    assert _code(_signed(client, unconfigured.id, sign, secret=secret)) == (401, "platform_not_configured")
    # bad content, properly signed
    assert _code(_signed(client, township_id, b"not json", secret=secret)) == (400, "invalid_json")
    assert _code(_signed(client, township_id, {"case": case["reference"], "status": "closed"}, secret=secret)) == (
        422,
        "validation_error",
    )
    assert _code(
        _signed(client, township_id, {"case": "TS-20260302-0000000000", "status": "signed"}, secret=secret)
    ) == (404, "case_not_found")
    assert _code(_signed(client, township_id, {"case": case["reference"], "status": "replied"}, secret=secret)) == (
        422,
        "text_required",
    )
    assert _code(
        _signed(client, township_id, {"case": case["reference"], "status": "replied", "text": "已处理"}, secret=secret)
    ) == (409, "invalid_transition")  # not signed for yet
    assert _code(
        _signed(
            client,
            township_id,
            {"case": case["reference"], "status": "acknowledged", "delivery": "f" * 32},
            secret=secret,
        )
    ) == (404, "delivery_not_found")
    # a case of another township, reported with this township's valid signature
    other = township_with_platform(client, four_platform)
    foreign = file_case(client, other)
    assert _code(_signed(client, township_id, {"case": foreign["reference"], "status": "signed"}, secret=secret)) == (
        403,
        "case_of_other_township",
    )
    assert _events() == before + 1  # only the other township's filing

    # a replay of an accepted update is refused; a failed one may be sent again as it was
    at = utcnow().timestamp()
    assert _signed(client, township_id, sign, secret=secret, at=at).status_code == 200
    assert _code(_signed(client, township_id, sign, secret=secret, at=at)) == (409, "platform_update_replayed")
    failed = {"case": case["reference"], "status": "returned"}
    assert _code(_signed(client, township_id, failed, secret=secret, at=at)) == (422, "reason_required")
    assert _code(_signed(client, township_id, failed, secret=secret, at=at)) == (422, "reason_required")
    assert _events() == before + 2

    # a township that switched its platform off takes no more updates from it
    _put(client, w, endpoint_url=four_platform.cases_url, enabled=False)
    refused = _signed(
        client, township_id, {"case": case["reference"], "status": "replied", "text": "已处理"}, secret=secret
    )
    assert _code(refused) == (403, "platform_disabled")
    assert _events() == before + 2
