"""Complaints (监督一点通) over HTTP: lanes, conflict of interest, send back and re-dispatch, not solved
→ reopened, moderation hold, routing rules with history, and bad input."""

from __future__ import annotations

import secrets

from sqlalchemy import func, select

from app.domain import household_codes as hc
from app.domain.complaints.cases import ABOUT_ROLES
from app.domain.complaints.categories import CATEGORIES
from app.extensions import db
from app.models import Complaint, ComplaintEvent, RoutingRule
from tests import factories as f
from tests.helpers.complaints import file_complaint, inbox, inbox_ids


def test_each_lane_reaches_the_right_inbox(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    dispute = file_complaint(client, me, w["codes"][0]).get_json()
    funds = file_complaint(
        client, me, w["codes"][0], category="collective_assets", description="村集体厂房租金去年没有公开，去向不明。"
    ).get_json()
    fire = file_complaint(
        client, me, w["codes"][0], category="safety", description="村口加油站旁堆放易燃杂物。"
    ).get_json()
    assert dispute["handler"] == "村委会主任" and funds["handler"] == "镇纪委" and fire["handler"] == "镇四平台"
    tokens = {
        name: (f.login_wx if name in ("director", "liaison", "grid_worker") else f.login_console)(client, w[name])
        for name in ("director", "grid_worker", "liaison", "discipline", "dispatcher")
    }
    assert inbox_ids(client, tokens["director"]) == {dispute["id"]}
    assert inbox_ids(client, tokens["discipline"]) == {funds["id"]}
    assert inbox_ids(client, tokens["dispatcher"]) == {fire["id"]}
    assert inbox_ids(client, tokens["liaison"]) == {funds["id"]}  # copied on the discipline lane
    assert inbox_ids(client, tokens["grid_worker"]) == set()
    # the villager follows every step
    sign = client.post(f"/api/v1/complaints/{funds['id']}/sign", headers=f.bearer(tokens["discipline"]))
    assert sign.status_code == 200 and sign.get_json()["status"] == "signed"
    mine = client.get(f"/api/v1/me/complaints/{funds['id']}", headers=f.bearer(me)).get_json()
    assert [e["kind"] for e in mine["events"]] == ["filed", "signed"]
    assert mine["events"][1]["actor_label"] == "镇纪委"
    assert "internal_note" not in mine["events"][0]
    # the copy is read-only: the liaison cannot sign for it
    assert (
        client.post(
            f"/api/v1/complaints/{funds['id']}/reply", headers=f.bearer(tokens["liaison"]), json={"text": "我来答"}
        ).status_code
        == 404
    )


def test_complaint_about_the_village_head_bypasses_them_everywhere(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    about = file_complaint(
        client,
        me,
        w["codes"][0],
        category="dispute",
        about_role="village_director",
        description="村主任处理纠纷偏袒亲戚，请上级调查。",
    )
    assert about.status_code == 201, about.get_json()
    case = about.get_json()
    assert case["handler"] == "镇纪委"
    director = f.login_wx(client, w["director"])
    # no list, filter, count or detail reaches the director
    assert inbox(client, director) == {"items": [], "total": 0}
    assert inbox(client, director, status="assigned", village_id=w["village"].id)["total"] == 0
    assert client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(director)).status_code == 404
    assert client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(director)).status_code == 404
    discipline = f.login_console(client, w["discipline"])
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(discipline)).get_json()
    assert detail["about_role"] == "village_director" and "contact_name" not in detail  # anonymous
    # the dispatcher cannot send it down to the village either
    client.post(f"/api/v1/complaints/{case['id']}/send-back", headers=f.bearer(discipline), json={"reason": "转四平台"})
    dispatcher = f.login_console(client, w["dispatcher"])
    down = client.post(
        f"/api/v1/complaints/{case['id']}/redispatch",
        headers=f.bearer(dispatcher),
        json={"target": "village_role", "role": "village_secretary", "reason": "村里处理"},
    )
    assert down.status_code == 422 and down.get_json()["error"]["code"] == "conflict_of_interest"


def test_complaint_about_township_staff_goes_to_the_county(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client,
        me,
        w["codes"][0],
        category="cadre_conduct",
        about_role="township_discipline",
        description="镇纪委对举报一直不受理。",
    ).get_json()
    assert case["handler"] == "县纪委监委"
    for name in ("discipline", "leader", "dispatcher"):
        assert inbox(client, f.login_console(client, w[name]))["total"] == 0
    assert inbox_ids(client, f.login_console(client, w["county"])) == {case["id"]}


