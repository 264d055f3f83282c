"""What villagers read: published disclosures of their village, newest first."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import selectinload

from app.extensions import db
from app.models import Disclosure, DisclosureVersion


def published(village_id: int, *, category: str | None = None, period: str | None = None,
              page: int = 1, per_page: int = 20) -> tuple[list[Disclosure], int]:
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
        .limit(per_page).offset((page - 1) * per_page)
    ).all()
    return list(items), total


def published_one(village_id: int, disclosure_id: int) -> Disclosure | None:
    return db.session.scalar(select(Disclosure).options(selectinload(Disclosure.versions)).where(
        Disclosure.id == disclosure_id, Disclosure.village_id == village_id,
        Disclosure.published_version_id.is_not(None)))
