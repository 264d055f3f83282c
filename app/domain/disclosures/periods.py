"""Disclosure periods and their statutory due dates (dates in Asia/Shanghai).

  monthly    "2026-03"     due by the 20th of the following month
  quarterly  "2026-Q1"     due by the 20th of the first month of the following quarter
  immediate  "2026-03-15"  the event's date; due within IMMEDIATE_DAYS days of it

The 20th follows the common county catalogue deadline ("first month of each quarter, by the 20th"),
applied to monthly finance too; IMMEDIATE_DAYS is a default, not a rule.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, timedelta

from app.models import Frequency

DUE_DAY = 20
IMMEDIATE_DAYS = 5

_MONTH = re.compile(r"^(\d{4})-(0[1-9]|1[0-2])$")
_QUARTER = re.compile(r"^(\d{4})-Q([1-4])$")


@dataclass(frozen=True, order=True)
class Period:
    start: date  # first day covered
    end: date  # last day covered
    label: str

    def __str__(self) -> str:
        return self.label


def parse(frequency: Frequency | str, label: str) -> Period:
    """Raise ValueError with a Chinese message when the label does not fit the frequency."""
    frequency = Frequency(frequency)
    if frequency is Frequency.MONTHLY:
        m = _MONTH.match(label or "")
        if not m:
            raise ValueError("月度公开的期间应写成 YYYY-MM，例如 2026-03")
        return month(int(m[1]), int(m[2]))
    if frequency is Frequency.QUARTERLY:
        m = _QUARTER.match(label or "")
        if not m:
            raise ValueError("季度公开的期间应写成 YYYY-Qn，例如 2026-Q1")
        return quarter(int(m[1]), int(m[2]))
    try:
        day = date.fromisoformat(label)
    except (TypeError, ValueError):
        raise ValueError("即时公开的期间应写成事项发生日期 YYYY-MM-DD") from None
    return Period(day, day, day.isoformat())


def month(year: int, number: int) -> Period:
    start = date(year, number, 1)
    end = date(year + (number == 12), number % 12 + 1, 1) - timedelta(days=1)
    return Period(start, end, f"{year}-{number:02d}")


def quarter(year: int, number: int) -> Period:
    start = date(year, 3 * number - 2, 1)
    end = month(year, 3 * number).end
    return Period(start, end, f"{year}-Q{number}")


def due_date(frequency: Frequency | str, period: Period) -> date:
    frequency = Frequency(frequency)
    if frequency is Frequency.IMMEDIATE:
        return period.start + timedelta(days=IMMEDIATE_DAYS)
    after = period.end + timedelta(days=1)  # first day of the following month / quarter
    return after.replace(day=DUE_DAY)


def periods_between(frequency: Frequency | str, first: date, last: date) -> list[Period]:
    """Every monthly or quarterly period that starts on or after `first`'s period and ends by `last`."""
    frequency = Frequency(frequency)
    out: list[Period] = []
    if frequency is Frequency.MONTHLY:
        year, number = first.year, first.month
        while True:
            p = month(year, number)
            if p.end > last:
                return out
            out.append(p)
            year, number = (year + 1, 1) if number == 12 else (year, number + 1)
    if frequency is Frequency.QUARTERLY:
        year, number = first.year, (first.month - 1) // 3 + 1
        while True:
            p = quarter(year, number)
            if p.end > last:
                return out
            out.append(p)
            year, number = (year + 1, 1) if number == 4 else (year, number + 1)
    return out  # immediate items are event-driven: nothing is expected in advance
