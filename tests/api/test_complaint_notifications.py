"""Subscribe messages about complaints, end to end: steps taken over HTTP, sends made by a real RQ worker
on a real Redis, messages received by the WeChat sandbox over HTTP."""

from __future__ import annotations

from datetime import timedelta

from rq import SimpleWorker
from sqlalchemy import select

from app.clock import utcnow
from app.domain import household_codes as hc
from app.domain import roles
from app.domain.complaints import cases
from app.extensions import db
from app.jobs import notifications as sending
from app.jobs import queue
from app.jobs.sweep import sweep
from app.models import Complaint, Notification, Role
from tests import factories as f
from tests.helpers.complaints import file_complaint

REPLY = "您反映的围墙占道问题，村委会已于周三上门调解，围墙将在本月底前拆除，通道恢复通行。"


def _file(client, token, code, **overrides) -> dict:
    response = file_complaint(client, token, code, **overrides)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _act(client, token, case, step, body=None) -> None:
    response = client.post(f"/api/v1/complaints/{case['id']}/{step}", headers=f.bearer(token), json=body)
    assert response.status_code == 200, response.get_json()


def _confirm(client, token, case, solved: bool) -> None:
    response = client.post(
        f"/api/v1/me/complaints/{case['id']}/confirm", headers=f.bearer(token), json={"solved": solved}
    )
    assert response.status_code == 200, response.get_json()


def _work() -> None:
    q = queue()
    SimpleWorker([q], connection=q.connection).work(burst=True)


def _values(message) -> dict[str, str]:
    return {key: item["value"] for key, item in message["data"].items()}


def test_villager_is_told_each_step_once_and_the_office_when_assigned(clock, client, complaint_world, wechat_sandbox):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = _file(client, me, w["codes"][0])  # a dispute goes to the village director
    _work()
    [assigned] = wechat_sandbox.messages()
    assert (assigned["touser"], assigned["template_id"], assigned["page"]) == (
        w["director"].openid,
        "sbx-tmpl-case_assigned",
        f"pages/inbox-case/inbox-case?id={case['id']}",
    )
    # 2026-03-02 01:00 UTC is 09:00 in Shanghai
    assert _values(assigned) == {
        "character_string1": case["reference"],
        "thing2": "矛盾纠纷",
        "thing3": "新反映待办理，请及时签收",
        "time4": "2026年3月2日 09:00",
    }

    director = f.login_wx(client, w["director"])
    clock.shift(3600)
    _act(client, director, case, "sign")
    _work()
    signed = wechat_sandbox.messages()[1:]
    assert [(m["touser"], m["template_id"], m["page"]) for m in signed] == [
        (w["villager"].openid, "sbx-tmpl-case_progress", f"pages/my-complaint/my-complaint?id={case['id']}")
    ]
    assert _values(signed[0]) == {
        "character_string1": case["reference"],
        "thing2": "矛盾纠纷",
        "phrase3": "已签收",
        "thing4": "村委会主任已签收",
        "time5": "2026年3月2日 10:00",
    }

    _act(client, director, case, "reply", {"text": REPLY})
    _work()
    [replied] = wechat_sandbox.messages()[2:]
    assert replied["template_id"] == "sbx-tmpl-case_replied" and replied["touser"] == w["villager"].openid
    # the reply is cut to WeChat's 20 characters for a `thing`, on our side, so WeChat accepts it
    assert _values(replied)["thing3"] == REPLY[:19] + "…" and _values(replied)["thing4"] == "村委会主任"

    # not solved: the office is told it is back on its desk; the villager, who did it, is not told
    _confirm(client, me, case, solved=False)
    _work()
    [reopened] = wechat_sandbox.messages()[3:]
    assert reopened["touser"] == w["director"].openid
    assert _values(reopened)["thing3"] == "村民反馈未解决，请重新办理"

    _act(client, director, case, "sign")
    _act(client, director, case, "reply", {"text": "已拆除，通道已恢复。"})
    _confirm(client, me, case, solved=True)  # closed by the villager: no message tells them what they did
    _work()
    later = wechat_sandbox.messages()[4:]
    assert [(m["touser"], m["template_id"]) for m in later] == [
        (w["villager"].openid, "sbx-tmpl-case_progress"),
        (w["villager"].openid, "sbx-tmpl-case_replied"),
    ]

    # every row sent, once; running the worker and the sweep again sends nothing more
    rows = db.session.scalars(select(Notification).order_by(Notification.id)).all()
    assert [(r.template_key, r.state, r.attempts) for r in rows] == [
        ("case_assigned", "sent", 1),
        ("case_progress", "sent", 1),
        ("case_replied", "sent", 1),
        ("case_assigned", "sent", 1),
        ("case_progress", "sent", 1),
        ("case_replied", "sent", 1),
    ]
    _work()
    clock.shift(24 * 3600)
    assert sweep()["notifications"] == 0
    _work()
    assert len(wechat_sandbox.messages()) == 6


def test_a_case_refused_by_moderation_tells_the_villager_it_is_closed(client, complaint_world, wechat_sandbox):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    case = _file(client, me, w["codes"][0], description="【审核】村里有人打牌，请管管。")
    assert case["status"] == "held"
    dispatcher = f.login_console(client, w["dispatcher"])
    _act(client, dispatcher, case, "reject", {"reason": "内容与村务无关，请拨打110"})
    _work()
    [closed] = wechat_sandbox.messages()  # nothing to the director: a held case was never theirs
    assert closed["touser"] == w["villager"].openid and closed["template_id"] == "sbx-tmpl-case_closed"
    assert _values(closed)["phrase3"] == "不予受理" and _values(closed)["thing4"] == "内容与村务无关，请拨打110"


