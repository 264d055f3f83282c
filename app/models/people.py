"""People: WeChat users, console accounts, roles with scope and term of office, sessions, invitations."""

from __future__ import annotations

import enum
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from app.clock import utcnow
from app.models.base import Base
from app.models.territory import County, Grid, Household, Township, Village


class Level(enum.StrEnum):
    """How far a role reaches down the territory tree."""

    HOUSEHOLD = "household"
    VILLAGE = "village"
    TOWNSHIP = "township"
    COUNTY = "county"


class Role(enum.StrEnum):
    VILLAGER = "villager"  # 村民, bound to a household
    VILLAGE_SECRETARY = "village_secretary"  # 村党组织书记
    VILLAGE_DIRECTOR = "village_director"  # 村委会主任 (often the same person: 一肩挑)
    VILLAGE_COMMITTEE_MEMBER = "village_committee_member"  # 委员
    VILLAGE_BOOKKEEPER = "village_bookkeeper"  # 报账员
    GRID_WORKER = "grid_worker"  # 网格员
    SUPERVISION_MEMBER = "supervision_member"  # 村务监督委员会 / 民主理财小组 member
    SUPERVISION_LIAISON = "supervision_liaison"  # 监察工作联络站 站长 / 联络员
    TOWNSHIP_DISCIPLINE = "township_discipline"  # 镇纪委 / 监察办
    TOWNSHIP_ASSETS = "township_assets"  # 三资中心
    TOWNSHIP_DISPATCHER = "township_dispatcher"  # 基层治理四平台 command room
    TOWNSHIP_LEADER = "township_leader"  # 镇/街道 leader
    COUNTY_STAFF = "county_staff"  # 区/县 纪委监委

    @property
    def level(self) -> Level:
        return ROLE_LEVELS[self]

    @property
    def label(self) -> str:
        return ROLE_LABELS[self]


ROLE_LEVELS: dict[Role, Level] = {
    Role.VILLAGER: Level.HOUSEHOLD,
    Role.VILLAGE_SECRETARY: Level.VILLAGE,
    Role.VILLAGE_DIRECTOR: Level.VILLAGE,
    Role.VILLAGE_COMMITTEE_MEMBER: Level.VILLAGE,
    Role.VILLAGE_BOOKKEEPER: Level.VILLAGE,
    Role.GRID_WORKER: Level.VILLAGE,
    Role.SUPERVISION_MEMBER: Level.VILLAGE,
    Role.SUPERVISION_LIAISON: Level.VILLAGE,
    Role.TOWNSHIP_DISCIPLINE: Level.TOWNSHIP,
    Role.TOWNSHIP_ASSETS: Level.TOWNSHIP,
    Role.TOWNSHIP_DISPATCHER: Level.TOWNSHIP,
    Role.TOWNSHIP_LEADER: Level.TOWNSHIP,
    Role.COUNTY_STAFF: Level.COUNTY,
}

ROLE_LABELS: dict[Role, str] = {
    Role.VILLAGER: "村民",
    Role.VILLAGE_SECRETARY: "村党组织书记",
    Role.VILLAGE_DIRECTOR: "村委会主任",
    Role.VILLAGE_COMMITTEE_MEMBER: "村委委员",
    Role.VILLAGE_BOOKKEEPER: "报账员",
    Role.GRID_WORKER: "网格员",
    Role.SUPERVISION_MEMBER: "村务监督委员会成员",
    Role.SUPERVISION_LIAISON: "监察工作联络员",
    Role.TOWNSHIP_DISCIPLINE: "镇纪委",
    Role.TOWNSHIP_ASSETS: "三资中心",
    Role.TOWNSHIP_DISPATCHER: "四平台调度员",
    Role.TOWNSHIP_LEADER: "镇领导",
    Role.COUNTY_STAFF: "县纪委监委",
}

VILLAGE_CADRE_ROLES = frozenset(
    {
        Role.VILLAGE_SECRETARY,
        Role.VILLAGE_DIRECTOR,
        Role.VILLAGE_COMMITTEE_MEMBER,
        Role.VILLAGE_BOOKKEEPER,
        Role.GRID_WORKER,
    }
)


