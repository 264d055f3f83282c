"""Household door codes (一户一码) and printable sticker sheets."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Index, String, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base
from app.models.territory import Household, Village


class HouseholdCode(Base):
    """The code printed on a household's door. Revoked codes are kept (history) and stop working at once;
    at most one code per household is active."""

    __tablename__ = "household_code"
    __table_args__ = (
        Index(
            "uq_household_code_active_household",
            "household_id",
            unique=True,
            postgresql_where=text("revoked_at IS NULL"),
            sqlite_where=text("revoked_at IS NULL"),
        ),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    household_id: Mapped[int] = mapped_column(ForeignKey("household.id"), index=True)
    code: Mapped[str] = mapped_column(String(16), unique=True)  # canonical form, no separators
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None]
    revoke_reason: Mapped[str | None] = mapped_column(String(200))

    household: Mapped[Household] = relationship()


class StickerSheet(Base):
    """A print job for one village's stickers: requested in the console, built by the RQ worker."""

    __tablename__ = "sticker_sheet"

    id: Mapped[int] = mapped_column(primary_key=True)
    requested_by_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    # The chosen households (ids, in print order); frozen when the sheet is requested.
    household_ids: Mapped[list[int]] = mapped_column(JSON)
    layout: Mapped[str] = mapped_column(String(16))
    include_head_name: Mapped[bool] = mapped_column(default=False)
    status: Mapped[str] = mapped_column(String(16), default="queued")  # queued | running | done | failed
    progress_done: Mapped[int] = mapped_column(default=0)
    progress_total: Mapped[int] = mapped_column(default=0)
    pages: Mapped[int | None]
    error_message: Mapped[str | None] = mapped_column(String(300))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None]

    village: Mapped[Village] = relationship()
