"""What the filing form offers, from the one place each rule lives: the categories grouped by lane,
the roles a complaint may be about, and the length of a description. The mini-program asks the
server rather than carrying its own copy, which would go stale with every change here (a mini-program
release waits for WeChat's review)."""

from __future__ import annotations

from app.domain.complaints.cases import ABOUT_ROLES
from app.domain.complaints.categories import CATEGORIES, DISCIPLINE, SERVICE
from app.models import Role

# A description is at least a sentence and at most about a page.
DESCRIPTION_MIN = 5
DESCRIPTION_MAX = 1000

# How the form names each lane to villagers.
LANE_NAMES = {DISCIPLINE: "村务和干部监督", SERVICE: "生活服务和求助"}


def filing_options() -> dict[str, object]:
    return {
        "lanes": [
            {
                "key": lane,
                "name": LANE_NAMES[lane],
                "categories": [{"key": c.key, "name": c.name} for c in CATEGORIES.values() if c.lane == lane],
            }
            for lane in (DISCIPLINE, SERVICE)
        ],
        # in the enum's order: village roles first, then the township's
        "about_roles": [{"role": r.value, "label": r.label, "level": r.level.value} for r in Role if r in ABOUT_ROLES],
        "description_min": DESCRIPTION_MIN,
        "description_max": DESCRIPTION_MAX,
    }
