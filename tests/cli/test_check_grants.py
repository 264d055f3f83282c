"""`flask roles check-grants [--end]`: terms bound before the grant matrix by invitations their
inviter could not give (issue 12 item 2: the 三资中心's 镇纪委) are found and ended; lawful ones stay.
`flask roles end`: the shell ends the terms nobody may end through the API (county staff)."""

from __future__ import annotations

import secrets
from datetime import timedelta

from sqlalchemy import select

from app.clock import utcnow
from app.domain import roles
from app.domain.auth import hash_token
from app.extensions import db
from app.models import Invitation, Role, RoleAssignment
from tests import factories as f


def _accepted_invitation(inviter, role: Role, *, township=None, village=None, identity: str) -> RoleAssignment:
    """An invitation as the old code let anyone on the township staff make it, accepted by a WeChat user."""
    where = village.township if village else township
    invitation = Invitation(
        token_hash=hash_token(secrets.token_urlsafe(24)),
        role=role.value,
        holder_name="受邀人",
        county_id=where.county_id,
        township_id=where.id,
        village_id=village.id if village else None,
        created_by_account_id=inviter.id,
        expires_at=utcnow() + timedelta(days=7),
    )
    db.session.add(invitation)
    db.session.flush()
    term = roles.assign(role, user=f.wx_user(identity), holder_name="受邀人", township=township, village=village)
    invitation.accepted_at, invitation.role_assignment_id = utcnow(), term.id
    return term


def test_check_grants_finds_and_ends_only_the_terms_given_without_the_power(app, runner, client):
    village = f.village()
    town = village.township
    sanzi = f.township_staff(Role.TOWNSHIP_ASSETS, town)
    leader = f.township_staff(Role.TOWNSHIP_LEADER, town)
    fake_jiwei = _accepted_invitation(sanzi, Role.TOWNSHIP_DISCIPLINE, township=town, identity="fake-jiwei")
    lawful = _accepted_invitation(leader, Role.VILLAGE_SECRETARY, village=village, identity="real-secretary")
    db.session.commit()
    token = f.login_wx(client, "fake-jiwei")
    assert client.get("/api/v1/me", headers=f.bearer(token)).get_json()["roles"][0]["role"] == "township_discipline"

    listed = runner.invoke(args=["roles", "check-grants"])
    assert listed.exit_code == 1, listed.output
    assert f"任期 {fake_jiwei.id}" in listed.output and sanzi.username in listed.output
    assert f"任期 {lawful.id}" not in listed.output

    ended = runner.invoke(args=["roles", "check-grants", "--end"])
    assert ended.exit_code == 0 and "已结束 1 个任期" in ended.output
    db.session.expire_all()
    assert db.session.get(RoleAssignment, fake_jiwei.id).ends_at is not None
    assert db.session.get(RoleAssignment, lawful.id).ends_at is None
    assert client.get("/api/v1/me", headers=f.bearer(token)).get_json()["roles"] == []

    again = runner.invoke(args=["roles", "check-grants"])
    assert again.exit_code == 0 and "✓" in again.output


def test_the_shell_ends_a_county_staff_term(runner):
    county_account = f.county_staff(f.county())
    db.session.commit()
    term = db.session.scalars(
        select(RoleAssignment).where(RoleAssignment.console_account_id == county_account.id)
    ).one()
    result = runner.invoke(args=["roles", "end", str(term.id), "--reason", "退休"])
    assert result.exit_code == 0, result.output
    db.session.expire_all()
    ended = db.session.get(RoleAssignment, term.id)
    assert ended.ends_at is not None and ended.end_reason == "退休"
    again = runner.invoke(args=["roles", "end", str(term.id), "--reason", "退休"])
    assert again.exit_code == 1 and "没有在任的任期" in again.output
