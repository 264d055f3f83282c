"""marshmallow 4 schemas for every input and output of the API. Inputs RAISE on unknown fields."""
from __future__ import annotations

from datetime import date

from marshmallow import RAISE, Schema, fields, validate

from app.api.inputs import DateWithin, guard_field
from app.clock import to_shanghai, utcnow
from app.domain.complaints import photos as _photos
from app.domain.complaints.categories import CATEGORIES as _CATEGORIES
from app.domain.complaints.options import DESCRIPTION_MAX, DESCRIPTION_MIN
from app.domain.complaints.routing import handler_label
from app.domain.disclosures import calendar as _calendar
from app.domain.disclosures.questions import status_of as question_status
from app.models import ROLE_LABELS, Role

CATEGORY_NAMES = {key: c.name for key, c in _CATEGORIES.items()}


class In(Schema):
    """Every input schema. Its fields are guarded as it is built (app/api/inputs.py): integers within
    the database's range, dates within reason, texts without control characters or broken encoding."""

    class Meta:
        unknown = RAISE

    def on_bind_field(self, field_name, field_obj):
        guard_field(field_obj, f"{type(self).__name__}.{field_name}")


class ShanghaiDateTime(fields.DateTime):
    """UTC inside, Asia/Shanghai (+08:00) on the wire."""

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(to_shanghai(value), attr, obj, **kwargs)


def _text(max_len: int, min_len: int = 1, *, multiline: bool = False, **kw):
    """Text of a length; single-line unless `multiline` (then tab and line breaks are kept)."""
    if multiline:
        kw["metadata"] = {**kw.get("metadata", {}), "multiline": True}
    return fields.String(validate=validate.Length(min=min_len, max=max_len), **kw)


# ---- errors (documented in OpenAPI; produced by app.errors) ----
class ErrorBody(Schema):
    code = fields.String(required=True, metadata={"description": "stable machine-readable code"})
    message = fields.String(required=True, metadata={"description": "message for people, in Chinese"})
    fields = fields.Dict(metadata={"description": "per-field errors"})


class ErrorOut(Schema):
    error = fields.Nested(ErrorBody, required=True)


# ---- auth ----
class WxLoginIn(In):
    code = _text(128, required=True, metadata={"description": "code from wx.login"})


class ConsoleLoginIn(In):
    username = _text(64, required=True)
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class InvitationAcceptIn(In):
    token = _text(128, required=True)


