"""Household door codes (一户一码): the mini-program's landing, binding, code changes, sticker sheets."""

from __future__ import annotations

import json
from pathlib import Path

from flask import current_app

from app.api import bp, files
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.roles import RoleOut
from app.api.schemas.stickers import (
    CodeChangeIn,
    HouseholdCodeOut,
    HouseholdLandingOut,
    StickerSheetIn,
    StickerSheetOut,
)
from app.domain import authz, household_codes, landing, roles, stickers
from app.domain.disclosures import browse
from app.errors import AppError
from app.extensions import db
from app.models import Household, Village, WxUser

# The landing is HouseholdLandingOut, dumped in two parts: the village's, kept per village revision
# (app.domain.landing), and the household's. One instance each: building a schema costs more than dumping.
_LANDING_HEAD = HouseholdLandingOut(only=("code", "household"))
_LANDING_VILLAGE = HouseholdLandingOut(only=("village", "disclosures"))


def landing_parts(code: str) -> tuple[household_codes.PublicHousehold, str] | None:
    """(household, village part as JSON text) of the landing for an active code, None for any other
    code. The village part is the schema's output, kept per village revision (app.domain.landing)."""
    canonical = household_codes.canonical(code)
    row = household_codes.resolve_public(canonical) if canonical else None
    if row is None:
        return None

    def village_part() -> str:
        village = db.session.get_one(Village, row.village_id)
        latest, _ = browse.published(village.id, per_page=5)
        return _json(_LANDING_VILLAGE.dump({"village": village, "disclosures": latest}))

    return row, landing.village_part(row.village_id, row.village_revision, village_part, stamp=row.village_created_at)


def _json(data) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def landing_body(code: str) -> bytes | None:
    """The landing's JSON (HouseholdLandingOut) for an active code, None for any other code."""
    parts = landing_parts(code)
    canonical = household_codes.canonical(code)
    if parts is None or canonical is None:  # an active code is a canonical one
        return None
    household, village = parts
    # HouseholdLandingOut, spliced from its two parts, each the schema's own JSON.
    head = _json(_LANDING_HEAD.dump({"code": household_codes.grouped(canonical), "household": household}))
    return (head[:-1] + "," + village[1:]).encode()


@bp.get("/h/<code>")
@endpoint(
    tags=["villager"],
    summary="扫门牌码：本户所在村与最新公开",
    auth=None,
    response=HouseholdLandingOut(),
    errors=["household_code_void"],
)
def household_landing(code: str):
    body = landing_body(code)
    if body is None:
        raise AppError("household_code_void", household_codes.VOID_MESSAGE, kind="not_found")
    return current_app.response_class(body, mimetype="application/json")


class DoorLandingFastPath:
    """WSGI middleware for the request every scan of a door makes (GET /api/v1/h/<code>): an active
    code is answered here, ahead of Flask's request machinery (which costs more than the answer);
    everything else — a void code, a database or Redis outage, any other path — goes through the app
    as usual, so errors keep their one shape. The body is the route's own (`landing_body`)."""

    PREFIX = "/api/v1/h/"

    def __init__(self, app, wsgi_app):
        self.app, self.wsgi_app = app, wsgi_app

    def __call__(self, environ, start_response):
        path = environ.get("PATH_INFO", "")
        if (
            environ.get("REQUEST_METHOD") == "GET"
            and path.startswith(self.PREFIX)
            and "/" not in path[len(self.PREFIX) :]
            and not environ.get("QUERY_STRING")
        ):
            body = None
            try:
                with self.app.app_context():
                    body = landing_body(path[len(self.PREFIX) :])
            except Exception:  # noqa: BLE001 - the app answers it again, with its error handling
                body = None
            if body is not None:
                start_response(
                    "200 OK",
                    [
                        ("Content-Type", "application/json"),
                        ("Content-Length", str(len(body))),
                        ("X-Content-Type-Options", "nosniff"),
                        ("Content-Security-Policy", files.CSP),
                    ],
                )
                return [body]
        return self.wsgi_app(environ, start_response)


