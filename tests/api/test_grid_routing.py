"""A grid worker's case reaches the worker of the household's own grid, never the village's other grid
workers (issue 12, item 7): on every path that puts a case at a grid-scoped village role (filing by
the default rule or a township rule, release from moderation, re-dispatch, transfer, recategorising,
reopening), for access (inbox, detail, sign) and for the notification to the handler. With no
worker in that grid: a grid worker over the whole village, else the village director (flagged
fallback), else the township dispatcher."""

from __future__ import annotations

import secrets

import pytest
from sqlalchemy import select

from app.clock import utcnow
from app.domain import household_codes as hc
from app.domain import roles
from app.domain.complaints.routing import GRID_SCOPED_ROLES
from app.extensions import db
from app.models import Complaint, Notification, Role, RoleAssignment
from tests import factories as f


def _worker(village, grid=None, identity=None):
    user = f.wx_user(identity)
    roles.assign(Role.GRID_WORKER, user=user, village=village, grid=grid, holder_name="网格员")
    return user


@pytest.fixture
def village4(app):
    """A village of four grids, a household in each, and a grid worker of each grid."""
    village = f.village(grids=4)
    grids = sorted(village.grids, key=lambda g: g.number)
    homes = [f.household(village) for _ in range(4)]
    for home, grid in zip(homes, grids, strict=True):
        home.grid_id = grid.id
    codes = hc.ensure_codes(homes)
    w = {
        "village": village,
        "grids": grids,
        "homes": homes,
        "codes": [codes[h.id] for h in homes],
        "workers": [_worker(village, grid) for grid in grids],
        "villagers": [f.villager(home) for home in homes],
        "director": f.cadre(Role.VILLAGE_DIRECTOR, village),
        "dispatcher": f.township_staff(Role.TOWNSHIP_DISPATCHER, village.township),
    }
    db.session.commit()
    return w


def _file(client, token, code, **overrides):
    body = {
        "client_request_id": secrets.token_hex(8),
        "category": "public_service",
        "anonymous": True,
        "description": "想办理老年证，不知道找谁帮忙。",
    }
    body.update(overrides)
    response = client.post(f"/api/v1/h/{code}/complaints", headers=f.bearer(token), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _handlers(client, w, case_id) -> set[int]:
    """Which of the village's grid workers the case reaches: inbox, detail and 签收 agree."""
    reached = set()
    for number, worker in enumerate(w["workers"], 1):
        token = f.login_wx(client, worker)
        inbox = {c["id"] for c in client.get("/api/v1/complaints", headers=f.bearer(token)).get_json()["items"]}
        detail = client.get(f"/api/v1/complaints/{case_id}", headers=f.bearer(token)).status_code
        assert (case_id in inbox) == (detail == 200), (number, detail)
        if case_id in inbox:
            reached.add(number)
        else:
            assert client.post(f"/api/v1/complaints/{case_id}/sign", headers=f.bearer(token)).status_code == 404
    return reached


def _notified(case_id) -> set[int]:
    return set(db.session.scalars(select(Notification.recipient_user_id).where(Notification.complaint_id == case_id)))


def test_a_second_grid_households_service_case_reaches_only_the_second_grids_worker(client, village4):
    """The finding: a 第二网格 household's service case went to all four grid workers."""
    w = village4
    case = _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1])
    assert case["handler"] == "网格员"
    assert _handlers(client, w, case["id"]) == {2}
    db.session.expire_all()
    assert _notified(case["id"]) == {w["workers"][1].id}  # told: that grid's worker only


# ---- every path that puts a case at a grid-scoped village role ----


def _by_township_rule(client, w, role):
    dispatcher = f.login_console(client, w["dispatcher"])
    made = client.post(
        f"/api/v1/townships/{w['village'].township_id}/complaint-routes",
        headers=f.bearer(dispatcher),
        json={"category": "hardship", "target": "village_role", "role": role.value},
    )
    assert made.status_code == 201, made.get_json()
    return _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1], category="hardship")["id"]


def _released(client, w, role):
    case = _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1], description="【审核】想办老年证")
    dispatcher = f.login_console(client, w["dispatcher"])
    assert client.post(f"/api/v1/complaints/{case['id']}/release", headers=f.bearer(dispatcher)).status_code == 200
    return case["id"]


def _redispatched(client, w, role):
    case = _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1], category="dispute")
    director = f.login_wx(client, w["director"])
    assert (
        client.post(
            f"/api/v1/complaints/{case['id']}/send-back", headers=f.bearer(director), json={"reason": "不是纠纷"}
        ).status_code
        == 200
    )
    dispatcher = f.login_console(client, w["dispatcher"])
    moved = client.post(
        f"/api/v1/complaints/{case['id']}/redispatch",
        headers=f.bearer(dispatcher),
        json={"target": "village_role", "role": role.value, "reason": "网格员代办"},
    )
    assert moved.status_code == 200, moved.get_json()
    return case["id"]


def _transferred(client, w, role):
    case = _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1], category="other")
    dispatcher = f.login_console(client, w["dispatcher"])
    moved = client.post(
        f"/api/v1/complaints/{case['id']}/transfer",
        headers=f.bearer(dispatcher),
        json={"target": "village_role", "role": role.value, "reason": "网格员代办"},
    )
    assert moved.status_code == 200, moved.get_json()
    return case["id"]


