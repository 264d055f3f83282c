"""Deadline policies and monitoring (时限与督办)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.common import In, PageIn, ShanghaiDateTime
from app.api.schemas.complaints import CATEGORY_NAMES
from app.domain.complaints.categories import DISCIPLINE, SERVICE
from app.domain.complaints.routing import handler_label
from app.domain.deadlines import monitoring


class ClockIn(In):
    amount = fields.Integer(required=True, strict=True)
    unit = fields.String(required=True, validate=validate.OneOf(["working_days", "days", "hours"]))


class DeadlinePolicyIn(In):
    sign = fields.Nested(ClockIn, required=True)
    handle = fields.Nested(ClockIn, required=True)
    follow_up = fields.Nested(ClockIn, required=True)
    remind_working_days = fields.Integer(load_default=1, strict=True)
    escalate_working_days = fields.Integer(load_default=5, strict=True)


class ClockOut(Schema):
    amount = fields.Integer()
    unit = fields.String()
    label = fields.Function(str)


class PolicyOut(Schema):
    sign = fields.Nested(ClockOut)
    handle = fields.Nested(ClockOut)
    follow_up = fields.Nested(ClockOut)
    remind_working_days = fields.Integer()
    escalate_working_days = fields.Integer()
    policy_id = fields.Integer(allow_none=True, metadata={"description": "null: the built-in default"})


class PolicyRowOut(Schema):
    id = fields.Integer()
    lane = fields.String()
    sign = fields.Function(lambda r: {"amount": r.sign_amount, "unit": r.sign_unit})
    handle = fields.Function(lambda r: {"amount": r.handle_amount, "unit": r.handle_unit})
    follow_up = fields.Function(lambda r: {"amount": r.follow_up_amount, "unit": r.follow_up_unit})
    remind_working_days = fields.Integer()
    escalate_working_days = fields.Integer()
    created_at = ShanghaiDateTime()
    created_by = fields.Function(
        lambda r: r.created_by.username if r.created_by else None,
        metadata={"description": "console account that set it"},
    )
    deactivated_at = ShanghaiDateTime(allow_none=True)
    deactivated_by = fields.Function(
        lambda r: r.deactivated_by.username if r.deactivated_by else None,
        metadata={"description": "console account that replaced it"},
    )


class DeadlinePoliciesOut(Schema):
    live = fields.Dict(keys=fields.String(), values=fields.Nested(PolicyOut))
    history = fields.List(fields.Nested(PolicyRowOut))


class PolicyChangeOut(Schema):
    policy = fields.Nested(PolicyRowOut, allow_none=True, metadata={"description": "the live row; null: the default"})
    changed = fields.Boolean(metadata={"description": "false: the live policy was saved unchanged, nothing written"})
    recomputed = fields.Integer(
        metadata={"description": "open cases the caller may read whose running clocks the new policy shortened"}
    )


class MonitorIn(PageIn):
    view = fields.String(load_default="overdue", validate=validate.OneOf(["overdue", "at_risk", "open", "all"]))
    village_id = fields.Integer()
    category = fields.String(validate=validate.OneOf(list(CATEGORY_NAMES)))
    lane = fields.String(validate=validate.OneOf([DISCIPLINE, SERVICE]))
    status = fields.String(validate=validate.OneOf(list(monitoring.STATUSES)))
    colour = fields.String(validate=validate.OneOf(["red", "yellow", "green"]))
    escalation_level = fields.Integer(validate=validate.Range(min=0, max=2))
    min_age_days = fields.Integer(validate=validate.Range(min=0, max=3650))
    sort = fields.String(
        load_default="due",
        validate=validate.OneOf(list(monitoring.ORDERS)),
        metadata={
            "description": "due, filed, level (escalation), village, urgent (red, yellow, on course, closed); a leading - reverses"
        },
    )


class MonitoredComplaintOut(Schema):
    """A case on the monitoring list: no description, no identity."""

    id = fields.Integer()
    reference = fields.String()
    village_id = fields.Integer()
    category = fields.String()
    category_name = fields.Function(lambda c: CATEGORY_NAMES[c.category])
    lane = fields.String()
    status = fields.String()
    colour = fields.String(allow_none=True)
    handler = fields.Function(handler_label)
    clock_step = fields.String(allow_none=True)
    due_at = ShanghaiDateTime(allow_none=True)
    escalation_level = fields.Integer()
    escalated_at = ShanghaiDateTime(allow_none=True)
    was_late = fields.Boolean()
    deadline_outcome = fields.String(allow_none=True)
    filed_at = ShanghaiDateTime()


class MonitoredPageOut(Schema):
    items = fields.List(fields.Nested(MonitoredComplaintOut))
    total = fields.Integer()


class RatesIn(In):
    min_cases = fields.Integer(load_default=5, validate=validate.Range(min=1, max=1000))


class VillageRateOut(Schema):
    village_id = fields.Integer()
    village_name = fields.String()
    closed = fields.Integer()
    on_time = fields.Integer()
    open_overdue = fields.Integer()
    rate = fields.Float(allow_none=True, metadata={"description": "null under min_cases closed cases"})


class QuestionMonitorIn(In):
    village_id = fields.Integer()


class OverdueQuestionOut(Schema):
    id = fields.Integer()
    disclosure_id = fields.Integer()
    village_id = fields.Integer()
    asked_at = ShanghaiDateTime()
    due_at = ShanghaiDateTime()
    escalation_level = fields.Integer()
