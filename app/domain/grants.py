"""Who may start (invite) and end which role: the one table, and the one check every path uses.

`MATRIX[granter][target] = reach`: a running term of `granter` may start and end terms of `target`
whose territory lies inside the granter's own unit at `reach` (a township leader: the villages of
its own township). Whoever may start a term of a role may end it; nobody else may, nobody ends their
own term, and every target sits strictly below its granter's seat (checked below at import), so no
office can make or unmake a peer, a superior, or a sister office of its own level.

Every path of the API goes through `require_may_invite` (creating an invitation, and again when it is
accepted, with the inviter's grants at that moment) or `require_may_end` (ending a term). The one
path outside the table is the operator's shell (`flask --app wsgi account create`, `roles end`,
`seed-demo`), which opens county staff accounts and the first township accounts and ends what no
one may end through the API: whoever runs commands on the server already holds the database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from app.domain import authz
from app.errors import AppError, NotFound
from app.models import VILLAGE_CADRE_ROLES, Invitation, Level, Role, RoleAssignment

R, L = Role, Level

_LEVEL_ORDER = (L.HOUSEHOLD, L.VILLAGE, L.TOWNSHIP, L.COUNTY)

MATRIX: dict[Role, dict[Role, Level]] = {
    # The township records who holds the village offices: the cadres it appoints or whose election it
    # confirms (grid workers included) and the supervision committee the villagers elect.
    R.TOWNSHIP_LEADER: dict.fromkeys((*sorted(VILLAGE_CADRE_ROLES), R.SUPERVISION_MEMBER), L.TOWNSHIP),
    # The supervision liaison is the discipline office's eyes in the village and reads the discipline
    # cases copied there: appointed and dismissed by the discipline office, never by the
    # administration it watches.
    R.TOWNSHIP_DISCIPLINE: {R.SUPERVISION_LIAISON: L.TOWNSHIP},
    # The county sets up the township offices (discipline included) and stands in for any township
    # over its villages.
    R.COUNTY_STAFF: {r: L.COUNTY for r in Role if r.level in (L.VILLAGE, L.TOWNSHIP)},
    # These offices grant nothing.
    R.TOWNSHIP_ASSETS: {},
    R.TOWNSHIP_DISPATCHER: {},
    R.SUPERVISION_LIAISON: {},
    R.SUPERVISION_MEMBER: {},
    **{r: {} for r in VILLAGE_CADRE_ROLES},
    # A villager binds by scanning their own door (一户一码), never by invitation; county staff accounts
    # are opened from the server's shell.
    R.VILLAGER: {},
}

assert set(MATRIX) == set(Role), "every role has a row"
for _granter, _targets in MATRIX.items():
    for _target, _reach in _targets.items():
        assert _LEVEL_ORDER.index(_target.level) < _LEVEL_ORDER.index(_granter.level), (_granter, _target)
        assert _reach is _granter.level, (_granter, _target)  # a seat reaches over its own unit only


def reaches(grants: Iterable[authz.Grant], role: Role, chain: Mapping[str, int | None]) -> bool:
    """Whether any of these running terms may start or end a term of `role` over the territory
    `chain` (its county_id, township_id, village_id). The single lookup of the table."""
    for grant in grants:
        reach = MATRIX[grant.role].get(role)
        if reach is None:
            continue
        unit = grant.unit_id(reach)
        if unit is not None and unit == chain.get(f"{reach.value}_id"):
            return True
    return False


def require_role_grantable(grants: Iterable[authz.Grant], role: Role) -> None:
    """A role the caller may give nowhere is refused (403) before any place is looked up."""
    if not any(role in MATRIX[g.role] for g in grants):
        raise AppError("role_not_grantable", f"您的岗位无权任命{role.label}", kind="forbidden")


def require_may_invite(grants: Iterable[authz.Grant], role: Role, chain: Mapping[str, int | None]) -> None:
    """Refuse an invitation to `role` over `chain` unless one of `grants` reaches it; a place
    outside the caller's reach looks absent (404)."""
    grants = tuple(grants)
    require_role_grantable(grants, role)
    if not reaches(grants, role, chain):
        raise NotFound()


def place_of(row: RoleAssignment | Invitation) -> dict[str, int | None]:
    """The territory a term or an invitation is held over, as `reaches` reads it."""
    return {"county_id": row.county_id, "township_id": row.township_id, "village_id": row.village_id}


def held_by_actor(actor: authz.Actor, term: RoleAssignment) -> bool:
    if actor.kind == "wx":
        return term.user_id == actor.id
    return term.console_account_id == actor.id


def require_may_end(actor: authz.Actor, term: RoleAssignment) -> None:
    """Refuse to end `term` unless the actor's running terms reach its role and place; never one's own."""
    if held_by_actor(actor, term):
        raise AppError("own_term", "不能结束本人的任期", kind="forbidden")
    if not reaches(actor.grants, Role(term.role), place_of(term)):
        raise AppError("term_not_endable", f"您的岗位无权结束{Role(term.role).label}的任期", kind="forbidden")
