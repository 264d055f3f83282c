"""Deadlines and escalation over HTTP under a controlled clock: the National Day week and a make-up
working day, reminder → village → township → county, pause and resume, reopening, policy changes,
follow-up expiry, on-time rates, monitoring and its Excel export, questions escalating."""

from __future__ import annotations

import io
from datetime import datetime, timedelta

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from app.clock import SHANGHAI
from app.extensions import db
from app.models import Complaint, ComplaintEvent, Question, QuestionEscalation, Role
from tests import factories as f
from tests.helpers.complaints import file_complaint, inbox_ids
from tests.helpers.disclosures import publish_one


def at(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


def sweep(runner) -> str:
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0, result.output
    return result.output


def case(complaint_id: int) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, complaint_id)


def events(complaint_id: int, kind: str) -> int:
    return db.session.scalar(
        select(func.count())
        .select_from(ComplaintEvent)
        .where(ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.kind == kind)
    )


def test_national_day_week_reminder_then_township_then_county(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 9, 30, 10))  # Wednesday before the National Day week
    me = f.login_wx(client, w["villager"])
    filed = file_complaint(client, me, w["codes"][0]).get_json()  # a dispute → the village director
    cid = filed["id"]
    assert filed["handler"] == "村委会主任" and filed["clock_step"] == "sign"
    assert filed["due_at"] == "2026-10-08T10:00:00+08:00"  # Oct 1-7 are off: one working day is the 8th

    clock.move_to(at(2026, 9, 30, 23))  # halfway through the one-day clock: the reminder
    assert "complaint_deadlines: 1" in sweep(runner)
    assert events(cid, "reminded") == 1 and case(cid).status == "assigned"
    sweep(runner)
    assert events(cid, "reminded") == 1  # once per clock

    clock.move_to(at(2026, 10, 8, 9, 59))
    sweep(runner)
    assert case(cid).escalation_level == 0
    clock.move_to(at(2026, 10, 8, 10, 1))
    sweep(runner)
    c = case(cid)
    assert (c.escalation_level, c.handler_kind, c.status, c.colour) == (1, "township_dispatch", "assigned", "red")
    director = f.login_wx(client, w["director"])
    dispatcher = f.login_console(client, w["dispatcher"])
    assert cid not in inbox_ids(client, director) and cid in inbox_ids(client, dispatcher)
    mine = client.get(f"/api/v1/me/complaints/{cid}", headers=f.bearer(me)).get_json()
    assert mine["events"][-1]["kind"] == "escalated" and "镇四平台" in mine["events"][-1]["public_note"]
    assert mine["escalation_level"] == 1
    # five more working days: Fri 9, Sat 10 (make-up day), Mon 12, Tue 13, Wed 14
    assert mine["due_at"] == "2026-10-14T10:01:00+08:00"

    clock.move_to(at(2026, 10, 8, 11))
    assert client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(dispatcher)).status_code == 200
    assert case(cid).colour == "yellow"
    assert case(cid).due_at == at(2026, 10, 14, 10, 1)  # signing does not stop the escalation clock

    clock.move_to(at(2026, 10, 14, 10, 2))
    sweep(runner)
    sweep(runner)
    c = case(cid)
    assert (c.escalation_level, c.handler_kind, c.colour) == (2, "county", "red")
    assert events(cid, "escalated") == 2
    county = f.login_console(client, w["county"])
    assert cid in inbox_ids(client, county)
    # the township still sees it on its monitoring list, red
    dispatcher = f.login_console(client, w["dispatcher"])  # days later: a new console session
    listed = client.get("/api/v1/monitoring/complaints", headers=f.bearer(dispatcher)).get_json()
    assert [(i["id"], i["colour"], i["escalation_level"]) for i in listed["items"]] == [(cid, "red", 2)]
    # at the top, overdue once more → it stays red, nothing fires again
    clock.move_to(at(2026, 10, 30, 12))
    sweep(runner)
    sweep(runner)
    assert events(cid, "overdue") == 1 and case(cid).next_check_at is None and case(cid).colour == "red"


