"""Public questions on a disclosure and their moderation."""

from __future__ import annotations

from marshmallow import Schema, fields

from app.api.schemas.common import In, ShanghaiDateTime, _text


class QuestionIn(In):
    body = _text(500, multiline=True, required=True)
    real_name = _text(
        20,
        metadata={
            "description": "实名: the asker's name, shown to the officers who answer (never public); "
            "left out: anonymous"
        },
    )


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


class OfficerQuestionOut(QuestionOut):
    """Officers of the village and above (who answer and follow questions): with the asker's name when
    they gave it (实名), never their account or household."""

    asker_name = fields.String(allow_none=True, metadata={"description": "实名: the name given; null: anonymous"})


class AskedAboutOut(Schema):
    id = fields.Integer()
    title = fields.String()
    category = fields.String(metadata={"description": "party | village | finance"})
    period = fields.String()


class AskedQuestionOut(OfficerQuestionOut):
    """The asker's own question (我的质询): its state, the due date of the answer, the answer, and the
    disclosure it is about. status: held (being checked) | rejected (not published) | open | overdue |
    answered."""

    disclosure = fields.Nested(AskedAboutOut)
