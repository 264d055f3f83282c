"""Who someone is, as the API and CLI show it."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import selectinload

from app.domain.authz import Actor, held_by, term_running
from app.extensions import db
from app.models import ConsoleAccount, RoleAssignment, WxUser


def running_roles(*, user_id: int | None = None, console_account_id: int | None = None) -> list[RoleAssignment]:
    return list(
        db.session.scalars(
            select(RoleAssignment)
            .options(selectinload(RoleAssignment.township), selectinload(RoleAssignment.village))
            .where(held_by(user_id, console_account_id), term_running())
            .order_by(RoleAssignment.id)
        )
    )


def describe(
    *, actor: Actor | None = None, user: WxUser | None = None, account: ConsoleAccount | None = None
) -> dict[str, object]:
    if actor is not None:
        if actor.kind == "wx":
            user = db.session.get(WxUser, actor.id)
        else:
            account = db.session.get(ConsoleAccount, actor.id)
    if user is not None:
        return {"kind": "wx", "id": user.id, "display_name": user.display_name, "roles": running_roles(user_id=user.id)}
    assert account is not None
    return {
        "kind": "console",
        "id": account.id,
        "display_name": account.display_name,
        "roles": running_roles(console_account_id=account.id),
    }