def test_waiting_for_the_villager_pauses_the_clock(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))  # Monday
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    director = f.login_wx(client, w["director"])
    clock.move_to(at(2026, 3, 2, 9, 30))
    signed = client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(director)).get_json()
    assert signed["clock_step"] == "handle" and signed["due_at"] == "2026-03-11T09:00:00+08:00"  # 7 working days

    clock.move_to(at(2026, 3, 3, 9))
    asked = client.post(
        f"/api/v1/complaints/{cid}/ask", headers=f.bearer(director), json={"text": "请提供围墙位置照片"}
    )
    assert asked.status_code == 200 and asked.get_json()["status"] == "waiting"
    clock.move_to(at(2026, 3, 12, 8))  # past the original due time, but the case is waiting
    sweep(runner)
    assert case(cid).escalation_level == 0 and case(cid).status == "waiting"

    clock.move_to(at(2026, 3, 5, 9))  # (time goes on from the ask: two working days of waiting)
    supplied = client.post(f"/api/v1/me/complaints/{cid}/supply", headers=f.bearer(me), json={"text": "照片已发"})
    assert supplied.status_code == 200 and supplied.get_json()["status"] == "signed"
    assert supplied.get_json()["due_at"] == "2026-03-13T09:00:00+08:00"  # 11th + the 2 working days paused
    # the villager's words are for the office, not the public timeline
    timeline = client.get(f"/api/v1/me/complaints/{cid}", headers=f.bearer(me)).get_json()["events"]
    assert "照片已发" not in str(timeline)

    # waiting too long: the office resumes on its own
    clock.move_to(at(2026, 3, 6, 9))
    client.post(f"/api/v1/complaints/{cid}/ask", headers=f.bearer(director), json={"text": "还需要邻居姓名"})
    clock.move_to(at(2026, 3, 17, 9, 1))  # 7 working days later
    sweep(runner)
    assert case(cid).status == "signed" and events(cid, "resumed") == 1


def test_reopening_does_not_fire_an_instant_overdue(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    director = f.login_wx(client, w["director"])
    client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(director))
    clock.move_to(at(2026, 3, 10, 9))
    client.post(f"/api/v1/complaints/{cid}/reply", headers=f.bearer(director), json={"text": "已协调拆除"})
    clock.move_to(at(2026, 3, 20, 9))  # long after the first clock's due time (11th)
    reopened = client.post(f"/api/v1/me/complaints/{cid}/confirm", headers=f.bearer(me), json={"solved": False})
    assert reopened.get_json()["status"] == "assigned"
    sweep(runner)
    c = case(cid)
    assert (c.status, c.escalation_level, c.colour, c.overdue_since) == ("assigned", 0, None, None)
    assert c.due_at == at(2026, 3, 23, 9)  # a new one-working-day clock from the reopening (Fri → Mon)


