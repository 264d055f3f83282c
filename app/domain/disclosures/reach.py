"""Reach: which households opened what. Settles "we published" against "we never saw it"."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.extensions import db
from app.models import Disclosure, DisclosureView, Household


def record_view(disclosure: Disclosure, household: Household) -> bool:
    """Count a household once per disclosure, however often it opens it. True when new."""
    if household.village_id != disclosure.village_id:
        return False  # reach is measured within the disclosing village only
    seen = db.session.scalar(select(DisclosureView.id).where(
        DisclosureView.disclosure_id == disclosure.id, DisclosureView.household_id == household.id))
    if seen:
        return False
    try:
        with db.session.begin_nested():  # two phones of one household racing: the unique key decides
            db.session.add(DisclosureView(disclosure_id=disclosure.id, household_id=household.id,
                                          village_id=household.village_id))
        return True
    except IntegrityError:
        return False


def households_in(village_id: int) -> int:
    return db.session.scalar(select(func.count()).select_from(Household).where(Household.village_id == village_id))


def reach_of(disclosures: list[Disclosure]) -> dict[int, int]:
    """{disclosure_id: households reached} in one query."""
    if not disclosures:
        return {}
    rows = db.session.execute(
        select(DisclosureView.disclosure_id, func.count())
        .where(DisclosureView.disclosure_id.in_([d.id for d in disclosures]))
        .group_by(DisclosureView.disclosure_id)).all()
    counts = dict(rows)
    return {d.id: counts.get(d.id, 0) for d in disclosures}


def village_summary(village_id: int) -> dict:
    """Households that opened at least one disclosure, out of all households of the village."""
    reached = db.session.scalar(select(func.count(func.distinct(DisclosureView.household_id)))
                                .where(DisclosureView.village_id == village_id))
    return {"households_reached": reached, "households_total": households_in(village_id)}
