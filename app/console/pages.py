"""How a console page is declared: who is signed in, one unit of work per request, forms parsed with
the API's own input schemas.

    @bp.get("/complaints/<int:complaint_id>")
    @page
    def complaint(complaint_id: int):
        case = authz.get_or_404(viewer(), "complaint.read", Complaint, complaint_id)
        ...

A page answers only a signed-in console account (anyone else is sent to the login page); what it
shows and does is decided by the same authorization layer as the API (`app.domain.authz` and the
access modules, scope in the query), with the viewer's `Actor` from `viewer()`. Out of scope answers
the console's 404 page, exactly like absent. The request is one unit of work: committed after the view
returns, rolled back on any error.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any
from urllib.parse import urlsplit

from flask import g, make_response, redirect, request, session, url_for
from marshmallow import Schema
from sqlalchemy import select

from app.api.endpoint import load_input
from app.domain.auth import actor_for_token
from app.domain.authz import Actor
from app.errors import Unauthenticated
from app.extensions import db
from app.models import ConsoleAccount, County, Role, Township, Village

TOKEN_KEY = "console_token"  # the AuthSession token in the console's cookie session


def signed_in() -> Actor | None:
    """The console account of this request's cookie, with its running roles; None when there is none
    (or its session expired, was revoked or the account was switched off: the cookie is cleared)."""
    token = session.get(TOKEN_KEY)
    if not isinstance(token, str):
        return None
    try:
        actor = actor_for_token(token)
    except Unauthenticated:
        session.pop(TOKEN_KEY, None)
        return None
    if actor.kind != "console":  # only console_login writes this cookie; never trust anything else
        session.pop(TOKEN_KEY, None)
        return None
    return actor


def viewer() -> Actor:
    """The signed-in console account of this page (set by @page)."""
    actor = g.get("actor")
    if actor is None:
        raise Unauthenticated()
    return actor


def _seats(actor: Actor) -> list[str]:
    """The viewer's running roles in words: "青山镇 四平台调度员" (plain strings, kept for error pages)."""
    names: dict[tuple[str, int], str] = {}
    for model, kind in ((Township, "township"), (Village, "village"), (County, "county")):
        ids = {getattr(grant, f"{kind}_id") for grant in actor.grants} - {None}
        if ids:
            for row_id, name in db.session.execute(select(model.id, model.name).where(model.id.in_(ids))):
                names[(kind, row_id)] = name
    seats = []
    for grant in actor.grants:
        role = Role(grant.role)
        if grant.village_id is not None:
            where = names.get(("village", grant.village_id), "")
        elif grant.township_id is not None:
            where = names.get(("township", grant.township_id), "")
        else:
            where = names.get(("county", grant.county_id), "")
        seats.append(f"{where} {role.label}".strip())
    return seats


def safe_next(target: str | None) -> str | None:
    """A path inside the console to return to after logging in; anything else (another host, a
    scheme, //evil) is dropped."""
    if not target:
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/console") or target.startswith("//"):
        return None
    if "\\" in target or any(ord(ch) < 32 for ch in target):
        return None
    return target


def _to_login():
    if request.headers.get("HX-Request"):  # a refreshing fragment: have htmx load the login page
        response = make_response("", 401)
        response.headers["HX-Redirect"] = url_for("console.login")
        return response
    back = request.full_path.rstrip("?") if request.method == "GET" else None
    return redirect(url_for("console.login", next=safe_next(back)), 303)


def page(view: Callable[..., Any]) -> Callable[..., Any]:
    """A console page or action for signed-in console accounts (see the module docstring)."""

    @wraps(view)
    def wrapper(**kwargs: Any) -> Any:
        try:
            actor = signed_in()
            if actor is None:
                db.session.rollback()
                return _to_login()
            g.actor = actor
            account = db.session.get_one(ConsoleAccount, actor.id)
            g.viewer_name = account.display_name or account.username
            g.viewer_seats = _seats(actor)
            result = view(**kwargs)
            if db.session.registry.has() and db.session().in_transaction():
                db.session.commit()
            return result
        except BaseException:
            db.session.rollback()  # a failed page writes nothing, whatever it flushed
            raise

    setattr(wrapper, "console_page", True)  # noqa: B010  (read by the authorization tests)
    return wrapper


PAGE_FIELDS = ("csrf_token", "next")  # fields of the page, not of the input


def form_input(schema: Schema) -> Any:
    """The submitted form parsed with an API input schema: the page's own fields and empty fields (an
    unanswered optional box) left out, so the schema sees what a JSON client would send."""
    data = {key: value for key, value in request.form.items() if key not in PAGE_FIELDS and value.strip() != ""}
    return load_input(schema, data)


def query_input(schema: Schema, **defaults: Any) -> Any:
    """The query string parsed with an API input schema (empty values are "any")."""
    data = {key: value for key, value in request.args.items() if value.strip() != ""}
    for key, value in defaults.items():
        data.setdefault(key, value)
    return load_input(schema, data)
