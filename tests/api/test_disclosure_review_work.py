"""The officers' side of a disclosure in the mini-program: lists by stage (the cadres' drafts, the
committee's 待审核), one disclosure with all its versions, what the committee last returned (the
re-review compares with it), and a draft's attachments opened by the reviewers."""

from __future__ import annotations

import io

from PIL import Image

from tests import factories as f
from tests.helpers.disclosures import draft_disclosure, publish_one


def _png(colour=(10, 120, 40)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (32, 24), colour).save(out, format="PNG")
    return out.getvalue()


def _attach(client, token, version_id, name="收据.png", colour=(10, 120, 40)):
    response = client.post(
        f"/api/v1/disclosure-versions/{version_id}/attachments",
        headers=f.bearer(token),
        data={"file": (io.BytesIO(_png(colour)), name)},
        content_type="multipart/form-data",
    )
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def _ids(client, token, w, **query):
    response = client.get(
        f"/api/v1/villages/{w['village'].id}/disclosures", headers=f.bearer(token), query_string=query
    )
    assert response.status_code == 200, response.get_json()
    return [d["id"] for d in response.get_json()]


def test_lists_by_stage_for_the_cadres_and_the_committee(client, village_world):
    w = village_world
    keeper, supervisor = f.login_wx(client, w["bookkeeper"]), f.login_wx(client, w["supervisor"])
    published = publish_one(client, w, "2026-01")["disclosure_id"]
    draft = draft_disclosure(client, keeper, w, period="2026-02").get_json()
    waiting = draft_disclosure(client, keeper, w, period="2025-12").get_json()
    client.post(f"/api/v1/disclosure-versions/{waiting['id']}/submit", headers=f.bearer(keeper))
    returned = draft_disclosure(client, keeper, w, period="2025-11").get_json()
    client.post(f"/api/v1/disclosure-versions/{returned['id']}/submit", headers=f.bearer(keeper))
    client.post(
        f"/api/v1/disclosure-versions/{returned['id']}/return", headers=f.bearer(supervisor), json={"comment": "补充"}
    )
    # a correction of the published one, being drafted: that disclosure is in two stages at once
    correction = client.post(
        f"/api/v1/disclosures/{published}/corrections", headers=f.bearer(keeper), json={"reason": "金额录入有误"}
    )
    assert correction.status_code == 201

    assert _ids(client, supervisor, w, stage="in_review") == [waiting["disclosure_id"]]
    assert set(_ids(client, keeper, w, stage="drafting")) == {
        draft["disclosure_id"],
        returned["disclosure_id"],
        published,
    }
    assert _ids(client, keeper, w, stage="published") == [published]
    assert len(_ids(client, keeper, w)) == 4  # no stage: everything, as before
    bad = client.get(f"/api/v1/villages/{w['village'].id}/disclosures?stage=later", headers=f.bearer(keeper))
    assert bad.status_code == 422 and "stage" in bad.get_json()["error"]["fields"]
    # another village's committee sees none of it
    other = f.login_wx(client, w["other_supervisor"])
    assert client.get(f"/api/v1/villages/{w['village'].id}/disclosures", headers=f.bearer(other)).status_code == 404


