"""Disclosures over HTTP: who may draft, approve, return, publish and correct; reach; the hash chain."""

from __future__ import annotations

from sqlalchemy import update

from app import create_app
from app.domain import household_codes as hc
from app.extensions import db, dispose_engines
from app.models import DisclosureVersion, Role
from tests import factories as f
from tests.helpers.disclosures import draft_disclosure, publish_one


def test_draft_review_publish_correct(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    supervisor = f.login_wx(client, w["supervisor"])
    drafted = draft_disclosure(client, keeper, w)
    assert drafted.status_code == 201, drafted.get_json()
    v1 = drafted.get_json()
    assert v1["status"] == "draft" and v1["total_income_fen"] == 3500000 and v1["total_expense_fen"] == 120000

    # the supervision committee cannot approve a draft that was not submitted
    early = client.post(f"/api/v1/disclosure-versions/{v1['id']}/approve", headers=f.bearer(supervisor), json={})
    assert early.status_code == 409 and early.get_json()["error"]["code"] == "version_not_in_review"
    assert client.post(f"/api/v1/disclosure-versions/{v1['id']}/submit", headers=f.bearer(keeper)).status_code == 200
    # a cadre cannot approve; a supervisor of another village cannot even see it
    by_cadre = client.post(f"/api/v1/disclosure-versions/{v1['id']}/approve", headers=f.bearer(keeper), json={})
    assert by_cadre.status_code == 404, by_cadre.get_data(as_text=True)
    other = f.login_wx(client, w["other_supervisor"])
    assert (
        client.post(f"/api/v1/disclosure-versions/{v1['id']}/approve", headers=f.bearer(other), json={}).status_code
        == 404
    )
    returned = client.post(
        f"/api/v1/disclosure-versions/{v1['id']}/return",
        headers=f.bearer(supervisor),
        json={"comment": "请补充保洁合同编号"},
    )
    assert returned.get_json()["status"] == "returned" and returned.get_json()["review_comment"]
    edited = client.patch(
        f"/api/v1/disclosure-versions/{v1['id']}",
        headers=f.bearer(keeper),
        json={"body": "本月收支如下，保洁合同编号 BJ-2026-01。"},
    )
    assert edited.status_code == 200 and edited.get_json()["status"] == "draft"
    client.post(f"/api/v1/disclosure-versions/{v1['id']}/submit", headers=f.bearer(keeper))
    published = client.post(
        f"/api/v1/disclosure-versions/{v1['id']}/approve", headers=f.bearer(supervisor), json={"comment": "同意公开"}
    )
    assert published.status_code == 200 and published.get_json()["status"] == "published"
    assert len(published.get_json()["content_hash"]) == 64

    # nobody may edit a published version
    frozen = client.patch(f"/api/v1/disclosure-versions/{v1['id']}", headers=f.bearer(keeper), json={"title": "改"})
    assert frozen.status_code == 409 and frozen.get_json()["error"]["code"] == "version_not_editable"

    # a correction is a new version with a public reason; the first stays readable
    corrected = client.post(
        f"/api/v1/disclosures/{v1['disclosure_id']}/corrections",
        headers=f.bearer(keeper),
        json={
            "reason": "保洁费金额录入有误",
            "line_items": [
                {"label": "村道保洁费", "expense_fen": 102000},
                {"label": "厂房租金收入", "income_fen": 3500000},
            ],
        },
    )
    assert corrected.status_code == 201 and corrected.get_json()["number"] == 2
    v2 = corrected.get_json()
    client.post(f"/api/v1/disclosure-versions/{v2['id']}/submit", headers=f.bearer(keeper))
    client.post(f"/api/v1/disclosure-versions/{v2['id']}/approve", headers=f.bearer(supervisor), json={})

    code = w["codes"][0]
    listing = client.get(f"/api/v1/h/{code}/disclosures").get_json()
    assert listing["total"] == 1 and listing["items"][0]["current"]["number"] == 2
    detail = client.get(f"/api/v1/h/{code}/disclosures/{v1['disclosure_id']}").get_json()
    assert [v["number"] for v in detail["versions"]] == [1, 2]
    assert detail["versions"][1]["correction_reason"] == "保洁费金额录入有误"
    assert detail["current"]["total_expense_fen"] == 102000
    assert "review_comment" not in detail["current"]
    # who approved each version: the supervision committee member, by office and name (a public office)
    assert {v["approved_by"] for v in detail["versions"]} == {"村务监督委员会成员 干部"}
    assert detail["current"]["approved_by"] == "村务监督委员会成员 干部"

    landing = client.get(f"/api/v1/h/{code}").get_json()
    assert [d["current"]["title"] for d in landing["disclosures"]] == ["2026年2月财务收支公开"]
    assert "2026年2月财务收支公开" in client.get(f"/h/{code}").get_data(as_text=True)

    verified = client.get(f"/api/v1/disclosures/{v1['disclosure_id']}/verify").get_json()
    assert verified == {"ok": True, "entries": 2, "problems": []}


def test_who_may_draft_and_review(client, village_world):
    w = village_world
    assert draft_disclosure(client, f.login_wx(client, w["grid_worker"]), w).status_code == 404
    assert draft_disclosure(client, f.login_wx(client, w["villager"]), w).status_code == 404
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, w["village"].township))
    assert draft_disclosure(client, staff, w).status_code == 403  # WeChat accounts of cadres only

    # a supervision member who also drafts cannot approve their own draft
    both = f.cadre(Role.VILLAGE_DIRECTOR, w["village"], identity="director-and-supervisor")
    from app.domain import roles

    roles.assign(Role.SUPERVISION_MEMBER, user=both, village=w["village"])
    db.session.commit()
    token = f.login_wx(client, both)
    version = draft_disclosure(client, token, w).get_json()
    client.post(f"/api/v1/disclosure-versions/{version['id']}/submit", headers=f.bearer(token))
    own = client.post(f"/api/v1/disclosure-versions/{version['id']}/approve", headers=f.bearer(token), json={})
    assert own.status_code == 403 and own.get_json()["error"]["code"] == "own_draft"


