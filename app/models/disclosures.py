"""Three-affairs disclosures (三务公开: 党务 party, 村务 village, 财务 finance).

A disclosure is one item for one period in one village. Its content lives in versions: a version is
drafted by a cadre, reviewed by the village supervision committee (村监会 / 民主理财小组), and once
published never changes; a correction is a new version with a public reason. Every published version
is appended to a hash chain (AuditEntry) so that any later tampering is detectable.
"""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base
from app.models.territory import Township, Village


class Category(enum.StrEnum):
    PARTY = "party"  # 党务
    VILLAGE = "village"  # 村务
    FINANCE = "finance"  # 财务


class Frequency(enum.StrEnum):
    MONTHLY = "monthly"  # finance where transactions are frequent
    QUARTERLY = "quarterly"  # due by the 20th of the quarter's first month
    IMMEDIATE = "immediate"  # matters over ¥50,000 and one-off events


class VersionStatus(enum.StrEnum):
    DRAFT = "draft"
    IN_REVIEW = "in_review"
    RETURNED = "returned"
    PUBLISHED = "published"


class ItemType(Base):
    """One entry of a township's disclosure catalogue (村务公开目录)."""

    __tablename__ = "disclosure_item_type"
    __table_args__ = (UniqueConstraint("township_id", "key"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    key: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(16))
    frequency: Mapped[str] = mapped_column(String(16))
    legal_basis: Mapped[str | None] = mapped_column(String(200))
    active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    township: Mapped[Township] = relationship()


class Disclosure(Base):
    __tablename__ = "disclosure"
    __table_args__ = (UniqueConstraint("village_id", "item_type_id", "period"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    item_type_id: Mapped[int] = mapped_column(ForeignKey("disclosure_item_type.id"))
    category: Mapped[str] = mapped_column(String(16))
    # "2026-03" (monthly), "2026-Q1" (quarterly) or "2026-03-15" (immediate: the event's date)
    period: Mapped[str] = mapped_column(String(16))
    created_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # First publication; what the statutory calendar measures. Null until then.
    first_published_at: Mapped[datetime | None] = mapped_column(index=True)
    # The newest published version (what villagers read), kept here so browsing is one join.
    published_version_id: Mapped[int | None] = mapped_column(
        ForeignKey("disclosure_version.id", use_alter=True, name="fk_disclosure_published_version")
    )

    village: Mapped[Village] = relationship()
    item_type: Mapped[ItemType] = relationship()
    versions: Mapped[list[DisclosureVersion]] = relationship(
        back_populates="disclosure", foreign_keys="DisclosureVersion.disclosure_id", order_by="DisclosureVersion.number"
    )
    published_version: Mapped[DisclosureVersion | None] = relationship(foreign_keys=[published_version_id])


class DisclosureVersion(Base):
    __tablename__ = "disclosure_version"
    __table_args__ = (UniqueConstraint("disclosure_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    number: Mapped[int]
    status: Mapped[str] = mapped_column(String(16), default=VersionStatus.DRAFT.value)
    title: Mapped[str] = mapped_column(String(120))
    body: Mapped[str] = mapped_column(Text)
    # Finance: [{"label": "...", "income_fen": int, "expense_fen": int}], money in integer fen.
    line_items: Mapped[list | None] = mapped_column(JSON)
    correction_reason: Mapped[str | None] = mapped_column(String(300))  # public, for versions after the first
    drafted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    submitted_at: Mapped[datetime | None]
    reviewed_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    # The reviewing committee member's name from their term of office (the roster's holder_name), as
    # it was when they decided: a published version shows who approved it (审核人).
    reviewer_name: Mapped[str | None] = mapped_column(String(64))
    review_comment: Mapped[str | None] = mapped_column(String(500))
    reviewed_at: Mapped[datetime | None]
    published_at: Mapped[datetime | None]
    content_hash: Mapped[str | None] = mapped_column(String(64))
    # What the committee last returned (title, body, line_items, attachment_ids, comment): edits are
    # made in place, so this is what a re-review compares against. Null until a first return.
    returned_content: Mapped[dict | None] = mapped_column(JSON)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    disclosure: Mapped[Disclosure] = relationship(back_populates="versions", foreign_keys=[disclosure_id])
    attachments: Mapped[list[Attachment]] = relationship(order_by="Attachment.id")


class AuditEntry(Base):
    """The hash chain over published versions: entry_hash = sha256(prev_hash | content_hash | ids)."""

    __tablename__ = "audit_entry"

    id: Mapped[int] = mapped_column(primary_key=True)  # chain position
    version_id: Mapped[int] = mapped_column(ForeignKey("disclosure_version.id"), unique=True)
    content_hash: Mapped[str] = mapped_column(String(64))
    prev_hash: Mapped[str] = mapped_column(String(64), unique=True)  # a fork would reuse a prev_hash
    entry_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class DisclosureView(Base):
    """Reach: the first time a household opened a disclosure. One row per household and disclosure."""

    __tablename__ = "disclosure_view"
    __table_args__ = (UniqueConstraint("disclosure_id", "household_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"))
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    first_viewed_at: Mapped[datetime] = mapped_column(default=utcnow)


class Attachment(Base):
    """A file attached to a disclosure version (images re-encoded; stored by content hash)."""

    __tablename__ = "disclosure_attachment"

    id: Mapped[int] = mapped_column(primary_key=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("disclosure_version.id"), index=True)
    filename: Mapped[str] = mapped_column(String(120))  # shown to people; never used as a path
    media_type: Mapped[str] = mapped_column(String(40))
    size: Mapped[int]
    sha256: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class Question(Base):
    """A villager's public question on a disclosure (质询). The village must answer within the reply
    period (20 days by default, Ningbo rule). Questions and answers are public to the village; the
    asker's identity is not."""

    __tablename__ = "disclosure_question"

    id: Mapped[int] = mapped_column(primary_key=True)
    disclosure_id: Mapped[int] = mapped_column(ForeignKey("disclosure.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"))
    asked_by_user_id: Mapped[int] = mapped_column(ForeignKey("wx_user.id"), index=True)
    # 实名: the name the asker chose to give (none: anonymous). Shown to the asker and to the officers
    # who answer, never on the village's public list.
    asker_name: Mapped[str | None] = mapped_column(String(20))
    body: Mapped[str] = mapped_column(String(500))
    # visible | held (WeChat's content check asked for review: not shown until a person clears it)
    # | rejected (township moderation refused it: never shown; the reason is kept for the record)
    moderation: Mapped[str] = mapped_column(String(16), default="visible")
    moderated_at: Mapped[datetime | None]
    moderated_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    moderation_note: Mapped[str | None] = mapped_column(String(500))
    asked_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime] = mapped_column(index=True)
    answer: Mapped[str | None] = mapped_column(Text)
    answered_at: Mapped[datetime | None]
    answered_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    # escalation when unanswered (same machinery as complaints): 1 township, 2 county
    escalation_level: Mapped[int] = mapped_column(default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)

    disclosure: Mapped[Disclosure] = relationship()
