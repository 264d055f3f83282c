"""Who may grant (invite) and end which role, over HTTP: every cell of the grant matrix, every kind of
caller, and the finding of issue 12 item 2 (the 三资中心 made itself 镇纪委 and ended the 镇纪委's term)."""

from __future__ import annotations

import secrets
from datetime import timedelta

import pytest
from sqlalchemy import func, select, update

from app.clock import utcnow
from app.domain import household_codes as hc
from app.domain import roles
from app.domain.auth import hash_token
from app.domain.grants import MATRIX
from app.extensions import db
from app.models import Invitation, Level, Role, RoleAssignment, Township
from app.seed.demo import DEMO_PASSWORD, seed_demo
from tests import factories as f

R = Role
VILLAGE_ROLES = [
    R.VILLAGE_SECRETARY,
    R.VILLAGE_DIRECTOR,
    R.VILLAGE_COMMITTEE_MEMBER,
    R.VILLAGE_BOOKKEEPER,
    R.GRID_WORKER,
    R.SUPERVISION_MEMBER,
    R.SUPERVISION_LIAISON,
]
TOWNSHIP_ROLES = [R.TOWNSHIP_LEADER, R.TOWNSHIP_DISCIPLINE, R.TOWNSHIP_ASSETS, R.TOWNSHIP_DISPATCHER]
INVITABLE = VILLAGE_ROLES + TOWNSHIP_ROLES
EVERY_ROLE = list(Role)

# The matrix as README「任免权限」states it, written out independently of app.domain.grants: granter →
# the roles whose terms it may start (invite) and end, inside its own township (county staff: county).
EXPECTED = {
    R.TOWNSHIP_LEADER: {
        R.VILLAGE_SECRETARY,
        R.VILLAGE_DIRECTOR,
        R.VILLAGE_COMMITTEE_MEMBER,
        R.VILLAGE_BOOKKEEPER,
        R.GRID_WORKER,
        R.SUPERVISION_MEMBER,
    },
    R.TOWNSHIP_DISCIPLINE: {R.SUPERVISION_LIAISON},
    R.TOWNSHIP_ASSETS: set(),
    R.TOWNSHIP_DISPATCHER: set(),
    R.COUNTY_STAFF: set(INVITABLE),
}
GRANTERS = list(EXPECTED)
# Where a target sits, seen from a granter of township 甲镇 (or of 清溪县, for county staff).
PLACES = ["own", "sister", "other_county"]
REACH = {g: {"own"} for g in TOWNSHIP_ROLES} | {R.COUNTY_STAFF: {"own", "sister"}}


@pytest.fixture
def grant_world(app):
    county, far = f.county("清溪县"), f.county("远山县")
    towns = {
        "own": f.township(county, "甲镇"),
        "sister": f.township(county, "乙镇"),
        "other_county": f.township(far, "远山镇"),
    }
    villages = {place: f.village(t) for place, t in towns.items()}
    counties = {"own": county, "sister": county, "other_county": far}
    granters = {
        role: (f.county_staff(county) if role is R.COUNTY_STAFF else f.township_staff(role, towns["own"]))
        for role in GRANTERS
    }
    db.session.commit()
    return dict(towns=towns, villages=villages, counties=counties, granters=granters)


def _place_body(w, role: Role, place: str) -> dict:
    if role.level is Level.VILLAGE:
        return {"village_id": w["villages"][place].id}
    return {"township_id": w["towns"][place].id}


def _term(w, role: Role, place: str) -> RoleAssignment:
    """A running term of `role` at `place`, held by a fresh WeChat user."""
    user = f.wx_user()
    if role is R.VILLAGER:
        return roles.assign(role, user=user, household=f.household(w["villages"][place]))
    if role is R.COUNTY_STAFF:
        return roles.assign(role, user=user, county_id=w["counties"][place].id)
    if role.level is Level.VILLAGE:
        return roles.assign(role, user=user, holder_name="任期人", village=w["villages"][place])
    return roles.assign(role, user=user, holder_name="任期人", township=w["towns"][place])


def _invitations() -> int:
    return db.session.scalar(select(func.count()).select_from(Invitation))


def test_the_module_states_the_same_matrix_as_this_test():
    assert {g: set(t) for g, t in MATRIX.items() if t} == {g: t for g, t in EXPECTED.items() if t}
    # nobody grants anything at or above their own seat; the villager and county staff are invited by nobody
    for granter, targets in EXPECTED.items():
        assert not {t for t in targets if t.level in (granter.level, Level.COUNTY)}
        assert not targets & {R.VILLAGER, R.COUNTY_STAFF}


