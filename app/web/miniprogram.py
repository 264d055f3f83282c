"""The "在微信中打开" button of the door's web page: a URL Link from WeChat (urllink.generate, through
the one adapter) that opens the mini-program at this door (pages/index/index?code=<code>), from a
browser outside WeChat (through WeChat's own page) or inside WeChat's browser.

Since April 2022 a link opened once belongs to the WeChat user who opened it: nobody else can open it
with that link. So a link is never shared between visitors: it is kept per door *and* per browser (a
random visitor cookie), in Redis, for less time than WeChat keeps it valid, so a page shown from the
copy still has days left to be tapped. A browser without cookies gets a new link on each view.

Whatever fails — WeChat down or out of quota, Redis down, too many new links for one door — the page
simply has no button (None here, a warning in the log), never an error. After a failed call, no call
is made for `PAUSE_SECONDS`: a down WeChat does not slow every page by its timeout. The call is made
with no database transaction open (the caller has finished its database work).
"""

from __future__ import annotations

import contextlib
import logging
import re
import secrets

from flask import current_app
from redis.exceptions import RedisError

from app.domain import ratelimit
from app.errors import AppError
from app.extensions import get_redis
from app.wechat import WeChatError
from app.wechat.current import wechat

log = logging.getLogger(__name__)

PAGE = "pages/index/index"  # the mini-program's door landing (miniprogram/pages/index: ?code=)
LINK_DAYS = 30  # the longest WeChat gives
KEEP_SECONDS = 27 * 24 * 3600  # shorter than the link lives: a page shown on its last day has 3 days left
PAUSE_SECONDS = 60  # after WeChat failed, pages go without the button this long before asking again
# New links one door may cost per hour: the links of one household and its visitors, far under
# WeChat's 500,000 a day for the whole mini-program, whoever reloads a page without cookies.
NEW_LINKS_PER_DOOR = ratelimit.Limit("miniprogram-link-door", 30, 3600)

VISITOR_COOKIE = "mj_visitor"
VISITOR_MAX_AGE = 400 * 24 * 3600  # the longest a browser keeps a cookie (Chrome caps at 400 days)
_VISITOR = re.compile(r"^[A-Za-z0-9_-]{22}$")


def visitor_id(cookie: str | None) -> tuple[str, bool]:
    """(the browser's visitor id, whether it is new and must be set as a cookie)."""
    if cookie and _VISITOR.match(cookie):
        return cookie, False
    return secrets.token_urlsafe(16), True


def _key(*parts: str) -> str:
    return ":".join(("mingjing:miniprogram-link", current_app.config["WECHAT_APPID"], *parts))


def door_link(code: str, visitor: str) -> str | None:
    """The URL Link opening the mini-program at the door `code` (canonical) for this visitor, or None."""
    redis = get_redis()
    key, paused = _key("door", code, visitor), _key("paused")
    try:
        kept, pause = redis.mget([key, paused])
        if kept is not None:
            return kept.decode() if isinstance(kept, bytes) else str(kept)
        if pause is not None:
            return None
        taken = ratelimit.take(redis, [(NEW_LINKS_PER_DOOR, code)], "本门牌的小程序链接请求过多")
    except AppError:
        log.warning("mini-program links: door %s asked for too many new links this hour", code)
        return None
    except RedisError:
        log.warning("mini-program links: Redis unavailable, no button", exc_info=True)
        return None
    try:
        link = wechat().url_link(PAGE, f"code={code}", expire_days=LINK_DAYS)
    except RedisError:  # where the adapter keeps WeChat's access token
        log.warning("mini-program links: Redis unavailable, no button", exc_info=True)
        return None
    except WeChatError as exc:
        log.warning("mini-program links: WeChat refused or unreachable (%s); no button for %d s", exc, PAUSE_SECONDS)
        with contextlib.suppress(RedisError):
            taken.give_back()
            redis.set(paused, "1", ex=PAUSE_SECONDS)
        return None
    with contextlib.suppress(RedisError):
        redis.set(key, link, ex=KEEP_SECONDS)
    return link
