"""The door's web page for any camera (/h/<code>…): disclosures in full, questions, the phone, and the
"在微信中打开" button with its URL Link from the WeChat sandbox (over HTTP, through the adapter)."""

from __future__ import annotations

import io
import re
import socket

import pytest
import requests
from PIL import Image
from sqlalchemy import func, select

from app.domain import household_codes as hc
from app.extensions import db
from app.models import DisclosureView
from app.web import miniprogram
from tests import factories as f
from tests import pdfs
from tests.helpers.disclosures import MONTH_OF_BOOKS, publish_one, publish_with_correction, totals
from tests.helpers.wechat import transaction_open_at_each_call

WECHAT_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Mobile/15E148 MicroMessenger/8.0.50(0x18003237) NetType/WIFI Language/zh_CN"
)
SAFARI_UA = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.5 Mobile/15E148 Safari/604.1"
)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 80), (30, 120, 200)).save(out, format="PNG")
    return out.getvalue()


@pytest.fixture
def published(client, village_world):
    """A realistic finance disclosure (27 lines, corrected once, a receipt photo and a PDF contract)
    with an answered question, an open one and one held by the text check."""
    w = village_world
    keeper, supervisor = f.login_wx(client, w["bookkeeper"]), f.login_wx(client, w["supervisor"])
    did, v1, v2 = publish_with_correction(
        client, w, keeper=keeper, supervisor=supervisor, files=[(_png(), "收据.png"), (pdfs.clean(), "保洁合同.pdf")]
    )
    villager = f.login_wx(client, w["villager"])
    asked = []
    for text in ("保洁费为什么每组不一样？", "慰问困难群众的名单在哪里能看到？", "【审核】这条不该出现"):
        response = client.post(
            f"/api/v1/h/{w['codes'][0]}/disclosures/{did}/questions", headers=f.bearer(villager), json={"body": text}
        )
        assert response.status_code == 201, response.get_json()
        asked.append(response.get_json())
    answered = client.post(
        f"/api/v1/disclosure-questions/{asked[0]['id']}/answer",
        headers=f.bearer(keeper),
        json={"answer": "各组道路长短不同，保洁按路段长度计费。"},
    )
    assert answered.status_code == 200
    return {"id": did, "v1": v1, "v2": v2, "questions": asked}


def _sandbox_links(wechat_sandbox) -> list[dict]:
    return requests.get(wechat_sandbox.url + "_sandbox/url-links", timeout=5).json()["url_links"]


def _sandbox_mode(wechat_sandbox, mode: str) -> None:
    requests.post(wechat_sandbox.url + "_sandbox/url-link-mode", json={"mode": mode}, timeout=5).raise_for_status()


def _button(html: str) -> str | None:
    found = re.search(r'<a class="button" href="([^"]+)">', html)
    return found[1] if found else None


# ---------------------------------------------------------------------------------------- reading