class TerritoryRef(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()


class RoleOut(Schema):
    id = fields.Integer()
    role = fields.String()
    role_label = fields.Function(lambda r: ROLE_LABELS[Role(r.role)])
    holder_name = fields.String(allow_none=True)
    county_id = fields.Integer()
    township = fields.Nested(TerritoryRef, allow_none=True)
    village = fields.Nested(TerritoryRef, allow_none=True)
    grid_id = fields.Integer(allow_none=True)
    household_id = fields.Integer(allow_none=True)
    starts_at = ShanghaiDateTime()
    ends_at = ShanghaiDateTime(allow_none=True)
    end_reason = fields.String(allow_none=True)


class MeOut(Schema):
    kind = fields.String(metadata={"description": "wx (WeChat user) or console (staff account)"})
    id = fields.Integer()
    display_name = fields.String(allow_none=True)
    roles = fields.List(fields.Nested(RoleOut))


class SessionOut(Schema):
    token = fields.String(metadata={"description": "opaque bearer token; send as Authorization: Bearer …"})
    expires_at = ShanghaiDateTime()
    me = fields.Nested(MeOut)


# ---- territory ----
class GridOut(Schema):
    id = fields.Integer()
    number = fields.Integer()
    name = fields.String()


class TownshipOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    supervision_phone = fields.String(allow_none=True)


class VillageOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    township = fields.Nested(TownshipOut)
    grids = fields.List(fields.Nested(GridOut))


class HouseholdOut(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    grid = fields.Nested(GridOut, allow_none=True)
    number = fields.String()
    address = fields.String()
    head_name = fields.String()
    latitude = fields.Float(allow_none=True)
    longitude = fields.Float(allow_none=True)


class PageIn(In):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=50, validate=validate.Range(min=1, max=200))


class HouseholdQueryIn(PageIn):
    grid_id = fields.Integer()


class HouseholdPageOut(Schema):
    items = fields.List(fields.Nested(HouseholdOut))
    page = fields.Integer()
    per_page = fields.Integer()
    total = fields.Integer()


class RosterQueryIn(In):
    include_ended = fields.Boolean(load_default=False)


# ---- roles and invitations ----
INVITABLE_ROLES = [r.value for r in Role if r not in (Role.VILLAGER, Role.COUNTY_STAFF)]


class InvitationIn(In):
    role = fields.String(required=True, validate=validate.OneOf(INVITABLE_ROLES))
    holder_name = _text(64, required=True, metadata={"description": "the invitee's real name"})
    township_id = fields.Integer()
    village_id = fields.Integer()
    grid_id = fields.Integer()


class InvitationOut(Schema):
    id = fields.Integer()
    role = fields.String()
    holder_name = fields.String()
    township_id = fields.Integer(allow_none=True)
    village_id = fields.Integer(allow_none=True)
    expires_at = ShanghaiDateTime()
    token = fields.String(metadata={"description": "shown once; only its hash is stored"})
    url = fields.String(metadata={"description": "what the QR encodes"})
    qr_png_base64 = fields.String()


class EndTermIn(In):
    reason = _text(200, multiline=True, required=True)


class HealthPart(Schema):
    ok = fields.Boolean()
    detail = fields.String()


class HealthOut(Schema):
    ok = fields.Boolean()
    database = fields.Nested(HealthPart)
    redis = fields.Nested(HealthPart)
    worker = fields.Nested(HealthPart)
    scheduler = fields.Nested(HealthPart)


# ---- household codes and sticker sheets (一户一码) ----
class PublicTownshipOut(Schema):
    name = fields.String()
    supervision_phone = fields.String(allow_none=True)


class PublicVillageOut(Schema):
    id = fields.Integer()
    code = fields.String()
    name = fields.String()
    kind = fields.String()
    township = fields.Nested(PublicTownshipOut)


class PublicHouseholdOut(Schema):
    id = fields.Integer()
    number = fields.String()
    grid_name = fields.String(allow_none=True)


class VillageLandingOut(Schema):
    village = fields.Nested(PublicVillageOut)
    disclosures = fields.List(fields.Nested(lambda: DisclosureOut()),
                              metadata={"description": "the five latest disclosures (三务公开)"})


class HouseholdLandingOut(VillageLandingOut):
    code = fields.String(metadata={"description": "the code, grouped for reading"})
    household = fields.Nested(PublicHouseholdOut)


class CodeChangeIn(In):
    reason = _text(200, multiline=True, required=True)


class HouseholdCodeOut(Schema):
    household_id = fields.Integer()
    code = fields.String()
    url = fields.String()
    issued_at = ShanghaiDateTime()
    revoked_at = ShanghaiDateTime(allow_none=True)


class StickerSheetIn(In):
    village_id = fields.Integer(required=True)
    layout = fields.String(load_default="3x8", validate=validate.Length(min=1, max=16))
    grid = fields.Integer(validate=validate.Range(min=1, max=999), metadata={"description": "grid number"})
    household_ids = fields.List(fields.Integer(), validate=validate.Length(min=1, max=20000))
    include_head_name = fields.Boolean(load_default=False)


class StickerSheetOut(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    layout = fields.String()
    status = fields.String(metadata={"description": "queued | running | done | failed"})
    progress_done = fields.Integer()
    progress_total = fields.Integer()
    pages = fields.Integer(allow_none=True)
    error_message = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()
    finished_at = ShanghaiDateTime(allow_none=True)
    file_url = fields.Function(lambda s: f"/api/v1/sticker-sheets/{s.id}/file" if s.status == "done" else None)
    preview_url = fields.Function(
        lambda s: f"/api/v1/sticker-sheets/{s.id}/preview.png" if s.status == "done" else None)


# ---- three-affairs disclosures (三务公开) ----
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


class PublicVersionOut(VersionOut):
    class Meta:
        exclude = ("status", "review_comment", "submitted_at")


class DisclosureOut(Schema):
    id = fields.Integer()
    village_id = fields.Integer()
    category = fields.String()
    period = fields.String()
    item_type = fields.Nested(ItemTypeOut)
    first_published_at = ShanghaiDateTime(allow_none=True)
    current = fields.Nested(PublicVersionOut, attribute="published_version", allow_none=True)


class DisclosureDetailOut(DisclosureOut):
    versions = fields.Method("published_versions")

    def published_versions(self, disclosure):
        return PublicVersionOut(many=True).dump([v for v in disclosure.versions if v.status == "published"])


class OfficerDisclosureOut(DisclosureOut):
    versions = fields.List(fields.Nested(VersionOut))


class DisclosureListIn(PageIn):
    category = fields.String(validate=validate.OneOf(["party", "village", "finance"]))
    period = _text(16)


class DisclosurePageOut(Schema):
    items = fields.List(fields.Nested(DisclosureOut))
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
        metadata={"description": "first day considered; default one year back, at most "
                                 f"{_calendar.MAX_YEARS_BACK} years back, not after today"})


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


class QuestionIn(In):
    body = _text(500, multiline=True, required=True)


class AnswerIn(In):
    answer = _text(2000, multiline=True, required=True)


class QuestionOut(Schema):
    """Public to the village: no asker, no household."""

    id = fields.Integer()
    disclosure_id = fields.Integer()
    body = fields.String()
    asked_at = ShanghaiDateTime()
    due_at = ShanghaiDateTime()
    answer = fields.String(allow_none=True)
    answered_at = ShanghaiDateTime(allow_none=True)
    status = fields.Function(lambda q: question_status(q),
                             metadata={"description": "open | overdue | answered | held | rejected"})
    held_for_review = fields.Function(lambda q: q.moderation == "held")


class ModeratedQuestionOut(QuestionOut):
    """The township moderator's view: still without the asker."""
    village_id = fields.Integer()
    moderation = fields.String(metadata={"description": "held | visible | rejected"})
    moderation_note = fields.String(allow_none=True)
    moderated_at = ShanghaiDateTime(allow_none=True)


# ---- complaints (监督一点通) ----
class ComplaintIn(In):
    client_request_id = fields.String(required=True, validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$"),
                                      metadata={"description": "made by the client per filing: a replay files nothing twice"})
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    description = _text(DESCRIPTION_MAX, DESCRIPTION_MIN, multiline=True, required=True)
    anonymous = fields.Boolean(load_default=False)
    contact_name = _text(32, allow_none=True)
    contact_phone = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{5,20}$"))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    about_role = fields.String(allow_none=True, validate=validate.Length(max=32),
                               metadata={"description": "the role the complaint is about (conflict of interest)"})
    photo_ids = fields.List(fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
                            load_default=list,
                            metadata={"description": "0–9 ids from POST /complaint-photos, in display order"})


