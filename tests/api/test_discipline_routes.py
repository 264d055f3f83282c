"""The other way an office could give itself the discipline office's powers (issue 12 item 2): a
routing rule. No office that edits routes may take a discipline-lane category away from the township
discipline office or stop the liaison's copy; rules written before this are ignored."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import func, select

from app.domain import household_codes as hc
from app.domain.complaints.categories import CATEGORIES, DISCIPLINE
from app.domain.complaints.routing import RULE_TARGETS
from app.extensions import db
from app.models import Role, RoutingRule
from tests import factories as f

DISCIPLINE_CATEGORIES = [key for key, c in CATEGORIES.items() if c.lane == DISCIPLINE]
ROUTE_EDITORS = [Role.TOWNSHIP_LEADER, Role.TOWNSHIP_DISPATCHER, Role.COUNTY_STAFF]


@pytest.fixture
def route_world(app):
    village = f.village()
    town = village.township
    home = f.household(village)
    w = {
        "village": village,
        "town": town,
        "code": hc.ensure_codes([home])[home.id],
        "villager": f.villager(home),
        "liaison": f.cadre(Role.SUPERVISION_LIAISON, village),
        "director": f.cadre(Role.VILLAGE_DIRECTOR, village),
        "discipline": f.township_staff(Role.TOWNSHIP_DISCIPLINE, town),
    }
    w["editors"] = {
        role: (f.county_staff(town.county) if role is Role.COUNTY_STAFF else f.township_staff(role, town))
        for role in ROUTE_EDITORS
    }
    db.session.commit()
    return w


def test_no_route_editor_can_reroute_any_discipline_category(client, route_world):
    w = route_world
    assert DISCIPLINE_CATEGORIES
    url = f"/api/v1/townships/{w['town'].id}/complaint-routes"
    for editor, account in w["editors"].items():
        token = f.login_console(client, account)
        for category in DISCIPLINE_CATEGORIES:
            for target in RULE_TARGETS:
                for village_id in (None, w["village"].id):
                    for copy_liaison in (True, False):
                        body = {
                            "category": category,
                            "target": target,
                            "copy_liaison": copy_liaison,
                            **({"role": "village_director"} if target == "village_role" else {}),
                            **({"village_id": village_id} if village_id else {}),
                        }
                        response = client.post(url, headers=f.bearer(token), json=body)
                        assert response.status_code == 422, (editor, body)
                        assert response.get_json()["error"]["code"] == "discipline_route_fixed", (editor, body)
    assert db.session.scalar(select(func.count()).select_from(RoutingRule)) == 0


def test_a_discipline_rule_written_before_is_ignored(client, route_world):
    """The dispatcher's old rule sent 补贴/低保 to its own desk, without the liaison's copy."""
    w = route_world
    db.session.add(
        RoutingRule(
            township_id=w["town"].id,
            village_id=None,
            category="subsidies",
            target="township_dispatch",
            target_role=None,
            copy_liaison=False,
            created_by_console_account_id=w["editors"][Role.TOWNSHIP_DISPATCHER].id,
        )
    )
    db.session.commit()
    me = f.login_wx(client, w["villager"])
    filed = client.post(
        f"/api/v1/h/{w['code']}/complaints",
        headers=f.bearer(me),
        json={
            "client_request_id": secrets.token_hex(8),
            "category": "subsidies",
            "anonymous": False,
            "contact_name": "王秀英",
            "contact_phone": "13800000000",
            "description": "低保名单里有村干部的亲戚。",
        },
    )
    assert filed.status_code == 201 and filed.get_json()["handler"] == "镇纪委"
    case_id = filed.get_json()["id"]
    for account, login in ((w["discipline"], f.login_console), (w["liaison"], f.login_wx)):
        inbox = client.get("/api/v1/complaints", headers=f.bearer(login(client, account))).get_json()
        assert [c["id"] for c in inbox["items"]] == [case_id]
    dispatcher = f.login_console(client, w["editors"][Role.TOWNSHIP_DISPATCHER])
    assert client.get("/api/v1/complaints", headers=f.bearer(dispatcher)).get_json()["total"] == 0
    # the routing table says so: the old rule is shown, not in force; the fixed default is
    table = client.get(f"/api/v1/townships/{w['town'].id}/complaint-routes", headers=f.bearer(dispatcher)).get_json()
    subsidies = [(r["default"], r["target"], r["in_force"]) for r in table if r["category"] == "subsidies"]
    assert subsidies == [(True, "township_discipline", True), (False, "township_dispatch", False)]
