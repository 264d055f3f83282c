"""How the web pages write money, periods and times for people (Chinese, Asia/Shanghai, 元 from fen)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from app.clock import to_shanghai

CATEGORY_NAMES = {"party": "党务", "village": "村务", "finance": "财务"}
_QUARTERS = {"1": "一", "2": "二", "3": "三", "4": "四"}


def yuan(fen: int) -> str:
    """Integer fen as 元 with thousands separators and two decimals, by integer arithmetic only:
    123456789 → "1,234,567.89", -5 → "-0.05"."""
    sign = "-" if fen < 0 else ""
    whole, cents = divmod(abs(fen), 100)
    return f"{sign}{whole:,}.{cents:02d}"


def period(label: str) -> str:
    """ "2026-03" → 2026年3月, "2026-Q1" → 2026年第一季度, "2026-03-15" → 2026年3月15日."""
    if m := re.fullmatch(r"(\d{4})-Q([1-4])", label):
        return f"{m[1]}年第{_QUARTERS[m[2]]}季度"
    if m := re.fullmatch(r"(\d{4})-(\d{2})", label):
        return f"{m[1]}年{int(m[2])}月"
    if m := re.fullmatch(r"(\d{4})-(\d{2})-(\d{2})", label):
        return f"{m[1]}年{int(m[2])}月{int(m[3])}日"
    return label


def _moment(value: str | datetime | None) -> datetime | None:
    if value is None or value == "":
        return None
    moment = datetime.fromisoformat(value) if isinstance(value, str) else value
    return to_shanghai(moment)


def when(value: str | datetime | None) -> str:
    """A time as people read it here: 2026年3月5日 10:00 (Shanghai)."""
    moment = _moment(value)
    return "" if moment is None else f"{moment.year}年{moment.month}月{moment.day}日 {moment:%H:%M}"


def day(value: str | datetime | None) -> str:
    moment = _moment(value)
    return "" if moment is None else f"{moment.year}年{moment.month}月{moment.day}日"


@dataclass(frozen=True)
class FinanceTable:
    """A finance disclosure's table as a phone shows it: income lines, expense lines, each with its
    subtotal, and the balance. `checked`: the subtotals equal the totals the disclosure declares."""

    income: list[tuple[str, int]]
    expense: list[tuple[str, int]]
    income_fen: int
    expense_fen: int
    checked: bool

    @property
    def balance_fen(self) -> int:
        return self.income_fen - self.expense_fen


def finance_table(version: dict[str, Any]) -> FinanceTable | None:
    """From a version as the API answers it (PublicVersionOut): None when it has no line items."""
    items = version.get("line_items") or []
    if not items:
        return None
    income = [(i["label"], i["income_fen"]) for i in items if i["income_fen"]]
    expense = [(i["label"], i["expense_fen"]) for i in items if i["expense_fen"]]
    income_fen, expense_fen = sum(fen for _, fen in income), sum(fen for _, fen in expense)
    checked = (income_fen, expense_fen) == (version.get("total_income_fen"), version.get("total_expense_fen"))
    return FinanceTable(income, expense, income_fen, expense_fen, checked)
