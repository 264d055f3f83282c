"""What a village's officers work on: its disclosures at every stage (drafts, under review,
published). The views check the caller's "disclosure.monitor" reach over the village."""

from __future__ import annotations

from sqlalchemy import ColumnElement, exists, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Disclosure, DisclosureVersion, VersionStatus

S = VersionStatus

# stage → the version statuses that put a disclosure in it. A disclosure may sit in two stages at
# once: published, with a correction being drafted.
STAGES: dict[str, tuple[str, ...]] = {
    "drafting": (S.DRAFT.value, S.RETURNED.value),  # the cadres' turn (草稿、被退回)
    "in_review": (S.IN_REVIEW.value,),  # the supervision committee's turn (待审核)
    "published": (S.PUBLISHED.value,),
}


def _in_stage(stage: str) -> ColumnElement[bool]:
    return exists().where(DisclosureVersion.disclosure_id == Disclosure.id, DisclosureVersion.status.in_(STAGES[stage]))


def village_disclosures(
    village_id: int,
    *,
    category: str | None = None,
    period: str | None = None,
    stage: str | None = None,
    page: int = 1,
    per_page: int = 50,
) -> list[Disclosure]:
    """Newest first. The caller has checked the village is within its reach."""
    where: list[ColumnElement[bool]] = [Disclosure.village_id == village_id]
    if category:
        where.append(Disclosure.category == category)
    if period:
        where.append(Disclosure.period == period)
    if stage:
        where.append(_in_stage(stage))
    return list(
        db.session.scalars(
            select(Disclosure)
            .options(
                selectinload(Disclosure.versions).selectinload(DisclosureVersion.attachments),
                selectinload(Disclosure.item_type),
                selectinload(Disclosure.published_version).selectinload(DisclosureVersion.attachments),
            )
            .where(*where)
            .order_by(Disclosure.created_at.desc(), Disclosure.id.desc())
            .limit(per_page)
            .offset((page - 1) * per_page)
        )
    )