def test_changing_a_policy_recomputes_open_cases(clock, client, runner, complaint_world):
    """A longer policy governs the cases that reach an office after it; a shorter one also shortens
    the clocks already running (see tests/api/test_deadline_policy_changes.py)."""
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    assert case(cid).due_at == at(2026, 3, 3, 9)
    leader = f.login_console(client, w["leader"])
    url = f"/api/v1/townships/{w['township'].id}/deadline-policies/service"
    body = {
        "sign": {"amount": 3, "unit": "working_days"},
        "handle": {"amount": 10, "unit": "working_days"},
        "follow_up": {"amount": 7, "unit": "working_days"},
    }
    clock.move_to(at(2026, 3, 2, 9, 1))
    changed = client.put(url, headers=f.bearer(leader), json=body)
    assert changed.status_code == 200, changed.get_json()
    assert (changed.get_json()["changed"], changed.get_json()["recomputed"]) == (True, 0)
    assert case(cid).due_at == at(2026, 3, 3, 9)  # a running clock is never lengthened
    clock.move_to(at(2026, 3, 2, 9, 2))
    later = file_complaint(client, me, w["codes"][0], description="第二件：路灯坏了很久没人修").get_json()["id"]
    assert case(later).due_at == at(2026, 3, 5, 9, 2)  # the new policy governs what arrives after it
    clock.move_to(at(2026, 3, 2, 9, 3))
    shorter = client.put(url, headers=f.bearer(leader), json={**body, "sign": {"amount": 2, "unit": "working_days"}})
    assert shorter.get_json()["recomputed"] == 1
    listed = client.get(f"/api/v1/townships/{w['township'].id}/deadline-policies", headers=f.bearer(leader)).get_json()
    assert listed["live"]["service"]["sign"] == {"amount": 2, "unit": "working_days", "label": "2个工作日"}
    assert listed["live"]["discipline"]["policy_id"] is None  # the default
    assert [r["deactivated_at"] is None for r in listed["history"]] == [False, True]
    assert (case(cid).due_at, case(later).due_at) == (at(2026, 3, 3, 9), at(2026, 3, 4, 9, 2))
    # bad policies: clear errors, nothing written
    for bad, code in (
        ({**body, "sign": {"amount": 0, "unit": "working_days"}}, "invalid_amount"),
        ({**body, "sign": {"amount": 20, "unit": "working_days"}}, "sign_after_handle"),
        ({**body, "sign": {"amount": 1, "unit": "weeks"}}, "validation_error"),
        ({**body, "remind_working_days": 0}, "invalid_amount"),
    ):
        response = client.put(url, headers=f.bearer(leader), json=bad)
        assert response.status_code == 422 and response.get_json()["error"]["code"] == code, response.get_json()
    assert client.put(url.replace("service", "nonsense"), headers=f.bearer(leader), json=body).status_code == 422
    villager_try = client.put(url, headers=f.bearer(f.login_console(client, w["county"])), json=body)
    assert villager_try.status_code == 200  # county staff may set a township's policy
    director = f.login_wx(client, w["director"])
    assert client.put(url, headers=f.bearer(director), json=body).status_code == 403


def test_unconfirmed_replies_close_and_outcomes_are_frozen(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    director = f.login_wx(client, w["director"])
    ids = []
    for n in range(6):
        cid = file_complaint(
            client,
            me if n < 5 else f.login_wx(client, w["neighbour"]),
            w["codes"][0 if n < 5 else 1],
            description=f"第{n}件：路灯坏了很久没人修",
        ).get_json()["id"]
        client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(director))
        ids.append(cid)
    clock.move_to(at(2026, 3, 5, 9))
    for cid in ids[:5]:
        client.post(f"/api/v1/complaints/{cid}/reply", headers=f.bearer(director), json={"text": "已修好"})
    clock.move_to(at(2026, 3, 13, 9))  # the 6th is past its handle time (11th): escalated
    sweep(runner)
    assert case(ids[5]).escalation_level == 1
    clock.move_to(at(2026, 3, 16, 9, 1))  # 7 working days after the replies: closed, not confirmed
    sweep(runner)
    for cid in ids[:5]:
        c = case(cid)
        assert (c.status, c.resolution, c.deadline_outcome, c.colour) == ("closed", "not_confirmed", "on_time", "green")
    leader = f.login_console(client, w["leader"])
    rates = client.get("/api/v1/monitoring/on-time-rates", headers=f.bearer(leader)).get_json()
    assert rates == [
        {
            "village_id": w["village"].id,
            "village_name": w["village"].name,
            "closed": 5,
            "on_time": 5,
            "open_overdue": 1,
            "rate": 1.0,
        }
    ]
    few = client.get("/api/v1/monitoring/on-time-rates?min_cases=6", headers=f.bearer(leader)).get_json()
    assert few[0]["rate"] is None  # too few closed cases to rate


