"""我的质询: a villager's own public questions (GET /me/disclosure-questions), the optional real name
(实名, seen by the asker and the officers, never the village), and the subscribe message telling the
asker their question was answered — once per answer, however often the jobs and the sweep run."""

from __future__ import annotations

from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

import requests
from sqlalchemy import select

from app.clock import utcnow
from app.extensions import db
from app.jobs import notifications as sending
from app.jobs import queue
from app.models import Notification, Role
from tests import factories as f
from tests.helpers.disclosures import publish_one
from tests.helpers.jobs import run_queued_jobs

ANSWER = "本月新增两次集中清运，保洁费因此增加，清运合同已在村委会公示栏张贴。"


def _ask(client, token, code, did, **body):
    return client.post(f"/api/v1/h/{code}/disclosures/{did}/questions", headers=f.bearer(token), json=body)


def _answer(client, token, question_id, text=ANSWER):
    return client.post(
        f"/api/v1/disclosure-questions/{question_id}/answer", headers=f.bearer(token), json={"answer": text}
    )


def _mine(client, token):
    response = client.get("/api/v1/me/disclosure-questions", headers=f.bearer(token))
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _values(message) -> dict[str, str]:
    return {key: item["value"] for key, item in message["data"].items()}


def test_the_asker_sees_their_questions_with_state_due_date_and_answer(clock, client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    code = w["codes"][0]
    me = f.login_wx(client, w["villager"])

    asked = _ask(client, me, code, did, body="保洁费为什么比上月多？", real_name="王秀英")
    assert asked.status_code == 201, asked.get_json()
    first = asked.get_json()
    assert first["asker_name"] == "王秀英" and first["status"] == "open"
    assert first["disclosure"] == {
        "id": did,
        "title": "2026年2月财务收支公开",
        "category": "finance",
        "period": "2026-02",
    }
    clock.shift(timedelta(hours=1))
    held = _ask(client, me, code, did, body="【审核】这笔钱去哪了").get_json()  # anonymous, held by the check

    mine = _mine(client, me)
    assert [q["id"] for q in mine] == [held["id"], first["id"]]  # newest first
    assert [(q["status"], q["asker_name"]) for q in mine] == [("held", None), ("open", "王秀英")]
    assert mine[1]["due_at"].startswith("2026-03-22")  # 20 days from 2026-03-02 (QUESTION_REPLY_DAYS)

    # the village sees the question, never the name; the officers who answer see the name
    public = client.get(f"/api/v1/h/{w['codes'][1]}/disclosures/{did}/questions").get_json()
    assert [q["body"] for q in public] == ["保洁费为什么比上月多？"]
    assert "asker_name" not in public[0] and "王秀英" not in str(public)
    keeper = f.login_wx(client, w["bookkeeper"])
    listed = client.get(f"/api/v1/villages/{w['village'].id}/disclosure-questions", headers=f.bearer(keeper))
    assert [q["asker_name"] for q in listed.get_json()] == ["王秀英"]

    answered = _answer(client, keeper, first["id"])
    assert answered.status_code == 200 and answered.get_json()["asker_name"] == "王秀英"
    now_mine = {q["id"]: q for q in _mine(client, me)}
    assert now_mine[first["id"]]["status"] == "answered" and now_mine[first["id"]]["answer"] == ANSWER
    assert now_mine[first["id"]]["answered_at"] is not None

    # rejected by township moderation: the asker sees that it was not published
    moderator = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, w["village"].township))
    rejected = client.post(
        f"/api/v1/disclosure-questions/{held['id']}/reject", headers=f.bearer(moderator), json={"reason": "与公开无关"}
    )
    assert rejected.status_code == 200, rejected.get_json()
    assert {q["id"]: q["status"] for q in _mine(client, me)}[held["id"]] == "rejected"


def test_only_the_asker_sees_their_questions(client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    me = f.login_wx(client, w["villager"])
    assert _ask(client, me, w["codes"][0], did, body="账目能否再细一些？", real_name="王秀英").status_code == 201

    neighbour = f.login_wx(client, f.villager(w["homes"][1]))
    assert _mine(client, neighbour) == []
    # a cadre of the same village, or the one who will answer it: not theirs either
    assert _mine(client, f.login_wx(client, w["bookkeeper"])) == []
    # township staff in the console: the list is for WeChat users; nobody else's questions leak
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISCIPLINE, w["village"].township))
    as_staff = client.get("/api/v1/me/disclosure-questions", headers=f.bearer(staff))
    assert as_staff.status_code in (401, 403) and "账目" not in as_staff.get_data(as_text=True)
    assert client.get("/api/v1/me/disclosure-questions").status_code == 401
    assert [q["body"] for q in _mine(client, me)] == ["账目能否再细一些？"]


