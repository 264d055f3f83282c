"""Complaints (监督一点通): routing rules, cases, and each case's history of events."""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, Index, String, Text, UniqueConstraint, and_, case, or_, text
from sqlalchemy.ext.hybrid import hybrid_property
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base
from app.models.territory import Household, Village

if TYPE_CHECKING:  # the relationship names its target by string: no import at run time
    from app.models.complaint_photos import ComplaintPhoto


class RoutingRule(Base):
    """(township or one village, category) → who receives the complaint. Rules are never deleted or
    edited: a change deactivates the live rule and adds a new one, so the history stays readable."""

    __tablename__ = "complaint_routing_rule"
    __table_args__ = (
        # At most one live rule per (township, village or township-wide, category).
        Index(
            "uq_complaint_routing_rule_live",
            "township_id",
            "village_id",
            "category",
            unique=True,
            postgresql_where=text("deactivated_at IS NULL"),
            sqlite_where=text("deactivated_at IS NULL"),
        ),
        CheckConstraint("target IN ('village_role', 'township_dispatch', 'township_discipline')", name="target_kind"),
        CheckConstraint("(target = 'village_role') = (target_role IS NOT NULL)", name="role_iff_village_role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))  # None: township-wide
    category: Mapped[str] = mapped_column(String(32))
    target: Mapped[str] = mapped_column(String(32))
    target_role: Mapped[str | None] = mapped_column(String(32))  # for target = village_role
    copy_liaison: Mapped[bool] = mapped_column(default=False)  # the village supervision liaison is copied
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    created_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    deactivated_at: Mapped[datetime | None]
    deactivated_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))


