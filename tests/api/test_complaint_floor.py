"""A case about a cadre goes one level up and no later step brings it back down: not a send-back (退单)
from the county to the township, not a transfer or a re-dispatch to the village (domain.md). The rule is
one table in the domain (cases.may_hold), checked where every step's columns are planned."""

from __future__ import annotations

import pytest

from app.domain.authz import Actor, load_grants
from app.domain.complaints import cases
from app.domain.complaints.routing import COUNTY, TOWNSHIP_DISCIPLINE, TOWNSHIP_DISPATCH, VILLAGE_ROLE
from app.extensions import db
from app.models import Complaint
from tests import factories as f
from tests.helpers.complaints import file_complaint, inbox


@pytest.mark.parametrize(
    ("about_level", "allowed"),
    [
        (None, {VILLAGE_ROLE, TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE, COUNTY}),
        ("village", {TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE, COUNTY}),
        ("township", {COUNTY}),
    ],
)
def test_the_offices_that_may_hold_a_case_by_whom_it_is_about(about_level, allowed):
    case = Complaint(about_level=about_level)
    offices = {VILLAGE_ROLE, TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE, COUNTY}
    assert {kind for kind in offices if cases.may_hold(case, kind)} == allowed


def _about_township_staff(client, w) -> dict:
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client,
        me,
        w["codes"][0],
        category="cadre_conduct",
        about_role="township_dispatcher",
        description="镇四平台调度员办事拖拉，反映多次无人理睬。",
    ).get_json()
    assert case["handler"] == "县纪委监委"
    return case


def test_the_county_cannot_send_a_case_about_township_staff_back_to_the_township(client, complaint_world):
    w = complaint_world
    case = _about_township_staff(client, w)
    county = f.login_console(client, w["county"])
    path = f"/api/v1/complaints/{case['id']}"
    assert client.post(f"{path}/sign", headers=f.bearer(county)).status_code == 200
    back = client.post(f"{path}/send-back", headers=f.bearer(county), json={"reason": "请镇里先处理"})
    assert back.status_code == 422
    assert back.get_json()["error"]["code"] == "conflict_of_interest"
    assert client.get(path, headers=f.bearer(county)).get_json()["handler"] == "县纪委监委"
    for name in ("dispatcher", "discipline", "leader"):
        assert inbox(client, f.login_console(client, w[name]))["total"] == 0
    # nor is the step offered (the console lists what steps_open_to returns)
    account = w["county"]
    actor = Actor("console", account.id, load_grants(console_account_id=account.id))
    assert "send_back" not in cases.steps_open_to(actor, db.session.get(Complaint, case["id"]))
    assert "reply" in cases.steps_open_to(actor, db.session.get(Complaint, case["id"]))


def test_a_case_about_a_village_cadre_is_not_transferred_down_to_the_village(client, complaint_world):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = file_complaint(
        client, me, w["codes"][0], category="dispute", about_role="village_director", description="村主任偏袒亲戚。"
    ).get_json()
    discipline = f.login_console(client, w["discipline"])
    down = client.post(
        f"/api/v1/complaints/{case['id']}/transfer",
        headers=f.bearer(discipline),
        json={"target": "village_role", "role": "village_secretary", "reason": "村里处理"},
    )
    assert down.status_code == 422 and down.get_json()["error"]["code"] == "conflict_of_interest"
    across = client.post(
        f"/api/v1/complaints/{case['id']}/transfer",
        headers=f.bearer(discipline),
        json={"target": "township_dispatch", "reason": "属于服务事项"},
    )
    assert across.status_code == 200, across.get_json()