def _expected_invite(granter: Role, target: Role, place: str) -> int:
    if target not in EXPECTED[granter]:
        return 403
    return 201 if place in REACH[granter] else 404


def test_every_granter_inviting_every_role_everywhere(client, grant_world):
    w = grant_world
    tokens = {g: f.login_console(client, w["granters"][g]) for g in GRANTERS}
    for granter in GRANTERS:
        for target in INVITABLE:
            for place in PLACES:
                before = _invitations()
                body = {"role": target.value, "holder_name": "受邀人", **_place_body(w, target, place)}
                response = client.post("/api/v1/invitations", headers=f.bearer(tokens[granter]), json=body)
                expected = _expected_invite(granter, target, place)
                cell = (granter.value, target.value, place)
                assert response.status_code == expected, (cell, response.get_json())
                if expected != 201:
                    assert response.get_json()["error"]["code"] == (
                        "role_not_grantable" if expected == 403 else "not_found"
                    ), cell
                    assert _invitations() == before, cell  # a refusal writes nothing
                    continue
                # The invitation works: a WeChat user accepts it and holds exactly that role there.
                invitee = f.login_wx(client, f"invitee-{secrets.token_hex(4)}")
                accepted = client.post(
                    "/api/v1/auth/invitations/accept",
                    headers=f.bearer(invitee),
                    json={"token": response.get_json()["token"]},
                )
                assert accepted.status_code == 201, (cell, accepted.get_json())
                me = client.get("/api/v1/me", headers=f.bearer(invitee)).get_json()
                assert [r["role"] for r in me["roles"]] == [target.value], cell
        # Roles nobody is invited to: the villager binds at their door, county staff from the shell.
        for target in (R.VILLAGER, R.COUNTY_STAFF):
            response = client.post(
                "/api/v1/invitations",
                headers=f.bearer(tokens[granter]),
                json={
                    "role": target.value,
                    "holder_name": "受邀人",
                    "village_id": w["villages"]["own"].id,
                    "township_id": w["towns"]["own"].id,
                },
            )
            assert response.status_code == 422, (granter.value, target.value)


def _expected_end(granter: Role, target: Role, place: str) -> int:
    if target in EXPECTED[granter] and place in REACH[granter]:
        return 200
    # On the caller's roster (role.read) but not theirs to end: refused; off it: absent.
    readable = place in REACH[granter] and not (target is R.COUNTY_STAFF and granter is not R.COUNTY_STAFF)
    return 403 if readable else 404


def test_every_granter_ending_every_role_everywhere(client, grant_world):
    w = grant_world
    terms = {(target, place): _term(w, target, place) for target in EVERY_ROLE for place in PLACES}
    db.session.commit()
    tokens = {g: f.login_console(client, w["granters"][g]) for g in GRANTERS}
    for granter in GRANTERS:
        for (target, place), term in terms.items():
            cell = (granter.value, target.value, place)
            response = client.post(
                f"/api/v1/roles/{term.id}/end", headers=f.bearer(tokens[granter]), json={"reason": "换届"}
            )
            expected = _expected_end(granter, target, place)
            assert response.status_code == expected, (cell, response.get_json())
            db.session.expire_all()
            if expected == 200:
                assert db.session.get(RoleAssignment, term.id).ends_at is not None, cell
                db.session.execute(
                    update(RoleAssignment).where(RoleAssignment.id == term.id).values(ends_at=None, end_reason=None)
                )
                db.session.commit()
            else:
                assert response.get_json()["error"]["code"] == (
                    "term_not_endable" if expected == 403 else "not_found"
                ), cell
                assert db.session.get(RoleAssignment, term.id).ends_at is None, cell


def test_nobody_ends_their_own_term(client, grant_world):
    for granter, account in grant_world["granters"].items():
        own = db.session.scalars(select(RoleAssignment).where(RoleAssignment.console_account_id == account.id)).one()
        token = f.login_console(client, account)
        response = client.post(f"/api/v1/roles/{own.id}/end", headers=f.bearer(token), json={"reason": "辞职"})
        assert response.status_code == 403, granter
        assert response.get_json()["error"]["code"] == "own_term"
        db.session.expire_all()
        assert db.session.get(RoleAssignment, own.id).ends_at is None


