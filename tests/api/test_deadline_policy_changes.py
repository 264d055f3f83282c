"""Deadline policy changes cannot stall a clock (issue 12 item 5), and what they report is counted over
what the caller may read (item 3).

A clock runs under the policy in force when it started; a later policy can only shorten it. The
county's cases run under the defaults, whatever the township sets. Saving the live policy unchanged
writes nothing. Every change is in the history with who made it and who replaced it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from app.clock import SHANGHAI
from app.domain import workdays
from app.extensions import db
from app.models import Complaint, DeadlinePolicy
from tests import factories as f
from tests.helpers.complaints import file_complaint

DEFAULT_SERVICE = {
    "sign": {"amount": 1, "unit": "working_days"},
    "handle": {"amount": 7, "unit": "working_days"},
    "follow_up": {"amount": 7, "unit": "working_days"},
    "remind_working_days": 1,
    "escalate_working_days": 5,
}
LONG = {
    **DEFAULT_SERVICE,
    "sign": {"amount": 120, "unit": "working_days"},
    "handle": {"amount": 120, "unit": "working_days"},
}


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def case(complaint_id: int) -> Complaint:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Complaint, complaint_id)


def clock_of(complaint_id: int) -> tuple:
    c = case(complaint_id)
    return c.version, c.clock_started_at, c.due_at, c.remind_at, c.next_check_at


def put(client, token, township_id: int, lane: str, body: dict) -> dict:
    response = client.put(
        f"/api/v1/townships/{township_id}/deadline-policies/{lane}", headers=f.bearer(token), json=body
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def history_rows(township_id: int) -> int:
    return db.session.scalar(
        select(func.count()).select_from(DeadlinePolicy).where(DeadlinePolicy.township_id == township_id)
    )


def test_resaving_an_unchanged_policy_changes_nothing(clock, client, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    before = clock_of(cid)
    leader = f.login_console(client, w["leader"])
    clock.move_to(at(2026, 3, 2, 16))  # later that day: a restarted sign clock would be due tomorrow 16:00
    same_as_default = put(client, leader, w["township"].id, "service", DEFAULT_SERVICE)
    assert (same_as_default["changed"], same_as_default["recomputed"], same_as_default["policy"]) == (False, 0, None)
    assert clock_of(cid) == before and history_rows(w["township"].id) == 0
    # a real change, then the same body again
    tighter = {**DEFAULT_SERVICE, "handle": {"amount": 5, "unit": "working_days"}}
    first = put(client, leader, w["township"].id, "service", tighter)
    assert first["changed"] is True
    after_change = clock_of(cid)
    assert after_change == before  # the sign clock is not touched by a handle change
    clock.move_to(at(2026, 3, 2, 17))
    again = put(client, leader, w["township"].id, "service", tighter)
    assert (again["changed"], again["recomputed"], again["policy"]["id"]) == (False, 0, first["policy"]["id"])
    assert clock_of(cid) == before and history_rows(w["township"].id) == 1


def test_a_longer_policy_never_lengthens_a_running_clock(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    director = f.login_wx(client, w["director"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(director))
    due = case(cid).due_at
    assert due == at(2026, 3, 11, 9)  # seven working days
    clock.move_to(at(2026, 3, 3, 9))
    dispatcher = f.login_console(client, w["dispatcher"])
    changed = put(client, dispatcher, w["township"].id, "service", LONG)
    assert (changed["changed"], changed["recomputed"]) == (True, 0)
    assert case(cid).due_at == due
    # the next step of the same case still runs under the policy it started with
    clock.move_to(at(2026, 3, 4, 9))
    client.post(f"/api/v1/complaints/{cid}/ask", headers=f.bearer(director), json={"text": "请补充照片"})
    client.post(f"/api/v1/me/complaints/{cid}/supply", headers=f.bearer(me), json={"text": "已补充"})
    assert case(cid).due_at == due
    # and it escalates on time
    clock.move_to(at(2026, 3, 11, 9, 1))
    runner.invoke(args=["sweep"])
    assert case(cid).escalation_level == 1
    # a case arriving after the change runs under it
    later = file_complaint(client, me, w["codes"][0], description="第二件：路灯坏了很久没人修").get_json()["id"]
    assert case(later).due_at == workdays.add_working_days(case(later).clock_started_at, 120)


def test_a_shorter_policy_shortens_running_clocks_and_is_counted_for_who_may_read_them(clock, client, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    service = file_complaint(client, me, w["codes"][0]).get_json()["id"]  # dispute → the village director
    discipline = file_complaint(
        client, me, w["codes"][0], category="collective_assets", description="村集体厂房租金去年没有公开，去向不明。"
    ).get_json()["id"]
    assert case(discipline).due_at == at(2026, 3, 17, 9)  # 15 days
    clock.move_to(at(2026, 3, 2, 10))
    # the discipline lane's policy is the discipline office's: shortening it shortens the running case
    short_discipline = {
        "sign": {"amount": 5, "unit": "days"},
        "handle": {"amount": 30, "unit": "days"},
        "follow_up": {"amount": 7, "unit": "working_days"},
    }
    discipline_office = f.login_console(client, w["discipline"])
    changed = put(client, discipline_office, w["township"].id, "discipline", short_discipline)
    assert (changed["changed"], changed["recomputed"]) == (True, 1)
    assert case(discipline).due_at == at(2026, 3, 7, 9)  # same start, shorter clock
    clock.move_to(at(2026, 3, 2, 11))
    shorter = put(
        client,
        f.login_console(client, w["county"]),
        w["township"].id,
        "discipline",
        {**short_discipline, "sign": {"amount": 3, "unit": "days"}},
    )
    assert shorter["recomputed"] == 1  # the county over both lanes
    assert case(discipline).due_at == at(2026, 3, 5, 9)
    assert case(service).due_at == at(2026, 3, 3, 9)  # the other lane untouched


def test_the_dispatcher_cannot_move_the_countys_clock_on_a_case_about_the_dispatcher(clock, client, complaint_world):
    """The finding: the dispatcher set 120 working days and moved the county's due date on a case about
    the dispatcher by five months."""
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(
        client,
        me,
        w["codes"][0],
        about_role="township_dispatcher",
        description="镇四平台调度员收受好处，压着我的事不派。",
    ).get_json()["id"]
    c = case(cid)
    assert c.handler_kind == "county" and c.due_at == at(2026, 3, 3, 9)
    before = clock_of(cid)
    clock.move_to(at(2026, 3, 2, 10))
    dispatcher = f.login_console(client, w["dispatcher"])
    changed = put(client, dispatcher, w["township"].id, "service", LONG)
    assert (changed["changed"], changed["recomputed"]) == (True, 0)
    assert clock_of(cid) == before
    # the county's next clock runs under the defaults, not the township's 120 working days
    county = f.login_console(client, w["county"])
    clock.move_to(at(2026, 3, 2, 11))
    assert client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(county)).status_code == 200
    assert case(cid).due_at == at(2026, 3, 11, 9)  # seven working days from the filing
    # even a shorter township policy never reaches the county's case
    put(
        client,
        dispatcher,
        w["township"].id,
        "service",
        {**DEFAULT_SERVICE, "handle": {"amount": 2, "unit": "hours"}, "sign": {"amount": 1, "unit": "hours"}},
    )
    assert case(cid).due_at == at(2026, 3, 11, 9)


def test_a_case_escalated_to_the_county_keeps_the_defaults(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(client, me, w["codes"][0], category="safety", description="村口堆放易燃杂物").get_json()["id"]
    clock.move_to(at(2026, 3, 3, 9, 1))  # the dispatcher's sign clock ran out: escalated to the county
    runner.invoke(args=["sweep"])
    c = case(cid)
    assert (c.handler_kind, c.clock_step) == ("county", "escalated")
    before = clock_of(cid)
    dispatcher = f.login_console(client, w["dispatcher"])
    clock.move_to(at(2026, 3, 3, 10))
    put(client, dispatcher, w["township"].id, "service", {**DEFAULT_SERVICE, "escalate_working_days": 1})
    assert clock_of(cid) == before


def test_every_change_is_in_the_history_with_who_and_when(clock, client, complaint_world):
    w = complaint_world
    township = w["township"].id
    clock.move_to(at(2026, 3, 2, 9))
    leader = f.login_console(client, w["leader"])
    put(client, leader, township, "service", {**DEFAULT_SERVICE, "handle": {"amount": 5, "unit": "working_days"}})
    clock.move_to(at(2026, 3, 3, 9))
    leader, dispatcher = f.login_console(client, w["leader"]), f.login_console(client, w["dispatcher"])
    put(client, dispatcher, township, "service", {**DEFAULT_SERVICE, "handle": {"amount": 4, "unit": "working_days"}})
    put(client, dispatcher, township, "service", {**DEFAULT_SERVICE, "handle": {"amount": 4, "unit": "working_days"}})
    listed = client.get(f"/api/v1/townships/{township}/deadline-policies", headers=f.bearer(leader)).get_json()
    rows = [
        (r["handle"]["amount"], r["created_by"], r["created_at"], r["deactivated_by"], r["deactivated_at"])
        for r in listed["history"]
    ]
    assert rows == [
        (5, w["leader"].username, "2026-03-02T09:00:00+08:00", w["dispatcher"].username, "2026-03-03T09:00:00+08:00"),
        (4, w["dispatcher"].username, "2026-03-03T09:00:00+08:00", None, None),
    ]


# Who may set which lane's clock, for every seat that can reach a township's policies (issue 12 item 2's
# class: no office sets another office's terms). Another township's offices see the township as absent.
LANE_OWNERS = {"service": {"leader", "dispatcher", "county"}, "discipline": {"discipline", "county"}}


def test_every_seat_sets_only_its_own_lanes_clock(clock, client, complaint_world):
    from app.domain import authz
    from app.domain.deadlines.policy import LANES
    from app.models import Role

    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    assert set(LANES) == set(LANE_OWNERS) and all(f"deadline_policy.{lane}" in authz.PERMISSIONS for lane in LANES)
    other = f.township(w["township"].county)
    seats = {name: f.login_console(client, w[name]) for name in ("leader", "dispatcher", "discipline", "county")}
    seats["assets"] = f.login_console(client, f.township_staff(Role.TOWNSHIP_ASSETS, w["township"]))
    seats |= {
        f"other {role.value}": f.login_console(client, f.township_staff(role, other))
        for role in (Role.TOWNSHIP_LEADER, Role.TOWNSHIP_DISPATCHER, Role.TOWNSHIP_DISCIPLINE)
    }
    seats["villager"] = f.login_wx(client, w["villager"])
    seats["director"] = f.login_wx(client, w["director"])
    url = f"/api/v1/townships/{w['township'].id}/deadline-policies"
    for name, token in seats.items():
        listed = client.get(url, headers=f.bearer(token))
        expected_read = (
            200
            if name in ("leader", "dispatcher", "discipline", "county", "assets")
            else (403 if name in ("villager", "director") else 404)
        )
        assert listed.status_code == expected_read, (name, listed.get_json())
        for lane in LANES:
            minutes = len(seats) * 2 + list(LANES).index(lane)  # a different policy per attempt
            body = {
                **DEFAULT_SERVICE,
                "handle": {"amount": 100 + minutes, "unit": "hours"},
                "sign": {"amount": 1, "unit": "hours"},
            }
            before = history_rows(w["township"].id)
            answer = client.put(f"{url}/{lane}", headers=f.bearer(token), json=body)
            if name in LANE_OWNERS[lane]:
                assert answer.status_code == 200, (name, lane, answer.get_json())
            else:
                assert answer.status_code in (403, 404), (name, lane, answer.get_json())
                assert history_rows(w["township"].id) == before, (name, lane)
            if name.startswith("other"):
                assert answer.status_code == 404, (name, lane)  # another township's: as if absent
            elif name in ("villager", "director"):
                assert answer.get_json()["error"]["code"] == "wrong_account_kind", (name, lane)
            elif name not in LANE_OWNERS[lane]:
                assert answer.get_json()["error"]["code"] == "lane_not_yours", (name, lane)