def test_a_finance_disclosure_opens_in_full(client, village_world, published):
    w, code = village_world, village_world["codes"][1]
    landing = client.get(f"/h/{code}", headers={"User-Agent": SAFARI_UA})
    assert landing.status_code == 200
    assert f'href="/h/{code}/d/{published["id"]}"' in landing.get_data(as_text=True)

    page = client.get(f"/h/{code}/d/{published['id']}", headers={"User-Agent": SAFARI_UA})
    assert page.status_code == 200 and page.mimetype == "text/html"
    html = page.get_data(as_text=True)
    # body, period, the approver and when
    assert "2026年2月财务收支公开" in html and "本月收支如下。" in html and "2026年2月" in html
    assert "村务监督委员会成员 干部" in html and re.search(r"\d{4}年\d{1,2}月\d{1,2}日 \d\d:\d\d", html)
    # the table in 元 from integer fen: each line, the subtotals, the balance, checked against the totals
    fixed = [dict(i) for i in MONTH_OF_BOOKS]
    fixed[-1]["expense_fen"] -= 1_000
    sums = totals(fixed)
    assert '厂房租金收入（村东标准厂房）</td><td class="amount">35,000.00</td>' in html
    assert '存款利息</td><td class="amount">123.45</td>' in html
    assert '村集体资产保险</td><td class="amount">750.00</td>' in html  # the corrected line
    assert sums == {"income_fen": 7_120_345, "expense_fen": 4_717_420}
    assert '收入小计</td><td class="amount">71,203.45</td>' in html
    assert '支出小计</td><td class="amount">47,174.20</td>' in html
    assert '收支相抵</td><td class="amount">24,029.25</td>' in html
    assert "与各项明细相加一致" in html
    # the receipt shown inline, the PDF a link, both through the door's attachment endpoint
    attachments = re.findall(r'(src|href)="(/api/v1/h/[^"]+/attachments/\d+)"', html)
    assert [kind for kind, _ in attachments] == ["src", "href"]
    image = client.get(attachments[0][1])
    assert image.status_code == 200 and image.mimetype == "image/png"
    assert client.get(attachments[1][1]).mimetype == "application/pdf"
    # the history: both versions, the correction's reason, the first one readable on its own page
    assert "历次版本" in html and "路灯维修发票金额录入有误，更正为实际金额" in html
    assert f'href="/h/{code}/d/{published["id"]}/v/1"' in html
    first = client.get(f"/h/{code}/d/{published['id']}/v/1").get_data(as_text=True)
    assert "这是第 1 版，已被第 2 版更正" in first and '<td class="amount">760.00</td>' in first
    assert client.get(f"/h/{code}/d/{published['id']}/v/9").status_code == 404
    # questions: the answer shown, the open one waiting, the held one nowhere
    assert "保洁费为什么每组不一样？" in html and "各组道路长短不同，保洁按路段长度计费。" in html
    assert "慰问困难群众的名单在哪里能看到？" in html and "等待村里答复" in html
    assert "这条不该出现" not in html
    # the township's supervision phone to call
    assert 'href="tel:057112345678"' in html
    # opening it counts the household in the reach, once
    client.get(f"/h/{code}/d/{published['id']}")
    views = db.session.scalar(
        select(func.count()).select_from(DisclosureView).where(DisclosureView.household_id == w["homes"][1].id)
    )
    assert views == 1


def test_the_page_shows_what_the_api_answers(client, village_world, published):
    """One projection: every question and version the API gives is on the page, and nothing else."""
    code = village_world["codes"][0]
    api = client.get(f"/api/v1/h/{code}/disclosures/{published['id']}").get_json()
    api_questions = client.get(f"/api/v1/h/{code}/disclosures/{published['id']}/questions").get_json()
    html = client.get(f"/h/{code}/d/{published['id']}").get_data(as_text=True)
    assert [v["number"] for v in api["versions"]] == [1, 2]
    for version in api["versions"]:
        assert version["approved_by"] in html and (version["correction_reason"] or "") in html
    assert len(api_questions) == 2 and all(q["body"] in html for q in api_questions)
    assert html.count('<div class="text">问：') == len(api_questions)


def test_the_first_paint_of_a_realistic_disclosure_is_small_and_needs_no_script(client, village_world, published):
    code = village_world["codes"][0]
    for path in (f"/h/{code}", f"/h/{code}/d", f"/h/{code}/d/{published['id']}", f"/h/{code}/d/{published['id']}/v/1"):
        page = client.get(path, headers={"User-Agent": SAFARI_UA})
        body = page.get_data()
        assert page.status_code == 200 and len(body) <= 50 * 1024, (path, len(body))
        html = body.decode()
        assert "<script" not in html and "javascript:" not in html
        # nothing loaded from elsewhere: every src is ours; links go to our pages, a phone, or WeChat's link
        assert all(src.startswith("/") for src in re.findall(r'src="([^"]+)"', html))
        for href in re.findall(r'href="([^"]+)"', html):
            assert href.startswith(("/h/", "/api/v1/h/", "tel:", "https://wxaurl.cn/")), href
        csp = page.headers["Content-Security-Policy"]
        assert "default-src 'none'" in csp and "script-src" not in csp and "img-src 'self'" in csp
        assert page.headers["Referrer-Policy"] == "no-referrer"
    # the detail page of this 27-line, two-version disclosure with attachments and questions
    size = len(client.get(f"/h/{code}/d/{published['id']}").get_data())
    assert 6 * 1024 < size <= 50 * 1024, size