def test_wechat_holders_of_any_role_cannot_invite_or_end_terms(client, grant_world):
    """Township offices can be held by a WeChat user (bound by invitation); granting and ending are
    console work whatever the role."""
    w = grant_world
    target = _term(w, R.VILLAGE_SECRETARY, "own")
    holders = {role: _term(w, role, "own").user for role in EVERY_ROLE}
    db.session.commit()
    for role, user in holders.items():
        token = f.login_wx(client, user)
        invite = client.post(
            "/api/v1/invitations",
            headers=f.bearer(token),
            json={"role": "village_secretary", "holder_name": "受邀人", "village_id": w["villages"]["own"].id},
        )
        end = client.post(f"/api/v1/roles/{target.id}/end", headers=f.bearer(token), json={"reason": "换届"})
        for response in (invite, end):
            assert response.status_code == 403, role
            assert response.get_json()["error"]["code"] == "wrong_account_kind"
    assert _invitations() == 0
    db.session.expire_all()
    assert db.session.get(RoleAssignment, target.id).ends_at is None


def test_an_invitation_lapses_when_its_inviter_no_longer_may_give_it(client, grant_world):
    w = grant_world
    leader = f.township_staff(R.TOWNSHIP_LEADER, w["towns"]["own"])
    db.session.commit()
    leader_token = f.login_console(client, leader)
    invitation = client.post(
        "/api/v1/invitations",
        headers=f.bearer(leader_token),
        json={"role": "village_secretary", "holder_name": "新书记", "village_id": w["villages"]["own"].id},
    ).get_json()
    leader_term = db.session.scalars(select(RoleAssignment).where(RoleAssignment.console_account_id == leader.id)).one()
    county = f.login_console(client, w["granters"][R.COUNTY_STAFF])
    assert (
        client.post(
            f"/api/v1/roles/{leader_term.id}/end", headers=f.bearer(county), json={"reason": "调任"}
        ).status_code
        == 200
    )
    invitee = f.login_wx(client, "late-secretary")
    response = client.post(
        "/api/v1/auth/invitations/accept", headers=f.bearer(invitee), json={"token": invitation["token"]}
    )
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "invitation_invalid"
    assert client.get("/api/v1/me", headers=f.bearer(invitee)).get_json()["roles"] == []


def test_an_invitation_made_before_the_matrix_by_a_seat_without_the_power_cannot_be_accepted(client, grant_world):
    """Invitations already out when this rule arrived are checked at acceptance too."""
    town = grant_world["towns"]["own"]
    token = secrets.token_urlsafe(24)
    db.session.add(
        Invitation(
            token_hash=hash_token(token),
            role=R.TOWNSHIP_DISCIPLINE.value,
            holder_name="冒名纪委",
            county_id=town.county_id,
            township_id=town.id,
            created_by_account_id=grant_world["granters"][R.TOWNSHIP_ASSETS].id,
            expires_at=utcnow() + timedelta(days=1),
        )
    )
    db.session.commit()
    invitee = f.login_wx(client, "would-be-jiwei")
    response = client.post("/api/v1/auth/invitations/accept", headers=f.bearer(invitee), json={"token": token})
    assert response.status_code == 404 and response.get_json()["error"]["code"] == "invitation_invalid"
    assert client.get("/api/v1/me", headers=f.bearer(invitee)).get_json()["roles"] == []


def test_a_place_out_of_reach_says_nothing_about_its_grids(client, grant_world):
    w = grant_world
    token = f.login_console(client, w["granters"][R.TOWNSHIP_LEADER])
    response = client.post(
        "/api/v1/invitations",
        headers=f.bearer(token),
        json={
            "role": "grid_worker",
            "holder_name": "网格员",
            "village_id": w["villages"]["sister"].id,
            "grid_id": w["villages"]["own"].grids[0].id,
        },
    )
    assert response.status_code == 404


