"""Complaint photos: uploaded before filing, cleaned, and held until WeChat's image check answers.

A photo's `status`:
    pending  — stored, waiting for WeChat's asynchronous image check (mediaCheckAsync v2);
    review   — WeChat asked for a person to look (or never answered): held for township moderation;
    cleared  — shown to the offices that may read the complaint;
    refused  — risky: never shown to anyone, its file deleted (the row stays for the record).
Each request to WeChat is a ComplaintPhotoCheck: its trace_id is how the pushed verdict finds the photo.
"""

from __future__ import annotations

from datetime import datetime
from typing import TYPE_CHECKING

from sqlalchemy import CheckConstraint, ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base

if TYPE_CHECKING:
    from app.models.complaints import Complaint

PHOTO_STATUSES = ("pending", "review", "cleared", "refused")


class ComplaintPhoto(Base):
    __tablename__ = "complaint_photo"
    __table_args__ = (CheckConstraint("status IN ('pending', 'review', 'cleared', 'refused')", name="status_known"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    uploaded_by_user_id: Mapped[int] = mapped_column(ForeignKey("wx_user.id"), index=True)
    complaint_id: Mapped[int | None] = mapped_column(ForeignKey("complaint.id"), index=True)  # None until filed
    position: Mapped[int | None]  # order within the complaint, as the villager chose
    status: Mapped[str] = mapped_column(String(16), default="pending", index=True)
    media_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int]
    height: Mapped[int]
    size: Mapped[int]  # bytes of the cleaned image
    sha256: Mapped[str] = mapped_column(String(64))
    # The file's name under the photo folder: random, unrelated to the id or the fetch token.
    storage_key: Mapped[str] = mapped_column(String(32), unique=True)
    # The capability in the URL WeChat fetches the image from; cleared once WeChat has answered.
    fetch_token: Mapped[str | None] = mapped_column(String(64), unique=True)
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow, index=True)
    # Asking WeChat: how many times, and when the sweeper should ask (again) if no verdict came.
    check_attempts: Mapped[int] = mapped_column(default=0)
    next_check_at: Mapped[datetime | None] = mapped_column(index=True)
    review_reason: Mapped[str | None] = mapped_column(String(16))  # wechat | no_answer
    decided_at: Mapped[datetime | None]  # when the status left pending/review
    decided_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))

    complaint: Mapped[Complaint | None] = relationship(viewonly=True)


class ComplaintPhotoCheck(Base):
    """One mediaCheckAsync request and, once pushed, WeChat's verdict on it."""

    __tablename__ = "complaint_photo_check"

    id: Mapped[int] = mapped_column(primary_key=True)
    photo_id: Mapped[int] = mapped_column(ForeignKey("complaint_photo.id"), index=True)
    trace_id: Mapped[str] = mapped_column(String(64), unique=True)
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    answered_at: Mapped[datetime | None]
    suggest: Mapped[str | None] = mapped_column(String(16))  # pass | review | risky
    label: Mapped[int | None]
