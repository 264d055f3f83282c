"""The village's public list of resolved cases (GET /h/<code>/resolved-complaints, no login) publishes
only what the handling office wrote for publication (issue 12, item 4): never a word written to or
by the complainant, in any step of the case; never a case about a named person."""

from __future__ import annotations

import secrets

import pytest

from app.domain import household_codes as hc
from app.domain.complaints.cases import ABOUT_ROLES
from app.extensions import db
from app.models import Complaint, Role
from tests import factories as f

PUBLIC_KEYS = {
    "reference",
    "category",
    "category_name",
    "status",
    "resolution",
    "filed_on",
    "closed_on",
    "public_summary",
}
# Every step whose event carries words someone wrote (the description is the filing's).
FREE_TEXT_KINDS = {
    "filed",
    "transferred",
    "returned",
    "redispatched",
    "recategorised",
    "merged_in",
    "asked",
    "supplied",
    "replied",
    "reopened",
    "confirmed",
}


@pytest.fixture
def resolved_list_world(app, client):
    village = f.village()
    township = village.township
    homes = [f.household(village) for _ in range(4)]
    codes = hc.ensure_codes(homes)
    villagers = [f.villager(h) for h in homes]
    director = f.cadre(Role.VILLAGE_DIRECTOR, village)
    offices = {
        "dispatcher": f.township_staff(Role.TOWNSHIP_DISPATCHER, township),
        "discipline": f.township_staff(Role.TOWNSHIP_DISCIPLINE, township),
        "leader": f.township_staff(Role.TOWNSHIP_LEADER, township),
        "county": f.county_staff(township.county),
    }
    db.session.commit()
    tokens = {name: f.login_console(client, who) for name, who in offices.items()}
    tokens["director"] = f.login_wx(client, director)
    return {
        "village": village,
        "code": codes[homes[0].id],
        "tokens": tokens,
        "villagers": [
            {"token": f.login_wx(client, v), "code": codes[h.id]} for v, h in zip(villagers, homes, strict=True)
        ],
    }


def _file(client, villager, **overrides) -> dict:
    body = {
        "client_request_id": secrets.token_hex(8),
        "category": "safety",
        "anonymous": True,
        "description": "村口加油站旁堆放了大量易燃杂物，存在火灾隐患。",
    }
    body.update(overrides)
    response = client.post(f"/api/v1/h/{villager['code']}/complaints", headers=f.bearer(villager["token"]), json=body)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _by_handler(client, w, case_id: int, step: str, body: dict | None = None, method: str = "post"):
    """Take an office's step as whichever office holds the case now."""
    for name in ("director", "dispatcher", "discipline", "county"):
        response = getattr(client, method)(
            f"/api/v1/complaints/{case_id}/{step}", headers=f.bearer(w["tokens"][name]), json=body
        )
        if response.status_code not in (403, 404):
            assert response.status_code == 200, (step, name, response.get_json())
            return response
    raise AssertionError(f"nobody holds case {case_id} for {step}")


def _villager(client, villager, case_id: int, step: str, body: dict):
    response = client.post(f"/api/v1/me/complaints/{case_id}/{step}", headers=f.bearer(villager["token"]), json=body)
    assert response.status_code == 200, (step, response.get_json())
    return response


def _public(client, w):
    response = client.get(f"/api/v1/h/{w['code']}/resolved-complaints")
    assert response.status_code == 200
    return response


def _dispatcher(client, w, case_id: int, step: str, body: dict):
    response = client.post(
        f"/api/v1/complaints/{case_id}/{step}", headers=f.bearer(w["tokens"]["dispatcher"]), json=body
    )
    assert response.status_code == 200, (step, response.get_json())


