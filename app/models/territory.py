"""Territory: county (区/县) → township (镇/街道) → village (村/社区) → grid (网格) → household (户)."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from sqlalchemy import ForeignKey, Numeric, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base


class County(Base):
    __tablename__ = "county"

    id: Mapped[int] = mapped_column(primary_key=True)
    # Administrative division code (统计用区划代码), 6 digits for a county.
    code: Mapped[str] = mapped_column(String(12), unique=True)
    name: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    townships: Mapped[list[Township]] = relationship(back_populates="county", order_by="Township.code")


class Township(Base):
    __tablename__ = "township"

    id: Mapped[int] = mapped_column(primary_key=True)
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 9 digits
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(8), default="town")  # town 镇 | street 街道
    # Printed on stickers: the township discipline office's supervision phone.
    supervision_phone: Mapped[str | None] = mapped_column(String(32))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    county: Mapped[County] = relationship(back_populates="townships")
    villages: Mapped[list[Village]] = relationship(back_populates="township", order_by="Village.code")


class Village(Base):
    __tablename__ = "village"

    id: Mapped[int] = mapped_column(primary_key=True)
    township_id: Mapped[int] = mapped_column(ForeignKey("township.id"), index=True)
    code: Mapped[str] = mapped_column(String(12), unique=True)  # 12 digits
    name: Mapped[str] = mapped_column(String(64))
    kind: Mapped[str] = mapped_column(String(12), default="village")  # village 村 | community 社区
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # Bumped in the transaction that changes what villagers see of the village at the door (a
    # disclosure published): copies of the door-code landing are kept per revision.
    public_revision: Mapped[int] = mapped_column(default=0, server_default="0")

    township: Mapped[Township] = relationship(back_populates="villages")
    grids: Mapped[list[Grid]] = relationship(back_populates="village", order_by="Grid.number")


class Grid(Base):
    __tablename__ = "grid"
    __table_args__ = (UniqueConstraint("village_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    number: Mapped[int]  # 1, 2, 3 … within the village
    name: Mapped[str] = mapped_column(String(64))  # e.g. 第一网格
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    village: Mapped[Village] = relationship(back_populates="grids")


class Household(Base):
    __tablename__ = "household"
    __table_args__ = (UniqueConstraint("village_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    village_id: Mapped[int] = mapped_column(ForeignKey("village.id"), index=True)
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"), index=True)
    # Household number as registered by the village (户号), unique within it.
    number: Mapped[str] = mapped_column(String(32))
    address: Mapped[str] = mapped_column(String(200))
    head_name: Mapped[str] = mapped_column(String(64))  # 户主
    latitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    longitude: Mapped[Decimal | None] = mapped_column(Numeric(9, 6))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    village: Mapped[Village] = relationship()
    grid: Mapped[Grid | None] = relationship()
