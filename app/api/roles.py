"""Role rosters with history, cadre invitations and ending terms of office."""

from __future__ import annotations

import base64

from flask import current_app
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import qr
from app.api import bp
from app.api.endpoint import current_actor, endpoint
from app.api.schemas.roles import EndTermIn, InvitationIn, InvitationOut, RoleOut, RosterQueryIn
from app.domain import authz, roles
from app.extensions import db
from app.models import Role, RoleAssignment, Village


@bp.get("/villages/<int:village_id>/roles")
@endpoint(
    tags=["cadre", "township", "county"],
    summary="村干部与监督人员名册（含历任）",
    query=RosterQueryIn(),
    response=RoleOut(many=True),
)
def village_roster(village_id: int, query):
    actor = current_actor()
    authz.get_or_404(actor, "village.read", Village, village_id)
    where = [
        RoleAssignment.village_id == village_id,
        RoleAssignment.role != Role.VILLAGER.value,
        authz.scoped(actor, "role.read", RoleAssignment),
    ]
    if not query["include_ended"]:
        where.append(authz.term_running())
    return db.session.scalars(
        select(RoleAssignment)
        .options(selectinload(RoleAssignment.township), selectinload(RoleAssignment.village))
        .where(*where)
        .order_by(RoleAssignment.role, RoleAssignment.starts_at)
    ).all()


@bp.post("/invitations")
@endpoint(
    tags=["township", "county"],
    summary="生成一次性邀请二维码，供村干部绑定微信身份",
    description="谁可任命哪个职务见 app/domain/grants.py 的任免表（README「任免权限」）。",
    auth="console",
    body=InvitationIn(),
    response=InvitationOut(),
    status=201,
    errors=["scope_required", "role_not_invitable", "role_not_grantable", "not_found"],
)
def create_invitation(body):
    invitation, token = roles.create_invitation(
        current_actor(),
        role=Role(body["role"]),
        holder_name=body["holder_name"],
        township_id=body.get("township_id"),
        village_id=body.get("village_id"),
        grid_id=body.get("grid_id"),
        ttl_seconds=current_app.config["INVITATION_TTL_SECONDS"],
    )
    url = roles.invitation_url(current_app.config["PUBLIC_BASE_URL"], token)
    return {
        "id": invitation.id,
        "role": invitation.role,
        "holder_name": invitation.holder_name,
        "township_id": invitation.township_id,
        "village_id": invitation.village_id,
        "expires_at": invitation.expires_at,
        "token": token,
        "url": url,
        "qr_png_base64": base64.b64encode(qr.render_png(url)).decode("ascii"),
    }


@bp.post("/roles/<int:assignment_id>/end")
@endpoint(
    tags=["township", "county"],
    summary="结束任期（保留历史，不删除）",
    auth="console",
    description="只有可任命该职务的岗位可以结束其任期，且不能结束本人的任期（app/domain/grants.py）。",
    body=EndTermIn(),
    response=RoleOut(),
    errors=["term_already_ended", "term_not_endable", "own_term"],
)
def end_term(assignment_id: int, body):
    return roles.end_term(current_actor(), assignment_id, body["reason"])