def test_the_list_filters_by_kind_and_pages(client, village_world):
    w = village_world
    publish_one(client, w, period="2026-01")
    publish_one(client, w, period="2026-02")
    code = w["codes"][0]
    everything = client.get(f"/h/{code}/d").get_data(as_text=True)
    assert "共 2 条" in everything and everything.count('class="card" href="/h/') == 2
    assert "共 0 条" in client.get(f"/h/{code}/d?category=party").get_data(as_text=True)
    assert "共 2 条" in client.get(f"/h/{code}/d?category=finance").get_data(as_text=True)
    # a mistyped link shows the first page of everything, not an error
    assert "共 2 条" in client.get(f"/h/{code}/d?category=nonsense&page=-4").get_data(as_text=True)


def test_another_villages_disclosure_is_not_found_from_this_door(client, village_world, published):
    other = f.household()
    code = hc.ensure_codes([other])[other.id]
    db.session.commit()
    missing = client.get(f"/h/{code}/d/{published['id']}")
    assert missing.status_code == 404 and "没有找到这条内容" in missing.get_data(as_text=True)
    assert client.get(f"/h/{code}/d/{published['id'] + 1000}").status_code == 404
    assert client.get(f"/h/NOTACODE/d/{published['id']}").status_code == 404


# ---------------------------------------------------------------------------------------- the door


def test_revoked_door_names_its_townships_phone_unknown_and_malformed_stay_one_answer(client):
    home = f.household()
    code = hc.ensure_codes([home])[home.id]
    hc.revoke(home, "住户迁出")
    db.session.commit()
    revoked = client.get(f"/h/{code}")
    unknown = client.get(f"/h/{hc.new_code()}")
    malformed = client.get("/h/%3Cscript%3E")
    also_unknown = client.get(f"/h/{hc.new_code()}/d/1")
    assert revoked.status_code == unknown.status_code == malformed.status_code == also_unknown.status_code == 404
    assert unknown.get_data() == malformed.get_data() == also_unknown.get_data()
    assert "此二维码已作废或不存在，请联系村委会" in unknown.get_data(as_text=True)
    assert "tel:" not in unknown.get_data(as_text=True)
    text = revoked.get_data(as_text=True)
    assert home.village.township.name in text and 'href="tel:057112345678"' in text
    # nothing of the household, its village or why it was revoked
    assert home.village.name not in text and "住户迁出" not in text and home.number not in text
    # the mini-program's JSON keeps one answer for revoked and unknown codes
    assert client.get(f"/api/v1/h/{code}").get_json() == client.get(f"/api/v1/h/{hc.new_code()}").get_json()


# ---------------------------------------------------------------------------------------- 在微信中打开


def test_the_button_opens_the_mini_program_at_this_door(client, village_world, wechat_sandbox):
    code = village_world["codes"][0]
    first = client.get(f"/h/{code}", headers={"User-Agent": SAFARI_UA})
    link = _button(first.get_data(as_text=True))
    assert link and link.startswith("https://wxaurl.cn/") and "在微信中打开" in first.get_data(as_text=True)
    assert [(m["path"], m["query"]) for m in _sandbox_links(wechat_sandbox)] == [("pages/index/index", f"code={code}")]
    cookie = first.headers["Set-Cookie"]
    assert "mj_visitor=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie and "Path=/h/" in cookie
    assert first.headers["Cache-Control"] == "private, no-cache"

    # the same browser keeps its link on every page of the door: WeChat is not asked again
    again = client.get(f"/h/{code}/d", headers={"User-Agent": SAFARI_UA})
    assert _button(again.get_data(as_text=True)) == link and "Set-Cookie" not in again.headers
    assert len(_sandbox_links(wechat_sandbox)) == 1
    # another browser (another person: a link opened once is theirs alone) gets a link of its own
    stranger = client.application.test_client()
    other = _button(stranger.get(f"/h/{code}", headers={"User-Agent": SAFARI_UA}).get_data(as_text=True))
    assert other and other != link and len(_sandbox_links(wechat_sandbox)) == 2


