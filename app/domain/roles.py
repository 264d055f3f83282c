"""Roles and terms of office: assign, end, and bind a cadre's WeChat identity by invitation.

Terms are never overwritten: ending one sets ends_at; a new term is a new row.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import TypeVar, cast

from sqlalchemy import select, update
from sqlalchemy.engine import CursorResult

from app.clock import utcnow
from app.domain import authz, grants
from app.domain.auth import hash_token, new_token
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import (
    ConsoleAccount,
    Grid,
    Household,
    Invitation,
    Level,
    Role,
    RoleAssignment,
    Township,
    Village,
    WxUser,
)

_Unit = TypeVar("_Unit", Township, Village, Grid)


def grantable_roles(actor: authz.Actor) -> list[Role]:
    """The roles the actor may invite to somewhere (app.domain.grants.MATRIX), in the roles' order."""
    wanted = {target for g in actor.grants for target in grants.MATRIX[g.role]}
    return [role for role in Role if role in wanted]


def invitation_url(public_base_url: str, token: str) -> str:
    """What an invitation's QR encodes: the mini-program maps this URL prefix (scan ordinary link →
    page) to its invitation page."""
    return f"{public_base_url}/i/{token}"


def invitation_state(invitation: Invitation, now: datetime) -> str:
    """pending | accepted | revoked | expired"""
    if invitation.accepted_at is not None:
        return "accepted"
    if invitation.revoked_at is not None:
        return "revoked"
    return "expired" if invitation.expires_at <= now else "pending"


def _scope_chain(
    role: Role,
    *,
    township: Township | None = None,
    village: Village | None = None,
    grid: Grid | None = None,
    household: Household | None = None,
) -> dict[str, int | None]:
    """The full county → … chain for a role held over a unit, checked against the role's level."""
    level = role.level
    if level is Level.HOUSEHOLD:
        if household is None:
            raise AppError("scope_required", "村民身份须绑定到具体户", kind="unprocessable")
        village = household.village
        grid = household.grid
    if level in (Level.HOUSEHOLD, Level.VILLAGE):
        if village is None:
            raise AppError(
                "scope_required", "村级角色须指定所在村", kind="unprocessable", fields={"village_id": ["必填"]}
            )
        if grid is not None and grid.village_id != village.id:
            raise AppError(
                "grid_mismatch", "网格不属于该村", kind="unprocessable", fields={"grid_id": ["网格不属于该村"]}
            )
        township = village.township
    if level is Level.TOWNSHIP and township is None:
        raise AppError(
            "scope_required", "镇级角色须指定所在镇（街道）", kind="unprocessable", fields={"township_id": ["必填"]}
        )
    if level is Level.COUNTY:
        raise AppError("county_role_not_invitable", "县级账号由县里统一开通", kind="unprocessable")
    assert township is not None  # required above, or taken from the village
    return {
        "county_id": township.county_id,
        "township_id": township.id,
        "village_id": village.id if village is not None and level in (Level.HOUSEHOLD, Level.VILLAGE) else None,
        "grid_id": grid.id if grid is not None and level in (Level.HOUSEHOLD, Level.VILLAGE) else None,
        "household_id": household.id if household is not None and level is Level.HOUSEHOLD else None,
    }


def assign(
    role: Role,
    *,
    user: WxUser | None = None,
    account: ConsoleAccount | None = None,
    holder_name: str | None = None,
    county_id: int | None = None,
    township: Township | None = None,
    village: Village | None = None,
    grid: Grid | None = None,
    household: Household | None = None,
) -> RoleAssignment:
    """Start a term. County roles name their county directly; all others derive it from the unit."""
    if role.level is Level.COUNTY:
        if county_id is None:
            raise AppError("scope_required", "县级角色须指定县", kind="unprocessable")
        chain: dict[str, int | None] = {
            "county_id": county_id,
            "township_id": None,
            "village_id": None,
            "grid_id": None,
            "household_id": None,
        }
    else:
        chain = _scope_chain(role, township=township, village=village, grid=grid, household=household)
    assignment = RoleAssignment(
        role=role.value,
        user_id=user.id if user else None,
        console_account_id=account.id if account else None,
        holder_name=holder_name,
        starts_at=utcnow(),
        **chain,
    )
    db.session.add(assignment)
    db.session.flush()
    return assignment


def end_term(actor: authz.Actor, assignment_id: int, reason: str) -> RoleAssignment:
    """End a term, as the grant matrix allows (app.domain.grants). A term the actor may not even read
    looks absent; one on their roster that is not theirs to end is refused."""
    assignment: RoleAssignment = authz.get_or_404(actor, "role.read", RoleAssignment, assignment_id)
    grants.require_may_end(actor, assignment)
    if assignment.ends_at is not None:
        raise AppError("term_already_ended", "该任期已结束", kind="conflict")
    assignment.ends_at = utcnow()
    assignment.end_reason = reason
    assignment.ended_by_console_account_id = actor.id
    return assignment


