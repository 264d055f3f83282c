"""One `now` per unit of work, under a MOVING clock (time runs while the code runs, as in production).

Escalation stamps `escalated_at` and starts the escalated office's clock in the same step: if those
were two readings of the clock, the later start made `escalated_at >= start` false and the office got
the one-working-day sign clock instead of five working days. A frozen clock hid it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from sqlalchemy import select

from app.clock import SHANGHAI, at, utcnow
from app.domain import workdays
from app.extensions import db
from app.jobs.deadlines import check_complaint
from app.models import Complaint, ComplaintEvent
from tests import factories as f
from tests.helpers.complaints import file_complaint


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.fixture
def moving_clock():
    """Keeps running in real time: no two readings are the same instant. It starts half an hour before
    the tests' first instant (Monday 09:00 Shanghai), so the terms of office complaint_world starts are
    running by then whatever the machine's speed (moving back to the very start of the clock put
    the filing before the terms and routed it elsewhere, on a slow PostgreSQL run)."""
    with time_machine.travel(datetime(2026, 3, 2, 0, 30, tzinfo=UTC), tick=True) as traveller:
        yield traveller


def fresh(complaint_id: int) -> Complaint:
    db.session.commit()
    db.session.expire_all()
    return db.session.get(Complaint, complaint_id)


def escalated_event(complaint_id: int) -> ComplaintEvent:
    return db.session.scalars(
        select(ComplaintEvent).where(ComplaintEvent.complaint_id == complaint_id, ComplaintEvent.kind == "escalated")
    ).one()


def _overdue_case(client, w, moving_clock) -> int:
    moving_clock.move_to(local(2026, 3, 2, 9))  # Monday: a one-working-day sign clock, due Tuesday 09:00
    me = f.login_wx(client, w["villager"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    moving_clock.move_to(local(2026, 3, 3, 9, 5))
    return cid


def _assert_escalation_clock(cid: int) -> None:
    c = fresh(cid)
    assert (c.escalation_level, c.clock_step) == (1, "escalated"), "the escalated office got the sign clock"
    assert c.clock_started_at == c.escalated_at == c.assigned_at == c.overdue_since
    assert c.due_at == workdays.add_working_days(c.escalated_at, 5)  # five working days, not one
    assert escalated_event(cid).created_at == c.escalated_at


def test_the_sweep_escalates_with_five_working_days_under_a_moving_clock(moving_clock, client, runner, complaint_world):
    cid = _overdue_case(client, complaint_world, moving_clock)
    result = runner.invoke(args=["sweep"])
    assert result.exit_code == 0 and "complaint_deadlines: 1" in result.output, result.output
    _assert_escalation_clock(cid)
    # what the villager reads over HTTP
    me = f.login_wx(client, complaint_world["villager"])
    mine = client.get(f"/api/v1/me/complaints/{cid}", headers=f.bearer(me)).get_json()
    assert mine["due_at"].startswith("2026-03-10T09:05")  # Tue 3rd + 5 working days


def test_the_per_case_job_escalates_with_five_working_days_under_a_moving_clock(moving_clock, client, complaint_world):
    cid = _overdue_case(client, complaint_world, moving_clock)
    db.session.commit()
    assert check_complaint(cid) == "escalated"
    _assert_escalation_clock(cid)


def test_every_step_of_a_case_stamps_one_instant_under_a_moving_clock(moving_clock, client, runner, complaint_world):
    """Each transition over HTTP (filing, signing, asking, supplying, replying, reopening, re-dispatching,
    closing) writes its columns and its event at one instant, and starts its clock there."""
    w = complaint_world
    moving_clock.move_to(local(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    director = f.login_wx(client, w["director"])
    dispatcher = f.login_console(client, w["dispatcher"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    steps = [
        ("filed", None),
        ("signed", lambda: client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(director))),
        (
            "asked",
            lambda: client.post(
                f"/api/v1/complaints/{cid}/ask", headers=f.bearer(director), json={"text": "请提供照片"}
            ),
        ),
        (
            "supplied",
            lambda: client.post(f"/api/v1/me/complaints/{cid}/supply", headers=f.bearer(me), json={"text": "已发"}),
        ),
        (
            "replied",
            lambda: client.post(f"/api/v1/complaints/{cid}/reply", headers=f.bearer(director), json={"text": "已处理"}),
        ),
        (
            "reopened",
            lambda: client.post(f"/api/v1/me/complaints/{cid}/confirm", headers=f.bearer(me), json={"solved": False}),
        ),
        (
            "returned",
            lambda: client.post(
                f"/api/v1/complaints/{cid}/send-back", headers=f.bearer(director), json={"reason": "不属于本村职责"}
            ),
        ),
        (
            "redispatched",
            lambda: client.post(
                f"/api/v1/complaints/{cid}/redispatch",
                headers=f.bearer(dispatcher),
                json={"target": "township_dispatch", "reason": "由镇里办理"},
            ),
        ),
    ]
    stamped = {
        "filed": ("filed_at", "assigned_at", "clock_started_at"),
        "signed": ("signed_at",),
        "asked": (),
        "supplied": (),
        "replied": ("replied_at",),
        "reopened": ("assigned_at", "clock_started_at"),
        "returned": ("clock_started_at",),
        "redispatched": ("assigned_at", "clock_started_at"),
    }
    for kind, call in steps:
        if call is not None:
            moving_clock.shift(timedelta(hours=1))
            response = call()
            assert response.status_code == 200, (kind, response.get_json())
        c = fresh(cid)
        event = db.session.scalars(
            select(ComplaintEvent).where(ComplaintEvent.complaint_id == cid).order_by(ComplaintEvent.id.desc()).limit(1)
        ).one()
        assert event.kind == kind
        for column in stamped[kind]:
            assert getattr(c, column) == event.created_at, (kind, column)


def test_a_paused_clock_keeps_its_due_time_exactly_under_a_moving_clock(moving_clock, client, runner, complaint_world):
    """The pause is measured from the case's history: the instant the supply step ends the pause with
    and the instant its event records must be one, or every later step moves the due time."""
    w = complaint_world
    moving_clock.move_to(local(2026, 3, 2, 9))
    me = f.login_wx(client, w["villager"])
    director = f.login_wx(client, w["director"])
    cid = file_complaint(client, me, w["codes"][0]).get_json()["id"]
    client.post(f"/api/v1/complaints/{cid}/sign", headers=f.bearer(director))
    moving_clock.move_to(local(2026, 3, 3, 9))
    client.post(f"/api/v1/complaints/{cid}/ask", headers=f.bearer(director), json={"text": "请提供照片"})
    moving_clock.move_to(local(2026, 3, 5, 9))
    me = f.login_wx(client, w["villager"])
    assert (
        client.post(f"/api/v1/me/complaints/{cid}/supply", headers=f.bearer(me), json={"text": "已发"}).status_code
        == 200
    )
    due = fresh(cid).due_at
    moving_clock.move_to(fresh(cid).remind_at + timedelta(minutes=1))
    assert "complaint_deadlines: 1" in runner.invoke(args=["sweep"]).output
    c = fresh(cid)
    assert c.reminded_at is not None and c.due_at == due


def test_one_instant_per_transaction_and_a_new_one_after_it(moving_clock, app):
    first = utcnow()
    assert utcnow() == first  # the same transaction
    db.session.commit()
    second = utcnow()
    assert second > first
    db.session.rollback()
    assert utcnow() > second
    pinned = local(2026, 5, 1, 12)
    with at(pinned):
        assert utcnow() == pinned
        # in UTC like every utcnow(): a time stamped and hashed with it reads the same once stored
        assert utcnow().utcoffset() == timedelta(0) and pinned.utcoffset() != timedelta(0)
        db.session.commit()
        assert utcnow() == pinned  # pinned across transactions
    assert utcnow() != pinned


WALL_CLOCK_READS = ("datetime.now(", "datetime.utcnow(", "time.time(", "wall_clock(", "date.today(")
# Where reading the real time is the point: the sweep opens its unit of work; WeChat's push
# signature is checked against the real time; the scheduler process compares with RQ's own naive
# lock_acquisition_time (real elapsed time, no unit of work).
ALLOWED = {
    ("app/jobs/sweep.py", "wall_clock("),
    ("app/api/wechat_push.py", "time.time("),
    ("app/jobs/runner.py", "datetime.now("),
}


def test_domain_jobs_and_views_read_time_only_through_the_unit_of_work():
    """The class: no code under app/domain, app/jobs or app/api reads the clock on its own."""
    from pathlib import Path

    root = Path(__file__).resolve().parents[2]
    found = []
    for folder in ("app/domain", "app/jobs", "app/api"):
        for path in sorted((root / folder).rglob("*.py")):
            name = str(path.relative_to(root))
            text = path.read_text(encoding="utf-8")
            found += [(name, read) for read in WALL_CLOCK_READS if read in text and (name, read) not in ALLOWED]
    assert found == []
