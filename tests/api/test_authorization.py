"""The authorization matrix over HTTP: who may read what, and where each scope ends."""

from __future__ import annotations

from datetime import timedelta

import pytest

from app.extensions import db
from app.models import Role, RoleAssignment
from tests import factories as f


@pytest.fixture
def two_townships(app, clock):
    """Two townships in one county; township A has villages A1 and A2, township B has B1.
    Built under the controlled clock, so tests can move time past terms of office."""
    county = f.county()
    ta, tb = f.township(county, "甲镇"), f.township(county, "乙镇")
    a1, a2, b1 = f.village(ta, "甲一村"), f.village(ta, "甲二村"), f.village(tb, "乙一村")
    homes = {v.name: [f.household(v) for _ in range(3)] for v in (a1, a2, b1)}
    w = dict(county=county, ta=ta, tb=tb, a1=a1, a2=a2, b1=b1, homes=homes)
    w["villager_a1"] = f.villager(homes["甲一村"][0])
    w["secretary_a1"] = f.cadre(Role.VILLAGE_SECRETARY, a1)
    w["supervisor_a1"] = f.cadre(Role.SUPERVISION_MEMBER, a1)
    w["dispatcher_a"] = f.township_staff(Role.TOWNSHIP_DISPATCHER, ta)
    w["leader_a"] = f.township_staff(Role.TOWNSHIP_LEADER, ta)
    w["county_staff"] = f.county_staff(county)
    db.session.commit()
    return w


def get(client, token, path):
    return client.get(path, headers=f.bearer(token))


def ids(response):
    return sorted(item["id"] for item in response.get_json())


def test_villager_sees_own_village_and_household_only(client, two_townships):
    token = f.login_wx(client, two_townships["villager_a1"])
    a1, a2, b1 = two_townships["a1"], two_townships["a2"], two_townships["b1"]
    own, neighbour = two_townships["homes"]["甲一村"][0], two_townships["homes"]["甲一村"][1]
    other = two_townships["homes"]["乙一村"][0]

    assert ids(get(client, token, "/api/v1/villages")) == [a1.id]
    assert get(client, token, f"/api/v1/villages/{a1.id}").status_code == 200
    assert get(client, token, f"/api/v1/households/{own.id}").status_code == 200
    # Anything private of another household, village or township looks like it does not exist.
    for path in (
        f"/api/v1/households/{neighbour.id}",
        f"/api/v1/households/{other.id}",
        f"/api/v1/villages/{b1.id}",
        f"/api/v1/villages/{a2.id}",
        f"/api/v1/villages/{b1.id}/households",
        f"/api/v1/villages/{b1.id}/roles",
    ):
        response = get(client, token, path)
        assert response.status_code == 404, path
        assert response.get_json()["error"]["code"] == "not_found"
    # Own village: the register and the roster are for officers, not for every villager.
    listing = get(client, token, f"/api/v1/villages/{a1.id}/households").get_json()
    assert [h["id"] for h in listing["items"]] == [own.id] and listing["total"] == 1
    assert get(client, token, f"/api/v1/villages/{a1.id}/roles").get_json() == []
    assert get(client, token, "/api/v1/townships").get_json() == []


def test_cadre_scope_ends_at_their_village(client, two_townships):
    token = f.login_wx(client, two_townships["secretary_a1"])
    a1, a2 = two_townships["a1"], two_townships["a2"]
    listing = get(client, token, f"/api/v1/villages/{a1.id}/households").get_json()
    assert listing["total"] == 3
    roster = get(client, token, f"/api/v1/villages/{a1.id}/roles").get_json()
    assert {r["role"] for r in roster} == {"village_secretary", "supervision_member"}
    assert ids(get(client, token, "/api/v1/villages")) == [a1.id]
    assert get(client, token, f"/api/v1/villages/{a2.id}/households").status_code == 404
    assert get(client, token, f"/api/v1/households/{two_townships['homes']['甲二村'][0].id}").status_code == 404


def test_township_staff_scope_ends_at_their_township(client, two_townships):
    token = f.login_console(client, two_townships["dispatcher_a"])
    assert ids(get(client, token, "/api/v1/villages")) == sorted([two_townships["a1"].id, two_townships["a2"].id])
    assert ids(get(client, token, "/api/v1/townships")) == [two_townships["ta"].id]
    assert get(client, token, f"/api/v1/villages/{two_townships['a2'].id}/households").get_json()["total"] == 3
    assert get(client, token, f"/api/v1/villages/{two_townships['b1'].id}").status_code == 404
    assert get(client, token, f"/api/v1/households/{two_townships['homes']['乙一村'][0].id}").status_code == 404


def test_county_staff_see_every_township(client, two_townships):
    token = f.login_console(client, two_townships["county_staff"])
    assert ids(get(client, token, "/api/v1/townships")) == sorted([two_townships["ta"].id, two_townships["tb"].id])
    assert len(get(client, token, "/api/v1/villages").get_json()) == 3
    assert get(client, token, f"/api/v1/households/{two_townships['homes']['乙一村'][2].id}").status_code == 200


