"""The one authorization layer.

Every endpoint asks the same two questions through this module:
  * `scoped(actor, action, Model)` — a WHERE clause limiting a query to the rows the actor may act on;
    scope is enforced in the query, never by filtering results afterwards;
  * `can(actor, action, obj)` / `require(...)` — the same rule for one object, answered by the same
    clause, so the decision for a single object and for a list can never disagree.

A permission maps each role that has it to how far it reaches (household, village, township, county)
from the territory the role is held over. Only roles whose term is running at request time count.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, ClassVar, Protocol, TypeVar

from sqlalchemy import ColumnElement, SQLColumnExpression, and_, false, func, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Mapped

from app.clock import utcnow
from app.errors import Forbidden, NotFound
from app.extensions import db
from app.models import (
    VILLAGE_CADRE_ROLES,
    County,
    Disclosure,
    DisclosureView,
    Household,
    Invitation,
    Level,
    Question,
    Role,
    RoleAssignment,
    StickerSheet,
    Township,
    Village,
)

R = Role
L = Level

_VILLAGE_OFFICERS = dict.fromkeys(VILLAGE_CADRE_ROLES | {R.SUPERVISION_MEMBER, R.SUPERVISION_LIAISON}, L.VILLAGE)
_TOWNSHIP_STAFF = dict.fromkeys(
    (R.TOWNSHIP_DISCIPLINE, R.TOWNSHIP_ASSETS, R.TOWNSHIP_DISPATCHER, R.TOWNSHIP_LEADER), L.TOWNSHIP
)
_COUNTY = {R.COUNTY_STAFF: L.COUNTY}

# action → {role: reach}
PERMISSIONS: dict[str, dict[Role, Level]] = {
    # A village's public face: name, township, grids.
    "village.read": {R.VILLAGER: L.VILLAGE, **_VILLAGE_OFFICERS, **_TOWNSHIP_STAFF, **_COUNTY},
    # Household register (addresses, heads of household): private to the village's officers and above;
    # a villager sees only their own household.
    "household.read": {R.VILLAGER: L.HOUSEHOLD, **_VILLAGE_OFFICERS, **_TOWNSHIP_STAFF, **_COUNTY},
    # Who holds which role, with history.
    "role.read": {**_VILLAGE_OFFICERS, **_TOWNSHIP_STAFF, **_COUNTY},
    # Who may invite to and end which role is not a reach but a table of its own: app.domain.grants.
    "township.read": {**_TOWNSHIP_STAFF, **_COUNTY},
    # Door stickers (一户一码): print sheets, revoke and re-issue codes.
    "stickers.print": {**_TOWNSHIP_STAFF, **_COUNTY},
    "household_code.manage": {**_TOWNSHIP_STAFF, **_COUNTY},
    # Three-affairs disclosures (三务公开): cadres draft, the supervision committee reviews,
    # officers of the village and above follow drafts, reach and the statutory calendar.
    "disclosure.draft": dict.fromkeys(
        (R.VILLAGE_SECRETARY, R.VILLAGE_DIRECTOR, R.VILLAGE_COMMITTEE_MEMBER, R.VILLAGE_BOOKKEEPER), L.VILLAGE
    ),
    "disclosure.review": {R.SUPERVISION_MEMBER: L.VILLAGE},
    "disclosure.monitor": {**_VILLAGE_OFFICERS, **_TOWNSHIP_STAFF, **_COUNTY},
    "county.read": {**_COUNTY},
    # Complaint routing rules (who receives which category): township administrators.
    "complaint.route": {R.TOWNSHIP_LEADER: L.TOWNSHIP, R.TOWNSHIP_DISPATCHER: L.TOWNSHIP, **_COUNTY},
    # Deadline policies (办理时限), per lane: each lane's clock is set by those who answer for that lane
    # and never by another office — the discipline lane by the discipline office (its independence:
    # the administration it watches does not set how long it has), the service lane by the township's
    # administration; the county over both. Every township office may read them.
    "deadline_policy.read": {**_TOWNSHIP_STAFF, **_COUNTY},
    "deadline_policy.service": {R.TOWNSHIP_LEADER: L.TOWNSHIP, R.TOWNSHIP_DISPATCHER: L.TOWNSHIP, **_COUNTY},
    "deadline_policy.discipline": {R.TOWNSHIP_DISCIPLINE: L.TOWNSHIP, **_COUNTY},
    # Questions on disclosures held by the content check: released or rejected by the township, as
    # held complaints are (the township dispatcher; county staff over the county).
    "question.moderate": {R.TOWNSHIP_DISPATCHER: L.TOWNSHIP, **_COUNTY},
}

# Actions whose scope is not "inside a territory" but a rule of their own (complaints: routed to the
# actor's office, and never about the actor). `scoped` asks these first; see app.domain.complaints.
_RULES: dict[str, Callable[[Actor], ColumnElement[bool]]] = {}


def register_rule(action: str, clause: Callable[[Actor], ColumnElement[bool]]) -> None:
    _RULES[action] = clause


@dataclass(frozen=True)
class Grant:
    """One running term of office, reduced to what authorization needs."""

    role: Role
    county_id: int
    township_id: int | None
    village_id: int | None
    grid_id: int | None
    household_id: int | None
    assignment_id: int

    def unit_id(self, level: Level) -> int | None:
        return {
            L.HOUSEHOLD: self.household_id,
            L.VILLAGE: self.village_id,
            L.TOWNSHIP: self.township_id,
            L.COUNTY: self.county_id,
        }[level]


@dataclass(frozen=True)
class Actor:
    """Who is making the request: a WeChat user or a console account, with their running roles."""

    kind: str  # "wx" | "console"
    id: int
    grants: tuple[Grant, ...] = field(default_factory=tuple)

    @property
    def user_id(self) -> int | None:
        return self.id if self.kind == "wx" else None

    @property
    def console_account_id(self) -> int | None:
        return self.id if self.kind == "console" else None

    def roles(self) -> set[Role]:
        return {g.role for g in self.grants}


def term_running(moment: datetime | None = None) -> ColumnElement[bool]:
    """Clause: the role's term of office is running at `moment` (now by default)."""
    moment = moment or utcnow()
    return and_(
        RoleAssignment.starts_at <= moment, or_(RoleAssignment.ends_at.is_(None), RoleAssignment.ends_at > moment)
    )


