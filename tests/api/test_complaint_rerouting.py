"""Re-routing complaints over HTTP: transfer (转办), recategorise (改类) and merge as duplicate (合并),
with conflict of interest, wrong actors, closed cases and replays refused without writing anything."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint, ComplaintEvent, Role
from tests import factories as f
from tests.helpers.complaints import file_complaint, inbox, inbox_ids


def _post(client, token, case_id, action, body=None):
    return client.post(f"/api/v1/complaints/{case_id}/{action}", headers=f.bearer(token), json=body)


def _state():
    """Everything a refused step must leave untouched: every case's version and the event count."""
    db.session.expire_all()
    versions = dict(db.session.execute(select(Complaint.id, Complaint.version)).all())
    return versions, db.session.scalar(select(func.count()).select_from(ComplaintEvent))


def _refused(response, status, code):
    assert response.status_code == status and response.get_json()["error"]["code"] == code, response.get_json()
    assert response.get_json()["error"]["message"]  # a sentence for people


def _mine(client, token, case_id):
    response = client.get(f"/api/v1/me/complaints/{case_id}", headers=f.bearer(token))
    assert response.status_code == 200
    return response.get_json()


@pytest.fixture
def tokens(client, complaint_world):
    wx = ("villager", "neighbour", "director", "secretary", "grid_worker", "liaison")
    return {
        name: (f.login_wx if name in wx else f.login_console)(client, complaint_world[name])
        for name in complaint_world
        if name in wx + ("discipline", "dispatcher", "leader", "county")
    }


# ---- transfer (转办) ----


def test_transfer_by_the_dispatcher_and_by_the_handling_township_office(client, complaint_world, tokens):
    t = tokens
    fire = file_complaint(
        client, t["villager"], complaint_world["codes"][0], category="safety", description="村口加油站旁堆放易燃杂物。"
    ).get_json()
    assert fire["handler"] == "镇四平台"
    _post(client, t["dispatcher"], fire["id"], "sign")
    moved = _post(
        client,
        t["dispatcher"],
        fire["id"],
        "transfer",
        {
            "target": "village_role",
            "role": "village_director",
            "reason": "村里能当天清理，四平台督办",
            "public_note": "已转村委会主任当天清理",
        },
    )
    assert moved.status_code == 200, moved.get_json()
    case = moved.get_json()
    assert case["status"] == "assigned" and case["handler"] == "村委会主任"
    assert inbox_ids(client, t["director"]) == {fire["id"]} and inbox_ids(client, t["dispatcher"]) == set()
    # the villager reads the public note, never the reason
    mine = _mine(client, t["villager"], fire["id"])
    assert [(e["kind"], e["actor_label"], e["public_note"]) for e in mine["events"][-2:]] == [
        ("signed", "四平台调度员", "四平台调度员已签收"),
        ("transferred", "四平台调度员", "已转村委会主任当天清理"),
    ]
    assert "村里能当天清理" not in str(mine)
    handler_view = client.get(f"/api/v1/complaints/{fire['id']}", headers=f.bearer(t["director"])).get_json()
    assert handler_view["events"][-1]["internal_note"] == "村里能当天清理，四平台督办"

    # the dispatcher also re-routes a case a village office holds, here up to the discipline office
    # (default public note); the discipline office, holding it, sends it on to the command room
    up = _post(
        client, t["dispatcher"], fire["id"], "transfer", {"target": "township_discipline", "reason": "涉及违规经营"}
    )
    assert up.status_code == 200 and up.get_json()["handler"] == "镇纪委"
    assert _mine(client, t["villager"], fire["id"])["events"][-1]["public_note"] == "已转镇纪委办理"
    back = _post(client, t["discipline"], fire["id"], "transfer", {"target": "township_dispatch", "reason": "不涉纪"})
    assert back.status_code == 200 and back.get_json()["handler"] == "镇四平台"
    assert back.get_json()["events"][-1]["actor_label"] == "镇纪委"
    assert inbox_ids(client, t["dispatcher"]) == {fire["id"]}