def _recategorised(client, w, role):
    case = _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1], category="other")
    dispatcher = f.login_console(client, w["dispatcher"])
    moved = client.post(
        f"/api/v1/complaints/{case['id']}/recategorise",
        headers=f.bearer(dispatcher),
        json={"category": "public_service", "reason": "属于便民服务"},
    )
    assert moved.status_code == 200, moved.get_json()
    return case["id"]


def _reopened(client, w, role):
    me = f.login_wx(client, w["villagers"][1])
    case = _file(client, me, w["codes"][1])
    worker = f.login_wx(client, w["workers"][1])
    client.post(f"/api/v1/complaints/{case['id']}/sign", headers=f.bearer(worker))
    client.post(f"/api/v1/complaints/{case['id']}/reply", headers=f.bearer(worker), json={"text": "已约周三代办。"})
    again = client.post(f"/api/v1/me/complaints/{case['id']}/confirm", headers=f.bearer(me), json={"solved": False})
    assert again.get_json()["status"] == "assigned"
    return case["id"]


PATHS = [_by_township_rule, _released, _redispatched, _transferred, _recategorised, _reopened]


@pytest.mark.parametrize("role", sorted(GRID_SCOPED_ROLES))
@pytest.mark.parametrize("path", PATHS, ids=[p.__name__.strip("_") for p in PATHS])
def test_every_path_to_a_grid_scoped_role_reaches_the_households_own_grid_only(client, village4, path, role):
    w = village4
    case_id = path(client, w, role)
    db.session.expire_all()
    case = db.session.get(Complaint, case_id)
    assert (case.handler_role, case.handler_grid_id) == (role.value, w["grids"][1].id)
    assert _handlers(client, w, case_id) == {2}
    holders = {w["workers"][1].id}
    assert _notified(case_id) & {u.id for u in w["workers"]} <= holders


# ---- no worker in the household's grid ----


def _end_term(user):
    term = db.session.scalar(select(RoleAssignment).where(RoleAssignment.user_id == user.id))
    term.ends_at = utcnow()
    db.session.commit()


def test_a_grid_without_worker_goes_to_a_village_wide_grid_worker(client, village4):
    w = village4
    _end_term(w["workers"][2])
    everywhere = _worker(w["village"])  # a term naming no grid: the whole village
    db.session.commit()
    case = _file(client, f.login_wx(client, w["villagers"][2]), w["codes"][2])
    assert case["handler"] == "网格员"
    assert _handlers(client, w, case["id"]) == set()
    token = f.login_wx(client, everywhere)
    assert client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(token)).status_code == 200
    # and the village-wide worker does not see the cases of grids that have their own worker
    own = _file(client, f.login_wx(client, w["villagers"][1]), w["codes"][1])
    assert client.get(f"/api/v1/complaints/{own['id']}", headers=f.bearer(token)).status_code == 404


def test_a_grid_without_any_worker_goes_to_the_village_director_flagged(client, village4):
    w = village4
    _end_term(w["workers"][2])
    case = _file(client, f.login_wx(client, w["villagers"][2]), w["codes"][2])
    assert case["handler"] == "村委会主任"
    assert _handlers(client, w, case["id"]) == set()
    director = f.login_wx(client, w["director"])
    detail = client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(director)).get_json()
    assert detail["routing_fallback"] is True
    # a person choosing the grid worker for that household is told nobody holds it there
    dispatcher = f.login_console(client, w["dispatcher"])
    refused = client.post(
        f"/api/v1/complaints/{case['id']}/transfer",
        headers=f.bearer(dispatcher),
        json={"target": "village_role", "role": "grid_worker", "reason": "网格员代办"},
    )
    assert refused.status_code == 422 and refused.get_json()["error"]["code"] == "role_vacant"


def test_with_no_grid_worker_and_no_director_the_township_catches_it(client, village4):
    w = village4
    _end_term(w["workers"][2])
    _end_term(w["director"])
    case = _file(client, f.login_wx(client, w["villagers"][2]), w["codes"][2])
    assert case["handler"] == "镇四平台"


def test_a_household_in_no_grid_goes_to_a_village_wide_worker_or_the_director(client, village4):
    w = village4
    home = f.household(w["village"])
    home.grid_id = None
    code = hc.ensure_codes([home])[home.id]
    villager = f.villager(home)
    db.session.commit()
    case = _file(client, f.login_wx(client, villager), code)
    assert case["handler"] == "村委会主任" and _handlers(client, w, case["id"]) == set()


def test_a_non_grid_role_whose_term_names_a_grid_still_serves_the_whole_village(client, village4):
    w = village4
    director = f.wx_user()
    roles.assign(Role.VILLAGE_DIRECTOR, user=director, village=w["village"], grid=w["grids"][0], holder_name="主任")
    db.session.commit()
    case = _file(client, f.login_wx(client, w["villagers"][3]), w["codes"][3], category="dispute")
    token = f.login_wx(client, director)
    assert client.get(f"/api/v1/complaints/{case['id']}", headers=f.bearer(token)).status_code == 200
