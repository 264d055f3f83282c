"""Public questions on disclosures (质询): asked at the door, answered by the village, public to the
village without the asker's identity. Text passes WeChat's content check first (先审后发)."""
from __future__ import annotations

from datetime import timedelta

from redis import Redis
from sqlalchemy import select

from app.clock import utcnow
from app.domain import authz, content, ratelimit
from app.domain.disclosures import browse
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import Disclosure, Household, Question, WxUser
from app.wechat import WeChatAdapter

ASK_LIMIT = ratelimit.Limit("disclosure-question", 10, 24 * 3600)


def status_of(question: Question, now=None) -> str:
    if question.answered_at is not None:
        return "answered"
    return "overdue" if (now or utcnow()) > question.due_at else "open"


def ask(user: WxUser, household: Household, disclosure_id: int, body: str, *, reply_days: int,
        wechat: WeChatAdapter, redis: Redis) -> Question:
    disclosure = browse.published_one(household.village_id, disclosure_id)
    if disclosure is None:
        raise NotFound()
    ratelimit.check(redis, ASK_LIMIT, f"user:{user.id}", "今天提问次数已达上限，请明天再试")
    verdict = content.check_text(wechat, body, user.openid, field="body")
    now = utcnow()
    question = Question(disclosure_id=disclosure.id, village_id=household.village_id, household_id=household.id,
                        asked_by_user_id=user.id, body=body, asked_at=now, due_at=now + timedelta(days=reply_days),
                        moderation="visible" if verdict == "pass" else "held")
    # A held question is invisible to the village: its clock starts when moderation releases it.
    question.next_check_at = question.due_at if question.moderation == "visible" else None
    db.session.add(question)
    db.session.flush()
    ratelimit.record(redis, ASK_LIMIT, f"user:{user.id}")
    return question


def public_questions(disclosure_id: int) -> list[Question]:
    return list(db.session.scalars(select(Question).where(
        Question.disclosure_id == disclosure_id, Question.moderation == "visible").order_by(Question.asked_at)))


def answer(actor: authz.Actor, question_id: int, text: str) -> Question:
    question = db.session.get(Question, question_id)
    if question is None or not authz.can(actor, "disclosure.draft", db.session.get(Disclosure, question.disclosure_id)):
        raise NotFound()
    if question.answered_at is not None:
        raise AppError("already_answered", "该提问已答复", kind="conflict")
    question.answer, question.answered_at, question.answered_by_user_id = text, utcnow(), actor.user_id
    question.next_check_at = None  # answered: out of the escalation sweep
    return question
