"""The outbox of WeChat subscribe messages (订阅消息): one row per (case event, person) for complaints,
one per (answered question, person) for public questions on disclosures (质询)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from app.clock import utcnow
from app.models.base import Base

# pending → sending → sent | no_credit | failed | unknown; sending → pending only after a failure that
# proves nothing reached WeChat (it could not be reached), at most MAX_ATTEMPTS times in all.
NOTIFICATION_STATES = ("pending", "sending", "sent", "no_credit", "failed", "unknown")


class Notification(Base):
    """One subscribe message owed to one WeChat user for one step of a case, or for the answer to
    their question on a disclosure (exactly one of complaint_id / question_id).

    Unique per (event, recipient) and per (question, recipient): created at most once per event, and
    once for a question's answer (a question is answered once). Sent at most once: a worker claims
    the row (pending → sending, conditional on the attempt it was enqueued for) and commits the claim
    before calling WeChat, so a second worker finds nothing to claim, and a worker that dies mid-send
    leaves 'sending', which the sweep turns into 'unknown' — never into a second send.
    """

    __tablename__ = "complaint_notification"
    __table_args__ = (
        UniqueConstraint("event_id", "recipient_user_id"),
        UniqueConstraint("question_id", "recipient_user_id"),
        Index("ix_complaint_notification_state_due", "state", "next_attempt_at"),
        CheckConstraint(f"state IN ({', '.join(repr(s) for s in NOTIFICATION_STATES)})", name="state"),
        CheckConstraint(
            "(complaint_id IS NOT NULL AND event_id IS NOT NULL AND question_id IS NULL)"
            " OR (complaint_id IS NULL AND event_id IS NULL AND question_id IS NOT NULL)",
            name="subject",
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)
    event_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_event.id"))
    question_id: Mapped[int | None] = mapped_column(ForeignKey("disclosure_question.id"))
    recipient_user_id: Mapped[int] = mapped_column(ForeignKey("wx_user.id"), index=True)
    template_key: Mapped[str] = mapped_column(String(32))  # e.g. case_progress; the id comes from config
    data: Mapped[dict[str, str]] = mapped_column(JSON)  # {field: value}, already cut to WeChat's limits
    page: Mapped[str] = mapped_column(String(128))  # the mini-program page the message opens
    state: Mapped[str] = mapped_column(String(16), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)  # sends tried (claims)
    next_attempt_at: Mapped[datetime | None]  # pending: when the next attempt is due
    claimed_at: Mapped[datetime | None]  # when the last attempt started
    finished_at: Mapped[datetime | None]
    last_error: Mapped[str | None] = mapped_column(String(200))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