def test_the_link_is_kept_for_less_time_than_wechat_keeps_it(app, client, village_world, redis_client):
    code = village_world["codes"][0]
    client.get(f"/h/{code}")
    keys = redis_client.keys("mingjing:miniprogram-link:*:door:*")
    assert len(keys) == 1 and code.encode() in keys[0]
    ttl = redis_client.ttl(keys[0])
    assert 26 * 86400 < ttl <= miniprogram.KEEP_SECONDS < miniprogram.LINK_DAYS * 86400


def test_inside_wechat_the_page_does_not_ask_to_scan_again(client, village_world, wechat_sandbox):
    code = village_world["codes"][0]
    html = client.get(f"/h/{code}", headers={"User-Agent": WECHAT_UA}).get_data(as_text=True)
    assert _button(html) and "进入「明镜」小程序" in html and "扫一扫" not in html and "扫描" not in html
    _sandbox_mode(wechat_sandbox, "quota")
    fresh = client.application.test_client()
    without = fresh.get(f"/h/{code}", headers={"User-Agent": WECHAT_UA}).get_data(as_text=True)
    assert _button(without) is None and "扫一扫" not in without and "扫描" not in without


def test_without_a_link_from_wechat_the_button_is_simply_absent(client, village_world, wechat_sandbox, caplog):
    code = village_world["codes"][0]
    _sandbox_mode(wechat_sandbox, "quota")
    page = client.get(f"/h/{code}", headers={"User-Agent": SAFARI_UA})
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and _button(html) is None and "在微信中打开" not in html
    assert "错误" not in html and "失败" not in html
    assert "用<strong>微信</strong>「扫一扫」扫门上的这张二维码" in html  # the way in left to them
    assert "45009" in caplog.text  # operators learn why
    # WeChat is left alone for a while after a failure: pages do not each wait on it
    _sandbox_mode(wechat_sandbox, "up")
    calls = requests.get(wechat_sandbox.url + "_sandbox/stats", timeout=5).json()["generate_urllink_calls"]
    assert _button(client.application.test_client().get(f"/h/{code}").get_data(as_text=True)) is None
    assert requests.get(wechat_sandbox.url + "_sandbox/stats", timeout=5).json()["generate_urllink_calls"] == calls


def test_wechat_unreachable_leaves_no_button_and_no_error(app, client, village_world):
    app.config["WECHAT_API_BASE"] = _nobody_listening()
    app.extensions.pop("wechat", None)  # the adapter is built from the config on first use
    page = client.get(f"/h/{village_world['codes'][0]}")
    assert page.status_code == 200 and _button(page.get_data(as_text=True)) is None


def test_a_door_gets_a_bounded_number_of_new_links(client, village_world, monkeypatch, wechat_sandbox):
    monkeypatch.setattr(miniprogram, "NEW_LINKS_PER_DOOR", miniprogram.ratelimit.Limit("test-door-links", 2, 3600))
    code = village_world["codes"][0]
    buttons = [_button(client.application.test_client().get(f"/h/{code}").get_data(as_text=True)) for _ in range(3)]
    assert buttons[0] and buttons[1] and buttons[2] is None  # a browser without cookies, reloading
    assert len(_sandbox_links(wechat_sandbox)) == 2
    other = village_world["codes"][1]  # another door is not held back by it
    assert _button(client.application.test_client().get(f"/h/{other}").get_data(as_text=True))


def test_wechat_is_asked_with_no_database_transaction_open(client, village_world, published, monkeypatch):
    seen = transaction_open_at_each_call(monkeypatch, "url_link")
    code = village_world["codes"][2]
    for path in (f"/h/{code}", f"/h/{code}/d", f"/h/{code}/d/{published['id']}"):
        assert _button(client.application.test_client().get(path).get_data(as_text=True)), path
    assert seen == [False, False, False]
    # and the household's view, written before WeChat was asked, is committed
    db.session.rollback()
    views = db.session.scalar(
        select(func.count())
        .select_from(DisclosureView)
        .where(DisclosureView.household_id == village_world["homes"][2].id)
    )
    assert views == 1


def _nobody_listening() -> str:
    """A loopback URL where nothing listens (WeChat unreachable)."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return f"http://127.0.0.1:{sock.getsockname()[1]}/"
