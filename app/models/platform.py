"""The township's external four-platform system (基层治理四平台): its configuration, and the outbox of
case deliveries to it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base
from app.models.complaints import Complaint


class PlatformConfig(Base):
    """Where a township's four-platform system listens and the secret both sides sign with.

    Never edited in place: a change replaces the live row (replaced_at set) with a new one, so who
    changed what and when stays readable. The secret is kept only on the live row (a retired secret
    has no business being stored) and is never shown by the API: only whether one is set and when it
    last changed."""

    __tablename__ = "platform_config"
    __table_args__ = (
        Index(
            "uq_platform_config_live",
            "township_id",
            unique=True,
            postgresql_where=text("replaced_at IS NULL"),
            sqlite_where=text("replaced_at IS NULL"),
        ),
        # The live row, when enabled, has somewhere to send to and a secret to sign with.
        CheckConstraint(
            "replaced_at IS NOT NULL OR NOT enabled OR (endpoint_url IS NOT NULL AND secret IS NOT NULL)",
            name="enabled_is_complete",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    endpoint_url: Mapped[str | None] = mapped_column(String(500))
    secret: Mapped[str | None] = mapped_column(String(128))
    secret_changed_at: Mapped[datetime | None]
    enabled: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    replaced_at: Mapped[datetime | None]


class PlatformDelivery(Base):
    """One case handed to the township's platform: an outbox row written in the same transaction as
    the case change, then sent by an RQ job (the minute sweep is the guarantee).

    Its state is the delivery's, apart from the case's: pending → sent → acknowledged, or failed
    with a reason (the case then stays in the township's own inbox). The body is frozen at creation
    so every retry sends the same bytes under the same idempotency key."""

    __tablename__ = "platform_delivery"
    __table_args__ = (
        CheckConstraint("state IN ('pending', 'sent', 'acknowledged', 'failed')", name="state_known"),
        Index("ix_platform_delivery_due", "state", "next_attempt_at"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    key: Mapped[str] = mapped_column(String(32), unique=True)  # Idempotency-Key: random, stable over retries
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    event_id: Mapped[int] = mapped_column(ForeignKey("complaint_event.id"))
    event_kind: Mapped[str] = mapped_column(String(24))  # filed | released | returned | redispatched | reopened
    body: Mapped[str] = mapped_column(Text)  # the JSON sent, byte for byte on every attempt
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    # pending: when the next attempt is due (while an attempt runs, the end of its lease)
    next_attempt_at: Mapped[datetime | None]
    last_attempt_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(300))
    failure_code: Mapped[str | None] = mapped_column(String(24))  # rejected | exhausted | superseded | disabled
    failure_reason: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    sent_at: Mapped[datetime | None]
    acknowledged_at: Mapped[datetime | None]
    failed_at: Mapped[datetime | None]

    complaint: Mapped[Complaint] = relationship()
