"""Complaint photos and WeChat's image check: the first request right after an upload (the fast
path), and the sweepers that guarantee it: ask again when no verdict came (bounded: after
`MAX_CHECK_ATTEMPTS` people decide), and delete photos that were never filed."""

from __future__ import annotations

import logging
from datetime import datetime

from flask import current_app

from app.clock import utcnow
from app.domain.complaints import photos
from app.extensions import db
from app.jobs import in_app_context
from app.models import WxUser
from app.transaction import end_reads
from app.wechat import WeChatError
from app.wechat.current import wechat

logger = logging.getLogger(__name__)


@in_app_context
def request_first_check(photo_id: int) -> bool:
    """Enqueued after the upload commits; does nothing if a sweep (or an earlier run) asked already."""
    return request_check(photo_id, seen_attempts=0, now=utcnow())


def request_check(photo_id: int, *, seen_attempts: int, now: datetime) -> bool:
    """Ask WeChat to check the photo once more. The claim is committed before WeChat is called, so
    racing jobs and sweeps ask once; the trace id is committed right after."""
    photo = photos.claim_check(photo_id, seen_attempts, now)
    db.session.commit()
    if photo is None:
        return False
    openid = db.session.get_one(WxUser, photo.uploaded_by_user_id).openid
    end_reads(db.session())  # no transaction held open while WeChat answers
    try:
        trace_id = wechat().media_check_async(photos.media_url(current_app.config["PUBLIC_BASE_URL"], photo), openid)
    except WeChatError as exc:
        logger.warning("image check request for photo %s failed: %s", photo_id, exc)
        photos.check_failed(photo, now)
        db.session.commit()
        return False
    photos.check_requested(photo, trace_id, now)
    db.session.commit()
    return True


def recheck_pending_photos(now: datetime) -> int:
    """Sweeper: pending photos whose verdict is overdue are asked for again, or held for people."""
    done = 0
    for photo_id, attempts in photos.due_for_check(now):
        if attempts >= photos.MAX_CHECK_ATTEMPTS:
            done += photos.hold_unanswered(photo_id, attempts)
            db.session.commit()
        else:
            done += request_check(photo_id, seen_attempts=attempts, now=now)
    return done


def purge_unattached_photos(now: datetime) -> int:
    """Sweeper: photos uploaded more than a day ago and never filed are deleted with their files."""
    done = photos.purge_unattached(now, folder=current_app.config["COMPLAINT_PHOTO_DIR"])
    db.session.commit()  # the files go once the rows are gone
    return done