def test_send_back_then_redispatch_and_not_solved_reopens(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client, me, w["codes"][0], category="public_service", description="想办理老年证，不知道找谁。"
    ).get_json()
    assert case["handler"] == "网格员"
    grid = f.login_wx(client, w["grid_worker"])
    back = client.post(
        f"/api/v1/complaints/{case['id']}/send-back",
        headers=f.bearer(grid),
        json={"reason": "老年证归民政，不是网格事务"},
    )
    assert back.status_code == 200 and back.get_json()["status"] == "returned"
    assert inbox_ids(client, grid) == set()
    dispatcher = f.login_console(client, w["dispatcher"])
    assert inbox_ids(client, dispatcher) == {case["id"]}
    moved = client.post(
        f"/api/v1/complaints/{case['id']}/redispatch",
        headers=f.bearer(dispatcher),
        json={"target": "village_role", "role": "village_director", "reason": "由村委会代办"},
    )
    assert moved.status_code == 200 and moved.get_json()["handler"] == "村委会主任"
    director = f.login_wx(client, w["director"])
    client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(director))
    client.post(
        f"/api/v1/complaints/{case['id']}/reply", headers=f.bearer(director), json={"text": "已约周三上门代办。"}
    )
    reopened = client.post(
        f"/api/v1/me/complaints/{case['id']}/confirm",
        headers=f.bearer(me),
        json={"solved": False, "note": "周三没人来"},
    )
    assert reopened.get_json()["status"] == "assigned" and reopened.get_json()["reopen_count"] == 1
    assert (
        client.post(f"/api/v1/me/complaints/{case['id']}/rating", headers=f.bearer(me), json={"stars": 1}).status_code
        == 409
    )
    client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(director))
    client.post(f"/api/v1/complaints/{case['id']}/reply", headers=f.bearer(director), json={"text": "已办好。"})
    closed = client.post(f"/api/v1/me/complaints/{case['id']}/confirm", headers=f.bearer(me), json={"solved": True})
    assert closed.get_json()["status"] == "closed" and closed.get_json()["resolution"] == "solved"
    # a closed case's transitions are refused, nothing written
    events_before = db.session.scalar(select(func.count()).select_from(ComplaintEvent))
    for path, body in (("sign", None), ("reply", {"text": "再答"}), ("send-back", {"reason": "x"})):
        refused = client.post(f"/api/v1/complaints/{case['id']}/{path}", headers=f.bearer(director), json=body)
        assert refused.status_code == 409 and refused.get_json()["error"]["code"] == "invalid_transition"
    assert (
        client.post(
            f"/api/v1/me/complaints/{case['id']}/confirm", headers=f.bearer(me), json={"solved": False}
        ).status_code
        == 409
    )
    assert db.session.scalar(select(func.count()).select_from(ComplaintEvent)) == events_before
    assert (
        client.post(
            f"/api/v1/me/complaints/{case['id']}/rating",
            headers=f.bearer(me),
            json={"stars": 4, "comment": "第二次很快"},
        ).get_json()["rating"]
        == 4
    )
    # the village's public tracking list: resolved, without identities or the description
    public = client.get(f"/api/v1/h/{w['codes'][2]}/resolved-complaints").get_json()
    assert [p["reference"] for p in public] == [case["reference"]]
    assert not {"description", "contact_name", "household_id", "id"} & set(public[0])