def test_ended_terms_lose_access_at_once(client, two_townships, clock):
    token = f.login_wx(client, two_townships["secretary_a1"])
    a1 = two_townships["a1"]
    assert get(client, token, f"/api/v1/villages/{a1.id}/households").get_json()["total"] == 3
    staff_token = f.login_console(client, two_townships["leader_a"])
    term = db.session.query(RoleAssignment).filter_by(user_id=two_townships["secretary_a1"].id).one()
    ended = client.post(f"/api/v1/roles/{term.id}/end", headers=f.bearer(staff_token), json={"reason": "换届"})
    assert ended.status_code == 200 and ended.get_json()["ends_at"]
    # the same session, the very next request: the role no longer counts
    assert get(client, token, f"/api/v1/villages/{a1.id}/households").status_code == 404
    assert get(client, token, "/api/v1/me").get_json()["roles"] == []
    # history is kept: the roster with include_ended shows the past term
    roster = get(client, staff_token, f"/api/v1/villages/{a1.id}/roles?include_ended=true").get_json()
    assert any(r["id"] == term.id and r["end_reason"] == "换届" for r in roster)
    again = client.post(f"/api/v1/roles/{term.id}/end", headers=f.bearer(staff_token), json={"reason": "x"})
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "term_already_ended"


def test_a_term_that_has_not_started_or_has_run_out_grants_nothing(client, two_townships, clock):
    user = f.wx_user("future-cadre")
    term = f.cadre(Role.VILLAGE_DIRECTOR, two_townships["a2"], identity="timed-cadre")
    row = db.session.query(RoleAssignment).filter_by(user_id=term.id).one()
    row.ends_at = row.starts_at + timedelta(days=1)
    db.session.commit()
    token = f.login_wx(client, term)
    assert get(client, token, f"/api/v1/villages/{two_townships['a2'].id}/households").get_json()["total"] == 3
    clock.shift(timedelta(days=2))
    token = f.login_wx(client, term)
    assert get(client, token, f"/api/v1/villages/{two_townships['a2'].id}/households").status_code == 404
    assert user.id  # an identity with no role at all sees nothing private either
    blank = f.login_wx(client, user)
    assert get(client, blank, "/api/v1/villages").get_json() == []


def test_township_staff_cannot_end_terms_in_another_township(client, two_townships):
    secretary_b1 = f.cadre(Role.VILLAGE_SECRETARY, two_townships["b1"])
    db.session.commit()
    term = db.session.query(RoleAssignment).filter_by(user_id=secretary_b1.id).one()
    token = f.login_console(client, two_townships["leader_a"])
    response = client.post(f"/api/v1/roles/{term.id}/end", headers=f.bearer(token), json={"reason": "越权"})
    assert response.status_code == 404
    db.session.refresh(term)
    assert term.ends_at is None


def test_invitation_binds_a_cadre_once(client, two_townships):
    staff = f.login_console(client, two_townships["leader_a"])
    created = client.post(
        "/api/v1/invitations",
        headers=f.bearer(staff),
        json={"role": "village_bookkeeper", "holder_name": "钱会计", "village_id": two_townships["a2"].id},
    )
    assert created.status_code == 201, created.get_json()
    invitation = created.get_json()
    assert invitation["url"].startswith("https://mj.test/i/")
    assert invitation["qr_png_base64"].startswith("iVBOR")  # a PNG

    cadre_token = f.login_wx(client, "qian-kuaiji")
    accepted = client.post(
        "/api/v1/auth/invitations/accept", headers=f.bearer(cadre_token), json={"token": invitation["token"]}
    )
    assert accepted.status_code == 201
    assert accepted.get_json()["role"] == "village_bookkeeper"
    assert accepted.get_json()["village"]["id"] == two_townships["a2"].id
    assert get(client, cadre_token, f"/api/v1/villages/{two_townships['a2'].id}/households").get_json()["total"] == 3

    other = f.login_wx(client, "someone-else")
    reused = client.post(
        "/api/v1/auth/invitations/accept", headers=f.bearer(other), json={"token": invitation["token"]}
    )
    assert reused.status_code == 409 and reused.get_json()["error"]["code"] == "invitation_used"
    unknown = client.post("/api/v1/auth/invitations/accept", headers=f.bearer(other), json={"token": "nope"})
    assert unknown.status_code == 404 and unknown.get_json()["error"]["code"] == "invitation_invalid"


def test_invitation_expires(client, two_townships, clock):
    staff = f.login_console(client, two_townships["leader_a"])
    token = client.post(
        "/api/v1/invitations",
        headers=f.bearer(staff),
        json={"role": "grid_worker", "holder_name": "孙网格", "village_id": two_townships["a1"].id},
    ).get_json()["token"]
    clock.shift(timedelta(days=8))
    cadre = f.login_wx(client, "late-cadre")
    response = client.post("/api/v1/auth/invitations/accept", headers=f.bearer(cadre), json={"token": token})
    assert response.status_code == 410 and response.get_json()["error"]["code"] == "invitation_expired"


def test_invitations_are_limited_to_the_staff_members_township(client, two_townships):
    staff = f.login_console(client, two_townships["leader_a"])
    outside = client.post(
        "/api/v1/invitations",
        headers=f.bearer(staff),
        json={"role": "village_director", "holder_name": "外人", "village_id": two_townships["b1"].id},
    )
    assert outside.status_code == 404
    villager_role = client.post(
        "/api/v1/invitations",
        headers=f.bearer(staff),
        json={"role": "villager", "holder_name": "村民", "village_id": two_townships["a1"].id},
    )
    assert villager_role.status_code == 422
    missing_scope = client.post(
        "/api/v1/invitations", headers=f.bearer(staff), json={"role": "village_director", "holder_name": "无村"}
    )
    assert missing_scope.status_code == 422
    assert missing_scope.get_json()["error"]["code"] == "scope_required"