def test_transfer_conflict_of_interest_wrong_actors_and_bad_targets(client, complaint_world, tokens):
    t = tokens
    about = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="dispute",
        about_role="village_director",
        description="村主任处理纠纷偏袒亲戚。",
    ).get_json()
    assert about["handler"] == "镇纪委"
    dispute = file_complaint(client, t["neighbour"], complaint_world["codes"][1]).get_json()
    assert dispute["handler"] == "村委会主任"
    before = _state()
    # a case about a village cadre never goes down to the village, to whichever role
    for role in ("village_director", "village_secretary"):
        _refused(
            _post(
                client,
                t["discipline"],
                about["id"],
                "transfer",
                {"target": "village_role", "role": role, "reason": "村里处理"},
            ),
            422,
            "conflict_of_interest",
        )
    # the director who handles the dispute sends it back (退单) instead of transferring it
    _refused(
        _post(client, t["director"], dispute["id"], "transfer", {"target": "township_dispatch", "reason": "x"}),
        403,
        "wrong_account_kind",
    )
    # township staff who only monitor, and the discipline office over a case it does not hold
    _refused(
        _post(client, t["leader"], dispute["id"], "transfer", {"target": "township_dispatch", "reason": "x"}),
        403,
        "transfer_not_allowed",
    )
    _refused(
        _post(client, t["discipline"], dispute["id"], "transfer", {"target": "township_dispatch", "reason": "x"}),
        403,
        "transfer_not_allowed",
    )
    # another township's dispatcher cannot find it at all
    stranger = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, f.township()))
    assert (
        _post(client, stranger, dispute["id"], "transfer", {"target": "township_dispatch", "reason": "x"}).status_code
        == 404
    )
    # bad targets: a role nobody holds, a role that is not a village cadre's, where it already is
    _refused(
        _post(
            client,
            t["dispatcher"],
            dispute["id"],
            "transfer",
            {"target": "village_role", "role": "village_bookkeeper", "reason": "x"},
        ),
        422,
        "role_vacant",
    )
    _refused(
        _post(
            client,
            t["dispatcher"],
            dispute["id"],
            "transfer",
            {"target": "village_role", "role": "township_leader", "reason": "x"},
        ),
        422,
        "unknown_role",
    )
    _refused(
        _post(
            client,
            t["dispatcher"],
            dispute["id"],
            "transfer",
            {"target": "village_role", "role": "village_director", "reason": "x"},
        ),
        409,
        "same_handler",
    )
    _refused(
        _post(client, t["dispatcher"], dispute["id"], "transfer", {"target": "county", "reason": "x"}),
        422,
        "validation_error",
    )
    _refused(
        _post(
            client,
            t["dispatcher"],
            dispute["id"],
            "transfer",
            {"target": "township_dispatch", "reason": "x", "public_note": "长" * 201},
        ),
        422,
        "validation_error",
    )
    assert _state() == before
    # the case about the township's staff is the county's: no township office can move it
    up = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="cadre_conduct",
        about_role="township_dispatcher",
        description="镇四平台调度员推诿扯皮。",
    ).get_json()
    assert up["handler"] == "县纪委监委"
    before = _state()
    assert (
        _post(
            client, t["dispatcher"], up["id"], "transfer", {"target": "township_discipline", "reason": "x"}
        ).status_code
        == 404
    )
    _refused(
        _post(client, t["county"], up["id"], "transfer", {"target": "township_discipline", "reason": "x"}),
        403,
        "transfer_not_allowed",
    )
    assert _state() == before


def test_transfer_replayed_closed_and_held(client, complaint_world, tokens):
    t = tokens
    case = file_complaint(
        client, t["villager"], complaint_world["codes"][0], category="other", description="路灯坏了一个月。"
    ).get_json()
    body = {"target": "village_role", "role": "grid_worker", "reason": "网格员就近处理"}
    assert _post(client, t["dispatcher"], case["id"], "transfer", body).status_code == 200
    before = _state()
    _refused(_post(client, t["dispatcher"], case["id"], "transfer", body), 409, "same_handler")  # the replay
    assert _state() == before
    # closed: every re-routing step is refused with the same clear error, nothing written
    _post(client, t["grid_worker"], case["id"], "sign")
    _post(client, t["grid_worker"], case["id"], "reply", {"text": "已修好。"})
    client.post(f"/api/v1/me/complaints/{case['id']}/confirm", headers=f.bearer(t["villager"]), json={"solved": True})
    other = file_complaint(
        client, t["villager"], complaint_world["codes"][0], category="other", description="另一处路灯也坏了。"
    ).get_json()
    before = _state()
    for action, body in (
        ("transfer", {"target": "township_discipline", "reason": "x"}),
        ("recategorise", {"category": "safety", "reason": "x"}),
        ("merge", {"into_id": other["id"], "reason": "x"}),
    ):
        _refused(_post(client, t["dispatcher"], case["id"], action, body), 409, "case_closed")
    assert _state() == before
    # held for moderation: moderate first
    held = file_complaint(
        client, t["villager"], complaint_world["codes"][0], category="other", description="【审核】有人打牌。"
    ).get_json()
    _refused(
        _post(client, t["dispatcher"], held["id"], "transfer", {"target": "township_discipline", "reason": "x"}),
        409,
        "invalid_transition",
    )
    # waiting for the villager's answer: not a case to re-route
    _post(client, t["dispatcher"], other["id"], "sign")
    _post(client, t["dispatcher"], other["id"], "reply", {"text": "已报修。"})
    _refused(
        _post(client, t["dispatcher"], other["id"], "transfer", {"target": "township_discipline", "reason": "x"}),
        409,
        "invalid_transition",
    )


