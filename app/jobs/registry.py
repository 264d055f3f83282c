"""Job names → job functions: the one table through which the domain's intents (app.transaction.intend)
become RQ jobs. The domain names a job; it never imports one."""

from __future__ import annotations

from app.jobs import deadlines, notifications, photos, platform, sessions, stickers

JOBS = {
    "deadlines.check_complaint": deadlines.check_complaint,
    "platform.deliver": platform.deliver,
    "notifications.send": notifications.send_notification,
    "photos.request_first_check": photos.request_first_check,
    "stickers.build_sheet": stickers.build_sticker_sheet,
    "sessions.purge_stale": sessions.purge_stale_sessions,
}