def test_a_real_name_is_checked_like_any_text(client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    me = f.login_wx(client, w["villager"])
    for bad in ("", "x" * 21, "王\n秀英", 12):
        response = _ask(client, me, w["codes"][0], did, body="问一下", real_name=bad)
        assert response.status_code == 422, (bad, response.get_json())
        assert "real_name" in response.get_json()["error"]["fields"]
    assert _mine(client, me) == []


def test_the_asker_is_told_of_the_answer_once(clock, client, village_world, wechat_sandbox):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    me = f.login_wx(client, w["villager"])
    question = _ask(client, me, w["codes"][0], did, body="保洁费为什么比上月多？").get_json()
    run_queued_jobs()
    assert wechat_sandbox.messages() == []  # asking tells nobody

    keeper = f.login_wx(client, w["bookkeeper"])
    clock.shift(timedelta(days=3))
    assert _answer(client, keeper, question["id"]).status_code == 200
    assert queue().job_ids  # queued after the commit
    run_queued_jobs()
    [told] = wechat_sandbox.messages()
    assert (told["touser"], told["template_id"], told["page"]) == (
        w["villager"].openid,
        "sbx-tmpl-question_answered",
        f"pages/my-questions/my-questions?id={question['id']}",
    )
    values = _values(told)
    assert values["thing1"] == "2026年2月财务收支公开"
    assert values["thing2"].startswith("本月新增两次集中清运") and len(values["thing2"]) <= 20
    assert values["time3"] == "2026年3月5日 09:00"  # Shanghai time

    # the job again, a second answer, the sweep well after: nothing more goes out
    [row] = db.session.scalars(select(Notification).where(Notification.question_id == question["id"])).all()
    assert (row.state, row.attempts, row.complaint_id) == ("sent", 1, None)
    assert sending.send_notification(row.id, 1) is None
    again = _answer(client, keeper, question["id"], "再答一次")
    assert again.status_code == 409 and again.get_json()["error"]["code"] == "already_answered"
    clock.shift(timedelta(hours=1))
    assert sending.sweep(utcnow()) == 0
    run_queued_jobs()
    assert len(wechat_sandbox.messages()) == 1
    assert (
        db.session.scalar(select(Notification.id).where(Notification.question_id == question["id"]).offset(1)) is None
    )


def test_a_lost_job_is_sent_by_the_sweep_once_and_a_released_question_is_told_too(
    clock, client, village_world, wechat_sandbox
):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    me = f.login_wx(client, w["villager"])
    held = _ask(client, me, w["codes"][0], did, body="【审核】这笔钱去哪了").get_json()
    moderator = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, w["village"].township))
    released = client.post(f"/api/v1/disclosure-questions/{held['id']}/release", headers=f.bearer(moderator))
    assert released.status_code == 200, released.get_json()

    keeper = f.login_wx(client, w["bookkeeper"])
    assert _answer(client, keeper, held["id"]).status_code == 200
    queue().empty()  # Redis lost the job
    clock.shift(timedelta(minutes=5))
    assert sending.sweep(utcnow()) == 1
    assert sending.sweep(utcnow()) == 0  # its job is queued: no second copy
    run_queued_jobs()
    clock.shift(timedelta(minutes=5))
    assert sending.sweep(utcnow()) == 0
    run_queued_jobs()
    assert [(m["touser"], m["template_id"]) for m in wechat_sandbox.messages()] == [
        (w["villager"].openid, "sbx-tmpl-question_answered")
    ]


def test_a_cadre_answering_their_own_question_is_not_told(client, village_world, wechat_sandbox):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    keeper = f.login_wx(client, w["bookkeeper"])
    # the bookkeeper also lives in the village and asks at a door
    mine = _ask(client, keeper, w["codes"][2], did, body="能否附上发票照片？").get_json()
    assert _answer(client, keeper, mine["id"]).status_code == 200
    run_queued_jobs()
    assert wechat_sandbox.messages() == []
    assert db.session.scalar(select(Notification.id).where(Notification.question_id == mine["id"])) is None


def test_answers_racing_answer_once_and_tell_the_asker_once(client, live_url, village_world, wechat_sandbox):
    """Real concurrency: the village's answers sent at once over HTTP (threads, the app on a loopback
    port): one is the answer, the others are told it was answered; one row in the outbox."""
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    question = _ask(client, f.login_wx(client, w["villager"]), w["codes"][0], did, body="保洁费为什么比上月多？")
    question_id = question.get_json()["id"]
    tokens = [f.login_wx(client, w["bookkeeper"]) for _ in range(6)]

    def send(n: int) -> int:
        return requests.post(
            f"{live_url}/api/v1/disclosure-questions/{question_id}/answer",
            headers=f.bearer(tokens[n]),
            json={"answer": f"答复 {n}"},
            timeout=60,
        ).status_code

    with ThreadPoolExecutor(max_workers=len(tokens)) as pool:
        answers = Counter(pool.map(send, range(len(tokens))))
    assert answers == {200: 1, 409: len(tokens) - 1}
    db.session.expire_all()
    assert len(db.session.scalars(select(Notification).where(Notification.question_id == question_id)).all()) == 1
    run_queued_jobs()
    assert len(wechat_sandbox.messages()) == 1
