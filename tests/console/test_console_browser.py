"""The console in a real browser (Playwright driving Debian's Chromium, tests/fixtures/browser.py):
log in, see the overdue case red on the board, open it, dispatch it and see the timeline change;
filter, export and read the Excel file back; a CSRF-less POST refused; another township's case a 404;
the board refreshing by itself; nothing loaded from outside the app (every page's guard)."""

from __future__ import annotations

from openpyxl import load_workbook

from app.extensions import db
from app.models import Complaint

# Board cells by column (console/_board_results.html) and the export's columns (monitoring.COLUMNS).
BOARD_CELLS = {
    "编号": 1,
    "村": 2,
    "类别": 3,
    "状态": 5,
    "承办": 6,
    "提级": 7,
    "应办时限": 8,
    "反映时间": 9,
    "已历天数": 10,
}


def _case(cid: int) -> Complaint:
    db.session.expire_all()
    return db.session.get(Complaint, cid)


def test_an_overdue_case_is_red_on_the_board_and_dispatching_it_shows_in_its_timeline(
    console_world, console_page, screenshot
):
    cid = console_world.cases["overdue"]
    reference = _case(cid).reference
    page = console_page("qingshan.dispatch")
    messages: list[str] = []
    page.on("console", lambda message: messages.append(message.text))
    page.reload()  # with the console listened to: the CSP blocks nothing the pages use
    row = page.locator(f'#cases tr[data-reference="{reference}"]')
    assert row.get_attribute("data-colour") == "red"
    assert "红" in row.locator(".badge").inner_text()
    assert page.evaluate("typeof window.htmx") == "object"  # htmx came from the app's static files
    screenshot(page, "console-board")

    row.locator("a").first.click()
    page.wait_for_url(f"**/console/complaints/{cid}")
    assert page.locator("#case-colour").get_attribute("data-colour") == "red"
    assert page.locator("#timeline li").count() == 2  # filed, escalated
    image = page.locator(".photos img").first
    assert image.evaluate("img => img.complete && img.naturalWidth") == 320  # through the authorized photo route
    screenshot(page, "console-case")

    page.locator("#step-redispatch summary").click()
    form = page.locator("#step-redispatch form")
    form.locator("select[name=target]").select_option("village_role")
    form.locator("select[name=role]").select_option("village_director")
    form.locator("textarea[name=reason]").fill("属村内邻里纠纷，请村委会主任调解")
    form.locator("button[type=submit]").click()
    page.wait_for_url(f"**/console/complaints/{cid}")
    assert "分派：已完成" in page.locator(".flash.success").inner_text()
    last = page.locator("#timeline li").last
    assert last.get_attribute("data-kind") == "redispatched"
    assert "已转村委会主任办理" in last.inner_text() and "请村委会主任调解" in last.inner_text()
    assert page.locator("#case-handler").inner_text().startswith("村委会主任")
    case = _case(cid)
    assert (case.status, case.handler_kind, case.handler_role) == ("assigned", "village_role", "village_director")
    assert not [m for m in messages if "Content Security Policy" in m or "Refused" in m], messages


def test_the_filtered_board_is_exactly_what_the_excel_export_holds(console_world, console_page, tmp_path):
    page = console_page("qingshan.leader")
    page.select_option("select[name=colour]", "red")
    page.select_option("select[name=lane]", "service")
    page.click("form.filters button[type=submit]")
    page.wait_for_url("**colour=red**")
    rows = page.locator("#cases tbody tr[data-reference]")
    board = [
        {column: rows.nth(i).locator("td").nth(cell).inner_text().strip() for column, cell in BOARD_CELLS.items()}
        for i in range(rows.count())
    ]
    ours = {_case(console_world.cases[name]).reference for name in ("overdue", "real_name")}
    assert {r["编号"] for r in board} == ours  # 青山镇's red service cases; never 云溪街道's
    assert all(rows.nth(i).get_attribute("data-colour") == "red" for i in range(rows.count()))

    with page.expect_download() as download:
        page.click("#export")
    path = tmp_path / "export.xlsx"
    download.value.save_as(path)
    sheet = load_workbook(path).active
    header, *exported = [list(r) for r in sheet.iter_rows(values_only=True)]
    exported_rows = [
        {
            column: str(values[header.index(column)] if values[header.index(column)] is not None else "")
            for column in BOARD_CELLS
        }
        for values in exported
    ]
    assert exported_rows == board
    assert {r[header.index("预警")] for r in exported} == {"红"}


def test_a_post_without_the_csrf_token_is_refused(console_world, console_page):
    cid = console_world.cases["overdue"]
    page = console_page("qingshan.dispatch")
    page.goto(f"/console/complaints/{cid}")
    # the page's own cookie, a well-formed step, no token: what a forged cross-site form would send
    response = page.request.post(
        f"/console/complaints/{cid}/redispatch",
        form={"target": "village_role", "role": "village_director", "reason": "伪造的请求"},
    )
    assert response.status == 400 and 'data-code="csrf_failed"' in response.text()
    assert _case(cid).version == 2  # filed, escalated: nothing more


def test_a_township_cannot_open_another_townships_case_by_its_address(console_world, console_page):
    page = console_page("qingshan.dispatch")
    theirs = console_world.cases["yunxi"]
    response = page.goto(f"/console/complaints/{theirs}")
    assert response.status == 404
    assert page.locator(".error-page h1").inner_text() == "没有找到"
    assert _case(theirs).reference not in page.content()
    response = page.goto(f"/console/?village_id={console_world.villages['xikou'].id}&view=all")
    assert response.status == 200 and page.locator("#cases tr[data-reference]").count() == 0
    # nor the other township's village page (its calendar, reach and questions)
    response = page.goto(f"/console/disclosures/villages/{console_world.villages['xikou'].id}")
    assert response.status == 404
    assert page.locator(".error-page h1").inner_text() == "没有找到"


def test_the_board_refreshes_by_itself(app, console_world, console_page, new_complaint):
    app.config["CONSOLE_REFRESH_SECONDS"] = 1
    page = console_page("qingshan.leader")
    before = page.locator("#cases tr[data-reference]").count()
    case = _case(console_world.cases["fresh"])
    new_id = new_complaint(console_world.villages["shanglin"], "safety", "村口电线杆倾斜，随时可能倒下。")
    reference = _case(new_id).reference
    page.locator(f'#cases tr[data-reference="{reference}"]').wait_for(timeout=10_000)
    assert page.locator("#cases tr[data-reference]").count() == before + 1
    assert case.reference in page.content()


def test_the_guard_stops_and_reports_any_request_to_another_host(page, outside_requests):
    page.goto("/console/login")
    page.evaluate("() => fetch('http://cdn.example.invalid/a.js').catch(() => null)")
    assert outside_requests() == []  # the console's CSP stops it before it leaves the page
    # a page without that CSP: the guard is what stops it
    page.goto("about:blank")
    page.set_content(
        '<script src="http://cdn.example.invalid/htmx.min.js"></script><img src="https://example.invalid/x.png">'
    )
    assert sorted(outside_requests()) == ["http://cdn.example.invalid/htmx.min.js", "https://example.invalid/x.png"]
    outside_requests.clear()  # this test's own probes: the guard did its job