def test_no_credit_is_recorded_and_never_retried(client, complaint_world, wechat_sandbox):
    w = complaint_world
    home = f.household(w["village"])
    code = hc.ensure_codes([home])[home.id]
    villager = f.villager(home, identity="nocredit-ann")  # the sandbox answers 43101 for this user
    me = f.login_wx(client, villager)
    case = _file(client, me, code)
    _act(client, f.login_wx(client, w["director"]), case, "sign")
    _work()
    row = db.session.scalar(select(Notification).where(Notification.recipient_user_id == villager.id))
    assert (row.state, row.attempts) == ("no_credit", 1) and "43101" in row.last_error
    calls = wechat_sandbox.stats()["subscribe_send_calls"]
    assert sending.sweep(utcnow() + timedelta(days=1)) == 0
    _work()
    assert wechat_sandbox.stats()["subscribe_send_calls"] == calls
    assert [m["touser"] for m in wechat_sandbox.messages()] == [w["director"].openid]


def test_the_subject_of_a_complaint_is_never_told_even_holding_the_handling_office(
    client, complaint_world, wechat_sandbox
):
    w = complaint_world
    # One person is the village secretary and, bound by WeChat, also in the township discipline office.
    both = f.cadre(Role.VILLAGE_SECRETARY, w["village"], identity="both-hats")
    roles.assign(Role.TOWNSHIP_DISCIPLINE, user=both, township=w["township"], holder_name="镇纪委干部")
    officer = f.wx_user("discipline-officer")
    roles.assign(Role.TOWNSHIP_DISCIPLINE, user=officer, township=w["township"], holder_name="镇纪委干部")
    me = f.login_wx(client, w["villager"])
    case = _file(
        client,
        me,
        w["codes"][0],
        category="collective_assets",
        about_role="village_secretary",
        description="村书记把集体厂房低价租给亲戚。",
    )
    assert case["handler"] == "镇纪委"
    _work()
    # the office, and the village's supervision liaison, copied on the discipline lane
    assert [(m["touser"], m["template_id"]) for m in wechat_sandbox.messages()] == [
        (officer.openid, "sbx-tmpl-case_assigned"),
        (w["liaison"].openid, "sbx-tmpl-case_assigned"),
    ]
    copied = wechat_sandbox.messages()[1]
    assert _values(copied)["thing3"] == "抄送：纪检监察类反映，请知悉"
    assert copied["page"] == f"pages/inbox-case/inbox-case?id={case['id']}"  # their read-only copy

    # a deadline reminder (recorded by the deadlines work with kind 'reminded') skips them as well
    complaint = db.session.get(Complaint, case["id"])
    cases._event(complaint, "reminded", complaint.status, complaint.status, "系统", internal_note="签收期限明天到期")
    db.session.commit()
    _act(client, f.login_wx(client, officer), case, "sign")
    _work()
    assert [(m["touser"], m["template_id"]) for m in wechat_sandbox.messages()[2:]] == [
        (officer.openid, "sbx-tmpl-case_reminder"),
        (w["villager"].openid, "sbx-tmpl-case_progress"),
    ]
    assert _values(wechat_sandbox.messages()[2])["thing3"] == "签收期限明天到期"
    assert not db.session.scalars(select(Notification).where(Notification.recipient_user_id == both.id)).all()


def test_anonymous_or_not_only_the_filer_hears_of_their_case_and_no_message_names_them(
    client, complaint_world, wechat_sandbox
):
    w = complaint_world
    me = f.login_wx(client, w["villager"])
    director = f.login_wx(client, w["director"])
    anonymous = _file(client, me, w["codes"][0])
    named = _file(client, me, w["codes"][0], anonymous=False, contact_name="王秀英", contact_phone="13800000000")
    for case in (anonymous, named):
        _act(client, director, case, "sign")
        _act(client, director, case, "reply", {"text": "已处理。"})
    _work()
    sent = wechat_sandbox.messages()
    by_template = {}
    for message in sent:
        by_template.setdefault(message["template_id"], set()).add(message["touser"])
    assert by_template == {
        "sbx-tmpl-case_assigned": {w["director"].openid},
        "sbx-tmpl-case_progress": {w["villager"].openid},
        "sbx-tmpl-case_replied": {w["villager"].openid},
    }
    assert len(sent) == 6
    assert not [m for m in sent if any("王秀英" in v or "13800000000" in v for v in _values(m).values())]


def test_templates_come_from_config_and_an_unconfigured_one_sends_nothing(app, client, complaint_world, wechat_sandbox):
    listed = client.get("/api/v1/subscribe-templates").get_json()
    assert {t["key"]: t["template_id"] for t in listed} == {
        "case_progress": "sbx-tmpl-case_progress",
        "case_replied": "sbx-tmpl-case_replied",
        "case_closed": "sbx-tmpl-case_closed",
        "case_assigned": "sbx-tmpl-case_assigned",
        "case_reminder": "sbx-tmpl-case_reminder",
        "question_answered": "sbx-tmpl-question_answered",
    }
    assert {t["audience"] for t in listed} == {"villager", "handler", "asker"}
    # Real credentials without template ids: nothing is queued that WeChat would refuse.
    app.config["WECHAT_TEMPLATES"] = {"case_progress": "tmpl-progress-real"}
    assert [t["key"] for t in client.get("/api/v1/subscribe-templates").get_json()] == ["case_progress"]
    me = f.login_wx(client, complaint_world["villager"])
    case = _file(client, me, complaint_world["codes"][0])
    _act(client, f.login_wx(client, complaint_world["director"]), case, "sign")
    _work()
    assert [(m["template_id"], m["touser"]) for m in wechat_sandbox.messages()] == [
        ("tmpl-progress-real", complaint_world["villager"].openid)
    ]
