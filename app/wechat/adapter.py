"""The project's single adapter over wechatpy (mini-program server APIs).

Everything that talks to WeChat goes through :class:`WeChatAdapter`. It

* keeps the access token in Redis (wechatpy ``RedisStorage``) so web workers, RQ jobs and CLI
  commands share one token instead of invalidating each other's;
* fetches tokens with ``POST cgi-bin/stable_token`` (never invalidates other holders' tokens) and,
  after WeChat rejects a token (40001/40014/42001), refetches with ``force_refresh=true`` and
  retries once, transparently — one process at a time (a Redis lock), the others then use its token;
* points every URL at ``api_base`` so tests and the demo can run against the loopback sandbox
  (:mod:`app.wechat.sandbox`);
* translates every wechatpy / requests exception into the :class:`WeChatError` hierarchy.

No Flask import here: RQ jobs and CLI commands use this module without an app context.
"""

from __future__ import annotations

import contextlib
import logging
import threading
import time
from collections.abc import Mapping
from typing import Any

import requests
from redis.exceptions import LockError, RedisError
from redis.lock import Lock
from wechatpy import WeChatClient
from wechatpy.client.api.base import BaseWeChatAPI
from wechatpy.exceptions import WeChatClientException, WeChatException
from wechatpy.session.redisstorage import RedisStorage

from app.domain.wechat_port import (
    SUBSCRIBE_FIELD_LIMITS,
    TextCheck,
    WeChatCodeInvalid,
    WeChatError,
    WeChatNoAnswer,
    WeChatNoSubscribeCredit,
    WeChatTemplateInvalid,
    WeChatUnavailable,
    WxSession,
    truncate_subscribe_fields,
)

__all__ = [
    "SUBSCRIBE_FIELD_LIMITS",
    "TextCheck",
    "WeChatAdapter",
    "WeChatCodeInvalid",
    "WeChatError",
    "WeChatNoAnswer",
    "WeChatNoSubscribeCredit",
    "WeChatTemplateInvalid",
    "WeChatUnavailable",
    "WxSession",
    "truncate_subscribe_fields",
]

logger = logging.getLogger(__name__)

WECHAT_API_BASE = "https://api.weixin.qq.com/"


_ERRCODE_CLASSES: dict[int, type[WeChatError]] = {
    -1: WeChatUnavailable,  # "system busy, retry later": transient by WeChat's own documentation
    40029: WeChatCodeInvalid,  # invalid code
    40163: WeChatCodeInvalid,  # code been used
    40226: WeChatCodeInvalid,  # high-risk user, login blocked
    43101: WeChatNoSubscribeCredit,
    47003: WeChatTemplateInvalid,
}

# Token rejected: INVALID_CREDENTIAL, INVALID_ACCESS_TOKEN, EXPIRED_ACCESS_TOKEN (as in wechatpy).
_TOKEN_ERRCODES = frozenset({40001, 40014, 42001})


def _error_for_code(errcode: int, errmsg: str) -> WeChatError:
    return _ERRCODE_CLASSES.get(errcode, WeChatError)(errcode, errmsg)


def _error_for_http_status(status: int | None) -> WeChatError:
    # WeChat answers errors with HTTP 200 + errcode, so any HTTP failure is infrastructure trouble;
    # only 5xx (and unknown) are worth retrying later.
    if status is None or status >= 500:
        return WeChatUnavailable(None, f"HTTP {status}")
    return WeChatError(None, f"HTTP {status}")


def _translate(exc: Exception) -> WeChatError:
    """Map a wechatpy / requests exception onto the adapter's hierarchy."""
    if isinstance(exc, requests.HTTPError):
        return _error_for_http_status(exc.response.status_code if exc.response is not None else None)
    if isinstance(exc, (requests.ReadTimeout, requests.exceptions.ChunkedEncodingError)):
        return WeChatNoAnswer(None, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, requests.RequestException):
        # Connection refused, connect timeout, TLS failure, or a body that is not JSON.
        return WeChatUnavailable(None, f"{type(exc).__name__}: {exc}")
    if isinstance(exc, WeChatClientException) and exc.errcode is None:
        # wechatpy raises errcode=None only after raise_for_status() failed.
        response = exc.response
        return _error_for_http_status(response.status_code if response is not None else None)
    if isinstance(exc, WeChatException):
        try:
            errcode = int(exc.errcode)
        except (TypeError, ValueError):
            return WeChatError(None, f"{exc.errcode}: {exc.errmsg}")
        return _error_for_code(errcode, str(exc.errmsg))
    return WeChatError(None, f"{type(exc).__name__}: {exc}")


def _errcode(result: Mapping[str, Any]) -> int:
    try:
        return int(result.get("errcode") or 0)
    except (TypeError, ValueError):
        return 0


# --------------------------------------------------------------------------- wechatpy client


