"""Who sees which complaint, as WHERE clauses registered with the one authorization layer.

* complaint.handle — the case is routed to an office the actor holds (a village role in that
  village — a grid worker's in their grid —, the township's dispatch or discipline office, the county), cleared by moderation;
* complaint.copy — the village supervision liaison's read-only copy of discipline cases;
* complaint.moderate — held cases, for the township office of their lane (the dispatcher: service;
  the discipline office: discipline), county staff over the county (alone for cases about township staff);
* complaint.monitor — township leader and discipline office over their township, the dispatcher over
  its service-lane cases (cases escalated to the county included), county staff over the county;
  cases about township staff are the county's alone;
* complaint.transfer — re-routing by the township (转办, 合并): the township dispatcher over the
  cases at its command room and at the village offices of its township (四平台 dispatches the
  service work), the township discipline office over the cases it holds;
* complaint.recategorise — changing the category (改类): the handling office, or the dispatcher
  over the cases it may transfer.

Every clause excludes the cases the actor is the subject of (conflict of interest is absolute:
not routed to, not visible to, not countable by them), so no list, filter or count can reach them.
"""

from __future__ import annotations

from sqlalchemy import ColumnElement, and_, exists, false, not_, or_, select

from app.domain import authz
from app.domain.complaints.categories import DISCIPLINE, SERVICE
from app.domain.complaints.routing import (
    COUNTY,
    GRID_SCOPED_ROLES,
    TOWNSHIP_DISCIPLINE,
    TOWNSHIP_DISPATCH,
    VILLAGE_ROLE,
)
from app.models import VILLAGE_CADRE_ROLES, Complaint, ComplaintSubject, Role

C = Complaint


def not_about(actor: authz.Actor) -> ColumnElement[bool]:
    person = (
        ComplaintSubject.user_id == actor.user_id
        if actor.kind == "wx"
        else ComplaintSubject.console_account_id == actor.console_account_id
    )
    return not_(exists(select(ComplaintSubject.id).where(ComplaintSubject.complaint_id == C.id, person)))


def _any(clauses: list[ColumnElement[bool]]) -> ColumnElement[bool]:
    return or_(*clauses) if clauses else false()


def handle(actor: authz.Actor) -> ColumnElement[bool]:
    clauses = []
    for g in actor.grants:
        if g.role in VILLAGE_CADRE_ROLES:
            clause = and_(
                C.handler_kind == VILLAGE_ROLE, C.handler_role == g.role.value, C.handler_village_id == g.village_id
            )
            if g.role in GRID_SCOPED_ROLES:  # a grid worker works their own grid's cases (see routing)
                clause = and_(
                    clause, C.handler_grid_id == g.grid_id if g.grid_id is not None else C.handler_grid_id.is_(None)
                )
            clauses.append(clause)
        elif g.role == Role.TOWNSHIP_DISPATCHER:
            clauses.append(and_(C.handler_kind == TOWNSHIP_DISPATCH, C.handler_township_id == g.township_id))
        elif g.role == Role.TOWNSHIP_DISCIPLINE:
            clauses.append(and_(C.handler_kind == TOWNSHIP_DISCIPLINE, C.handler_township_id == g.township_id))
        elif g.role == Role.COUNTY_STAFF:
            clauses.append(and_(C.handler_kind == COUNTY, C.handler_county_id == g.county_id))
    return and_(_any(clauses), C.moderation == "clear", not_about(actor))


def copy(actor: authz.Actor) -> ColumnElement[bool]:
    villages = [g.village_id for g in actor.grants if g.role == Role.SUPERVISION_LIAISON]
    if not villages:
        return false()
    return and_(C.copy_liaison.is_(True), C.village_id.in_(villages), C.moderation == "clear", not_about(actor))


def moderators(actor: authz.Actor) -> ColumnElement[bool]:
    """Cases whose held content (text, photos) the actor moderates: within the township, each lane's
    own office — the dispatcher the service lane, the discipline office the discipline lane (the
    command room neither reads nor refuses a discipline complaint); county staff for the county (cases
    about township staff are the county's alone)."""
    clauses = []
    for g in actor.grants:
        if g.role in (Role.TOWNSHIP_DISPATCHER, Role.TOWNSHIP_DISCIPLINE):
            lane = SERVICE if g.role == Role.TOWNSHIP_DISPATCHER else DISCIPLINE
            clauses.append(and_(C.township_id == g.township_id, C.handler_kind != COUNTY, C.lane == lane))
        elif g.role == Role.COUNTY_STAFF:
            clauses.append(C.county_id == g.county_id)
    return and_(_any(clauses), not_about(actor))


def moderate(actor: authz.Actor) -> ColumnElement[bool]:
    return and_(moderators(actor), C.moderation == "held")


def monitor(actor: authz.Actor) -> ColumnElement[bool]:
    clauses = []
    for g in actor.grants:
        if g.role in (Role.TOWNSHIP_LEADER, Role.TOWNSHIP_DISCIPLINE, Role.TOWNSHIP_DISPATCHER):
            # a case escalated to the county stays in the township's view; one about township staff never
            clause = and_(C.township_id == g.township_id, or_(C.about_level.is_(None), C.about_level != "township"))
            if g.role == Role.TOWNSHIP_DISPATCHER:  # the command room follows the service lane only
                clause = and_(clause, C.lane == SERVICE)
            clauses.append(clause)
        elif g.role == Role.COUNTY_STAFF:
            clauses.append(C.county_id == g.county_id)
    return and_(_any(clauses), not_about(actor))


def transfer(actor: authz.Actor) -> ColumnElement[bool]:
    clauses = []
    for g in actor.grants:
        if g.role == Role.TOWNSHIP_DISPATCHER:
            clauses.append(and_(C.handler_kind.in_((TOWNSHIP_DISPATCH, VILLAGE_ROLE)), C.township_id == g.township_id))
        elif g.role == Role.TOWNSHIP_DISCIPLINE:
            clauses.append(and_(C.handler_kind == TOWNSHIP_DISCIPLINE, C.handler_township_id == g.township_id))
    return and_(_any(clauses), C.moderation == "clear", not_about(actor))


def recategorise(actor: authz.Actor) -> ColumnElement[bool]:
    return or_(handle(actor), transfer(actor))


def inbox(actor: authz.Actor) -> ColumnElement[bool]:
    """What lands on the actor's desk: routed to them, copied to them, or waiting for their moderation."""
    return or_(handle(actor), copy(actor), moderate(actor))


def read(actor: authz.Actor) -> ColumnElement[bool]:
    """Any officer's reading access: handling, copy, moderation, monitoring, or re-routing."""
    return or_(handle(actor), copy(actor), moderate(actor), monitor(actor), transfer(actor))


RULES = {
    "complaint.handle": handle,
    "complaint.copy": copy,
    "complaint.moderate": moderate,
    "complaint.monitor": monitor,
    "complaint.inbox": inbox,
    "complaint.read": read,
    "complaint.transfer": transfer,
    "complaint.recategorise": recategorise,
    "complaint.photo_moderate": moderators,
}


def register_rules() -> None:
    """The complaint scopes, registered with authz by the app factory (create_app), once, explicitly."""
    for action, clause in RULES.items():
        authz.register_rule(action, clause)