def test_one_disclosure_with_its_versions_for_the_village_officers_only(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    version = draft_disclosure(client, keeper, w).get_json()
    did = version["disclosure_id"]

    for who in ("bookkeeper", "supervisor", "grid_worker"):
        got = client.get(f"/api/v1/disclosures/{did}", headers=f.bearer(f.login_wx(client, w[who])))
        assert got.status_code == 200, (who, got.get_json())
        body = got.get_json()
        assert body["current"] is None and [v["status"] for v in body["versions"]] == ["draft"]
        assert body["versions"][0]["line_items"][0] == {"label": "村道保洁费", "income_fen": 0, "expense_fen": 120000}
        assert body["item_type"]["key"] == "finance_income_expense" and body["period"] == "2026-02"
    for who in ("villager", "other_supervisor"):
        token = f.login_wx(client, w[who])
        assert client.get(f"/api/v1/disclosures/{did}", headers=f.bearer(token)).status_code == 404
    assert client.get(f"/api/v1/disclosures/{did}").status_code == 401
    assert client.get("/api/v1/disclosures/999999", headers=f.bearer(keeper)).status_code == 404


def test_a_return_keeps_what_was_returned_for_the_re_review(client, village_world):
    w = village_world
    keeper, supervisor = f.login_wx(client, w["bookkeeper"]), f.login_wx(client, w["supervisor"])
    version = draft_disclosure(client, keeper, w).get_json()
    vid, did = version["id"], version["disclosure_id"]
    first = _attach(client, keeper, vid)
    assert version["last_returned"] is None

    client.post(f"/api/v1/disclosure-versions/{vid}/submit", headers=f.bearer(keeper))
    returned = client.post(
        f"/api/v1/disclosure-versions/{vid}/return", headers=f.bearer(supervisor), json={"comment": "保洁费请附合同"}
    ).get_json()
    assert returned["last_returned"] == {
        "title": "2026年2月财务收支公开",
        "body": "本月收支如下。",
        "line_items": [
            {"label": "村道保洁费", "income_fen": 0, "expense_fen": 120000},
            {"label": "厂房租金收入", "income_fen": 3500000, "expense_fen": 0},
        ],
        "attachment_ids": [first["id"]],
        "comment": "保洁费请附合同",
    }

    # the cadre edits in place and resubmits: the returned content is still there to compare with
    edited = client.patch(
        f"/api/v1/disclosure-versions/{vid}",
        headers=f.bearer(keeper),
        json={
            "body": "本月收支如下，保洁合同附后。",
            "line_items": [
                {"label": "村道保洁费", "expense_fen": 102000},
                {"label": "厂房租金收入", "income_fen": 3500000},
            ],
            "totals": {"income_fen": 3500000, "expense_fen": 102000},
        },
    )
    assert edited.status_code == 200 and edited.get_json()["status"] == "draft"
    second = _attach(client, keeper, vid, name="保洁合同.png", colour=(200, 200, 10))
    client.post(f"/api/v1/disclosure-versions/{vid}/submit", headers=f.bearer(keeper))
    seen = client.get(f"/api/v1/disclosures/{did}", headers=f.bearer(supervisor)).get_json()["versions"][0]
    assert seen["status"] == "in_review" and seen["review_comment"] == "保洁费请附合同"
    assert seen["body"] == "本月收支如下，保洁合同附后。" and seen["last_returned"]["body"] == "本月收支如下。"
    assert seen["last_returned"]["line_items"][0]["expense_fen"] == 120000
    assert [a["id"] for a in seen["attachments"]] == [first["id"], second["id"]]
    assert seen["last_returned"]["attachment_ids"] == [first["id"]]

    # a second return replaces it with what was returned then
    again = client.post(
        f"/api/v1/disclosure-versions/{vid}/return", headers=f.bearer(supervisor), json={"comment": "合同金额不清"}
    ).get_json()
    assert again["last_returned"]["body"] == "本月收支如下，保洁合同附后。"
    assert again["last_returned"]["attachment_ids"] == [first["id"], second["id"]]
    assert again["last_returned"]["comment"] == "合同金额不清"

    # villagers never see it, nor the committee's comments
    client.post(f"/api/v1/disclosure-versions/{vid}/submit", headers=f.bearer(keeper))
    client.post(f"/api/v1/disclosure-versions/{vid}/approve", headers=f.bearer(supervisor), json={})
    public = client.get(f"/api/v1/h/{w['codes'][0]}/disclosures/{did}").get_json()
    assert "last_returned" not in public["current"] and "last_returned" not in public["versions"][0]
    landing = client.get(f"/api/v1/h/{w['codes'][0]}").get_json()
    assert "last_returned" not in landing["disclosures"][0]["current"]


def test_reviewers_open_a_draft_attachment_and_nobody_else_does(client, village_world):
    w = village_world
    keeper = f.login_wx(client, w["bookkeeper"])
    version = draft_disclosure(client, keeper, w).get_json()
    attachment = _attach(client, keeper, version["id"])
    client.post(f"/api/v1/disclosure-versions/{version['id']}/submit", headers=f.bearer(keeper))

    url = f"/api/v1/disclosure-attachments/{attachment['id']}"
    fetched = client.get(url, headers=f.bearer(f.login_wx(client, w["supervisor"])))
    assert fetched.status_code == 200 and fetched.mimetype == "image/png"
    assert Image.open(io.BytesIO(fetched.data)).size == (32, 24)
    assert fetched.headers["Cache-Control"] == "private, no-store"
    assert fetched.headers["Content-Disposition"].startswith("attachment")
    for who in ("villager", "other_supervisor"):
        assert client.get(url, headers=f.bearer(f.login_wx(client, w[who]))).status_code == 404
    assert client.get(url).status_code == 401
    # the door keeps showing published attachments only
    assert client.get(f"/api/v1/h/{w['codes'][0]}/attachments/{attachment['id']}").status_code == 404
