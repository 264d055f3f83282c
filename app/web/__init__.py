"""Pages for people outside the mini-program: the landing of a door sticker scanned by any camera.

/h/<code> is also the URL prefix WeChat maps to the mini-program ("scan ordinary link"), and WeChat
verifies that rule with a file it asks us to serve under the same prefix: /h/<name>.txt files in
the instance folder's wechat-verify/ directory are served as they are.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from flask import Blueprint, abort, current_app, make_response, render_template, send_from_directory

from app.api.endpoint import endpoint
from app.api.stickers import landing_parts
from app.domain import household_codes

bp = Blueprint("web", __name__)

_VERIFY_NAME = re.compile(r"^[A-Za-z0-9_-]{1,64}\.txt$")


@bp.get("/h/<path:code>")
@endpoint(tags=["villager"], summary="门牌码落地页（非微信扫码时打开的网页）", auth=None, produces="text/html")
def household_landing(code: str):
    if _VERIFY_NAME.match(code):
        folder = Path(current_app.instance_path) / "wechat-verify"
        if (folder / code).is_file():
            return send_from_directory(folder, code, mimetype="text/plain")
    parts = landing_parts(code)
    if parts is None:
        # Unknown, revoked and malformed codes get the very same answer.
        return make_response(render_template("void.html", message=household_codes.VOID_MESSAGE), 404)
    household, village = parts[0], json.loads(parts[1])
    disclosures = [
        {
            "title": d["current"]["title"],
            "published": d["current"]["published_at"][:10],
            "category": d["item_type"]["name"],
        }
        for d in village["disclosures"]
    ]
    return make_response(
        render_template(
            "household.html",
            household=household,
            village=village["village"],
            code_text=household_codes.grouped(household_codes.canonical(code) or code),
            disclosures=disclosures,
        )
    )


@bp.get("/i/<token>")
@endpoint(tags=["cadre"], summary="干部邀请码落地页（提示用微信扫码）", auth=None, produces="text/html")
def invitation_landing(token: str):
    # Cadre invitations open in the mini-program only; a plain camera gets a short explanation.
    if len(token) > 128:
        abort(404)
    return make_response(
        render_template("void.html", message="这是村干部身份绑定邀请，请用微信扫码，在「明镜」小程序中确认。")
    )
