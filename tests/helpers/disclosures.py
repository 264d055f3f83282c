"""Disclosures over HTTP: a draft, and one drafted, submitted and approved (published)."""

from __future__ import annotations

from tests import factories as f


def draft_disclosure(client, token, w, **overrides):
    body = {
        "village_id": w["village"].id,
        "item_type_id": w["item"]("finance_income_expense").id,
        "period": "2026-02",
        "title": "2026年2月财务收支公开",
        "body": "本月收支如下。",
        "line_items": [
            {"label": "村道保洁费", "expense_fen": 120000},
            {"label": "厂房租金收入", "income_fen": 3500000},
        ],
        "totals": {"income_fen": 3500000, "expense_fen": 120000},
    }
    body.update(overrides)
    return client.post("/api/v1/disclosures", headers=f.bearer(token), json=body)


def publish_one(client, w, period="2026-02"):
    keeper = f.login_wx(client, w["bookkeeper"])
    supervisor = f.login_wx(client, w["supervisor"])
    response = draft_disclosure(client, keeper, w, period=period)
    assert response.status_code == 201, response.get_json()
    version = response.get_json()
    client.post(f"/api/v1/disclosure-versions/{version['id']}/submit", headers=f.bearer(keeper))
    client.post(f"/api/v1/disclosure-versions/{version['id']}/approve", headers=f.bearer(supervisor), json={})
    return version
