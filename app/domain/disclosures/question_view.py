"""What anyone but its asker may know of a public question (质询): the question and its answer, its
moderation and its status, never who asked it nor from which household. An allow-list like the
officers' view of a case (app/domain/complaints/officer_view.py): an attribute outside it raises
AttributeError, so a schema that asks for more gets nothing."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime
from typing import Any

from app.domain.disclosures.questions import status_of
from app.models import Question

FIELDS = frozenset({"id", "disclosure_id", "village_id", "body", "asked_at", "due_at", "answer", "answered_at",
                    "moderation", "moderation_note", "moderated_at", "escalation_level"})


class ShownQuestion:
    __slots__ = ("_row", "status")

    def __init__(self, question: Question, now: datetime) -> None:
        object.__setattr__(self, "_row", question)
        object.__setattr__(self, "status", status_of(question, now))  # open | overdue | answered | held | rejected

    def __getattr__(self, name: str) -> Any:
        if name in FIELDS:
            return getattr(self._row, name)
        raise AttributeError(f"{name} is not part of what others may know of a question")

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError("a shown question is read-only")

    @property
    def held_for_review(self) -> bool:
        return self._row.moderation == "held"


def project(question: Question, now: datetime) -> ShownQuestion:
    return ShownQuestion(question, now)


def project_all(questions: Iterable[Question], now: datetime) -> list[ShownQuestion]:
    return [ShownQuestion(q, now) for q in questions]
