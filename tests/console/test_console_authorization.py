"""Every console page and step is authorized by the same layer as the API: for each console account
(township offices of two townships, the county), what a console URL shows or refuses is what the API
shows or refuses for the same thing — the same cases on the board and in the export as the monitoring
list, the same desk as the inbox, the same case pages (404 out of scope, exactly like absent), the
same complainant fields as the API's officer projection. A console route missing from ROUTES fails
`test_every_console_route_is_checked_here`: a new page is added here with its API counterpart."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from app.extensions import db
from app.models import Complaint, ConsoleAccount
from tests import factories as f

ACCOUNTS = (
    "qingshan.dispatch",
    "qingshan.jiwei",
    "qingshan.leader",
    "qingshan.sanzi",
    "yunxi.dispatch",
    "yunxi.leader",
    "county.jiwei",
)
# console endpoint → what it is checked against (tests below)
ROUTES = {
    "console.login": "the login form (public)",
    "console.login_submit": "test_console_session: the API's console login and lockout",
    "console.logout": "test_console_session: revokes the session",
    "console.board": "GET /api/v1/monitoring/complaints",
    "console.board_results": "GET /api/v1/monitoring/complaints",
    "console.board_xlsx": "GET /api/v1/monitoring/complaints.xlsx",
    "console.complaints": "GET /api/v1/complaints (the inbox)",
    "console.complaint": "GET /api/v1/complaints/<id>",
    "console.complaint_step": "POST /api/v1/complaints/<id>/<step>",
    "console.complaint_photo": "GET /api/v1/complaint-photos/<id>/image (test_console_case_page)",
}


def test_every_console_route_is_checked_here(app):
    endpoints = {rule.endpoint for rule in app.url_map.iter_rules() if rule.endpoint.startswith("console.")}
    assert endpoints == set(ROUTES)


def test_every_console_page_but_login_needs_a_console_login(app, console_world):
    client = app.test_client()
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("console.") or rule.endpoint in ("console.login", "console.login_submit"):
            continue
        view = app.view_functions[rule.endpoint]
        assert getattr(view, "console_page", False), f"{rule.endpoint} is not declared with @page"
    cid = console_world.cases["overdue"]
    for path in (
        "/console/",
        "/console/board/results",
        "/console/board.xlsx",
        "/console/complaints",
        f"/console/complaints/{cid}",
        "/console/complaint-photos/1",
    ):
        response = client.get(path)
        assert response.status_code == 303, path
        assert response.headers["Location"].startswith("/console/login")


def _references_from_html(html: str) -> list[str]:
    import re

    return re.findall(r'data-reference="([^"]+)"', html)


@pytest.mark.parametrize("username", ACCOUNTS)
def test_board_desk_and_export_show_what_the_api_shows(client, console_world, console_client, username):
    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    api = f.bearer(f.login_console(client, account))
    console = console_client(username)
    for view, sort in (("all", "urgent"), ("open", "-filed"), ("overdue", "due"), ("all", "village")):
        query = f"view={view}&sort={sort}"
        listed = client.get(f"/api/v1/monitoring/complaints?{query}&per_page=200", headers=api).get_json()
        expected = [item["reference"] for item in listed["items"]]
        board = console.get(f"/console/?{query}&per_page=200")
        assert board.status_code == 200
        assert _references_from_html(board.get_data(as_text=True)) == expected, view
        fragment = console.get(f"/console/board/results?{query}&per_page=200")
        assert _references_from_html(fragment.get_data(as_text=True)) == expected, view
        api_book = client.get(f"/api/v1/monitoring/complaints.xlsx?{query}", headers=api)
        console_book = console.get(f"/console/board.xlsx?{query}")
        assert console_book.status_code == 200
        rows = [list(r) for r in load_workbook(io.BytesIO(console_book.data)).active.iter_rows(values_only=True)]
        api_rows = [list(r) for r in load_workbook(io.BytesIO(api_book.data)).active.iter_rows(values_only=True)]
        assert rows == api_rows and [r[0] for r in rows[1:]] == expected, view
    inbox = client.get("/api/v1/complaints?per_page=200", headers=api).get_json()
    desk = console.get("/console/complaints?per_page=200").get_data(as_text=True)
    assert sorted(_references_from_html(desk)) == sorted(item["reference"] for item in inbox["items"])


@pytest.mark.parametrize("username", ACCOUNTS)
def test_case_pages_show_exactly_what_the_api_shows(client, console_world, console_client, username):
    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    api = f.bearer(f.login_console(client, account))
    console = console_client(username)
    for name, cid in console_world.cases.items():
        detail = client.get(f"/api/v1/complaints/{cid}", headers=api)
        page = console.get(f"/console/complaints/{cid}")
        assert page.status_code == detail.status_code, (name, detail.status_code)
        html = page.get_data(as_text=True)
        row = db.session.get(Complaint, cid)
        if detail.status_code == 404:
            assert row.reference not in html and row.description not in html
            continue
        shown = detail.get_json()
        assert row.reference in html and shown["description"] in html
        for field in ("contact_name", "contact_phone"):  # the complainant, only where the API gives it
            value = getattr(row, field)
            if value:
                assert (value in html) == (shown.get(field) == value), (name, field)
        for event in shown["events"]:
            assert (event["public_note"] or "") in html
            assert (event.get("internal_note") or "") in html


@pytest.mark.parametrize("username", ACCOUNTS)
def test_no_step_reaches_a_case_out_of_sight(client, console_world, console_client, username):
    """Every step on every case the account may not read answers the console's 404, and writes nothing."""
    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    api = f.bearer(f.login_console(client, account))
    console = console_client(username)
    from app.console.complaints import STEPS

    bodies = {
        "text": "请尽快处理",
        "reason": "测试",
        "target": "township_dispatch",
        "category": "other",
        "into_id": "1",
    }
    for name, cid in console_world.cases.items():
        if client.get(f"/api/v1/complaints/{cid}", headers=api).status_code != 404:
            continue
        before = db.session.get(Complaint, cid).version
        for step in STEPS:
            response = console.post(f"/console/complaints/{cid}/{step}", bodies)
            assert response.status_code == 404, (name, step)
            assert "没有找到" in response.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(Complaint, cid).version == before, name