# ---- recategorise (改类) ----


def test_recategorise_reroutes_by_the_rules_with_a_public_note(client, complaint_world, tokens):
    t = tokens
    case = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="dispute",
        description="邻居在河边倒垃圾，说了不听。",
    ).get_json()
    assert case["handler"] == "村委会主任"
    _post(client, t["director"], case["id"], "sign")
    moved = _post(
        client, t["director"], case["id"], "recategorise", {"category": "environment", "reason": "是环境问题"}
    )
    assert moved.status_code == 200, moved.get_json()
    out = moved.get_json()
    assert (out["category"], out["lane"], out["handler"], out["status"]) == (
        "environment",
        "service",
        "镇四平台",
        "assigned",
    )
    assert "contact_name" not in out  # the director no longer handles it
    mine = _mine(client, t["villager"], case["id"])
    assert mine["events"][-1]["public_note"] == "问题类别由“矛盾纠纷”改为“生态环境”，转镇四平台办理"
    assert mine["events"][-1]["actor_label"] == "村委会主任"
    assert inbox_ids(client, t["director"]) == set() and inbox_ids(client, t["dispatcher"]) == {case["id"]}

    # the dispatcher moves it into the discipline lane: the discipline office, with the liaison copied
    funds = _post(
        client,
        t["dispatcher"],
        case["id"],
        "recategorise",
        {"category": "collective_assets", "reason": "倒的是集体仓库拆下的物资"},
    ).get_json()
    assert (funds["lane"], funds["handler"]) == ("discipline", "镇纪委")
    assert inbox_ids(client, t["liaison"]) == {case["id"]} and inbox_ids(client, t["discipline"]) == {case["id"]}
    # within the lane and the same office: the case stays where and as it is
    _post(client, t["discipline"], case["id"], "sign")
    same = _post(client, t["discipline"], case["id"], "recategorise", {"category": "purchasing", "reason": "是采购"})
    assert same.get_json()["status"] == "signed" and same.get_json()["handler"] == "镇纪委"
    assert _mine(client, t["villager"], case["id"])["events"][-1]["public_note"] == "问题类别由“三资管理”改为“村级采购”"
    assert same.get_json()["handling"] is True  # the handling office's view…
    assert "contact_name" not in same.get_json()  # …of an anonymous case: no complainant


def test_recategorise_respects_conflict_of_interest(client, complaint_world, tokens):
    t = tokens
    about = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="cadre_conduct",
        about_role="village_director",
        description="村主任在调解中收礼。",
    ).get_json()
    # "dispute" would go to the village director by the rules: a case about them stays above them
    out = _post(client, t["discipline"], about["id"], "recategorise", {"category": "dispute", "reason": "实为纠纷"})
    assert out.status_code == 200 and out.get_json()["handler"] == "镇纪委"
    director = t["director"]
    assert inbox(client, director)["total"] == 0
    assert client.get(f"/api/v1/complaints/{about['id']}", headers=f.bearer(director)).status_code == 404
    up = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="cadre_conduct",
        about_role="township_leader",
        description="镇领导接访时态度恶劣。",
    ).get_json()
    county = _post(client, t["county"], up["id"], "recategorise", {"category": "other", "reason": "改为其他"})
    assert county.status_code == 200 and county.get_json()["handler"] == "县纪委监委"