class PhotoOut(Schema):
    id = fields.Integer()
    status = fields.Function(_photos.filer_status, metadata={
        "description": "pending (being checked) | cleared | refused (never shown)"})
    width = fields.Integer()
    height = fields.Integer()
    bytes = fields.Integer(attribute="size")


class CasePhotoOut(PhotoOut):
    url = fields.Function(lambda p: f"/api/v1/complaint-photos/{p.id}/image",
                          metadata={"description": "the image, with the same bearer token"})


class _PhotoList(fields.List):
    """A complaint's photos as one audience may see them; which ones is the domain's rule."""

    def __init__(self, visible, **kwargs):
        super().__init__(fields.Nested(CasePhotoOut), **kwargs)
        self._visible = visible

    def _serialize(self, value, attr, obj, **kwargs):
        return super()._serialize(self._visible(value or []), attr, obj, **kwargs)


class ComplaintEventOut(Schema):
    kind = fields.String()
    to_status = fields.String()
    actor_label = fields.String()
    public_note = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()


class HandlerEventOut(ComplaintEventOut):
    internal_note = fields.String(allow_none=True)


class ComplaintPublicOut(Schema):
    """A case as a villager who did not file it follows it (the case their duplicate was merged into):
    no identities, no description, and none of the words its own villager wrote or was asked."""
    reference = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda c: CATEGORY_NAMES[c.category])
    status = fields.String()
    resolution = fields.String(allow_none=True)
    filed_at = ShanghaiDateTime()
    closed_at = ShanghaiDateTime(allow_none=True)
    events = fields.Method("_shared_timeline")

    def _shared_timeline(self, complaint):
        return ComplaintEventOut(many=True).dump(
            [_without_note(e) if e.kind in _FILERS_OWN_WORDS else e for e in complaint.events])


