"""The demo county: content, realism, idempotency, and logging in as its people."""

from __future__ import annotations

import re
from collections import Counter
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import func, select

from app.clock import utcnow
from app.domain.authz import term_running
from app.extensions import db
from app.models import (
    Complaint,
    ConsoleAccount,
    County,
    Disclosure,
    Grid,
    Household,
    Question,
    Role,
    RoleAssignment,
    Township,
    Village,
    WxUser,
)
from app.seed.demo import DEMO_PASSWORD, KINDS, TOWNSHIPS, demo_plan, seed_demo
from app.seed.names import NameGenerator
from tests import factories as f

CJK_NAME = re.compile(r"^[\u4e00-\u9fff]{2,4}$")
MODELS = (
    County,
    Township,
    Village,
    Grid,
    Household,
    WxUser,
    ConsoleAccount,
    RoleAssignment,
    Disclosure,
    Question,
    Complaint,
)


def _count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def _counts() -> dict[str, int]:
    return {m.__tablename__: _count(m) for m in MODELS}


def _seed(*, activity: bool = False):
    """The territory and its people (what these tests look at; tests/seed/test_demo_activity.py
    looks at the disclosures and cases), committed."""
    summary = seed_demo(db.session, activity=activity)
    db.session.commit()
    return summary


def test_seed_builds_the_demo_county(app):
    summary = _seed()

    assert _count(County) == 1 and _count(Township) == 2 and _count(Village) == 6
    assert _count(Household) >= 600
    county = db.session.scalar(select(County))
    assert (county.code, county.name) == ("330199", "清溪县")
    townships = db.session.scalars(select(Township).order_by(Township.code)).all()
    assert [(t.code, t.name, t.kind) for t in townships] == [
        ("330199101", "青山镇", "town"),
        ("330199102", "云溪街道", "street"),
    ]
    for t in townships:
        assert re.fullmatch(r"0571-6\d{7}", t.supervision_phone)
        villages = t.villages
        assert len(villages) == 3
        for v in villages:
            assert re.fullmatch(r"\d{12}", v.code) and v.code.startswith(t.code)
            assert v.name.endswith("村" if v.kind == "village" else "社区")
            assert 3 <= len(v.grids) <= 5
            assert [g.name for g in v.grids][:3] == ["第一网格", "第二网格", "第三网格"]
    assert {v.kind for v in db.session.scalars(select(Village))} == {"village", "community"}

    # the summary counts what was created, and it matches the database
    assert all(summary.present[k] == 0 for k in KINDS)
    assert summary.created["household"] == _count(Household)
    assert summary.created["wx_user"] == _count(WxUser)
    assert summary.created["console_account"] == _count(ConsoleAccount) == 9
    assert summary.created["role_assignment"] == _count(RoleAssignment)


def test_households_are_realistic(app):
    _seed()
    per_village = Counter()
    for village in db.session.scalars(select(Village)):
        homes = db.session.scalars(select(Household).where(Household.village_id == village.id)).all()
        per_village[village.code] = len(homes)
        numbers = [h.number for h in homes]
        assert len(numbers) == len(set(numbers)), "household numbers must be unique within a village"
        assert all(re.fullmatch(r"\d{4}", n) for n in numbers)
        township = village.township.name
        for h in homes:
            assert h.address.startswith(township + village.name)
            if village.kind == "community":
                assert re.fullmatch(r".+社区 \d+幢\d单元\d0\d", h.address)
            else:
                assert re.fullmatch(r".+村\d+组\d+号", h.address)
            assert CJK_NAME.match(h.head_name), h.head_name
            # Zhejiang, near Hangzhou; 6 decimal places
            assert Decimal("29.5") < h.latitude < Decimal("30.5") and Decimal("119") < h.longitude < Decimal("120.5")
            assert h.latitude.as_tuple().exponent == -6
        # most households are in a grid of their own village
        gridded = [h for h in homes if h.grid_id is not None]
        assert len(gridded) >= len(homes) - 2
        grid_ids = {g.id for g in village.grids}
        assert {h.grid_id for h in gridded} == grid_ids
        assert len({h.address for h in homes}) == len(homes)
    assert all(100 <= n <= 130 for n in per_village.values())

    # a lineage village: one surname covers a good share of the households
    xialin = db.session.scalar(select(Village).where(Village.name == "下林村"))
    heads = db.session.scalars(select(Household.head_name).where(Household.village_id == xialin.id)).all()
    assert sum(h.startswith("林") for h in heads) / len(heads) > 0.25
    # and the county as a whole is not a one-surname place
    all_heads = db.session.scalars(select(Household.head_name)).all()
    assert len({h[0] for h in all_heads}) > 30


