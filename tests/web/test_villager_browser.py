"""The villager's web page in a real browser (Playwright driving Debian's Chromium at a phone's
375×812, tests/fixtures/browser.py): a demo household's door opens a finance disclosure and shows its
table; nothing is loaded from outside the app and the page needs no JavaScript to be read."""

from __future__ import annotations

from app.extensions import db
from app.seed.demo import seed_demo


def test_a_demo_households_phone_opens_a_finance_disclosure_and_reads_its_table(phone_page, screenshot):
    summary = seed_demo(db.session)
    db.session.commit()
    door = summary.door_codes[0]

    page = phone_page
    page.goto(f"/h/{door.code}")
    assert door.village in page.locator("h1").inner_text()
    button = page.locator("a.button")
    assert button.inner_text() == "在微信中打开"
    assert button.get_attribute("href").startswith("https://wxaurl.cn/")  # from the WeChat sandbox
    assert page.locator('a[href^="tel:"]').count() == 1
    assert page.evaluate("document.scripts.length") == 0

    page.locator("a.card", has_text="财务收支公开").first.click()
    page.wait_for_url(f"**/h/{door.code}/d/*")
    table = page.locator("table.money")
    assert table.is_visible()
    rows = table.locator("tbody tr")
    assert rows.count() > 10
    assert "收入小计" in table.inner_text() and "支出小计" in table.inner_text() and "收支相抵" in table.inner_text()
    amounts = table.locator("td.amount").all_inner_texts()
    assert all(text.replace(",", "").replace(".", "").lstrip("-").isdigit() for text in amounts)
    assert all(text[-3] == "." for text in amounts)  # 元 with two decimals
    # laid out for the phone: the table fits the screen, nothing scrolls sideways
    assert table.evaluate("t => t.getBoundingClientRect().right") <= 375
    assert page.evaluate("document.documentElement.scrollWidth") <= 375
    assert "审核" in page.locator("dl.facts").inner_text()
    screenshot(page, "villager")
