"""Three-affairs disclosures (三务公开): drafts, versions, review, reach, the calendar, attachments."""

from __future__ import annotations

from datetime import date

from marshmallow import Schema, fields, validate

from app.api.inputs import DateWithin
from app.api.schemas.common import In, PageIn, ShanghaiDateTime, _text
from app.api.schemas.territory import TerritoryRef
from app.clock import to_shanghai, utcnow
from app.domain.disclosures import browse as _browse
from app.domain.disclosures import calendar as _calendar
from app.domain.disclosures import worklist as _worklist

MAX_FEN = 10**13  # ¥100 billion: far above any village amount, far below overflow


class LineItemIn(In):
    label = _text(100, required=True)
    income_fen = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_FEN))
    expense_fen = fields.Integer(load_default=0, validate=validate.Range(min=0, max=MAX_FEN))


class TotalsIn(In):
    income_fen = fields.Integer(validate=validate.Range(min=0, max=MAX_FEN * 1000))
    expense_fen = fields.Integer(validate=validate.Range(min=0, max=MAX_FEN * 1000))


class DisclosureDraftIn(In):
    village_id = fields.Integer(required=True)
    item_type_id = fields.Integer(required=True)
    period = _text(16, required=True, metadata={"description": "2026-03, 2026-Q1 or 2026-03-15 (immediate)"})
    title = _text(120, required=True)
    body = _text(20000, multiline=True, required=True)
    line_items = fields.List(fields.Nested(LineItemIn), validate=validate.Length(max=500))
    totals = fields.Nested(TotalsIn, metadata={"description": "declared totals, checked against the items"})


class DisclosureEditIn(In):
    title = _text(120)
    body = _text(20000, multiline=True)
    line_items = fields.List(fields.Nested(LineItemIn), validate=validate.Length(max=500))
    totals = fields.Nested(TotalsIn)


class CorrectionIn(DisclosureEditIn):
    reason = _text(300, multiline=True, required=True, metadata={"description": "public reason for the correction"})


class ReviewIn(In):
    comment = _text(500, multiline=True)


class ReturnIn(In):
    comment = _text(500, multiline=True, required=True)


class ItemTypeOut(Schema):
    id = fields.Integer()
    key = fields.String()
    name = fields.String()
    category = fields.String()
    frequency = fields.String()
    legal_basis = fields.String(allow_none=True)


class LineItemOut(Schema):
    label = fields.String()
    income_fen = fields.Integer()
    expense_fen = fields.Integer()


def _sum(version, key):
    return sum(i[key] for i in version.line_items) if version.line_items else None


class ReturnedContentOut(Schema):
    """What the supervision committee last returned: the resubmitted version is compared with it."""

    title = fields.String()
    body = fields.String()
    line_items = fields.List(fields.Nested(LineItemOut), allow_none=True)
    attachment_ids = fields.List(fields.Integer(), metadata={"description": "attachments it had then"})
    comment = fields.String(metadata={"description": "the committee's comment when returning"})


class VersionOut(Schema):
    id = fields.Integer()
    disclosure_id = fields.Integer()
    number = fields.Integer()
    status = fields.String()
    title = fields.String()
    body = fields.String()
    line_items = fields.List(fields.Nested(LineItemOut), allow_none=True)
    total_income_fen = fields.Function(lambda v: _sum(v, "income_fen"))
    total_expense_fen = fields.Function(lambda v: _sum(v, "expense_fen"))
    correction_reason = fields.String(allow_none=True)
    review_comment = fields.String(allow_none=True)
    submitted_at = ShanghaiDateTime(allow_none=True)
    published_at = ShanghaiDateTime(allow_none=True)
    content_hash = fields.String(allow_none=True)
    attachments = fields.List(fields.Nested(lambda: AttachmentOut()))
    last_returned = fields.Nested(
        ReturnedContentOut,
        attribute="returned_content",
        allow_none=True,
        metadata={"description": "the content as last returned by the committee (null: never returned)"},
    )


class PublicVersionOut(VersionOut):
    approved_by = fields.Function(
        lambda v: _browse.approver_label(v),
        metadata={"description": "who approved (审核) it: 村务监督委员会, with the member's name when known"},
    )
    approved_at = ShanghaiDateTime(attribute="reviewed_at", allow_none=True)

    class Meta:
        exclude = ("status", "review_comment", "submitted_at", "last_returned")


class DisclosureOut(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    category = fields.String()
    period = fields.String()
    item_type = fields.Nested(ItemTypeOut)
    first_published_at = ShanghaiDateTime(allow_none=True)
    current = fields.Nested(PublicVersionOut, attribute="published_version", allow_none=True)


class PublicVersionDetailOut(PublicVersionOut):
    pass


class DisclosureDetailOut(DisclosureOut):
    """Dumped from the villagers' view of a disclosure (app/domain/disclosures/browse.public_view)."""

    current = fields.Nested(PublicVersionDetailOut, attribute="published_version", allow_none=True)
    versions = fields.List(
        fields.Nested(PublicVersionDetailOut), metadata={"description": "the published versions, oldest first"}
    )


class OfficerDisclosureOut(DisclosureOut):
    versions = fields.List(fields.Nested(VersionOut))


class DisclosureListIn(PageIn):
    category = fields.String(validate=validate.OneOf(["party", "village", "finance"]))
    period = _text(16)


class HouseholdDisclosureOut(DisclosureOut):
    read = fields.Boolean(metadata={"description": "this household (the door's code) has opened it"})


class OfficerDisclosureListIn(DisclosureListIn):
    stage = fields.String(
        validate=validate.OneOf(sorted(_worklist.STAGES)),
        metadata={
            "description": "drafting: a version in draft or returned (the cadres' turn); in_review: one "
            "waiting for the supervision committee; published: one published"
        },
    )


class DisclosurePageOut(Schema):
    items = fields.List(fields.Nested(HouseholdDisclosureOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class ReachOut(Schema):
    disclosure_id = fields.Integer()
    households_reached = fields.Integer()
    households_total = fields.Integer()
    ratio = fields.Float()


class VillageReachOut(Schema):
    households_reached = fields.Integer()
    households_total = fields.Integer()
    disclosures = fields.List(fields.Nested(ReachOut))


def _shanghai_today() -> date:
    return to_shanghai(utcnow()).date()


class CalendarIn(In):
    since = fields.Date(
        validate=DateWithin(lambda: _calendar.earliest_since(_shanghai_today()), _shanghai_today),
        metadata={
            "description": "first day considered; default one year back, at most "
            f"{_calendar.MAX_YEARS_BACK} years back, not after today"
        },
    )


class CalendarRowOut(Schema):
    item_type = fields.Nested(ItemTypeOut)
    period = fields.String()
    due = fields.Date()
    status = fields.String(metadata={"description": "on_time | published_late | due | overdue"})
    published_on = fields.Date(allow_none=True)


class VillageWarningOut(Schema):
    village = fields.Nested(TerritoryRef)
    overdue = fields.Integer(metadata={"description": "required disclosures past their due date, missing"})
    published_late = fields.Integer()
    overdue_questions = fields.Integer(metadata={"description": "public questions past the reply period"})


class VerificationOut(Schema):
    ok = fields.Boolean()
    entries = fields.Integer()
    problems = fields.List(fields.String())


class AttachmentOut(Schema):
    id = fields.Integer()
    version_id = fields.Integer()
    filename = fields.String()
    media_type = fields.String()
    size = fields.Integer()
    sha256 = fields.String()
