"""统计 in the console: the figures are app.domain.statistics' over the viewer's scope (its own tests:
tests/domain/test_statistics.py); the page shows them per village and month, draws them from its JSON,
compares townships for the county, and refuses a period it cannot take."""

from __future__ import annotations

import json
import re
from datetime import date

from sqlalchemy import select

from app.clock import to_shanghai, utcnow
from app.domain import statistics
from app.domain.authz import Actor, load_grants
from app.extensions import db
from app.models import ConsoleAccount


def _report(username: str):
    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    this_month = to_shanghai(utcnow()).date().replace(day=1)
    year, month = divmod(this_month.year * 12 + this_month.month - 1 - 11, 12)  # the page's default: 12 months
    first = date(year, month + 1, 1)
    actor = Actor("console", account.id, load_grants(console_account_id=account.id))
    return statistics.report(actor, first=first, last=this_month)


def _chart_data(html: str) -> dict:
    found = re.search(r'<script type="application/json" id="statistics-data">(.*?)</script>', html, re.S)
    assert found
    return json.loads(found.group(1))


def test_a_townships_statistics_are_its_own_figures(console_world, console_disclosures, console_client):
    html = console_client("qingshan.leader").get("/console/statistics").get_data(as_text=True)
    report = _report("qingshan.leader")
    assert f'<dd data-figure="filed">{report.total.filed}</dd>' in html
    # 青山镇's cases: not the held one (not a case until released), not the one about its dispatcher, never
    # 云溪街道's
    assert report.total.filed == 4
    shown = re.findall(r'data-village="(\d+)"', html.split('id="villages"')[1])
    assert [int(v) for v in shown] == [v.id for v in report.villages]
    assert console_world.villages["xikou"].name not in html.split('id="villages"')[1]
    assert 'id="townships"' not in html  # one township: nothing to compare
    data = _chart_data(html)
    assert data["months"] == report.months and len(data["months"]) == 12
    assert sum(data["by_month"]["filed"]) == report.total.filed
    assert data["places"] == ["下林村", "上林村"] and data["place_kind"] == "村（社区）"
    assert data["by_place"]["reach"][0] == round(100 * report.by_village[console_world.villages["xialin"].id].reach, 1)


def test_the_county_compares_its_townships(console_world, console_disclosures, console_client):
    html = console_client("county.jiwei").get("/console/statistics").get_data(as_text=True)
    report = _report("county.jiwei")
    table = html.split('id="townships"')[1].split("</section>")[0]
    assert "青山镇" in table and "云溪街道" in table
    data = _chart_data(html)
    assert data["places"] == ["青山镇", "云溪街道"] and data["place_kind"] == "镇（街道）"
    assert data["by_place"]["filed"] == [report.by_township[t].filed for t, _ in report.townships] == [5, 1]


def test_one_village_by_month_and_the_periods_it_refuses(console_world, console_client):
    leader = console_client("qingshan.leader")
    xialin, xikou = console_world.villages["xialin"], console_world.villages["xikou"]
    one = leader.get(f"/console/statistics?village_id={xialin.id}&since=2026-01&until=2026-12")
    html = one.get_data(as_text=True)
    assert one.status_code == 200 and re.findall(r'data-month="([\d-]+)"', html)[:2] == ["2026-01", "2026-02"]
    assert 'id="matrix"' not in html and f"逐月（{xialin.name}）" in html
    assert leader.get(f"/console/statistics?village_id={xikou.id}").status_code == 404  # another township's
    backwards = leader.get("/console/statistics?since=2026-05&until=2026-03")
    assert backwards.status_code == 422 and 'data-code="period_invalid"' in backwards.get_data(as_text=True)
    too_long = leader.get("/console/statistics?since=2023-01&until=2026-03")
    assert too_long.status_code == 422 and "一次最多统计 24 个月" in too_long.get_data(as_text=True)
    nonsense = leader.get("/console/statistics?since=2026-13")
    assert nonsense.status_code == 422