def test_no_word_of_any_step_reaches_the_public_list(client, resolved_list_world):
    w = resolved_list_world
    me, neighbour = w["villagers"][0], w["villagers"][1]
    words = {}  # the marker each free text carries

    def say(key: str) -> str:
        words[key] = f"私密{key}{secrets.token_hex(3)}"
        return words[key]

    case = _file(client, me, description=f"村口加油站旁堆放易燃杂物{say('description')}")["id"]
    _dispatcher(
        client,
        w,
        case,
        "transfer",
        {
            "target": "village_role",
            "role": "village_director",
            "reason": say("transfer_reason"),
            "public_note": say("transfer_note"),
        },
    )
    _by_handler(client, w, case, "send-back", {"reason": say("send_back")})
    _dispatcher(
        client,
        w,
        case,
        "redispatch",
        {"target": "village_role", "role": "village_director", "reason": say("redispatch")},
    )
    _by_handler(client, w, case, "recategorise", {"category": "environment", "reason": say("recategorise")})
    duplicate = _file(client, neighbour, description=f"加油站旁边的杂物没人管{say('duplicate')}")["id"]
    _dispatcher(client, w, duplicate, "merge", {"into_id": case, "reason": say("merge")})
    _by_handler(client, w, case, "sign")
    _by_handler(client, w, case, "ask", {"text": say("ask")})
    _villager(client, me, case, "supply", {"text": say("supply")})
    _by_handler(client, w, case, "reply", {"text": say("reply")})
    _villager(client, me, case, "confirm", {"solved": False, "note": say("reopen")})
    _by_handler(client, w, case, "sign")
    _by_handler(client, w, case, "reply", {"text": "对林俊同志诫勉谈话"})
    _villager(client, me, case, "confirm", {"solved": True, "note": say("confirm")})
    _villager(client, me, case, "rating", {"stars": 5, "comment": say("rating")})
    summary = _by_handler(client, w, case, "public-summary", {"text": "已清理易燃杂物，消除火灾隐患"}, method="put")
    assert summary.get_json()["public_summary"] == "已清理易燃杂物，消除火灾隐患"

    # the class is covered: every kind of step with free text happened on this case
    kinds = {e.kind for e in db.session.get(Complaint, case).events}
    assert kinds >= FREE_TEXT_KINDS, FREE_TEXT_KINDS - kinds

    response = _public(client, w)
    [shown] = response.get_json()
    assert set(shown) == PUBLIC_KEYS
    assert (shown["status"], shown["resolution"], shown["public_summary"]) == (
        "closed",
        "solved",
        "已清理易燃杂物，消除火灾隐患",
    )
    raw = response.get_data(as_text=True).encode().decode("unicode_escape")  # \\u escapes read as text
    for key, word in words.items():
        assert word not in raw, key
    assert "林俊" not in raw and "诫勉" not in raw


def test_cases_about_a_named_person_never_reach_the_public_list(client, resolved_list_world):
    w = resolved_list_world
    about = {}
    for n, role in enumerate(sorted(ABOUT_ROLES, key=lambda r: r.value)):
        villager = w["villagers"][n % 4]
        category = "cadre_conduct" if n % 2 else "dispute"
        case = _file(
            client,
            villager,
            category=category,
            about_role=role.value,
            description=f"反映{role.label}的问题，请上级调查处理。",
        )["id"]
        _by_handler(client, w, case, "sign")
        _by_handler(client, w, case, "reply", {"text": "对林俊同志诫勉谈话"})
        _villager(client, villager, case, "confirm", {"solved": True, "note": "谢谢"})
        refused = _by_handler_refusal(client, w, case)
        assert refused == (409, "not_publishable"), role
        about[role] = db.session.get(Complaint, case).reference
    assert set(about) == set(ABOUT_ROLES)
    control = _file(client, w["villagers"][0], description="村口的路灯坏了半个月。")["id"]
    _by_handler(client, w, control, "sign")
    _by_handler(client, w, control, "reply", {"text": "已修复"})
    _villager(client, w["villagers"][0], control, "confirm", {"solved": True})
    listed = {c["reference"] for c in _public(client, w).get_json()}
    assert listed == {db.session.get(Complaint, control).reference}  # the control case is there, no other


def _by_handler_refusal(client, w, case_id: int) -> tuple[int, str]:
    for name in ("director", "dispatcher", "discipline", "county"):
        response = client.put(
            f"/api/v1/complaints/{case_id}/public-summary", headers=f.bearer(w["tokens"][name]), json={"text": "已处理"}
        )
        if response.status_code != 404:
            return response.status_code, response.get_json()["error"]["code"]
    raise AssertionError("nobody holds the case")


