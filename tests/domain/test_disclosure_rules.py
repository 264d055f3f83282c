"""Periods, due dates, the statutory calendar across quarter and year boundaries, and masking."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from app.domain.disclosures import calendar, catalogue, periods
from app.domain.disclosures.masking import mask
from app.extensions import db
from app.models import Disclosure, Frequency, ItemType
from tests import factories as f


def test_period_labels_and_due_dates():
    q4 = periods.parse("quarterly", "2025-Q4")
    assert (q4.start, q4.end) == (date(2025, 10, 1), date(2025, 12, 31))
    assert periods.due_date("quarterly", q4) == date(2026, 1, 20)  # across the year boundary
    q1 = periods.parse("quarterly", "2026-Q1")
    assert periods.due_date("quarterly", q1) == date(2026, 4, 20)  # first month of the next quarter
    dec = periods.parse("monthly", "2025-12")
    assert dec.end == date(2025, 12, 31) and periods.due_date("monthly", dec) == date(2026, 1, 20)
    feb = periods.parse("monthly", "2024-02")
    assert feb.end == date(2024, 2, 29)
    assert periods.due_date("immediate", periods.parse("immediate", "2026-03-15")) == date(2026, 3, 20)
    for frequency, label in [
        ("monthly", "2026-13"),
        ("monthly", "2026-Q1"),
        ("quarterly", "2026-Q5"),
        ("quarterly", "2026-03"),
        ("immediate", "2026-02-30"),
        ("immediate", ""),
    ]:
        with pytest.raises(ValueError) as info:
            periods.parse(frequency, label)
        assert any("\u4e00" <= ch <= "\u9fff" for ch in str(info.value))


def test_periods_between_crosses_the_year():
    labels = [p.label for p in periods.periods_between("quarterly", date(2025, 8, 1), date(2026, 7, 1))]
    assert labels == ["2025-Q3", "2025-Q4", "2026-Q1", "2026-Q2"]
    months = [p.label for p in periods.periods_between("monthly", date(2025, 11, 5), date(2026, 2, 27))]
    assert months == ["2025-11", "2025-12", "2026-01"]  # February has not ended yet


def _publish(village, item, period, on: datetime) -> None:
    db.session.add(
        Disclosure(
            village_id=village.id, item_type_id=item.id, category=item.category, period=period, first_published_at=on
        )
    )
    db.session.flush()


def test_calendar_marks_on_time_late_due_and_overdue(app):
    village = f.village()
    catalogue.ensure_default_catalogue(village.township)
    party = db.session.query(ItemType).filter_by(township_id=village.township_id, key="party_member_development").one()
    finance = db.session.query(ItemType).filter_by(township_id=village.township_id, key="finance_income_expense").one()
    # Q4 2025 published 2026-01-19 (Shanghai) → on time; Q1 2026 never → overdue by 2026-05-01
    _publish(village, party, "2025-Q4", datetime(2026, 1, 19, 2, 0, tzinfo=UTC))
    # December finance published 2026-01-21 00:30 Shanghai (= 1-20 16:30 UTC) → late by the local date
    _publish(village, finance, "2025-12", datetime(2026, 1, 20, 16, 30, tzinfo=UTC))
    rows = calendar.village_calendar(village, today=date(2026, 4, 25), since=date(2025, 10, 1))
    by = {(r.item_type.key, r.period): r for r in rows}
    assert by[("party_member_development", "2025-Q4")].status == "on_time"
    assert by[("party_member_development", "2026-Q1")].status == "overdue"
    assert by[("finance_income_expense", "2025-12")].status == "published_late"
    assert by[("finance_income_expense", "2026-03")].status == "overdue"  # due 2026-04-20, now the 25th
    assert by[("finance_income_expense", "2026-03")].due == date(2026, 4, 20)


def test_calendar_due_before_the_deadline(app):
    village = f.village()
    catalogue.ensure_default_catalogue(village.township)
    rows = calendar.village_calendar(village, today=date(2026, 4, 10), since=date(2026, 1, 1))
    by = {(r.item_type.key, r.period): r.status for r in rows}
    assert by[("party_member_development", "2026-Q1")] == "due"
    assert by[("finance_income_expense", "2026-02")] == "overdue"
    assert by[("finance_income_expense", "2026-03")] == "due"
    assert not any(r.item_type.frequency == Frequency.IMMEDIATE for r in rows)


def test_masking_of_personal_data():
    text = "张三 身份证330102199001011234 手机13812345678 卡号6222021234567890123 旧证330102900101123 户数 12"
    masked = mask(text)
    assert "330102********1234" in masked and "138****5678" in masked
    assert "6222***********0123" in masked and "330102*********" in masked
    assert "19900101" not in masked and "12345678" not in masked and "户数 12" in masked
