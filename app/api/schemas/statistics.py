"""Statistics (统计): the period and the village a viewer asks figures for (the console's statistics
page; app.domain.statistics)."""

from __future__ import annotations

from marshmallow import fields, validate

from app.api.schemas.common import In

MONTH = r"^20\d\d-(0[1-9]|1[0-2])$"


def _month(**kw):
    return fields.String(
        validate=[validate.Length(min=7, max=7), validate.Regexp(MONTH, error="应为年-月，如 2026-03")], **kw
    )


class StatisticsIn(In):
    village_id = fields.Integer(metadata={"description": "one village (default: every village the viewer sees)"})
    since = _month(metadata={"description": "first month, YYYY-MM (default: eleven months before this one)"})
    until = _month(metadata={"description": "last month, YYYY-MM (default: this month)"})
