"""The console's cookie session and CSRF protection.

Only the console has a cookie: the API authenticates with bearer tokens (`Authorization` header, never
a cookie) and the villager pages are public, so every other path keeps a null session (no cookie
read or written, no signing work). The console's cookie carries the console session's token (an
`AuthSession` opened by the same `app.domain.auth.console_login` as the API's login, so the same
lockout, expiry and revocation apply) and Flask-WTF's CSRF secret. It is HttpOnly, SameSite=Lax,
limited to the path /console, and Secure whenever the request came over https (behind a proxy:
`TRUSTED_PROXY_HOPS`, which believes X-Forwarded-Proto).

CSRF: Flask-WTF's CSRFProtect checks every POST/PUT/PATCH/DELETE of the whole app, except the JSON
API's blueprint. That exemption is safe because the API never reads the cookie: a request forged by
another site carries at most the console cookie (and only to /console paths), which the API ignores,
and it cannot set an `Authorization` header cross-site without a CORS preflight the app never grants.
"""

from __future__ import annotations

from flask import Flask, Request, request
from flask.sessions import NullSession, SecureCookieSessionInterface, SessionMixin
from flask_wtf.csrf import CSRFProtect

PREFIX = "/console"
csrf = CSRFProtect()


def is_console_path(path: str) -> bool:
    return path == PREFIX or path.startswith(PREFIX + "/")


class ConsoleSessions(SecureCookieSessionInterface):
    """Signed cookie sessions on the console's paths; a null session (no cookie) everywhere else."""

    def open_session(self, app: Flask, request: Request):
        if not is_console_path(request.path):
            return self.make_null_session(app)
        return super().open_session(app, request)

    def save_session(self, app: Flask, session: SessionMixin, response) -> None:
        if isinstance(session, NullSession):
            return None
        return super().save_session(app, session, response)

    def get_cookie_secure(self, app: Flask) -> bool:
        # Secure whenever served over https, whatever the configuration says.
        return bool(app.config["SESSION_COOKIE_SECURE"]) or request.is_secure


def init_app(app: Flask) -> None:
    app.config["SESSION_COOKIE_NAME"] = "mingjing_console"
    app.config["SESSION_COOKIE_PATH"] = PREFIX
    app.config["SESSION_COOKIE_HTTPONLY"] = True
    app.config["SESSION_COOKIE_SAMESITE"] = "Lax"
    app.config["PERMANENT_SESSION_LIFETIME"] = app.config["CONSOLE_SESSION_TTL_SECONDS"]
    # The CSRF token lives as long as the console session (Flask-WTF's default is one hour: a form
    # left open over lunch would be refused).
    app.config.setdefault("WTF_CSRF_TIME_LIMIT", None)
    app.config.setdefault("CONSOLE_REFRESH_SECONDS", 30)  # the board's auto-refresh
    app.session_interface = ConsoleSessions()
    csrf.init_app(app)