# Steps whose note is the filer's own words or a question put to them alone (not the case's outcome).
_FILERS_OWN_WORDS = frozenset({"confirmed", "reopened", "asked", "supplied"})


def _without_note(event) -> dict:
    return {"kind": event.kind, "to_status": event.to_status, "actor_label": event.actor_label, "public_note": None,
            "created_at": event.created_at}


class PublicResolvedOut(Schema):
    """A resolved case on the village's public list (no login): what the handling office wrote for
    publication, and nothing anyone wrote to or from the complainant; dates, not times."""
    reference = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda c: CATEGORY_NAMES[c.category])
    status = fields.String()
    resolution = fields.String(allow_none=True)
    filed_on = fields.Function(lambda c: to_shanghai(c.filed_at).date().isoformat())
    closed_on = fields.Function(lambda c: to_shanghai(c.closed_at).date().isoformat() if c.closed_at else None)
    public_summary = fields.String(allow_none=True, metadata={
        "description": "the handling office's summary for publication; null: none written"})


class PublicSummaryIn(In):
    # multi-line accepted: the domain joins the lines into the one line the public list shows
    text = _text(200, required=True, allow_none=True, multiline=True, metadata={
        "description": "for the village's public list of resolved cases (joined into one line, no names of the "
                       "complainant); null withdraws it"})


class ComplaintOut(ComplaintPublicOut):
    """The complainant's own view."""
    events = fields.List(fields.Nested(ComplaintEventOut))
    id = fields.Integer()
    lane = fields.String()
    description = fields.String()
    anonymous = fields.Boolean()
    handler = fields.Function(handler_label)
    held_for_review = fields.Function(lambda c: c.moderation == "held")
    reopen_count = fields.Integer()
    rating = fields.Integer(allow_none=True)
    due_at = ShanghaiDateTime(allow_none=True, metadata={"description": "when the current step is due"})
    clock_step = fields.String(allow_none=True, metadata={"description": "sign | handle | escalated | waiting | follow_up"})
    escalation_level = fields.Integer(metadata={"description": "0 as routed; 1, 2: levels climbed for being overdue"})
    photos = _PhotoList(list, metadata={"description": "all the villager's photos, with their check status"})


class HandlerComplaintOut(ComplaintOut):
    """A case as officers see it, dumped from the officers' projection (app/domain/complaints/officer_view):
    the complainant's fields are there only for a real-name case and the office handling it; an
    anonymous case never carries them, whoever asks."""
    village_id = fields.Integer()
    household_id = fields.Integer(metadata={"description": "real-name cases, handling office only"})
    contact_name = fields.String(allow_none=True, metadata={"description": "real-name cases, handling office only"})
    contact_phone = fields.String(allow_none=True, metadata={"description": "real-name cases, handling office only"})
    about_role = fields.String(allow_none=True)
    routing_fallback = fields.Boolean()
    merged_into_id = fields.Integer(allow_none=True, metadata={"description": "set when closed as a duplicate (合并)"})
    latitude = fields.Float(allow_none=True, metadata={"description": "real-name cases, handling office only"})
    longitude = fields.Float(allow_none=True, metadata={"description": "real-name cases, handling office only"})
    public_summary = fields.String(allow_none=True, metadata={
        "description": "what the village's public list of resolved cases shows (written by the handling office)"})
    events = fields.List(fields.Nested(HandlerEventOut))
    photos = _PhotoList(_photos.for_offices, metadata={"description": "cleared photos only"})
    handling = fields.Boolean(metadata={"description": "the caller's office handles the case (may sign for, reply, "
                                                       "send back); false for a copy, moderation or monitoring"})