def test_every_village_has_its_cadres_running(app):
    _seed()
    now = utcnow()
    for village in db.session.scalars(select(Village)):
        running = db.session.scalars(
            select(RoleAssignment).where(RoleAssignment.village_id == village.id, term_running(now))
        ).all()
        by_role = Counter(r.role for r in running)
        assert by_role[Role.VILLAGE_SECRETARY] == 1 and by_role[Role.VILLAGE_DIRECTOR] == 1, village.name
        assert by_role[Role.SUPERVISION_LIAISON] == 1
        assert by_role[Role.SUPERVISION_MEMBER] == 3
        assert by_role[Role.VILLAGE_COMMITTEE_MEMBER] == 2
        assert by_role[Role.VILLAGE_BOOKKEEPER] == 1
        assert by_role[Role.VILLAGER] >= 5
        grid_workers = [r for r in running if r.role == Role.GRID_WORKER]
        assert sorted(r.grid_id for r in grid_workers) == sorted(g.id for g in village.grids)
        for r in running:
            assert r.user_id is not None and CJK_NAME.match(r.holder_name), r.holder_name
            assert r.county_id == village.township.county_id and r.township_id == village.township_id
        for r in running:
            if r.role == Role.VILLAGER:
                home = db.session.get(Household, r.household_id)
                assert home.village_id == village.id and r.grid_id == home.grid_id
        # one past term, ended at the last 换届 about a year ago
        past = db.session.scalars(
            select(RoleAssignment).where(RoleAssignment.village_id == village.id, RoleAssignment.ends_at.is_not(None))
        ).all()
        assert len(past) == 1 and past[0].end_reason == "换届"
        assert now - timedelta(days=370) < past[0].ends_at < now - timedelta(days=360)
        assert past[0].starts_at < past[0].ends_at

    # some villages are 一肩挑 (one person is secretary and director), some are not
    holders = db.session.execute(
        select(RoleAssignment.village_id, RoleAssignment.user_id).where(
            RoleAssignment.role.in_([Role.VILLAGE_SECRETARY, Role.VILLAGE_DIRECTOR])
        )
    ).all()
    people_per_village = Counter(v for v, _ in set(holders))
    assert set(people_per_village.values()) == {1, 2}


def test_township_and_county_accounts(app):
    _seed()
    for township in db.session.scalars(select(Township)):
        roles = db.session.scalars(
            select(RoleAssignment.role).where(
                RoleAssignment.township_id == township.id, RoleAssignment.console_account_id.is_not(None)
            )
        ).all()
        assert sorted(roles) == sorted(
            [Role.TOWNSHIP_DISCIPLINE, Role.TOWNSHIP_ASSETS, Role.TOWNSHIP_DISPATCHER, Role.TOWNSHIP_LEADER]
        )
    county_role = db.session.execute(
        select(RoleAssignment.role, RoleAssignment.township_id)
        .join(ConsoleAccount, ConsoleAccount.id == RoleAssignment.console_account_id)
        .where(ConsoleAccount.username == "county.jiwei")
    ).one()
    assert tuple(county_role) == (Role.COUNTY_STAFF, None)
    accounts = db.session.scalars(select(ConsoleAccount)).all()
    assert {a.username for a in accounts} >= {
        "qingshan.jiwei",
        "qingshan.sanzi",
        "qingshan.dispatch",
        "qingshan.leader",
        "yunxi.jiwei",
        "county.jiwei",
    }
    assert all(CJK_NAME.match(a.display_name) for a in accounts)
    # hashed once: every account carries the same (salted) hash of the demo password
    assert len({a.password_hash for a in accounts}) == 1 and DEMO_PASSWORD not in accounts[0].password_hash


