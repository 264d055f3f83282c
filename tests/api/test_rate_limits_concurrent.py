"""Every rate limit holds exactly under concurrent requests (issue 12, item 9), and the client address
login failures count against is the proxy's view of it only when proxies are trusted (ProxyFix).

Real concurrency: threads send real HTTP requests to the app served on a loopback port (live_url),
against the real Redis and database. The limit is what gets through, however many arrive at once."""

from __future__ import annotations

import io
import secrets
from collections import Counter
from concurrent.futures import ThreadPoolExecutor

import pytest
import requests
from PIL import Image

from app import create_app
from app.domain.complaints.cases import DOOR_STRANGERS_LIMIT, MEMBER_LIMIT
from app.domain.complaints.photos import UPLOAD_LIMIT
from app.domain.disclosures.questions import ASK_LIMIT
from app.extensions import db, get_redis
from app.models import Complaint, Role
from tests import factories as f
from tests.helpers.disclosures import publish_one


def _all_at_once(count: int, send) -> Counter:
    """Send `count` requests from `count` threads released together; the status codes answered."""
    with ThreadPoolExecutor(max_workers=count) as pool:
        return Counter(pool.map(lambda n: send(n).status_code, range(count)))


def test_24_parallel_wrong_passwords_make_exactly_the_limit_of_password_checks(app, live_url):
    username = f.township_staff(Role.TOWNSHIP_DISPATCHER, f.township()).username
    db.session.commit()
    limit = app.config["LOGIN_MAX_FAILURES"]
    answers = _all_at_once(
        24,
        lambda n: requests.post(
            f"{live_url}/api/v1/auth/console-login", json={"username": username, "password": f"wrong-{n}"}, timeout=60
        ),
    )
    assert answers == {401: limit, 429: 24 - limit}  # 401: a password was checked (and was wrong)


def test_parallel_wrong_passwords_over_many_usernames_hold_the_address_limit(app, live_url):
    usernames = [f.console_account().username for _ in range(30)]
    db.session.commit()
    per_address = app.config["LOGIN_MAX_FAILURES"] * 4
    answers = _all_at_once(
        30,
        lambda n: requests.post(
            f"{live_url}/api/v1/auth/console-login", json={"username": usernames[n], "password": "wrong"}, timeout=60
        ),
    )
    assert answers == {401: per_address, 429: 30 - per_address}


@pytest.fixture
def member(village_world):
    return village_world["villager"]


def _complaint_body(n: int) -> dict:
    return {
        "client_request_id": secrets.token_hex(8),
        "category": "dispute",
        "anonymous": True,
        "description": f"第{n}件：邻居家的围墙占了公共通道，多次协商无果。",
    }


def test_12_parallel_filings_accept_exactly_the_limit(app, client, live_url, village_world, member):
    token = f.login_wx(client, member)
    url = f"{live_url}/api/v1/h/{village_world['codes'][0]}/complaints"
    answers = _all_at_once(
        12, lambda n: requests.post(url, json=_complaint_body(n), headers=f.bearer(token), timeout=60)
    )
    assert answers == {201: MEMBER_LIMIT.max_hits, 429: 12 - MEMBER_LIMIT.max_hits}
    db.session.expire_all()
    assert db.session.query(Complaint).count() == MEMBER_LIMIT.max_hits


def test_12_parallel_strangers_at_one_door_accept_exactly_the_door_limit(app, client, live_url, village_world):
    tokens = [f.login_wx(client, f"passer{n}-{secrets.token_hex(3)}") for n in range(12)]
    url = f"{live_url}/api/v1/h/{village_world['codes'][1]}/complaints"
    answers = _all_at_once(
        12, lambda n: requests.post(url, json=_complaint_body(n), headers=f.bearer(tokens[n]), timeout=60)
    )
    assert answers == {201: DOOR_STRANGERS_LIMIT.max_hits, 429: 12 - DOOR_STRANGERS_LIMIT.max_hits}


def test_parallel_questions_accept_exactly_the_limit(app, client, live_url, village_world, member):
    did = publish_one(client, village_world)["disclosure_id"]
    token = f.login_wx(client, member)
    url = f"{live_url}/api/v1/h/{village_world['codes'][0]}/disclosures/{did}/questions"
    count = ASK_LIMIT.max_hits + 6
    answers = _all_at_once(
        count,
        lambda n: requests.post(url, json={"body": f"第{n}问：保洁费为什么多？"}, headers=f.bearer(token), timeout=60),
    )
    assert answers == {201: ASK_LIMIT.max_hits, 429: 6}


def test_parallel_photo_uploads_accept_exactly_the_limit(app, client, live_url, member):
    token = f.login_wx(client, member)
    picture = io.BytesIO()
    Image.new("RGB", (32, 24), (120, 120, 120)).save(picture, "JPEG")
    # Most of the day's allowance is used already: its last 3 uploads are raced by 12 requests.
    get_redis().set(f"mingjing:rl:{UPLOAD_LIMIT.name}:user:{member.id}", UPLOAD_LIMIT.max_hits - 3, ex=3600)
    answers = _all_at_once(
        12,
        lambda n: requests.post(
            f"{live_url}/api/v1/complaint-photos",
            headers=f.bearer(token),
            timeout=60,
            files={"file": (f"p{n}.jpg", picture.getvalue(), "image/jpeg")},
        ),
    )
    assert answers == {201: 3, 429: 9}


def test_behind_no_trusted_proxy_a_forwarded_address_changes_nothing(app, client):
    limit = app.config["LOGIN_MAX_FAILURES"] * 4  # the per-address limit, over several usernames
    accounts = [f.console_account() for _ in range(limit + 1)]
    db.session.commit()
    answers = [
        client.post(
            "/api/v1/auth/console-login",
            json={"username": a.username, "password": "wrong"},
            headers={"X-Forwarded-For": f"10.0.0.{n}"},
        ).status_code
        for n, a in enumerate(accounts)
    ]
    assert answers == [401] * limit + [429]  # a client cannot pick a fresh address per attempt


def test_behind_one_trusted_proxy_each_client_counts_against_its_own_address(
    migrated_database, wechat_sandbox, redis_client
):
    from tests.helpers.app_config import app_config, empty_all_tables

    proxied = create_app({**app_config(migrated_database, wechat_sandbox.url), "TRUSTED_PROXY_HOPS": 1})
    with proxied.app_context():
        try:
            client = proxied.test_client()
            per_address = proxied.config["LOGIN_MAX_FAILURES"] * 4
            accounts = [f.console_account() for _ in range(per_address + 2)]
            db.session.commit()

            def login(account, address):
                return client.post(
                    "/api/v1/auth/console-login",
                    json={"username": account.username, "password": "wrong"},
                    headers={"X-Forwarded-For": address},
                    environ_base={"REMOTE_ADDR": "192.0.2.1"},
                ).status_code  # the proxy

            assert [login(a, "198.51.100.7") for a in accounts[:per_address]] == [401] * per_address
            assert login(accounts[per_address], "198.51.100.7") == 429  # this client's address is spent
            assert login(accounts[per_address + 1], "198.51.100.8") == 401  # another client behind the proxy
            # only the nearest hop is believed: a client prepending addresses gains nothing
            assert login(accounts[per_address + 1], "203.0.113.9, 198.51.100.7") == 429
        finally:
            db.session.remove()
            empty_all_tables()
            db.engine.dispose()
