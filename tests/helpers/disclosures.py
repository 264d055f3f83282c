"""Disclosures over HTTP: a draft, and one drafted, submitted and approved (published)."""

from __future__ import annotations

import io

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


# A month of a village's books as such notices list them: the lines a phone page must lay out.
# (label, income in fen, expense in fen)
_BOOKS = [
    ("厂房租金收入（村东标准厂房）", 3_500_000, 0),
    ("山林承包费", 1_260_000, 0),
    ("上级转移支付：村级组织运转经费", 2_000_000, 0),
    ("农户一事一议筹资", 348_000, 0),
    ("存款利息", 12_345, 0),
    *((f"村道保洁费（第{n}组）", 0, 120_000 + n * 1_000) for n in range(1, 9)),
    ("村干部误工补贴", 0, 1_860_000),
    ("村务监督委员会补贴", 0, 240_000),
    ("办公用品（打印纸、墨盒）", 0, 86_550),
    ("电费（村委会、路灯）", 0, 213_470),
    ("水渠清淤（务工 12 人次）", 0, 360_000),
    ("文化礼堂活动", 0, 150_000),
    ("防汛物资", 0, 98_000),
    ("网格员通讯补贴", 0, 60_000),
    ("慰问困难群众", 0, 400_000),
    ("垃圾分类宣传材料", 0, 45_800),
    ("路灯维修", 0, 132_600),
    ("村集体资产保险", 0, 76_000),
]
MONTH_OF_BOOKS = [{"label": label, "income_fen": i, "expense_fen": e} for label, i, e in _BOOKS]


def upload_attachment(client, token, version_id, data: bytes, name: str):
    """POST a file to a draft version (multipart field `file`); the response."""
    return client.post(
        f"/api/v1/disclosure-versions/{version_id}/attachments",
        headers=f.bearer(token),
        data={"file": (io.BytesIO(data), name)},
        content_type="multipart/form-data",
    )


def totals(items):
    return {
        "income_fen": sum(i.get("income_fen", 0) for i in items),
        "expense_fen": sum(i.get("expense_fen", 0) for i in items),
    }


def publish_with_correction(client, w, *, keeper, supervisor, items=MONTH_OF_BOOKS, period="2026-02", files=()):
    """A finance disclosure published, then corrected with `files` ((bytes, name)) attached (the
    correction approved too): its id and the two published version ids."""
    first = draft_disclosure(client, keeper, w, period=period, line_items=items, totals=totals(items))
    assert first.status_code == 201, first.get_json()
    v1 = first.get_json()
    _approve(client, v1["id"], keeper, supervisor)
    fixed = [dict(i) for i in items]
    fixed[-1]["expense_fen"] -= 1_000
    corrected = client.post(
        f"/api/v1/disclosures/{v1['disclosure_id']}/corrections",
        headers=f.bearer(keeper),
        json={"reason": "路灯维修发票金额录入有误，更正为实际金额", "line_items": fixed, "totals": totals(fixed)},
    )
    assert corrected.status_code == 201, corrected.get_json()
    v2 = corrected.get_json()
    for data, name in files:
        uploaded = upload_attachment(client, keeper, v2["id"], data, name)
        assert uploaded.status_code == 201, uploaded.get_json()
    _approve(client, v2["id"], keeper, supervisor)
    return v1["disclosure_id"], v1["id"], v2["id"]


def _approve(client, version_id, keeper, supervisor):
    assert client.post(f"/api/v1/disclosure-versions/{version_id}/submit", headers=f.bearer(keeper)).status_code == 200
    approved = client.post(f"/api/v1/disclosure-versions/{version_id}/approve", headers=f.bearer(supervisor), json={})
    assert approved.status_code == 200, approved.get_json()
