"""The console over the Flask test client: its CSRF token, a logged-in client that sends it."""

from __future__ import annotations

import re

from flask import g

CSRF_FIELD = re.compile(r'name="csrf_token" value="([^"]+)"')


def csrf_token(html: str) -> str:
    """The CSRF token of a console page's forms."""
    found = CSRF_FIELD.search(html)
    assert found, "no CSRF token on the page"
    return found.group(1)


def fresh_request_globals() -> None:
    """Forget what the last request left in `g`. The tests' app context is shared by the requests of
    the test client (Flask reuses a pushed context of the same app), so Flask-WTF would find the last
    request's token cached in `g` and never write a new session's secret; in the app every request
    has its own context."""
    g.pop("csrf_token", None)


class ConsoleClient:
    """A Flask test client logged into the console; `post(path, data)` adds the CSRF token."""

    def __init__(self, client, csrf: str) -> None:
        self.client = client
        self.csrf = csrf

    def get(self, path: str, **kw):
        fresh_request_globals()
        return self.client.get(path, **kw)

    def post(self, path: str, data: dict | None = None, **kw):
        fresh_request_globals()
        return self.client.post(path, data={"csrf_token": self.csrf, **(data or {})}, **kw)