def held_by(user_id: int | None = None, console_account_id: int | None = None) -> ColumnElement[bool]:
    if user_id is not None:
        return RoleAssignment.user_id == user_id
    return RoleAssignment.console_account_id == console_account_id


def load_grants(
    *, user_id: int | None = None, console_account_id: int | None = None, moment: datetime | None = None
) -> tuple[Grant, ...]:
    rows = db.session.scalars(
        select(RoleAssignment)
        .where(held_by(user_id, console_account_id), term_running(moment))
        .order_by(RoleAssignment.id)
    )
    return tuple(
        Grant(Role(r.role), r.county_id, r.township_id, r.village_id, r.grid_id, r.household_id, r.id) for r in rows
    )


class Row(Protocol):
    """A model with an integer primary key `id` (every model this module scopes)."""

    # ClassVar: a mapped column is declared on the class, so `Model.id` is the column
    # (InstrumentedAttribute[int]) and `row.id` the value (int), as on the models themselves.
    id: ClassVar[Mapped[int]]


M = TypeVar("M", bound=Row)
K = TypeVar("K")

# A column naming a territorial unit (or the parent row): nullable where the row may sit above it.
UnitColumn = InstrumentedAttribute[int | None]

# Where each model's rows sit in the territory tree: the columns naming a unit directly, and the
# column leading to the parent model. `within` climbs parents until it finds the level asked for.
_DIRECT: dict[type[Row], dict[Level, UnitColumn]] = {
    County: {L.COUNTY: County.id},
    Township: {L.TOWNSHIP: Township.id, L.COUNTY: Township.county_id},
    Village: {L.VILLAGE: Village.id, L.TOWNSHIP: Village.township_id},
    Household: {L.HOUSEHOLD: Household.id, L.VILLAGE: Household.village_id},
    StickerSheet: {L.VILLAGE: StickerSheet.village_id, L.TOWNSHIP: StickerSheet.township_id},
    Disclosure: {L.VILLAGE: Disclosure.village_id},
    # Public questions (质询) sit in their village ("question.moderate" is scoped to the township).
    Question: {L.VILLAGE: Question.village_id},
    # A household's views of a disclosure lie where the household does: figures about them are
    # counted over the households the viewer may read, like every figure answered to a person.
    DisclosureView: {L.VILLAGE: DisclosureView.village_id, L.HOUSEHOLD: DisclosureView.household_id},
    # An invitation lies where the term it offers would (its whole chain is stored): who may read a
    # roster ("role.read") may follow the invitations to it.
    Invitation: {L.VILLAGE: Invitation.village_id, L.TOWNSHIP: Invitation.township_id, L.COUNTY: Invitation.county_id},
    # Role assignments carry their whole scope chain.
    RoleAssignment: {
        L.HOUSEHOLD: RoleAssignment.household_id,
        L.VILLAGE: RoleAssignment.village_id,
        L.TOWNSHIP: RoleAssignment.township_id,
        L.COUNTY: RoleAssignment.county_id,
    },
}
_PARENT: dict[type[Row], tuple[UnitColumn, type[Row]]] = {
    StickerSheet: (StickerSheet.village_id, Village),
    Disclosure: (Disclosure.village_id, Village),
    Question: (Question.village_id, Village),
    DisclosureView: (DisclosureView.village_id, Village),
    Household: (Household.village_id, Village),
    Village: (Village.township_id, Township),
    Township: (Township.county_id, County),
}