class HeldPhotoOut(CasePhotoOut):
    """A photo held for moderation, with its case."""
    status = fields.String(metadata={"description": "review"})
    complaint_id = fields.Integer()
    reference = fields.Function(lambda p: p.complaint.reference)
    review_reason = fields.String(metadata={"description": "wechat (WeChat asked for review) | no_answer"})
    uploaded_at = ShanghaiDateTime()


class ComplaintListIn(PageIn):
    status = fields.String(validate=validate.OneOf(["held", "assigned", "signed", "waiting", "replied", "returned",
                                                    "closed"]))
    village_id = fields.Integer()
    category = fields.String(validate=validate.Length(max=32))


class ComplaintPageOut(Schema):
    items = fields.List(fields.Nested(HandlerComplaintOut))
    total = fields.Integer()


class CategoryOptionOut(Schema):
    key = fields.String()
    name = fields.String()


class LaneOptionOut(Schema):
    key = fields.String()
    name = fields.String()
    categories = fields.List(fields.Nested(CategoryOptionOut))


class AboutRoleOptionOut(Schema):
    role = fields.String()
    label = fields.String()
    level = fields.String()


class ComplaintOptionsOut(Schema):
    lanes = fields.List(fields.Nested(LaneOptionOut))
    about_roles = fields.List(fields.Nested(AboutRoleOptionOut),
                              metadata={"description": "the roles `about_role` accepts"})
    description_min = fields.Integer()
    description_max = fields.Integer()


class NoteIn(In):
    text = _text(500, multiline=True, required=True)


class ReasonIn(In):
    reason = _text(500, multiline=True, required=True)


class RedispatchIn(In):
    target = fields.String(required=True, validate=validate.OneOf(["village_role", "township_dispatch",
                                                                   "township_discipline"]))
    role = fields.String(allow_none=True, validate=validate.Length(max=32))
    reason = _text(500, multiline=True, required=True)


class TransferIn(RedispatchIn):
    public_note = _text(200, multiline=True, allow_none=True,
                        metadata={"description": "what the villager reads (default: 已转…办理); the reason stays internal"})


class RecategoriseIn(In):
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    reason = _text(400, multiline=True, required=True, metadata={"description": "internal: why the category was wrong"})


class MergeIn(In):
    into_id = fields.Integer(required=True, metadata={"description": "the open case of the same village that carries on"})
    reason = _text(400, multiline=True, required=True, metadata={"description": "internal"})


class ConfirmIn(In):
    solved = fields.Boolean(required=True)
    note = _text(500, multiline=True, allow_none=True)


class RatingIn(In):
    stars = fields.Integer(required=True, validate=validate.Range(min=1, max=5))
    comment = _text(200, multiline=True, allow_none=True)


class RoutingRuleIn(In):
    category = fields.String(required=True, validate=validate.Length(max=32))
    target = fields.String(required=True, validate=validate.Length(max=32))
    role = fields.String(allow_none=True, validate=validate.Length(max=32))
    village_id = fields.Integer(allow_none=True)
    copy_liaison = fields.Boolean(load_default=False)


class RoutingRuleOut(Schema):
    id = fields.Integer()
    township_id = fields.Integer()
    village_id = fields.Integer(allow_none=True)
    category = fields.String()
    target = fields.String()
    target_role = fields.String(allow_none=True)
    copy_liaison = fields.Boolean()
    created_at = ShanghaiDateTime()
    deactivated_at = ShanghaiDateTime(allow_none=True)



# ---- deadlines and monitoring (时限与督办) ----
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
    created_by = fields.Function(lambda r: r.created_by.username if r.created_by else None,
                                 metadata={"description": "console account that set it"})
    deactivated_at = ShanghaiDateTime(allow_none=True)
    deactivated_by = fields.Function(lambda r: r.deactivated_by.username if r.deactivated_by else None,
                                     metadata={"description": "console account that replaced it"})


class DeadlinePoliciesOut(Schema):
    live = fields.Dict(keys=fields.String(), values=fields.Nested(PolicyOut))
    history = fields.List(fields.Nested(PolicyRowOut))


class PolicyChangeOut(Schema):
    policy = fields.Nested(PolicyRowOut, allow_none=True, metadata={"description": "the live row; null: the default"})
    changed = fields.Boolean(metadata={"description": "false: the live policy was saved unchanged, nothing written"})
    recomputed = fields.Integer(metadata={"description": "open cases the caller may read whose running clocks the "
                                                        "new policy shortened"})


