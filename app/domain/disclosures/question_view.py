"""What anyone but its asker may know of a public question (质询): the question and its answer, its
moderation and its status, never who asked it nor from which household. An allow-list
(app/domain/projection.py), like the officers' view of a case."""

from __future__ import annotations

from collections.abc import Iterable
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