def create_invitation(
    actor: authz.Actor,
    *,
    role: Role,
    holder_name: str,
    ttl_seconds: int,
    township_id: int | None = None,
    village_id: int | None = None,
    grid_id: int | None = None,
) -> tuple[Invitation, str]:
    """Staff invite someone to a role the grant matrix lets them give (app.domain.grants); returns the
    invitation and its one-time token (shown once)."""
    if role is Role.VILLAGER:
        raise AppError(
            "role_not_invitable",
            "村民通过扫描门牌二维码绑定，无需邀请",
            kind="unprocessable",
            fields={"role": ["村民无需邀请"]},
        )
    if actor.kind != "console":
        raise AppError("forbidden", "只有镇（街道）或县工作人员可以发出邀请", kind="forbidden")
    grants.require_role_grantable(actor.grants, role)
    village = _get_or_404(Village, village_id)
    township = _get_or_404(Township, township_id)
    # The place is checked against the caller's reach before the grid, so nothing is learnt about
    # the grids of villages outside it.
    grants.require_may_invite(actor.grants, role, _scope_chain(role, township=township, village=village))
    grid = _get_or_404(Grid, grid_id)
    chain = _scope_chain(role, township=township, village=village, grid=grid)
    token, digest = new_token()
    invitation = Invitation(
        token_hash=digest,
        role=role.value,
        holder_name=holder_name,
        created_by_account_id=actor.id,
        expires_at=utcnow() + timedelta(seconds=ttl_seconds),
        **{k: v for k, v in chain.items() if k != "household_id"},
    )
    db.session.add(invitation)
    db.session.flush()
    return invitation, token


def _get_or_404(model: type[_Unit], object_id: int | None) -> _Unit | None:
    if object_id is None:
        return None
    obj = db.session.get(model, object_id)
    if obj is None:
        raise NotFound()
    return obj


def _inviter_held_the_power(invitation: Invitation, moment: datetime) -> bool:
    held = authz.load_grants(console_account_id=invitation.created_by_account_id, moment=moment)
    return grants.reaches(held, Role(invitation.role), grants.place_of(invitation))


def _inviter_still_may(invitation: Invitation, moment: datetime) -> bool:
    """The grant is the inviter's: it holds only while they still hold a seat that may give it."""
    account = db.session.get(ConsoleAccount, invitation.created_by_account_id)
    return account is not None and account.is_active and _inviter_held_the_power(invitation, moment)


def terms_granted_without_power(moment: datetime | None = None) -> list[tuple[RoleAssignment, Invitation]]:
    """Running terms bound by an invitation whose inviter could not give that role there when inviting
    (invitations accepted before the grant matrix existed): for the operator to review and end."""
    rows = db.session.execute(
        select(RoleAssignment, Invitation)
        .join(Invitation, Invitation.role_assignment_id == RoleAssignment.id)
        .where(authz.term_running(moment))
        .order_by(RoleAssignment.id)
    ).all()
    return [
        (term, invitation)
        for term, invitation in rows
        if not _inviter_held_the_power(invitation, invitation.created_at)
    ]


def end_from_the_shell(terms: list[RoleAssignment], reason: str) -> None:
    """The operator ends terms from the server's shell (no console account ends them)."""
    now = utcnow()
    for term in terms:
        term.ends_at = now
        term.end_reason = reason


def accept_invitation(user: WxUser, token: str) -> RoleAssignment:
    """A cadre scans the invitation QR in the mini-program: bind their WeChat identity to the role.

    The row is claimed with a conditional UPDATE so two scans of the same QR cannot both win.
    """
    invitation = db.session.scalar(select(Invitation).where(Invitation.token_hash == hash_token(token)))
    now = utcnow()
    if invitation is None or invitation.revoked_at is not None:
        raise AppError("invitation_invalid", "邀请码无效，请联系镇（街道）工作人员重新生成", kind="not_found")
    if invitation.accepted_at is not None:
        raise AppError("invitation_used", "该邀请码已被使用", kind="conflict")
    if invitation.expires_at <= now:
        raise AppError("invitation_expired", "邀请码已过期，请联系镇（街道）工作人员重新生成", kind="gone")
    if not _inviter_still_may(invitation, now):
        raise AppError(
            "invitation_invalid",
            "发出邀请的工作人员已无权任命该职务，邀请码失效，请联系有权任命的部门重新生成",
            kind="not_found",
        )
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
    claimed = cast(
        CursorResult[()],
        db.session.execute(
            update(Invitation)
            .where(Invitation.id == invitation.id, Invitation.accepted_at.is_(None))
            .values(accepted_at=now, accepted_by_user_id=user.id)
            .execution_options(synchronize_session=False)
        ),
    ).rowcount
    if claimed != 1:
        raise AppError("invitation_used", "该邀请码已被使用", kind="conflict")
    assignment = RoleAssignment(
        role=invitation.role,
        user_id=user.id,
        holder_name=invitation.holder_name,
        county_id=invitation.county_id,
        township_id=invitation.township_id,
        village_id=invitation.village_id,
        grid_id=invitation.grid_id,
        starts_at=now,
    )
    db.session.add(assignment)
    db.session.flush()
    db.session.expire(invitation)
    invitation.role_assignment_id = assignment.id
    return assignment


def bind_villager(user: WxUser, household: Household) -> tuple[RoleAssignment, bool]:
    """A villager scans their own door: bind them to that household. Physical access to the door
    sticker is the proof (一户一码). A person belongs to one household at a time, so a running
    binding to another household ends. Returns (the running term, whether it is new)."""
    running = db.session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.user_id == user.id, RoleAssignment.role == Role.VILLAGER.value, authz.term_running()
        )
    ).all()
    for term in running:
        if term.household_id == household.id:
            return term, False
    now = utcnow()
    for term in running:
        term.ends_at = now
        term.end_reason = "绑定到其他住户"
    return assign(Role.VILLAGER, user=user, household=household), True