def within(model: type[Row], level: Level, ids: list[int]) -> ColumnElement[bool] | None:
    """Clause: the row lies inside one of the units `ids` of `level` (None: it cannot)."""
    column = _DIRECT[model].get(level)
    if column is not None:
        return column.in_(ids)
    if model not in _PARENT:
        return None
    link, parent = _PARENT[model]
    inner = within(parent, level, ids)
    return None if inner is None else link.in_(select(parent.id).where(inner))


def scoped(actor: Actor | None, action: str, model: type[Row]) -> ColumnElement[bool]:
    """WHERE clause: rows of `model` on which `actor` may perform `action`."""
    if actor is None:
        return false()
    if action in _RULES:
        return _RULES[action](actor)
    reach = PERMISSIONS[action]
    by_level: dict[Level, set[int]] = {}
    for grant in actor.grants:
        level = reach.get(grant.role)
        if level is None:
            continue
        unit = grant.unit_id(level)
        if unit is not None:
            by_level.setdefault(level, set()).add(unit)
    clauses = []
    for level, ids in by_level.items():
        clause = within(model, level, sorted(ids))
        if clause is not None:
            clauses.append(clause)
    return or_(*clauses) if clauses else false()


def can(actor: Actor | None, action: str, obj: Row) -> bool:
    model = type(obj)
    found = db.session.scalar(select(model.id).where(model.id == obj.id, scoped(actor, action, model)).limit(1))
    return found is not None


def require(actor: Actor | None, action: str, obj: Row) -> None:
    if not can(actor, action, obj):
        raise Forbidden()


def get_or_404(actor: Actor | None, action: str, model: type[M], object_id: int) -> M:
    """Fetch one row the actor may act on; out of scope looks exactly like absent."""
    obj = db.session.scalar(select(model).where(model.id == object_id, scoped(actor, action, model)))
    if obj is None:
        raise NotFound()
    return obj


# ---- figures: every count, total or statistic answered to a person is taken over what they may see ----


def count(actor: Actor | None, action: str, model: type[Row], *where: ColumnElement[bool]) -> int:
    """How many rows of `model` matching `where` the actor may `action`: the one way a total, a
    count or a side-effect figure is computed for a person (a list's total, "recomputed"...), so a
    figure cannot be taken over rows the person cannot see (a case about them, a lane not theirs)."""
    return db.session.execute(
        select(func.count()).select_from(model).where(scoped(actor, action, model), *where)
    ).scalar_one()


def count_by(
    actor: Actor | None, action: str, model: type[Row], key: SQLColumnExpression[K], *where: ColumnElement[bool]
) -> dict[K, int]:
    """`count` per value of `key` (e.g. per village), over the same visible set."""
    return dict(
        db.session.execute(
            select(key, func.count()).select_from(model).where(scoped(actor, action, model), *where).group_by(key)
        ).all()
    )


def count_grouped(
    actor: Actor | None,
    action: str,
    model: type[Row],
    keys: Sequence[ColumnElement[Any] | InstrumentedAttribute[Any]],
    *where: ColumnElement[bool],
) -> dict[tuple[Any, ...], int]:
    """`count` per combination of `keys` (e.g. village, lane and colour), over the same visible set.
    Grouped over a subquery of the keys, so a key that is an expression (a hybrid such as a case's
    colour) is one column for PostgreSQL's GROUP BY."""
    inner = (
        select(*(key.label(f"k{i}") for i, key in enumerate(keys)))
        .select_from(model)
        .where(scoped(actor, action, model), *where)
        .subquery()
    )
    columns = list(inner.c)
    rows = db.session.execute(select(*columns, func.count()).group_by(*columns)).all()
    return {tuple(row[:-1]): row[-1] for row in rows}


def roles_with(action: str) -> Iterable[Role]:
    return PERMISSIONS[action].keys()
