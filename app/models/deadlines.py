"""Deadline policies (时限) per township and lane, and the escalation record of disclosure questions."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base
from app.models.people import ConsoleAccount

UNITS = ("working_days", "days", "hours")


class DeadlinePolicy(Base):
    """(township, lane) → the clocks of a case. Never edited or deleted: a change deactivates the live
    policy and adds a new one, so the history says which rules a late case was held to."""

    __tablename__ = "deadline_policy"
    __table_args__ = (
        Index(
            "uq_deadline_policy_live",
            "township_id",
            "lane",
            unique=True,
            postgresql_where=text("deactivated_at IS NULL"),
            sqlite_where=text("deactivated_at IS NULL"),
        ),
        *(
            CheckConstraint(f"{clock}_unit IN {UNITS}", name=f"{clock}_unit_known")
            for clock in ("sign", "handle", "follow_up")
        ),
        CheckConstraint("sign_amount > 0 AND handle_amount > 0 AND follow_up_amount > 0", name="amounts_positive"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    lane: Mapped[str] = mapped_column(String(16))  # discipline | service
    sign_amount: Mapped[int]  # 签收
    sign_unit: Mapped[str] = mapped_column(String(16))
    handle_amount: Mapped[int]  # 办理 (from assignment to reply)
    handle_unit: Mapped[str] = mapped_column(String(16))
    follow_up_amount: Mapped[int]  # the villager's time to confirm a reply (回访)
    follow_up_unit: Mapped[str] = mapped_column(String(16))
    remind_working_days: Mapped[int]  # reminder this long before a due time
    escalate_working_days: Mapped[int]  # after escalating, this long more → one level up again
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    deactivated_at: Mapped[datetime | None]
    deactivated_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    # who set it and who replaced it: the policy history is the audit of every change
    created_by: Mapped[ConsoleAccount | None] = relationship(
        foreign_keys=[created_by_console_account_id], lazy="selectin", viewonly=True
    )
    deactivated_by: Mapped[ConsoleAccount | None] = relationship(
        foreign_keys=[deactivated_by_console_account_id], lazy="selectin", viewonly=True
    )


class QuestionEscalation(Base):
    """A disclosure question left unanswered past its due time, raised one level (1 township,
    2 county). Unique per level: however many jobs race, a question escalates to a level once."""

    __tablename__ = "question_escalation"
    __table_args__ = (UniqueConstraint("question_id", "level"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    question_id: Mapped[int] = mapped_column(ForeignKey("disclosure_question.id"), index=True)
    level: Mapped[int]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
