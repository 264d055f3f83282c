"""Statistics (app/domain/statistics.py): per village and month, over what the viewer may see — a
township's figures never include another township's cases, the dispatcher's only its service lane, and
nobody's a case about themselves."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import func, select

from app.domain import statistics
from app.domain.authz import Actor, load_grants
from app.domain.complaints import cases
from app.domain.disclosures import catalogue, reach, workflow
from app.errors import AppError, NotFound
from app.extensions import db
from app.jobs.sweep import sweep
from app.models import Complaint, ComplaintSubject, Household, ItemType, Role
from tests import factories as f

MONDAY = datetime(2026, 3, 2, 2, 0, tzinfo=UTC)  # 10:00 in Shanghai


def _console(account) -> Actor:
    return Actor("console", account.id, load_grants(console_account_id=account.id))


def _wx(user) -> Actor:
    return Actor("wx", user.id, load_grants(user_id=user.id))


def _at(moment: datetime, step):
    with time_machine.travel(moment, tick=False):
        result = step()
        db.session.commit()
        return result


@pytest.fixture
def stats_world(app, new_complaint):
    with time_machine.travel(MONDAY - timedelta(days=7), tick=False):
        county = f.county()
        qingshan, yunxi = f.township(county, "青山镇"), f.township(county, "云溪街道")
        xialin, xikou = f.village(qingshan, "下林村"), f.village(yunxi, "溪口村")
        for village in (xialin, xikou):
            f.cadre(Role.VILLAGE_DIRECTOR, village)
            f.cadre(Role.SUPERVISION_LIAISON, village)
        w = {
            "xialin": xialin,
            "xikou": xikou,
            "leader": f.township_staff(Role.TOWNSHIP_LEADER, qingshan),
            "dispatch": f.township_staff(Role.TOWNSHIP_DISPATCHER, qingshan),
            "jiwei": f.township_staff(Role.TOWNSHIP_DISCIPLINE, qingshan),
            "yunxi_leader": f.township_staff(Role.TOWNSHIP_LEADER, yunxi),
            "yunxi_dispatch": f.township_staff(Role.TOWNSHIP_DISPATCHER, yunxi),
            "county": f.county_staff(county),
            "bookkeeper": f.cadre(Role.VILLAGE_BOOKKEEPER, xialin),
            "supervisor": f.cadre(Role.SUPERVISION_MEMBER, xialin),
            "homes": [f.household(xialin) for _ in range(4)],
        }
        catalogue.ensure_default_catalogue(qingshan)
        db.session.commit()
    dispatch, jiwei = _console(w["dispatch"]), _console(w["jiwei"])

    def file(village, category, hour, **extra):
        return _at(MONDAY + timedelta(hours=hour), lambda: new_complaint(village, category, "测试反映内容。", **extra))

    def villager(cid):
        return db.session.get_one(Complaint, cid).filed_by_user_id

    # 下林村, March: A signed after 2 h, replied after 10 h, confirmed (on time), rated 4
    a = file(xialin, "environment", 0)
    _at(MONDAY + timedelta(hours=2), lambda: cases.sign_for(dispatch, a))
    _at(MONDAY + timedelta(hours=10), lambda: cases.reply(dispatch, a, "已清理"))
    _at(MONDAY + timedelta(hours=11), lambda: cases.confirm(villager(a), a, solved=True))
    _at(MONDAY + timedelta(hours=12), lambda: cases.rate(villager(a), a, 4, None))
    # B signed after 4 h, replied after 30 h, not yet confirmed
    b = file(xialin, "environment", 24)
    _at(MONDAY + timedelta(hours=28), lambda: cases.sign_for(dispatch, b))
    _at(MONDAY + timedelta(hours=54), lambda: cases.reply(dispatch, b, "已处理"))
    # C (discipline lane) signed by the discipline office after 6 h
    c = file(xialin, "collective_assets", 48)
    _at(MONDAY + timedelta(hours=54), lambda: cases.sign_for(jiwei, c))
    # D about the township dispatcher: the county's alone
    d = file(xialin, "other", 49, about_role=Role.TOWNSHIP_DISPATCHER.value)
    # F at the village director, never signed: escalated to the township, then signed, replied,
    # confirmed (late), rated 2
    f_ = file(xialin, "dispute", 1)
    _at(MONDAY + timedelta(days=3), sweep)
    _at(MONDAY + timedelta(days=3, hours=1), lambda: cases.sign_for(dispatch, f_))
    _at(MONDAY + timedelta(days=3, hours=2), lambda: cases.reply(dispatch, f_, "已调解"))
    _at(MONDAY + timedelta(days=3, hours=3), lambda: cases.confirm(villager(f_), f_, solved=True))
    _at(MONDAY + timedelta(days=3, hours=4), lambda: cases.rate(villager(f_), f_, 2, None))
    # 溪口村 (云溪街道), March: E signed after 1 h
    e = file(xikou, "environment", 3)
    _at(MONDAY + timedelta(hours=4), lambda: cases.sign_for(_console(w["yunxi_dispatch"]), e))
    # 下林村, April: G filed, nothing more
    g = _at(datetime(2026, 4, 1, 1, 0, tzinfo=UTC), lambda: new_complaint(xialin, "safety", "电线杆倾斜。"))
    w["cases"] = {"A": a, "B": b, "C": c, "D": d, "E": e, "F": f_, "G": g}

    # a disclosure of 下林村 published in March, opened by 3 of its 4 households (one of them twice)
    def publish():
        item = db.session.query(ItemType).filter_by(township_id=qingshan.id, key="party_organisation").one()
        version = workflow.create(
            _wx(w["bookkeeper"]),
            village_id=xialin.id,
            item_type_id=item.id,
            period="2026-Q1",
            title="党组织活动",
            body="三月主题党日。",
        )
        workflow.submit(_wx(w["bookkeeper"]), version.id)
        workflow.approve(_wx(w["supervisor"]), version.id)
        return version.disclosure

    disclosure = _at(MONDAY + timedelta(days=10), publish)
    for home in (*w["homes"][:3], w["homes"][0]):
        _at(MONDAY + timedelta(days=11), lambda home=home: reach.record_view(disclosure, home))
    return w


def _report(account, village=None, first=date(2026, 3, 1), last=date(2026, 4, 1)):
    db.session.commit()
    return statistics.report(_console(account), first=first, last=last, village_id=village.id if village else None)


def test_a_townships_figures_are_its_own_villages_cases_per_village_and_month(stats_world):
    w = stats_world
    report = _report(w["leader"])
    assert report.months == ["2026-03", "2026-04"]
    assert [v.name for v in report.villages] == ["下林村"]  # never 云溪街道's 溪口村
    march = report.cell(w["xialin"].id, "2026-03")
    assert march.filed == 4  # A, B, C, F: not D (about township staff), not E (the other township)
    assert (march.closed, march.on_time, march.on_time_rate) == (2, 1, 0.5)  # A on time, F late
    assert march.escalated == 1  # F
    assert march.median_sign_hours == pytest.approx(5.0)  # A 2, B 4, C 6, F 72 (signed after escalating)
    assert march.median_reply_hours == pytest.approx(30.0)  # A 10, B 30, F 73
    assert march.rating == 3.0 and march.rated == 2
    households = db.session.scalar(select(func.count(Household.id)).where(Household.village_id == w["xialin"].id))
    assert (march.published, march.reached, march.reachable) == (1, 3, households)
    assert march.reach == pytest.approx(3 / households)
    april = report.cell(w["xialin"].id, "2026-04")
    assert (april.filed, april.closed, april.on_time_rate, april.median_sign_hours) == (1, 0, None, None)
    assert report.by_village[w["xialin"].id].filed == 5 and report.total.filed == 5
    assert list(report.by_township) == [w["xialin"].township_id]

    theirs = _report(w["yunxi_leader"])
    assert [v.name for v in theirs.villages] == ["溪口村"] and theirs.total.filed == 1
    assert theirs.total.median_sign_hours == pytest.approx(1.0) and theirs.total.published == 0
    with pytest.raises(NotFound):  # another township's village: absent
        _report(w["yunxi_leader"], w["xialin"])


def test_the_dispatcher_counts_its_service_lane_and_the_county_every_township(stats_world):
    w = stats_world
    dispatcher = _report(w["dispatch"]).cell(w["xialin"].id, "2026-03")
    assert dispatcher.filed == 3  # A, B, F: the command room follows the service lane only
    county = _report(w["county"])
    assert [name for _, name in county.townships] == ["青山镇", "云溪街道"]
    qingshan, yunxi = (county.by_township[t] for t, _ in county.townships)
    assert (qingshan.filed, yunxi.filed) == (6, 1)  # D (about township staff) is the county's
    assert county.total.filed == 7 and county.by_month["2026-03"].filed == 6


def test_nobody_counts_a_case_about_themselves(stats_world):
    w = stats_world
    d = w["cases"]["D"]
    # D is about 青山镇's dispatcher: the county's alone (A, B, C, F, G; the dispatcher's lane: A, B, F, G)
    for account, filed in (("leader", 5), ("dispatch", 4), ("jiwei", 5), ("county", 7)):
        assert _report(w[account]).total.filed == filed, account
    before = _report(w["county"]).total.filed
    # the county's own staff named as the person a case is about: out of their figures too
    db.session.add(ComplaintSubject(complaint_id=d, console_account_id=w["county"].id))
    db.session.commit()
    after = _report(w["county"])
    assert after.total.filed == before - 1
    assert after.by_township[w["xialin"].township_id].filed == 5


def test_a_period_out_of_order_or_too_long_is_refused(stats_world):
    w = stats_world
    for first, last in ((date(2026, 4, 1), date(2026, 3, 1)), (date(2024, 1, 1), date(2026, 1, 1))):
        with pytest.raises(AppError) as refused:
            _report(w["leader"], first=first, last=last)
        assert refused.value.code == "period_invalid"
    assert statistics.months_between(date(2025, 11, 5), date(2026, 2, 1)) == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
