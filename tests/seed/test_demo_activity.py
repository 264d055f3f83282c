"""The demo that lives: seed-demo also publishes disclosures of all three kinds, asks questions and
files complaints that end in every state, through the domain under a controlled clock, so the board,
the statistics and the villagers' pages show something on first start (issue 15, item 3)."""

from __future__ import annotations

import re
from collections import Counter
from datetime import UTC, datetime

import pytest
import time_machine
from sqlalchemy import func, select

from app.clock import utcnow
from app.domain.disclosures import chain
from app.domain.disclosures.questions import status_of
from app.extensions import db
from app.jobs.deadlines import sweep_complaints, sweep_questions
from app.models import (
    Complaint,
    ComplaintEvent,
    Disclosure,
    DisclosureVersion,
    DisclosureView,
    Question,
    QuestionEscalation,
)
from app.seed.demo import DEMO_PASSWORD, KINDS, seed_demo
from tests import factories as f

STATES = ("held", "assigned", "returned", "signed", "waiting", "replied", "closed")
RESOLUTIONS = ("solved", "not_confirmed", "rejected", "merged")


def _seed():
    summary = seed_demo(db.session)
    db.session.commit()
    return summary


def _count(model, *where) -> int:
    return db.session.scalar(select(func.count()).select_from(model).where(*where))


def _states_present() -> None:
    """Every state of a case, and the ways a case ends, escalates and goes overdue."""
    cases = db.session.scalars(select(Complaint)).all()
    by_status = Counter(c.status for c in cases)
    assert all(by_status[s] > 0 for s in STATES), by_status
    by_resolution = Counter(c.resolution for c in cases if c.status == "closed")
    assert all(by_resolution[r] > 0 for r in RESOLUTIONS), by_resolution
    levels = Counter(c.escalation_level for c in cases if c.status != "closed")
    assert levels[1] > 0 and levels[2] > 0, levels  # at the township, at the county
    red = [c for c in cases if c.colour == "red"]
    assert red and any(c.colour == "yellow" for c in cases) and any(c.colour == "green" for c in cases)
    # overdue: a clock ran out with no higher level to go to, and the case is still not picked up
    overdue = [c for c in red if c.overdue_since is not None and c.next_check_at is None]
    assert overdue, "an overdue case"
    assert _count(ComplaintEvent, ComplaintEvent.kind == "overdue") > 0
    assert _count(ComplaintEvent, ComplaintEvent.kind == "escalated") > 0
    assert {c.lane for c in cases} == {"service", "discipline"}
    assert any(c.about_role for c in cases) and any(not c.anonymous for c in cases)
    assert any(c.rating for c in cases) and any(c.public_summary for c in cases)
    assert {c.deadline_outcome for c in cases if c.status == "closed"} >= {"on_time", "late"}


def test_the_demo_lives_and_seeding_again_changes_nothing(client):
    first = _seed()
    assert all(first.created[k] > 0 for k in ("disclosure", "question", "complaint"))
    assert first.created["complaint"] == _count(Complaint) and first.created["disclosure"] == _count(Disclosure)
    _states_present()

    # disclosures of the three kinds, every village; finance with tables; one corrected; chain intact
    per_village = Counter(v for (v,) in db.session.execute(select(Disclosure.village_id)))
    assert len(per_village) == 6 and set(per_village.values()) == {6}
    assert {c for (c,) in db.session.execute(select(Disclosure.category).distinct())} == {"party", "village", "finance"}
    finance = db.session.scalars(select(Disclosure).where(Disclosure.category == "finance")).all()
    assert all(d.published_version.line_items for d in finance)
    corrected = db.session.scalars(select(DisclosureVersion).where(DisclosureVersion.number == 2)).all()
    assert len(corrected) == 6 and all(v.correction_reason and v.status == "published" for v in corrected)
    assert all(chain.verify(d.id).ok for d in db.session.scalars(select(Disclosure)))
    assert _count(DisclosureView) > 300  # households opened them: reach

    # public questions: answered, open, overdue (and raised to the township), held for moderation
    now = utcnow()
    statuses = Counter(status_of(q, now) for q in db.session.scalars(select(Question)))
    assert all(statuses[s] > 0 for s in ("answered", "open", "overdue", "held")), statuses
    assert _count(QuestionEscalation) > 0

    # again: nothing new, everything counted as present
    before = {m.__name__: _count(m) for m in (Complaint, ComplaintEvent, Disclosure, DisclosureVersion, Question)}
    second = _seed()
    assert all(second.created[k] == 0 for k in KINDS)
    assert {k: second.present[k] for k in KINDS} == {k: first.created[k] for k in KINDS}
    assert {m.__name__: _count(m) for m in (Complaint, ComplaintEvent, Disclosure, DisclosureVersion, Question)} == (
        before
    )

    # the township's board and statistics have something to show (the API the console reads)
    token = client.post(
        "/api/v1/auth/console-login", json={"username": "qingshan.dispatch", "password": DEMO_PASSWORD}
    ).get_json()["token"]
    board = client.get("/api/v1/monitoring/complaints?view=overdue", headers=f.bearer(token)).get_json()
    assert board["total"] > 0 and any(c["colour"] == "red" for c in board["items"])
    rates = client.get("/api/v1/monitoring/on-time-rates", headers=f.bearer(token)).get_json()
    assert any(r["rate"] is not None for r in rates)


def test_a_demo_households_page_opens_a_finance_disclosure_with_its_table(client):
    summary = _seed()
    door = summary.door_codes[0]
    landing = client.get(f"/h/{door.code}").get_data(as_text=True)
    assert door.village in landing
    links = re.findall(rf'href="(/h/{door.code}/d/\d+)"><strong>([^<]+)</strong>', landing)
    finance = next(path for path, title in links if "财务收支公开" in title)
    page = client.get(finance).get_data(as_text=True)
    assert '<table class="money">' in page and "收入小计" in page and "支出小计" in page
    assert "村务监督委员会成员" in page


@pytest.mark.parametrize(
    "moment",
    [
        datetime(2026, 2, 25, 1, 30, tzinfo=UTC),  # the first working day after the Spring Festival
        datetime(2026, 10, 9, 2, 0, tzinfo=UTC),  # just after National Day (Saturday 10 October is worked)
    ],
    ids=["after-spring-festival", "after-national-day"],
)
def test_the_stories_end_the_same_whatever_the_date_and_the_sweep_has_nothing_left(app, moment):
    """Steps are placed in working days, like the clocks: the holidays do not change how a story ends.
    The demo is what the minute sweep would have left: sweeping at the seed's instant does nothing."""
    with time_machine.travel(moment, tick=False):
        _seed()
        _states_present()
        assert sweep_complaints(utcnow()) == 0
        assert sweep_questions(utcnow()) == 0
