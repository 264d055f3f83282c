"""住户与门牌码 · 打印门牌码: print a village's or a grid's sticker sheet (layout, head of household on
the sticker or not), follow the worker's job (the page polls its progress with htmx), then the first
page's preview and the PDF. The API's domain (stickers.request_sheet / get_sheet, "stickers.print")
and its files (app.api.stickers.ready_file); the job is the worker's (app/jobs/stickers.py)."""

from __future__ import annotations

from flask import current_app, make_response, redirect, render_template, request, url_for
from sqlalchemy import func, select

from app.api import files
from app.api.schemas.stickers import StickerSheetIn
from app.api.stickers import ready_file
from app.console import bp
from app.console.actions import act, in_sight
from app.console.pages import form_input, page, viewer
from app.domain import authz, stickers
from app.errors import AppError
from app.extensions import db
from app.models import Grid, Household, StickerSheet, Village

# The layouts of qr.LAYOUTS, as township staff choose them.
LAYOUTS = {
    "3x8": "每页 24 张（约 65×35 毫米，常用门牌贴）",
    "2x5": "每页 10 张（约 98×55 毫米，院门、远处可扫）",
    "1x1": "每页 1 张（大幅二维码）",
}
SHEET_STATES = {"queued": "排队中", "running": "生成中", "done": "已完成", "failed": "生成失败"}
POLL_SECONDS = 1  # how often the sheet page asks for the job's progress while it runs


def _villages() -> list[Village]:
    return in_sight("stickers.print", Village, Village.code)


def _grids(village_id: int | None) -> list[tuple[Grid, int]]:
    """A village's grids with their household counts (only a village the viewer may print)."""
    if village_id is None:
        return []
    authz.get_or_404(viewer(), "stickers.print", Village, village_id)
    counts = dict(
        db.session.execute(
            select(Household.grid_id, func.count())
            .where(Household.village_id == village_id)
            .group_by(Household.grid_id)
        ).all()
    )
    grids = db.session.scalars(select(Grid).where(Grid.village_id == village_id).order_by(Grid.number))
    return [(g, counts.get(g.id, 0)) for g in grids]


def _form_page(*, status: int = 200, error: AppError | None = None):
    villages = _villages()
    chosen = request.values.get("village_id", "")
    village_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else (villages[0].id if villages else None)
    households = (
        dict(
            db.session.execute(
                select(Household.village_id, func.count())
                .where(Household.village_id.in_([v.id for v in villages]))
                .group_by(Household.village_id)
            ).all()
        )
        if villages
        else {}
    )
    sheets = list(
        db.session.scalars(
            select(StickerSheet)
            .where(authz.scoped(viewer(), "stickers.print", StickerSheet))
            .order_by(StickerSheet.id.desc())
            .limit(20)
        )
    )
    html = render_template(
        "console/stickers.html",
        villages=villages,
        households=households,
        village_id=village_id,
        grids=_grids(village_id) if village_id is not None and any(v.id == village_id for v in villages) else [],
        layouts=LAYOUTS,
        sheets=sheets,
        states=SHEET_STATES,
        error=error,
        form=request.form if error else {},
    )
    return make_response(html, status)


@bp.get("/stickers")
@page
def stickers_form():
    return _form_page()


@bp.get("/stickers/grids")
@page
def sticker_grids():
    """The grid choice of a village (htmx swaps it in when the village changes)."""
    chosen = request.args.get("village_id", "")
    village_id = int(chosen) if chosen.isdigit() and len(chosen) < 10 else None
    return render_template("console/_sticker_grids.html", grids=_grids(village_id), form={})


@bp.post("/stickers")
@page
def request_stickers():
    """生成打印版 (the API's POST /sticker-sheets): built by the worker once committed."""

    def do() -> StickerSheet:
        body = form_input(StickerSheetIn())
        return stickers.request_sheet(
            viewer(),
            village_id=body["village_id"],
            layout=body["layout"],
            grid_number=body.get("grid"),
            include_head_name=body["include_head_name"],
            public_base_url=current_app.config["PUBLIC_BASE_URL"],
        )

    return act(
        do,
        then=lambda sheet: redirect(url_for("console.sticker_sheet", sheet_id=sheet.id), 303),
        failed=lambda exc: _form_page(status=exc.status, error=exc),
    )


def _sheet_context(sheet: StickerSheet) -> dict:
    grid = db.session.get(Grid, sheet.grid_id) if sheet.grid_id else None
    return {
        "sheet": sheet,
        "grid": grid,
        "states": SHEET_STATES,
        "layouts": LAYOUTS,
        "poll_seconds": POLL_SECONDS,
        "percent": round(100 * sheet.progress_done / sheet.progress_total) if sheet.progress_total else 0,
    }


@bp.get("/stickers/<int:sheet_id>")
@page
def sticker_sheet(sheet_id: int):
    sheet = stickers.get_sheet(viewer(), sheet_id)
    return render_template("console/sticker_sheet.html", **_sheet_context(sheet))


@bp.get("/stickers/<int:sheet_id>/progress")
@page
def sticker_progress(sheet_id: int):
    """The job's progress (htmx polls it every POLL_SECONDS while the sheet is queued or running)."""
    sheet = stickers.get_sheet(viewer(), sheet_id)
    return render_template("console/_sticker_progress.html", **_sheet_context(sheet))


@bp.get("/stickers/<int:sheet_id>/file")
@page
def sticker_file(sheet_id: int):
    """下载 PDF (the API's GET /sticker-sheets/<id>/file)."""
    path = ready_file(viewer(), sheet_id, 0)
    return files.download(path, media_type="application/pdf", filename=f"门牌码-{sheet_id}.pdf", private=True)


@bp.get("/stickers/<int:sheet_id>/preview.png")
@page
def sticker_preview(sheet_id: int):
    """第一页预览 (the API's GET /sticker-sheets/<id>/preview.png)."""
    path = ready_file(viewer(), sheet_id, 1)
    return files.download(path, media_type="image/png", filename=f"门牌码-{sheet_id}-预览.png", private=True)
