"""Household door codes and sticker sheets (一户一码), and the landing a scanned code opens."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from app.api.schemas.common import In, ShanghaiDateTime, _text
from app.api.schemas.disclosures import DisclosureOut


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
    disclosures = fields.List(
        fields.Nested(lambda: DisclosureOut()), metadata={"description": "the five latest disclosures (三务公开)"}
    )


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
        lambda s: f"/api/v1/sticker-sheets/{s.id}/preview.png" if s.status == "done" else None
    )
