"""What villagers read: published disclosures of their village, newest first."""

from __future__ import annotations

from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import ROLE_LABELS, Disclosure, DisclosureVersion, Role, RoleAssignment, VersionStatus


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
        .options(selectinload(Disclosure.item_type), selectinload(Disclosure.published_version))
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


APPROVER_OFFICE = ROLE_LABELS[Role.SUPERVISION_MEMBER]  # 村务监督委员会成员: who approves (publishes)


class PublicVersion:
    """A published version as villagers read it, with who approved it: the supervision committee
    member's office and name on their term of office (the 审核 line of a village notice board)."""

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
            names = _approver_names(self._row.village_id, published)
            self._versions = [PublicVersion(v, names.get(v.id, APPROVER_OFFICE)) for v in published]
        return self._versions

    @property
    def published_version(self) -> PublicVersion | None:
        return next((v for v in self.versions if v.id == self._row.published_version_id), None)


def _approver_names(village_id: int, versions: list[DisclosureVersion]) -> dict[int, str]:
    """{version id: "村务监督委员会成员 <name>"} from the approver's term in the village that ran when
    they approved (one query for all versions)."""
    reviewers = {v.reviewed_by_user_id for v in versions if v.reviewed_by_user_id is not None}
    if not reviewers:
        return {}
    terms = db.session.scalars(
        select(RoleAssignment).where(
            RoleAssignment.user_id.in_(reviewers),
            RoleAssignment.role == Role.SUPERVISION_MEMBER.value,
            RoleAssignment.village_id == village_id,
        )
    ).all()
    names = {}
    for version in versions:
        moment = version.reviewed_at or version.published_at
        term = next(
            (
                t
                for t in terms
                if t.user_id == version.reviewed_by_user_id
                and t.holder_name
                and (moment is None or t.is_active_at(moment))
            ),
            None,
        )
        if term is not None:
            names[version.id] = f"{APPROVER_OFFICE} {term.holder_name}"
    return names


def public_view(disclosure: Disclosure) -> PublicDisclosure:
    return PublicDisclosure(disclosure)
