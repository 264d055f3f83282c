"""The console's pages in a real browser (Playwright driving Debian's Chromium, tests/fixtures/
browser.py): print a grid's sticker sheet, follow the worker's job (a real RQ worker process) on the
page, download the PDF and decode its QR codes; the statistics page draws its charts with Apache
ECharts from the app's own files — nothing loaded from outside, nothing refused by the page's CSP."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import time_machine

from app.domain import household_codes as hc
from app.domain.authz import Actor, load_grants
from app.domain.complaints import cases
from app.extensions import db
from app.models import Complaint
from tests.helpers.console_pages import households_in_grid
from tests.qr.scan import decode_pdf


def test_printing_a_grids_sticker_sheet(app, console_world, console_page, rq_worker, screenshot, tmp_path):
    xialin = console_world.villages["xialin"]
    homes = households_in_grid(xialin, 2, 6)

    page = console_page("qingshan.leader")
    page.click("nav.mainnav >> text=住户与门牌码")
    page.click("nav.tabs >> text=打印门牌码")
    page.wait_for_url("**/console/stickers")
    page.select_option("select[name=village_id]", str(console_world.villages["shanglin"].id))
    page.wait_for_selector(
        "#grid-choice option:has-text('第2网格（0 户）')", state="attached"
    )  # htmx swapped in 上林村's grids
    page.select_option("select[name=village_id]", str(xialin.id))
    page.wait_for_selector("#grid-choice option:has-text('第2网格（6 户）')", state="attached")
    page.select_option("#grid-choice select", "2")
    page.check("input[name=layout][value='3x8']")
    page.click("#sheet-form button[type=submit]")
    page.wait_for_url("**/console/stickers/*")
    page.wait_for_selector("#sheet-progress[data-status=done]", timeout=90_000)  # the worker built it
    assert "6 / 6 户" in page.inner_text("#sheet-progress")
    preview = page.locator("#preview")
    preview.wait_for()
    page.wait_for_function("document.querySelector('#preview').complete")
    assert preview.evaluate("img => img.naturalWidth") > 500  # the first page, rendered by the worker
    screenshot(page, "console-stickers")

    with page.expect_download() as download:
        page.click("#download")
    path = tmp_path / "stickers.pdf"
    download.value.save_as(path)
    db.session.expire_all()
    wanted = sorted(hc.url_for_code(app.config["PUBLIC_BASE_URL"], hc.active_code(h.id).code) for h in homes)
    assert sorted(decode_pdf(path)) == wanted  # exactly the grid's doors, each once


def _worked_cases(world, new_complaint) -> None:
    """Cases of the past weeks signed, replied, confirmed and rated, so the statistics have times, rates
    and ratings to show."""

    offices = {
        name: Actor("console", world.accounts[name].id, load_grants(console_account_id=world.accounts[name].id))
        for name in ("qingshan.dispatch", "yunxi.dispatch")
    }  # as they hold their seats now

    def actor(name):
        return offices[name]

    start = datetime.now(UTC) - timedelta(days=40)
    for day, (village, office, hours) in enumerate(
        (("shanglin", "qingshan.dispatch", 3), ("shanglin", "qingshan.dispatch", 20), ("xikou", "yunxi.dispatch", 6))
    ):
        filed = start + timedelta(days=3 * day)
        with time_machine.travel(filed, tick=False):
            case = new_complaint(world.villages[village], "environment", "路灯坏了，晚上看不见路。")
        for step, at in ((cases.sign_for, hours), (cases.reply, hours * 2)):
            with time_machine.travel(filed + timedelta(hours=at), tick=False):
                args = (actor(office), case) if step is cases.sign_for else (actor(office), case, "已修好。")
                step(*args)
                db.session.commit()
        with time_machine.travel(filed + timedelta(hours=hours * 3), tick=False):
            filer = db.session.get_one(Complaint, case).filed_by_user_id
            cases.confirm(filer, case, solved=True)
            cases.rate(filer, case, 5 - day, None)
            db.session.commit()


def test_the_statistics_page_draws_its_charts_from_the_apps_own_files(
    console_world, console_disclosures, console_page, screenshot, new_complaint
):
    _worked_cases(console_world, new_complaint)
    page = console_page("county.jiwei")
    refused: list[str] = []
    page.on(
        "console", lambda message: refused.append(message.text) if "Content Security Policy" in message.text else None
    )
    loaded: list[str] = []
    page.on("request", lambda request: loaded.append(request.url))
    page.click("nav.mainnav >> text=统计")
    page.wait_for_url("**/console/statistics")
    page.wait_for_selector("[data-chart][data-rendered=true] canvas")
    charts = page.locator("[data-chart]")
    assert charts.count() == 4
    for i in range(4):
        chart = charts.nth(i)
        assert chart.get_attribute("data-rendered") == "true"
        width, height = chart.locator("canvas").first.evaluate("c => [c.width, c.height]")
        assert width > 300 and height > 200
    drawn = page.evaluate(
        "() => [...document.querySelectorAll('[data-chart]')].map(el => echarts.getInstanceByDom(el).getOption().series.length)"
    )
    assert drawn == [3, 2, 4, 3]
    assert page.evaluate("echarts.version") == "6.1.0"
    assert page.locator("#townships").inner_text().count("镇") >= 2
    assert "/static/vendor/echarts-6.1.0/echarts.common.min.js" in " ".join(loaded)
    screenshot(page, "console-statistics")
    charts.first.hover()  # the tooltip, drawn without inline styles
    assert refused == []  # nothing the page's Content-Security-Policy had to stop
