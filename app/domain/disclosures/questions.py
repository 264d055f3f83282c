"""Public questions on disclosures (质询): asked at the door, answered by the village, public to the
village without the asker's identity. Text passes WeChat's content check first (先审后发): a question
the check sends to review is held until township moderation releases it (public from then on, and
the village's reply period starts then) or rejects it (never shown; who, when and why are kept)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import cast

from redis import Redis
from sqlalchemy import ColumnElement, false, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import selectinload

from app.clock import utcnow
from app.domain import authz, content, ratelimit
from app.domain.disclosures import browse, notifications
from app.domain.wechat_port import WeChat
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import Disclosure, Household, Question, Village, WxUser

ASK_LIMIT = ratelimit.Limit("disclosure-question", 10, 24 * 3600)


def status_of(question: Question, now: datetime | None = None) -> str:
    if question.moderation != "visible":
        return question.moderation  # held | rejected: no reply period runs
    if question.answered_at is not None:
        return "answered"
    return "overdue" if (now or utcnow()) > question.due_at else "open"


def ask(
    user: WxUser,
    household: Household,
    disclosure_id: int,
    body: str,
    *,
    asker_name: str | None = None,
    reply_days: int,
    wechat: WeChat,
    redis: Redis,
) -> Question:
    disclosure = browse.published_one(household.village_id, disclosure_id)
    if disclosure is None:
        raise NotFound()
    with ratelimit.take(redis, [(ASK_LIMIT, f"user:{user.id}")], "今天提问次数已达上限，请明天再试"):
        verdict = content.check_text(wechat, body, user.openid, field="body")  # ends the read transaction
        return _write(user, household, disclosure.id, body, reply_days, held=verdict != "pass", asker_name=asker_name)


def ask_authored(
    user: WxUser, household: Household, disclosure_id: int, body: str, *, reply_days: int, held: bool = False
) -> Question:
    """A question whose text the project wrote itself (the demo county, app.seed): no text check, no
    daily limit; `held` asks it as one the check sent to review. Otherwise as `ask`."""
    disclosure = browse.published_one(household.village_id, disclosure_id)
    if disclosure is None:
        raise NotFound()
    return _write(user, household, disclosure.id, body, reply_days, held=held)


def _write(
    user: WxUser,
    household: Household,
    disclosure_id: int,
    body: str,
    reply_days: int,
    *,
    held: bool,
    asker_name: str | None = None,
) -> Question:
    now = utcnow()
    question = Question(
        disclosure_id=disclosure_id,
        village_id=household.village_id,
        household_id=household.id,
        asked_by_user_id=user.id,
        asker_name=asker_name,
        body=body,
        asked_at=now,
        due_at=now + timedelta(days=reply_days),
        moderation="held" if held else "visible",
    )
    # A held question is invisible to the village: its clock starts when moderation releases it.
    question.next_check_at = None if held else question.due_at
    db.session.add(question)
    db.session.flush()
    return question


def public_questions(disclosure_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.disclosure_id == disclosure_id, Question.moderation == "visible")
            .order_by(Question.asked_at)
        )
    )


def village_questions(village_id: int) -> list[Question]:
    """A village's public questions for its officers: unanswered first, by due date."""
    return list(
        db.session.scalars(
            select(Question)
            .where(Question.village_id == village_id, Question.moderation == "visible")
            .order_by(Question.answered_at.is_not(None), Question.due_at)
        )
    )


def answer(actor: authz.Actor, question_id: int, text: str) -> Question:
    """The village's answer, once: a conditional UPDATE from unanswered, so of two answers racing one
    wins and the other is told it was already answered. The asker is told (订阅消息) in the same
    transaction's outbox, so at most once per answer."""
    question = db.session.get(Question, question_id)
    if (
        question is None
        or question.moderation != "visible"
        or not authz.can(actor, "disclosure.draft", db.session.get_one(Disclosure, question.disclosure_id))
    ):
        raise NotFound()
    now = utcnow()
    result = cast(
        CursorResult[()],
        db.session.execute(
            update(Question)
            .where(Question.id == question.id, Question.answered_at.is_(None))
            # answered: out of the escalation sweep
            .values(answer=text, answered_at=now, answered_by_user_id=actor.user_id, next_check_at=None)
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise AppError("already_answered", "该提问已答复", kind="conflict")
    db.session.refresh(question)
    notifications.record_answered(question, actor.user_id)
    return question


def asked_by(actor: authz.Actor) -> list[Question]:
    """The questions the actor asked (我的质询), whatever became of them, newest first."""
    return list(
        db.session.scalars(
            select(Question)
            .options(selectinload(Question.disclosure).selectinload(Disclosure.published_version))
            .where(authz.scoped(actor, "question.own", Question))
            .order_by(Question.asked_at.desc(), Question.id.desc())
        )
    )


def own(actor: authz.Actor) -> ColumnElement[bool]:
    """Clause: questions the actor asked (a WeChat user; a console account asks none)."""
    return Question.asked_by_user_id == actor.user_id if actor.user_id is not None else false()


def register_rules() -> None:
    """Registered with authz by the app factory (create_app), with the complaints' rules."""
    authz.register_rule("question.own", own)


# ---- township moderation of held questions ----


def held_in_township(actor: authz.Actor, township_id: int) -> list[Question]:
    return list(
        db.session.scalars(
            select(Question)
            .join(Village, Village.id == Question.village_id)
            .where(
                Village.township_id == township_id,
                Question.moderation == "held",
                authz.scoped(actor, "question.moderate", Question),
            )
            .order_by(Question.asked_at)
        )
    )


def _moderate(actor: authz.Actor, question_id: int, to: str, **values: object) -> Question:
    """One conditional UPDATE from held: a second decision (or a replayed request) finds nothing held."""
    question: Question = authz.get_or_404(actor, "question.moderate", Question, question_id)
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
    result = cast(
        CursorResult[()],
        db.session.execute(
            update(Question)
            .where(Question.id == question.id, Question.moderation == "held")
            .values(
                moderation=to, moderated_at=utcnow(), moderated_by_console_account_id=actor.console_account_id, **values
            )
            .execution_options(synchronize_session=False)
        ),
    )
    if result.rowcount != 1:
        raise AppError("question_not_held", "该提问不在待审核状态（可能已被处理）", kind="conflict")
    db.session.refresh(question)
    return question


def release(actor: authz.Actor, question_id: int, *, reply_days: int) -> Question:
    """The question is fine after all: public from now on. The village could not see it while it was
    held, so its reply period starts now."""
    due = utcnow() + timedelta(days=reply_days)
    return _moderate(actor, question_id, "visible", due_at=due, next_check_at=due)  # its escalation clock starts


def reject(actor: authz.Actor, question_id: int, reason: str) -> Question:
    return _moderate(actor, question_id, "rejected", moderation_note=reason)