def test_bad_drafts_get_clear_errors(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    mismatch = draft_disclosure(client, keeper, w, totals={"income_fen": 1, "expense_fen": 120000})
    assert mismatch.status_code == 422 and mismatch.get_json()["error"]["code"] == "totals_mismatch"
    assert "income_fen" in mismatch.get_json()["error"]["fields"]["totals"]
    wrong_period = draft_disclosure(client, keeper, w, period="2026-Q1")
    assert wrong_period.get_json()["error"]["code"] == "period_invalid"
    no_items = draft_disclosure(client, keeper, w, line_items=[], totals={})
    assert no_items.get_json()["error"]["code"] == "line_items_required"
    negative = draft_disclosure(client, keeper, w, line_items=[{"label": "x", "income_fen": -5}])
    assert negative.status_code == 422 and negative.get_json()["error"]["code"] == "validation_error"
    foreign_item = draft_disclosure(client, keeper, w, item_type_id=999999)
    assert foreign_item.get_json()["error"]["code"] == "item_type_invalid"
    assert draft_disclosure(client, keeper, w).status_code == 201
    assert draft_disclosure(client, keeper, w).get_json()["error"]["code"] == "disclosure_exists"


def test_personal_data_is_masked_in_what_is_stored(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    body = {
        "item_type_id": w["item"]("dibao_list").id,
        "period": "2026-Q1",
        "title": "低保对象名单",
        "body": "王五 330102199001011234 联系电话 13812345678",
        "line_items": None,
    }
    body.pop("line_items")
    response = draft_disclosure(client, keeper, w, **body)
    assert response.status_code == 201, response.get_json()
    stored = db.session.get(DisclosureVersion, response.get_json()["id"])
    assert "330102********1234" in stored.body and "138****5678" in stored.body
    assert "199001011234" not in stored.body


def test_reach_counts_each_household_once(client, village_world):
    w = village_world
    version = publish_one(client, w)
    did = version["disclosure_id"]
    for code in (w["codes"][0], w["codes"][0], w["codes"][1], hc.grouped(w["codes"][1]).lower()):
        assert client.get(f"/api/v1/h/{code}/disclosures/{did}").status_code == 200
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_DISPATCHER, w["village"].township))
    reach = client.get(f"/api/v1/disclosures/{did}/reach", headers=f.bearer(staff)).get_json()
    assert reach == {"disclosure_id": did, "households_reached": 2, "households_total": 4, "ratio": 0.5}
    village = client.get(f"/api/v1/villages/{w['village'].id}/reach", headers=f.bearer(staff)).get_json()
    assert village["households_reached"] == 2 and village["disclosures"][0]["households_reached"] == 2
    # households of other villages cannot read (or count for) this village's disclosure
    stranger = f.household()
    code = hc.ensure_codes([stranger])[stranger.id]
    db.session.commit()
    assert client.get(f"/api/v1/h/{code}/disclosures/{did}").status_code == 404
    villager = f.login_wx(client, w["villager"])
    assert client.get(f"/api/v1/disclosures/{did}/reach", headers=f.bearer(villager)).status_code == 404


