"""Public questions (质询): asked at the door, answered by the village within 20 days, no identities."""

from __future__ import annotations

from datetime import timedelta

from app.models import Role
from tests import factories as f
from tests.helpers.disclosures import publish_one


def test_ask_answer_and_overdue(clock, client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    code = w["codes"][0]
    asker = f.login_wx(client, w["villager"])
    asked = client.post(
        f"/api/v1/h/{code}/disclosures/{did}/questions",
        headers=f.bearer(asker),
        json={"body": "保洁费为什么比上月多？"},
    )
    assert asked.status_code == 201, asked.get_json()
    question = asked.get_json()
    assert question["status"] == "open" and question["due_at"].startswith("2026-03-22")

    # public to the village, without the asker
    listed = client.get(f"/api/v1/h/{w['codes'][1]}/disclosures/{did}/questions").get_json()
    assert [q["body"] for q in listed] == ["保洁费为什么比上月多？"]
    assert not {"asked_by_user_id", "household_id", "asker"} & set(listed[0])

    clock.shift(timedelta(days=21))
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISCIPLINE, w["village"].township))
    warnings = client.get(
        f"/api/v1/townships/{w['village'].township_id}/disclosure-warnings", headers=f.bearer(staff)
    ).get_json()
    assert next(x for x in warnings if x["village"]["id"] == w["village"].id)["overdue_questions"] == 1
    pending = client.get(f"/api/v1/villages/{w['village'].id}/disclosure-questions", headers=f.bearer(staff))
    assert pending.get_json()[0]["status"] == "overdue"

    # only the village's cadres answer; once
    villager_try = client.post(
        f"/api/v1/disclosure-questions/{question['id']}/answer", headers=f.bearer(asker), json={"answer": "我来答"}
    )
    assert villager_try.status_code == 404
    keeper = f.login_wx(client, w["bookkeeper"])
    answered = client.post(
        f"/api/v1/disclosure-questions/{question['id']}/answer",
        headers=f.bearer(keeper),
        json={"answer": "本月新增两次集中清运。"},
    )
    assert answered.status_code == 200 and answered.get_json()["status"] == "answered"
    again = client.post(
        f"/api/v1/disclosure-questions/{question['id']}/answer", headers=f.bearer(keeper), json={"answer": "再答"}
    )
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_answered"


def test_content_check_and_bad_questions(client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    code = w["codes"][0]
    token = f.login_wx(client, w["villager"])
    url = f"/api/v1/h/{code}/disclosures/{did}/questions"
    risky = client.post(url, headers=f.bearer(token), json={"body": "【违规】内容"})
    assert risky.status_code == 422 and risky.get_json()["error"]["code"] == "content_refused"
    held = client.post(url, headers=f.bearer(token), json={"body": "【审核】这笔钱去哪了"})
    assert held.status_code == 201 and held.get_json()["held_for_review"] is True
    assert client.get(url).get_json() == []  # held questions are not shown until cleared
    assert client.post(url, headers=f.bearer(token), json={"body": ""}).status_code == 422
    assert client.post(url, headers=f.bearer(token), json={"body": "x" * 501}).status_code == 422
    assert client.post(url, json={"body": "未登录"}).status_code == 401
    assert (
        client.post(
            f"/api/v1/h/{code}/disclosures/999999/questions", headers=f.bearer(token), json={"body": "不存在"}
        ).status_code
        == 404
    )
    for _ in range(9):
        client.post(url, headers=f.bearer(token), json={"body": "再问一次"})
    limited = client.post(url, headers=f.bearer(token), json={"body": "还问"})
    assert limited.status_code == 429 and limited.get_json()["error"]["code"] == "rate_limited"
