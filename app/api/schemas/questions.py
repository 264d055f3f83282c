"""Public questions on a disclosure and their moderation."""
from __future__ import annotations

from marshmallow import Schema, fields

from app.api.schemas.common import _text, In, ShanghaiDateTime
from app.domain.disclosures.questions import status_of as question_status


class QuestionIn(In):
    body = _text(500, multiline=True, required=True)


class AnswerIn(In):
    answer = _text(2000, multiline=True, required=True)


class QuestionOut(Schema):
    """Public to the village: no asker, no household."""

    id = fields.Integer()
    disclosure_id = fields.Integer()
    body = fields.String()
    asked_at = ShanghaiDateTime()
    due_at = ShanghaiDateTime()
    answer = fields.String(allow_none=True)
    answered_at = ShanghaiDateTime(allow_none=True)
    status = fields.Function(lambda q: question_status(q),
                             metadata={"description": "open | overdue | answered | held | rejected"})
    held_for_review = fields.Function(lambda q: q.moderation == "held")


class ModeratedQuestionOut(QuestionOut):
    """The township moderator's view: still without the asker."""
    village_id = fields.Integer()
    moderation = fields.String(metadata={"description": "held | visible | rejected"})
    moderation_note = fields.String(allow_none=True)
    moderated_at = ShanghaiDateTime(allow_none=True)