def test_moderation_hold_and_risky_text(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    held = file_complaint(client, me, w["codes"][0], description="【审核】村里有人打牌，请管管。")
    assert held.status_code == 201 and held.get_json()["status"] == "held" and held.get_json()["held_for_review"]
    case = held.get_json()
    director = f.login_wx(client, w["director"])
    assert inbox(client, director)["total"] == 0  # not shown to the handler until cleared
    dispatcher = f.login_console(client, w["dispatcher"])
    assert inbox_ids(client, dispatcher) == {case["id"]}
    released = client.post(f"/api/v1/complaints/{case['id']}/release", headers=f.bearer(dispatcher))
    assert released.status_code == 200 and released.get_json()["status"] == "assigned"
    assert inbox_ids(client, director) == {case["id"]}
    risky = file_complaint(client, me, w["codes"][0], description="【违规】内容")
    assert risky.status_code == 422 and risky.get_json()["error"]["code"] == "content_refused"
    assert db.session.scalar(select(func.count()).select_from(Complaint)) == 1


def test_the_routing_table_shows_the_built_in_defaults_until_a_rule_replaces_them(client, complaint_world):
    w = complaint_world
    leader = f.bearer(f.login_console(client, w["leader"]))
    url = f"/api/v1/townships/{w['township'].id}/complaint-routes"
    table = client.get(url, headers=leader).get_json()
    assert [r["category"] for r in table] == list(CATEGORIES)  # one default per category, nothing saved
    assert all(r["default"] and r["in_force"] and r["id"] is None and r["created_at"] is None for r in table)
    by_category = {r["category"]: r for r in table}
    assert (by_category["dispute"]["target"], by_category["dispute"]["target_role"]) == (
        "village_role",
        "village_director",
    )
    assert (by_category["subsidies"]["target"], by_category["subsidies"]["copy_liaison"]) == (
        "township_discipline",
        True,
    )
    # a village's own rule leaves the township's default in force; a township-wide rule replaces it
    for village_id in (w["village"].id, None):
        body = {"category": "environment", "target": "village_role", "role": "village_director"}
        made = client.post(url, headers=leader, json={**body, "village_id": village_id})
        assert made.status_code == 201 and made.get_json()["default"] is False
    rows = [r for r in client.get(url, headers=leader).get_json() if r["category"] == "environment"]
    assert [(r["default"], r["village_id"], r["in_force"]) for r in rows] == [
        (True, None, False),
        (False, None, True),
        (False, w["village"].id, True),
    ]
    assert client.get(url, headers=f.bearer(f.login_console(client, w["discipline"]))).status_code == 404


def test_unheld_role_is_caught_by_the_township_and_rules_keep_history(client, complaint_world):
    w = complaint_world
    dispatcher = f.login_console(client, w["dispatcher"])
    url = f"/api/v1/townships/{w['township'].id}/complaint-routes"
    first = client.post(
        url,
        headers=f.bearer(dispatcher),
        json={"category": "hardship", "target": "village_role", "role": "village_bookkeeper"},
    )
    assert first.status_code == 201, first.get_json()
    second = client.post(
        url,
        headers=f.bearer(dispatcher),
        json={"category": "hardship", "target": "village_role", "role": "village_committee_member"},
    )
    assert second.status_code == 201
    table = client.get(url, headers=f.bearer(dispatcher)).get_json()
    history = [r for r in table if not r["default"]]
    assert [(r["target_role"], r["deactivated_at"] is None, r["in_force"]) for r in history] == [
        ("village_bookkeeper", False, False),
        ("village_committee_member", True, True),
    ]
    hardship_default = next(r for r in table if r["default"] and r["category"] == "hardship")
    assert (hardship_default["target_role"], hardship_default["in_force"]) == ("village_director", False)
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client, me, w["codes"][0], category="hardship", description="家里老人重病，申请临时救助。"
    ).get_json()
    assert case["handler"] == "镇四平台"  # nobody holds 委员 in this village: caught, never dropped
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(dispatcher)).get_json()
    assert detail["routing_fallback"] is True
    for bad, code in (
        ({"category": "nope", "target": "township_dispatch"}, "unknown_category"),
        ({"category": "other", "target": "mayor"}, "unknown_target"),
        ({"category": "other", "target": "village_role", "role": "township_leader"}, "unknown_role"),
        ({"category": "other", "target": "township_dispatch", "village_id": f.village().id}, "village_not_in_township"),
    ):
        db.session.commit()
        response = client.post(url, headers=f.bearer(dispatcher), json=bad)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == code, bad
    villager_try = client.post(url, headers=f.bearer(me), json={"category": "other", "target": "township_dispatch"})
    assert villager_try.status_code == 403
    assert db.session.scalar(select(func.count()).select_from(RoutingRule)) == 2