class MonitorIn(PageIn):
    view = fields.String(load_default="overdue", validate=validate.OneOf(["overdue", "at_risk", "open", "all"]))
    village_id = fields.Integer()
    category = fields.String(validate=validate.OneOf(list(CATEGORY_NAMES)))
    colour = fields.String(validate=validate.OneOf(["red", "yellow", "green"]))
    min_age_days = fields.Integer(validate=validate.Range(min=0, max=3650))


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
# ---- the four-platform connector (基层治理四平台) ----
class PlatformConfigIn(In):
    endpoint_url = fields.String(allow_none=True, validate=validate.Length(max=2000),
                                 metadata={"description": "http(s) address the township's platform receives cases at"})
    enabled = fields.Boolean(required=True)
    secret = fields.String(allow_none=True, load_only=True, validate=validate.Length(max=1000),
                           metadata={"description": "new shared secret (16–128 visible ASCII); omitted: keep the current one"})


class PlatformConfigVersionOut(Schema):
    """One configuration; the secret itself is never shown, only whether one is set and since when."""
    endpoint_url = fields.String(allow_none=True)
    enabled = fields.Boolean()
    secret_set = fields.Function(lambda c: c.secret is not None)
    secret_changed_at = ShanghaiDateTime(allow_none=True)
    created_at = ShanghaiDateTime()
    created_by_console_account_id = fields.Integer(allow_none=True)
    replaced_at = ShanghaiDateTime(allow_none=True)


class PlatformConfigOut(Schema):
    township_id = fields.Integer()
    inbound_url = fields.String(metadata={"description": "where the platform posts signed status updates"})
    current = fields.Nested(PlatformConfigVersionOut, allow_none=True)
    history = fields.List(fields.Nested(PlatformConfigVersionOut))


class PlatformDeliveryListIn(In):
    state = fields.String(validate=validate.OneOf(["pending", "sent", "acknowledged", "failed"]))


class PlatformDeliveryOut(Schema):
    id = fields.Integer()
    key = fields.String()
    reference = fields.Function(lambda d: d.complaint.reference)
    event_kind = fields.String()
    state = fields.String()
    attempts = fields.Integer()
    next_attempt_at = ShanghaiDateTime(allow_none=True)
    last_attempt_at = ShanghaiDateTime(allow_none=True)
    last_error = fields.String(allow_none=True)
    failure_code = fields.String(allow_none=True)
    failure_reason = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()
    sent_at = ShanghaiDateTime(allow_none=True)
    acknowledged_at = ShanghaiDateTime(allow_none=True)
    failed_at = ShanghaiDateTime(allow_none=True)


class PlatformUpdateIn(In):
    case = fields.String(required=True, validate=validate.Length(min=1, max=24), metadata={"description": "case reference"})
    status = fields.String(required=True, validate=validate.OneOf(["acknowledged", "signed", "replied", "returned"]))
    text = _text(500, multiline=True, allow_none=True, metadata={"description": "replied: the reply the villager reads"})
    reason = _text(500, multiline=True, allow_none=True, metadata={"description": "returned (退单): why"})
    delivery = fields.String(allow_none=True, validate=validate.Length(max=32),
                             metadata={"description": "acknowledged: the delivery's Idempotency-Key (default: the latest)"})


class PlatformDeliveryStateOut(Schema):
    key = fields.String()
    state = fields.String()


class PlatformUpdateOut(Schema):
    case = fields.String()
    status = fields.String(metadata={"description": "the case's state after the update"})
    delivery = fields.Nested(PlatformDeliveryStateOut, allow_none=True)
# ---- subscribe messages (订阅消息) ----
class SubscribeTemplateOut(Schema):
    key = fields.String(metadata={"description": "the code's name for the template, e.g. case_progress"})
    template_id = fields.String(metadata={"description": "pass to wx.requestSubscribeMessage({tmplIds})"})
    title = fields.String()
    audience = fields.String(metadata={"description": "villager | handler"})
    request_when = fields.String(metadata={"description": "the tap in which the mini-program requests it"})
