"""Who receives a complaint: routing rules as data, with the conflict-of-interest rule above them.

Order of decision:
1. A complaint *about* someone never reaches them nor anyone they supervise: about a village-level
   role → the township discipline office; about a township-level role → the county.
2. A discipline-lane category always goes to the township discipline office with the village
   supervision liaison copied: no rule of the township's administration can take those cases (and
   the complainant's name) to another office, nor stop the liaison's copy.
   Otherwise the live rule for (village, category), else for (township, category), else the
   default of the domain notes (DEFAULT_RULES).
3. A village role nobody holds right now cannot receive anything: the case is caught by the
   township dispatcher (四平台) and flagged `routing_fallback`, never dropped.

Grid-scoped roles (the grid worker, 网格员) work their own grid only: a case for the grid worker goes
to the worker of the household's own grid (`handler_grid_id`), never to the village's other grid
workers. A grid worker whose term names no grid serves the whole village and takes the cases of
households whose grid has no worker (or that are in no grid). With neither, the village's responsible
cadre, the village director (村委会主任, who answers for the grids' work), receives the case, flagged
`routing_fallback`; with no director either, the township dispatcher as above. Who holds a village
office is decided in one place (`office_terms` for role assignments, `holds_office` for a person's
grants), for routing, access and notifications alike.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import ColumnElement, select

from app.clock import utcnow
from app.domain import authz
from app.domain.complaints.categories import CATEGORIES, DISCIPLINE
from app.errors import AppError
from app.extensions import db
from app.models import VILLAGE_CADRE_ROLES, Complaint, Role, RoleAssignment, RoutingRule, Township, Village

if TYPE_CHECKING:  # for the annotation only: routing stays below the views in the import order
    from app.domain.complaints.officer_view import OfficerCase

logger = logging.getLogger(__name__)

VILLAGE_ROLE = "village_role"
TOWNSHIP_DISPATCH = "township_dispatch"  # 基层治理四平台 command room
TOWNSHIP_DISCIPLINE = "township_discipline"  # 镇纪委 / 监察办
COUNTY = "county"  # 县纪委监委: complaints about township staff
RULE_TARGETS = (VILLAGE_ROLE, TOWNSHIP_DISPATCH, TOWNSHIP_DISCIPLINE)

# The role that works a case for each kind of handler office above the village.
OFFICE_ROLES = {
    TOWNSHIP_DISPATCH: Role.TOWNSHIP_DISPATCHER,
    TOWNSHIP_DISCIPLINE: Role.TOWNSHIP_DISCIPLINE,
    COUNTY: Role.COUNTY_STAFF,
}
HANDLER_LABELS = {TOWNSHIP_DISPATCH: "镇四平台", TOWNSHIP_DISCIPLINE: "镇纪委", COUNTY: "县纪委监委"}


@dataclass(frozen=True)
class Target:
    target: str
    role: Role | None = None
    copy_liaison: bool = False


def _defaults() -> dict[str, Target]:
    service = {
        "environment": Target(TOWNSHIP_DISPATCH),  # 四平台: 综合执法
        "safety": Target(TOWNSHIP_DISPATCH),  # 四平台: 综治工作
        "dispute": Target(VILLAGE_ROLE, Role.VILLAGE_DIRECTOR),  # the village mediation committee
        "hardship": Target(VILLAGE_ROLE, Role.VILLAGE_DIRECTOR),
        "public_service": Target(VILLAGE_ROLE, Role.GRID_WORKER),  # 网格员 代办
        "other": Target(TOWNSHIP_DISPATCH),
    }
    return {
        key: (Target(TOWNSHIP_DISCIPLINE, copy_liaison=True) if c.lane == DISCIPLINE else service[key])
        for key, c in CATEGORIES.items()
    }


DEFAULT_RULES: dict[str, Target] = _defaults()


@dataclass(frozen=True)
class Route:
    """Where a case goes: the handler office, and why."""

    kind: str  # village_role | township_dispatch | township_discipline | county
    role: Role | None
    village_id: int | None
    township_id: int | None
    county_id: int
    copy_liaison: bool
    rule_id: int | None
    fallback: bool = False
    note: str | None = None  # for the case's history: why it went where it went
    grid_id: int | None = None  # a grid-scoped role's grid (None: the whole village)

    @property
    def label(self) -> str:
        if self.kind == VILLAGE_ROLE:
            assert self.role is not None  # a village-role route always names the role
            return self.role.label
        return HANDLER_LABELS[self.kind]


def village_cadre_role(value: str | None) -> Role:
    """The village cadre role named by `value`, or a clear error (anything else, including no role)."""
    role = next((r for r in VILLAGE_CADRE_ROLES if r.value == value), None)
    if role is None:
        raise AppError("unknown_role", "请选择一个村干部职务", kind="unprocessable", fields={"role": ["不是可选的值"]})
    return role


def handler_label(complaint: Complaint | OfficerCase) -> str:
    """The office holding a case, in words people read (never a person's name)."""
    if complaint.handler_kind == VILLAGE_ROLE:
        assert complaint.handler_role is not None  # a case held by a village office names the role
        return Role(complaint.handler_role).label
    return HANDLER_LABELS.get(complaint.handler_kind or "", "")


def live_rule(township_id: int, village_id: int | None, category: str) -> RoutingRule | None:
    rules = db.session.scalars(
        select(RoutingRule).where(
            RoutingRule.township_id == township_id,
            RoutingRule.category == category,
            RoutingRule.deactivated_at.is_(None),
            (RoutingRule.village_id == village_id) | RoutingRule.village_id.is_(None),
        )
    ).all()
    # the village's own rule wins over the township-wide one
    return next((r for r in rules if r.village_id is not None), rules[0] if rules else None)


# Village roles whose holders each work one grid of the village.
GRID_SCOPED_ROLES = frozenset({Role.GRID_WORKER})


def office_grid(role: Role, grid_id: int | None) -> int | None:
    """The grid a village office covers: a grid-scoped role's grid (None: the whole village); None
    for every other role, whatever grid its term names."""
    return grid_id if role in GRID_SCOPED_ROLES else None


def office_terms(role: Role, village_id: int, grid_id: int | None) -> list[ColumnElement[bool]]:
    """WHERE clauses on RoleAssignment: the terms that hold the village office (role, village, grid)."""
    where = [RoleAssignment.role == role.value, RoleAssignment.village_id == village_id]
    if role in GRID_SCOPED_ROLES:
        where.append(RoleAssignment.grid_id == grid_id if grid_id is not None else RoleAssignment.grid_id.is_(None))
    return where


def holds_office(grant: authz.Grant, role: str | None, village_id: int | None, grid_id: int | None) -> bool:
    """Whether a person's running term holds the village office a case names."""
    return (
        grant.role.value == role
        and grant.village_id == village_id
        and (grant.role not in GRID_SCOPED_ROLES or grant.grid_id == grid_id)
    )


def role_is_held(role: Role, village_id: int, grid_id: int | None = None) -> bool:
    return (
        db.session.scalar(
            select(RoleAssignment.id)
            .where(
                *office_terms(role, village_id, office_grid(role, grid_id)),
                RoleAssignment.user_id.is_not(None),
                authz.term_running(),
            )
            .limit(1)
        )
        is not None
    )


def village_office(role: Role, village_id: int, household_grid_id: int | None) -> tuple[bool, int | None]:
    """(held, grid) of the office that takes a household's case for `role` in its village: the
    household's own grid's holder, else a holder over the whole village (grid None); held is False
    when nobody holds either."""
    if (
        role in GRID_SCOPED_ROLES
        and household_grid_id is not None
        and role_is_held(role, village_id, household_grid_id)
    ):
        return True, household_grid_id
    return role_is_held(role, village_id), None


def route(village: Village, category: str, about_level: str | None, *, grid_id: int | None) -> Route:
    """Where a new case of a household of `village` (in grid `grid_id`) goes."""
    township = village.township
    county_id = township.county_id
    if about_level == "township":
        return Route(COUNTY, None, None, None, county_id, False, None, note="反映对象为镇街干部，由县纪委监委受理")
    if about_level == "village":
        return Route(
            TOWNSHIP_DISCIPLINE, None, None, township.id, county_id, True, None, note="反映对象为村干部，由镇纪委受理"
        )
    # rules set before discipline routes were fixed are ignored (see set_rule)
    rule = live_rule(township.id, village.id, category) if CATEGORIES[category].lane != DISCIPLINE else None
    target = (
        Target(rule.target, Role(rule.target_role) if rule.target_role else None, rule.copy_liaison)
        if rule
        else DEFAULT_RULES[category]
    )
    rule_id = rule.id if rule else None
    if target.target == VILLAGE_ROLE:
        # village-role targets always name the role (DEFAULT_RULES, and set_rule requires one)
        assert target.role is not None
        held, office_grid_id = village_office(target.role, village.id, grid_id)
        if held:
            return Route(
                VILLAGE_ROLE,
                target.role,
                village.id,
                township.id,
                county_id,
                target.copy_liaison,
                rule_id,
                grid_id=office_grid_id,
            )
        director = Role.VILLAGE_DIRECTOR
        if target.role in GRID_SCOPED_ROLES and role_is_held(director, village.id):
            return Route(
                VILLAGE_ROLE,
                director,
                village.id,
                township.id,
                county_id,
                target.copy_liaison,
                rule_id,
                fallback=True,
                note=f"本网格暂无{target.role.label}在任，由{director.label}接收",
            )
        logger.warning(
            "no live %s in village %s: complaint caught by the township dispatcher", target.role.value, village.id
        )
        return Route(
            TOWNSHIP_DISPATCH,
            None,
            None,
            township.id,
            county_id,
            target.copy_liaison,
            rule_id,
            fallback=True,
            note=f"本村暂无{target.role.label}在任，由镇四平台接收",
        )
    return Route(target.target, None, None, township.id, county_id, target.copy_liaison, rule_id)


# ---- editing the rules (township administrators) ----


def set_rule(
    actor: authz.Actor,
    township: Township,
    *,
    category: str,
    target: str,
    village_id: int | None = None,
    role: str | None = None,
    copy_liaison: bool = False,
) -> RoutingRule:
    """Replace the live rule for (township or village, category): the old one is deactivated, kept."""
    authz.require(actor, "complaint.route", township)
    if category not in CATEGORIES:
        raise AppError(
            "unknown_category", "没有这个反映类别", kind="unprocessable", fields={"category": ["不是可选的值"]}
        )
    if CATEGORIES[category].lane == DISCIPLINE:
        # An office that edits routes must not be able to give itself the discipline office's cases.
        raise AppError(
            "discipline_route_fixed",
            "纪检监察类反映固定由镇纪委受理并抄送村监察联络员，不能改派",
            kind="unprocessable",
            fields={"category": ["纪检监察类不能改派"]},
        )
    if target not in RULE_TARGETS:
        raise AppError("unknown_target", "没有这个接收方", kind="unprocessable", fields={"target": ["不是可选的值"]})
    role = village_cadre_role(role).value if target == VILLAGE_ROLE else None
    if village_id is not None:
        village = db.session.get(Village, village_id)
        if village is None or village.township_id != township.id:
            raise AppError(
                "village_not_in_township",
                "该村不属于本镇街",
                kind="unprocessable",
                fields={"village_id": ["不属于本镇街"]},
            )
    now = utcnow()
    for old in db.session.scalars(
        select(RoutingRule).where(
            RoutingRule.township_id == township.id,
            RoutingRule.category == category,
            RoutingRule.village_id.is_(None) if village_id is None else RoutingRule.village_id == village_id,
            RoutingRule.deactivated_at.is_(None),
        )
    ):
        old.deactivated_at, old.deactivated_by_console_account_id = now, actor.console_account_id
    db.session.flush()
    rule = RoutingRule(
        township_id=township.id,
        village_id=village_id,
        category=category,
        target=target,
        target_role=role,
        copy_liaison=copy_liaison,
        created_at=now,
        created_by_console_account_id=actor.console_account_id,
    )
    db.session.add(rule)
    db.session.flush()
    return rule


def rules(township_id: int, *, include_inactive: bool = False) -> list[RoutingRule]:
    query = select(RoutingRule).where(RoutingRule.township_id == township_id)
    if not include_inactive:
        query = query.where(RoutingRule.deactivated_at.is_(None))
    return list(db.session.scalars(query.order_by(RoutingRule.category, RoutingRule.village_id, RoutingRule.id)))


@dataclass(frozen=True)
class RuleRow:
    """One row of a township's routing table as people read it: a saved rule, or the built-in default
    of a category (`default`, id None), and whether `route` follows it now (`in_force`)."""

    township_id: int
    category: str
    target: str
    target_role: str | None
    copy_liaison: bool
    default: bool
    in_force: bool
    id: int | None = None
    village_id: int | None = None
    created_at: datetime | None = None
    deactivated_at: datetime | None = None
    created_by_console_account_id: int | None = None
    deactivated_by_console_account_id: int | None = None


_SAVED = (
    "id",
    "township_id",
    "village_id",
    "category",
    "target",
    "target_role",
    "copy_liaison",
    "created_at",
    "deactivated_at",
    "created_by_console_account_id",
    "deactivated_by_console_account_id",
)


def rule_table(township_id: int, *, include_inactive: bool = False) -> list[RuleRow]:
    """Every category's routing as `route` decides it: its built-in default (DEFAULT_RULES) as a row
    marked default — in force unless a live township-wide rule replaces it; always for a discipline
    category, whose route is fixed —, then the township's saved rules (with the replaced ones when
    `include_inactive`). A saved rule for a discipline category is never in force (see `route`)."""
    saved: dict[str, list[RoutingRule]] = {}
    for rule in rules(township_id, include_inactive=include_inactive):
        saved.setdefault(rule.category, []).append(rule)
    table: list[RuleRow] = []
    for key, category in CATEGORIES.items():
        fixed = category.lane == DISCIPLINE
        own = saved.get(key, [])
        replaced = not fixed and any(r.village_id is None and r.deactivated_at is None for r in own)
        default = DEFAULT_RULES[key]
        table.append(
            RuleRow(
                township_id=township_id,
                category=key,
                target=default.target,
                target_role=default.role.value if default.role else None,
                copy_liaison=default.copy_liaison,
                default=True,
                in_force=not replaced,
            )
        )
        # township-wide first, then village by village (NULLs sort differently in SQLite and PostgreSQL)
        for r in sorted(own, key=lambda r: (r.village_id is not None, r.village_id or 0, r.id)):
            values = {name: getattr(r, name) for name in _SAVED}
            table.append(RuleRow(**values, default=False, in_force=not fixed and r.deactivated_at is None))
    return table
