"""住户与门牌码 · 干部邀请: invite a cadre to a role with a one-time QR code (scanned in the mini-program,
it binds their WeChat identity to the role), and follow the invitations to the rosters the viewer may
read. Who may invite whom is the grant matrix (app.domain.grants), checked by the API's own
roles.create_invitation; the QR is shown once (only the token's hash is kept)."""

from __future__ import annotations

import base64

from flask import current_app, make_response, render_template, request
from sqlalchemy import select
from sqlalchemy.orm import selectinload

import qr
from app.api.schemas.roles import InvitationIn
from app.clock import utcnow
from app.console import bp
from app.console.actions import act, in_sight
from app.console.pages import form_input, page, viewer
from app.domain import authz, roles
from app.errors import AppError
from app.extensions import db
from app.models import ConsoleAccount, Grid, Invitation, Level, Role, Township, Village

INVITATION_STATES = {"pending": "待扫码", "accepted": "已绑定", "expired": "已过期", "revoked": "已撤销"}


def _page(*, status: int = 200, error: AppError | None = None, created: dict | None = None):
    actor, now = viewer(), utcnow()
    offered = roles.grantable_roles(actor)
    villages = in_sight("village.read", Village, Village.township_id, Village.code)
    townships = in_sight("township.read", Township, Township.code)
    grids = list(
        db.session.scalars(
            select(Grid).where(Grid.village_id.in_([v.id for v in villages])).order_by(Grid.village_id, Grid.number)
        )
    )
    invitations = list(
        db.session.scalars(
            select(Invitation)
            .options(selectinload(Invitation.village), selectinload(Invitation.township))
            .where(authz.scoped(actor, "role.read", Invitation))
            .order_by(Invitation.id.desc())
            .limit(50)
        )
    )
    inviters = dict(
        db.session.execute(
            select(ConsoleAccount.id, ConsoleAccount.display_name).where(
                ConsoleAccount.id.in_({i.created_by_account_id for i in invitations})
            )
        ).all()
    )
    html = render_template(
        "console/invitations.html",
        village_roles=[r for r in offered if r.level is Level.VILLAGE],
        township_roles=[r for r in offered if r.level is Level.TOWNSHIP],
        villages=villages,
        townships=townships,
        grids=grids,
        invitations=[(i, roles.invitation_state(i, now)) for i in invitations],
        inviters=inviters,
        states=INVITATION_STATES,
        role_labels={role.value: role.label for role in Role},
        error=error,
        form=request.form if error else {},
        created=created,
        ttl_days=current_app.config["INVITATION_TTL_SECONDS"] // 86400,
    )
    return make_response(html, status)


@bp.get("/invitations")
@page
def invitations():
    return _page()


@bp.post("/invitations")
@page
def create_invitation():
    """生成邀请二维码 (the API's POST /invitations: roles.create_invitation, the grant matrix)."""

    def do() -> tuple[Invitation, str]:
        body = form_input(InvitationIn())
        role = Role(body["role"])
        place = {"village_id": body.get("village_id"), "grid_id": body.get("grid_id")}
        if role.level is Level.TOWNSHIP:
            place = {"township_id": body.get("township_id")}
        return roles.create_invitation(
            viewer(),
            role=role,
            holder_name=body["holder_name"],
            ttl_seconds=current_app.config["INVITATION_TTL_SECONDS"],
            **place,
        )

    def shown_once(made: tuple[Invitation, str]):
        invitation, token = made
        url = roles.invitation_url(current_app.config["PUBLIC_BASE_URL"], token)
        image = "data:image/png;base64," + base64.b64encode(qr.render_png(url)).decode("ascii")
        return _page(status=201, created={"invitation": invitation, "url": url, "qr": image})

    return act(do, then=shown_once, failed=lambda exc: _page(status=exc.status, error=exc))
