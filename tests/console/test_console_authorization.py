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
from sqlalchemy import func, select

from app.extensions import db
from app.models import Complaint, ConsoleAccount
from tests import factories as f
from tests.helpers.console_pages import POLICY_FORM

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
    "console.disclosures": "GET /api/v1/townships/<id>/disclosure-warnings, …/held-questions",
    "console.village_disclosures": "GET /api/v1/villages/<id>/calendar, …/reach, …/disclosure-questions",
    "console.release_question": "POST /api/v1/disclosure-questions/<id>/release",
    "console.reject_question": "POST /api/v1/disclosure-questions/<id>/reject",
    "console.statistics_page": "GET /api/v1/villages/<id> (the village filter); figures: tests/domain/test_statistics",
    "console.rules": "GET /api/v1/townships/<id>/deadline-policies, …/complaint-routes, …/platform",
    "console.set_route": "POST /api/v1/townships/<id>/complaint-routes",
    "console.set_deadline_policy": "PUT /api/v1/townships/<id>/deadline-policies/<lane>",
    "console.set_platform": "PUT /api/v1/townships/<id>/platform",
    "console.households": "GET /api/v1/villages/<id>/households",
    "console.revoke_code": "POST /api/v1/households/<id>/code/revoke",
    "console.reissue_code": "POST /api/v1/households/<id>/code/reissue",
    "console.stickers_form": "GET /api/v1/villages (stickers.print)",
    "console.sticker_grids": "GET /api/v1/villages/<id> (stickers.print)",
    "console.request_stickers": "POST /api/v1/sticker-sheets",
    "console.sticker_sheet": "GET /api/v1/sticker-sheets/<id>",
    "console.sticker_progress": "GET /api/v1/sticker-sheets/<id>",
    "console.sticker_file": "GET /api/v1/sticker-sheets/<id>/file",
    "console.sticker_preview": "GET /api/v1/sticker-sheets/<id>/preview.png",
    "console.invitations": "role.read over invitations",
    "console.create_invitation": "POST /api/v1/invitations",
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
        "/console/disclosures",
        "/console/disclosures/villages/1",
        "/console/statistics",
        "/console/rules",
        "/console/households",
        "/console/stickers",
        "/console/stickers/grids?village_id=1",
        "/console/stickers/1",
        "/console/stickers/1/progress",
        "/console/stickers/1/file",
        "/console/stickers/1/preview.png",
        "/console/invitations",
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


# ---- 三务公开, 统计, 规则, 住户与门牌码: every page and step as the API answers the same account ----


def _ids(html: str, attribute: str) -> list[int]:
    import re

    return [int(v) for v in re.findall(rf'{attribute}="(\d+)"', html)]


def _status(response) -> int:
    return 404 if response.status_code == 404 else 200 if response.status_code < 400 else response.status_code


@pytest.mark.parametrize("username", ACCOUNTS)
def test_the_pages_of_villages_and_townships_answer_as_the_api(
    client, console_world, console_disclosures, console_client, username
):
    from app.domain import stickers
    from app.domain.authz import Actor, load_grants

    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    api = f.bearer(f.login_console(client, account))
    console = console_client(username)
    staff = console_world.accounts["county.jiwei"]
    county = Actor("console", staff.id, load_grants(console_account_id=staff.id))
    sheets = {
        name: stickers.request_sheet(county, village_id=v.id, layout="3x8", public_base_url="https://mj.test").id
        for name, v in console_world.villages.items()
    }
    db.session.commit()
    for name, village in console_world.villages.items():
        calendar = client.get(f"/api/v1/villages/{village.id}/calendar", headers=api)
        page = console.get(f"/console/disclosures/villages/{village.id}")
        assert _status(page) == _status(calendar), (name, "calendar")
        seen = client.get(f"/api/v1/villages/{village.id}", headers=api)
        stats = console.get(f"/console/statistics?village_id={village.id}")
        assert _status(stats) == _status(seen), (name, "statistics")
        grids = console.get(f"/console/stickers/grids?village_id={village.id}")
        sheet = client.get(f"/api/v1/sticker-sheets/{sheets[name]}", headers=api)
        assert _status(grids) == _status(sheet), (name, "grids")
        for path in ("", "/progress"):
            assert _status(console.get(f"/console/stickers/{sheets[name]}{path}")) == _status(sheet), (name, path)
        listed = client.get(f"/api/v1/villages/{village.id}/households?per_page=200", headers=api)
        found = console.get(f"/console/households?village_id={village.id}&per_page=200")
        if listed.status_code == 200:
            expected = sorted(h["id"] for h in listed.get_json()["items"])
            assert sorted(_ids(found.get_data(as_text=True), "data-household")) == expected, name
        else:
            assert _ids(found.get_data(as_text=True), "data-household") == [], name
    # 三务公开: the held questions the API lists for each township, and no other
    overview = console.get("/console/disclosures").get_data(as_text=True)
    held = []
    for township in (console_world.qingshan, console_world.yunxi):
        answer = client.get(f"/api/v1/townships/{township.id}/held-questions", headers=api)
        held += [q["id"] for q in answer.get_json()] if answer.status_code == 200 else []
    section = overview.split('id="held-questions"')[1].split("</section>")[0]
    assert sorted(_ids(section, "data-question")) == sorted(held)
    # 规则: each township's page, and its sections, as the API answers them
    for township in (console_world.qingshan, console_world.yunxi):
        policies = client.get(f"/api/v1/townships/{township.id}/deadline-policies", headers=api)
        routes = client.get(f"/api/v1/townships/{township.id}/complaint-routes", headers=api)
        config = client.get(f"/api/v1/townships/{township.id}/platform", headers=api)
        page = console.get(f"/console/rules?township_id={township.id}")
        assert _status(page) == _status(policies), township.name
        html = page.get_data(as_text=True)
        assert ('id="route-table"' in html) == (routes.status_code == 200), township.name
        assert ('id="platform-deliveries"' in html) == (config.status_code == 200), township.name
        if routes.status_code == 200:
            rows = html.split('id="route-table"')[1].split("</table>")[0].count("data-category=")
            assert rows == len(routes.get_json())


