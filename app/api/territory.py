"""Territory as each caller may see it: townships, villages, grids, households."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.api import bp
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.territory import HouseholdOut, HouseholdPageOut, HouseholdQueryIn, TownshipOut, VillageOut
from app.domain import authz
from app.extensions import db
from app.models import Household, Township, Village


@bp.get("/townships")
@endpoint(tags=["township", "county"], summary="我管辖范围内的镇（街道）", response=TownshipOut(many=True))
def list_townships():
    return db.session.scalars(
        select(Township).where(authz.scoped(current_actor(), "township.read", Township)).order_by(Township.code)
    ).all()


@bp.get("/villages")
@endpoint(
    tags=["villager", "cadre", "township", "county"], summary="我可查看的村（社区）", response=VillageOut(many=True)
)
def list_villages():
    return db.session.scalars(
        select(Village)
        .options(selectinload(Village.township), selectinload(Village.grids))
        .where(authz.scoped(current_actor(), "village.read", Village))
        .order_by(Village.code)
    ).all()


@bp.get("/villages/<int:village_id>")
@endpoint(tags=["villager", "cadre", "township", "county"], summary="村（社区）概况与网格", response=VillageOut())
def get_village(village_id: int):
    return authz.get_or_404(current_actor(), "village.read", Village, village_id)


@bp.get("/villages/<int:village_id>/households")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="本村户籍列表（分页，可按网格筛选）",
    query=HouseholdQueryIn(),
    response=HouseholdPageOut(),
)
def list_households(village_id: int, query):
    actor = current_actor()
    authz.get_or_404(actor, "village.read", Village, village_id)
    where = [Household.village_id == village_id]
    if "grid_id" in query:
        where.append(Household.grid_id == query["grid_id"])
    total = authz.count(actor, "household.read", Household, *where)
    items = db.session.scalars(
        select(Household)
        .options(selectinload(Household.grid))
        .where(authz.scoped(actor, "household.read", Household), *where)
        .order_by(Household.number)
        .limit(query["per_page"])
        .offset((query["page"] - 1) * query["per_page"])
    ).all()
    return {"items": items, "page": query["page"], "per_page": query["per_page"], "total": total}


@bp.get("/households/<int:household_id>")
@endpoint(tags=["villager", "cadre", "township", "county"], summary="一户的登记信息", response=HouseholdOut())
def get_household(household_id: int):
    return authz.get_or_404(current_actor(), "household.read", Household, household_id)
