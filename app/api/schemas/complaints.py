"""Complaints (监督一点通): filing, the villager's and the offices' views, steps, routing rules."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.common import In, PageIn, ShanghaiDateTime, _text
from app.api.schemas.photos import CasePhotoOut
from app.clock import to_shanghai
from app.domain.complaints.categories import CATEGORIES as _CATEGORIES
from app.domain.complaints.options import DESCRIPTION_MAX, DESCRIPTION_MIN
from app.domain.complaints.routing import handler_label

CATEGORY_NAMES = {key: c.name for key, c in _CATEGORIES.items()}


class ComplaintIn(In):
    client_request_id = fields.String(
        required=True,
        validate=validate.Regexp(r"^[A-Za-z0-9_-]{8,64}$"),
        metadata={"description": "made by the client per filing: a replay files nothing twice"},
    )
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    description = _text(DESCRIPTION_MAX, DESCRIPTION_MIN, multiline=True, required=True)
    anonymous = fields.Boolean(load_default=False)
    contact_name = _text(32, allow_none=True)
    contact_phone = fields.String(allow_none=True, validate=validate.Regexp(r"^[0-9+\- ]{5,20}$"))
    latitude = fields.Float(allow_none=True, validate=validate.Range(min=-90, max=90))
    longitude = fields.Float(allow_none=True, validate=validate.Range(min=-180, max=180))
    about_role = fields.String(
        allow_none=True,
        validate=validate.Length(max=32),
        metadata={"description": "the role the complaint is about (conflict of interest)"},
    )
    photo_ids = fields.List(
        fields.Integer(strict=True, validate=validate.Range(min=1, max=2**31 - 1)),
        load_default=list,
        metadata={"description": "0–9 ids from POST /complaint-photos, in display order"},
    )


class ComplaintEventOut(Schema):
    kind = fields.String()
    to_status = fields.String()
    actor_label = fields.String()
    public_note = fields.String(allow_none=True)
    created_at = ShanghaiDateTime()


class HandlerEventOut(ComplaintEventOut):
    internal_note = fields.String(allow_none=True)


class ComplaintPublicOut(Schema):
    """A case as a villager who did not file it follows it (the case their duplicate was merged into),
    dumped from its shared projection (app/domain/complaints/public_view): no identities, no
    description, and none of the words its own villager wrote or was asked."""

    reference = fields.String()
    category = fields.String()
    category_name = fields.Function(lambda c: CATEGORY_NAMES[c.category])
    status = fields.String()
    resolution = fields.String(allow_none=True)
    filed_at = ShanghaiDateTime()
    closed_at = ShanghaiDateTime(allow_none=True)
    events = fields.List(fields.Nested(ComplaintEventOut))


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
    public_summary = fields.String(
        allow_none=True, metadata={"description": "the handling office's summary for publication; null: none written"}
    )


class PublicSummaryIn(In):
    # multi-line accepted: the domain joins the lines into the one line the public list shows
    text = _text(
        200,
        required=True,
        allow_none=True,
        multiline=True,
        metadata={
            "description": "for the village's public list of resolved cases (joined into one line, no names of the "
            "complainant); null withdraws it"
        },
    )


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
    clock_step = fields.String(
        allow_none=True, metadata={"description": "sign | handle | escalated | waiting | follow_up"}
    )
    escalation_level = fields.Integer(metadata={"description": "0 as routed; 1, 2: levels climbed for being overdue"})
    photos = fields.List(
        fields.Nested(CasePhotoOut), metadata={"description": "all the villager's photos, with their check status"}
    )


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
    public_summary = fields.String(
        allow_none=True,
        metadata={
            "description": "what the village's public list of resolved cases shows (written by the handling office)"
        },
    )
    events = fields.List(fields.Nested(HandlerEventOut))
    photos = fields.List(fields.Nested(CasePhotoOut), metadata={"description": "cleared photos only"})
    handling = fields.Boolean(
        metadata={
            "description": "the caller's office handles the case (may sign for, reply, "
            "send back); false for a copy, moderation or monitoring"
        }
    )


class ComplaintListIn(PageIn):
    status = fields.String(
        validate=validate.OneOf(["held", "assigned", "signed", "waiting", "replied", "returned", "closed"])
    )
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
    about_roles = fields.List(
        fields.Nested(AboutRoleOptionOut), metadata={"description": "the roles `about_role` accepts"}
    )
    description_min = fields.Integer()
    description_max = fields.Integer()


class NoteIn(In):
    text = _text(500, multiline=True, required=True)


class ReasonIn(In):
    reason = _text(500, multiline=True, required=True)


class RedispatchIn(In):
    target = fields.String(
        required=True, validate=validate.OneOf(["village_role", "township_dispatch", "township_discipline"])
    )
    role = fields.String(allow_none=True, validate=validate.Length(max=32))
    reason = _text(500, multiline=True, required=True)


class TransferIn(RedispatchIn):
    public_note = _text(
        200,
        multiline=True,
        allow_none=True,
        metadata={"description": "what the villager reads (default: 已转…办理); the reason stays internal"},
    )


class RecategoriseIn(In):
    category = fields.String(required=True, validate=validate.Length(min=1, max=32))
    reason = _text(400, multiline=True, required=True, metadata={"description": "internal: why the category was wrong"})


class MergeIn(In):
    into_id = fields.Integer(
        required=True, metadata={"description": "the open case of the same village that carries on"}
    )
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
    id = fields.Integer(allow_none=True, metadata={"description": "null: the built-in default (默认)"})
    township_id = fields.Integer()
    village_id = fields.Integer(allow_none=True)
    category = fields.String()
    target = fields.String()
    target_role = fields.String(allow_none=True)
    copy_liaison = fields.Boolean()
    created_at = ShanghaiDateTime(allow_none=True, metadata={"description": "null: the built-in default"})
    deactivated_at = ShanghaiDateTime(allow_none=True)
    default = fields.Boolean(
        dump_default=False, metadata={"description": "the built-in default of the category (默认), not a saved rule"}
    )
    in_force = fields.Boolean(
        dump_default=True,
        metadata={
            "description": "routing follows this row now (a default replaced by a township-wide rule, a replaced "
            "rule and any saved rule of a discipline category are not in force)"
        },
    )