def test_tampering_with_a_stored_version_is_detected(client, runner, village_world):
    w = village_world
    first = publish_one(client, w, "2026-01")
    publish_one(client, w, "2026-02")
    ok = runner.invoke(args=["audit", "verify"])
    assert ok.exit_code == 0 and "2 条记录" in ok.output
    # someone edits the published text directly in the database
    db.session.execute(update(DisclosureVersion).where(DisclosureVersion.id == first["id"]).values(body="本月无支出。"))
    db.session.commit()
    bad = runner.invoke(args=["audit", "verify"])
    assert bad.exit_code == 1 and "changed after publication" in bad.output
    api = client.get(f"/api/v1/disclosures/{first['disclosure_id']}/verify").get_json()
    assert api["ok"] is False and api["problems"]


def test_calendar_and_township_warnings_over_http(client, village_world, clock):
    w = village_world
    staff = f.login_console(client, f.township_staff(Role.TOWNSHIP_LEADER, w["village"].township))
    rows = client.get(
        f"/api/v1/villages/{w['village'].id}/calendar?since=2025-10-01", headers=f.bearer(staff)
    ).get_json()
    assert rows and {r["status"] for r in rows} <= {"on_time", "published_late", "due", "overdue"}
    assert any(r["status"] == "overdue" for r in rows)  # the clock stands at 2026-03-02: nothing published
    warnings = client.get(
        f"/api/v1/townships/{w['village'].township_id}/disclosure-warnings", headers=f.bearer(staff)
    ).get_json()
    mine = next(x for x in warnings if x["village"]["id"] == w["village"].id)
    assert mine["overdue"] > 0
    bad = client.get(f"/api/v1/villages/{w['village'].id}/calendar?since=yesterday", headers=f.bearer(staff))
    assert bad.status_code == 422


def test_door_landing_follows_a_publication_at_once_in_every_process(app, client, village_world):
    """The landing keeps the village part per process and in Redis, per village revision: a
    publication bumps the revision in its own transaction, so no process serves the old list."""
    w = village_world
    code = w["codes"][0]
    other_app = create_app(dict(app.config))
    other_process = other_app.test_client()
    assert client.get(f"/api/v1/h/{code}").get_json()["disclosures"] == []
    assert other_process.get(f"/api/v1/h/{code}").get_json()["disclosures"] == []  # both hold a copy now
    publish_one(client, w)
    for c in (client, other_process):
        titles = [d["current"]["title"] for d in c.get(f"/api/v1/h/{code}").get_json()["disclosures"]]
        assert titles == ["2026年2月财务收支公开"]
    page = other_process.get(f"/h/{code}")
    assert "2026年2月财务收支公开" in page.get_data(as_text=True)
    with other_app.app_context():
        dispose_engines()


def test_the_household_list_marks_what_this_household_opened_and_who_approved(client, village_world):
    w = village_world
    did = publish_one(client, w)["disclosure_id"]
    other = publish_one(client, w, period="2026-01")["disclosure_id"]
    mine, neighbours = w["codes"][0], w["codes"][1]

    def marks(code, **query):
        listing = client.get(f"/api/v1/h/{code}/disclosures", query_string=query).get_json()
        return {d["id"]: d["read"] for d in listing["items"]}

    assert marks(mine) == {did: False, other: False}
    assert client.get(f"/api/v1/h/{mine}/disclosures/{did}").status_code == 200
    assert marks(mine) == {did: True, other: False}
    assert marks(hc.grouped(mine).lower(), category="finance") == {did: True, other: False}
    assert marks(neighbours) == {did: False, other: False}  # per household, not per village

    # who approved it and when: the committee member's name from the roster
    detail = client.get(f"/api/v1/h/{mine}/disclosures/{did}").get_json()
    assert detail["current"]["approved_by"] == "村务监督委员会成员 干部"
    assert detail["current"]["approved_at"] == detail["current"]["published_at"]
    landing = client.get(f"/api/v1/h/{mine}").get_json()
    assert "read" not in landing["disclosures"][0]  # the landing is the same for every door
    assert landing["disclosures"][0]["current"]["approved_by"] == "村务监督委员会成员 干部"
