"""The territory tree with household counts, for the CLI and reports.

Six queries whatever the size of the tree: one per level and two GROUP BY counts (no N+1).
"""

from __future__ import annotations

from collections import defaultdict
from typing import TypedDict

from flask_sqlalchemy.session import Session as AppSession
from sqlalchemy import func, select
from sqlalchemy.orm import Session, scoped_session

from app.extensions import db
from app.models import County, Grid, Household, Township, Village


class GridNode(TypedDict):
    id: int
    number: int
    name: str
    households: int


class VillageNode(TypedDict):
    id: int
    code: str
    name: str
    kind: str
    households: int
    ungridded: int
    grids: list[GridNode]


class TownshipNode(TypedDict):
    id: int
    code: str
    name: str
    kind: str
    supervision_phone: str | None
    households: int
    villages: list[VillageNode]


class CountyNode(TypedDict):
    id: int
    code: str
    name: str
    households: int
    townships: list[TownshipNode]


def territory_tree(session: Session | scoped_session[AppSession] | None = None) -> list[CountyNode]:
    """Counties → townships → villages → grids, each with ``households``.

    A village counts all its households, including those not (yet) in a grid; ``ungridded`` says
    how many those are. Townships and counties sum their villages. Everything is ordered by code
    (grids by number). Plain dicts, ready for JSON.
    """
    session = session if session is not None else db.session
    by_village = dict(session.execute(select(Household.village_id, func.count()).group_by(Household.village_id)).all())
    by_grid = dict(
        session.execute(
            select(Household.grid_id, func.count()).where(Household.grid_id.is_not(None)).group_by(Household.grid_id)
        ).all()
    )

    grids: dict[int, list[GridNode]] = defaultdict(list)
    for g in session.execute(
        select(Grid.id, Grid.village_id, Grid.number, Grid.name).order_by(Grid.village_id, Grid.number)
    ):
        grids[g.village_id].append({"id": g.id, "number": g.number, "name": g.name, "households": by_grid.get(g.id, 0)})

    villages: dict[int, list[VillageNode]] = defaultdict(list)
    for v in session.execute(
        select(Village.id, Village.township_id, Village.code, Village.name, Village.kind).order_by(Village.code)
    ):
        total = by_village.get(v.id, 0)
        village_grids = grids.get(v.id, [])
        villages[v.township_id].append(
            {
                "id": v.id,
                "code": v.code,
                "name": v.name,
                "kind": v.kind,
                "households": total,
                "ungridded": total - sum(g["households"] for g in village_grids),
                "grids": village_grids,
            }
        )

    townships: dict[int, list[TownshipNode]] = defaultdict(list)
    for t in session.execute(
        select(
            Township.id, Township.county_id, Township.code, Township.name, Township.kind, Township.supervision_phone
        ).order_by(Township.code)
    ):
        township_villages = villages.get(t.id, [])
        townships[t.county_id].append(
            {
                "id": t.id,
                "code": t.code,
                "name": t.name,
                "kind": t.kind,
                "supervision_phone": t.supervision_phone,
                "households": sum(v["households"] for v in township_villages),
                "villages": township_villages,
            }
        )

    tree: list[CountyNode] = []
    for c in session.execute(select(County.id, County.code, County.name).order_by(County.code)):
        county_townships = townships.get(c.id, [])
        tree.append(
            {
                "id": c.id,
                "code": c.code,
                "name": c.name,
                "households": sum(t["households"] for t in county_townships),
                "townships": county_townships,
            }
        )
    return tree