class _SharedTokenClient(WeChatClient):
    """WeChatClient with a configurable host, stable_token fetching and a bounded token retry."""

    def __init__(self, appid: str, secret: str, *, api_base: str, session: RedisStorage, timeout: float) -> None:
        super().__init__(appid, secret, session=session, timeout=timeout, auto_retry=True)
        self._api_base = api_base
        # wechatpy hard-codes https://api.weixin.qq.com/ on the client class and, separately, on
        # API classes (wxa's wins for wxa calls). Rebase them all on this instance; the API objects
        # are per-instance copies made in BaseWeChatClient.__new__, so the classes stay untouched.
        self.API_BASE_URL = api_base + "cgi-bin/"
        for api in vars(self).values():
            base = getattr(api, "API_BASE_URL", "")
            if isinstance(api, BaseWeChatAPI) and base.startswith(WECHAT_API_BASE):
                api.API_BASE_URL = api_base + base[len(WECHAT_API_BASE) :]
        # Per-thread "this request is already a retry" flag: the client may be shared by threads.
        self._retry_state = threading.local()

    def fetch_access_token(self, force_refresh: bool = False) -> dict[str, Any]:
        """Fetch a token with stable_token and store it like wechatpy's ``_fetch_access_token``."""
        logger.info("Fetching WeChat access token (force_refresh=%s)", force_refresh)
        res = self._http.post(
            self._api_base + "cgi-bin/stable_token",
            json={
                "grant_type": "client_credential",
                "appid": self.appid,
                "secret": self.secret,
                "force_refresh": force_refresh,
            },
            timeout=self.timeout,
        )
        if res.status_code >= 400:
            raise _error_for_http_status(res.status_code)
        result = self._decode_result(res)
        if not isinstance(result, dict):
            raise WeChatUnavailable(None, "stable_token answered with non-JSON")
        if _errcode(result):
            raise _error_for_code(_errcode(result), str(result.get("errmsg", "")))
        if not result.get("access_token"):
            raise WeChatUnavailable(None, "stable_token answered without access_token")
        expires_in = int(result.get("expires_in") or 7200)
        # Redis refuses a zero TTL; a token that is already due is refetched on next use anyway.
        self.session.set(self.access_token_key, result["access_token"], max(expires_in, 1))
        self.expires_at = int(time.time()) + expires_in
        return result

    def _handle_result(self, res, method=None, url=None, result_processor=None, **kwargs):
        # Replaces wechatpy's token retry (which refetches without force_refresh, so stable_token
        # would hand back the same rejected token, and which recurses without bound).
        result = res if isinstance(res, dict) else self._decode_result(res)
        if self.auto_retry and isinstance(result, dict) and _errcode(result) in _TOKEN_ERRCODES:
            if getattr(self._retry_state, "active", False):
                raise WeChatClientException(
                    _errcode(result),
                    result.get("errmsg"),
                    client=self,
                    request=getattr(res, "request", None),
                    response=res,
                )
            logger.info("WeChat rejected the access token (%s); refetching and retrying", result.get("errcode"))
            self._refresh_rejected_token(kwargs["params"].get("access_token"))
            kwargs["params"]["access_token"] = self.session.get(self.access_token_key)
            self._retry_state.active = True
            try:
                return self._request(method=method, url_or_endpoint=url, result_processor=result_processor, **kwargs)
            finally:
                self._retry_state.active = False
        # Hand wechatpy the original response: its error path reads res.request.
        return super()._handle_result(res, method, url, result_processor, **kwargs)

    def refresh_lock(self) -> Lock:
        """The Redis lock one process holds while it force-refreshes the shared token."""
        return self.session.redis.lock(
            self.session.key_name(self.access_token_key) + ":refresh",
            timeout=self.timeout + 10,
            blocking_timeout=self.timeout + 5,
        )

    def _refresh_rejected_token(self, rejected: str | None) -> None:
        # One refresher at a time across every process: each force refresh invalidates the token the
        # others hold and WeChat rate-limits them, so the rest wait and then use the refresher's token.
        lock = self.refresh_lock()
        try:
            locked = lock.acquire()
        except RedisError:
            locked = False  # Redis is where the token lives: the refetch below reports its trouble
        if not locked:
            logger.warning("WeChat token refresh lock not acquired; refreshing without it")
        try:
            current = self.session.get(self.access_token_key)
            if current and current != rejected:
                # Another process already replaced it: use theirs rather than burning a force refresh.
                return
            self.fetch_access_token(force_refresh=True)
        finally:
            if locked:
                with contextlib.suppress(LockError, RedisError):  # expired meanwhile: someone else may hold it now
                    lock.release()


# --------------------------------------------------------------------------- adapter


