"""Working days (工作日) on the official mainland calendar, in Asia/Shanghai.

Public holidays are off and the make-up working days (调休, e.g. Saturday 2026-10-10 after the
National Day week) are on: a plain Monday–Friday rule is wrong several times a year. The calendar
comes from `chinesecalendar`, which knows the State Council's schedule year by year. A year it
does not know yet (the schedule is published each November) falls back to Monday–Friday, and the
log says so once per year.

Deadlines counted in working days are measured in *working time*: the seconds that fall on working
days. "1 working day" from Tuesday 10:00 is Wednesday 10:00; from Saturday 10:00 (off) it is Tuesday
00:00, as the clock only starts running on Monday. This makes pauses exact: a paused stretch is
worth the working time it covered, whatever days it spanned.
"""

from __future__ import annotations

import functools
import logging
from datetime import date, datetime, time, timedelta

import chinese_calendar

from app.clock import SHANGHAI

logger = logging.getLogger(__name__)

DAY = 86400


@functools.cache
def _unknown_year(year: int) -> bool:
    logger.warning(
        "官方节假日安排未收录 %s 年：该年按周一至周五计算工作日 (chinesecalendar %s)",
        year,
        getattr(chinese_calendar, "__version__", "?"),
    )
    return True


@functools.lru_cache(maxsize=4096)
def is_working_day(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))  # the library is untyped (no py.typed)
    except NotImplementedError:  # outside the years the library knows
        _unknown_year(day.year)
        return day.weekday() < 5


def _local(moment: datetime) -> datetime:
    return moment.astimezone(SHANGHAI)


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time(0), SHANGHAI)


def working_seconds(start: datetime, end: datetime) -> float:
    """The working time between two instants (0 if end is not after start)."""
    if end <= start:
        return 0.0
    a, b = _local(start), _local(end)
    total = 0.0
    day = a.date()
    while day <= b.date():
        if is_working_day(day):
            lo = max(a, _day_start(day))
            hi = min(b, _day_start(day + timedelta(days=1)))
            if hi > lo:
                total += (hi - lo).total_seconds()
        day += timedelta(days=1)
    return total


def add_working_seconds(start: datetime, seconds: float) -> datetime:
    """The instant at which `seconds` of working time have passed since `start`."""
    moment = _local(start)
    left = float(seconds)
    while True:
        day = moment.date()
        next_day = _day_start(day + timedelta(days=1))
        if is_working_day(day):
            room = (next_day - moment).total_seconds()
            if left <= room:
                return moment + timedelta(seconds=left)
            left -= room
        moment = next_day


def add_working_days(start: datetime, days: float) -> datetime:
    return add_working_seconds(start, days * DAY)