class Complaint(Base):
    """One case. `status` is the public state; who holds the case is `handler_*` (the office, never a
    person: whoever holds the role at the time works it)."""

    __tablename__ = "complaint"
    __table_args__ = (
        UniqueConstraint("filed_by_user_id", "client_request_id"),  # a replayed filing is one case
        Index("ix_complaint_handler", "handler_kind", "handler_township_id", "handler_village_id"),
        # The sweep reads only what is due: its cost follows the number due, not the number open.
        Index(
            "ix_complaint_next_check",
            "next_check_at",
            postgresql_where=text("next_check_at IS NOT NULL"),
            sqlite_where=text("next_check_at IS NOT NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    reference: Mapped[str] = mapped_column(String(24), unique=True)  # shown to people: TS-20260302-K7QX
    client_request_id: Mapped[str] = mapped_column(String(64))
    # where it comes from
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    filed_by_user_id: Mapped[int] = mapped_column(ForeignKey("wx_user.id"), index=True)
    anonymous: Mapped[bool] = mapped_column(default=False)
    contact_name: Mapped[str | None] = mapped_column(String(32))  # real-name cases only
    contact_phone: Mapped[str | None] = mapped_column(String(20))
    # what
    category: Mapped[str] = mapped_column(String(32))
    lane: Mapped[str] = mapped_column(String(16))  # discipline | service
    description: Mapped[str] = mapped_column(Text)
    latitude: Mapped[float | None]
    longitude: Mapped[float | None]
    # about whom (conflict of interest): the role named; its holders at filing are ComplaintSubjects
    about_role: Mapped[str | None] = mapped_column(String(32))
    about_level: Mapped[str | None] = mapped_column(String(16))  # village | township
    # state
    status: Mapped[str] = mapped_column(String(16), index=True)
    moderation: Mapped[str] = mapped_column(String(16), default="clear")  # clear | held | rejected
    resolution: Mapped[str | None] = mapped_column(String(16))  # solved | not_confirmed | rejected | merged
    merged_into_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"))
    reopen_count: Mapped[int] = mapped_column(default=0)
    version: Mapped[int] = mapped_column(default=1)  # every transition is `UPDATE ... WHERE version = seen`
    # who holds it
    handler_kind: Mapped[str | None] = mapped_column(
        String(32)
    )  # village_role | township_dispatch | township_discipline | county
    handler_role: Mapped[str | None] = mapped_column(String(32))
    handler_village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    # A grid-scoped role's grid (the grid worker of the household's own grid); None: the whole village.
    handler_grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    handler_township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"))
    handler_county_id: Mapped[int | None] = mapped_column(ForeignKey("county.id"))
    copy_liaison: Mapped[bool] = mapped_column(default=False)
    routing_rule_id: Mapped[int | None] = mapped_column(ForeignKey("complaint_routing_rule.id"))
    routing_fallback: Mapped[bool] = mapped_column(default=False)  # no live target: caught by the township
    # times
    filed_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    assigned_at: Mapped[datetime | None]
    signed_at: Mapped[datetime | None]
    replied_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]
    # deadlines (app/domain/deadlines): the running clock, recomputed on every transition
    clock_step: Mapped[str | None] = mapped_column(String(16))  # sign | handle | escalated | follow_up | None
    clock_started_at: Mapped[datetime | None]  # when the current office got the case
    due_at: Mapped[datetime | None]
    remind_at: Mapped[datetime | None]
    reminded_at: Mapped[datetime | None]
    next_check_at: Mapped[datetime | None]  # min(remind_at not yet sent, due_at): what the sweep looks at
    escalation_level: Mapped[int] = mapped_column(default=0)  # 0 as routed, +1 per level climbed
    escalated_at: Mapped[datetime | None]
    overdue_since: Mapped[datetime | None]  # the current clock ran out (cleared when a new clock starts)
    was_late: Mapped[bool] = mapped_column(default=False)  # any clock ever ran out
    deadline_outcome: Mapped[str | None] = mapped_column(String(8))  # on_time | late, frozen at closing
    # the villager's rating after closure
    rating: Mapped[int | None]
    rating_comment: Mapped[str | None] = mapped_column(String(200))
    rated_at: Mapped[datetime | None]
    # the village's public list of resolved cases shows this and nothing the villager or the reply said
    public_summary: Mapped[str | None] = mapped_column(String(200))
    public_summary_at: Mapped[datetime | None]
    public_summary_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    public_summary_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))

    village: Mapped[Village] = relationship(foreign_keys=[village_id])
    household: Mapped[Household] = relationship()

    @hybrid_property
    def colour(self) -> str | None:
        """Monitoring colour (预警): red = overdue or escalated and not picked up yet, yellow = being
        handled after that, green = resolved; None = on its normal course. One rule, in Python and SQL."""
        flagged = self.escalation_level > 0 or self.overdue_since is not None
        if self.status == "closed":
            return "green"
        if flagged:
            return "red" if self.status in ("assigned", "returned") else "yellow"
        return None

    @colour.inplace.expression
    @classmethod
    def _colour_expression(cls):
        flagged = or_(cls.escalation_level > 0, cls.overdue_since.is_not(None))
        return case(
            (cls.status == "closed", "green"),
            (and_(flagged, cls.status.in_(("assigned", "returned"))), "red"),
            (flagged, "yellow"),
            else_=None,
        )

    events: Mapped[list[ComplaintEvent]] = relationship(order_by="ComplaintEvent.id", back_populates="complaint")
    # Attached photos in the villager's order; who may see which is app.domain.complaints.photos' business.
    photos: Mapped[list[ComplaintPhoto]] = relationship(
        order_by="[ComplaintPhoto.position, ComplaintPhoto.id]", viewonly=True
    )


class ComplaintSubject(Base):
    """A person the complaint is about: never routed to them, never shown or counted to them."""

    __tablename__ = "complaint_subject"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"), index=True)
    console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"), index=True)


class ComplaintEvent(Base):
    """One step of a case: who (as an office, and the person for the audit), when, what, and the note
    the villager reads (public_note) apart from the note only handlers read (internal_note)."""

    __tablename__ = "complaint_event"

    id: Mapped[int] = mapped_column(primary_key=True)
    complaint_id: Mapped[int] = mapped_column(ForeignKey("complaint.id"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    from_status: Mapped[str | None] = mapped_column(String(16))
    to_status: Mapped[str] = mapped_column(String(16))
    actor_label: Mapped[str] = mapped_column(String(32))  # e.g. 镇纪委, 村委会主任, 村民, 系统
    actor_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    actor_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    public_note: Mapped[str | None] = mapped_column(String(500))
    internal_note: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    complaint: Mapped[Complaint] = relationship(back_populates="events")
