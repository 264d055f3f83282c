"""Reach: which households opened what. Settles "we published" against "we never saw it"."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from app.domain import authz
from app.extensions import db
from app.models import Disclosure, DisclosureView, Household


def record_view(disclosure: Disclosure, household: Household) -> bool:
    """Count a household once per disclosure, however often it opens it. True when new."""
    if household.village_id != disclosure.village_id:
        return False  # reach is measured within the disclosing village only
    seen = db.session.scalar(
        select(DisclosureView.id).where(
            DisclosureView.disclosure_id == disclosure.id, DisclosureView.household_id == household.id
        )
    )
    if seen:
        return False
    try:
        with db.session.begin_nested():  # two phones of one household racing: the unique key decides
            db.session.add(
                DisclosureView(disclosure_id=disclosure.id, household_id=household.id, village_id=household.village_id)
            )
        return True
    except IntegrityError:
        return False


def record_first_views(disclosure: Disclosure, views: Sequence[tuple[Household, datetime]]) -> int:
    """Many households' first openings at once, each at its own instant (the demo county's past,
    app.seed): record_view's rule — the disclosing village only, once per household — with one read
    and one insert. Returns how many were new."""
    seen = set(
        db.session.scalars(select(DisclosureView.household_id).where(DisclosureView.disclosure_id == disclosure.id))
    )
    new = []
    for household, moment in views:
        if household.village_id == disclosure.village_id and household.id not in seen:
            seen.add(household.id)
            new.append(
                DisclosureView(
                    disclosure_id=disclosure.id,
                    household_id=household.id,
                    village_id=household.village_id,
                    first_viewed_at=moment,
                )
            )
    db.session.add_all(new)
    db.session.flush()
    return len(new)


def households_in(actor: authz.Actor, village_id: int) -> int:
    return authz.count(actor, "household.read", Household, Household.village_id == village_id)


def reach_of(actor: authz.Actor, disclosures: Sequence[Disclosure]) -> dict[int, int]:
    """{disclosure_id: households reached} in one query."""
    if not disclosures:
        return {}
    counts = authz.count_by(
        actor,
        "household.read",
        DisclosureView,
        DisclosureView.disclosure_id,
        DisclosureView.disclosure_id.in_([d.id for d in disclosures]),
    )
    return {d.id: counts.get(d.id, 0) for d in disclosures}


def village_summary(actor: authz.Actor, village_id: int) -> dict[str, int]:
    """Households that opened at least one disclosure, out of all households of the village."""
    reached = (
        db.session.scalar(
            select(func.count(func.distinct(DisclosureView.household_id))).where(
                authz.scoped(actor, "household.read", DisclosureView), DisclosureView.village_id == village_id
            )
        )
        or 0
    )
    return {"households_reached": reached, "households_total": households_in(actor, village_id)}
