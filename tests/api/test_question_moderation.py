"""Township moderation of questions (质询) the content check held: release (public, the reply period
starts then) or reject (never shown, the reason kept); scoped to the township; replays refused."""

from __future__ import annotations

from datetime import timedelta

from app.extensions import db
from app.models import Question, Role
from tests import factories as f
from tests.helpers.disclosures import publish_one


def _ask(client, token, w, did, body):
    response = client.post(
        f"/api/v1/h/{w['codes'][0]}/disclosures/{did}/questions", headers=f.bearer(token), json={"body": body}
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _public(client, w, did):
    return [q["body"] for q in client.get(f"/api/v1/h/{w['codes'][1]}/disclosures/{did}/questions").get_json()]


def _error(response, status, code):
    assert response.status_code == status and response.get_json()["error"]["code"] == code, response.get_json()


def test_release_makes_a_held_question_public_and_starts_its_reply_period(clock, client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    township = w["village"].township
    dispatcher = f.township_staff(Role.TOWNSHIP_DISPATCHER, township)
    leader = f.township_staff(Role.TOWNSHIP_LEADER, township)
    elsewhere = f.township_staff(Role.TOWNSHIP_DISPATCHER, f.township(township.county))
    county = f.county_staff(township.county)
    asker = f.login_wx(client, w["villager"])
    held = _ask(client, asker, w, did, "【审核】保洁费为什么比上月多？")
    assert held["held_for_review"] is True and held["status"] == "held"

    # held: not public, not on the village's list, not answerable, not counted late
    keeper = f.login_wx(client, w["bookkeeper"])
    assert _public(client, w, did) == []
    assert (
        client.get(f"/api/v1/villages/{w['village'].id}/disclosure-questions", headers=f.bearer(keeper)).get_json()
        == []
    )
    assert (
        client.post(
            f"/api/v1/disclosure-questions/{held['id']}/answer", headers=f.bearer(keeper), json={"answer": "先答"}
        ).status_code
        == 404
    )

    clock.shift(timedelta(days=25))  # past the question's original reply period
    mod = f.login_console(client, dispatcher)
    warnings = client.get(f"/api/v1/townships/{township.id}/disclosure-warnings", headers=f.bearer(mod)).get_json()
    assert next(x for x in warnings if x["village"]["id"] == w["village"].id)["overdue_questions"] == 0
    listed = client.get(f"/api/v1/townships/{township.id}/held-questions", headers=f.bearer(mod)).get_json()
    assert [q["id"] for q in listed] == [held["id"]]
    assert not {"asked_by_user_id", "household_id", "asker"} & set(listed[0])

    # wrong actors: monitoring staff, another township's dispatcher, the asker, the village cadre
    url = f"/api/v1/disclosure-questions/{held['id']}/release"
    assert client.post(url, headers=f.bearer(f.login_console(client, leader))).status_code == 404
    assert (
        client.get(
            f"/api/v1/townships/{township.id}/held-questions", headers=f.bearer(f.login_console(client, leader))
        ).get_json()
        == []
    )
    assert client.post(url, headers=f.bearer(f.login_console(client, elsewhere))).status_code == 404
    _error(client.post(url, headers=f.bearer(f.login_wx(client, w["villager"]))), 403, "wrong_account_kind")
    assert db.session.get(Question, held["id"]).moderation == "held"

    released = client.post(url, headers=f.bearer(mod))
    assert released.status_code == 200, released.get_json()
    out = released.get_json()
    assert out["moderation"] == "visible" and out["status"] == "open"
    assert out["due_at"].startswith("2026-04-16")  # 2026-03-27 + 20 days: the village could not see it before
    _error(client.post(url, headers=f.bearer(mod)), 409, "question_not_held")  # the replay
    _error(
        client.post(
            f"/api/v1/disclosure-questions/{held['id']}/reject", headers=f.bearer(mod), json={"reason": "晚了"}
        ),
        409,
        "question_not_held",
    )
    assert _public(client, w, did) == ["【审核】保洁费为什么比上月多？"]
    keeper = f.login_wx(client, w["bookkeeper"])
    answered = client.post(
        f"/api/v1/disclosure-questions/{held['id']}/answer",
        headers=f.bearer(keeper),
        json={"answer": "本月新增两次集中清运。"},
    )
    assert answered.status_code == 200 and answered.get_json()["status"] == "answered"
    # county staff moderate across the county too
    second = _ask(client, f.login_wx(client, w["villager"]), w, did, "【审核】第二个问题")
    assert (
        client.post(
            f"/api/v1/disclosure-questions/{second['id']}/release", headers=f.bearer(f.login_console(client, county))
        ).status_code
        == 200
    )


def test_reject_keeps_a_held_question_out_of_sight_with_its_reason(clock, client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    township = w["village"].township
    mod = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, township))
    held = _ask(client, f.login_wx(client, w["villager"]), w, did, "【审核】某某拿了回扣")
    url = f"/api/v1/disclosure-questions/{held['id']}/reject"
    _error(client.post(url, headers=f.bearer(mod), json={}), 422, "validation_error")
    _error(client.post(url, headers=f.bearer(mod), json={"reason": "x" * 501}), 422, "validation_error")
    rejected = client.post(url, headers=f.bearer(mod), json={"reason": "点名指控个人，请通过监督一点通实名反映"})
    assert rejected.status_code == 200, rejected.get_json()
    out = rejected.get_json()
    assert (out["moderation"], out["status"]) == ("rejected", "rejected")
    assert out["moderation_note"] == "点名指控个人，请通过监督一点通实名反映" and out["moderated_at"]
    _error(client.post(url, headers=f.bearer(mod), json={"reason": "再拒"}), 409, "question_not_held")  # the replay
    _error(
        client.post(f"/api/v1/disclosure-questions/{held['id']}/release", headers=f.bearer(mod)),
        409,
        "question_not_held",
    )
    assert client.get(f"/api/v1/townships/{township.id}/held-questions", headers=f.bearer(mod)).get_json() == []
    assert _public(client, w, did) == []
    clock.shift(timedelta(days=30))
    mod = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, township))
    warnings = client.get(f"/api/v1/townships/{township.id}/disclosure-warnings", headers=f.bearer(mod)).get_json()
    assert next(x for x in warnings if x["village"]["id"] == w["village"].id)["overdue_questions"] == 0
    keeper = f.login_wx(client, w["bookkeeper"])
    assert (
        client.get(f"/api/v1/villages/{w['village'].id}/disclosure-questions", headers=f.bearer(keeper)).get_json()
        == []
    )
    assert (
        client.post(
            f"/api/v1/disclosure-questions/{held['id']}/answer", headers=f.bearer(keeper), json={"answer": "答"}
        ).status_code
        == 404
    )
    assert (
        client.post(
            "/api/v1/disclosure-questions/999999/reject", headers=f.bearer(mod), json={"reason": "x"}
        ).status_code
        == 404
    )
    question = db.session.get(Question, held["id"])
    assert question.moderated_by_console_account_id is not None
