"""The one source of "now". Always timezone-aware UTC; tests move it with time-machine."""
from __future__ import annotations

from datetime import datetime, timezone
from zoneinfo import ZoneInfo

SHANGHAI = ZoneInfo("Asia/Shanghai")


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def to_shanghai(value: datetime | None) -> datetime | None:
    """Times are UTC inside; people see Asia/Shanghai at the edges."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=timezone.utc)
    return value.astimezone(SHANGHAI)
