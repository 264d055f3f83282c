"""Housekeeping of login sessions."""

from __future__ import annotations

from datetime import timedelta
from typing import Any, cast

from sqlalchemy import CursorResult, delete

from app.clock import utcnow
from app.extensions import db
from app.jobs import in_app_context
from app.models import AuthSession

# Expired or revoked sessions are kept this long for the audit trail, then dropped.
KEEP_FOR = timedelta(days=30)


@in_app_context
def purge_stale_sessions() -> int:
    """Delete sessions that ended more than KEEP_FOR ago. Idempotent: a rerun finds nothing."""
    cutoff = utcnow() - KEEP_FOR
    # A bulk DELETE runs on a cursor (rowcount); Session.execute is typed for any statement.
    result = cast(
        CursorResult[Any],
        db.session.execute(
            delete(AuthSession).where(
                (AuthSession.expires_at < cutoff)
                | (AuthSession.revoked_at.is_not(None) & (AuthSession.revoked_at < cutoff))
            )
        ),
    )
    db.session.commit()
    return result.rowcount