class WeChatAdapter:
    """The project's WeChat mini-program server API. All methods raise only :class:`WeChatError`."""

    def __init__(
        self,
        *,
        appid: str,
        secret: str,
        api_base: str,
        redis: Any,
        timeout: float = 5.0,
        key_prefix: str = "mingjing:wechat",
    ) -> None:
        self.appid = appid
        self.api_base = api_base.rstrip("/") + "/"
        self.client = _SharedTokenClient(
            appid,
            secret,
            api_base=self.api_base,
            session=RedisStorage(redis, prefix=key_prefix),
            timeout=timeout,
        )

    @classmethod
    def from_config(cls, config: Mapping[str, Any], redis: Any) -> WeChatAdapter:
        timeout = config.get("WECHAT_TIMEOUT")
        return cls(
            appid=config["WECHAT_APPID"],
            secret=config["WECHAT_SECRET"],
            api_base=config["WECHAT_API_BASE"],
            redis=redis,
            timeout=float(timeout) if timeout is not None else 5.0,
        )

    def _call(self, func: Any, *args: Any, **kwargs: Any) -> dict[str, Any]:
        """Run one wechatpy call; translate failures and insist on a JSON object answer."""
        try:
            result = func(*args, **kwargs)
        except (WeChatException, requests.RequestException) as exc:
            # Only WeChat/HTTP failures are translated; a Redis outage (token storage) is not a
            # WeChat error and propagates as itself.
            raise _translate(exc) from exc
        if not isinstance(result, dict):
            # wechatpy returns the raw Response when the body is not JSON.
            raise WeChatUnavailable(None, "WeChat answered with non-JSON")
        return result

    def code_to_session(self, code: str) -> WxSession:
        """Exchange a ``wx.login`` code for the user's openid / unionid / session_key."""
        if not code:
            # WeChat would answer 41008 "missing code"; no need to spend a round trip on it.
            raise WeChatCodeInvalid(41008, "missing code")
        result = self._call(self.client.wxa.code_to_session, code)
        openid, session_key = result.get("openid"), result.get("session_key")
        if not openid or not session_key:
            raise WeChatError(None, "jscode2session answered without openid/session_key")
        return WxSession(openid=openid, session_key=session_key, unionid=result.get("unionid") or None)

    def check_text(self, content: str, openid: str, scene: int = 2) -> TextCheck:
        """Text security check v2 (msgSecCheck). scene: 1 profile, 2 comment, 3 forum, 4 social log."""
        body = {"content": content, "version": 2, "scene": scene, "openid": openid}
        # wechatpy only wraps v1; v2 is posted directly on the wxa base
        try:
            result = self._call(self.client.wxa._post, "wxa/msg_sec_check", data=body)
        except WeChatUnavailable as exc:
            if not isinstance(exc.__cause__, requests.ConnectionError):
                raise
            # Most likely a pooled keep-alive connection the server closed as we sent on it (seen
            # under load by scripts/bench/intake). The check changes nothing: ask once more.
            result = self._call(self.client.wxa._post, "wxa/msg_sec_check", data=body)
        verdict = result.get("result")
        if not isinstance(verdict, Mapping) or verdict.get("suggest") not in ("pass", "review", "risky"):
            raise WeChatError(None, "msg_sec_check answered without result.suggest")
        return TextCheck(
            suggest=str(verdict["suggest"]),
            label=int(verdict.get("label") or 0),
            trace_id=result.get("trace_id") or None,
        )

    def send_subscribe_message(
        self, openid: str, template_id: str, data: Mapping[str, Any], page: str | None = None
    ) -> None:
        """Send a one-time subscribe message; ``data`` is ``{field: value}``, truncated to limits."""
        wrapped = {key: {"value": value} for key, value in truncate_subscribe_fields(data).items()}
        self._call(self.client.wxa.send_subscribe_message, openid, template_id, wrapped, page=page)

    def media_check_async(self, media_url: str, openid: str, *, scene: int = 2, media_type: int = 2) -> str:
        """Ask for WeChat's asynchronous image check (mediaCheckAsync v2) and return its trace_id.

        WeChat downloads ``media_url`` itself (it must be reachable from the internet) and answers
        later, within about 30 minutes, by pushing a ``wxa_media_check`` event carrying the same
        trace_id to the message-push URL (see :mod:`app.wechat.push`). media_type: 1 audio, 2 image.
        """
        result = self._call(
            self.client.wxa._post,  # not wrapped by wechatpy
            "wxa/media_check_async",
            data={"media_url": media_url, "media_type": media_type, "version": 2, "scene": scene, "openid": openid},
        )
        trace_id = result.get("trace_id") or result.get("traceId")  # spelled both ways in the wild
        if not isinstance(trace_id, str) or not trace_id:
            raise WeChatError(None, "media_check_async answered without trace_id")
        return trace_id

    def url_link(self, path: str, query: str, *, expire_days: int) -> str:
        """A URL Link (urllink.generate, wechatpy ``wxa.get_url_link``): an https link that opens the
        mini-program at ``path?query`` from a browser outside WeChat (through WeChat's own page) or
        inside it. Valid ``expire_days`` days (WeChat allows 1–30). Since 2022 a link opened once
        belongs to the WeChat user who opened it: nobody else can open it, so never hand one link
        to different people."""
        if not 1 <= expire_days <= 30:
            raise ValueError("a URL Link lives 1 to 30 days")
        result = self._call(
            self.client.wxa.get_url_link,
            path=path,
            query=query,
            is_expire=True,
            expire_type=1,
            expire_interval=expire_days,
            cloud_base=None,  # wechatpy's default () would be sent as [] where WeChat expects an object
        )
        link = result.get("url_link")
        if not isinstance(link, str) or not link.startswith("https://"):
            raise WeChatError(None, "generate_urllink answered without url_link")
        return link
