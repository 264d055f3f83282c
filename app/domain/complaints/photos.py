"""Complaint photos (up to 9 per complaint): uploaded first, attached when the complaint is filed.

Every photo is cleaned by app.domain.uploads (type sniffed, size and pixel limits, re-encoded without
EXIF/GPS) and stays **pending** until WeChat's asynchronous image check (mediaCheckAsync v2) pushes a
verdict (先审后发): pass → cleared, shown to the offices that may read the case; risky → refused,
its file deleted, never shown to anyone; review → held for the township moderators (the dispatcher
who moderates held complaint texts, county staff for cases about township staff), who clear or refuse
it. A photo WeChat never answers for, after `MAX_CHECK_ATTEMPTS` requests, is held the same way.

Who sees what: the villager who uploaded a photo sees it (pending or not) until it is refused;
offices that may read the complaint see its cleared photos; moderators see the photos held for them.
The people a complaint is about are excluded from all of these (the complaint scopes exclude them).

WeChat downloads the image itself from PUBLIC_BASE_URL + `FETCH_PATH` + a random token, which works
only while the photo waits for its verdict.
"""

from __future__ import annotations

import logging
import secrets
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from redis import Redis
from sqlalchemy import delete, exists, select, update
from sqlalchemy.engine import CursorResult
from sqlalchemy.orm import contains_eager

from app import transaction
from app.clock import utcnow
from app.domain import authz, ratelimit, uploads
from app.errors import AppError, NotFound
from app.extensions import db
from app.models import Complaint, ComplaintPhoto, ComplaintPhotoCheck, WxUser
from app.transaction import after_commit

logger = logging.getLogger(__name__)

MAX_PER_COMPLAINT = 9
UPLOAD_LIMIT = ratelimit.Limit("complaint-photo-user", 60, 24 * 3600)  # 5 complaints × 9 photos, and retakes
FETCH_PATH = "/api/v1/complaint-photos/wechat-fetch/"
FIRST_CHECK_GRACE = timedelta(minutes=2)  # the job asks at once; the sweeper asks if the job was lost
ANSWER_WAIT = timedelta(minutes=30)  # WeChat pushes its verdict within 30 minutes
RETRY_AFTER_FAILURE = timedelta(minutes=5)  # WeChat could not be reached
MAX_CHECK_ATTEMPTS = 4  # then people decide (review, reason no_answer)
UNATTACHED_TTL = timedelta(days=1)  # uploaded but never filed: deleted

_EXTENSIONS = {"image/jpeg": "jpg", "image/png": "png"}


def storage_path(folder: str | Path, photo: ComplaintPhoto) -> Path:
    return Path(folder) / f"{photo.storage_key}.{_EXTENSIONS[photo.media_type]}"


def _delete_file_after_commit(folder: str | Path, photo: ComplaintPhoto) -> None:
    path = storage_path(folder, photo)
    after_commit(db.session(), lambda: path.unlink(missing_ok=True))


# ---- upload ----


def upload(user: WxUser, data: bytes, *, folder: str | Path, redis: Redis) -> ComplaintPhoto:
    with ratelimit.take(redis, [(UPLOAD_LIMIT, f"user:{user.id}")], "今天上传的照片已达上限，请明天再试"):
        cleaned = uploads.clean(data, images_only=True)
        now = utcnow()
        photo = ComplaintPhoto(
            uploaded_by_user_id=user.id,
            status="pending",
            media_type=cleaned.media_type,
            width=cleaned.width,
            height=cleaned.height,
            size=len(cleaned.data),
            sha256=cleaned.sha256,
            storage_key=secrets.token_hex(16),
            fetch_token=secrets.token_urlsafe(32),
            uploaded_at=now,
            next_check_at=now + FIRST_CHECK_GRACE,
        )
        db.session.add(photo)
        db.session.flush()
        uploads.write_atomically(storage_path(folder, photo), cleaned.data)
    # WeChat downloads the photo, so it is asked only once the upload is committed.
    transaction.intend(db.session(), "photos.request_first_check", photo.id, job_id=f"photo-check-{photo.id}")
    return photo