def test_bad_filings_and_replays(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    code = w["codes"][0]
    replay_id = secrets.token_hex(8)
    first = file_complaint(client, me, code, client_request_id=replay_id)
    again = file_complaint(client, me, code, client_request_id=replay_id)
    assert first.status_code == 201 and again.status_code == 201 and again.get_json()["id"] == first.get_json()["id"]
    reused = file_complaint(client, me, code, client_request_id=replay_id, description="另一件事情，请处理。")
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "request_id_reused"
    cases = [
        ({"category": "ufo"}, 422, "unknown_category"),
        ({"description": "短"}, 422, "validation_error"),
        ({"description": "长" * 1001}, 422, "validation_error"),
        ({"anonymous": False}, 422, "contact_name_required"),
        ({"about_role": "emperor"}, 422, "unknown_role"),
        ({"latitude": 123}, 422, "validation_error"),
        ({"contact_phone": "call me"}, 422, "validation_error"),
        ({"client_request_id": "x"}, 422, "validation_error"),
        ({"extra": 1}, 422, "validation_error"),
    ]
    for overrides, status, error in cases:
        response = file_complaint(client, me, code, **overrides)
        assert response.status_code == status and response.get_json()["error"]["code"] == error, overrides
    assert file_complaint(client, me, hc.new_code()).status_code == 404  # unknown door
    stranger = f.household()
    other_code = hc.ensure_codes([stranger])[stranger.id]
    db.session.commit()
    # a code of another village files for that village, never this one
    elsewhere = file_complaint(client, me, other_code).get_json()
    assert db.session.get(Complaint, elsewhere["id"]).village_id == stranger.village_id
    assert client.post(f"/api/v1/h/{code}/complaints", json={}).status_code == 401
    # nobody reads another villager's case
    neighbour = f.login_wx(client, w["neighbour"])
    assert client.get(f"/api/v1/me/complaints/{first.get_json()['id']}", headers=f.bearer(neighbour)).status_code == 404
    for _ in range(5):
        file_complaint(client, me, code)
    limited = file_complaint(client, me, code)
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"


def test_only_the_handling_office_sees_who_complained(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client,
        me,
        w["codes"][0],
        category="subsidies",
        anonymous=False,
        contact_name="王秀英",
        contact_phone="13800000000",
        description="低保名单里有村干部的亲戚。",
    ).get_json()
    discipline = f.login_console(client, w["discipline"])
    handled = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(discipline)).get_json()
    assert handled["contact_name"] == "王秀英" and handled["contact_phone"] == "13800000000"
    liaison = f.login_wx(client, w["liaison"])
    copied = inbox(client, liaison)["items"][0]
    assert copied["id"] == case["id"] and not {"contact_name", "contact_phone"} & set(copied)
    leader = f.login_console(client, w["leader"])
    monitored = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(leader)).get_json()
    assert monitored["id"] == case["id"] and not {"contact_name", "contact_phone"} & set(monitored)
    # a bad re-dispatch is a clear error, not a failure
    client.post(f"/api/v1/complaints/{case['id']}/send-back", headers=f.bearer(discipline), json={"reason": "转派"})
    dispatcher = f.login_console(client, w["dispatcher"])
    bad = client.post(
        f"/api/v1/complaints/{case['id']}/redispatch",
        headers=f.bearer(dispatcher),
        json={"target": "village_role", "role": "emperor", "reason": "x"},
    )
    assert bad.status_code == 422 and bad.get_json()["error"]["code"] == "unknown_role"
    events = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(dispatcher)).get_json()["events"]
    assert [(e["kind"], e["to_status"]) for e in events] == [("filed", "assigned"), ("returned", "returned")]


def test_filing_options_come_from_the_rules_the_filing_checks(client, complaint_world):
    options = client.get("/api/v1/complaint-options")  # public: the form shows before any login
    assert options.status_code == 200
    body = options.get_json()
    assert [lane["key"] for lane in body["lanes"]] == ["discipline", "service"]
    offered = {c["key"]: (lane["key"], c["name"]) for lane in body["lanes"] for c in lane["categories"]}
    assert offered == {key: (c.lane, c.name) for key, c in CATEGORIES.items()}
    assert body["lanes"][0]["name"] == "村务和干部监督"
    roles = [r["role"] for r in body["about_roles"]]
    assert set(roles) == {r.value for r in ABOUT_ROLES}  # what the filing accepts
    assert roles[0] == "village_secretary" and roles[-1] == "township_leader"  # village roles first
    assert {r["role"]: r["label"] for r in body["about_roles"]}["village_director"] == "村委会主任"
    me = f.login_wx(client, complaint_world["villager"])
    code = complaint_world["codes"][0]
    assert [
        file_complaint(client, me, code, about_role=role).status_code for role in (roles[0], roles[-1], "villager")
    ] == [201, 201, 422]
    # the limits are the ones the filing enforces
    assert body["description_min"] == 5 and body["description_max"] == 1000
    assert [
        file_complaint(client, me, code, description=text).status_code
        for text in (
            "长" * body["description_max"],
            "长" * (body["description_max"] + 1),
            "短" * (body["description_min"] - 1),
        )
    ] == [201, 422, 422]


def test_officer_views_say_whether_the_caller_handles_the_case(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client,
        me,
        w["codes"][0],
        category="seal_use",
        anonymous=False,
        contact_name="李大伯",
        description="村里公章被私人借走盖章。",
    ).get_json()
    discipline = f.login_console(client, w["discipline"])
    liaison = f.login_wx(client, w["liaison"])
    assert inbox(client, discipline)["items"][0]["handling"] is True
    assert inbox(client, liaison)["items"][0]["handling"] is False  # a copy: read only
    signed = client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(discipline)).get_json()
    assert signed["handling"] is True and signed["contact_name"] == "李大伯"
    back = client.post(
        f"/api/v1/complaints/{case['id']}/send-back", headers=f.bearer(discipline), json={"reason": "属于便民服务"}
    ).get_json()
    # no longer theirs: neither the actions nor the complainant's name
    assert back["status"] == "returned" and back["handling"] is False and "contact_name" not in back
    dispatcher = f.login_console(client, w["dispatcher"])
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(dispatcher)).get_json()
    assert detail["handling"] is True and detail["contact_name"] == "李大伯"
