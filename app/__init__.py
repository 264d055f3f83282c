"""Mingjing (明镜): public oversight of village small and micro power."""

from __future__ import annotations

import logging
import os

from flask import Flask


def create_app(config: dict | None = None) -> Flask:
    app = Flask(__name__, instance_relative_config=True)
    os.makedirs(app.instance_path, exist_ok=True)

    from app.config import load_config

    app.config.update(load_config(app.instance_path))
    if config:
        app.config.update(config)
    from flask.json.provider import DefaultJSONProvider

    assert isinstance(app.json, DefaultJSONProvider)  # Flask's own: the one with ensure_ascii
    app.json.ensure_ascii = False
    from app.routing import register_converters

    register_converters(app)  # ids within int4, no control characters in any path segment
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    # Alembic tells every command which plugins it loaded and every migration it ran: keep its
    # warnings and errors only (migrations/alembic.ini says the same for `db` commands).
    logging.getLogger("alembic").setLevel(logging.WARNING)

    from app import models  # noqa: F401  (one metadata for the app and Alembic)
    from app.extensions import db, migrate

    db.init_app(app)
    migrate.init_app(
        app,
        db,
        directory=os.path.join(os.path.dirname(os.path.dirname(__file__)), "migrations"),
        render_as_batch=True,
        compare_type=True,
    )

    from app.error_handlers import register_error_handlers

    register_error_handlers(app)
    _wire_domain()

    from app.api.routes import bp as api_bp
    from app.health import bp as health_bp
    from app.web.routes import bp as web_bp

    app.register_blueprint(api_bp)
    app.register_blueprint(health_bp)
    app.register_blueprint(web_bp)
    # Cookie sessions and CSRF for the console alone (the API uses bearer tokens, the villager pages
    # are public): app/console/session.py.
    from app.console.routes import init_app as init_console

    init_console(app)

    from app.api.stickers import DoorLandingFastPath

    # Flask's documented way to add WSGI middleware; mypy sees a method being replaced.
    app.wsgi_app = DoorLandingFastPath(app, app.wsgi_app)  # type: ignore[method-assign]
    hops = int(app.config.get("TRUSTED_PROXY_HOPS") or 0)
    if hops > 0:  # behind that many proxies, the client is who the nearest of them says it is
        from werkzeug.middleware.proxy_fix import ProxyFix

        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)  # type: ignore[method-assign]

    from app.cli import register_cli

    register_cli(app)
    return app


def _wire_domain() -> None:
    """What the domain is told explicitly, in one place (each call is idempotent): the authorization
    rules of the complaints, who hears of a case's events, and the jobs run after each commit."""
    from app.domain import events
    from app.domain.complaints import access, notifications, platform
    from app.domain.disclosures import questions
    from app.jobs import intents

    access.register_rules()
    questions.register_rules()  # 我的质询: a villager reads the questions they asked
    events.subscribe(events.ANY, platform.on_case_event)  # 四平台: hand the case to the township's platform
    events.subscribe(events.ANY, notifications.record)  # WeChat subscribe messages this step owes (订阅消息)
    intents.install()


from app import process  # noqa: E402  (after create_app: a worker builds its app with it)

process.set_factory(create_app)
