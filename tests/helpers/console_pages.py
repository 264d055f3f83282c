"""What the tests of the console's rules and sticker pages share: a deadline-policy form as the page
posts it, and households put in one grid of a village."""

from __future__ import annotations

from sqlalchemy import select

from app.extensions import db
from app.models import Grid, Household, Village
from tests import factories as f

# The service lane's clock as the 规则 page's form sends it (sign 2 working days, handle 5).
POLICY_FORM = {
    "sign_amount": "2",
    "sign_unit": "working_days",
    "handle_amount": "5",
    "handle_unit": "working_days",
    "follow_up_amount": "7",
    "follow_up_unit": "working_days",
    "remind_working_days": "1",
    "escalate_working_days": "5",
}


def households_in_grid(village: Village, grid_number: int, count: int) -> list[Household]:
    """`count` new households of `village` in its grid `grid_number`, committed."""
    grid = db.session.scalar(select(Grid).where(Grid.village_id == village.id, Grid.number == grid_number))
    homes = [f.household(village) for _ in range(count)]
    for home in homes:
        home.grid_id = grid.id
    db.session.commit()
    return homes
