"""三务公开 in the console: per village the calendar, reach and unanswered questions (the API's
figures), and the township's moderation of held questions (the API's release / reject)."""

from __future__ import annotations

import re

from sqlalchemy import func, select

from app.extensions import db
from app.models import ConsoleAccount, Household, Question
from tests import factories as f


def _rows(html: str, section: str) -> str:
    return html.split(f'id="{section}"')[1].split("</section>")[0]


def test_a_villages_page_shows_its_calendar_reach_and_unanswered_questions_as_the_api(
    client, console_world, console_disclosures, console_client
):
    village = console_world.villages["xialin"]
    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == "qingshan.leader"))
    api = f.bearer(f.login_console(client, account))
    html = console_client("qingshan.leader").get(f"/console/disclosures/villages/{village.id}").get_data(as_text=True)

    calendar = client.get(f"/api/v1/villages/{village.id}/calendar", headers=api).get_json()
    shown = re.findall(r'data-status="(\w+)"', _rows(html, "calendar"))
    assert shown == [row["status"] for row in calendar] and "published_late" in shown and "overdue" in shown

    reach = client.get(f"/api/v1/villages/{village.id}/reach", headers=api).get_json()
    households = db.session.scalar(
        select(func.count()).select_from(Household).where(Household.village_id == village.id)
    )
    assert reach["households_total"] == households
    assert reach["disclosures"][0]["households_reached"] == console_disclosures["households_reached"]["xialin"]
    assert f"{reach['disclosures'][0]['households_reached']} / {households}" in _rows(html, "reach")
    assert f"全村 {households} 户中，{reach['households_reached']} 户看过" in html

    questions = _rows(html, "questions")
    overdue = db.session.get(Question, console_disclosures["questions"]["overdue"])
    assert f'data-question="{overdue.id}" data-status="overdue"' in questions and overdue.body in questions
    held = db.session.get(Question, console_disclosures["questions"]["held"])
    assert held.body not in questions  # held: not public, not the village's to answer yet

    # only this status
    late = console_client("qingshan.leader").get(f"/console/disclosures/villages/{village.id}?status=overdue")
    assert set(re.findall(r'data-status="(\w+)"', _rows(late.get_data(as_text=True), "calendar"))) == {"overdue"}


def test_the_township_releases_or_rejects_held_questions(console_world, console_disclosures, console_client):
    dispatcher = console_client("qingshan.dispatch")
    overview = dispatcher.get("/console/disclosures").get_data(as_text=True)
    held_id = console_disclosures["questions"]["held"]
    theirs = console_disclosures["questions"]["yunxi_held"]
    section = _rows(overview, "held-questions")
    assert f'data-question="{held_id}"' in section and f'data-question="{theirs}"' not in section
    assert f'data-question="{console_disclosures["questions"]["overdue"]}"' in _rows(overview, "overdue-questions")

    # a rejection needs its reason: nothing written without one
    refused = dispatcher.post(f"/console/disclosure-questions/{held_id}/reject", {"reason": ""})
    assert refused.status_code == 422 and 'data-code="validation_error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, held_id).moderation == "held"

    released = dispatcher.post(f"/console/disclosure-questions/{held_id}/release")
    assert released.status_code == 303
    page = dispatcher.get(released.headers["Location"]).get_data(as_text=True)
    assert "质询已审核通过并公开" in page and f'data-question="{held_id}"' not in _rows(page, "held-questions")
    db.session.expire_all()
    question = db.session.get(Question, held_id)
    assert question.moderation == "visible" and question.moderated_by_console_account_id is not None

    again = dispatcher.post(f"/console/disclosure-questions/{held_id}/reject", {"reason": "重复"})
    assert again.status_code == 409 and 'data-code="question_not_held"' in again.get_data(as_text=True)

    # the leader reads the township's disclosures but does not moderate
    leader = console_client("qingshan.leader").get("/console/disclosures").get_data(as_text=True)
    assert "本岗位只能查看公开情况" in leader


def test_the_county_rejects_a_held_question_with_its_reason(console_world, console_disclosures, console_client):
    county = console_client("county.jiwei")
    theirs = console_disclosures["questions"]["yunxi_held"]
    section = _rows(county.get("/console/disclosures").get_data(as_text=True), "held-questions")
    assert f'data-question="{theirs}"' in section and "云溪街道（1 条）" in section
    response = county.post(f"/console/disclosure-questions/{theirs}/reject", {"reason": "与公开内容无关"})
    assert response.status_code == 303
    db.session.expire_all()
    question = db.session.get(Question, theirs)
    assert (question.moderation, question.moderation_note) == ("rejected", "与公开内容无关")


def test_a_post_without_its_csrf_token_is_refused(console_world, console_disclosures, console_client):
    dispatcher = console_client("qingshan.dispatch")
    held_id = console_disclosures["questions"]["held"]
    response = dispatcher.client.post(f"/console/disclosure-questions/{held_id}/release")
    assert response.status_code == 400 and 'data-code="csrf_failed"' in response.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Question, held_id).moderation == "held"
