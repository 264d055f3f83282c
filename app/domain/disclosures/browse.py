"""What villagers read: published disclosures of their village, newest first, each marked read or not
for the household at the door (from reach: the household's first view of each)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Disclosure, DisclosureVersion, DisclosureView, Household, VersionStatus

# Who approved (审核) a published version, as villagers read it: the committee, and the member's name
# from the roster when it has one. The committee's members are elected officers acting in office.
COMMITTEE = "村务监督委员会"


def approver_label(version: DisclosureVersion) -> str | None:
    if version.reviewed_by_user_id is None:
        return None
    return f"{COMMITTEE}成员 {version.reviewer_name}" if version.reviewer_name else COMMITTEE


def published(
    village_id: int, *, category: str | None = None, period: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[list[Disclosure], int]:
    where = [Disclosure.village_id == village_id, Disclosure.published_version_id.is_not(None)]
    if category:
        where.append(Disclosure.category == category)
    if period:
        where.append(Disclosure.period == period)
    total = db.session.scalar(select(func.count()).select_from(Disclosure).where(*where)) or 0
    items = db.session.scalars(
        select(Disclosure)
        .join(DisclosureVersion, DisclosureVersion.id == Disclosure.published_version_id)
        .options(
            selectinload(Disclosure.item_type),
            selectinload(Disclosure.published_version),
        )
        .where(*where)
        .order_by(DisclosureVersion.published_at.desc(), Disclosure.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(items), total


def published_one(village_id: int, disclosure_id: int) -> Disclosure | None:
    return db.session.scalar(
        select(Disclosure)
        .options(selectinload(Disclosure.versions))
        .where(
            Disclosure.id == disclosure_id,
            Disclosure.village_id == village_id,
            Disclosure.published_version_id.is_not(None),
        )
    )


class PublicVersion:
    """A published version as villagers read it, with who approved it (the 审核 line of a village
    notice board: the committee and the member's name as it stood when they approved)."""

    __slots__ = ("_row", "approved_by")

    def __init__(self, version: DisclosureVersion, approved_by: str) -> None:
        self._row = version
        self.approved_by = approved_by

    # Any: it stands in for the DisclosureVersion row, so it answers whatever attribute the row has.
    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


class PublicDisclosure:
    """A published disclosure as villagers read it: its history shows the published versions only
    (never a draft, a returned version or one under review), each with its approver."""

    __slots__ = ("_row", "_versions")

    def __init__(self, disclosure: Disclosure) -> None:
        self._row = disclosure
        self._versions: list[PublicVersion] | None = None

    # Any: it stands in for the Disclosure row, so it answers whatever attribute the row has.
    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)

    @property
    def versions(self) -> list[PublicVersion]:
        if self._versions is None:
            published = [v for v in self._row.versions if v.status == VersionStatus.PUBLISHED]
            self._versions = [PublicVersion(v, approver_label(v) or COMMITTEE) for v in published]
        return self._versions

    @property
    def published_version(self) -> PublicVersion | None:
        return next((v for v in self.versions if v.id == self._row.published_version_id), None)


def public_view(disclosure: Disclosure) -> PublicDisclosure:
    return PublicDisclosure(disclosure)


class HouseholdListing:
    """A published disclosure in a household's list: the disclosure, and whether this household has
    opened it (unread ones are marked on the phone)."""

    __slots__ = ("_row", "read")

    def __init__(self, disclosure: Disclosure, read: bool) -> None:
        self._row = disclosure
        self.read = read

    def __getattr__(self, name: str) -> Any:
        return getattr(self._row, name)


def marked_for(household: Household, disclosures: list[Disclosure]) -> list[HouseholdListing]:
    """The disclosures with the household's read marks, in one query."""
    ids = [d.id for d in disclosures]
    opened = (
        set(
            db.session.scalars(
                select(DisclosureView.disclosure_id).where(
                    DisclosureView.household_id == household.id, DisclosureView.disclosure_id.in_(ids)
                )
            )
        )
        if ids
        else set()
    )
    return [HouseholdListing(d, d.id in opened) for d in disclosures]
