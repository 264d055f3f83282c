"""Public questions on a disclosure and their moderation."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.api.schemas.common import In, ShanghaiDateTime, _text


class QuestionIn(In):
    body = _text(500, multiline=True, required=True)


class AnswerIn(In):
    answer = _text(2000, multiline=True, required=True)


class QuestionOut(Schema):
    """Public to the village, dumped from the question's shown projection (app/domain/disclosures/
    question_view): no asker, no household."""

    id = fields.Integer()
    disclosure_id = fields.Integer()
    body = fields.String()
    asked_at = ShanghaiDateTime()
    due_at = ShanghaiDateTime()
    answer = fields.String(allow_none=True)
    answered_at = ShanghaiDateTime(allow_none=True)
    status = fields.String(metadata={"description": "open | overdue | answered | held | rejected"})
    held_for_review = fields.Boolean()


class ModeratedQuestionOut(QuestionOut):
    """The township moderator's view: still without the asker."""

    village_id = fields.Integer()
    moderation = fields.String(metadata={"description": "held | visible | rejected"})
    moderation_note = fields.String(allow_none=True)
    moderated_at = ShanghaiDateTime(allow_none=True)
