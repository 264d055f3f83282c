"""What anyone but its asker may know of a public question (质询): the question and its answer, its
moderation and its status, never who asked it nor from which household. An allow-list
(app/domain/projection.py), like the officers' view of a case. The officers who answer also see the
name the asker chose to give (实名), and the asker sees it with what the question is about."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from app.domain.disclosures.questions import status_of
from app.domain.projection import AllowList
from app.models import Question

FIELDS = frozenset(
    {
        "id",
        "disclosure_id",
        "village_id",
        "body",
        "asked_at",
        "due_at",
        "answer",
        "answered_at",
        "moderation",
        "moderation_note",
        "moderated_at",
        "escalation_level",
    }
)


class ShownQuestion(AllowList):
    __slots__ = ("status",)
    _row: Question  # the slot AllowList declares, holding the question here
    _fields = FIELDS
    _audience = "what others may know of a question"

    def __init__(self, question: Question, now: datetime) -> None:
        super().__init__(question)
        object.__setattr__(self, "status", status_of(question, now))  # open | overdue | answered | held | rejected

    @property
    def held_for_review(self) -> bool:
        return self._row.moderation == "held"


def project(question: Question, now: datetime) -> ShownQuestion:
    return ShownQuestion(question, now)


def project_all(questions: Iterable[Question], now: datetime) -> list[ShownQuestion]:
    return [ShownQuestion(q, now) for q in questions]


class OfficerQuestion(ShownQuestion):
    """The village's and township's officers: the question, and the asker's name when they gave it."""

    __slots__ = ()
    _fields = FIELDS | {"asker_name"}
    _audience = "what officers know of a question"


@dataclass(frozen=True)
class AskedAbout:
    """The disclosure a question was asked on, as the asker finds it again."""

    id: int
    title: str
    category: str
    period: str


class AskerQuestion(OfficerQuestion):
    """The asker's own question (我的质询): all the officers see, and the disclosure it is about."""

    __slots__ = ()
    _audience = "what the asker sees of their question"

    @property
    def disclosure(self) -> AskedAbout:
        d = self._row.disclosure
        current = d.published_version
        return AskedAbout(id=d.id, title=current.title if current else "", category=d.category, period=d.period)


def for_officer(question: Question, now: datetime) -> OfficerQuestion:
    return OfficerQuestion(question, now)


def for_officers(questions: Iterable[Question], now: datetime) -> list[OfficerQuestion]:
    return [OfficerQuestion(q, now) for q in questions]


def for_asker(question: Question, now: datetime) -> AskerQuestion:
    return AskerQuestion(question, now)


def for_asker_all(questions: Iterable[Question], now: datetime) -> list[AskerQuestion]:
    return [AskerQuestion(q, now) for q in questions]
