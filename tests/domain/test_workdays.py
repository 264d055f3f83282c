"""Working days on the official calendar: weekends, public holidays, make-up working days (调休)."""

from __future__ import annotations

import logging
from datetime import datetime

import pytest

from app.clock import SHANGHAI
from app.domain import workdays


def local(*args) -> datetime:
    return datetime(*args, tzinfo=SHANGHAI)


@pytest.mark.parametrize(
    ("start", "days", "due"),
    [
        (local(2026, 3, 6, 10), 1, local(2026, 3, 9, 10)),  # Friday → Monday over a weekend
        (local(2026, 9, 30, 10), 1, local(2026, 10, 8, 10)),  # over the National Day week
        (local(2026, 10, 9, 15), 1, local(2026, 10, 10, 15)),  # Saturday 10 Oct 2026 is a make-up working day
        (local(2026, 10, 10, 15), 1, local(2026, 10, 12, 15)),  # ... and Sunday 11 Oct is not
        (local(2026, 9, 18, 10), 1, local(2026, 9, 20, 10)),  # Sunday 20 Sep 2026 is a make-up working day
        (local(2026, 10, 3, 9), 1, local(2026, 10, 9, 0)),  # filed on a holiday: the clock starts on the 8th
        (local(2026, 9, 24, 12), 5, local(2026, 10, 9, 12)),  # Mid-Autumn + National Day: Sep 28-30, Oct 8-9
    ],
)
def test_add_working_days(start, days, due):
    assert workdays.add_working_days(start, days) == due


def test_working_seconds_counts_only_working_days():
    assert workdays.working_seconds(local(2026, 9, 30, 12), local(2026, 10, 8, 12)) == workdays.DAY
    assert workdays.working_seconds(local(2026, 10, 1), local(2026, 10, 8)) == 0
    assert workdays.working_seconds(local(2026, 10, 8), local(2026, 10, 1)) == 0
    # round trip: adding what was measured lands on the end
    start = local(2026, 9, 29, 17, 30)
    end = workdays.add_working_seconds(start, 2.5 * workdays.DAY)
    assert workdays.working_seconds(start, end) == pytest.approx(2.5 * workdays.DAY)


def test_a_year_the_calendar_does_not_know_falls_back_to_monday_to_friday_and_says_so(caplog):
    workdays._unknown_year.cache_clear()
    workdays.is_working_day.cache_clear()
    with caplog.at_level(logging.WARNING, logger="app.domain.workdays"):
        assert workdays.add_working_days(local(2099, 1, 2, 10), 1) == local(2099, 1, 5, 10)  # Fri → Mon
    assert any("2099" in r.getMessage() and "周一至周五" in r.getMessage() for r in caplog.records)