class WxUser(Base):
    """One row per WeChat identity (openid of our mini-program)."""

    __tablename__ = "wx_user"

    id: Mapped[int] = mapped_column(primary_key=True)
    openid: Mapped[str] = mapped_column(String(64), unique=True)
    unionid: Mapped[str | None] = mapped_column(String(64), index=True)
    # Server-side only: never serialised, never sent to the client.
    session_key: Mapped[str | None] = mapped_column(String(64))
    display_name: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class ConsoleAccount(Base):
    """Township and county staff who work in the web console with a password."""

    __tablename__ = "console_account"

    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)  # stored lower-case
    display_name: Mapped[str] = mapped_column(String(64))
    password_hash: Mapped[str] = mapped_column(String(256))
    is_active: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_login_at: Mapped[datetime | None]


class RoleAssignment(Base):
    """A role held by one person over one piece of territory for a term of office.

    History is kept: a term is ended (ends_at set), never deleted or overwritten. The whole scope
    chain (county → township → village) is stored so that scope filters are plain column tests.
    """

    __tablename__ = "role_assignment"
    __table_args__ = (
        CheckConstraint("(user_id IS NULL) <> (console_account_id IS NULL)", name="one_holder"),
        Index("ix_role_assignment_village_role", "village_id", "role"),
    )

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"), index=True)
    console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"), index=True)
    role: Mapped[str] = mapped_column(String(32))
    holder_name: Mapped[str | None] = mapped_column(String(64))  # the person's real name, for rosters
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    household_id: Mapped[int | None] = mapped_column(ForeignKey("household.id"), index=True)
    starts_at: Mapped[datetime] = mapped_column(default=utcnow)
    ends_at: Mapped[datetime | None]
    end_reason: Mapped[str | None] = mapped_column(String(200))
    # Who ended the term from the console (app.domain.grants decides who may); None when a term ends
    # by itself (a villager moving household) or from the operator's shell.
    ended_by_console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    user: Mapped[WxUser | None] = relationship()
    console_account: Mapped[ConsoleAccount | None] = relationship(foreign_keys=[console_account_id])
    county: Mapped[County] = relationship()
    township: Mapped[Township | None] = relationship()
    village: Mapped[Village | None] = relationship()
    grid: Mapped[Grid | None] = relationship()
    household: Mapped[Household | None] = relationship()

    def is_active_at(self, moment: datetime) -> bool:
        return self.starts_at <= moment and (self.ends_at is None or self.ends_at > moment)


class AuthSession(Base):
    """The project's own opaque session token; only its SHA-256 is stored."""

    __tablename__ = "auth_session"
    __table_args__ = (CheckConstraint("(user_id IS NULL) <> (console_account_id IS NULL)", name="one_holder"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"), index=True)
    console_account_id: Mapped[int | None] = mapped_column(ForeignKey("console_account.id"), index=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)
    revoked_at: Mapped[datetime | None]

    user: Mapped[WxUser | None] = relationship()
    console_account: Mapped[ConsoleAccount | None] = relationship()


class Invitation(Base):
    """A one-time QR invitation with which a cadre binds their WeChat identity to a role."""

    __tablename__ = "invitation"

    id: Mapped[int] = mapped_column(primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    role: Mapped[str] = mapped_column(String(32))
    holder_name: Mapped[str] = mapped_column(String(64))
    county_id: Mapped[int] = mapped_column(ForeignKey("county.id"))
    township_id: Mapped[int | None] = mapped_column(ForeignKey("township.id"), index=True)
    village_id: Mapped[int | None] = mapped_column(ForeignKey("village.id"))
    grid_id: Mapped[int | None] = mapped_column(ForeignKey("grid.id"))
    created_by_account_id: Mapped[int] = mapped_column(ForeignKey("console_account.id"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    accepted_at: Mapped[datetime | None]
    accepted_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("wx_user.id"))
    role_assignment_id: Mapped[int | None] = mapped_column(ForeignKey("role_assignment.id"))
    revoked_at: Mapped[datetime | None]

    village: Mapped[Village | None] = relationship()
    township: Mapped[Township | None] = relationship()