def test_seeding_twice_changes_nothing(app):
    first = _seed(activity=True)
    before = _counts()
    fingerprint = db.session.execute(
        select(Household.number, Household.head_name, Household.grid_id).order_by(Household.id)
    ).all()
    second = _seed(activity=True)
    assert _counts() == before
    assert all(second.created[k] == 0 for k in KINDS)
    assert {k: second.present[k] for k in KINDS} == {k: first.created[k] for k in KINDS}
    assert (
        db.session.execute(
            select(Household.number, Household.head_name, Household.grid_id).order_by(Household.id)
        ).all()
        == fingerprint
    )
    assert second.wechat_logins == first.wechat_logins


def test_seeding_completes_a_partial_demo_without_duplicates(app):
    county = County(code="330199", name="清溪县")
    db.session.add(county)
    db.session.flush()
    db.session.add(
        Township(county_id=county.id, code="330199101", name="青山镇", kind="town", supervision_phone="0571-63215110")
    )
    db.session.add(WxUser(openid="sbx-xialin-secretary", display_name="已登录过的书记"))
    db.session.commit()

    summary = _seed()
    assert summary.present["county"] == 1 and summary.present["township"] == 1
    assert summary.created["township"] == 1 and summary.present["wx_user"] == 1
    assert _count(County) == 1 and _count(Township) == 2
    assert (
        db.session.scalar(select(func.count()).select_from(WxUser).where(WxUser.openid == "sbx-xialin-secretary")) == 1
    )


def test_the_plan_is_deterministic():
    assert demo_plan() == demo_plan()
    a, b = NameGenerator("s", dominant=(("林", 0.4),)), NameGenerator("s", dominant=(("林", 0.4),))
    names = [a.name() for _ in range(50)]
    assert names == [b.name() for _ in range(50)]
    assert all(CJK_NAME.match(n) for n in names)
    unique = NameGenerator("u")
    batch = [unique.name(unique=True) for _ in range(200)]
    assert len(set(batch)) == 200
    assert sum(len(t.villages) for t in TOWNSHIPS) == 6


def test_demo_console_account_logs_in(client):
    _seed()
    response = client.post("/api/v1/auth/console-login", json={"username": "qingshan.jiwei", "password": DEMO_PASSWORD})
    assert response.status_code == 200, response.get_json()
    me = client.get("/api/v1/me", headers=f.bearer(response.get_json()["token"])).get_json()
    assert me["kind"] == "console"
    assert [(r["role"], r["township"]["name"]) for r in me["roles"]] == [("township_discipline", "青山镇")]
    wrong = client.post("/api/v1/auth/console-login", json={"username": "qingshan.jiwei", "password": "nope-nope"})
    assert wrong.status_code == 401


def test_demo_cadres_and_villagers_log_in_through_the_sandbox(client):
    _seed()
    me = client.get("/api/v1/me", headers=f.bearer(f.login_wx(client, "xialin-secretary"))).get_json()
    assert [(r["role"], r["village"]["name"]) for r in me["roles"]] == [("village_secretary", "下林村")]
    assert CJK_NAME.match(me["roles"][0]["holder_name"])

    # 一肩挑: one login, both roles
    me = client.get("/api/v1/me", headers=f.bearer(f.login_wx(client, "shiqiao-secretary"))).get_json()
    assert sorted(r["role"] for r in me["roles"]) == ["village_director", "village_secretary"]

    me = client.get("/api/v1/me", headers=f.bearer(f.login_wx(client, "xialin-grid2"))).get_json()
    grid = db.session.get(Grid, me["roles"][0]["grid_id"])
    assert me["roles"][0]["role"] == "grid_worker" and (grid.number, grid.village.name) == (2, "下林村")

    me = client.get("/api/v1/me", headers=f.bearer(f.login_wx(client, "fenglin-villager1"))).get_json()
    assert me["roles"][0]["role"] == "villager"
    assert db.session.get(Household, me["roles"][0]["household_id"]).village.name == "枫林社区"

    # the former committee member's term has ended: no running role
    me = client.get("/api/v1/me", headers=f.bearer(f.login_wx(client, "xialin-former-committee"))).get_json()
    assert me["roles"] == []
    # logging in did not create a second user for a seeded identity
    assert (
        db.session.scalar(select(func.count()).select_from(WxUser).where(WxUser.openid == "sbx-xialin-secretary")) == 1
    )
