"""WeChatAdapter against the loopback sandbox, over real HTTP through wechatpy, with a real Redis."""

from __future__ import annotations

import base64
import json
import os
import socket
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import pytest
import redis as redis_lib
import requests
from flask import Flask
from werkzeug.serving import make_server

from app.wechat import (
    WeChatAdapter,
    WeChatCodeInvalid,
    WeChatError,
    WeChatNoAnswer,
    WeChatNoSubscribeCredit,
    WeChatTemplateInvalid,
    WeChatUnavailable,
    truncate_subscribe_fields,
)
from app.wechat.sandbox import SANDBOX_APPID, SANDBOX_SECRET, create_sandbox_app

REDIS_URL = os.environ.get("TEST_REDIS_URL", "redis://127.0.0.1:6379/15")  # scripts/test's, shared machine
TOKEN_KEY = f"mingjing:wechat:{SANDBOX_APPID}_access_token"


@contextmanager
def _serving(app: Flask) -> Iterator[str]:
    """Serve a WSGI app on an ephemeral loopback port; yield its base URL (trailing slash)."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_port}/"
    finally:
        server.shutdown()
        thread.join(5)


@dataclass
class SandboxServer:
    url: str
    app: Flask

    def get(self, path: str, **kw: Any) -> Any:
        return requests.get(self.url + path, timeout=5, **kw).json()

    def post(self, path: str, **kw: Any) -> Any:
        return requests.post(self.url + path, timeout=5, **kw).json()

    def stats(self) -> dict[str, int]:
        return self.get("_sandbox/stats")

    def messages(self) -> list[dict[str, Any]]:
        return self.get("_sandbox/messages")["messages"]


@contextmanager
def _sandbox(**kw: Any) -> Iterator[SandboxServer]:
    app = create_sandbox_app(**kw)
    with _serving(app) as url:
        yield SandboxServer(url=url, app=app)


@pytest.fixture
def private_sandbox() -> Iterator[SandboxServer]:
    """A sandbox of this module's own, fresh for each test (the suite's `wechat_sandbox` lives for the session)."""
    with _sandbox() as sandbox:
        yield sandbox


@pytest.fixture
def wechat_redis() -> Iterator[redis_lib.Redis]:
    client = redis_lib.Redis.from_url(REDIS_URL)
    client.ping()  # a real Redis is required; fail loudly rather than fake it
    client.flushdb()
    yield client
    client.flushdb()
    client.close()


@pytest.fixture
def make_adapter(private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis) -> Callable[..., WeChatAdapter]:
    def factory(**overrides: Any) -> WeChatAdapter:
        options: dict[str, Any] = dict(
            appid=SANDBOX_APPID, secret=SANDBOX_SECRET, api_base=private_sandbox.url, redis=wechat_redis, timeout=5.0
        )
        options.update(overrides)
        return WeChatAdapter(**options)

    return factory


@pytest.fixture
def adapter(make_adapter: Callable[..., WeChatAdapter]) -> WeChatAdapter:
    return make_adapter()


def _stored_token(client: redis_lib.Redis) -> str:
    raw = client.get(TOKEN_KEY)
    assert raw is not None
    return json.loads(raw)  # wechatpy's RedisStorage keeps values JSON-encoded


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


# ------------------------------------------------------------------ configuration


def test_all_hosts_point_at_api_base(wechat_redis: redis_lib.Redis) -> None:
    adapter = WeChatAdapter(appid="wx1", secret="s", api_base="http://127.0.0.1:9", redis=wechat_redis)
    assert adapter.api_base == "http://127.0.0.1:9/"
    assert adapter.client.API_BASE_URL == "http://127.0.0.1:9/cgi-bin/"
    assert adapter.client.wxa.API_BASE_URL == "http://127.0.0.1:9/"
    for api in vars(adapter.client).values():
        assert "api.weixin.qq.com" not in str(getattr(api, "API_BASE_URL", ""))
    # The wechatpy classes themselves are untouched (other clients still see the real host).
    assert type(adapter.client.wxa).API_BASE_URL == "https://api.weixin.qq.com/"


def test_from_config(wechat_redis: redis_lib.Redis) -> None:
    config = {
        "WECHAT_APPID": "wxabc",
        "WECHAT_SECRET": "sec",
        "WECHAT_API_BASE": "http://127.0.0.1:5010",
        "WECHAT_TIMEOUT": "2.5",
    }
    adapter = WeChatAdapter.from_config(config, wechat_redis)
    assert (adapter.appid, adapter.api_base, adapter.client.timeout) == ("wxabc", "http://127.0.0.1:5010/", 2.5)
    del config["WECHAT_TIMEOUT"]
    assert WeChatAdapter.from_config(config, wechat_redis).client.timeout == 5.0


# ------------------------------------------------------------------ login


def test_login_maps_code_to_openid_and_unionid(adapter: WeChatAdapter) -> None:
    first = adapter.code_to_session("alice.n1")
    second = adapter.code_to_session("alice.n2")
    assert (first.openid, first.unionid) == ("sbx-alice", "sbxu-alice")
    assert second.openid == "sbx-alice"
    assert len(base64.b64decode(first.session_key, validate=True)) == 16
    assert first.session_key != second.session_key
    assert adapter.code_to_session("bob").openid == "sbx-bob"


def test_reused_code_is_invalid(adapter: WeChatAdapter) -> None:
    adapter.code_to_session("carol.once")
    with pytest.raises(WeChatCodeInvalid) as info:
        adapter.code_to_session("carol.once")
    assert info.value.errcode == 40163


@pytest.mark.parametrize(
    ("code", "errcode"),
    [
        ("has space", 40029),
        ("a" * 41, 40029),
        ("a.b.c", 40029),
        ("dave.", 40029),
        ("invalid", 40029),
        ("invalid-user.1", 40029),
        ("risky-user", 40226),
        ("", 41008),
    ],
)
def test_malformed_or_rejected_code(adapter: WeChatAdapter, code: str, errcode: int) -> None:
    with pytest.raises(WeChatCodeInvalid) as info:
        adapter.code_to_session(code)
    assert info.value.errcode == errcode


def test_wrong_secret_is_a_plain_wechat_error(make_adapter: Callable[..., WeChatAdapter]) -> None:
    with pytest.raises(WeChatError) as info:
        make_adapter(secret="wrong").code_to_session("erin")
    assert type(info.value) is WeChatError
    assert info.value.errcode == 40125
    with pytest.raises(WeChatError) as info:
        make_adapter(appid="wxnotme").code_to_session("erin")
    assert info.value.errcode == 40013


# ------------------------------------------------------------------ access token


def test_token_fetched_once_and_shared_across_instances(
    make_adapter: Callable[..., WeChatAdapter], private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis
) -> None:
    one, two = make_adapter(), make_adapter()
    one.code_to_session("frank")
    two.code_to_session("grace")
    two.check_text("hello", "sbx-grace")
    one.send_subscribe_message("sbx-frank", "tmpl", {"thing1": "hi"})
    stats = private_sandbox.stats()
    assert stats["tokens_issued"] == 1
    assert stats["stable_token_requests"] == 1
    assert stats["token_requests"] == 0  # never the invalidating /cgi-bin/token
    assert wechat_redis.get(TOKEN_KEY) is not None
    assert 7000 < wechat_redis.ttl(TOKEN_KEY) <= 7200


def test_expired_token_is_refetched_transparently(
    adapter: WeChatAdapter, private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis
) -> None:
    adapter.check_text("hello", "sbx-henry")
    old = _stored_token(wechat_redis)
    assert private_sandbox.post("_sandbox/expire-tokens")["ok"] is True

    assert adapter.check_text("hello again", "sbx-henry").suggest == "pass"
    stats = private_sandbox.stats()
    assert stats["tokens_issued"] == 2
    assert stats["force_refresh_requests"] == 1
    assert _stored_token(wechat_redis) != old


def test_stale_stable_token_needs_force_refresh(
    adapter: WeChatAdapter, private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis
) -> None:
    adapter.code_to_session("ivan")
    old = _stored_token(wechat_redis)
    private_sandbox.post("_sandbox/expire-tokens", json={"stale": True})
    # Without force_refresh the sandbox keeps handing out the rejected token...
    body = {"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": SANDBOX_SECRET}
    assert private_sandbox.post("cgi-bin/stable_token", json=body)["access_token"] == old

    # ...so only a force refresh lets the retry succeed.
    adapter.send_subscribe_message("sbx-ivan", "tmpl", {"thing1": "ok"})
    assert private_sandbox.stats()["force_refresh_requests"] == 1
    assert len(private_sandbox.messages()) == 1


def _two_processes_holding_an_expired_token(make_adapter, private_sandbox, wechat_redis, openid: str):
    """Two adapters (as two processes would have) and the shared token WeChat now rejects."""
    mine, other = make_adapter(), make_adapter()
    mine.check_text("hello", openid)
    old = _stored_token(wechat_redis)
    private_sandbox.post("_sandbox/expire-tokens")
    return mine, other, old


def test_rejected_token_already_replaced_by_another_process_is_not_force_refreshed(
    make_adapter: Callable[..., WeChatAdapter], private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis
) -> None:
    mine, other, old = _two_processes_holding_an_expired_token(make_adapter, private_sandbox, wechat_redis, "sbx-kim")
    other.check_text("hello", "sbx-kim")  # the other process hits 42001 first and refreshes
    before = private_sandbox.stats()
    assert before["force_refresh_requests"] == 1

    # A request of ours that was already in flight with the old token: the retry must pick up the
    # other process's token from Redis instead of force-refreshing (which would invalidate it).
    body = {"content": "in flight", "version": 2, "scene": 2, "openid": "sbx-kim"}
    result = mine.client.wxa._post("wxa/msg_sec_check", params={"access_token": old}, data=body)
    assert result["result"]["suggest"] == "pass"
    after = private_sandbox.stats()
    assert after["stable_token_requests"] == before["stable_token_requests"]
    assert after["msg_sec_check_calls"] == before["msg_sec_check_calls"] + 2


def test_while_one_process_force_refreshes_the_others_wait_and_use_its_token(
    make_adapter: Callable[..., WeChatAdapter], private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis
) -> None:
    mine, other, old = _two_processes_holding_an_expired_token(make_adapter, private_sandbox, wechat_redis, "sbx-lee")
    lock = other.client.refresh_lock()
    assert lock.acquire()  # the other process starts its refresh
    answers: list[Any] = []
    body = {"content": "in flight", "version": 2, "scene": 2, "openid": "sbx-lee"}
    ours = threading.Thread(
        target=lambda: answers.append(
            mine.client.wxa._post("wxa/msg_sec_check", params={"access_token": old}, data=body)
        )
    )
    ours.start()  # our call is rejected (42001) and must wait for the lock, not refresh on its own
    time.sleep(0.5)
    assert answers == [] and private_sandbox.stats()["force_refresh_requests"] == 0
    other.client.fetch_access_token(force_refresh=True)
    lock.release()
    ours.join(10)
    assert answers and answers[0]["result"]["suggest"] == "pass"
    assert private_sandbox.stats()["force_refresh_requests"] == 1  # theirs only
    assert _stored_token(wechat_redis) != old


def test_token_retry_is_bounded(wechat_redis: redis_lib.Redis) -> None:
    # Every token the sandbox issues is born expired: one forced retry, then a clean error.
    with _sandbox(token_ttl=0) as sandbox:
        adapter = WeChatAdapter(appid=SANDBOX_APPID, secret=SANDBOX_SECRET, api_base=sandbox.url, redis=wechat_redis)
        with pytest.raises(WeChatError) as info:
            adapter.check_text("hello", "sbx-judy")
        assert info.value.errcode == 42001
        stats = sandbox.stats()
        assert stats["force_refresh_requests"] == 1
        assert stats["msg_sec_check_calls"] == 2


# ------------------------------------------------------------------ transport failures


def test_sandbox_down_is_unavailable(make_adapter: Callable[..., WeChatAdapter]) -> None:
    adapter = make_adapter(api_base=f"http://127.0.0.1:{_closed_port()}/", timeout=2.0)
    with pytest.raises(WeChatUnavailable) as info:
        adapter.code_to_session("kate")
    assert info.value.errcode is None


@pytest.mark.parametrize(("status", "body"), [(502, "Bad Gateway"), (200, "<html>maintenance</html>")])
def test_http_5xx_and_non_json_are_unavailable(
    wechat_redis: redis_lib.Redis, private_sandbox: SandboxServer, status: int, body: str
) -> None:
    broken = Flask("broken")

    @broken.route("/<path:_path>", methods=["GET", "POST"])
    def answer(_path: str) -> tuple[str, int]:
        return body, status

    with _serving(broken) as url:
        # Token via the sandbox, then the API call against the broken host, and vice versa.
        adapter = WeChatAdapter(appid=SANDBOX_APPID, secret=SANDBOX_SECRET, api_base=url, redis=wechat_redis)
        with pytest.raises(WeChatUnavailable):
            adapter.check_text("hello", "sbx-leo")  # token fetch itself fails
        WeChatAdapter(
            appid=SANDBOX_APPID, secret=SANDBOX_SECRET, api_base=private_sandbox.url, redis=wechat_redis
        ).check_text("hello", "sbx-leo")  # token now in Redis
        with pytest.raises(WeChatUnavailable):
            adapter.check_text("hello", "sbx-leo")
        with pytest.raises(WeChatUnavailable):
            adapter.send_subscribe_message("sbx-leo", "tmpl", {"thing1": "x"})


def test_a_connection_closed_during_the_text_check_is_asked_again_once(wechat_redis: redis_lib.Redis) -> None:
    # The first text check finds its connection closed by the server without an answer (as when a
    # keep-alive connection is closed while the request is on its way); the check has no side effects.
    sandbox_app = create_sandbox_app()
    resets: list[str] = []

    def reset_first_check(environ: dict, start_response: Callable) -> list[bytes]:
        if environ["PATH_INFO"].endswith("/msg_sec_check") and not resets:
            resets.append(environ["PATH_INFO"])
            environ["werkzeug.socket"].shutdown(socket.SHUT_RDWR)
            start_response("500 Closed", [])
            return [b""]
        return sandbox_app(environ, start_response)

    with _serving(reset_first_check) as url:
        adapter = WeChatAdapter(appid=SANDBOX_APPID, secret=SANDBOX_SECRET, api_base=url, redis=wechat_redis)
        assert adapter.check_text("hello", "sbx-reset").suggest == "pass"
        assert resets == ["/wxa/msg_sec_check"]
        assert requests.get(url + "_sandbox/stats", timeout=5).json()["msg_sec_check_calls"] == 1


# ------------------------------------------------------------------ text check


@pytest.mark.parametrize(
    ("content", "suggest"),
    [
        ("村口路灯坏了，请尽快修理", "pass"),
        ("有人在祠堂聚众赌博", "risky"),
        ("【违规】测试", "risky"),
        ("【审核】这条需要人工看", "review"),
    ],
)
def test_check_text(adapter: WeChatAdapter, content: str, suggest: str) -> None:
    result = adapter.check_text(content, "sbx-mia")
    assert result.suggest == suggest
    assert (result.label == 100) == (suggest == "pass")
    assert result.trace_id


def test_check_text_bad_request_is_a_wechat_error(adapter: WeChatAdapter) -> None:
    with pytest.raises(WeChatError) as info:
        adapter.check_text("hello", "")
    assert info.value.errcode == 47001


# ------------------------------------------------------------------ subscribe messages


def test_subscribe_send_records_truncated_fields(adapter: WeChatAdapter, private_sandbox: SandboxServer) -> None:
    adapter.send_subscribe_message(
        "sbx-nina",
        "TMPL-REPLY",
        {
            "thing1": "您反映的村道照明问题已经由村委会安排电工上门维修完毕",
            "phrase2": "已处理完毕了",
            "character_string3": "MJ" + "0" * 40,
            "time4": "2024-05-01 10:00",
            "number5": 7,
        },
        page="pages/issue/detail?id=7",
    )
    [message] = private_sandbox.messages()
    assert message["touser"] == "sbx-nina"
    assert message["template_id"] == "TMPL-REPLY"
    assert message["page"] == "pages/issue/detail?id=7"
    data = message["data"]
    assert data["thing1"]["value"] == "您反映的村道照明问题已经由村委会安排电…"
    assert len(data["thing1"]["value"]) == 20
    assert data["phrase2"] == {"value": "已处理完毕"}
    assert data["character_string3"]["value"] == "MJ" + "0" * 30
    assert data["time4"] == {"value": "2024-05-01 10:00"}
    assert data["number5"] == {"value": "7"}


def test_sandbox_rejects_over_limit_fields(
    adapter: WeChatAdapter, private_sandbox: SandboxServer, wechat_redis: redis_lib.Redis
) -> None:
    # The referee really enforces the limits the adapter truncates to.
    adapter.check_text("hello", "sbx-olga")
    token = _stored_token(wechat_redis)
    answer = private_sandbox.post(
        "cgi-bin/message/subscribe/send",
        params={"access_token": token},
        json={"touser": "sbx-olga", "template_id": "t", "data": {"thing1": {"value": "x" * 21}}},
    )
    assert answer["errcode"] == 47003
    assert private_sandbox.messages() == []


def test_subscribe_without_credit(adapter: WeChatAdapter, private_sandbox: SandboxServer) -> None:
    with pytest.raises(WeChatNoSubscribeCredit) as info:
        adapter.send_subscribe_message("sbx-nocredit-paul", "tmpl", {"thing1": "hi"})
    assert info.value.errcode == 43101
    assert private_sandbox.messages() == []


def test_subscribe_sent_but_answer_lost(
    make_adapter: Callable[..., WeChatAdapter], private_sandbox: SandboxServer
) -> None:
    # The sandbox takes the message for an sbx-slow… user and answers after SLOW_ANSWER_SECONDS.
    adapter = make_adapter(timeout=0.5)
    adapter.check_text("hello", "sbx-rita")  # token first: only the send itself times out
    with pytest.raises(WeChatNoAnswer) as info:
        adapter.send_subscribe_message("sbx-slow-rita", "tmpl", {"thing1": "hi"})
    assert isinstance(info.value, WeChatUnavailable) and info.value.errcode is None
    assert [m["touser"] for m in private_sandbox.messages()] == ["sbx-slow-rita"]  # it went out all the same


def test_subscribe_invalid_template_data(adapter: WeChatAdapter) -> None:
    with pytest.raises(WeChatTemplateInvalid) as info:
        adapter.send_subscribe_message("sbx-quinn", "tmpl", {"thing1": ""})
    assert info.value.errcode == 47003


# ------------------------------------------------------------------ URL Link


def test_url_link_opens_the_page_with_its_query(adapter: WeChatAdapter, private_sandbox: SandboxServer) -> None:
    before = time.time()
    link = adapter.url_link("pages/index/index", "code=ABCD1234EFGH5", expire_days=30)
    assert link.startswith("https://wxaurl.cn/")
    again = adapter.url_link("pages/index/index", "code=ABCD1234EFGH5", expire_days=7)
    assert again != link  # a new link every time: WeChat keeps none for us
    made = private_sandbox.get("_sandbox/url-links")["url_links"]
    assert [(m["url_link"], m["path"], m["query"]) for m in made] == [
        (link, "pages/index/index", "code=ABCD1234EFGH5"),
        (again, "pages/index/index", "code=ABCD1234EFGH5"),
    ]
    assert before + 30 * 86400 - 5 < made[0]["expires_at"] <= time.time() + 30 * 86400
    assert made[1]["expires_at"] <= time.time() + 7 * 86400
    assert private_sandbox.stats()["generate_urllink_calls"] == 2


def test_url_link_failures_are_wechat_errors(adapter: WeChatAdapter, private_sandbox: SandboxServer) -> None:
    with pytest.raises(WeChatError) as bad_query:
        adapter.url_link("pages/index/index", "code=<script>", expire_days=30)
    assert bad_query.value.errcode == 40212
    with pytest.raises(WeChatError) as bad_path:
        adapter.url_link("pages/index/index?code=1", "", expire_days=30)
    assert bad_path.value.errcode == 40165
    private_sandbox.post("_sandbox/url-link-mode", json={"mode": "quota"})
    with pytest.raises(WeChatError) as quota:
        adapter.url_link("pages/index/index", "code=1", expire_days=30)
    assert quota.value.errcode == 45009
    with pytest.raises(ValueError):
        adapter.url_link("pages/index/index", "code=1", expire_days=31)  # WeChat would cut it to 30


def test_url_link_with_wechat_down_is_unavailable(make_adapter: Callable[..., WeChatAdapter]) -> None:
    with pytest.raises(WeChatUnavailable):
        make_adapter(api_base=f"http://127.0.0.1:{_closed_port()}/", timeout=1.0).url_link(
            "pages/index/index", "code=1", expire_days=30
        )


def test_sandbox_url_link_protocol(private_sandbox: SandboxServer) -> None:
    creds = {"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": SANDBOX_SECRET}
    token = {"access_token": private_sandbox.post("cgi-bin/stable_token", json=creds)["access_token"]}

    def generate(body: dict[str, Any], params: dict[str, str] | None = None) -> dict[str, Any]:
        return private_sandbox.post("wxa/generate_urllink", params=token if params is None else params, json=body)

    assert generate({"path": "pages/index/index"}, params={})["errcode"] == 41001
    assert generate({"path": "pages/index/index", "expire_type": 1, "expire_interval": 0})["errcode"] == 85401
    assert generate({"path": "pages/index/index", "expire_type": 0, "expire_time": 1})["errcode"] == 85401
    assert generate({"path": "pages/index/index", "cloud_base": []})["errcode"] == 47001
    long = generate({"path": "pages/index/index", "query": "a=1", "expire_type": 1, "expire_interval": 365})
    assert long["errcode"] == 0
    assert private_sandbox.get("_sandbox/url-links")["url_links"][0]["expires_at"] <= time.time() + 30 * 86400
    assert generate({"path": "p", "query": "x" * 1025, "expire_type": 1, "expire_interval": 1})["errcode"] == 40212
    assert private_sandbox.post("_sandbox/url-link-mode", json={"mode": "nonsense"}) == {
        "ok": False,
        "error": "mode: up | quota | slow",
    }
    private_sandbox.post("_sandbox/reset")
    assert private_sandbox.get("_sandbox/url-links") == {"url_links": []}


# ------------------------------------------------------------------ sandbox protocol


def test_sandbox_token_endpoints(private_sandbox: SandboxServer) -> None:
    creds = {"grant_type": "client_credential", "appid": SANDBOX_APPID, "secret": SANDBOX_SECRET}
    assert private_sandbox.get("cgi-bin/token", params={**creds, "secret": "x"})["errcode"] == 40125
    assert private_sandbox.get("cgi-bin/token", params={**creds, "appid": "x"})["errcode"] == 40013
    plain = private_sandbox.get("cgi-bin/token", params=creds)
    assert plain["expires_in"] == 7200

    first = private_sandbox.post("cgi-bin/stable_token", json=creds)
    assert private_sandbox.post("cgi-bin/stable_token", json={**creds, "force_refresh": False}) == first
    forced = private_sandbox.post("cgi-bin/stable_token", json={**creds, "force_refresh": True})
    assert forced["access_token"] != first["access_token"]

    def check(token: str | None) -> int:
        params = {"access_token": token} if token else {}
        body = {"content": "x", "version": 2, "scene": 2, "openid": "sbx-r"}
        return private_sandbox.post("wxa/msg_sec_check", params=params, json=body)["errcode"]

    assert check(forced["access_token"]) == 0
    assert check(plain["access_token"]) == 0
    assert check(first["access_token"]) == 40001  # replaced by the force refresh
    assert check("nonsense") == 40001
    assert check(None) == 41001
    private_sandbox.post("_sandbox/expire-tokens")
    assert check(forced["access_token"]) == 42001

    assert private_sandbox.get("_sandbox/health") == {"ok": True}
    private_sandbox.post("_sandbox/reset")
    assert set(private_sandbox.stats().values()) == {0}
    assert check(forced["access_token"]) == 40001


# ------------------------------------------------------------------ truncation helper


def test_truncate_thing_adds_ellipsis_within_limit() -> None:
    out = truncate_subscribe_fields({"thing1": "一" * 25, "thing2": "二" * 20})
    assert out["thing1"] == "一" * 19 + "…"
    assert out["thing2"] == "二" * 20


@pytest.mark.parametrize(
    ("key", "limit"),
    [("phrase3", 5), ("name1", 10), ("character_string2", 32), ("number4", 32), ("letter5", 32)],
)
def test_truncate_cuts_restricted_types_without_ellipsis(key: str, limit: int) -> None:
    out = truncate_subscribe_fields({key: "7" * (limit + 3)})
    assert out[key] == "7" * limit
    assert truncate_subscribe_fields({key: "7" * limit})[key] == "7" * limit


def test_truncate_passes_other_types_and_normalises_values() -> None:
    long_time = "2024-05-01 10:00:00 plus some long trailing text"
    out = truncate_subscribe_fields(
        {"time1": long_time, "amount2": 12.5, "thing3": None, "thing4": {"value": "x" * 30}}
    )
    assert out == {"time1": long_time, "amount2": "12.5", "thing3": "", "thing4": "x" * 19 + "…"}
