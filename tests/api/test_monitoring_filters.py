"""The monitoring list's filters and orders (shared by the API's list and export and the console's
board): each filter narrows the viewer's list to exactly the cases matching it, every order lists the
same cases, and "urgent" puts red before yellow before cases on course."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from app.extensions import db
from app.models import Complaint
from tests import factories as f


def _listed(client, token, **query) -> list[dict]:
    response = client.get(
        "/api/v1/monitoring/complaints", headers=f.bearer(token), query_string={"per_page": 200, **query}
    )
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


@pytest.mark.parametrize(
    "name,value,column",
    [
        ("lane", "discipline", "lane"),
        ("lane", "service", "lane"),
        ("status", "assigned", "status"),
        ("status", "signed", "status"),
        ("escalation_level", 1, "escalation_level"),
        ("escalation_level", 0, "escalation_level"),
    ],
)
def test_each_filter_keeps_exactly_the_matching_cases(client, console_world, name, value, column):
    token = f.login_console(client, console_world.accounts["county.jiwei"])
    everything = {c["reference"]: c for c in _listed(client, token, view="all")}
    rows = {c.reference: c for c in db.session.scalars(select(Complaint).where(Complaint.reference.in_(everything)))}
    expected = {ref for ref, row in rows.items() if getattr(row, column) == value}
    assert {c["reference"] for c in _listed(client, token, view="all", **{name: value})} == expected


def test_every_order_lists_the_same_cases_and_urgent_puts_red_first(client, console_world):
    token = f.login_console(client, console_world.accounts["qingshan.leader"])
    base = _listed(client, token, view="all")
    for sort in ("due", "-due", "filed", "-filed", "level", "-level", "village", "-village", "urgent", "-urgent"):
        listed = _listed(client, token, view="all", sort=sort)
        assert sorted(c["reference"] for c in listed) == sorted(c["reference"] for c in base), sort
        xlsx = client.get(
            "/api/v1/monitoring/complaints.xlsx", headers=f.bearer(token), query_string={"view": "all", "sort": sort}
        )
        assert xlsx.status_code == 200, sort
    rank = {"red": 0, "yellow": 1, None: 2, "green": 3}
    urgent = [rank[c["colour"]] for c in _listed(client, token, view="all", sort="urgent")]
    assert urgent == sorted(urgent) and urgent[0] == 0
    filed = [c["filed_at"] for c in _listed(client, token, view="all", sort="-filed")]
    assert filed == sorted(filed, reverse=True)
    assert (
        client.get("/api/v1/monitoring/complaints?sort=colour", headers=f.bearer(token)).get_json()["error"]["code"]
        == "validation_error"
    )