# ---- asking WeChat ----


def media_url(base_url: str, photo: ComplaintPhoto) -> str:
    return f"{base_url}{FETCH_PATH}{photo.fetch_token}"


def claim_check(photo_id: int, seen_attempts: int, now: datetime) -> ComplaintPhoto | None:
    """Take the next check request of a pending photo (once, however many jobs and sweeps race)."""
    claimed = db.session.execute(
        update(ComplaintPhoto)
        .where(
            ComplaintPhoto.id == photo_id,
            ComplaintPhoto.status == "pending",
            ComplaintPhoto.check_attempts == seen_attempts,
            ComplaintPhoto.fetch_token.is_not(None),
        )
        .values(check_attempts=seen_attempts + 1, next_check_at=now + ANSWER_WAIT)
        .execution_options(synchronize_session=False)
    )
    # An UPDATE without RETURNING gives a CursorResult; Session.execute is typed as returning Result.
    if cast(CursorResult[()], claimed).rowcount != 1:
        return None
    photo = db.session.get_one(ComplaintPhoto, photo_id)
    db.session.refresh(photo)
    return photo


def check_requested(photo: ComplaintPhoto, trace_id: str, now: datetime) -> None:
    db.session.add(ComplaintPhotoCheck(photo_id=photo.id, trace_id=trace_id, requested_at=now))


def check_failed(photo: ComplaintPhoto, now: datetime) -> None:
    """WeChat could not be asked: ask again soon rather than after the usual wait."""
    db.session.execute(
        update(ComplaintPhoto)
        .where(
            ComplaintPhoto.id == photo.id,
            ComplaintPhoto.status == "pending",
            ComplaintPhoto.check_attempts == photo.check_attempts,
        )
        .values(next_check_at=now + RETRY_AFTER_FAILURE)
        .execution_options(synchronize_session=False)
    )


def due_for_check(now: datetime, limit: int = 100) -> list[tuple[int, int]]:
    """(photo id, attempts so far) of pending photos whose verdict is overdue or never asked for."""
    return [
        (photo_id, attempts)
        for photo_id, attempts in db.session.execute(
            select(ComplaintPhoto.id, ComplaintPhoto.check_attempts)
            .where(ComplaintPhoto.status == "pending", ComplaintPhoto.next_check_at <= now)
            .order_by(ComplaintPhoto.next_check_at)
            .limit(limit)
        )
    ]


def hold_unanswered(photo_id: int, seen_attempts: int) -> bool:
    """WeChat never answered: people decide."""
    return _decide(photo_id, ("pending",), "review", seen_attempts=seen_attempts, review_reason="no_answer") is not None


def _decide(
    photo_id: int,
    allowed: tuple[str, ...],
    status: str,
    *,
    seen_attempts: int | None = None,
    by_console_account_id: int | None = None,
    **values: Any,
) -> ComplaintPhoto | None:
    """The one way a photo leaves pending/review: a conditional update, so it happens once."""
    where = [ComplaintPhoto.id == photo_id, ComplaintPhoto.status.in_(allowed)]
    if seen_attempts is not None:
        where.append(ComplaintPhoto.check_attempts == seen_attempts)
    final = status in ("cleared", "refused")
    changed = db.session.execute(
        update(ComplaintPhoto)
        .where(*where)
        .values(
            status=status,
            fetch_token=None,
            next_check_at=None,
            decided_at=utcnow() if final else None,
            decided_by_console_account_id=by_console_account_id,
            **values,
        )
        .execution_options(synchronize_session=False)
    )
    if cast(CursorResult[()], changed).rowcount != 1:  # as in claim_check
        return None
    photo = db.session.get_one(ComplaintPhoto, photo_id)
    db.session.refresh(photo)
    return photo


# ---- WeChat's verdict (the wxa_media_check push) ----


