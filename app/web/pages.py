"""The door's web page, for a sticker scanned by any camera, and the cadre invitation's note.

    /h/<code>                      the village: latest disclosures, the way into the mini-program, the phone
    /h/<code>/d?category=&page=    every published disclosure of the village, newest first
    /h/<code>/d/<id>               one disclosure in full: finance table, attachments, history, questions
    /h/<code>/d/<id>/v/<number>    an earlier published version of it

What a door shows is decided where the API decides it (app.api.stickers.landing_parts and
app.domain.disclosures.door), and is dumped with the API's own response schemas: the page and the
JSON are one projection. Pages need no JavaScript, load nothing from elsewhere (the CSP allows our
own images and the inline style only) and stay small (a realistic disclosure is far below 50 KB).

/h/<code> is also the URL prefix WeChat maps to the mini-program ("scan ordinary link"), and WeChat
verifies that rule with a file it asks us to serve under the same prefix: /h/<name>.txt files in
the instance folder's wechat-verify/ directory are served as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Response, abort, current_app, make_response, render_template, request, send_from_directory
from marshmallow import ValidationError

from app.api.endpoint import endpoint
from app.api.schemas.disclosures import DisclosureDetailOut, DisclosureListIn, DisclosurePageOut
from app.api.schemas.questions import QuestionOut
from app.api.schemas.stickers import PublicVillageOut
from app.api.stickers import landing_parts
from app.domain import household_codes
from app.domain.disclosures import door
from app.errors import AppError
from app.extensions import db
from app.web import bp, miniprogram, present

_VERIFY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.txt$")
PER_PAGE = 20

_DETAIL = DisclosureDetailOut()
_PAGE = DisclosurePageOut()
_QUESTIONS = QuestionOut(many=True)
_VILLAGE = PublicVillageOut()
_LIST_QUERY = DisclosureListIn(only=("category", "page"))

# Our own images and the inline style; no script, no frame, no form, nothing from elsewhere.
CSP = (
    "default-src 'none'; img-src 'self'; style-src 'unsafe-inline'; "
    "base-uri 'none'; form-action 'none'; frame-ancestors 'none'"
)


@bp.after_request
def _page_headers(response: Response) -> Response:
    response.headers.setdefault("Content-Security-Policy", CSP)
    response.headers["X-Content-Type-Options"] = "nosniff"
    # A door code in a URL opens that door's pages: never hand it to another site in a Referer.
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


@bp.get("/h/<path:code>")
@endpoint(tags=["villager"], summary="门牌码落地页（非微信扫码时打开的网页）", auth=None, produces="text/html")
def household_landing(code: str):
    if _VERIFY_NAME.match(code):
        folder = Path(current_app.instance_path) / "wechat-verify"
        if (folder / code).is_file():
            return send_from_directory(folder, code, mimetype="text/plain")
    parts = landing_parts(code)
    if parts is None:
        return _void(code)
    household, village = parts[0], json.loads(parts[1])
    canonical = household_codes.canonical(code)
    assert canonical is not None  # an active code is a canonical one
    return _page(
        "household.html",
        canonical,
        household=household,
        village=village["village"],
        disclosures=village["disclosures"],
    )


@bp.get("/h/<code>/d")
@endpoint(tags=["villager"], summary="本村全部公开内容（网页）", auth=None, produces="text/html")
def disclosures_page(code: str):
    try:
        query = _LIST_QUERY.load(request.args.to_dict(flat=True))
    except ValidationError:
        query = {"page": 1}  # a mistyped link still shows the first page of everything
    try:
        household, items, total = door.listing(
            code, category=query.get("category"), page=query["page"], per_page=PER_PAGE
        )
    except AppError as exc:
        return _refused(code, exc)
    listing = _PAGE.dump({"items": items, "total": total, "page": query["page"], "per_page": PER_PAGE})
    return _page(
        "disclosures.html",
        household_codes.canonical(code),
        village=_VILLAGE.dump(household.village),
        listing=listing,
        category=query.get("category"),
        pages=max(1, -(-total // PER_PAGE)),
    )


@bp.get("/h/<code>/d/<int:disclosure_id>")
@endpoint(tags=["villager"], summary="公开内容全文（网页；记录本户已阅）", auth=None, produces="text/html")
def disclosure_page(code: str, disclosure_id: int):
    return _disclosure(code, disclosure_id, None)


@bp.get("/h/<code>/d/<int:disclosure_id>/v/<int:number>")
@endpoint(tags=["villager"], summary="公开内容的历次版本（网页）", auth=None, produces="text/html")
def disclosure_version_page(code: str, disclosure_id: int, number: int):
    return _disclosure(code, disclosure_id, number)


def _disclosure(code: str, disclosure_id: int, number: int | None):
    try:
        household, shown = door.opened(code, disclosure_id)
    except AppError as exc:
        return _refused(code, exc)
    detail = _DETAIL.dump(shown)
    versions = detail["versions"]
    current = detail["current"]
    version = current if number is None else next((v for v in versions if v["number"] == number), None)
    if version is None:
        return _refused(code, AppError("not_found", "没有这一版", kind="not_found"))
    return _page(
        "disclosure.html",
        household_codes.canonical(code),
        village=_VILLAGE.dump(household.village),
        disclosure=detail,
        version=version,
        table=present.finance_table(version),
        questions=_QUESTIONS.dump(door.questions_of(disclosure_id)),
        category_name=present.CATEGORY_NAMES.get(detail["category"], ""),
    )


def _page(template: str, code: str | None, **context) -> Response:
    """A door's page: its database work done and committed (a view counted in reach) before WeChat is
    asked for the mini-program link, so no transaction waits on WeChat."""
    assert code is not None  # the door was found: its code is a canonical one
    if db.session().in_transaction():
        db.session.commit()  # everything the page shows is dumped already
    visitor, new_visitor = miniprogram.visitor_id(request.cookies.get(miniprogram.VISITOR_COOKIE))
    response = make_response(
        render_template(
            template,
            code=code,
            code_text=household_codes.grouped(code),
            link=miniprogram.door_link(code, visitor),
            in_wechat="MicroMessenger" in request.headers.get("User-Agent", ""),
            categories=present.CATEGORY_NAMES,
            fmt=present,  # money, periods and times as people read them: fmt.yuan(fen), fmt.when(...)
            **context,
        )
    )
    if new_visitor:
        response.set_cookie(
            miniprogram.VISITOR_COOKIE,
            visitor,
            max_age=miniprogram.VISITOR_MAX_AGE,
            path="/h/",
            httponly=True,
            secure=request.is_secure,
            samesite="Lax",
        )
    # Per browser (its own link) and per browser kind (inside WeChat or not): no shared cache keeps it.
    response.headers["Cache-Control"] = "private, no-cache"
    response.headers["Vary"] = "Cookie, User-Agent"
    return response


def _refused(code: str, error: AppError) -> Response:
    if error.code == "household_code_void":
        return _void(code)
    if error.kind == "not_found":
        return make_response(render_template("missing.html", code=household_codes.canonical(code)), 404)
    raise error


def _void(code: str) -> Response:
    """Unknown and malformed codes get the one answer; a revoked code also names its township's
    phone (why that is safe: household_codes.revoked_door)."""
    revoked = household_codes.revoked_door(code)
    return make_response(render_template("void.html", message=household_codes.VOID_MESSAGE, revoked=revoked), 404)


@bp.get("/i/<token>")
@endpoint(tags=["cadre"], summary="干部邀请码落地页（提示用微信扫码）", auth=None, produces="text/html")
def invitation_landing(token: str):
    # Cadre invitations open in the mini-program only; a plain camera gets a short explanation.
    if len(token) > 128:
        abort(404)
    return make_response(
        render_template(
            "void.html", message="这是村干部身份绑定邀请，请用微信扫码，在「明镜」小程序中确认。", revoked=None
        )
    )