@bp.post("/h/<code>/bind")
@endpoint(
    tags=["villager"],
    summary="扫自家门牌码，绑定为本户村民",
    auth="wx",
    response=RoleOut(),
    status=201,
    errors=["household_code_void"],
)
def bind_household(code: str):
    household = household_codes.resolve_or_void(code)
    term, _ = roles.bind_villager(db.session.get_one(WxUser, current_actor().id), household)
    return term


def _code_out(row) -> dict:
    return {
        "household_id": row.household_id,
        "code": household_codes.grouped(row.code),
        "url": household_codes.url_for_code(current_app.config["PUBLIC_BASE_URL"], row.code),
        "issued_at": row.issued_at,
        "revoked_at": row.revoked_at,
    }


@bp.post("/households/<int:household_id>/code/reissue")
@endpoint(
    tags=["township", "county"],
    summary="补发门牌码（旧码立即作废）",
    auth="console",
    body=CodeChangeIn(),
    response=HouseholdCodeOut(),
    status=201,
)
def reissue_code(household_id: int, body):
    household = authz.get_or_404(current_actor(), "household_code.manage", Household, household_id)
    return _code_out(household_codes.reissue(household, body["reason"]))


@bp.post("/households/<int:household_id>/code/revoke")
@endpoint(
    tags=["township", "county"],
    summary="作废门牌码",
    auth="console",
    body=CodeChangeIn(),
    response=HouseholdCodeOut(),
    errors=["no_active_code"],
)
def revoke_code(household_id: int, body):
    household = authz.get_or_404(current_actor(), "household_code.manage", Household, household_id)
    return _code_out(household_codes.revoke(household, body["reason"]))


@bp.post("/sticker-sheets")
@endpoint(
    tags=["township", "county"],
    summary="生成一个村的门牌码打印版（后台任务，可查询进度）",
    auth="console",
    body=StickerSheetIn(),
    response=StickerSheetOut(),
    status=202,
    errors=["invalid_layout", "empty_selection", "grid_not_found", "households_not_in_village"],
)
def request_sticker_sheet(body):
    sheet = stickers.request_sheet(
        current_actor(),
        village_id=body["village_id"],
        layout=body["layout"],
        grid_number=body.get("grid"),
        household_ids=body.get("household_ids"),
        include_head_name=body["include_head_name"],
        public_base_url=current_app.config["PUBLIC_BASE_URL"],
    )
    return sheet


@bp.get("/sticker-sheets/<int:sheet_id>")
@endpoint(tags=["township", "county"], summary="打印版进度", auth="console", response=StickerSheetOut())
def get_sticker_sheet(sheet_id: int):
    return stickers.get_sheet(current_actor(), sheet_id)


def ready_file(actor: authz.Actor, sheet_id: int, index: int) -> Path:
    """A built sheet's PDF (index 0) or first-page preview (1), for someone who may print it."""
    sheet = stickers.get_sheet(actor, sheet_id)
    if sheet.status != "done":
        raise AppError("sheet_not_ready", "打印版还在生成中，请稍后再试", kind="conflict")
    path = stickers.sheet_paths(current_app.instance_path, sheet.id)[index]
    if not path.is_file():
        raise AppError("sheet_file_missing", "打印文件已不存在，请重新生成", kind="gone")
    return path


@bp.get("/sticker-sheets/<int:sheet_id>/file")
@endpoint(
    tags=["township", "county"],
    summary="下载打印版 PDF",
    auth="console",
    produces="application/pdf",
    errors=["sheet_not_ready"],
)
def download_sticker_sheet(sheet_id: int):
    return files.download(
        ready_file(current_actor(), sheet_id, 0), media_type="application/pdf", filename=f"stickers-{sheet_id}.pdf"
    )


@bp.get("/sticker-sheets/<int:sheet_id>/preview.png")
@endpoint(
    tags=["township", "county"],
    summary="打印版第一页预览",
    auth="console",
    produces="image/png",
    errors=["sheet_not_ready"],
)
def preview_sticker_sheet(sheet_id: int):
    return files.download(
        ready_file(current_actor(), sheet_id, 1), media_type="image/png", filename=f"stickers-{sheet_id}-preview.png"
    )