def on_media_check(event: dict[str, Any], *, folder: str | Path, now: datetime) -> ComplaintPhoto | None:
    """Apply a pushed verdict. Unknown trace ids are an error (WeChat retries: the request may still
    be committing); a push without a usable verdict leaves the photo pending for the sweeper."""
    trace_id = event.get("trace_id")
    check = (
        db.session.scalar(select(ComplaintPhotoCheck).where(ComplaintPhotoCheck.trace_id == trace_id))
        if isinstance(trace_id, str) and trace_id
        else None
    )
    if check is None:
        raise AppError("unknown_trace_id", "没有这个图片检测任务", kind="not_found")
    raw_result = event.get("result")
    result: dict[str, Any] = raw_result if isinstance(raw_result, dict) else {}
    suggest = result.get("suggest")
    if suggest not in ("pass", "review", "risky"):
        logger.warning("wxa_media_check without a verdict for trace %s: %r", trace_id, event)
        return None
    label = _int_or_none(result.get("label"))
    db.session.execute(
        update(ComplaintPhotoCheck)
        .where(ComplaintPhotoCheck.id == check.id, ComplaintPhotoCheck.answered_at.is_(None))
        .values(answered_at=now, suggest=suggest, label=label)
        .execution_options(synchronize_session=False)
    )
    if suggest == "pass":
        return _decide(check.photo_id, ("pending",), "cleared")
    if suggest == "review":
        return _decide(check.photo_id, ("pending",), "review", review_reason="wechat")
    # Risky overrides a pending or held photo, never a person's decision.
    photo = db.session.get_one(ComplaintPhoto, check.photo_id)
    if photo.decided_by_console_account_id is not None:
        return None
    refused = _decide(check.photo_id, ("pending", "review"), "refused")
    if refused is not None:
        _delete_file_after_commit(folder, refused)
    return refused


def _int_or_none(value: Any) -> int | None:
    try:
        number = int(value)  # WeChat sends labels as numbers or as strings
    except (TypeError, ValueError):
        return None
    return number if -(2**31) <= number < 2**31 else None


# ---- filing ----


def _photo_error(code: str, message: str) -> AppError:
    return AppError(code, message, kind="unprocessable", fields={"photo_ids": [message]})


def check_attachable(user_id: int, photo_ids: list[int]) -> None:
    """Before anything is written: 0–9 distinct photos, this user's, not refused, not used elsewhere."""
    if len(photo_ids) > MAX_PER_COMPLAINT:
        raise _photo_error("too_many_photos", f"每条反映最多 {MAX_PER_COMPLAINT} 张照片")
    if len(set(photo_ids)) != len(photo_ids):
        raise _photo_error("duplicate_photos", "同一张照片提交了两次")
    if not photo_ids:
        return
    found = {p.id: p for p in db.session.scalars(select(ComplaintPhoto).where(ComplaintPhoto.id.in_(photo_ids)))}
    for number, photo_id in enumerate(photo_ids, start=1):
        photo = found.get(photo_id)
        if photo is None or photo.uploaded_by_user_id != user_id:  # someone else's looks like none at all
            raise _photo_error("photo_not_found", f"第 {number} 张照片不存在或已过期，请重新上传")
        if photo.status == "refused":
            raise _photo_error("photo_refused", f"第 {number} 张照片未通过安全检查，请删除后再提交")
        if photo.complaint_id is not None:
            raise _photo_error("photo_already_attached", f"第 {number} 张照片已用于另一条反映")


def attach(complaint: Complaint, user_id: int, photo_ids: list[int]) -> None:
    """In the filing's transaction; conditional, so two filings racing for a photo cannot both win."""
    for position, photo_id in enumerate(photo_ids):
        taken = db.session.execute(
            update(ComplaintPhoto)
            .where(
                ComplaintPhoto.id == photo_id,
                ComplaintPhoto.uploaded_by_user_id == user_id,
                ComplaintPhoto.complaint_id.is_(None),
                ComplaintPhoto.status != "refused",
            )
            .values(complaint_id=complaint.id, position=position)
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[()], taken).rowcount != 1:  # as in claim_check
            raise _photo_error("photo_already_attached", f"第 {position + 1} 张照片已用于另一条反映或已失效")
    db.session.expire(complaint, ["photos"])