def test_the_assets_centre_cannot_make_itself_the_discipline_office_nor_end_its_term(client):
    """Issue 12 item 2, as found on the demo county: yunxi.sanzi invited a WeChat user as 镇纪委 and
    ended yunxi.jiwei's term, emptying the discipline inbox."""
    village = f.village()
    town = village.township
    home = f.household(village)
    code = hc.ensure_codes([home])[home.id]
    complainant = f.villager(home)
    sanzi = f.township_staff(R.TOWNSHIP_ASSETS, town)
    jiwei = f.township_staff(R.TOWNSHIP_DISCIPLINE, town)
    db.session.commit()
    me = f.login_wx(client, complainant)
    filed = client.post(
        f"/api/v1/h/{code}/complaints",
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
    assert filed.status_code == 201, filed.get_json()
    jiwei_token = f.login_console(client, jiwei)

    def discipline_inbox():
        response = client.get("/api/v1/complaints", headers=f.bearer(jiwei_token))
        assert response.status_code == 200
        return [c["id"] for c in response.get_json()["items"]]

    assert discipline_inbox() == [filed.get_json()["id"]]

    sanzi_token = f.login_console(client, sanzi)
    invite = client.post(
        "/api/v1/invitations",
        headers=f.bearer(sanzi_token),
        json={"role": "township_discipline", "holder_name": "假纪委", "township_id": town.id},
    )
    assert invite.status_code == 403 and invite.get_json()["error"]["code"] == "role_not_grantable"
    assert _invitations() == 0

    jiwei_term = db.session.scalars(select(RoleAssignment).where(RoleAssignment.console_account_id == jiwei.id)).one()
    end = client.post(f"/api/v1/roles/{jiwei_term.id}/end", headers=f.bearer(sanzi_token), json={"reason": "夺权"})
    assert end.status_code == 403 and end.get_json()["error"]["code"] == "term_not_endable"
    db.session.expire_all()
    assert db.session.get(RoleAssignment, jiwei_term.id).ends_at is None
    assert discipline_inbox() == [filed.get_json()["id"]]


def test_ending_a_term_records_who_ended_it(client):
    village = f.village()
    leader = f.township_staff(Role.TOWNSHIP_LEADER, village.township)
    secretary = f.cadre(Role.VILLAGE_SECRETARY, village)
    db.session.commit()
    term = db.session.scalars(select(RoleAssignment).where(RoleAssignment.user_id == secretary.id)).one()
    response = client.post(
        f"/api/v1/roles/{term.id}/end", headers=f.bearer(f.login_console(client, leader)), json={"reason": "换届"}
    )
    assert response.status_code == 200
    db.session.expire_all()
    assert db.session.get(RoleAssignment, term.id).ended_by_console_account_id == leader.id


def test_the_finding_on_the_demo_county(client):
    """The same probes, word for word, against `seed-demo`'s accounts yunxi.sanzi and yunxi.jiwei."""
    seed_demo(db.session, activity=False)  # its accounts and terms are what is probed
    db.session.commit()
    town = db.session.scalar(select(Township).where(Township.name == "云溪街道"))
    villager_term = db.session.scalars(
        select(RoleAssignment)
        .where(
            RoleAssignment.township_id == town.id,
            RoleAssignment.role == R.VILLAGER.value,
            RoleAssignment.user_id.is_not(None),
        )
        .order_by(RoleAssignment.id)
    ).first()
    code = hc.ensure_codes([villager_term.household])[villager_term.household_id]
    db.session.commit()
    me = f.login_wx(client, villager_term.user)
    filed = client.post(
        f"/api/v1/h/{code}/complaints",
        headers=f.bearer(me),
        json={
            "client_request_id": secrets.token_hex(8),
            "category": "collective_assets",
            "anonymous": False,
            "contact_name": "实名人",
            "contact_phone": "13900000000",
            "description": "村集体厂房租金去向不明。",
        },
    )
    assert filed.status_code == 201, filed.get_json()

    def login(username):
        response = client.post("/api/v1/auth/console-login", json={"username": username, "password": DEMO_PASSWORD})
        return response.get_json()["token"]

    jiwei, sanzi = login("yunxi.jiwei"), login("yunxi.sanzi")
    inbox_before = client.get("/api/v1/complaints", headers=f.bearer(jiwei)).get_json()
    assert filed.get_json()["id"] in [c["id"] for c in inbox_before["items"]]
    invite = client.post(
        "/api/v1/invitations",
        headers=f.bearer(sanzi),
        json={"role": "township_discipline", "holder_name": "假纪委", "township_id": town.id},
    )
    assert invite.status_code == 403
    jiwei_term = next(r for r in client.get("/api/v1/me", headers=f.bearer(jiwei)).get_json()["roles"])
    end = client.post(f"/api/v1/roles/{jiwei_term['id']}/end", headers=f.bearer(sanzi), json={"reason": "x"})
    assert end.status_code == 403
    assert client.get("/api/v1/me", headers=f.bearer(jiwei)).get_json()["roles"] == [jiwei_term]
    assert client.get("/api/v1/complaints", headers=f.bearer(jiwei)).get_json() == inbox_before