def test_the_finding_a_named_cadre_and_the_villagers_words_are_not_published(client, resolved_list_world):
    """Regression (issue 12 item 4): the list carried the villager's confirm note and the office's
    reply verbatim, for a case about a named cadre too."""
    w = resolved_list_world
    me = w["villagers"][0]
    named = _file(
        client,
        me,
        category="cadre_conduct",
        about_role="village_director",
        description="村主任林俊在低保评定中优亲厚友。",
    )["id"]
    plain = _file(client, me, description="村口加油站旁堆放了大量易燃杂物。")["id"]
    for case in (named, plain):
        _by_handler(client, w, case, "sign")
        _by_handler(client, w, case, "reply", {"text": "对林俊同志诫勉谈话"})
        _villager(client, me, case, "confirm", {"solved": True, "note": "我家就在加油站对面，谢谢"})
    response = _public(client, w)
    [shown] = response.get_json()
    assert shown["reference"] == db.session.get(Complaint, plain).reference and shown["public_summary"] is None
    raw = response.get_data(as_text=True).encode().decode("unicode_escape")
    assert "林俊" not in raw and "加油站对面" not in raw and "events" not in shown


def test_the_public_summary_is_the_handling_office_s_and_bounded(client, resolved_list_world):
    w = resolved_list_world
    case = _file(client, w["villagers"][0])["id"]
    path = f"/api/v1/complaints/{case}/public-summary"
    # not the handling office (monitoring only): out of sight
    assert client.put(path, headers=f.bearer(w["tokens"]["leader"]), json={"text": "已处理"}).status_code == 404
    auth = f.bearer(w["tokens"]["dispatcher"])
    for text, code in (
        ("已处理\u202e", "invalid_text"),
        ("已\x07处理", "invalid_text"),
        ("\ud800", "invalid_text"),
        ("   ", "invalid_text"),
        ("好" * 201, "validation_error"),
    ):
        refused = client.put(
            path,
            headers=auth,
            data=f'{{"text": "{text}"}}'.encode("utf-8", "surrogatepass") if text == "\ud800" else None,
            json=None if text == "\ud800" else {"text": text},
            content_type="application/json",
        )
        # (a schema-wide refusal of such characters answers validation_error first: either is right)
        assert refused.status_code == 422 and refused.get_json()["error"]["code"] in (code, "validation_error"), text
    # ID and phone numbers are masked as in disclosures; lines are joined
    masked = client.put(path, headers=auth, json={"text": "已联系 13812345678\n处理完毕"}).get_json()
    assert masked["public_summary"] == "已联系 138****5678 处理完毕"
    stored = db.session.get(Complaint, case)
    db.session.refresh(stored)
    assert stored.public_summary_by_console_account_id is not None and stored.public_summary_at is not None
    withdrawn = client.put(path, headers=auth, json={"text": None})
    assert withdrawn.status_code == 200 and withdrawn.get_json()["public_summary"] is None


def test_a_merged_duplicate_s_villager_does_not_read_the_other_villager_s_words(client, resolved_list_world):
    """The same class one step away from the public list: the villager whose duplicate was merged
    follows the other villager's case, and reads its outcome, not that villager's words."""
    w = resolved_list_world
    me, neighbour = w["villagers"][0], w["villagers"][1]
    case = _file(client, me)["id"]
    duplicate = _file(client, neighbour, description="加油站旁边的杂物没人管，很危险。")["id"]
    _dispatcher(client, w, duplicate, "merge", {"into_id": case, "reason": "同一处杂物"})
    _by_handler(client, w, case, "sign")
    _by_handler(client, w, case, "ask", {"text": "您家是加油站对面第三户吗"})
    _villager(client, me, case, "supply", {"text": "是的，我姓欧阳"})
    _by_handler(client, w, case, "reply", {"text": "已清理"})
    _villager(client, me, case, "confirm", {"solved": False, "note": "我家门口还有一堆"})
    _by_handler(client, w, case, "sign")
    _by_handler(client, w, case, "reply", {"text": "已全部清理完毕"})
    _villager(client, me, case, "confirm", {"solved": True, "note": "欧阳家谢谢"})
    response = client.get(f"/api/v1/me/complaints/{duplicate}/merged-into", headers=f.bearer(neighbour["token"]))
    assert response.status_code == 200
    raw = response.get_data(as_text=True).encode().decode("unicode_escape")
    for private in ("加油站对面第三户", "欧阳", "我家门口还有一堆"):
        assert private not in raw, private
    followed = response.get_json()
    assert [e["public_note"] for e in followed["events"] if e["kind"] == "replied"] == ["已清理", "已全部清理完毕"]
    # the villager who filed it still reads every word of their own case
    mine = client.get(f"/api/v1/me/complaints/{case}", headers=f.bearer(me["token"])).get_json()
    assert "欧阳家谢谢" in [e["public_note"] for e in mine["events"]]