# ---- who sees what ----


def viewable(actor: authz.Actor, photo_id: int) -> ComplaintPhoto:
    """The photo, if the actor may see its image; otherwise 404, exactly like a missing one."""
    photo = db.session.get(ComplaintPhoto, photo_id)
    if photo is None or photo.status == "refused":
        raise NotFound()
    if actor.kind == "wx" and photo.uploaded_by_user_id == actor.id:
        return photo
    if photo.complaint_id is not None:
        action = {"cleared": "complaint.read", "review": "complaint.photo_moderate"}.get(photo.status)
        if (
            action is not None
            and db.session.scalar(
                select(Complaint.id).where(Complaint.id == photo.complaint_id, authz.scoped(actor, action, Complaint))
            )
            is not None
        ):
            return photo
    raise NotFound()


def for_wechat(token: str) -> ComplaintPhoto:
    """The photo WeChat was asked to check, while it waits for the verdict."""
    photo = db.session.scalar(
        select(ComplaintPhoto).where(ComplaintPhoto.fetch_token == token, ComplaintPhoto.status == "pending")
    )
    if photo is None or not token:
        raise NotFound()
    return photo


# ---- moderation of held photos ----


def held(actor: authz.Actor) -> list[ComplaintPhoto]:
    """Photos held for the actor's moderation, oldest first, with their cases."""
    return list(
        db.session.scalars(
            select(ComplaintPhoto)
            .join(Complaint, Complaint.id == ComplaintPhoto.complaint_id)
            .options(contains_eager(ComplaintPhoto.complaint))
            .where(ComplaintPhoto.status == "review", authz.scoped(actor, "complaint.photo_moderate", Complaint))
            .order_by(ComplaintPhoto.uploaded_at, ComplaintPhoto.id)
        )
    )


def moderate(actor: authz.Actor, photo_id: int, *, clear: bool, folder: str | Path) -> ComplaintPhoto:
    photo = db.session.get(ComplaintPhoto, photo_id)
    if (
        photo is None
        or photo.complaint_id is None
        or db.session.scalar(
            select(Complaint.id).where(
                Complaint.id == photo.complaint_id, authz.scoped(actor, "complaint.photo_moderate", Complaint)
            )
        )
        is None
    ):
        raise NotFound()
    decided = _decide(
        photo.id, ("review",), "cleared" if clear else "refused", by_console_account_id=actor.console_account_id
    )
    if decided is None:
        raise AppError("photo_not_held", "这张照片不在待审核状态", kind="conflict")
    if not clear:
        _delete_file_after_commit(folder, decided)
    return decided


# ---- housekeeping ----


def purge_unattached(now: datetime, *, folder: str | Path, limit: int = 200) -> int:
    """Delete photos uploaded more than a day ago and never filed, with their files."""
    candidates = db.session.scalars(
        select(ComplaintPhoto)
        .where(ComplaintPhoto.complaint_id.is_(None), ComplaintPhoto.uploaded_at < now - UNATTACHED_TTL)
        .order_by(ComplaintPhoto.id)
        .limit(limit)
    ).all()
    gone_count = 0
    for photo in candidates:
        still_loose = exists(
            select(ComplaintPhoto.id).where(ComplaintPhoto.id == photo.id, ComplaintPhoto.complaint_id.is_(None))
        )
        db.session.execute(
            delete(ComplaintPhotoCheck)
            .where(ComplaintPhotoCheck.photo_id == photo.id, still_loose)
            .execution_options(synchronize_session=False)
        )
        gone = db.session.execute(
            delete(ComplaintPhoto)
            .where(ComplaintPhoto.id == photo.id, ComplaintPhoto.complaint_id.is_(None))
            .execution_options(synchronize_session=False)
        )
        if cast(CursorResult[()], gone).rowcount == 1:  # a DELETE, as in claim_check
            _delete_file_after_commit(folder, photo)  # the caller commits (the sweep)
            gone_count += 1
    return gone_count