def test_monitoring_filters_and_excel_export(clock, client, runner, complaint_world):
    w = complaint_world
    clock.move_to(at(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    late = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    fire = file_complaint(client, me, w["codes"][0], category="safety", description="村口堆放易燃杂物").get_json()["id"]
    about_head = file_complaint(
        client,
        me,
        w["codes"][0],
        category="collective_assets",
        about_role="village_director",
        description="村主任把集体厂房低价租给亲戚",
    ).get_json()["id"]
    clock.move_to(at(2026, 3, 3, 3))  # Tuesday 03:00: the reminders are out, nothing due yet
    sweep(runner)
    leader = f.login_console(client, w["leader"])
    risk = client.get("/api/v1/monitoring/complaints?view=at_risk", headers=f.bearer(leader)).get_json()
    assert {i["id"] for i in risk["items"]} == {late, fire}
    clock.move_to(at(2026, 3, 3, 9, 5))
    sweep(runner)
    red = client.get("/api/v1/monitoring/complaints?colour=red", headers=f.bearer(leader)).get_json()
    assert {i["id"] for i in red["items"]} == {late, fire}
    only_dispute = client.get(
        "/api/v1/monitoring/complaints",
        headers=f.bearer(leader),
        query_string={"category": "dispute", "village_id": w["village"].id},
    ).get_json()
    assert [i["id"] for i in only_dispute["items"]] == [late]
    assert "description" not in only_dispute["items"][0] and "contact_name" not in only_dispute["items"][0]
    old = client.get("/api/v1/monitoring/complaints?min_age_days=30", headers=f.bearer(leader)).get_json()
    assert old["total"] == 0
    assert client.get("/api/v1/monitoring/complaints?colour=purple", headers=f.bearer(leader)).status_code == 422
    # the village head, subject of one case, never sees or counts it — nor may cadres monitor at all
    head = f.login_wx(client, w["director"])
    assert client.get("/api/v1/monitoring/complaints", headers=f.bearer(head)).status_code == 403

    sheet = client.get("/api/v1/monitoring/complaints.xlsx?view=open", headers=f.bearer(leader))
    assert sheet.status_code == 200 and sheet.mimetype.endswith("spreadsheetml.sheet")
    rows = list(load_workbook(io.BytesIO(sheet.data)).active.iter_rows(values_only=True))
    assert rows[0][:5] == ("编号", "村", "类别", "状态", "预警")
    by_ref = {r[0]: r for r in rows[1:]}
    assert len(by_ref) == 3 and by_ref[case(late).reference][4] == "红"
    assert by_ref[case(about_head).reference][2] == "三资管理"


def test_unanswered_questions_climb_to_township_then_county_once(clock, client, runner, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    asker = f.login_wx(client, w["villager"])
    asked = client.post(
        f"/api/v1/h/{w['codes'][0]}/disclosures/{did}/questions",
        headers=f.bearer(asker),
        json={"body": "保洁费为什么比上月多？"},
    ).get_json()
    qid = asked["id"]
    clock.shift(timedelta(days=20, minutes=1))
    sweep(runner)
    sweep(runner)
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISCIPLINE, w["village"].township))
    listed = client.get("/api/v1/monitoring/questions", headers=f.bearer(staff)).get_json()
    assert [(q["id"], q["escalation_level"]) for q in listed] == [(qid, 1)]
    clock.shift(timedelta(days=8))  # more than five working days
    sweep(runner)
    clock.shift(timedelta(days=30))
    sweep(runner)
    levels = db.session.scalars(select(QuestionEscalation.level).where(QuestionEscalation.question_id == qid)).all()
    assert sorted(levels) == [1, 2]
    assert db.session.get(Question, qid).next_check_at is None


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/monitoring/complaints",
        "/api/v1/monitoring/on-time-rates",
        "/api/v1/monitoring/questions",
        "/api/v1/monitoring/complaints.xlsx",
    ],
)
def test_monitoring_needs_a_console_account(client, complaint_world, path):
    assert client.get(path).status_code == 401
    token = f.login_wx(client, complaint_world["villager"])
    assert client.get(path, headers=f.bearer(token)).status_code == 403
