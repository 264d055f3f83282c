"""The subscribe message (订阅消息) telling a villager their public question (质询) was answered.

Written by `questions.answer` in the answer's own transaction: one outbox row for the asker (unique
per question and recipient, and a question is answered once), sent after the commit by the same job,
with the same at-most-once rules, as the messages about complaints (app.domain.complaints.notifications).
"""

from __future__ import annotations

import logging

from flask import current_app

from app.domain.complaints.notifications import TEMPLATES, one_line, owe, wechat_time
from app.domain.wechat_port import truncate_subscribe_fields
from app.models import Notification, Question

logger = logging.getLogger(__name__)

KEY = "question_answered"
PAGE = "pages/my-questions/my-questions?id={id}"  # the asker's 我的质询


def message(question: Question) -> dict[str, str]:
    """The template's fields: what was asked about, the answer's opening, when (Shanghai time)."""
    assert question.answered_at is not None, "only an answered question is told"
    values = (
        one_line(
            question.disclosure.published_version.title if question.disclosure.published_version else None,
            "公开内容质询",
        ),
        one_line(question.answer, "已答复，请查看"),
        wechat_time(question.answered_at),
    )
    return {field: value for (field, _label), value in zip(TEMPLATES[KEY].fields, values, strict=True)}


def record_answered(question: Question, answered_by_user_id: int | None) -> Notification | None:
    """The asker is told of the answer, unless they answered it themselves (a cadre asking in their
    own village) or no template id is configured."""
    if question.asked_by_user_id == answered_by_user_id:
        return None
    if not current_app.config["WECHAT_TEMPLATES"].get(KEY):
        logger.warning(
            "no WeChat template id configured for %s: the asker of question %s is not told", KEY, question.id
        )
        return None
    row = Notification(
        question_id=question.id,
        recipient_user_id=question.asked_by_user_id,
        template_key=KEY,
        data=truncate_subscribe_fields(message(question)),
        page=PAGE.format(id=question.id),
        state="pending",
        attempts=0,
        next_attempt_at=question.answered_at,
        created_at=question.answered_at,
    )
    owe([row])
    return row
