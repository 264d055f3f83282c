"""The township and county web console (工作台), served by the app under /console/.

Server-rendered Jinja pages (templates in app/templates/console/), with htmx from the app's own
static files (app/static/vendor/, pinned, never a CDN) where a fragment refreshes. Every page is a
view declared with `@page` (app/console/pages.py): signed-in console accounts only, authorized by the
same layer as the API, one unit of work per request. Forms are parsed with the API's input schemas and
call the same domain functions as the API's views. app/console/routes.py wires it into the app.

Adding a page: a view module in this package (routes on `bp`) imported by app/console/routes.py; its
template extends "console/base.html" and sets `{% set nav = "<key>" %}`; its entry (key, label, path)
in app/console/nav.py; its authorization through `viewer()` and app.domain.authz like the API's view
of the same thing; its route added to the parametrized authorization test (tests/console).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from flask import Blueprint, g

from app.clock import to_shanghai
from app.console.nav import NAV
from app.console.session import PREFIX

bp = Blueprint("console", __name__, url_prefix=PREFIX)


@bp.app_context_processor
def _layout() -> dict[str, Any]:
    return {
        "console_nav": NAV,
        "viewer_name": g.get("viewer_name"),
        "viewer_seats": g.get("viewer_seats", []),
    }


@bp.app_template_filter("shanghai")
def _shanghai(moment: datetime | None, pattern: str = "%Y-%m-%d %H:%M") -> str:
    """A stored UTC instant as people read it: Asia/Shanghai."""
    return to_shanghai(moment).strftime(pattern) if moment else ""


@bp.app_template_filter("when")
def _when(wire: str | None) -> str:
    """A time as the API's schemas answer it (ISO 8601 in +08:00) as people read it."""
    return wire[:16].replace("T", " ") if wire else ""
