"""住户与门牌码 · 住户: search the households the viewer may read ("household.read", scope in the query)
by village, grid, household number, head of household, address or door code; revoke a door code or
reissue it (a lost or defaced sticker: the old code void at once) with the API's domain functions
(household_codes.revoke / reissue, "household_code.manage")."""

from __future__ import annotations

import math

from flask import make_response, render_template, request, url_for
from sqlalchemy import ColumnElement, or_, select
from sqlalchemy.orm import selectinload

from app.api.schemas.stickers import CodeChangeIn
from app.api.schemas.territory import HouseholdSearchIn
from app.console import bp
from app.console.actions import act
from app.console.pages import form_input, page, query_input, safe_next, viewer
from app.domain import authz, household_codes
from app.errors import AppError
from app.extensions import db
from app.models import Grid, Household, HouseholdCode, Village


def _search_where(query: dict) -> list[ColumnElement[bool]]:
    where: list[ColumnElement[bool]] = []
    if query.get("village_id") is not None:
        where.append(Household.village_id == query["village_id"])
    if query.get("grid_id") is not None:
        where.append(Household.grid_id == query["grid_id"])
    text = (query.get("q") or "").strip()
    if text:
        matches = [
            Household.number == text,
            Household.head_name.contains(text, autoescape=True),
            Household.address.contains(text, autoescape=True),
        ]
        code = household_codes.canonical(text)
        if code is not None:  # a door code as typed or scanned: the household it is (or was) on
            matches.append(Household.id.in_(select(HouseholdCode.household_id).where(HouseholdCode.code == code)))
        where.append(or_(*matches))
    return where


def _households_page(*, status: int = 200, error: AppError | None = None, failed: int | None = None):
    actor = viewer()
    query = query_input(HouseholdSearchIn(), per_page=25)
    where = _search_where(query)
    total = authz.count(actor, "household.read", Household, *where)
    items = list(
        db.session.scalars(
            select(Household)
            .options(selectinload(Household.grid), selectinload(Household.village))
            .where(authz.scoped(actor, "household.read", Household), *where)
            .order_by(Household.village_id, Household.number)
            .limit(query["per_page"])
            .offset((query["page"] - 1) * query["per_page"])
        )
    )
    ids = [h.id for h in items]
    codes = {
        c.household_id: c
        for c in db.session.scalars(
            select(HouseholdCode).where(HouseholdCode.household_id.in_(ids), HouseholdCode.revoked_at.is_(None))
        )
    }
    manageable = set(
        db.session.scalars(
            select(Household.id).where(Household.id.in_(ids), authz.scoped(actor, "household_code.manage", Household))
        )
    )
    villages = db.session.execute(
        select(Village.id, Village.name).where(authz.scoped(actor, "household.read", Village)).order_by(Village.code)
    ).all()
    grids = (
        db.session.execute(
            select(Grid.id, Grid.name).where(Grid.village_id == query["village_id"]).order_by(Grid.number)
        ).all()
        if query.get("village_id") is not None
        else []
    )
    args = {k: v for k, v in request.args.items() if v.strip() != "" and k != "page"}
    html = render_template(
        "console/households.html",
        items=items,
        codes=codes,
        manageable=manageable,
        total=total,
        query=query,
        pages=max(1, math.ceil(total / query["per_page"])),
        args=args,
        villages=villages,
        grids=grids,
        grouped=household_codes.grouped,
        error=error,
        failed=failed,
        form=request.form if error else {},
        here=request.full_path.rstrip("?"),
    )
    return make_response(html, status)


@bp.get("/households")
@page
def households():
    return _households_page()


def _back() -> str:
    return safe_next(request.form.get("next")) or url_for("console.households")


@bp.post("/households/<int:household_id>/code/revoke")
@page
def revoke_code(household_id: int):
    """作废门牌码 (the API's POST /households/<id>/code/revoke)."""

    def do() -> str:
        household = authz.get_or_404(viewer(), "household_code.manage", Household, household_id)
        household_codes.revoke(household, form_input(CodeChangeIn())["reason"])
        return f"{household.village.name} {household.number} 号的门牌码已作废，扫码将显示“已作废”"

    return act(do, back=_back(), failed=lambda exc: _households_page(status=exc.status, error=exc, failed=household_id))


@bp.post("/households/<int:household_id>/code/reissue")
@page
def reissue_code(household_id: int):
    """补发门牌码: the old code void at once, a new one issued (the API's …/code/reissue)."""

    def do() -> str:
        household = authz.get_or_404(viewer(), "household_code.manage", Household, household_id)
        code = household_codes.reissue(household, form_input(CodeChangeIn())["reason"])
        return (
            f"{household.village.name} {household.number} 号已补发新门牌码 {household_codes.grouped(code.code)}，"
            "旧码已作废；请打印该户的门牌码"
        )

    return act(do, back=_back(), failed=lambda exc: _households_page(status=exc.status, error=exc, failed=household_id))
