"""What a door code opens of its village's disclosures, for anyone holding it (no login): the one rule
behind the API (`/api/v1/h/<code>/disclosures…`) and the villager's web page (`/h/<code>/d/…`)."""

from __future__ import annotations

from app.clock import utcnow
from app.domain import household_codes
from app.domain.disclosures import browse, question_view, questions, reach
from app.errors import NotFound
from app.models import Disclosure, Household


def listing(
    code: str, *, category: str | None = None, period: str | None = None, page: int = 1, per_page: int = 20
) -> tuple[Household, list[Disclosure], int]:
    """The door's household, its village's published disclosures (newest first) and how many there are."""
    household = household_codes.resolve_or_void(code)
    items, total = browse.published(
        household.village_id, category=category, period=period, page=page, per_page=per_page
    )
    return household, items, total


def opened(code: str, disclosure_id: int) -> tuple[Household, browse.PublicDisclosure]:
    """A published disclosure of the door's village, as villagers read it; the household's first
    opening counts in its reach. Another village's, or an unpublished one, is not found."""
    household = household_codes.resolve_or_void(code)
    disclosure = browse.published_one(household.village_id, disclosure_id)
    if disclosure is None:
        raise NotFound()
    reach.record_view(disclosure, household)
    return household, browse.public_view(disclosure)


def shown_questions(code: str, disclosure_id: int) -> list[question_view.ShownQuestion]:
    """The public questions on a published disclosure of the door's village, without their askers."""
    household = household_codes.resolve_or_void(code)
    if browse.published_one(household.village_id, disclosure_id) is None:
        raise NotFound()
    return questions_of(disclosure_id)


def questions_of(disclosure_id: int) -> list[question_view.ShownQuestion]:
    """For a disclosure already opened from a door (`opened`)."""
    return question_view.project_all(questions.public_questions(disclosure_id), utcnow())