def test_recategorise_bad_input_wrong_actors_and_replay(client, complaint_world, tokens):
    t = tokens
    case = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="subsidies",
        description="低保名单里有不符合条件的人。",
    ).get_json()
    before = _state()
    _refused(
        _post(client, t["discipline"], case["id"], "recategorise", {"category": "ufo", "reason": "x"}),
        422,
        "unknown_category",
    )
    _refused(
        _post(client, t["discipline"], case["id"], "recategorise", {"category": "subsidies", "reason": "x"}),
        409,
        "same_category",
    )
    _refused(_post(client, t["discipline"], case["id"], "recategorise", {"category": "other"}), 422, "validation_error")
    _refused(
        _post(client, t["liaison"], case["id"], "recategorise", {"category": "other", "reason": "x"}),
        403,
        "recategorise_not_allowed",
    )  # the liaison's copy is read-only
    _refused(
        _post(client, t["leader"], case["id"], "recategorise", {"category": "other", "reason": "x"}),
        403,
        "recategorise_not_allowed",
    )  # monitoring is not handling
    assert (
        _post(client, t["director"], case["id"], "recategorise", {"category": "other", "reason": "x"}).status_code
        == 404
    )
    assert (
        _post(client, t["villager"], case["id"], "recategorise", {"category": "other", "reason": "x"}).status_code
        == 404
    )
    assert _state() == before
    body = {"category": "labour_hire", "reason": "是务工问题"}
    assert _post(client, t["discipline"], case["id"], "recategorise", body).status_code == 200
    before = _state()
    _refused(_post(client, t["discipline"], case["id"], "recategorise", body), 409, "same_category")  # the replay
    assert _state() == before


# ---- merge as duplicate (合并) ----


def test_merge_closes_the_duplicate_and_its_villager_follows_the_surviving_case(client, complaint_world, tokens):
    t = tokens
    first = file_complaint(
        client,
        t["villager"],
        complaint_world["codes"][0],
        category="safety",
        anonymous=False,
        contact_name="王秀英",
        description="村口桥栏杆断了，晚上危险。",
    ).get_json()
    dup = file_complaint(
        client,
        t["neighbour"],
        complaint_world["codes"][1],
        category="safety",
        description="桥上的栏杆坏了，小孩上学要过。",
    ).get_json()
    merged = _post(client, t["dispatcher"], dup["id"], "merge", {"into_id": first["id"], "reason": "同一座桥"})
    assert merged.status_code == 200, merged.get_json()
    out = merged.get_json()
    assert (out["status"], out["resolution"], out["merged_into_id"]) == ("closed", "merged", first["id"])
    # the duplicate's villager: a public note with the surviving case's reference...
    theirs = _mine(client, t["neighbour"], dup["id"])
    assert theirs["status"] == "closed" and theirs["resolution"] == "merged"
    assert first["reference"] in theirs["events"][-1]["public_note"] and "同一座桥" not in str(theirs)
    # ...and the surviving case's public timeline, without its description or anyone's identity
    url = f"/api/v1/me/complaints/{dup['id']}/merged-into"
    followed = client.get(url, headers=f.bearer(t["neighbour"])).get_json()
    assert followed["reference"] == first["reference"] and followed["status"] == "assigned"
    assert not {"description", "contact_name", "id", "household_id"} & set(followed)
    assert [e["kind"] for e in followed["events"]] == ["filed", "merged_in"]
    assert "internal_note" not in followed["events"][-1]
    _post(client, t["dispatcher"], first["id"], "sign")
    _post(client, t["dispatcher"], first["id"], "reply", {"text": "栏杆已于今日修复。"})
    followed = client.get(url, headers=f.bearer(t["neighbour"])).get_json()
    assert followed["status"] == "replied" and followed["events"][-1]["public_note"] == "栏杆已于今日修复。"
    # only the duplicate's own villager may follow it this way; a case never merged says so
    assert client.get(url, headers=f.bearer(t["villager"])).status_code == 404
    _refused(
        client.get(f"/api/v1/me/complaints/{first['id']}/merged-into", headers=f.bearer(t["villager"])),
        404,
        "not_merged",
    )
    # the surviving case's villager keeps answering for it
    assert (
        client.post(
            f"/api/v1/me/complaints/{dup['id']}/confirm", headers=f.bearer(t["neighbour"]), json={"solved": True}
        ).status_code
        == 409
    )
    closed = client.post(
        f"/api/v1/me/complaints/{first['id']}/confirm", headers=f.bearer(t["villager"]), json={"solved": True}
    )
    assert closed.get_json()["resolution"] == "solved"
    # merged duplicates are not "resolved" cases on the village's public list
    public = client.get(f"/api/v1/h/{complaint_world['codes'][2]}/resolved-complaints").get_json()
    assert [p["reference"] for p in public] == [first["reference"]]