@pytest.mark.parametrize("username", ACCOUNTS)
def test_no_step_reaches_a_village_or_township_out_of_sight(
    client, console_world, console_disclosures, console_client, username
):
    """Every console step on what the account may not touch answers the console's 404 (or the API's
    refusal), and writes nothing."""
    from app.models import Household, HouseholdCode, Invitation, PlatformConfig, Question, RoutingRule

    account = db.session.scalar(select(ConsoleAccount).where(ConsoleAccount.username == username))
    api = f.bearer(f.login_console(client, account))
    console = console_client(username)
    counts = lambda: tuple(  # noqa: E731
        db.session.scalar(select(func.count()).select_from(m)) for m in (RoutingRule, PlatformConfig, Invitation)
    )
    before = counts()
    for name, village in console_world.villages.items():
        if client.get(f"/api/v1/villages/{village.id}/households", headers=api).status_code != 404:
            continue
        home = db.session.scalar(select(Household).where(Household.village_id == village.id).limit(1))
        for step in ("revoke", "reissue"):
            response = console.post(f"/console/households/{home.id}/code/{step}", {"reason": "遗失"})
            assert response.status_code == 404, (name, step)
        assert (
            db.session.scalar(
                select(func.count()).select_from(HouseholdCode).where(HouseholdCode.household_id == home.id)
            )
            == 0
        )
        sheet = console.post("/console/stickers", {"village_id": village.id, "layout": "3x8"})
        assert sheet.status_code == 404, name
        invite = console.post(
            "/console/invitations", {"role": "village_director", "holder_name": "李四", "village_id": village.id}
        )
        assert invite.status_code in (403, 404), name
    for township in (console_world.qingshan, console_world.yunxi):
        route_api = client.get(f"/api/v1/townships/{township.id}/complaint-routes", headers=api).status_code
        route = console.post(
            f"/console/rules/{township.id}/routes", {"category": "other", "target": "township_dispatch"}
        )
        assert _status(route) == route_api or (route_api == 200 and route.status_code == 303), township.name
        if route_api == 404:
            platform = console.post(
                f"/console/rules/{township.id}/platform",
                {"endpoint_url": "https://x.example/cases", "secret": "s" * 20},
            )
            assert platform.status_code == 404, township.name
        policies = client.get(f"/api/v1/townships/{township.id}/deadline-policies", headers=api).status_code
        if policies == 404:
            assert (
                console.post(f"/console/rules/{township.id}/deadline-policies/service", POLICY_FORM).status_code == 404
            )
    for key, question_id in console_disclosures["questions"].items():
        question = db.session.get(Question, question_id)
        moderation = question.moderation
        release = client.post(f"/api/v1/disclosure-questions/{question_id}/release", headers=api)
        db.session.rollback()
        if release.status_code != 404:
            continue
        assert console.post(f"/console/disclosure-questions/{question_id}/release").status_code == 404, key
        assert (
            console.post(f"/console/disclosure-questions/{question_id}/reject", {"reason": "无关"}).status_code == 404
        )
        db.session.expire_all()
        assert db.session.get(Question, question_id).moderation == moderation, key
    db.session.expire_all()
    routed = counts()
    assert routed[1:] == before[1:]
