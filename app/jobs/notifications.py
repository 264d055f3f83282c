"""Subscribe messages about complaints are sent on the worker, one job per notification and attempt."""
from __future__ import annotations

from app.jobs import in_app_context


@in_app_context
def send_notification(notification_id: int, attempt: int) -> str | None:
    """Make attempt `attempt` at sending notification `notification_id` (safe to run twice: only the
    job that claims the row sends). Returns the state the row was left in, None if there was nothing
    for this job to do."""
    from app.domain.complaints import notifications
    from app.wechat.current import wechat

    return notifications.deliver(notification_id, attempt, wechat())