def test_merge_follows_later_merges_and_refuses_what_it_must(client, complaint_world, tokens):
    t, w = tokens, complaint_world
    third = f.login_wx(client, f.villager(f.household(w["village"])))
    a = file_complaint(
        client, t["villager"], w["codes"][0], category="other", description="村道上有个大坑。"
    ).get_json()
    b = file_complaint(
        client, t["neighbour"], w["codes"][1], category="other", description="村道大坑，电瓶车摔了。"
    ).get_json()
    c = file_complaint(client, third, w["codes"][2], category="other", description="村道坑洼，请修补。").get_json()
    assert (
        _post(client, t["dispatcher"], a["id"], "merge", {"into_id": b["id"], "reason": "同一个坑"}).status_code == 200
    )
    before = _state()
    _refused(
        _post(client, t["dispatcher"], a["id"], "merge", {"into_id": b["id"], "reason": "同一个坑"}),
        409,
        "already_merged",
    )  # the replay
    _refused(
        _post(client, t["dispatcher"], c["id"], "merge", {"into_id": a["id"], "reason": "x"}),
        409,
        "merge_target_closed",
    )
    _refused(
        _post(client, t["dispatcher"], c["id"], "merge", {"into_id": c["id"], "reason": "x"}), 422, "merge_into_self"
    )
    _refused(
        _post(client, t["dispatcher"], c["id"], "merge", {"into_id": 10**9, "reason": "x"}),
        422,
        "merge_target_not_found",
    )
    _refused(_post(client, t["dispatcher"], c["id"], "merge", {"into_id": "b", "reason": "x"}), 422, "validation_error")
    assert _state() == before
    # B (with A inside) goes into C: A's villager now follows C
    assert (
        _post(client, t["dispatcher"], b["id"], "merge", {"into_id": c["id"], "reason": "同一路段"}).status_code == 200
    )
    followed = client.get(f"/api/v1/me/complaints/{a['id']}/merged-into", headers=f.bearer(t["villager"])).get_json()
    assert followed["reference"] == c["reference"]
    assert [e["kind"] for e in followed["events"]] == ["filed", "merged_in"]


def test_merge_across_villages_subjects_and_offices_is_refused(client, complaint_world, tokens):
    t, w = tokens, complaint_world
    here = file_complaint(
        client, t["villager"], w["codes"][0], category="safety", description="河堤有裂缝。"
    ).get_json()
    elsewhere_village = f.village(w["township"])
    home = f.household(elsewhere_village)
    from app.domain import household_codes as hc

    code = hc.ensure_codes([home])[home.id]
    other_villager = f.login_wx(client, f.villager(home))
    there = file_complaint(
        client, other_villager, code, category="safety", description="河堤有裂缝，同一条河。"
    ).get_json()
    about = file_complaint(
        client,
        t["neighbour"],
        w["codes"][1],
        category="safety",
        about_role="village_director",
        description="村主任不管河堤裂缝。",
    ).get_json()
    funds = file_complaint(
        client, t["neighbour"], w["codes"][1], category="collective_assets", description="河堤加固款去向不明。"
    ).get_json()
    before = _state()
    _refused(
        _post(client, t["dispatcher"], here["id"], "merge", {"into_id": there["id"], "reason": "x"}),
        422,
        "merge_across_villages",
    )
    # a case about a cadre is never merged with one that is not (nor the other way)
    _refused(
        _post(client, t["discipline"], about["id"], "merge", {"into_id": funds["id"], "reason": "x"}),
        422,
        "merge_different_subject",
    )
    # the dispatcher cannot reach into the discipline office's cases, nor merge its own into them
    _refused(
        _post(client, t["dispatcher"], here["id"], "merge", {"into_id": funds["id"], "reason": "x"}),
        422,
        "merge_target_not_found",
    )
    assert (
        _post(client, t["dispatcher"], funds["id"], "merge", {"into_id": here["id"], "reason": "x"}).status_code == 404
    )
    _refused(
        _post(client, t["leader"], here["id"], "merge", {"into_id": there["id"], "reason": "x"}),
        403,
        "merge_not_allowed",
    )
    _refused(
        _post(client, t["director"], here["id"], "merge", {"into_id": there["id"], "reason": "x"}),
        403,
        "wrong_account_kind",
    )
    assert _state() == before
